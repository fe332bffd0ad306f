"""Master stage: pieces → one episode with structure-aware pauses, clean seams,
and a single loudness normalisation; also builds the :class:`Timeline`.

The episode is never held in memory whole: trimmed pieces go to a spool file
while the loudness meter runs (pass 1), then each piece is gained and
true-peak limited into a second spool (pass 2) that the encoder streams from.
Pieces are separated by digital silence, so limiting them one by one is exact.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..models import Chapter, Cue, Loudness, Role, Segment, Timeline, WordTime
from ..synth import Piece
from .ahead import Ahead, Prepared
from .exact import FIRST_SLOPE, LOUDNESS_TOLERANCE, normalise
from .layout import Exact, Layout, MasterSettings, Pauses, Placed, Placement
from .loudness import LoudnessMeter
from .spool import Spool
from .stream import Stream, Streamer
from .trim import trim_piece

log = logging.getLogger(__name__)

SPLIT_PAUSE = 0.5
"""Pauses at least this long (seconds) may start a new encoder span (see ``Grid``)."""
SPAN_LEAD = 0.2
"""Seconds of silence between a span's first sample and its first word."""
MAX_SPAN = 60.0
"""Seconds after which any pause of :data:`MIN_SPLIT_PAUSE` also starts a span, so the
encoder never holds more than about a minute of one long paragraph."""
MIN_SPLIT_PAUSE = 0.3
"""Shortest pause that can start a span: the lead-in plus silence for the frame before the cut."""

Grid = Callable[[int], int | None]
"""Sample rate → samples per encoder frame, when spans can be cut on that grid
(:mod:`articleaudio.encode.mp3frames`). A pause that starts a span is lengthened by up
to one frame so the span begins on the grid; the Timeline records the result."""


_AFTER_ROLE = {
    Role.TITLE: "after_title",
    Role.BYLINE: "after_byline",
    Role.DISCLOSURE: "after_disclosure",
    Role.HEADING: "after_heading",
}
"""Role of the segment just spoken → the ``Pauses`` field that follows it."""


def pause_between(prev: Segment, nxt: Segment, pauses: Pauses) -> float:
    """Silence between two consecutive segments, from the structure around them."""
    if nxt.role in (Role.HEADING, Role.DISCLOSURE) and prev.role is Role.SENTENCE:
        return pauses.before_heading
    if prev.role in _AFTER_ROLE:
        return float(getattr(pauses, _AFTER_ROLE[prev.role]))
    return pauses.paragraph if nxt.paragraph != prev.paragraph else pauses.sentence


@dataclass(frozen=True)
class Mastered:
    """The finished episode: where every piece lies, and a way to stream its samples.

    Its samples lie in a temporary file until :meth:`close`; use it with ``with``
    (``with master(...) as mastered:``), and read the samples inside the block.
    """

    sample_rate: int
    """Hz."""
    timeline: Timeline
    """Measured cue and chapter times."""
    loudness: Loudness
    """Measured on the final samples (after gain and limiting)."""
    spool: Spool
    """Holds the final pieces (open until :meth:`close`)."""
    layout: Placed
    """Where each piece lies: the silence before it, and its place in :attr:`spool`."""
    tail: int
    """Samples of silence after the last piece."""
    encoded: bool = False
    """True when the stream's sink already holds exactly these samples, encoded."""
    cuts: tuple[tuple[int, int], ...] = ()
    """Where encoder spans may start: (piece index, samples into the silence before it)."""

    def close(self) -> None:
        """Delete the samples' file; the timeline and loudness stay readable."""
        self.spool.close()

    def __enter__(self) -> Mastered:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def chunks(self) -> Iterator[np.ndarray]:
        """The episode's samples in order, one piece or pause at a time."""
        for chunk in self.stream():
            if chunk is not None:
                yield chunk

    def stream(self) -> Iterator[np.ndarray | None]:
        """:meth:`chunks` with ``None`` at every point where an encoder span may start."""
        cuts = dict(self.cuts)
        for index, piece in enumerate(self.layout):
            if index in cuts:
                yield from _silence(cuts[index], self.sample_rate)
                yield None
            yield from _silence(piece.silence - cuts.get(index, 0), self.sample_rate)
            yield self.spool.read(piece.offset, piece.samples)
        yield from _silence(self.tail, self.sample_rate)

    def excerpt(self, seconds: float) -> np.ndarray:
        """About ``seconds`` of the episode from its middle, pauses included (encoder probes)."""
        start = len(self.layout) // 3
        parts: list[np.ndarray] = []
        total = 0
        for piece in self.layout[start:]:
            audio = self.spool.read(piece.offset, piece.samples)
            parts += [np.zeros(piece.silence, np.float32), audio]
            total += piece.silence + piece.samples
            if total >= seconds * self.sample_rate:
                break
        return np.concatenate([np.zeros(0, np.float32), *parts])

    def audio(self) -> np.ndarray:
        """The whole episode in memory (tests and short clips only)."""
        return np.concatenate([np.zeros(0, np.float32), *self.chunks()])


def _silence(samples: int, rate: int) -> Iterator[np.ndarray]:
    step = rate * 10
    for start in range(0, samples, step):
        yield np.zeros(min(step, samples - start), dtype=np.float32)


def master(
    segments: Sequence[Segment],
    pieces: Iterable[Piece],
    settings: MasterSettings | None = None,
    *,
    first_gain_db: float | None = None,
    stream: Stream | None = None,
    grid: Grid | None = None,
    ahead: Ahead | None = None,
) -> Mastered:
    """Stitch, normalise loudness once, limit true peaks, and time everything.

    ``first_gain_db`` (the gain of this episode's previous build) is tried
    first: after a small edit it usually lands within tolerance in one pass.
    With a ``stream``, pass 2 and the encoder follow pass 1 piece by piece
    (:mod:`articleaudio.master.stream`); ``Mastered.encoded`` says whether that
    bet was kept. With a ``grid``, long pauses are aligned to it so the encoder
    can make the episode from independent spans (``Mastered.cuts``). With an
    ``ahead`` that ``pieces`` tells of the pieces it reads before their turn, those
    are prepared then (:mod:`articleaudio.master.ahead`).
    """
    settings = settings or MasterSettings()
    raw = Spool()
    streamer = None
    try:
        if stream is not None:
            streamer = Streamer(stream, settings, Spool(), gain_db=first_gain_db)
        if ahead is not None:
            ahead.attach(raw, streamer, settings.true_peak_ceiling)
        layout, meter, tail = _stitch(
            segments, pieces, settings.pauses, raw, streamer=streamer, grid=grid, ahead=ahead
        )
        kept = _keep_streamed(streamer, layout, raw, meter, tail) if streamer else None
        encoded = kept is not None
        if kept is None:
            retry = streamer.retry_gain_db if streamer else first_gain_db
            memo = stream.weighted if stream else None
            measured = _raw_loudness(layout, raw, meter)
            kept = normalise(layout, measured, raw, tail, settings, first_gain_db=retry, memo=memo)
    except BaseException:
        if streamer is not None:
            streamer.abort()
            streamer.final.close()
        raise
    finally:
        if ahead is not None:
            ahead.close()
        raw.close()
    return _mastered(segments, layout, kept, tail, encoded=encoded)


def _mastered(
    segments: Sequence[Segment], layout: Layout, made: Exact, tail: int, *, encoded: bool
) -> Mastered:
    """The episode pass 2 ``made`` after pass 1's ``layout``, timed."""
    duration = (layout.position + tail) / layout.rate
    chapters = tuple(chapters_from(segments, layout.cues, duration))
    timeline = Timeline(tuple(layout.cues), chapters, duration)
    cuts = tuple(layout.cuts.items())
    loudness, placed, final = made
    return Mastered(layout.rate, timeline, loudness, final, placed, tail, encoded, cuts)


def _raw_loudness(layout: Layout, raw: Spool, meter: LoudnessMeter) -> float:
    """Integrated loudness of the stitched pieces before gain."""
    if layout.metered < len(layout.pieces):
        meter = LoudnessMeter(layout.rate)
        for piece in layout.pieces:
            meter.add_silence(piece.silence)
            meter.add(raw.read(piece.offset, piece.samples), peaks=False)
    return meter.integrated


def _keep_streamed(
    streamer: Streamer,
    layout: Layout,
    raw: Spool,
    meter: LoudnessMeter,
    tail: int,
) -> Exact | None:
    """The streamed pass 2 when its loudness is within tolerance; else None (thrown away)."""
    loudness = streamer.end(layout, raw, meter, tail)
    error = streamer.settings.target_lufs - loudness.integrated_lufs
    if not math.isfinite(error) or abs(error) < LOUDNESS_TOLERANCE:
        streamer.finish()
        log.info(
            "streamed master kept: gain %.2f dB, %.2f LUFS",
            loudness.gain_db,
            loudness.integrated_lufs,
        )
        assert streamer.output is not None
        return Exact(loudness, tuple(streamer.output.placed), streamer.final)
    log.info("streamed master missed by %.2f LU; running the exact search", error)
    streamer.abort()
    streamer.final.close()
    streamer.retry_gain_db = loudness.gain_db + error / FIRST_SLOPE
    return None


def _stitch(
    segments: Sequence[Segment],
    pieces: Iterable[Piece],
    pauses: Pauses,
    spool: Spool,
    *,
    streamer: Streamer | None = None,
    grid: Grid | None = None,
    ahead: Ahead | None = None,
) -> tuple[Layout, LoudnessMeter, int]:
    """Pass 1: trim each piece, lay it after its pause, meter everything (pieces that
    ``ahead`` prepared are laid from what it made)."""
    layout: Layout | None = None
    meter: LoudnessMeter | None = None
    gap = 0.0
    frame: int | None = None
    for i, (segment, piece) in enumerate(zip(segments, pieces, strict=True)):
        if layout is None or meter is None:
            layout, meter = Layout(piece.sample_rate), LoudnessMeter(piece.sample_rate)
            gap = pauses.lead_in
            frame = grid(layout.rate) if grid else None
        silence = _pause_before(layout, i, gap, frame)
        # Raw loudness is only needed to choose a gain; a streamed master that has
        # one skips it (and the rare fallback measures it again, see _raw_loudness).
        metering = streamer is None or streamer.gain_db is None
        # Prepared at the piece's own rate; the master's is the first piece's.
        same_rate = piece.sample_rate == layout.rate
        prepared = ahead.take(i, piece) if ahead is not None and same_rate else None
        if prepared is not None and prepared.finished is not None and streamer is not None:
            streamer.ready[i] = prepared.finished
        laid = _Laid(segment, piece, silence, prepared)
        _lay_piece(layout, spool, laid, meter=meter if metering else None)
        nxt = segments[i + 1] if i + 1 < len(segments) else None
        gap = pause_between(segment, nxt, pauses) if nxt else 0.0
        if streamer is not None:
            streamer.follow(layout, spool, meter)
    if layout is None or meter is None:
        raise ValueError("nothing to master: no segments")
    return layout, meter, int(pauses.tail * layout.rate)


def _pause_before(layout: Layout, index: int, gap: float, frame: int | None) -> int:
    """Samples of silence before piece ``index``, lengthened onto the ``frame`` grid
    (and recorded in ``layout.cuts``) where the pause may start a new encoder span."""
    silence = int(gap * layout.rate)
    span = layout.position - layout.span_start
    if frame and index > 0 and _starts_span(gap, span, layout.rate):
        silence, layout.cuts[index] = _on_grid(layout.position, silence, frame, layout.rate)
        layout.span_start = layout.position + layout.cuts[index]
    return silence


@dataclass(frozen=True)
class _Laid:
    """A piece at its turn: its segment, its pause, and what was prepared of it."""

    segment: Segment
    piece: Piece
    silence: int
    """Samples of silence before it."""
    prepared: Prepared | None = None


def _lay_piece(layout: Layout, spool: Spool, laid: _Laid, *, meter: LoudnessMeter | None) -> None:
    """Trim the piece, store it in ``spool`` after its pause, and time its cue;
    ``meter`` (when given) measures it too."""
    prepared, rate = laid.prepared, layout.rate
    if prepared is None:
        start, audio = trim_piece(laid.piece.audio, rate)
        offset, samples = spool.append(audio)
    else:  # trimmed and stored before its turn
        start, (offset, samples) = prepared.start, prepared.raw
    if meter is not None:
        meter.add_silence(laid.silence)
        meter.add(spool.read(offset, samples) if prepared else audio, peaks=False)
        layout.metered += 1
    layout.position += laid.silence
    begin, finish = layout.position / rate, (layout.position + samples) / rate
    words = _words(laid.segment.text, laid.piece.words, begin - start / rate, (begin, finish))
    layout.cues.append(_cue(laid.segment, begin, finish, words))
    layout.pieces.append(Placement(laid.silence, offset, samples))
    layout.digests.append(laid.piece.digest)
    layout.position += samples


def _starts_span(gap: float, span: int, rate: int) -> bool:
    """Whether a pause of ``gap`` seconds, ``span`` samples into the current span, starts one."""
    return gap >= SPLIT_PAUSE or (span >= MAX_SPAN * rate and gap >= MIN_SPLIT_PAUSE)


def _on_grid(position: int, silence: int, frame: int, rate: int) -> tuple[int, int]:
    """(silence, cut): the pause after ``position`` lengthened by under one ``frame``
    so that a span starting ``cut`` samples into it lies on the frame grid, with
    :data:`SPAN_LEAD` of silence before the next word."""
    lead = int(SPAN_LEAD * rate)
    start = -(-(position + silence - lead) // frame) * frame
    return start + lead - position, start - position


def _cue(segment: Segment, start: float, end: float, words: tuple[WordTime, ...]) -> Cue:
    return Cue(
        segment.index,
        segment.role,
        segment.text,
        start,
        end,
        segment.paragraph,
        words,
        spoken=segment.spoken,
    )


def _words(
    text: str,
    spoken: tuple[WordTime, ...],
    shift: float,
    bounds: tuple[float, float],
) -> tuple[WordTime, ...]:
    """Display words timed from the voice's spoken-word alignments.

    Normalisation can change the word count ("$5" → "five dollars"), so display
    word *j* of *D* takes the spoken words in its share ``[j·S/D, (j+1)·S/D)``.
    """
    shown = text.split()
    if not spoken or not shown:
        return ()
    ratio = len(spoken) / len(shown)
    out: list[WordTime] = []
    for j, word in enumerate(shown):
        first = min(int(j * ratio), len(spoken) - 1)
        last = max(first, min(math.ceil((j + 1) * ratio) - 1, len(spoken) - 1))
        out.append(WordTime(word, spoken[first].start + shift, spoken[last].end + shift))
    return _clamp(out, *bounds)


def _clamp(words: list[WordTime], begin: float, end: float) -> tuple[WordTime, ...]:
    """Keep word times inside the cue and non-decreasing (trimming cuts the margins)."""
    out: list[WordTime] = []
    floor = begin
    for word in words:
        start = min(max(word.start, floor), end)
        out.append(WordTime(word.text, start, min(max(word.end, start), end)))
        floor = start
    return tuple(out)


def chapters_from(
    segments: Sequence[Segment], cues: Sequence[Cue], duration: float
) -> list[Chapter]:
    """Chapters open at segments that carry a chapter title and run to the next one."""
    starts = [
        (seg.chapter, cue.start) for seg, cue in zip(segments, cues, strict=True) if seg.chapter
    ]
    chapters: list[Chapter] = []
    for n, (title, start) in enumerate(starts):
        begin = 0.0 if n == 0 else start
        end = starts[n + 1][1] if n + 1 < len(starts) else duration
        chapters.append(Chapter(title, begin, end))
    return chapters
