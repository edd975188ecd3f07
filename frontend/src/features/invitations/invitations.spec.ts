import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { installFakeHttp } from '@/shared/testing/fakeHttp'

const http = installFakeHttp()
const { default: InvitationsBanner } = await import('./InvitationsBanner.vue')

const invitation = (id: number, slug: string) => ({
  id, tenant: { slug, name: slug.toUpperCase(), role: 'agent' }, invited_by: `owner@${slug}.example`,
  created_at: '2026-11-24T09:00:00Z', expires_at: '2026-12-01T09:00:00Z',
})

beforeEach(() => {
  setActivePinia(createPinia())
  http.reset()
})

describe('your invitations', () => {
  it('shows nothing when there are none', async () => {
    http.on('GET', '/api/v1/invitations', { status: 200, body: { items: [] } })
    const wrapper = mount(InvitationsBanner)
    await flushPromises()
    expect(wrapper.find('[data-testid="my-invitations"]').exists()).toBe(false)
  })

  it('asks for the code on Accept, and accepts one and declines another, each by its own call', async () => {
    http.on('GET', '/api/v1/invitations', { status: 200, body: { items: [invitation(7, 'rival'), invitation(8, 'other')] } })
    http.on('POST', '/api/v1/invitations/7/accept', { status: 200, body: { slug: 'rival', name: 'RIVAL', role: 'agent' } })
    http.on('POST', '/api/v1/invitations/8/decline', { status: 204 })
    const wrapper = mount(InvitationsBanner)
    await flushPromises()
    const row = (slug: string) => wrapper.get(`[data-invitation="${slug}"]`)
    expect(row('rival').text()).toContain('RIVAL invites you to join as agent (owner@rival.example)')
    await row('rival').findAll('button').find((b) => b.text() === 'Accept')!.trigger('click')
    expect(http.calls.some((c) => c.method === 'POST')).toBe(false) // not without the code
    const join = () => row('rival').findAll('button').find((b) => b.text() === 'Join')!
    expect(join().attributes('disabled')).toBeDefined()
    await row('rival').get('input[name="code"]').setValue(' the-code-from-rival ')
    await row('rival').get('form').trigger('submit')
    await flushPromises()
    expect(http.calls.find((c) => c.method === 'POST')!.body).toEqual({ code: 'the-code-from-rival' })
    expect(wrapper.get('[role="status"]').text()).toContain('You joined RIVAL as agent')
    await row('other').findAll('button').find((b) => b.text() === 'Decline')!.trigger('click')
    await flushPromises()
    expect(http.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/api/v1/invitations/7/accept',
      '/api/v1/invitations/8/decline',
    ])
    expect(wrapper.findAll('[data-invitation]')).toHaveLength(0)
  })

  it('says a refused code may be wrong, keeps the form, and looks again (wrong codes cancel it)', async () => {
    http.on('GET', '/api/v1/invitations', { status: 200, body: { items: [invitation(7, 'rival')] } })
    http.on('POST', '/api/v1/invitations/7/accept', { status: 404, body: { detail: 'invitation 7 not found' } })
    const wrapper = mount(InvitationsBanner)
    await flushPromises()
    await wrapper.get('[data-invitation="rival"] button').trigger('click')
    await wrapper.get('input[name="code"]').setValue('a-wrong-code')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[role="status"]').text()).toBe(
      'RIVAL: that code is wrong, or the invitation is no longer valid. Check the code with owner@rival.example.',
    )
    expect(wrapper.find('input[name="code"]').exists()).toBe(true)
    expect(http.calls.filter((c) => c.method === 'GET')).toHaveLength(2)
  })

  it('shows any other refusal as the server says it', async () => {
    http.on('GET', '/api/v1/invitations', { status: 200, body: { items: [invitation(7, 'rival')] } })
    http.on('POST', '/api/v1/invitations/7/accept', { status: 409, body: { detail: 'you are already a member of that tenant' } })
    const wrapper = mount(InvitationsBanner)
    await flushPromises()
    await wrapper.get('[data-invitation="rival"] button').trigger('click')
    await wrapper.get('input[name="code"]').setValue('the-code')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[role="status"]').text()).toBe('RIVAL: you are already a member of that tenant')
    expect(wrapper.findAll('[data-invitation]')).toHaveLength(1)
  })
})
