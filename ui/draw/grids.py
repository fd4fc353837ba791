"""Number grids as clean, projector-sized HTML tables, with cells highlighted by masks.

Every cell's text is a number formatted here (:func:`num`), and every other string placed in the HTML is a
fixed label written in this code or passed by our own pages (escaped anyway): never user text, so the HTML
is safe to render with ``unsafe_allow_html``.
"""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

from convviz.numbers import fmt

#: Cell styles: the window under the filter, padding zeros, the cell being filled, cells not yet computed.
_CSS = """
<style>
.cvg-row {display: flex; flex-wrap: wrap; align-items: center; gap: 0.8rem 1.2rem; margin: 0.4rem 0 1rem 0;}
.cvg {border-collapse: collapse; font-size: 1.3rem; font-variant-numeric: tabular-nums;
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;}
.cvg td {border: 1px solid #9aa0a6; min-width: 2.2em; height: 1.9em; text-align: center; padding: 0 0.3em;}
.cvg caption {caption-side: top; font-size: 1.1rem; font-weight: 600; padding-bottom: 0.3rem;
              font-family: sans-serif; text-align: left; white-space: nowrap;}
.cvg td.hi {background: #ffd54f; color: #000; font-weight: 700;}
.cvg td.pad {background: #e8eaed; color: #4a4e52; font-style: italic;}
.cvg td.hi.pad {background: #f0dc9a;}
.cvg td.cur {outline: 4px solid #d93025; outline-offset: -4px; font-weight: 700; background: #fde7e6;
             color: #000;}
.cvg td.blank {color: transparent;}
.cvg td.win {background: #ffb74d; color: #000; font-weight: 700;}
.cvg-op {font-size: 2rem; font-weight: 700; padding: 0 0.2rem;}
.cvg-eq {font-size: 1.35rem; line-height: 2.1rem; font-variant-numeric: tabular-nums;}
.cvt {border-collapse: collapse; font-size: 1.1rem; font-variant-numeric: tabular-nums; margin-bottom: 1rem;}
.cvt th, .cvt td {border-bottom: 1px solid #c4c7c5; padding: 0.35rem 0.8rem; text-align: left;}
.cvt th {background: #f1f3f4; color: #202124;}
.cvt td.n {text-align: right; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;}
.cvt tr.inner td {color: #5f6368; font-size: 0.95rem;}
.cvt tr.inner td:first-child {padding-left: 2rem;}
.cvt tr.total td {font-weight: 700; border-top: 2px solid #202124;}
</style>
"""

def grid_html(values, *, caption: str = "", colour: str | None = None, highlight=None, pad=None,
              blank=None, current: tuple[int, int] | None = None, winners=None) -> str:
    """An ``(h, w)`` array of numbers as an HTML table.

    Parameters
    ----------
    values : array_like, shape (h, w)
        The numbers.
    caption : str
        A fixed label (escaped).
    colour : str, optional
        CSS colour of the caption (e.g. the channel's colour).
    highlight, pad, blank, winners : array_like of bool, shape (h, w), optional
        Cells under the window; zero-padding cells; cells not computed yet (drawn empty); winning cells
        (e.g. the maximum of a pooling window).
    current : (int, int), optional
        The cell being filled, outlined.
    """
    a = np.asarray(values, dtype=np.float64)
    assert a.ndim == 2, "grid_html draws 2D grids"
    masks = {name: (np.zeros(a.shape, bool) if m is None else np.asarray(m, bool))
             for name, m in (("hi", highlight), ("pad", pad), ("blank", blank), ("win", winners))}
    style = f" style='color:{html.escape(colour)}'" if colour else ""
    rows = []
    for i in range(a.shape[0]):
        cells = []
        for j in range(a.shape[1]):
            classes = [name for name, m in masks.items() if m[i, j]]
            if current == (i, j):
                classes.append("cur")
            cls = f" class='{' '.join(classes)}'" if classes else ""
            cells.append(f"<td{cls}>{fmt(a[i, j])}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption{style}>{html.escape(caption)}</caption>" if caption else ""
    return f"<table class='cvg'>{cap}{''.join(rows)}</table>"


def op_html(symbol: str) -> str:
    """A large operator between grids (``⊙``, ``=``, ``+``, ``→``)."""
    return f"<span class='cvg-op'>{html.escape(symbol)}</span>"


def show_row(*parts: str) -> None:
    """Lay out grids and operators side by side (wrapping on narrow screens)."""
    st.markdown(_CSS + "<div class='cvg-row'>" + "".join(parts) + "</div>", unsafe_allow_html=True)


def show_equation(text: str) -> None:
    """One line of arithmetic in large type (the text is escaped)."""
    st.markdown(_CSS + f"<div class='cvg-eq'>{html.escape(text)}</div>", unsafe_allow_html=True)


def show_table(header: list[str], rows: list[list], *, numeric: set[int] = frozenset(),
               row_classes: list[str] | None = None) -> None:
    """A readable table: `header` labels, `rows` of cells (escaped), right-aligned `numeric` columns.

    `row_classes` may mark rows ``"inner"`` (indented, lighter: e.g. layers inside a block) or ``"total"``.
    """
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = []
    for r, row in enumerate(rows):
        cls = f" class='{html.escape(row_classes[r])}'" if row_classes and row_classes[r] else ""
        cells = "".join(f"<td{' class=n' if i in numeric else ''}>{html.escape(str(v))}</td>"
                        for i, v in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    st.markdown(_CSS + f"<table class='cvt'><tr>{head}</tr>{''.join(body)}</table>", unsafe_allow_html=True)
