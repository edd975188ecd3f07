// The dev-only phone simulator (`/_dev/simulator`, mounted by `frontdesk serve --fake-graph`) and the
// contacts it can play.
import { api, simulatorApi } from '@/shared/api/client'
import type { components } from '@/shared/api/simulator-schema'

export type PhoneMessage = components['schemas']['PhoneMessageOut']
export type Choice = components['schemas']['ChoiceOut']
export interface Customer {
  wa_id: string
  name: string | null
}

export function useSimulatorApi() {
  async function chat(waId: string): Promise<PhoneMessage[] | null> {
    const { data } = await simulatorApi.GET('/messages', { params: { query: { wa_id: waId } } })
    return data?.messages ?? null
  }

  async function send(customer: Customer, what: { text: string } | { choice: Choice }): Promise<string | null> {
    const { data, response } = await simulatorApi.POST('/messages', {
      body: { wa_id: customer.wa_id, name: customer.name, ...what },
    })
    if (response.status === 404) return 'The simulator needs `frontdesk serve --fake-graph` (dev only).'
    if (!data) return `The message was refused (${response.status}).`
    return data.http_status === 200 ? null : `Frontdesk refused the webhook (${data.http_status}).`
  }

  async function customers(): Promise<Customer[]> {
    const { data } = await api.GET('/api/v1/contacts', { params: { query: { limit: 50 } } })
    return (data?.items ?? [])
      .filter((c) => /^\d+$/.test(c.wa_id))
      .map((c) => ({ wa_id: c.wa_id, name: c.name ?? null }))
  }

  return { chat, send, customers }
}
