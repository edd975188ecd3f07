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

export type TenantOption = Schemas['TenantOption']

/** The tenants a login must choose from: the `tenants` of its 400 (`TenantChoiceBody`, the one 400 a
 * login answers, sent only after the right password); empty if a 400 came without them (the form then
 * takes a slug typed in); null for any other refusal. */
function tenantChoices(status: number, body: unknown): TenantOption[] | null {
  if (status !== 400) return null
  const tenants = body && typeof body === 'object' && 'tenants' in body ? (body as { tenants: unknown }).tenants : null
  return Array.isArray(tenants) ? tenants.filter(isTenantOption) : []
}

function isTenantOption(value: unknown): value is TenantOption {
  const t = value as Partial<TenantOption> | null
  return typeof t?.slug === 'string' && typeof t.name === 'string'
}

export function useAuthApi() {
  /** Sign in, in `tenant` (a slug) when the account works for several. */
  async function login(email: string, password: string, tenant?: string): Promise<Result<null> & { tenants?: TenantOption[] | null }> {
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
