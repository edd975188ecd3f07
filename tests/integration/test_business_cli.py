"""`frontdesk business import|export` as a user runs them: a refused pack writes nothing and exits 2."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from frontdesk.adapters.business_pack import read_folder, write_folder, write_zip
from tests.integration.test_cli import run
from tests.support.packs import full_pack

TABLES = ("tenants", "channels", "contacts", "products", "orders", "services", "appointments", "kb_documents")


def counts(db: Path) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        found = {t: int(conn.execute(text(f"select count(*) from {t}")).scalar_one()) for t in TABLES}
    engine.dispose()
    return found


def test_import_refuses_a_bad_pack_then_imports_and_exports_a_good_one(tmp_path: Path) -> None:
    db = tmp_path / "fd.db"
    env = {"FRONTDESK_DATABASE_URL": f"sqlite:///{db}", "FRONTDESK_DEMO_SEED": "false"}
    assert run("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(
            text(
                "insert into tenants (slug, name, timezone, currency, profile, created_at) "
                "values ('salon', 'salon', 'UTC', 'EUR', '{}', CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    pack = full_pack()
    write_folder(pack, tmp_path / "bad")
    products = tmp_path / "bad" / "products.csv"
    products.write_text(
        products.read_text().replace("14.90", "abc").replace("SS-COMB,Comb,tools,3,12", "SS-COMB,,tools,3,x")
    )
    before = counts(db)

    refused = run("business", "import", str(tmp_path / "bad"), "--tenant", "salon", env=env, cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert lines[:3] == [
        'products.csv row 1: price "abc" is not a number',
        "products.csv row 2: name is empty",
        'products.csv row 2: stock "x" is not a whole number',
    ]
    assert lines[-1] == "frontdesk: the pack was refused (3 problems); nothing was written"
    assert counts(db) == before

    (tmp_path / "salon.zip").write_bytes(write_zip(pack))
    dry = run(
        "business",
        "import",
        str(tmp_path / "salon.zip"),
        "--tenant",
        "salon",
        "--dry-run",
        env=env,
        cwd=tmp_path,
    )
    assert dry.returncode == 0, dry.stderr
    assert "products       created      2" in dry.stdout and "dry run: nothing was written" in dry.stdout
    assert counts(db) == before

    done = run("business", "import", str(tmp_path / "salon.zip"), "--tenant", "salon", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "orders         created      1" in done.stdout and "kb documents   created      1" in done.stdout
    assert counts(db)["products"] == 2 and counts(db)["kb_documents"] == 1

    exported = run("business", "export", "--tenant", "salon", str(tmp_path / "out"), env=env, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert read_folder(tmp_path / "out") == pack
    again = run("business", "export", "--tenant", "salon", str(tmp_path / "out"), env=env, cwd=tmp_path)
    assert again.returncode == 1 and "is not an empty folder" in again.stderr
