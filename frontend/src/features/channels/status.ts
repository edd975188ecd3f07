// How a number is named on the Channels page and the dashboard (pure): its kind, the state of its link
// and which team answers on it.
import type { Channel, ChannelKind } from './useChannelsApi'

export const KINDS: readonly { kind: ChannelKind; label: string; hint: string }[] = [
  { kind: 'whatsapp_cloud', label: 'Cloud API', hint: 'A number registered with Meta: its phone number ID and an access token.' },
  { kind: 'wa_bridge', label: 'QR-linked', hint: 'Any WhatsApp number: scan a QR code with the phone (through the bridge).' },
  { kind: 'aws_social', label: 'AWS', hint: 'A number linked to AWS End User Messaging Social: its Meta and AWS ids and region.' },
]

export function kindLabel(kind: ChannelKind): string {
  return KINDS.find((k) => k.kind === kind)?.label ?? kind
}

/** `+` and the digits, as WhatsApp shows a number (the bridge reports digits only). */
export function phoneText(number: string | null): string | null {
  if (!number) return null
  return number.startsWith('+') ? number : `+${number}`
}

export type Tone = 'ok' | 'wait' | 'bad' | 'off'
export type StatusLine = { tone: Tone; text: string }

/** The link of a QR-linked number in words; the Meta kinds say whether the number is served. */
export function statusLine(channel: Channel): StatusLine {
  if (channel.kind !== 'wa_bridge' || channel.status === null) {
    return channel.enabled ? { tone: 'ok', text: 'Enabled' } : { tone: 'off', text: 'Disabled' }
  }
  switch (channel.status) {
    case 'connected': {
      const who = phoneText(channel.display_phone_number)
      const name = channel.profile_name ? ` (${channel.profile_name})` : ''
      return { tone: 'ok', text: who ? `Connected as ${who}${name}` : `Connected${name}` }
    }
    case 'qr_waiting':
      return { tone: 'wait', text: 'Waiting for the QR code to be scanned' }
    case 'disconnected':
      return { tone: 'bad', text: channel.status_detail ? `Disconnected: ${channel.status_detail}` : 'Disconnected' }
    default:
      return { tone: 'wait', text: 'Connecting…' }
  }
}

/** Numbers whose phone link broke: staff must reconnect them (the Channels page's banner, the dashboard). */
export function disconnected(channels: readonly Channel[]): Channel[] {
  return channels.filter((c) => c.kind === 'wa_bridge' && c.status === 'disconnected')
}

/** Which team answers on a number: the business's current team, or a saved version of it. */
export function teamText(version: number | null): string {
  if (version === null) return 'Current team'
  return version === 0 ? 'Version 0, the team file' : `Version ${version}`
}
