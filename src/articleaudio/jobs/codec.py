"""Build settings as JSON and back, so a job carries them whole (and a worker elsewhere
rebuilds the very same :class:`~articleaudio.settings.BuildSettings`).

One walk over the dataclasses' type hints rather than a ``to_dict`` per settings class:
a field added to any stage's settings travels with the job without touching this file.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..settings import BuildSettings


def settings_to_json(settings: BuildSettings) -> dict[str, Any]:
    """The settings as plain JSON values (paths as strings, enums as their values)."""
    data = to_json(settings)
    assert isinstance(data, dict)
    return data


def settings_from_json(data: dict[str, Any]) -> BuildSettings:
    """The settings a job was made with; a field the JSON lacks takes its default."""
    try:
        settings = from_json(BuildSettings, data)
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(f"the job's build settings are not valid ({exc})") from exc
    assert isinstance(settings, BuildSettings)
    return settings


def to_json(value: Any) -> Any:
    """Dataclasses, enums, paths, tuples and dicts as JSON values.

    >>> to_json((Path("a"), 1.5, None))
    ['a', 1.5, None]
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def from_json(hint: Any, data: Any) -> Any:
    """``data`` (from :func:`to_json`) as a value of type ``hint``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        (hint,) = [a for a in args if a is not type(None)]  # X | None is all settings use
        return from_json(hint, data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_json(args[0], item) for item in data)
        return tuple(from_json(a, item) for a, item in zip(args, data, strict=True))
    if origin is dict:
        return {k: from_json(args[1], v) for k, v in data.items()}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_from_json(hint, data)
    return _leaf(hint, data)


def _dataclass_from_json(cls: type[Any], data: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    return cls(**{name: from_json(hints[name], v) for name, v in data.items() if name in known})


_LEAVES: dict[Any, Any] = {Path: Path, float: float, int: int, str: str, bool: bool, Any: None}
"""Type → how a JSON value becomes it (None: as it is). JSON writes 1.0 as 1, hence float."""


def _leaf(hint: Any, data: Any) -> Any:
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    convert = _LEAVES.get(hint)
    return convert(data) if convert is not None else data
