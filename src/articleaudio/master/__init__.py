"""Master stage: pieces → one episode (pauses, seams, one loudness gain) and its timeline.

The names below are this stage's public face; its modules are private by convention.
They load on first use (:func:`articleaudio._lazy.exports`), so importing one module
of the stage does not import the others.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .ahead import Ahead
    from .layout import MasterSettings, Pauses
    from .loudness import LoudnessMeter, WeightedPieces, samples_key, streamed_true_peak
    from .mastering import Grid, Mastered, master
    from .stream import Stream

__all__ = [
    "Ahead",
    "Grid",
    "LoudnessMeter",
    "MasterSettings",
    "Mastered",
    "Pauses",
    "Stream",
    "WeightedPieces",
    "master",
    "samples_key",
    "streamed_true_peak",
]

__getattr__ = exports(
    __name__,
    {
        "Ahead": ".ahead",
        "Grid": ".mastering",
        "LoudnessMeter": ".loudness",
        "MasterSettings": ".layout",
        "Mastered": ".mastering",
        "Pauses": ".layout",
        "Stream": ".stream",
        "WeightedPieces": ".loudness",
        "master": ".mastering",
        "samples_key": ".loudness",
        "streamed_true_peak": ".loudness",
    },
)
