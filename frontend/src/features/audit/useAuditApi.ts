// Audit log API calls (`/api/v1/audit`, admins and owners).
import { api, errorText, type Schemas } from '@/shared/api/client'

export type AuditEntry = Schemas['AuditEntryOut']
export type Result<T> = { data: T; error?: undefined } | { data?: undefined; error: string }

export interface AuditFilters {
  /** Who did it: an e-mail, matched exactly. */
  actor?: string
  /** e.g. `login.failed`, matched exactly. */
  action?: string
  /** Only entries at or after this instant (ISO 8601 with its zone). */
  since?: string
}

export const PAGE_SIZE = 50

export function useAuditApi() {
  /** A page of entries, newest first; `cursor` is the previous page's `next_cursor`. */
  async function page(filters: AuditFilters, cursor?: string): Promise<Result<Schemas['AuditListOut']>> {
    const { data, error } = await api.GET('/api/v1/audit', {
      params: {
        query: {
          actor: filters.actor || undefined,
          action: filters.action || undefined,
          since: filters.since || undefined,
          limit: PAGE_SIZE,
          cursor,
        },
      },
    })
    return data ? { data } : { error: errorText(error, 'Could not load the audit log') }
  }

  return { page }
}
