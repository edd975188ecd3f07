import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { contact, detail } from './fixtures'

const fakeApi = { list: vi.fn(), get: vi.fn(), update: vi.fn(), setMarketing: vi.fn(), exportData: vi.fn(), erase: vi.fn() }
vi.mock('./useContactsApi', async (real) => ({
  ...(await real<typeof import('./useContactsApi')>()),
  useContactsApi: () => fakeApi,
}))
const { useContactsStore } = await import('./contacts')


describe('the contacts store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.clearAllMocks()
  })

  it('keeps only the answer to the latest search', async () => {
    let answerOld: (v: unknown) => void = () => {}
    fakeApi.list
      .mockReturnValueOnce(new Promise((resolve) => (answerOld = resolve)))
      .mockResolvedValueOnce({ data: { items: [contact(2)], next_cursor: null } })
    const contacts = useContactsStore()
    contacts.query = 'Cus'
    const first = contacts.search()
    contacts.query = 'Customer 2'
    await contacts.search()
    answerOld({ data: { items: [contact(1), contact(2)], next_cursor: 'x' } })
    await first
    expect(contacts.items.map((c) => c.id)).toEqual([2])
    expect(fakeApi.list).toHaveBeenLastCalledWith('Customer 2', 'last_seen')
  })

  it('loads the next page once and without duplicates', async () => {
    fakeApi.list
      .mockResolvedValueOnce({ data: { items: [contact(3), contact(2)], next_cursor: 'c1' } })
      .mockResolvedValueOnce({ data: { items: [contact(2), contact(1)], next_cursor: null } })
    const contacts = useContactsStore()
    await contacts.search()
    await contacts.more()
    await contacts.more()
    expect(contacts.items.map((c) => c.id)).toEqual([3, 2, 1])
    expect(fakeApi.list).toHaveBeenCalledTimes(2)
    expect(fakeApi.list).toHaveBeenLastCalledWith('', 'last_seen', 'c1')
  })

  it('asks for the chosen order, most recently seen first by default', async () => {
    fakeApi.list.mockResolvedValue({ data: { items: [contact(1, { last_seen_at: '2026-11-26T18:40:00Z' })], next_cursor: null } })
    const contacts = useContactsStore()
    await contacts.search()
    expect(fakeApi.list).toHaveBeenLastCalledWith('', 'last_seen')
    contacts.sort = 'newest'
    await contacts.search()
    expect(fakeApi.list).toHaveBeenLastCalledWith('', 'newest')
    expect(contacts.items[0]!.last_seen_at).toBe('2026-11-26T18:40:00Z')
  })

  it('shows a failed search as an error, not as "no contacts"', async () => {
    fakeApi.list.mockResolvedValue({ error: 'The caller’s role may not do this' })
    const contacts = useContactsStore()
    await contacts.search()
    expect(contacts.listError).toContain('role')
  })

  it('updates the profile and the list after an opt-out', async () => {
    fakeApi.list.mockResolvedValue({ data: { items: [contact(1, { marketing_opt_in: true })], next_cursor: null } })
    fakeApi.get.mockResolvedValue({ data: detail(contact(1, { marketing_opt_in: true })) })
    const optedOut = contact(1, { opted_out_at: '2026-11-21T12:00:00Z' })
    fakeApi.setMarketing.mockResolvedValue({ data: optedOut })
    const contacts = useContactsStore()
    await contacts.search()
    await contacts.open(1)
    await contacts.setMarketing(false)
    expect(fakeApi.setMarketing).toHaveBeenCalledWith(1, false)
    expect(contacts.detail?.contact.opted_out_at).toBe('2026-11-21T12:00:00Z')
    expect(contacts.items[0]!.opted_out_at).toBe('2026-11-21T12:00:00Z')
    expect(contacts.notice?.tone).toBe('ok')
  })

  it('shows the anonymised contact after an erasure', async () => {
    fakeApi.get
      .mockResolvedValueOnce({ data: detail(contact(1)) })
      .mockResolvedValueOnce({ data: detail(contact(1, { wa_id: 'erased:1', name: null })) })
    fakeApi.erase.mockResolvedValue({ data: { contact_id: 1, messages_redacted: 4 } })
    const contacts = useContactsStore()
    await contacts.open(1)
    expect(await contacts.erase()).toBe(true)
    expect(contacts.detail?.contact.wa_id).toBe('erased:1')
    expect(contacts.notice).toEqual({ tone: 'ok', text: expect.stringContaining('4 messages were redacted') })
  })

  it('passes a refused erasure on and keeps the profile', async () => {
    fakeApi.get.mockResolvedValue({ data: detail(contact(1)) })
    fakeApi.erase.mockResolvedValue({ error: 'Needs the admin role' })
    const contacts = useContactsStore()
    await contacts.open(1)
    expect(await contacts.erase()).toBe(false)
    expect(contacts.notice).toEqual({ tone: 'error', text: 'Needs the admin role' })
    expect(contacts.detail?.contact.wa_id).toBe('447700900101')
  })
})
