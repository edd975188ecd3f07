import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { installFakeHttp } from '@/shared/testing/fakeHttp'
import { staffMember } from '@/shared/testing/staff'

const http = installFakeHttp()
const { default: LoginPage } = await import('./LoginPage.vue')

beforeEach(() => {
  setActivePinia(createPinia())
  http.reset()
})

async function mountLogin() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/login', component: LoginPage },
      { path: '/', component: { template: '<p>home</p>' } },
    ],
  })
  await router.push('/login')
  return { router, wrapper: mount(LoginPage, { global: { plugins: [router] } }) }
}

describe('the sign-in page', () => {
  it('asks which business when the account works for several, then signs in there', async () => {
    http.on('POST', '/api/v1/auth/login', ({ body }) =>
      (body as { tenant?: string }).tenant === 'bikes'
        ? { status: 200, body: { csrf_token: 'c1' } }
        : {
            status: 400,
            body: {
              detail: 'this account works for several tenants; say which: bikes, lumen',
              tenants: [
                { slug: 'bikes', name: 'Spoke & Chain Bikes' },
                { slug: 'lumen', name: 'Lumen Home' },
              ],
            },
          },
    )
    http.on('GET', '/api/v1/auth/me', { status: 200, body: staffMember('agent') })
    const { router, wrapper } = await mountLogin()
    expect(wrapper.find('[data-testid="login-tenant"]').exists()).toBe(false)
    await wrapper.get('input[name="email"]').setValue('sam@example.com')
    await wrapper.get('input[name="password"]').setValue('pw')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toBe('You work for several businesses: choose one and sign in again.')
    const tenant = wrapper.get<HTMLSelectElement>('[data-testid="login-tenant"]')
    expect(tenant.findAll('option').map((o) => [o.element.value, o.text()])).toEqual([
      ['bikes', 'Spoke & Chain Bikes'],
      ['lumen', 'Lumen Home'],
    ])
    expect(tenant.element.value).toBe('bikes')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(http.calls.filter((c) => c.method === 'POST').map((c) => (c.body as { tenant?: string }).tenant)).toEqual([undefined, 'bikes'])
    expect(router.currentRoute.value.path).toBe('/')
  })

  it('takes a slug typed in when a 400 names no business (the field, not the message, is read)', async () => {
    http.on('POST', '/api/v1/auth/login', { status: 400, body: { detail: 'say which: bikes, lumen' } })
    const { wrapper } = await mountLogin()
    await wrapper.get('input[name="email"]').setValue('sam@example.com')
    await wrapper.get('input[name="password"]').setValue('pw')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="login-tenant"]').element.tagName).toBe('INPUT')
  })

  it('keeps a wrong password’s plain answer and asks no business', async () => {
    http.on('POST', '/api/v1/auth/login', { status: 401, body: { detail: 'invalid credentials' } })
    const { wrapper } = await mountLogin()
    await wrapper.get('input[name="email"]').setValue('sam@example.com')
    await wrapper.get('input[name="password"]').setValue('bad')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toBe('Wrong e-mail or password.')
    expect(wrapper.find('[data-testid="login-tenant"]').exists()).toBe(false)
  })
})
