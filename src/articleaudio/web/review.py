"""The editors' review page: the player plus what ``articleaudio check`` flagged.

``publish_review`` writes ``review.html`` (:data:`~articleaudio.layout.REVIEW_FILE`)
into an episode folder from its ``episode.json`` and ``check.json``: the embed
page's player (:func:`.player.render_page`), with the flagged sentences marked in
the transcript and listed by score above it; a flag, or a marked sentence, plays
just that sentence. The page is for the newsroom, not for listeners: it is not in
``Episode.files`` (so not in the feed or the API's file lists), ``serve`` answers
404 for it and for ``check.json`` (server.py), and it asks search engines to stay
away. An editor opens it from the file system, where it works as ``embed.html``
does (its audio is the MP3 beside it).

The report's text reaches the page only through the escaped JSON data block and
is shown with ``textContent`` (review.js), as the article's text is.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ..check_report import CheckReport, check_report_error, check_report_path, read_check_report
from ..fsutil import atomic_write_text
from ..layout import REVIEW_FILE
from ..models import Episode
from .player import (
    PLAYER_MODULES,
    PageParts,
    PlayerSettings,
    assets_script,
    load_episode,
    render_page,
)

REVIEW_MODULES = ("review-model.js", "review.js")
"""The review's ES modules in ``web/assets/``, after the player's (they import from them)."""
REVIEW_ENTRY = "defineArticleAudioReview"
"""What the review script calls last: the player element with the review added."""
_HEAD = (
    # An editor's page that leaked to the web should not be indexed or tell
    # other sites where it was opened from.
    '\n<meta name="robots" content="noindex, nofollow">'
    '\n<meta name="referrer" content="no-referrer">'
)


@functools.cache
def review_script() -> str:
    """The player and the review in one classic script, as :func:`.player_script` is made."""
    return assets_script(
        PLAYER_MODULES + REVIEW_MODULES, ("player.css", "review.css"), entry=REVIEW_ENTRY
    )


def review_data(report: CheckReport) -> dict[str, Any]:
    """What the page's script needs of the report (times come from the episode's cues)."""
    flags = [
        {
            "index": f.index,
            "kind": f.kind.value,
            "against": f.against.value,
            "text": f.text,
            "meant": f.meant,
            "heard": f.heard,
            "score": f.score,
            "suggestion": f.suggestion,
        }
        for f in report.flags
    ]
    return {
        "model": report.model,
        "checked": report.checked.isoformat(),
        "sentences": report.sentences,
        "wer": report.wer,
        "flags": flags,
    }


def render_review(
    episode: Episode, report: CheckReport, settings: PlayerSettings | None = None
) -> str:
    """The complete ``review.html`` for one episode and its check report."""
    parts = PageParts(
        review_script(), title_prefix="Review: ", head=_HEAD, data={"review": review_data(report)}
    )
    return render_page(episode, parts, settings)


def publish_review(output_dir: Path, slug: str, settings: PlayerSettings | None = None) -> Path:
    """Write one library episode's review page; return its path.

    Everything is read and checked first (the episode, its check report, that the
    report's sentences are the episode's), so a failure writes nothing.
    """
    folder, episode = load_episode(output_dir, slug)
    report = read_check_report(folder, slug)
    wrong = report.flag_index_error(len(episode.timeline.cues))
    if wrong is not None:
        raise check_report_error(check_report_path(folder), slug, wrong)
    page = folder / REVIEW_FILE
    atomic_write_text(page, render_review(episode, report, settings))
    return page
