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

  /** Accept (with the invitation's code) or decline (`code` null); whether it is done. */
  async function answer(invitation: MyInvitation, code: string | null): Promise<boolean> {
    const { slug, name, role } = invitation.tenant
    const accept = code !== null
    const result = accept ? await invitationsApi.accept(invitation.id, code.trim()) : await invitationsApi.decline(invitation.id)
    if (result.error !== undefined) {
      // A wrong code is answered like a gone invitation (404); five wrong codes cancel it, so look again.
      const wrong = accept && result.status === 404
      notice.value = {
        text: wrong ? `${name}: that code is wrong, or the invitation is no longer valid. Check the code with ${invitation.invited_by}.` : `${name}: ${result.error}`,
        tone: 'error',
      }
      if (wrong) await load()
      return false
    }
    items.value = items.value.filter((i) => i.id !== invitation.id)
    notice.value = accept
      ? { text: `You joined ${name} as ${role}. To work there, sign out and sign in to “${slug}”.`, tone: 'ok' }
      : { text: `You declined ${name}'s invitation.`, tone: 'ok' }
    return true
  }

  return {
    items, notice, load,
    accept: (i: MyInvitation, code: string) => answer(i, code),
    decline: (i: MyInvitation) => answer(i, null),
  }
})
