"""Browser tests of shareable links: a link restores its bank and settings; a broken one is explained."""

from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np
import pytest

from convviz import ConvSettings, FilterBank, decode_state, encode_state
from tests.e2e.helpers import assert_no_exception, open_app, screenshot, wait_idle

pytestmark = pytest.mark.e2e


def shared_bank() -> FilterBank:
    """Two filters nobody has as a preset: red-only left-minus-right edges, and a blue-minus-green dot."""
    weights = np.zeros((2, 3, 3, 3))  # (K, kh, kw, C)
    weights[0, :, 0, 0], weights[0, :, 2, 0] = 0.25, -0.25
    weights[1, 1, 1, 2], weights[1, 1, 1, 1] = 0.75, -0.5
    return FilterBank(weights, [0.0, 0.125], ("red left edges", "blue minus green"), name="shared-test")


def weight_box(page, label: str):
    return page.get_by_role("spinbutton", name=label, exact=True)


def test_a_shared_link_restores_the_bank_and_settings(page):
    """A link shows its filters by name, its exact weights, bias and stride; an edit updates the link."""
    params = encode_state(shared_bank(), ConvSettings(stride=2, padding="valid", relu=False))
    open_app(page, "?" + urlencode(params))
    page.get_by_text("1 · red left edges").first.wait_for()  # the designer has drawn the restored bank
    assert_no_exception(page)
    assert page.get_by_text("could not be read").count() == 0
    assert page.get_by_text("2 · blue minus green").first.is_visible()
    assert weight_box(page, "R row 2 column 1").input_value() == "0.25"
    assert weight_box(page, "R row 2 column 3").input_value() == "-0.25"
    assert weight_box(page, "G row 2 column 2").input_value() == "0"
    assert page.get_by_role("spinbutton", name="Stride", exact=True).input_value() == "2"
    page.get_by_text("Filter to edit").first.scroll_into_view_if_needed()
    screenshot(page, "screenshot-designer")
    page.get_by_text("2 · blue minus green").first.click()
    wait_idle(page)
    assert weight_box(page, "B row 2 column 2").input_value() == "0.75"
    assert weight_box(page, "G row 2 column 2").input_value() == "-0.5"
    bias = page.get_by_role("spinbutton", name="Bias (added after the sum)", exact=True)
    assert bias.input_value() == "0.125"
    before = page.url
    box = weight_box(page, "R row 1 column 1")
    box.fill("0.5")
    box.press("Enter")
    page.wait_for_function("before => location.href !== before", arg=before)  # the link follows the edit
    bank, settings = decode_state(dict(parse_qsl(urlsplit(page.url).query)))
    assert bank.weights[1, 0, 0, 0] == np.float32(0.5) and bank.names == shared_bank().names
    assert settings == ConvSettings(stride=2, padding="valid", relu=False)


def test_a_broken_link_is_explained_and_the_defaults_are_shown(page):
    """A cut-short link shows one friendly message and the default bank, with no traceback."""
    params = encode_state(shared_bank())
    open_app(page, "?" + urlencode({"bank": params["bank"][:-10]}))
    page.get_by_text("1 · vertical edges").first.wait_for()  # the default bank
    assert_no_exception(page)
    assert page.get_by_text("could not be read").first.is_visible()
