"""`frontdesk kb` as a user runs it: ingest files and folders, list, search; refusals exit 1."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_cli import run
from tests.support.documents import blank_pdf


def test_ingest_list_and_search(tmp_path: Path) -> None:
    env = {"FRONTDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}", "FRONTDESK_LOG_LEVEL": "WARNING"}
    docs = tmp_path / "docs"
    (docs / "nested").mkdir(parents=True)
    (docs / "kettle.md").write_text("# Kettle\n\nDescale the kettle monthly with citric acid.\n")
    (docs / "nested" / "cafe.txt").write_bytes("Caf\u00e9 opens at 9.".encode("cp1252"))
    (docs / "nested" / "photo.png").write_bytes(b"\x89PNG....")  # not a document: skipped in folders
    (docs / ".hidden.md").write_text("# Hidden\n\nnot this one\n")
    (tmp_path / "scan.pdf").write_bytes(blank_pdf())

    first = run("kb", "ingest", str(docs), env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["added", "added"]
    assert "kettle.md" in first.stdout and "cafe.txt" in first.stdout and "photo" not in first.stdout

    second = run("kb", "ingest", str(docs / "kettle.md"), str(tmp_path / "scan.pdf"), env=env, cwd=tmp_path)
    assert second.returncode == 1
    assert second.stdout.splitlines()[0].startswith("unchanged")
    assert "refused" in second.stdout and "no text layer" in second.stdout

    listing = run("kb", "list", env=env, cwd=tmp_path)
    assert listing.returncode == 0
    assert "kettle.md" in listing.stdout and "10 documents" in listing.stdout  # 8 from the demo seed

    found = run("kb", "search", "how often should i descale", "-k", "2", env=env, cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith("1. [") and "(kettle.md)" in found.stdout.splitlines()[0]

    assert run("kb", "search", "  ", env=env, cwd=tmp_path).returncode == 1
    assert run("kb", "list", "--tenant", "nobody", env=env, cwd=tmp_path).returncode == 1
