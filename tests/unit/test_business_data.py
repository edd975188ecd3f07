"""`SqlBusinessData`, the agent-state store and migration 0003, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, update

from frontdesk.adapters.db.business import SqlBusinessData
from frontdesk.adapters.db.conversation_data import SqlMessageSearch
from frontdesk.adapters.db.demo_seed import seed_business
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import alembic_config, upgrade
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import messages, tenants
from frontdesk.adapters.db.tables_agents import staff_tasks
from frontdesk.domain.business import NewAppointment, StaffTaskKind
from frontdesk.domain.errors import ConflictError, NotFoundError
from frontdesk.domain.outbound import Text
from tests.support.agents import AMELIA, OLIVER, PHONE_NUMBER_ID, PRIYA
from tests.support.conversations import open_conversation
from tests.support.demo_store import demo_store
from tests.unit.conftest import FakeClock

NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[SqlStore]:
    async with demo_store(database_url, now=NOW) as store:
        yield store


async def _ids(store: SqlStore, *wa_ids: str) -> tuple[int, list[int], int]:
    """(tenant id, contact ids, channel id)."""
    async with store.transaction() as tx:
        channel = await tx.channel_by_key(PHONE_NUMBER_ID)
        assert channel is not None
    found = [await open_conversation(store, number=PHONE_NUMBER_ID, wa_id=w, now=NOW) for w in wa_ids]
    return channel.tenant_id, [c.contact.id for c in found], channel.id


async def test_rules_come_from_the_business_files(db: SqlStore) -> None:
    tenant, _, _ = await _ids(db)
    rules = await SqlBusinessData(db).rules(tenant)
    assert rules.currency == "GBP"
    assert (
        rules.booking.opening_hours["mon"] == (time(9), time(18)) and "sun" not in rules.booking.opening_hours
    )
    assert rules.booking.holidays == {date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)}
    assert rules.booking.travel_buffer_min == 30
    assert rules.returns.window_days == 30
    async with db.begin() as conn:
        profile = {
            "returns_policy": {"window_days": 14},
            "booking": {"travel_buffer_min": 15, "min_notice_min": 0},
        }
        await conn.execute(update(tenants).where(tenants.c.id == tenant).values(profile=profile))
    changed = await SqlBusinessData(db).rules(tenant)
    assert changed.returns.window_days == 14 and changed.booking.travel_buffer_min == 15
    assert changed.booking.opening_hours == {} and changed.booking.min_notice_min == 0
    with pytest.raises(NotFoundError):
        await SqlBusinessData(db).rules(999)


async def test_orders_name_their_items_and_backorders_give_restock_dates(db: SqlStore) -> None:
    tenant, (amelia,), _ = await _ids(db, AMELIA)
    data = SqlBusinessData(db)
    (latest, first) = await data.orders_of(tenant, amelia)
    assert latest.ref == "LH-100245" and first.items[0].name == "Lumen Smart Bulb E27"
    assert await data.backorder_eta(tenant, "LH-SUB") == date(2026, 12, 2)
    assert await data.backorder_eta(tenant, "LH-HUB") is None
    product = await data.product(tenant, "LH-BULB-GU10")
    assert product is not None and product.tags[:2] == ("bulb", "spot")


async def test_bookings_are_checked_again_when_written(db: SqlStore) -> None:
    tenant, (priya, oliver), _ = await _ids(db, PRIYA, OLIVER)
    data = SqlBusinessData(db)
    buffer = timedelta(minutes=30)
    start = datetime(2026, 11, 24, 11, tzinfo=UTC)
    new = NewAppointment(
        service_code="repair-visit",
        technician_code="tech-hannah",
        start_at=start,
        end_at=start + timedelta(hours=1),
    )
    first = await data.add_appointment(tenant, priya, new, buffer=buffer)
    assert first.ref == "APT-5004" and first.technician_name == "Hannah Price" and first.start_at == start
    with pytest.raises(ConflictError):  # the same time
        await data.add_appointment(tenant, oliver, new, buffer=buffer)
    soon = new.model_copy(
        update={"start_at": start + timedelta(minutes=80), "end_at": start + timedelta(minutes=140)}
    )
    with pytest.raises(ConflictError):  # inside the travel buffer after the first
        await data.add_appointment(tenant, oliver, soon, buffer=buffer)
    later = new.model_copy(
        update={"start_at": start + timedelta(minutes=90), "end_at": start + timedelta(minutes=150)}
    )
    assert (await data.add_appointment(tenant, oliver, later, buffer=buffer)).ref == "APT-5005"
    with pytest.raises(ConflictError):  # moving APT-5001 (09:00-10:30) onto the first one
        await data.move_appointment(
            tenant,
            priya,
            "APT-5001",
            technician_code="tech-hannah",
            start_at=start,
            end_at=start,
            buffer=buffer,
        )
    with pytest.raises(NotFoundError):
        await data.add_appointment(
            tenant, priya, new.model_copy(update={"technician_code": "nobody"}), buffer=buffer
        )


async def test_staff_tasks_open_and_all(db: SqlStore) -> None:
    tenant, (amelia,), _ = await _ids(db, AMELIA)
    data = SqlBusinessData(db)
    task = await data.add_staff_task(
        tenant,
        amelia,
        kind=StaffTaskKind.CALLBACK,
        details={"when": "evening"},
        conversation_id=None,
        now=NOW,
    )
    assert task.details == {"when": "evening"} and task.created_at == NOW
    assert [t.id for t in await data.staff_tasks_of(tenant, amelia)] == [task.id]
    async with db.begin() as conn:
        await conn.execute(update(staff_tasks).values(status="done", done_at=NOW))
    assert await data.staff_tasks_of(tenant, amelia) == []
    assert len(await data.staff_tasks_of(tenant, amelia, open_only=False)) == 1


async def test_agent_state_per_conversation(db: SqlStore) -> None:
    """The state a turn saves (`Tx.save_agent_state`) is the next turn's `conversation.agent_state`."""
    amelia = (await open_conversation(db, number=PHONE_NUMBER_ID, wa_id=AMELIA, now=NOW)).conversation
    oliver = (await open_conversation(db, number=PHONE_NUMBER_ID, wa_id=OLIVER, now=NOW)).conversation
    assert amelia.agent_state is None
    state = {"intent": "book", "slots": {"service": "install-lighting"}}
    async with db.transaction() as tx:
        await tx.save_agent_state(amelia.id, state=state, agent="bookings", now=NOW)
        await tx.save_agent_state(oliver.id, state={"intent": "other"}, agent=None, now=NOW)
    async with db.transaction() as tx:
        saved = await tx.conversation(amelia.id)
        assert saved.agent_state == state and saved.assigned_agent == "bookings"
        assert (await tx.conversation(oliver.id)).agent_state == {"intent": "other"}
        await tx.save_agent_state(amelia.id, state=None, agent=None, now=NOW)
    async with db.transaction() as tx:
        cleared = await tx.conversation(amelia.id)
        assert cleared.agent_state is None and cleared.assigned_agent == "bookings"
        assert (await tx.conversation(oliver.id)).agent_state == {"intent": "other"}


async def test_message_search_is_scoped(db: SqlStore) -> None:
    tenant, _, _ = await _ids(db)
    search = SqlMessageSearch(db)
    assert await search.search(tenant, None, "  ", limit=5) == []
    assert await search.recent(tenant, 1, limit=5) == []


async def test_migration_0003_goes_down_and_up_keeping_messages(database_url: str) -> None:
    store = SqlStore(make_engine(database_url))
    try:
        await upgrade(store.engine)
        await seed_business(store, now=NOW)
        opened = await open_conversation(store, number=PHONE_NUMBER_ID, wa_id=AMELIA, now=NOW)
        async with store.transaction() as tx:
            await tx.add_outbound(
                conversation=opened.conversation,
                message=Text(body="hi"),
                to=AMELIA,
                agent=None,
                tools=(),
                latency_ms=None,
                now=NOW,
            )
        await _downgrade(store, "0002")
        assert not {"staff_tasks", "returns"} & set(await _tables(store))
        assert "agent_state" not in await _columns(store, "conversations")
        async with store.read() as conn:
            assert (await conn.execute(select(func.count()).select_from(messages))).scalar_one() == 1
        await upgrade(store.engine)
        assert {"staff_tasks", "returns"} <= set(await _tables(store))
        assert "agent_state" in await _columns(store, "conversations")
    finally:
        await store.dispose()


async def _tables(store: SqlStore) -> list[str]:
    async with store.engine.connect() as conn:
        return await conn.run_sync(lambda c: inspect(c).get_table_names())


async def _columns(store: SqlStore, table: str) -> set[str]:
    async with store.engine.connect() as conn:
        return await conn.run_sync(lambda c: {col["name"] for col in inspect(c).get_columns(table)})


async def _downgrade(store: SqlStore, revision: str) -> None:
    def run(connection: object) -> None:
        cfg = alembic_config("sqlite://")
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, revision)

    async with store.engine.begin() as conn:
        await conn.run_sync(run)


def test_clock_fixture_matches_now() -> None:
    assert FakeClock().now() == NOW
