"""Structure-aware chunking: heading paths, size bounds, overlap, list items, offsets."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import pytest

from frontdesk.adapters.documents import extract_document
from frontdesk.domain.knowledge import Block, BlockKind, Chunk, DocumentFormat, DocumentText
from frontdesk.services.knowledge.chunking import DEFAULT_MAX_CHARS, chunk_document

KB = Path(__file__).resolve().parents[2] / "src/frontdesk/demo_data/lumen/kb"
WORDS = ("thermostat", "boiler", "relay", "valve", "radiator", "bulb", "strip", "lamp", "speaker", "wifi")


def md(text: str, filename: str = "doc.md") -> DocumentText:
    return extract_document(text.encode(), filename=filename)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def test_heading_paths_follow_nesting_and_title_is_not_in_path() -> None:
    doc = md(
        "# Guide\n\nIntro.\n\n## Heating\n\nAbout heating.\n\n### Codes\n\nE3 means relay.\n\n"
        "## Audio\n\nAbout audio.\n\n# Appendix\n\nMore.\n\n#### Deep\n\nDeeper.\n"
    )
    assert [(c.heading_path, c.text) for c in chunk_document(doc)] == [
        ((), "Intro."),
        (("Heating",), "About heating."),
        (("Heating", "Codes"), "E3 means relay."),
        (("Audio",), "About audio."),
        (("Appendix",), "More."),
        (("Appendix", "Deep"), "Deeper."),
    ]


def test_every_chunk_keeps_title_and_ordinals_count_up() -> None:
    doc = md("# Title\n\n## A\n\none\n\n## B\n\ntwo\n")
    chunks = chunk_document(doc)
    assert [c.ordinal for c in chunks] == [0, 1]
    assert all(c.title == "Title" for c in chunks)
    assert chunks[1].search_text == "Title > B\ntwo"


def test_headings_without_body_make_no_chunk() -> None:
    doc = md("# T\n\n## Empty\n\n## Full\n\ntext\n")
    assert [c.heading_path for c in chunk_document(doc)] == [("Full",)]


def test_small_section_is_one_chunk_with_its_units_on_lines() -> None:
    doc = md("# T\n\n## Steps\n\n1. Plug in.\n2. Press reset.\n\nDone.\n")
    [chunk] = chunk_document(doc)
    assert chunk.text == "1. Plug in.\n2. Press reset.\nDone."


@pytest.mark.parametrize("seed", range(5))
def test_chunks_are_bounded_and_never_split_words(seed: int) -> None:
    rng = random.Random(seed)
    text = "# Big\n\n" + "\n\n".join(
        f"## Part {n}\n\n" + "\n\n".join(paragraph(rng, rng.randint(1, 12)) for _ in range(rng.randint(1, 6)))
        for n in range(4)
    )
    doc = md(text)
    chunks = chunk_document(doc, max_chars=300, overlap_chars=60)
    vocabulary = set(doc.text.split())
    for chunk in chunks:
        assert 0 < len(chunk.text) <= 300
        assert set(chunk.text.split()) <= vocabulary, "a word was cut"
        assert chunk.text[0] != " " and chunk.text[-1] != " "


def test_every_sentence_of_the_document_is_in_some_chunk() -> None:
    rng = random.Random(11)
    doc = md("# T\n\n" + "\n\n".join(paragraph(rng, 9) for _ in range(5)))
    chunks = chunk_document(doc, max_chars=250, overlap_chars=50)
    for block in doc.blocks[1:]:
        for piece in re.findall(r"[^.]+\.", block.text):
            assert any(piece.strip() in c.text for c in chunks), piece


def test_next_chunk_opens_with_tail_of_previous_within_overlap() -> None:
    rng = random.Random(5)
    doc = md("# T\n\n" + paragraph(rng, 30))
    chunks = chunk_document(doc, max_chars=300, overlap_chars=80)
    assert len(chunks) > 3
    for before, after in itertools.pairwise(chunks):
        shared = after.text.split("\n")[0]
        assert before.text.endswith(shared)
        assert 0 < len(shared) <= 80
        assert after.char_start == before.char_end - len(shared)


def test_no_overlap_across_sections_or_when_disabled() -> None:
    rng = random.Random(2)
    doc = md(f"# T\n\n## A\n\n{paragraph(rng, 12)}\n\n## B\n\n{paragraph(rng, 12)}")
    chunks = chunk_document(doc, max_chars=200, overlap_chars=0)
    joined = "".join(c.text.replace("\n", "") for c in chunks)
    assert len(joined) <= len(doc.text)
    sections = chunk_document(doc, max_chars=200, overlap_chars=50)
    first_b = next(c for c in sections if c.heading_path == ("B",))
    assert doc.text[first_b.char_start :].startswith(first_b.text.split("\n")[0])
    assert doc.text.index(first_b.text[:30]) > doc.text.index("\n\nB\n\n")


def test_list_items_stay_whole() -> None:
    items = [f"- item {n}: " + " ".join(["word"] * 20) for n in range(20)]
    doc = md("# T\n\n## List\n\n" + "\n".join(items))
    chunks = chunk_document(doc, max_chars=400, overlap_chars=120)
    for item in items:
        assert any(item in c.text.split("\n") for c in chunks), item
    for chunk in chunks:
        assert all(line.startswith("- item") for line in chunk.text.split("\n"))


def test_offsets_point_into_document_text() -> None:
    rng = random.Random(9)
    doc = md("# T\n\n## A\n\n" + "\n\n".join(paragraph(rng, 6) for _ in range(6)) + "\n\n- x\n- y\n")
    for chunk in chunk_document(doc, max_chars=300, overlap_chars=60):
        first_unit = chunk.text.split("\n")[0]
        last_unit = chunk.text.split("\n")[-1]
        assert doc.text[chunk.char_start :].startswith(first_unit)
        assert doc.text[: chunk.char_end].endswith(last_unit)


def test_a_word_longer_than_a_chunk_is_cut_hard() -> None:
    url = "https://example.com/" + "a" * 500
    doc = DocumentText(
        title="T",
        filename="t.txt",
        format=DocumentFormat.TEXT,
        blocks=(Block(kind=BlockKind.PARAGRAPH, text=f"See {url} for more."),),
    )
    chunks = chunk_document(doc, max_chars=200, overlap_chars=20)
    assert all(len(c.text) <= 200 for c in chunks)
    assert "".join(c.text for c in chunks).count("a") >= 500


@pytest.mark.parametrize(("max_chars", "overlap"), [(10, 0), (200, 150), (200, -1)])
def test_bad_parameters_are_refused(max_chars: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        chunk_document(md("# T\n\nx"), max_chars=max_chars, overlap_chars=overlap)


def test_demo_knowledge_base_chunks() -> None:
    chunks: list[Chunk] = []
    for path in sorted(KB.glob("*.md")):
        chunks += chunk_document(extract_document(path.read_bytes(), filename=path.name))
    assert all(len(c.text) <= DEFAULT_MAX_CHARS for c in chunks)
    e3 = [c for c in chunks if c.heading_path == ('The thermostat shows "E3"',)]
    assert len(e3) == 1
    assert e3[0].title == "Troubleshooting: thermostat, radiator valves and sensors"
    assert e3[0].text.startswith("E3 means no connection to the boiler relay.")
