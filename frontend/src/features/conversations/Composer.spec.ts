import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import Composer from './Composer.vue'
import type { Conversation, StaffMessage } from './useConversationsApi'
import { conversation } from './fixtures'

const now = Date.parse('2026-11-21T12:00:00Z')
const amelia: Partial<Conversation> = {
  contact: { id: 1, wa_id: '447700900101', name: 'Amelia Clarke' },
  status: 'human',
  last_inbound_at: '2026-11-21T11:00:00Z',
}

function composer(overrides: Partial<Conversation> = {}, props: { canAct?: boolean; refusal?: string | null } = {}) {
  const send = vi.fn<(m: StaffMessage) => Promise<string | null>>().mockResolvedValue(props.refusal ?? null)
  const wrapper = mount(Composer, {
    props: { conversation: conversation(1, { ...amelia, ...overrides }), canAct: props.canAct ?? true, now, send },
    attachTo: document.body,
  })
  return { wrapper, send }
}

describe('Composer', () => {
  it('sends the trimmed text and clears the box', async () => {
    const { wrapper, send } = composer()
    await wrapper.get('textarea').setValue('  On its way!  ')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(send).toHaveBeenCalledWith({ kind: 'text', body: 'On its way!', preview_url: false })
    expect((wrapper.get('textarea').element as HTMLTextAreaElement).value).toBe('')
    expect(wrapper.text()).toContain('23 h 0 min left')
  })

  it('keeps the text and shows the server’s reason when a send is refused', async () => {
    const { wrapper } = composer({}, { refusal: 'the conversation is closed: reopen it before sending' })
    await wrapper.get('textarea').setValue('Still there?')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid="composer-error"]').text()).toContain('reopen it before sending')
    expect((wrapper.get('textarea').element as HTMLTextAreaElement).value).toBe('Still there?')
  })

  it('says plainly when the 24-hour window closed, and offers only templates', () => {
    const { wrapper } = composer({ last_inbound_at: '2026-11-19T12:00:00Z' })
    expect(wrapper.get('[data-testid="composer-blocked"]').text()).toContain(
      'The customer last wrote 2 days ago, so the 24-hour window is closed: only templates can be sent',
    )
    expect(wrapper.find('[aria-label="Reply"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="composer-mode"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="template-form"]').exists()).toBe(true)
  })

  it('says so when the customer never wrote', () => {
    const { wrapper } = composer({ last_inbound_at: null })
    expect(wrapper.get('[data-testid="composer-blocked"]').text()).toContain('never written')
    expect(wrapper.find('[data-testid="template-form"]').exists()).toBe(true)
  })

  it('checks a template before sending it, then sends its body parameters', async () => {
    const { wrapper, send } = composer({ last_inbound_at: '2026-11-19T12:00:00Z' })
    const form = wrapper.get('[data-testid="template-form"]')
    await form.get('input').setValue('Order Update')
    await form.findAll('button').find((b) => b.text() === 'Add a body parameter')!.trigger('click')
    await wrapper.get('form').trigger('submit')
    const problems = wrapper.get('[data-testid="composer-problems"]').text()
    expect(problems).toContain('lower-case letters, digits and _')
    expect(problems).toContain('Fill in body parameter {{1}}')
    expect(send).not.toHaveBeenCalled()

    const inputs = wrapper.get('[data-testid="template-form"]').findAll('input')
    await inputs[0]!.setValue('order_update')
    await inputs[1]!.setValue('en_GB')
    await inputs[2]!.setValue('LH-100245')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(send).toHaveBeenCalledWith({
      kind: 'template',
      name: 'order_update',
      language: 'en_GB',
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'LH-100245' }] }],
    })
    expect(wrapper.find('[data-testid="composer-problems"]').exists()).toBe(false)
  })

  it('sends up to three reply buttons with different titles', async () => {
    const { wrapper, send } = composer()
    await wrapper.get('[data-mode="buttons"]').trigger('click')
    const form = () => wrapper.get('[data-testid="buttons-form"]')
    await form().get('textarea').setValue('Shall I book Tuesday?')
    const add = () => form().findAll('button').find((b) => b.text() === 'Add a button')!
    await add().trigger('click')
    await add().trigger('click')
    expect(add().attributes('disabled')).toBeDefined()
    const titles = form().findAll('input')
    expect(titles).toHaveLength(3)
    await titles[0]!.setValue('Yes')
    await titles[1]!.setValue('yes')
    await wrapper.get('form').trigger('submit')
    const problems = wrapper.get('[data-testid="composer-problems"]').text()
    expect(problems).toContain('Button 3 needs a title')
    expect(problems).toContain('different title')
    expect(send).not.toHaveBeenCalled()

    await form().get('[aria-label="Remove button 3"]').trigger('click')
    await form().findAll('input')[1]!.setValue('Another day')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(send).toHaveBeenCalledWith({
      kind: 'buttons',
      body: 'Shall I book Tuesday?',
      buttons: [
        { id: 'b1', title: 'Yes' },
        { id: 'b2', title: 'Another day' },
      ],
    })
  })

  it('inserts a quick reply into the text box, with the customer’s first name, without sending', async () => {
    const { wrapper, send } = composer()
    const quick = wrapper.get('[data-testid="quick-replies"]')
    await quick.get('button[aria-expanded]').trigger('click')
    await quick.findAll('li button')[0]!.trigger('click')
    await flushPromises()
    const box = wrapper.get('textarea').element as HTMLTextAreaElement
    expect(box.value).toBe('Hi Amelia, thanks for your message. Let me check that for you.')
    expect(document.activeElement).toBe(box)
    expect(wrapper.find('#quick-reply-menu').exists()).toBe(false)
    expect(send).not.toHaveBeenCalled()
    wrapper.unmount()
  })

  it('tells a viewer they cannot reply', () => {
    const { wrapper } = composer({}, { canAct: false })
    expect(wrapper.get('[data-testid="composer-blocked"]').text()).toContain('not reply')
    expect(wrapper.find('textarea').exists()).toBe(false)
  })

  it('asks to reopen a closed conversation', () => {
    const { wrapper } = composer({ status: 'closed' })
    expect(wrapper.get('[data-testid="composer-blocked"]').text()).toContain('Reopen it to reply')
  })

  it('suggests taking over while the bot answers', () => {
    const { wrapper } = composer({ status: 'bot' })
    expect(wrapper.text()).toContain('Take it over')
  })
})
