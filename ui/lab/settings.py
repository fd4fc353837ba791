"""The Lab's settings panel: stride, padding, dilation, ReLU, pooling, colour scale — and what they imply.

The widgets write the keys of :mod:`ui.state`; :func:`settings_panel` reads them back through
:func:`ui.state.read_settings` (validated and clamped), shows the output-size formula with the user's
numbers, and explains impossible combinations in words instead of failing.
"""

from __future__ import annotations

import streamlit as st

from convviz import ConvvizValueError, output_size, output_size_formula
from convviz.filterbank.bank import FilterBank
from ui import state
from ui.lab.display import view_widgets

_PADDING_HELP = ("valid: no padding, the map shrinks. same: zeros around the image so the map keeps its "
                 "size (with stride s: ⌈n / s⌉, as TensorFlow's SAME). custom: choose how many rows/columns "
                 "of zeros go on each side.")
_AXES = ("H′", "W′")
_NORM_HELP = ("shared: one colour scale for every map on the page, so colours compare across maps and the "
              "sum reads as the sum. per map: each map uses its own range (weak maps become visible).")


def _widgets(settings: state.LabSettings) -> None:
    """Draw the setting widgets (all keyed in :mod:`ui.state`, kept across pages), in two rows."""
    keep = {"persist_state": "session"}
    c = st.columns([1, 1.2, 1, 1, 2.2], vertical_alignment="bottom")
    c[0].number_input("Stride", 1, state.MAX_STRIDE, step=1, key=state.STRIDE, **keep,
                      help="How many pixels the filter moves between two outputs.")
    c[1].selectbox("Padding", state.PADDING_MODES, key=state.PADDING_MODE, help=_PADDING_HELP, **keep)
    c[2].number_input("Zeros per side", 0, state.MAX_PADDING, step=1, key=state.PADDING, **keep,
                      disabled=settings.padding_mode != "custom", help="Used with custom padding.")
    c[3].number_input("Dilation", 1, state.MAX_DILATION, step=1, key=state.DILATION, **keep,
                      help="Spacing between the filter's taps: 2 spreads a 3x3 filter over 5x5 pixels.")
    c[4].radio("Colour scale", state.NORM_MODES, key=state.NORM, help=_NORM_HELP, horizontal=True, **keep)
    p = st.columns([1, 1.2, 1, 1, 2.2], vertical_alignment="bottom")
    p[0].toggle("ReLU", key=state.RELU, help="Replace every negative value by 0.", **keep)
    p[1].selectbox("Pooling", state.POOL_MODES, key=state.POOL, **keep,
                   format_func={"none": "none", "max": "max", "avg": "average"}.get)
    pooling = settings.pool != "none"
    p[2].number_input("Pool size", state.MIN_POOL, state.MAX_POOL, step=1, key=state.POOL_SIZE,
                      disabled=not pooling, **keep)
    p[3].number_input("Pool stride", 1, state.MAX_POOL, step=1, key=state.POOL_STRIDE, disabled=not pooling,
                      **keep)


def _formula_lines(settings: state.LabSettings, hw: tuple[int, int], kernel: tuple[int, int]) -> list[str]:
    """The output-size formula per axis with the user's numbers (the result may be 0 or less)."""
    kw = settings.conv_kwargs()
    return [f"{axis} = {output_size_formula(n, k, **kw)}"
            for axis, n, k in zip(_AXES, hw, kernel, strict=True)]


def settings_problem(settings: state.LabSettings, image_hw: tuple[int, int], bank: FilterBank) -> str | None:
    """A sentence explaining why these settings cannot work on this image and bank, or None.

    Runs on every Lab rerun: the sizes come from :func:`convviz.output_size`; the formula text is made only
    for the sentence.
    """
    kw = settings.conv_kwargs()
    for axis, n, k in zip(_AXES, image_hw, bank.kernel_size, strict=True):
        try:
            output_size(n, k, **kw)
        except ConvvizValueError:  # the window does not fit (the settings themselves are validated)
            span = settings.dilation * (k - 1) + 1
            return (f"The output would be empty: with dilation {settings.dilation} the {k}-tap filter spans "
                    f"{span} pixels, more than the {n} pixels plus padding. Use less dilation, more padding, "
                    f"or a larger image. ({axis} = {output_size_formula(n, k, **kw)})")
    return None


def settings_panel(image_hw: tuple[int, int], bank: FilterBank) -> state.LabSettings:
    """Draw the settings and the live output-size formula, or the reason the settings cannot work.

    Parameters
    ----------
    image_hw : (int, int)
        ``(H, W)`` of the image the Lab computes on.
    bank : FilterBank
        The current bank (its kernel size enters the formula; K is the output depth).

    Returns
    -------
    LabSettings
        The validated settings (possibly impossible: see :func:`settings_problem`).
    """
    with st.container(border=True):
        settings = state.read_settings()  # the values the widgets hold (validated and clamped)
        _widgets(settings)
        view_widgets(image_hw, padded=settings.conv_kwargs()["padding"] not in ("valid", 0))
        problem = settings_problem(settings, image_hw, bank)
        if problem:
            st.warning(problem, icon=":material/warning:")
            return settings
        kh, kw = bank.kernel_size
        lines = _formula_lines(settings, image_hw, bank.kernel_size)
        sizes = [output_size(n, k, **settings.conv_kwargs())
                 for n, k in zip(image_hw, bank.kernel_size, strict=True)]
        same = ("; with 'same' padding the zeros are split as TensorFlow's SAME (the odd one at the "
                "bottom/right), giving ⌈n / stride⌉" if settings.padding_mode == "same" else "")
        st.markdown(
            f"Output size per axis: `⌊(n + 2·padding − dilation·(k−1) − 1) / stride⌋ + 1` with your numbers "
            f"(image {image_hw[0]} × {image_hw[1]}, filters {kh} × {kw} × {bank.channels}{same}):  \n"
            + "  \n".join(f"`{line}`" for line in lines)
            + f"  \nconvolution **{sizes[0]} × {sizes[1]} × {bank.n_filters}**"
            + _pipeline_text(settings, sizes, bank.n_filters)
        )
    return settings


def _pipeline_text(settings: state.LabSettings, sizes: list[int], k: int) -> str:
    """The rest of the pipeline with the user's numbers: ReLU keeps the size, pooling shrinks it."""
    text = f" → ReLU **{sizes[0]} × {sizes[1]} × {k}** (same size)" if settings.relu else ""
    if settings.pool == "none":
        return text + f"  \n→ output volume **{sizes[0]} × {sizes[1]} × {k}** (one map per filter)."
    p, s = settings.pool_size, settings.pool_stride
    try:
        pooled = [output_size(n, p, stride=s) for n in sizes]
    except ConvvizValueError:
        return text + f" → pooling {p} × {p} does not fit the {sizes[0]} × {sizes[1]} maps."
    lines = "  \n".join(f"`{axis} = {output_size_formula(n, p, stride=s)}`"
                        for axis, n in zip(("H″", "W″"), sizes, strict=True))
    kind = "max" if settings.pool == "max" else "average"
    return (text + f" → {kind}-pool {p} × {p}, stride {s}:  \n{lines}  \n"
            f"→ output volume **{pooled[0]} × {pooled[1]} × {k}** (one map per filter).")
