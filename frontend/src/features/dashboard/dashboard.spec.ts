import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { installFakeHttp, startFakeLive, type Call } from '@/shared/testing/fakeHttp'
import { staffMember } from '@/shared/testing/staff'

// jsdom has no canvas: a stand-in records what each chart was given.
const drawn: { config: { data: { datasets: { label: string; data: unknown[] }[] } } }[] = []
vi.mock('./chartjs', () => ({
  Chart: class {
    data: unknown
    options: unknown
    constructor(_canvas: unknown, public config: { data: unknown; options: unknown }) {
      this.data = config.data
      drawn.push(this as never)
    }
    update() {}
    destroy() {}
  },
}))

const http = installFakeHttp()
const { addDays, useDashboardStore, REFRESH_AFTER_MS } = await import('./dashboard')
const { useSessionStore } = await import('@/features/auth/session')
const { default: DashboardPage } = await import('./DashboardPage.vue')

const TODAY = '2026-11-21'

function dayStats(day: string, messages = true) {
  const n = messages ? Number(day.slice(-2)) : 0
  return {
    day, inbound: n, outbound: n ? n + 1 : 0, response_ms_p50: n ? 800 : null, response_ms_p95: n ? 2500 : null,
    replies_timed: n, conversations: n ? 10 : 0, handoffs: n ? 1 : 0, handoff_rate: n ? 0.1 : null,
    tokens_in: n * 10, tokens_out: n * 5, cost: n ? '0.001000' : '0.000000', agents: n ? { orders: n } : {},
  }
}

/** The server's answer for local days since..until (until defaults to the tenant's TODAY). */
function stats({ query }: Call, { messages = true } = {}) {
  const until = query.get('until') ?? TODAY
  const since = query.get('since') ?? addDays(until, -6)
  const days = []
  for (let d = since; d <= until; d = addDays(d, 1)) days.push(dayStats(d, messages))
  return {
    status: 200,
    body: {
      since: `${since}T00:00:00Z`, until: `${addDays(until, 1)}T00:00:00Z`, timezone: 'Europe/London', days,
      inbound: days.reduce((s, d) => s + d.inbound, 0), outbound: days.reduce((s, d) => s + d.outbound, 0),
      response_ms_p50: messages ? 840 : null, response_ms_p95: messages ? 2900 : null,
      replies_timed: 10, conversations: 10, handoffs: 1, handoff_rate: messages ? 0.1 : null,
      agents: messages ? [{ agent: 'orders', messages: 6, tokens_in: 100, tokens_out: 50, cost: '0.012000' }] : [],
      tokens_in: 100, tokens_out: 50, cost: '0.012000',
    },
  }
}

const COUNTS = {
  at: `${TODAY}T12:00:00Z`, day: TODAY, timezone: 'Europe/London', open_bot: 200, open_human: 3, unassigned_human: 1,
  unread_conversations: 4, unread_messages: 9, messages_in: 21, messages_out: 22, failed_jobs: 2,
}

beforeEach(() => {
  setActivePinia(createPinia())
  http.reset()
  drawn.length = 0
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  vi.setSystemTime(new Date(`${TODAY}T12:00:00`))
  http.on('GET', '/api/v1/stats', (call) => stats(call))
  http.on('GET', '/api/v1/stats/now', { status: 200, body: COUNTS })
})
afterEach(() => vi.useRealTimers())

const statsCalls = () => http.calls.filter((c) => c.path === '/api/v1/stats')
const nowCalls = () => http.calls.filter((c) => c.path === '/api/v1/stats/now')

describe('the dashboard store', () => {
  it('loads the period with its days in one call, and the counters in another', async () => {
    const dashboard = useDashboardStore()
    await dashboard.start()
    expect(dashboard.days).toHaveLength(7)
    expect(dashboard.days.at(-1)).toBe(TODAY)
    expect(dashboard.todayStats?.response_ms_p95).toBe(2500)
    expect(dashboard.counts).toEqual(COUNTS)
    expect([statsCalls().length, nowCalls().length]).toEqual([1, 1])
    dashboard.stop()
  })

  it('asks again when the tenant’s day is not the browser’s', async () => {
    vi.setSystemTime(new Date('2026-11-22T00:30:00')) // already tomorrow here; the server says TODAY
    const dashboard = useDashboardStore()
    await dashboard.load()
    expect(dashboard.today).toBe(TODAY)
    expect(dashboard.days).toEqual(Array.from({ length: 7 }, (_, i) => addDays(TODAY, i - 6)))
  })

  it('asks once for a longer period, whatever its length', async () => {
    const dashboard = useDashboardStore()
    await dashboard.load()
    const before = statsCalls().length
    await dashboard.setPeriod(30)
    expect(dashboard.days).toHaveLength(30)
    expect(statsCalls().length - before).toBe(1)
    expect(statsCalls().at(-1)!.query.get('since')).toBe(addDays(TODAY, -29))
  })

  it('refreshes once, a moment after a burst of live events, and not for read receipts', async () => {
    const live = await startFakeLive()
    const dashboard = useDashboardStore()
    await dashboard.start()
    const before = statsCalls().length
    live.emit({ id: 1, type: 'message.status', created_at: '', payload: { status: 'read' } })
    await vi.advanceTimersByTimeAsync(REFRESH_AFTER_MS + 10)
    expect(statsCalls().length).toBe(before)
    for (let i = 2; i < 6; i++) live.emit({ id: i, type: 'message.created', created_at: '', payload: {} })
    await vi.advanceTimersByTimeAsync(REFRESH_AFTER_MS + 10)
    expect(statsCalls().length - before).toBe(1)
    expect(nowCalls()).toHaveLength(2)
    dashboard.stop()
    live.emit({ id: 9, type: 'message.created', created_at: '', payload: {} })
    await vi.advanceTimersByTimeAsync(REFRESH_AFTER_MS + 10)
    expect(statsCalls().length - before).toBe(1)
    live.stop()
  })

  it('keeps the server’s message when statistics are refused', async () => {
    http.on('GET', '/api/v1/stats', { status: 422, body: { detail: [{ loc: ['query', 'since'], msg: 'bad date' }] } })
    const dashboard = useDashboardStore()
    await dashboard.load()
    expect(dashboard.error).toBe('since: bad date')
    expect(dashboard.loading).toBe(false)
    expect(dashboard.counts).toEqual(COUNTS) // the counters do not depend on the period
  })

  it('says so when the counters cannot be read, keeping the charts', async () => {
    http.on('GET', '/api/v1/stats/now', { status: 500, body: { detail: 'boom' } })
    const dashboard = useDashboardStore()
    await dashboard.load()
    expect(dashboard.countsError).toBe('boom')
    expect(dashboard.summary?.days).toHaveLength(7)
  })
})

describe('the dashboard page', () => {
  const mountPage = () => mount(DashboardPage, { global: { stubs: { RouterLink: { template: '<a><slot /></a>' } } } })

  it('shows the counters and draws every chart with a table of its numbers', async () => {
    useSessionStore().me = staffMember('owner')
    const wrapper = mountPage()
    await flushPromises()
    const counters = wrapper.get('[data-testid="dashboard-counters"]')
    expect(counters.get('[data-counter="open"]').text()).toBe('203')
    expect(counters.get('[data-counter="staff"]').text()).toBe('3')
    expect(counters.get('[data-counter="unassigned"]').text()).toBe('1 unassigned')
    expect(counters.get('[data-counter="unread"]').text()).toBe('4')
    expect(counters.get('[data-counter="today"]').text()).toBe('43')
    expect(counters.get('[data-counter="p95"]').text()).toBe('2.5 s')
    expect(counters.get('[data-counter="jobs"]').text()).toBe('2')
    expect(drawn).toHaveLength(5)
    const messages = wrapper.get('[data-testid="chart-messages"]')
    expect(messages.get('canvas').attributes('aria-label')).toMatch(/^Messages per day: .* in and .* out over 7 days; busiest/)
    expect(messages.findAll('tbody tr')).toHaveLength(7)
    expect(drawn[0]!.config.data.datasets.map((d) => d.label)).toEqual(['In (customers)', 'Out (bot and staff)'])
    wrapper.unmount()
  })

  it('says so when there is nothing to chart yet, and hides failed jobs from agents', async () => {
    useSessionStore().me = staffMember('agent', { id: 2 })
    http.on('GET', '/api/v1/stats', (call) => stats(call, { messages: false }))
    const wrapper = mountPage()
    await flushPromises()
    expect(wrapper.get('[data-testid="dashboard-empty"]').text()).toContain('No messages in the last 7 days')
    expect(wrapper.find('[data-counter="jobs"]').exists()).toBe(false)
    expect(drawn).toHaveLength(0)
    wrapper.unmount()
  })
})

describe('the dashboard’s alert for disconnected numbers', () => {
  const mountPage = () => mount(DashboardPage, { global: { stubs: { RouterLink: { props: ['to'], template: '<a :data-to="to.name"><slot /></a>' } } } })
  const number = (id: number, kind: string, status: string | null) => ({ id, name: `Number ${id}`, kind, status, status_detail: null })
  const channelCalls = () => http.calls.filter((c) => c.path === '/api/v1/channels')

  it('names the disconnected QR-linked numbers for admins, linking to Channels, and follows their links live', async () => {
    const live = await startFakeLive()
    useSessionStore().me = staffMember('owner')
    const items = [number(1, 'whatsapp_cloud', null), number(2, 'wa_bridge', 'connected'), number(3, 'wa_bridge', 'disconnected')]
    http.on('GET', '/api/v1/channels', () => ({ status: 200, body: { items, total: 3, limit: 200, offset: 0 } }))
    const wrapper = mountPage()
    await flushPromises()
    const alert = wrapper.get('[data-testid="dashboard-disconnected"]')
    expect(alert.text()).toContain('A WhatsApp number is disconnected: Number 3.')
    expect(alert.get('a').attributes('data-to')).toBe('channels')
    items[2]!.status = 'connected' // the phone was linked again
    live.emit({ id: 1, type: 'channel.status', created_at: '', payload: { channel_id: 3, status: 'connected' } })
    await flushPromises()
    expect(wrapper.find('[data-testid="dashboard-disconnected"]').exists()).toBe(false)
    wrapper.unmount()
    live.stop()
  })

  it('does not ask for the numbers for agents (the list is for admins)', async () => {
    useSessionStore().me = staffMember('agent', { id: 2 })
    const wrapper = mountPage()
    await flushPromises()
    expect(channelCalls()).toHaveLength(0)
    expect(wrapper.find('[data-testid="dashboard-disconnected"]').exists()).toBe(false)
    wrapper.unmount()
  })
})

describe('a chart', () => {
  it('says why instead of drawing nothing but zeros', async () => {
    const { default: ChartFigure } = await import('./ChartFigure.vue')
    const { fmt } = await import('./charts')
    const spec = {
      id: 'agents', title: 'Replies per agent', summary: 'No agent replied.', emptyText: 'No agent replied in this period.',
      labels: ['orders'], kind: 'hbar' as const, format: fmt.count, series: [{ label: 'Replies', values: [0], color: '#000' }],
    }
    const wrapper = mount(ChartFigure, { props: { spec } })
    expect(wrapper.find('canvas').exists()).toBe(false)
    expect(wrapper.get('[data-chart-empty]').text()).toBe('No agent replied in this period.')
    await wrapper.setProps({ spec: { ...spec, series: [{ label: 'Replies', values: [4], color: '#000' }] } })
    await flushPromises()
    expect(wrapper.find('canvas').exists()).toBe(true)
    expect(drawn).toHaveLength(1)
    expect(wrapper.get('tbody td').text()).toBe('4')
  })
})
