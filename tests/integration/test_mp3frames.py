"""MP3 made of independently encoded spans (real LAME, decoded by real ffmpeg)."""

from __future__ import annotations

import hashlib
import itertools
import math
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import lameenc
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articleaudio.encode import span_peaks
from articleaudio.encode.encoder import decode, decoded_true_peak, encode
from articleaudio.encode.ffmpeg import (
    DECODE_CHUNK_SAMPLES,
    decode_mp3_frames,
    decode_stream,
    ffmpeg_path,
)
from articleaudio.encode.mp3frames import (
    FRAME,
    SpanWriter,
    count_frames,
    crc16,
    encode_span,
    frame_grid,
    frames_for,
    upsample,
)
from articleaudio.encode.span_peaks import decoded_peaks
from articleaudio.errors import AudioToolError, PublishError
from articleaudio.master.mastering import MAX_SPAN, SPAN_LEAD, master
from articleaudio.models import Role, Segment
from articleaudio.synth.cache import Cache, SpanCache

from ..support.audio import mp3_info
from ..support.fake_synthesizer import FakeSynthesizer

RATE = 22050
GRID = FRAME // 2


def _raw_lame(samples: int) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(44100)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(np.zeros(samples, "<i2").tobytes())) + bytes(encoder.flush())


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=40 * FRAME))
def test_frame_count_formula_matches_lame(samples: int) -> None:
    assert count_frames(_raw_lame(samples)) == frames_for(samples)


def test_lame_tag_crc_matches_ffmpegs(tmp_path: Path) -> None:
    # ffmpeg's muxer writes a LAME tag; our CRC over its first 190 bytes must agree.
    path = tmp_path / "ff.mp3"
    command = [
        ffmpeg_path(),
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "sine=d=1",
        "-ac",
        "1",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "64k",
        "-id3v2_version",
        "0",
        str(path),
    ]
    subprocess.run(command, check=True)
    frame = bytearray(path.read_bytes()[:208])
    assert frame[21:25] == b"Info"
    stored = int.from_bytes(frame[175:177], "big")
    frame[175:177] = b"\0\0"
    assert crc16(bytes(frame[:190])) == stored


def _clicks(spans: list[int], rng: np.random.Generator) -> tuple[np.ndarray, list[int], list[int]]:
    """A signal of ``spans`` grid-aligned stretches, each with one loud click in the middle
    and silence around its cut; returns the signal, cut positions and click positions."""
    parts, cuts, clicks, position = [], [], [], 0
    for frames in spans:
        part = np.zeros(frames * GRID, np.float32)
        at = int(rng.integers(GRID * 2, len(part) - GRID * 3))
        part[at] = 0.8
        clicks.append(position + at)
        parts.append(part)
        position += len(part)
        cuts.append(position)
    return np.concatenate(parts), cuts[:-1], clicks


def _write(
    path: Path, audio: np.ndarray, cuts: list[int], store: SpanCache | None, bitrate: int = 64
) -> int:
    return _writer(path, audio, cuts, store, bitrate).encoded


def _writer(
    path: Path, audio: np.ndarray, cuts: list[int], store: SpanCache | None, bitrate: int = 64
) -> SpanWriter:
    """A finished SpanWriter that wrote ``audio`` to ``path`` with spans cut at ``cuts``."""
    writer = SpanWriter(path, RATE, bitrate, store=store)
    start = 0
    for cut in [*cuts, len(audio)]:
        writer.write(audio[start:cut])
        writer.cut()
        start = cut
    writer.finish()
    return writer


def test_spans_decode_at_exact_positions_and_length(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    audio, cuts, clicks = _clicks([40, 33, 57, 41], rng)
    path = tmp_path / "spans.mp3"
    assert _write(path, audio, cuts, None) == 4
    decoded = decode(path)
    assert len(decoded) == 2 * len(audio)
    assert mp3_info(path).length == pytest.approx(len(audio) / RATE, abs=1e-4)
    _assert_clicks_at(decoded, clicks)


def _assert_clicks_at(decoded: np.ndarray, clicks: list[int]) -> None:
    """Each click decodes where it was written (44.1 kHz is twice the input rate)."""
    for click in clicks:
        window = decoded[2 * click - 200 : 2 * click + 200]
        assert int(np.argmax(np.abs(window))) - 200 in (-1, 0, 1)


def test_spliced_file_sounds_like_one_encode(tmp_path: Path) -> None:
    t = np.arange(30 * GRID) / RATE
    burst = (0.3 * np.sin(2 * np.pi * 180 * t) * np.sin(np.pi * t / t[-1]) ** 2).astype(np.float32)
    gap = np.zeros(20 * GRID, np.float32)
    audio = np.concatenate([gap, burst, gap, burst, gap, burst, gap])
    cuts = [60 * GRID, 110 * GRID]  # in the middle of the second and third gaps
    _write(tmp_path / "spans.mp3", audio, cuts, None)
    encode([audio], RATE, tmp_path / "whole.mp3", "mp3", 64)  # one span, same encoder
    reference = np.repeat(audio, 2)
    for name in ("spans.mp3", "whole.mp3"):
        decoded = decode(tmp_path / name)
        error = decoded - np.interp(np.arange(len(decoded)) / 2, np.arange(len(audio)), audio)
        snr = 10 * np.log10(np.sum(reference**2) / np.sum(error**2))
        assert snr > 25, name
        # Nothing audible at the seams: the cuts' surroundings decode to near silence.
        for cut in cuts:
            assert np.abs(decoded[2 * cut - 2000 : 2 * cut + 2000]).max() < 1e-3


def test_cut_off_the_grid_or_over_sound_is_declined(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    audio, cuts, clicks = _clicks([30, 30], rng)
    audio[cuts[0] - 5] = 0.5  # sound inside the frame before the cut
    path = tmp_path / "declined.mp3"
    assert _write(path, audio, [cuts[0], cuts[0] + 7], None) == 1
    decoded = decode(path)
    assert len(decoded) == 2 * len(audio)
    _assert_clicks_at(decoded, clicks)


def test_unchanged_spans_come_from_the_cache(tmp_path: Path) -> None:
    store = Cache(tmp_path / "cache").spans
    rng = np.random.default_rng(11)
    audio, cuts, _clicks_at = _clicks([40, 40, 40], rng)
    assert _write(tmp_path / "a.mp3", audio, cuts, store) == 3
    assert _write(tmp_path / "b.mp3", audio, cuts, store) == 0
    assert (tmp_path / "a.mp3").read_bytes() == (tmp_path / "b.mp3").read_bytes()
    edited = audio.copy()
    edited[cuts[0] + 5 * GRID] = 0.3
    assert _write(tmp_path / "c.mp3", edited, cuts, store) == 1
    # A damaged span is encoded again, never spliced in.
    span = next((tmp_path / "cache" / "spans").glob("??/*.span"))
    span.write_bytes(span.read_bytes()[:-50])
    assert _write(tmp_path / "d.mp3", audio, cuts, store) == 1
    assert (tmp_path / "d.mp3").read_bytes() == (tmp_path / "a.mp3").read_bytes()


def _bursts(spans: list[int], rng: np.random.Generator) -> tuple[np.ndarray, list[int]]:
    """Grid-aligned stretches, each a burst of speech-like noise inside silence (peaks
    between samples included); returns the signal and its cut positions."""
    parts, cuts = [], []
    for frames in spans:
        part = np.zeros(frames * GRID, np.float32)
        noise = np.convolve(rng.standard_normal(len(part) - 7 * GRID), np.hanning(5), "same")
        part[3 * GRID : -4 * GRID] = 0.2 * noise / np.abs(noise).max()
        parts.append(part)
        cuts.append(sum(map(len, parts)))
    return np.concatenate(parts), cuts[:-1]


def test_true_peak_from_the_spans_is_the_decoded_files(tmp_path: Path) -> None:
    # Each span's decoded peak is measured once and kept with its bytes; the file's is
    # the largest, and matches decoding the whole file, because spans meet in silence.
    store = Cache(tmp_path / "cache").spans
    audio, cuts = _bursts([40, 35, 50, 30], np.random.default_rng(13))
    audio[cuts[1] : cuts[2]] *= 3  # the third span is the loudest
    first = _writer(tmp_path / "a.mp3", audio, cuts, store)
    assert (first.encoded, first.decoded) == (4, 4)
    assert first.true_peak_db == pytest.approx(decoded_true_peak(tmp_path / "a.mp3"), abs=1e-3)
    again = _writer(tmp_path / "b.mp3", audio, cuts, store)
    assert (again.encoded, again.decoded) == (0, 0)
    assert again.true_peak_db == first.true_peak_db
    # An edit that makes the first span the loudest: only it is encoded and decoded.
    edited = audio.copy()
    edited[: cuts[0]] *= 4
    louder = _writer(tmp_path / "c.mp3", edited, cuts, store)
    assert (louder.encoded, louder.decoded) == (1, 1)
    assert louder.true_peak_db == pytest.approx(decoded_true_peak(tmp_path / "c.mp3"), abs=1e-3)
    assert louder.true_peak_db is not None and first.true_peak_db is not None
    assert louder.true_peak_db > first.true_peak_db + 1
    # No store, nothing to remember peaks by: the caller decodes the whole file.
    assert _writer(tmp_path / "d.mp3", audio, cuts, None).true_peak_db is None


def test_spans_cached_before_peaks_are_decoded_once(tmp_path: Path) -> None:
    store = Cache(tmp_path / "cache").spans
    audio, cuts = _bursts([40, 35, 30], np.random.default_rng(17))
    first = _writer(tmp_path / "a.mp3", audio, cuts, store)
    for path in (tmp_path / "cache" / "spans").glob("??/*.span"):
        data = store.get(path.stem)
        assert data is not None
        path.write_bytes(hashlib.sha256(data).digest() + data)  # as builds kept them before
        assert store.recall(path.stem) == (data, None)
    legacy = _writer(tmp_path / "b.mp3", audio, cuts, store)
    assert (legacy.encoded, legacy.decoded) == (0, 3)
    assert legacy.true_peak_db == first.true_peak_db
    assert _writer(tmp_path / "c.mp3", audio, cuts, store).decoded == 0
    assert (tmp_path / "c.mp3").read_bytes() == (tmp_path / "a.mp3").read_bytes()


class _Recorder:
    """A span store in memory (a SpanStore) that notes every measured peak in the order
    it was kept, and which threads measured them."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[bytes, float | None]] = {}
        self.peaks: list[tuple[bytes, float]] = []
        self.threads: set[str] = set()

    def recall(self, key: str) -> tuple[bytes, float | None] | None:
        return self.kept.get(key)

    def put(self, key: str, data: bytes, peak: float | None = None) -> None:
        self.kept[key] = (data, peak)
        if peak is not None:
            self.peaks.append((data, peak))
            self.threads.add(threading.current_thread().name)


def _peak_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("articleaudio-peaks")]


def _write_all_but_finish(writer: SpanWriter, audio: np.ndarray, cuts: list[int]) -> None:
    start = 0
    for cut in [*cuts, len(audio)]:
        writer.write(audio[start:cut])
        writer.cut()
        start = cut


def _wait_for(condition: str, check: Callable[[], object]) -> None:
    """Poll ``check()`` for up to a minute (a loaded machine is slow, never wrong)."""
    deadline = time.monotonic() + 60
    while not check() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert check(), condition


def test_peaks_measured_while_writing_equal_one_run_over_all_spans(tmp_path: Path) -> None:
    # 22 spans of 1.15 s, measured 4 s at a time while later spans are still written:
    # each span's peak must equal, to the bit, what one ffmpeg run over all of them
    # (the whole-file measure at the end of a build before) gives, also for the spans
    # that straddle one of that run's 2**20-sample decoding chunks.
    audio, cuts = _bursts([44] * 22, np.random.default_rng(19))
    audio[cuts[14] : cuts[15]] *= 4  # the 16th span is the loudest
    store = _Recorder()
    path = tmp_path / "a.mp3"
    writer = SpanWriter(path, RATE, 64, store=store, peak_batch_seconds=4.0)
    _write_all_but_finish(writer, audio, cuts)
    _wait_for("peaks measured before finish()", lambda: store.peaks)
    assert len(_peak_threads()) == 1
    writer.finish()
    spans = [data for data, _ in store.peaks]
    info = 144000 * 64 // 44100  # the Info frame's bytes at 64 kb/s
    assert path.read_bytes()[info:] == b"".join(spans)  # every span once, in file order
    lengths = [count_frames(data) * FRAME for data in spans]
    assert len(spans) == writer.decoded == 22 and sum(lengths) > DECODE_CHUNK_SAMPLES
    whole = decoded_peaks(spans, lengths)
    assert [peak for _, peak in store.peaks] == whole
    assert writer.true_peak_db == 20 * math.log10(max(whole))
    assert store.threads == {"articleaudio-peaks_0"} and not _peak_threads()


def test_a_peak_batch_failing_in_the_background_fails_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real decoder, given a batch whose second half was zeroed on the way to it.
    real, ran = decode_mp3_frames, threading.Event()

    def damaged(data: bytes) -> Iterator[np.ndarray]:
        ran.set()
        return real(data[: len(data) // 2] + bytes(len(data) - len(data) // 2))

    monkeypatch.setattr(span_peaks, "decode_mp3_frames", damaged)
    audio, cuts = _bursts([30] * 8, np.random.default_rng(23))
    store = _Recorder()
    path = tmp_path / "failed.mp3"
    writer = SpanWriter(path, RATE, 64, store=store, peak_batch_seconds=1.0)
    _write_all_but_finish(writer, audio, cuts)
    _wait_for("a batch decoded before finish()", ran.is_set)
    with pytest.raises(AudioToolError, match=r"^cannot decode MP3 frames: .*Invalid data"):
        writer.finish()
    assert not path.exists() and not store.peaks and not _peak_threads()


def test_spans_decode_in_process_to_the_samples_ffmpeg_gives(tmp_path: Path) -> None:
    # The spans' peaks are measured from an in-process decode: it must be ffmpeg's own.
    audio, cuts = _bursts([40, 25, 60], np.random.default_rng(31))
    bounds = [0, *cuts, len(audio)]
    spans = [encode_span(audio[a:b], RATE, 64) for a, b in itertools.pairwise(bounds)]
    joined = tmp_path / "spans.mp3"
    joined.write_bytes(b"".join(spans))
    here = np.concatenate(list(decode_mp3_frames(joined.read_bytes())))
    assert len(here) == sum(count_frames(span) for span in spans) * FRAME
    assert np.array_equal(here, np.concatenate(list(decode_stream(joined))))
    with pytest.raises(AudioToolError, match=r"^cannot decode MP3 frames: "):
        list(decode_mp3_frames(spans[0][: len(spans[0]) // 2] + bytes(4000)))


def test_abort_stops_the_peak_thread(tmp_path: Path) -> None:
    audio, cuts = _bursts([30] * 12, np.random.default_rng(29))
    path = tmp_path / "aborted.mp3"
    writer = SpanWriter(path, RATE, 64, store=_Recorder(), peak_batch_seconds=1.0)
    _write_all_but_finish(writer, audio, cuts)
    # The encoder thread appends each span as it is made, and a batch's thread starts then.
    _wait_for("spans written before finish()", lambda: path.exists() and path.stat().st_size)
    _wait_for("a batch being measured", lambda: len(_peak_threads()) == 1)
    writer.abort()
    assert not path.exists() and not _peak_threads()


def test_encode_span_checks_lame_frame_count() -> None:
    data = encode_span(np.zeros(10 * GRID, np.float32), RATE, 64)
    assert count_frames(data) == frames_for(10 * FRAME)


def test_master_lays_spans_on_the_grid() -> None:
    texts = ["A headline here", "First paragraph words.", "Same paragraph.", "Next paragraph."]
    roles = [Role.TITLE, Role.SENTENCE, Role.SENTENCE, Role.SENTENCE]
    paragraphs = [0, 1, 1, 2]
    segments = [
        Segment(i, role, text, text, paragraph=p)
        for i, (role, text, p) in enumerate(zip(roles, texts, paragraphs, strict=True))
    ]
    fake = FakeSynthesizer()
    plain = master(segments, [fake.synthesize(s.spoken) for s in segments])
    gridded = master(segments, [fake.synthesize(s.spoken) for s in segments], grid=frame_grid)
    assert plain.cuts == ()
    assert [index for index, _ in gridded.cuts] == [1, 3]  # after the title, new paragraph
    lead = int(SPAN_LEAD * RATE)
    starts = [0]
    for silence, _offset, samples in gridded.layout:
        starts.append(starts[-1] + silence + samples)
    for index, into in gridded.cuts:
        silence = gridded.layout[index][0]
        cut = starts[index] + into
        assert cut % GRID == 0 and silence - into == lead
    for before, after in zip(plain.timeline.cues, gridded.timeline.cues, strict=True):
        # Each span start lengthens one pause by less than a frame.
        assert 0 <= after.start - before.start < 2 * GRID / RATE
    assert frame_grid(16000) is None and frame_grid(22050) == GRID


def test_long_paragraphs_are_cut_at_sentence_pauses() -> None:
    # One paragraph of about three minutes: spans stay near MAX_SPAN, so the encoder
    # holds about a minute of audio at a time.
    sentence = "The committee heard evidence from residents about the harbour plan."
    segments = [Segment(i, Role.SENTENCE, sentence, sentence, paragraph=0) for i in range(45)]
    fake = FakeSynthesizer()
    mastered = master(segments, [fake.synthesize(s.spoken) for s in segments], grid=frame_grid)
    starts = [0]
    for silence, _offset, samples in mastered.layout:
        starts.append(starts[-1] + silence + samples)
    cuts = [0] + [starts[index] + into for index, into in mastered.cuts] + [starts[-1]]
    assert len(cuts) > 3
    longest_sentence = max(samples for _s, _o, samples in mastered.layout)
    for begin, end in itertools.pairwise(cuts):
        assert begin % GRID == 0
        assert (end - begin) / RATE < MAX_SPAN + (longest_sentence + GRID) / RATE + 1


@pytest.mark.parametrize("factor", [2, 4])
def test_upsampler_matches_scipy_and_rejects_images(factor: int) -> None:
    from scipy.signal import resample_poly

    rng = np.random.default_rng(5)
    speechy = np.convolve(rng.standard_normal(RATE), np.hanning(9), "same").astype(np.float32)
    ours = upsample(speechy * 0.1, factor)
    reference = resample_poly(speechy.astype(np.float64) * 0.1, factor, 1)
    core = slice(200 * factor, -200 * factor)
    error = ours[core] - reference[core]
    assert 10 * np.log10(np.sum(reference[core] ** 2) / np.sum(error**2)) > 55
    # A 9 kHz tone: its image at 22.05 - 9 = 13.05 kHz must be at least 70 dB down.
    t = np.arange(RATE) / RATE
    spectrum = np.abs(np.fft.rfft(upsample(np.sin(2 * np.pi * 9000 * t), factor)))
    hz = np.fft.rfftfreq(RATE * factor, 1 / (RATE * factor))
    image = spectrum[np.abs(hz - 13050) < 50].max()
    assert 20 * np.log10(image / spectrum.max()) < -70


def test_abort_deletes_the_partly_written_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    audio, cuts, _clicks_at = _clicks([30] * 8, rng)
    path = tmp_path / "partial.mp3"
    writer = SpanWriter(path, RATE, 64)
    start = 0
    for cut in cuts:
        writer.write(audio[start:cut])
        writer.cut()
        start = cut
    writer.write(audio[start : start + GRID])  # makes the last cut happen
    # finished spans are written out by the encoder thread before finish()
    _wait_for("spans written before finish()", lambda: path.exists() and path.stat().st_size)
    writer.abort()
    assert not path.exists()


@pytest.mark.parametrize("bitrate", [32, 40, 48, 56, 64, 128])
def test_every_bit_rate_gives_a_44k1_mp3_of_the_right_length(tmp_path: Path, bitrate: int) -> None:
    # Below 64 kb/s LAME chose a lower output rate by itself, so its frames were
    # not the 44.1 kHz MPEG-1 frames the grid and the Info frame describe, and
    # every build at 32-56 kb/s failed with "damaged frame".
    rng = np.random.default_rng(bitrate)
    audio, cuts, _ = _clicks([30, 25], rng)
    pieces = [audio[a:b] for a, b in itertools.pairwise([0, *cuts, len(audio)])]
    path = tmp_path / f"episode-{bitrate}.mp3"
    encode(itertools.chain(*((p, None) for p in pieces)), RATE, path, "mp3", bitrate)
    info = mp3_info(path)
    assert (info.sample_rate, info.channels) == (44100, 1)
    assert info.bitrate == pytest.approx(bitrate * 1000, rel=0.01)
    assert info.length == pytest.approx(len(audio) / RATE, abs=0.03)
    assert len(decode(path)) == pytest.approx(2 * len(audio), abs=0.03 * 44100)


def test_an_edits_new_spans_are_measured_once_a_known_span_follows(tmp_path: Path) -> None:
    # After an edit, a few new spans sit among spans the store knows. A batch of 60 s
    # would wait for finish(); the known span after the new ones sends them at once, and
    # their peaks equal a whole-file build's to the bit.
    audio, cuts = _bursts([44] * 8, np.random.default_rng(31))
    whole = _Recorder()
    first = SpanWriter(tmp_path / "whole.mp3", RATE, 64, store=whole)
    _write_all_but_finish(first, audio, cuts)
    first.finish()
    store = _Recorder()
    store.kept = {key: kept for n, (key, kept) in enumerate(whole.kept.items()) if n not in (2, 3)}
    writer = SpanWriter(tmp_path / "edit.mp3", RATE, 64, store=store, peak_batch_seconds=60.0)
    _write_all_but_finish(writer, audio, cuts)
    _wait_for("the new spans measured before finish()", lambda: len(store.peaks) == 2)
    writer.finish()
    assert (writer.encoded, writer.decoded, first.decoded) == (2, 2, 8)
    assert [peak for _, peak in store.peaks] == [peak for _, peak in whole.peaks[2:4]]
    assert writer.true_peak_db == first.true_peak_db
    assert (tmp_path / "edit.mp3").read_bytes() == (tmp_path / "whole.mp3").read_bytes()


class _FailingStore(_Recorder):
    """A store whose third lookup fails, as a cache on a disk that went away would."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0

    def recall(self, key: str) -> tuple[bytes, float | None] | None:
        self.lookups += 1
        if self.lookups == 3:
            raise PublishError("the cache went away")
        return super().recall(key)


def test_the_spans_after_a_failed_one_are_not_made(tmp_path: Path) -> None:
    audio, cuts = _bursts([44] * 8, np.random.default_rng(37))
    store = _FailingStore()
    path = tmp_path / "failed.mp3"
    writer = SpanWriter(path, RATE, 64, store=store)
    with pytest.raises(PublishError, match="the cache went away"):
        _write_all_but_finish(writer, audio, cuts)
        writer.finish()
    writer.abort()
    # Spans 1 and 2 were made, the third failed, and the five after it were skipped.
    assert (store.lookups, writer.encoded) == (3, 2)
    assert not path.exists()
