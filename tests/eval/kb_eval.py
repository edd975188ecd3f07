"""Retrieval evaluation of the knowledge base over the demo KB: full text, embeddings, and both fused.

Run from the repo root:  PYTHONPATH=src python tests/eval/kb_eval.py [--path store|memory] [--verbose]

`--path store` (the default) measures the production search path: Frontdesk is opened through its
composition root on a temporary SQLite database (or `--database-url`), which loads the demo KB through
`KnowledgeService` (extraction, chunking, MiniLM embeddings, FTS5); each question then goes through
`KnowledgeService.search` in each mode. `--path memory` ranks the same chunks with the in-memory BM25
and cosine reference implementations instead.

recall@3: the expected document is among the top 3 chunks' documents. MRR: mean of 1 / rank of the first
chunk from the expected document. "section@3" counts questions with a `heading` whose section is among
the top 3 chunks. Exits 1 when fused recall@3 is under --min-recall.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from frontdesk.adapters.documents import extract_document
from frontdesk.adapters.embeddings.minilm import MiniLMEmbedder
from frontdesk.domain.knowledge import Chunk, SearchMode
from frontdesk.services.knowledge.chunking import chunk_document
from frontdesk.services.knowledge.ranking import Bm25Index, cosine_top_k, reciprocal_rank_fusion

ROOT = Path(__file__).resolve().parents[2]
KB_DIR = ROOT / "src/frontdesk/demo_data/lumen/kb"
QUESTIONS = Path(__file__).with_name("kb_questions.yaml")
DEPTH = 50  # how deep each list goes into fusion, as a database query would limit it
METHODS = {SearchMode.TEXT: "full text", SearchMode.VECTOR: "embeddings", SearchMode.FUSED: "fused"}

Ranked = list[tuple[str, tuple[str, ...]]]
"""A ranking as (file, heading path) of each chunk, best first."""
Scores = dict[str, float]


@dataclass(frozen=True)
class Question:
    text: str
    doc: str
    heading: str | None


@dataclass(frozen=True)
class Corpus:
    chunks: list[Chunk]
    files: list[str]  # the file each chunk came from


def load_corpus(kb_dir: Path = KB_DIR) -> Corpus:
    """Every document of the KB, extracted and chunked as the ingest path does."""
    chunks: list[Chunk] = []
    files: list[str] = []
    for path in sorted(kb_dir.glob("*.md")):
        document = extract_document(path.read_bytes(), filename=path.name)
        for chunk in chunk_document(document):
            chunks.append(chunk)
            files.append(path.name)
    return Corpus(chunks, files)


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    """The evaluation questions with the document (and section) that answers each."""
    raw = yaml.safe_load(path.read_text())["questions"]
    return [Question(item["q"], item["doc"], item.get("heading")) for item in raw]


def score(rankings: dict[str, Ranked], questions: Sequence[Question], verbose: bool, name: str) -> Scores:
    """recall@3, MRR and section@3 of one method, from its ranking for each question."""
    hits, reciprocal, section_hits, with_heading = 0, 0.0, 0, 0
    for question in questions:
        ranking = rankings[question.text]
        files = [file for file, _ in ranking]
        hits += question.doc in files[:3]
        if question.doc in files:
            reciprocal += 1.0 / (files.index(question.doc) + 1)
        if question.heading is not None:
            with_heading += 1
            section_hits += any(f == question.doc and question.heading in h for f, h in ranking[:3])
        if verbose and question.doc not in files[:3]:
            print(f"  [{name}] miss: {question.text!r} -> want {question.doc}, got {files[:3]}")
    n = len(questions)
    return {"recall@3": hits / n, "MRR": reciprocal / n, "section@3": section_hits / max(with_heading, 1)}


# --- the production path: Frontdesk on a real database ------------------------------------------


async def store_rankings(questions: Sequence[Question], database_url: str) -> dict[str, dict[str, Ranked]]:
    """Each method's ranking of each question, by `KnowledgeService.search` on the seeded demo KB."""
    from frontdesk.settings import Settings
    from frontdesk.wiring import Frontdesk

    settings = Settings(_env_file=None, database_url=database_url, log_json=False)  # type: ignore[call-arg]
    frontdesk = await Frontdesk.open(settings)  # an empty database: seeds the demo business and its KB
    try:
        tenant = await frontdesk.tenants.by_slug("lumen")
        rankings: dict[str, dict[str, Ranked]] = {}
        for mode, name in METHODS.items():
            rankings[name] = {}
            for question in questions:
                query = question.text
                hits = await frontdesk.knowledge.search(tenant=tenant, query=query, k=DEPTH, mode=mode)
                rankings[name][query] = [(hit.filename, hit.heading_path) for hit in hits]
        return rankings
    finally:
        await frontdesk.close()


def evaluate_store(
    questions: Sequence[Question], *, database_url: str | None = None, verbose: bool = False
) -> dict[str, Scores]:
    """Figures per method on the production path (a temporary SQLite database unless one is given)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'kb_eval.db'}"
        rankings = asyncio.run(store_rankings(questions, url))
    return {name: score(rankings[name], questions, verbose, name) for name in METHODS.values()}


# --- the reference path: in-memory BM25 and cosine ----------------------------------------------


def evaluate_memory(questions: Sequence[Question], *, verbose: bool = False) -> dict[str, Scores]:
    """Figures per method with the in-memory reference rankers over the same chunks."""
    corpus = load_corpus()
    texts = [chunk.search_text for chunk in corpus.chunks]
    bm25 = Bm25Index(texts)
    embedder = MiniLMEmbedder()
    matrix = embedder.embed(texts)
    query_texts = [q.text for q in questions]
    query_vectors = dict(zip(query_texts, embedder.embed(query_texts), strict=True))

    def by_bm25(query: str) -> list[int]:
        return [i for i, _ in bm25.search(query, DEPTH)]

    def by_vector(query: str) -> list[int]:
        return [i for i, _ in cosine_top_k(query_vectors[query], matrix, DEPTH)]

    def fused(query: str) -> list[int]:
        return [i for i, _ in reciprocal_rank_fusion(by_bm25(query), by_vector(query))]

    def ranked(rank: Callable[[str], list[int]]) -> dict[str, Ranked]:
        return {q: [(corpus.files[i], corpus.chunks[i].heading_path) for i in rank(q)] for q in query_texts}

    methods = {"full text": by_bm25, "embeddings": by_vector, "fused": fused}
    return {name: score(ranked(rank), questions, verbose, name) for name, rank in methods.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures for full text, embeddings and fused; non-zero exit under the recall goal."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--path", choices=("store", "memory"), default="store", help="what to measure")
    parser.add_argument("--database-url", help="store path: an EMPTY database instead of a temporary SQLite")
    parser.add_argument("--verbose", action="store_true", help="list the questions each method misses")
    parser.add_argument("--min-recall", type=float, default=0.9, help="fused recall@3 goal")
    args = parser.parse_args(argv)

    questions = load_questions()
    if args.path == "store":
        results = evaluate_store(questions, database_url=args.database_url, verbose=args.verbose)
    else:
        results = evaluate_memory(questions, verbose=args.verbose)
    print(f"{len(questions)} questions over the demo KB ({args.path} path)")
    print(f"{'method':<12}{'recall@3':>10}{'MRR':>8}{'section@3':>11}")
    for name, r in results.items():
        print(f"{name:<12}{r['recall@3']:>10.3f}{r['MRR']:>8.3f}{r['section@3']:>11.3f}")
    return 0 if results["fused"]["recall@3"] >= args.min_recall else 1


if __name__ == "__main__":
    sys.exit(main())
