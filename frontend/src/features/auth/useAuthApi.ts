// Sign-in API calls (`/api/v1/auth/*`), cookie mode: tokens stay in httpOnly cookies.
import { api, errorText, rememberCsrf, type Schemas } from '@/shared/api/client'

export type Me = Schemas['MeOut']

export function useAuthApi() {
  async function login(email: string, password: string): Promise<{ error?: string }> {
    const { data, error, response } = await api.POST('/api/v1/auth/login', {
      body: { email, password, mode: 'cookie' },
    })
    if (error || !data) {
      if (response.status === 401) return { error: 'Wrong e-mail or password.' }
      if (response.status === 429) return { error: 'Too many attempts; wait a few minutes and try again.' }
      return { error: errorText(error, `Sign-in failed (${response.status}).`) }
    }
    rememberCsrf(data.csrf_token ?? null)
    return {}
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
