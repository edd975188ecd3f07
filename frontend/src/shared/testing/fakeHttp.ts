// Test helper (imported by specs only): answers the typed API client's requests at the HTTP level, so
// stores and pages are tested through the real client, middleware and error handling.
// Call `installFakeHttp()` before the first import of `@/shared/api/client`: openapi-fetch keeps the
// `fetch` and `Request` it finds when the client is created.
import { vi } from 'vitest'

export interface Call {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
}

type Reply = { status: number; body?: unknown }
type Handler = (call: Call) => Reply | Promise<Reply>

interface Route {
  method: string
  path: string | RegExp
  handler: Handler
}

export interface FakeHttp {
  calls: Call[]
  /** Answer `method path` (exact path, or a pattern); later routes win over earlier ones. */
  on(method: string, path: string | RegExp, reply: Reply | Handler): void
  reset(): void
}

export function installFakeHttp(): FakeHttp {
  const calls: Call[] = []
  let routes: Route[] = []

  // jsdom has no Request of its own, and Node's refuses the client's relative URLs.
  const NodeRequest = globalThis.Request
  class RelativeRequest extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === 'string' ? new URL(input, location.origin) : input, init)
    }
  }
  vi.stubGlobal('Request', RelativeRequest)
  vi.stubGlobal('fetch', async (request: Request) => {
    const url = new URL(request.url)
    // A multipart body (a file upload) stays as the FormData the client sent; JSON is parsed.
    const form = request.headers.get('content-type')?.startsWith('multipart/') ? await request.formData() : null
    const text = form || request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text()
    const body = form ?? (text ? JSON.parse(text) : undefined)
    const call: Call = { method: request.method, path: url.pathname, query: url.searchParams, body }
    calls.push(call)
    const route = [...routes]
      .reverse()
      .find((r) => r.method === call.method && (typeof r.path === 'string' ? r.path === call.path : r.path.test(call.path)))
    const reply = route ? await route.handler(call) : { status: 404, body: { detail: `No fake for ${call.method} ${call.path}` } }
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'content-type': 'application/json' },
    })
  })

  return {
    calls,
    on(method, path, reply) {
      routes.push({ method, path, handler: typeof reply === 'function' ? reply : () => reply })
    },
    reset() {
      calls.length = 0
      routes = []
    },
  }
}

/** A live feed on a fake socket: `emit` delivers an event as the server would, to every listener. */
export async function startFakeLive(): Promise<{ emit: (event: object) => void; stop: () => void }> {
  const { LiveFeed } = await import('@/shared/api/live')
  const socket = { close() {} } as { close(): void; onmessage?: (message: { data: string }) => void }
  const feed = new LiveFeed({ onEvent: () => {}, connect: () => socket as unknown as WebSocket })
  feed.start()
  return { emit: (event) => socket.onmessage?.({ data: JSON.stringify(event) }), stop: () => feed.stop() }
}
