// Business data API calls (`/api/v1/business/*`): a table's pages, one row's edits, CSV and pack
// import and export.
import { api, type Schemas } from '@/shared/api/client'
import { call, type Result } from '@/shared/api/result'
import type { paths } from '@/shared/api/schema'
import { SPECS, type Row, type Table } from './columns'

export type Page = { items: Row[]; next_cursor: string | null }

/** What an import did, or with `dry_run` would do, table by table; with problems nothing was written. */
export type ImportReport = Schemas['ImportReportOut']
export type Problem = Schemas['PackProblemOut']

export const PAGE_SIZE = 50

/** The report a refused import answers with (422, the same shape): nothing was written, `problems` say
 * why. Any other refusal (413, a 422 of the request itself) has no `tables`. */
function reportOf(body: unknown): ImportReport | null {
  const report = (body ?? {}) as Partial<ImportReport>
  return Array.isArray(report.problems) && report.tables ? (report as ImportReport) : null
}

/** A multipart body of the chosen files (the pack's single files, or one `.zip`). */
function filesForm(files: File[]): FormData {
  const form = new FormData()
  for (const file of files) form.append('files', file, file.name)
  return form
}

/** Each table's routes. The six share one shape (a list, a new row, and get, change and delete by key, the
 * path naming the key as the table does: `{sku}`, `{wa_id}`…), so the page handles every table's rows as
 * `Row`; the calls below see them through the products' routes, whose shape they all have (`satisfies`
 * checks every path against the generated schema). */
const LIST = {
  products: '/api/v1/business/products',
  customers: '/api/v1/business/customers',
  orders: '/api/v1/business/orders',
  services: '/api/v1/business/services',
  technicians: '/api/v1/business/technicians',
  appointments: '/api/v1/business/appointments',
} as const satisfies Record<Table, keyof paths>
const ONE = {
  products: '/api/v1/business/products/{sku}',
  customers: '/api/v1/business/customers/{wa_id}',
  orders: '/api/v1/business/orders/{ref}',
  services: '/api/v1/business/services/{code}',
  technicians: '/api/v1/business/technicians/{code}',
  appointments: '/api/v1/business/appointments/{ref}',
} as const satisfies Record<Table, keyof paths>
/** The tables a pack holds as CSV files (services, technicians and appointments are in services.yaml). */
const EXPORT = {
  products: '/api/v1/business/products/export',
  customers: '/api/v1/business/customers/export',
  orders: '/api/v1/business/orders/export',
} as const satisfies Partial<Record<Table, keyof paths>>
export type CsvTable = keyof typeof EXPORT
export const isCsvTable = (table: Table): table is CsvTable => table in EXPORT

type Products = typeof LIST.products
type Product = typeof ONE.products

export function useBusinessApi() {
  /** The key as the path parameter its table names (`{ sku: "LH-1" }`). */
  const row = (table: Table, key: string) => ({ path: { [SPECS[table].key]: key } as { sku: string } })
  const asRow = (data: unknown) => data as Row

  async function list(table: Table, q: string, cursor: string | null): Promise<Result<Page>> {
    const query = { q: q || undefined, cursor: cursor ?? undefined, limit: PAGE_SIZE }
    const request = api.GET(LIST[table] as Products, { params: { query } })
    return call(request, 'Could not load the table', (page) => page as unknown as Page)
  }

  async function create(table: Table, body: Row): Promise<Result<Row>> {
    const request = api.POST(LIST[table] as Products, { body: body as Schemas['ProductIn'] })
    return call(request, 'Could not add it', asRow)
  }

  async function update(table: Table, key: string, body: Row): Promise<Result<Row>> {
    const request = api.PATCH(ONE[table] as Product, { params: row(table, key), body: body as Schemas['ProductPatch'] })
    return call(request, 'Could not save it', asRow)
  }

  async function remove(table: Table, key: string): Promise<Result<null>> {
    return call(api.DELETE(ONE[table] as Product, { params: row(table, key) }), 'Could not delete it', () => null)
  }

  /** One table as CSV, or the whole pack as a `.zip`: the bytes to save. */
  async function exportTable(table: CsvTable): Promise<Result<Blob>> {
    const request = api.GET(EXPORT[table] as typeof EXPORT.products, { parseAs: 'blob' })
    return call(request, 'Could not export the table')
  }

  async function exportPack(): Promise<Result<Blob>> {
    return call(api.GET('/api/v1/business/export', { parseAs: 'blob' }), 'Could not export the pack')
  }

  /** Import a pack (a `.zip`, or single files); with `dryRun` nothing is written. A refusal that carries
   * a report (422: the pack's problems) is answered as that report, so the dialog shows the rows. */
  async function importPack(files: File[], dryRun: boolean): Promise<Result<ImportReport>> {
    const request = api.POST('/api/v1/business/import', {
      params: { query: { dry_run: dryRun } },
      body: { files: files as unknown as string[] },
      bodySerializer: () => filesForm(files),
    })
    const result = await call(request, 'The import failed')
    if (result.error === undefined) return result
    const report = reportOf(result.body)
    return report ? { data: report } : result
  }

  return { list, create, update, remove, exportTable, exportPack, importPack }
}
