// Knowledge-base API calls (`/api/v1/knowledge/*`).
import { api, errorText, type Schemas } from '@/shared/api/client'

export type KnowledgeDocument = Schemas['DocumentOut']
export type Hit = Schemas['SearchHitOut']
export type Upload = Schemas['UploadOut']
export type Result<T> = { data: T; error?: undefined } | { data?: undefined; error: string }

/** A multipart body with the one `file` part the upload endpoints take. */
function fileForm(body: { file: string }): FormData {
  const form = new FormData()
  form.append('file', body.file as unknown as File)
  return form
}

export function useKnowledgeApi() {
  async function list(): Promise<Result<KnowledgeDocument[]>> {
    const { data, error } = await api.GET('/api/v1/knowledge/documents', { params: { query: { limit: 100 } } })
    return data ? { data: data.items } : { error: errorText(error, 'Could not load the documents') }
  }

  async function upload(file: File): Promise<{ outcome?: string; error?: string }> {
    const { data, error } = await api.POST('/api/v1/knowledge/documents', {
      body: { file: file as unknown as string },
      bodySerializer: fileForm,
    })
    return data ? { outcome: data.status } : { error: errorText(error, 'Upload failed') }
  }

  /** Upload a new version of a document (it may have another file name). */
  async function replace(id: number, file: File): Promise<Result<Upload>> {
    const { data, error } = await api.PUT('/api/v1/knowledge/documents/{document_id}', {
      params: { path: { document_id: id } },
      body: { file: file as unknown as string },
      bodySerializer: fileForm,
    })
    return data ? { data } : { error: errorText(error, 'Replace failed') }
  }

  async function remove(id: number): Promise<{ error?: string }> {
    const { error, response } = await api.DELETE('/api/v1/knowledge/documents/{document_id}', {
      params: { path: { document_id: id } },
    })
    return response.ok ? {} : { error: errorText(error, 'Delete failed') }
  }

  async function search(q: string): Promise<{ hits: Hit[]; error?: string }> {
    const { data, error } = await api.GET('/api/v1/knowledge/search', { params: { query: { q, k: 8 } } })
    return data ? { hits: data.hits } : { hits: [], error: errorText(error, 'Search failed') }
  }

  return { list, upload, replace, remove, search }
}
