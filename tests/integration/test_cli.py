"""The `frontdesk` command as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from frontdesk import __version__

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    base["PYTHONPATH"] = f"{ROOT}{os.pathsep}{ROOT / 'src'}"
    return subprocess.run(
        [sys.executable, "-m", "frontdesk", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
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
