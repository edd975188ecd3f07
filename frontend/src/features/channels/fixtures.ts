// Channels as the API returns them, for the specs: a Cloud API number, a QR-linked one, an AWS one.
import type { Channel } from './useChannelsApi'

export function channel(overrides: Partial<Channel> = {}): Channel {
  return {
    id: 1,
    phone_number_id: '109876543210001',
    session_id: null,
    waba_id: '209876543210001',
    display_phone_number: '+44 20 7946 0321',
    name: 'Lumen Home',
    kind: 'whatsapp_cloud',
    enabled: true,
    access_token: { set: true },
    uncertain_sends: 'resend',
    webhook_url: 'https://frontdesk.example.com/webhooks/whatsapp',
    verify_token: 'a-long-random-string',
    created_at: '2026-11-21T10:00:00Z',
    last_test: null,
    aws_phone_number_id: null,
    region: null,
    groups: false,
    team_version: null,
    status: null,
    status_detail: null,
    status_at: null,
    profile_name: null,
    qr: null,
    qr_expires_at: null,
    ...overrides,
  }
}

/** A number linked by QR, waiting for its phone to scan (zapw's text payload). */
export function bridge(overrides: Partial<Channel> = {}): Channel {
  return channel({
    id: 7,
    kind: 'wa_bridge',
    name: 'Shop',
    phone_number_id: null,
    session_id: 'fd-3k9x2m7q',
    waba_id: null,
    display_phone_number: null,
    access_token: { set: false },
    webhook_url: 'https://frontdesk.example.com/webhooks/bridge',
    verify_token: null,
    status: 'qr_waiting',
    status_at: '2026-12-07T10:00:00Z',
    qr: '2@Xk3v9QbYc1m0ZpLw8d4RfT6u,Vq2nS5hJ7yE1oA3bC9xK0lM4gH6iP8rW=,lB2cD4eF6gH8iJ0kL2mN4oP6qR8sT0u=,Yc3dE5fG7hI9jK1l',
    qr_expires_at: '2026-12-07T10:01:00Z',
    ...overrides,
  })
}

export function aws(overrides: Partial<Channel> = {}): Channel {
  return channel({
    id: 9,
    kind: 'aws_social',
    name: 'Lumen sales',
    phone_number_id: '109876543210002',
    access_token: { set: false },
    webhook_url: 'https://frontdesk.example.com/webhooks/aws',
    verify_token: null,
    aws_phone_number_id: 'phone-number-id-0123456789abcdef0123456789abcdef',
    region: 'eu-west-1',
    ...overrides,
  })
}
