import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { useSessionStore } from '@/features/auth/session'
import { stubShowModal } from '@/shared/testing/dialog'
import { staffMember } from '@/shared/testing/staff'
import { doc } from './fixtures'

const fakeApi = { list: vi.fn(), upload: vi.fn(), replace: vi.fn(), remove: vi.fn(), search: vi.fn() }
vi.mock('./useKnowledgeApi', () => ({ useKnowledgeApi: () => fakeApi }))
const { default: KnowledgePage } = await import('./KnowledgePage.vue')

const returns = doc(1, { title: 'Returns', filename: 'returns.md' })

beforeAll(stubShowModal)

async function mountAs(role: 'viewer' | 'admin') {
  useSessionStore().me = staffMember(role)
  const wrapper = mount(KnowledgePage)
  await flushPromises()
  return wrapper
}

describe('the knowledge page', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.clearAllMocks()
    fakeApi.list.mockResolvedValue({ data: [returns] })
    fakeApi.remove.mockResolvedValue({})
  })

  it('deletes a document only after confirming', async () => {
    const wrapper = await mountAs('admin')
    expect(wrapper.get('[data-testid="doc-status"]').text()).toContain('Indexed · 3 chunks')
    await wrapper.get('[data-testid="doc-delete"]').trigger('click')
    expect(wrapper.get('[data-testid="doc-delete-dialog"]').text()).toContain('Delete returns.md?')
    expect(fakeApi.remove).not.toHaveBeenCalled()
    await wrapper.get('[data-testid="doc-delete-dialog"] button').trigger('click') // Cancel
    expect(wrapper.find('[data-testid="doc-delete-dialog"]').exists()).toBe(false)
    expect(fakeApi.remove).not.toHaveBeenCalled()

    await wrapper.get('[data-testid="doc-delete"]').trigger('click')
    await wrapper.get('[data-testid="doc-delete-confirm"]').trigger('click')
    await flushPromises()
    expect(fakeApi.remove).toHaveBeenCalledWith(1)
    expect(wrapper.find('[data-testid="doc-delete"]').exists()).toBe(false)
  })

  it('replaces a document with the file picked for its row', async () => {
    fakeApi.replace.mockResolvedValue({ data: { status: 'unchanged', changed: false, document: returns } })
    const wrapper = await mountAs('admin')
    const input = wrapper.get('[data-testid="doc-replace-input"]')
    const click = vi.spyOn(input.element as HTMLInputElement, 'click').mockImplementation(() => {})
    await wrapper.get('[data-testid="doc-replace"]').trigger('click')
    expect(click).toHaveBeenCalled()
    const picked = new File(['x'], 'returns.md')
    Object.defineProperty(input.element, 'files', { value: [picked] })
    await input.trigger('change')
    await flushPromises()
    expect(fakeApi.replace).toHaveBeenCalledWith(1, picked)
    expect(wrapper.get('[data-testid="doc-status"]').text()).toBe('unchanged (same file)')
  })

  it('offers no upload, replace or delete to a viewer', async () => {
    const wrapper = await mountAs('viewer')
    expect(wrapper.find('[data-testid="doc-delete"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="doc-replace"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('Only admins and owners')
  })
})
