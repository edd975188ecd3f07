// Audit log API calls (`/api/v1/audit`, admins and owners).
import { api, type Schemas } from '@/shared/api/client'
import { call, type Result } from '@/shared/api/result'

export type AuditEntry = Schemas['AuditEntryOut']

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
    const query = {
      actor: filters.actor || undefined,
      action: filters.action || undefined,
      since: filters.since || undefined,
      limit: PAGE_SIZE,
      cursor,
    }
    return call(api.GET('/api/v1/audit', { params: { query } }), 'Could not load the audit log')
  }

  return { page }
}
