// Conversation API calls (`/api/v1/conversations/*`, `/api/v1/messages/search`).
import { api, errorText, type Schemas } from '@/shared/api/client'

export type Conversation = Schemas['ConversationOut']
export type Message = Schemas['MessageOut']
export type Assignee = Schemas['AssigneeOut']
export type Summary = Schemas['SummaryOut']
export type Task = Schemas['TaskOut']
export type FoundMessage = Schemas['FoundMessageOut']
/** What staff can send: text, reply buttons or a template (lists exist in the API but not in the composer). */
export type StaffMessage = Schemas['Text'] | Schemas['Buttons'] | Schemas['Template']
export type Result<T> = { data: T; error?: undefined } | { data?: undefined; error: string }
export type MessagePage = { items: Message[]; next_cursor: string | null }

export interface ConversationFilters {
  status?: 'bot' | 'human' | 'closed'
  q?: string
  unread?: boolean
  assignee?: number
  unassigned?: boolean
}

type Action = 'takeover' | 'handback' | 'close' | 'reopen'

/** The server's reason when it refuses, with a plain word for a role that may not do this. */
function refusal(error: unknown, status: number): string {
  if (status === 403) return 'Your role cannot do this.'
  return errorText(error, `The server refused (${status}).`)
}

export function useConversationsApi() {
  async function list(filters: ConversationFilters = {}): Promise<Result<Conversation[]>> {
    const { data, error, response } = await api.GET('/api/v1/conversations', {
      params: {
        query: {
          limit: 100,
          status: filters.status,
          q: filters.q || undefined,
          unread: filters.unread || undefined,
          assignee: filters.assignee,
          unassigned: filters.unassigned || undefined,
        },
      },
    })
    return data ? { data: data.items } : { error: refusal(error, response.status) }
  }

  async function get(id: number): Promise<Result<Conversation>> {
    const { data, error, response } = await api.GET('/api/v1/conversations/{conversation_id}', {
      params: { path: { conversation_id: id } },
    })
    return data ? { data } : { error: refusal(error, response.status) }
  }

  /** The newest page of messages, or the page before `cursor`; oldest first within a page. */
  async function messages(id: number, cursor?: string): Promise<Result<MessagePage>> {
    const { data, error, response } = await api.GET('/api/v1/conversations/{conversation_id}/messages', {
      params: { path: { conversation_id: id }, query: { limit: 50, cursor } },
    })
    return data ? { data } : { error: refusal(error, response.status) }
  }

  async function act(id: number, action: Action): Promise<Result<Conversation>> {
    const params = { params: { path: { conversation_id: id } } }
    const call = {
      takeover: () => api.POST('/api/v1/conversations/{conversation_id}/takeover', params),
      handback: () => api.POST('/api/v1/conversations/{conversation_id}/handback', params),
      close: () => api.POST('/api/v1/conversations/{conversation_id}/close', params),
      reopen: () => api.POST('/api/v1/conversations/{conversation_id}/reopen', params),
    }[action]
    const { data, error, response } = await call()
    return data ? { data } : { error: refusal(error, response.status) }
  }

  async function markRead(id: number): Promise<void> {
    await api.POST('/api/v1/conversations/{conversation_id}/read', { params: { path: { conversation_id: id } } })
  }

  async function send(id: number, message: StaffMessage): Promise<Result<Message>> {
    const { data, error, response } = await api.POST('/api/v1/conversations/{conversation_id}/messages', {
      params: { path: { conversation_id: id } },
      body: message,
    })
    return data ? { data } : { error: refusal(error, response.status) }
  }

  async function sendText(id: number, body: string): Promise<Result<Message>> {
    return send(id, { kind: 'text', body, preview_url: false })
  }

  async function assign(id: number, userId: number | null): Promise<Result<Conversation>> {
    const { data, error, response } = await api.PUT('/api/v1/conversations/{conversation_id}/assignee', {
      params: { path: { conversation_id: id } },
      body: { user_id: userId },
    })
    return data ? { data } : { error: refusal(error, response.status) }
  }

  /** Whom a conversation can be assigned to (agent and up). */
  async function assignees(): Promise<Result<Assignee[]>> {
    const { data, error, response } = await api.GET('/api/v1/conversations/assignees')
    return data ? { data: data.items } : { error: refusal(error, response.status) }
  }

  async function summary(id: number): Promise<Result<Summary>> {
    const { data, error, response } = await api.GET('/api/v1/conversations/{conversation_id}/summary', {
      params: { path: { conversation_id: id } },
    })
    return data ? { data } : { error: refusal(error, response.status) }
  }

  async function tasks(id: number): Promise<Result<Task[]>> {
    const { data, error, response } = await api.GET('/api/v1/conversations/{conversation_id}/tasks', {
      params: { path: { conversation_id: id } },
    })
    return data ? { data: data.tasks } : { error: refusal(error, response.status) }
  }

  async function searchMessages(q: string): Promise<Result<FoundMessage[]>> {
    const { data, error, response } = await api.GET('/api/v1/messages/search', {
      params: { query: { q, limit: 20 } },
    })
    return data ? { data: data.items } : { error: refusal(error, response.status) }
  }

  return { list, get, messages, act, markRead, send, sendText, assign, assignees, summary, tasks, searchMessages }
}
