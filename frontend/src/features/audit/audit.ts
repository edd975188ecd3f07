// The audit log (Pinia setup store): newest first, filtered, a page at a time (keyset: each page
// continues from the last entry shown, so entries written meanwhile neither repeat nor go missing).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useAuditApi, type AuditEntry, type AuditFilters } from './useAuditApi'

/** Actions Frontdesk records today, offered as suggestions (the filter takes any exact action). */
export const KNOWN_ACTIONS = [
  'login.succeeded', 'login.failed', 'login.lockout', 'login.locked', 'logout', 'password.changed',
  'session.replayed', 'user.added', 'user.changed', 'team.updated', 'tenant.update', 'channel.create',
  'channel.update', 'conversation.takeover', 'conversation.handback', 'conversation.assign',
  'conversation.close', 'conversation.reopen', 'contact.update', 'contact.opt_out', 'contact.opt_in',
  'contact.export', 'contact.erase', 'dead_letter.retry', 'dead_letter.discard',
]

/** A local `YYYY-MM-DD` (from a date input) as the instant its day starts here, with the zone. */
export function dayStart(day: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(y, m - 1, d).toISOString()
}

export const useAuditStore = defineStore('audit', () => {
  const auditApi = useAuditApi()
  const entries = ref<AuditEntry[]>([])
  const nextCursor = ref<string | null>(null)
  const filters = ref<AuditFilters>({})
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<string | null>(null)
  const hasMore = computed(() => nextCursor.value !== null)
  let generation = 0

  /** The first page for these filters (a newer search wins over a slower older one). */
  async function search(next: AuditFilters = filters.value): Promise<void> {
    filters.value = { ...next }
    const mine = ++generation
    loading.value = true
    const result = await auditApi.page(filters.value)
    if (mine !== generation) return
    loading.value = false
    if (result.error !== undefined) {
      error.value = result.error
      return
    }
    entries.value = result.data.items
    nextCursor.value = result.data.next_cursor
    error.value = null
    loaded.value = true
  }

  async function loadMore(): Promise<void> {
    if (nextCursor.value === null || loading.value) return
    const mine = generation
    loading.value = true
    const result = await auditApi.page(filters.value, nextCursor.value)
    if (mine !== generation) return
    loading.value = false
    if (result.error !== undefined) {
      error.value = result.error
      return
    }
    entries.value.push(...result.data.items)
    nextCursor.value = result.data.next_cursor
  }

  return { entries, filters, loading, loaded, error, hasMore, search, loadMore }
})
