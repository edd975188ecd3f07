// Conversations as the API returns them, and a stand-in for `useConversationsApi`, for the specs.
import { vi } from 'vitest'
import type { Conversation } from './useConversationsApi'

export function conversation(id: number, overrides: Partial<Conversation> = {}): Conversation {
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

/** Every call of `useConversationsApi()` as a mock: `vi.mock('./useConversationsApi', () => ({
 * useConversationsApi: () => fakeApi }))` with `const fakeApi = fakeConversationsApi()`. */
export function fakeConversationsApi() {
  return {
    list: vi.fn(),
    get: vi.fn(),
    messages: vi.fn(),
    act: vi.fn(),
    markRead: vi.fn(),
    send: vi.fn(),
    assign: vi.fn(),
    assignees: vi.fn(),
    summary: vi.fn(),
    tasks: vi.fn(),
    searchMessages: vi.fn(),
  }
}
