import { describe, expect, it } from 'vitest'
import { draftOf, patchOf } from './profileForm'
import type { Contact } from './useContactsApi'

const maya: Contact = {
  id: 12,
  wa_id: '447700900123',
  name: 'Maya Patel',
  email: 'maya@example.com',
  city: 'Leeds',
  language: 'en',
  preferences: { contact_time: 'evenings' },
  marketing_opt_in: false,
  vip: false,
  opted_out_at: null,
  created_at: '2026-11-20T10:02:00Z',
  last_seen_at: '2026-11-26T18:40:00Z',
}

describe('the contact profile form', () => {
  it('sends nothing when nothing changed', () => {
    expect(patchOf(maya, draftOf(maya))).toEqual({ patch: {} })
  })

  it('sends changed fields only, and an emptied field as null', () => {
    const draft = { ...draftOf(maya), name: ' Maya P. ', city: '', vip: true }
    expect(patchOf(maya, draft)).toEqual({ patch: { name: 'Maya P.', city: null, vip: true } })
  })

  it('replaces the preferences as a whole when one changed', () => {
    const draft = draftOf(maya)
    draft.preferences.push({ key: 'notes', value: 'Prefers the Leeds store' })
    expect(patchOf(maya, draft)).toEqual({
      patch: { preferences: { contact_time: 'evenings', notes: 'Prefers the Leeds store' } },
    })
  })

  it('refuses a preference without a value, and ignores an empty row', () => {
    const draft = draftOf(maya)
    draft.preferences.push({ key: '', value: '' })
    expect(patchOf(maya, draft)).toEqual({ patch: {} })
    draft.preferences.push({ key: 'store', value: ' ' })
    expect(patchOf(maya, draft)).toEqual({ error: 'Each preference needs a name and a value.' })
  })
})
