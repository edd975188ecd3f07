// Dead-letter API calls (`/api/v1/jobs/*`, admins and owners).
import { api, errorText, type Schemas } from '@/shared/api/client'

export type DeadLetter = Schemas['DeadLetterOut']
export type DeadLetterKind = Schemas['DeadLetterKind']
export type Result<T> = { data: T; error?: undefined } | { data?: undefined; error: string }

export const PAGE_SIZE = 50

export function useJobsApi() {
  async function list(offset = 0): Promise<Result<{ items: DeadLetter[]; total: number }>> {
    const { data, error } = await api.GET('/api/v1/jobs', { params: { query: { limit: PAGE_SIZE, offset } } })
    return data ? { data } : { error: errorText(error, 'Could not load the failed jobs') }
  }

  async function retry(kind: DeadLetterKind, id: number): Promise<Result<DeadLetter>> {
    const { data, error } = await api.POST('/api/v1/jobs/{kind}/{item_id}/retry', {
      params: { path: { kind, item_id: id } },
    })
    return data ? { data } : { error: errorText(error, 'Retry failed') }
  }

  async function discard(kind: DeadLetterKind, id: number): Promise<Result<DeadLetter>> {
    const { data, error } = await api.DELETE('/api/v1/jobs/{kind}/{item_id}', {
      params: { path: { kind, item_id: id } },
    })
    return data ? { data } : { error: errorText(error, 'Discard failed') }
  }

  /** Who the conversation is with, for the list (null when it cannot be read). */
  async function contactName(conversationId: number): Promise<string | null> {
    const { data } = await api.GET('/api/v1/conversations/{conversation_id}', {
      params: { path: { conversation_id: conversationId } },
    })
    return data ? data.contact.name || `+${data.contact.wa_id}` : null
  }

  return { list, retry, discard, contactName }
}
