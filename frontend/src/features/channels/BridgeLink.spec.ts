import { mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import BridgeLink from './BridgeLink.vue'
import { bridge } from './fixtures'

const START = Date.parse('2026-12-07T10:00:00Z')

describe('the phone link of a QR-linked number', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(START)
  })
  afterEach(() => vi.useRealTimers())

  it('shows the QR with a label and a countdown that is never announced', async () => {
    const wrapper = mount(BridgeLink, { props: { channel: bridge(), busy: false } })
    const img = wrapper.get('[data-testid="bridge-qr"]')
    expect(img.attributes('src')).toMatch(/^data:image\/svg\+xml,/)
    expect(img.attributes('alt')).toContain('QR code to link Shop')
    expect(wrapper.get('[role="status"]').text()).toBe('Waiting for the QR code to be scanned')
    const countdown = wrapper.get('[data-testid="qr-countdown"]')
    expect(countdown.text()).toBe('A new code comes in 1:00.')
    expect(countdown.attributes('role')).toBeUndefined()
    expect(countdown.attributes('aria-live')).toBeUndefined()
    expect(countdown.element.closest('[role="status"], [aria-live]')).toBeNull()
    await vi.advanceTimersByTimeAsync(15_000)
    expect(countdown.text()).toBe('A new code comes in 0:45.')
  })

  it('asks for a new QR when it expires, not every second after, and counts again from the new one', async () => {
    const wrapper = mount(BridgeLink, { props: { channel: bridge(), busy: false } })
    await vi.advanceTimersByTimeAsync(59_000)
    expect(wrapper.emitted('refresh')).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(wrapper.emitted('refresh')).toHaveLength(1)
    expect(wrapper.get('[data-testid="qr-countdown"]').text()).toBe('Getting a new code…')
    await vi.advanceTimersByTimeAsync(3_000)
    expect(wrapper.emitted('refresh')).toHaveLength(1) // the bridge may be slow: no flood of requests
    await vi.advanceTimersByTimeAsync(2_000)
    expect(wrapper.emitted('refresh')).toHaveLength(2)
    await wrapper.setProps({ channel: bridge({ qr: '2@next', qr_expires_at: '2026-12-07T10:02:05Z' }) })
    await vi.advanceTimersByTimeAsync(1_000)
    expect(wrapper.get('[data-testid="qr-countdown"]').text()).toBe('A new code comes in 0:59.')
  })

  it('asks for a new QR by keyboard too', async () => {
    const wrapper = mount(BridgeLink, { props: { channel: bridge(), busy: false } })
    await wrapper.get('button').trigger('click')
    expect(wrapper.get('button').text()).toBe('New code now')
    expect(wrapper.emitted('refresh')).toHaveLength(1)
  })

  it('shows zapw’s PNG as it came', () => {
    const png = 'data:image/png;base64,iVBORw0KGgo='
    const wrapper = mount(BridgeLink, { props: { channel: bridge({ qr: png }), busy: false } })
    expect(wrapper.get('[data-testid="bridge-qr"]').attributes('src')).toBe(png)
  })

  it('turns into "Connected as +…" once the phone linked; disconnecting asks first', async () => {
    const wrapper = mount(BridgeLink, { props: { channel: bridge(), busy: false } })
    await wrapper.setProps({ channel: bridge({ status: 'connected', qr: null, display_phone_number: '447700900555', profile_name: 'Lumen Shop' }) })
    expect(wrapper.get('[role="status"]').text()).toBe('Connected as +447700900555 (Lumen Shop)')
    expect(wrapper.find('[data-testid="bridge-qr"]').exists()).toBe(false)
    await wrapper.get('[data-testid="bridge-disconnect"]').trigger('click')
    expect(wrapper.emitted('disconnect')).toBeUndefined()
    await wrapper.get('[data-testid="bridge-disconnect-confirm"]').trigger('click')
    expect(wrapper.emitted('disconnect')).toHaveLength(1)
  })

  it('says why it disconnected and offers Reconnect', async () => {
    const channel = bridge({ status: 'disconnected', qr: null, status_detail: 'logged out on the phone' })
    const wrapper = mount(BridgeLink, { props: { channel, busy: false } })
    expect(wrapper.get('[role="status"]').text()).toBe('Disconnected: logged out on the phone')
    await wrapper.get('[data-testid="bridge-reconnect"]').trigger('click')
    expect(wrapper.emitted('reconnect')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(120_000)
    expect(wrapper.emitted('refresh')).toBeUndefined() // no QR, nothing to refresh
  })

  it('reads a waiting number again for its QR when it came without one (lists carry none)', async () => {
    const wrapper = mount(BridgeLink, { props: { channel: bridge({ qr: null, qr_expires_at: null }), busy: false } })
    expect(wrapper.emitted('refresh')).toHaveLength(1)
    expect(wrapper.find('[data-testid="bridge-qr"]').exists()).toBe(false)
    await wrapper.setProps({ channel: bridge() })
    expect(wrapper.find('[data-testid="bridge-qr"]').exists()).toBe(true)
    expect(wrapper.emitted('refresh')).toHaveLength(1)
  })
})
