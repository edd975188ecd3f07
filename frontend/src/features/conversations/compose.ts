// The composer's pure parts: canned replies, and building and checking buttons and template messages
// against WhatsApp's limits before they reach the server (which checks them again).
import type { StaffMessage } from './useConversationsApi'

/** Built-in canned replies (tenants have none stored yet). `{name}` becomes the customer's first name. */
export const QUICK_REPLIES: readonly { label: string; text: string }[] = [
  { label: 'Greeting', text: 'Hi {name}, thanks for your message. Let me check that for you.' },
  { label: 'Order number', text: 'Could you tell me your order number, please?' },
  { label: 'Checking', text: 'Thanks for waiting, {name}. I am looking into it now and will be back shortly.' },
  { label: 'Passed on', text: 'I have passed this to the team; we will get back to you today.' },
  { label: 'Anything else', text: 'Is there anything else I can help you with?' },
  { label: 'Goodbye', text: 'Thanks for getting in touch, {name}. Have a lovely day!' },
]

export function fillQuickReply(text: string, contactName: string | null | undefined): string {
  const first = (contactName ?? '').trim().split(/\s+/)[0] ?? ''
  return first ? text.replaceAll('{name}', first) : text.replace(/,?\s*\{name\}/g, '')
}

export const MAX_BUTTONS = 3
export const MAX_BUTTON_TITLE = 20
export const MAX_BUTTONS_BODY = 1024

/** Problems with a reply-buttons message, empty when it can go. */
export function buttonsProblems(body: string, titles: string[]): string[] {
  const problems: string[] = []
  if (!body.trim()) problems.push('Write the message text above the buttons.')
  else if (body.length > MAX_BUTTONS_BODY) problems.push(`The text can be at most ${MAX_BUTTONS_BODY} characters.`)
  const named = titles.map((t) => t.trim())
  if (!named.length) problems.push('Add at least one button.')
  if (named.length > MAX_BUTTONS) problems.push(`WhatsApp allows at most ${MAX_BUTTONS} buttons.`)
  named.forEach((title, i) => {
    if (!title) problems.push(`Button ${i + 1} needs a title.`)
    else if (title.length > MAX_BUTTON_TITLE) problems.push(`Button ${i + 1}: at most ${MAX_BUTTON_TITLE} characters.`)
  })
  const lower = named.filter(Boolean).map((t) => t.toLowerCase())
  if (new Set(lower).size !== lower.length) problems.push('Each button needs a different title.')
  return problems
}

export function buttonsMessage(body: string, titles: string[]): StaffMessage {
  return {
    kind: 'buttons',
    body: body.trim(),
    buttons: titles.map((t, i) => ({ id: `b${i + 1}`, title: t.trim() })),
  }
}

/** WhatsApp template names: lower-case letters, digits and underscores. */
const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/
/** A language code as WhatsApp names them: `en`, `en_GB`, `pt_BR`, `zh_CN`. */
const LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2,4})?$/

export interface TemplateDraft {
  name: string
  language: string
  params: string[]
}

/** Problems with a template message, empty when it can go. */
export function templateProblems(draft: TemplateDraft): string[] {
  const problems: string[] = []
  const name = draft.name.trim()
  if (!name) problems.push('Give the template’s name, as approved in WhatsApp Manager.')
  else if (!TEMPLATE_NAME.test(name)) problems.push('Template names use only lower-case letters, digits and _.')
  if (!LANGUAGE.test(draft.language.trim())) problems.push('The language is a code such as en or en_GB.')
  draft.params.forEach((p, i) => {
    if (!p.trim()) problems.push(`Fill in body parameter {{${i + 1}}} or remove it.`)
  })
  return problems
}

export function templateMessage(draft: TemplateDraft): StaffMessage {
  const params = draft.params.map((p) => ({ type: 'text', text: p.trim() }))
  return {
    kind: 'template',
    name: draft.name.trim(),
    language: draft.language.trim(),
    components: params.length ? [{ type: 'body', parameters: params }] : [],
  }
}

/** "3 hours", "2 days": how long ago `iso` was, roughly, for the closed-window notice. */
export function ago(iso: string, now: number = Date.now()): string {
  const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60_000))
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`
  if (minutes < 60) return plural(minutes, 'minute')
  const hours = Math.round(minutes / 60)
  if (hours < 48) return plural(hours, 'hour')
  return plural(Math.round(hours / 24), 'day')
}
