"""Content-addressed cache of synthesised segments, shared by every library on the machine.

The key covers everything that changes the audio: the spoken text (which
already carries the lexicon's respellings and ``[[ phonemes ]]``), the voice
model's content hash, the synthesis settings and :data:`AUDIO_FORMAT_VERSION`.
The value is the raw float32 PCM exactly as Piper produced it, plus word
timings, so a cache hit is byte-identical to the fresh synthesis it replaced.

Each entry carries a SHA-256 of its payload; a truncated or corrupt entry is
deleted and synthesised again, never stitched in.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from ..fsutil import atomic_write_bytes

log = logging.getLogger(__name__)

AUDIO_FORMAT_VERSION = 1
"""Bump when what the synthesize stage returns changes meaning (resets every key)."""
CACHE_ENV = "ARTICLEAUDIO_CACHE"
DEFAULT_MAX_BYTES = 2 * 1024**3
"""Size the cache is pruned back to after a build (oldest used entries go first)."""
_MAGIC = b"AAPCM1\n\x00"
_HEADER = struct.Struct("<8sIQI32s")  # magic, sample rate, samples, words-json bytes, sha256
_SUFFIX = ".pcm"
MODELS_DIR = "models"
"""Subfolder where the synthesize stage keeps voice models prepared for ONNX Runtime."""


def default_cache_dir() -> Path:
    """``$ARTICLEAUDIO_CACHE``, else ``$XDG_CACHE_HOME/articleaudio`` (``~/.cache`` by default)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "articleaudio"


@dataclass(frozen=True)
class Entry:
    """A cached segment."""

    audio: np.ndarray
    """float32 PCM as synthesised."""
    sample_rate: int
    """Hz."""
    words: tuple[tuple[str, float, float], ...]
    """Spoken words with start/end seconds inside the piece (empty without alignments)."""


@dataclass(frozen=True)
class CacheStats:
    """What ``cache info`` reports."""

    path: str
    """The cache folder."""
    entries: int
    """Synthesised sentences held."""
    bytes: int
    """Size of every file in the folder, as ``du --apparent-size`` counts it."""
    oldest: float | None
    """Unix time of the least recently used entry."""
    model_bytes: int = 0
    """Of :attr:`bytes`, the voice models prepared for ONNX Runtime (``models/``)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "path": self.path,
            "entries": self.entries,
            "bytes": self.bytes,
            "model_bytes": self.model_bytes,
            "oldest": self.oldest,
        }


_MODEL_HASHES: dict[tuple[str, int, int], str] = {}


def model_fingerprint(model_path: Path) -> str:
    """SHA-256 of a voice model's bytes, remembered per (path, size, mtime) for the process."""
    stat = model_path.stat()
    key = (str(model_path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _MODEL_HASHES:
        digest = hashlib.sha256()
        with model_path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _MODEL_HASHES[key] = digest.hexdigest()
    return _MODEL_HASHES[key]


def segment_key(spoken: str, identity: dict[str, Any]) -> str:
    """The content address of one segment's audio.

    ``identity`` is the synthesizer's: the voice model's hash and its settings.
    """
    blob = json.dumps(
        {"text": spoken, "synthesizer": identity, "v": AUDIO_FORMAT_VERSION},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


class SegmentCache:
    """Files under ``root/ab/abcdef….pcm``; safe for concurrent processes (atomic renames)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_cache_dir()
        self._unwritable = False

    def _write(self, path: Path, data: bytes, *, durable: bool = False) -> None:
        """Write an entry; a cache that cannot be written only costs speed.

        The first failure is one warning; the later writes of this process are
        not tried (a read-only cache printed a warning for every sentence).
        """
        if self._unwritable:
            return
        try:
            atomic_write_bytes(path, data, durable=durable)
        except OSError as exc:
            self._unwritable = True
            log.warning(
                "cannot write to the cache at %s (%s); this run goes on without storing "
                "to it (set %s to a writable folder, or build with --no-cache)",
                self.root,
                getattr(exc.__cause__, "strerror", None) or exc,
                CACHE_ENV,
            )

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}{_SUFFIX}"

    def contains(self, key: str) -> bool:
        """Whether an entry exists (it may still turn out damaged on :meth:`get`)."""
        return self._path(key).is_file()

    def get(self, key: str) -> Entry | None:
        """The entry, or None when missing or damaged (a damaged one is removed)."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        entry = _unpack(data)
        if entry is None:
            log.warning("cache entry %s is damaged; synthesising it again", path.name)
            _discard(path)
            return None
        _touch(path)
        return entry

    def put(self, key: str, entry: Entry) -> None:
        """Store an entry atomically; a cache that cannot be written only costs speed."""
        self._write(self._path(key), _pack(entry))

    def get_blob(self, kind: str, key: str) -> bytes | None:
        """Bytes kept with :meth:`put_blob` (None when missing or damaged)."""
        path = self._blob_path(kind, key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest, body = data[:32], data[32:]
        if hashlib.sha256(body).digest() != digest:
            log.warning("cache entry %s is damaged; making it again", path.name)
            _discard(path)
            return None
        _touch(path)
        return body

    def put_blob(self, kind: str, key: str, data: bytes) -> None:
        """Keep derived bytes (e.g. an encoded MP3 span), checksummed like segments."""
        self._write(self._blob_path(kind, key), hashlib.sha256(data).digest() + data)

    def _blob_path(self, kind: str, key: str) -> Path:
        return self.root / f"{kind}s" / key[:2] / f"{key}.{kind}"

    def recall(self, name: str) -> float | None:
        """A small measurement stored with :meth:`keep` (None if absent or unreadable)."""
        try:
            value = json.loads(self._note(name).read_text(encoding="utf-8"))["value"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return float(value) if isinstance(value, int | float) else None

    def keep(self, name: str, value: float) -> None:
        """Remember a measurement that is costly to repeat (e.g. an encoder's level change)."""
        self._write(self._note(name), json.dumps({"value": value}).encode(), durable=True)

    def _note(self, name: str) -> Path:
        return self.root / "notes" / f"{hashlib.sha256(name.encode()).hexdigest()}.json"

    def _files(self) -> Iterator[tuple[Path, os.stat_result]]:
        if not self.root.is_dir():
            return
        for path in (*self.root.glob(f"??/*{_SUFFIX}"), *self.root.glob("spans/??/*.span")):
            try:
                yield path, path.stat()
            except OSError:
                continue

    def stats(self) -> CacheStats:
        """Sentence count, the size of everything in the folder, and age."""
        sentences = [s for p, s in self._files() if p.suffix == _SUFFIX]
        oldest = min((s.st_mtime for s in sentences), default=None)
        models = _folder_bytes(self.root / MODELS_DIR)
        total = _folder_bytes(self.root)
        return CacheStats(str(self.root), len(sentences), total, oldest, model_bytes=models)

    def prune(self, *, older_than_days: float | None = None, max_bytes: int | None = None) -> int:
        """Remove entries unused for ``older_than_days``, then the oldest beyond ``max_bytes``."""
        if older_than_days is not None and older_than_days < 0:
            raise ConfigError("--older-than must be zero or more days")
        files = sorted(self._files(), key=lambda item: item[1].st_mtime)
        cutoff = time.time() - older_than_days * 86400 if older_than_days is not None else None
        total = sum(s.st_size for _p, s in files)
        removed, kept = 0, 0
        for path, stat in files:
            too_old = cutoff is not None and stat.st_mtime < cutoff
            too_big = max_bytes is not None and total > max_bytes
            if not (too_old or too_big):
                continue
            if not _discard(path):
                kept += 1
                continue
            total -= stat.st_size
            removed += 1
        if kept:
            log.warning("cannot remove %d entries from the cache at %s", kept, self.root)
        return removed


def _touch(path: Path) -> None:
    """Mark an entry as recently used, for pruning; a read-only cache cannot, and need not."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _discard(path: Path) -> bool:
    """Remove an entry; False when the cache does not allow it (read-only)."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        return False
    return True


def _folder_bytes(root: Path) -> int:
    """Apparent size of every regular file under ``root`` (0 when it is missing)."""
    total = 0
    for folder, _dirs, names in os.walk(root):
        for name in names:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue  # removed meanwhile (a prune, a concurrent build's rename)
    return total


def _pack(entry: Entry) -> bytes:
    payload = np.ascontiguousarray(entry.audio, dtype="<f4").tobytes()
    words = json.dumps(entry.words, ensure_ascii=False).encode()
    digest = hashlib.sha256(payload + words).digest()
    header = _HEADER.pack(_MAGIC, entry.sample_rate, len(entry.audio), len(words), digest)
    return header + payload + words


def _unpack(data: bytes) -> Entry | None:
    if len(data) < _HEADER.size:
        return None
    magic, rate, samples, words_len, digest = _HEADER.unpack_from(data)
    body = data[_HEADER.size :]
    if magic != _MAGIC or len(body) != samples * 4 + words_len:
        return None
    if hashlib.sha256(body).digest() != digest:
        return None
    try:
        words = tuple((str(w), float(a), float(b)) for w, a, b in json.loads(body[samples * 4 :]))
    except (ValueError, TypeError):
        return None
    audio = np.frombuffer(body[: samples * 4], dtype="<f4").astype(np.float32)
    return Entry(audio, rate, words)
