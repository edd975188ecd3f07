import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Message } from './useConversationsApi'
import { staffMember } from '@/shared/testing/staff'
import { conversation, fakeConversationsApi } from './fixtures'

const fakeApi = fakeConversationsApi()
vi.mock('./useConversationsApi', () => ({ useConversationsApi: () => fakeApi }))
const { useInboxStore } = await import('./inbox')
const { useSessionStore } = await import('@/features/auth/session')

function page(ids: number[], next: string | null = null) {
  return { data: { items: ids.map((id) => ({ id, status: 'read', direction: 'out' }) as Message), next_cursor: next } }
}
function signIn(role: 'viewer' | 'agent' | 'owner' = 'owner', id = 1) {
  useSessionStore().me = staffMember(role, { id })
}

function created(conversationId: number, id: number, direction: 'in' | 'out', text: string) {
  return {
    id: 100 + id,
    type: 'message.created' as const,
    created_at: '2026-11-21T10:05:00Z',
    payload: {
      conversation_id: conversationId,
      message: { id, direction, type: 'text', text, status: direction === 'in' ? 'received' : 'pending', agent: null, reply_to: null, created_at: '2026-11-21T10:05:00Z' },
    },
  }
}

describe('the inbox store', () => {
  beforeEach(async () => {
    setActivePinia(createPinia())
    vi.clearAllMocks()
    fakeApi.list.mockResolvedValue({ data: [conversation(1), conversation(2)] })
    fakeApi.messages.mockResolvedValue(page([]))
    fakeApi.markRead.mockResolvedValue(undefined)
    fakeApi.searchMessages.mockResolvedValue({ data: [] })
    signIn()
  })

  it('moves a conversation with a new customer message to the top and counts it unread', async () => {
    const inbox = useInboxStore()
    await inbox.load()
    await inbox.applyEvent(created(2, 5, 'in', 'Hello?'))
    expect(inbox.conversations.map((c) => c.id)).toEqual([2, 1])
    expect(inbox.conversations[0]).toMatchObject({ last_message_text: 'Hello?', unread_count: 1 })
  })

  it('appends to the open chat once, and marks it read instead of counting it', async () => {
    const inbox = useInboxStore()
    await inbox.load()
    fakeApi.get.mockResolvedValue({ data: conversation(1) })
    await inbox.open(1)
    await inbox.applyEvent(created(1, 6, 'in', 'Hi'))
    await inbox.applyEvent(created(1, 6, 'in', 'Hi'))
    expect(inbox.messages.map((m) => m.id)).toEqual([6])
    expect(inbox.selected?.unread_count).toBe(0)
    expect(fakeApi.markRead).toHaveBeenCalledWith(1)
  })

  it('fetches a conversation it has not seen yet', async () => {
    const inbox = useInboxStore()
    await inbox.load()
    fakeApi.get.mockResolvedValue({ data: conversation(3, { last_message_text: 'New here' }) })
    await inbox.applyEvent(created(3, 7, 'in', 'New here'))
    expect(inbox.conversations[0]).toMatchObject({ id: 3, last_message_text: 'New here' })
  })

  it('moves message statuses forward only, and keeps a failure reason', async () => {
    const inbox = useInboxStore()
    await inbox.load()
    fakeApi.get.mockResolvedValue({ data: conversation(1) })
    fakeApi.messages.mockResolvedValue({
      data: { items: [{ id: 9, status: 'delivered', direction: 'out' } as Message], next_cursor: null },
    })
    await inbox.open(1)
    const status = (s: string, extra = {}) => ({
      id: 200,
      type: 'message.status' as const,
      created_at: '',
      payload: { conversation_id: 1, message_id: 9, status: s, error_code: null, error_message: null, ...extra },
    })
    await inbox.applyEvent(status('sent'))
    expect(inbox.messages[0]!.status).toBe('delivered')
    await inbox.applyEvent(status('read'))
    expect(inbox.messages[0]!.status).toBe('read')
    await inbox.applyEvent(status('failed', { error_code: '131026', error_message: 'Undeliverable' }))
    expect(inbox.messages[0]).toMatchObject({ status: 'failed', error_code: '131026' })
  })

  it('follows takeover, hand-back and read updates', async () => {
    const inbox = useInboxStore()
    await inbox.load()
    const updated = (payload: Record<string, unknown>) => ({
      id: 300,
      type: 'conversation.updated' as const,
      created_at: '',
      payload: { conversation_id: 1, ...payload } as { conversation_id: number; reason: string },
    })
    await inbox.applyEvent(updated({ status: 'human', reason: 'takeover' }))
    expect(inbox.conversations.find((c) => c.id === 1)?.status).toBe('human')
    await inbox.applyEvent(updated({ status: 'bot', reason: 'read', unread_count: 0 }))
    expect(inbox.conversations.find((c) => c.id === 1)).toMatchObject({ status: 'bot', unread_count: 0 })
  })

  it('filters by status', async () => {
    fakeApi.list.mockResolvedValue({ data: [conversation(1), conversation(2, { status: 'human' })] })
    const inbox = useInboxStore()
    await inbox.load()
    inbox.filter = 'human'
    expect(inbox.visible.map((c) => c.id)).toEqual([2])
  })

  it('filters by unread and by assignee, on the server and live, keeping the open chat listed', async () => {
    fakeApi.list.mockResolvedValue({
      data: [
        conversation(1, { assignee_user_id: 1, unread_count: 2 }),
        conversation(2, { assignee_user_id: 5 }),
        conversation(3),
      ],
    })
    const inbox = useInboxStore()
    inbox.owner = 'mine'
    await inbox.load()
    expect(fakeApi.list).toHaveBeenLastCalledWith(expect.objectContaining({ assignee: 1, unassigned: undefined }))
    expect(inbox.visible.map((c) => c.id)).toEqual([1])
    inbox.owner = 'unassigned'
    expect(inbox.visible.map((c) => c.id)).toEqual([3])
    inbox.owner = 'anyone'
    inbox.unreadOnly = true
    expect(inbox.visible.map((c) => c.id)).toEqual([1])
    fakeApi.get.mockResolvedValue({ data: conversation(1, { unread_count: 0 }) })
    await inbox.open(1)
    expect(inbox.visible.map((c) => c.id)).toEqual([1]) // read now, but open: still listed
    await inbox.load()
    expect(fakeApi.list).toHaveBeenLastCalledWith(expect.objectContaining({ unread: true }))
  })

  it('names assignees: you, a colleague, or an id when the staff list is unknown', async () => {
    fakeApi.assignees.mockResolvedValue({ data: [{ id: 5, email: 'jo@lumen.example', name: 'Jo', role: 'agent' }] })
    const inbox = useInboxStore()
    expect(inbox.assigneeName(5)).toBe('#5')
    await inbox.loadStaff()
    expect([inbox.assigneeName(1), inbox.assigneeName(5), inbox.assigneeName(null)]).toEqual(['You', 'Jo', null])
  })

  it('does not ask for the staff list, nor mark chats read, for a viewer', async () => {
    signIn('viewer')
    const inbox = useInboxStore()
    await inbox.loadStaff()
    expect(fakeApi.assignees).not.toHaveBeenCalled()
    expect(inbox.assignable.map((s) => s.id)).toEqual([1])
    fakeApi.get.mockResolvedValue({ data: conversation(1, { unread_count: 3 }) })
    await inbox.open(1)
    expect(fakeApi.markRead).not.toHaveBeenCalled()
  })

  it('assigns the open chat and shows a refusal', async () => {
    const inbox = useInboxStore()
    await inbox.load()
    fakeApi.get.mockResolvedValue({ data: conversation(1) })
    await inbox.open(1)
    fakeApi.assign.mockResolvedValue({ data: conversation(1, { assignee_user_id: 5 }) })
    expect(await inbox.assign(5)).toBeNull()
    expect(fakeApi.assign).toHaveBeenCalledWith(1, 5)
    expect(inbox.selected?.assignee_user_id).toBe(5)
    fakeApi.assign.mockResolvedValue({ error: 'no staff member 9 in this tenant' })
    expect(await inbox.assign(9)).toBe('no staff member 9 in this tenant')
  })

  it('loads older messages above, and a refresh keeps them', async () => {
    const inbox = useInboxStore()
    await inbox.load()
    fakeApi.get.mockResolvedValue({ data: conversation(1) })
    fakeApi.messages.mockResolvedValueOnce(page([30, 31], 'c1'))
    await inbox.open(1)
    expect(inbox.olderCursor).toBe('c1')
    fakeApi.messages.mockResolvedValueOnce(page([10, 11], null))
    await inbox.loadOlder()
    expect(fakeApi.messages).toHaveBeenLastCalledWith(1, 'c1')
    expect(inbox.messages.map((m) => m.id)).toEqual([10, 11, 30, 31])
    expect(inbox.olderCursor).toBeNull()

    fakeApi.messages.mockResolvedValueOnce(page([31, 32], 'c9'))
    await inbox.applyEvent(created(1, 32, 'out', 'Done'))
    await vi.waitFor(() => expect(inbox.messages.map((m) => m.id)).toEqual([10, 11, 30, 31, 32]))
    expect(inbox.olderCursor).toBeNull()
  })

  it('refetches a live customer message that quotes another, to show the quote', async () => {
    const inbox = useInboxStore()
    await inbox.load()
    fakeApi.get.mockResolvedValue({ data: conversation(1) })
    await inbox.open(1)
    const quoting = created(1, 40, 'in', 'this one')
    quoting.payload.message.reply_to = 'wamid.7' as never
    fakeApi.messages.mockClear()
    await inbox.applyEvent(quoting)
    expect(fakeApi.messages).toHaveBeenCalledWith(1)
  })

  it('sends a staff message, or passes the server’s reason on', async () => {
    const inbox = useInboxStore()
    await inbox.load()
    fakeApi.get.mockResolvedValue({ data: conversation(1) })
    await inbox.open(1)
    fakeApi.send.mockResolvedValue({ error: 'the 24-hour customer-service window is closed' })
    expect(await inbox.send('Hello')).toContain('window is closed')
    expect(inbox.messages).toEqual([])
    fakeApi.send.mockResolvedValue({ data: { id: 50, status: 'pending', direction: 'out' } as Message })
    const template = { kind: 'template' as const, name: 'order_update', language: 'en', components: [] }
    expect(await inbox.send(template)).toBeNull()
    expect(fakeApi.send).toHaveBeenLastCalledWith(1, template)
    expect(inbox.messages.map((m) => m.id)).toEqual([50])
  })

  it('summarizes and extracts tasks, with loading and error states', async () => {
    const inbox = useInboxStore()
    await inbox.load()
    fakeApi.get.mockResolvedValue({ data: conversation(1) })
    await inbox.open(1)
    let finish: (value: unknown) => void = () => {}
    fakeApi.summary.mockReturnValue(new Promise((resolve) => (finish = resolve)))
    const running = inbox.runInsight('summary')
    expect(inbox.insight).toMatchObject({ kind: 'summary', loading: true })
    finish({ data: { conversation_id: 1, text: '3 messages', facts: {} } })
    await running
    expect(inbox.insight).toMatchObject({ kind: 'summary', loading: false, summary: { text: '3 messages' } })
    fakeApi.tasks.mockResolvedValue({ error: 'Your role cannot do this.' })
    await inbox.runInsight('tasks')
    expect(inbox.insight).toMatchObject({ kind: 'tasks', loading: false, error: 'Your role cannot do this.' })
    await inbox.open(2)
    expect(inbox.insight).toBeNull()
  })

  it('searches messages along with conversations, and focuses a hit once its chat opens', async () => {
    fakeApi.searchMessages.mockResolvedValue({
      data: [{ message_id: 77, conversation_id: 2, direction: 'in', text: 'invoice please', created_at: '' }],
    })
    const inbox = useInboxStore()
    inbox.query = 'invoice'
    await inbox.load()
    expect(fakeApi.list).toHaveBeenLastCalledWith(expect.objectContaining({ q: 'invoice' }))
    expect(inbox.hits.map((h) => h.message_id)).toEqual([77])
    inbox.focusMessage(2, 77)
    expect(inbox.focusId).toBeNull()
    fakeApi.get.mockResolvedValue({ data: conversation(2) })
    await inbox.open(2)
    expect(inbox.focusId).toBe(77)
  })
})
