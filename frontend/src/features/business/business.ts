// The business's data (Pinia setup store): each table's searched rows, a page at a time (keyset), and
// the edits made to them; pack import and export. Prices are in the tenant's currency (the session's).
import { defineStore } from 'pinia'
import { computed, reactive, ref } from 'vue'
import { useSessionStore } from '@/features/auth/session'
import type { Notice, Refusal, Result } from '@/shared/api/result'
import { SPECS, TABLES, type Row, type Table } from './columns'
import { useBusinessApi, type CsvTable, type ImportReport } from './useBusinessApi'

interface TableState {
  q: string
  items: Row[]
  nextCursor: string | null
  loading: boolean
  loaded: boolean
  error: string | null
}

const fresh = (): TableState => ({ q: '', items: [], nextCursor: null, loading: false, loaded: false, error: null })

/** Save the bytes the server sent as a file (an object URL on a temporary link). */
export function saveFile(name: string, blob: Blob): void {
  const href = URL.createObjectURL(blob)
  const link = Object.assign(document.createElement('a'), { href, download: name })
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(href), 1000) // some browsers start the download after click()
}

export const useBusinessStore = defineStore('business', () => {
  const businessApi = useBusinessApi()
  const tables = reactive(Object.fromEntries(TABLES.map((t) => [t, fresh()])) as Record<Table, TableState>)
  const session = useSessionStore()
  const currency = computed(() => session.me?.tenant.currency ?? null)
  const notice = ref<Notice | null>(null)
  /** The latest request per table: an answer to an older search is dropped. */
  const latest: Partial<Record<Table, number>> = {}
  let requests = 0

  async function fetchPage(table: Table, cursor: string | null): Promise<void> {
    const state = tables[table]
    const mine = (latest[table] = ++requests)
    state.loading = true
    const result = await businessApi.list(table, state.q.trim(), cursor)
    if (latest[table] !== mine) return
    state.loading = false
    state.error = result.error ?? null
    if (!result.data) return
    const key = SPECS[table].key
    const seen = new Set(cursor ? state.items.map((r) => r[key]) : [])
    state.items = [...(cursor ? state.items : []), ...result.data.items.filter((r) => !seen.has(r[key]))]
    state.nextCursor = result.data.next_cursor
    state.loaded = true
  }

  /** The first page for the table's search. */
  const search = (table: Table) => fetchPage(table, null)

  async function more(table: Table): Promise<void> {
    if (tables[table].nextCursor && !tables[table].loading) await fetchPage(table, tables[table].nextCursor)
  }

  function put(table: Table, before: Row | null, after: Row): void {
    const key = SPECS[table].key
    const state = tables[table]
    state.items = before
      ? state.items.map((r) => (r[key] === before[key] ? after : r))
      : [after, ...state.items.filter((r) => r[key] !== after[key])]
  }

  /** Save a row's changed fields (PATCH), or add a row (`row` null: POST). The refusal, with the
   * server's per-field messages, when it says no. */
  async function save(table: Table, row: Row | null, body: Row): Promise<Refusal | null> {
    const spec = SPECS[table]
    const result = row
      ? await businessApi.update(table, String(row[spec.key]), body)
      : await businessApi.create(table, body)
    if (result.error !== undefined) return result
    put(table, row, result.data)
    notice.value = { tone: 'ok', text: `The ${spec.noun} ${String(result.data[spec.key])} was ${row ? 'saved' : 'added'}.` }
    return null
  }

  async function remove(table: Table, row: Row): Promise<boolean> {
    const spec = SPECS[table]
    const key = String(row[spec.key])
    const result = await businessApi.remove(table, key)
    if (result.error !== undefined && result.status !== 404) {
      notice.value = { tone: 'error', text: `${key}: ${result.error}` }
      return false
    }
    tables[table].items = tables[table].items.filter((r) => r[spec.key] !== row[spec.key])
    notice.value = { tone: 'ok', text: `The ${spec.noun} ${key} was deleted.` }
    return true
  }

  async function download(result: Promise<Result<Blob>>, name: string): Promise<void> {
    const answer = await result
    if (answer.data) saveFile(name, answer.data)
    else notice.value = { tone: 'error', text: answer.error }
  }

  const exportTable = (table: CsvTable) => download(businessApi.exportTable(table), `${table}.csv`)
  const exportPack = () => download(businessApi.exportPack(), 'business-pack.zip')

  /** Import (or with `dryRun` only check) a pack; after a real import every table loaded so far is
   * fetched again. */
  async function importPack(files: File[], dryRun: boolean): Promise<Result<ImportReport>> {
    const result = await businessApi.importPack(files, dryRun)
    if (!dryRun && result.data?.ok) {
      await Promise.all(TABLES.filter((t) => tables[t].loaded).map((t) => search(t)))
    }
    return result
  }

  return { tables, currency, notice, search, more, save, remove, exportTable, exportPack, importPack }
})
