// Sign-in API calls (`/api/v1/auth/*`), cookie mode: tokens stay in httpOnly cookies.
import { api, rememberCsrf, type Schemas } from '@/shared/api/client'
import { call, type Result } from '@/shared/api/result'

export type Me = Schemas['MeOut']

/** Plain words for the refusals a sign-in form meets, whatever the server's detail. */
const REFUSED: Record<number, string> = {
  401: 'Wrong e-mail or password.',
  429: 'Too many attempts; wait a few minutes and try again.',
}

export function useAuthApi() {
  async function login(email: string, password: string): Promise<Result<null>> {
    const request = api.POST('/api/v1/auth/login', { body: { email, password, mode: 'cookie' } })
    const result = await call(request, (status) => `Sign-in failed (${status}).`)
    if (result.error !== undefined) return { ...result, error: REFUSED[result.status] ?? result.error }
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
