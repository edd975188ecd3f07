// Dead-letter API calls (`/api/v1/jobs/*`, admins and owners).
import { api, type Schemas } from '@/shared/api/client'
import { call, type Result } from '@/shared/api/result'

export type DeadLetter = Schemas['DeadLetterOut']
export type DeadLetterKind = Schemas['DeadLetterKind']

export const PAGE_SIZE = 50

export function useJobsApi() {
  async function list(offset = 0): Promise<Result<{ items: DeadLetter[]; total: number }>> {
    return call(api.GET('/api/v1/jobs', { params: { query: { limit: PAGE_SIZE, offset } } }), 'Could not load the failed jobs')
  }

  async function retry(kind: DeadLetterKind, id: number): Promise<Result<DeadLetter>> {
    return call(api.POST('/api/v1/jobs/{kind}/{item_id}/retry', { params: { path: { kind, item_id: id } } }), 'Retry failed')
  }

  async function discard(kind: DeadLetterKind, id: number): Promise<Result<DeadLetter>> {
    return call(api.DELETE('/api/v1/jobs/{kind}/{item_id}', { params: { path: { kind, item_id: id } } }), 'Discard failed')
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
