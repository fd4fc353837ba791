"""The compact editor of wide kernels (issue 17, item 4): exact text, strict reading, refusals restore."""

from __future__ import annotations

import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from convviz.filterbank.bank import FilterBank
from tests.ui.test_designer_app import designer_page  # the designer framed with the Lab's result fragments
from ui import state
from ui.lab.designer.rows import parse_rows, rows_key, rows_text


def big_bank(side: int = 15) -> FilterBank:
    rng = np.random.default_rng(3)
    weights = rng.normal(0, 0.05, (2, side, side, 3)).astype(np.float32)  # (K, kh, kw, C), full precision
    weights[0, 0, 0, 0] = 1e-30
    return FilterBank(weights, [0.0, 0.5], ("a", "b"), name="big-test")


def test_the_text_reads_back_as_the_same_float32_bits():
    w = big_bank().weights[0, :, :, 1]
    assert parse_rows(rows_text(w), w.shape).tobytes() == w.tobytes()


@pytest.mark.parametrize(("text", "words"), [
    ("1,5", "has a comma"), ("1.5,", "has a comma"), ("1e30", "from −1000 to 1000"), ("nan", "not a number"),
    ("inf", "not a number"), ("0x10", "not a number"), ("1000.5", "from −1000 to 1000"),
    ("-1001", "from −1000 to 1000"), ("<img src=x>", "not a number"),
])
def test_a_bad_token_is_refused_by_name(text, words):
    rows = ["0 0 0", f"0 {text} 0", "0 0 0"]
    with pytest.raises(ValueError, match=words):
        parse_rows("\n".join(rows), (3, 3))


@pytest.mark.parametrize(("text", "words"), [("0 0\n0 0\n0 0", "each row needs 3"),
                                             ("0 0 0", "it has 1 rows")])
def test_a_wrong_count_is_refused(text, words):
    with pytest.raises(ValueError, match=words):
        parse_rows(text, (3, 3))


def start() -> AppTest:
    at = AppTest.from_function(designer_page, default_timeout=60).run()
    at.session_state[state.BANK] = big_bank()
    at.session_state[state.BANK_REV] = at.session_state[state.BANK_REV] + 1
    at.run()
    assert not at.exception
    return at


def box(at: AppTest, c: int):
    return at.text_area(key=rows_key(at.session_state[state.BANK_REV], 0, c))


def test_a_wide_kernel_is_three_text_boxes_with_its_exact_values():
    at = start()
    assert [n.label for n in at.get("number_input")] == ["Bias (added after the sum)", "Seed"]  # no cells
    for c in range(3):
        w = at.session_state[state.BANK].weights[0, :, :, c]
        assert parse_rows(box(at, c).value, (15, 15)).tobytes() == w.tobytes()


def test_an_edit_lands_exactly_where_typed():
    at = start()
    before = at.session_state[state.BANK]
    w = before.weights[0, :, :, 2].copy()
    w[14, 7] = 0.125
    box(at, 2).input(rows_text(w)).run()
    assert not at.exception
    after = at.session_state[state.BANK]
    assert np.argwhere(after.weights != before.weights).tolist() == [[0, 14, 7, 2]]
    assert after.weights[0, 14, 7, 2] == np.float32(0.125)


@pytest.mark.parametrize("bad", ["1,5", "1e30", "-1001", "nan", "![](//x)", "\u202e1"])
def test_a_refused_edit_restores_the_box_and_keeps_the_session(bad):
    at = start()
    before, rev = at.session_state[state.BANK], at.session_state[state.BANK_REV]
    lines = rows_text(before.weights[0, :, :, 0]).splitlines()
    lines[3] = " ".join([bad] + lines[3].split()[1:])
    t0 = time.perf_counter()
    box(at, 0).input("\n".join(lines)).run()
    assert time.perf_counter() - t0 < 30
    assert not at.exception
    said = [w.value for w in at.warning if "were not changed" in w.value]
    assert len(said) == 1, [w.value for w in at.warning]
    assert "](" not in said[0] and "\u202e" not in said[0]
    assert at.session_state[state.BANK] is before and at.session_state[state.BANK_REV] == rev
    assert box(at, 0).value == rows_text(before.weights[0, :, :, 0])
