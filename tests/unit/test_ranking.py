"""Query checks, terms, BM25, cosine top-k, reciprocal rank fusion and snippets."""

from __future__ import annotations

import numpy as np
import pytest

from frontdesk.domain.errors import InvalidInputError
from frontdesk.domain.knowledge import MAX_QUERY_CHARS, InvalidQuery
from frontdesk.services.knowledge.ranking import (
    Bm25Index,
    clean_query,
    cosine_top_k,
    make_snippet,
    query_terms,
    query_words,
    reciprocal_rank_fusion,
    stem,
    terms,
)

# --- queries and terms ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   \n\t"])
def test_empty_query_is_invalid(query: str) -> None:
    with pytest.raises(InvalidQuery, match="empty"):
        clean_query(query)


def test_query_length_limit() -> None:
    assert clean_query(" " + "a" * MAX_QUERY_CHARS + " ") == "a" * MAX_QUERY_CHARS
    with pytest.raises(InvalidQuery, match="1000") as info:
        clean_query("a" * (MAX_QUERY_CHARS + 1))
    assert isinstance(info.value, InvalidInputError)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("bulbs", "bulb"),
        ("pairing", "pair"),
        ("paired", "pair"),
        ("batteries", "battery"),
        ("charge", "charg"),
        ("charging", "charg"),
        ("gu10", "gu10"),
        ("is", "is"),
        ("thing", "thing"),
    ],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_query_terms_drop_stopwords_and_repeats() -> None:
    assert query_terms("Hi, my Thermostat says E3!! thermostats") == ["thermostat", "say", "e3"]
    assert terms("The E3 code") == ["the", "e3", "code"]
    assert query_words("Hi, my Thermostat says E3!! thermostat batteries") == [
        "thermostat",
        "says",
        "e3",
        "batteries",
    ]


# --- BM25 ----------------------------------------------------------------------------------------

DOCS = [
    "The thermostat shows E3 when the boiler relay is offline.",
    "Bulbs connect to 2.4 GHz Wi-Fi only; reset a bulb by switching it off and on.",
    "Returns are free within 30 days of delivery.",
    "The soundbar needs HDMI eARC and HDMI-CEC turned on.",
]


def test_bm25_finds_exact_terms() -> None:
    index = Bm25Index(DOCS)
    assert index.search("thermostat says E3", 2)[0][0] == 0
    assert index.search("my bulbs wont connect", 2)[0][0] == 1
    assert index.search("hdmi earc", 4)[0][0] == 3


def test_bm25_no_match_and_k() -> None:
    index = Bm25Index(DOCS)
    assert index.search("zebra", 3) == []
    assert len(index.search("the", 3)) == 0  # stopwords never match
    assert len(index.search("thermostat bulb returns soundbar", 2)) == 2


def test_bm25_rarer_term_weighs_more() -> None:
    index = Bm25Index(["apple common", "banana common", "cherry common", "apple banana"])
    ranked = index.search("cherry common", 4)
    assert ranked[0][0] == 2
    assert all(score > 0 for _, score in ranked)


def test_bm25_on_empty_corpus() -> None:
    assert Bm25Index([]).search("anything", 3) == []


# --- cosine top-k --------------------------------------------------------------------------------


def normalised(rows: np.ndarray) -> np.ndarray:
    out: np.ndarray = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return out


def test_cosine_top_k_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    matrix = normalised(rng.normal(size=(500, 16)))
    query = normalised(rng.normal(size=(1, 16)))[0]
    top = cosine_top_k(query, matrix, 10)
    expected = np.argsort(-(matrix @ query))[:10]
    assert [row for row, _ in top] == expected.tolist()
    assert [score for _, score in top] == sorted((score for _, score in top), reverse=True)
    assert top[0][1] == pytest.approx(float(matrix[expected[0]] @ query), abs=1e-6)


def test_cosine_top_k_edges() -> None:
    matrix = normalised(np.eye(3))
    assert cosine_top_k(matrix[1], matrix, 10)[0][0] == 1
    assert len(cosine_top_k(matrix[1], matrix, 10)) == 3
    assert cosine_top_k(matrix[1], matrix, 0) == []
    assert cosine_top_k(matrix[1], np.zeros((0, 3), dtype=np.float32), 5) == []


# --- fusion --------------------------------------------------------------------------------------


def test_rrf_scores_and_order() -> None:
    fused = reciprocal_rank_fusion(["a", "b", "c"], ["c", "a", "d"], k=60)
    scores = dict(fused)
    assert scores["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert scores["c"] == pytest.approx(1 / 63 + 1 / 61)
    assert scores["d"] == pytest.approx(1 / 63)
    assert [item for item, _ in fused] == ["a", "c", "b", "d"]


def test_rrf_item_in_both_lists_beats_a_single_top() -> None:
    fused = reciprocal_rank_fusion([1, 2, 3], [4, 2, 5])
    assert fused[0][0] == 2


def test_rrf_with_one_or_no_lists() -> None:
    assert [item for item, _ in reciprocal_rank_fusion([3, 1, 2])] == [3, 1, 2]
    assert reciprocal_rank_fusion() == []
    assert reciprocal_rank_fusion([], []) == []


def test_rrf_smaller_k_favours_the_top_more() -> None:
    fused = dict(reciprocal_rank_fusion(["x", "y"], k=1))
    assert fused["x"] / fused["y"] == pytest.approx(1.5)


# --- snippets ------------------------------------------------------------------------------------

LONG = (
    "Radiator valves pair through the Lumen Hub, not over Wi-Fi. Put the Hub in pairing mode in the app. "
    + "Filler sentence about nothing in particular. " * 12
    + "If the thermostat shows E3 there is no connection to the boiler relay; check the relay light. "
    + "More filler text follows here. " * 8
)


def test_short_text_is_returned_whole() -> None:
    assert make_snippet("Short  text\nhere.", "anything") == "Short text here."


def test_snippet_centres_on_query_terms() -> None:
    snippet = make_snippet(LONG, "my thermostat says E3", max_chars=160)
    assert "thermostat shows E3" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) <= 162


def test_snippet_prefers_the_window_with_more_distinct_terms() -> None:
    text = "relay " + "x " * 200 + "boiler relay E3 together " + "y " * 200
    snippet = make_snippet(text, "E3 boiler relay", max_chars=60)
    assert "boiler relay E3" in snippet


def test_snippet_without_match_starts_at_the_beginning_and_cuts_at_a_word() -> None:
    snippet = make_snippet(LONG, "zebra", max_chars=100)
    assert snippet.startswith("Radiator valves")
    body = snippet.removesuffix("…")
    assert LONG.startswith(body)
    assert LONG[len(body)] == " "


def test_snippet_never_starts_mid_word() -> None:
    snippet = make_snippet(LONG, "boiler relay light", max_chars=120)
    first_word = snippet.removeprefix("…").split()[0]
    assert f" {first_word} " in f" {LONG} "
