// The phone simulator (Pinia setup store): who the customer is and their side of the chat.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useSimulatorApi, type Choice, type Customer, type PhoneMessage } from './useSimulatorApi'

const POLL_MS = 800

export const usePhoneStore = defineStore('phone', () => {
  const simulator = useSimulatorApi()
  const customer = ref<Customer>({ wa_id: '447700900101', name: 'Amelia Clarke' })
  const customers = ref<Customer[]>([])
  const messages = ref<PhoneMessage[]>([])
  const error = ref<string | null>(null)
  const available = ref(true)
  let timer: ReturnType<typeof setInterval> | null = null
  let users = 0

  async function refresh(): Promise<void> {
    const chat = await simulator.chat(customer.value.wa_id)
    available.value = chat !== null
    if (chat) messages.value = chat
  }

  async function send(what: { text: string } | { choice: Choice }): Promise<void> {
    error.value = await simulator.send(customer.value, what)
    await refresh()
  }

  async function choose(waId: string): Promise<void> {
    customer.value = customers.value.find((c) => c.wa_id === waId) ?? { wa_id: waId, name: null }
    messages.value = []
    await refresh()
  }

  /** Start polling while a phone panel is on screen (counted, so two panels share one poll). */
  function attach(): void {
    users += 1
    if (timer) return
    void refresh()
    void simulator.customers().then((list) => {
      customers.value = list
      const current = list.find((c) => c.wa_id === customer.value.wa_id)
      if (current) customer.value = current
    })
    timer = setInterval(() => void refresh(), POLL_MS)
  }

  function detach(): void {
    users = Math.max(0, users - 1)
    if (users === 0 && timer) {
      clearInterval(timer)
      timer = null
    }
  }

  return { customer, customers, messages, error, available, send, choose, attach, detach, refresh }
})
