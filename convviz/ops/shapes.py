"""Output sizes of convolution and pooling, and the formula with its numbers filled in (for the UI).

Along one axis, an input of length ``n`` with kernel size ``k``, stride ``s``, zero padding ``p`` on each
side and dilation ``d`` gives ``floor((n + 2p - d(k-1) - 1) / s) + 1`` outputs (as in PyTorch).

``"same"`` padding is TensorFlow's ``SAME``: ``ceil(n / s)`` outputs, with a total padding of
``max((ceil(n / s) - 1)·s + d(k-1) + 1 - n, 0)`` split in two, the extra one at the bottom/right. At stride 1
this is ``d(k-1)`` and keeps ``n`` (PyTorch's ``"same"`` too).

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

__all__ = ["PADDING_MODES", "Geometry", "conv_geometry", "interior", "output_size", "output_size_formula",
           "same_padding"]

#: The string values accepted for ``padding`` besides ints and (h, w) pairs.
PADDING_MODES = ("valid", "same")


def _numerator(n: int, kernel: int, padding_total: int, dilation: int) -> int:
    return n + padding_total - dilation * (kernel - 1) - 1


def same_padding(n: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """``(before, after)`` zeros of TensorFlow's ``SAME`` along one axis: ``ceil(n / s)`` outputs.

    The total ``max((ceil(n/s) - 1)·s + d(k-1) + 1 - n, 0)`` is split with the extra zero after (bottom or
    right). Arguments are checked ints (see :func:`output_size`).

    Examples
    --------
    >>> same_padding(7, 3, stride=2), same_padding(8, 3, stride=2), same_padding(5, 4)
    ((1, 1), (0, 1), (1, 2))
    """
    out = -(-n // stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - n, 0)
    return total // 2, total - total // 2


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
            # TensorFlow's SAME: the total padding may be odd, so callers use same_padding for it.
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
        Zeros added on *each* side (>= 0); ``"valid"`` is 0; ``"same"`` gives ``ceil(n / stride)``
        (TensorFlow's ``SAME``; at stride 1 it keeps ``n``).
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
    >>> output_size(7, 3, stride=2), output_size(7, 3, stride=2, padding="same")
    (3, 4)
    """
    n, kernel, stride, padding, dilation = _check_scalar_args(n, kernel, stride, padding, dilation)
    if padding < 0:  # "same"
        return -(-n // stride)
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
    if padding < 0:  # "same": the total padding, possibly uneven, so show the total.
        total = sum(same_padding(n, kernel, stride, dilation))
        pad_text = f"{total}"
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

    ``"same"`` padding is TensorFlow's ``SAME`` (:func:`same_padding`): ``ceil(n / s)`` outputs, the extra
    row/column of an odd total padding at the bottom/right (at stride 1 exactly PyTorch's ``"same"``).

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
    >>> g = conv_geometry(8, 7, (3, 3), stride=2, padding="same")
    >>> (g.pt, g.pb, g.pl, g.pr, g.out_h, g.out_w)
    (0, 1, 1, 1, 4, 4)
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
            pt, pb = same_padding(height, kh, sh, dh)
            pl, pr = same_padding(width, kw, sw, dw)
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


def interior(g: Geometry, rows: tuple[int, int] | None = None,
             cols: tuple[int, int] | None = None) -> tuple[slice, slice]:
    """The outputs whose whole window lies inside input rows/columns ``[lo, hi)`` (default: all the input).

    Outputs outside these slices read some zero padding (or, with `rows`/`cols`, something outside the
    given block): the "padding border" of a map, whose values are often extreme. Chain it to follow a
    pipeline: the interior of a pooled map is the pooling's interior within the conv map's interior.

    Parameters
    ----------
    g : Geometry
        The operation.
    rows, cols : (int, int), optional
        Half-open ranges of input rows/columns (unpadded coordinates); default the whole input.

    Returns
    -------
    (slice, slice)
        Output rows and columns; an empty slice when no window fits inside.

    Examples
    --------
    >>> interior(conv_geometry(10, 10, (3, 3), padding=1))
    (slice(1, 9, None), slice(1, 9, None))
    >>> interior(conv_geometry(10, 10, (3, 3), padding="valid"))
    (slice(0, 8, None), slice(0, 8, None))
    """
    def one(lo: int, hi: int, before: int, stride: int, span: int, n_out: int) -> slice:
        # Output y reads padded rows y*s .. y*s + span - 1, i.e. input rows y*s - before .. (+ span - 1).
        first = max(0, -(-(lo + before) // stride))
        last = min(n_out, (hi + before - span) // stride + 1)
        return slice(first, max(first, last))

    rows = (0, g.height) if rows is None else rows
    cols = (0, g.width) if cols is None else cols
    return (one(rows[0], rows[1], g.pt, g.sh, g.dh * (g.kh - 1) + 1, g.out_h),
            one(cols[0], cols[1], g.pl, g.sw, g.dw * (g.kw - 1) + 1, g.out_w))
