// Contact API calls (`/api/v1/contacts/*`): search, profile, edit, marketing opt-out, export, erase.
import { api, type Schemas } from '@/shared/api/client'
import { call, type Result } from '@/shared/api/result'

export type Contact = Schemas['ContactOut']
export type ContactDetail = Schemas['ContactDetailOut']
export type ContactPatch = Schemas['ContactPatch']
export type ContactExport = Schemas['ContactExportOut']
export type Erasure = Schemas['ErasureOut']
export type ContactPage = { items: Contact[]; next_cursor: string | null }
/** `newest` added first, or `last_seen`: most recently heard from first (never-seen last). */
export type ContactSort = 'newest' | 'last_seen'

/** An erased contact's number is replaced by this prefix and their id (see the backend's ERASED_PREFIX). */
export const ERASED_PREFIX = 'erased:'

export function isErased(contact: Pick<Contact, 'wa_id'>): boolean {
  return contact.wa_id.startsWith(ERASED_PREFIX)
}

export function useContactsApi() {
  const at = (id: number) => ({ params: { path: { contact_id: id } } })

  async function list(q: string, sort: ContactSort, cursor: string | null = null): Promise<Result<ContactPage>> {
    const query = { q: q || undefined, sort, limit: 50, cursor: cursor ?? undefined }
    return call(api.GET('/api/v1/contacts', { params: { query } }), 'Could not load contacts')
  }

  async function get(id: number): Promise<Result<ContactDetail>> {
    return call(api.GET('/api/v1/contacts/{contact_id}', at(id)), 'Could not load the contact')
  }

  async function update(id: number, body: ContactPatch): Promise<Result<Contact>> {
    return call(api.PATCH('/api/v1/contacts/{contact_id}', { ...at(id), body }), 'Could not save the contact')
  }

  async function setMarketing(id: number, optIn: boolean): Promise<Result<Contact>> {
    const request = optIn
      ? api.POST('/api/v1/contacts/{contact_id}/opt-in', at(id))
      : api.POST('/api/v1/contacts/{contact_id}/opt-out', at(id))
    return call(request, 'Could not change the marketing preference')
  }

  async function exportData(id: number): Promise<Result<ContactExport>> {
    return call(api.GET('/api/v1/contacts/{contact_id}/export', at(id)), 'Could not export the contact')
  }

  async function erase(id: number): Promise<Result<Erasure>> {
    return call(api.POST('/api/v1/contacts/{contact_id}/erase', at(id)), 'Could not erase the contact')
  }

  return { list, get, update, setMarketing, exportData, erase }
}
