import createClient from 'openapi-fetch'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { onSessionEnded, rememberCsrf, sessionMiddleware } from './client'
import type { paths } from './schema'

function json(status: number, body: unknown = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

describe('the API client wrapper', () => {
  let calls: Request[]
  let answers: Response[]
  let client: ReturnType<typeof createClient<paths>>

  beforeEach(() => {
    calls = []
    answers = []
    const fetchStub = vi.fn(async (input: Request) => {
      calls.push(input)
      return answers.shift() ?? json(200)
    })
    vi.stubGlobal('fetch', fetchStub)
    client = createClient<paths>({ baseUrl: 'http://app.test', fetch: (r) => fetchStub(r) })
    client.use(sessionMiddleware)
    rememberCsrf('token-from-login')
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    rememberCsrf(null)
  })

  it('sends the CSRF header on writes only', async () => {
    await client.GET('/api/v1/auth/me')
    await client.POST('/api/v1/conversations/{conversation_id}/takeover', {
      params: { path: { conversation_id: 1 } },
    })
    expect(calls[0]!.headers.get('X-CSRF-Token')).toBeNull()
    expect(calls[1]!.headers.get('X-CSRF-Token')).toBe('token-from-login')
  })

  it('refreshes the session once on a 401 and retries the request', async () => {
    answers.push(json(401, { detail: 'expired' }), json(200), json(200, { id: 1 }))
    const { data } = await client.GET('/api/v1/auth/me')
    expect(calls.map((c) => new URL(c.url).pathname)).toEqual([
      '/api/v1/auth/me',
      '/api/v1/auth/refresh',
      '/api/v1/auth/me',
    ])
    expect(calls[1]!.headers.get('X-CSRF-Token')).toBe('token-from-login')
    expect(data).toEqual({ id: 1 })
  })

  it('ends the session when the refresh is refused', async () => {
    const ended = vi.fn()
    onSessionEnded(ended)
    answers.push(json(401), json(401))
    const { error, response } = await client.GET('/api/v1/auth/me')
    expect(response.status).toBe(401)
    expect(error).toBeDefined()
    expect(ended).toHaveBeenCalledOnce()
  })

  it('never refreshes for a failed login', async () => {
    answers.push(json(401, { detail: 'wrong' }))
    await client.POST('/api/v1/auth/login', { body: { email: 'a@b.c', password: 'x', mode: 'cookie' } })
    expect(calls).toHaveLength(1)
  })
})
