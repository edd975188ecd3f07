// The channel form's draft and the bodies it sends (pure). The token is write-only: the draft starts
// empty, a blank token is never sent (the stored one stays), and only an explicit choice removes it.
import type { Channel, ChannelIn, ChannelPatch } from './useChannelsApi'

export type ChannelDraft = {
  name: string
  display_phone_number: string
  phone_number_id: string
  waba_id: string
  token: string
  clearToken: boolean
  enabled: boolean
  uncertain_sends: UncertainSends
}

/** What a number does with a reply that may have reached WhatsApp when the outcome was lost. */
export type UncertainSends = Channel['uncertain_sends']

const GRAPH_ID = /^\d{5,32}$/
const DISPLAY_NUMBER = /^\+?[0-9 ()-]{5,32}$/
const TOKEN = /^[\x21-\x7e]{8,4096}$/

export function draftOf(channel: Channel | null): ChannelDraft {
  return {
    name: channel?.name ?? '',
    display_phone_number: channel?.display_phone_number ?? '',
    phone_number_id: channel?.phone_number_id ?? '',
    waba_id: channel?.waba_id ?? '',
    token: '',
    clearToken: false,
    enabled: channel?.enabled ?? true,
    uncertain_sends: channel?.uncertain_sends ?? 'resend',
  }
}

/** What is wrong with the draft, in words, or null (the server checks the same again). */
export function problem(draft: ChannelDraft, creating: boolean): string | null {
  const d = trimmed(draft)
  if (creating && !GRAPH_ID.test(d.phone_number_id)) return 'Phone number ID: 5 to 32 digits, from Meta’s WhatsApp → API setup page.'
  if (d.waba_id && !GRAPH_ID.test(d.waba_id)) return 'WhatsApp Business Account ID: 5 to 32 digits.'
  if (d.display_phone_number && !DISPLAY_NUMBER.test(d.display_phone_number)) return 'Display number: digits, spaces, brackets and dashes, with an optional leading +.'
  if (d.token && !TOKEN.test(d.token)) return 'Access token: at least 8 characters, no spaces.'
  return null
}

export function createBody(draft: ChannelDraft): ChannelIn {
  const d = trimmed(draft)
  return {
    phone_number_id: d.phone_number_id,
    waba_id: d.waba_id || null,
    display_phone_number: d.display_phone_number || null,
    name: d.name || null,
    access_token: d.token || null,
    enabled: d.enabled,
    uncertain_sends: d.uncertain_sends,
  }
}

/** Only the fields that changed; emptied fields are sent as null, which clears them. */
export function patchBody(channel: Channel, draft: ChannelDraft): ChannelPatch {
  const d = trimmed(draft)
  const patch: ChannelPatch = {}
  for (const field of ['name', 'display_phone_number', 'waba_id'] as const) {
    if (d[field] !== (channel[field] ?? '')) patch[field] = d[field] || null
  }
  if (d.token) patch.access_token = d.token
  else if (draft.clearToken) patch.access_token = null
  if (d.uncertain_sends !== channel.uncertain_sends) patch.uncertain_sends = d.uncertain_sends
  return patch
}

function trimmed(draft: ChannelDraft): ChannelDraft {
  return {
    ...draft,
    name: draft.name.trim(),
    display_phone_number: draft.display_phone_number.trim(),
    phone_number_id: draft.phone_number_id.trim(),
    waba_id: draft.waba_id.trim(),
    token: draft.token.trim(),
  }
}
