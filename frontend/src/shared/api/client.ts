// The only place that talks HTTP: typed clients generated from the backend's OpenAPI schemas
// (`npm run gen:api`), with the cookie session's CSRF header on writes and one refresh on a 401.
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'
import type { paths as SimulatorPaths } from './simulator-schema'

export type Schemas = components['schemas']

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const CSRF_COOKIE = 'frontdesk_csrf'
const REFRESH_PATH = '/api/v1/auth/refresh'
const NO_REFRESH = ['/api/v1/auth/login', REFRESH_PATH, '/api/v1/auth/logout']

let csrfFromLogin: string | null = null
let sessionEnded: () => void = () => {}
let refreshing: Promise<boolean> | null = null

/** The CSRF token to send as `X-CSRF-Token`: the readable cookie, else the one login returned. */
export function csrfToken(): string | null {
  const cookie = document.cookie
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${CSRF_COOKIE}=`))
  return cookie ? decodeURIComponent(cookie.slice(CSRF_COOKIE.length + 1)) : csrfFromLogin
}

export function rememberCsrf(token: string | null): void {
  csrfFromLogin = token
}

/** Called once a request is refused as unauthenticated and a refresh could not help. */
export function onSessionEnded(handler: () => void): void {
  sessionEnded = handler
}

function withCsrf(request: Request): Request {
  const token = csrfToken()
  if (UNSAFE.has(request.method) && token) request.headers.set('X-CSRF-Token', token)
  return request
}

/** Trade the refresh cookie for new tokens, once at a time for the whole tab. */
function refreshSession(origin: string): Promise<boolean> {
  refreshing ??= fetch(
    withCsrf(
      new Request(new URL(REFRESH_PATH, origin), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    ),
  )
    .then((response) => response.ok)
    .catch(() => false)
    .finally(() => setTimeout(() => (refreshing = null), 0))
  return refreshing
}

/** New access cookie from the refresh cookie (the live feed does this when its socket's token expired). */
export function renewSession(): Promise<boolean> {
  return refreshSession(location.origin)
}

const copies = new Map<string, Request>()

export const sessionMiddleware: Middleware = {
  onRequest({ request, id }) {
    const prepared = withCsrf(request)
    copies.set(id, prepared.clone())
    return prepared
  },
  async onResponse({ request, response, id }) {
    const copy = copies.get(id)
    copies.delete(id)
    const path = new URL(request.url, location.origin).pathname
    if (response.status !== 401 || NO_REFRESH.includes(path)) return response
    if (copy && (await refreshSession(request.url))) {
      const again = await fetch(withCsrf(copy))
      if (again.status !== 401) return again
    }
    sessionEnded()
    return response
  },
  onError({ id }) {
    copies.delete(id)
  },
}

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' })
api.use(sessionMiddleware)

/** The dev-only phone simulator (`frontdesk serve --fake-graph`). */
export const simulatorApi = createClient<SimulatorPaths>({
  baseUrl: '/_dev/simulator',
  credentials: 'same-origin',
})

/** The `detail` of an error answer, as one readable line. */
export function errorText(error: unknown, fallback = 'Something went wrong'): string {
  if (error && typeof error === 'object' && 'detail' in error) {
    const detail = (error as { detail: unknown }).detail
    if (typeof detail === 'string') return detail
    if (Array.isArray(detail)) {
      return detail
        .map((d: { loc?: unknown[]; msg?: string }) => `${(d.loc ?? []).slice(1).join('.')}: ${d.msg ?? ''}`)
        .join('; ')
    }
  }
  return fallback
}
