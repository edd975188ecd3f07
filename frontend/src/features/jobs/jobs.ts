// Dead letters (Pinia setup store): turns the bot could not answer and replies that could not be sent,
// with retry and discard; refreshed live when something new fails.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { onLiveEvent, type LiveEvent } from '@/shared/api/live'
import type { Notice } from '@/shared/api/result'
import { useJobsApi, type DeadLetter } from './useJobsApi'

const LIVE_DEBOUNCE_MS = 800

export function jobKey(job: Pick<DeadLetter, 'kind' | 'id'>): string {
  return `${job.kind}-${job.id}`
}

/** Events after which the list may have grown: a dead-lettered turn, a send that failed for good, or
 * one held as uncertain (it stays `pending`, with the error code `uncertain`). */
export function failsAJob(event: LiveEvent): boolean {
  if (event.type === 'job.failed' || event.type === 'resync') return true
  if (event.type !== 'message.status') return false
  return event.payload.status === 'failed' || event.payload.error_code === 'uncertain'
}

export const useJobsStore = defineStore('jobs', () => {
  const jobsApi = useJobsApi()
  // jscpd:ignore-start (a list with row actions has these refs, as users.ts has: the same names, no logic)
  const items = ref<DeadLetter[]>([])
  const total = ref(0)
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<string | null>(null)
  const notice = ref<Notice | null>(null)
  const pending = ref<Set<string>>(new Set())
  // jscpd:ignore-end
  const contacts = ref<Record<number, string>>({})
  const hasMore = computed(() => items.value.length < total.value)
  let stopLive: (() => void) | null = null
  let timer: ReturnType<typeof setTimeout> | null = null

  async function load(): Promise<void> {
    loading.value = true
    const result = await jobsApi.list(0)
    loading.value = false
    if (result.error !== undefined) {
      error.value = result.error
      return
    }
    items.value = result.data.items
    total.value = result.data.total
    error.value = null
    loaded.value = true
    void nameContacts(result.data.items)
  }

  async function loadMore(): Promise<void> {
    loading.value = true
    const result = await jobsApi.list(items.value.length)
    loading.value = false
    if (result.error !== undefined) {
      error.value = result.error
      return
    }
    const known = new Set(items.value.map(jobKey))
    items.value.push(...result.data.items.filter((j) => !known.has(jobKey(j))))
    total.value = result.data.total
    void nameContacts(result.data.items)
  }

  /** Fetch each conversation's contact once, so the list can say who it is about. */
  async function nameContacts(jobs: DeadLetter[]): Promise<void> {
    const ids = [...new Set(jobs.map((j) => j.conversation_id))].filter(
      (id): id is number => id !== null && !(id in contacts.value),
    )
    await Promise.all(
      ids.map(async (id) => {
        const name = await jobsApi.contactName(id)
        if (name) contacts.value[id] = name
      }),
    )
  }

  async function act(job: DeadLetter, action: 'retry' | 'discard'): Promise<boolean> {
    const key = jobKey(job)
    pending.value.add(key)
    const result = await (action === 'retry' ? jobsApi.retry(job.kind, job.id) : jobsApi.discard(job.kind, job.id))
    pending.value.delete(key)
    const label = `${job.kind === 'turn' ? 'Turn' : 'Send'} #${job.id}`
    if (result.error !== undefined) {
      notice.value = { text: `${label}: ${result.error}`, tone: 'error' }
      return false
    }
    items.value = items.value.filter((j) => jobKey(j) !== key)
    total.value = Math.max(0, total.value - 1)
    notice.value = {
      text: action === 'retry' ? `${label} was queued again.` : `${label} was discarded.`,
      tone: 'ok',
    }
    return true
  }

  function startLive(): void {
    stopLive ??= onLiveEvent((event) => {
      if (!failsAJob(event)) return
      if (timer) clearTimeout(timer)
      timer = setTimeout(() => void load(), LIVE_DEBOUNCE_MS)
    })
  }

  function endLive(): void {
    stopLive?.()
    stopLive = null
    if (timer) clearTimeout(timer)
    timer = null
  }

  return {
    items, total, loading, loaded, error, notice, pending, contacts, hasMore,
    load, loadMore, retry: (job: DeadLetter) => act(job, 'retry'), discard: (job: DeadLetter) => act(job, 'discard'),
    startLive, endLive,
  }
})
