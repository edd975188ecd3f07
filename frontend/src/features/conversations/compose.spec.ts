import { describe, expect, it } from 'vitest'
import { ago, buttonsProblems, fillQuickReply, templateMessage, templateProblems } from './compose'

describe('the composer helpers', () => {
  it('fills the first name into a quick reply, or leaves it out', () => {
    expect(fillQuickReply('Hi {name}, thanks.', 'Amelia Clarke')).toBe('Hi Amelia, thanks.')
    expect(fillQuickReply('Hi {name}, thanks.', null)).toBe('Hi, thanks.')
    expect(fillQuickReply('Thanks for waiting, {name}.', '')).toBe('Thanks for waiting.')
  })

  it('says how long ago, roughly', () => {
    const now = Date.parse('2026-11-21T12:00:00Z')
    expect(ago('2026-11-21T11:59:00Z', now)).toBe('1 minute')
    expect(ago('2026-11-21T07:00:00Z', now)).toBe('5 hours')
    expect(ago('2026-11-20T10:00:00Z', now)).toBe('26 hours')
    expect(ago('2026-11-14T12:00:00Z', now)).toBe('7 days')
  })

  it('checks reply buttons against WhatsApp’s limits', () => {
    expect(buttonsProblems('Pick one', ['A', 'B', 'C'])).toEqual([])
    expect(buttonsProblems('', ['A', 'B', 'C', 'D'])).toEqual([
      'Write the message text above the buttons.',
      'WhatsApp allows at most 3 buttons.',
    ])
    expect(buttonsProblems('x', ['a'.repeat(21)])).toEqual(['Button 1: at most 20 characters.'])
  })

  it('checks a template and builds its body parameters', () => {
    expect(templateProblems({ name: 'order_update', language: 'en_GB', params: ['LH-1'] })).toEqual([])
    expect(templateProblems({ name: '', language: 'english', params: [] })).toHaveLength(2)
    expect(templateMessage({ name: ' hello ', language: 'en', params: [] })).toEqual({
      kind: 'template',
      name: 'hello',
      language: 'en',
      components: [],
    })
  })
})
