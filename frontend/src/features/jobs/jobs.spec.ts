import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { installFakeHttp, startFakeLive } from '@/shared/testing/fakeHttp'
import { staffMember } from '@/shared/testing/staff'

const http = installFakeHttp()
const { useJobsStore } = await import('./jobs')
const { useSessionStore } = await import('@/features/auth/session')
const { default: JobsPage } = await import('./JobsPage.vue')

function deadLetter(kind: 'turn' | 'send', id: number, conversationId: number | null = 7) {
  return {
    kind, id, conversation_id: conversationId, message_id: 311, attempts: 3,
    error: kind === 'send' ? '(#131047) Re-engagement message' : 'model timed out',
    error_code: kind === 'send' ? '131047' : null,
    failed_at: '2026-11-21T10:00:03Z', created_at: '2026-11-21T10:00:00Z', uncertain: false,
  }
}

const page = (items: unknown[]) => ({ status: 200, body: { items, total: items.length, limit: 50, offset: 0 } })

describe('the jobs store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    http.reset()
    http.on('GET', '/api/v1/jobs', page([deadLetter('send', 42), deadLetter('turn', 9, null)]))
    http.on('GET', '/api/v1/conversations/7', { status: 200, body: { contact: { id: 1, name: 'Maya Patel', wa_id: '447700900123' } } })
  })
  afterEach(() => vi.useRealTimers())

  it('loads the dead letters and names their contacts', async () => {
    const jobs = useJobsStore()
    await jobs.load()
    await flushPromises()
    expect(jobs.items.map((j) => `${j.kind}-${j.id}`)).toEqual(['send-42', 'turn-9'])
    expect(jobs.total).toBe(2)
    expect(jobs.contacts[7]).toBe('Maya Patel')
  })

  it('retries one, drops it from the list and says so', async () => {
    http.on('POST', '/api/v1/jobs/send/42/retry', { status: 200, body: deadLetter('send', 42) })
    const jobs = useJobsStore()
    await jobs.load()
    expect(await jobs.retry(jobs.items[0]!)).toBe(true)
    expect(jobs.items.map((j) => j.id)).toEqual([9])
    expect(jobs.total).toBe(1)
    expect(jobs.notice).toEqual({ text: 'Send #42 was queued again.', tone: 'ok' })
  })

  it('shows the server’s refusal and keeps the row', async () => {
    http.on('DELETE', '/api/v1/jobs/turn/9', { status: 404, body: { detail: 'No such dead letter' } })
    const jobs = useJobsStore()
    await jobs.load()
    expect(await jobs.discard(jobs.items[1]!)).toBe(false)
    expect(jobs.items).toHaveLength(2)
    expect(jobs.notice).toEqual({ text: 'Turn #9: No such dead letter', tone: 'error' })
  })

  it('reloads when a send is held as uncertain, which leaves its message pending', async () => {
    vi.useFakeTimers()
    const live = await startFakeLive()
    const jobs = useJobsStore()
    jobs.startLive()
    live.emit({ id: 1, type: 'message.status', created_at: '', payload: { status: 'pending', error_code: 'uncertain' } })
    await vi.advanceTimersByTimeAsync(1000)
    expect(http.calls.filter((c) => c.path === '/api/v1/jobs')).toHaveLength(1)
    jobs.endLive()
    live.stop()
  })

  it('reloads once, shortly after a burst of failures on the live feed', async () => {
    vi.useFakeTimers()
    const live = await startFakeLive()
    const jobs = useJobsStore()
    jobs.startLive()
    live.emit({ id: 1, type: 'job.failed', created_at: '', payload: { kind: 'turn' } })
    live.emit({ id: 2, type: 'message.status', created_at: '', payload: { status: 'failed' } })
    live.emit({ id: 3, type: 'message.created', created_at: '', payload: {} })
    await vi.advanceTimersByTimeAsync(1000)
    expect(http.calls.filter((c) => c.path === '/api/v1/jobs')).toHaveLength(1)
    jobs.endLive()
    live.emit({ id: 4, type: 'job.failed', created_at: '', payload: { kind: 'turn' } })
    await vi.advanceTimersByTimeAsync(1000)
    expect(http.calls.filter((c) => c.path === '/api/v1/jobs')).toHaveLength(1)
    live.stop()
  })
})

describe('the jobs page', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    http.reset()
    http.on('GET', '/api/v1/jobs', page([deadLetter('send', 42)]))
    http.on('GET', '/api/v1/conversations/7', { status: 200, body: { contact: { id: 1, name: '', wa_id: '447700900123' } } })
    useSessionStore().me = staffMember('admin')
  })

  const mountPage = () => mount(JobsPage, { global: { stubs: { RouterLink: { template: '<a><slot /></a>' } } } })

  it('asks before discarding, and discards only when confirmed', async () => {
    http.on('DELETE', '/api/v1/jobs/send/42', { status: 200, body: deadLetter('send', 42) })
    const wrapper = mountPage()
    await flushPromises()
    expect(wrapper.get('[data-testid="jobs-table"]').text()).toContain('+447700900123')
    const discard = wrapper.findAll('button').find((b) => b.text() === 'Discard')!
    await discard.trigger('click')
    expect(wrapper.text()).toContain('Drop it for good?')
    await wrapper.findAll('button').find((b) => b.text() === 'Cancel')!.trigger('click')
    expect(http.calls.some((c) => c.method === 'DELETE')).toBe(false)
    await wrapper.findAll('button').find((b) => b.text() === 'Discard')!.trigger('click')
    await wrapper.findAll('button').find((b) => b.text() === 'Yes, discard')!.trigger('click')
    await flushPromises()
    expect(http.calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/jobs/send/42')).toBe(true)
    expect(wrapper.get('[data-testid="jobs-notice"]').text()).toBe('Send #42 was discarded.')
    expect(wrapper.find('[data-testid="jobs-empty"]').exists()).toBe(true)
  })

  it('says a held send may already have reached the customer', async () => {
    http.on('GET', '/api/v1/jobs', page([{ ...deadLetter('send', 43), error_code: 'uncertain', uncertain: true }, deadLetter('send', 42)]))
    const wrapper = mountPage()
    await flushPromises()
    expect(wrapper.findAll('[data-testid="job-uncertain"]')).toHaveLength(1)
    expect(wrapper.get('[data-job="send-43"]').text()).toContain('may have reached the customer')
  })

  it('tells a non-admin the page is not for them, without calling the API', async () => {
    useSessionStore().me = staffMember('agent')
    const wrapper = mountPage()
    await flushPromises()
    expect(wrapper.text()).toContain('Only admins and owners')
    expect(http.calls).toHaveLength(0)
  })
})
