"""Both cores for the engine's compiled loops: a thread pool of numba's thread count.

The loops run with the interpreter lock released (`nogil`), so slices of one job run in
parallel on Python threads. numba's own `parallel=True` would need a thread-safe
threading layer, while the API server calls the engine from several threads at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TypeVar

from numba import get_num_threads


def threads() -> int:
    """How many threads a job may use: NUMBA_NUM_THREADS, the cores by default."""
    return get_num_threads()


T = TypeVar("T")
R = TypeVar("R")


def run_all(work: Callable[[T], R], items: Iterable[T], count: int) -> list[R]:
    """`work` on each item, on `count` threads; on this thread when one will do (handing
    work to a pool costs more than a small job)."""
    if count <= 1:
        return [work(item) for item in items]
    return list(_pool(count).map(work, items))


@cache
def _pool(count: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(count, thread_name_prefix="correlate")
