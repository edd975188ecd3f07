// Knowledge-base API calls (`/api/v1/knowledge/*`).
import { api, type Schemas } from '@/shared/api/client'
import { call, type Result } from '@/shared/api/result'

export type KnowledgeDocument = Schemas['DocumentOut']
export type Hit = Schemas['SearchHitOut']
export type Upload = Schemas['UploadOut']

/** A multipart body with the one `file` part the upload endpoints take. */
function fileForm(body: { file: string }): FormData {
  const form = new FormData()
  form.append('file', body.file as unknown as File)
  return form
}

export function useKnowledgeApi() {
  async function list(): Promise<Result<KnowledgeDocument[]>> {
    const request = api.GET('/api/v1/knowledge/documents', { params: { query: { limit: 100 } } })
    return call(request, 'Could not load the documents', (page) => page.items)
  }

  /** Add a document; what became of it (`added`, `replaced`, `unchanged`). */
  async function upload(file: File): Promise<Result<string>> {
    const request = api.POST('/api/v1/knowledge/documents', {
      body: { file: file as unknown as string },
      bodySerializer: fileForm,
    })
    return call(request, 'Upload failed', (answer) => answer.status)
  }

  /** Upload a new version of a document (it may have another file name). */
  async function replace(id: number, file: File): Promise<Result<Upload>> {
    const request = api.PUT('/api/v1/knowledge/documents/{document_id}', {
      params: { path: { document_id: id } },
      body: { file: file as unknown as string },
      bodySerializer: fileForm,
    })
    return call(request, 'Replace failed')
  }

  async function remove(id: number): Promise<Result<null>> {
    const params = { params: { path: { document_id: id } } }
    return call(api.DELETE('/api/v1/knowledge/documents/{document_id}', params), 'Delete failed', () => null)
  }

  async function search(q: string): Promise<Result<Hit[]>> {
    const request = api.GET('/api/v1/knowledge/search', { params: { query: { q, k: 8 } } })
    return call(request, 'Search failed', (found) => found.hits)
  }

  return { list, upload, replace, remove, search }
}
