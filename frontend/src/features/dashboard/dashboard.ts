// The dashboard (Pinia setup store): the period's statistics, one set per day for the daily charts,
// and the live counters. Refreshed shortly after relevant live events.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { onLiveEvent, type LiveEvent } from '@/shared/api/live'
import { useDashboardApi, type Count, type Stats } from './useDashboardApi'

export type Period = 7 | 30

/** Events coalesce into one refresh this long after the first of them (a busy inbox never starves it). */
export const REFRESH_AFTER_MS = 2000
/** Day stats fetched at once (30 days means 30 small requests: the API has no per-day breakdown). */
const PARALLEL = 6

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

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run))
}

export const useDashboardStore = defineStore('dashboard', () => {
  const dashboardApi = useDashboardApi()
  const period = ref<Period>(7)
  /** The tenant's local today, as the server last said (its time zone may differ from the browser's). */
  const today = ref<string | null>(null)
  const summary = ref<Stats | null>(null)
  const perDay = ref<Record<string, Stats>>({})
  const withBot = ref<Count | null>(null)
  const withStaff = ref<Count | null>(null)
  const failedJobs = ref<number | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const updatedAt = ref<Date | null>(null)
  let countJobs = false
  let stopLive: (() => void) | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let generation = 0

  const days = computed(() => summary.value?.days.map((d) => d.day) ?? [])
  const todayStats = computed(() => (today.value ? perDay.value[today.value] ?? null : null))
  const empty = computed(() => !!summary.value && summary.value.inbound + summary.value.outbound === 0)
  const open = computed<Count | null>(() =>
    withBot.value && withStaff.value
      ? { count: withBot.value.count + withStaff.value.count, more: withBot.value.more || withStaff.value.more }
      : null,
  )

  /** The period's figures; past days' own figures are kept, today's are fetched again. */
  async function load(): Promise<void> {
    const mine = ++generation
    loading.value = true
    const [, ok] = await Promise.all([loadCounters(), loadSummary(mine)])
    if (mine !== generation) return
    if (ok) await loadDays(mine)
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
      loading.value = false
      return false
    }
    summary.value = result.data
    const newToday = result.data.days.at(-1)?.day ?? today.value
    // Past midnight, what was fetched as "today" was only part of that day.
    if (today.value && newToday !== today.value) delete perDay.value[today.value]
    today.value = newToday
    error.value = null
    return true
  }

  async function loadDays(mine: number): Promise<void> {
    const wanted = days.value.filter((d) => d === today.value || !perDay.value[d])
    await inBatches(wanted, PARALLEL, async (day) => {
      const result = await dashboardApi.stats(day, day)
      if (result.data && mine === generation) perDay.value[day] = result.data
    })
  }

  async function loadCounters(): Promise<void> {
    const [bot, human, jobs] = await Promise.all([
      dashboardApi.conversations('bot'),
      dashboardApi.conversations('human'),
      countJobs ? dashboardApi.failedJobs() : Promise.resolve(null),
    ])
    withBot.value = bot.data ?? null
    withStaff.value = human.data ?? null
    failedJobs.value = jobs?.data ?? null
  }

  async function setPeriod(next: Period): Promise<void> {
    if (next === period.value) return
    period.value = next
    await load()
  }

  /** Load, and keep loading after live events; `jobs` when the viewer may count dead letters. */
  function start(options: { jobs: boolean }): Promise<void> {
    countJobs = options.jobs
    stopLive ??= onLiveEvent((event) => {
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
    period, today, summary, perDay, days, todayStats, empty, open, withStaff, failedJobs, loading, error,
    updatedAt, load, setPeriod, start, stop,
  }
})
