// `WS /api/v1/ws`: the tenant's live events, with reconnects that resume after the last event seen.
// (WebSocket routes are not in OpenAPI, so the event shapes are written out here from docs/admin-api.md.)
import { renewSession } from './client'

/** The server closes a socket with this code when its session ended or its access token expired. */
const POLICY_VIOLATION = 1008

export interface LiveMessage {
  id: number
  direction: 'in' | 'out'
  type: string
  text: string | null
  status: string
  agent: string | null
  reply_to: string | null
  created_at: string
}

export type LiveEvent =
  | { id: number; type: 'message.created'; created_at: string; payload: { conversation_id: number; message: LiveMessage } }
  | {
      id: number
      type: 'message.status'
      created_at: string
      payload: {
        conversation_id: number
        message_id: number
        status: string
        error_code: string | null
        error_message: string | null
      }
    }
  | {
      id: number
      type: 'conversation.updated'
      created_at: string
      payload: { conversation_id: number; status?: string; reason: string; [key: string]: unknown }
    }
  | {
      id: number
      type: 'resync' | 'job.failed' | 'channel.status'
      created_at: string
      payload: Record<string, unknown>
    }

export type LiveState = 'connecting' | 'open' | 'closed'

export interface LiveOptions {
  onEvent: (event: LiveEvent) => void
  onState?: (state: LiveState) => void
  /** Builds the socket (tests pass a fake). */
  connect?: (url: string) => WebSocket
  url?: (since: number | null) => string
  /** Refreshes the session cookie before a reconnect after a 1008 close (tests pass a fake). */
  renew?: () => Promise<boolean>
}

function defaultUrl(since: number | null): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const query = since === null ? '' : `?since=${since}`
  return `${scheme}://${location.host}/api/v1/ws${query}`
}

const listeners = new Set<(event: LiveEvent) => void>()

/** Hear every event of the tab's one feed (the inbox store opens it) without a second socket.
 * Returns the function that stops listening. */
export function onLiveEvent(listener: (event: LiveEvent) => void): () => void {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}

/** One socket per tab, authenticated by the session cookie; reconnects with backoff, never loses an id. */
export class LiveFeed {
  private socket: WebSocket | null = null
  private lastId: number | null = null
  private retries = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  private stopped = true

  constructor(private readonly options: LiveOptions) {}

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.open()
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.socket?.close()
    this.socket = null
    this.options.onState?.('closed')
  }

  private open(): void {
    const url = (this.options.url ?? defaultUrl)(this.lastId)
    const socket = (this.options.connect ?? ((u: string) => new WebSocket(u)))(url)
    this.socket = socket
    this.options.onState?.('connecting')
    socket.onopen = () => {
      this.retries = 0
      this.options.onState?.('open')
    }
    socket.onmessage = (message: MessageEvent) => {
      const event = JSON.parse(String(message.data)) as LiveEvent
      if (typeof event.id === 'number') this.lastId = event.id
      this.options.onEvent(event)
      for (const listener of listeners) listener(event)
    }
    socket.onclose = (event?: CloseEvent) => {
      if (this.socket !== socket || this.stopped) return
      this.options.onState?.('closed')
      const delay = Math.min(10_000, 500 * 2 ** this.retries++)
      // 1008: the socket's access token expired (or the session ended): the cookie must be refreshed
      // first, or the reconnect is refused. If the session really ended, the next API call says so.
      const renew = event?.code === POLICY_VIOLATION ? (this.options.renew ?? renewSession) : null
      this.timer = setTimeout(() => {
        if (!renew) return this.open()
        void renew().finally(() => {
          if (!this.stopped && this.socket === socket) this.open()
        })
      }, delay)
    }
  }
}
