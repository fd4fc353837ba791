"""Numbers as students read them: one formatter for every number convviz writes in words.

A real minus sign (−), no ``-0``, whole numbers written exactly, others to a few significant digits (tiny and
huge values in scientific notation, never rounded to a misleading 0); fixed decimals where sums must line up.

Examples
--------
>>> fmt(3.0), fmt(-0.25), fmt(1234.5678), fmt(1e-30), fmt(0.123456, digits=6)
('3', '−0.25', '1235', '1e−30', '0.123456')
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["fmt", "fmt_fixed", "fmt_range", "sum_decimals"]


def fmt(value: float, digits: int = 4) -> str:
    """A number for people: whole numbers exactly, others to `digits` significant digits; a real minus sign.

    Parameters
    ----------
    value : float
        Any real number (a NumPy scalar is fine).
    digits : int
        Significant digits of a number that is not whole (4 on the pages; the quiz uses 6).
    """
    v = float(value)
    if v == 0:
        return "0"
    text = f"{v:.0f}" if v.is_integer() and abs(v) < 1e9 else f"{v:.{digits}g}"
    return text.replace("-", "−")  # the g format already drops trailing zeros


def fmt_fixed(value: float, decimals: int) -> str:
    """A number with a fixed number of decimals, a real minus sign, and no ``-0``.

    Examples
    --------
    >>> fmt_fixed(-0.123456, 3), fmt_fixed(-1e-9, 4), fmt_fixed(12.5, 0)
    ('−0.123', '0', '12')
    """
    text = f"{value:.{max(0, decimals)}f}"
    if float(text) == 0:
        return "0"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", "−")


def sum_decimals(terms: np.ndarray, *extra: float) -> int:
    """Decimals that show a float32 sum of `terms` (and `extra` numbers) to ~5 significant digits of its
    largest possible size, and hide its rounding noise: two sums of the same terms in a different order
    (a fast convolution, a step-by-step explanation) then print the same.

    Examples
    --------
    >>> sum_decimals(np.array([0.4, -0.4, 0.8])), sum_decimals(np.zeros(3))
    (4, 4)
    """
    size = float(np.abs(terms).sum()) + sum(abs(x) for x in extra)
    return 4 if size == 0 else int(min(8, max(0, 4 - math.floor(math.log10(size)))))


def fmt_range(lo: float, hi: float) -> str:
    """``"[lo, hi]"`` with :func:`fmt`."""
    return f"[{fmt(lo)}, {fmt(hi)}]"
