"""`frontdesk users` and the dev-mode demo owner, as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from frontdesk.cli.serve import _dev_banner
from tests.integration.test_cli import ROOT, run

SECRETS = {
    "FRONTDESK_SECRET_KEY": "a-real-secret-key",
    "FRONTDESK_WHATSAPP_VERIFY_TOKEN": "verify",
    "FRONTDESK_WHATSAPP_APP_SECRET": "app-secret",
    "FRONTDESK_WHATSAPP_ACCESS_TOKEN": "access",
    "FRONTDESK_ENCRYPTION_KEYS": "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0wMDA=",
}


def run_with_stdin(
    *args: str, stdin: str, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "frontdesk", *args],
        input=stdin,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'src'}", "PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def staff_rows(db: Path) -> list[tuple[str, str]]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(
            text("select u.email, m.role from staff_users u join staff_memberships m on m.user_id = u.id")
        )
        found = [(r[0], r[1]) for r in rows]
    engine.dispose()
    return found


def test_users_create_reads_the_password_without_echoing_it(tmp_path: Path) -> None:
    db = tmp_path / "users.db"
    env = {"FRONTDESK_ENV": "prod", "FRONTDESK_DATABASE_URL": f"sqlite:///{db}", **SECRETS}
    env["FRONTDESK_DEMO_SEED"] = "false"  # a bare tenant is enough (and much faster than the demo)
    assert run("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into tenants (slug, name, timezone, currency, profile, created_at) "
                "values ('lumen', 'Lumen', 'UTC', 'GBP', '{}', CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    args = ("users", "create", "--email", "Boss@Example.com", "--role", "owner", "--password-stdin")
    made = run_with_stdin(*args, stdin="a-long-secret-pass\n", env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "created: boss@example.com (owner) in lumen" in made.stdout
    assert "a-long-secret-pass" not in made.stdout + made.stderr
    assert staff_rows(db) == [("boss@example.com", "owner")]  # outside dev, no demo owner

    again = run_with_stdin(*args, stdin="a-long-secret-pass\n", env=env, cwd=tmp_path)
    assert again.returncode == 1 and "already a member" in again.stderr
    short = run_with_stdin(
        "users",
        "create",
        "--email",
        "x@example.com",
        "--role",
        "agent",
        "--password-stdin",
        stdin="short\n",
        env=env,
        cwd=tmp_path,
    )
    assert short.returncode == 1 and "10 to 256 characters" in short.stderr
    listing = run("users", "list", env=env, cwd=tmp_path)
    assert listing.returncode == 0 and "owner   boss@example.com" in listing.stdout
    assert run("users", "list", "--tenant", "nobody", env=env, cwd=tmp_path).returncode == 1


def test_the_dev_seed_makes_the_demo_owner_the_banner_names(tmp_path: Path) -> None:
    db = tmp_path / "dev.db"
    env = {"FRONTDESK_DATABASE_URL": f"sqlite:///{db}"}
    first = run("demo", "seed", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "1 staff_users" in first.stdout
    assert staff_rows(db) == [("owner@lumen.example", "owner")]
    assert "nothing new" in run("demo", "seed", env=env, cwd=tmp_path).stdout
    banner = _dev_banner("http://127.0.0.1:8000", False)
    assert "owner@lumen.example / lumen-demo-owner" in banner
