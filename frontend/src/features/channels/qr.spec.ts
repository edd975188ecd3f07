import jsQR from 'jsqr'
import { describe, expect, it } from 'vitest'
import { clockText, expiresAt, qrImageSrc, qrSvg, QR_LIFETIME_MS, refreshDue, REFRESH_PAUSE_MS, secondsLeft } from './qr'
import { bridge } from './fixtures'

/** Read the code back as a phone would: the SVG's dark modules painted 4 px each, scanned by jsQR. */
function scan(svg: string): string | null {
  const size = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)![1])
  const scale = 4
  const width = size * scale
  const pixels = new Uint8ClampedArray(width * width * 4).fill(255)
  for (const [, x, y] of svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const at = ((Number(y) * scale + dy) * width + Number(x) * scale + dx) * 4
        pixels.fill(0, at, at + 3)
      }
    }
  }
  return jsQR(pixels, width, width)?.data ?? null
}

describe('the QR code of a bridge session', () => {
  it('draws zapw’s text payload as a code that scans back to the same text', () => {
    const payload = bridge().qr!
    expect(scan(qrSvg(payload))).toBe(payload)
    expect(scan(qrSvg('2@short'))).toBe('2@short')
  })

  it('shows zapw’s own PNG as it is, and draws anything else as text', () => {
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
    expect(qrImageSrc(png)).toBe(png)
    const svg = qrImageSrc('2@abc')
    expect(svg.startsWith('data:image/svg+xml,')).toBe(true)
    expect(scan(decodeURIComponent(svg.slice('data:image/svg+xml,'.length)))).toBe('2@abc')
    // Never a page or a script as the image's source: such a payload is only text in a code.
    for (const odd of ['data:text/html;base64,PHNjcmlwdD4=', 'javascript:alert(1)', 'data:image/svg+xml,<svg onload=x>']) {
      expect(qrImageSrc(odd).startsWith('data:image/svg+xml,%3Csvg')).toBe(true)
    }
  })

  it('expires when the bridge says, or a minute after it arrived when it does not', () => {
    expect(expiresAt('2026-12-07T10:01:00Z', 0)).toBe(Date.parse('2026-12-07T10:01:00Z'))
    expect(expiresAt(null, 1_000)).toBe(1_000 + QR_LIFETIME_MS)
    expect(expiresAt('not a time', 1_000)).toBe(1_000 + QR_LIFETIME_MS)
  })

  it('counts down in whole seconds, rounded up, never below zero', () => {
    expect(secondsLeft(60_000, 0)).toBe(60)
    expect(secondsLeft(60_000, 59_001)).toBe(1)
    expect(secondsLeft(60_000, 60_000)).toBe(0)
    expect(secondsLeft(60_000, 90_000)).toBe(0)
    expect(clockText(65)).toBe('1:05')
    expect(clockText(9)).toBe('0:09')
    expect(clockText(0)).toBe('0:00')
  })

  it('asks for a new code once it expired, then not again for a while', () => {
    expect(refreshDue(60_000, 59_999, null)).toBe(false)
    expect(refreshDue(60_000, 60_000, null)).toBe(true)
    expect(refreshDue(60_000, 61_000, 60_000)).toBe(false)
    expect(refreshDue(60_000, 60_000 + REFRESH_PAUSE_MS, 60_000)).toBe(true)
  })
})
