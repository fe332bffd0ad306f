"""``articleaudio check`` with the real voice and the real recogniser.

One episode holds clean sentences and twelve with planted faults (tests/support/
check_faults.py): the check must flag every fault at its own sentence and time, with
the right comparison and kind, and flag no clean sentence. The same episode serves the
``check.json`` and ``--try`` tests; ``build --check=strict`` gets a small one of its own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from articleaudio import Built
from articleaudio.check import CheckSettings, RecogniserSettings, open_recogniser, recogniser
from articleaudio.check.listen import spans
from articleaudio.check.pack import WINDOW_S
from articleaudio.check.recogniser import ENCODER_FRAMES, FRAME_S, RATE
from articleaudio.check_report import read_check_report
from articleaudio.cli.app import cli
from articleaudio.encode import decode_audio
from articleaudio.layout import CHECK_FILE, read_episode

from ..support.check_faults import FAULTS, Fault, build_faulty, clean_sentences

pytestmark = pytest.mark.slow

CLEAN = 20
"""Clean sentences in the test's episode (the benchmark hears all of them)."""
FAULTS_MISSED = 4
"""Planted faults the default model may miss: tiny.en found 9 to 12 of the 13 in
different runs (README); which ones depends on where a sentence sits, its neighbours
changing the padded span it is heard in and the sentences heard with it in one window."""


@dataclass(frozen=True)
class Checked:
    built: Built
    lexicon: Path
    report: dict[str, Any]
    """What ``check --json`` printed."""


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    built, lexicon = build_faulty(tmp_path_factory.mktemp("check"), clean_sentences(CLEAN))
    library = str(built.directory.parent.parent)
    result = CliRunner().invoke(cli, ["check", built.episode.slug, "-o", library, "--json"])
    assert result.exit_code == 0, result.output
    return Checked(built, lexicon, json.loads(result.stdout))


def _record(checked: Checked) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((checked.built.directory / CHECK_FILE).read_text("utf-8"))
    return data


def _cue_index(built: Built, text: str) -> int:
    (index,) = [c.index for c in built.episode.timeline.cues if c.text == text]
    return index


def test_no_clean_sentence_is_flagged(checked: Checked) -> None:
    faulty = {_cue_index(checked.built, f.sentence) for f in FAULTS}
    false = [f for f in checked.report["flags"] if f["index"] not in faulty]
    assert false == [], json.dumps(false, ensure_ascii=False)  # every field, to tell why


def test_planted_faults_are_flagged_at_their_sentence_and_time(checked: Checked) -> None:
    cues = {c.index: c for c in checked.built.episode.timeline.cues}
    found: list[Fault] = []
    missed: list[Fault] = []
    for fault in FAULTS:
        index = _cue_index(checked.built, fault.sentence)
        flags = [f for f in checked.report["flags"] if f["index"] == index]
        for flag in flags:  # every flag points at its own sentence and its time
            assert flag["text"] == fault.sentence
            assert (flag["start"], flag["end"]) == (
                round(cues[index].start, 3),
                round(cues[index].end, 3),
            )
        right = any(f["against"] == fault.against and f["kind"] == fault.kind for f in flags)
        (found if right else missed).append(fault)
    # Measured with tiny.en (README): all but FAULTS_MISSED of the faults are found, with
    # the comparison and kind they were planted as, of both comparisons and most kinds.
    scores = {s["index"]: s["score"] for s in _record(checked)["scores"]}
    told = [
        (f.sentence, f.against, f.kind, scores[_cue_index(checked.built, f.sentence)])
        for f in missed
    ]
    assert len(missed) <= FAULTS_MISSED, told
    assert len({f.kind for f in found}) >= 4 and {f.against for f in found} == {"spoken", "article"}


def test_check_json_beside_the_episode_scores_every_sentence(checked: Checked) -> None:
    record = _record(checked)
    cues = checked.built.episode.timeline.cues
    assert record["slug"] == checked.built.episode.slug and record["version"] == 1
    assert record["model"] == "tiny.en" and record["sentences"] == len(cues)
    assert [s["index"] for s in record["scores"]] == [c.index for c in cues]
    flagged = {f["index"] for f in record["flags"]}
    assert {s["index"] for s in record["scores"] if s["flagged"]} == flagged
    assert record["flags"] == checked.report["flags"]
    scores = [f["score"] for f in record["flags"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert 0 < record["wer"] < 0.5
    assert "scores" not in checked.report  # --json leaves the per-sentence scores out
    # The review page (embed --review) reads what the check wrote.
    shown = read_check_report(checked.built.directory, checked.built.episode.slug)
    assert [f.index for f in shown.flags] == [f["index"] for f in record["flags"]]
    assert len(shown.scores) == len(cues)


# A respelling no hearing of the voice's can take for the word. WRONG_LEXICON's
# "Hel-sing-borg" is heard as "helsingborg" in about one build of five, scored 0.34-0.51
# (close to the name: a recogniser's slip as likely as the voice's), so a flag there
# depends on the voice's noise; "Oslo" scored 0.68 in 8 builds of 8.
STRICT_LEXICON = '[[entry]]\nword = "Helsinki"\nsay = "Oslo"\n'


def test_try_says_the_flagged_name_again_and_shows_before_and_after(tmp_path: Path) -> None:
    lexicon, article = tmp_path / "wrong.toml", tmp_path / "note.md"
    lexicon.write_text(STRICT_LEXICON, encoding="utf-8")
    article.write_text("# Short note\n\nThe summit in Helsinki ended without a deal.\n")
    library = str(tmp_path / "out")
    built = CliRunner().invoke(
        cli, ["build", str(article), "-o", library, "--lexicon", str(lexicon)]
    )
    assert built.exit_code == 0, built.output
    args = ["check", "short-note", "-o", library, "--try", "Helsinki=Hel-sin-kee"]
    result = CliRunner().invoke(cli, [*args, "--lexicon", str(lexicon)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].strip().endswith("The summit in Helsinki ended without a deal.")
    assert lines[1].strip().startswith("before: heard")
    assert re.search(r": name [a-z ]*helsinki → ", lines[1]), lines[1]  # the wrong respelling
    assert lines[2].strip().startswith("after:  heard")  # the sentence said again, heard anew
    assert lines[-1] == "The episode is unchanged: add the entry to a lexicon and rebuild."


def test_build_check_strict_fails_but_publishes(tmp_path: Path) -> None:
    lexicon = tmp_path / "wrong.toml"
    lexicon.write_text(STRICT_LEXICON, encoding="utf-8")
    article = tmp_path / "note.md"
    article.write_text("# Short note\n\nThe summit in Helsinki ended without a deal.\n")
    out = tmp_path / "out"
    # --check=strict before the source: the mode comes after '=', the source stays a source
    args = ["build", "--check=strict", str(article), "-o", str(out), "--lexicon", str(lexicon)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "helsinki" in result.stdout and "name" in result.stdout
    assert result.stderr.startswith("Error: sentences flagged in short-note (1)")
    assert "published" in result.stderr
    assert "short-note" in (out / "feed.xml").read_text(encoding="utf-8")
    assert (out / "episodes" / "short-note" / CHECK_FILE).is_file()

    every = CliRunner().invoke(cli, ["check", "--all", "-o", str(out)])
    assert every.exit_code == 0, every.output
    (line,) = every.stdout.splitlines()  # --all: one summary line per episode, no table
    assert re.fullmatch(
        r"short-note: \d+ sentences, 1 flagged, WER [\d.]+% \(tiny\.en, [\d.]+ s\)", line
    )


def test_windows_heard_side_by_side_are_heard_as_one_at_a_time(checked: Checked) -> None:
    """Two lanes (the windows split between two of the model's workers, one core each)
    write down exactly what one lane does: the split changes the time, not the words."""
    folder = checked.built.directory
    episode = read_episode(folder)
    audio = decode_audio(folder / episode.audio.file, RATE)
    windows = spans(episode.timeline.cues, CheckSettings().pad)
    heard = {
        lanes: open_recogniser(CheckSettings(RecogniserSettings(threads=lanes))).hear_spans(
            audio, windows
        )
        for lanes in (1, 2)
    }
    assert len(heard[1]) == len(windows) and sum(bool(t) for t in heard[1]) > len(windows) // 2
    assert heard[2] == heard[1]


def test_the_encoder_hears_each_window_and_silence_not_30_seconds(
    checked: Checked, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every batch the packed windows are heard in is cut to ENCODER_FRAMES of features, not
    Whisper's 30 s, each clip's own frames as the pipeline made them and what follows
    them its silence floor where faster-whisper had put zeros."""
    folder = checked.built.directory
    episode = read_episode(folder)
    audio = decode_audio(folder / episode.audio.file, RATE)
    given: list[tuple[np.ndarray, list[int], np.ndarray]] = []
    cut = recogniser._heard_features

    def spy(features: np.ndarray, clips: list[dict[str, float]]) -> np.ndarray:
        heard = cut(features, clips)
        given.append((features, [recogniser.clip_frames(c) for c in clips], heard))
        return heard

    monkeypatch.setattr(recogniser, "_heard_features", spy)
    texts = open_recogniser(CheckSettings()).hear_spans(
        audio, spans(episode.timeline.cues, CheckSettings().pad)
    )
    assert given and sum(bool(t) for t in texts) > len(texts) // 2
    for features, lengths, heard in given:
        assert features.shape[-1] == 3000 and heard.shape[-1] == ENCODER_FRAMES
        for n, length in enumerate(lengths):
            assert 0 < length <= WINDOW_S / FRAME_S
            assert (features[n, :, length:] == 0).all()  # faster-whisper's padding
            assert (heard[n, :, :length] == features[n, :, :length]).all()
            assert (heard[n, :, length:] == features[n, :, :length].max() - 2.0).all()
