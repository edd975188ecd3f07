import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { staffMember } from '@/shared/testing/staff'
import { summary, team } from './fixtures'

const fakeApi = { get: vi.fn(), validate: vi.fn(), save: vi.fn(), tryMessage: vi.fn(), customers: vi.fn() }
vi.mock('./useTeamApi', () => ({ useTeamApi: () => fakeApi }))
const { default: TeamPage } = await import('./TeamPage.vue')
const { useSessionStore } = await import('@/features/auth/session')

const YAML = 'name: Lumen Home\nsupervisor:\n  instructions: Route.\nagents:\n  - name: orders\n'
const saved = team(2, YAML, {
  tools: [{ name: 'order_status', description: 'Status.' }],
  saved_by: 'owner@lumen.example',
  saved_at: '2026-11-26T10:00:00Z',
})

async function page(role: 'admin' | 'viewer' = 'admin') {
  useSessionStore().me = staffMember(role)
  const wrapper = mount(TeamPage, { attachTo: document.body, global: { stubs: { RouterLink: { template: '<a><slot /></a>' } } } })
  await flushPromises()
  return wrapper
}

describe('TeamPage', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.clearAllMocks()
    vi.useRealTimers()
    fakeApi.get.mockResolvedValue({ data: saved })
    fakeApi.customers.mockResolvedValue({ data: [] })
  })

  it('shows the agents as cards and the version', async () => {
    const wrapper = await page()
    expect(wrapper.get('[data-testid="team-version"]').text()).toContain('Version 2')
    const card = wrapper.get('[data-agent="orders"]')
    expect(card.text()).toContain('Order status and cancellations.')
    expect(card.text()).toContain('openai:gpt-4o-mini → local')
    expect(card.text()).toContain('order_status')
  })

  it('says which version answers on each number', async () => {
    const channels = [
      { id: 1, name: 'Lumen Home', kind: 'whatsapp_cloud', display_phone_number: null, enabled: true, team_version: null, answering_version: 2 },
      { id: 7, name: null, kind: 'wa_bridge', display_phone_number: '+447700900555', enabled: false, team_version: 1, answering_version: 1 },
    ]
    fakeApi.get.mockResolvedValue({ data: { ...saved, channels } })
    const wrapper = await page()
    const numbers = wrapper.get('[data-testid="team-numbers"]')
    expect(numbers.get('[data-channel-id="1"]').text()).toBe('Lumen Home · the current team (version 2)')
    expect(numbers.get('[data-channel-id="7"]').text()).toBe('+447700900555 · version 1, pinned (disabled)')
    expect(numbers.text()).toContain('Change on the Channels page')
    wrapper.unmount()
  })

  it('lists each problem with its line and path, and moves the cursor to the line', async () => {
    fakeApi.validate.mockResolvedValue({
      problems: [{ path: 'agents[0].description', line: 5, message: 'is required' }],
    })
    const wrapper = await page()
    const editor = wrapper.get('[data-testid="team-editor"]')
    await editor.setValue(YAML + '    tools: [order_status]\n')
    await wrapper.get('[data-testid="team-validate"]').trigger('click')
    await flushPromises()
    const problems = wrapper.get('[data-testid="team-problems"]')
    expect(problems.text()).toContain('Line 5')
    expect(problems.text()).toContain('agents[0].description')
    expect(problems.text()).toContain('is required')
    expect(wrapper.get('[data-testid="team-save"]').attributes('disabled')).toBeDefined()

    await problems.get('button').trigger('click')
    const area = editor.element as HTMLTextAreaElement
    const start = YAML.split('\n').slice(0, 4).join('\n').length + 1
    expect(area.selectionStart).toBe(start)
    expect(document.activeElement).toBe(area)
  })

  it('shows a conflict with a reload button', async () => {
    fakeApi.validate.mockResolvedValue({ summary })
    fakeApi.save.mockResolvedValue({ conflict: 'newer version' })
    const wrapper = await page()
    await wrapper.get('[data-testid="team-editor"]').setValue(YAML + '# edited\n')
    await wrapper.get('[data-testid="team-validate"]').trigger('click')
    await flushPromises()
    await wrapper.get('[data-testid="team-save"]').trigger('click')
    await flushPromises()
    const conflict = wrapper.get('[data-testid="team-conflict"]')
    expect(conflict.text()).toContain('Someone saved a newer version')
    expect(conflict.text()).toContain('reload')
  })

  it('is read-only for viewers', async () => {
    const wrapper = await page('viewer')
    expect(wrapper.get('[data-testid="team-editor"]').attributes('readonly')).toBeDefined()
    expect(wrapper.find('[data-testid="team-save"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="team-try-send"]').exists()).toBe(false)
    expect(wrapper.text()).toContain('Only admins and owners can edit the team.')
  })
})
