"""End to end with the real Piper voice and the real ffmpeg: decode and measure the result."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import mutagen.mp3
import pytest
from mutagen.id3 import ID3

from articleaudio import Built
from articleaudio.encode.encoder import decode

from ..support.audio import cue_words, ebur128, mp3_info, parse_vtt

pytestmark = pytest.mark.slow


def test_mp3_stream_properties(real_episode: Built) -> None:
    info = mp3_info(real_episode.paths()["audio"])
    assert info.sample_rate == 44100
    assert info.channels == 1
    assert info.bitrate_mode == mutagen.mp3.BitrateMode.CBR
    # mutagen averages bytes per frame: each MP3 span restarts LAME's padding-slot
    # pattern, so a 64 kbps file can read as 63999 bit/s.
    assert round(info.bitrate / 1000) == 64
    # The Info frame's delay and padding make the length exact, not approximate.
    assert abs(info.length - real_episode.episode.timeline.duration) < 0.001


def test_decoded_duration_matches_timeline(real_episode: Built) -> None:
    samples = decode(Path(real_episode.paths()["audio"]))
    assert abs(len(samples) - real_episode.episode.timeline.duration * 44100) <= 1
    # A narrated article of this length is well over a minute; a broken pipeline is not.
    assert real_episode.episode.timeline.duration > 60


def test_loudness_measured_by_ffmpeg(real_episode: Built) -> None:
    integrated, true_peak = ebur128(Path(real_episode.paths()["audio"]))
    assert -17.0 <= integrated <= -15.0
    assert true_peak <= -1.0


def test_tags_and_chapters_read_back(real_episode: Built) -> None:
    tags = ID3(real_episode.paths()["audio"])
    assert tags.version[:2] == (2, 4)
    assert str(tags["TIT2"]) == "Riverside library reopens eight months after flood repairs"
    assert tags["TPE1"].text == ["Maya Okafor", "Daniel Brennan"]
    assert str(tags["TCON"]) == "Podcast"
    assert str(tags["TLAN"]) == "eng"
    assert "AI assistance" in tags.getall("COMM")[0].text[0]
    toc = tags.getall("CTOC")[0]
    chapters = [tags[f"CHAP:{eid}"] for eid in toc.child_element_ids]
    titles = [str(ch.sub_frames["TIT2"]) for ch in chapters]
    assert titles == ["Introduction", "What changed", "What comes next"]
    starts = [ch.start_time for ch in chapters]
    assert starts == sorted(starts) and starts[0] == 0
    timeline = real_episode.episode.timeline
    assert [round(c.start * 1000) for c in timeline.chapters] == starts
    assert chapters[-1].end_time == round(timeline.duration * 1000)


def test_vtt_cues_increase_inside_duration(real_episode: Built) -> None:
    cues = parse_vtt(Path(real_episode.paths()["vtt"]).read_text(encoding="utf-8"))
    duration = real_episode.episode.timeline.duration
    assert len(cues) == len(real_episode.episode.timeline.cues)
    previous_end = 0.0
    for start, end, payload in cues:
        assert previous_end <= start < end <= duration
        previous_end = end
        _text, stamps = cue_words(payload)
        assert stamps == sorted(stamps) and all(start <= t <= end for t in stamps)
    texts = [cue_words(payload)[0] for _s, _e, payload in cues]
    # Piper's phoneme alignments give every word of the body its own time.
    worded = [c for c in real_episode.episode.timeline.cues if c.words]
    assert len(worded) == len(real_episode.episode.timeline.cues)
    assert texts[0] == "Riverside library reopens eight months after flood repairs"
    assert "This audio is created with AI assistance." in texts[:4]


def test_sidecars_and_metadata(real_episode: Built) -> None:
    folder = real_episode.directory
    meta = json.loads((folder / "episode.json").read_text(encoding="utf-8"))
    assert meta["audio"]["bytes"] == Path(real_episode.paths()["audio"]).stat().st_size
    assert meta["voice"] == "en_US-joe-medium"
    assert len(meta["input_sha256"]) == 64
    chapters = json.loads(Path(real_episode.paths()["chapters_json"]).read_text(encoding="utf-8"))
    assert chapters["version"] == "1.2.0"
    assert next(c["title"] for c in chapters["chapters"]) == "Introduction"
    transcript = json.loads(
        Path(real_episode.paths()["transcript_json"]).read_text(encoding="utf-8")
    )
    assert len(transcript["segments"]) == len(meta["timeline"]["cues"])
    # Nothing half-written or staged is left beside the episode.
    leftovers = [p.name for p in folder.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_pauses_are_silent_and_speech_is_not(real_episode: Built) -> None:
    """Cue boundaries measured on the decoded audio: gaps quiet, cues voiced."""
    import numpy as np

    samples = decode(Path(real_episode.paths()["audio"]))
    cues = real_episode.episode.timeline.cues

    def rms(a: float, b: float) -> float:
        chunk = samples[int(a * 44100) : int(b * 44100)]
        return float(np.sqrt(np.mean(chunk**2))) if chunk.size else 0.0

    for before, after in itertools.pairwise(cues):
        gap = (before.end + 0.05, after.start - 0.05)
        if gap[1] - gap[0] > 0.1:
            assert rms(*gap) < 0.003, f"noise between cue {before.index} and {after.index}"
    for cue in cues:
        assert rms(cue.start, cue.end) > 0.02, f"cue {cue.index} is silent"
