import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { installFakeHttp } from '@/shared/testing/fakeHttp'
import { staffMember } from '@/shared/testing/staff'

const http = installFakeHttp()
const { grantable, mayManage, useUsersStore } = await import('./users')
const { useSessionStore } = await import('@/features/auth/session')
const { default: UsersPage } = await import('./UsersPage.vue')

type Role = 'owner' | 'admin' | 'agent' | 'viewer'
const member = (id: number, email: string, role: Role, disabled = false) => ({
  id, email, name: '', role, disabled, created_at: '2026-11-24T09:00:00Z',
  last_login_at: id === 3 ? null : '2026-11-20T08:30:00Z',
})
const invitation = (id: number, email: string, expired = false) => ({
  id, email, role: 'viewer' as Role, invited_by: 'owner@lumen.example', created_at: '2026-11-24T09:00:00Z',
  expires_at: '2026-12-01T09:00:00Z', expired,
})
const staff = [member(1, 'owner@lumen.example', 'owner'), member(2, 'admin@lumen.example', 'admin'), member(3, 'sam@lumen.example', 'agent')]

beforeEach(() => {
  setActivePinia(createPinia())
  http.reset()
  http.on('GET', '/api/v1/users', { status: 200, body: { items: staff, total: 3, limit: 200, offset: 0 } })
})

describe('the users rules', () => {
  it('mirror the server: nobody manages themselves, only owners manage owners', () => {
    const admin = { id: 2, role: 'admin' as const }
    expect(mayManage(admin, staff[0]!)).toBe(false)
    expect(mayManage(admin, staff[1]!)).toBe(false)
    expect(mayManage(admin, staff[2]!)).toBe(true)
    expect(mayManage({ id: 1, role: 'owner' }, staff[1]!)).toBe(true)
    expect(grantable(admin)).toEqual(['admin', 'agent', 'viewer'])
    expect(grantable({ role: 'agent' })).toEqual([])
  })
})

describe('the users store', () => {
  it('invites someone, and says the same whether or not they have an account', async () => {
    http.on('POST', '/api/v1/users', ({ body }) => ({ status: 202, body: { ...invitation(7, (body as { email: string }).email), code: 'one-time-code' } }))
    const users = useUsersStore()
    await users.load()
    const notices: string[] = []
    for (const email of [' bea@lumen.example ', 'vic@rival.example']) {
      const refused = await users.add({ email, name: 'Bea', role: 'viewer', password: 'a long passphrase' })
      expect(refused).toBeNull()
      notices.push(users.notice!.text.replace(email.trim(), 'X'))
    }
    expect(http.calls.find((c) => c.method === 'POST')!.body).toEqual({ email: 'bea@lumen.example', name: 'Bea', role: 'viewer', password: 'a long passphrase' })
    expect(notices[0]).toBe(notices[1])
    expect(notices[0]).toContain('X is invited as viewer')
    expect(users.members.map((m) => m.id)).toEqual([1, 2, 3]) // nobody joins before accepting
    expect(users.invitations.map((i) => i.email)).toEqual(['vic@rival.example'])
    expect(users.invitations[0]).not.toHaveProperty('code') // the code lives only in the one answer
    expect(users.code).toEqual({ email: 'vic@rival.example', code: 'one-time-code' })
  })

  it('cancels an invitation', async () => {
    http.on('GET', '/api/v1/users/invitations', { status: 200, body: { items: [invitation(7, 'bea@lumen.example')] } })
    http.on('DELETE', '/api/v1/users/invitations/7', { status: 204 })
    const users = useUsersStore()
    await users.load()
    await flushPromises()
    expect(await users.cancel(users.invitations[0]!)).toBe(true)
    expect(users.invitations).toEqual([])
    expect(users.notice?.text).toBe('The invitation to bea@lumen.example was cancelled.')
  })

  it('puts the server’s validation messages on the fields', async () => {
    http.on('POST', '/api/v1/users', {
      status: 422,
      body: { detail: [{ loc: ['body', 'email'], msg: 'String should match pattern', type: 'x' }, { loc: ['body', 'password'], msg: 'too short', type: 'y' }] },
    })
    const users = useUsersStore()
    const refused = await users.add({ email: 'nope', name: '', role: 'agent', password: 'short' })
    expect(refused?.fields).toEqual({ email: 'String should match pattern', password: 'too short' })
  })

  it('shows a 409 on the e-mail and a 403 as a message', async () => {
    const users = useUsersStore()
    http.on('POST', '/api/v1/users', { status: 409, body: { detail: 'that person is already a member of this tenant' } })
    expect((await users.add({ email: 'sam@lumen.example', name: '', role: 'agent', password: 'a long passphrase' }))?.fields)
      .toEqual({ email: 'that person is already a member of this tenant' })
    http.on('POST', '/api/v1/users', { status: 403, body: { detail: 'only an owner may make or change an owner' } })
    const refused = await users.add({ email: 'x@lumen.example', name: '', role: 'owner', password: 'a long passphrase' })
    expect(refused).toMatchObject({ status: 403, fields: {}, error: 'only an owner may make or change an owner' })
  })

  it('changes a role and disables, and reports a refusal', async () => {
    http.on('PATCH', '/api/v1/users/3', ({ body }) => ({ status: 200, body: { ...staff[2], ...(body as object) } }))
    const users = useUsersStore()
    await users.load()
    expect(await users.setRole(users.members[2]!, 'admin')).toBe(true)
    expect(users.members[2]!.role).toBe('admin')
    expect(await users.setDisabled(users.members[2]!, true)).toBe(true)
    expect(users.notice?.text).toBe('sam@lumen.example was disabled and signed out.')
    http.on('PATCH', '/api/v1/users/3', { status: 409, body: { detail: 'you cannot change your own role or disable yourself' } })
    expect(await users.setDisabled(users.members[2]!, false)).toBe(false)
    expect(users.notice).toEqual({ text: 'sam@lumen.example: you cannot change your own role or disable yourself', tone: 'error' })
  })
})

describe('the users page', () => {
  it('offers an admin only what the server allows, and confirms before disabling', async () => {
    useSessionStore().me = staffMember('admin', { id: 2 })
    http.on('PATCH', '/api/v1/users/3', { status: 200, body: member(3, 'sam@lumen.example', 'agent', true) })
    const wrapper = mount(UsersPage)
    await flushPromises()
    const row = (email: string) => wrapper.get(`[data-user="${email}"]`)
    expect(row('owner@lumen.example').find('select').exists()).toBe(false)
    expect(row('admin@lumen.example').text()).toContain('(you)')
    expect(row('admin@lumen.example').find('button').exists()).toBe(false)
    expect(row('sam@lumen.example').findAll('option').map((o) => o.text())).toEqual(['admin', 'agent', 'viewer'])
    expect(row('sam@lumen.example').get('[data-col="last-login"]').text()).toBe('Never')
    const signedIn = row('owner@lumen.example').get('[data-col="last-login"]')
    expect(signedIn.attributes('title')).toBe('2026-11-20T08:30:00Z')
    expect(signedIn.text()).not.toBe('Never')

    await row('sam@lumen.example').findAll('button').find((b) => b.text() === 'Disable')!.trigger('click')
    expect(http.calls.some((c) => c.method === 'PATCH')).toBe(false)
    await row('sam@lumen.example').findAll('button').find((b) => b.text() === 'Yes, disable')!.trigger('click')
    await flushPromises()
    expect(http.calls.find((c) => c.method === 'PATCH')!.body).toEqual({ disabled: true })
    expect(row('sam@lumen.example').text()).toContain('Disabled')
  })

  it('lists the invitations waiting for an answer', async () => {
    useSessionStore().me = staffMember('owner')
    http.on('GET', '/api/v1/users/invitations', {
      status: 200,
      body: { items: [invitation(8, 'new@lumen.example'), invitation(7, 'old@lumen.example', true)] },
    })
    const wrapper = mount(UsersPage)
    await flushPromises()
    const rows = wrapper.get('[data-testid="invitations-table"]')
    expect(rows.get('[data-invitation="new@lumen.example"]').text()).toContain('owner@lumen.example')
    expect(rows.get('[data-invitation="old@lumen.example"]').text()).toContain('Expired')
    expect(rows.get('[data-invitation="old@lumen.example"] button').text()).toBe('Remove')
  })

  it('shows the invitation’s code once, with a copy button, until Done', async () => {
    useSessionStore().me = staffMember('owner')
    http.on('POST', '/api/v1/users', { status: 202, body: { ...invitation(9, 'new@lumen.example'), code: 'q0mX3fJ8c1vT9bYzL2wKpA' } })
    const wrapper = mount(UsersPage)
    await flushPromises()
    expect(wrapper.find('[data-testid="invitation-code"]').exists()).toBe(false)
    const form = wrapper.get('[data-testid="user-add"]')
    await form.get('input[name="email"]').setValue('new@lumen.example')
    await form.get('input[name="password"]').setValue('a long passphrase')
    await form.trigger('submit')
    await flushPromises()
    const shown = wrapper.get('[data-testid="invitation-code"]')
    expect(shown.text()).toContain('Invitation code for new@lumen.example')
    expect(shown.text()).toContain('Give this to the person; it is shown once.')
    expect((shown.get('[data-testid="invitation-code-value"]').element as HTMLInputElement).value).toBe('q0mX3fJ8c1vT9bYzL2wKpA')
    expect(shown.find('[data-testid="invitation-code-copy"]').exists()).toBe(true)
    expect(wrapper.get('[data-testid="invitations-table"]').text()).not.toContain('q0mX3fJ8c1vT9bYzL2wKpA')
    await shown.findAll('button').find((b) => b.text() === 'Done')!.trigger('click')
    expect(wrapper.find('[data-testid="invitation-code"]').exists()).toBe(false)
  })

  it('shows field errors from the server next to the fields', async () => {
    useSessionStore().me = staffMember('owner')
    http.on('POST', '/api/v1/users', { status: 400, body: { detail: 'a password needs 10 to 256 characters' } })
    const wrapper = mount(UsersPage)
    await flushPromises()
    const form = wrapper.get('[data-testid="user-add"]')
    await form.get('input[name="email"]').setValue('new@lumen.example')
    await form.get('input[name="password"]').setValue('x')
    await form.trigger('submit')
    await flushPromises()
    expect(form.get('#user-password-error').text()).toBe('a password needs 10 to 256 characters')
    expect(form.get('input[name="password"]').attributes('aria-invalid')).toBe('true')
  })
})
