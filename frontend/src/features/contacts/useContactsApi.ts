// Contact API calls (`/api/v1/contacts/*`): search, profile, edit, marketing opt-out, export, erase.
import { api, errorText, type Schemas } from '@/shared/api/client'

export type Contact = Schemas['ContactOut']
export type ContactDetail = Schemas['ContactDetailOut']
export type ContactPatch = Schemas['ContactPatch']
export type ContactExport = Schemas['ContactExportOut']
export type Erasure = Schemas['ErasureOut']
export type Result<T> = { data: T; error?: undefined } | { data?: undefined; error: string }
export type ContactPage = { items: Contact[]; next_cursor: string | null }
/** `newest` added first, or `last_seen`: most recently heard from first (never-seen last). */
export type ContactSort = 'newest' | 'last_seen'

/** An erased contact's number is replaced by this prefix and their id (see the backend's ERASED_PREFIX). */
export const ERASED_PREFIX = 'erased:'

export function isErased(contact: Pick<Contact, 'wa_id'>): boolean {
  return contact.wa_id.startsWith(ERASED_PREFIX)
}

export function useContactsApi() {
  async function list(q: string, sort: ContactSort, cursor: string | null = null): Promise<Result<ContactPage>> {
    const { data, error } = await api.GET('/api/v1/contacts', {
      params: { query: { q: q || undefined, sort, limit: 50, cursor: cursor ?? undefined } },
    })
    return data ? { data } : { error: errorText(error, 'Could not load contacts') }
  }

  async function get(id: number): Promise<Result<ContactDetail>> {
    const { data, error } = await api.GET('/api/v1/contacts/{contact_id}', {
      params: { path: { contact_id: id } },
    })
    return data ? { data } : { error: errorText(error, 'Could not load the contact') }
  }

  async function update(id: number, body: ContactPatch): Promise<Result<Contact>> {
    const { data, error } = await api.PATCH('/api/v1/contacts/{contact_id}', {
      params: { path: { contact_id: id } },
      body,
    })
    return data ? { data } : { error: errorText(error, 'Could not save the contact') }
  }

  async function setMarketing(id: number, optIn: boolean): Promise<Result<Contact>> {
    const params = { params: { path: { contact_id: id } } }
    const { data, error } = optIn
      ? await api.POST('/api/v1/contacts/{contact_id}/opt-in', params)
      : await api.POST('/api/v1/contacts/{contact_id}/opt-out', params)
    return data ? { data } : { error: errorText(error, 'Could not change the marketing preference') }
  }

  async function exportData(id: number): Promise<Result<ContactExport>> {
    const { data, error } = await api.GET('/api/v1/contacts/{contact_id}/export', {
      params: { path: { contact_id: id } },
    })
    return data ? { data } : { error: errorText(error, 'Could not export the contact') }
  }

  async function erase(id: number): Promise<Result<Erasure>> {
    const { data, error } = await api.POST('/api/v1/contacts/{contact_id}/erase', {
      params: { path: { contact_id: id } },
    })
    return data ? { data } : { error: errorText(error, 'Could not erase the contact') }
  }

  return { list, get, update, setMarketing, exportData, erase }
}
