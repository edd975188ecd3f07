// Dashboard API calls: `/api/v1/stats` (the period, with each day's figures) and `/api/v1/stats/now`
// (the live counters).
import { api, type Schemas } from '@/shared/api/client'
import { call, type Result } from '@/shared/api/result'

export type Stats = Schemas['StatsOut']
export type Day = Schemas['DayCountOut']
export type LiveCounts = Schemas['LiveCountsOut']

export function useDashboardApi() {
  /** Figures for the tenant's local days `since`..`until` (both included; `until` defaults to today). */
  async function stats(since?: string, until?: string): Promise<Result<Stats>> {
    return call(api.GET('/api/v1/stats', { params: { query: { since, until } } }), 'Could not load the statistics')
  }

  /** The counters right now: open, unassigned and unread conversations, today's messages, failed jobs. */
  async function now(): Promise<Result<LiveCounts>> {
    return call(api.GET('/api/v1/stats/now'), 'Could not load the counters')
  }

  return { stats, now }
}
