// Channel API calls (`/api/v1/channels/*`, admins and owners). Tokens go in; only "set" comes back.
import { api, type Schemas } from '@/shared/api/client'
import { call, type Result } from '@/shared/api/result'

export type Channel = Schemas['ChannelOut']
/** How a number reaches WhatsApp: Meta's Cloud API, a QR-linked phone through the bridge (zapw), or AWS. */
export type ChannelKind = Schemas['ChannelKind']
export type ChannelIn = Schemas['CloudChannelIn'] | Schemas['BridgeChannelIn'] | Schemas['AwsChannelIn']
export type ChannelPatch = Schemas['ChannelPatch']
export type ConnectionTest = Schemas['ConnectionTestOut']

export function useChannelsApi() {
  const at = (id: number) => ({ params: { path: { channel_id: id } } })

  async function list(): Promise<Result<Channel[]>> {
    const request = api.GET('/api/v1/channels', { params: { query: { limit: 200 } } })
    return call(request, 'Could not load the numbers', (page) => page.items)
  }

  async function get(id: number): Promise<Result<Channel>> {
    return call(api.GET('/api/v1/channels/{channel_id}', at(id)), 'Could not load the number')
  }

  async function create(body: ChannelIn): Promise<Result<Channel>> {
    return call(api.POST('/api/v1/channels', { body }), 'Could not add the number')
  }

  async function update(id: number, body: ChannelPatch): Promise<Result<Channel>> {
    return call(api.PATCH('/api/v1/channels/{channel_id}', { ...at(id), body }), 'Could not save the number')
  }

  async function setEnabled(id: number, enabled: boolean): Promise<Result<Channel>> {
    const request = enabled
      ? api.POST('/api/v1/channels/{channel_id}/enable', at(id))
      : api.POST('/api/v1/channels/{channel_id}/disable', at(id))
    return call(request, 'Could not change the number')
  }

  async function test(id: number): Promise<Result<ConnectionTest>> {
    return call(api.POST('/api/v1/channels/{channel_id}/test', at(id)), 'Could not test the connection')
  }

  /** Bridge only: `reconnect` starts a new session (a new QR); `disconnect` ends it, the number stays. */
  async function link(id: number, action: 'reconnect' | 'disconnect'): Promise<Result<Channel>> {
    return action === 'reconnect'
      ? call(api.POST('/api/v1/channels/{channel_id}/reconnect', at(id)), 'Could not start a new QR code')
      : call(api.POST('/api/v1/channels/{channel_id}/disconnect', at(id)), 'Could not disconnect the number')
  }

  /** The team's newest version: a number can be given any of 0 (the team file) to it. */
  async function teamVersion(): Promise<Result<number>> {
    return call(api.GET('/api/v1/team'), 'Could not load the team', (team) => team.version)
  }

  return { list, get, create, update, setEnabled, test, link, teamVersion }
}
