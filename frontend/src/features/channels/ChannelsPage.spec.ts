import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { installFakeHttp, startFakeLive } from '@/shared/testing/fakeHttp'
import { staffMember } from '@/shared/testing/staff'
import { bridge, channel } from './fixtures'

const http = installFakeHttp()
const { useSessionStore } = await import('@/features/auth/session')
const { default: ChannelsPage } = await import('./ChannelsPage.vue')

const page = (items: object[]) => ({ status: 200, body: { items, total: items.length, limit: 200, offset: 0 } })

describe('the Channels page', () => {
  let live: Awaited<ReturnType<typeof startFakeLive>>
  beforeEach(async () => {
    setActivePinia(createPinia())
    http.reset()
    useSessionStore().me = staffMember('owner')
    http.on('GET', '/api/v1/channels', page([channel()]))
    http.on('GET', '/api/v1/team', { status: 200, body: { version: 2 } })
    live = await startFakeLive()
  })
  afterEach(() => live.stop())

  it('connects a number by QR, and turns into "Connected as +…" when the phone scans (live)', async () => {
    const wrapper = mount(ChannelsPage)
    await flushPromises()
    expect(wrapper.get('tr[data-channel-id="1"]').text()).toContain('Cloud API')
    await wrapper.get('[data-testid="channel-add"]').trigger('click')
    await wrapper.get('input[type="radio"][value="wa_bridge"]').setValue(true)
    await wrapper.get('[data-testid="channel-name"]').setValue('Shop')
    http.on('POST', '/api/v1/channels', { status: 201, body: bridge() })
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(http.calls.at(-1)).toMatchObject({ method: 'POST', body: { kind: 'wa_bridge', name: 'Shop', groups: false } })
    expect(wrapper.get('[data-testid="bridge-qr"]').attributes('alt')).toContain('QR code to link Shop')
    expect(wrapper.get('tr[data-channel-id="7"]').text()).toContain('Waiting for the QR code to be scanned')

    const linked = bridge({ status: 'connected', qr: null, qr_expires_at: null, display_phone_number: '447700900555', profile_name: 'Lumen Shop' })
    http.on('GET', '/api/v1/channels/7', { status: 200, body: linked })
    live.emit({ id: 5, type: 'channel.status', created_at: '', payload: { channel_id: 7, status: 'connected' } })
    await flushPromises()
    expect(wrapper.get('[data-testid="bridge-status"]').text()).toBe('Connected as +447700900555 (Lumen Shop)')
    expect(wrapper.find('[data-testid="bridge-qr"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="channel-test"]').exists()).toBe(false) // its link is the status above
    wrapper.unmount()
  })

  it('lists a disconnected number above the table; Reconnect shows its new QR in the same panel', async () => {
    const broken = bridge({ status: 'disconnected', qr: null, status_detail: 'logged out on the phone', display_phone_number: '447700900555' })
    http.on('GET', '/api/v1/channels', page([channel(), broken]))
    const wrapper = mount(ChannelsPage)
    await flushPromises()
    const alert = wrapper.get('[data-testid="channels-disconnected"]')
    expect(alert.text()).toContain('A number is disconnected')
    await alert.get('button').trigger('click')
    expect(wrapper.get('[data-testid="bridge-status"]').text()).toBe('Disconnected: logged out on the phone')
    http.on('POST', '/api/v1/channels/7/reconnect', { status: 200, body: bridge({ qr: '2@fresh' }) })
    await wrapper.get('[data-testid="bridge-reconnect"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="bridge-qr"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="channels-disconnected"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="channel-notice"]').text()).toContain('Scan the new QR code')
    wrapper.unmount()
  })

  it('shows each number’s team and offers the saved versions', async () => {
    http.on('GET', '/api/v1/channels', page([channel({ team_version: 1 })]))
    const wrapper = mount(ChannelsPage)
    await flushPromises()
    expect(wrapper.get('tr[data-channel-id="1"]').text()).toContain('Version 1')
    const options = wrapper.findAll('[data-testid="channel-team-version"] option').map((o) => o.text())
    expect(options).toHaveLength(4) // the current team, versions 2, 1 and 0 (the team file)
    wrapper.unmount()
  })
})
