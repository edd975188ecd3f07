"""The documentation site's generated and checked parts: the settings reference lists exactly the settings
Frontdesk reads, and the API reference page (docs_hooks/openapi_reference.py, rendered at build time)
holds every operation and schema of the app's OpenAPI document, with no link to a schema it lacks.

`make docs` builds the whole site in strict mode (broken links, pages outside the nav); these tests say
which setting or operation went missing instead of failing a build.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.deploy.conftest import ROOT, setting_names, unknown_settings

CONFIGURATION = ROOT / "docs" / "configuration.md"
OPERATOR_PAGES = [
    CONFIGURATION,
    *sorted((ROOT / "docs" / "install").glob("*.md")),
    ROOT / "docs" / "scale-out.md",
    ROOT / "docs" / "providers.md",
    ROOT / "docs" / "security.md",
    ROOT / "deploy" / "README.md",
]
# FRONTDESK_* names operator pages may show that are not settings, each with why.
NOT_SETTINGS_ALLOWED = {
    "FRONTDESK_TEST_POSTGRES_URL": "the test suite's PostgreSQL (forge CI sets it for `make test`)",
    "FRONTDESK_TEST_REDIS_URL": "the test suite's Redis (forge CI sets it for `make test`)",
}
# A table row whose first cell is one variable: | `FRONTDESK_X` | default | meaning |
ROW = re.compile(r"^\| `(FRONTDESK_[A-Z0-9_]+)` \|", re.MULTILINE)
# A name, or a family written with a wildcard (`FRONTDESK_WHATSAPP_*`).
NAME = re.compile(r"FRONTDESK_[A-Z0-9_]*[A-Z0-9](?:_\*)?")
# The shapes deploy/README.md draws once each; their guides include the diagram from there.
SHAPE_GUIDES = {
    "one-process": "one-process.md",
    "compose": "compose.md",
    "kubernetes": "kubernetes.md",
    "aws": "aws.md",
}


def load_hook() -> ModuleType:
    """The MkDocs hook as a module (it lives outside the packages: mkdocs loads it by path)."""
    path = ROOT / "docs_hooks" / "openapi_reference.py"
    spec = importlib.util.spec_from_file_location("openapi_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def hook() -> ModuleType:
    return load_hook()


@pytest.fixture(scope="module")
def document(hook: ModuleType) -> dict[str, Any]:
    result: dict[str, Any] = hook.openapi_document()
    return result


def test_every_setting_has_one_row_in_the_settings_reference() -> None:
    rows = ROW.findall(CONFIGURATION.read_text(encoding="utf-8"))
    assert sorted(set(setting_names()) - set(rows)) == [], "settings missing from docs/configuration.md"
    assert sorted(set(rows) - set(setting_names())) == [], "rows for settings Frontdesk does not read"
    assert sorted({r for r in rows if rows.count(r) > 1}) == [], "settings documented twice"


@pytest.mark.parametrize("page", OPERATOR_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_operator_pages_name_only_settings_frontdesk_reads(page: Path) -> None:
    assert not_settings(NAME.findall(page.read_text(encoding="utf-8"))) == []


def not_settings(names: list[str]) -> list[str]:
    """The names no setting reads (a family: no setting starts with it), less the allowed ones."""
    families = {n for n in names if n.endswith("_*")}
    empty = [f for f in families if not any(s.startswith(f[:-1]) for s in setting_names())]
    unknown = unknown_settings(n for n in names if n not in families and n not in NOT_SETTINGS_ALLOWED)
    return sorted(set(empty) | set(unknown))


def test_the_names_check_catches_compose_variables_and_empty_families() -> None:
    names = ["FRONTDESK_HTTP_PORT", "FRONTDESK_WHATSAPP_*", "FRONTDESK_NOPE_*", "FRONTDESK_TEST_REDIS_URL"]
    assert not_settings(names) == ["FRONTDESK_HTTP_PORT", "FRONTDESK_NOPE_*"]


@pytest.mark.parametrize("shape", SHAPE_GUIDES)
def test_each_shape_is_drawn_once_in_deploy_readme(shape: str) -> None:
    """Two drawings of one shape drift apart: the guide includes deploy/README.md's instead of its own."""
    readme = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    start, end = f"<!-- --8<-- [start:{shape}] -->", f"<!-- --8<-- [end:{shape}] -->"
    section = readme[readme.index(start) : readme.index(end)]
    assert section.count("```mermaid") == 1, f"deploy/README.md draws {shape} once"
    guide = (ROOT / "docs" / "install" / SHAPE_GUIDES[shape]).read_text(encoding="utf-8")
    assert "```mermaid" not in guide, f"docs/install/{SHAPE_GUIDES[shape]} draws its own"
    assert re.search(rf'^--8<-- "deploy/README\.md:{shape}(-diagram)?"$', guide, re.M), "includes it"


def test_api_reference_holds_every_operation_and_schema(hook: ModuleType, document: dict[str, Any]) -> None:
    page = hook.render(document)
    headings = set(re.findall(r"^### `(\w+) (\S+)` \{#([\w-]+)\}$", page, re.MULTILINE))
    operations = {
        (method.upper(), path, hook.operation_anchor(method, path))
        for path, item in document["paths"].items()
        for method in item
        if method in hook.METHODS
    }
    assert len(operations) > 100  # the admin API, the webhooks, the operations routes
    assert headings == operations
    schemas = document["components"]["schemas"]
    for name in schemas:
        assert f"### {name} {{#{hook.schema_anchor(name)}}}" in page


def test_api_reference_links_only_to_schemas_it_holds(hook: ModuleType, document: dict[str, Any]) -> None:
    page = hook.render(document)
    anchors = set(re.findall(r"\{#([\w-]+)\}$", page, re.MULTILINE))
    linked = set(re.findall(r"\]\(#([\w-]+)\)", page))
    assert linked, "the page links operations to their schemas"
    assert sorted(linked - anchors) == []


def test_a_table_cell_keeps_its_row(hook: ModuleType) -> None:
    # A pipe or a line break in a description would split or end the table row it sits in.
    cell = hook._text("a | b\nc `x | y` <tag>")
    assert cell == "a \\| b c `x | y` &lt;tag>"


FORGE_PAGES = [ROOT / "README.md", ROOT / "deploy" / "README.md"]


@pytest.mark.parametrize("page", FORGE_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_outside_the_site_point_at_files_that_exist(page: Path) -> None:
    # The strict build checks links between docs pages; these two are read on the forge, not built.
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
    local = [t for t in targets if "://" not in t]
    assert local, "the page links to the docs"
    assert [t for t in local if not (page.parent / t).exists()] == []
