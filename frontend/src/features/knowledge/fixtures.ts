// Knowledge documents as the API returns them, for the specs.
import type { KnowledgeDocument } from './useKnowledgeApi'

export function doc(id: number, overrides: Partial<KnowledgeDocument> = {}): KnowledgeDocument {
  return {
    id,
    title: `Doc ${id}`,
    filename: `doc-${id}.md`,
    format: 'markdown',
    content_hash: 'abc',
    size_bytes: 2048,
    chunk_count: 3,
    created_at: '2026-11-21T10:00:00Z',
    updated_at: '2026-11-21T10:00:00Z',
    ...overrides,
  }
}
