import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { staffMember } from '@/shared/testing/staff'

const fakeAuth = { login: vi.fn(), me: vi.fn(), logout: vi.fn() }
vi.mock('./useAuthApi', () => ({ useAuthApi: () => fakeAuth }))
const { useSessionStore } = await import('./session')

const owner = staffMember('owner')

describe('the session store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.clearAllMocks()
  })

  it('signs in and learns who we are', async () => {
    fakeAuth.login.mockResolvedValue({})
    fakeAuth.me.mockResolvedValue(owner)
    const session = useSessionStore()
    expect(await session.login('owner@lumen.example', 'pw')).toBeNull()
    expect(session.state).toBe('signed-in')
    expect(session.canAct).toBe(true)
  })

  it('passes a refused sign-in on', async () => {
    fakeAuth.login.mockResolvedValue({ error: 'Wrong e-mail or password.' })
    const session = useSessionStore()
    expect(await session.login('owner@lumen.example', 'bad')).toBe('Wrong e-mail or password.')
    expect(session.state).toBe('unknown')
  })

  it('marks a session the server ended as expired', async () => {
    fakeAuth.me.mockResolvedValue({ ...owner, role: 'viewer' })
    const session = useSessionStore()
    await session.restore()
    expect(session.canAct).toBe(false)
    session.ended()
    expect(session).toMatchObject({ state: 'signed-out', expired: true, me: null })
  })
})
