// Staff API calls (`/api/v1/users/*`, admins and owners).
import { api, errorText, type Schemas } from '@/shared/api/client'

export type Member = Schemas['MemberOut']
export type Invitation = Schemas['InvitationOut']
export type Role = Schemas['Role']
export type NewMember = Schemas['MemberIn']
export type Field = 'email' | 'name' | 'role' | 'password'

/** What went wrong: a line for the form, and what the server said about each field. */
export interface Refusal {
  error: string
  status: number
  fields: Partial<Record<Field, string>>
}
export type Result<T> = { data: T; error?: undefined } | ({ data?: undefined } & Refusal)

const FIELDS: Field[] = ['email', 'name', 'role', 'password']

/** A 422's per-field messages, and the 400 (password rules) and 409 (already a member or invited) the
 * server answers for one field, put on that field. */
export function refusal(status: number, error: unknown, fallback: string): Refusal {
  const fields: Refusal['fields'] = {}
  const detail = error && typeof error === 'object' && 'detail' in error ? (error as { detail: unknown }).detail : null
  if (Array.isArray(detail)) {
    for (const d of detail as { loc?: unknown[]; msg?: string }[]) {
      const field = d.loc?.[1]
      if (typeof field === 'string' && (FIELDS as string[]).includes(field)) fields[field as Field] ??= d.msg ?? 'Invalid'
    }
  } else if (typeof detail === 'string') {
    if (status === 400 && /password/i.test(detail)) fields.password = detail
    if (status === 409 && /member|invited/i.test(detail)) fields.email = detail
  }
  return { status, fields, error: errorText(error, status === 403 ? 'Your role may not do this.' : fallback) }
}

export function useUsersApi() {
  async function list(offset = 0): Promise<Result<{ items: Member[]; total: number }>> {
    const { data, error, response } = await api.GET('/api/v1/users', { params: { query: { limit: 200, offset } } })
    return data ? { data } : refusal(response.status, error, 'Could not load the staff list')
  }

  /** Invite someone: the same answer whether or not the e-mail has an account somewhere. */
  async function add(body: NewMember): Promise<Result<Invitation>> {
    const { data, error, response } = await api.POST('/api/v1/users', { body })
    return data ? { data } : refusal(response.status, error, 'Could not invite them')
  }

  async function invitations(): Promise<Result<{ items: Invitation[] }>> {
    const { data, error, response } = await api.GET('/api/v1/users/invitations')
    return data ? { data } : refusal(response.status, error, 'Could not load the invitations')
  }

  async function cancel(id: number): Promise<Result<null>> {
    const { error, response } = await api.DELETE('/api/v1/users/invitations/{invitation_id}', {
      params: { path: { invitation_id: id } },
    })
    return response.ok ? { data: null } : refusal(response.status, error, 'Could not cancel it')
  }

  async function update(id: number, patch: Schemas['MemberPatch']): Promise<Result<Member>> {
    const { data, error, response } = await api.PATCH('/api/v1/users/{user_id}', {
      params: { path: { user_id: id } },
      body: patch,
    })
    return data ? { data } : refusal(response.status, error, 'Could not change them')
  }

  return { list, add, update, invitations, cancel }
}
