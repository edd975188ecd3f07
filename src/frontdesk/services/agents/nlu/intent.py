"""Which skill of which agent a message asks for: MiniLM similarity to the skills' examples, plus words.

Every skill of the team (the supervisor's too, under `SUPERVISOR`) is scored as

    score = W_SEMANTIC * semantic + W_LEXICAL * lexical + entity hints (+ STICKY for the current agent)

- semantic: cosine similarity of the message to the skill's examples (the best one and the mean of
  the best `k`), with references canonicalised ("LH-100245" -> "order", "E3" -> "error code"). Each
  example is compared twice, with product names masked ("is the GU10 in stock" -> "is the product in
  stock": the question's shape) and with them kept ("the temperature sensor reads 27 degrees", "do I
  need a hub": what the name says about the topic), and the closer of the two counts;
- lexical: the share of the message's informative words (stemmed, typos corrected, weighted by how
  few skills use them) that the skill's examples and description use;
- entity hints: a reference or a name in the message favours the skills with a slot of that type (an
  order number favours skills with an `order_ref` slot, a product name those with a `product` slot).

Scores sit roughly on the cosine scale. Below `threshold` a message is not understood.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from frontdesk.domain.knowledge import Embedder
from frontdesk.domain.team import OFF_TOPIC, SUPERVISOR, Skill, Team
from frontdesk.services.agents.nlu import slots as extract
from frontdesk.services.agents.nlu.slots import Vocabulary
from frontdesk.services.agents.nlu.words import (
    INTENT_STOPWORDS,
    closest_word,
    content_terms,
    normalise,
    words,
)

W_SEMANTIC = 0.8
W_LEXICAL = 0.15
BLEND = (0.2, 0.4, 0.4)
"""How a skill's similarity is made: its best example, the mean of its best `k`, the mean of all."""
STICKY = 0.04
"""Added to the current agent's skills, so a conversation stays with an agent while the topic holds."""
HINTS = {"order_ref": 0.06, "appointment_ref": 0.06, "email": 0.04, "product": 0.03, "service": 0.03}
"""Added to skills with a slot of a type the message contains: references are telling, names (products
are mentioned in orders and support questions too) less so."""
DEFAULT_THRESHOLD = 0.3
"""Below this, `classify` says the message was not understood."""
SPLIT_THRESHOLD = 0.45
"""Each part of a multi-intent message must reach this to be answered on its own."""
_BACK_REFERENCES = frozenset({"they", "them", "those", "these"})
"""Words with which a part of a message points at what an earlier part named."""

_ORDER = re.compile(
    r"\b(?:([a-z]{2,4})\s?[-_#]?\s?[0-9o]{5,8}|order\s*(?:no|number)?\.?\s*#?\s*\d{5,8})\b", re.IGNORECASE
)
_APPOINTMENT = re.compile(r"\bapt-?\s?\d{3,6}\b", re.IGNORECASE)
_ERROR_CODE = re.compile(r"\b(?:error\s+)?e\d\b", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_CONJUNCTIONS = r"(?:and also|and then|also|plus|oh and|and|btw|by the way|as well as|another thing)"
_SPLIT = re.compile(rf"(?:[.?!;\n]+\s*|,?\s+\b{_CONJUNCTIONS}\b\s+)", re.IGNORECASE)
_LEADING = re.compile(rf"\s*(?:{_CONJUNCTIONS}\b[\s,:]*)?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Intent:
    """A skill of an agent (`SUPERVISOR` for the supervisor's own) and how sure the classifier is."""

    agent: str
    skill: str
    confidence: float


@dataclass(frozen=True, slots=True)
class IntentPart:
    """A piece of a message and what it asks for."""

    text: str
    intent: Intent


@dataclass(frozen=True, slots=True)
class _SkillRef:
    agent: str
    skill: Skill
    slot_types: frozenset[str]


def canonical_text(text: str) -> str:
    """The text with references replaced by what they are, so similarity sees meaning, not digits."""
    text = _ORDER.sub(_order_word, text)
    text = _APPOINTMENT.sub("appointment", text)
    text = _EMAIL.sub("email address", text)
    return _ERROR_CODE.sub("error code", text)


def _order_word(match: re.Match[str]) -> str:
    """An order number (any business's prefix) reads as "order"; "on 07700" is not one."""
    prefix = match.group(1)
    return match.group(0) if prefix and prefix.lower() in extract.NOT_ORDER_PREFIXES else "order"


class IntentClassifier:
    """Classifies messages into a team's skills; thread-safe, the examples are embedded once."""

    def __init__(
        self,
        embedder: Embedder,
        team: Team,
        *,
        vocabulary: Vocabulary | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        k: int = 5,
        dictionary: Collection[str] = frozenset(),
    ):
        """`vocabulary` gives entity hints (products, services); `dictionary` lists correctly spelled
        words, which typo correction leaves alone (without one, only words of 6+ letters are corrected).
        """
        self.embedder = embedder
        self.threshold = threshold
        self._vocabulary = vocabulary
        self._k = k
        self._skills = [
            _SkillRef(agent, skill, frozenset(slot.type for slot in skill.slots))
            for agent, skill in team.skills()
        ]
        texts = [(ref.skill.description, *ref.skill.examples) for ref in self._skills]
        self._speller = _Speller([t for group in texts for t in group], dictionary=dictionary)
        self._lexicon = _Lexicon(["\n".join(self._prepared(t) for t in group) for group in texts])
        self._matrix: NDArray[np.float32] | None = None
        self._plain: NDArray[np.float32] | None = None
        self._owner: NDArray[np.int64] | None = None
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Embed the examples now rather than on the first message."""
        self._index()

    def rank(self, message: str, *, current_agent: str | None = None, limit: int = 5) -> list[Intent]:
        """The best `limit` skills for `message`, best first (one entry per skill)."""
        return self._rank_many([message], current_agent=current_agent, limit=limit)[0]

    def classify(self, message: str, *, current_agent: str | None = None) -> Intent | None:
        """The best skill when it reaches `threshold` and is not `OFF_TOPIC`; None means "not understood"."""
        ranked = self.rank(message, current_agent=current_agent, limit=1)
        return ranked[0] if ranked and self.understood(ranked[0]) else None

    def understood(self, intent: Intent) -> bool:
        """Whether an intent is good enough to act on: confident enough and not off-topic."""
        return intent.confidence >= self.threshold and not (
            intent.agent == SUPERVISOR and intent.skill == OFF_TOPIC
        )

    def knows_words(self, message: str) -> bool:
        """Whether the message uses any informative word of the team's examples (typos fixed): a
        follow-up in the team's language rather than gibberish."""
        return self._lexicon.knows(self._prepared(message))

    def split_intents(self, message: str, *, current_agent: str | None = None) -> list[IntentPart]:
        """The parts of a message that ask different agents for different things ("where is my order,
        and is the GU10 in stock?" -> orders, products); one part (the whole) when it asks one thing.

        Each part must reach `SPLIT_THRESHOLD`; neighbouring parts for the same agent are joined.
        """
        spans = _pieces(message)
        if len(spans) < 2:  # one piece or none: the whole message asks one thing
            return [IntentPart(message, self.rank(message, current_agent=current_agent, limit=1)[0])]
        texts = [message[start:end] for start, end in spans]
        ranked = self._rank_many([message, *texts], current_agent=current_agent, limit=1)
        whole = IntentPart(message, ranked[0][0])
        parts = [_Piece(start, end, r[0]) for (start, end), r in zip(spans, ranked[1:], strict=True)]
        for i in range(1, len(parts)):
            # "what services do you offer and what do they cost?": a piece that points back at the
            # things just named, naming nothing itself, asks the same agent about them.
            text = message[parts[i].start : parts[i].end]
            if _BACK_REFERENCES & set(words(text)) and not self._entity_types(text):
                parts[i] = replace(parts[i], intent=parts[i - 1].intent)
        merged = _merge(parts)
        if len(merged) < 2 or any(piece.intent.confidence < SPLIT_THRESHOLD for piece in merged):
            return [whole]
        return [IntentPart(message[piece.start : piece.end], piece.intent) for piece in merged]

    def _rank_many(
        self, messages: Sequence[str], *, current_agent: str | None, limit: int
    ) -> list[list[Intent]]:
        matrix, plain, owner = self._index()
        prepared = [self._prepared(message) for message in messages]
        vectors = self.embedder.embed([*prepared, *(self._unmasked(message) for message in messages)])
        out = []
        for message, text, vector, raw in zip(
            messages, prepared, vectors[: len(messages)], vectors[len(messages) :], strict=True
        ):
            similarities = np.maximum(matrix @ vector, plain @ raw)
            scores = self._semantic(similarities, owner) * W_SEMANTIC
            scores += self._lexicon.coverage(text) * W_LEXICAL
            scores += self._bonuses(message, current_agent)
            best = np.argsort(-scores, kind="stable")[:limit]
            out.append([self._intent(int(i), float(scores[i])) for i in best])
        return out

    def _prepared(self, text: str) -> str:
        """What similarity and word evidence look at: typos fixed, references and products generalised."""
        text = canonical_text(self._speller.correct(text))
        return (
            self._vocabulary.products.mask(text, "product", plural="products")
            if self._vocabulary is not None
            else text
        )

    def _unmasked(self, text: str) -> str:
        """The text as `_prepared` makes it, but with the product names kept."""
        return canonical_text(self._speller.correct(text))

    def _intent(self, index: int, score: float) -> Intent:
        ref = self._skills[index]
        return Intent(ref.agent, ref.skill.name, round(max(0.0, min(1.0, score)), 4))

    def _semantic(self, similarities: NDArray[np.float32], owner: NDArray[np.int64]) -> NDArray[np.float64]:
        """Per skill: a blend of its best example's similarity, its best `k` examples' and all of them."""
        out = np.zeros(len(self._skills), dtype=np.float64)
        bounds = np.searchsorted(owner, np.arange(len(self._skills) + 1))  # examples are grouped by skill
        for index in range(len(self._skills)):
            own = np.sort(similarities[bounds[index] : bounds[index + 1]])[::-1]
            if own.size:
                out[index] = BLEND[0] * own[0] + BLEND[1] * own[: self._k].mean() + BLEND[2] * own.mean()
        return out

    def _bonuses(self, message: str, current_agent: str | None) -> NDArray[np.float64]:
        types = self._entity_types(message)
        out = np.zeros(len(self._skills), dtype=np.float64)
        for index, ref in enumerate(self._skills):
            out[index] += max((HINTS.get(kind, 0.0) for kind in ref.slot_types & types), default=0.0)
            if current_agent is not None and ref.agent == current_agent:
                out[index] += STICKY
        return out

    def _entity_types(self, message: str) -> set[str]:
        """The slot types of the references and names in a message."""
        types = set()
        if extract.order_refs(message):
            types.add("order_ref")
        if extract.appointment_refs(message):
            types.add("appointment_ref")
        if extract.emails(message):
            types.add("email")
        if self._vocabulary is not None:
            if self._vocabulary.products.find(message, limit=1):
                types.add("product")
            if self._vocabulary.services.find(message, limit=1):
                types.add("service")
        return types

    def _index(self) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.int64]]:
        """The examples' embeddings with product names masked, with them kept, and each one's skill."""
        if self._matrix is None or self._plain is None or self._owner is None:
            with self._lock:
                if self._matrix is None or self._plain is None or self._owner is None:
                    examples, owner = [], []
                    for index, ref in enumerate(self._skills):
                        for example in ref.skill.examples:
                            examples.append(example)
                            owner.append(index)
                    self._owner = np.asarray(owner, dtype=np.int64)
                    self._plain = self.embedder.embed([self._unmasked(e) for e in examples])
                    self._matrix = self.embedder.embed([self._prepared(e) for e in examples])
        return self._matrix, self._plain, self._owner


class _Speller:
    """Corrects likely typos of the words the examples use ("cancle" -> "cancel", "oder" stays: a word)."""

    def __init__(self, texts: Sequence[str], *, dictionary: Collection[str]):
        self._known = tuple(sorted({w for text in texts for w in words(text) if w.isalpha()}))
        self._leave = frozenset(self._known) | frozenset(dictionary)
        self._min_length = 4 if dictionary else 6

    def correct(self, text: str) -> str:
        """The normalised text with typos replaced."""
        out = normalise(text)
        for word in set(words(out)):
            if word not in self._leave:
                fixed = closest_word(word, self._known, cutoff=0.85, min_length=self._min_length)
                if fixed is not None:
                    out = re.sub(rf"\b{re.escape(word)}\b", fixed, out)
        return out


class _Lexicon:
    """Word evidence: which skills use which stemmed words, and how telling each word is."""

    def __init__(self, skill_texts: Sequence[str]):
        self._terms = [frozenset(_terms(text)) for text in skill_texts]
        df: dict[str, int] = {}
        for terms in self._terms:
            for term in terms:
                df[term] = df.get(term, 0) + 1
        n = len(self._terms)
        self._idf = {term: math.log(1 + n / count) for term, count in df.items()}
        self._unseen_idf = math.log(1 + n)

    def knows(self, text: str) -> bool:
        """Whether any of the text's terms is used by some skill."""
        return any(term in self._idf for term in _terms(text))

    def coverage(self, text: str) -> NDArray[np.float64]:
        """Per skill, the idf-weighted share of the text's terms that the skill uses."""
        terms = set(_terms(text))
        out = np.zeros(len(self._terms), dtype=np.float64)
        total = sum(self._idf.get(term, self._unseen_idf) for term in terms)
        if not terms or total == 0:
            return out
        for index, skill_terms in enumerate(self._terms):
            out[index] = sum(self._idf[term] for term in terms & skill_terms) / total
        return out


def _terms(text: str) -> list[str]:
    return content_terms(text, stopwords=INTENT_STOPWORDS)


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int
    end: int
    intent: Intent


def _pieces(message: str) -> list[tuple[int, int]]:
    """Where the message's pieces are, cut at sentence ends and conjunctions; pieces need two words."""
    spans, start = [], 0
    for cut in [*_SPLIT.finditer(message), None]:
        end = cut.start() if cut is not None else len(message)
        lead = _LEADING.match(message, start, end)
        first = lead.end() if lead else start
        if len(words(message[first:end])) >= 2:
            spans.append((first, end))
        start = cut.end() if cut is not None else end
    return spans


def _merge(pieces: list[_Piece]) -> list[_Piece]:
    """Join neighbouring pieces for the same agent, and pieces too unclear to stand on their own."""
    merged: list[_Piece] = []
    for piece in pieces:
        if merged and (
            merged[-1].intent.agent == piece.intent.agent or piece.intent.confidence < SPLIT_THRESHOLD
        ):
            last = merged[-1]
            best = last.intent if last.intent.confidence >= piece.intent.confidence else piece.intent
            merged[-1] = _Piece(last.start, piece.end, best)
        else:
            merged.append(piece)
    return merged
