"""Episode art: the one image an episode carries in its tags and as its feed item's
``<itunes:image>``.

``--cover`` wins; otherwise the article's lead image, but only when its bytes are
already here: a file beside a local source, or a ``data:`` URL inside the page. An
image on the web is never fetched (a build downloads nothing but the article it
was given), and a path may not leave the source's folder, so a page cannot make a
build publish some other file of the machine's.

Apple asks episode art to follow the show-art rules (square, 1400-3000 px, RGB
JPEG or PNG; :func:`articleaudio.config.describe_artwork`). Art that already does
is kept byte for byte; anything else (a landscape news photo, WebP, transparency)
is cropped to its centre square, scaled into range and saved as JPEG.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ..config import ARTWORK_MAX_PX, ARTWORK_MIN_PX, describe_artwork
from ..errors import ConfigError
from ..extract import is_url

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""Largest image read; a bigger file is no lead image (and no cover)."""
JPEG_QUALITY = 88
"""For art that had to be re-encoded: no visible loss at 1400 px, about 200 kB."""
ART_STEM = "art"
"""Episode art is ``art-<hash>.<ext>``: new art gets a new URL, as Apple asks."""
MIME = {".jpg": "image/jpeg", ".png": "image/png"}

_DATA_URL = re.compile(r"^data:image/[\w.+-]+;base64,(?P<data>.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Art:
    """The episode's image, fit for Apple's rules."""

    data: bytes
    """JPEG or PNG bytes, square, 1400-3000 px, RGB."""
    suffix: str
    """``.jpg`` or ``.png``."""

    @property
    def mime(self) -> str:
        """Content type of :attr:`data`."""
        return MIME[self.suffix]

    @property
    def file_name(self) -> str:
        """Name in the episode folder, changing whenever the image does."""
        return f"{ART_STEM}-{hashlib.sha256(self.data).hexdigest()[:12]}{self.suffix}"


def episode_art(cover: Path | None, image: str | None, location: str) -> Art | None:
    """The art for an episode: ``cover`` if given, else the article's ``image`` if it is here."""
    return make_art(art_bytes(cover, image, location), cover)


def art_bytes(cover: Path | None, image: str | None, location: str) -> bytes | None:
    """The image the art is made from, as found (cheap: a build key hashes it)."""
    if cover is None:
        return lead_image_bytes(image, location)
    try:
        return read_limited(cover)
    except OSError as exc:
        raise ConfigError(f"cannot read cover art {cover}: {exc.strerror or exc}") from exc


def make_art(data: bytes | None, cover: Path | None = None) -> Art | None:
    """Art from :func:`art_bytes`; a ``cover`` that is no image is a :class:`ConfigError`."""
    art = conform(data) if data is not None else None
    if art is None and cover is not None:
        raise ConfigError(f"cover art {cover} is not an image; use a JPEG or PNG file")
    return art


def read_limited(path: Path) -> bytes:
    """The file's bytes, refusing one over :data:`MAX_IMAGE_BYTES` (OSError)."""
    with path.open("rb") as handle:
        data = handle.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise OSError(f"larger than {MAX_IMAGE_BYTES // 2**20} MB")
    return data


def lead_image_bytes(image: str | None, location: str) -> bytes | None:
    """The lead image's bytes when the source carries them or sits beside them, else None."""
    if not image:
        return None
    found = _DATA_URL.match(image.strip())
    if found:
        try:
            return base64.b64decode(found["data"], validate=False)
        except (binascii.Error, ValueError):
            return None
    path = local_image_path(image, location)
    if path is None:
        return None
    try:
        return read_limited(path)
    except OSError as exc:
        log.info("lead image %s not used: %s", path, exc)
        return None


def local_image_path(image: str, location: str) -> Path | None:
    """Where a relative lead image lies beside a local source, if inside its folder.

    >>> local_image_path("https://cdn.example/a.jpg", "page.html") is None
    True
    >>> local_image_path("../secret.jpg", "/news/page.html") is None
    True
    """
    if location == "-" or is_url(location):
        return None  # stdin has no folder; a web page's images would need fetching
    parts = urlsplit(image)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    folder = Path(location).resolve().parent
    target = (folder / unquote(parts.path)).resolve()
    if not target.is_relative_to(folder) or not target.is_file():
        return None
    return target


def conform(data: bytes) -> Art | None:
    """Art that meets Apple's rules, made from any image Pillow reads; None if not an image."""
    try:
        suffix, _ = describe_artwork(data)
        return Art(data, suffix)
    except ConfigError:
        pass
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(data)) as image:
            return Art(_square_jpeg(image), ".jpg")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        log.info("image not used as art: %s", exc)
        return None


def _square_jpeg(image: Image.Image) -> bytes:
    from PIL import Image

    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, (255, 255, 255))
    flat.paste(rgba, mask=rgba.getchannel("A"))  # transparency onto white, not black
    side = min(flat.size)
    left, top = (flat.width - side) // 2, (flat.height - side) // 2
    square = flat.crop((left, top, left + side, top + side))
    size = min(max(side, ARTWORK_MIN_PX), ARTWORK_MAX_PX)
    out = BytesIO()
    square.resize((size, size), Image.Resampling.LANCZOS).save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
