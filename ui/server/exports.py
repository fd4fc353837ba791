"""Files the server builds for download (the Lab's full-resolution volume): where, how long, how much disk.

A file is an :class:`ExportFile` in this process's temporary directory (:func:`directory`). It is deleted
when the first of these happens:

- its owner replaces it (:meth:`ExportFile.delete`: the Lab deletes the old file when it makes a new one);
- the object is freed: ``weakref.finalize`` deletes the file when nothing refers to it any more (the tab's
  session state dropped it, or ``ui.server.housekeeping`` closed the session and a collection freed it);
- it was not built or downloaded for :data:`EXPIRY_S` seconds (:func:`sweep`, run by housekeeping's tick);
- the process exits (``weakref.finalize`` runs at exit; the directory is removed too).

Chosen numbers, and why:

- :data:`DISK_BUDGET_BYTES` = 2 GiB for the whole process: five of the largest files the Lab makes (a
  12 MP photo with 8 filters, 366 MiB: ``ui.lab.export.EXPORT_MAX_ELEMENTS``). A class rarely has more than
  a few students exporting in the same quarter of an hour, and 2 GiB fits the free disk of the smallest
  server. Past it a new build is refused with :data:`NO_ROOM`, a sentence saying to wait.
- :data:`EXPIRY_S` = 15 minutes since the file was built or last downloaded (each download restarts the
  clock): enough to download it again after a first look, short enough that files a class left behind are
  gone well within a lesson.

:class:`Build` makes a file step by step on a worker thread that holds one of the process's heavy-work
slots (:func:`ui.server.busy.heavy_work`), so the page can follow its progress (and survive reruns) while
the file is written; :func:`write_channels` writes an ``(H, W, K)`` float32 ``.npy`` one channel at a time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable

import numpy as np

from convviz.errors import ConvvizValueError
from ui.server.busy import Busy, heavy_work

DISK_BUDGET_BYTES = 2 * 2**30  # all built files of the process together
EXPIRY_S = 15 * 60.0  # a file not built or downloaded for this long is deleted by sweep()
NO_ROOM = ("The server's space for full-resolution files is full ({used} MB of {budget} MB, other "
           "students' files): yours ({size} MB) was not made. Files are deleted after {minutes} minutes; try "
           "again then.")
FAILED = "The file could not be made because of an error on the server; try again."

Step = Callable[[int], None]  # called with the number of steps done
_log = logging.getLogger(__name__)
_lock = threading.Lock()
_files: weakref.WeakSet = weakref.WeakSet()  # every ExportFile not yet freed
_dir: str | None = None


class NoRoom(RuntimeError):
    """The disk budget is used up; the message is for the user."""


def directory() -> str:
    """This process's directory for built files (made on first use, removed at exit)."""
    global _dir
    with _lock:
        if _dir is None or not os.path.isdir(_dir):
            _dir = tempfile.mkdtemp(prefix="convviz-exports-")
            weakref.finalize(directory, shutil.rmtree, _dir, True)  # at exit: whatever is left
        return _dir


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class ExportFile:
    """One built file on disk, deleted with this object (see the module docstring).

    Attributes
    ----------
    key : str
        What the file was built from (the Lab: image digest, bank and settings); compared to tell stale.
    path : str
    nbytes : int
        Bytes reserved against :data:`DISK_BUDGET_BYTES` (the file's size once written).
    """

    def __init__(self, key: str, nbytes: int, path: str) -> None:
        self.key, self.nbytes, self.path = key, int(nbytes), path
        self.used = time.monotonic()  # built or last downloaded (the expiry clock)
        self._finalizer = weakref.finalize(self, _remove, path)  # must not refer to self

    @property
    def exists(self) -> bool:
        """False once deleted (replaced, expired) or gone from disk."""
        return self._finalizer.alive and os.path.exists(self.path)

    def touch(self) -> None:
        """Restart the expiry clock."""
        self.used = time.monotonic()

    def open(self):
        """The file opened for reading (restarts the expiry clock); ``FileNotFoundError`` once deleted."""
        if not self._finalizer.alive:
            raise FileNotFoundError(self.path)
        self.touch()
        return open(self.path, "rb")  # noqa: SIM115 - handed to Streamlit, which reads and closes it

    def delete(self) -> None:
        """Delete the file now (idempotent); the budget is freed at once."""
        self._finalizer()


def _used() -> int:
    """Bytes reserved by files not yet deleted (the caller holds ``_lock``)."""
    return sum(f.nbytes for f in list(_files) if f._finalizer.alive)


def used_bytes() -> int:
    """Bytes reserved by files not yet deleted."""
    with _lock:
        return _used()


def reserve(key: str, nbytes: int) -> ExportFile:
    """A new (empty) file of up to `nbytes` bytes for `key`, within :data:`DISK_BUDGET_BYTES`.

    Raises
    ------
    NoRoom
        When the files already made plus this one would pass the budget.
    """
    path = directory()
    with _lock:
        used = _used()
        if used + nbytes > DISK_BUDGET_BYTES:
            mb = 2**20
            raise NoRoom(NO_ROOM.format(used=round(used / mb), budget=DISK_BUDGET_BYTES // mb,
                                        size=max(1, round(nbytes / mb)), minutes=round(EXPIRY_S / 60)))
        fd, path = tempfile.mkstemp(suffix=".npy", prefix="volume-", dir=path)
        os.close(fd)
        file = ExportFile(key, nbytes, path)
        _files.add(file)
    return file


def sweep(now: float | None = None) -> int:
    """Delete the files not built or downloaded for :data:`EXPIRY_S` seconds; return how many."""
    now = time.monotonic() if now is None else now
    with _lock:
        old = [f for f in list(_files) if f._finalizer.alive and now - f.used >= EXPIRY_S]
    for f in old:
        f.delete()
    return len(old)


def write_channels(file: ExportFile, shape: tuple[int, int, int], make: Callable[[int], np.ndarray],
                   step: Callable[[int], None] = lambda done: None) -> None:
    """Write an ``(H, W, K)`` float32 ``.npy`` into `file`, channel ``make(k)`` ``(H, W)`` after channel.

    The array is stored in Fortran order, so each channel is one contiguous block of the file: only one
    channel is in memory (and mapped) at a time, and the file is closed after each. ``numpy.load`` gives
    the ``(H, W, K)`` array back. ``step(k + 1)`` is called after channel ``k`` is on disk.
    """
    h, w, k_all = shape
    mm = np.lib.format.open_memmap(file.path, mode="w+", dtype=np.float32, shape=(h, w, k_all),
                                   fortran_order=True)
    del mm  # the header and the (sparse) file are written
    for k in range(k_all):
        plane = make(k)  # (H, W)
        if plane.shape != (h, w):
            raise ValueError(f"channel {k} has shape {plane.shape}, expected {(h, w)}")
        mm = np.lib.format.open_memmap(file.path, mode="r+")
        mm[:, :, k] = plane  # one contiguous block in Fortran order
        mm.flush()
        del mm, plane
        step(k + 1)
    file.nbytes = os.path.getsize(file.path)
    file.touch()


class Build:
    """`work` making `file` in `steps` steps on a worker thread, in a heavy-work slot; pages follow it.

    ``work(file, step)`` calls ``step(n)`` after step ``n``. States: ``"starting"``, ``"waiting"`` (for a
    slot: every slot is busy), ``"running"``, ``"done"``, ``"failed"`` (:attr:`message` says why; the file
    is deleted).
    """

    def __init__(self, file: ExportFile, steps: int, work: Callable[[ExportFile, Step], None], *,
                 wait_s: float | None = None) -> None:
        self.file, self.steps, self.done = file, steps, 0
        self.state, self.message = "starting", None
        self.started, self.seconds = time.monotonic(), None
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, args=(work, wait_s), name="convviz-export",
                                        daemon=True)
        self._thread.start()

    @property
    def key(self) -> str:
        return self.file.key

    @property
    def running(self) -> bool:
        return self.state in ("starting", "waiting", "running")

    @property
    def ready(self) -> bool:
        """Built, and still on disk."""
        return self.state == "done" and self.file.exists

    def _set(self, **changes) -> None:
        with self._changed:
            for name, value in changes.items():
                setattr(self, name, value)
            self._changed.notify_all()

    def _run(self, work, wait_s) -> None:
        try:
            with heavy_work(lambda: self._set(state="waiting"), wait_s=wait_s):
                self._set(state="running", started=time.monotonic())
                work(self.file, lambda n: self._set(done=n))
            self._set(state="done", seconds=time.monotonic() - self.started)
        except (Busy, ConvvizValueError) as exc:
            self._fail(str(exc))
        except Exception:  # noqa: BLE001 - a worker thread: the page shows a sentence, the log the cause
            _log.exception("building %s failed", self.file.path)
            self._fail(FAILED)

    def _fail(self, message: str) -> None:
        self.file.delete()
        self._set(state="failed", message=message)

    def wait(self, timeout: float) -> None:
        """Return after the next step, the end, or `timeout` seconds."""
        with self._changed:
            if self.running:
                self._changed.wait(timeout)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the worker thread to end."""
        self._thread.join(timeout)
