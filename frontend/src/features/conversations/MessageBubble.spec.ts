import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import MessageBubble from './MessageBubble.vue'
import type { Message } from './useConversationsApi'

function message(overrides: Partial<Message> = {}): Message {
  return {
    id: 1,
    conversation_id: 1,
    direction: 'out',
    type: 'text',
    text: 'Hello',
    content: {},
    status: 'sent',
    error_code: null,
    error_message: null,
    agent: 'orders',
    tools: [],
    latency_ms: 1200,
    tokens_in: null,
    tokens_out: null,
    cost: null,
    channel_message_id: null,
    reply_to: null,
    sent_at: null,
    status_at: null,
    created_at: '2026-11-21T10:00:00Z',
    ...overrides,
  } as Message
}

describe('MessageBubble', () => {
  it('renders message text as text, never as HTML', () => {
    const wrapper = mount(MessageBubble, {
      props: { message: message({ direction: 'in', text: '<img src=x onerror="alert(1)"><b>hi</b>' }) },
    })
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.find('b').exists()).toBe(false)
    expect(wrapper.find('.text').text()).toBe('<img src=x onerror="alert(1)"><b>hi</b>')
  })

  it.each([
    ['sent', '✓', 'Sent'],
    ['delivered', '✓✓', 'Delivered'],
    ['read', '✓✓', 'Read'],
  ])('shows a %s tick', (status, mark, label) => {
    const tick = mount(MessageBubble, { props: { message: message({ status: status as Message['status'] }) } }).get(
      '[data-testid="tick"]',
    )
    expect(tick.text()).toBe(mark)
    expect(tick.attributes('aria-label')).toBe(label)
  })

  it('says why a message failed', () => {
    const wrapper = mount(MessageBubble, {
      props: { message: message({ status: 'failed', error_code: '131047', error_message: 'Re-engagement message' }) },
    })
    expect(wrapper.text()).toContain('Not delivered: 131047: Re-engagement message')
  })

  it('names the agent and lists the tools it ran, with their arguments', () => {
    const wrapper = mount(MessageBubble, {
      props: {
        message: message({ tools: [{ name: 'order_status', args: { order: 'LH-1' }, ok: true, summary: 'shipped' }] }),
      },
    })
    expect(wrapper.get('.who').text()).toContain('orders')
    expect(wrapper.get('details summary').text()).toBe('1 tool: order_status')
    expect(wrapper.get('details').text()).toContain('"order": "LH-1"')
  })

  it('shows the buttons a reply offered', () => {
    const wrapper = mount(MessageBubble, {
      props: { message: message({ content: { kind: 'buttons', buttons: [{ id: 'y', title: 'Yes please' }] } }) },
    })
    expect(wrapper.get('.choices').text()).toBe('Yes please')
  })
})
