// The tenant's WhatsApp numbers (Pinia setup store). Each number's latest connection test comes from the
// API (`last_test`, whoever ran it); a test run here also keeps Graph's full answer for the detail panel.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Notice, Result } from '@/shared/api/result'
import { useChannelsApi, type Channel, type ChannelIn, type ChannelPatch, type ConnectionTest } from './useChannelsApi'

/** A test's outcome: Graph's answer (ok or its error), or why the request itself failed. */
export type TestOutcome = { at: string; result?: ConnectionTest; error?: string }

export const useChannelsStore = defineStore('channels', () => {
  const channelsApi = useChannelsApi()
  const items = ref<Channel[]>([])
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<string | null>(null)
  const selectedId = ref<number | null>(null)
  const busy = ref(false)
  const testing = ref<number | null>(null)
  const notice = ref<Notice | null>(null)
  /** Graph's full answers to the tests run on this page (the API keeps only ok/error and when). */
  const tests = ref<Record<number, TestOutcome>>({})

  const selected = computed(() => items.value.find((c) => c.id === selectedId.value) ?? null)

  async function load(): Promise<void> {
    loading.value = true
    const result = await channelsApi.list()
    loading.value = false
    loaded.value = true
    error.value = result.error ?? null
    if (result.data) items.value = result.data
    if (selectedId.value === null && items.value.length) selectedId.value = items.value[0]!.id
  }

  function select(id: number | null): void {
    selectedId.value = id
    notice.value = null
  }

  function put(channel: Channel): void {
    const known = items.value.some((c) => c.id === channel.id)
    items.value = known ? items.value.map((c) => (c.id === channel.id ? channel : c)) : [...items.value, channel]
  }

  async function write(request: () => Promise<Result<Channel>>, done: string): Promise<Channel | null> {
    busy.value = true
    const result = await request()
    busy.value = false
    notice.value = result.data ? { tone: 'ok', text: done } : { tone: 'error', text: result.error ?? 'Failed' }
    if (result.data) put(result.data)
    return result.data ?? null
  }

  async function create(body: ChannelIn): Promise<Channel | null> {
    const channel = await write(() => channelsApi.create(body), 'Number added. Now paste the webhook URL and verify token into Meta.')
    if (channel) selectedId.value = channel.id
    return channel
  }

  async function update(id: number, body: ChannelPatch): Promise<boolean> {
    return (await write(() => channelsApi.update(id, body), 'Saved.')) !== null
  }

  async function setEnabled(id: number, enabled: boolean): Promise<void> {
    const done = enabled ? 'Enabled: the number is served again.' : 'Disabled: its webhooks are ignored until you enable it.'
    await write(() => channelsApi.setEnabled(id, enabled), done)
  }

  async function test(id: number): Promise<void> {
    testing.value = id
    const result = await channelsApi.test(id)
    testing.value = null
    const at = new Date().toISOString()
    tests.value = { ...tests.value, [id]: result.data ? { at, result: result.data } : { at, error: result.error } }
    // The server recorded the outcome on the number: show its record (time and error) in the list.
    if (result.data) {
      const fresh = await channelsApi.get(id)
      if (fresh.data) put(fresh.data)
    }
  }

  return { items, loading, loaded, error, selectedId, selected, busy, testing, notice, tests, load, select, create, update, setEnabled, test }
})
