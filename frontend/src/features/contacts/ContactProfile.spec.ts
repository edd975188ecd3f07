import { mount, RouterLinkStub } from '@vue/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import ContactProfile from './ContactProfile.vue'
import type { ContactDetail } from './useContactsApi'
import { stubShowModal } from '@/shared/testing/dialog'
import { contact, detail } from './fixtures'

const amelia = contact(1, {
  name: 'Amelia Clarke',
  preferences: { likes: 'lighting' },
  marketing_opt_in: true,
  last_seen_at: '2026-11-26T18:40:00Z',
})
const mountProfile = (props: { detail: ContactDetail; canAct: boolean; canAdmin: boolean }) =>
  mount(ContactProfile, { props: { busy: false, ...props }, global: { stubs: { RouterLink: RouterLinkStub } } })

beforeAll(stubShowModal)

describe('the contact profile', () => {
  it('saves only what changed', async () => {
    const wrapper = mountProfile({ detail: detail(amelia), canAct: true, canAdmin: false })
    expect(wrapper.get('[data-testid="contact-save"]').attributes('disabled')).toBeDefined()
    await wrapper.get('input[maxlength="100"]').setValue('York')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('save')).toEqual([[{ city: 'York' }]])
  })

  it('shows when they last wrote, from the contact itself', () => {
    const seen = mountProfile({ detail: detail(amelia), canAct: false, canAdmin: false })
    expect(seen.get('[data-testid="contact-last-seen"]').text()).toBe(new Date('2026-11-26T18:40:00Z').toLocaleString())
    const never = mountProfile({ detail: detail({ ...amelia, last_seen_at: null }), canAct: false, canAdmin: false })
    expect(never.get('[data-testid="contact-last-seen"]').text()).toBe('Never wrote')
  })

  it('lets a viewer read but not change anything', () => {
    const wrapper = mountProfile({ detail: detail(amelia), canAct: false, canAdmin: false })
    expect(wrapper.find('[data-testid="contact-save"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="contact-opt-out"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="contact-erase"]').exists()).toBe(false)
    expect(wrapper.get('fieldset').attributes('disabled')).toBeDefined()
  })

  it('asks for confirmation before erasing', async () => {
    const wrapper = mountProfile({ detail: detail(amelia), canAct: true, canAdmin: true })
    await wrapper.get('[data-testid="contact-erase"]').trigger('click')
    expect(wrapper.find('[data-testid="erase-dialog"]').exists()).toBe(true)
    expect(wrapper.emitted('erase')).toBeUndefined()
    await wrapper.get('[data-testid="erase-confirm-input"]').setValue('447700900101')
    await wrapper.get('[data-testid="erase-dialog"] form').trigger('submit')
    expect(wrapper.emitted('erase')).toHaveLength(1)
  })

  it('shows an erased contact as anonymised and read-only', () => {
    const erased = { ...amelia, wa_id: 'erased:1', name: null, preferences: {} }
    const wrapper = mountProfile({ detail: detail(erased), canAct: true, canAdmin: true })
    expect(wrapper.get('[data-testid="contact-erased"]').text()).toBe('Erased')
    expect(wrapper.text()).toContain('Number removed')
    expect(wrapper.get('[data-testid="contact-erase"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="contact-save"]').exists()).toBe(false)
  })
})
