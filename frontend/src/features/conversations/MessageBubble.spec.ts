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

  it('quotes the message it replies to, and asks the chat to show it', async () => {
    const wrapper = mount(MessageBubble, {
      props: {
        message: message({
          direction: 'in',
          reply_to: 'wamid.1',
          reply_to_message: { id: 7, direction: 'out', type: 'text', text: 'Your order <b>LH-1</b> shipped.' },
        }),
      },
    })
    const quote = wrapper.get('[data-testid="quoted"]')
    expect(quote.text()).toContain('Business')
    expect(quote.text()).toContain('Your order <b>LH-1</b> shipped.')
    expect(quote.find('b').exists()).toBe(false)
    await quote.trigger('click')
    expect(wrapper.emitted('quote')).toEqual([[7]])
  })

  it('says when the quoted message is not in the chat', () => {
    const wrapper = mount(MessageBubble, {
      props: { message: message({ direction: 'in', reply_to: 'wamid.gone', reply_to_message: null }) },
    })
    expect(wrapper.get('[data-testid="quoted"]').text()).toContain('not in this chat')
  })

  it.each([
    ['image', { media: { id: 'm1', caption: 'The crack', mime_type: 'image/jpeg' } }, 'Photo', 'The crack'],
    ['document', { media: { id: 'm2', filename: 'invoice.pdf' } }, 'Document · invoice.pdf', ''],
    ['audio', { media: { id: 'm3', voice: true } }, 'Voice message', ''],
    ['sticker', { media: { id: 'm4' } }, 'Sticker', ''],
  ])('shows a placeholder for an inbound %s', (type, content, label, caption) => {
    const wrapper = mount(MessageBubble, {
      props: { message: message({ direction: 'in', type, text: caption || null, content }) },
    })
    expect(wrapper.get('[data-testid="media"]').text()).toContain(label)
    expect(wrapper.find('.text').exists()).toBe(Boolean(caption))
    if (caption) expect(wrapper.get('.text').text()).toBe(caption)
  })

  it('shows a shared location with a map link', () => {
    const wrapper = mount(MessageBubble, {
      props: {
        message: message({
          direction: 'in',
          type: 'location',
          text: null,
          content: { location: { latitude: 51.5, longitude: -0.12, name: 'Lumen Store' } },
        }),
      },
    })
    const place = wrapper.get('[data-media="location"]')
    expect(place.text()).toContain('Lumen Store')
    expect(place.get('a').attributes('href')).toContain('mlat=51.5')
    expect(place.get('a').attributes('rel')).toContain('noopener')
  })

  it('shows an outbound media message by its kind and file name', () => {
    const content = { kind: 'media', media_type: 'document', link: 'https://x/y.pdf', filename: 'manual.pdf' }
    const wrapper = mount(MessageBubble, { props: { message: message({ type: 'document', text: null, content }) } })
    expect(wrapper.get('[data-testid="media"]').text()).toContain('Document · manual.pdf')
  })

  it('expands the tools to show their arguments and results', async () => {
    const wrapper = mount(MessageBubble, {
      attachTo: document.body,
      props: {
        message: message({
          tools: [
            { name: 'order_status', args: { order: 'LH-1' }, ok: true, summary: 'shipped with DPD' },
            { name: 'book_visit', args: { day: 'Tue' }, ok: false, summary: 'no slot left', confirmed: true },
          ],
        }),
      },
    })
    const details = wrapper.get('[data-testid="tools"]')
    expect((details.element as HTMLDetailsElement).open).toBe(false)
    await details.get('summary').trigger('click')
    ;(details.element as HTMLDetailsElement).open = true
    const tools = wrapper.findAll('[data-testid="tool"]')
    expect(tools[0]!.text()).toContain('Result')
    expect(tools[0]!.text()).toContain('shipped with DPD')
    expect(tools[1]!.text()).toContain('failed')
    expect(tools[1]!.text()).toContain('Error')
    expect(tools[1]!.text()).toContain('"day": "Tue"')
    expect(tools[1]!.text()).toContain('confirmed by the customer')
    wrapper.unmount()
  })
})
