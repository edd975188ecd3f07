// What every feature's API composable hands its store: the answer's data or why the server said no
// (`Result`), built in one place (`call`) from the generated client's `{ data, error, response }`; and the
// one-line `Notice` a store shows after an action.
import { errorText } from './client'

/** Why the server refused: one readable line, the status, and a 422's messages per body field. */
export interface Refusal<F extends string = string> {
  error: string
  status: number
  fields: Partial<Record<F, string>>
  /** The error answer as sent, for callers that read more than `detail` (the team's `problems`). */
  body: unknown
}

/** `data` when the server said yes; otherwise `error` (always a string) and the rest of the refusal. */
export type Result<T, F extends string = string> = { data: T; error?: undefined } | ({ data?: undefined } & Refusal<F>)

/** The outcome of an action, as the page says it. */
export type Notice = { tone: 'ok' | 'error'; text: string }

/** The line to show when the server gives no reason of its own: fixed, or by status. */
export type Fallback = string | ((status: number) => string)

/** What openapi-fetch resolves to, whatever the path. */
export interface Answer<D> {
  data?: D
  error?: unknown
  response: Response
}

/** A 422's per-field messages (`detail[].loc` is `['body', field, …]`); the first message per field. */
function fieldsOf(error: unknown): Record<string, string> {
  const fields: Record<string, string> = {}
  const detail = error && typeof error === 'object' && 'detail' in error ? (error as { detail: unknown }).detail : null
  if (!Array.isArray(detail)) return fields
  for (const d of detail as { loc?: unknown[]; msg?: string }[]) {
    const field = d.loc?.[1]
    if (typeof field === 'string') fields[field] ??= d.msg ?? 'Invalid'
  }
  return fields
}

export function refusal(status: number, error: unknown, fallback: Fallback): Refusal {
  const line = typeof fallback === 'string' ? fallback : fallback(status)
  return { error: errorText(error, line), status, fields: fieldsOf(error), body: error }
}

/** Await a generated client call and make a `Result` of it: the data (or `pick` of it) on a 2xx — an
 * empty 204 included, whose data is `undefined` —, else the refusal with the server's reason. */
export async function call<D, T = D>(request: Promise<Answer<D>>, fallback: Fallback, pick?: (data: D) => T): Promise<Result<T>> {
  const { data, error, response } = await request
  if (!response.ok) return refusal(response.status, error, fallback)
  return { data: pick ? pick(data as D) : (data as unknown as T) }
}
