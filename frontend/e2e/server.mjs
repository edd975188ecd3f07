// Start a real `frontdesk serve --fake-graph --fake-bridge` (the fake Graph API and the fake zapw bridge,
// mounted in process) on a fresh temporary SQLite database, on a free port.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, openSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const repo = resolve(import.meta.dirname, '..', '..')

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => ok(port))
    })
  })
}

export async function startFrontdesk() {
  const dir = mkdtempSync(join(tmpdir(), 'frontdesk-e2e-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const bin = process.env.FRONTDESK_BIN ?? join(repo, '.venv', 'bin', 'frontdesk')
  const log = join(dir, 'server.log')
  const out = openSync(log, 'w')
  const env = {
    ...process.env,
    FRONTDESK_ENV: 'dev',
    FRONTDESK_DATABASE_URL: `sqlite+aiosqlite:///${join(dir, 'e2e.db')}`,
    FRONTDESK_LOG_LEVEL: 'WARNING',
  }
  const child = spawn(bin, ['serve', '--fake-graph', '--fake-bridge', '--port', String(port)], {
    cwd: dir, // no stray .env
    env,
    stdio: ['ignore', out, out],
  })
  const deadline = Date.now() + 180_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`frontdesk serve exited (${child.exitCode}); see ${log}`)
    try {
      if ((await fetch(`${url}/healthz`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`frontdesk serve did not start; see ${log}`)
    await new Promise((r) => setTimeout(r, 300))
  }
  return {
    url,
    log,
    /** Run a `frontdesk` command on this server's database, as an operator would on the host. */
    cli(args, input = '') {
      return execFileSync(bin, args, { cwd: dir, env, input, encoding: 'utf8', stdio: 'pipe' })
    },
    async stop({ keep = false } = {}) {
      child.kill('SIGTERM')
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)))
      if (!keep) rmSync(dir, { recursive: true, force: true })
    },
  }
}
