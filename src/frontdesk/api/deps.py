"""Dependencies as `Annotated` aliases, resolved from the composition root stored on `app.state`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from frontdesk.services.ingest import IngestService
from frontdesk.services.knowledge.service import KnowledgeService
from frontdesk.settings import Settings

if TYPE_CHECKING:
    from frontdesk.app import Frontdesk


# Dependencies are `async def` on purpose: FastAPI runs plain `def` dependencies in a thread pool,
# which cost a thread hop per dependency on every webhook (measured in bench/webhooks.py).


def frontdesk_of(request: Request) -> Frontdesk:
    """The composition root, for code that cannot await (route classes, middleware)."""
    frontdesk: Frontdesk = request.app.state.frontdesk
    return frontdesk


async def get_frontdesk(request: Request) -> Frontdesk:
    return frontdesk_of(request)


async def get_settings(request: Request) -> Settings:
    return frontdesk_of(request).settings


async def get_ingest(request: Request) -> IngestService:
    return frontdesk_of(request).ingest


async def get_knowledge(request: Request) -> KnowledgeService:
    return frontdesk_of(request).knowledge


SettingsDep = Annotated[Settings, Depends(get_settings)]
IngestDep = Annotated[IngestService, Depends(get_ingest)]
KnowledgeDep = Annotated[KnowledgeService, Depends(get_knowledge)]
