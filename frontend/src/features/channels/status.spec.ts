import { describe, expect, it } from 'vitest'
import { aws, bridge, channel } from './fixtures'
import { disconnected, kindLabel, phoneText, statusLine, teamText } from './status'

describe('how a number is named', () => {
  it('names each kind', () => {
    expect(['whatsapp_cloud', 'wa_bridge', 'aws_social'].map((k) => kindLabel(k as never))).toEqual(['Cloud API', 'QR-linked', 'AWS'])
  })

  it('says a bridge number’s link: connected as its number, waiting, or why it dropped', () => {
    expect(statusLine(bridge())).toEqual({ tone: 'wait', text: 'Waiting for the QR code to be scanned' })
    expect(statusLine(bridge({ status: 'connected', display_phone_number: '447700900555', profile_name: 'Lumen Shop' }))).toEqual({
      tone: 'ok',
      text: 'Connected as +447700900555 (Lumen Shop)',
    })
    expect(statusLine(bridge({ status: 'connected', display_phone_number: '+447700900555' })).text).toBe('Connected as +447700900555')
    expect(statusLine(bridge({ status: 'connected' })).text).toBe('Connected')
    expect(statusLine(bridge({ status: 'disconnected', status_detail: 'logged out on the phone' }))).toEqual({
      tone: 'bad',
      text: 'Disconnected: logged out on the phone',
    })
    expect(statusLine(bridge({ status: 'disconnected' })).text).toBe('Disconnected')
    expect(statusLine(bridge({ status: 'connecting' })).text).toBe('Connecting…')
    expect(statusLine(bridge({ status: 'initializing' })).tone).toBe('wait')
  })

  it('says whether a Meta number is served', () => {
    expect(statusLine(channel())).toEqual({ tone: 'ok', text: 'Enabled' })
    expect(statusLine(aws({ enabled: false }))).toEqual({ tone: 'off', text: 'Disabled' })
  })

  it('lists only the bridge numbers whose phone link broke', () => {
    const broken = bridge({ id: 8, status: 'disconnected' })
    expect(disconnected([channel({ enabled: false }), bridge(), broken, aws()])).toEqual([broken])
  })

  it('says which team answers', () => {
    expect(teamText(null)).toBe('Current team')
    expect(teamText(4)).toBe('Version 4')
    expect(teamText(0)).toBe('Version 0, the team file')
    expect(phoneText(null)).toBeNull()
  })
})
