"""MkDocs hook: the API reference page, generated from the app's own OpenAPI document at build time.

Nothing is committed that could drift from the code: each build asks `create_app(...).openapi()` (what
`/openapi.json` and `frontdesk dev openapi` answer), renders it as Markdown (`reference/api.md`, so it is
searchable and readable offline, with no viewer script to load) and puts the JSON beside it
(`reference/openapi.json`) for code generators and Swagger UI. A running server still serves its
interactive documentation at `/docs`.

`render(document)` is plain Python, so tests/deploy/test_docs.py checks the page against the document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

PAGE = "reference/api.md"
DOCUMENT = "reference/openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")
_REF_PREFIX = "#/components/schemas/"


def openapi_document() -> dict[str, Any]:
    """The document the app serves, from a development configuration (the routes do not depend on it)."""
    from frontdesk.http import create_app
    from frontdesk.settings import Environment, Settings

    # Given explicitly, so a FRONTDESK_ENV=prod in the builder's environment cannot refuse to build.
    settings = Settings(_env_file=None, env=Environment.DEV)
    return create_app(settings, workers=False).openapi()


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated page and the JSON document to the site's files."""
    document = openapi_document()
    files.append(File.generated(config, PAGE, content=render(document)))
    files.append(File.generated(config, DOCUMENT, content=json.dumps(document, indent=2, sort_keys=True)))
    return files


def render(document: dict[str, Any]) -> str:
    """The whole reference page: operations grouped by tag, then every schema they name."""
    info = document["info"]
    lines = [
        "# API reference",
        "",
        f"Generated from Frontdesk {info['version']}'s own OpenAPI document when this site was built. "
        "The same document as JSON: [openapi.json](openapi.json); a running server serves it at "
        "`/openapi.json` and an interactive explorer at `/docs`. Signing in and roles: "
        "[Admin API](../admin-api.md).",
        "",
    ]
    for tag, operations in _by_tag(document["paths"]).items():
        lines += [f"## {tag}", ""]
        for path, method, operation in operations:
            lines += _operation(path, method, operation)
    lines += ["## Schemas", ""]
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        lines += _schema(name, schema)
    return "\n".join(lines) + "\n"


def operation_anchor(method: str, path: str) -> str:
    """The heading id of one operation, e.g. `get-api-v1-contacts-contact_id`."""
    return re.sub(r"[^a-z0-9_]+", "-", f"{method} {path}".lower()).strip("-")


def schema_anchor(name: str) -> str:
    return "schema-" + re.sub(r"[^a-z0-9_]+", "-", name.lower()).strip("-")


def _by_tag(paths: dict[str, Any]) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    grouped: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, item in sorted(paths.items()):
        for method in METHODS:
            if method in item:
                tag = (item[method].get("tags") or ["other"])[0]
                grouped.setdefault(tag, []).append((path, method, item[method]))
    return dict(sorted(grouped.items()))


def _operation(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    lines = [
        f"### `{method.upper()} {path}` {{#{operation_anchor(method, path)}}}",
        "",
        f"**{_text(operation.get('summary', ''))}**",
        "",
    ]
    if operation.get("description"):
        lines += [_prose(operation["description"]), ""]
    if operation.get("security"):
        schemes = sorted({name for option in operation["security"] for name in option})
        lines += ["Signed in: " + ", ".join(f"`{s}`" for s in schemes), ""]
    parameters = operation.get("parameters", [])
    if parameters:
        lines += ["| parameter | in | type | required | description |", "|---|---|---|---|---|"]
        for p in parameters:
            lines.append(
                f"| `{p['name']}` | {p['in']} | {_type(p.get('schema', {}))} | "
                f"{'yes' if p.get('required') else 'no'} | {_text(p.get('description', ''))} |"
            )
        lines.append("")
    body = operation.get("requestBody")
    if body:
        for media, content in body.get("content", {}).items():
            lines += [f"Body (`{media}`): {_type(content.get('schema', {}))}", ""]
    lines += ["| status | meaning | body |", "|---|---|---|"]
    for status, response in sorted(operation.get("responses", {}).items()):
        bodies = [
            f"{_type(content['schema'])} (`{media}`)" if "schema" in content else f"`{media}`"
            for media, content in response.get("content", {}).items()
        ]
        lines.append(f"| {status} | {_text(response.get('description', ''))} | {', '.join(bodies)} |")
    return [*lines, ""]


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### {name} {{#{schema_anchor(name)}}}", ""]
    if schema.get("description"):
        lines += [_prose(schema["description"]), ""]
    properties = schema.get("properties", {})
    if not properties:
        return [*lines, f"Type: {_type(schema)}", ""]
    required = set(schema.get("required", []))
    lines += ["| field | type | required | description |", "|---|---|---|---|"]
    for field, definition in properties.items():
        lines.append(
            f"| `{field}` | {_type(definition)} | {'yes' if field in required else 'no'} | "
            f"{_text(definition.get('description', ''))} |"
        )
    return [*lines, ""]


def _type(schema: dict[str, Any]) -> str:
    """A schema as a short phrase with links to named schemas: `string`, list of [Contact](#…), …"""
    return " or ".join(dict.fromkeys(_types(schema))) or "any"


def _types(schema: dict[str, Any]) -> Iterator[str]:
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(_REF_PREFIX)
        yield f"[{name}](#{schema_anchor(name)})"
    elif "anyOf" in schema or "oneOf" in schema:
        for option in schema.get("anyOf", schema.get("oneOf", [])):
            yield from _types(option)
    elif "allOf" in schema:
        for part in schema["allOf"]:
            yield from _types(part)
    elif "enum" in schema:
        yield " \\| ".join(f"`{json.dumps(value)}`" for value in schema["enum"])
    elif "const" in schema:
        yield f"`{json.dumps(schema['const'])}`"
    elif schema.get("type") == "array":
        yield "list of " + _type(schema.get("items", {}))
    elif schema.get("type") == "object" and "additionalProperties" in schema:
        values = schema["additionalProperties"]
        yield "map of " + (_type(values) if isinstance(values, dict) and values else "any")
    elif "type" in schema:
        kind = schema["type"]
        yield f"`{kind}`" + (f" ({schema['format']})" if "format" in schema else "")


def _text(value: str) -> str:
    """One table cell: on one line, its pipes escaped (outside code: Markdown's tables keep those in
    backticks), and any `<` outside code shown as text rather than taken for an HTML tag."""
    parts = " ".join(value.split()).split("`")
    for prose in range(0, len(parts), 2):  # even parts are outside backticks
        parts[prose] = parts[prose].replace("|", "\\|").replace("<", "&lt;")
    return "`".join(parts)


def _prose(value: str) -> str:
    """A docstring as paragraphs, with `<` outside code shown as text."""
    return "\n\n".join(_text(paragraph) for paragraph in value.strip().split("\n\n"))
