import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { installFakeHttp } from '@/shared/testing/fakeHttp'
import { staffMember } from '@/shared/testing/staff'

const http = installFakeHttp()
const { useBusinessStore } = await import('./business')
const { useSessionStore } = await import('@/features/auth/session')
const { default: BusinessTable } = await import('./BusinessTable.vue')

const product = (sku: string, price = '14.99') => ({
  sku, name: `Product ${sku}`, category: 'lighting', price, stock: 5, rating: null, tags: [], description: '', restock_eta: null,
})
const order = (ref: string, status = 'processing') => ({
  ref, customer: '447700900101', items: [{ sku: 'A', qty: 1 }], total: '14.99', status, carrier: null, tracking: null,
  ordered_at: '2026-12-01', shipped_at: null, delivered_at: null, eta: null,
})

beforeEach(() => {
  setActivePinia(createPinia())
  http.reset()
  http.on('GET', '/api/v1/business/products', ({ query }) => ({
    status: 200,
    body: query.get('cursor')
      ? { items: [product('B'), product('C')], next_cursor: null }
      : { items: [product('A'), product('B')], next_cursor: 'page-2' },
  }))
})

async function mountTable(role: 'owner' | 'admin' | 'agent' | 'viewer' = 'admin', table: 'products' | 'orders' = 'products') {
  useSessionStore().me = staffMember(role)
  const wrapper = mount(BusinessTable, { props: { table }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('the business store', () => {
  it('searches a table and loads more pages by cursor, without repeating a row', async () => {
    const business = useBusinessStore()
    business.tables.products.q = ' bulb '
    await business.search('products')
    expect(http.calls[0]!.query.get('q')).toBe('bulb')
    expect(business.tables.products.nextCursor).toBe('page-2')
    await business.more('products')
    expect(http.calls[1]!.query.get('cursor')).toBe('page-2')
    expect(business.tables.products.items.map((p) => p.sku)).toEqual(['A', 'B', 'C'])
    expect(business.tables.products.nextCursor).toBeNull()
  })

  it('shows prices in the currency of the session’s tenant', async () => {
    const owner = staffMember('owner')
    useSessionStore().me = { ...owner, tenant: { ...owner.tenant, currency: 'EUR' } }
    const wrapper = mount(BusinessTable, { props: { table: 'products' } })
    await flushPromises()
    expect(useBusinessStore().currency).toBe('EUR')
    expect(wrapper.get('[data-row="A"] [data-col="price"]').text()).toMatch(/€/)
  })

  it('refreshes the loaded tables after a real import, not after a dry run', async () => {
    const report = (dry: boolean) => ({ dry_run: dry, ok: true, tables: { products: { created: 1, updated: 0, unchanged: 0, refused: 0 } }, kb_documents: null, team: null, problems: [] })
    http.on('POST', '/api/v1/business/import', ({ query }) => ({ status: 200, body: report(query.get('dry_run') === 'true') }))
    const business = useBusinessStore()
    await business.search('products')
    const file = new File(['sku,name\n'], 'products.csv', { type: 'text/csv' })
    await business.importPack([file], true)
    expect(http.calls.filter((c) => c.method === 'GET')).toHaveLength(1)
    await business.importPack([file], false)
    expect(http.calls.filter((c) => c.method === 'GET')).toHaveLength(2)
    const sent = http.calls.find((c) => c.method === 'POST')!.body as FormData
    // One `files` part per file (jsdom's File loses its name and bytes on the way into Node's Request;
    // the e2e run sends real named files).
    expect(sent.getAll('files')).toHaveLength(1)
    expect(http.calls.filter((c) => c.method === 'POST').map((c) => c.query.get('dry_run'))).toEqual(['true', 'false'])
  })
})

describe('a business table', () => {
  it('edits a cell inline and sends only what changed', async () => {
    http.on('PATCH', '/api/v1/business/products/A', ({ body }) => ({ status: 200, body: { ...product('A'), ...(body as object) } }))
    const wrapper = await mountTable()
    await wrapper.get('[data-row="A"] [data-col="price"]').trigger('click')
    const price = wrapper.get<HTMLInputElement>('[data-row="A"] input[name="price"]')
    expect(document.activeElement).toBe(price.element) // the clicked cell's input
    expect(wrapper.find('[data-row="A"] input[name="sku"]').exists()).toBe(false) // the key is fixed
    await price.setValue('12.50')
    await wrapper.get('[data-testid="business-save"]').trigger('click')
    await flushPromises()
    expect(http.calls.find((c) => c.method === 'PATCH')!.body).toEqual({ price: '12.50' })
    expect(wrapper.get('[data-row="A"] [data-col="price"]').text()).toMatch(/^£\s?12\.50$/)
    expect(useBusinessStore().notice?.text).toBe('The product A was saved.')
  })

  it('shows our own check and the server’s 422 beside the field, and keeps the edit', async () => {
    http.on('PATCH', '/api/v1/business/products/A', {
      status: 422,
      body: { detail: [{ loc: ['body', 'stock'], msg: 'Input should be greater than or equal to 0', type: 'greater_than_equal' }] },
    })
    const wrapper = await mountTable()
    await wrapper.get('[data-row="A"] [data-testid="business-edit"]').trigger('click')
    await wrapper.get('[data-row="A"] input[name="price"]').setValue('cheap')
    await wrapper.get('[data-testid="business-save"]').trigger('click')
    expect(wrapper.get('[data-field-error="price"]').text()).toBe('A number, like 14.99')
    expect(http.calls.some((c) => c.method === 'PATCH')).toBe(false)

    await wrapper.get('[data-row="A"] input[name="price"]').setValue('14.99')
    await wrapper.get('[data-row="A"] input[name="stock"]').setValue('-1')
    await wrapper.get('[data-testid="business-save"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-field-error="stock"]').text()).toBe('Input should be greater than or equal to 0')
    expect(wrapper.get('[data-row="A"] input[name="stock"]').attributes('aria-invalid')).toBe('true')
    expect(wrapper.find('[data-testid="business-row-error"]').exists()).toBe(false)
  })

  it('shows a refusal that names no field above the table', async () => {
    http.on('PATCH', '/api/v1/business/products/A', { status: 409, body: { detail: 'the product was changed meanwhile' } })
    const wrapper = await mountTable()
    await wrapper.get('[data-row="A"] [data-testid="business-edit"]').trigger('click')
    await wrapper.get('[data-row="A"] input[name="name"]').setValue('Renamed')
    await wrapper.get('[data-row="A"] input[name="name"]').trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(wrapper.get('[data-testid="business-row-error"]').text()).toBe('the product was changed meanwhile')
  })

  it('adds a row, and deletes one only after a confirmation', async () => {
    http.on('POST', '/api/v1/business/products', ({ body }) => ({ status: 201, body: { ...product('NEW'), ...(body as object) } }))
    http.on('DELETE', '/api/v1/business/products/B', { status: 204 })
    const wrapper = await mountTable('owner')
    await wrapper.get('[data-testid="business-add"]').trigger('click')
    const added = wrapper.get('[data-row="new"]')
    for (const [field, value] of Object.entries({ sku: 'NEW', name: 'New lamp', category: 'lighting', price: '30', stock: '2' })) {
      await added.get(`input[name="${field}"]`).setValue(value)
    }
    await added.findAll('button').find((b) => b.text() === 'Add')!.trigger('click')
    await flushPromises()
    expect(http.calls.find((c) => c.method === 'POST')!.body).toEqual({
      sku: 'NEW', name: 'New lamp', category: 'lighting', price: '30', stock: 2, tags: [], description: '',
    })
    expect(wrapper.findAll('tbody tr').map((r) => r.attributes('data-row'))).toEqual(['NEW', 'A', 'B'])

    await wrapper.get('[data-row="B"] [data-testid="business-delete"]').trigger('click')
    expect(http.calls.some((c) => c.method === 'DELETE')).toBe(false)
    await wrapper.get('[data-row="B"] [data-testid="business-delete-confirm"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-row="B"]').exists()).toBe(false)
  })

  it('changes an order’s status from its select', async () => {
    http.on('GET', '/api/v1/business/orders', { status: 200, body: { items: [order('LH-1')], next_cursor: null } })
    http.on('PATCH', '/api/v1/business/orders/LH-1', ({ body }) => ({ status: 200, body: { ...order('LH-1'), ...(body as object) } }))
    const wrapper = await mountTable('admin', 'orders')
    const select = wrapper.get<HTMLSelectElement>('[data-row="LH-1"] [data-testid="order-status"]')
    expect(select.findAll('option').map((o) => o.attributes('value'))).toEqual([
      'processing', 'backordered', 'shipped', 'out_for_delivery', 'delivered', 'return_requested', 'returned', 'cancelled',
    ])
    await select.setValue('shipped')
    await flushPromises()
    expect(http.calls.find((c) => c.method === 'PATCH')!.body).toEqual({ status: 'shipped' })
    expect(useBusinessStore().tables.orders.items[0]!.status).toBe('shipped')
  })

  it('exports a CSV table for admins, as the file the server sent', async () => {
    http.on('GET', '/api/v1/business/products/export', { status: 200, body: 'sku,name' })
    const saved: string[] = []
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: () => 'blob:csv', revokeObjectURL: () => {} }))
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(`${this.download} ${this.href}`)
    })
    const wrapper = await mountTable('admin')
    await wrapper.get('[data-testid="business-export-table"]').trigger('click')
    await flushPromises()
    expect(saved).toEqual(['products.csv blob:csv'])
    click.mockRestore()
  })

  it('lets an agent read and search, but not edit', async () => {
    const wrapper = await mountTable('agent')
    expect(wrapper.find('[data-testid="business-add"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="business-export-table"]').exists()).toBe(false) // customers' data: admins
    expect(wrapper.find('[data-testid="business-edit"]').exists()).toBe(false)
    await wrapper.get('[data-row="A"] [data-col="price"]').trigger('click')
    expect(wrapper.find('input[name="price"]').exists()).toBe(false)
    await wrapper.get('[data-testid="business-more"]').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('tbody tr')).toHaveLength(3)
    expect(wrapper.find('[data-testid="business-more"]').exists()).toBe(false)
  })
})
