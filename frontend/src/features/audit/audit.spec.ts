import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { installFakeHttp, type Call } from '@/shared/testing/fakeHttp'
import { staffMember } from '@/shared/testing/staff'

const http = installFakeHttp()
const { dayStart, useAuditStore } = await import('./audit')
const { useSessionStore } = await import('@/features/auth/session')
const { default: AuditPage } = await import('./AuditPage.vue')

const entry = (id: number, details: Record<string, unknown> = {}) => ({
  id, at: '2026-11-24T09:00:00Z', actor: 'owner@lumen.example', action: 'user.changed',
  target_type: 'user', target_id: '2', details,
})

/** 120 entries, newest (highest id) first, keyset-paged like the server (the cursor is the last id). */
function serve({ query }: Call) {
  const all = Array.from({ length: 120 }, (_, i) => entry(120 - i))
  const before = query.has('cursor') ? Number(query.get('cursor')) : Infinity
  const items = all.filter((e) => e.id < before).slice(0, Number(query.get('limit')))
  const last = items.at(-1)
  return { status: 200, body: { items, next_cursor: last && last.id > 1 ? String(last.id) : null } }
}

beforeEach(() => {
  setActivePinia(createPinia())
  http.reset()
  http.on('GET', '/api/v1/audit', serve)
})

describe('the audit store', () => {
  it('pages with load more until everything is shown', async () => {
    const audit = useAuditStore()
    await audit.search({})
    expect(audit.entries).toHaveLength(50)
    await audit.loadMore()
    await audit.loadMore()
    expect(audit.entries).toHaveLength(120)
    expect(new Set(audit.entries.map((e) => e.id)).size).toBe(120)
    expect(audit.hasMore).toBe(false)
    expect(http.calls.map((c) => c.query.get('cursor'))).toEqual([null, '71', '21'])
    await audit.loadMore() // nothing more to ask for
    expect(http.calls).toHaveLength(3)
  })

  it('sends only the filters that are set, and a zoned start of day', async () => {
    const audit = useAuditStore()
    await audit.search({ actor: 'owner@lumen.example', action: '', since: dayStart('2026-11-20') })
    const query = http.calls[0]!.query
    expect(query.get('actor')).toBe('owner@lumen.example')
    expect(query.has('action')).toBe(false)
    expect(query.get('since')).toMatch(/^2026-11-(19|20)T\d\d:00:00\.000Z$/)
    expect(dayStart('nonsense')).toBeUndefined()
  })

  it('starts over from the first page when the filters change', async () => {
    const audit = useAuditStore()
    await audit.search({})
    await audit.loadMore()
    await audit.search({ action: 'user.changed' })
    expect(http.calls.at(-1)!.query.has('cursor')).toBe(false)
    expect(audit.entries).toHaveLength(50)
    expect(audit.hasMore).toBe(true)
  })

  it('keeps the readable error of a refused request', async () => {
    http.on('GET', '/api/v1/audit', { status: 403, body: { detail: 'Needs the admin role' } })
    const audit = useAuditStore()
    await audit.search({})
    expect(audit.error).toBe('Needs the admin role')
  })
})

describe('the audit page', () => {
  it('shows details as text, never as HTML', async () => {
    useSessionStore().me = staffMember('owner')
    http.on('GET', '/api/v1/audit', { status: 200, body: { items: [entry(1, { name: '<b>x</b>' })], next_cursor: null } })
    const wrapper = mount(AuditPage)
    await flushPromises()
    const table = wrapper.get('[data-testid="audit-table"]')
    expect(table.find('b').exists()).toBe(false)
    expect(table.get('pre').text()).toContain('"name": "<b>x</b>"')
  })

  it('filters by action', async () => {
    useSessionStore().me = staffMember('admin')
    const wrapper = mount(AuditPage)
    await flushPromises()
    await wrapper.get('input[name="action"]').setValue('login.failed')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(http.calls.at(-1)!.query.get('action')).toBe('login.failed')
  })
})
