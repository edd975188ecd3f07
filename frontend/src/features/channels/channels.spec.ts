import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { channel } from './fixtures'

const fakeApi = { list: vi.fn(), get: vi.fn(), create: vi.fn(), update: vi.fn(), setEnabled: vi.fn(), test: vi.fn() }
vi.mock('./useChannelsApi', () => ({ useChannelsApi: () => fakeApi }))
const { useChannelsStore } = await import('./channels')

describe('the channels store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.clearAllMocks()
    fakeApi.list.mockResolvedValue({ data: [channel(), channel({ id: 2, phone_number_id: '109876543210002' })] })
    fakeApi.get.mockImplementation(async (id: number) => ({ data: channel({ id }) }))
  })

  it('loads the numbers and selects the first', async () => {
    const channels = useChannelsStore()
    await channels.load()
    expect(channels.items).toHaveLength(2)
    expect(channels.selected?.id).toBe(1)
  })

  it('shows a refused list as an error', async () => {
    fakeApi.list.mockResolvedValue({ error: 'Needs the admin role' })
    const channels = useChannelsStore()
    await channels.load()
    expect(channels.error).toBe('Needs the admin role')
    expect(channels.items).toEqual([])
  })

  it('remembers each number’s last test: Graph’s answer or the failure', async () => {
    const channels = useChannelsStore()
    await channels.load()
    fakeApi.test.mockResolvedValueOnce({ data: { ok: true, verified_name: 'Lumen Home', quality_rating: 'GREEN' } })
    fakeApi.test.mockResolvedValueOnce({ data: { ok: false, error_code: '190', error_message: 'Invalid OAuth access token' } })
    const pending = channels.test(1)
    expect(channels.testing).toBe(1)
    await pending
    await channels.test(2)
    expect(channels.testing).toBeNull()
    expect(channels.tests[1]!.result).toMatchObject({ ok: true, verified_name: 'Lumen Home' })
    expect(channels.tests[2]!.result).toMatchObject({ ok: false, error_code: '190' })
  })

  it('shows the server’s record of the latest test after testing', async () => {
    const channels = useChannelsStore()
    await channels.load()
    const lastTest = { at: '2026-11-26T09:12:00Z', ok: false, error: '(#190) Invalid OAuth access token' }
    fakeApi.test.mockResolvedValueOnce({ data: { ok: false, error_code: '190', error_message: 'Invalid OAuth access token' } })
    fakeApi.get.mockResolvedValueOnce({ data: channel({ id: 2, phone_number_id: '109876543210002', last_test: lastTest }) })
    await channels.test(2)
    expect(fakeApi.get).toHaveBeenCalledWith(2)
    expect(channels.items[1]!.last_test).toEqual(lastTest)
    expect(channels.items[0]!.last_test).toBeNull()
  })

  it('does not reload the number when the test request itself failed', async () => {
    const channels = useChannelsStore()
    await channels.load()
    fakeApi.test.mockResolvedValueOnce({ error: 'Needs the admin role' })
    await channels.test(1)
    expect(channels.tests[1]!.error).toBe('Needs the admin role')
    expect(fakeApi.get).not.toHaveBeenCalled()
  })

  it('adds a new number to the list and selects it', async () => {
    const channels = useChannelsStore()
    await channels.load()
    fakeApi.create.mockResolvedValue({ data: channel({ id: 3, phone_number_id: '109876543210003' }) })
    await channels.create({ phone_number_id: '109876543210003', enabled: true, uncertain_sends: 'resend' })
    expect(channels.items.map((c) => c.id)).toEqual([1, 2, 3])
    expect(channels.selectedId).toBe(3)
    expect(channels.notice?.tone).toBe('ok')
  })

  it('updates a disabled number in place, and reports a conflict', async () => {
    const channels = useChannelsStore()
    await channels.load()
    fakeApi.setEnabled.mockResolvedValue({ data: channel({ enabled: false }) })
    await channels.setEnabled(1, false)
    expect(channels.items[0]!.enabled).toBe(false)
    fakeApi.create.mockResolvedValue({ error: 'That phone_number_id is already registered' })
    expect(await channels.create({ phone_number_id: '109876543210001', enabled: true, uncertain_sends: 'resend' })).toBeNull()
    expect(channels.notice).toEqual({ tone: 'error', text: 'That phone_number_id is already registered' })
  })
})
