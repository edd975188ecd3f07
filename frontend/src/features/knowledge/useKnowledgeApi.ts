// Knowledge-base API calls (`/api/v1/knowledge/*`).
import { api, errorText, type Schemas } from '@/shared/api/client'

export type KnowledgeDocument = Schemas['DocumentOut']
export type Hit = Schemas['SearchHitOut']

export function useKnowledgeApi() {
  async function list(): Promise<KnowledgeDocument[]> {
    const { data } = await api.GET('/api/v1/knowledge/documents', { params: { query: { limit: 100 } } })
    return data?.items ?? []
  }

  async function upload(file: File): Promise<{ outcome?: string; error?: string }> {
    const { data, error } = await api.POST('/api/v1/knowledge/documents', {
      body: { file: file as unknown as string },
      bodySerializer: (body) => {
        const form = new FormData()
        form.append('file', body.file as unknown as File)
        return form
      },
    })
    return data ? { outcome: data.status } : { error: errorText(error, 'Upload failed') }
  }

  async function search(q: string): Promise<{ hits: Hit[]; error?: string }> {
    const { data, error } = await api.GET('/api/v1/knowledge/search', { params: { query: { q, k: 8 } } })
    return data ? { hits: data.hits } : { hits: [], error: errorText(error, 'Search failed') }
  }

  return { list, upload, search }
}
