// `npm run gen:api`: regenerate the typed API clients' types from the backend's OpenAPI schemas.
// The schemas come from `frontdesk dev openapi` (no server needed); the generated .ts files are
// committed, so building the app never needs Python or a running server.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '..', '..')
const frontdesk = process.env.FRONTDESK_BIN ?? join(repo, '.venv', 'bin', 'frontdesk')
const bin = join(here, '..', 'node_modules', '.bin', 'openapi-typescript')
const work = mkdtempSync(join(tmpdir(), 'frontdesk-openapi-'))

const targets = [
  { args: [], out: 'src/shared/api/schema.ts' },
  { args: ['--simulator'], out: 'src/shared/api/simulator-schema.ts' },
]
for (const { args, out } of targets) {
  const json = execFileSync(frontdesk, ['dev', 'openapi', ...args], {
    cwd: repo,
    env: { ...process.env, FRONTDESK_ENV: 'dev', FRONTDESK_LOG_LEVEL: 'WARNING' },
    maxBuffer: 64 * 1024 * 1024,
  })
  const file = join(work, `${args.length ? 'simulator' : 'api'}.json`)
  writeFileSync(file, json)
  execFileSync(bin, [file, '-o', join(here, '..', out), '--root-types'], { stdio: 'inherit' })
}
rmSync(work, { recursive: true, force: true })
