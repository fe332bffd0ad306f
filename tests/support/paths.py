"""Where the tests' inputs are: the clone, the golden data, the bundled sample."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
"""The tests/ folder."""
ROOT = TESTS.parent
"""The clone: README.md, pyproject.toml, samples/, scripts/."""
DATA = TESTS / "data"
"""Golden inputs and expected outputs, one folder per stage."""
ARTIFACTS = TESTS / "artifacts"
"""Screenshots the browser tests leave for a person to look at."""
SAMPLE = ROOT / "samples" / "riverside-library.md"
"""The bundled sample article (``make demo`` builds it)."""
