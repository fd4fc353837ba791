"""Browser benchmark of the Lab's 3D view of the output volume (issue 14: appear <= 1.5 s, update <= 0.5 s).

Same set-up as :mod:`benchmarks.bench_ui` (a 1 MP photo, the 8-filter compass bank, Chromium without a GPU):

1. **Appear**: from the click on "Show the volume in 3D" until all 8 slices of the stack have decoded
   (the toggle is switched off and on again for each sample).
2. **Update**: with the stack shown, one weight edit (filter 1) is timed from Enter until slice 1 of the stack
   shows its new, decoded picture and no picture of the results is still loading.

Prints medians with the bare-rerun floor measured in the same run::

    python -m benchmarks.bench_stack3d --samples 7
"""

from __future__ import annotations

import argparse
import statistics

from benchmarks.bench_ui import EDIT_VALUES, _timed_enter, bare_rerun, edit_page
from tests.e2e.helpers import CHROMIUM_ARGS, find_chromium, serve, wait_idle

_SHOWN = """() => { const s = [...document.querySelectorAll('.cv-stack img.cv-slice')];
  return s.length === 8 && s.every(im => im.complete && im.naturalWidth > 0); }"""
_UPDATED = """
  const old = arg;
  const s = [...document.querySelectorAll('.cv-stack img.cv-slice')];
  const pictures = document.querySelectorAll('.st-key-cv_results img, .cv-map img');
  return s.length === 8 && s[0].src !== old && s.every(im => im.complete && im.naturalWidth > 0)
    && [...pictures].every(im => im.complete);
"""


def appear(page, toggle) -> float:
    """Milliseconds from the click that shows the stack until its 8 slices have decoded."""
    t0 = page.evaluate("performance.now()")
    toggle.click()
    page.wait_for_function(_SHOWN, timeout=120_000)
    ms = page.evaluate("performance.now()") - t0
    wait_idle(page, 120_000)
    return ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=list(CHROMIUM_ARGS))
        floor = statistics.median(bare_rerun(browser, 9))
        with serve("app.py") as url:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            box = edit_page(page, url)
            toggle = page.get_by_text("Show the volume in 3D")
            shown = []
            for _ in range(args.samples):
                shown.append(appear(page, toggle))
                toggle.click()  # off again
                wait_idle(page, 120_000)
            toggle.click()
            page.wait_for_function(_SHOWN, timeout=120_000)
            wait_idle(page, 120_000)
            box.scroll_into_view_if_needed()
            edits = []
            for i in range(args.samples + 2):
                old = page.evaluate("document.querySelector('.cv-stack img.cv-slice').src")
                edits.append(_timed_enter(page, box, EDIT_VALUES[i % len(EDIT_VALUES)], _UPDATED, old))
            edits = edits[2:]  # warm-up
        browser.close()
    print(f"bare rerun floor p50 {floor:.0f} ms")
    print(f"3D stack appears   p50 {statistics.median(shown):.0f} ms  (samples {[round(t) for t in shown]}; "
          "target <= 1500)")
    print(f"3D stack update    p50 {statistics.median(edits):.0f} ms  (samples {[round(t) for t in edits]}; "
          "target <= 500)")


if __name__ == "__main__":
    main()
