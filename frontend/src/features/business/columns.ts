// The business's six tables as the page shows them: each table's key and columns, and for each kind of
// column how a value reads in a cell, how it reads in an input, and how an input becomes the JSON the
// API takes back. Pure functions: the store and the components share them, and specs test them alone.

export const TABLES = ['products', 'customers', 'orders', 'services', 'technicians', 'appointments'] as const
export type Table = (typeof TABLES)[number]

/** A row as the API sends it; the columns below say which fields the page shows and edits. */
export type Row = Record<string, unknown>

export const ORDER_STATUSES = [
  'processing', 'backordered', 'shipped', 'out_for_delivery', 'delivered', 'return_requested', 'returned', 'cancelled',
] as const
export const APPOINTMENT_STATUSES = ['booked', 'cancelled'] as const

/**
 * `text`, `int`, `decimal`, `money` (in the tenant's currency), `bool`, `date` (YYYY-MM-DD), `datetime`,
 * `list` (strings, typed comma-separated), `items` (an order's lines, typed `SKU x2; SKU x1`), `json`
 * (a technician's hours), `choice` (one of `options`).
 */
export type Kind = 'text' | 'int' | 'decimal' | 'money' | 'bool' | 'date' | 'datetime' | 'list' | 'items' | 'json' | 'choice'

export interface Column {
  field: string
  label: string
  kind: Kind
  options?: readonly string[]
  /** Shown and sent when adding a row, but fixed afterwards (the row's key). */
  key?: boolean
  /** Needed to add a row (the server says so too; this only marks the input). */
  required?: boolean
  /** Shown, never sent (the server computes it, like an appointment's end). */
  readonly?: boolean
  /** An emptied input sends `""` rather than `null` (a description may be blank, never null). */
  blank?: boolean
}

export interface TableSpec {
  table: Table
  label: string
  /** One row, in words ("product"), for buttons and confirmations. */
  noun: string
  key: string
  columns: Column[]
}

const key = (field: string, label: string): Column => ({ field, label, kind: 'text', key: true, required: true })
const col = (field: string, label: string, kind: Kind = 'text', more: Partial<Column> = {}): Column => ({ field, label, kind, ...more })

export const SPECS: Record<Table, TableSpec> = {
  products: {
    table: 'products', label: 'Products', noun: 'product', key: 'sku',
    columns: [
      key('sku', 'SKU'), col('name', 'Name', 'text', { required: true }), col('category', 'Category', 'text', { required: true }),
      col('price', 'Price', 'money', { required: true }), col('stock', 'Stock', 'int', { required: true }),
      col('rating', 'Rating', 'decimal'), col('tags', 'Tags', 'list'), col('description', 'Description', 'text', { blank: true }),
      col('restock_eta', 'Restock', 'date'),
    ],
  },
  customers: {
    table: 'customers', label: 'Customers', noun: 'customer', key: 'wa_id',
    columns: [
      key('wa_id', 'WhatsApp number'), col('name', 'Name'), col('email', 'E-mail'), col('city', 'City'),
      col('language', 'Language'), col('preferences', 'Preferences', 'json'), col('marketing_opt_in', 'Marketing', 'bool'),
      col('vip', 'VIP', 'bool'),
    ],
  },
  orders: {
    table: 'orders', label: 'Orders', noun: 'order', key: 'ref',
    columns: [
      key('ref', 'Order'), col('customer', 'Customer', 'text', { required: true }), col('items', 'Items', 'items', { required: true }),
      col('total', 'Total', 'money', { required: true }), col('status', 'Status', 'choice', { options: ORDER_STATUSES, required: true }),
      col('carrier', 'Carrier'), col('tracking', 'Tracking'), col('ordered_at', 'Ordered', 'date', { required: true }),
      col('shipped_at', 'Shipped', 'date'), col('delivered_at', 'Delivered', 'date'), col('eta', 'ETA', 'date'),
    ],
  },
  services: {
    table: 'services', label: 'Services', noun: 'service', key: 'code',
    columns: [
      key('code', 'Code'), col('name', 'Name', 'text', { required: true }), col('duration_min', 'Minutes', 'int', { required: true }),
      col('price', 'Price', 'money', { required: true }), col('remote', 'Remote', 'bool'), col('requires', 'Requires', 'list'),
      col('description', 'Description', 'text', { blank: true }),
    ],
  },
  technicians: {
    table: 'technicians', label: 'Technicians', noun: 'technician', key: 'code',
    columns: [
      key('code', 'Code'), col('name', 'Name', 'text', { required: true }), col('skills', 'Skills', 'list'),
      col('areas', 'Areas', 'list'), col('hours', 'Hours', 'json'),
    ],
  },
  appointments: {
    table: 'appointments', label: 'Appointments', noun: 'appointment', key: 'ref',
    columns: [
      key('ref', 'Ref'), col('service', 'Service', 'text', { required: true }),
      col('technician', 'Technician', 'text', { required: true }), col('customer', 'Customer', 'text', { required: true }),
      col('start', 'Starts', 'datetime', { required: true }), col('end', 'Ends', 'datetime', { readonly: true }),
      col('city', 'City'), col('status', 'Status', 'choice', { options: APPOINTMENT_STATUSES }),
    ],
  },
}

type Item = { sku: string; qty: number }

/** A value as a cell shows it. `money` formats with the tenant's currency when it is known. */
export function display(column: Column, value: unknown, currency: string | null = null): string {
  if (value === null || value === undefined || value === '') return '—'
  switch (column.kind) {
    case 'money':
      return money(value, currency)
    case 'bool':
      return value ? 'Yes' : 'No'
    case 'date':
      return new Date(`${String(value).slice(0, 10)}T00:00:00`).toLocaleDateString([], { day: 'numeric', month: 'short', year: 'numeric' })
    case 'datetime':
      // The API answers in the tenant's time zone: show that wall-clock time, not the browser's.
      return new Date(String(value).slice(0, 16)).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })
    case 'list':
      return Array.isArray(value) ? value.join(', ') || '—' : String(value)
    case 'items':
      return itemsText(value)
    case 'json':
      return JSON.stringify(value)
    default:
      return String(value)
  }
}

/** `£14.99` in the tenant's currency (the browser's locale decides the separators); a plain number
 * with two decimals while the currency is unknown. */
export function money(value: unknown, currency: string | null): string {
  const amount = Number(value)
  if (!Number.isFinite(amount)) return String(value)
  if (!currency) return amount.toFixed(2)
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount)
  } catch {
    return `${amount.toFixed(2)} ${currency}` // a code the browser does not know
  }
}

function itemsText(value: unknown): string {
  if (!Array.isArray(value)) return String(value)
  return (value as Item[]).map((i) => `${i.sku} x${i.qty}`).join('; ')
}

/** A value as its input shows it for editing. */
export function toInput(column: Column, value: unknown): string {
  if (value === null || value === undefined) return ''
  switch (column.kind) {
    case 'bool':
      return value ? 'true' : 'false'
    case 'list':
      return Array.isArray(value) ? value.join(', ') : String(value)
    case 'items':
      return itemsText(value)
    case 'json':
      return JSON.stringify(value)
    case 'datetime':
      return String(value).slice(0, 16) // what <input type="datetime-local"> takes
    case 'date':
      return String(value).slice(0, 10)
    default:
      return String(value)
  }
}

/** What an emptied input sends, by kind: an empty list or mapping rather than null. */
const EMPTY: Partial<Record<Kind, unknown>> = { list: [], items: [], json: {} }

/** An input's text as the JSON the API takes, or the reason it cannot be (shown beside the field
 * before anything is sent). An empty input is `null`: the field is cleared. */
export function fromInput(column: Column, text: string): { value: unknown } | { error: string } {
  const raw = text.trim()
  if (!raw) return column.required ? { error: 'Required' } : { value: EMPTY[column.kind] ?? (column.blank ? '' : null) }
  switch (column.kind) {
    case 'int':
      return /^-?\d+$/.test(raw) ? { value: Number(raw) } : { error: 'A whole number' }
    case 'decimal':
    case 'money':
      // Sent as a string: the API reads it as a Decimal, so 0.1 stays 0.1.
      return /^-?\d+(\.\d+)?$/.test(raw) ? { value: raw } : { error: 'A number, like 14.99' }
    case 'bool':
      return { value: raw === 'true' }
    case 'list':
      return { value: raw.split(',').map((s) => s.trim()).filter(Boolean) }
    case 'items':
      return parseItems(raw)
    case 'json':
      try {
        return { value: JSON.parse(raw) }
      } catch {
        return { error: 'Not valid JSON' }
      }
    default:
      return { value: raw }
  }
}

function parseItems(raw: string): { value: Item[] } | { error: string } {
  const items: Item[] = []
  for (const part of raw.split(';').map((s) => s.trim()).filter(Boolean)) {
    const match = /^(\S+)\s+x(\d+)$/.exec(part)
    if (!match) return { error: `“${part}”: write SKU x2` }
    items.push({ sku: match[1]!, qty: Number(match[2]) })
  }
  return { value: items }
}

/** The fields a row's edit changes, as the PATCH body; the errors per field if any input is wrong. */
export function changes(spec: TableSpec, row: Row | null, inputs: Record<string, string>): { body: Row; errors: Record<string, string> } {
  const body: Row = {}
  const errors: Record<string, string> = {}
  for (const column of spec.columns) {
    if (column.readonly || (row && column.key) || !(column.field in inputs)) continue
    const before = row ? toInput(column, row[column.field]) : ''
    if (row && inputs[column.field] === before) continue
    const parsed = fromInput(column, inputs[column.field]!)
    if ('error' in parsed) errors[column.field] = parsed.error
    else if (row || parsed.value !== null) body[column.field] = parsed.value
  }
  return { body, errors }
}
