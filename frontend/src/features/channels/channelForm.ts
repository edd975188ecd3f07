// The channel form's draft and the bodies it sends, per kind (pure). The token is write-only: the draft
// starts empty, a blank token is never sent (the stored one stays), and only an explicit choice removes it.
import type { Channel, ChannelIn, ChannelKind, ChannelPatch } from './useChannelsApi'

export type ChannelDraft = {
  kind: ChannelKind
  name: string
  display_phone_number: string
  phone_number_id: string
  waba_id: string
  token: string
  clearToken: boolean
  enabled: boolean
  uncertain_sends: UncertainSends
  aws_phone_number_id: string
  region: string
  groups: boolean
  /** The saved team version that answers on this number; null: the business's current team. */
  team_version: number | null
}

/** What a number does with a reply that may have reached WhatsApp when the outcome was lost. */
export type UncertainSends = Channel['uncertain_sends']

const GRAPH_ID = /^\d{5,32}$/
const DISPLAY_NUMBER = /^\+?[0-9 ()-]{5,32}$/
const TOKEN = /^[\x21-\x7e]{8,4096}$/
/** AWS's id of a number (`phone-number-id-…`) or its ARN; a region's name. The server's patterns. */
const AWS_NUMBER = /^(phone-number-id-[0-9a-zA-Z]{1,64}|arn:aws[a-z-]*:social-messaging:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:phone-number-id\/[0-9a-zA-Z]{1,64})$/
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/

export function draftOf(channel: Channel | null, kind: ChannelKind = 'whatsapp_cloud'): ChannelDraft {
  return {
    kind: channel?.kind ?? kind,
    name: channel?.name ?? '',
    display_phone_number: channel?.display_phone_number ?? '',
    phone_number_id: channel?.phone_number_id ?? '',
    waba_id: channel?.waba_id ?? '',
    token: '',
    clearToken: false,
    enabled: channel?.enabled ?? true,
    uncertain_sends: channel?.uncertain_sends ?? 'resend',
    aws_phone_number_id: channel?.aws_phone_number_id ?? '',
    region: channel?.region ?? '',
    groups: channel?.groups ?? false,
    team_version: channel?.team_version ?? null,
  }
}

/** What is wrong with the draft, in words, or null (the server checks the same again). */
export function problem(draft: ChannelDraft, creating: boolean): string | null {
  const d = trimmed(draft)
  if (d.kind === 'wa_bridge') return creating && !d.name ? 'Name: say which phone this is (e.g. Shop), so staff can tell the numbers apart.' : null
  if (creating && !GRAPH_ID.test(d.phone_number_id)) {
    return d.kind === 'aws_social'
      ? 'Phone number ID: Meta’s id of the number, 5 to 32 digits (AWS console → WhatsApp → the number’s Meta phone number ID).'
      : 'Phone number ID: 5 to 32 digits, from Meta’s WhatsApp → API setup page.'
  }
  if (d.waba_id && !GRAPH_ID.test(d.waba_id)) return 'WhatsApp Business Account ID: 5 to 32 digits.'
  if (d.display_phone_number && !DISPLAY_NUMBER.test(d.display_phone_number)) return 'Display number: digits, spaces, brackets and dashes, with an optional leading +.'
  if (d.kind === 'aws_social') {
    if (!AWS_NUMBER.test(d.aws_phone_number_id)) return 'AWS phone number ID: phone-number-id-… (or its ARN), from the AWS console.'
    if (!AWS_REGION.test(d.region)) return 'Region: the AWS region of the number, e.g. eu-west-1.'
  }
  if (d.token && !TOKEN.test(d.token)) return 'Access token: at least 8 characters, no spaces.'
  return null
}

export function createBody(draft: ChannelDraft): ChannelIn {
  const d = trimmed(draft)
  const common = {
    uncertain_sends: d.uncertain_sends,
    ...(d.team_version === null ? {} : { team_version: d.team_version }),
  }
  if (d.kind === 'wa_bridge') return { kind: 'wa_bridge', name: d.name, ...common, groups: d.groups }
  const meta = {
    phone_number_id: d.phone_number_id,
    waba_id: d.waba_id || null,
    display_phone_number: d.display_phone_number || null,
    name: d.name || null,
    ...common,
    enabled: d.enabled,
  }
  if (d.kind === 'aws_social') return { kind: 'aws_social', ...meta, aws_phone_number_id: d.aws_phone_number_id, region: d.region }
  return { kind: 'whatsapp_cloud', ...meta, access_token: d.token || null }
}

/** The text fields each kind edits (the bridge's number comes from the phone once it is linked). */
const TEXT_FIELDS = {
  whatsapp_cloud: ['name', 'display_phone_number', 'waba_id'],
  aws_social: ['name', 'display_phone_number', 'waba_id', 'aws_phone_number_id', 'region'],
  wa_bridge: ['name'],
} as const

/** Only the fields that changed; emptied fields are sent as null, which clears them. */
export function patchBody(channel: Channel, draft: ChannelDraft): ChannelPatch {
  const d = trimmed(draft)
  const patch: ChannelPatch = {}
  for (const field of TEXT_FIELDS[channel.kind]) {
    if (d[field] !== (channel[field] ?? '')) patch[field] = d[field] || null
  }
  if (channel.kind === 'whatsapp_cloud') {
    if (d.token) patch.access_token = d.token
    else if (draft.clearToken) patch.access_token = null
  }
  if (channel.kind === 'wa_bridge' && d.groups !== channel.groups) patch.groups = d.groups
  if (d.uncertain_sends !== channel.uncertain_sends) patch.uncertain_sends = d.uncertain_sends
  if (d.team_version !== (channel.team_version ?? null)) patch.team_version = d.team_version
  return patch
}

function trimmed(draft: ChannelDraft): ChannelDraft {
  const d = { ...draft }
  for (const field of ['name', 'display_phone_number', 'phone_number_id', 'waba_id', 'token', 'aws_phone_number_id', 'region'] as const) {
    d[field] = draft[field].trim()
  }
  return d
}
