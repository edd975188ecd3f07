import { describe, expect, it } from 'vitest'
import { windowLeft, windowOpen } from './format'

describe('the 24-hour window', () => {
  const now = Date.parse('2026-11-21T12:00:00Z')
  it('is open within 24 hours of the last inbound message', () => {
    expect(windowOpen('2026-11-21T00:00:00Z', now)).toBe(true)
    expect(windowLeft('2026-11-21T00:00:00Z', now)).toBe('12 h 0 min')
  })
  it('is closed after 24 hours, or when the customer never wrote', () => {
    expect(windowOpen('2026-11-20T11:59:00Z', now)).toBe(false)
    expect(windowOpen(null, now)).toBe(false)
    expect(windowLeft('2026-11-20T11:59:00Z', now)).toBe('')
  })
})
