import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { installFakeHttp } from '@/shared/testing/fakeHttp'
import { staffMember } from '@/shared/testing/staff'

const http = installFakeHttp()
const { useSessionStore } = await import('@/features/auth/session')
const { default: TenantSwitcher } = await import('./TenantSwitcher.vue')

const lumen = { slug: 'lumen', name: 'Lumen Home', role: 'owner' as const }
const bikes = { slug: 'bikes', name: 'Spoke & Chain', role: 'agent' as const }

beforeEach(() => {
  setActivePinia(createPinia())
  http.reset()
})

describe('the tenant switcher', () => {
  it('shows nothing to staff of one business', () => {
    useSessionStore().me = staffMember('owner')
    const wrapper = mount(TenantSwitcher)
    expect(wrapper.find('select').exists()).toBe(false)
    expect(wrapper.text()).toBe('')
  })

  it('switches to another of the account’s tenants, then asks the shell to reload', async () => {
    useSessionStore().me = staffMember('owner', { tenants: [lumen, bikes] })
    http.on('POST', '/api/v1/auth/switch', { status: 200, body: { csrf_token: 'c2', tenant: bikes } })
    const wrapper = mount(TenantSwitcher)
    const select = wrapper.get<HTMLSelectElement>('[data-testid="tenant-switch"]')
    expect(select.element.value).toBe('lumen')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['Lumen Home (owner)', 'Spoke & Chain (agent)'])
    await select.setValue('bikes')
    await flushPromises()
    expect(http.calls[0]!.body).toEqual({ tenant: 'bikes', mode: 'cookie' })
    expect(wrapper.emitted('switched')).toEqual([['bikes']])
  })

  it('stays in the tenant and says why when the switch is refused', async () => {
    useSessionStore().me = staffMember('owner', { tenants: [lumen, bikes] })
    http.on('POST', '/api/v1/auth/switch', { status: 403, body: { detail: 'this business is disabled' } })
    const wrapper = mount(TenantSwitcher)
    const select = wrapper.get<HTMLSelectElement>('[data-testid="tenant-switch"]')
    await select.setValue('bikes')
    await flushPromises()
    expect(wrapper.emitted('switched')).toBeUndefined()
    expect(select.element.value).toBe('lumen')
    expect(wrapper.get('[data-testid="tenant-switch-error"]').text()).toBe('That business is disabled.')
  })
})
