// The inbox (Pinia setup store): the conversation list and the open chat, kept live by the WebSocket.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useSessionStore } from '@/features/auth/session'
import { LiveFeed, type LiveEvent, type LiveState } from '@/shared/api/live'
import {
  useConversationsApi,
  type Assignee,
  type Conversation,
  type FoundMessage,
  type Message,
  type StaffMessage,
  type Summary,
  type Task,
} from './useConversationsApi'

export type StatusFilter = 'all' | 'bot' | 'human' | 'closed'
export type OwnerFilter = 'anyone' | 'mine' | 'unassigned'
/** The result panel of "Summarize" or "Extract tasks" for the open chat. */
export type Insight =
  | { kind: 'summary' | 'tasks'; loading: true; error?: undefined; summary?: undefined; tasks?: undefined }
  | { kind: 'summary' | 'tasks'; loading: false; error: string; summary?: undefined; tasks?: undefined }
  | { kind: 'summary'; loading: false; error?: undefined; summary: Summary; tasks?: undefined }
  | { kind: 'tasks'; loading: false; error?: undefined; summary?: undefined; tasks: Task[] }

const STATUS_ORDER = ['pending', 'sent', 'delivered', 'read'] as const

export const useInboxStore = defineStore('inbox', () => {
  const conversationsApi = useConversationsApi()
  const session = useSessionStore()
  const conversations = ref<Conversation[]>([])
  const loading = ref(false)
  const loaded = ref(false)
  const selectedId = ref<number | null>(null)
  const messages = ref<Message[]>([])
  const threadLoading = ref(false)
  const threadError = ref<string | null>(null)
  const olderCursor = ref<string | null>(null)
  const loadingOlder = ref(false)
  const focusId = ref<number | null>(null)
  const filter = ref<StatusFilter>('all')
  const owner = ref<OwnerFilter>('anyone')
  const unreadOnly = ref(false)
  const query = ref('')
  const hits = ref<FoundMessage[]>([])
  const error = ref<string | null>(null)
  const liveState = ref<LiveState>('closed')
  const staff = ref<Assignee[]>([])
  const insight = ref<Insight | null>(null)
  let feed: LiveFeed | null = null
  let pendingFocus: { conversationId: number; messageId: number } | null = null

  const meId = computed(() => session.me?.id ?? null)
  const selected = computed(() => conversations.value.find((c) => c.id === selectedId.value) ?? null)

  function matches(c: Conversation): boolean {
    if (filter.value !== 'all' && c.status !== filter.value) return false
    if (unreadOnly.value && !c.unread_count) return false
    if (owner.value === 'mine' && (meId.value === null || c.assignee_user_id !== meId.value)) return false
    if (owner.value === 'unassigned' && c.assignee_user_id != null) return false
    return true
  }
  // The open chat stays listed even when it stops matching (read while "unread only" is on).
  const visible = computed(() => conversations.value.filter((c) => matches(c) || c.id === selectedId.value))

  /** Whom the open chat can be assigned to: the tenant's staff, or at least me if that list is unknown. */
  const assignable = computed<Assignee[]>(() => {
    if (staff.value.length) return staff.value
    const me = session.me
    return me ? [{ id: me.id, email: me.email, name: me.name, role: me.role }] : []
  })

  /** How to show an assignee: "You", their name or e-mail, or "#id" when the staff list is unknown. */
  function assigneeName(userId: number | null | undefined): string | null {
    if (userId == null) return null
    if (userId === meId.value) return 'You'
    const member = staff.value.find((s) => s.id === userId)
    return member ? member.name || member.email : `#${userId}`
  }

  async function load(): Promise<void> {
    const q = query.value.trim()
    loading.value = true
    const [result, found] = await Promise.all([
      conversationsApi.list({
        q,
        status: filter.value === 'all' ? undefined : filter.value,
        unread: unreadOnly.value || undefined,
        assignee: owner.value === 'mine' ? (meId.value ?? undefined) : undefined,
        unassigned: owner.value === 'unassigned' || undefined,
      }),
      q.length >= 2 ? conversationsApi.searchMessages(q) : Promise.resolve({ data: [] as FoundMessage[] }),
    ])
    loading.value = false
    loaded.value = true
    if (result.data) {
      conversations.value = result.data
      error.value = null
    } else error.value = result.error
    hits.value = found.data ?? []
  }

  /** The staff list for assigning; agents and up may read it (viewers only see "#id" or "You"). */
  async function loadStaff(): Promise<void> {
    if (!session.canAct) return
    const result = await conversationsApi.assignees()
    if (result.data) staff.value = result.data
  }

  /** Show a message (a search hit): now if its chat is open, else once the router opens that chat. */
  function focusMessage(conversationId: number, messageId: number): void {
    if (selectedId.value === conversationId) focusId.value = messageId
    else pendingFocus = { conversationId, messageId }
  }

  async function open(id: number | null): Promise<void> {
    const same = id === selectedId.value
    selectedId.value = id
    if (pendingFocus?.conversationId === id) focusId.value = pendingFocus.messageId
    else if (!same) focusId.value = null
    pendingFocus = null
    if (same && id !== null && messages.value.length) return
    messages.value = []
    olderCursor.value = null
    insight.value = null
    threadError.value = null
    if (id === null) return
    threadLoading.value = true
    const [thread, conversation] = await Promise.all([conversationsApi.messages(id), conversationsApi.get(id)])
    if (selectedId.value !== id) return
    threadLoading.value = false
    if (thread.data) {
      messages.value = thread.data.items
      olderCursor.value = thread.data.next_cursor
    } else threadError.value = thread.error
    if (conversation.data) upsert(conversation.data)
    if ((conversation.data?.unread_count ?? 0) > 0 && session.canAct) await conversationsApi.markRead(id)
  }

  /** The page of messages before the oldest one shown ("load older messages"). */
  async function loadOlder(): Promise<void> {
    const id = selectedId.value
    if (id === null || !olderCursor.value || loadingOlder.value) return
    loadingOlder.value = true
    const page = await conversationsApi.messages(id, olderCursor.value)
    loadingOlder.value = false
    if (selectedId.value !== id) return
    if (!page.data) {
      threadError.value = page.error
      return
    }
    const known = new Set(messages.value.map((m) => m.id))
    messages.value = [...page.data.items.filter((m) => !known.has(m.id)), ...messages.value]
    olderCursor.value = page.data.next_cursor
  }

  function upsert(conversation: Conversation): void {
    const index = conversations.value.findIndex((c) => c.id === conversation.id)
    if (index >= 0) conversations.value[index] = { ...conversations.value[index], ...conversation }
    else conversations.value.unshift(conversation)
  }

  function toTop(id: number): void {
    const index = conversations.value.findIndex((c) => c.id === id)
    if (index > 0) conversations.value.unshift(...conversations.value.splice(index, 1))
  }

  async function applyEvent(event: LiveEvent): Promise<void> {
    if (event.type === 'resync') {
      await load()
      if (selectedId.value !== null) await refreshThread(selectedId.value)
      return
    }
    const payload = event.payload as { conversation_id?: number }
    const id = payload.conversation_id
    if (typeof id !== 'number') return
    const known = conversations.value.find((c) => c.id === id)
    if (!known) {
      const fetched = await conversationsApi.get(id)
      if (fetched.data && !conversations.value.some((c) => c.id === id)) conversations.value.unshift(fetched.data)
      return
    }
    if (event.type === 'message.created') onMessage(known, event.payload.message)
    else if (event.type === 'message.status') onStatus(event.payload)
    else if (event.type === 'conversation.updated') onUpdated(known, event.payload)
  }

  function onMessage(conversation: Conversation, message: Extract<LiveEvent, { type: 'message.created' }>['payload']['message']): void {
    conversation.last_message_text = message.text
    conversation.last_message_at = message.created_at
    if (message.direction === 'in') {
      conversation.last_inbound_at = message.created_at
      if (conversation.status === 'closed') conversation.status = 'bot'
    }
    toTop(conversation.id)
    if (selectedId.value !== conversation.id) {
      if (message.direction === 'in') conversation.unread_count = (conversation.unread_count ?? 0) + 1
      return
    }
    if (!messages.value.some((m) => m.id === message.id)) {
      messages.value.push({
        ...message,
        conversation_id: conversation.id,
        status: message.status as Message['status'],
        content: {},
        tools: [],
      } as Message)
      // The event has no tools, costs, media details or quoted message: fetch the newest page once.
      const partial = message.direction === 'out' || message.type !== 'text' || message.reply_to
      if (partial) void refreshThread(conversation.id)
    }
    if (message.direction === 'in' && session.canAct) void conversationsApi.markRead(conversation.id)
  }

  /** Merge the newest page into the open chat, keeping older pages already loaded. */
  async function refreshThread(id: number): Promise<void> {
    const thread = await conversationsApi.messages(id)
    if (!thread.data || selectedId.value !== id) return
    const fresh = new Map(thread.data.items.map((m) => [m.id, m]))
    const kept = messages.value.filter((m) => !fresh.has(m.id))
    messages.value = [...kept, ...thread.data.items].sort((a, b) => a.id - b.id)
    if (!kept.length) olderCursor.value = thread.data.next_cursor
  }

  function onStatus(payload: Extract<LiveEvent, { type: 'message.status' }>['payload']): void {
    const message = messages.value.find((m) => m.id === payload.message_id)
    if (!message) return
    const rank = (s: string) => STATUS_ORDER.indexOf(s as (typeof STATUS_ORDER)[number])
    if (payload.status === 'failed' || rank(payload.status) > rank(message.status)) {
      message.status = payload.status as Message['status']
      message.error_code = payload.error_code
      message.error_message = payload.error_message
    }
  }

  function onUpdated(conversation: Conversation, payload: Record<string, unknown>): void {
    if (typeof payload.status === 'string') conversation.status = payload.status as Conversation['status']
    if ('assignee_user_id' in payload) conversation.assignee_user_id = payload.assignee_user_id as number | null
    if (typeof payload.unread_count === 'number') conversation.unread_count = payload.unread_count
    if (payload.reason === 'handoff' && typeof payload.agent === 'string') conversation.assigned_agent = payload.agent
  }

  async function act(action: 'takeover' | 'handback' | 'close' | 'reopen'): Promise<string | null> {
    if (selectedId.value === null) return null
    const result = await conversationsApi.act(selectedId.value, action)
    if (result.data) upsert(result.data)
    return result.error ?? null
  }

  async function assign(userId: number | null): Promise<string | null> {
    if (selectedId.value === null) return null
    const result = await conversationsApi.assign(selectedId.value, userId)
    if (result.data) upsert(result.data)
    return result.error ?? null
  }

  /** Send a staff message; the server's reason when it refuses (closed window, closed chat, opt-out). */
  async function send(message: StaffMessage | string): Promise<string | null> {
    if (selectedId.value === null) return null
    const body: StaffMessage = typeof message === 'string' ? { kind: 'text', body: message, preview_url: false } : message
    const result = await conversationsApi.send(selectedId.value, body)
    if (!result.data) return result.error
    const sent = result.data
    if (!messages.value.some((m) => m.id === sent.id)) messages.value.push(sent)
    return null
  }

  async function runInsight(kind: 'summary' | 'tasks'): Promise<void> {
    const id = selectedId.value
    if (id === null) return
    insight.value = { kind, loading: true }
    const next: Insight =
      kind === 'summary'
        ? await conversationsApi.summary(id).then((r) =>
            r.data ? { kind, loading: false, summary: r.data } : { kind, loading: false, error: r.error },
          )
        : await conversationsApi.tasks(id).then((r) =>
            r.data ? { kind, loading: false, tasks: r.data } : { kind, loading: false, error: r.error },
          )
    if (selectedId.value === id && insight.value?.kind === kind) insight.value = next
  }

  function connect(options: { connect?: (url: string) => WebSocket } = {}): void {
    if (feed) return
    feed = new LiveFeed({
      onEvent: (event) => void applyEvent(event),
      onState: (state) => (liveState.value = state),
      ...options,
    })
    feed.start()
  }

  function disconnect(): void {
    feed?.stop()
    feed = null
  }

  return {
    conversations, visible, loading, loaded, selectedId, selected, messages, threadLoading, threadError,
    olderCursor, loadingOlder, focusId, filter, owner, unreadOnly, query, hits, error, liveState, staff,
    assignable, insight, meId,
    assigneeName, load, loadStaff, open, focusMessage, loadOlder, applyEvent, act, assign, send, runInsight, connect, disconnect,
  }
})
