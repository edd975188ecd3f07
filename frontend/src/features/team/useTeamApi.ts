// Team API calls (`/api/v1/team*`): read the team, validate and save an edit, try a message (dry run).
import { api, errorText, type Schemas } from '@/shared/api/client'

export type Team = Schemas['TeamOut']
export type TeamSummary = Schemas['TeamSummaryOut']
export type Problem = Schemas['ProblemOut']
export type TryResult = Schemas['TeamTryOut']
export type Reply = Schemas['ReplyOut']
export type Customer = Schemas['ContactOut']

/** A validation or save refused because the team is invalid: the problems, each with path and line. */
export type Invalid = { problems: Problem[] }
export type Failure = { error: string }

export type CheckResult = { summary: TeamSummary } | Invalid | Failure
export type SaveResult = { team: Team } | Invalid | { conflict: string } | Failure
export type TryAnswer = { result: TryResult } | Invalid | Failure

export interface TryRequest {
  message: string
  yaml?: string
  wa_id?: string
  tapped?: string
  state?: Record<string, unknown> | null
}

/** The `problems` of a 422 about the team itself (a malformed body has none: it is a plain error). */
function problemsOf(error: unknown): Problem[] | null {
  if (error && typeof error === 'object' && 'problems' in error) {
    const problems = (error as { problems: unknown }).problems
    if (Array.isArray(problems) && problems.length) return problems as Problem[]
  }
  return null
}

export function useTeamApi() {
  async function get(): Promise<{ team: Team } | Failure> {
    const { data, error } = await api.GET('/api/v1/team')
    return data ? { team: data } : { error: errorText(error, 'Could not load the team') }
  }

  async function validate(yaml: string): Promise<CheckResult> {
    const { data, error } = await api.POST('/api/v1/team/validate', { body: { yaml } })
    if (data) return { summary: data.summary }
    const problems = problemsOf(error)
    return problems ? { problems } : { error: errorText(error, 'Could not validate the team') }
  }

  async function save(yaml: string, baseVersion: number): Promise<SaveResult> {
    const { data, error, response } = await api.PUT('/api/v1/team', { body: { yaml, base_version: baseVersion } })
    if (data) return { team: data }
    if (response.status === 409) return { conflict: errorText(error, 'Someone saved a newer version') }
    const problems = problemsOf(error)
    return problems ? { problems } : { error: errorText(error, 'Could not save the team') }
  }

  async function tryMessage(body: TryRequest): Promise<TryAnswer> {
    const { data, error } = await api.POST('/api/v1/team/try', { body })
    if (data) return { result: data }
    const problems = problemsOf(error)
    return problems ? { problems } : { error: errorText(error, 'Could not try the message') }
  }

  /** The customers a try can speak as (the demo's, or the business's own). */
  async function customers(): Promise<{ customers: Customer[] } | Failure> {
    const { data, error } = await api.GET('/api/v1/contacts', { params: { query: { limit: 100 } } })
    return data ? { customers: data.items } : { error: errorText(error, 'Could not load the customers') }
  }

  return { get, validate, save, tryMessage, customers }
}
