"""A limit on heavy computations at once in this process, so an overloaded server says so.

A full recompute (new photo, new settings, a new bank shape) and a full-resolution export are heavy; a weight
edit is light but passes through the same gate (an uncontended gate costs microseconds). NumPy and OpenCV
release the GIL, so more heavy runs at once than cores only make every student wait longer. With
:data:`SLOTS` runs in progress the next one waits: :func:`heavy_work` calls ``on_wait`` at once (the page
shows :data:`BUSY_MESSAGE`), keeps trying for :data:`WAIT_S` seconds and then raises :class:`Busy`, whose
message the page shows instead of its results.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator

SLOTS = max(2, os.cpu_count() or 2)  # heavy runs at once per process
WAIT_S = 60.0  # how long a run waits for a slot before giving up with a message
BUSY_MESSAGE = ("The server is busy with other students' work: yours is queued and will show in a moment "
                "(retrying).")
GAVE_UP = ("The server is still too busy after a minute, so nothing was computed. Wait a little and change "
           "any setting to try again.")

_slots = threading.BoundedSemaphore(SLOTS)


class Busy(RuntimeError):
    """No slot became free within :data:`WAIT_S` seconds; the message is for the user."""


@contextlib.contextmanager
def heavy_work(on_wait: Callable[[], None] | None = None, *, wait_s: float | None = None) -> Iterator[None]:
    """Hold one of the process's :data:`SLOTS` while the block runs.

    Parameters
    ----------
    on_wait : callable, optional
        Called once when no slot is free at once (e.g. to show :data:`BUSY_MESSAGE`).
    wait_s : float, optional
        Seconds to wait for a slot (default :data:`WAIT_S`).

    Raises
    ------
    Busy
        When no slot became free in time.
    """
    if not _slots.acquire(blocking=False):
        if on_wait is not None:
            on_wait()
        if not _slots.acquire(timeout=WAIT_S if wait_s is None else wait_s):
            raise Busy(GAVE_UP)
    try:
        yield
    finally:
        _slots.release()
