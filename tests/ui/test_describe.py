"""Text alternatives say what the pictures show: measured on the teaching test card (red vertical stripes top
left, a green disc at the bottom, blue horizontal stripes top right) and on made-up maps."""

from __future__ import annotations

import numpy as np
import pytest

from convviz import conv2d, load_preset, load_sample
from convviz.lessons.architectures import architecture_table
from ui.draw import describe


@pytest.fixture(scope="module")
def card() -> np.ndarray:
    return load_sample("testcard").array  # (256, 256, 3)


def _map(card: np.ndarray, preset: str) -> np.ndarray:
    bank = load_preset(preset)
    return conv2d(card, bank.weights, bank.bias, padding="same")[..., 0]  # (256, 256)


def test_planes_name_where_each_channel_is_bright(card):
    where = [describe.plane_text(card[..., c], "plane") for c in range(3)]
    assert where[0].endswith("brightest in the top left.")  # red stripes
    assert where[1].endswith("brightest at the bottom.")  # green disc
    assert where[2].endswith("brightest in the top right.")  # blue stripes
    assert "256 × 256, values 0.4 to 1" in where[0]


@pytest.mark.parametrize(("preset", "direction", "place"), [
    ("sobel-vertical", "mostly vertical lines", "top left"),
    ("blue-horizontal-edges", "mostly horizontal lines", "top right"),
])
def test_edge_maps_are_described_by_their_direction_and_place(card, preset, direction, place):
    m = _map(card, preset)
    text = describe.map_text(m, "Map 1", scale=2.0)
    lo, hi = float(m.min()), float(m.max())
    assert text.startswith("Map 1, 256 × 256, values ")
    assert f"values {describe.fmt(lo)} to {describe.fmt(hi)}" in text  # the exact range, real minus sign
    assert "purple −2 through white 0 to orange +2" in text  # the sign said in words, not only in colour
    assert direction in text and f"strongest responses in the {place}" in text


def test_noise_has_no_direction_and_no_place():
    noise = np.random.default_rng(0).normal(size=(300, 400)).astype(np.float32)
    assert describe.direction(noise) is None
    assert describe.region(np.abs(noise)) == ""


def test_flat_and_tiny_maps():
    assert describe.map_text(np.zeros((3, 4)), "Map 2") == "Map 2, 3 × 4, every value 0."
    assert describe.map_text(np.array([[-1.5]]), "Map 3") == "Map 3, 1 × 1, every value −1.5."
    one_row = describe.map_text(np.array([[0.0, 0.0, 0.0, 0.0, 0.0, 3.0]]), "Pooled")
    assert "strongest response 3, strongest responses on the right" in one_row


def test_big_maps_are_sampled_but_the_quoted_values_are_exact():
    m = np.zeros((1000, 1000), np.float32)
    m[333, 777] = -9.5  # one value the strided sample skips
    text = describe.map_text(m, "Map")
    assert "values −9.5 to 0; strongest response −9.5" in text


def test_filter_text_gives_the_weights_and_their_sums():
    weights = load_preset("red-vertical-edges").weights[0]  # (3, 3, 3)
    text = describe.filter_text(weights, "Filter 1")
    assert text.startswith("Filter 1 3 × 3 × 3 as colours")
    assert f"red slice sum {describe.fmt(round(float(weights[..., 0].sum()), 4))}" in text


def test_chart_texts():
    assert describe.bars_text(["cat", "dog"], np.array([0.25, 0.75])).endswith("dog 75.0 %, cat 25.0 %.")
    table = architecture_table("tinyvgg")
    text = describe.volumes_text(table)
    shape = " × ".join(map(str, table.input_shape))
    assert text.startswith(f"Diagram of the network, one box per volume: input {shape}")
    assert text.count("→") == sum(row.kind in describe.DRAWN for row in table.layers)
    assert describe.colour_bar_text(0.5) == ("Colour bar: purple is −0.5, white is 0, orange is +0.5; values "
                                             "beyond are clipped.")


def test_every_picture_and_chart_the_pages_draw_has_a_text_alternative():
    """Each st.image / plotly_chart call in ui/ passes ``alt=`` (new panels cannot forget it), and each
    ``<img`` our HTML writes has an alt attribute."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "ui"
    missing = []
    for path in root.rglob("*.py"):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("image", "plotly_chart")
                    and not any(k.arg == "alt" for k in node.keywords)):
                missing.append(f"{path.relative_to(root)}:{node.lineno}")
        tree = ast.parse(source)
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        pieces = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
        for node in ast.walk(tree):  # implicitly joined string pieces are one node here
            if isinstance(node, ast.JoinedStr | ast.Constant) and id(node) not in docstrings | pieces:
                text = "".join(v.value for v in getattr(node, "values", [node])
                               if isinstance(v, ast.Constant) and isinstance(v.value, str))
                if "<img" in text and "alt=" not in text:
                    missing.append(f"{path.relative_to(root)}:{node.lineno} <img")
    assert missing == []
