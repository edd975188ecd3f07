"""Contacts' "last seen" over real HTTP, on SQLite and PostgreSQL: the field on list, detail and edits,
and the list sorted by it with keyset pages (contacts who never wrote come last)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.harness import Running, running_frontdesk
from tests.support.inbox import get
from tests.support.payloads import text_message

ANNA, BEN = "447700900131", "447700900132"


@pytest.fixture
def fd(database_url: str, graph_url: str) -> Iterator[Running]:
    with running_frontdesk(database_url, graph_url) as running:
        yield running


def write_at(fd: Running, wamid: str, sender: str, ts: int) -> None:
    assert fd.post_webhook(text_message(wamid, "hi", sender=sender, ts=ts)).status_code == 200
    fd.wait_for(
        lambda: fd.query("select id from messages where channel_message_id = :w", w=wamid), what=wamid
    )


def all_pages(fd: Running, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = get(fd, "/contacts", **params, **({"cursor": cursor} if cursor else {}))
        assert page.status_code == 200, page.text
        found += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return found


def test_last_seen_on_contacts_and_sorted_by_it(fd: Running) -> None:
    now = int(time.time())
    write_at(fd, "wamid.seen-1", ANNA, now - 7200)
    write_at(fd, "wamid.seen-2", ANNA, now - 3600)
    write_at(fd, "wamid.seen-3", BEN, now - 60)
    write_at(fd, "wamid.seen-4", ANNA, now - 5400)  # late delivery of an older message: still 1 h ago

    newest = all_pages(fd, limit=50)
    by_number = {c["wa_id"]: c for c in newest}
    anna, ben = by_number[ANNA], by_number[BEN]
    assert datetime.fromisoformat(anna["last_seen_at"]) == datetime.fromtimestamp(now - 3600, UTC)
    assert datetime.fromisoformat(ben["last_seen_at"]) == datetime.fromtimestamp(now - 60, UTC)
    never = [c for c in newest if c["wa_id"] not in (ANNA, BEN)]
    assert never and all(c["last_seen_at"] is None for c in never)  # the demo's contacts never wrote
    assert [c["id"] for c in newest] == sorted((c["id"] for c in newest), reverse=True)

    # Sorted by last seen, paged two at a time: Ben, Anna, then everyone else newest first, once each.
    seen = all_pages(fd, sort="last_seen", limit=2)
    assert [c["wa_id"] for c in seen[:2]] == [BEN, ANNA]
    assert [c["id"] for c in seen[2:]] == [c["id"] for c in never]
    assert get(fd, "/contacts", sort="last_seen", q="900132").json()["items"][0]["wa_id"] == BEN

    detail = get(fd, f"/contacts/{anna['id']}").json()["contact"]
    assert detail["last_seen_at"] == anna["last_seen_at"]
    edited = fd.client.patch(
        f"{fd.url}/api/v1/contacts/{anna['id']}", json={"city": "York"}, headers=fd.staff_headers()
    )
    assert edited.json()["city"] == "York" and edited.json()["last_seen_at"] == anna["last_seen_at"]


@pytest.mark.parametrize("params", [{"sort": "oldest"}, {"sort": "last_seen", "cursor": "WzFd"}])
def test_bad_sort_or_cursor_is_422(fd: Running, params: dict[str, str]) -> None:
    assert get(fd, "/contacts", **params).status_code == 422
