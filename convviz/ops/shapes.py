"""Output sizes of convolution and pooling, and the formula with its numbers filled in (for the UI).

Along one axis, an input of length ``n`` with kernel size ``k``, stride ``s``, zero padding ``p`` on each
side and dilation ``d`` gives ``floor((n + 2p - d(k-1) - 1) / s) + 1`` outputs (as in PyTorch).

Examples
--------
>>> from convviz import output_size, output_size_formula
>>> output_size(1024, 3, padding=1)
1024
>>> output_size_formula(1024, 3, padding=1)
'(1024 + 2·1 − 1·(3−1) − 1) / 1 + 1 = 1024'
"""

from __future__ import annotations

from dataclasses import dataclass

from convviz._validate import int_in_range, pair
from convviz.errors import ConvvizValueError

__all__ = ["PADDING_MODES", "Geometry", "conv_geometry", "output_size", "output_size_formula"]

#: The string values accepted for ``padding`` besides ints and (h, w) pairs.
PADDING_MODES = ("valid", "same")


def _numerator(n: int, kernel: int, padding_total: int, dilation: int) -> int:
    return n + padding_total - dilation * (kernel - 1) - 1


def _check_scalar_args(n, kernel, stride, padding, dilation) -> tuple[int, int, int, int, int]:
    n = int_in_range(n, "n")
    kernel = int_in_range(kernel, "kernel")
    stride = int_in_range(stride, "stride")
    dilation = int_in_range(dilation, "dilation")
    if isinstance(padding, str):
        if padding not in PADDING_MODES:
            raise ConvvizValueError(f"`padding` must be an int or one of {PADDING_MODES}, got {padding!r}")
        if padding == "valid":
            padding = 0
        else:
            if stride != 1:
                raise ConvvizValueError(f"`padding='same'` needs `stride=1`, got stride {stride}")
            # Total padding d(k-1) keeps the length; the half-padding shown below may be fractional.
            return n, kernel, stride, -1, dilation
    padding = int_in_range(padding, "padding", low=0)
    return n, kernel, stride, padding, dilation


def output_size(n, kernel, *, stride=1, padding=0, dilation=1) -> int:
    """Number of outputs along one axis: ``floor((n + 2p - d(k-1) - 1) / s) + 1``.

    Parameters
    ----------
    n : int
        Input length (height or width), >= 1.
    kernel : int
        Kernel size along this axis, >= 1.
    stride : int, optional
        Step between windows, >= 1.
    padding : int or {"valid", "same"}, optional
        Zeros added on *each* side (>= 0); ``"valid"`` is 0; ``"same"`` keeps ``n`` (stride 1 only).
    dilation : int, optional
        Spacing between kernel taps, >= 1.

    Returns
    -------
    int
        The output length, >= 1.

    Raises
    ------
    ConvvizValueError
        For a bad argument, or when the window does not fit: the result would be 0 or less.

    Examples
    --------
    >>> output_size(7, 3, stride=2)
    3
    """
    n, kernel, stride, padding, dilation = _check_scalar_args(n, kernel, stride, padding, dilation)
    if padding < 0:  # "same"
        return n
    size = _numerator(n, kernel, 2 * padding, dilation) // stride + 1
    if size < 1:
        span = dilation * (kernel - 1) + 1
        raise ConvvizValueError(
            f"the output would be empty: a window spanning {span} does not fit in `n`={n} plus padding "
            f"{padding} on each side; use a smaller kernel or dilation, or more padding"
        )
    return size


def output_size_formula(n, kernel, *, stride=1, padding=0, dilation=1) -> str:
    """The output-size formula with the numbers filled in, for display.

    Uses ``·`` for multiplication and ``−`` for minus. When the division is not exact the floor is shown as
    ``⌊…⌋``. A non-positive result is shown, not raised (the UI explains why the output is empty).

    Parameters
    ----------
    n, kernel, stride, padding, dilation
        As in :func:`output_size`.

    Returns
    -------
    str
        For example ``"(1024 + 2·1 − 1·(3−1) − 1) / 1 + 1 = 1024"``.

    Examples
    --------
    >>> output_size_formula(7, 3, stride=2)
    '(7 + 2·0 − 1·(3−1) − 1) / 2 + 1 = 3'
    >>> output_size_formula(8, 3, stride=2)
    '⌊(8 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 = 3'
    """
    n, kernel, stride, padding, dilation = _check_scalar_args(n, kernel, stride, padding, dilation)
    if padding < 0:  # "same": total padding d(k-1), possibly uneven, so show the total.
        pad_text, total = f"{dilation * (kernel - 1)}", dilation * (kernel - 1)
    else:
        pad_text, total = f"2·{padding}", 2 * padding
    numerator = _numerator(n, kernel, total, dilation)
    inner = f"({n} + {pad_text} − {dilation}·({kernel}−1) − 1) / {stride}"
    if numerator % stride:
        inner = f"⌊{inner}⌋"
    return f"{inner} + 1 = {numerator // stride + 1}"


@dataclass(frozen=True)
class Geometry:
    """Resolved sizes of one 2D convolution or pooling (all ints).

    Attributes
    ----------
    height, width : int
        Input size.
    kh, kw : int
        Kernel size.
    sh, sw : int
        Stride.
    pt, pb, pl, pr : int
        Zero padding at the top, bottom, left and right.
    dh, dw : int
        Dilation.
    out_h, out_w : int
        Output size, both >= 1.
    """

    height: int
    width: int
    kh: int
    kw: int
    sh: int
    sw: int
    pt: int
    pb: int
    pl: int
    pr: int
    dh: int
    dw: int
    out_h: int
    out_w: int

    @property
    def padded_shape(self) -> tuple[int, int]:
        """``(H + pt + pb, W + pl + pr)``."""
        return self.height + self.pt + self.pb, self.width + self.pl + self.pr

    def tap_rows(self, i: int) -> slice:
        """Rows of the padded input that kernel row ``i`` meets, one per output row (``H'`` of them)."""
        start = i * self.dh
        return slice(start, start + (self.out_h - 1) * self.sh + 1, self.sh)

    def tap_cols(self, j: int) -> slice:
        """Columns of the padded input that kernel column ``j`` meets, one per output column (``W'``)."""
        start = j * self.dw
        return slice(start, start + (self.out_w - 1) * self.sw + 1, self.sw)

    def tap(self, i: int, j: int) -> tuple[slice, slice]:
        """``padded[g.tap(i, j)]`` is the (H', W', ...) view of the values kernel tap ``(i, j)`` meets."""
        return self.tap_rows(i), self.tap_cols(j)


def conv_geometry(height: int, width: int, kernel_hw: tuple[int, int], *, stride=1, padding=0,
                  dilation=1, what: str = "the convolution") -> Geometry:
    """Validate stride, padding and dilation and resolve the output size of a 2D window operation.

    ``"same"`` padding (stride 1 only) splits the total ``d(k-1)`` as PyTorch does: the extra row/column of
    an odd total goes to the bottom/right.

    Parameters
    ----------
    height, width : int
        Input size.
    kernel_hw : (int, int)
        Kernel size.
    stride, dilation : int or (int, int), optional
        Each >= 1.
    padding : int, (int, int) or {"valid", "same"}, optional
        Zeros on each side (>= 0), or a mode.
    what : str, optional
        Name of the operation for error messages.

    Returns
    -------
    Geometry

    Examples
    --------
    >>> g = conv_geometry(5, 5, (4, 4), padding="same")
    >>> (g.pt, g.pb, g.out_h)
    (1, 2, 5)
    """
    kh, kw = kernel_hw
    sh, sw = pair(stride, "stride")
    dh, dw = pair(dilation, "dilation")
    if isinstance(padding, str):
        if padding not in PADDING_MODES:
            raise ConvvizValueError(
                f"`padding` must be an int, an (h, w) pair or one of {PADDING_MODES}, got {padding!r}"
            )
        if padding == "valid":
            pt = pb = pl = pr = 0
        else:
            if (sh, sw) != (1, 1):
                raise ConvvizValueError(f"`padding='same'` needs `stride=1`, got stride {(sh, sw)}")
            th, tw = dh * (kh - 1), dw * (kw - 1)
            pt, pl = th // 2, tw // 2
            pb, pr = th - pt, tw - pl
    else:
        ph, pw = pair(padding, "padding", minimum=0)
        pt = pb = ph
        pl = pr = pw
    out_h = _numerator(height, kh, pt + pb, dh) // sh + 1
    out_w = _numerator(width, kw, pl + pr, dw) // sw + 1
    if out_h < 1 or out_w < 1:
        span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
        raise ConvvizValueError(
            f"{what} output would be empty: a window spanning {span[0]}x{span[1]} does not fit in the "
            f"{height}x{width} input plus padding; use a smaller kernel or dilation, or more padding"
        )
    return Geometry(height, width, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw, out_h, out_w)
