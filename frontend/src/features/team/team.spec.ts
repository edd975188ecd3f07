import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { TryResult } from './useTeamApi'
import { summary, team } from './fixtures'

const fakeApi = { get: vi.fn(), validate: vi.fn(), save: vi.fn(), tryMessage: vi.fn(), customers: vi.fn() }
vi.mock('./useTeamApi', () => ({ useTeamApi: () => fakeApi }))
const { useTeamStore } = await import('./team')

function trial(agent = 'orders', state: Record<string, unknown> = { agent }): TryResult {
  return {
    contact: { id: 2, wa_id: '447700900102', name: 'Oliver' },
    routing: { understood: true, handoff: false, reason: 'Classified.', parts: [], candidates: [], threshold: 0.5 },
    agent,
    replies: [{ kind: 'buttons', body: 'Cancel order LH-100250?', buttons: [{ id: 'yes', title: 'Yes' }], rows: [] }],
    tools: [],
    writes: [],
    handoff: false,
    state,
    latency_ms: 12,
  } as TryResult
}

describe('the team store', () => {
  beforeEach(async () => {
    setActivePinia(createPinia())
    vi.clearAllMocks()
    fakeApi.get.mockResolvedValue({ data: team() })
  })

  it('validates an edit and allows saving only once it is valid', async () => {
    const store = useTeamStore()
    await store.load()
    expect(store.canSave).toBe(false) // unchanged
    store.edit('name: Lumen\n')
    expect(store.canSave).toBe(false) // not validated yet
    fakeApi.validate.mockResolvedValue({ problems: [{ path: 'agents', line: 1, message: 'is required' }] })
    await store.validate()
    expect(store.problems).toHaveLength(1)
    expect(store.canSave).toBe(false)

    store.edit('name: Lumen Home 2\n')
    fakeApi.validate.mockResolvedValue({ summary })
    await store.validate()
    expect(store.problems).toEqual([])
    expect(store.canSave).toBe(true)
  })

  it('drops a validation answer for text edited meanwhile', async () => {
    const store = useTeamStore()
    await store.load()
    store.edit('first\n')
    let answer: (value: unknown) => void = () => {}
    fakeApi.validate.mockReturnValue(new Promise((resolve) => (answer = resolve)))
    const pending = store.validate()
    store.edit('second\n')
    answer({ summary })
    await pending
    expect(store.checked).toBe(false)
    expect(store.canSave).toBe(false)
  })

  it('saves as the next version', async () => {
    const store = useTeamStore()
    await store.load()
    store.edit('name: Lumen Home 2\n')
    fakeApi.validate.mockResolvedValue({ summary })
    await store.validate()
    fakeApi.save.mockResolvedValue({ team: team(1, 'name: Lumen Home 2\n') })
    await store.save()
    expect(fakeApi.save).toHaveBeenCalledWith('name: Lumen Home 2\n', 0)
    expect(store.team?.version).toBe(1)
    expect(store.dirty).toBe(false)
    expect(store.saved).toContain('version 1')
  })

  it('says someone saved a newer version on a 409, keeps the edit and blocks saving until reload', async () => {
    const store = useTeamStore()
    await store.load()
    store.edit('mine\n')
    fakeApi.validate.mockResolvedValue({ summary })
    await store.validate()
    fakeApi.save.mockResolvedValue({ conflict: 'someone saved a newer version of the team' })
    await store.save()
    expect(store.conflict).toMatch(/newer version.*reload/)
    expect(store.draft).toBe('mine\n')
    expect(store.canSave).toBe(false)
    fakeApi.get.mockResolvedValue({ data: team(3, 'theirs\n') })
    await store.load()
    expect(store.conflict).toBeNull()
    expect(store.team?.version).toBe(3)
  })

  it('shows problems a save found', async () => {
    const store = useTeamStore()
    await store.load()
    store.edit('x\n')
    fakeApi.validate.mockResolvedValue({ summary })
    await store.validate()
    fakeApi.save.mockResolvedValue({ problems: [{ path: 'agents[0].tools[0]', line: 9, message: 'unknown tool' }] })
    await store.save()
    expect(store.problems[0]?.line).toBe(9)
    expect(store.team?.version).toBe(0)
  })

  it('tries messages against the draft, continuing with the returned state and a tapped button', async () => {
    const store = useTeamStore()
    await store.load()
    fakeApi.customers.mockResolvedValue({ data: [{ id: 2, wa_id: '447700900102', name: 'Oliver' }] })
    await store.loadCustomers()
    store.edit('draft\n')
    fakeApi.tryMessage.mockResolvedValueOnce({ result: trial('orders', { step: 1 }) })
    expect(await store.send('cancel my order LH-100250', { useDraft: true })).toBe(true)
    expect(fakeApi.tryMessage).toHaveBeenLastCalledWith({ message: 'cancel my order LH-100250', yaml: 'draft\n', wa_id: '447700900102' })

    fakeApi.tryMessage.mockResolvedValueOnce({ result: trial() })
    await store.send('Yes', { tapped: 'yes' })
    expect(fakeApi.tryMessage).toHaveBeenLastCalledWith({
      message: 'Yes',
      wa_id: '447700900102',
      tapped: 'yes',
      state: { step: 1 },
    })
    expect(store.turns).toHaveLength(2)

    fakeApi.tryMessage.mockResolvedValueOnce({ problems: [{ path: '', line: 1, message: 'bad' }] })
    expect(await store.send('hi', { useDraft: true })).toBe(false)
    expect(store.tryError).toMatch(/problems/)
    store.restartTry()
    expect(store.turns).toEqual([])
  })
})
