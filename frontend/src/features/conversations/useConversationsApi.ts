// Conversation API calls (`/api/v1/conversations/*`, `/api/v1/messages/search`).
import { api, type Schemas } from '@/shared/api/client'
import { call, type Answer, type Result } from '@/shared/api/result'

export type Conversation = Schemas['ConversationOut']
export type Message = Schemas['MessageOut']
export type Assignee = Schemas['AssigneeOut']
export type Summary = Schemas['SummaryOut']
export type Task = Schemas['TaskOut']
export type FoundMessage = Schemas['FoundMessageOut']
/** What staff can send: text, reply buttons or a template (lists exist in the API but not in the composer). */
export type StaffMessage = Schemas['Text'] | Schemas['Buttons'] | Schemas['Template']
export type MessagePage = { items: Message[]; next_cursor: string | null }

export interface ConversationFilters {
  status?: 'bot' | 'human' | 'closed'
  q?: string
  unread?: boolean
  assignee?: number
  unassigned?: boolean
}

type Action = 'takeover' | 'handback' | 'close' | 'reopen'

/** `call`, with a plain word for a role that may not do this (whatever reason the server gives). */
async function ask<D, T = D>(request: Promise<Answer<D>>, pick?: (data: D) => T): Promise<Result<T>> {
  const result = await call(request, (status) => `The server refused (${status}).`, pick)
  return result.error !== undefined && result.status === 403 ? { ...result, error: 'Your role cannot do this.' } : result
}

export function useConversationsApi() {
  const at = (id: number) => ({ params: { path: { conversation_id: id } } })

  async function list(filters: ConversationFilters = {}): Promise<Result<Conversation[]>> {
    const query = {
      limit: 100,
      status: filters.status,
      q: filters.q || undefined,
      unread: filters.unread || undefined,
      assignee: filters.assignee,
      unassigned: filters.unassigned || undefined,
    }
    return ask(api.GET('/api/v1/conversations', { params: { query } }), (page) => page.items)
  }

  async function get(id: number): Promise<Result<Conversation>> {
    return ask(api.GET('/api/v1/conversations/{conversation_id}', at(id)))
  }

  /** The newest page of messages, or the page before `cursor`; oldest first within a page. */
  async function messages(id: number, cursor?: string): Promise<Result<MessagePage>> {
    const params = { path: { conversation_id: id }, query: { limit: 50, cursor } }
    return ask(api.GET('/api/v1/conversations/{conversation_id}/messages', { params }))
  }

  async function act(id: number, action: Action): Promise<Result<Conversation>> {
    const request = {
      takeover: () => api.POST('/api/v1/conversations/{conversation_id}/takeover', at(id)),
      handback: () => api.POST('/api/v1/conversations/{conversation_id}/handback', at(id)),
      close: () => api.POST('/api/v1/conversations/{conversation_id}/close', at(id)),
      reopen: () => api.POST('/api/v1/conversations/{conversation_id}/reopen', at(id)),
    }[action]
    return ask(request())
  }

  async function markRead(id: number): Promise<void> {
    await api.POST('/api/v1/conversations/{conversation_id}/read', at(id))
  }

  async function send(id: number, message: StaffMessage): Promise<Result<Message>> {
    return ask(api.POST('/api/v1/conversations/{conversation_id}/messages', { ...at(id), body: message }))
  }

  async function sendText(id: number, body: string): Promise<Result<Message>> {
    return send(id, { kind: 'text', body, preview_url: false })
  }

  async function assign(id: number, userId: number | null): Promise<Result<Conversation>> {
    return ask(api.PUT('/api/v1/conversations/{conversation_id}/assignee', { ...at(id), body: { user_id: userId } }))
  }

  /** Whom a conversation can be assigned to (agent and up). */
  async function assignees(): Promise<Result<Assignee[]>> {
    return ask(api.GET('/api/v1/conversations/assignees'), (page) => page.items)
  }

  async function summary(id: number): Promise<Result<Summary>> {
    return ask(api.GET('/api/v1/conversations/{conversation_id}/summary', at(id)))
  }

  async function tasks(id: number): Promise<Result<Task[]>> {
    return ask(api.GET('/api/v1/conversations/{conversation_id}/tasks', at(id)), (found) => found.tasks)
  }

  async function searchMessages(q: string): Promise<Result<FoundMessage[]>> {
    return ask(api.GET('/api/v1/messages/search', { params: { query: { q, limit: 20 } } }), (page) => page.items)
  }

  return { list, get, messages, act, markRead, send, sendText, assign, assignees, summary, tasks, searchMessages }
}
