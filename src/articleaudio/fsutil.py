"""Atomic file system helpers: nothing half-written is ever visible."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import PublishError


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows.

    Linux (4.7+) shows it in ``/proc/self/status``; elsewhere the only way is to
    set it and put it back, which is done once, at import, before any thread
    of ours could create a file with the wrong mode in between.
    """
    try:
        for line in Path("/proc/self/status").read_text("ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~current_umask()
"""Mode for published files, as ``open()`` would give them: mkstemp makes 0600
files, and a web server running as another user must read them."""
DIR_MODE = 0o777 & ~current_umask()
"""Mode for published folders, as ``mkdir`` would give them (mkdtemp makes 0700)."""


def set_published_mode(path: Path) -> None:
    """Give a file made private by mkstemp the mode of an ordinarily created one."""
    try:
        path.chmod(FILE_MODE)
    except OSError as exc:
        raise PublishError(f"cannot set the mode of {path}: {exc.strerror or exc}") from exc


MKSTEMP_MODE = 0o600
"""The mode mkstemp gives; the streamed MP3 kept it before issue 13 was fixed."""


def heal_private_mode(path: Path) -> None:
    """Give a file left at mkstemp's 0600 by an older build the published mode.

    Only that exact mode is changed, so a mode the user chose stays. Best effort:
    a file that cannot be changed is left as it is.
    """
    try:
        if path.stat().st_mode & 0o777 == MKSTEMP_MODE != FILE_MODE:
            path.chmod(FILE_MODE)
    except OSError:
        pass


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over ``path``.

    ``durable=False`` skips the fsync, for files whose damage is detected on
    reading (cache entries carry a checksum), so a build does not wait on the disk.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}") from exc


def atomic_write_text(path: Path, text: str) -> None:
    """UTF-8 text version of :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


STALE_STAGING_S = 3600
"""Staging folders older than this were left by a killed build and may be removed."""


def make_staging_dir(parent: Path, name: str) -> Path:
    """A fresh hidden folder beside the final one, on the same file system.

    Leftovers of killed builds (older than :data:`STALE_STAGING_S`) are swept first.
    """
    try:
        parent.mkdir(parents=True, exist_ok=True)
        sweep_stale(parent)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=parent))
        staging.chmod(DIR_MODE)
        return staging
    except OSError as exc:
        raise PublishError(
            f"cannot write to {parent}: {exc.strerror or exc}; choose another folder with -o"
        ) from exc


def sweep_stale(parent: Path, now: float | None = None) -> None:
    """Remove hidden ``.*.tmp``/``.*.old`` leftovers that no running build can still own."""
    import time

    cutoff = (now or time.time()) - STALE_STAGING_S
    for path in parent.glob(".*"):
        if path.suffix in (".tmp", ".old") and path.is_dir() and _last_change(path) < cutoff:
            shutil.rmtree(path, ignore_errors=True)


def _last_change(folder: Path) -> float:
    """The newest mtime of a folder and its files.

    A long build keeps writing its streamed MP3 inside its staging folder, which
    changes the file's time but not the folder's.
    """
    try:
        return max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.iterdir())])
    except OSError:
        return float("inf")  # vanishing as we look: its build is still at work


def replace_dir(staging: Path, final: Path) -> None:
    """Move a finished staging folder into place, replacing any previous version.

    The old folder is renamed aside first and removed only after the new one is
    in place, so a crash leaves either the old or the new episode, never neither
    for longer than one rename.
    """
    old = final.with_name(f".{final.name}.old")
    try:
        if old.exists():
            shutil.rmtree(old)
        if final.exists():
            os.replace(final, old)
        os.replace(staging, final)
    except OSError as exc:
        raise PublishError(f"cannot move the episode into {final}: {exc.strerror or exc}") from exc
    shutil.rmtree(old, ignore_errors=True)
