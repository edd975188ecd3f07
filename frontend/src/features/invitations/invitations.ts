// Invitations to the signed-in person (Pinia setup store): a tenant joins your list only when you accept.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Notice } from '@/shared/api/result'
import { useInvitationsApi, type MyInvitation } from './useInvitationsApi'

export const useInvitationsStore = defineStore('invitations', () => {
  const invitationsApi = useInvitationsApi()
  const items = ref<MyInvitation[]>([])
  const notice = ref<Notice | null>(null)

  async function load(): Promise<void> {
    items.value = await invitationsApi.mine()
  }

  async function answer(invitation: MyInvitation, accept: boolean): Promise<void> {
    const { slug, name, role } = invitation.tenant
    const result = accept ? await invitationsApi.accept(invitation.id) : await invitationsApi.decline(invitation.id)
    if (result.error !== undefined) {
      notice.value = { text: `${name}: ${result.error}`, tone: 'error' }
      return
    }
    items.value = items.value.filter((i) => i.id !== invitation.id)
    notice.value = accept
      ? { text: `You joined ${name} as ${role}. To work there, sign out and sign in to “${slug}”.`, tone: 'ok' }
      : { text: `You declined ${name}'s invitation.`, tone: 'ok' }
  }

  return { items, notice, load, accept: (i: MyInvitation) => answer(i, true), decline: (i: MyInvitation) => answer(i, false) }
})
