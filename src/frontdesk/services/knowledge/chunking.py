"""Structure-aware chunking: headings give each chunk its path; paragraphs and list items are the units.

A section (the blocks under one heading) is packed greedily into chunks of at most `max_chars`. The
next chunk of the same section starts with the tail (at most `overlap_chars`, whole words) of the
previous one, so a fact cut at a chunk boundary is still whole in one chunk. Units longer than a chunk
are split at sentence ends, then between words; only a single word longer than a chunk is ever cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from frontdesk.domain.knowledge import BLOCK_SEPARATOR, Block, BlockKind, Chunk, DocumentText

DEFAULT_MAX_CHARS = 800
DEFAULT_OVERLAP_CHARS = 100
UNIT_SEPARATOR = "\n"

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


@dataclass(frozen=True, slots=True)
class _Unit:
    """A piece of text and where it sits in `DocumentText.text`."""

    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True, slots=True)
class _Section:
    heading_path: tuple[str, ...]
    units: tuple[_Unit, ...]


def chunk_document(
    document: DocumentText,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    overlap_chars: int = DEFAULT_OVERLAP_CHARS,
) -> list[Chunk]:
    """Split a document into bounded chunks that keep its title and their heading path."""
    if max_chars < 50 or not 0 <= overlap_chars <= max_chars // 2:
        raise ValueError("need max_chars >= 50 and 0 <= overlap_chars <= max_chars / 2")
    chunks: list[Chunk] = []
    for section in _sections(document):
        for units in _pack(section.units, max_chars, overlap_chars):
            chunks.append(
                Chunk(
                    ordinal=len(chunks),
                    text=UNIT_SEPARATOR.join(u.text for u in units),
                    title=document.title,
                    heading_path=section.heading_path,
                    char_start=units[0].start,
                    char_end=units[-1].end,
                )
            )
    return chunks


def _sections(document: DocumentText) -> Iterator[_Section]:
    """Group body blocks under their heading path; a level-1 heading equal to the title is the title."""
    path: list[tuple[int, str]] = []
    units: list[_Unit] = []
    for block, start in _with_offsets(document.blocks):
        if block.kind is not BlockKind.HEADING:
            units.append(_Unit(block.text, start))
            continue
        if units:
            yield _Section(tuple(text for _, text in path), tuple(units))
            units = []
        if block.level == 1 and block.text == document.title and not path:
            continue
        path = [(level, text) for level, text in path if level < block.level]
        path.append((block.level, block.text))
    if units:
        yield _Section(tuple(text for _, text in path), tuple(units))


def _with_offsets(blocks: Sequence[Block]) -> Iterator[tuple[Block, int]]:
    offset = 0
    for block in blocks:
        yield block, offset
        offset += len(block.text) + len(BLOCK_SEPARATOR)


def _pack(units: Sequence[_Unit], max_chars: int, overlap_chars: int) -> Iterator[list[_Unit]]:
    """Greedily fill chunks with units; each new chunk opens with the previous chunk's tail."""
    current: list[_Unit] = []
    for unit in _fitting_units(units, max_chars - overlap_chars):
        if current and _joined_len([*current, unit]) > max_chars:
            yield current
            tail = _tail(current[-1], overlap_chars)
            fits = tail is not None and _joined_len([tail, unit]) <= max_chars
            current = [tail] if fits and tail is not None else []
        current.append(unit)
    if current:
        yield current


def _joined_len(units: Sequence[_Unit]) -> int:
    return sum(len(u.text) for u in units) + len(UNIT_SEPARATOR) * (len(units) - 1)


def _tail(unit: _Unit, limit: int) -> _Unit | None:
    """The last whole words of a unit, at most `limit` characters; the whole unit if it is that short."""
    if limit <= 0:
        return None
    if len(unit.text) <= limit:
        return unit
    cut = len(unit.text) - limit
    space = unit.text.find(" ", cut - 1)
    if space < 0 or space + 1 >= len(unit.text):
        return None
    start = space + 1
    sentence = _SENTENCE_END.search(unit.text, cut)
    if sentence and len(unit.text) - sentence.end() >= limit // 3:  # prefer a whole last sentence
        start = sentence.end()
    return _Unit(unit.text[start:], unit.start + start)


def _fitting_units(units: Sequence[_Unit], limit: int) -> Iterator[_Unit]:
    """Units as they are, except those over `limit`, which are split into pieces that fit."""
    for unit in units:
        if len(unit.text) <= limit:
            yield unit
        else:
            yield from _split(unit, limit)


def _split(unit: _Unit, limit: int) -> Iterator[_Unit]:
    """Pieces of at most `limit` characters, ending at sentence ends where possible, else at spaces."""
    text, start = unit.text, 0
    while len(text) - start > limit:
        end = _break_at(text, start, limit)
        yield _Unit(text[start:end].rstrip(), unit.start + start)
        start = len(text) - len(text[end:].lstrip())
    yield _Unit(text[start:], unit.start + start)


def _break_at(text: str, start: int, limit: int) -> int:
    """Where to end a piece that starts at `start`: the last sentence end, space, or a hard cut."""
    window = text[start : start + limit + 1]
    sentence_ends = [m.start() for m in _SENTENCE_END.finditer(window) if m.start() > limit // 3]
    if sentence_ends:
        return start + sentence_ends[-1]
    space = window.rfind(" ")
    return start + space if space > 0 else start + limit
