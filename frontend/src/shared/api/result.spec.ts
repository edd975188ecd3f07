import { describe, expect, it } from 'vitest'
import { call } from './result'

/** What the generated client resolves to: `data` on a 2xx, `error` otherwise. */
function answer<D>(status: number, body?: D) {
  const response = new Response(null, { status })
  return Promise.resolve(status < 300 ? { data: body, response } : { error: body as unknown, response })
}

describe('call', () => {
  it('hands back the data, or the part of it asked for', async () => {
    expect(await call(answer(200, { items: [1, 2] }), 'Failed')).toEqual({ data: { items: [1, 2] } })
    expect(await call(answer(200, { items: [1, 2] }), 'Failed', (page) => page!.items)).toEqual({ data: [1, 2] })
  })

  it('takes an empty 204 as a yes', async () => {
    expect(await call(answer(204), 'Failed', () => null)).toEqual({ data: null })
  })

  it('gives the server’s reason, else the fallback for that status', async () => {
    const refused = await call(answer(409, { detail: 'Already a member' }), 'Failed')
    expect(refused).toMatchObject({ error: 'Already a member', status: 409, fields: {} })
    const bare = await call(answer(503), (status) => `The server refused (${status}).`)
    expect(bare).toMatchObject({ error: 'The server refused (503).', status: 503 })
  })

  it('puts a 422’s messages on their fields, the first one per field', async () => {
    const detail = [
      { loc: ['body', 'email'], msg: 'not an e-mail' },
      { loc: ['body', 'email'], msg: 'too long' },
      { loc: ['body', 'password'], msg: 'too short' },
    ]
    const refused = await call(answer(422, { detail }), 'Failed')
    expect(refused).toMatchObject({
      error: 'email: not an e-mail; email: too long; password: too short',
      fields: { email: 'not an e-mail', password: 'too short' },
      body: { detail },
    })
  })
})
