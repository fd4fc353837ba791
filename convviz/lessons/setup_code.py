"""The code a student would write for the Lab's current setup: NumPy or PyTorch, the bank's numbers inside.

:func:`setup_code` turns a :class:`~convviz.FilterBank` and :class:`~convviz.ConvSettings` into a short,
self-explaining script. Run with a variable ``image`` already defined, it leaves ``output`` holding exactly
what convviz's pipeline computes: ``conv2d`` (stride, padding, dilation, bias), then ReLU, then max or average
pooling.

The contract of the generated script (written in its first comment, too):

- before it runs, ``image`` is a NumPy array ``(H, W, C)`` float32 (an RGB photo in [0, 1] for the Lab's
  banks, C = the bank's channels);
- after it runs, ``output`` is a NumPy array ``(H', W', K)`` float32, one map per filter, equal to
  ``convviz.conv2d`` -> ``convviz.relu`` -> ``convviz.max_pool2d``/``avg_pool2d`` up to float32 rounding.

The weights are written as ``(K, C, kh, kw)``, the layout ``torch.nn.functional.conv2d`` wants (each
channel's kernel reads as a small grid), in both versions; the NumPy version uses ``sliding_window_view`` and
``einsum`` and never convviz. Every number is the float32 weight's shortest decimal (``str(np.float32(w))``),
which reads back as the same float32, so the script reproduces the bank bit for bit.

Examples
--------
>>> import numpy as np
>>> from convviz import ConvSettings, FilterBank, conv2d
>>> bank = FilterBank(np.ones((1, 3, 3, 3)) / 27, name="blur")
>>> code = setup_code(bank, ConvSettings(padding=1), framework="numpy")
>>> image = np.random.default_rng(0).random((8, 8, 3), dtype=np.float32)
>>> namespace = {"image": image}
>>> exec(code, namespace)
>>> bool(np.allclose(namespace["output"], conv2d(image, bank.weights, bank.bias, padding=1), atol=1e-6))
True
"""

from __future__ import annotations

import numpy as np

from convviz.errors import ConvvizValueError
from convviz.filterbank.bank import FilterBank
from convviz.ops.shapes import conv_geometry
from convviz.settings import ConvSettings

__all__ = ["FRAMEWORKS", "setup_code"]

FRAMEWORKS = ("numpy", "torch")
_CHANNEL_WORDS = {3: ("R", "G", "B")}


def _num(value: float) -> str:
    """The shortest decimal that reads back as the same float32 (``0.1``, ``-2.0``, ``1e-08``)."""
    return str(np.float32(value))


def _weights_literal(bank: FilterBank, indent: str) -> str:
    """The bank's weights as a nested list ``(K, C, kh, kw)``: one kernel row per line, aligned, commented."""
    planar = np.transpose(bank.weights, (0, 3, 1, 2))  # (K, C, kh, kw)
    text = np.vectorize(_num, otypes=[object])(planar)
    width = max(len(t) for t in text.ravel())
    channel_words = _CHANNEL_WORDS.get(bank.channels, ())
    lines = ["["]
    for k in range(bank.n_filters):
        lines.append(f"{indent}[  # filter {k + 1}: {bank.names[k]!r}")
        for c in range(bank.channels):
            word = f" ({channel_words[c]})" if channel_words else ""
            for i in range(planar.shape[2]):
                row = ", ".join(t.rjust(width) for t in text[k, c, i])
                opening = "[[" if i == 0 else " ["
                closing = "]]," if i == planar.shape[2] - 1 else "],"
                comment = f"  # channel {c}{word}" if i == 0 else ""
                lines.append(f"{indent}    {opening}{row}{closing}{comment}")
        lines.append(f"{indent}],")
    lines.append("]")
    return "\n".join(lines)


def _padding(bank: FilterBank, settings: ConvSettings) -> tuple[int, int, int, int] | None:
    """``(top, bottom, left, right)`` zeros, resolved exactly as :func:`convviz.conv2d` does, or None when
    they depend on the image's size ("same" with a stride > 1: TensorFlow's SAME, worked out by the script).
    """
    if settings.padding == "same" and settings.stride > 1:
        return None
    kh, kw = bank.kernel_size
    span = max(kh, kw) * settings.dilation  # any input size resolves the same fixed padding
    g = conv_geometry(span, span, (kh, kw), stride=settings.stride, padding=settings.padding,
                      dilation=settings.dilation, what="the convolution")
    return g.pt, g.pb, g.pl, g.pr


def _same_padding_lines(bank: FilterBank, settings: ConvSettings) -> list[str]:
    """Script lines that set top, bottom, left, right for TensorFlow's SAME from the image's size."""
    kh, kw = bank.kernel_size
    s, d = settings.stride, settings.dilation
    return [
        f"# padding='same' with stride {s} (TensorFlow's SAME): ceil(H/{s}) x ceil(W/{s}) outputs; the zeros "
        "needed are split,",
        "# the extra one going to the bottom or right.",
        "def same_padding(n, k):",
        f"    out = -(-n // {s})  # ceil(n / stride)",
        f"    total = max((out - 1) * {s} + {d} * (k - 1) + 1 - n, 0)",
        "    return total // 2, total - total // 2",
        "",
        f"top, bottom = same_padding(image.shape[0], {kh})",
        f"left, right = same_padding(image.shape[1], {kw})",
    ]


def _header(bank: FilterBank, settings: ConvSettings, framework: str) -> list[str]:
    kh, kw = bank.kernel_size
    what = "NumPy only" if framework == "numpy" else "PyTorch"
    return [
        f"# {bank.n_filters} filter(s) of {kh}x{kw}x{bank.channels} over an image, as in convviz's "
        f"Volume Lab ({what}).",
        f"# Bank: {bank.name!r}. Settings: {_settings_words(settings)}.",
        f"# Before running: `image` is a NumPy array (H, W, {bank.channels}) float32, e.g. a photo in "
        "[0, 1]:",
        "#     from PIL import Image",
        "#     image = np.asarray(Image.open('photo.jpg').convert('RGB'), dtype=np.float32) / 255",
        f"# After running: `output` is a NumPy array (H', W', {bank.n_filters}) float32, one map per filter.",
    ]


def _settings_words(settings: ConvSettings) -> str:
    words = [f"stride {settings.stride}", f"padding {settings.padding!r}", f"dilation {settings.dilation}",
             "ReLU" if settings.relu else "no ReLU"]
    if settings.pool == "none":
        words.append("no pooling")
    else:
        stride = settings.pool_size if settings.pool_stride is None else settings.pool_stride
        words.append(f"{settings.pool} pooling {settings.pool_size}x{settings.pool_size} stride {stride}")
    return ", ".join(words)


def _pool_stride(settings: ConvSettings) -> int:
    return settings.pool_size if settings.pool_stride is None else settings.pool_stride


def _numpy_code(bank: FilterBank, settings: ConvSettings) -> list[str]:
    kh, kw = bank.kernel_size
    d, s = settings.dilation, settings.stride
    padding = _padding(bank, settings)
    span_h, span_w = d * (kh - 1) + 1, d * (kw - 1) + 1
    lines = [
        "import numpy as np",
        "from numpy.lib.stride_tricks import sliding_window_view",
        "",
        "# weights[k, c] is filter k's kernel for input channel c; bias[k] is added to map k.",
        f"weights = np.array({_weights_literal(bank, '    ')}, dtype=np.float32)  # (K, C, kh, kw)",
        f"bias = np.array([{', '.join(_num(b) for b in bank.bias)}], dtype=np.float32)  # (K,)",
        "",
    ]
    if padding is None:
        lines += _same_padding_lines(bank, settings)
        lines.append("x = np.pad(image, ((top, bottom), (left, right), (0, 0)))  "
                     "# zeros around: (H + top + bottom, W + left + right, C)")
    else:
        top, bottom, left, right = padding
        if settings.padding == "same":
            lines.append("# padding='same': dilation*(k-1) zeros in all, split top/bottom and left/right, so "
                         "H and W are kept.")
        if padding == (0, 0, 0, 0):
            lines.append("x = image  # no padding: (H, W, C)")
        else:
            lines.append(f"x = np.pad(image, (({top}, {bottom}), ({left}, {right}), (0, 0)))  "
                         "# zeros around: (H + top + bottom, W + left + right, C)")
    lines.append(f"# Every {span_h}x{span_w} window, one per output position: "
                 f"(H', W', C, {span_h}, {span_w}).")
    lines.append(f"windows = sliding_window_view(x, ({span_h}, {span_w}), axis=(0, 1))")
    if s > 1:
        lines.append(f"windows = windows[::{s}, ::{s}]  # stride {s}: one window in {s} along each axis")
    if d > 1:
        lines.append(f"windows = windows[:, :, :, ::{d}, ::{d}]  # dilation {d}: taps {d} pixels apart, "
                     f"so one pixel in {d}: (H', W', C, {kh}, {kw})")
    lines += [
        "# Multiply every window by every filter and add up over channel and kernel position.",
        "output = np.einsum('yxcij,kcij->yxk', windows, weights, optimize=True) + bias  # (H', W', K)",
    ]
    if settings.relu:
        lines.append("output = np.maximum(output, 0)  # ReLU: negatives become 0")
    if settings.pool != "none":
        p, ps = settings.pool_size, _pool_stride(settings)
        reduce = "max" if settings.pool == "max" else "mean"
        lines += [
            f"# {settings.pool} pooling: {p}x{p} windows every {ps} pixels (partial windows at the edge are "
            "dropped).",
            f"pools = sliding_window_view(output, ({p}, {p}), axis=(0, 1))[::{ps}, ::{ps}]  "
            f"# (H'', W'', K, {p}, {p})",
            f"output = pools.{reduce}(axis=(3, 4))  # (H'', W'', K)",
        ]
    lines.append("output = output.astype(np.float32)")
    return lines


def _torch_code(bank: FilterBank, settings: ConvSettings) -> list[str]:
    amounts = _padding(bank, settings)
    pad_lines: list[str] = []
    if amounts is None:  # TensorFlow's SAME with a stride: torch's padding='same' needs stride 1
        pad_lines = [*_same_padding_lines(bank, settings),
                     "x = F.pad(x, (left, right, top, bottom))  # zeros around: (1, C, H + top + bottom, …)"]
        padding = "0"
    elif settings.padding == "same":
        padding = "'same'"  # stride 1: torch splits the zeros like convviz
    elif amounts[0] == amounts[1] == amounts[2] == amounts[3]:
        padding = str(amounts[0])
    else:  # an uneven split cannot happen for the odd kernels of a bank; say it anyway if it did
        padding = f"({amounts[0]}, {amounts[2]})"
    lines = [
        "import numpy as np",
        "import torch",
        "import torch.nn.functional as F",
        "",
        "# torch's conv2d wants the weights as (K, C, kh, kw): K output maps, C input channels,",
        "# kernel rows, kernel columns. weights[k, c] is filter k's kernel for input channel c;",
        "# bias[k] is added to map k.",
        f"weights = torch.tensor({_weights_literal(bank, '    ')}, dtype=torch.float32)  # (K, C, kh, kw)",
        f"bias = torch.tensor([{', '.join(_num(b) for b in bank.bias)}], dtype=torch.float32)  # (K,)",
        "",
        "# torch works on batches of channels-first images (N, C, H, W): move C to the front, add N = 1.",
        "x = torch.tensor(image).permute(2, 0, 1).unsqueeze(0)  # (1, C, H, W)",
        *pad_lines,
        f"y = F.conv2d(x, weights, bias, stride={settings.stride}, padding={padding}, "
        f"dilation={settings.dilation})  # (1, K, H', W')",
    ]
    if settings.relu:
        lines.append("y = F.relu(y)  # negatives become 0")
    if settings.pool != "none":
        p, ps = settings.pool_size, _pool_stride(settings)
        op = "max_pool2d" if settings.pool == "max" else "avg_pool2d"
        lines.append(f"y = F.{op}(y, kernel_size={p}, stride={ps})  # (1, K, H'', W'')")
    lines.append("output = y[0].permute(1, 2, 0).numpy()  # back to (H', W', K) like convviz")
    return lines


def setup_code(bank, settings, *, framework) -> str:
    """A short script that computes the Lab's output volume for `bank` and `settings` with NumPy or PyTorch.

    Parameters
    ----------
    bank : FilterBank
        K filters ``(K, kh, kw, C)`` and their biases ``(K,)``; every number is written into the code.
    settings : ConvSettings
        Stride, padding (an int, ``"valid"`` or ``"same"``), dilation, ReLU and pooling.
    framework : {"numpy", "torch"}
        ``"numpy"``: ``sliding_window_view`` + ``einsum``; ``"torch"``: ``torch.nn.functional.conv2d`` on
        NCHW tensors, then ``relu`` and ``max_pool2d``/``avg_pool2d``.

    Returns
    -------
    str
        Python source. It expects a NumPy array ``image`` ``(H, W, C)`` float32 and leaves ``output``
        ``(H', W', K)`` float32 (see the module docstring).

    Raises
    ------
    ConvvizValueError
        For an unknown `framework`, a `bank` that is not a FilterBank, `settings` that are not ConvSettings,
        (``padding="same"`` with a stride above 1 is TensorFlow's SAME, as in :func:`convviz.conv2d`).
    """
    if framework not in FRAMEWORKS:
        raise ConvvizValueError(f"`framework` must be one of {list(FRAMEWORKS)}, got {framework!r}")
    if not isinstance(bank, FilterBank):
        raise ConvvizValueError(f"`bank` must be a FilterBank, got {type(bank).__name__}")
    if not isinstance(settings, ConvSettings):
        raise ConvvizValueError(f"`settings` must be a convviz.ConvSettings, got {type(settings).__name__}")
    body = _numpy_code(bank, settings) if framework == "numpy" else _torch_code(bank, settings)
    return "\n".join([*_header(bank, settings, framework), "", *body]) + "\n"
