"""articleaudio: news articles → narrated, tagged podcast episodes with a local Piper voice."""

from __future__ import annotations

__version__ = "0.1.0"
