"""Maps of tiny values are labelled honestly (issue 17, item 3): a 1e-30 map's legend is not "−0 · 0 · +0"."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from convviz import ConvSettings, FilterBank, encode_state
from ui.draw.scale import bulk_abs, nice_scale

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.mark.parametrize("s", [1e-30, 3.3e-12, 1e-5, 2.5e12, 1e30])
def test_nice_scale_keeps_the_magnitude(s):
    assert s <= nice_scale(s) <= 1.1 * s


def test_the_bulk_of_a_tiny_map_is_not_zero():
    m = np.full((40, 40), 1e-30, np.float32)
    m[::2] *= -1
    assert 1e-30 <= bulk_abs(m) <= 1.1e-30


def test_a_tiny_map_is_labelled_with_its_magnitude():
    """A bank of 1e-30 weights: every caption and legend shows 1e−30-sized numbers, none a bare ±0."""
    bank = FilterBank(np.full((1, 3, 3, 3), 1e-30), [0.0], ("tiny",), name="tiny-test")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(encode_state(bank, ConvSettings(relu=False, pool="none")))
    at.run()
    assert not at.exception
    texts = [e.value for kind in (at.caption, at.markdown, at.get("html")) for e in kind]
    legends = [m.group() for t in texts for m in re.finditer(r"Colours of every map: [^(]*", t)]
    legends += [m.group() for t in texts for m in re.finditer(r"colours ±[^ <]*", t)]
    assert legends, texts
    for legend in legends:
        assert re.search(r"\+?1\.?\d*e−(29|30)", legend) and not re.search(r"[+±−]0\b(?!\.)", legend), legend
    ranges = [m.group() for t in texts for m in re.finditer(r"\[[^\]]*e−[^\]]*\]", t)]
    assert ranges and all("[0, 0]" not in r for r in ranges), texts
