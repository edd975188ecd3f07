// The signed-in staff member (Pinia setup store).
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useAuthApi, type Me, type TenantOption } from './useAuthApi'

export type SessionState = 'unknown' | 'signed-in' | 'signed-out'

const RANK = { viewer: 0, agent: 1, admin: 2, owner: 3 } as const

export const useSessionStore = defineStore('session', () => {
  const auth = useAuthApi()
  const me = ref<Me | null>(null)
  const state = ref<SessionState>('unknown')
  const expired = ref(false)

  const canAct = computed(() => (me.value ? RANK[me.value.role] >= RANK.agent : false))
  /** Admins and owners: settings, channels, jobs, the audit log and users. */
  const canAdmin = computed(() => (me.value ? RANK[me.value.role] >= RANK.admin : false))

  /** Ask the server who we are (the cookie may still be valid from an earlier visit). */
  async function restore(): Promise<void> {
    me.value = await auth.me()
    state.value = me.value ? 'signed-in' : 'signed-out'
  }

  /** The tenants (slug and name) the last sign-in must choose from: null unless the server asked; empty
   * if it asked without naming them (the form then takes a slug typed in). */
  const tenantChoice = ref<TenantOption[] | null>(null)

  async function login(email: string, password: string, tenant?: string): Promise<string | null> {
    const result = await auth.login(email, password, tenant || undefined)
    if (result.error !== undefined) {
      tenantChoice.value = result.tenants ?? null
      return result.error
    }
    tenantChoice.value = null
    await restore()
    expired.value = false
    return me.value ? null : 'Signed in, but the session cookie was refused (see FRONTDESK_COOKIE_SECURE).'
  }

  async function logout(): Promise<void> {
    await auth.logout()
    me.value = null
    state.value = 'signed-out'
  }

  /** The server refused the session (expired, signed out elsewhere, disabled). */
  function ended(): void {
    if (state.value === 'signed-in') expired.value = true
    me.value = null
    state.value = 'signed-out'
  }

  return { me, state, expired, tenantChoice, canAct, canAdmin, restore, login, logout, ended }
})
