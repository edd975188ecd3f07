// A channel as the API returns it, for the specs.
import type { Channel } from './useChannelsApi'

export function channel(overrides: Partial<Channel> = {}): Channel {
  return {
    id: 1,
    phone_number_id: '109876543210001',
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
    ...overrides,
  }
}
