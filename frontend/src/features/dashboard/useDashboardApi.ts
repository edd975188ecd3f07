// Dashboard API calls: `/api/v1/stats`, plus the conversation and dead-letter counts for the counters.
import { api, errorText, type Schemas } from '@/shared/api/client'

export type Stats = Schemas['StatsOut']
export type Result<T> = { data: T; error?: undefined } | { data?: undefined; error: string }
/** A count read from one page; `more` when there are more than the page holds. */
export type Count = { count: number; more: boolean }

const COUNT_PAGE = 200

export function useDashboardApi() {
  /** Figures for the tenant's local days `since`..`until` (both included; `until` defaults to today). */
  async function stats(since?: string, until?: string): Promise<Result<Stats>> {
    const { data, error } = await api.GET('/api/v1/stats', { params: { query: { since, until } } })
    return data ? { data } : { error: errorText(error, 'Could not load the statistics') }
  }

  /** How many conversations have this status (the list has no total: one page, then "200+"). */
  async function conversations(status: 'bot' | 'human'): Promise<Result<Count>> {
    const { data, error } = await api.GET('/api/v1/conversations', {
      params: { query: { status, limit: COUNT_PAGE } },
    })
    return data
      ? { data: { count: data.items.length, more: data.next_cursor !== null } }
      : { error: errorText(error, 'Could not count conversations') }
  }

  /** How many dead letters wait (admins and owners only). */
  async function failedJobs(): Promise<Result<number>> {
    const { data, error } = await api.GET('/api/v1/jobs', { params: { query: { limit: 1 } } })
    return data ? { data: data.total } : { error: errorText(error, 'Could not count failed jobs') }
  }

  return { stats, conversations, failedJobs }
}
