// The agent team as the API returns it, for the specs.
import type { Team, TeamSummary } from './useTeamApi'

export const summary: TeamSummary = {
  name: 'Lumen Home',
  supervisor: { instructions: 'Route.', tools: ['handoff'], models: ['local'], skills: 4, handoff_keywords: ['human'] },
  agents: [
    { name: 'orders', description: 'Order status and cancellations.', instructions: 'Help.', tools: ['order_status'], models: ['openai:gpt-4o-mini', 'local'], skills: 5 },
  ],
} as TeamSummary

/** Version 0 is the team file; any other was saved. */
export function team(version = 0, yaml = 'name: Lumen Home\n', overrides: Partial<Team> = {}): Team {
  return { version, source: version ? 'saved' : 'file', yaml, summary, tools: [], channels: [], saved_by: null, saved_at: null, ...overrides } as Team
}
