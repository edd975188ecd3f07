// Sign-in API calls (`/api/v1/auth/*`), cookie mode: tokens stay in httpOnly cookies.
import { api, rememberCsrf, type Schemas } from '@/shared/api/client'
import { call, type Result } from '@/shared/api/result'

export type Me = Schemas['MeOut']

/** Plain words for the refusals a sign-in form meets, whatever the server's detail. */
const REFUSED: Record<number, string> = {
  401: 'Wrong e-mail or password.',
  400: 'You work for several businesses: choose one and sign in again.',
  429: 'Too many attempts; wait a few minutes and try again.',
}

/** The tenants a login must choose from: the slugs its 400 lists ("…; say which: lumen, bikes"), the
 * one 400 a login answers; null for any other refusal. */
function tenantChoices(status: number, body: unknown): string[] | null {
  const detail = body && typeof body === 'object' && 'detail' in body ? (body as { detail: unknown }).detail : null
  if (status !== 400 || typeof detail !== 'string') return null
  const listed = detail.split('say which:')[1]
  return listed ? listed.split(',').map((s) => s.trim()).filter(Boolean) : []
}

export function useAuthApi() {
  /** Sign in, in `tenant` (a slug) when the account works for several. */
  async function login(email: string, password: string, tenant?: string): Promise<Result<null> & { tenants?: string[] | null }> {
    const request = api.POST('/api/v1/auth/login', { body: { email, password, tenant, mode: 'cookie' } })
    const result = await call(request, (status) => `Sign-in failed (${status}).`)
    if (result.error !== undefined) {
      return { ...result, error: REFUSED[result.status] ?? result.error, tenants: tenantChoices(result.status, result.body) }
    }
    rememberCsrf(result.data.csrf_token ?? null)
    return { data: null }
  }

  async function me(): Promise<Me | null> {
    const { data } = await api.GET('/api/v1/auth/me')
    return data ?? null
  }

  async function logout(): Promise<void> {
    await api.POST('/api/v1/auth/logout')
    rememberCsrf(null)
  }

  return { login, me, logout }
}
