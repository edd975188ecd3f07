import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ChannelForm from './ChannelForm.vue'
import { aws, bridge, channel } from './fixtures'

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
      [{ kind: 'whatsapp_cloud', phone_number_id: '109876543210009', waba_id: null, display_phone_number: null, name: null, access_token: null, enabled: true, uncertain_sends: 'resend' }],
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

describe('the channel form per kind', () => {
  const submit = async (wrapper: ReturnType<typeof mount>) => wrapper.get('form').trigger('submit')

  it('connects a number by QR with a name (and no Meta fields), groups off unless asked', async () => {
    const wrapper = mount(ChannelForm, { props: { channel: null, kind: 'wa_bridge', busy: false } })
    expect(wrapper.get('[data-testid="channel-save"]').text()).toBe('Show the QR code')
    expect(wrapper.find('[data-testid="channel-phone-number-id"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="channel-token"]').exists()).toBe(false)
    await submit(wrapper)
    expect(wrapper.emitted('create')).toBeUndefined()
    expect(wrapper.get('[role="alert"]').text()).toContain('Name')
    await wrapper.get('[data-testid="channel-name"]').setValue('  Shop ')
    await wrapper.get('[data-testid="channel-groups"]').setValue(true)
    await submit(wrapper)
    expect(wrapper.emitted('create')).toEqual([[{ kind: 'wa_bridge', name: 'Shop', uncertain_sends: 'resend', groups: true }]])
  })

  it('adds an AWS number only with Meta’s id, AWS’s id and a region', async () => {
    const wrapper = mount(ChannelForm, { props: { channel: null, kind: 'aws_social', busy: false } })
    expect(wrapper.find('[data-testid="channel-token"]').exists()).toBe(false)
    await wrapper.get('[data-testid="channel-phone-number-id"]').setValue('109876543210002')
    await wrapper.get('[data-testid="channel-aws-id"]').setValue('pn-0123')
    await submit(wrapper)
    expect(wrapper.get('[role="alert"]').text()).toContain('AWS phone number ID')
    const arn = 'arn:aws:social-messaging:eu-west-1:123456789012:phone-number-id/0123456789abcdef'
    await wrapper.get('[data-testid="channel-aws-id"]').setValue(arn)
    await wrapper.get('[data-testid="channel-region"]').setValue('Ireland')
    await submit(wrapper)
    expect(wrapper.get('[role="alert"]').text()).toContain('Region')
    await wrapper.get('[data-testid="channel-region"]').setValue('eu-west-1')
    await submit(wrapper)
    expect(wrapper.emitted('create')).toEqual([
      [{
        kind: 'aws_social', phone_number_id: '109876543210002', waba_id: null, display_phone_number: null, name: null,
        uncertain_sends: 'resend', enabled: true, aws_phone_number_id: arn, region: 'eu-west-1',
      }],
    ])
  })

  it('changes an AWS number’s region, a bridge number’s groups', async () => {
    const onAws = mount(ChannelForm, { props: { channel: aws(), busy: false } })
    expect(onAws.get('[data-testid="channel-phone-number-id"]').attributes('readonly')).toBeDefined()
    await onAws.get('[data-testid="channel-region"]').setValue('us-east-1')
    await submit(onAws)
    expect(onAws.emitted('update')).toEqual([[{ region: 'us-east-1' }]])
    const onBridge = mount(ChannelForm, { props: { channel: bridge(), busy: false } })
    await onBridge.get('[data-testid="channel-groups"]').setValue(true)
    await submit(onBridge)
    expect(onBridge.emitted('update')).toEqual([[{ groups: true }]])
  })

  it('gives a number a saved team version, and back to the current team', async () => {
    const wrapper = mount(ChannelForm, { props: { channel: channel(), busy: false, teamVersions: [3, 2, 1, 0] } })
    const select = wrapper.get('[data-testid="channel-team-version"]')
    expect(select.findAll('option').map((o) => o.text())).toEqual([
      'The current team (follows every save)', 'Version 3 (stays until changed here)', 'Version 2 (stays until changed here)', 'Version 1 (stays until changed here)',
      'Version 0, the team file (stays until changed here)',
    ])
    await select.setValue(2)
    await submit(wrapper)
    expect(wrapper.emitted('update')).toEqual([[{ team_version: 2 }]])
    const pinned = mount(ChannelForm, { props: { channel: channel({ team_version: 2 }), busy: false, teamVersions: [] } })
    expect(pinned.findAll('[data-testid="channel-team-version"] option')).toHaveLength(2) // its own version, even unlisted
    const current = pinned.findAll<HTMLOptionElement>('[data-testid="channel-team-version"] option')[0]!
    current.element.selected = true
    await pinned.get('[data-testid="channel-team-version"]').trigger('change')
    await submit(pinned)
    expect(pinned.emitted('update')).toEqual([[{ team_version: null }]])
  })
})
