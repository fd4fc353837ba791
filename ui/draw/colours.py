"""The one table of channel names, words and colours that every page and grid uses.

Red, green and blue grids, tints and labels all come from :data:`CHANNELS`, so a channel looks the same on
every page. The edge colours are dark enough for text on white (contrast above 4.5:1).
"""

from __future__ import annotations

from typing import NamedTuple

from convviz.image.modes import CHANNEL_NAMES


class Channel(NamedTuple):
    """How one colour channel is named and drawn."""

    name: str  # "R": the short label (the core's channel name)
    word: str  # "red": in sentences
    colour: str  # its text and border colour
    tint: str  # its light background


CHANNELS = (
    Channel(CHANNEL_NAMES[0], "red", "#c5221f", "#fce8e6"),
    Channel(CHANNEL_NAMES[1], "green", "#188038", "#e6f4ea"),
    Channel(CHANNEL_NAMES[2], "blue", "#1a57c9", "#e8f0fe"),
)
CHANNEL_WORDS = tuple(c.word for c in CHANNELS)
CHANNEL_COLOURS = tuple(c.colour for c in CHANNELS)

#: The keyboard focus ring of every page (app.py): Streamlit's own rings are faint (a 50 % tint of the primary
#: colour) or absent on text and number fields. A 3 px near-black ring contrasts with white (18:1) and with
#: every channel tint, so a keyboard user sees where they are on any grid (WCAG 2.4.7, and 3:1 for 1.4.11).
FOCUS_RING = "#111111"
FOCUS_CSS = f"""<style>
:focus-visible {{outline: 3px solid {FOCUS_RING} !important; outline-offset: 2px;}}
input:focus-visible, textarea:focus-visible {{outline: none !important;}}
[data-testid="stNumberInputContainer"]:focus-within, [data-testid="stTextInputRootElement"]:focus-within,
[data-testid="stTextAreaRootElement"]:focus-within, .react-aria-ComboBox > div:focus-within
{{outline: 3px solid {FOCUS_RING}; outline-offset: 1px;}}
</style>"""

__all__ = ["CHANNELS", "CHANNEL_COLOURS", "CHANNEL_NAMES", "CHANNEL_WORDS", "FOCUS_CSS", "FOCUS_RING",
           "Channel"]
