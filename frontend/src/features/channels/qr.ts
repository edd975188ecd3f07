// The QR code a phone scans to link a number (pure): drawn here from the bridge's payload (a `2@…` text)
// as an SVG image, or zapw's own PNG shown as it is; and the countdown to its expiry.
import { encode } from 'uqr'

/** Images the bridge may send instead of the text; anything else is treated as text to encode. */
const IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/
/** A QR whose expiry the bridge did not say is refreshed after this long (zapw's are valid ~60 s). */
export const QR_LIFETIME_MS = 60_000
/** After asking for a fresh QR, wait this long before asking again (the bridge may still send the old one). */
export const REFRESH_PAUSE_MS = 5_000

/** The `<img src>` of the payload: its own image, or an SVG of the code drawn from the text. */
export function qrImageSrc(payload: string): string {
  if (IMAGE.test(payload)) return payload
  return `data:image/svg+xml,${encodeURIComponent(qrSvg(payload))}`
}

/** The code as one SVG path, one unit per module, with the standard quiet zone of 4 modules. */
export function qrSvg(text: string): string {
  const { data, size } = encode(text, { ecc: 'L', border: 4 })
  let path = ''
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) path += `M${x} ${y}h1v1h-1z`
    })
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`
}

/** When the QR stops working, in ms: the bridge's `qr_expires_at`, or a lifetime from when it arrived. */
export function expiresAt(qrExpiresAt: string | null, receivedAt: number): number {
  const at = qrExpiresAt ? Date.parse(qrExpiresAt) : NaN
  return Number.isNaN(at) ? receivedAt + QR_LIFETIME_MS : at
}

/** Whole seconds left (rounded up, never below 0). */
export function secondsLeft(expires: number, now: number): number {
  return Math.max(0, Math.ceil((expires - now) / 1000))
}

/** `1:05`, `0:09`. */
export function clockText(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}

/** Ask for a fresh QR: the shown one has expired and the last request is not too recent. */
export function refreshDue(expires: number, now: number, lastAsked: number | null): boolean {
  return now >= expires && (lastAsked === null || now - lastAsked >= REFRESH_PAUSE_MS)
}
