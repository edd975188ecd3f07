"""Run Alembic migrations from code (no alembic.ini needed; the scripts ship inside the package)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from frontdesk.adapters.db.engine import normalize_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the shipped migrations and the given database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


# Any constant shared by all Frontdesk processes: several API processes starting together migrate once.
_LOCK_ID = 0x46524F4E54444B


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database behind `engine` to `revision`, on the engine's own connection."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        await conn.run_sync(_upgrade_sync, revision)


def _upgrade_sync(connection: object, revision: str) -> None:
    cfg = alembic_config("sqlite://")
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)
