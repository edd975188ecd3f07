"""Decoding JSON from outside so that whatever it holds can be stored as it is, on every database.

JSON may escape any UTF-16 code unit, so a valid document can hold what no database stores as text:
a lone surrogate (`"x\\ud83d"`: Python keeps it, UTF-8 cannot encode it, so SQLite's driver fails) and
NUL (`"\\u0000"`: PostgreSQL's `text` and `jsonb` refuse it). And it may nest deeper than any parser's
stack (100,000 `[` exhaust Python's recursion limit). A sender (Meta, a staff member's browser) that
gets a 500 for either retries the same bytes forever, so both are dealt with here, once, at the edge:

- lone surrogates and NUL in strings (keys included) become U+FFFD, the replacement character, so the
  message is kept and shows where something was lost;
- nesting deeper than `MAX_DEPTH` is refused with `InvalidInputError`, whether Python's parser or the
  walk below notices first. No document Frontdesk accepts nests anywhere near that deep.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from frontdesk.domain.errors import InvalidInputError

MAX_DEPTH = 64
"""Deepest nesting accepted (a Cloud API webhook nests about 8 deep)."""

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Escapes `_clean` may have to replace: `\u0000`, and surrogates (`\ud800`-`\udfff`). A literal NUL
# byte is invalid in JSON and a UTF-8-encoded surrogate fails decoding, so escapes are all there is.
_SUSPECT_ESCAPE = re.compile(rb"\\u(0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
REPLACEMENT = "\ufffd"


def decode_json(body: bytes) -> Any:
    """Decode `body` as JSON with unstorable characters replaced and nesting bounded.

    Raises `InvalidInputError` for bytes that are not UTF-8 JSON (Python's parser would also take
    UTF-16 and UTF-32, and UTF-8-encoded surrogates: refused here, before any of it is read), numbers
    too long to convert (over 4,300 digits), or nesting deeper than `MAX_DEPTH`.
    """
    try:
        value = json.loads(body.decode("utf-8"))
    except RecursionError:
        raise _too_deep() from None
    except ValueError as exc:  # not UTF-8, not JSON, or an integer past Python's digit limit
        raise InvalidInputError(f"body is not valid UTF-8 JSON: {exc}") from None
    if _might_nest_deeper(body) or _escapes_unstorable(body):
        value = _clean(value)
    return value


def unstorable_at(body: bytes) -> tuple[str | int, ...] | None:
    """Where the JSON `body` first holds a string with NUL or a lone surrogate (keys included), or None.

    For input a person typed (the admin API), which is refused with that location rather than cleaned:
    they can fix it, and silently altering their text would be worse. A body that is not JSON or nests
    too deep gives None: the caller's own parser refuses it.
    """
    if not _escapes_unstorable(body):
        return None
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str) and _UNSTORABLE.search(item):
            return path
        if isinstance(item, dict):
            for key, child in item.items():
                if _UNSTORABLE.search(key):
                    return (*path, clean_text(key))
                stack.append((child, (*path, key)))
        elif isinstance(item, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(item))
    return None


def clean_text(text: str) -> str:
    """`text` with lone surrogates and NUL replaced by U+FFFD (for strings that did not come as JSON)."""
    return _UNSTORABLE.sub(REPLACEMENT, text)


def _escapes_unstorable(raw: bytes) -> bool:
    """True when `raw` escapes NUL or a surrogate without its other half. A well-formed pair, which is
    how Meta escapes every emoji, is left to the fast path (a false alarm only costs the walk)."""
    low_expected_at = -1
    for match in _SUSPECT_ESCAPE.finditer(raw):
        code = match.group(1).lower()
        if code == b"0000":
            return True
        if code[1:2] in (b"8", b"9", b"a", b"b"):  # high: its low half must come right after it
            after = raw[match.end() : match.end() + 6].lower()
            if not (after[:3] == b"\\ud" and after[3:4] in (b"c", b"d", b"e", b"f")):
                return True
            low_expected_at = match.end()
        elif match.start() != low_expected_at:  # a low half that does not follow its high half
            return True
    return False


def _might_nest_deeper(raw: bytes) -> bool:
    """False when the body has too few brackets to nest past the limit: then the walk can be skipped."""
    return raw.count(b"[") + raw.count(b"{") > MAX_DEPTH


def _clean(value: Any) -> Any:
    """`value` with its strings cleaned (see `clean_text`); iterative, so depth cannot overflow the stack."""
    root: list[Any] = [value]
    stack: list[tuple[Any, int]] = [(root, 0)]
    while stack:
        container, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(container, dict):
            dirty = [key for key in container if isinstance(key, str) and _UNSTORABLE.search(key)]
            for key in dirty:  # keys: rebuild the entry under its clean key (a clash keeps the last)
                container[clean_text(key)] = container.pop(key)
            items: Any = container.items()
        else:
            items = enumerate(container)
        for key, item in list(items):
            if isinstance(item, str):
                if _UNSTORABLE.search(item):
                    container[key] = clean_text(item)
            elif isinstance(item, dict | list):
                stack.append((item, depth + 1))
    return root[0]


def _too_deep() -> InvalidInputError:
    return InvalidInputError(f"body nests deeper than {MAX_DEPTH} levels")


def finite_number(value: Any) -> float | None:
    """A finite number a channel sent as a JSON number or as text (`"-23.55"`), else None: booleans,
    NaN and the infinities (which Python's float() accepts as text) are not coordinates or prices."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def json_text(value: Any) -> str | None:
    """A string a channel sent, or an integer as text (Meta and zapw send some ids, codes and phone
    numbers either way); anything else (booleans included) None."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def json_type(value: Any) -> str:
    """A JSON type's name for error messages ("an object", "a list", "null"...); never the value itself,
    which could be large or private."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)
