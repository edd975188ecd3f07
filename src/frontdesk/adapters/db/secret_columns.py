"""The columns that hold secrets, checked at start-up and re-encrypted by `frontdesk secrets rotate`.

A new secret column (a bridge key, an MCP server's token) is sealed and opened with the store's
`SecretBox` by its repository, and listed in `SECRET_COLUMNS` so both of these cover it.
"""

from __future__ import annotations

from sqlalchemy import Column, Table, select, update

from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import channels
from frontdesk.adapters.secret_box import PREFIX, SecretUnreadableError

SECRET_COLUMNS: tuple[tuple[Table, str], ...] = ((channels, "access_token"),)


async def verify_secrets(store: SqlStore) -> int:
    """At start-up: open every stored secret once, and encrypt those stored in plain text before
    encryption existed; how many were encrypted. Raises `SecretUnreadableError` naming the row when one
    needs a key that is not configured, so the process refuses to start instead of failing every send."""
    plain: list[tuple[Table, str, int, str]] = []
    async with store.read() as conn:
        for table, name in SECRET_COLUMNS:
            column: Column[str] = table.c[name]
            for row_id, stored in await conn.execute(select(table.c.id, column).where(column.is_not(None))):
                if not stored.startswith(PREFIX):
                    plain.append((table, name, row_id, stored))
                    continue
                try:
                    store.secrets.open(stored)
                except SecretUnreadableError:
                    raise SecretUnreadableError(f"{table.name}.{name} of id {row_id}") from None
    if plain:
        async with store.begin() as conn:
            for table, name, row_id, stored in plain:
                # Only if unchanged: another process starting at the same time may have sealed it.
                where = (table.c.id == row_id) & (table.c[name] == stored)
                await conn.execute(update(table).where(where).values({name: store.secrets.seal(stored)}))
    return len(plain)


async def rotate_secrets(store: SqlStore) -> int:
    """Re-encrypt every stored secret with the first key (plain ones from before encryption too), in
    one transaction; how many were rewritten. Afterwards the other keys can be dropped."""
    count = 0
    async with store.begin() as conn:
        for table, name in SECRET_COLUMNS:
            column: Column[str] = table.c[name]
            found = await conn.execute(select(table.c.id, column).where(column.is_not(None)))
            for row_id, stored in found.all():
                try:
                    sealed = store.secrets.reseal(stored)
                except SecretUnreadableError:
                    raise SecretUnreadableError(f"{table.name}.{name} of id {row_id}") from None
                await conn.execute(update(table).where(table.c.id == row_id).values({name: sealed}))
                count += 1
    return count
