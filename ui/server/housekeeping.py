"""Process housekeeping for a classroom server: give a class's memory back when its students leave.

One daemon thread per process (:func:`start`, called from ``app.py``; idempotent) wakes every
:data:`TICK_S` seconds and:

1. finds sessions whose browser has gone (Streamlit keeps a disconnected session for
   ``server.disconnectedSessionTTL`` seconds so that a reconnect after a network blip resumes it, and only
   reaps it at a later connection). It releases their pipelines at once (recomputed if the student comes
   back) and *closes* them after :data:`CLOSE_AFTER_S`, which frees their session state, uploaded files and
   media;
2. when a session was released or closed (or every :data:`GC_PERIOD_S` otherwise), runs one full
   ``gc.collect()`` - off the edit path: ``[runner] postScriptGC = false`` keeps it out of every script
   run - and then ``malloc_trim(0)`` on glibc, which hands freed heap pages back to the system (without it
   RSS stays at its peak after a class);
3. deletes built download files past their expiry (:func:`ui.server.exports.sweep`);
4. asks Streamlit's media manager to drop served downloads no session refers to (it marks them on one call
   and deletes them on the next; otherwise a 384 MB full-resolution file waits for two script runs).

Chosen and measured in docs/benchmarks.md ("A class on one server"). Streamlit internals are reached
through ``runtime.get_instance()._session_mgr``; where they are missing (another Streamlit version) the
thread logs once and only collects on its timer.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import platform
import threading
import time
from dataclasses import dataclass, field

from ui.server import exports

TICK_S = 5.0  # how often the thread looks at the sessions
CLOSE_AFTER_S = 30.0  # a session without a browser this long is closed (its link restores bank and settings)
GC_PERIOD_S = 300.0  # a full collection at least this often even when no session ended
PIPELINE_KEY = "cv_pipeline"  # ui.lab.live.PIPELINE (not imported: this module never imports streamlit pages)

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_thread: threading.Thread | None = None


@dataclass
class Stats:
    """What the thread did (read by tests and logs)."""

    released: int = 0  # pipelines of disconnected sessions released
    closed: int = 0  # disconnected sessions closed
    collections: int = 0
    last_gc_ms: float = 0.0
    last_trim_ms: float = 0.0
    gone_since: dict[str, float] = field(default_factory=dict)  # session id -> first seen disconnected


STATS = Stats()


def _libc_trim():
    """``malloc_trim`` of glibc, or None (musl, macOS, Windows: nothing to call)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


_TRIM = _libc_trim()


def collect() -> tuple[float, float]:
    """One full collection, then ``malloc_trim(0)`` where available; return both times in ms."""
    t0 = time.perf_counter()
    gc.collect()
    t1 = time.perf_counter()
    if _TRIM is not None:
        _TRIM(0)
    t2 = time.perf_counter()
    STATS.collections += 1
    STATS.last_gc_ms, STATS.last_trim_ms = (t1 - t0) * 1000, (t2 - t1) * 1000
    _log.info("housekeeping: gc %.0f ms, malloc_trim %.0f ms", STATS.last_gc_ms, STATS.last_trim_ms)
    return STATS.last_gc_ms, STATS.last_trim_ms


def _session_manager():
    from streamlit import runtime

    if not runtime.exists():
        return None
    return getattr(runtime.get_instance(), "_session_mgr", None)


def _release(session) -> bool:
    """Release the pipeline of a disconnected session; True when there was one."""
    try:
        state = session.session_state
        pipe = state[PIPELINE_KEY] if PIPELINE_KEY in state else None
    except (AttributeError, KeyError):
        return False
    if pipe is None or not hasattr(pipe, "release"):
        return False
    pipe.release()
    return True


def tick(now: float | None = None) -> bool:
    """One look at the sessions (see the module docstring); True when memory was freed."""
    now = time.monotonic() if now is None else now
    exports.sweep(now)
    mgr = _session_manager()
    storage = getattr(mgr, "_session_storage", None)
    if mgr is None or storage is None or not hasattr(mgr, "close_session"):
        return False
    from streamlit import runtime

    runtime.get_instance().media_file_mgr.remove_orphaned_files()
    freed = False
    stored = {info.session.id: info.session for info in storage.list()}
    for sid, session in stored.items():
        if sid not in STATS.gone_since:
            STATS.gone_since[sid] = now
            if _release(session):
                STATS.released += 1
                freed = True
        elif now - STATS.gone_since[sid] >= CLOSE_AFTER_S:
            mgr.close_session(sid)
            STATS.gone_since.pop(sid)
            STATS.closed += 1
            freed = True
    for sid in [sid for sid in STATS.gone_since if sid not in stored]:  # resumed, or reaped by Streamlit
        del STATS.gone_since[sid]
    return freed


def _run() -> None:
    last_gc = time.monotonic()
    while True:
        time.sleep(TICK_S)
        try:
            freed = tick()
            if freed or time.monotonic() - last_gc >= GC_PERIOD_S:
                collect()
                last_gc = time.monotonic()
        except Exception:  # noqa: BLE001 - housekeeping must never take the server down
            _log.exception("housekeeping failed; trying again in %s s", TICK_S)


def start() -> None:
    """Start the housekeeping thread once per process (later calls do nothing)."""
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="convviz-housekeeping", daemon=True)
            _thread.start()
