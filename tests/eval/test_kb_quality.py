"""Quality gate: retrieval on the production search path over the demo KB (see kb_eval.py).

Not a timed test. It opens Frontdesk on an empty database (SQLite and PostgreSQL), which seeds the demo
knowledge base through `KnowledgeService` with the real MiniLM embedder, and asks the 55 evaluation
questions through `KnowledgeService.search`.
"""

from __future__ import annotations

from tests.eval.kb_eval import evaluate_store, load_questions

GOAL = 0.9


def test_fused_recall_at_3_meets_the_goal(database_url: str) -> None:
    questions = load_questions()
    assert len(questions) >= 40
    results = evaluate_store(questions, database_url=database_url)
    fused = results["fused"]
    assert fused["recall@3"] >= GOAL, results
    # Fusion must not be worse than either list alone (that is the point of it).
    assert fused["recall@3"] >= max(results["full text"]["recall@3"], results["embeddings"]["recall@3"])
