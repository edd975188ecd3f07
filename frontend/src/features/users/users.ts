// The tenant's staff (Pinia setup store): list, invite (and cancel invitations), change role, disable
// and enable.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Notice, Refusal } from '@/shared/api/result'
import { useUsersApi, type Field, type Invitation, type Member, type NewMember, type Role } from './useUsersApi'

export const ROLES: Role[] = ['owner', 'admin', 'agent', 'viewer']

/** What the server allows `actor` to do to `member` (it enforces it too): nobody changes their own
 * role or disables themselves, and only an owner makes, changes or disables an owner. */
export function mayManage(actor: { id: number; role: Role } | null, member: Member): boolean {
  if (!actor || actor.id === member.id) return false
  return actor.role === 'owner' || (actor.role === 'admin' && member.role !== 'owner')
}

/** The roles `actor` may hand out. */
export function grantable(actor: { role: Role } | null): Role[] {
  if (actor?.role === 'owner') return ROLES
  return actor?.role === 'admin' ? ROLES.filter((r) => r !== 'owner') : []
}

export const useUsersStore = defineStore('users', () => {
  const usersApi = useUsersApi()
  const members = ref<Member[]>([])
  const total = ref(0)
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<string | null>(null)
  const notice = ref<Notice | null>(null)
  const pending = ref<Set<number>>(new Set())
  const invitations = ref<Invitation[]>([])
  /** The code of the invitation just sent, for the admin to hand over: the server shows it only once. */
  const code = ref<{ email: string; code: string } | null>(null)

  async function loadInvitations(): Promise<void> {
    const sent = await usersApi.invitations()
    if (sent.data) invitations.value = sent.data.items
  }

  async function load(): Promise<void> {
    loading.value = true
    void loadInvitations()
    const first = await usersApi.list(0)
    const all = first.data ? [...first.data.items] : []
    // Staff lists are short; page through the rest rather than hide anyone.
    while (first.data && all.length < first.data.total) {
      const next = await usersApi.list(all.length)
      if (!next.data?.items.length) break
      all.push(...next.data.items)
    }
    loading.value = false
    if (!first.data) {
      error.value = first.error
      return
    }
    members.value = all
    total.value = first.data.total
    error.value = null
    loaded.value = true
  }

  /** Invite someone; the refusal (with per-field messages) when the server says no. The server never
   * says whether the e-mail already has an account, so neither does the notice. */
  async function add(body: NewMember): Promise<Refusal<Field> | null> {
    const result = await usersApi.add({ ...body, email: body.email.trim(), name: body.name?.trim() ?? '' })
    if (result.data === undefined) return result
    const { code: given, ...invited } = result.data
    invitations.value = [invited, ...invitations.value.filter((i) => i.id !== invited.id)]
    code.value = { email: invited.email, code: given }
    notice.value = {
      text: `${invited.email} is invited as ${invited.role}. They join at their first sign-in with this password, or, if they already have an account, when they accept with the code below.`,
      tone: 'ok',
    }
    return null
  }

  async function cancel(invitation: Invitation): Promise<boolean> {
    const result = await usersApi.cancel(invitation.id)
    if (result.data === undefined && result.status !== 404) {
      notice.value = { text: `${invitation.email}: ${result.error}`, tone: 'error' }
      return false
    }
    invitations.value = invitations.value.filter((i) => i.id !== invitation.id)
    notice.value = { text: `The invitation to ${invitation.email} was cancelled.`, tone: 'ok' }
    return true
  }

  async function change(member: Member, patch: { role?: Role; disabled?: boolean }): Promise<boolean> {
    pending.value.add(member.id)
    const result = await usersApi.update(member.id, patch)
    pending.value.delete(member.id)
    if (result.data === undefined) {
      notice.value = { text: `${member.email}: ${result.error}`, tone: 'error' }
      return false
    }
    const index = members.value.findIndex((m) => m.id === member.id)
    if (index >= 0) members.value[index] = result.data
    const what = patch.role ? `is now ${result.data.role}` : result.data.disabled ? 'was disabled and signed out' : 'was enabled'
    notice.value = { text: `${member.email} ${what}.`, tone: 'ok' }
    return true
  }

  return {
    members, total, loading, loaded, error, notice, pending, invitations, code, load, add, cancel,
    setRole: (member: Member, role: Role) => change(member, { role }),
    setDisabled: (member: Member, disabled: boolean) => change(member, { disabled }),
  }
})
