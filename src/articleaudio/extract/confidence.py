"""How far to trust an extraction: one number in 0..1 from the article and its source.

The score is a logistic model over the signals of :mod:`.evidence`: the estimated
probability that the extraction's token F1 against a careful reader's copy is at least
0.9. ``WEIGHTS`` were fitted by ``benchmarks/fit_confidence.py`` on the development set
(see that script for the method, and the README for how well the score predicts F1);
rerun it and paste its table after changing a signal.

Only the extraction's output and its input are read, never an extractor's internals, so
the score keeps its meaning when an extractor changes (refit if the F1 it predicts drifts).
"""

from __future__ import annotations

import math

from ..models import Article
from .evidence import Evidence, measure
from .ingest import SourceKind

WEIGHTS: dict[str, float] = {
    "bias": -1.17,
    "sentences": 2.56,
    "headline": 1.80,
    "length": -0.27,
    "repeated": -0.42,
    "boundary": -0.75,
    "drift": -1.42,
    "headings": -0.94,
}
"""Signal → weight of the logistic model (``bias``: the intercept), as printed by
``benchmarks/fit_confidence.py``; a signal not named here is not used."""

WARN_BELOW = 0.6
"""``build`` warns about (and ``build --strict`` refuses) an article scored below this."""


def combine(evidence: Evidence) -> float:
    """The logistic model's score for a set of signals, rounded to two decimals.

    >>> neutral = Evidence(**{name: 0.0 for name in Evidence.__dataclass_fields__})
    >>> 0.0 <= combine(neutral) <= 1.0
    True
    """
    values = evidence.values()
    z = WEIGHTS["bias"] + sum(w * values[name] for name, w in WEIGHTS.items() if name != "bias")
    return round(1 / (1 + math.exp(-z)), 2)


def score_extraction(article: Article, source: str, kind: SourceKind) -> float:
    """The confidence (0..1) that ``article`` is all of the article in ``source``, and only it.

    Markdown and CMS JSON score 1: their author marked the headline and the body, so
    nothing was guessed. Text and HTML are scored by the model.
    """
    if kind in GIVEN:
        return 1.0
    return combine(measure(article, source, kind))


GIVEN = frozenset({SourceKind.MARKDOWN, SourceKind.JSON})
"""Source kinds whose structure the author gave, rather than the extractor found."""
