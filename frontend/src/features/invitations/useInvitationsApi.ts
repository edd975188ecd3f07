// Your invitations (`/api/v1/invitations/*`, any signed-in staff member): tenants asking you to join.
import { api, errorText, type Schemas } from '@/shared/api/client'

export type MyInvitation = Schemas['MyInvitationOut']
export type Joined = MyInvitation['tenant']
type Result<T> = { data: T; error?: undefined } | { data?: undefined; error: string }

export function useInvitationsApi() {
  async function mine(): Promise<MyInvitation[]> {
    const { data } = await api.GET('/api/v1/invitations')
    return data?.items ?? []
  }

  async function accept(id: number): Promise<Result<Joined>> {
    const { data, error } = await api.POST('/api/v1/invitations/{invitation_id}/accept', {
      params: { path: { invitation_id: id } },
    })
    return data ? { data } : { error: errorText(error, 'Could not accept it') }
  }

  async function decline(id: number): Promise<Result<null>> {
    const { error, response } = await api.POST('/api/v1/invitations/{invitation_id}/decline', {
      params: { path: { invitation_id: id } },
    })
    return response.ok ? { data: null } : { error: errorText(error, 'Could not decline it') }
  }

  return { mine, accept, decline }
}
