// What each dashboard chart shows, as plain data: the canvas draws it and a table repeats it as text.
import type { Stats } from './useDashboardApi'

/** Okabe–Ito colours: told apart with colour-blindness, and at least 3:1 against white. */
export const COLORS = { blue: '#0072B2', orange: '#C26A00', vermillion: '#D55E00', green: '#007A5A', sky: '#3D8FC4' }

export interface Series {
  label: string
  values: (number | null)[]
  color: string
  /** Draw as a line over bars; `right` puts it on a second axis. */
  line?: boolean
  right?: boolean
  stack?: string
}

export interface ChartSpec {
  id: string
  title: string
  /** One sentence a screen reader hears instead of the picture. */
  summary: string
  /** Said instead of a chart when every value is zero or missing. */
  emptyText: string
  labels: string[]
  series: Series[]
  kind: 'bar' | 'line' | 'hbar'
  format: (value: number) => string
  formatRight?: (value: number) => string
}

export const fmt = {
  count: (v: number) => v.toLocaleString(),
  seconds: (v: number) => `${(v / 1000).toFixed(v < 10_000 ? 1 : 0)} s`,
  percent: (v: number) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`,
  usd: (v: number) => `$${v.toFixed(v < 1 ? 4 : 2)}`,
}

/** "Mon 21" for a local day `YYYY-MM-DD` (read as a calendar date, not an instant). */
export function dayLabel(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return new Date(y, m - 1, d).toLocaleDateString([], { weekday: 'short', day: 'numeric' })
}

function busiest(labels: string[], values: number[]): string {
  const max = Math.max(...values)
  return max > 0 ? `; busiest ${labels[values.indexOf(max)]} with ${fmt.count(max)}` : ''
}

export function messagesChart(summary: Stats): ChartSpec {
  const labels = summary.days.map((d) => dayLabel(d.day))
  const totals = summary.days.map((d) => d.inbound + d.outbound)
  return {
    id: 'messages',
    title: 'Messages per day',
    summary: `Messages per day: ${fmt.count(summary.inbound)} in and ${fmt.count(summary.outbound)} out over ${summary.days.length} days${busiest(labels, totals)}.`,
    emptyText: 'No messages in this period.',
    labels,
    kind: 'bar',
    format: fmt.count,
    series: [
      { label: 'In (customers)', values: summary.days.map((d) => d.inbound), color: COLORS.blue },
      { label: 'Out (bot and staff)', values: summary.days.map((d) => d.outbound), color: COLORS.orange },
    ],
  }
}

export function responseChart(summary: Stats): ChartSpec {
  const pick = (key: 'response_ms_p50' | 'response_ms_p95') => summary.days.map((d) => d[key] ?? null)
  const overall = summary.response_ms_p95 === null
    ? 'no bot replies were timed in this period'
    : `over the period, median ${fmt.seconds(summary.response_ms_p50 ?? 0)} and 95th percentile ${fmt.seconds(summary.response_ms_p95)} across ${fmt.count(summary.replies_timed)} replies`
  return {
    id: 'response',
    title: 'Bot response time',
    summary: `Bot response time per day: ${overall}.`,
    emptyText: 'The bot has not answered anyone in this period.',
    labels: summary.days.map((d) => dayLabel(d.day)),
    kind: 'line',
    format: fmt.seconds,
    series: [
      { label: 'Median (p50)', values: pick('response_ms_p50'), color: COLORS.blue },
      { label: '95th percentile (p95)', values: pick('response_ms_p95'), color: COLORS.vermillion },
    ],
  }
}

export function handoffChart(summary: Stats): ChartSpec {
  const overall = summary.handoff_rate === null
    ? 'no conversations in this period'
    : `${fmt.percent(summary.handoff_rate)} over the period (${summary.handoffs} of ${summary.conversations} conversations went to staff)`
  return {
    id: 'handoff',
    title: 'Handoff rate',
    summary: `Share of conversations handed to staff per day: ${overall}.`,
    emptyText: summary.conversations
      ? `No conversation went to staff: the bot handled all ${summary.conversations}.`
      : 'No conversations in this period.',
    labels: summary.days.map((d) => dayLabel(d.day)),
    kind: 'bar',
    format: fmt.percent,
    series: [{ label: 'Handed to staff', values: summary.days.map((d) => d.handoff_rate ?? null), color: COLORS.green }],
  }
}

export function agentsChart(summary: Stats): ChartSpec {
  const agents = [...summary.agents].sort((a, b) => b.messages - a.messages)
  const top = agents[0]
  return {
    id: 'agents',
    title: 'Replies per agent',
    summary: top
      ? `Replies per agent: ${agents.map((a) => `${a.agent} ${fmt.count(a.messages)}`).join(', ')}.`
      : 'No agent replied in this period.',
    emptyText: 'No agent replied in this period.',
    labels: agents.map((a) => a.agent),
    kind: 'hbar',
    format: fmt.count,
    series: [{ label: 'Replies', values: agents.map((a) => a.messages), color: COLORS.blue }],
  }
}

export function usageChart(summary: Stats): ChartSpec {
  const tokens = (key: 'tokens_in' | 'tokens_out') => summary.days.map((d) => d[key])
  return {
    id: 'usage',
    title: 'Tokens and cost',
    summary: `Model use per day: ${fmt.count(summary.tokens_in)} tokens in, ${fmt.count(summary.tokens_out)} out, costing ${fmt.usd(Number(summary.cost))} over the period.`,
    emptyText: 'No model tokens used in this period (self-hosted or scripted agents cost nothing).',
    labels: summary.days.map((d) => dayLabel(d.day)),
    kind: 'bar',
    format: fmt.count,
    formatRight: fmt.usd,
    series: [
      { label: 'Tokens in', values: tokens('tokens_in'), color: COLORS.blue, stack: 'tokens' },
      { label: 'Tokens out', values: tokens('tokens_out'), color: COLORS.sky, stack: 'tokens' },
      { label: 'Cost (USD)', values: summary.days.map((d) => Number(d.cost)), color: COLORS.vermillion, line: true, right: true },
    ],
  }
}
