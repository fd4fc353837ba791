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

__all__ = ["CHANNELS", "CHANNEL_COLOURS", "CHANNEL_NAMES", "CHANNEL_WORDS", "Channel"]
