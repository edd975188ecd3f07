// `npm run size`: gzip size of the JavaScript the inbox needs on first load (index.html's entry script
// and the chunks it preloads; lazy pages are not counted). Fails above the 300 kB budget.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const dist = join(import.meta.dirname, '..', 'dist')
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1])
let total = 0
for (const file of files) {
  const size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length
  total += size
  console.log(`${(size / 1024).toFixed(1).padStart(7)} kB  ${file}`)
}
console.log(`${(total / 1024).toFixed(1).padStart(7)} kB  first load of the inbox (JS, gzip); budget 300 kB`)
if (total > 300 * 1024) process.exit(1)
