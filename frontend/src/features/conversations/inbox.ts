// The inbox (Pinia setup store): the conversation list and the open chat, kept live by the WebSocket.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { LiveFeed, type LiveEvent, type LiveState } from '@/shared/api/live'
import { useConversationsApi, type Conversation, type Message } from './useConversationsApi'

export type StatusFilter = 'all' | 'bot' | 'human' | 'closed'

const STATUS_ORDER = ['pending', 'sent', 'delivered', 'read'] as const

export const useInboxStore = defineStore('inbox', () => {
  const conversationsApi = useConversationsApi()
  const conversations = ref<Conversation[]>([])
  const selectedId = ref<number | null>(null)
  const messages = ref<Message[]>([])
  const filter = ref<StatusFilter>('all')
  const query = ref('')
  const error = ref<string | null>(null)
  const liveState = ref<LiveState>('closed')
  let feed: LiveFeed | null = null

  const selected = computed(() => conversations.value.find((c) => c.id === selectedId.value) ?? null)
  const visible = computed(() =>
    conversations.value.filter((c) => filter.value === 'all' || c.status === filter.value),
  )

  async function load(): Promise<void> {
    const result = await conversationsApi.list({ q: query.value.trim() })
    if (result.data) {
      conversations.value = result.data
      error.value = null
    } else error.value = result.error
  }

  async function open(id: number | null): Promise<void> {
    selectedId.value = id
    messages.value = []
    if (id === null) return
    const [thread, conversation] = await Promise.all([conversationsApi.messages(id), conversationsApi.get(id)])
    if (selectedId.value !== id) return
    if (thread.data) messages.value = thread.data
    if (conversation.data) upsert(conversation.data)
    if ((conversation.data?.unread_count ?? 0) > 0) await conversationsApi.markRead(id)
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
      if (selectedId.value !== null) await open(selectedId.value)
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
      // Bot replies carry tools and costs the event does not: fetch the full thread once.
      if (message.direction === 'out') void refreshThread(conversation.id)
    }
    if (message.direction === 'in') void conversationsApi.markRead(conversation.id)
  }

  async function refreshThread(id: number): Promise<void> {
    const thread = await conversationsApi.messages(id)
    if (thread.data && selectedId.value === id) messages.value = thread.data
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

  async function send(text: string): Promise<string | null> {
    if (selectedId.value === null) return null
    const result = await conversationsApi.sendText(selectedId.value, text)
    if (!result.data) return result.error
    const sent = result.data
    if (!messages.value.some((m) => m.id === sent.id)) messages.value.push(sent)
    return null
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
    conversations, visible, selectedId, selected, messages, filter, query, error, liveState,
    load, open, applyEvent, act, send, connect, disconnect,
  }
})
