"""What every Lab panel draws from: the current state, brought up to date, and its colour scales.

:func:`lab_context` is what each Lab fragment calls first. It reads the image, bank, focus and settings from
session state (never from fragment arguments, which would be stale in a fragment-only rerun), brings the
session's :class:`~ui.lab.pipeline.Pipeline` up to date (a no-op when nothing changed) and returns everything
a panel draws from, or the sentence that explains why nothing can be computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from convviz.errors import ConvvizValueError
from convviz.filterbank.bank import FilterBank
from ui import server, share, state
from ui.draw.scale import nice_scale
from ui.lab import live
from ui.lab.pipeline import Maps, Pipeline, Stats
from ui.lab.settings import settings_problem
from ui.state import LabImage, LabSettings


@dataclass(frozen=True)
class Scales:
    """The colour half-range of every map on the page (shared: one value; per map: each its own)."""

    shared: float | None  # None in per-map mode

    def of(self, stats: Stats) -> float:
        """The scale to draw a map with these stats."""
        return self.shared if self.shared is not None else nice_scale(stats.scale)


def page_scales(pipe: Pipeline, settings: LabSettings) -> Scales:
    """One scale covering every map shown (conv maps and the focused filter's channel maps), or per map.

    ReLU and pooling only keep, zero or average conv values, so the conv maps bound them too.
    """
    if settings.norm != "shared":
        return Scales(None)
    return Scales(nice_scale(max(s.scale for s in [*pipe.conv_stats, *pipe.channel_stats])))


@dataclass(frozen=True)
class LabContext:
    """Everything the Lab's panels draw from, for one run (see :func:`lab_context`)."""

    image: LabImage
    bank: FilterBank
    focus: int
    settings: LabSettings
    pipe: Pipeline
    problem: str | None  # why nothing can be computed (impossible settings, budget), or None
    channels: np.ndarray | None = None  # (3, H', W') of the focused filter (None: not made)
    post: Maps | None = None  # K maps after ReLU/pooling (made on request)
    scales: Scales | None = None  # None: not made (maps=False)


def pipeline() -> Pipeline:
    """This session's pipeline (created on first use)."""
    pipe = st.session_state.get(live.PIPELINE)
    if pipe is None:
        pipe = st.session_state[live.PIPELINE] = Pipeline()
    return pipe


def lab_context(*, maps: bool = True) -> LabContext:
    """Read the Lab's state and bring the computations up to date; impossible work becomes ``problem``.

    With ``maps=False`` (the pixel explanation, the downloads) the focused filter's channel maps and the
    page's colour scales are not made: they are the run's largest computation after the conv maps, and only
    the result panel draws them, so a weight edit computes them once, not once per panel.
    """
    image, bank, settings = state.get_image(), state.get_bank(), state.read_settings()
    focus = state.get_focus(bank)
    pipe = pipeline()
    problem = settings_problem(settings, image.shape[:2], bank)
    if problem is not None:
        return LabContext(image, bank, focus, settings, pipe, problem)
    notice = []  # the "busy, retrying" message, drawn only while this run waits for a slot

    def waiting() -> None:
        notice.append(st.empty())
        notice[0].warning(server.BUSY_MESSAGE, icon=":material/hourglass_top:")

    try:
        with server.heavy_work(on_wait=waiting):
            x = image.array  # (H, W, 3) float32, made from the stored codes once per run
            pipe.update(x, image.digest, bank, settings, focus=focus)
            channels = pipe.channel_maps(x, bank, focus, settings) if maps else None  # (3, H', W'), full
            post = pipe.post(settings)
    except (ConvvizValueError, server.Busy) as exc:  # over the budget, a pool window too large, busy
        return LabContext(image, bank, focus, settings, pipe, str(exc))
    finally:
        for slot in notice:
            slot.empty()
    scales = page_scales(pipe, settings) if maps else None
    return LabContext(image, bank, focus, settings, pipe, None, channels, post, scales)


def publish_link(ctx: LabContext) -> None:
    """Mirror the bank and settings into the URL (``ui.share.mirror``), so the address is always a link."""
    share.mirror(ctx.bank, ctx.settings.core)
