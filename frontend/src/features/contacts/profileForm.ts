// The profile form's draft, and the PATCH body for what changed (pure, so it is tested without a page).
import type { Contact, ContactPatch } from './useContactsApi'

export type PreferenceRow = { key: string; value: string }
export type Draft = {
  name: string
  email: string
  city: string
  language: string
  vip: boolean
  preferences: PreferenceRow[]
}

const TEXT_FIELDS = ['name', 'email', 'city', 'language'] as const

export function draftOf(contact: Contact): Draft {
  const preferences = Object.entries(contact.preferences ?? {}).map(([key, value]) => ({
    key,
    value: typeof value === 'string' ? value : JSON.stringify(value),
  }))
  return {
    name: contact.name ?? '',
    email: contact.email ?? '',
    city: contact.city ?? '',
    language: contact.language ?? '',
    vip: contact.vip,
    preferences,
  }
}

/** The changed fields only (an emptied text field is sent as null, which clears it), or a readable error. */
export function patchOf(contact: Contact, draft: Draft): { patch: ContactPatch } | { error: string } {
  const patch: ContactPatch = {}
  for (const field of TEXT_FIELDS) {
    const value = draft[field].trim()
    if (value !== (contact[field] ?? '')) patch[field] = value || null
  }
  if (draft.vip !== contact.vip) patch.vip = draft.vip
  const rows = draft.preferences
    .map((r) => ({ key: r.key.trim(), value: r.value.trim() }))
    .filter((r) => r.key || r.value)
  if (rows.some((r) => !r.key || !r.value)) return { error: 'Each preference needs a name and a value.' }
  const keys = rows.map((r) => r.key)
  if (new Set(keys).size !== keys.length) return { error: 'Two preferences have the same name.' }
  const preferences = Object.fromEntries(rows.map((r) => [r.key, r.value]))
  const before = Object.fromEntries(draftOf(contact).preferences.map((r) => [r.key, r.value]))
  if (JSON.stringify(preferences) !== JSON.stringify(before)) patch.preferences = preferences
  return { patch }
}
