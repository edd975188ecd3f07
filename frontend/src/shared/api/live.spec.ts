import { afterEach, describe, expect, it, vi } from 'vitest'
import { LiveFeed, type LiveEvent } from './live'

class FakeSocket {
  onopen: (() => void) | null = null
  onmessage: ((m: { data: string }) => void) | null = null
  onclose: ((event?: { code: number }) => void) | null = null
  close(): void {
    this.onclose?.()
  }
}

describe('LiveFeed', () => {
  afterEach(() => vi.useRealTimers())

  it('delivers events and reconnects after the last id it saw', () => {
    vi.useFakeTimers()
    const urls: string[] = []
    const sockets: FakeSocket[] = []
    const events: LiveEvent[] = []
    const feed = new LiveFeed({
      onEvent: (e) => events.push(e),
      url: (since) => `ws://test/api/v1/ws${since === null ? '' : `?since=${since}`}`,
      connect: (url) => {
        urls.push(url)
        const socket = new FakeSocket()
        sockets.push(socket)
        return socket as unknown as WebSocket
      },
    })
    feed.start()
    sockets[0]!.onopen?.()
    sockets[0]!.onmessage?.({ data: JSON.stringify({ id: 7, type: 'conversation.updated', created_at: '', payload: {} }) })
    sockets[0]!.onclose?.()
    vi.advanceTimersByTime(600)
    expect(events.map((e) => e.id)).toEqual([7])
    expect(urls).toEqual(['ws://test/api/v1/ws', 'ws://test/api/v1/ws?since=7'])
    feed.stop()
  })

  it('refreshes the session before reconnecting after a 1008 close (token expired)', async () => {
    vi.useFakeTimers()
    const sockets: FakeSocket[] = []
    const renew = vi.fn(() => Promise.resolve(true))
    const feed = new LiveFeed({
      onEvent: () => {},
      url: () => 'ws://test/api/v1/ws',
      renew,
      connect: () => {
        const socket = new FakeSocket()
        sockets.push(socket)
        return socket as unknown as WebSocket
      },
    })
    feed.start()
    sockets[0]!.onopen?.()
    sockets[0]!.onclose?.({ code: 1000 })
    await vi.advanceTimersByTimeAsync(600)
    expect(renew).not.toHaveBeenCalled()
    sockets[1]!.onopen?.()
    sockets[1]!.onclose?.({ code: 1008 })
    await vi.advanceTimersByTimeAsync(600)
    expect(renew).toHaveBeenCalledTimes(1)
    expect(sockets).toHaveLength(3)
    feed.stop()
  })
})
