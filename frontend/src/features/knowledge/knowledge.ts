// The knowledge base (Pinia setup store): its documents and what a search finds.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { useKnowledgeApi, type Hit, type KnowledgeDocument } from './useKnowledgeApi'

export const useKnowledgeStore = defineStore('knowledge', () => {
  const knowledgeApi = useKnowledgeApi()
  const documents = ref<KnowledgeDocument[]>([])
  const hits = ref<Hit[]>([])
  const searched = ref('')
  const message = ref<string | null>(null)
  const busy = ref(false)

  async function load(): Promise<void> {
    documents.value = await knowledgeApi.list()
  }

  async function upload(file: File): Promise<void> {
    busy.value = true
    const result = await knowledgeApi.upload(file)
    busy.value = false
    message.value = result.error ?? `${file.name}: ${result.outcome}`
    await load()
  }

  async function search(q: string): Promise<void> {
    const query = q.trim()
    if (!query) return
    busy.value = true
    const result = await knowledgeApi.search(query)
    busy.value = false
    hits.value = result.hits
    searched.value = query
    message.value = result.error ?? null
  }

  return { documents, hits, searched, message, busy, load, upload, search }
})
