"""Browser tests of issue 14 on real photos: the displayed maps are visibly coloured (compared with the test
card), the photo survives a page change, a 6000 x 600 panorama gives usable views, and the 3D stack shows.

Real photos are Imagenette val photos (../shared/datasets/imagenette2-224/val, read at test time and never
committed), upscaled to 1024 x 1024 (~1 MP) as a student's phone photo reduced to the preview would be. The
visible share of a picture is :func:`ui.draw.scale.visible_share`, measured on the pictures the browser got.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.e2e.helpers import (
    ROOT,
    UPLOAD_INPUT,
    assert_no_exception,
    open_app,
    photo_jpeg,
    screenshot,
    wait_idle,
)
from ui.draw.greys import RAMP_ZERO
from ui.draw.scale import visible_share

pytestmark = pytest.mark.e2e

VAL = next((p / "shared" / "datasets" / "imagenette2-224" / "val" for p in ROOT.parents
            if (p / "shared" / "datasets" / "imagenette2-224" / "val").is_dir()), None)
MAPS = ["cv_map_ch0", "cv_map_ch1", "cv_map_ch2", "cv_map_sum", "cv_map_relu", "cv_thumb_0", "cv_thumb_1"]


def real_photos(n: int = 3) -> list[tuple[str, bytes]]:
    """`n` val photos of different classes as ~1 MP JPEGs (upscaled, quality 92); skip when absent."""
    if VAL is None:
        pytest.skip("the Imagenette val photos are absent (../shared/datasets/imagenette2-224/val)")
    out = []
    for folder in sorted(VAL.iterdir())[:n]:
        path = sorted(folder.glob("*.JPEG"))[0]
        big = cv2.resize(cv2.imread(str(path)), (1024, 1024), interpolation=cv2.INTER_CUBIC)
        ok, buf = cv2.imencode(".jpg", big, [cv2.IMWRITE_JPEG_QUALITY, 92])
        out.append((f"{folder.name}.jpg", buf.tobytes()))
    return out


def upload(page, name: str, data: bytes) -> None:
    page.get_by_test_id("stRadio").get_by_text("Upload", exact=True).click()
    wait_idle(page)
    page.wait_for_selector(UPLOAD_INPUT, state="attached")
    page.locator(UPLOAD_INPUT).set_input_files({"name": name, "mimeType": "image/jpeg", "buffer": data})
    wait_idle(page)


def displayed(page, container: str) -> np.ndarray:
    """The picture the browser shows in `container`, decoded: ``(h, w, 3)`` uint8 RGB."""
    src = page.locator(f".{container} img").first.evaluate("im => im.src")  # absolute: served by the app
    data = page.request.get(src).body()
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)[..., ::-1]


def visible(page) -> float:
    """Mean visible share over the channel maps, the sum, the ReLU and the two output thumbnails."""
    page.wait_for_selector(".cv_thumb_1 img")
    return float(np.mean([visible_share(displayed(page, m), RAMP_ZERO) for m in MAPS]))


def test_real_photos_show_visible_edges_like_the_test_card(browser, app_url):
    """On three real photos the displayed maps are visibly coloured at least half as often as on the test card
    (before issue 14: 2.5-3.3 % against 6.7 %); screenshots at 1400 px and 1024 x 768."""
    photos = real_photos(3)
    shares = {}
    for width, height in ((1400, 1000), (1024, 768)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.app_url = app_url
        open_app(page)
        shares["test card"] = visible(page)
        for name, data in photos:
            upload(page, name, data)
            assert_no_exception(page)
            assert page.get_by_role("heading", name="Your image is a volume: 1024 × 1024 × 3").is_visible()
            shares[name] = visible(page)
            page.locator(".cv-decomposition").scroll_into_view_if_needed()
            screenshot(page, f"issue14-{Path(name).stem}-{width}")
        context.close()
    print("visible shares:", {k: round(100 * v, 1) for k, v in shares.items()})
    for name, _ in photos:
        assert shares[name] >= 0.5 * shares["test card"], (name, shares)


def test_the_photo_survives_a_page_change(page):
    """Upload, open the CNN page (it uses the photo), come back: the Lab still computes on the photo."""
    open_app(page)
    upload(page, "street.jpg", photo_jpeg(800, 600, seed=4))
    assert page.get_by_role("heading", name="Your image is a volume: 600 × 800 × 3").is_visible()
    page.get_by_test_id("stTopNav").get_by_text("Inside a CNN").click()
    wait_idle(page, 60_000)
    page.wait_for_selector("text=upload: street.jpg", timeout=60_000)
    page.get_by_test_id("stTopNav").get_by_text("Volume Lab").click()
    wait_idle(page, 60_000)
    assert_no_exception(page)
    assert page.get_by_role("heading", name="Your image is a volume: 600 × 800 × 3").is_visible()
    assert page.get_by_text("upload: street.jpg").first.is_visible()


def test_a_panorama_gets_usable_views(page):
    """A 6000 x 600 photo: the maps show a window (1.5 times as wide as tall, as tall as a photo's maps),
    and the input panel says so."""
    open_app(page)
    upload(page, "panorama.jpg", photo_jpeg(6000, 600, seed=2))
    assert_no_exception(page)
    page.wait_for_selector("text=times wider than tall")
    for container in ("cv_map_sum", "cv_thumb_0"):
        box = page.locator(f".{container} img").first.bounding_box()
        assert box["width"] / box["height"] <= 1.6 and box["height"] >= 75, (container, box)
    page.locator(".cv-decomposition").scroll_into_view_if_needed()
    screenshot(page, "issue14-panorama")


def test_the_3d_stack_shows_every_map_at_an_angle(page):
    """The 3D view is K tilted slices, all inside the frame (8 filters)."""
    open_app(page)
    from tests.e2e.helpers import choose_preset

    choose_preset(page, "Compass")
    wait_idle(page)
    page.get_by_text("Show the volume in 3D").click()
    wait_idle(page)
    page.wait_for_selector(".cv-stack img.cv-slice")
    frame = page.locator(".cv-stack").bounding_box()
    slices = page.locator(".cv-stack img.cv-slice")
    assert slices.count() == 8
    for i in range(slices.count()):
        box = slices.nth(i).bounding_box()
        assert box["height"] > 10 and box["width"] > 10  # seen at an angle, not edge-on
        assert box["y"] >= frame["y"] - 2 and box["y"] + box["height"] <= frame["y"] + frame["height"] + 2
    page.locator(".cv-stack").scroll_into_view_if_needed()
    screenshot(page, "issue14-stack3d")
