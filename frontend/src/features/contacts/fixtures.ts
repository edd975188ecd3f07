// Contacts as the API returns them, for the specs.
import type { Contact, ContactDetail } from './useContactsApi'

export function contact(id: number, overrides: Partial<Contact> = {}): Contact {
  return {
    id,
    wa_id: `44770090010${id}`,
    name: `Customer ${id}`,
    preferences: {},
    marketing_opt_in: false,
    vip: false,
    opted_out_at: null,
    created_at: '2026-11-21T10:00:00Z',
    last_seen_at: null,
    ...overrides,
  }
}

/** The profile of `c`, with no conversations. */
export const detail = (c: Contact): ContactDetail => ({ contact: c, conversations: [] })
