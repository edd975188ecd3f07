// Channel API calls (`/api/v1/channels/*`, admins and owners). Tokens go in; only "set" comes back.
import { api, errorText, type Schemas } from '@/shared/api/client'

export type Channel = Schemas['ChannelOut']
export type ChannelIn = Schemas['ChannelIn']
export type ChannelPatch = Schemas['ChannelPatch']
export type ConnectionTest = Schemas['ConnectionTestOut']
export type Result<T> = { data: T; error?: undefined } | { data?: undefined; error: string }

export function useChannelsApi() {
  async function list(): Promise<Result<Channel[]>> {
    const { data, error } = await api.GET('/api/v1/channels', { params: { query: { limit: 200 } } })
    return data ? { data: data.items } : { error: errorText(error, 'Could not load the numbers') }
  }

  async function get(id: number): Promise<Result<Channel>> {
    const { data, error } = await api.GET('/api/v1/channels/{channel_id}', { params: { path: { channel_id: id } } })
    return data ? { data } : { error: errorText(error, 'Could not load the number') }
  }

  async function create(body: ChannelIn): Promise<Result<Channel>> {
    const { data, error } = await api.POST('/api/v1/channels', { body })
    return data ? { data } : { error: errorText(error, 'Could not add the number') }
  }

  async function update(id: number, body: ChannelPatch): Promise<Result<Channel>> {
    const { data, error } = await api.PATCH('/api/v1/channels/{channel_id}', {
      params: { path: { channel_id: id } },
      body,
    })
    return data ? { data } : { error: errorText(error, 'Could not save the number') }
  }

  async function setEnabled(id: number, enabled: boolean): Promise<Result<Channel>> {
    const params = { params: { path: { channel_id: id } } }
    const { data, error } = enabled
      ? await api.POST('/api/v1/channels/{channel_id}/enable', params)
      : await api.POST('/api/v1/channels/{channel_id}/disable', params)
    return data ? { data } : { error: errorText(error, 'Could not change the number') }
  }

  async function test(id: number): Promise<Result<ConnectionTest>> {
    const { data, error } = await api.POST('/api/v1/channels/{channel_id}/test', {
      params: { path: { channel_id: id } },
    })
    return data ? { data } : { error: errorText(error, 'Could not test the connection') }
  }

  return { list, get, create, update, setEnabled, test }
}
