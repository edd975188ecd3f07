// The dashboard (Pinia setup store): the period's statistics (each day's figures come in the same
// answer) and the live counters. Refreshed shortly after relevant live events: two requests a refresh.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { onLiveEvent, type LiveEvent } from '@/shared/api/live'
import { useDashboardApi, type BrokenNumber, type Day, type LiveCounts, type Stats } from './useDashboardApi'

export type Period = 7 | 30

/** Events coalesce into one refresh this long after the first of them (a busy inbox never starves it). */
export const REFRESH_AFTER_MS = 2000

/** `YYYY-MM-DD` plus `days` (calendar arithmetic, no time zone involved). */
export function addDays(day: string, days: number): string {
  const at = new Date(`${day}T00:00:00Z`)
  at.setUTCDate(at.getUTCDate() + days)
  return at.toISOString().slice(0, 10)
}

function localToday(): string {
  const now = new Date()
  return addDays(`${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-01`, now.getDate() - 1)
}

/** Events that change a figure on the dashboard. */
export function movesCounters(event: LiveEvent): boolean {
  return ['message.created', 'conversation.updated', 'job.failed', 'resync'].includes(event.type)
    || (event.type === 'message.status' && event.payload.status === 'failed')
}

export const useDashboardStore = defineStore('dashboard', () => {
  const dashboardApi = useDashboardApi()
  const period = ref<Period>(7)
  /** The tenant's local today, as the server last said (its time zone may differ from the browser's). */
  const today = ref<string | null>(null)
  const summary = ref<Stats | null>(null)
  const counts = ref<LiveCounts | null>(null)
  const countsError = ref<string | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const updatedAt = ref<Date | null>(null)
  /** Disconnected numbers, shown as an alert that links to the Channels page (admins only). */
  const broken = ref<BrokenNumber[]>([])
  let watchNumbers = false
  let stopLive: (() => void) | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let generation = 0

  const days = computed(() => summary.value?.days.map((d) => d.day) ?? [])
  const todayStats = computed<Day | null>(() => {
    const last = summary.value?.days.at(-1)
    return last && last.day === today.value ? last : null
  })
  const empty = computed(() => !!summary.value && summary.value.inbound + summary.value.outbound === 0)

  /** The period's figures and the counters, fetched together. */
  async function load(): Promise<void> {
    const mine = ++generation
    loading.value = true
    const [, ok] = await Promise.all([loadCounts(mine), loadSummary(mine), loadNumbers()])
    if (mine !== generation) return
    loading.value = false
    if (ok) updatedAt.value = new Date()
  }

  async function loadSummary(mine: number): Promise<boolean> {
    const guess = today.value ?? localToday()
    let result = await dashboardApi.stats(addDays(guess, 1 - period.value))
    const last = result.data?.days.at(-1)?.day
    // The browser's day was not the tenant's: ask again for exactly the period.
    if (last && last !== guess) result = await dashboardApi.stats(addDays(last, 1 - period.value), last)
    if (mine !== generation) return false
    if (result.error !== undefined) {
      error.value = result.error
      return false
    }
    summary.value = result.data
    today.value = result.data.days.at(-1)?.day ?? today.value
    error.value = null
    return true
  }

  async function loadCounts(mine: number): Promise<void> {
    const result = await dashboardApi.now()
    if (mine !== generation) return
    if (result.error !== undefined) {
      countsError.value = result.error
      return
    }
    counts.value = result.data
    countsError.value = null
  }

  async function loadNumbers(): Promise<void> {
    if (!watchNumbers) return
    const result = await dashboardApi.brokenNumbers()
    if (result.data) broken.value = result.data
  }

  async function setPeriod(next: Period): Promise<void> {
    if (next === period.value) return
    period.value = next
    await load()
  }

  /** Load, and keep loading after live events; `numbers`: also watch the numbers' links (admins). */
  function start(numbers = false): Promise<void> {
    watchNumbers = numbers
    stopLive ??= onLiveEvent((event) => {
      if (event.type === 'channel.status') void loadNumbers()
      if (!movesCounters(event) || timer) return
      timer = setTimeout(() => {
        timer = null
        void load()
      }, REFRESH_AFTER_MS)
    })
    return load()
  }

  function stop(): void {
    stopLive?.()
    stopLive = null
    if (timer) clearTimeout(timer)
    timer = null
  }

  return {
    period, today, summary, counts, countsError, days, todayStats, empty, loading, error, updatedAt, broken,
    load, setPeriod, start, stop,
  }
})
