"""A bad OTEL_* variable ends `frontdesk serve` / `frontdesk worker` with exit code 2 and one line naming
it, before the database is touched, and never with a traceback or a secret value."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_cli import run

BAD = [
    ({"OTEL_BSP_MAX_QUEUE_SIZE": "0"}, "OTEL_BSP_MAX_QUEUE_SIZE"),
    ({"OTEL_BSP_SCHEDULE_DELAY": "0"}, "OTEL_BSP_SCHEDULE_DELAY"),
    (
        {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "600", "OTEL_BSP_MAX_QUEUE_SIZE": "100"},
        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
    ),
    ({"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT": "abc"}, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT"),
    ({"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "OTEL_EXPORTER_OTLP_PROTOCOL"),
    ({"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json"}, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"),
    (
        {
            "OTEL_PYTHON_EXPORTER_OTLP_HTTP_TRACES_CREDENTIAL_PROVIDER": "no_such_provider",
            "OTEL_EXPORTER_OTLP_HEADERS": "x-api-key=SECRET-HEADER-VALUE",
        },
        "OTEL_PYTHON_EXPORTER_OTLP_HTTP_TRACES_CREDENTIAL_PROVIDER",
    ),
]


@pytest.mark.parametrize(("variables", "named"), BAD, ids=[named for _, named in BAD])
@pytest.mark.parametrize("command", [("serve", "--port", "1"), ("worker",)], ids=["serve", "worker"])
def test_a_bad_otel_variable_exits_2_naming_it_before_the_database_is_touched(
    tmp_path: Path, variables: dict[str, str], named: str, command: tuple[str, ...]
) -> None:
    database = tmp_path / "frontdesk.db"
    env = {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",
        "FRONTDESK_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        **variables,
    }
    result = run(*command, env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("frontdesk: ") and named in last
    assert "Traceback" not in result.stderr
    assert "SECRET-HEADER-VALUE" not in result.stderr
    assert not database.exists()  # nothing migrated
