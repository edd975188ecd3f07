// Contacts (Pinia setup store): the searched list, a page at a time, and the open profile.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Notice, Result } from '@/shared/api/result'
import {
  useContactsApi,
  type Contact,
  type ContactDetail,
  type ContactExport,
  type ContactPatch,
  type ContactSort,
} from './useContactsApi'

export const useContactsStore = defineStore('contacts', () => {
  const contactsApi = useContactsApi()
  const query = ref('')
  const sort = ref<ContactSort>('last_seen')
  const items = ref<Contact[]>([])
  const nextCursor = ref<string | null>(null)
  const listLoading = ref(false)
  const listError = ref<string | null>(null)
  const selectedId = ref<number | null>(null)
  const detail = ref<ContactDetail | null>(null)
  const detailLoading = ref(false)
  const detailError = ref<string | null>(null)
  const busy = ref(false)
  const notice = ref<Notice | null>(null)
  let listRequest = 0
  let detailRequest = 0

  /** The first page for the current query; an answer to an older query is dropped. */
  async function search(): Promise<void> {
    const mine = ++listRequest
    listLoading.value = true
    const result = await contactsApi.list(query.value.trim(), sort.value)
    if (mine !== listRequest) return
    listLoading.value = false
    listError.value = result.error ?? null
    items.value = result.data?.items ?? []
    nextCursor.value = result.data?.next_cursor ?? null
  }

  async function more(): Promise<void> {
    if (!nextCursor.value || listLoading.value) return
    const mine = ++listRequest
    listLoading.value = true
    const result = await contactsApi.list(query.value.trim(), sort.value, nextCursor.value)
    if (mine !== listRequest) return
    listLoading.value = false
    listError.value = result.error ?? null
    if (result.data) {
      const seen = new Set(items.value.map((c) => c.id))
      items.value = [...items.value, ...result.data.items.filter((c) => !seen.has(c.id))]
      nextCursor.value = result.data.next_cursor
    }
  }

  async function open(id: number | null): Promise<void> {
    const mine = ++detailRequest
    selectedId.value = id
    notice.value = null
    detailError.value = null
    if (id === null) {
      detail.value = null
      return
    }
    if (detail.value?.contact.id !== id) detail.value = null
    detailLoading.value = true
    const result = await contactsApi.get(id)
    if (mine !== detailRequest) return
    detailLoading.value = false
    detail.value = result.data ?? null
    detailError.value = result.error ?? null
  }

  /** Put a changed contact into the profile and the list. */
  function changed(contact: Contact): void {
    if (detail.value?.contact.id === contact.id) detail.value = { ...detail.value, contact }
    items.value = items.value.map((c) => (c.id === contact.id ? contact : c))
  }

  async function run<T>(request: () => Promise<Result<T>>, done: string): Promise<T | null> {
    busy.value = true
    const result = await request()
    busy.value = false
    notice.value = result.error ? { tone: 'error', text: result.error } : { tone: 'ok', text: done }
    return result.data ?? null
  }

  async function save(patch: ContactPatch): Promise<boolean> {
    const id = selectedId.value
    if (id === null) return false
    const contact = await run(() => contactsApi.update(id, patch), 'Saved.')
    if (contact) changed(contact)
    return contact !== null
  }

  async function setMarketing(optIn: boolean): Promise<void> {
    const id = selectedId.value
    if (id === null) return
    const done = optIn ? 'Opted in to marketing messages.' : 'Opted out: no marketing messages will be sent.'
    const contact = await run(() => contactsApi.setMarketing(id, optIn), done)
    if (contact) changed(contact)
  }

  async function exportData(): Promise<ContactExport | null> {
    const id = selectedId.value
    if (id === null) return null
    return run(() => contactsApi.exportData(id), 'Export downloaded.')
  }

  /** Erase the open contact, then show what is left of them (the anonymised profile). */
  async function erase(): Promise<boolean> {
    const id = selectedId.value
    if (id === null) return false
    busy.value = true
    const result = await contactsApi.erase(id)
    if (!result.data) {
      busy.value = false
      notice.value = { tone: 'error', text: result.error }
      return false
    }
    const fresh = await contactsApi.get(id)
    busy.value = false
    if (fresh.data) {
      detail.value = fresh.data
      changed(fresh.data.contact)
    }
    const n = result.data.messages_redacted
    notice.value = { tone: 'ok', text: `Erased: the contact is anonymised and ${n} message${n === 1 ? ' was' : 's were'} redacted.` }
    return true
  }

  return {
    query, sort, items, nextCursor, listLoading, listError, selectedId, detail, detailLoading, detailError, busy, notice,
    search, more, open, save, setMarketing, exportData, erase,
  }
})
