"""Conversation data the agents use: message search (`MessageSearch`) and a brain's state (`AgentStates`).

Message search is plain substring matching over stored texts (case-insensitive, user text escaped, never
SQL syntax), ranked by how many of the query's words a message holds, then by recency. It is always
scoped to a tenant, and to one conversation when one is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import JSON, ColumnElement, column, func, or_, select, table, update

from frontdesk.adapters.db import rows
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import messages
from frontdesk.domain.models import Message

# `conversations.agent_state` (migration 0003) is not on `ConversationRow` yet; this names just it.
_states = table(
    "conversations", column("id"), column("tenant_id"), column("agent_state", JSON(none_as_null=True))
)

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


class SqlAgentStates:
    """Each conversation's dialogue state, a JSON object stored on its row."""

    def __init__(self, store: SqlStore):
        self._store = store

    async def load(self, tenant_id: int, conversation_id: int) -> dict[str, Any] | None:
        stmt = select(_states.c.agent_state).where(
            _states.c.id == conversation_id, _states.c.tenant_id == tenant_id
        )
        async with self._store.read() as conn:
            state = (await conn.execute(stmt)).scalar()
        return dict(state) if state else None

    async def save(self, tenant_id: int, conversation_id: int, state: Mapping[str, Any] | None) -> None:
        async with self._store.begin() as conn:
            await conn.execute(
                update(_states)
                .where(_states.c.id == conversation_id, _states.c.tenant_id == tenant_id)
                .values(agent_state=dict(state) if state is not None else None)
            )
