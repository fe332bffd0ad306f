"""Stage ``player``: the self-contained embed page and the copy-paste snippets.

``write_embed`` writes ``embed.html`` (and ``player.js`` for the script embed)
into an episode folder. The page inlines its script, style and episode data, so
it works offline, from ``file://`` and inside an ``<iframe>``; it loads nothing
from another host. Article text reaches the page only as JSON inside
``<script type="application/json">`` (``<``, ``>``, ``&``, U+2028/U+2029
escaped) or through :func:`html.escape`, and the script renders it with
``textContent``; a Content-Security-Policy that allows only the page's own
script by hash backs that up.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath
from string import Template
from typing import Any
from urllib.parse import quote, urlsplit

from ..errors import ConfigError, InputError, SourceNotFoundError
from ..fsutil import atomic_write_text
from ..layout import (
    EMBED_FILE,
    EPISODE_FILE,
    EPISODES_DIR,
    SCRIPT_FILE,
    episode_dir,
    episodes_dir,
    read_episode,
)
from ..models import Episode
from ..textclean import clean_text

IFRAME_HEIGHT = 520
"""Pixels; fits controls, chapters and a few transcript lines."""
PLAYER_MODULES = ("model.js", "view.js", "host.js", "controller.js")
"""The player's ES modules in ``web/assets/``, each importing only from those before it."""

# Characters that would let text end the <script> element, open an HTML comment
# or (U+2028/9) break older JavaScript parsers; each becomes a JSON \u escape.
_SCRIPT_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
_SCRIPT_JSON_ESCAPES |= {"\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCRIPT_JSON_RE = re.compile("[<>&\u2028\u2029]")
# The module forms assemble_script understands (eslint.config.js allows no others).
_IMPORT_RE = re.compile(
    r'^import \{(?P<names>[^}]*)\} from "\./(?P<module>[\w-]+\.js)";\n', re.MULTILINE
)
_EXPORT_RE = re.compile(r"^export (?=(?:async )?(?:function|class|const|let) )", re.MULTILINE)
_DECLARATION_RE = re.compile(
    r"^(?:export )?(?:async )?(?:function\*?|class|const|let|var) +([A-Za-z_$][\w$]*)",
    re.MULTILINE,
)
_ENTRY = "defineArticleAudio"

_PAGE = Template("""<!doctype html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="$csp">
<meta name="generator" content="articleaudio">$head
<link rel="icon" href="data:,">
<title>$title</title>
<style>
html, body { margin: 0; height: 100%; background: Canvas; color: CanvasText; }
body { box-sizing: border-box; padding: 8px; font-family: system-ui, sans-serif; }
article-audio { margin: 0 auto; }
</style>
</head>
<body>
<article-audio data-episode="article-audio-data" fit></article-audio>
<noscript>
<p>$disclosure</p>
<p>$title</p>
<audio controls preload="metadata" src="$audio"></audio>
</noscript>
<script type="application/json" id="article-audio-data">$data</script>
<script>$script</script>
</body>
</html>
""")


@dataclass(frozen=True)
class PlayerSettings:
    """Options of the embed page and the script embed."""

    disclosure_url: str | None = None
    """Page explaining how the audio is made; the disclosure label links to it."""


def script_json(data: Any) -> str:
    """JSON that can sit inside ``<script type="application/json">`` unchanged.

    >>> script_json({"t": "</script><!-- & \u2028"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u003c!-- \\\\u0026 \\\\u2028"}'
    """
    text = json.dumps(data, ensure_ascii=False)
    return _SCRIPT_JSON_RE.sub(lambda m: _SCRIPT_JSON_ESCAPES[m.group()], text)


def html_text(text: str) -> str:
    """Escape text for HTML element content or a quoted attribute."""
    return html.escape(clean_text(text), quote=True)


@functools.cache
def player_script() -> str:
    """The web component with its stylesheet, as one classic script.

    Read from the ES modules in ``web/assets/`` (:data:`PLAYER_MODULES`) and
    put together by :func:`assemble_script`, so the embed page can inline it
    and a host page can load it as one file; no bundler, and no Node.js at run
    time.
    """
    return assets_script(PLAYER_MODULES, ("player.css",))


def assets_script(modules: Sequence[str], stylesheets: Sequence[str], entry: str = _ENTRY) -> str:
    """The named modules and stylesheets of ``web/assets/`` as one script (see assemble_script)."""
    folder = resources.files("articleaudio") / "web" / "assets"
    sources = [(name, (folder / name).read_text(encoding="utf-8")) for name in modules]
    css = "".join((folder / name).read_text(encoding="utf-8") for name in stylesheets)
    return assemble_script(sources, css, entry=entry)


def assemble_script(modules: Sequence[tuple[str, str]], css: str, *, entry: str = _ENTRY) -> str:
    """ES modules (``(file name, source)`` in dependency order) as one classic script.

    The modules are concatenated inside one strict-mode function, so nothing but
    the custom element reaches the host page's global scope. This is all the
    bundling the player needs because its modules keep to one form (ESLint
    enforces it, this checks it): imports are ``import { a, b } from "./x.js";``
    of an earlier module, and exports are ``export`` before a top-level
    ``function``, ``class``, ``const`` or ``let``. Import lines are dropped and
    ``export`` keywords removed, which leaves the same bindings in one scope, so
    no two modules may declare the same top-level name. The last line registers
    the element with its stylesheet: ``defineArticleAudio(CSS)``, or the
    ``entry`` function named instead (the review page's).
    """
    parts = ['(function () {\n"use strict";\n']
    declared: dict[str, str] = {}
    for index, (name, source) in enumerate(modules):
        body = _strip_imports(name, source, [m for m, _ in modules[:index]])
        _declare(name, _DECLARATION_RE.findall(body), declared)
        parts.append(f"// {name}\n{_EXPORT_RE.sub('', body)}\n")
    if entry not in declared:
        raise RuntimeError(f"no player module declares {entry}(css)")
    parts.append(f"{entry}({script_json(css)});\n}})();\n")
    script = "".join(parts)
    # HTML §13.2.5 script data states: these could end or re-nest the inline script.
    if re.search(r"</?script|<!--", script, re.IGNORECASE):
        raise RuntimeError("the player contains '<script' or '<!--'; it cannot be inlined")
    return script


def _strip_imports(name: str, source: str, earlier: Sequence[str]) -> str:
    for match in _IMPORT_RE.finditer(source):
        if match["module"] not in earlier:
            raise RuntimeError(
                f"{name} imports ./{match['module']}, which is not a module listed before it "
                f"(PLAYER_MODULES order: {', '.join(earlier) or 'none'})"
            )
        if " as " in match["names"]:
            raise RuntimeError(f"{name}: renaming imports ('as') cannot be assembled")
    body = _IMPORT_RE.sub("", source)
    stray = re.search(r"^\s*(?:import|export)\b.*$", _EXPORT_RE.sub("", body), re.MULTILINE)
    if stray:
        raise RuntimeError(f"{name}: {stray.group().strip()!r} is not a form player.py assembles")
    return body


def _declare(module: str, names: Sequence[str], declared: dict[str, str]) -> None:
    for name in names:
        if name in declared:
            raise RuntimeError(
                f"{module} and {declared[name]} both declare {name!r} at the top level; "
                "assembled into one scope they would clash: rename one"
            )
        declared[name] = module


@dataclass(frozen=True)
class PageParts:
    """What one kind of player page adds to the episode: the embed page, the review page."""

    script: str
    """The inline script; the page's Content-Security-Policy allows it by its hash."""
    title_prefix: str = ""
    """Put before the article's title in ``<title>``."""
    head: str = ""
    """Markup added to ``<head>`` (trusted: written here, never from the article)."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """More keys of the page's JSON data block, beside ``episode`` and ``options``."""


def render_embed(episode: Episode, settings: PlayerSettings | None = None) -> str:
    """The complete ``embed.html`` for one episode."""
    return render_page(episode, PageParts(player_script()), settings)


def render_page(episode: Episode, parts: PageParts, settings: PlayerSettings | None = None) -> str:
    """A self-contained player page for one episode, with ``parts`` added."""
    settings = settings or PlayerSettings()
    options = {"disclosureUrl": _checked_url(settings.disclosure_url, "disclosure URL")}
    data = {"episode": _player_record(episode), "options": options, **parts.data}
    return _PAGE.substitute(
        lang=html_text(episode.article.language or "en"),
        csp=_content_security_policy(parts.script),
        head=parts.head,
        title=html_text(parts.title_prefix + episode.article.title),
        disclosure=html_text(episode.disclosure),
        audio=html_text(quote(_audio_file(episode))),
        data=script_json(data),
        script=parts.script,
    )


def write_embed(
    episode_dir: Path, episode: Episode, settings: PlayerSettings | None = None
) -> Path:
    """Write ``embed.html`` and ``player.js`` into ``episode_dir``; return the page's path."""
    atomic_write_text(episode_dir / SCRIPT_FILE, player_script())
    page = episode_dir / EMBED_FILE
    atomic_write_text(page, render_embed(episode, settings))
    return page


def embed_snippet(episode: Episode, base_url: str) -> str:
    """The ``<iframe>`` to paste into an article page.

    ``base_url`` is where the output folder is published (``https://example.org/audio/``).
    """
    src = html_text(_episode_url(episode, base_url, EMBED_FILE))
    title = html_text(f"Audio version: {episode.article.title}")
    return (
        f'<iframe src="{src}" title="{title}" width="100%" height="{IFRAME_HEIGHT}" '
        'style="border:0;max-width:44rem" loading="lazy" allow="autoplay"></iframe>'
    )


def script_snippet(episode: Episode, base_url: str, settings: PlayerSettings | None = None) -> str:
    """The script embed: the same player inline, following the host page's paragraphs."""
    script = html_text(_episode_url(episode, base_url, SCRIPT_FILE))
    data = html_text(_episode_url(episode, base_url, EPISODE_FILE))
    link = _checked_url(settings.disclosure_url, "disclosure URL") if settings else None
    extra = f' disclosure-url="{html_text(link)}"' if link else ""
    return (
        f'<script src="{script}" defer></script>\n'
        # A bare follow-page takes the player's own selector: every block it reads
        # (paragraphs, list items, headings, quotes) inside <article> or <main>.
        f'<article-audio src="{data}" follow-page{extra}></article-audio>'
    )


def load_episode(output_dir: Path, slug: str) -> tuple[Path, Episode]:
    """Find ``episodes/<slug>/`` in a library and read its ``episode.json``.

    :class:`~articleaudio.errors.ConfigError` for a malformed slug,
    :class:`SourceNotFoundError` when there is no such episode and
    :class:`~articleaudio.errors.EpisodeReadError` when its record is invalid.
    """
    folder = episode_dir(output_dir, slug)
    record = folder / EPISODE_FILE
    if not record.is_file():
        raise SourceNotFoundError(
            f"no episode {slug!r} in {output_dir} ({_known_slugs(output_dir)}); "
            f"build it with `articleaudio build ARTICLE -o {output_dir}`",
            source=str(record),
        )
    return folder, read_episode(folder)


def publish_embed(
    output_dir: Path, slug: str, settings: PlayerSettings | None = None
) -> tuple[Path, Episode]:
    """(Re)write one library episode's embed page; return its path and the episode."""
    folder, episode = load_episode(output_dir, slug)
    return write_embed(folder, episode, settings), episode


def _player_record(episode: Episode) -> dict[str, Any]:
    """``episode.json`` without the article body (the cues carry the same text) and
    without what the voice was given (for ``check``, not for listeners)."""
    record = episode.to_dict()
    record["article"] = {k: v for k, v in record["article"].items() if k != "blocks"}
    for cue in record["timeline"]["cues"]:
        cue.pop("spoken", None)
    return record


def _content_security_policy(script: str) -> str:
    # CSP Level 3 §2.3.1 hash-source: only this exact inline script may run, so
    # even text that escaped escaping could not execute. Media may come from
    # anywhere (a CDN); the JSON data block is not script and needs no hash.
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
        "media-src 'self' *; img-src 'self' data:; base-uri 'none'; form-action 'none'"
    )


def _audio_file(episode: Episode) -> str:
    name = episode.files.get("audio") or episode.audio.file
    if PurePosixPath(name).name != name or name in {".", ".."}:
        raise InputError(
            f"episode {episode.slug!r} names its audio {name!r}, which is not a file in "
            "its folder; rebuild the episode",
            source=episode.slug,
        )
    return name


def _checked_url(url: str | None, what: str) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"{what} {url!r} must be an http:// or https:// address")
    return url


def _episode_url(episode: Episode, base_url: str, name: str) -> str:
    base = _checked_url(base_url, "base URL") or ""
    return f"{base.rstrip('/')}/{EPISODES_DIR}/{quote(episode.slug)}/{name}"


def _known_slugs(output_dir: Path) -> str:
    folder = episodes_dir(output_dir)
    slugs = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    shown = ", ".join(slugs[:10]) + (", ..." if len(slugs) > 10 else "")
    return f"available: {shown}" if slugs else "it has no episodes"
