"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from frontdesk import __version__

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str
    version: str


@router.get("/healthz")
async def healthz() -> Health:
    """The process is up and serving."""
    return Health(status="ok", version=__version__)
