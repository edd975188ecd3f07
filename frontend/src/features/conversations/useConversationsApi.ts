// Conversation API calls (`/api/v1/conversations/*`).
import { api, errorText, type Schemas } from '@/shared/api/client'

export type Conversation = Schemas['ConversationOut']
export type Message = Schemas['MessageOut']
export type Result<T> = { data: T; error?: undefined } | { data?: undefined; error: string }

type Action = 'takeover' | 'handback' | 'close' | 'reopen'

export function useConversationsApi() {
  async function list(filters: { status?: 'bot' | 'human' | 'closed'; q?: string } = {}): Promise<Result<Conversation[]>> {
    const { data, error } = await api.GET('/api/v1/conversations', {
      params: { query: { limit: 100, status: filters.status, q: filters.q || undefined } },
    })
    return data ? { data: data.items } : { error: errorText(error) }
  }

  async function get(id: number): Promise<Result<Conversation>> {
    const { data, error } = await api.GET('/api/v1/conversations/{conversation_id}', {
      params: { path: { conversation_id: id } },
    })
    return data ? { data } : { error: errorText(error) }
  }

  async function messages(id: number): Promise<Result<Message[]>> {
    const { data, error } = await api.GET('/api/v1/conversations/{conversation_id}/messages', {
      params: { path: { conversation_id: id }, query: { limit: 100 } },
    })
    return data ? { data: data.items } : { error: errorText(error) }
  }

  async function act(id: number, action: Action): Promise<Result<Conversation>> {
    const params = { params: { path: { conversation_id: id } } }
    const call = {
      takeover: () => api.POST('/api/v1/conversations/{conversation_id}/takeover', params),
      handback: () => api.POST('/api/v1/conversations/{conversation_id}/handback', params),
      close: () => api.POST('/api/v1/conversations/{conversation_id}/close', params),
      reopen: () => api.POST('/api/v1/conversations/{conversation_id}/reopen', params),
    }[action]
    const { data, error } = await call()
    return data ? { data } : { error: errorText(error) }
  }

  async function markRead(id: number): Promise<void> {
    await api.POST('/api/v1/conversations/{conversation_id}/read', { params: { path: { conversation_id: id } } })
  }

  async function sendText(id: number, body: string): Promise<Result<Message>> {
    const { data, error } = await api.POST('/api/v1/conversations/{conversation_id}/messages', {
      params: { path: { conversation_id: id } },
      body: { kind: 'text', body, preview_url: false },
    })
    return data ? { data } : { error: errorText(error) }
  }

  return { list, get, messages, act, markRead, sendText }
}
