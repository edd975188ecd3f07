import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { doc } from './fixtures'

const fakeApi = { list: vi.fn(), upload: vi.fn(), replace: vi.fn(), remove: vi.fn(), search: vi.fn() }
vi.mock('./useKnowledgeApi', () => ({ useKnowledgeApi: () => fakeApi }))
const { useKnowledgeStore } = await import('./knowledge')

const file = (name: string) => new File(['# Returns\nWithin 30 days.'], name, { type: 'text/markdown' })

describe('the knowledge store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.clearAllMocks()
    fakeApi.list.mockResolvedValue({ data: [doc(1), doc(2)] })
  })

  it('replaces a document and says what happened to it', async () => {
    const knowledge = useKnowledgeStore()
    await knowledge.load()
    const newer = doc(1, { chunk_count: 5, filename: 'returns-2027.md' })
    fakeApi.replace.mockResolvedValue({ data: { status: 'replaced', changed: true, document: newer } })
    fakeApi.list.mockResolvedValue({ data: [newer, doc(2)] })
    const pending = knowledge.replace(knowledge.documents[0]!, file('returns-2027.md'))
    expect(knowledge.rows[1]).toEqual({ kind: 'busy', text: 'Uploading returns-2027.md…' })
    await pending
    expect(fakeApi.replace).toHaveBeenCalledWith(1, expect.any(File))
    expect(knowledge.rows[1]).toEqual({ kind: 'ok', text: 'replaced and re-indexed' })
    expect(knowledge.documents[0]).toMatchObject({ filename: 'returns-2027.md', chunk_count: 5 })
  })

  it('shows a refused replacement on its row and keeps the document', async () => {
    const knowledge = useKnowledgeStore()
    await knowledge.load()
    fakeApi.replace.mockResolvedValue({ error: 'Another document already has that file name' })
    await knowledge.replace(knowledge.documents[0]!, file('doc-2.md'))
    expect(knowledge.rows[1]).toEqual({ kind: 'error', text: 'Another document already has that file name' })
    expect(knowledge.documents.map((d) => d.filename)).toEqual(['doc-1.md', 'doc-2.md'])
  })

  it('deletes a document and drops its search hits', async () => {
    const knowledge = useKnowledgeStore()
    await knowledge.load()
    fakeApi.search.mockResolvedValue({ data: [{ chunk_id: 9, document_id: 1 }, { chunk_id: 10, document_id: 2 }] })
    await knowledge.search('returns')
    fakeApi.remove.mockResolvedValue({})
    expect(await knowledge.remove(knowledge.documents[0]!)).toBe(true)
    expect(knowledge.documents.map((d) => d.id)).toEqual([2])
    expect(knowledge.hits.map((h) => h.chunk_id)).toEqual([10])
    expect(knowledge.message).toContain('doc-1.md deleted')
  })

  it('keeps a document whose deletion was refused', async () => {
    const knowledge = useKnowledgeStore()
    await knowledge.load()
    fakeApi.remove.mockResolvedValue({ error: 'Only admins and owners may change the knowledge base' })
    expect(await knowledge.remove(knowledge.documents[0]!)).toBe(false)
    expect(knowledge.documents).toHaveLength(2)
    expect(knowledge.rows[1]?.kind).toBe('error')
  })

  it('reports a list it could not load', async () => {
    fakeApi.list.mockResolvedValue({ error: 'Could not load the documents' })
    const knowledge = useKnowledgeStore()
    await knowledge.load()
    expect(knowledge.loadError).toBe('Could not load the documents')
  })
})
