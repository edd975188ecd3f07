import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { LiveEvent } from '@/shared/api/live'
import { bridge, channel } from './fixtures'

const fakeApi = {
  list: vi.fn(), get: vi.fn(), create: vi.fn(), update: vi.fn(), setEnabled: vi.fn(), test: vi.fn(), link: vi.fn(), teamVersion: vi.fn(),
}
vi.mock('./useChannelsApi', () => ({ useChannelsApi: () => fakeApi }))
const listeners: ((event: LiveEvent) => void)[] = []
vi.mock('@/shared/api/live', () => ({
  onLiveEvent: (listener: (event: LiveEvent) => void) => {
    listeners.push(listener)
    return () => listeners.splice(listeners.indexOf(listener), 1)
  },
}))
const { useChannelsStore } = await import('./channels')

function hear(type: 'channel.status' | 'resync', payload: Record<string, unknown>): void {
  for (const listener of [...listeners]) listener({ id: 1, type, created_at: '2026-12-07T10:00:30Z', payload })
}

describe('the channels store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.clearAllMocks()
    fakeApi.list.mockResolvedValue({ data: [channel(), channel({ id: 2, phone_number_id: '109876543210002' })] })
    fakeApi.get.mockImplementation(async (id: number) => ({ data: channel({ id }) }))
    fakeApi.teamVersion.mockResolvedValue({ data: 3 })
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
    await channels.create({ kind: 'whatsapp_cloud', phone_number_id: '109876543210003', enabled: true, uncertain_sends: 'resend' })
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
    expect(await channels.create({ kind: 'whatsapp_cloud', phone_number_id: '109876543210001', enabled: true, uncertain_sends: 'resend' })).toBeNull()
    expect(channels.notice).toEqual({ tone: 'error', text: 'That phone_number_id is already registered' })
  })

  it('offers the team versions, newest first, down to 0 (the team file)', async () => {
    const channels = useChannelsStore()
    await channels.load()
    expect(channels.teamVersions).toEqual([3, 2, 1, 0])
    fakeApi.teamVersion.mockResolvedValue({ data: 0 })
    await channels.load()
    expect(channels.teamVersions).toEqual([0])
  })

  it('reads a number again when its link changes live, only while the page listens', async () => {
    fakeApi.list.mockResolvedValue({ data: [channel(), bridge()] })
    const channels = useChannelsStore()
    await channels.load()
    channels.startLive()
    channels.startLive() // once, however often the page mounts
    expect(listeners).toHaveLength(1)
    const linked = bridge({ status: 'connected', display_phone_number: '447700900555', profile_name: 'Shop', qr: null })
    fakeApi.get.mockResolvedValueOnce({ data: linked })
    hear('channel.status', { channel_id: 7, status: 'connected' })
    await vi.waitFor(() => expect(channels.items[1]!.status).toBe('connected'))
    expect(fakeApi.get).toHaveBeenCalledWith(7)
    hear('channel.status', { status: 'connected' }) // no id: nothing to read
    expect(fakeApi.get).toHaveBeenCalledTimes(1)
    channels.endLive()
    hear('channel.status', { channel_id: 7, status: 'disconnected' })
    expect(fakeApi.get).toHaveBeenCalledTimes(1)
  })

  it('reloads the list after a resync', async () => {
    const channels = useChannelsStore()
    channels.startLive()
    hear('resync', {})
    await vi.waitFor(() => expect(channels.items).toHaveLength(2))
    channels.endLive()
  })

  it('reconnects a bridge number: the new QR replaces the old one; a refusal is said', async () => {
    fakeApi.list.mockResolvedValue({ data: [bridge({ status: 'disconnected', qr: null, status_detail: 'logged out' })] })
    const channels = useChannelsStore()
    await channels.load()
    fakeApi.link.mockResolvedValueOnce({ data: bridge({ qr: '2@fresh' }) })
    await channels.link(7, 'reconnect')
    expect(fakeApi.link).toHaveBeenCalledWith(7, 'reconnect')
    expect(channels.selected).toMatchObject({ status: 'qr_waiting', qr: '2@fresh' })
    expect(channels.notice?.tone).toBe('ok')
    fakeApi.link.mockResolvedValueOnce({ error: 'The bridge is not reachable' })
    await channels.link(7, 'disconnect')
    expect(channels.notice).toEqual({ tone: 'error', text: 'The bridge is not reachable' })
    expect(channels.selected?.qr).toBe('2@fresh')
  })
})
