"""The one error tree of articleaudio.

Every failure a user can cause or fix is one of these; the CLI maps the whole
tree to a single ``Error: ...`` line and exit status 1. Anything else is a bug.

::

    ArticleAudioError
    ├── InputError (+ ValueError)         the source cannot be read or is not an article
    │   ├── SourceNotFoundError (+ FileNotFoundError)
    │   ├── LanguageError                 no voice speaks the article's language (--strict)
    │   ├── ExtractionError               nothing article-like in the source
    │   │   ├── EmptyArticleError         the article has no words to speak
    │   │   └── UncertainExtractionError  the extraction scores below the threshold (--strict)
    │   ├── FetchError                    a URL could not be fetched
    │   │   ├── HTTPStatusError           the server answered with an error status
    │   │   └── PrivateAddressError       the host is loopback, link-local or private
    │   ├── SourceError                   a feed or sitemap is malformed or not one
    │   ├── EpisodeReadError              an episode.json is missing, unreadable or invalid
    │   └── CheckReportError              a check.json is missing, unreadable or not of its schema
    ├── ConfigError (+ ValueError)        settings, lexicon or config file are invalid
    ├── VoiceError                        a voice cannot be used
    │   └── VoiceNotFoundError (+ LookupError)
    ├── SynthesisError                    Piper failed on a segment
    ├── AudioToolError                    ffmpeg failed or is missing
    ├── RecogniserError (+ ImportError)   the check's recogniser or its model is not installed
    ├── PublishError (+ OSError)          the output folder cannot be written
    │   └── SlugTakenError                another article's build took the slug (transient)
    ├── EpisodeNotFoundError (+ LookupError)  no episode with that slug in the library
    ├── LibraryNotFoundError (+ LookupError)  the folder given with -o holds no library
    ├── JobError                          a job cannot do what was asked (``jobs retry``)
    │   ├── JobNotFoundError (+ LookupError)  no job with that id in the library
    │   └── JobFailedError                a job a worker built has failed (its error line)
    └── BrokerError (+ ConnectionError)   the ``--broker`` cannot be reached (transient)

An error whose ``transient`` is true may pass when tried again (a fetch that timed
out, a server error): the job runner retries it with backoff; any other fails its
job at once, since trying the same input again gives the same error.
"""

from __future__ import annotations

from pathlib import Path


class ArticleAudioError(Exception):
    """Base of every error a user can act on."""

    transient: bool = False
    """True when the same work may succeed if tried again later (see the module docstring)."""


class InputError(ArticleAudioError, ValueError):
    """Raised when the source cannot be read or is not usable as an article."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class SourceNotFoundError(InputError, FileNotFoundError):
    """Raised when a source path does not exist or is not a regular file."""


class LanguageError(InputError):
    """Raised with ``--strict`` when the article's voice does not speak its language."""


class ExtractionError(InputError):
    """Raised when no article can be found in the source."""


class EmptyArticleError(ExtractionError):
    """Raised when the extracted article has no words to speak."""


class UncertainExtractionError(ExtractionError):
    """Raised with ``--strict`` when the extraction's confidence is below the threshold."""

    def __init__(self, message: str, *, source: str | None = None, confidence: float) -> None:
        super().__init__(message, source=source)
        self.confidence = confidence
        """The extraction's score (see :mod:`articleaudio.extract.confidence`)."""


class FetchError(InputError):
    """Raised when a URL cannot be fetched (timeout, size limit, HTTP error)."""

    def __init__(self, message: str, *, source: str | None = None, transient: bool = False) -> None:
        super().__init__(message, source=source)
        self.transient = transient
        """A timeout, a refused connection or a server error: worth trying again later."""


RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
"""HTTP statuses that say "not now" rather than "no" (RFC 9110 15.5.9, 15.6; RFC 6585 4):
a job fetching the URL is tried again later. Connection errors and timeouts are too."""


class HTTPStatusError(FetchError):
    """Raised when a server answers a fetch with an error status (4xx, 5xx)."""

    def __init__(self, message: str, *, source: str | None = None, status: int) -> None:
        super().__init__(message, source=source, transient=status in RETRY_STATUSES)
        self.status = status
        """The HTTP status code (404, 410 and 500 mean different things to a watch)."""


class PrivateAddressError(FetchError):
    """Raised when a URL's host resolves to a loopback, link-local or private address.

    Such a fetch is refused unless it is explicitly allowed, so a feed, a redirect or a
    webhook cannot make articleaudio read the machine's own or its network's services.
    """

    def __init__(self, message: str, *, source: str | None = None, address: str) -> None:
        super().__init__(message, source=source)
        self.address = address
        """The refused IP address."""


class SourceError(InputError):
    """Raised when a feed or sitemap is malformed, empty or not a feed or sitemap at all."""


class EpisodeReadError(InputError):
    """Raised when an episode folder's ``episode.json`` is missing, unreadable or invalid."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"{path} is not a valid episode record ({reason}); rebuild the episode",
            source=str(path),
        )
        self.path = path
        """The ``episode.json`` that could not be read."""
        self.reason = reason
        """What was wrong with it."""


class CheckReportError(InputError):
    """Raised when an episode's ``check.json`` is missing, unreadable or not of its schema."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(message, source=str(path))
        self.path = path
        """The ``check.json`` that was looked for or read."""


class ConfigError(ArticleAudioError, ValueError):
    """Raised when a setting, the config file or a lexicon is invalid."""


class VoiceError(ArticleAudioError):
    """Raised when a voice model exists but cannot be loaded or used."""

    def __init__(self, message: str, *, voice: str | None = None) -> None:
        super().__init__(message)
        self.voice = voice


class VoiceNotFoundError(VoiceError, LookupError):
    """Raised when no voice matches the requested name or path."""

    def __init__(
        self, message: str, *, voice: str | None = None, searched: tuple[Path, ...] = ()
    ) -> None:
        super().__init__(message, voice=voice)
        self.searched = searched
        """The voice folders looked in, in order."""


class SynthesisError(ArticleAudioError):
    """Raised when Piper fails to synthesise a segment."""

    def __init__(self, message: str, *, text: str | None = None) -> None:
        super().__init__(message)
        self.text = text


class AudioToolError(ArticleAudioError):
    """Raised when ffmpeg is missing or fails; carries the tail of its stderr."""

    def __init__(self, message: str, *, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


class RecogniserError(ArticleAudioError, ImportError):
    """Raised when ``check`` cannot load its speech recogniser or model (the ``check`` extra
    or a model package is not installed); the message names what to install."""


class PublishError(ArticleAudioError, OSError):
    """Raised when episode files, the catalogue or the feed cannot be written."""


class SlugTakenError(PublishError):
    """Raised when an episode of another article took the slug while this one was built.

    The build is planned again under a free slug (the sentences are in the cache by
    then), so it reaches a user only when that keeps happening.
    """

    transient = True

    def __init__(self, message: str, *, slug: str) -> None:
        super().__init__(message)
        self.slug = slug


class EpisodeNotFoundError(ArticleAudioError, LookupError):
    """Raised when a command names an episode slug the library does not hold."""


class LibraryNotFoundError(ArticleAudioError, LookupError):
    """Raised when a command reads a library from a folder that holds none."""

    def __init__(self, message: str, *, folder: str | None = None) -> None:
        super().__init__(message)
        self.folder = folder


class JobError(ArticleAudioError):
    """Raised when a job cannot be changed as asked (retrying one that has not failed)."""


class JobNotFoundError(JobError, LookupError):
    """Raised when a command names a job id the library does not hold."""


class JobFailedError(JobError):
    """Raised for a job that an ``articleaudio worker`` built and that failed: by the
    worker, so that Dramatiq gives its message up (a dead letter) without a retry, and
    by ``build --broker`` waiting for it. The message is the job's error line."""

    def __init__(self, message: str, *, job_id: str) -> None:
        super().__init__(message)
        self.job_id = job_id


class BrokerError(ArticleAudioError, ConnectionError):
    """Raised when the task broker named by ``--broker`` does not answer; it may come back."""

    transient = True
