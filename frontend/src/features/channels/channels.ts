// The tenant's WhatsApp numbers (Pinia setup store). Each number's latest connection test comes from the
// API (`last_test`, whoever ran it); a test run here also keeps Graph's full answer for the detail panel.
// A QR-linked number's link changes arrive live (`channel.status`): the number is read again, so the
// page shows "Connected as +…" (or the QR, or why it disconnected) as the bridge reports it.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { onLiveEvent, type LiveEvent } from '@/shared/api/live'
import type { Notice, Result } from '@/shared/api/result'
import { useChannelsApi, type Channel, type ChannelIn, type ChannelPatch, type ConnectionTest } from './useChannelsApi'

/** A test's outcome: Graph's answer (ok or its error), or why the request itself failed. */
export type TestOutcome = { at: string; result?: ConnectionTest; error?: string }

const ADDED = {
  whatsapp_cloud: 'Number added. Now paste the webhook URL and verify token into Meta.',
  wa_bridge: 'Number added. Scan the QR code with the phone to link it.',
  aws_social: 'Number added. Its messages arrive through the SNS topic the server subscribes to.',
} as const

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

  /** The team versions a number can be given, newest first: those saved here, and 0 (the team file). */
  const teamVersions = ref<number[]>([])

  const selected = computed(() => items.value.find((c) => c.id === selectedId.value) ?? null)

  async function load(): Promise<void> {
    loading.value = true
    const [result, team] = await Promise.all([channelsApi.list(), channelsApi.teamVersion()])
    if (team.data !== undefined) teamVersions.value = Array.from({ length: team.data + 1 }, (_, i) => team.data - i)
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
    const channel = await write(() => channelsApi.create(body), ADDED[body.kind])
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

  /** Read one number again (its status, and a fresh QR while waiting for the phone). */
  async function refresh(id: number): Promise<void> {
    const result = await channelsApi.get(id)
    if (result.data) put(result.data)
  }

  /** Bridge: a new session for the number (its QR shows in the same panel), or end the session. */
  async function link(id: number, action: 'reconnect' | 'disconnect'): Promise<void> {
    const done = action === 'reconnect' ? 'Scan the new QR code with the phone.' : 'Disconnected: the number stays, reconnect it any time.'
    await write(() => channelsApi.link(id, action), done)
  }

  function onEvent(event: LiveEvent): void {
    if (event.type === 'resync') void load()
    if (event.type !== 'channel.status') return
    const id = event.payload.channel_id
    if (typeof id === 'number') void refresh(id)
  }

  let stopLive: (() => void) | null = null
  function startLive(): void {
    stopLive ??= onLiveEvent(onEvent)
  }
  function endLive(): void {
    stopLive?.()
    stopLive = null
  }

  async function test(id: number): Promise<void> {
    testing.value = id
    const result = await channelsApi.test(id)
    testing.value = null
    const at = new Date().toISOString()
    tests.value = { ...tests.value, [id]: result.data ? { at, result: result.data } : { at, error: result.error } }
    // The server recorded the outcome on the number: show its record (time and error) in the list.
    if (result.data) await refresh(id)
  }

  return {
    items, loading, loaded, error, selectedId, selected, busy, testing, notice, tests, teamVersions,
    load, select, create, update, setEnabled, test, refresh, link, startLive, endLive,
  }
})
