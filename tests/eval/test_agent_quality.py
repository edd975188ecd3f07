"""Quality gate: the default team answers a business it was not written for (see agent_eval.py).

Not a timed test. It runs the salon's cases (birke_cases.yaml, written before the default team was
tuned) with the offline brain, each on a freshly seeded SQLite store, as `agent_eval.py --cases` does.
The demo's 228 cases take minutes; run them with agent_eval.py.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from frontdesk.adapters.business_pack.read import read_folder
from tests.eval.agent_eval import evaluate

CASES = Path(__file__).with_name("birke_cases.yaml")
GOAL = 0.9


async def test_the_default_team_serves_a_second_business() -> None:
    data = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    assert "team" not in data and not (Path(__file__).parents[2] / data["pack"] / "team.yaml").exists()
    result = await evaluate(data)
    assert result.cases >= 20
    assert result.task_success >= GOAL, "\n".join(result.failing)
    assert result.leaks == 0, "\n".join(result.failing)


def test_the_salon_is_a_valid_business_pack() -> None:
    pack = read_folder(Path(__file__).parents[2] / "tests/eval/packs/birke")
    assert pack.business is not None and pack.business.locale == "en-DE" and pack.team_yaml is None
    assert {area for t in pack.technicians for area in t.areas} == {"on-site"}
