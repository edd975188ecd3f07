import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import Composer from './Composer.vue'
import type { Conversation } from './useConversationsApi'

const now = Date.parse('2026-11-21T12:00:00Z')
function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: 1,
    channel_id: 1,
    contact: { id: 1, wa_id: '447700900101', name: 'Amelia' },
    status: 'human',
    assigned_agent: null,
    assignee_user_id: null,
    last_inbound_at: '2026-11-21T11:00:00Z',
    last_message_at: null,
    last_message_text: null,
    unread_count: 0,
    summary: null,
    created_at: '2026-11-21T11:00:00Z',
    updated_at: '2026-11-21T11:00:00Z',
    ...overrides,
  } as Conversation
}

describe('Composer', () => {
  it('sends the trimmed text and clears the box', async () => {
    const wrapper = mount(Composer, { props: { conversation: conversation(), canAct: true, now } })
    await wrapper.get('textarea').setValue('  On its way!  ')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('send')).toEqual([['On its way!']])
    expect((wrapper.get('textarea').element as HTMLTextAreaElement).value).toBe('')
    expect(wrapper.text()).toContain('23 h 0 min left')
  })

  it('explains a closed 24-hour window instead of offering a text box', () => {
    const wrapper = mount(Composer, {
      props: { conversation: conversation({ last_inbound_at: '2026-11-20T11:00:00Z' }), canAct: true, now },
    })
    expect(wrapper.find('textarea').exists()).toBe(false)
    expect(wrapper.get('[data-testid="composer-blocked"]').text()).toContain('more than 24 hours ago')
  })

  it('tells a viewer they cannot reply', () => {
    const wrapper = mount(Composer, { props: { conversation: conversation(), canAct: false, now } })
    expect(wrapper.get('[data-testid="composer-blocked"]').text()).toContain('not reply')
  })

  it('suggests taking over while the bot answers', () => {
    const wrapper = mount(Composer, { props: { conversation: conversation({ status: 'bot' }), canAct: true, now } })
    expect(wrapper.text()).toContain('Take it over')
  })
})
