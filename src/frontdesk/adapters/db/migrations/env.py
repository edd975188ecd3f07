"""Alembic environment: migrations run on a connection handed in by `frontdesk.adapters.db.migrate`."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from frontdesk.adapters.db import (
    tables_agents,  # noqa: F401  (its tables join Base.metadata)
    tables_knowledge,  # noqa: F401  (its tables join Base.metadata)
    tables_staff,  # noqa: F401  (its tables join Base.metadata)
)
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.tables import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_own_engine() -> None:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # the `alembic` command line, e.g. to write a new revision with --autogenerate
    asyncio.run(_run_own_engine())
