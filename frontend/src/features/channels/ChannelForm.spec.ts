import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ChannelForm from './ChannelForm.vue'
import { channel } from './fixtures'

describe('the channel form’s write-only token', () => {
  it('never shows a token, only whether one is set', () => {
    const wrapper = mount(ChannelForm, { props: { channel: channel(), busy: false } })
    const token = wrapper.get('[data-testid="channel-token"]')
    expect(token.attributes('type')).toBe('password')
    expect((token.element as HTMLInputElement).value).toBe('')
    expect(wrapper.get('[data-testid="channel-token-state"]').text()).toContain('A token is set')
    const unset = mount(ChannelForm, { props: { channel: channel({ access_token: { set: false } }), busy: false } })
    expect(unset.get('[data-testid="channel-token-state"]').text()).toContain('Not set')
    expect(unset.find('[data-testid="channel-token-clear"]').exists()).toBe(false)
  })

  it('keeps the stored token when the field is left blank', async () => {
    const wrapper = mount(ChannelForm, { props: { channel: channel(), busy: false } })
    await wrapper.get('input').setValue('Lumen sales')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('update')).toEqual([[{ name: 'Lumen sales' }]])
  })

  it('sends a typed token, and clears the field once the saved channel comes back', async () => {
    const wrapper = mount(ChannelForm, { props: { channel: channel(), busy: false } })
    await wrapper.get('[data-testid="channel-token"]').setValue('EAAG-new-token')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('update')).toEqual([[{ access_token: 'EAAG-new-token' }]])
    await wrapper.setProps({ channel: channel() })
    expect((wrapper.get('[data-testid="channel-token"]').element as HTMLInputElement).value).toBe('')
  })

  it('removes the number’s own token only when asked to', async () => {
    const wrapper = mount(ChannelForm, { props: { channel: channel(), busy: false } })
    await wrapper.get('[data-testid="channel-token-clear"]').setValue(true)
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('update')).toEqual([[{ access_token: null }]])
  })

  it('refuses a token with spaces before sending it', async () => {
    const wrapper = mount(ChannelForm, { props: { channel: channel(), busy: false } })
    await wrapper.get('[data-testid="channel-token"]').setValue('not a token')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('update')).toBeUndefined()
    expect(wrapper.get('[role="alert"]').text()).toContain('no spaces')
  })

  it('adds a number with the ID Meta gave it', async () => {
    const wrapper = mount(ChannelForm, { props: { channel: null, busy: false } })
    expect(wrapper.get('[data-testid="channel-save"]').text()).toBe('Add number')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('create')).toBeUndefined()
    await wrapper.get('input[inputmode="numeric"]').setValue('109876543210009')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('create')).toEqual([
      [{ phone_number_id: '109876543210009', waba_id: null, display_phone_number: null, name: null, access_token: null, enabled: true, uncertain_sends: 'resend' }],
    ])
  })

  it('sends the uncertain-sends choice only when it changes', async () => {
    const wrapper = mount(ChannelForm, { props: { channel: channel(), busy: false } })
    expect(wrapper.get('[data-testid="channel-save"]').attributes('disabled')).toBeDefined()
    await wrapper.get('[data-testid="channel-uncertain-sends"]').setValue('hold')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('update')).toEqual([[{ uncertain_sends: 'hold' }]])
  })
})
