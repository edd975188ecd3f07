"""Conversation data the agents use: message search (`MessageSearch`).

A brain's dialogue state is not here: it travels on the conversation (`Conversation.agent_state`, saved by
`Tx.save_agent_state` in the turn's transaction).

Message search is plain substring matching over stored texts (case-insensitive, user text escaped, never
SQL syntax), ranked by how many of the query's words a message holds, then by recency. It is always
scoped to a tenant, and to one conversation when one is given.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, func, or_, select

from frontdesk.adapters.db import rows
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import messages
from frontdesk.domain.models import Message

MAX_WORDS = 8
CANDIDATES = 200
_WORD = re.compile(r"[\w'-]{2,}")


def query_words(query: str) -> list[str]:
    """The distinct lower-case words of a query (two characters or more), at most `MAX_WORDS`."""
    return list(dict.fromkeys(w.lower() for w in _WORD.findall(query)))[:MAX_WORDS]


class SqlMessageSearch:
    """Reads messages for the conversation commands (summarise, extract tasks, search)."""

    def __init__(self, store: SqlStore):
        self._store = store

    async def recent(self, tenant_id: int, conversation_id: int, *, limit: int) -> list[Message]:
        stmt = (
            select(messages)
            .where(messages.c.tenant_id == tenant_id, messages.c.conversation_id == conversation_id)
            .order_by(messages.c.id.desc())
            .limit(limit)
        )
        async with self._store.read() as conn:
            return [rows.message(r) for r in reversed((await conn.execute(stmt)).all())]

    async def search(
        self, tenant_id: int, conversation_id: int | None, query: str, *, limit: int
    ) -> list[Message]:
        words = query_words(query)
        if not words:
            return []
        text = func.lower(messages.c.text)
        matches: list[ColumnElement[bool]] = [text.contains(w, autoescape=True) for w in words]
        stmt = select(messages).where(messages.c.tenant_id == tenant_id, or_(*matches))
        if conversation_id is not None:
            stmt = stmt.where(messages.c.conversation_id == conversation_id)
        async with self._store.read() as conn:
            found = [
                rows.message(r)
                for r in await conn.execute(stmt.order_by(messages.c.id.desc()).limit(CANDIDATES))
            ]
        found.sort(key=lambda m: (-_hits(m.text or "", words), -m.id))
        return found[:limit]


def _hits(text: str, words: list[str]) -> int:
    lowered = text.lower()
    return sum(w in lowered for w in words)
