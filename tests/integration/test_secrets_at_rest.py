"""Channel tokens are stored encrypted, still send, rotate between keys, and a missing or wrong key stops
a start with exit code 2 and one line naming FRONTDESK_ENCRYPTION_KEYS (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.secret_columns import verify_secrets
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.db.tables import channels, tenants
from frontdesk.adapters.secret_box import SecretBox, SecretUnreadableError
from tests.support.harness import TEST_ENCRYPTION_KEY, Running, running_frontdesk
from tests.support.payloads import APP_SECRET, text_message

ROOT = Path(__file__).resolve().parents[2]
DEMO_NUMBER = "109876543210001"
TOKEN = "EAAG-secret-at-rest-token-0042"
KEY_A = TEST_ENCRYPTION_KEY
KEY_B = "c2Vjb25kLWVuY3J5cHRpb24ta2V5LTMyLWJ5dGVzLTA="


def demo_channel(fd: Running) -> int:
    return int(fd.query("select id from channels where phone_number_id = :p", p=DEMO_NUMBER)[0][0])


def test_a_token_set_through_the_api_is_not_stored_in_clear_and_still_sends(
    database_url: str, graph_url: str
) -> None:
    with running_frontdesk(database_url, graph_url) as fd:
        channel = demo_channel(fd)
        changed = fd.client.patch(
            f"{fd.url}/api/v1/channels/{channel}", json={"access_token": TOKEN}, headers=fd.staff_headers()
        )
        assert changed.status_code == 200, changed.text
        stored = fd.query("select access_token from channels where id = :i", i=channel)[0][0]
        assert stored.startswith("enc:v1:") and TOKEN not in stored

        fd.post_webhook(text_message("wamid.SECRET1", "hello"))
        sent = fd.wait_for(fd.sent, what="the reply")
        assert sent[-1]["token"] == TOKEN  # the fake Graph saw the plain token as the bearer

    if database_url.startswith("sqlite"):  # nowhere in the database's files, WAL included
        db = Path(database_url.split("///", 1)[1])
        for path in db.parent.glob(db.name + "*"):
            assert TOKEN.encode() not in path.read_bytes(), path


def test_a_plain_token_from_before_encryption_sends_and_is_encrypted_at_the_next_start(
    database_url: str, graph_url: str
) -> None:
    with running_frontdesk(database_url, graph_url) as fd:
        channel = demo_channel(fd)
        fd.execute("update channels set access_token = :t where id = :i", t=TOKEN, i=channel)
        fd.post_webhook(text_message("wamid.PLAIN1", "hello"))
        assert fd.wait_for(fd.sent, what="the reply")[-1]["token"] == TOKEN

    with running_frontdesk(database_url, graph_url) as fd:
        stored = fd.query("select access_token from channels where id = :i", i=channel)[0][0]
        assert stored.startswith("enc:v1:") and TOKEN not in stored
        fd.post_webhook(text_message("wamid.PLAIN2", "hello again"))
        assert fd.wait_for(lambda: len(fd.sent()) == 2 and fd.sent(), what="the reply")[-1]["token"] == TOKEN


def test_rotation_from_one_key_to_another(database_url: str) -> None:
    channel = asyncio.run(_channel_sealed_with(database_url, KEY_A))

    result = cli("secrets", "rotate", database_url=database_url, keys=f"{KEY_B},{KEY_A}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1 secret re-encrypted with the first key"

    assert asyncio.run(_token(database_url, KEY_B, channel)) == TOKEN  # the old key is no longer needed
    with pytest.raises(SecretUnreadableError, match=rf"channels.access_token of id {channel}"):
        asyncio.run(_token(database_url, KEY_A, channel))


def test_a_wrong_key_stops_serve_and_worker_with_exit_2_and_one_line(database_url: str) -> None:
    asyncio.run(_channel_sealed_with(database_url, KEY_A))
    for command in ("serve", "worker"):
        result = cli(command, database_url=database_url, keys=KEY_B)
        assert result.returncode == 2, (command, result.stderr)
        assert "Application startup" not in result.stderr  # refused before the server started
        said = [line for line in result.stderr.splitlines() if line.startswith("frontdesk:")]
        assert said == [
            "frontdesk: FRONTDESK_ENCRYPTION_KEYS: channels.access_token of id 1 was encrypted with a "
            "key that is not in the list; add that key back (after the new one) and run "
            "`frontdesk secrets rotate`"
        ]
        assert "Traceback" not in result.stderr


def test_a_missing_key_outside_dev_stops_serve_with_exit_2_naming_it(tmp_path: Path) -> None:
    result = cli("serve", database_url=f"sqlite:///{tmp_path / 'fd.db'}", keys=None)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "frontdesk: invalid setting: FRONTDESK_ENCRYPTION_KEYS is empty; set it to a key from "
        "`frontdesk secrets new-key` (FRONTDESK_ENV=test)"
    )
    assert not (tmp_path / "fd.db").exists()  # refused before touching the database


def test_new_key_prints_a_usable_key() -> None:
    key = cli("secrets", "new-key", database_url="sqlite://", keys=None).stdout.strip()
    box = SecretBox([key.encode()])
    assert box.open(box.seal("x")) == "x"


# -- helpers


def cli(*args: str, database_url: str, keys: str | None) -> subprocess.CompletedProcess[str]:
    """Run `frontdesk ARGS` as an operator would, with FRONTDESK_ENV=test and real secrets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env |= {
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'src'}",
        "FRONTDESK_ENV": "test",
        "FRONTDESK_DATABASE_URL": database_url,
        "FRONTDESK_SECRET_KEY": "test-secret-key",
        "FRONTDESK_WHATSAPP_VERIFY_TOKEN": "test-verify-token",
        "FRONTDESK_WHATSAPP_APP_SECRET": APP_SECRET,
        "FRONTDESK_WHATSAPP_ACCESS_TOKEN": "test-access-token",
        "FRONTDESK_DEMO_SEED": "false",
        "FRONTDESK_LOG_JSON": "false",
    }
    if keys is not None:
        env["FRONTDESK_ENCRYPTION_KEYS"] = keys
    return subprocess.run(
        [sys.executable, "-m", "frontdesk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,  # a guard against a hang, not a speed check
        cwd=ROOT,
    )


async def _channel_sealed_with(database_url: str, key: str) -> int:
    """A migrated database with one tenant and a channel whose token is sealed with `key`."""
    store = SqlStore(make_engine(database_url), secrets=SecretBox([key.encode()]))
    try:
        await upgrade(store.engine)
        async with store.begin() as conn:
            tenant = await conn.scalar(
                tenants.insert()
                .values(
                    slug="acme", name="Acme", timezone="UTC", currency="GBP", profile={}, created_at=_now()
                )
                .returning(tenants.c.id)
            )
            return int(
                await conn.scalar(
                    channels.insert()
                    .values(
                        tenant_id=tenant,
                        phone_number_id="100200300999",
                        access_token=store.secrets.seal(TOKEN),
                        enabled=True,
                        created_at=_now(),
                    )
                    .returning(channels.c.id)
                )
            )
    finally:
        await store.dispose()


async def _token(database_url: str, keys: str, channel: int) -> str | None:
    """The channel's token as the app reads it with `keys` (after the start-up check)."""
    store = SqlStore(make_engine(database_url), secrets=SecretBox([k.encode() for k in keys.split(",")]))
    try:
        await verify_secrets(store)
        async with store.read() as conn:
            stored = await conn.scalar(select(channels.c.access_token).where(channels.c.id == channel))
        return store.secrets.open(stored)
    finally:
        await store.dispose()


def _now() -> datetime:
    return datetime.now(UTC)
