"""Classroom benchmark: N students on one server, each in their own browser context of one Chromium.

It starts ``streamlit run app.py`` on 127.0.0.1 and, for every student in turn, *joins*: opens the Lab,
chooses Upload and uploads the student's own photo (a 1152 x 864 JPEG made here from the student's seed),
at the default preview size and with the default bank. Then it runs *rounds*: in each round every student,
in a shuffled order, edits one weight (filter 1, red slice, row 1, column 2) to a value of their own; a
round lasts at least ``--interval`` seconds, so each student edits about once per interval. Finally every
context is closed (the class leaves) and the server's memory is followed for ``--after`` seconds.

Reported (all measured here):

- per interaction (join, edit) p50/p95 in ms: a join from ``goto`` until the uploaded photo's page has
  rendered; an edit from pressing Enter until the edited maps show new, decoded pictures (as in
  :mod:`benchmarks.bench_ui`);
- errors: interactions that timed out or raised, and pages showing an exception box or a traceback;
- cross-talk: at the end each page must show only its own file name, its own last weight in the input and
  its own bank in the URL (decoded with :func:`convviz.decode_state`);
- server CPU seconds (user + system, ``/proc/<pid>/stat``) per join and per edit (the edit figure is the
  CPU of the whole edit phase divided by the edits, so idle overhead is included);
- server RSS (``/proc/<pid>/status``): *warm* (after one visit with the sample image, closed, and
  ``--settle`` seconds), *class* (every student joined and editing), *peak* (sampled after every
  interaction), right after the class closed and ``--after`` seconds later; memory per student is
  (class - warm) / N;
- bytes per edit *on the network*: every byte the server sent through a counting TCP proxy between it and
  the browsers (:func:`tests.e2e.helpers.counting_proxy`: HTTP headers and bodies, websocket framing, after
  the websocket's compression), which is what a classroom's Wi-Fi carries; and, for reference, the
  websocket's frames decompressed, as Playwright reports them; and bytes per join on the network;
- the load average before and after.

Run from the repository root (it takes about a minute plus ``--after``)::

    python -m benchmarks.bench_classroom --students 10
    python -m benchmarks.bench_classroom --students 3 --rounds 3 --after 20
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np

from benchmarks.bench_ui import _ARM, _EDIT_DONE, _SRCS
from tests.e2e.helpers import (
    CHROMIUM_ARGS,
    IDLE,
    UPLOAD_INPUT,
    counting_proxy,
    cpu_seconds,
    find_chromium,
    photo_jpeg,
    rss_mb,
    serve_process,
    wait_idle,
    weight_input_class,
)
from ui.lab.designer.grid import CELL_FORMAT

ROOT = Path(__file__).resolve().parents[1]
AFFECTED = ["cv_map_ch0", "cv_map_sum", "cv_map_relu", "cv_thumb_0"]  # what editing filter 1 (red) redraws


@dataclass
class Student:
    """One student's browser context, page, weight input and what they should see."""

    n: int
    context: object
    page: object
    ws_bytes: list[int] = field(default_factory=lambda: [0])  # websocket bytes received, decompressed
    box: object = None
    last_value: str = ""

    @property
    def filename(self) -> str:
        return f"student-{self.n:02d}.jpg"


def _count_bytes(student: Student) -> None:
    def on_ws(ws) -> None:
        def on_frame(payload) -> None:
            student.ws_bytes[0] += len(payload)

        ws.on("framereceived", on_frame)

    student.page.on("websocket", on_ws)


def join(browser, url: str, n: int) -> Student:
    """Open the Lab in a new context and upload student `n`'s photo; the page is idle when it returns."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    student = Student(n, context, page)
    _count_bytes(student)
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.get_by_test_id("stRadio").get_by_text("Upload", exact=True).click()
    wait_idle(page, 120_000)
    page.locator(UPLOAD_INPUT).set_input_files(
        {"name": student.filename, "mimeType": "image/jpeg", "buffer": photo_jpeg(1152, 864, seed=1000 + n)})
    page.get_by_text(f"upload: {student.filename}").wait_for(timeout=120_000)
    wait_idle(page, 120_000)
    page.wait_for_selector(".cv_thumb_1 img", timeout=120_000)
    key = weight_input_class(page, 0, 0, 0, 1)
    if key is None:
        raise RuntimeError("no weight input found (keys cv_w<rev>_<k>_<c>_<i>_<j>)")
    student.box = page.locator(f".{key} input")
    return student


def edit(student: Student, value: str, wire) -> tuple[float, int, int]:
    """Set the student's weight to `value`; return (ms until the maps re-rendered, bytes on the network
    through `wire`, websocket bytes decompressed). Edits are one at a time, so the proxy's count is this
    edit's (and the other pages' few keep-alive bytes)."""
    page = student.page
    before, on_wire = student.ws_bytes[0], wire.down
    old = page.evaluate(_SRCS, AFFECTED)
    page.evaluate(_ARM, [_EDIT_DONE, [AFFECTED, old]])
    student.box.fill(value)
    student.box.press("Enter")
    page.wait_for_function("window.__bench.t1 !== null", timeout=120_000)
    ms = page.evaluate("window.__bench.t1 - window.__bench.t0")
    wait_idle(page, 120_000)
    page.wait_for_timeout(150)  # late frames of this edit (e.g. the explanation) still count
    student.last_value = value
    return ms, wire.down - on_wire, student.ws_bytes[0] - before


def cross_talk(student: Student, others: list[str]) -> list[str]:
    """What this student's page shows that is not theirs (empty when the session is isolated)."""
    from convviz import decode_state

    page, problems = student.page, []
    text = page.inner_text("body")
    if f"upload: {student.filename}" not in text:
        problems.append(f"{student.filename}: own photo not shown")
    problems += [f"{student.filename}: shows {name}" for name in others if name in text]
    shown = CELL_FORMAT % float(student.last_value)  # the grid shows 3 significant digits (1.004 -> "1")
    if float(student.box.input_value()) != float(shown):
        problems.append(f"{student.filename}: weight box shows {student.box.input_value()}")
    params = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
    bank, _ = decode_state(params) if "bank" in params else (None, None)
    if bank is None or bank.weights[0, 0, 1, 0] != np.float32(student.last_value):
        problems.append(f"{student.filename}: the link does not hold the student's own weight")
    return problems


def page_error(page) -> bool:
    """True when the page shows an exception box or a traceback."""
    return page.locator("[data-testid='stException']").count() > 0 or "Traceback" in page.content()


def _pct(ms: list[float]) -> str:
    if not ms:
        return "– | –"
    q = statistics.quantiles(ms, n=20, method="inclusive") if len(ms) > 1 else [ms[0]] * 19
    return f"{statistics.median(ms):.0f} | {q[18]:.0f}"


def run(args) -> dict:
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        sys.exit("no Chromium found: install it or set CONVVIZ_CHROMIUM")
    out: dict = {"load_before": os.getloadavg(), "errors": [], "cross_talk": []}
    joins, join_bytes, edits, wire_bytes, ws_bytes, peak = [], [], [], [], [], 0.0
    env = dict(item.split("=", 1) for item in args.env)
    with sync_playwright() as p, serve_process(ROOT / "app.py", env=env, port=args.port) as (direct, proc), \
            counting_proxy(direct) as wire:
        pid, url = proc.pid, wire.url
        browser = p.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        visit = browser.new_context()  # warm-up: imports, the sample image, the default bank
        wp = visit.new_page()
        wp.goto(url)
        wp.wait_for_selector(IDLE, timeout=120_000)
        wp.wait_for_selector(".cv_thumb_1 img", timeout=120_000)
        visit.close()
        time.sleep(args.settle)
        out["warm"] = rss_mb(pid)
        students: list[Student] = []
        cpu0 = cpu_seconds(pid)
        for n in range(args.students):
            t0, w0 = time.perf_counter(), wire.down
            try:
                students.append(join(browser, url, n))
                joins.append((time.perf_counter() - t0) * 1000)
                join_bytes.append(wire.down - w0)
            except Exception as exc:  # noqa: BLE001 - counted and reported, the class goes on
                out["errors"].append(f"join {n}: {type(exc).__name__}: {exc}")
            peak = max(peak, rss_mb(pid))
        out["cpu_per_join"] = (cpu_seconds(pid) - cpu0) / max(len(joins), 1)
        cpu0 = cpu_seconds(pid)
        rng = random.Random(0)
        for r in range(args.rounds):
            start = time.monotonic()
            for s in rng.sample(students, len(students)):
                value = f"{(s.n + 1) / 8 + (r + 1) / 1000:.3f}"  # each student's own, new each round
                try:
                    ms, on_wire, ws = edit(s, value, wire)
                    if r > 0:  # the first round warms each session's picture cache
                        edits.append(ms)
                        wire_bytes.append(on_wire)
                        ws_bytes.append(ws)
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    out["errors"].append(f"edit {s.filename} round {r}: {type(exc).__name__}: {exc}")
                peak = max(peak, rss_mb(pid))
            time.sleep(max(0.0, args.interval - (time.monotonic() - start)))
        n_edits = args.rounds * len(students)
        out["cpu_per_edit"] = (cpu_seconds(pid) - cpu0) / max(n_edits, 1)
        out["class"] = rss_mb(pid)
        names = [s.filename for s in students]
        for s in students:
            if page_error(s.page):
                out["errors"].append(f"{s.filename}: exception shown")
            out["cross_talk"] += cross_talk(s, [m for m in names if m != s.filename])
        for s in students:
            s.context.close()
        browser.close()
        closed_at = time.monotonic()
        time.sleep(2)
        out["after_close"] = rss_mb(pid)
        trace = []
        while time.monotonic() - closed_at < args.after:
            time.sleep(5)
            trace.append((round(time.monotonic() - closed_at), rss_mb(pid)))
        out["after_trace"] = trace
        out["after"] = trace[-1][1] if trace else out["after_close"]
        with open(f"/proc/{pid}/status") as f:
            out["hwm"] = next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:"))
    out.update(peak=peak, joins=joins, edits=edits, wire_bytes=wire_bytes, ws_bytes=ws_bytes,
               join_bytes=join_bytes,
               load_after=os.getloadavg())
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=4, help="edits per student (the first is untimed)")
    parser.add_argument("--interval", type=float, default=4.0, help="seconds per round (at least)")
    parser.add_argument("--after", type=float, default=60.0, help="seconds to follow RSS after the class")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds after the warm-up visit")
    parser.add_argument("--port", type=int, default=None, help="the server's port (default: a free one)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="environment of the server, e.g. MALLOC_ARENA_MAX=2 (repeatable)")
    args = parser.parse_args(argv)
    r = run(args)
    n = args.students
    print(f"Classroom benchmark: {n} students, {args.rounds} rounds of one edit each, >= {args.interval} s "
          f"per round; server env {' '.join(args.env) or '-'}; {os.cpu_count()} CPUs; "
          f"load average {r['load_before'][0]:.1f} before, "
          f"{r['load_after'][0]:.1f} after")
    print()
    print("| interaction | n | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    print(f"| join (open, upload 1 MP, first render) | {len(r['joins'])} | {_pct(r['joins'])} |")
    print(f"| weight edit | {len(r['edits'])} | {_pct(r['edits'])} |")
    print()
    wire_kb = [b / 1000 for b in r["wire_bytes"]] or [0.0]
    ws_kb = [b / 1000 for b in r["ws_bytes"]] or [0.0]
    print(f"errors: {len(r['errors'])}; cross-talk: {len(r['cross_talk'])}")
    for line in r["errors"] + r["cross_talk"]:
        print("  ", line)
    print(f"server CPU-s per join {r['cpu_per_join']:.2f}, per edit {r['cpu_per_edit']:.3f}")
    print(f"bytes per edit on the network: median {statistics.median(wire_kb):.1f} kB, "
          f"max {max(wire_kb):.1f} kB (the websocket's frames decompressed: median "
          f"{statistics.median(ws_kb):.1f} kB); per join (a fresh browser: the page's scripts, the upload's "
          f"pictures) median {statistics.median(r['join_bytes'] or [0]) / 1e6:.2f} MB")
    per = (r["class"] - r["warm"]) / max(n, 1)
    print(f"RSS MB: warm {r['warm']:.0f}, class {r['class']:.0f} ({per:.1f} per student), peak sampled "
          f"{r['peak']:.0f} (VmHWM {r['hwm']:.0f}), right after close {r['after_close']:.0f}, "
          f"{args.after:.0f} s after {r['after']:.0f} ({r['after'] - r['warm']:+.0f} vs warm)")
    print("RSS after close (s, MB):", ", ".join(f"{t}: {m:.0f}" for t, m in r["after_trace"]))


if __name__ == "__main__":
    main()
