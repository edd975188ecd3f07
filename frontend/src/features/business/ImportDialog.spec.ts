import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { stubShowModal } from '@/shared/testing/dialog'
import { installFakeHttp } from '@/shared/testing/fakeHttp'

const http = installFakeHttp()
const { default: ImportDialog } = await import('./ImportDialog.vue')

const counts = (created: number, refused = 0) => ({ created, updated: 0, unchanged: 0, refused })
const problem = {
  file: 'products.csv', row: 7, column: 'price', message: 'price "abc" is not a number',
  text: 'products.csv row 7: price "abc" is not a number',
}
const report = (dryRun: boolean, problems: object[] = []) => ({
  dry_run: dryRun, ok: problems.length === 0, tables: { products: counts(2, problems.length ? 1 : 0), customers: counts(1) },
  kb_documents: counts(0), team: null, problems,
})

beforeAll(stubShowModal)
beforeEach(() => {
  setActivePinia(createPinia())
  http.reset()
})

async function choose(wrapper: VueWrapper, names: string[]): Promise<void> {
  const input = wrapper.get('[data-testid="import-files"]')
  const files = names.map((name) => new File(['x'], name))
  Object.defineProperty(input.element, 'files', { value: files, configurable: true })
  await input.trigger('change')
  await flushPromises()
}

describe('the import dialog', () => {
  it('shows the dry run’s refused rows and keeps Import disabled', async () => {
    http.on('POST', '/api/v1/business/import', { status: 422, body: report(true, [problem, { ...problem, row: null, column: null, file: 'business.yaml', message: 'currency "XXX" is not a currency' }]) })
    const wrapper = mount(ImportDialog)
    await choose(wrapper, ['products.csv', 'business.yaml'])
    expect(http.calls.map((c) => [c.method, c.query.get('dry_run')])).toEqual([['POST', 'true']])
    const shown = wrapper.get('[data-testid="import-report"]')
    expect(shown.text()).toContain('Dry run: what the import would do')
    expect(shown.get('[data-report-table="products"]').text()).toBe('products2001')
    expect(shown.find('[data-report-table="knowledge documents"]').exists()).toBe(false) // none in this pack
    expect(wrapper.get('[data-testid="import-problems"]').findAll('li').map((li) => li.text())).toEqual([
      'products.csv row 7 · price: price "abc" is not a number',
      'business.yaml: currency "XXX" is not a currency',
    ])
    expect(wrapper.get('[data-testid="import-confirm"]').attributes('disabled')).toBeDefined()
  })

  it('imports after a clean dry run and shows what it did', async () => {
    http.on('POST', '/api/v1/business/import', ({ query }) => ({ status: 200, body: report(query.get('dry_run') === 'true') }))
    const wrapper = mount(ImportDialog)
    await choose(wrapper, ['pack.zip'])
    expect(wrapper.text()).toContain('No problems found.')
    const confirm = wrapper.get('[data-testid="import-confirm"]')
    expect(confirm.attributes('disabled')).toBeUndefined()
    await confirm.trigger('click')
    await flushPromises()
    expect(http.calls.map((c) => c.query.get('dry_run'))).toEqual(['true', 'false'])
    expect(wrapper.get('[data-testid="import-report"]').text()).toContain('Imported')
    expect(wrapper.find('[data-testid="import-confirm"]').exists()).toBe(false)
    expect(wrapper.findAll('button').map((b) => b.text())).toContain('Done')
  })

  it('says why a pack the server could not read was refused', async () => {
    http.on('POST', '/api/v1/business/import', { status: 413, body: { detail: 'the pack is over 50 MB' } })
    const wrapper = mount(ImportDialog)
    await choose(wrapper, ['huge.zip'])
    expect(wrapper.get('[data-testid="import-error"]').text()).toBe('the pack is over 50 MB')
    expect(wrapper.find('[data-testid="import-report"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="import-confirm"]').attributes('disabled')).toBeDefined()
  })
})
