import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { Message } from './useConversationsApi'
import { staffMember } from '@/shared/testing/staff'
import { conversation, fakeConversationsApi } from './fixtures'

const fakeApi = fakeConversationsApi()
vi.mock('./useConversationsApi', () => ({ useConversationsApi: () => fakeApi }))
const { useInboxStore } = await import('./inbox')
const { useSessionStore } = await import('@/features/auth/session')
const ChatView = (await import('./ChatView.vue')).default

const amelia = conversation(1, {
  contact: { id: 1, wa_id: '447700900101', name: 'Amelia' },
  status: 'human',
  last_inbound_at: new Date().toISOString(),
})

function message(id: number, overrides: Partial<Message> = {}): Message {
  return { id, direction: 'in', type: 'text', text: `message ${id}`, status: 'received', created_at: '', ...overrides } as Message
}

async function chat(role: 'agent' | 'viewer' = 'agent') {
  useSessionStore().me = staffMember(role, { email: 'sam@lumen.example' })
  const inbox = useInboxStore()
  fakeApi.list.mockResolvedValue({ data: [amelia] })
  await inbox.load()
  await inbox.loadStaff()
  await inbox.open(1)
  const wrapper = mount(ChatView, { props: { conversation: inbox.selected!, canAct: role !== 'viewer' } })
  await flushPromises()
  return { wrapper, inbox }
}

describe('ChatView', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.clearAllMocks()
    fakeApi.get.mockResolvedValue({ data: amelia })
    fakeApi.messages.mockResolvedValue({ data: { items: [message(20), message(21)], next_cursor: 'older' } })
    fakeApi.assignees.mockResolvedValue({
      data: [
        { id: 1, email: 'sam@lumen.example', name: 'Sam', role: 'agent' },
        { id: 5, email: 'jo@lumen.example', name: 'Jo', role: 'agent' },
      ],
    })
  })

  it('assigns the chat from the header, to me first or to a colleague', async () => {
    const { wrapper } = await chat()
    const select = wrapper.get('[data-testid="assign"]')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['Nobody', 'You (Sam)', 'Jo'])
    fakeApi.assign.mockResolvedValue({ data: { ...amelia, assignee_user_id: 5 } })
    await select.setValue('5')
    await flushPromises()
    expect(fakeApi.assign).toHaveBeenCalledWith(1, 5)
    expect(wrapper.emitted('notice')?.at(-1)).toEqual([null])
  })

  it('shows a viewer the assignee and status, without actions', async () => {
    const { wrapper } = await chat('viewer')
    expect(wrapper.get('[data-testid="assign"]').text()).toBe('Unassigned')
    expect(wrapper.find('select').exists()).toBe(false)
    expect(wrapper.find('[data-testid="close-conversation"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="summarize"]').exists()).toBe(true)
  })

  it('closes the chat and passes a refusal on as a notice', async () => {
    const { wrapper } = await chat()
    fakeApi.act.mockResolvedValue({ error: 'Your role cannot do this.' })
    await wrapper.get('[data-testid="close-conversation"]').trigger('click')
    await flushPromises()
    expect(fakeApi.act).toHaveBeenCalledWith(1, 'close')
    expect(wrapper.emitted('notice')?.at(-1)).toEqual(['Your role cannot do this.'])
  })

  it('shows the summary in a panel, loading first', async () => {
    const { wrapper } = await chat()
    let finish: (value: unknown) => void = () => {}
    fakeApi.summary.mockReturnValue(new Promise((resolve) => (finish = resolve)))
    await wrapper.get('[data-testid="summarize"]').trigger('click')
    expect(wrapper.get('[data-testid="insight-panel"]').text()).toContain('Summarizing')
    finish({ data: { conversation_id: 1, text: '2 messages.', facts: { topics: ['orders'], references: ['LH-1'] } } })
    await flushPromises()
    const panel = wrapper.get('[data-testid="insight-panel"]')
    expect(panel.text()).toContain('2 messages.')
    expect(panel.findAll('.chip').map((c) => c.text())).toEqual(['orders', 'LH-1'])
    await panel.findAll('button').find((b) => b.text() === 'Hide')!.trigger('click')
    expect(wrapper.find('[data-testid="insight-panel"]').exists()).toBe(false)
  })

  it('lists extracted tasks, and says when the extraction failed', async () => {
    const { wrapper } = await chat()
    fakeApi.tasks.mockResolvedValue({
      data: [{ by: 'customer', text: 'Send the invoice', message_id: 20, at: 'Sat 21 Nov, 10:00', references: [] }],
    })
    await wrapper.get('[data-testid="extract-tasks"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="insight-panel"]').text()).toContain('Customer asked')
    expect(wrapper.get('[data-testid="insight-panel"]').text()).toContain('Send the invoice')

    fakeApi.tasks.mockResolvedValue({ error: 'The server refused (500).' })
    await wrapper.get('[data-testid="extract-tasks"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="insight-panel"] [role="alert"]').text()).toContain('The server refused')
  })

  it('loads older messages from the top of the thread', async () => {
    const { wrapper, inbox } = await chat()
    fakeApi.messages.mockResolvedValue({ data: { items: [message(5)], next_cursor: null } })
    await wrapper.get('[data-testid="older-messages"]').trigger('click')
    await flushPromises()
    expect(fakeApi.messages).toHaveBeenLastCalledWith(1, 'older')
    expect(inbox.messages.map((m) => m.id)).toEqual([5, 20, 21])
    expect(wrapper.find('[data-testid="older-messages"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('Start of the conversation')
  })
})
