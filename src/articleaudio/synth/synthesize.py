"""Synthesize stage: spoken text → mono float32 PCM, one :class:`Piece` per segment.

:class:`PiperSynthesizer` is the real path, and the only :class:`Synthesizer` in
the package; the tests bring a deterministic one for fast tests of stitching and
timing (``tests/support/fake_synthesizer.py``).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import SynthesisError, VoiceError
from ..libc import trim_heap
from ..models import WordTime
from .voices import Voice

log = logging.getLogger(__name__)

TELEMETRY_ENV = "ORT_DISABLE_TELEMETRY"
# ONNX Runtime 1.29+ reports usage from Linux and macOS too (microsoft/onnxruntime#27379):
# it keeps a device id under ~/.cache/Microsoft, a ".ses" file in $TMPDIR, and uploads
# events. Nothing of articleaudio's is meant to leave the machine, so it is off unless the
# user sets the variable; it counts only before ONNX Runtime is first imported (the
# decision is latched per process, and the synthesis workers inherit it).
os.environ.setdefault(TELEMETRY_ENV, "1")

INNER_SENTENCE_GAP = 0.25
"""Seconds between sentences when Piper splits one segment into several."""

ESPEAK_LETTER_A: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<![\w-])[A-Z](?:-[A-Z])+(?![\w-])"),  # a spelling: "U-A-E", "E-H-A"
    re.compile(r"(?<![\w-])[A-Z] and A(?![\w-])"),  # "Q and A", "M and A"
    re.compile(r"\b(?:double|triple) A(?![\w-])"),  # "triple A", "N double A C-P"
)
"""Where the script's capital "A" is the letter, not the article."""
_DIGIT_WORD = r"(?:zero|one|two|three|four|five|six|seven|eight|nine)"
ESPEAK_DIGIT_GROUP = re.compile(rf"\b{_DIGIT_WORD}(?:-{_DIGIT_WORD})+\b", re.IGNORECASE)
"""A group of a phone number as the script shows it: "five-five-five"."""
ESPEAK_RESPELLINGS_VERSION = 2
"""Part of the voice's identity (cache keys): bump when :func:`espeak_text` changes."""


def espeak_text(text: str, language: str = "en") -> str:
    """The script's text as English espeak-ng must see it to say what the script shows.

    espeak reads a capital "A" after the first letter of a spelling, or after "and"
    or "triple", as the schwa of the article ("U-A-E" → "you-uh-ee"), but "eh" as the
    letter name; the script keeps the letters so a reader sees "E-H-A", and only the
    voice gets "eh".

    espeak also takes hyphen-joined words as one word with no boundary, and Piper says
    a group of digits so joined ("five-five-five", "zero-eight-zero-zero") in one
    breath, in which a listener loses repeated digits and zeros ("555" heard as "55",
    "0800 555" as "80555"); the voice gets the digits as separate words. The script
    keeps the hyphens, which show a reader how the number is grouped.

    >>> espeak_text("The E-H-A and the A-I-A met in the U-S-A.")
    'The E-H-eh and the A-I-eh met in the U-S-eh.'
    >>> espeak_text("A Q and A on triple A bonds"), espeak_text("U-A-E", "de")
    ('A Q and eh on triple eh bonds', 'U-A-E')
    >>> espeak_text("Call zero-eight-zero-zero, five-five-five, for a one-off.")
    'Call zero eight zero zero, five five five, for a one-off.'
    """
    if not language.lower().startswith("en"):
        return text
    for pattern in ESPEAK_LETTER_A:
        text = pattern.sub(lambda m: m[0][0] + m[0][1:].replace("A", "eh"), text)
    return ESPEAK_DIGIT_GROUP.sub(lambda m: m[0].replace("-", " "), text)


@dataclass(frozen=True)
class SynthesisSettings:
    """How the voice speaks."""

    length_scale: float | None = None
    """Phoneme duration factor: > 1 slower, < 1 faster (None: the voice's default)."""
    noise_scale: float | None = None
    """Voice variation (None: the voice's default)."""
    noise_w_scale: float | None = None
    """Phoneme width variation (None: the voice's default)."""
    speaker: int | None = None
    """Speaker id for multi-speaker voices."""
    threads: int = 0
    """ONNX Runtime intra-op threads per process (0: one per core this process may use)."""

    def to_dict(self) -> dict[str, Any]:
        """Stable form used in cache keys and metadata."""
        return {
            "length_scale": self.length_scale,
            "noise_scale": self.noise_scale,
            "noise_w_scale": self.noise_w_scale,
            "speaker": self.speaker,
        }


@dataclass(frozen=True)
class Piece:
    """Audio for one segment."""

    audio: np.ndarray
    """Mono float32 samples in [-1, 1]."""
    sample_rate: int
    """Hz."""
    words: tuple[WordTime, ...] = ()
    """Spoken words, timed in seconds from the start of ``audio``, when the voice aligns."""
    digest: bytes | None = None
    """What names its samples and words: the SHA-256 its cache file holds (None: not
    read from the cache). The master stage knows by it what it made of the same
    piece before (see :class:`~articleaudio.master.loudness.WeightedPieces`)."""


class Synthesizer(Protocol):
    """Anything that turns one segment's spoken text into audio, in a voice it names."""

    @property
    def voice_name(self) -> str:
        """The voice, as an episode's metadata names it."""
        ...

    @property
    def voice(self) -> Voice | None:
        """The Piper voice it speaks with, whose language chooses it for an article and
        whose phoneme table checks the lexicon (None: no Piper voice, used as it is)."""
        ...

    @property
    def sample_rate(self) -> int:
        """Output sample rate."""
        ...

    @property
    def identity(self) -> dict[str, Any]:
        """Everything that changes the audio besides the text (part of cache keys)."""
        ...

    def load(self) -> None:
        """Get ready to speak now rather than on the first sentence (may do nothing)."""
        ...

    def synthesize(self, text: str) -> Piece:
        """Speak ``text``."""
        ...


class PiperSynthesizer:
    """The real voice, loaded lazily so constructing it is cheap."""

    def __init__(
        self, voice: Voice, settings: SynthesisSettings | None = None, *, shares: bool = True
    ) -> None:
        self.voice = voice
        self.settings = settings or SynthesisSettings()
        self.shares = shares
        """Whether it speaks inside a process that does other work (a build, a runner),
        which gets each sentence's memory back; a worker process of its own keeps it
        for the next sentence (see :class:`_Releasing`)."""

    @property
    def voice_name(self) -> str:
        return self.voice.name

    @property
    def sample_rate(self) -> int:
        return self.voice.sample_rate

    @cached_property
    def _piper(self) -> Any:
        return open_voice(self.voice, self.settings.threads, release=self.shares)

    def load(self) -> None:
        """Open the voice now rather than on the first sentence."""
        self._piper  # noqa: B018 (the cached property does the work)

    @cached_property
    def _config(self) -> Any:
        from piper import SynthesisConfig

        s = self.settings
        # Piper's per-sentence peak normalisation swings loudness by ~7 dB between
        # sentences; the master stage normalises the whole episode once instead.
        return SynthesisConfig(
            speaker_id=s.speaker,
            length_scale=s.length_scale,
            noise_scale=s.noise_scale,
            noise_w_scale=s.noise_w_scale,
            normalize_audio=False,
        )

    @property
    def identity(self) -> dict[str, Any]:
        """What makes this synthesizer's output differ from another's (cache keys)."""
        from .cache import model_fingerprint

        return {
            "model": model_fingerprint(self.voice.model_path),
            "respellings": ESPEAK_RESPELLINGS_VERSION,
            **self.settings.to_dict(),
        }

    def synthesize(self, text: str) -> Piece:
        said = espeak_text(text, self.voice.language)
        try:
            chunks = list(self._piper.synthesize(said, self._config, include_alignments=True))
        except (VoiceError, SynthesisError):
            raise
        except Exception as exc:
            raise SynthesisError(
                f"Piper failed on {text[:60]!r}: {str(exc)[:300]}; if voice "
                f"'{self.voice.name}' was just added, check that its .onnx.json belongs "
                "to its .onnx",
                text=text,
            ) from exc
        return join_chunks(chunks, self.sample_rate)


def _session(voice: Voice, threads: int) -> Any:
    """An ONNX Runtime session for the voice, from a graph optimised once and kept.

    Optimising the graph is most of the cost of opening a session (0.6 of 0.8 s
    here), which a one-sentence rebuild pays on its critical path. The
    optimised graph is kept in the cache per ONNX Runtime version, at the
    portable "extended" level; the hardware-specific passes still run on load.
    """
    import onnxruntime

    from .cache import Cache, model_fingerprint

    kind = PREPARED if importlib.util.find_spec("onnx") else "plain"
    name = f"{model_fingerprint(voice.model_path)}.{kind}.ort-{onnxruntime.__version__}.onnx"
    kept = Cache().models.path(name)
    if kept.is_file():
        opened = _open_kept(kept, threads)
        if opened is not None:
            return opened
        return _prepare_and_open(voice, kept, threads)
    # The first build on a machine starts every worker at once, each finding no graph:
    # one prepares it (3 CPU-seconds) while the others wait for it here and load it,
    # rather than all making the same graph side by side on the build's busiest cores.
    with _preparing(kept):
        opened = _open_kept(kept, threads) if kept.is_file() else None
        return opened if opened is not None else _prepare_and_open(voice, kept, threads)


def _open_kept(kept: Path, threads: int) -> Any:
    """A session on the kept graph, or None when it is damaged (a warning says so)."""
    import onnxruntime

    try:
        return onnxruntime.InferenceSession(str(kept), _options(threads), providers=_PROVIDERS)
    except Exception as exc:  # a damaged copy: make it again from the voice
        log.warning("ignoring the optimised model %s: %s", kept, exc)
        return None


@contextmanager
def _preparing(kept: Path) -> Iterator[None]:
    """Hold the lock of the graph ``kept`` across processes (without it when the cache
    folder cannot be written: preparing twice only costs time)."""
    from filelock import FileLock

    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(kept.parent / f".{kept.name}.lock"))
        lock.acquire()
    except OSError as exc:
        log.info("cannot lock %s: %s", kept.parent, exc)
        yield
        return
    try:
        yield
    finally:
        lock.release()


def _prepare_and_open(voice: Voice, kept: Path, threads: int) -> Any:
    """Prepare the voice's graph, keep it optimised at ``kept``, and open a session on it."""
    import onnxruntime

    options = _options(threads)
    model = _prepared_model(voice)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{kept.name}.", suffix=".tmp", dir=kept.parent)
        os.close(handle)
    except OSError as exc:  # an unwritable cache only costs time
        log.info("cannot keep the optimised model in %s: %s", kept.parent, exc)
        return onnxruntime.InferenceSession(model, options, providers=_PROVIDERS)
    saving = _options(threads)
    saving.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    saving.optimized_model_filepath = tmp
    try:
        onnxruntime.InferenceSession(model, saving, providers=_PROVIDERS)
        os.replace(tmp, kept)
    except Exception as exc:  # e.g. no room for the copy: open the voice without keeping it
        Path(tmp).unlink(missing_ok=True)
        log.info("cannot keep the optimised model in %s: %s", kept.parent, exc)
        return onnxruntime.InferenceSession(model, options, providers=_PROVIDERS)
    # The saving session stopped at the portable level; the one that speaks gets every
    # pass, the blocked convolution layout included (the first build took 15 % longer).
    return onnxruntime.InferenceSession(str(kept), options, providers=_PROVIDERS)


_PROVIDERS = ["CPUExecutionProvider"]
_OPEN: dict[tuple[object, ...], Any] = {}
"""Voices this process has opened, by files and thread count (see :func:`open_voice`)."""
_OPENING = threading.Lock()
KEEP_OPEN = 2
"""Voices kept open in a process at most (each holds its model, about 60 MB)."""


def open_voice(voice: Voice, threads: int, *, release: bool = True) -> Any:
    """The voice opened with this many threads (0: the process's cores), once per process.

    A long-running worker or runner builds job after job, each with its own settings;
    the voice they speak with stays open between them, so no job after the first pays
    the 1.5 s of opening it (nor a worker's first job, since the worker opens it when
    it starts). Its files' sizes and times are in the key, and the cache folder its
    optimised graph is kept in: a voice replaced on disk is opened again.
    """
    from .cache import Cache

    # Always a count: left to decide, ONNX Runtime starts a thread per core of the
    # machine and pins each to its core, ignoring the cores this process was given, so a
    # worker pinned to one core (taskset, a container's cpuset) spoke on two.
    threads = threads or usable_cores()
    files = [voice.model_path, voice.config_path]
    try:
        stamps = tuple((p, p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    except OSError:
        stamps = tuple((p, 0, 0) for p in files)  # reported by the load below
    key = (*stamps, threads, release, Cache().models.path(""))  # where its graph is kept
    with _OPENING:
        if key not in _OPEN:
            while len(_OPEN) >= KEEP_OPEN:
                del _OPEN[next(iter(_OPEN))]  # the first opened
            _OPEN[key] = _load_voice(voice, threads, release=release)
        return _OPEN[key]


def close_voices() -> None:
    """Forget the voices this process has open (their memory goes with the last user)."""
    with _OPENING:
        _OPEN.clear()


def _load_voice(voice: Voice, threads: int, *, release: bool) -> Any:
    # Built by hand rather than with PiperVoice.load, which takes no thread
    # option: parallel workers each pin their own ONNX Runtime thread count.
    from piper import PiperVoice
    from piper.config import PiperConfig

    try:
        import json

        config = PiperConfig.from_dict(json.loads(voice.config_path.read_text(encoding="utf-8")))
        session = _session(voice, threads)
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise VoiceError(
            f"cannot load voice '{voice.name}' from {voice.model_path}: {exc}; "
            "the .onnx file may be corrupt or not match its .onnx.json",
            voice=voice.name,
        ) from exc
    if not release:
        return PiperVoice(session=session, config=config)
    trim_heap()  # what opening it read and freed: 70 MB of the 170 MB it held
    return PiperVoice(session=_Releasing(session), config=config)


class _Releasing:
    """An ONNX Runtime session that hands each run's memory back when the run is done.

    ONNX Runtime keeps what a run allocated in its arena for the next one, and glibc
    keeps what the arena frees in the heap of each thread that freed it: a voice opened
    in a long-running runner beside its workers (for edits) held 370 MB more than the
    runner without it. Trimming the heaps once it is open, then shrinking the arena
    after each run and trimming again, leaves the voice's weights and graph (about
    100 MB), at no measured cost per sentence.
    """

    def __init__(self, session: Any) -> None:
        import onnxruntime

        self._session = session
        self._options = onnxruntime.RunOptions()
        self._options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def run(self, outputs: Any, feeds: Any, options: Any = None) -> Any:
        try:
            return self._session.run(outputs, feeds, options or self._options)
        finally:
            trim_heap()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)  # inputs, outputs, providers: the session's


def _options(threads: int) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4  # failures surface as SynthesisError, not C++ log lines
    options.intra_op_num_threads = threads  # always a count (see open_voice)
    options.inter_op_num_threads = 1
    # Spinning keeps idle intra-op threads busy-waiting for the next operator. The
    # in-process voice speaks beside the master stage and the workers: measured on the
    # bench sentence (2 threads, loaded machine), spinning cost 2.3 CPU-s to 1.7 without,
    # and each thread's share of the work was no smaller. One thread never spins.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def usable_cores() -> int:
    """The cores this process may run on (its affinity), not the machine's."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


PREPARED = "prepared-2"
"""Names the kept optimised graphs; bumped whenever :func:`_prepared_model` changes them."""


def _prepared_model(voice: Voice) -> str | bytes:
    """The model patched to also output phoneme durations (for word timings), with
    its 1-D convolutions run as 2-D ones (:mod:`articleaudio.synth.voicegraph`).

    piper-tts ships the patch; both need the ``onnx`` package. Preparing takes
    0.4 s and is needed only to make the kept optimised graph (see :func:`_session`),
    so the prepared model itself is not kept. Without ``onnx`` the plain model
    is used and captions fall back to sentence level; a model that cannot be
    patched keeps only the rewrite.
    """
    try:
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output
    except ImportError:
        log.info("onnx is not installed: no word timings")
        return str(voice.model_path)
    from .voicegraph import convolutions_as_2d

    model = onnx.load(str(voice.model_path))
    try:
        add_alignment_output(model)
        aligned = True
    except ValueError as exc:  # already patched, or no tensor to patch
        log.info("voice %s gives no word timings: %s", voice.name, exc)
        aligned = False
    if convolutions_as_2d(model) == 0 and not aligned:
        return str(voice.model_path)
    data: bytes = model.SerializeToString()
    return data


def _chunk_words(chunk: Any, offset: float) -> list[WordTime]:
    """Word (start, end) times from a chunk's phoneme alignments; words end at spaces."""
    alignments = getattr(chunk, "phoneme_alignments", None)
    if not alignments:
        return []
    words: list[WordTime] = []
    position, current, start = 0, "", 0.0
    for item in alignments:
        seconds = position / chunk.sample_rate
        if item.phoneme == " " or item.phoneme in _SILENT_PHONEMES:
            if current:
                words.append(WordTime(current, offset + start, offset + seconds))
                current = ""
        else:
            if not current:
                start = seconds
            current += item.phoneme
        position += int(item.num_samples)
    if current:
        words.append(WordTime(current, offset + start, offset + position / chunk.sample_rate))
    return words


_SILENT_PHONEMES = frozenset("^$_.,;:!?—…()\"'")
"""Sentence markers and punctuation in Piper's phoneme stream: not part of any word."""


def join_chunks(chunks: list[Any], sample_rate: int) -> Piece:
    """Concatenate Piper's per-sentence chunks with a short gap, carrying word times along."""
    if not chunks:
        return Piece(np.zeros(0, dtype=np.float32), sample_rate)
    gap = np.zeros(int(INNER_SENTENCE_GAP * sample_rate), dtype=np.float32)
    parts: list[np.ndarray] = []
    words: list[WordTime] = []
    samples = 0
    for i, chunk in enumerate(chunks):
        if i:
            parts.append(gap)
            samples += len(gap)
        audio = np.asarray(chunk.audio_float_array, dtype=np.float32).reshape(-1)
        words += _chunk_words(chunk, samples / sample_rate)
        parts.append(audio)
        samples += len(audio)
    return Piece(np.concatenate(parts), sample_rate, tuple(words))
