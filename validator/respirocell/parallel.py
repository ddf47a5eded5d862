"""Per-file work on every core, with results in input order.

Parsing dominates a run and each file is independent, so files are cut into chunks and each
chunk runs in a worker process; ``imap`` hands the chunks back in order, so the result is the
same list a loop would give. Small runs stay in one process: starting workers costs more than
it saves below ``MIN_FILES`` files.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import multiprocessing.context

T = TypeVar("T")
R = TypeVar("R")

#: Fewest files worth a process pool (a worker starts in ~20 ms; a file takes ~0.3 ms).
MIN_FILES = 500
#: Files per task: big enough that hand-over costs little, small enough to balance the cores.
MAX_CHUNK = 200


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def jobs_for(n_files: int, jobs: int | None = None) -> int:
    """How many processes to use for ``n_files`` files: ``jobs`` if given, else every core
    once there are ``MIN_FILES`` files."""
    if jobs is None:
        jobs = cpu_count() if n_files >= MIN_FILES else 1
    return max(1, min(jobs, n_files))


def map_files(fn: Callable[[T], R], items: Sequence[T], jobs: int | None = None) -> list[R]:
    """``[fn(item) for item in items]``, spread over ``jobs`` processes (see ``jobs_for``).
    ``fn`` must be a module-level function, and ``fn`` and the items picklable."""
    n = jobs_for(len(items), jobs)
    if n == 1:
        return [fn(item) for item in items]
    size = max(1, min(MAX_CHUNK, -(-len(items) // (n * 4))))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    results: list[R] = []
    with _context().Pool(n) as pool:
        for part in pool.imap(partial(_run_chunk, fn), chunks):
            results.extend(part)
    return results


def _run_chunk(fn: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    return [fn(item) for item in chunk]


_shared: tuple[Callable[[object], object], Sequence[object]] | None = None


def map_shared(fn: Callable[[T], R], items: Sequence[T], jobs: int | None = None) -> list[R]:
    """``[fn(item) for item in items]`` where the items are already in memory (loaded records):
    forked workers read them from the memory they share with this process, so only results
    travel. In one process where fork is not available."""
    global _shared
    n = jobs_for(len(items), jobs)
    if n == 1 or sys.platform != "linux":
        return [fn(item) for item in items]
    size = max(1, min(MAX_CHUNK, -(-len(items) // (n * 4))))
    _shared = (fn, items)  # type: ignore[assignment]
    results: list[R] = []
    try:
        with _context().Pool(n) as pool:
            for part in pool.imap(_run_shared, [(i, min(i + size, len(items))) for i in range(0, len(items), size)]):
                results.extend(part)  # type: ignore[arg-type]
    finally:
        _shared = None
    return results


def _run_shared(bounds: tuple[int, int]) -> list[object]:
    assert _shared is not None
    fn, items = _shared
    return [fn(items[i]) for i in range(*bounds)]


def _context() -> multiprocessing.context.BaseContext:
    import multiprocessing  # only runs that use workers pay for importing it

    # fork: workers start at once with everything already imported and compiled (the
    # schema validators, the term tables). Elsewhere, or where fork is unsafe, spawn.
    if sys.platform == "linux":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")  # pragma: no cover


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector. Records are trees without cycles, freed by
    reference counting; while thousands are loaded the collector would only walk the growing
    set of live records over and over (about 15% of a run). Workers forked meanwhile inherit
    the pause."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
