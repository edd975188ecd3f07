"""A list of correctly spelled English words, from the MiniLM tokenizer's vocabulary.

The offline brain corrects likely typos ("cancle" -> "cancel"); it must not "correct" real words that
its examples happen not to use ("weather" -> "whether"). The tokenizer's whole-word entries (about
22,000 common English words) are a good enough dictionary for that, and they are already installed.
"""

from __future__ import annotations

from pathlib import Path

from frontdesk.adapters.embeddings.minilm import default_model_dir
from frontdesk.domain.errors import ConfigurationError


def dictionary_words(model_dir: Path | None = None) -> frozenset[str]:
    """The lower-case alphabetic whole words of the tokenizer's vocabulary (`vocab.txt`)."""
    path = (model_dir or default_model_dir()) / "vocab.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the tokenizer vocabulary {path}: {exc}") from exc
    return frozenset(word for word in lines if word.isalpha() and word.islower() and len(word) > 1)
