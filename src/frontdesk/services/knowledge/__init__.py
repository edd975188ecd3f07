"""The knowledge base's storage-independent core: chunking documents and ranking what a search finds.

Extraction from files lives in `frontdesk.adapters.documents`, embeddings in
`frontdesk.adapters.embeddings`; both reach services through the ports in `frontdesk.domain.knowledge`.
"""

from frontdesk.services.knowledge.chunking import chunk_document
from frontdesk.services.knowledge.ranking import (
    Bm25Index,
    clean_query,
    cosine_top_k,
    make_snippet,
    query_terms,
    query_words,
    reciprocal_rank_fusion,
)
from frontdesk.services.knowledge.service import KnowledgeService

__all__ = [
    "Bm25Index",
    "KnowledgeService",
    "chunk_document",
    "clean_query",
    "cosine_top_k",
    "make_snippet",
    "query_terms",
    "query_words",
    "reciprocal_rank_fusion",
]
