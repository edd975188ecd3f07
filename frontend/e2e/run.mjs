// End-to-end: Debian's Chromium (never a downloaded browser) driven by playwright-core against a real
// `frontdesk serve --fake-graph --fake-bridge` on a fresh database. Screenshots go to artifacts/web-e2e/ (printed).
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { repo, startFrontdesk } from './server.mjs'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const shots = join(repo, 'artifacts', 'web-e2e')
const fixtures = join(import.meta.dirname, 'fixtures') // the small business pack files the Business page imports
const CUSTOMER = '447700900101' // Amelia Clarke, a demo customer
const TURN_MS = 120_000 // the first turn builds the team (slow on a small machine)

if (!existsSync(join(repo, 'frontend', 'dist', 'index.html'))) {
  console.error('frontend/dist is missing: run `npm run build` first')
  process.exit(2)
}
if (!existsSync(CHROMIUM)) {
  // Like the PostgreSQL tests: skipped with the reason on a machine without it, required in CI.
  if (process.env.CI) {
    console.error(`${CHROMIUM} is missing (CI requires it): apt-get install -y chromium`)
    process.exit(2)
  }
  console.log(`SKIPPED end-to-end: ${CHROMIUM} is missing (apt-get install -y chromium to run them)`)
  process.exit(0)
}
rmSync(shots, { recursive: true, force: true })
mkdirSync(shots, { recursive: true })

const server = await startFrontdesk()
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
})
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
const page = await context.newPage()
page.setDefaultTimeout(20_000)
const consoleErrors = []
page.on('console', (m) => m.type() === 'error' && consoleErrors.push(`${m.text()} ${m.location()?.url ?? ''}`))
page.on('pageerror', (e) => consoleErrors.push(String(e)))

let failed = false
let n = 0
async function step(name, body) {
  const started = Date.now()
  try {
    await body()
    console.log(`  ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  } catch (error) {
    failed = true
    console.log(`  FAIL ${name}\n${String(error?.stack ?? error).replace(/^/gm, '       ')}`)
  }
  await page.screenshot({ path: join(shots, `${String(++n).padStart(2, '0')}-${name.replace(/\W+/g, '-')}.png`) })
  if (failed) throw new Error('stopping at the first failure')
}

/** What the fake Graph API received for the customer (sends, not read receipts). */
async function sentTo(waId) {
  const { messages } = await (await page.request.get(`${server.url}/_dev/graph/_fake/messages`)).json()
  return messages.filter((m) => m.wamid && m.body?.to === waId)
}

const ZAPW = '/_dev/zapw/_fake' // the fake bridge's controls: the phone scans, a customer writes
const SHOP_PHONE = '447700900555' // the phone linked by QR
const SHOP_CUSTOMER = '447700900199' // a new customer writing to it
let shopSession = null // the zapw session of the number linked by QR

/** What the fake zapw was asked to send to `to` (text sends through the bridge). */
async function bridgeSentTo(to) {
  const { messages } = await (await page.request.get(`${server.url}${ZAPW}/messages`)).json()
  return messages.filter((m) => m.body?.to === to && m.http_status === 200)
}

async function until(what, probe, timeout = 20_000) {
  const deadline = Date.now() + timeout
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

// Type into a phone simulator and send. The panel may re-render while it loads its customers (the
// input is replaced and the text lost), so type again until the Send button takes it.
async function sendAsCustomer(panel, text) {
  const input = panel.getByLabel('Message as the customer')
  const send = panel.getByRole('button', { name: 'Send as the customer' })
  await until(`the simulator to take "${text}"`, async () => {
    await input.fill(text)
    return (await input.inputValue()) === text && (await send.isEnabled())
  })
  await send.click()
}

const phone = page.getByRole('region', { name: 'Phone simulator' })
const chat = page.getByRole('region', { name: 'Chat' })
const list = page.getByRole('list', { name: 'Conversations' })

console.log(`web e2e against ${server.url}`)
try {
  await step('signed out goes to login', async () => {
    await page.goto(`${server.url}/inbox`)
    await page.waitForURL(/\/login\?next=/)
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
  })

  await step('wrong password is refused', async () => {
    await page.getByLabel('E-mail').fill('owner@lumen.example')
    await page.getByLabel('Password').fill('not-the-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').filter({ hasText: 'Wrong e-mail or password' }).waitFor()
  })

  await step('log in', async () => {
    await page.getByLabel('Password').fill('lumen-demo-owner')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/inbox/)
    await page.getByTestId('live-state').filter({ hasText: 'live' }).waitFor()
  })

  await step('a customer message from the simulator appears live in the inbox', async () => {
    await page.getByTestId('toggle-phone').click()
    await sendAsCustomer(phone, 'Where is my order LH-100245?')
    await list.getByRole('button').filter({ hasText: 'Where is my order LH-100245?' }).waitFor()
  })

  await step('the bot answers on the phone', async () => {
    await phone.locator('[data-side="business"]').first().waitFor({ timeout: TURN_MS })
    assert.equal((await sentTo(CUSTOMER)).length >= 1, true)
  })

  await step('open the chat: bubbles, agent, tools, ticks', async () => {
    await list.getByRole('button').filter({ hasText: 'Amelia' }).click()
    await chat.getByText('Where is my order LH-100245?').waitFor()
    await chat.locator('.bubble.out').first().waitFor()
    await chat.locator('[data-testid="tick"].read').first().waitFor() // the phone showed it: read
    const tools = chat.locator('details.tools').first()
    if (await tools.count()) await tools.locator('summary').click()
  })

  await step('take over', async () => {
    await chat.getByRole('button', { name: 'Take over' }).click()
    await chat.getByTestId('conversation-status').filter({ hasText: 'Staff are answering' }).waitFor()
    await list.getByRole('button').filter({ hasText: 'Amelia' }).getByText('staff').waitFor()
  })

  await step('a staff reply reaches the fake Graph API', async () => {
    const before = (await sentTo(CUSTOMER)).length
    await chat.getByLabel('Reply').fill('Hi Amelia, this is Sam from Lumen. Let me check that for you.')
    await chat.getByRole('button', { name: 'Send' }).click()
    await chat.locator('.bubble.staff').filter({ hasText: 'this is Sam from Lumen' }).waitFor()
    const sent = await until('the staff reply at the fake Graph API', async () => {
      const fresh = (await sentTo(CUSTOMER)).slice(before)
      return fresh.length ? fresh : null // an empty array is truthy: wait for the send itself
    })
    assert.match(sent[0].body.text.body, /this is Sam from Lumen/)
    await phone.getByText('this is Sam from Lumen').waitFor()
  })

  await step('while staff hold the chat the bot stays silent', async () => {
    const before = (await sentTo(CUSTOMER)).length
    await sendAsCustomer(phone, 'Thanks, I will wait')
    await chat.getByText('Thanks, I will wait').waitFor() // arrives live in the open chat
    await page.waitForTimeout(6_000) // a warm bot answers within ~2 s
    assert.equal((await sentTo(CUSTOMER)).length, before, 'the bot replied while staff held the chat')
  })

  await step('hand back: the bot answers again', async () => {
    await chat.getByRole('button', { name: 'Hand back to bot' }).click()
    await chat.getByTestId('conversation-status').filter({ hasText: 'Bot is answering' }).waitFor()
    const before = (await sentTo(CUSTOMER)).length
    await sendAsCustomer(phone, 'What is your returns policy?')
    await until('a bot reply after the hand-back', async () => (await sentTo(CUSTOMER)).length > before, TURN_MS)
  })

  await step('inbox: assign, summary, tasks, quick reply, buttons, close and reopen', async () => {
    await chat.getByTestId('assign').selectOption({ index: 1 }) // "You (…)"
    const amelia = list.getByRole('button').filter({ hasText: 'Amelia' })
    await amelia.getByTestId('list-assignee').filter({ hasText: 'You' }).waitFor()
    await page.getByTestId('owner-filter').selectOption('mine')
    await amelia.waitFor()
    await page.getByTestId('owner-filter').selectOption('anyone')
    await chat.getByTestId('summarize').click()
    await chat.getByTestId('insight-panel').filter({ hasText: 'messages (' }).waitFor()
    await chat.getByTestId('extract-tasks').click()
    await chat.locator('[data-testid="insight-panel"][data-kind="tasks"]').waitFor()
    const quick = chat.getByTestId('quick-replies')
    await quick.getByRole('button', { name: 'Quick replies' }).click()
    await quick.getByRole('button').filter({ hasText: 'Anything else' }).click()
    assert.match(await chat.getByLabel('Reply').inputValue(), /anything else/i) // inserted, not sent
    const before = (await sentTo(CUSTOMER)).length
    await chat.getByTestId('composer-mode').locator('[data-mode="buttons"]').click()
    await chat.getByTestId('buttons-form').getByLabel('Button 1').fill('Yes please')
    await chat.getByTestId('buttons-form').getByRole('button', { name: 'Send', exact: true }).click()
    await chat.locator('.bubble.staff .choices').filter({ hasText: 'Yes please' }).waitFor()
    const sent = await until('the staff buttons at the fake Graph API', async () => {
      const fresh = (await sentTo(CUSTOMER)).slice(before)
      return fresh.length ? fresh : null
    })
    assert.equal(sent[0].body.type, 'interactive')
    await chat.getByTestId('composer-mode').locator('[data-mode="text"]').click()
    await chat.getByTestId('close-conversation').click()
    await chat.getByTestId('conversation-status').filter({ hasText: 'Closed' }).waitFor()
    await chat.getByTestId('composer-blocked').filter({ hasText: 'Reopen it to reply' }).waitFor()
    await chat.getByTestId('reopen-conversation').click()
    await chat.getByTestId('conversation-status').filter({ hasText: 'Bot is answering' }).waitFor()
  })

  await step('the phone simulator page: tap a list row', async () => {
    await page.getByRole('link', { name: 'Phone simulator' }).click()
    const page_phone = page.getByRole('region', { name: 'Phone simulator' })
    await sendAsCustomer(page_phone, 'show me speakers')
    const offer = page_phone.locator('[data-side="business"]').filter({ hasText: 'Speaker One' }).last()
    await offer.waitFor({ timeout: TURN_MS })
    const before = (await sentTo(CUSTOMER)).length
    await offer.locator('.list-open').click()
    await offer.getByRole('listbox').getByRole('option', { name: 'Speaker One' }).click()
    await until('a reply to the tapped row', async () => (await sentTo(CUSTOMER)).length > before, TURN_MS)
  })

  await step('knowledge: search shows scored hits', async () => {
    await page.getByRole('link', { name: 'Knowledge' }).click()
    await page.getByRole('cell').first().waitFor()
    await page.getByLabel('Search the knowledge base').fill('how do I return an item?')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByTestId('hits').locator('.score').first().waitFor()
  })

  await step('knowledge: an uploaded document is then found by the search box', async () => {
    await page.getByTestId('doc-upload').setInputFiles({
      name: 'gift-wrapping.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from('# Gift wrapping\n\nWe gift wrap any order for £3 in recycled kraft paper with a handwritten card.\n'),
    })
    const row = page.locator('tbody tr[data-document-id]').filter({ hasText: 'gift-wrapping.md' })
    await row.waitFor()
    await page.getByLabel('Search the knowledge base').fill('can you gift wrap my present?')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByTestId('hits').locator('li').first().filter({ hasText: 'gift-wrapping.md' }).waitFor()
  })

  await step('knowledge: replace and delete a document', async () => {
    const row = page.locator('tbody tr[data-document-id]').filter({ hasText: 'gift-wrapping.md' })
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), row.getByTestId('doc-replace').click()])
    await chooser.setFiles({
      name: 'gift-wrapping.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from('# Gift wrapping\n\nGift wrapping is free in December.\n'),
    })
    await row.getByTestId('doc-status').filter({ hasText: 'replaced' }).waitFor()
    await row.getByTestId('doc-delete').click()
    await page.getByTestId('doc-delete-confirm').click()
    await row.waitFor({ state: 'detached' })
  })

  await step('team: an edit with an error shows it and saves nothing', async () => {
    await page.getByRole('link', { name: 'Team' }).click()
    // Version 1: the demo's own team, adopted when the demo is seeded.
    await page.getByTestId('team-version').filter({ hasText: 'Version 1' }).waitFor()
    const editor = page.getByTestId('team-editor')
    const yaml = await editor.inputValue()
    assert.ok(yaml.includes('tools: [list_orders,'), 'the demo team has changed: update this step')
    await editor.fill(yaml.replace('tools: [list_orders,', 'tools: [cancel_everything, list_orders,'))
    await page.getByTestId('team-validate').click()
    await page.getByTestId('team-problems').getByText("unknown tool 'cancel_everything'").waitFor()
    assert.equal(await page.getByTestId('team-save').isDisabled(), true)
    await page.reload()
    await page.getByTestId('team-version').filter({ hasText: 'Version 1' }).waitFor()
    assert.equal(await page.getByTestId('team-editor').inputValue(), yaml) // nothing was saved
  })

  await step('team: a valid edit saves as version 2; try a message against it', async () => {
    const editor = page.getByTestId('team-editor')
    const yaml = await editor.inputValue()
    await editor.fill(yaml.replace("I'm the {business_name} assistant.", "I'm the {business_name} concierge."))
    await page.waitForFunction(() => !document.querySelector('[data-testid="team-save"]').disabled)
    await page.getByTestId('team-save').click()
    await page.getByTestId('team-saved').waitFor()
    await page.getByTestId('team-version').filter({ hasText: 'Version 2' }).waitFor()
    await page.getByTestId('team-try-customer').selectOption('447700900102') // Oliver owns LH-100250
    await page.getByTestId('team-try-message').fill('please cancel my order LH-100250')
    await page.getByTestId('team-try-send').click()
    const result = page.getByTestId('team-try-result')
    await result.getByText('Classified as orders/cancel_order').waitFor({ timeout: TURN_MS })
    await result.getByRole('button', { name: 'Yes' }).click()
    await result.getByText('Not done (dry run)').waitFor()
  })

  await step('dashboard: counters and charts', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click()
    await page.getByTestId('dashboard-counters').waitFor()
    await page.getByTestId('chart-messages').waitFor()
    await page.waitForFunction(() => {
      const today = document.querySelector('[data-counter="today"]')?.textContent?.trim()
      return today && today !== '—' && /[1-9]/.test(today) // this session's messages are counted
    })
  })

  await step('contacts: search, profile, export, erase with confirmation', async () => {
    await page.getByRole('link', { name: 'Contacts' }).click()
    await page.getByTestId('contacts-search').fill('Lucas')
    await page.getByTestId('contacts-list').getByRole('button', { name: /Lucas Martin/ }).click()
    await page.waitForURL(/\/contacts\/\d+/)
    await page.getByTestId('contact-profile').waitFor()
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('contact-export').click()])
    assert.match(file.suggestedFilename(), /^contact-\d+-export\.json$/)
    await page.getByTestId('contact-erase').click()
    assert.equal(await page.getByTestId('erase-confirm').isDisabled(), true)
    await page.getByTestId('erase-confirm-input').fill('447700900108')
    await page.getByTestId('erase-confirm').click()
    await page.getByTestId('contact-erased').waitFor()
  })

  await step('channels: webhook values and test connection', async () => {
    await page.getByRole('link', { name: 'Channels' }).click()
    await page.getByTestId('channels-list').getByRole('cell', { name: '109876543210001' }).waitFor()
    assert.match(await page.getByTestId('channel-webhook-url-value').inputValue(), /\/webhooks\/whatsapp$/)
    await page.getByTestId('channel-test').click()
    await page.getByTestId('channel-test-result').filter({ hasText: 'Connected' }).waitFor()
  })

  await step('channels: connect a number by QR; it turns connected live when the phone scans', async () => {
    await page.getByTestId('channel-add').click()
    await page.getByTestId('channel-kind').getByLabel(/Connect a number by QR/).check()
    await page.getByTestId('channel-name').fill('Shop phone')
    await page.getByTestId('channel-save').filter({ hasText: 'Show the QR code' }).click()
    const qr = page.getByTestId('bridge-qr')
    await qr.waitFor()
    assert.match(await qr.getAttribute('alt'), /QR code to link Shop phone/)
    assert.match(await qr.getAttribute('src'), /^data:image\/(svg\+xml|png)/)
    await page.getByTestId('qr-countdown').filter({ hasText: /A new code comes in \d:\d\d/ }).waitFor()
    const { items } = await (await page.request.get(`${server.url}/api/v1/channels`)).json()
    const shop = items.find((c) => c.kind === 'wa_bridge' && c.name === 'Shop phone')
    assert.match(shop.session_id, /^fd-/)
    const scan = await page.request.post(`${server.url}${ZAPW}/sessions/${shop.session_id}/scan`, {
      data: { phoneNumber: SHOP_PHONE, name: 'Lumen Shop' },
    })
    assert.equal(scan.status(), 200)
    // No reload: the bridge's session.connected reaches the page as a channel.status live event.
    await page.getByTestId('bridge-status').filter({ hasText: `Connected as +${SHOP_PHONE}` }).waitFor()
    assert.equal(await qr.count(), 0)
    await page.locator(`tr[data-channel-id="${shop.id}"] [data-channel-status]`).filter({ hasText: 'Connected as' }).waitFor()
    shopSession = shop.session_id
  })

  await step('team per number: the QR-linked number pinned to version 1, as the Team page says', async () => {
    const detail = page.getByTestId('channel-detail')
    await detail.getByTestId('channel-team-version').selectOption({ label: 'Version 1 (stays until changed here)' })
    await detail.getByTestId('channel-save').click()
    await page.getByTestId('channel-notice').filter({ hasText: 'Saved.' }).waitFor()
    await page.locator('tr', { hasText: 'Shop phone' }).getByRole('cell', { name: 'Version 1' }).waitFor()
    await page.getByRole('link', { name: 'Team' }).click()
    const numbers = page.getByTestId('team-numbers')
    await numbers.getByText('Shop phone · version 1, pinned').waitFor()
    await numbers.getByText('Lumen Home · the current team (version 2)').waitFor()
  })

  await step('the QR-linked number: a customer writes, staff take over, reply through the bridge, hand back', async () => {
    const inbound = await page.request.post(`${server.url}${ZAPW}/sessions/${shopSession}/inbound`, {
      data: { from: SHOP_CUSTOMER, type: 'text', text: 'Hi, do you sell lamp shades?' },
    })
    assert.equal(inbound.status(), 200)
    await page.getByRole('link', { name: 'Inbox' }).click()
    const row = list.getByRole('button').filter({ hasText: SHOP_CUSTOMER }) // a new customer: named by number
    await row.waitFor()
    await row.click()
    await chat.getByText('Hi, do you sell lamp shades?').waitFor()
    // The bot answers through the bridge, as it does on a Cloud API number.
    await until('the bot’s reply at the fake zapw', async () => (await bridgeSentTo(SHOP_CUSTOMER)).length > 0, TURN_MS)
    await chat.getByRole('button', { name: 'Take over' }).click()
    await chat.getByTestId('conversation-status').filter({ hasText: 'Staff are answering' }).waitFor()
    const before = (await bridgeSentTo(SHOP_CUSTOMER)).length
    await chat.getByLabel('Reply').fill('Hello from the shop, this is Sam. Yes, we do!')
    await chat.getByRole('button', { name: 'Send' }).click()
    await chat.locator('.bubble.staff').filter({ hasText: 'this is Sam. Yes, we do!' }).waitFor()
    const sent = await until('the staff reply at the fake zapw', async () => {
      const fresh = (await bridgeSentTo(SHOP_CUSTOMER)).slice(before)
      return fresh.length ? fresh : null
    })
    assert.equal(sent[0].session_id, shopSession)
    assert.equal(sent[0].body.type, 'text')
    assert.match(sent[0].body.text, /this is Sam\. Yes, we do!/)
    await chat.getByRole('button', { name: 'Hand back to bot' }).click()
    await chat.getByTestId('conversation-status').filter({ hasText: 'Bot is answering' }).waitFor()
    const handedBack = (await bridgeSentTo(SHOP_CUSTOMER)).length
    await page.request.post(`${server.url}${ZAPW}/sessions/${shopSession}/inbound`, {
      data: { from: SHOP_CUSTOMER, type: 'text', text: 'What are your opening hours?' },
    })
    await until('a bot reply after the hand-back', async () => (await bridgeSentTo(SHOP_CUSTOMER)).length > handedBack, TURN_MS)
  })

  await step('a disconnected number: an alert on the dashboard, Reconnect shows a new QR', async () => {
    await page.request.post(`${server.url}${ZAPW}/sessions/${shopSession}/disconnect`, { data: { reason: 'logged out on the phone' } })
    await page.getByRole('link', { name: 'Dashboard' }).click()
    const alert = page.getByTestId('dashboard-disconnected')
    await alert.filter({ hasText: 'Shop phone' }).waitFor()
    await alert.getByRole('link', { name: 'Reconnect on the Channels page' }).click()
    await page.waitForURL(/\/channels/)
    await page.getByTestId('channels-disconnected').getByRole('button', { name: 'Reconnect Shop phone' }).click()
    await page.getByTestId('bridge-status').filter({ hasText: 'Disconnected: logged out on the phone' }).waitFor()
    await page.getByTestId('bridge-reconnect').click()
    await page.getByTestId('bridge-qr').waitFor()
    await page.getByTestId('bridge-status').filter({ hasText: 'Waiting for the QR code to be scanned' }).waitFor()
  })

  await step('jobs: a failed send shows up live and is retried', async () => {
    await page.getByRole('link', { name: 'Jobs' }).click()
    await page.waitForSelector('[data-testid="jobs-table"], [data-testid="jobs-empty"]')
    await page.request.post(`${server.url}/_dev/graph/_fake/fail`, {
      data: { status: 400, code: 131047, times: 1, message: 'Re-engagement message' },
    })
    await page.request.post(`${server.url}/_dev/simulator/messages`, {
      data: { wa_id: '447700900103', text: 'what are your opening hours?' },
    })
    const row = page.getByTestId('jobs-table').locator('tbody tr').first()
    await row.waitFor({ timeout: TURN_MS })
    await row.getByRole('button', { name: 'Retry' }).click()
    await row.getByRole('button', { name: 'Yes, retry' }).click()
    await page.getByTestId('jobs-notice').getByText('was queued again').waitFor()
  })

  await step('users: invite, first sign-in, disable and promote a user; cancel an invitation', async () => {
    const email = `sam${Date.now()}@lumen.example`
    await page.getByRole('link', { name: 'Users' }).click()
    await page.getByTestId('users-table').waitFor()
    const add = page.getByTestId('user-add')
    for (const who of [email, `later-${email}`]) {
      await add.getByLabel('E-mail').fill(who)
      await add.getByLabel('Name').fill('Sam Patel')
      await add.getByLabel('Role').selectOption('agent')
      await add.getByLabel('Initial password').fill('a long passphrase')
      await add.getByRole('button', { name: 'Invite' }).click()
      await page.getByTestId('invitations-table').locator(`[data-invitation="${who}"]`).waitFor()
      // The invitation's one-time code, for the admin to hand over, is shown once after each invite.
      await page.getByTestId('invitation-code').getByText(`Invitation code for ${who}`).waitFor()
    }
    await page.getByTestId('invitation-code').getByRole('button', { name: 'Done' }).click()
    await page.locator(`[data-invitation="later-${email}"]`).getByRole('button', { name: 'Cancel' }).click()
    await page.getByTestId('users-notice').getByText('was cancelled').waitFor()
    // Sam's first sign-in (here over the API, as Sam's own browser would) accepts the invitation.
    const signIn = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'a long passphrase' }),
    })
    if (signIn.status !== 200) throw new Error(`Sam's first sign-in: ${signIn.status}`)
    await page.reload()
    await page.getByTestId('users-table').waitFor()
    const row = page.locator(`[data-user="${email}"]`)
    await row.getByRole('button', { name: 'Disable' }).click()
    await row.getByRole('button', { name: 'Yes, disable' }).click()
    await row.getByText('Disabled').waitFor()
    await row.getByLabel(`Role of ${email}`).selectOption('admin')
    await row.getByRole('button', { name: 'Save' }).click()
    await page.getByTestId('users-notice').getByText('is now admin').waitFor()
  })

  await step('audit log: the changes, filtered', async () => {
    await page.getByRole('link', { name: 'Audit' }).click()
    await page.getByTestId('audit-table').waitFor()
    await page.getByLabel('Action').fill('user.changed')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="audit-table"] tbody tr[data-audit]')]
      return rows.length > 0 && rows.every((r) => r.textContent.includes('user.changed'))
    })
  })

  await step('business: a pack with a refused row is shown by the dry run, and nothing is imported', async () => {
    await page.getByRole('link', { name: 'Business' }).click()
    await page.getByTestId('business-table-products').locator('[data-row="LH-BULB-E27"]').waitFor()
    await page.getByTestId('business-import').click()
    const dialog = page.getByTestId('import-dialog')
    await dialog.getByTestId('import-files').setInputFiles(join(fixtures, 'refused', 'products.csv'))
    await dialog.getByTestId('import-problems').getByText(/^products\.csv row 2 · price: /).waitFor()
    assert.equal(await dialog.getByTestId('import-report').getAttribute('data-dry-run'), 'true')
    assert.equal(await dialog.getByTestId('import-confirm').isDisabled(), true)
    await dialog.getByRole('button', { name: 'Close' }).click()
    await page.getByTestId('business-search').fill('E2E-')
    await page.getByTestId('business-table-products').getByText('Nothing matches.').waitFor() // nothing was written
  })

  await step('business: a pack that lands; the table shows the new products', async () => {
    await page.getByTestId('business-import').click()
    const dialog = page.getByTestId('import-dialog')
    await dialog.getByTestId('import-files').setInputFiles(join(fixtures, 'lands', 'products.csv'))
    await dialog.getByText('No problems found.').waitFor()
    assert.equal(await dialog.locator('[data-report-table="products"] td').nth(1).textContent(), '2') // created
    await dialog.getByTestId('import-confirm').click()
    await dialog.getByTestId('import-report').getByRole('heading', { name: 'Imported' }).waitFor()
    await dialog.getByRole('button', { name: 'Done' }).click()
    const table = page.getByTestId('business-table-products')
    await table.locator('[data-row="E2E-LANTERN"]').waitFor()
    await table.locator('[data-row="E2E-CANDLE"] [data-col="name"]').filter({ hasText: 'LED Candle' }).waitFor()
  })

  await step('business: a product’s price edited inline is saved (seen after a reload)', async () => {
    const table = page.getByTestId('business-table-products')
    await table.locator('[data-row="E2E-LANTERN"] [data-col="price"]').click()
    const price = table.locator('[data-row="E2E-LANTERN"] input[name="price"]')
    await price.fill('abc')
    await table.getByTestId('business-save').click()
    await table.locator('[data-field-error="price"]').waitFor() // refused before sending
    await price.fill('19.99')
    await table.getByTestId('business-save').click()
    await page.getByTestId('business-notice').getByText('The product E2E-LANTERN was saved.').waitFor()
    await page.reload()
    await page.getByTestId('business-search').fill('E2E-LANTERN')
    const cell = page.getByTestId('business-table-products').locator('[data-row="E2E-LANTERN"] [data-col="price"]')
    await cell.filter({ hasText: /19\.99/ }).waitFor()
  })

  await step('tenants: an owner of two businesses switches between them', async () => {
    // An operator adds a second business with the demo owner as its owner too (their password stays).
    const args = ['tenants', 'create', 'bikes', '--name', 'Spoke & Chain', '--currency', 'EUR']
    server.cli([...args, '--owner-email', 'owner@lumen.example', '--password-stdin'], 'lumen-demo-owner\n')
    await page.reload()
    await page.getByTestId('tenant-switch').selectOption('bikes')
    await page.waitForURL(/\/inbox/) // the app starts afresh in the other business
    await page.getByRole('link', { name: 'Business' }).click()
    await page.getByTestId('business-currency').filter({ hasText: 'EUR' }).waitFor()
    await page.getByTestId('business-table-products').getByText('No products yet.').waitFor() // none of Lumen's
    await page.getByTestId('tenant-switch').selectOption('lumen')
    await page.waitForURL(/\/inbox/)
    await page.getByRole('link', { name: 'Business' }).click()
    await page.getByTestId('business-table-products').locator('[data-row="LH-BULB-E27"]').waitFor()
  })

  await step('tablet width: the inbox still works', async () => {
    await page.setViewportSize({ width: 768, height: 1024 })
    await page.getByRole('link', { name: 'Inbox' }).click()
    await list.getByRole('button').filter({ hasText: 'Amelia' }).click()
    await chat.getByText('Where is my order LH-100245?').waitFor()
    await page.setViewportSize({ width: 1440, height: 900 })
  })

  await step('an expired session returns to login', async () => {
    await page.getByRole('link', { name: 'Inbox' }).click()
    await context.clearCookies()
    await page.getByRole('link', { name: 'Knowledge' }).click()
    await page.waitForURL(/\/login\?next=(%2F|\/)knowledge/)
    await page.getByRole('status').filter({ hasText: 'Your session ended' }).waitFor()
  })

  await step('an owner of two businesses chooses one by name at sign-in', async () => {
    await page.getByLabel('E-mail').fill('owner@lumen.example')
    await page.getByLabel('Password').fill('lumen-demo-owner')
    await page.getByRole('button', { name: 'Sign in' }).click()
    const business = page.getByTestId('login-tenant')
    await business.locator('option[value="bikes"]').filter({ hasText: 'Spoke & Chain' }).waitFor({ state: 'attached' })
    await business.selectOption('bikes')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(/\/knowledge/)
    assert.equal(await page.getByTestId('tenant-switch').inputValue(), 'bikes')
  })

  await step('no errors in the browser console', async () => {
    // Expected refusals: 401 (signed out, wrong password), 400 (a sign-in that must choose a business)
    // and 422 (the invalid team draft, the refused pack).
    const expected = (e) =>
      /401|Unauthorized/.test(e) ||
      /400.*\/api\/v1\/auth\/login/.test(e) ||
      /422.*\/api\/v1\/(team\/validate|business\/import)/.test(e)
    const unexpected = consoleErrors.filter((e) => !expected(e))
    assert.deepEqual(unexpected, [])
  })
} catch {
  // reported by step()
} finally {
  await browser.close()
  await server.stop({ keep: failed })
  console.log(`screenshots: ${shots}`)
  if (failed) console.log(`server log kept: ${server.log}`)
}
process.exit(failed ? 1 : 0)
