"""The compact weight editor for kernels wider than :data:`COMPACT_ABOVE`: one text box of rows per channel.

A 15 x 15 x 3 filter drawn as number inputs is 675 widgets: ~5 s to open the page and ~1.2 s of server CPU
per settings change (issue 17). Here each channel slice is one text area holding its ``kh`` rows of ``kw``
numbers, written exactly (the shortest decimal that reads back as the bank's float32) and edited with the
keyboard like any text. A change is read strictly (:func:`parse_rows`): a point is the only decimal mark, so
"1,5" is refused with a sentence, never read as 15 or as two numbers; anything the bank cannot hold (a wrong
count, a word, a value beyond ``MAX_ABS_WEIGHT``) is refused the same way and the box gets the values in use
back (:mod:`ui.lab.live`).
"""

from __future__ import annotations

import re

import numpy as np
import streamlit as st

from convviz.filterbank.bank import MAX_ABS_WEIGHT
from convviz.numbers import fmt
from ui import state
from ui.draw.colours import CHANNEL_NAMES
from ui.draw.pictures import md_escape
from ui.lab import live

#: Kernels wider than this get the text editor (a 7 x 7 x 3 grid of inputs is 147 widgets and still fast).
COMPACT_ABOVE = 7
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def rows_text(weights: np.ndarray) -> str:
    """The ``(kh, kw)`` float32 slice as text: one line per row, columns aligned, every value exact.

    >>> rows_text(np.array([[0.1, -1.0], [1e-30, 2.5]], np.float32))
    '  0.1   -1\\n1e-30  2.5'
    """
    cells = [[_exact(v) for v in row] for row in np.asarray(weights, np.float32)]
    width = max(len(c) for row in cells for c in row)
    return "\n".join("  ".join(c.rjust(width) for c in row) for row in cells).rstrip()


def _exact(v: np.float32) -> str:
    """The shortest decimal that reads back as float32 `v` ("0.1", "-1", "1e-30")."""
    text = str(np.float32(v))
    return text[:-2] if text.endswith(".0") else text


def parse_rows(text: str, shape: tuple[int, int]) -> np.ndarray:
    """Read `text` as ``shape = (kh, kw)`` numbers: rows on lines, numbers separated by spaces or tabs.

    Returns
    -------
    numpy.ndarray
        ``(kh, kw)`` float32.

    Raises
    ------
    ValueError
        With a sentence for the student: a comma, a word, a wrong count of rows or numbers, a value that
        is not finite or beyond ``MAX_ABS_WEIGHT``.

    Examples
    --------
    >>> parse_rows("1.5 -2\\n0 1e-3", (2, 2)).tolist()
    [[1.5, -2.0], [0.0, 0.0010000000474974513]]
    >>> parse_rows("1,5 2\\n0 0", (2, 2))
    Traceback (most recent call last):
    ...
    ValueError: “1,5” has a comma: write decimals with a point (1.5) and separate numbers with spaces.
    """
    kh, kw = shape
    lines = [line.split() for line in text.strip().splitlines() if line.strip()]
    if len(lines) != kh:
        raise ValueError(f"it has {len(lines)} rows; the filter has {kh} rows of {kw} numbers.")
    values = []
    for r, tokens in enumerate(lines):
        for token in tokens:
            if "," in token:
                raise ValueError(f"“{token[:20]}” has a comma: write decimals with a point "
                                 f"({token[:20].replace(',', '.')}) and separate numbers with spaces.")
            if not _NUMBER.fullmatch(token):
                raise ValueError(f"“{token[:20]}” in row {r + 1} is not a number.")
        if len(tokens) != kw:
            raise ValueError(f"row {r + 1} has {len(tokens)} numbers; each row needs {kw}.")
        values.append([float(t) for t in tokens])
    out = np.array(values, dtype=np.float64)
    if not (np.isfinite(out).all() and np.abs(out).max() <= MAX_ABS_WEIGHT):
        raise ValueError(f"weights go from {fmt(-MAX_ABS_WEIGHT)} to {fmt(MAX_ABS_WEIGHT)}.")
    return out.astype(np.float32)


def rows_key(rev: int, k: int, c: int) -> str:
    """Widget key of channel `c` of filter `k` at bank revision `rev`."""
    return f"cv_rows{rev}_{k}_{c}"


def rows_changed(key: str, k: int, c: int) -> None:
    """Text-area callback: channel `c` of filter `k` takes the rows typed, or the box gets the values back."""
    bank = state.get_bank()
    k_all, kh, kw, c_all = bank.weights.shape
    if not (0 <= k < k_all and 0 <= c < c_all):
        return
    try:
        values = parse_rows(str(st.session_state.get(key) or ""), (kh, kw))
    except ValueError as exc:
        st.session_state[live.CELL_REFUSED] = (f"{CHANNEL_NAMES[c]} weights were not changed: "
                                               f"{md_escape(exc)} They show the values in use again.")
        st.session_state[key] = rows_text(bank.weights[k, :, :, c])
        st.rerun([live.FRAG_GRIDS, live.FRAG_REFUSAL])
        return
    weights = np.array(bank.weights)  # (K, kh, kw, C), writable
    weights[k, :, :, c] = values
    st.session_state[state.BANK] = bank.replace(weights=weights)
    live.rerun_results()


def rows_editor(bank, k: int, c: int, rev: int) -> None:
    """The text area of channel `c` of filter `k` (weights ``(K, kh, kw, 3)``)."""
    kh, kw = bank.kernel_size
    key = rows_key(rev, k, c)
    st.text_area(f"{CHANNEL_NAMES[c]} weights: {kh} rows of {kw} numbers",
                 rows_text(bank.weights[k, :, :, c]), key=key, height=max(100, 24 * kh + 20),
                 label_visibility="collapsed",                 on_change=rows_changed, args=(key, k, c),
                 help="One row per line, numbers separated by spaces; a point for decimals (1.5).")
