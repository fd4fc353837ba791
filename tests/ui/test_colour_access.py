"""Colour that every student can read: WCAG contrast of the theme and of our own CSS, and the maps' diverging
ramp checked under simulated colour-vision deficiency.

Simulation: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
vision deficiency", IEEE TVCG 15(6), the matrices for protanopia, deuteranopia and tritanopia at severity 1.0,
applied to linear sRGB. Colour differences are CIEDE2000 (Sharma, Wu & Dalal 2005) in CIELAB (D65).

Criterion for the ramp (purple −s, white 0, orange +s; :data:`ui.draw.pictures.DIVERGING_LUT`):

1. *Sign stays visible.* For every value with ``|v| >= s/4``, the colours of ``+v`` and ``−v`` differ by
   ΔE00 >= :data:`MIN_SIGN_DE` after simulation (a just-noticeable difference is about 2; measured minimum
   over the three deficiencies: 22.2, tritanopia).
2. *Size stays visible.* Lightness L* falls from the middle outwards on both halves (never rising by more
   than :data:`L_TOLERANCE`, far below a visible step) and both ends are at least :data:`MIN_END_DROP` darker
   than zero, so |v| reads as darkness in any colour vision.

The same criterion rejects a red-white-green ramp under deuteranopia (ΔE00 of 2.0 between ±s/4), so it can
fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from ui.draw import grids
from ui.draw.colours import CHANNELS, FOCUS_RING
from ui.draw.pictures import DIVERGING_LUT

ROOT = Path(__file__).resolve().parents[2]
MIN_SIGN_DE = 15.0
L_TOLERANCE = 0.5
MIN_END_DROP = 50.0
MACHADO = {  # severity 1.0, linear RGB in -> linear RGB out
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                 [0.2126729, 0.7151522, 0.0721750],
                 [0.0193339, 0.1191920, 0.9503041]])
_WHITE = np.array([0.95047, 1.0, 1.08883])  # D65


# --- colour science (vectorised over the last axis) -------------------------------------------------------

def to_linear(rgb) -> np.ndarray:
    """sRGB ``(..., 3)`` in 0..255 -> linear RGB in [0, 1]."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def simulate(rgb, deficiency: str | None) -> np.ndarray:
    """Linear RGB ``(..., 3)`` as seen with `deficiency` (None: normal vision)."""
    lin = to_linear(rgb)
    return lin if deficiency is None else np.clip(lin @ MACHADO[deficiency].T, 0.0, 1.0)


def lab(linear_rgb: np.ndarray) -> np.ndarray:
    """CIELAB ``(..., 3)`` of linear RGB (D65 white)."""
    xyz = linear_rgb @ _XYZ.T / _WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference of CIELAB colours ``(..., 3)`` (kL = kC = kH = 1)."""
    (l1, a1, b1), (l2, a2, b2) = np.moveaxis(lab1, -1, 0), np.moveaxis(lab2, -1, 0)
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean ** 7 / (c_mean ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p, h2p = np.degrees(np.arctan2(b1, a1p)) % 360, np.degrees(np.arctan2(b2, a2p)) % 360
    chroma0 = c1p * c2p == 0
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(chroma0, 0.0, dh)
    d_l, d_c = l2 - l1, c2p - c1p
    d_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_mean, cp_mean, h_sum = (l1 + l2) / 2, (c1p + c2p) / 2, h1p + h2p
    h_mean = np.where(chroma0, h_sum, np.where(np.abs(h1p - h2p) <= 180, h_sum / 2,
                                               np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2)))
    t = (1 - 0.17 * np.cos(np.radians(h_mean - 30)) + 0.24 * np.cos(np.radians(2 * h_mean))
         + 0.32 * np.cos(np.radians(3 * h_mean + 6)) - 0.20 * np.cos(np.radians(4 * h_mean - 63)))
    d_theta = 30 * np.exp(-(((h_mean - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_mean ** 7 / (cp_mean ** 7 + 25.0 ** 7))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / np.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_mean, 1 + 0.015 * cp_mean * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return np.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h))


def hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def over(colour: str, alpha: float, background: str = "#ffffff") -> str:
    """`colour` at `alpha` opacity over `background`, as ``#rrggbb``."""
    mixed = alpha * hex_rgb(colour) + (1 - alpha) * hex_rgb(background)
    return "#" + "".join(f"{round(v):02x}" for v in mixed)


def contrast(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours."""
    y = [float(to_linear(hex_rgb(c)) @ np.array([0.2126, 0.7152, 0.0722])) for c in (fg, bg)]
    return (max(y) + 0.05) / (min(y) + 0.05)


# --- the tools are right -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("lab1", "lab2", "expected"), [  # Sharma, Wu & Dalal (2005), table 1
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514), 0.9082),
])
def test_ciede2000_matches_the_published_pairs(lab1, lab2, expected):
    assert ciede2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)


def test_contrast_ratio_matches_wcag_examples():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


# --- the ramp under colour-vision deficiency --------------------------------------------------------------

def _halves(lut: np.ndarray, deficiency: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CIELAB of zero, of +v and of −v for v = 1..127 steps of the ramp."""
    colours = lab(simulate(lut, deficiency))
    steps = np.arange(1, 128)
    return colours[128], colours[128 + steps], colours[128 - steps]


def sign_difference(lut: np.ndarray, deficiency: str | None) -> float:
    """Smallest ΔE00 between the colours of +v and −v over |v| >= s/4."""
    _, pos, neg = _halves(lut, deficiency)
    return float(ciede2000(pos, neg)[31:].min())  # index 31 is v = 32/127, about s/4


@pytest.mark.parametrize("deficiency", [None, *MACHADO])
def test_the_ramp_keeps_the_sign_visible(deficiency):
    assert sign_difference(DIVERGING_LUT, deficiency) >= MIN_SIGN_DE


@pytest.mark.parametrize("deficiency", [None, *MACHADO])
def test_the_ramp_shows_size_as_darkness(deficiency):
    zero, pos, neg = _halves(DIVERGING_LUT, deficiency)
    for half in (pos, neg):
        lightness = np.concatenate([[zero[0]], half[:, 0]])
        assert np.diff(lightness).max() <= L_TOLERANCE  # never visibly lighter further out
        assert zero[0] - half[-1, 0] >= MIN_END_DROP


def test_the_criterion_rejects_a_red_green_ramp():
    """A red-white-green ramp fails the sign criterion for deuteranopes: the test can fail."""
    t = np.clip((np.arange(256) - 128) / 127, -1, 1)[:, None]
    red, white, green = hex_rgb("#ca0020"), hex_rgb("#f7f7f7"), hex_rgb("#008837")
    ramp = np.where(t < 0, white - t * (red - white), white + t * (green - white))
    assert sign_difference(ramp, None) >= MIN_SIGN_DE
    assert sign_difference(ramp, "deuteranopia") < MIN_SIGN_DE


# --- contrast of the theme and of our CSS -----------------------------------------------------------------

def _theme(name: str) -> str:
    text = (ROOT / ".streamlit" / "config.toml").read_text()
    found = re.search(rf'^{name}\s*=\s*"(#[0-9a-fA-F]{{6}})"', text, re.MULTILINE)
    assert found, f"{name} is set in .streamlit/config.toml"
    return found.group(1)


def test_theme_text_and_captions_reach_aa():
    """Streamlit draws captions and help text at 60 % of textColor; the app's backgrounds are white and
    Streamlit's light grey (#f8f8f7)."""
    text = _theme("textColor")
    for background in ("#ffffff", "#f8f8f7"):
        assert contrast(over(text, 0.6, background), background) >= 4.5
        assert contrast(text, background) >= 7.0


def test_theme_primary_colour_reaches_aa():
    """The primary colour is text on its own 10 % tint (selected pills) and the background of white text
    (primary buttons)."""
    primary = _theme("primaryColor")
    assert contrast(primary, over(primary, 0.1)) >= 4.5
    assert contrast("#ffffff", primary) >= 4.5


def _rule(css: str, selector: str) -> dict[str, str]:
    body = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", css)
    assert body, selector
    found = re.findall(r"(background|color):\s*#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", body.group(1))
    return {name: "#" + (h if len(h) == 6 else "".join(c * 2 for c in h)) for name, h in found}


def test_number_grid_cells_reach_aa():
    """Worked-example grids: padding, window, current and winning cells (text on their backgrounds)."""
    css = grids._CSS
    pad, both = _rule(css, ".cvg td.pad"), _rule(css, ".cvg td.hi.pad")
    assert contrast(pad["color"], pad["background"]) >= 4.5
    assert contrast(pad["color"], both["background"]) >= 4.5
    for cls in ("hi", "cur", "win"):
        cell = _rule(css, f".cvg td.{cls}")
        assert contrast(cell["color"], cell["background"]) >= 4.5, cls
    header = _rule(css, ".cvt th")
    assert contrast(header["color"], header["background"]) >= 4.5


def test_channel_colours_and_the_focus_ring():
    """Channel colours are caption text on white; the focus ring stands out (3:1) from white and tints."""
    for channel in CHANNELS:
        assert contrast(channel.colour, "#ffffff") >= 4.5, channel.name
        assert contrast(FOCUS_RING, channel.tint) >= 3.0, channel.name
    assert contrast(FOCUS_RING, "#ffffff") >= 3.0
