"""The cache folder, shared by every library on the machine, one class per role.

``root/ab/abcdef….pcm``
    :class:`SegmentCache`: synthesised sentences, content-addressed. The key
    covers everything that changes the audio: the spoken text (which already
    carries the lexicon's respellings and ``[[ phonemes ]]``), the voice model's
    content hash, the synthesis settings and :data:`AUDIO_FORMAT_VERSION`. The
    value is the raw float32 PCM exactly as Piper produced it, plus word timings,
    so a cache hit is byte-identical to the fresh synthesis it replaced.
``root/spans/ab/abcdef….span``
    :class:`SpanCache`: encoded MP3 spans, reused by the next build.
``root/limits/ab/abcdef….lim``
    :class:`LimitCache`: the limiter's cuts for each piece at one gain, so an
    edit does not limit the unchanged pieces again.
``root/notes/….json``
    :class:`Notes`: measurements costly to repeat (an encoder's level change).
``root/models/…``
    :class:`ModelFiles`: voice graphs prepared for ONNX Runtime.

:class:`Cache` holds the five and counts and prunes the folder as a whole. Each
sentence and span carries a SHA-256 of its payload; a truncated or corrupt one
is deleted and made again, never used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from ..errors import ConfigError
from ..fsutil import atomic_write_bytes
from ..models import WordTime

T = TypeVar("T")

log = logging.getLogger(__name__)

AUDIO_FORMAT_VERSION = 1
"""Bump when what the synthesize stage returns changes meaning (resets every key)."""
CACHE_ENV = "ARTICLEAUDIO_CACHE"
DEFAULT_MAX_BYTES = 2 * 1024**3
"""Size the cache is pruned back to after a build (oldest used entries go first)."""
_MAGIC = b"AAPCM1\n\x00"
_HEADER = struct.Struct("<8sIQI32s")  # magic, sample rate, samples, words-json bytes, sha256
_SUFFIX = ".pcm"
_SPAN_MAGIC = b"AASPAN2\n"
"""Starts a span's body since it carries a peak (MP3 frames start with 0xFF instead)."""
_SPAN_PEAK = struct.Struct("<d")
MODELS_DIR = "models"
"""Subfolder where the synthesize stage keeps voice models prepared for ONNX Runtime."""
SPANS_DIR = "spans"
"""Subfolder of encoded MP3 spans."""
NOTES_DIR = "notes"
"""Subfolder of remembered measurements."""
LIMITS_DIR = "limits"
"""Subfolder of the limiter's cuts for each piece."""
_CUTS_HEAD = struct.Struct("<dI")  # peak after limiting, number of cuts
_CUT = struct.Struct("<qI")  # first sample, length


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
    """float32 PCM as synthesised (read-only when read from a file)."""
    sample_rate: int
    """Hz."""
    words: tuple[WordTime, ...]
    """Spoken words timed from the start of the piece (empty without alignments)."""
    digest: bytes | None = None
    """The SHA-256 of its samples and words that its file holds (None: not read from one)."""


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


class CacheFolder:
    """The cache's folder, which every role below keeps its files in.

    Writes are atomic renames, so concurrent processes share it safely. A cache
    that cannot be written only costs speed: the first failure is one warning,
    and the later writes of this process are not tried (a read-only cache
    printed a warning for every sentence).
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_cache_dir()
        self._unwritable = False

    def write(self, path: Path, data: bytes, *, durable: bool = False) -> None:
        """Write one file atomically (``durable``: synced to disk too), or warn once."""
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

    def files(self, pattern: str) -> Iterator[tuple[Path, os.stat_result]]:
        """The files matching ``pattern`` under the root, with their stat."""
        if not self.root.is_dir():
            return
        for path in self.root.glob(pattern):
            try:
                yield path, path.stat()
            except OSError:
                continue


class SegmentCache:
    """Synthesised sentences, by :func:`segment_key`: ``root/ab/abcdef….pcm``."""

    PATTERN = f"??/*{_SUFFIX}"
    """Where the sentences lie under the root (``cache info`` counts them)."""

    def __init__(self, folder: CacheFolder) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder.root / key[:2] / f"{key}{_SUFFIX}"

    def contains(self, key: str) -> bool:
        """Whether an entry exists (it may still turn out damaged on :meth:`get`)."""
        return self._path(key).is_file()

    def get(self, key: str) -> Entry | None:
        """The entry, or None when missing or damaged (a damaged one is removed).

        Its digest is checked the first time this process reads the file, not again
        while the file is unchanged: a warm runner's edit reads every other sentence of
        the article again, and checking them took 40 ms of the 0.6 s its new sentence
        is spoken in, on a core the voice was using.
        """
        return _read_entry(self._path(key), _unpack, "synthesising it", checked=_CHECKED)

    def put(self, key: str, entry: Entry) -> None:
        """Store an entry atomically; a cache that cannot be written only costs speed."""
        self.folder.write(self._path(key), _pack(entry))


class SpanCache:
    """Encoded MP3 spans (an :class:`~articleaudio.encode.mp3frames.SpanStore`):
    ``root/spans/ab/abcdef….span``, each after the SHA-256 of what follows.

    What follows is :data:`_SPAN_MAGIC`, the span's decoded true peak (float64,
    NaN until measured) and its frames; spans kept before the peak was (just the
    frames) still read, with no peak.
    """

    PATTERN = f"{SPANS_DIR}/??/*.span"
    """Where the spans lie under the root."""

    def __init__(self, folder: CacheFolder) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder.root / SPANS_DIR / key[:2] / f"{key}.span"

    def get(self, key: str) -> bytes | None:
        """The span's bytes (None when missing or damaged; a damaged one is removed)."""
        kept = self.recall(key)
        return kept[0] if kept else None

    def recall(self, key: str) -> tuple[bytes, float | None] | None:
        """The span's bytes and decoded true peak (None: not measured yet), or None when
        missing or damaged (a damaged one is removed)."""
        body = _read_entry(self._path(key), _checked_body, "making it", checked=_CHECKED)
        if body is None:
            return None
        if not body.startswith(_SPAN_MAGIC):  # kept before peaks were
            return body, None
        (peak,) = _SPAN_PEAK.unpack_from(body, len(_SPAN_MAGIC))
        return body[len(_SPAN_MAGIC) + _SPAN_PEAK.size :], None if math.isnan(peak) else peak

    def put(self, key: str, data: bytes, peak: float | None = None) -> None:
        """Keep a span and its decoded true peak (if known), checksummed like sentences."""
        body = _SPAN_MAGIC + _SPAN_PEAK.pack(math.nan if peak is None else peak) + data
        self.folder.write(self._path(key), hashlib.sha256(body).digest() + body)


class LimitCache:
    """The limiter's cuts for each piece (a :class:`~articleaudio.master.stream.LimitStore`):
    ``root/limits/ab/abcdef….lim``, after the SHA-256 of what follows: the true peak
    after limiting, the number of cuts, each cut's first sample and length, then every
    cut's float32 gains."""

    PATTERN = f"{LIMITS_DIR}/??/*.lim"
    """Where they lie under the root."""
    HELD = 4096
    """Entries also held in memory (most pieces have no cuts: a few bytes each), so a
    warm runner's next edit of an article reads none of its pieces' files again."""

    def __init__(self, folder: CacheFolder) -> None:
        self.folder = folder
        self._held: dict[str, tuple[tuple[tuple[int, np.ndarray], ...], float]] = {}

    def _path(self, key: str) -> Path:
        return self.folder.root / LIMITS_DIR / key[:2] / f"{key}.lim"

    def recall(self, key: str) -> tuple[tuple[tuple[int, np.ndarray], ...], float] | None:
        """The cuts and the peak (None when missing or damaged; a damaged one is removed)."""
        kept = self._held.get(key) or _read_entry(
            self._path(key), _unpack_cuts, "limiting that piece"
        )
        if kept is not None:
            self._hold(key, kept)
        return kept

    def _hold(self, key: str, kept: tuple[tuple[tuple[int, np.ndarray], ...], float]) -> None:
        """Hold an entry in memory, forgetting the least recently used beyond :attr:`HELD`."""
        self._held.pop(key, None)
        self._held[key] = kept
        if len(self._held) > self.HELD:
            del self._held[next(iter(self._held))]

    def put(self, key: str, cuts: tuple[tuple[int, np.ndarray], ...], peak: float) -> None:
        """Keep a piece's cuts and peak, checksummed like sentences."""
        self._hold(key, (cuts, peak))
        head = _CUTS_HEAD.pack(peak, len(cuts))
        spans = b"".join(_CUT.pack(start, len(gain)) for start, gain in cuts)
        gains = b"".join(np.ascontiguousarray(gain, "<f4").tobytes() for _start, gain in cuts)
        body = head + spans + gains
        self.folder.write(self._path(key), hashlib.sha256(body).digest() + body)


def _unpack_cuts(data: bytes) -> tuple[tuple[tuple[int, np.ndarray], ...], float] | None:
    body = data[32:]
    if hashlib.sha256(body).digest() != data[:32] or len(body) < _CUTS_HEAD.size:
        return None
    peak, count = _CUTS_HEAD.unpack_from(body)
    offset = _CUTS_HEAD.size + count * _CUT.size
    cuts = []
    for n in range(count):
        start, length = _CUT.unpack_from(body, _CUTS_HEAD.size + n * _CUT.size)
        gain = np.frombuffer(body, "<f4", length, offset).astype(np.float32)
        cuts.append((start, gain))
        offset += 4 * length
    return tuple(cuts), peak


class Notes:
    """Small measurements that are costly to repeat (an encoder's level change), by name:
    ``root/notes/<SHA-256 of the name>.json``."""

    def __init__(self, folder: CacheFolder) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path:
        digest = hashlib.sha256(name.encode()).hexdigest()
        return self.folder.root / NOTES_DIR / f"{digest}.json"

    def recall(self, name: str) -> float | None:
        """The value kept with :meth:`keep` (None if absent or unreadable)."""
        try:
            value = json.loads(self._path(name).read_text(encoding="utf-8"))["value"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return float(value) if isinstance(value, int | float) else None

    def keep(self, name: str, value: float) -> None:
        """Remember a measurement, synced to disk (a lost one is measured again)."""
        self.folder.write(self._path(name), json.dumps({"value": value}).encode(), durable=True)


class ModelFiles:
    """Voice graphs the synthesize stage prepared for ONNX Runtime: ``root/models/NAME``.

    ONNX Runtime writes them itself, so this role only says where they go.
    """

    def __init__(self, folder: CacheFolder) -> None:
        self.folder = folder
        self.root = folder.root / MODELS_DIR
        """The folder of prepared graphs."""

    def path(self, name: str) -> Path:
        """Where the prepared graph called ``name`` is kept."""
        return self.root / name


class Cache:
    """The cache folder by role, shared by every library on the machine.

    Sentences, MP3 spans, notes and prepared voice graphs each have their own
    class over the same folder; ``cache info`` and ``cache prune`` see them all.
    """

    def __init__(self, root: Path | None = None) -> None:
        folder = CacheFolder(root)
        self.root = folder.root
        self.segments = SegmentCache(folder)
        """Synthesised sentences."""
        self.spans = SpanCache(folder)
        """Encoded MP3 spans."""
        self.limits = LimitCache(folder)
        """The limiter's cuts for each piece."""
        self.notes = Notes(folder)
        """Remembered measurements."""
        self.models = ModelFiles(folder)
        """Voice graphs prepared for ONNX Runtime."""
        self._folder = folder

    def _files(self) -> Iterator[tuple[Path, os.stat_result]]:
        """What pruning may remove: sentences, spans and limiting (notes and graphs are small)."""
        yield from self._folder.files(SegmentCache.PATTERN)
        yield from self._folder.files(SpanCache.PATTERN)
        yield from self._folder.files(LimitCache.PATTERN)

    def stats(self) -> CacheStats:
        """Sentence count, the size of everything in the folder, and age."""
        sentences = [s for _p, s in self._folder.files(SegmentCache.PATTERN)]
        oldest = min((s.st_mtime for s in sentences), default=None)
        models = _folder_bytes(self.models.root)
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


def _read_entry(
    path: Path,
    unpack: Callable[..., T | None],
    redo: str,
    *,
    checked: dict[Path, tuple[int, int, int]] | None = None,
) -> T | None:
    """``unpack`` of the file's bytes, or None when missing or damaged (a damaged file is
    removed and ``redo`` named in the warning); a hit is touched for pruning by age.

    With ``checked`` (path → the inode, size and mtime it had when its digest was last
    checked), ``unpack`` is told ``check=False`` for a file that is still the one
    checked: same inode, size and modification time, from the descriptor read.
    """
    try:
        with open(path, "rb") as file:
            stamp = _stamp(os.fstat(file.fileno()))
            data = file.read()
    except OSError:
        return None
    known = checked is not None and checked.get(path) == stamp
    kept = unpack(data, check=False) if known else unpack(data)
    if kept is None:
        log.warning("cache entry %s is damaged; %s again", path.name, redo)
        _discard(path)
        return None
    if _touch(path) and checked is not None:
        with contextlib.suppress(OSError):
            stamp = _stamp(path.stat())  # the touch moved its time
    if checked is not None:
        if len(checked) >= CHECKED_MAX and path not in checked:
            checked.clear()  # a runner up for months: checked again once, not held forever
        checked[path] = stamp
    return kept


def _stamp(stat: os.stat_result) -> tuple[int, int, int]:
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


CHECKED_MAX = 100_000
"""Checked files remembered at most (a few hundred bytes each)."""
_CHECKED: dict[Path, tuple[int, int, int]] = {}
"""Sentence and span files whose digest this process checked, by path, with their
stamp then."""


def _checked_body(data: bytes, *, check: bool = True) -> bytes | None:
    """The bytes after a SHA-256 of them, or None when they do not match it (``check``)."""
    digest, body = data[:32], data[32:]
    return body if not check or hashlib.sha256(body).digest() == digest else None


TOUCH_EVERY_S = 3600.0
"""An entry this process touched this recently is not touched again: pruning counts in
days, and a warm runner's edit reads every other sentence of the article again."""
_TOUCHED: dict[Path, float] = {}
"""Entry → when this process last touched it (``time.monotonic``)."""


def _touch(path: Path) -> bool:
    """Mark an entry as recently used, for pruning (a read-only cache cannot, and need
    not); whether it was touched now."""
    now = time.monotonic()
    if now - _TOUCHED.get(path, -TOUCH_EVERY_S) < TOUCH_EVERY_S:
        return False
    try:
        os.utime(path)
    except OSError:
        return False
    _TOUCHED[path] = now
    return True


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
    # Stored as [text, start, end] rows, as they were before WordTime carried them.
    rows = [[w.text, w.start, w.end] for w in entry.words]
    words = json.dumps(rows, ensure_ascii=False).encode()
    digest = hashlib.sha256(payload + words).digest()
    header = _HEADER.pack(_MAGIC, entry.sample_rate, len(entry.audio), len(words), digest)
    return header + payload + words


def _unpack(data: bytes, *, check: bool = True) -> Entry | None:
    """The entry a file's bytes hold, or None when they are not one (or, when ``check``,
    do not match their digest)."""
    if len(data) < _HEADER.size:
        return None
    magic, rate, samples, words_len, digest = _HEADER.unpack_from(data)
    body = memoryview(data)[_HEADER.size :]  # a view: slicing bytes copied the samples twice
    if magic != _MAGIC or len(body) != samples * 4 + words_len:
        return None
    if check and hashlib.sha256(body).digest() != digest:
        return None
    try:
        rows = json.loads(bytes(body[samples * 4 :]))
        words = tuple(WordTime(str(w), float(a), float(b)) for w, a, b in rows)
    except (ValueError, TypeError):
        return None
    # A read-only view of the file's bytes, not a copy: a warm runner's edit reads the
    # whole article again, and a copy was 58 MB of fresh pages to fault in.
    audio = np.frombuffer(body, dtype=np.dtype("<f4"), count=samples)
    return Entry(audio, rate, words, digest)
