// Staff API calls (`/api/v1/users/*`, admins and owners).
import { api, type Schemas } from '@/shared/api/client'
import { call, type Answer, type Fallback, type Refusal, type Result } from '@/shared/api/result'

export type Member = Schemas['MemberOut']
export type Invitation = Schemas['InvitationOut']
/** The answer to an invite: the invitation and its one-time code, which the server shows only here. */
export type SentInvitation = Schemas['InvitationCreatedOut']
export type Role = Schemas['Role']
export type NewMember = Schemas['MemberIn']
export type Field = 'email' | 'name' | 'role' | 'password'

const FIELDS: Field[] = ['email', 'name', 'role', 'password']

/** `call`, with the refusal's fields narrowed to the form's: a 422's per-field messages, and the 400
 * (password rules) and 409 (already a member or invited) the server answers for one field, put on it. */
async function ask<D, T = D>(request: Promise<Answer<D>>, fallback: string, pick?: (data: D) => T): Promise<Result<T, Field>> {
  const forbidden: Fallback = (status) => (status === 403 ? 'Your role may not do this.' : fallback)
  const result = await call(request, forbidden, pick)
  if (result.error === undefined) return result
  const fields: Refusal<Field>['fields'] = {}
  for (const field of FIELDS) if (result.fields[field] !== undefined) fields[field] = result.fields[field]
  const detail = typeof result.body === 'object' && result.body && 'detail' in result.body ? result.body.detail : null
  if (typeof detail === 'string') {
    if (result.status === 400 && /password/i.test(detail)) fields.password = detail
    if (result.status === 409 && /member|invited/i.test(detail)) fields.email = detail
  }
  return { ...result, fields }
}

export function useUsersApi() {
  async function list(offset = 0): Promise<Result<{ items: Member[]; total: number }, Field>> {
    return ask(api.GET('/api/v1/users', { params: { query: { limit: 200, offset } } }), 'Could not load the staff list')
  }

  /** Invite someone: the same answer whether or not the e-mail has an account somewhere. */
  async function add(body: NewMember): Promise<Result<SentInvitation, Field>> {
    return ask(api.POST('/api/v1/users', { body }), 'Could not invite them')
  }

  async function invitations(): Promise<Result<{ items: Invitation[] }, Field>> {
    return ask(api.GET('/api/v1/users/invitations'), 'Could not load the invitations')
  }

  async function cancel(id: number): Promise<Result<null, Field>> {
    const params = { params: { path: { invitation_id: id } } }
    return ask(api.DELETE('/api/v1/users/invitations/{invitation_id}', params), 'Could not cancel it', () => null)
  }

  async function update(id: number, patch: Schemas['MemberPatch']): Promise<Result<Member, Field>> {
    const request = api.PATCH('/api/v1/users/{user_id}', { params: { path: { user_id: id } }, body: patch })
    return ask(request, 'Could not change them')
  }

  return { list, add, update, invitations, cancel }
}
