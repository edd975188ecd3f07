// Switching tenant (`POST /api/v1/auth/switch`): a new cookie session in another of the account's
// tenants, answered like a sign-in; the old session ends.
import { api, rememberCsrf } from '@/shared/api/client'
import { call, type Result } from '@/shared/api/result'

/** Plain words for the refusals a switch meets, whatever the server's detail. */
const REFUSED: Record<number, string> = {
  403: 'That business is disabled.',
  404: 'You no longer work for that business.',
}

export function useTenantsApi() {
  async function switchTo(slug: string): Promise<Result<null>> {
    const request = api.POST('/api/v1/auth/switch', { body: { tenant: slug, mode: 'cookie' } })
    const result = await call(request, (status) => `Could not switch (${status}).`)
    if (result.error !== undefined) return { ...result, error: REFUSED[result.status] ?? result.error }
    rememberCsrf(result.data.csrf_token ?? null)
    return { data: null }
  }

  return { switchTo }
}
