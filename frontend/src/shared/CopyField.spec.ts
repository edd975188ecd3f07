import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import CopyField from './CopyField.vue'

const props = { label: 'Verify token', value: 'a-long-random-string', testid: 'token' }

describe('the copy button', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('copies the value to the clipboard and says so', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined)
    vi.stubGlobal('navigator', { clipboard: { writeText } })
    const wrapper = mount(CopyField, { props })
    await wrapper.get('[data-testid="token-copy"]').trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith('a-long-random-string')
    expect(wrapper.get('[data-testid="token-copy"]').text()).toBe('Copied ✓')
  })

  it('selects the text to copy by hand when the clipboard is unavailable', async () => {
    vi.stubGlobal('navigator', {})
    const wrapper = mount(CopyField, { props, attachTo: document.body })
    await wrapper.get('[data-testid="token-copy"]').trigger('click')
    await flushPromises()
    const input = wrapper.get('[data-testid="token-value"]').element as HTMLInputElement
    expect(document.activeElement).toBe(input)
    expect(input.selectionEnd! - input.selectionStart!).toBe(props.value.length)
    expect(wrapper.text()).toContain('press Ctrl+C')
    wrapper.unmount()
  })

  it('falls back the same way when the browser refuses', async () => {
    vi.stubGlobal('navigator', { clipboard: { writeText: vi.fn().mockRejectedValue(new Error('denied')) } })
    const wrapper = mount(CopyField, { props })
    await wrapper.get('[data-testid="token-copy"]').trigger('click')
    await flushPromises()
    expect(wrapper.text()).toContain('press Ctrl+C')
  })
})
