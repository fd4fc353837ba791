"""Preset banks: every file loads, matches its documented shape and does what its description says."""

import re
from pathlib import Path

import numpy as np
import pytest

import convviz.filterbank.presets
from convviz import BankError, bank_to_json, conv2d, list_presets, load_preset
from convviz.filterbank.transforms import rotate90, transpose

README = Path(convviz.filterbank.presets.PRESETS_DIR) / "README.md"
REQUIRED = [
    "identity", "box-blur", "gaussian-blur", "sharpen", "sobel-vertical", "sobel-horizontal", "outline",
    "emboss", "red-vertical-edges", "blue-horizontal-edges", "luminance-edges", "red-minus-green",
    "vertical-horizontal-edges", "compass-edges",
]
SOBEL_V = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float32)


def documented_shapes() -> dict[str, tuple[int, int, int, int]]:
    """The (K, kh, kw, C) of each preset as written in the README's table."""
    row = r"^\| `([a-z0-9-]+)` \| [^|]+ \| (\d+) \| (\d+)x(\d+)x(\d+) \|$"
    rows = re.findall(row, README.read_text(encoding="utf-8"), re.M)
    return {name: tuple(int(v) for v in dims) for name, *dims in rows}


def respond(bank, image):
    """The bank's maps on `image`, valid correlation: (H-2, W-2, K)."""
    return conv2d(image, bank.weights, bank.bias)


def image_with_vertical_edge(channel: int) -> np.ndarray:
    """A 9x9 RGB image, black left half, `channel` at 1 in the right half: a vertical edge in one channel."""
    img = np.zeros((9, 9, 3), np.float32)
    img[:, 5:, channel] = 1.0
    return img


def test_required_presets_exist():
    """Every bank the issue asks for is shipped."""
    assert set(REQUIRED) <= set(list_presets())


def test_readme_documents_every_preset():
    """The README table lists exactly the shipped presets."""
    assert sorted(documented_shapes()) == list_presets()


@pytest.mark.parametrize("name", list_presets())
def test_preset_loads_with_documented_shape(name):
    """Each preset loads as read-only float32 (K, kh, kw, 3) weights and (K,) bias, as the README says."""
    bank = load_preset(name)
    assert bank.weights.shape == documented_shapes()[name]
    assert bank.weights.dtype == np.float32 and bank.bias.shape == (bank.n_filters,)
    assert not bank.weights.flags.writeable
    assert bank.name == name and bank.title and bank.source and len(bank.description) > 150


@pytest.mark.parametrize("name", list_presets())
def test_preset_file_is_in_canonical_layout(name):
    """Each file is exactly what bank_to_json writes for it (no drift from hand edits)."""
    path = Path(convviz.filterbank.presets.PRESETS_DIR) / f"{name}.json"
    assert path.read_text(encoding="utf-8") == bank_to_json(load_preset(name))


@pytest.mark.parametrize("name", ["nope", "../pyproject", "sobel-vertical.json", "/etc/passwd", "", "README"])
def test_unknown_or_path_like_names_are_refused(name):
    """Only names from the table load; paths and file names are refused with the list of names."""
    with pytest.raises(BankError, match="must be one of"):
        load_preset(name)


@pytest.mark.parametrize("name", [None, 3, ["identity"]])
def test_non_text_names_are_refused(name):
    """A non-string name raises BankError, not TypeError."""
    with pytest.raises(BankError, match="must be one of"):
        load_preset(name)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"filters": []}', "1 to 64 filters"),
        (bank_to_json(load_preset("outline")), "must have \"name\": 'broken'"),
        (bank_to_json(load_preset("outline").replace(name="broken", source="")), "non-empty 'source'"),
    ],
)
def test_broken_preset_file_is_reported_with_its_name(tmp_path, monkeypatch, text, message):
    """A shipped file that breaks the schema raises BankError naming the file."""
    path = tmp_path / "broken.json"
    path.write_text(text)
    monkeypatch.setitem(convviz.filterbank.presets._PRESET_FILES, "broken", path)
    with pytest.raises(BankError, match=re.escape(message)):
        load_preset("broken")


@pytest.mark.parametrize("channel", [1, 2])
def test_red_only_preset_ignores_green_and_blue(channel):
    """Red vertical edges: exactly zero on a pure-green or pure-blue image, edge and all."""
    assert np.all(respond(load_preset("red-vertical-edges"), image_with_vertical_edge(channel)) == 0.0)


def test_red_only_preset_answers_red_vertical_edges():
    """Red vertical edges: a black-to-red edge gives the full Sobel response (-4) along the edge."""
    out = respond(load_preset("red-vertical-edges"), image_with_vertical_edge(0))[..., 0]  # (7, 7)
    assert np.all(out[:, 3:5] == -4.0) and np.all(out[:, :3] == 0.0) and np.all(out[:, 5:] == 0.0)


@pytest.mark.parametrize("channel", [0, 1])
def test_blue_only_preset_ignores_red_and_green(channel):
    """Blue horizontal edges: zero on a horizontal edge that lives in red or green."""
    img = np.swapaxes(image_with_vertical_edge(channel), 0, 1)  # the edge becomes horizontal
    assert np.all(respond(load_preset("blue-horizontal-edges"), img) == 0.0)
    blue = np.swapaxes(image_with_vertical_edge(2), 0, 1)
    assert respond(load_preset("blue-horizontal-edges"), blue).min() == -4.0


def test_identity_bank_returns_the_input_volume():
    """Three one-channel delta filters reproduce an RGB image (padding 1 keeps the size)."""
    img = np.random.default_rng(0).random((6, 7, 3), dtype=np.float32)
    out = conv2d(img, load_preset("identity").weights, padding=1)
    assert np.array_equal(out, img)


@pytest.mark.parametrize(("name", "flat_value"), [("box-blur", 0.6), ("gaussian-blur", 0.6),
                                                   ("gaussian-blur-5x5", 0.6), ("sharpen", 0.6),
                                                   ("emboss", 0.5), ("sobel-vertical", 0.0),
                                                   ("outline", 0.0), ("red-minus-green", 0.0)])
def test_flat_gray_image_gives_the_documented_value(name, flat_value):
    """Split blurs and sharpen keep a flat gray at its value, emboss gives its bias, edge filters give 0."""
    out = respond(load_preset(name), np.full((7, 7, 3), 0.6, np.float32))
    np.testing.assert_allclose(out, flat_value, atol=1e-6)


def test_red_minus_green_sign_follows_the_colour():
    """Red areas give +1, green areas -1, yellow (R = G) 0."""
    bank = load_preset("red-minus-green")
    colours = {(1, 0, 0): 1.0, (0, 1, 0): -1.0, (1, 1, 0): 0.0}
    for rgb, expected in colours.items():
        out = respond(bank, np.broadcast_to(np.float32(rgb), (5, 5, 3)))
        np.testing.assert_allclose(out, expected, atol=1e-6)


def test_luminance_edges_weight_the_channels_by_luma():
    """Each channel slice is the Sobel kernel times 0.299, 0.587, 0.114 (as float32, exactly as typed)."""
    w = load_preset("luminance-edges").weights  # (2, 3, 3, 3)
    for c, luma in enumerate((0.299, 0.587, 0.114)):
        assert np.array_equal(w[0, :, :, c], SOBEL_V * np.float32(luma))
        assert np.array_equal(w[1, :, :, c], SOBEL_V.T * np.float32(luma))


def test_sobel_horizontal_is_sobel_vertical_transposed():
    """The horizontal Sobel preset is the vertical one transposed; the vertical one is Sobel, replicated."""
    vertical = load_preset("sobel-vertical")
    assert np.array_equal(vertical.weights[0], np.repeat(SOBEL_V[..., None], 3, axis=2))
    assert np.array_equal(transpose(vertical).weights, load_preset("sobel-horizontal").weights)


def test_vertical_horizontal_bank_makes_a_two_deep_volume():
    """Two filters give a 2-deep output volume; the second filter is the first transposed."""
    bank = load_preset("vertical-horizontal-edges")
    assert respond(bank, np.zeros((8, 8, 3), np.float32)).shape == (6, 6, 2)
    assert np.array_equal(bank.weights[1], bank.weights[0].transpose(1, 0, 2))


def test_compass_filters_turn_45_degrees_each():
    """Compass filter k+2 is filter k turned a quarter clockwise; all eight are different."""
    bank = load_preset("compass-edges")
    turned = rotate90(bank, turns=-1).weights
    for k in range(8):
        assert np.array_equal(turned[k], bank.weights[(k + 2) % 8])
    assert len({w.tobytes() for w in bank.weights}) == 8


def test_compass_filter_points_at_the_brighter_side():
    """The E filter answers most to an image brighter on the right, the W filter most negatively."""
    bank = load_preset("compass-edges")
    img = np.zeros((5, 5, 3), np.float32)
    img[:, 3:] = 1.0
    centre = respond(bank, img)[1, 1]  # (8,)
    assert bank.names[int(np.argmax(centre))].startswith("E ")
    assert bank.names[int(np.argmin(centre))].startswith("W ")
