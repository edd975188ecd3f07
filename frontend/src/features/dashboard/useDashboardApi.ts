// Dashboard API calls: `/api/v1/stats` (the period, with each day's figures) and `/api/v1/stats/now`
// (the live counters).
import { api, errorText, type Schemas } from '@/shared/api/client'

export type Stats = Schemas['StatsOut']
export type Day = Schemas['DayCountOut']
export type LiveCounts = Schemas['LiveCountsOut']
export type Result<T> = { data: T; error?: undefined } | { data?: undefined; error: string }

export function useDashboardApi() {
  /** Figures for the tenant's local days `since`..`until` (both included; `until` defaults to today). */
  async function stats(since?: string, until?: string): Promise<Result<Stats>> {
    const { data, error } = await api.GET('/api/v1/stats', { params: { query: { since, until } } })
    return data ? { data } : { error: errorText(error, 'Could not load the statistics') }
  }

  /** The counters right now: open, unassigned and unread conversations, today's messages, failed jobs. */
  async function now(): Promise<Result<LiveCounts>> {
    const { data, error } = await api.GET('/api/v1/stats/now')
    return data ? { data } : { error: errorText(error, 'Could not load the counters') }
  }

  return { stats, now }
}
