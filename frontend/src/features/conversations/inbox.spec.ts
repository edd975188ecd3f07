import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Conversation, Message } from './useConversationsApi'

const fakeApi = {
  list: vi.fn(),
  get: vi.fn(),
  messages: vi.fn(),
  act: vi.fn(),
  markRead: vi.fn(),
  sendText: vi.fn(),
}
vi.mock('./useConversationsApi', () => ({ useConversationsApi: () => fakeApi }))
const { useInboxStore } = await import('./inbox')

function conversation(id: number, overrides: Partial<Conversation> = {}): Conversation {
  return {
    id,
    channel_id: 1,
    contact: { id, wa_id: `44770090010${id}`, name: `Customer ${id}` },
    status: 'bot',
    assigned_agent: null,
    assignee_user_id: null,
    last_inbound_at: null,
    last_message_at: null,
    last_message_text: null,
    unread_count: 0,
    summary: null,
    created_at: '2026-11-21T10:00:00Z',
    updated_at: '2026-11-21T10:00:00Z',
    ...overrides,
  } as Conversation
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
    fakeApi.messages.mockResolvedValue({ data: [] })
    fakeApi.markRead.mockResolvedValue(undefined)
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
    fakeApi.messages.mockResolvedValue({ data: [{ id: 9, status: 'delivered', direction: 'out' } as Message] })
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
})
