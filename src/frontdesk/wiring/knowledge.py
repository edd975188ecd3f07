"""Composition of the knowledge base: the service over its store, the process's one embedding model,
and the seed of a tenant's documents from a folder (the demo's `kb/`)."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from frontdesk.adapters.db.knowledge import KnowledgeStore
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.documents import DocumentExtractor
from frontdesk.adapters.embeddings.cache import CachedEmbedder
from frontdesk.adapters.embeddings.minilm import MiniLMEmbedder
from frontdesk.domain.files import FileStore
from frontdesk.domain.knowledge import Embedder
from frontdesk.domain.models import Tenant
from frontdesk.domain.ports import Clock
from frontdesk.services.knowledge.service import KnowledgeService
from frontdesk.settings import Settings
from frontdesk.wiring.inbox import build_files

log = logging.getLogger(__name__)


def build_knowledge(
    s: Settings, *, store: SqlStore, clock: Clock, embedder: Embedder, files: FileStore | None = None
) -> KnowledgeService:
    """The knowledge base's service on `store`, with the settings' upload limit; uploaded files go to
    `files`, by default the settings' file store (the same folder or bucket the inbox's media uses)."""
    return KnowledgeService(
        index=KnowledgeStore(store, files=files or build_files(s)),
        reader=DocumentExtractor(),
        embedder=embedder,
        clock=clock,
        max_bytes=s.kb_max_bytes,
    )


@functools.cache
def shared_embedder() -> CachedEmbedder:
    """The process's one MiniLM model (however many apps it runs), loaded on first use, with a cache."""
    return CachedEmbedder(MiniLMEmbedder())


def preload(embedder: Embedder) -> None:
    """Load the embedding model in a background thread, so the first search does not wait for it."""
    load = getattr(embedder, "load", None)
    if callable(load):
        threading.Thread(target=_load_quietly, args=(load,), name="embedder-load", daemon=True).start()


def _load_quietly(load: Callable[[], object]) -> None:
    try:
        load()
    except Exception:  # the first search will raise the same error where it can be answered
        log.exception("cannot load the embedding model")


async def seed_knowledge(knowledge: KnowledgeService, tenant: Tenant, folder: Path) -> int:
    """Add the folder's Markdown files the tenant has no document of that name for; how many were added."""
    added = 0
    for name, data in await asyncio.to_thread(_markdown_files, folder):
        if await knowledge.find_document(tenant=tenant, filename=name) is None:
            await knowledge.ingest(tenant=tenant, filename=name, data=data)
            added += 1
    return added


def _markdown_files(folder: Path) -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in sorted(folder.glob("*.md"))]
