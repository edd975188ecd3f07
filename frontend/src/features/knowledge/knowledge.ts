// The knowledge base (Pinia setup store): its documents and what a search finds.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useKnowledgeApi, type Hit, type KnowledgeDocument } from './useKnowledgeApi'

/** What happened to one document row lately (a replace or delete in progress, done, or refused). */
export type RowStatus = { kind: 'busy' | 'ok' | 'error'; text: string }

const OUTCOME: Record<string, string> = {
  added: 'added',
  replaced: 'replaced and re-indexed',
  unchanged: 'unchanged (same file)',
}

export const useKnowledgeStore = defineStore('knowledge', () => {
  const knowledgeApi = useKnowledgeApi()
  const documents = ref<KnowledgeDocument[]>([])
  const loading = ref(false)
  const loaded = ref(false)
  const loadError = ref<string | null>(null)
  const hits = ref<Hit[]>([])
  const searched = ref('')
  const message = ref<string | null>(null)
  const busy = ref(false)
  const rows = ref<Record<number, RowStatus>>({})

  async function load(): Promise<void> {
    loading.value = true
    const result = await knowledgeApi.list()
    loading.value = false
    loaded.value = true
    loadError.value = result.error ?? null
    if (result.data) documents.value = result.data
  }

  async function upload(file: File): Promise<void> {
    busy.value = true
    const result = await knowledgeApi.upload(file)
    busy.value = false
    message.value = result.error !== undefined ? result.error : `${file.name}: ${OUTCOME[result.data] ?? result.data}`
    await load()
  }

  function mark(id: number, status: RowStatus): void {
    rows.value = { ...rows.value, [id]: status }
  }

  /** Upload a new version of one document; its chunks are swapped at once on the server. */
  async function replace(document: KnowledgeDocument, file: File): Promise<void> {
    mark(document.id, { kind: 'busy', text: `Uploading ${file.name}…` })
    const result = await knowledgeApi.replace(document.id, file)
    if (!result.data) return mark(document.id, { kind: 'error', text: result.error })
    const fresh = result.data.document
    documents.value = documents.value.map((d) => (d.id === document.id ? fresh : d))
    mark(document.id, { kind: 'ok', text: OUTCOME[result.data.status] ?? result.data.status })
    await load()
  }

  async function remove(document: KnowledgeDocument): Promise<boolean> {
    mark(document.id, { kind: 'busy', text: 'Deleting…' })
    const result = await knowledgeApi.remove(document.id)
    if (result.error !== undefined) {
      mark(document.id, { kind: 'error', text: result.error })
      return false
    }
    documents.value = documents.value.filter((d) => d.id !== document.id)
    hits.value = hits.value.filter((h) => h.document_id !== document.id)
    message.value = `${document.filename} deleted: the bot no longer finds it.`
    return true
  }

  async function search(q: string): Promise<void> {
    const query = q.trim()
    if (!query) return
    busy.value = true
    const result = await knowledgeApi.search(query)
    busy.value = false
    hits.value = result.data ?? []
    searched.value = query
    message.value = result.error ?? null
  }

  return { documents, loading, loaded, loadError, hits, searched, message, busy, rows, load, upload, replace, remove, search }
})
