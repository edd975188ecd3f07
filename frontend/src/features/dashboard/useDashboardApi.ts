// Dashboard API calls: `/api/v1/stats` (the period, with each day's figures) and `/api/v1/stats/now`
// (the live counters).
import { api, type Schemas } from '@/shared/api/client'
import { call, type Result } from '@/shared/api/result'

export type Stats = Schemas['StatsOut']
export type Day = Schemas['DayCountOut']
export type LiveCounts = Schemas['LiveCountsOut']
/** A number whose phone link broke (a QR-linked number the bridge reports `disconnected`). */
export type BrokenNumber = { id: number; name: string | null; status_detail: string | null }

export function useDashboardApi() {
  /** Figures for the tenant's local days `since`..`until` (both included; `until` defaults to today). */
  async function stats(since?: string, until?: string): Promise<Result<Stats>> {
    return call(api.GET('/api/v1/stats', { params: { query: { since, until } } }), 'Could not load the statistics')
  }

  /** The counters right now: open, unassigned and unread conversations, today's messages, failed jobs. */
  async function now(): Promise<Result<LiveCounts>> {
    return call(api.GET('/api/v1/stats/now'), 'Could not load the counters')
  }

  /** The numbers staff must link again (admins only: the channel list is theirs). */
  async function brokenNumbers(): Promise<Result<BrokenNumber[]>> {
    const request = api.GET('/api/v1/channels', { params: { query: { limit: 200 } } })
    return call(request, 'Could not load the numbers', (page) =>
      page.items
        .filter((c) => c.kind === 'wa_bridge' && c.status === 'disconnected')
        .map(({ id, name, status_detail }) => ({ id, name, status_detail })),
    )
  }

  return { stats, now, brokenNumbers }
}
