// Small pure helpers shared by features (no store, no router).

/** "14:05" today, "Tue 14:05" this week, "21 Nov" before. */
export function shortTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return ''
  const at = new Date(iso)
  const time = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
  const days = (now.getTime() - at.getTime()) / 86_400_000
  if (at.toDateString() === now.toDateString()) return time
  if (days < 6) return `${at.toLocaleDateString([], { weekday: 'short' })} ${time}`
  return at.toLocaleDateString([], { day: 'numeric', month: 'short' })
}

export const WINDOW_MS = 24 * 60 * 60 * 1000

/** Whether WhatsApp's 24-hour customer-service window is open (the customer wrote in the last 24 h). */
export function windowOpen(lastInboundAt: string | null | undefined, now: number = Date.now()): boolean {
  if (!lastInboundAt) return false
  return now - new Date(lastInboundAt).getTime() < WINDOW_MS
}

/** Human-readable time left in the window, e.g. "5 h 12 min". */
export function windowLeft(lastInboundAt: string | null | undefined, now: number = Date.now()): string {
  if (!lastInboundAt) return ''
  const left = new Date(lastInboundAt).getTime() + WINDOW_MS - now
  if (left <= 0) return ''
  const hours = Math.floor(left / 3_600_000)
  const minutes = Math.floor((left % 3_600_000) / 60_000)
  return hours ? `${hours} h ${minutes} min` : `${minutes} min`
}
