import { mount } from '@vue/test-utils'
import { beforeAll, describe, expect, it } from 'vitest'
import EraseDialog from './EraseDialog.vue'
import { stubShowModal } from '@/shared/testing/dialog'
import { contact } from './fixtures'

const amelia = contact(1, { name: 'Amelia Clarke' })

beforeAll(stubShowModal)

describe('the erase confirmation', () => {
  it('says what erasing does and opens as a modal', () => {
    const wrapper = mount(EraseDialog, { props: { contact: amelia, busy: false } })
    expect((wrapper.get('dialog').element as HTMLDialogElement).open).toBe(true)
    expect(wrapper.text()).toContain('cannot be undone')
    expect(wrapper.text()).toContain('redact')
  })

  it('stays disabled until the contact’s number is typed back', async () => {
    const wrapper = mount(EraseDialog, { props: { contact: amelia, busy: false } })
    const confirm = wrapper.get('[data-testid="erase-confirm"]')
    expect(confirm.attributes('disabled')).toBeDefined()
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('confirm')).toBeUndefined()

    await wrapper.get('[data-testid="erase-confirm-input"]').setValue('447700900102')
    expect(confirm.attributes('disabled')).toBeDefined()

    await wrapper.get('[data-testid="erase-confirm-input"]').setValue('+44 7700 900101')
    expect(confirm.attributes('disabled')).toBeUndefined()
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('confirm')).toHaveLength(1)
  })

  it('does not confirm twice while erasing, and cancels on Escape', async () => {
    const wrapper = mount(EraseDialog, { props: { contact: amelia, busy: true } })
    await wrapper.get('[data-testid="erase-confirm-input"]').setValue('447700900101')
    await wrapper.get('form').trigger('submit')
    expect(wrapper.emitted('confirm')).toBeUndefined()
    await wrapper.get('dialog').trigger('cancel')
    expect(wrapper.emitted('cancel')).toHaveLength(1)
  })
})
