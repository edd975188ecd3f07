// @vitest-environment node
// What may import what (src/README.md), checked on every `npm test` as import-linter checks the Python side.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('.', import.meta.url))
/** The one store every page reads: who is signed in and what their role may do. */
const SESSION = '@/features/auth/session'

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return /\.(ts|vue)$/.test(entry.name) ? [relative(SRC, path).split(sep).join('/')] : []
  })
}

/** Every module a file names: static and dynamic imports, and the modules its specs mock. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8')
  return [...text.matchAll(/(?:\bfrom|\bimport\(|\bimport|vi\.mock\()\s*'([^']+)'/g)].map((m) => m[1]!)
}

/** Each file's imports that break `rule`, as `file -> import`. */
function breaches(files: string[], rule: (file: string, target: string) => boolean): string[] {
  return files.flatMap((file) => importsOf(file).filter((target) => !rule(file, target)).map((t) => `${file} -> ${t}`))
}

const files = sources(SRC)

describe('the layering of the web app', () => {
  it('finds the sources it checks', () => {
    expect(files).toContain('shared/api/client.ts')
    expect(files).toContain('features/conversations/inbox.ts')
  })

  it('keeps shared/ free of stores, the router and features', () => {
    const shared = files.filter((f) => f.startsWith('shared/'))
    const allowed = (_file: string, target: string) =>
      !/^(pinia|vue-router)$/.test(target) && !/^@\/(?!shared\/)/.test(target) && !target.startsWith('../..')
    expect(breaches(shared, allowed)).toEqual([])
  })

  it('lets a feature import shared/, its own folder and the session, never another feature', () => {
    const features = files.filter((f) => f.startsWith('features/'))
    const allowed = (file: string, target: string) => {
      const own = `@/features/${file.split('/')[1]}/`
      if (target.startsWith('../')) return false
      if (!target.startsWith('@/')) return true
      return target.startsWith('@/shared/') || target.startsWith(own) || target === SESSION
    }
    expect(breaches(features, allowed)).toEqual([])
  })
})
