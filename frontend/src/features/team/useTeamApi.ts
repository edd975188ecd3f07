// Team API calls (`/api/v1/team*`): read the team, validate and save an edit, try a message (dry run).
import { api, type Schemas } from '@/shared/api/client'
import { call, type Refusal, type Result } from '@/shared/api/result'

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

/** A refusal as the team's problems when it has them, else its one line. */
function invalidOr(refusal: Refusal): Invalid | Failure {
  const problems = problemsOf(refusal.body)
  return problems ? { problems } : { error: refusal.error }
}

export function useTeamApi() {
  async function get(): Promise<Result<Team>> {
    return call(api.GET('/api/v1/team'), 'Could not load the team')
  }

  async function validate(yaml: string): Promise<CheckResult> {
    const result = await call(api.POST('/api/v1/team/validate', { body: { yaml } }), 'Could not validate the team')
    return result.error === undefined ? { summary: result.data.summary } : invalidOr(result)
  }

  async function save(yaml: string, baseVersion: number): Promise<SaveResult> {
    const request = api.PUT('/api/v1/team', { body: { yaml, base_version: baseVersion } })
    const result = await call(request, (status) => (status === 409 ? 'Someone saved a newer version' : 'Could not save the team'))
    if (result.error === undefined) return { team: result.data }
    return result.status === 409 ? { conflict: result.error } : invalidOr(result)
  }

  async function tryMessage(body: TryRequest): Promise<TryAnswer> {
    const result = await call(api.POST('/api/v1/team/try', { body }), 'Could not try the message')
    return result.error === undefined ? { result: result.data } : invalidOr(result)
  }

  /** The customers a try can speak as (the demo's, or the business's own). */
  async function customers(): Promise<Result<Customer[]>> {
    const request = api.GET('/api/v1/contacts', { params: { query: { limit: 100 } } })
    return call(request, 'Could not load the customers', (page) => page.items)
  }

  return { get, validate, save, tryMessage, customers }
}
