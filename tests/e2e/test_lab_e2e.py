"""Browser tests of the Volume Lab: a real photo upload, a live weight edit, a broken file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from convviz import bank_from_json
from tests.e2e.helpers import (
    UPLOAD_INPUT,
    assert_no_exception,
    choose_preset,
    counting_proxy,
    open_app,
    photo_jpeg,
    screenshot,
    wait_idle,
    weight_input_class,
)

pytestmark = pytest.mark.e2e

def choose_upload(page) -> None:
    page.get_by_test_id("stRadio").get_by_text("Upload", exact=True).click()
    wait_idle(page)
    page.wait_for_selector(UPLOAD_INPUT, state="attached")


def upload(page, name: str, data: bytes, mime: str) -> None:
    page.locator(UPLOAD_INPUT).set_input_files({"name": name, "mimeType": mime, "buffer": data})
    wait_idle(page)


def wait_loaded(page, containers: list[str], old: dict[str, str] | None = None) -> None:
    """Wait until the images in these keyed containers have decoded (and, given `old`, each has a new src)."""
    page.wait_for_function(
        """([names, old]) => names.every(n => { const im = document.querySelector('.' + n + ' img');
             return im && (!old || im.src !== old[n]) && im.complete && im.naturalWidth > 0; })""",
        arg=[containers, old])


def sources(page, containers: list[str]) -> dict[str, str]:
    """Each container's picture URL (absolute, as the browser resolved it)."""
    return {c: page.locator(f".{c} img").evaluate("im => im.src") for c in containers}


def test_photo_upload_and_live_weight_edit(page):
    """A 640x480 JPEG becomes the input; editing a red weight redraws the red map and the sum, not green."""
    open_app(page)
    choose_upload(page)
    upload(page, "holiday.jpg", photo_jpeg(640, 480), "image/jpeg")
    assert_no_exception(page)
    assert page.get_by_role("heading", name="Your image is a volume: 480 × 640 × 3").is_visible()
    # Per-map colour scales: an edit of a red weight then leaves the green map's picture untouched.
    page.get_by_test_id("stRadio").get_by_text("per map", exact=True).click()
    wait_idle(page)
    maps = ["cv_map_ch0", "cv_map_ch1", "cv_map_sum", "cv_map_relu", "cv_thumb_0"]
    wait_loaded(page, maps)
    before = sources(page, maps)

    key = weight_input_class(page, 0, 0, 1, 1)  # filter 1, red slice, centre tap
    assert key, "no weight input found"
    weight = page.locator(f".{key} input")
    weight.fill("2")
    weight.press("Enter")
    wait_loaded(page, ["cv_map_ch0", "cv_map_sum", "cv_map_relu", "cv_thumb_0"], before)
    wait_idle(page)
    assert_no_exception(page)
    assert sources(page, ["cv_map_ch1"]) == {"cv_map_ch1": before["cv_map_ch1"]}  # green did not change
    page.locator(".cv_map_sum").scroll_into_view_if_needed()
    screenshot(page, "lab-upload-edit")
    # The designer's JSON download was drawn before the edit and makes its file when clicked: the edited bank.
    page.get_by_text("Save, load and share: JSON file, link").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this bank (JSON)").click()
    bank = bank_from_json(Path(download.value.path()).read_bytes())
    assert bank.weights[0, 1, 1, 0] == np.float32(2.0)


def test_broken_upload_shows_a_friendly_message(page):
    """A truncated JPEG through the real upload widget gives intake's sentence and no traceback."""
    open_app(page)
    choose_upload(page)
    upload(page, "broken.jpg", photo_jpeg(320, 240)[:500], "image/jpeg")
    alert = page.get_by_test_id("stAlertContentError")
    alert.wait_for()
    assert "Showing the sample image instead" in alert.inner_text()
    assert_no_exception(page)
    assert page.get_by_role("heading", name="Your image is a volume: 256 × 256 × 3").is_visible()
    screenshot(page, "lab-broken-upload")


@pytest.mark.parametrize("preset", ["Gaussian blur (3x3)", "Gaussian blur (5x5)"])
def test_weight_cells_show_whole_numbers_on_a_projector(page, preset):
    """At 1280 px (a common projector) no weight cell clips its number ("0.0208", "0.00521")."""
    page.set_viewport_size({"width": 1280, "height": 800})
    open_app(page)
    choose_preset(page, preset)
    page.wait_for_function("text => document.body.innerText.includes(text)", arg=f"{preset} — 1 filter")
    wait_idle(page)
    side = preset[-4]  # "3" or "5"
    cells = page.evaluate("""() => [...document.querySelectorAll("[class*='st-key-cv_w'] input")]
        .map(i => [i.value, i.scrollWidth, i.clientWidth])""")
    assert len(cells) == 3 * int(side) ** 2
    assert any(len(value) >= 6 for value, _, _ in cells)  # the long numbers this checks are there
    clipped = [value for value, scroll, client in cells if scroll > client + 1]
    assert not clipped, f"clipped weight cells: {clipped}"
    screenshot(page, f"designer-{side}x{side}-1280")


def test_full_resolution_file_is_made_once_with_a_progress_bar(page):
    """A 4000 x 3000 photo, 8 filters: "Make" shows a bar filter by filter, then "Ready" and the download;
    the file downloaded is the (3000, 4000, 8) volume; a weight edit makes it stale ("Make" again)."""
    open_app(page)
    choose_upload(page)
    upload(page, "big.jpg", photo_jpeg(4000, 3000, seed=7), "image/jpeg")
    choose_preset(page, "Compass edges (8 directions)")
    page.wait_for_function("t => document.body.innerText.includes(t)", arg="Compass edges (8 directions) — 8")
    wait_idle(page)
    page.get_by_text("Full resolution (3000 × 4000 input)").click()
    make = page.get_by_role("button", name="Make the full-resolution file (3000 × 4000 × 8, 366 MB)")
    make.wait_for()
    wait_idle(page)  # the toggle's run has ended: the click below starts a run of its own
    make.click()
    bar = page.get_by_test_id("stProgress")
    bar.wait_for()
    page.get_by_role("heading", name="Downloads").scroll_into_view_if_needed()
    screenshot(page, "lab-export-building")
    ready = page.get_by_text("Ready: 3000 × 4000 × 8, 366 MB, made for these filters and settings.")
    ready.wait_for(timeout=120_000)
    # The bar's last words ("All 8 filters done in ...") are not asserted: a run that starts while the file is
    # being made (another click, an edit) picks the build up and, once it is done, shows only "Ready".
    assert not make.is_visible()
    assert_no_exception(page)
    page.get_by_role("heading", name="Downloads").scroll_into_view_if_needed()
    screenshot(page, "lab-export-ready")
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Output volume, full resolution (.npy)").click()
    volume = np.load(download.value.path(), mmap_mode="r")
    assert volume.shape == (3000, 4000, 8) and volume.dtype == np.float32
    assert float(volume[1500, 2000].max()) >= 0  # ReLU: no negative values
    # A weight edit reruns the download column too: the file is now for other filters.
    weight = page.locator(f".{weight_input_class(page, 0, 0, 1, 1)} input")
    weight.fill("2")
    weight.press("Enter")
    page.get_by_text("The file made earlier was for other filters, settings or photo").wait_for()
    assert make.is_visible() and not ready.is_visible()
    assert_no_exception(page)


def test_a_weight_edit_sends_only_the_pictures_it_changed(page):
    """Issue 16's payload target: a small red-weight edit of the default bank on a 1 MP photo brings the
    browser at most 50 kB on the network (counted by a proxy: compressed websocket frames, HTTP), and the
    only pictures fetched are the three it changed (red map, sum, ReLU; filter 1's volume slice is the ReLU
    picture itself); green, blue and filter 2's slice keep their pictures."""
    fetched: list[str] = []
    page.on("response", lambda response: fetched.append(response.url))
    maps = ["cv_map_ch0", "cv_map_ch1", "cv_map_ch2", "cv_map_sum", "cv_map_relu", "cv_thumb_0", "cv_thumb_1"]
    changed = ["cv_map_ch0", "cv_map_sum", "cv_map_relu"]
    with counting_proxy(page.app_url) as wire:
        page.app_url = wire.url
        open_app(page)
        choose_upload(page)
        upload(page, "class.jpg", photo_jpeg(1152, 864, seed=1003), "image/jpeg")
        weight = page.locator(f".{weight_input_class(page, 0, 0, 0, 1)} input")  # filter 1, red, row 1, col 2
        for value in ("0.126", "0.127"):  # the first edit warms the session; the second is measured
            wait_loaded(page, maps)
            before = sources(page, maps)
            fetched.clear()
            start = wire.down
            weight.fill(value)
            weight.press("Enter")
            wait_loaded(page, changed, before)
            wait_idle(page)
            page.wait_for_timeout(300)  # late frames of the edit count too
            sent = wire.down - start
        after = sources(page, maps)
        assert_no_exception(page)
    assert {url for url in fetched if "/media/" in url} == {after[m] for m in changed}
    assert after["cv_thumb_0"] == after["cv_map_relu"]
    assert all(after[m] == before[m] for m in ("cv_map_ch1", "cv_map_ch2", "cv_thumb_1"))
    assert sent <= 50_000, f"an edit sent {sent:,} bytes"
