"""The `frontdesk` command as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from frontdesk import __version__

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    base["PYTHONPATH"] = f"{ROOT}{os.pathsep}{ROOT / 'src'}"
    return subprocess.run(
        [sys.executable, "-m", "frontdesk", *args],
        env={**base, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,  # a guard against a hang, not a speed check
        cwd=cwd or ROOT,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"frontdesk {__version__}"


def test_a_bad_setting_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run("db", "upgrade", env={"FRONTDESK_WORKERS": "lots"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "FRONTDESK_WORKERS" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_default_secrets(tmp_path: Path) -> None:
    result = run("db", "upgrade", env={"FRONTDESK_ENV": "prod"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "FRONTDESK_SECRET_KEY" in result.stderr


def test_db_upgrade_then_demo_seed_twice_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    env = {"FRONTDESK_DATABASE_URL": f"sqlite:///{db}"}
    assert run("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    first = run("demo", "seed", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "8 contacts" in first.stdout and "22 products" in first.stdout and "14 orders" in first.stdout
    engine = create_engine(f"sqlite:///{db}")
    tables = (
        "tenants",
        "channels",
        "contacts",
        "products",
        "orders",
        "services",
        "technicians",
        "appointments",
    )
    with engine.connect() as conn:
        before = {t: conn.execute(text(f"select count(*) from {t}")).scalar() for t in tables}
    second = run("demo", "seed", env=env, cwd=tmp_path)
    assert second.returncode == 0
    assert "nothing new" in second.stdout
    with engine.connect() as conn:
        after = {t: conn.execute(text(f"select count(*) from {t}")).scalar() for t in tables}
        phone = conn.execute(text("select phone_number_id from channels")).scalar()
    assert before == after
    assert phone == "109876543210001"


def test_a_broken_team_file_stops_serve_with_exit_2_naming_the_problem(tmp_path: Path) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(
        (ROOT / "teams/lumen.yaml").read_text().replace("tools: [search_knowledge", "tools: [kb", 1)
    )
    result = run("serve", env={"FRONTDESK_TEAM_FILE": str(team)}, cwd=tmp_path)
    assert result.returncode == 2
    assert str(team) in result.stderr
    assert (
        "agents[2].skills[0].tool" in result.stderr
        and "'search_knowledge' is not in this agent's tools" in (result.stderr)
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "frontdesk.db").exists()  # refused before touching the database


def test_chat_goes_through_the_pipeline_and_shows_agents_and_tools(tmp_path: Path) -> None:
    lines = "where is my order LH-100245?\nplease cancel my order LH-100245\ncan I talk to a human\n"
    database = f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"
    result = run("chat", "--as", "447700900101", "--database-url", database, cwd=tmp_path, stdin=lines)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[orders · tools: order_status]" in out
    assert "15501234567890" in out  # Amelia's real DPD tracking number
    assert "[orders · tools: cancel_order]" in out  # shipped: refused, with the reason
    assert "[handoff" in out
    assert "the conversation is human" in out


def test_the_dev_tools_can_never_be_mounted_outside_dev(tmp_path: Path) -> None:
    """The fake Graph API lists every message it was sent with its bearer token: dev only, whoever asks."""
    from fastapi import FastAPI

    from frontdesk.cli import mount_dev_tools
    from frontdesk.domain.errors import ConfigurationError
    from tests.support.harness import settings_for_test

    for env in ("test", "prod"):
        app = FastAPI()
        settings = settings_for_test(f"sqlite:///{tmp_path / 'x.db'}", "http://127.0.0.1:9", env=env)
        with pytest.raises(ConfigurationError, match="only for FRONTDESK_ENV=dev"):
            mount_dev_tools(app, settings)
        assert not [route for route in app.routes if getattr(route, "path", "").startswith("/_dev")]

    result = run("serve", "--fake-graph", env={"FRONTDESK_ENV": "prod"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
