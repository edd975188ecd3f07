import { describe, expect, it } from 'vitest'
import { changes, display, fromInput, money, SPECS, toInput, type Column } from './columns'

const column = (field: string) => [...Object.values(SPECS).flatMap((s) => s.columns)].find((c) => c.field === field)!
const products = SPECS.products
const bulb = { sku: 'LH-BULB-E27', name: 'Bulb', category: 'lighting', price: '14.99', stock: 240, rating: '4.5', tags: ['bulb', 'wifi'], description: 'A bulb', restock_eta: null }

describe('the business columns', () => {
  it('show money in the tenant’s currency, and a plain amount while it is unknown', () => {
    expect(money('14.99', 'GBP')).toMatch(/£\s?14\.99/)
    expect(money('1200', 'EUR')).toMatch(/€/)
    expect(money('14.99', null)).toBe('14.99')
    expect(money('14.99', 'XYZ1')).toBe('14.99 XYZ1') // a code the browser refuses
    expect(display(column('price'), '14.99', 'USD')).toMatch(/\$14\.99/)
  })

  it('show lists, order lines, flags and empty cells as text', () => {
    expect(display(column('tags'), ['bulb', 'wifi'])).toBe('bulb, wifi')
    expect(display(column('items'), [{ sku: 'A', qty: 3 }, { sku: 'B', qty: 1 }])).toBe('A x3; B x1')
    expect(display(column('vip'), true)).toBe('Yes')
    expect(display(column('eta'), null)).toBe('—')
  })

  it('show an appointment at the tenant’s wall-clock time, whatever the browser’s zone', () => {
    expect(display(column('start'), '2026-12-09T09:00:00+05:00')).toMatch(/\b0?9:00/) // not 04:00 UTC
    expect(toInput(column('start'), '2026-12-09T09:00:00+05:00')).toBe('2026-12-09T09:00')
  })

  it('read inputs as the API’s values, or say what is wrong before sending', () => {
    expect(fromInput(column('stock'), '12')).toEqual({ value: 12 })
    expect(fromInput(column('stock'), '1.5')).toEqual({ error: 'A whole number' })
    expect(fromInput(column('price'), '0.10')).toEqual({ value: '0.10' }) // text: no float rounding
    expect(fromInput(column('price'), 'abc')).toEqual({ error: 'A number, like 14.99' })
    expect(fromInput(column('price'), ' ')).toEqual({ error: 'Required' })
    expect(fromInput(column('tags'), 'a, b ,, c')).toEqual({ value: ['a', 'b', 'c'] })
    expect(fromInput(column('tags'), '')).toEqual({ value: [] })
    expect(fromInput(column('items'), 'LH-BULB-E27 x3; LH-SWITCH x1')).toEqual({ value: [{ sku: 'LH-BULB-E27', qty: 3 }, { sku: 'LH-SWITCH', qty: 1 }] })
    expect(fromInput(column('items'), 'LH-BULB-E27 three')).toEqual({ error: '“LH-BULB-E27 three”: write SKU x2' })
    expect(fromInput(column('hours'), '{"mon": ["08:00", "17:00"]}')).toEqual({ value: { mon: ['08:00', '17:00'] } })
    expect(fromInput(column('hours'), '{mon')).toEqual({ error: 'Not valid JSON' })
    expect(fromInput(column('hours'), '')).toEqual({ value: {} })
    expect(fromInput(column('carrier'), '')).toEqual({ value: null })
    expect(fromInput(SPECS.products.columns.find((c) => c.field === 'description') as Column, '')).toEqual({ value: '' })
  })

  it('send only the fields an edit changed, never the key', () => {
    const inputs = Object.fromEntries(products.columns.map((c) => [c.field, toInput(c, bulb[c.field as keyof typeof bulb])]))
    expect(changes(products, bulb, inputs)).toEqual({ body: {}, errors: {} })
    expect(changes(products, bulb, { ...inputs, sku: 'OTHER', price: '12.50', tags: 'bulb' })).toEqual({ body: { price: '12.50', tags: ['bulb'] }, errors: {} })
    expect(changes(products, bulb, { ...inputs, price: 'cheap', stock: '' }).errors).toEqual({ price: 'A number, like 14.99', stock: 'Required' })
  })

  it('send a new row’s key and filled fields', () => {
    const inputs = { sku: 'NEW-1', name: 'New', category: 'misc', price: '5', stock: '1', rating: '', tags: '', description: '', restock_eta: '' }
    expect(changes(products, null, inputs)).toEqual({
      body: { sku: 'NEW-1', name: 'New', category: 'misc', price: '5', stock: 1, tags: [], description: '' },
      errors: {},
    })
  })
})
