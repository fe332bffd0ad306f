"""Parallel, cached synthesis: the segments of one or many articles across all cores.

Each worker process holds its own voice with ONNX Runtime pinned to one thread:
on 2 cores, 2 processes x 1 thread synthesise about 20 % more audio per second
than 1 process x 2 threads, and 2 x 2 is slower still. Pieces come back in
segment order while later ones are still being synthesised, so the master
stage works alongside the workers.

Workers are forked from a fork server, never from the build itself, and exit on
their own when the build dies: see :class:`WorkerPool`.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, InvalidStateError, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import islice
from multiprocessing import forkserver, resource_tracker
from multiprocessing.connection import Connection

from .cache import Cache, Entry, segment_key
from .synthesize import Piece, PiperSynthesizer, SynthesisSettings, Synthesizer, usable_cores
from .voices import Voice

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""``(done, total)`` segments synthesised; the CLI turns it into a progress bar."""
Ahead = Callable[[int, Piece], None]
"""Told of each cached piece read ahead, by its index: the master stage prepares it
(see :meth:`Synthesis.pieces`)."""

_WORKER: PiperSynthesizer | None = None
FEW_MISSES = 3
"""Up to this many sentences to synthesise, no worker processes are started."""
READ_AHEAD_SAMPLES = 1 << 24
"""Cached samples read ahead at most while a sentence is synthesised (64 MB of float32,
about 12 minutes of a 22.05 kHz voice: every piece of the benchmark's 10-minute article,
so an edit in its first paragraph leaves none to be read and prepared once the new
sentence is in)."""
START_METHOD = "forkserver"
"""How workers start (see :class:`WorkerPool`)."""


def default_jobs() -> int:
    """One worker per core this process may use."""
    return usable_cores()


def _start_worker(
    voice: Voice, settings: SynthesisSettings, environ: Mapping[str, str], lifeline: Connection
) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # see _start_fork_server
    threading.Thread(target=_exit_with_build, args=(lifeline,), daemon=True).start()
    # The fork server was started with the environment of the build's first pool.
    os.environ.clear()
    os.environ.update(environ)
    # The process is the voice's alone: it keeps its memory for the next sentence.
    _WORKER = PiperSynthesizer(voice, replace(settings, threads=1), shares=False)


def _exit_with_build(lifeline: Connection) -> None:
    """Exit when the build is gone, however it ended (kill -9 included).

    Only the build holds the pipe's write end, so reading sees end-of-file the
    moment it dies: a worker is never left synthesising for nobody. A pipe
    rather than Linux's parent-death signal, which would watch the fork
    server instead of the build, and exists on Linux only.
    """
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv_bytes()
    os._exit(1)


def _load() -> None:
    assert _WORKER is not None, "worker not initialised"
    _WORKER.load()


def _work(text: str) -> Piece:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.synthesize(text)


def _start_fork_server() -> None:
    """Start the fork server, if it is not running, deaf to Ctrl-C.

    A terminal sends Ctrl-C to the whole process group: the server (a traceback
    if it is still importing) and the workers it forks (which inherit the
    blocked signal) leave stopping to the build, which kills them.
    """
    # The resource tracker starts first: starting, it unblocks SIGINT and SIGTERM.
    resource_tracker.ensure_running()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


class WorkerPool:
    """Worker processes, each with the voice loaded once; shared by a whole batch."""

    def __init__(self, voice: Voice, settings: SynthesisSettings, jobs: int) -> None:
        # Not fork: the build has threads (the in-process voice opening, the MP3
        # encoder), and a child forked while one holds a lock waits for it forever
        # (issue 13: functools.cached_property's lock, held by the voice warm-up).
        # The fork server is a fresh interpreter that imports the command and this
        # module once and forks each worker from a state with no threads of ours.
        # That import delays the first worker by about 0.5 s (fork: none).
        context = multiprocessing.get_context(START_METHOD)
        context.set_forkserver_preload(["__main__", __name__])
        _start_fork_server()
        self.jobs = jobs
        lifeline, self._lifeline = context.Pipe(duplex=False)
        self._executor = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=_start_worker,
            initargs=(voice, settings, dict(os.environ), lifeline),
        )

    def warm_up(self) -> None:
        """Start every worker and load its voice now, before there is work for it."""
        for _ in range(self.jobs):
            self._executor.submit(_load)

    def submit(self, text: str) -> Future[Piece]:
        """Queue one segment."""
        return self._executor.submit(_work, text)

    def close(self, *, now: bool = False) -> None:
        """Stop the workers (queued work is cancelled).

        ``now``: also kill the sentences being synthesised, for a build that is
        stopping (Ctrl-C, an error) rather than finishing.
        """
        if not now:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._lifeline.close()
            return
        # ProcessPoolExecutor can only wait for running calls (kill_workers comes in
        # Python 3.14, gh-128041); a killed pool shuts down as broken.
        _close_result_writer(self._executor)
        for process in list(self._executor._processes.values()):
            process.kill()
        with _quiet_broken_pool(self._executor):
            self._executor.shutdown(wait=True, cancel_futures=True)
        self._lifeline.close()


@contextlib.contextmanager
def _quiet_broken_pool(executor: ProcessPoolExecutor) -> Iterator[None]:
    """Keep the pool's own thread from printing a traceback as it breaks.

    Python 3.11's pool, once broken, sets an error on every call still queued,
    including calls the build had just cancelled, and that raises
    ``InvalidStateError`` in its thread: a build stopped with Ctrl-C printed that
    traceback above its one ``Error:`` line (seen once, in the stopping test of a
    fresh clone). Only that error, from that thread, is silenced.
    """
    manager = getattr(executor, "_executor_manager_thread", None)
    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.thread is manager and isinstance(args.exc_value, InvalidStateError):
            return
        previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = previous


def _close_result_writer(executor: ProcessPoolExecutor) -> None:
    """Close the build's own end for writing of the pool's result pipe.

    A worker killed while it sends a piece leaves part of a message in the pipe,
    and the executor's thread then waits for the rest, for ever: the build hung
    at exit after an error (about one in twenty under load). The build never
    writes results, and once its end is closed the killed workers held the
    last ones: the thread reads end-of-file, and the pool shuts down as broken.
    """
    results = getattr(executor, "_result_queue", None)
    if results is not None:
        results._writer.close()


@dataclass
class Synthesis:
    """Where pieces come from: the cache first, then the pool or the in-process voice."""

    synthesizer: Synthesizer
    """Used in-process when there is no pool; its identity keys the cache either way."""
    pool_factory: Callable[[], WorkerPool] | None = None
    """Starts worker processes (when ``jobs > 1``), on the first call with two or more misses."""
    pool: WorkerPool | None = None
    """The started workers, kept for the rest of a batch."""
    cache: Cache | None = None
    """The shared cache, whose sentences it reuses and stores (None: always synthesise)."""
    _executor: ThreadPoolExecutor | None = field(default=None, repr=False)
    _ahead: dict[str, Future[Piece]] = field(default_factory=dict, repr=False)
    """Sentences of articles queued by :meth:`prefetch`, by cache key."""
    synthesized: list[str] = field(default_factory=list)
    """Spoken texts that missed the cache in this object's lifetime (for reports and tests)."""
    _edit_voice: Future[None] | None = field(default=None, repr=False)
    """The in-process voice opening for edits beside the workers (see :meth:`keep_edit_voice`)."""

    def pieces(
        self, texts: Sequence[str], progress: Progress | None = None, *, ahead: Ahead | None = None
    ) -> Iterator[Piece]:
        """One piece per text, in order, synthesising only what the cache lacks.

        Cached pieces are read one at a time as they are needed, so a long,
        fully cached article never sits in memory whole; only while a sentence
        is being synthesised are those after it read ahead (see :meth:`_read_ahead`),
        and ``ahead`` is given each of them as it is read, in the consumer's thread.
        """
        keys = self._keys(texts)
        cached = {i for i, key in enumerate(keys) if key not in self._ahead and self._has(key)}
        futures = {i: self._ahead.pop(key) for i, key in enumerate(keys) if key in self._ahead}
        futures.update(self._submit(texts, cached | set(futures)))
        order, read = sorted(cached), dict[int, Piece | None]()
        try:
            for i, text in enumerate(texts):
                piece = None
                if i in cached:
                    piece = read.pop(i) if i in read else self._cached(keys[i])
                origin = "from the cache"
                if piece is None:
                    future = futures.pop(i, None)
                    if future is not None:
                        later = islice(order, bisect_right(order, i), None)
                        self._read_ahead(future, keys, later, read, ahead)
                    piece = future.result() if future else self.synthesizer.synthesize(text)
                    self.synthesized.append(text)
                    origin = "synthesised"
                    if self.cache:
                        entry = Entry(piece.audio, piece.sample_rate, piece.words)
                        self.cache.segments.put(keys[i], entry)
                log.debug("segment %d of %d %s", i + 1, len(texts), origin)
                if progress:
                    progress(i + 1, len(texts))
                yield piece
        finally:
            for future in futures.values():
                future.cancel()

    def _read_ahead(
        self,
        future: Future[Piece],
        keys: Sequence[str],
        later: Iterable[int],
        read: dict[int, Piece | None],
        ahead: Ahead | None = None,
    ) -> None:
        """Read the cached pieces ``later`` into ``read`` until ``future`` is done (or
        :data:`READ_AHEAD_SAMPLES` are held there), telling ``ahead`` of each.

        An edit waits about half a second for its new sentence with nothing else to
        do; reading (and preparing) the unchanged ones after it meanwhile takes that
        much off the time the master stage needs once the sentence is in.
        """
        held = sum(len(p.audio) for p in read.values() if p is not None)
        for j in later:
            if future.done() or held >= READ_AHEAD_SAMPLES:
                return
            if j not in read:
                piece = read[j] = self._cached(keys[j])
                if piece is not None:
                    held += len(piece.audio)
                    if ahead is not None:
                        ahead(j, piece)

    def warm_up(self, *, many: bool) -> None:
        """Open the voice in the background before the sentences are known.

        ``many`` (a new article) starts the workers, each loading its voice;
        otherwise (an edit: a few sentences) the in-process voice is opened in
        the thread that will synthesise them.
        """
        if self.pool is not None:
            return
        if many and self.pool_factory is not None:
            self.pool = self.pool_factory()
            self.pool.warm_up()
            return
        if not many:
            self._thread().submit(self.synthesizer.load)

    def keep_edit_voice(self) -> Future[None]:
        """Open the in-process voice now, in the background, and speak a few missed
        sentences with it from then on even when the workers are running.

        For a long-running runner: its workers speak on one core each, which suits a
        new article, but an edit's one new sentence waits on it alone; the in-process
        voice speaks it on every core the process has (0.46 s instead of 0.64 s for a
        10 s sentence on two cores). The voice stays open (see ``open_voice``). Returns
        the opening, done when the voice is open.
        """
        if self._edit_voice is None:
            self._edit_voice = self._thread().submit(self.synthesizer.load)
        return self._edit_voice

    def _in_process(self, misses: int) -> bool:
        """Whether ``misses`` sentences are spoken here rather than by the workers."""
        if not 0 < misses <= FEW_MISSES:
            return False
        if self.pool is None:
            return True
        voice = self._edit_voice  # the workers speak while it is still opening
        if voice is None or not voice.done() or voice.cancelled():
            return False
        return voice.exception() is None  # a voice that failed here: the workers speak

    def prefetch(self, texts: Sequence[str]) -> None:
        """Queue an article's sentences now, for a :meth:`pieces` call that comes later.

        A batch queues the next article before mastering the current one, so the
        workers never wait while an episode is written or the next one is read.
        """
        keys = self._keys(texts)
        missing = {
            k: t
            for k, t in zip(keys, texts, strict=True)
            if k not in self._ahead and not self._has(k)
        }
        if self.pool is None and self.pool_factory is not None and len(missing) > FEW_MISSES:
            self.pool = self.pool_factory()
        if self.pool is not None and self._in_process(len(missing)):
            thread = self._thread()
            self._ahead.update(
                (key, thread.submit(self.synthesizer.synthesize, text))
                for key, text in missing.items()
            )
        elif self.pool is not None:
            self._ahead.update((key, self.pool.submit(text)) for key, text in missing.items())

    def _keys(self, texts: Sequence[str]) -> list[str]:
        identity = self.synthesizer.identity
        return [segment_key(t, identity) for t in texts]

    def _has(self, key: str) -> bool:
        return self.cache is not None and self.cache.segments.contains(key)

    def _cached(self, key: str) -> Piece | None:
        entry = self.cache.segments.get(key) if self.cache else None
        return Piece(entry.audio, entry.sample_rate, entry.words, entry.digest) if entry else None

    def _submit(self, texts: Sequence[str], cached: set[int]) -> dict[int, Future[Piece]]:
        missing = [i for i in range(len(texts)) if i not in cached]
        # A few edited sentences are quicker in-process than starting workers that
        # each load the voice; a cold build or a batch starts them once and keeps them.
        if self.pool is None and self.pool_factory is not None and len(missing) > FEW_MISSES:
            self.pool = self.pool_factory()
        if self.pool is not None and not self._in_process(len(missing)):
            # Queued in reading order, so the master stage consumes them as they arrive.
            return {i: self.pool.submit(texts[i]) for i in missing}
        if self._in_process(len(missing)):
            # A thread synthesises the few misses while the master stage works
            # through the cached pieces before them (ONNX Runtime releases the GIL).
            thread = self._thread()
            return {i: thread.submit(self.synthesizer.synthesize, texts[i]) for i in missing}
        return {}

    def _thread(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="synthesis")
        return self._executor

    def close(self, *, now: bool = False) -> None:
        """Stop the workers, if any (``now``: without finishing running sentences)."""
        for future in self._ahead.values():
            future.cancel()
        self._ahead.clear()
        if self.pool:
            self.pool.close(now=now)
        if self._executor:
            # A running in-process call (the voice opening, or one of FEW_MISSES
            # sentences) cannot be killed: the interpreter waits for it at exit.
            self._executor.shutdown(wait=not now, cancel_futures=True)

    def __enter__(self) -> Synthesis:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(now=kind is not None)
