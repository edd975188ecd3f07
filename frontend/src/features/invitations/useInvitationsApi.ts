// Your invitations (`/api/v1/invitations/*`, any signed-in staff member): tenants asking you to join.
import { api, type Schemas } from '@/shared/api/client'
import { call, type Result } from '@/shared/api/result'

export type MyInvitation = Schemas['MyInvitationOut']
export type Joined = MyInvitation['tenant']

export function useInvitationsApi() {
  async function mine(): Promise<MyInvitation[]> {
    const { data } = await api.GET('/api/v1/invitations')
    return data?.items ?? []
  }

  /** Accept with the code the inviting admin gave you; a wrong one is a 404, like a gone invitation. */
  async function accept(id: number, code: string): Promise<Result<Joined>> {
    const request = { params: { path: { invitation_id: id } }, body: { code } }
    return call(api.POST('/api/v1/invitations/{invitation_id}/accept', request), 'Could not accept it')
  }

  async function decline(id: number): Promise<Result<null>> {
    const params = { params: { path: { invitation_id: id } } }
    return call(api.POST('/api/v1/invitations/{invitation_id}/decline', params), 'Could not decline it', () => null)
  }

  return { mine, accept, decline }
}
