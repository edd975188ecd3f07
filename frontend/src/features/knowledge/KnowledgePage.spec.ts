import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { useSessionStore } from '@/features/auth/session'
import type { Me } from '@/features/auth/useAuthApi'

const fakeApi = { list: vi.fn(), upload: vi.fn(), replace: vi.fn(), remove: vi.fn(), search: vi.fn() }
vi.mock('./useKnowledgeApi', () => ({ useKnowledgeApi: () => fakeApi }))
const { default: KnowledgePage } = await import('./KnowledgePage.vue')

const returns = {
  id: 1,
  title: 'Returns',
  filename: 'returns.md',
  format: 'markdown',
  content_hash: 'abc',
  size_bytes: 2048,
  chunk_count: 3,
  created_at: '2026-11-21T10:00:00Z',
  updated_at: '2026-11-21T10:00:00Z',
}

beforeAll(() => {
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true
  }
})

async function mountAs(role: 'viewer' | 'admin') {
  useSessionStore().me = { id: 1, email: 'x@lumen.example', role } as Me
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
