"""Image intake: every file of a hostile corpus gives a correct image or an ImageError with its sentence."""

from __future__ import annotations

import doctest
import io
import re

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageOps

import convviz
from convviz.image import budgets as image_budgets
from convviz.image import errors as image_errors
from convviz.image import formats as image_formats
from convviz.image import intake as image
from convviz.image import limits as image_limits
from convviz.image import modes as image_modes
from convviz.image.intake import ImageError, load_image, load_image_info
from convviz.image.limits import MAX_BYTES
from tests.image.corpus import (
    UNSUPPORTED_MAGIC,
    asymmetric_rgb,
    encode,
    encode_frames,
    jpeg_12mp,
    photo_like,
    png_header_only,
    small_valid_files,
    srgb_icc,
    with_orientation,
)

TOL8 = 1.0 / 255 + 1e-6  # one 8-bit step


def refused(data, phrase: str, **kwargs) -> str:
    """Assert intake refuses `data` with an ImageError whose sentence contains `phrase`; return it."""
    with pytest.raises(ImageError, match=re.escape(phrase)) as info:
        load_image(data, **kwargs)
    return str(info.value)


def assert_valid_image(img: np.ndarray) -> None:
    assert img.ndim == 3 and img.shape[2] == 3 and img.dtype == np.float32
    assert np.isfinite(img).all() and img.min() >= 0.0 and img.max() <= 1.0


def rgba_png(pixels: list[tuple[int, int, int, int]]) -> bytes:
    """A 3-row PNG whose columns are the given RGBA pixels (3 rows so that the size limit is met)."""
    row = np.array(pixels, dtype=np.uint8)[None]  # (1, N, 4)
    return encode(Image.fromarray(np.repeat(row, 3, axis=0), "RGBA"), "PNG")


def over_white(rgb, alpha) -> np.ndarray:
    """The documented compositing rule: a * colour + (1 - a) * white, in [0, 1]."""
    a = np.asarray(alpha, dtype=np.float64)[..., None] / 255
    return a * np.asarray(rgb, dtype=np.float64) / 255 + (1 - a)


# --- sources -------------------------------------------------------------------------------------------

def test_bytes_bytearray_and_memoryview_give_the_same_image():
    """bytes, bytearray and memoryview of one file decode to identical arrays."""
    data = encode(Image.fromarray(asymmetric_rgb()), "PNG")
    a, b, c = (load_image(x) for x in (data, bytearray(data), memoryview(data)))
    assert np.array_equal(a, b) and np.array_equal(a, c)


def test_str_and_pathlib_paths_load(tmp_path):
    """A path given as str or as pathlib.Path loads the file's pixels."""
    upright = asymmetric_rgb()
    path = tmp_path / "picture.png"
    path.write_bytes(encode(Image.fromarray(upright), "PNG"))
    assert np.array_equal(load_image(str(path)), upright / np.float32(255))
    assert np.array_equal(load_image(path), upright / np.float32(255))


def test_binary_file_object_is_read_from_its_position(tmp_path):
    """An open binary file is read from its current position, like Image.open does."""
    path = tmp_path / "prefixed.bin"
    data = encode(Image.fromarray(asymmetric_rgb()), "PNG")
    path.write_bytes(b"JUNK" + data)
    with path.open("rb") as f:
        f.seek(4)
        assert load_image(f).shape == (4, 6, 3)


def test_streamlit_uploaded_file_uses_its_whole_buffer():
    """Streamlit's UploadedFile gives its whole content even after someone has read it."""
    ufm = pytest.importorskip("streamlit.runtime.uploaded_file_manager")
    data = encode(Image.fromarray(asymmetric_rgb()), "PNG")
    upload = ufm.UploadedFile(ufm.UploadedFileRec("id", "photo.jpg", "image/jpeg", data), None)
    upload.read()  # at the end now; getvalue() still has everything
    img, info = load_image_info(upload)
    assert img.shape == (4, 6, 3) and info.format == "PNG"


def test_file_name_is_not_trusted(tmp_path):
    """A PNG named .jpg is decoded as the PNG its content says it is."""
    path = tmp_path / "holiday.jpg"
    path.write_bytes(encode(Image.fromarray(asymmetric_rgb()), "PNG"))
    assert load_image_info(path)[1].format == "PNG"


def test_text_file_renamed_png_is_not_an_image(tmp_path):
    """A text file called photo.png is refused as text, whatever its name says."""
    path = tmp_path / "photo.png"
    path.write_text("Dear teacher, here is my homework.\nThanks!\n")
    refused(path, "This file contains text, not an image")


def test_missing_path_is_an_image_error(tmp_path):
    """A path to nothing says the file could not be read."""
    refused(tmp_path / "nowhere.png", "could not be read: no such file or directory")


@pytest.mark.parametrize("source", [12, None, np.zeros((4, 4, 3)), ["a.png"]])
def test_wrong_source_type_is_a_value_error_naming_source(source):
    """An unsupported `source` type is a programming error: ValueError naming `source`."""
    with pytest.raises(ValueError, match="`source` must be bytes, a path or a binary file-like") as info:
        load_image(source)
    assert not isinstance(info.value, ImageError)


def test_text_mode_file_is_a_value_error_naming_source(tmp_path):
    """A file opened in text mode is refused with a ValueError naming `source`."""
    path = tmp_path / "a.png"
    path.write_text("x")
    with path.open("r") as f, pytest.raises(ValueError, match="`source` must be opened in binary mode"):
        load_image(f)


# --- byte limit --------------------------------------------------------------------------------------

def test_empty_file_is_refused():
    """Zero bytes say the file is empty."""
    assert refused(b"", "The file is empty") == "The file is empty (0 bytes): please choose an image file."


def test_too_many_bytes_is_refused_before_decoding():
    """A file one byte over the 20 MB cap is refused by its size (it would be a valid PNG otherwise)."""
    data = encode(Image.new("RGB", (8, 8)), "PNG") + bytes(MAX_BYTES)
    refused(data, "The file is 20.0 MB, but the limit is 20.0 MB")


def test_large_path_is_refused_from_its_size_without_reading(tmp_path):
    """A 30 MB file on disk is refused from its size alone."""
    path = tmp_path / "huge.png"
    with path.open("wb") as f:
        f.truncate(30 * 1024 * 1024)  # sparse: costs no disk
    refused(path, "The file is 30.0 MB, but the limit is 20.0 MB")


def test_file_like_read_is_bounded():
    """A stream is read with a bound one byte over the cap, never to its end."""
    class Endless:
        asked: list[int | None] = []

        def read(self, n=None):
            self.asked.append(n)
            return bytes(n)

    stream = Endless()
    refused(stream, "but the limit is 20.0 MB")
    assert stream.asked == [MAX_BYTES + 1]


# --- formats -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "sentence"), [
    ("HEIC", "HEIC/HEIF photo files are not supported: export it as JPEG or PNG"),
    ("AVIF", "AVIF files are not supported: export it as JPEG or PNG."),
    ("SVG", "SVG files are not supported: export the drawing as PNG."),
    ("PDF", "PDF files are not supported: save the page or figure as a PNG or JPEG image."),
    ("EPS", "EPS/PostScript files are not supported: export it as JPEG or PNG."),
    ("PSD", "Photoshop (PSD) files are not supported: export it as JPEG or PNG."),
])
def test_known_unsupported_formats_are_named(kind, sentence):
    """HEIC, AVIF, SVG, PDF, EPS and PSD are recognised by their first bytes and named."""
    refused(UNSUPPORTED_MAGIC[kind], sentence)


def test_real_avif_file_is_refused_by_name():
    """An AVIF that this Pillow could decode is still refused (not on the allowlist), by name."""
    data = encode(Image.new("RGB", (16, 16), (10, 200, 30)), "AVIF")
    refused(data, "AVIF files are not supported")


def test_format_pillow_knows_but_not_allowed_is_refused():
    """A PCX file, which Pillow reads, is refused: only the allowlisted decoders ever run."""
    refused(encode(Image.new("RGB", (16, 16)), "PCX"), "This file is not an image in a supported format")


def test_random_bytes_are_not_an_image():
    """Binary noise is 'not an image in a supported format'."""
    noise = np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    refused(noise, "This file is not an image in a supported format: please upload a PNG, JPEG, WebP")


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "JPEG"), ("PNG", "PNG"), ("GIF", "GIF"),
                                           ("WEBP", "WebP"), ("TIFF", "TIFF"), ("BMP", "BMP")])
def test_truncated_file_is_damaged(fmt, name):
    """A file cut in half says it is a damaged or incomplete file of its format."""
    data = encode(Image.fromarray(photo_like(96, 128)), fmt)
    refused(data[: len(data) // 2], f"This {name} file is damaged or incomplete")


def test_png_signature_alone_is_damaged():
    """Only the PNG signature and a few bytes: a damaged PNG, not 'not an image'."""
    refused(encode(Image.new("RGB", (8, 8)), "PNG")[:20], "This PNG file is damaged or incomplete")


def test_corrupt_png_data_is_damaged():
    """A PNG whose compressed pixel data is overwritten fails its checks: damaged."""
    data = bytearray(encode(Image.fromarray(photo_like(64, 64)), "PNG"))
    start = data.index(b"IDAT") + 8
    data[start : start + 64] = bytes(64)
    refused(bytes(data), "This PNG file is damaged or incomplete")


# --- size limits from the header ---------------------------------------------------------------------

def test_header_claiming_50000_by_50000_is_too_large():
    """A header-only PNG claiming 50000 x 50000 is refused as too large, without decoding."""
    refused(png_header_only(50000, 50000), "This image is too large: it has far more than 50 megapixels.")


def test_pixel_limit_is_checked_from_the_header_before_decoding():
    """8000 x 8000 in a header with no pixel data at all gets the size sentence, not 'damaged'."""
    refused(png_header_only(8000, 8000), "it has 64 megapixels (8000 x 8000), and the limit is 50 megapixels")


def test_side_limit():
    """A side longer than 30000 pixels is refused from the header."""
    refused(png_header_only(40000, 1000), "no side may be longer than 30000 pixels")


def test_one_by_one_is_too_small():
    """A 1 x 1 image is refused: a 3x3 filter does not fit."""
    assert refused(encode(Image.new("RGB", (1, 1)), "PNG"), "This image is only 1 x 1 pixels") == (
        "This image is only 1 x 1 pixels: each side must be at least 3 pixels, so that a 3x3 filter fits "
        "inside it.")


def test_two_pixel_wide_strip_is_too_small():
    """A 2 x 40 strip (modest aspect) is refused by its short side."""
    refused(encode(Image.new("L", (2, 40)), "PNG"), "This image is only 2 x 40 pixels")


def test_one_by_100000_is_too_thin():
    """A real 100000 x 1 PNG is refused as too thin."""
    refused(encode(Image.new("RGB", (100000, 1)), "PNG"), "is 100000 x 1 pixels, which is too thin")


def test_smallest_and_thinnest_allowed_images_load():
    """3 x 3 and 300 x 3 (aspect exactly 100) are accepted."""
    assert load_image(encode(Image.new("RGB", (3, 3)), "PNG")).shape == (3, 3, 3)
    assert load_image(encode(Image.new("RGB", (300, 3)), "PNG")).shape == (3, 300, 3)


# --- orientation -------------------------------------------------------------------------------------

@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_turns_every_pixel_upright(orientation):
    """Orientations 1-8: the stored, transformed pixels come back exactly as the upright picture."""
    upright = asymmetric_rgb()  # 4 x 6, every pixel distinct
    img, info = load_image_info(with_orientation(upright, orientation))
    assert np.array_equal(img, upright / np.float32(255))
    assert info.orientation == orientation and info.orientation_fixed == (orientation != 1)
    assert (info.original_height, info.original_width) == (4, 6)


@pytest.mark.parametrize("orientation", range(2, 9))
def test_exif_orientation_agrees_with_pillow_exif_transpose(orientation):
    """Each orientation matches Pillow's ImageOps.exif_transpose on the same file."""
    data = with_orientation(asymmetric_rgb(5, 7), orientation)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))))
    assert np.array_equal(load_image(data), expected / np.float32(255))


def test_phone_jpeg_orientation_6_puts_the_top_on_the_left():
    """A JPEG stored sideways (orientation 6) with a red top half comes back with red on top."""
    upright = np.zeros((64, 48, 3), dtype=np.uint8)
    upright[:32] = (255, 0, 0)
    upright[32:] = (0, 0, 255)
    img = load_image(with_orientation(upright, 6, "JPEG", quality=95))
    assert img.shape == (64, 48, 3)
    assert np.allclose(img[4:28].mean(axis=(0, 1)), (1, 0, 0), atol=0.03)
    assert np.allclose(img[36:60].mean(axis=(0, 1)), (0, 0, 1), atol=0.03)


def test_orientation_and_downscale_together():
    """A 2000 x 1000 stored image with orientation 8 is 1000 wide, 2000 tall, scaled to 512 x 1024."""
    stored = Image.new("RGB", (2000, 1000))
    exif = Image.Exif()
    exif[0x0112] = 8
    img, info = load_image_info(encode(stored, "PNG", exif=exif))
    assert img.shape == (1024, 512, 3)
    assert (info.original_width, info.original_height) == (1000, 2000) and info.downscaled


# --- alpha -------------------------------------------------------------------------------------------

def test_rgba_is_composited_onto_white():
    """RGBA pixels become a * colour + (1 - a) * white, within one 8-bit step."""
    pixels = [(255, 0, 0, 0), (255, 0, 0, 255), (0, 0, 255, 128), (20, 200, 90, 64), (0, 0, 0, 191)]
    img, info = load_image_info(rgba_png(pixels))
    expected = over_white([p[:3] for p in pixels], [p[3] for p in pixels])
    assert np.allclose(img[1], expected, atol=TOL8)
    assert info.alpha_flattened and not info.grayscale


def test_colours_hidden_under_transparency_do_not_leak():
    """Random colours under fully transparent pixels all come out plain white (no fake edges)."""
    rgba = np.random.default_rng(3).integers(0, 256, (16, 16, 4), dtype=np.uint8)
    rgba[..., 3] = 0
    assert np.array_equal(load_image(encode(Image.fromarray(rgba, "RGBA"), "PNG")), np.ones((16, 16, 3)))


def test_gray_with_alpha_is_composited_onto_white():
    """LA pixels composite to gray on white and stay gray (three equal channels)."""
    la = np.array([[[0, 0], [0, 255], [100, 128], [200, 30]]] * 3, dtype=np.uint8)  # (3, 4, 2)
    img, info = load_image_info(encode(Image.fromarray(la, "LA"), "PNG"))
    expected = over_white(la[1, :, :1], la[1, :, 1])  # (4, 1)
    assert np.allclose(img[1], np.repeat(expected, 3, axis=1), atol=TOL8)
    assert info.alpha_flattened and info.grayscale


@pytest.mark.parametrize("fmt", ["PNG", "GIF"])
def test_palette_transparency_becomes_white(fmt):
    """A palette image whose index 1 is transparent shows white there and its colour elsewhere."""
    pal = Image.new("P", (6, 3), 0)
    pal.putpalette([0, 128, 0, 250, 10, 10] + [0] * 762)
    pal.putpixel((3, 1), 1)
    img, info = load_image_info(encode(pal, fmt, transparency=1))
    assert np.allclose(img[1, 3], 1.0) and np.allclose(img[1, 0], (0, 128 / 255, 0))
    assert info.alpha_flattened


def test_rgb_colour_key_transparency_becomes_white():
    """An RGB PNG with a tRNS colour key shows white where that colour was."""
    rgb = Image.new("RGB", (4, 4), (9, 9, 9))
    rgb.putpixel((0, 0), (200, 0, 0))
    img = load_image(encode(rgb, "PNG", transparency=(9, 9, 9)))
    assert np.allclose(img[1, 1], 1.0) and np.allclose(img[0, 0], (200 / 255, 0, 0))


# --- pixel modes -------------------------------------------------------------------------------------

def test_one_bit_image_is_exactly_zero_and_one():
    """A 1-bit PNG gives 0.0 for black and 1.0 for white, gray."""
    bits = Image.new("1", (8, 4), 0)
    bits.putpixel((2, 1), 1)
    img, info = load_image_info(encode(bits, "PNG"))
    assert set(np.unique(img).tolist()) == {0.0, 1.0} and img[1, 2].tolist() == [1.0, 1.0, 1.0]
    assert info.grayscale and info.bits == 1


def test_gray_becomes_three_equal_channels():
    """An 8-bit gray PNG gives R = G = B = value / 255."""
    gray = np.arange(48, dtype=np.uint8).reshape(6, 8) * 5
    img, info = load_image_info(encode(Image.fromarray(gray), "PNG"))
    assert np.array_equal(img, np.repeat((gray / np.float32(255))[..., None], 3, axis=2))
    assert info.grayscale and "equal" in " ".join(info.notes)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_sixteen_bit_gray_keeps_its_range_and_precision(fmt):
    """16-bit values are divided by 65535: 1000 and 1001 stay distinct and 65535 is 1.0 (not clipped)."""
    values = np.array([[0, 1000, 1001, 30000, 65535]] * 3, dtype=np.uint16)
    img, info = load_image_info(encode(Image.fromarray(values), fmt))
    assert np.array_equal(img[..., 0], (values / 65535).astype(np.float32))
    assert img[0, 1, 0] != img[0, 2, 0] and info.bits == 16 and info.grayscale


def test_sixteen_bit_big_endian_tiff_is_read_in_native_order():
    """A big-endian 16-bit TIFF gives the same values as a little-endian one."""
    values = np.array([[0, 256, 5000, 65535]] * 3, dtype=np.uint16)
    big = Image.frombytes("I;16B", (4, 3), values.astype(">u2").tobytes())
    assert np.array_equal(load_image(encode(big, "TIFF"))[..., 0], (values / 65535).astype(np.float32))


def test_float_tiff_within_zero_one_is_kept():
    """A float TIFF already in [0, 1] comes back unchanged."""
    values = np.linspace(0, 1, 40, dtype=np.float32).reshape(5, 8)
    img, info = load_image_info(encode(Image.fromarray(values), "TIFF"))
    assert np.array_equal(img[..., 1], values) and info.bits == 32


def test_float_tiff_out_of_range_is_stretched():
    """A float TIFF from -2 to 3 is stretched linearly to 0..1 (min -> 0, max -> 1)."""
    values = np.linspace(-2, 3, 40, dtype=np.float32).reshape(5, 8)
    img, info = load_image_info(encode(Image.fromarray(values), "TIFF"))
    assert np.allclose(img[..., 0], (values + 2) / 5, atol=1e-6)
    assert "stretched" in " ".join(info.notes)


def test_float_tiff_with_nan_is_refused():
    """NaN pixels are refused with a sentence (they cannot be shown)."""
    values = np.zeros((4, 4), dtype=np.float32)
    values[1, 1] = np.nan
    refused(encode(Image.fromarray(values), "TIFF"), "pixel values that are not numbers (NaN or infinity)")


def test_int32_tiff_with_sixteen_bit_values_is_divided_by_65535():
    """32-bit integers within 0..65535 are read as 16-bit values."""
    values = np.array([[0, 7, 40000, 65535]] * 3, dtype=np.int32)
    img = load_image(encode(Image.fromarray(values), "TIFF"))
    assert np.allclose(img[..., 2], values / 65535, atol=1e-7)


def test_int32_tiff_with_wide_range_is_stretched():
    """32-bit integers from -1e6 to 3e6 are stretched to 0..1."""
    values = np.array([[-1_000_000, 0, 1_000_000, 3_000_000]] * 3, dtype=np.int32)
    img = load_image(encode(Image.fromarray(values), "TIFF"))
    assert np.allclose(img[0, :, 0], [0, 0.25, 0.5, 1.0], atol=1e-7)


def test_cmyk_jpeg_converts_to_rgb():
    """A CMYK JPEG of red, green, blue and white blocks comes back with those colours."""
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]
    rgb = np.concatenate([np.full((32, 32, 3), c, np.uint8) for c in colours], axis=1)  # (32, 128, 3)
    img, info = load_image_info(encode(Image.fromarray(rgb).convert("CMYK"), "JPEG", quality=95))
    for i, c in enumerate(colours):
        block = img[8:24, 32 * i + 8 : 32 * i + 24]  # the middle of block i, away from JPEG ringing
        assert np.allclose(block.mean(axis=(0, 1)), np.array(c) / 255, atol=0.04)
    assert info.mode == "CMYK" and "CMYK" in " ".join(info.notes)


def test_palette_without_transparency_looks_up_exact_colours():
    """A palette PNG gives its palette's colours exactly."""
    pal = Image.new("P", (4, 3), 0)
    pal.putpalette([10, 20, 30, 200, 100, 0] + [0] * 762)
    pal.putpixel((1, 1), 1)
    img, info = load_image_info(encode(pal, "PNG"))
    assert np.array_equal(img[1, 1] * 255, [200, 100, 0]) and np.array_equal(img[0, 0] * 255, [10, 20, 30])
    assert not info.alpha_flattened


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG", "TIFF"])
def test_animated_or_multi_page_file_gives_its_first_frame(fmt):
    """Animated GIF, WebP, APNG and multi-page TIFF give frame 0 (red), not frame 1 (blue)."""
    frames = [Image.new("RGB", (20, 20), c) for c in [(255, 0, 0), (0, 0, 255), (0, 255, 0)]]
    params = {"lossless": True} if fmt == "WEBP" else {}
    img, info = load_image_info(encode_frames(frames, fmt, **params))
    assert np.allclose(img, np.broadcast_to([1.0, 0.0, 0.0], img.shape), atol=TOL8)
    assert info.animated and "only the first one is used" in info.notes[0]


@pytest.mark.parametrize(("fmt", "params"), [("BMP", {}), ("WEBP", {"lossless": True}), ("TIFF", {})])
def test_lossless_formats_load_exactly(fmt, params):
    """BMP, lossless WebP and TIFF give the exact stored pixels."""
    rgb = asymmetric_rgb(5, 6)
    assert np.array_equal(load_image(encode(Image.fromarray(rgb), fmt, **params)), rgb / np.float32(255))


# --- ICC profiles ------------------------------------------------------------------------------------

def test_srgb_icc_profile_is_applied_and_reported():
    """An embedded sRGB profile is converted to sRGB (pixels nearly unchanged) and icc says 'converted'."""
    rgb = photo_like(32, 48)
    img, info = load_image_info(encode(Image.fromarray(rgb), "PNG", icc_profile=srgb_icc()))
    assert info.icc == "converted" and np.allclose(img, rgb / 255, atol=2 / 255)


def test_unreadable_icc_profile_is_ignored():
    """Garbage profile bytes are ignored (pixels exact) and icc says 'ignored'."""
    rgb = photo_like(32, 48)
    img, info = load_image_info(encode(Image.fromarray(rgb), "PNG", icc_profile=b"not a profile" * 20))
    assert info.icc == "ignored" and np.array_equal(img, rgb / np.float32(255))


def test_icc_profile_on_gray_image_is_ignored():
    """A gray image keeps its gray values; its profile is reported as ignored."""
    gray = Image.new("L", (8, 8), 77)
    img, info = load_image_info(encode(gray, "PNG", icc_profile=srgb_icc()))
    assert info.icc == "ignored" and np.allclose(img, 77 / 255)


def test_no_profile_says_none():
    """A file without a profile reports icc 'none'."""
    assert load_image_info(encode(Image.new("RGB", (4, 4)), "PNG"))[1].icc == "none"


# --- scaling and output ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def jpeg_12mp_bytes() -> bytes:
    return jpeg_12mp()


def test_12_megapixel_jpeg_is_decoded_and_scaled_to_1024(jpeg_12mp_bytes):
    """A 4000 x 3000 JPEG becomes 1024 x 768 and matches a full decode area-averaged by cv2."""
    img, info = load_image_info(jpeg_12mp_bytes)
    assert img.shape == (768, 1024, 3) and info.downscaled
    assert (info.original_width, info.original_height) == (4000, 3000)
    full = np.asarray(Image.open(io.BytesIO(jpeg_12mp_bytes)).convert("RGB"), dtype=np.float32) / 255
    reference = cv2.resize(full, (1024, 768), interpolation=cv2.INTER_AREA)
    assert np.abs(img - reference).mean() < 0.005  # measured 0.0024: draft + area vs full + area


def test_max_side_none_keeps_full_resolution():
    """max_side=None returns every pixel of a 1500 x 1100 image."""
    data = encode(Image.fromarray(photo_like(1100, 1500)), "PNG")
    img, info = load_image_info(data, max_side=None)
    assert img.shape == (1100, 1500, 3) and not info.downscaled


def test_downscale_keeps_aspect_ratio():
    """2000 x 500 with max_side=1024 becomes 1024 x 256."""
    assert load_image(encode(Image.new("RGB", (2000, 500)), "PNG")).shape == (256, 1024, 3)


def test_downscale_area_averages():
    """Halving a fine checkerboard of 0 and 255 gives uniform mid-gray (area average, no aliasing)."""
    board = (np.indices((64, 64)).sum(axis=0) % 2 * 255).astype(np.uint8)
    assert np.allclose(load_image(encode(Image.fromarray(board), "PNG"), max_side=32), 0.5, atol=TOL8)


def test_small_image_is_not_upscaled():
    """An image smaller than max_side keeps its size."""
    assert load_image(encode(Image.new("RGB", (40, 30)), "PNG"), max_side=1024).shape == (30, 40, 3)


@pytest.mark.parametrize("max_side", [0, 2, -5, 1.5, True, "1024"])
def test_invalid_max_side_is_a_value_error_naming_it(max_side):
    """max_side must be None or an integer >= 3."""
    with pytest.raises(ValueError, match="`max_side` must be None or an integer >= 3") as info:
        load_image(encode(Image.new("RGB", (4, 4)), "PNG"), max_side=max_side)
    assert not isinstance(info.value, ImageError)


def test_output_is_a_fresh_contiguous_writable_float32_array():
    """The result is (H, W, 3) float32, C-contiguous and writable, even after an orientation flip."""
    img = load_image(with_orientation(asymmetric_rgb(), 7))
    assert img.dtype == np.float32 and img.flags.c_contiguous and img.flags.writeable
    assert_valid_image(img)


def test_info_repr_and_notes_describe_the_adjustments():
    """ImageInfo's repr names the format and sizes; its notes are sentences."""
    frames = [Image.new("RGBA", (2400, 1200), (255, 0, 0, 100)), Image.new("RGBA", (2400, 1200))]
    _, info = load_image_info(encode_frames(frames, "PNG"))
    assert repr(info).startswith("ImageInfo(PNG RGBA 8-bit, 2400x1200 -> 1024x512")
    assert all(note.endswith(".") for note in info.notes) and len(info.notes) == 3


def test_errors_are_value_errors_with_one_sentence():
    """ImageError subclasses ValueError and is exported from convviz."""
    assert issubclass(convviz.ImageError, ValueError) and convviz.load_image is load_image
    assert convviz.ImageInfo is image.ImageInfo and convviz.load_image_info is load_image_info


def test_docstring_examples_run():
    """The examples in the intake modules' docstrings run as written."""
    for module in (image, image_budgets, image_errors, image_formats, image_limits, image_modes):
        assert doctest.testmod(module).failed == 0


# --- mutations: nothing but ImageError escapes ------------------------------------------------------

SEEDS = small_valid_files()


def load_or_refuse(data: bytes) -> None:
    """Intake either succeeds with a valid image or raises ImageError (anything else fails the test)."""
    try:
        img = load_image(data, max_side=256)
    except ImageError as exc:
        assert str(exc).endswith(".")
    else:
        assert_valid_image(img)


# Pillow warns (UserWarning) about the corrupt TIFF/EXIF tags these tests make on purpose.
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_byte_mutations_give_an_image_or_an_image_error(name):
    """40 seeded mutations (flipped bytes, cuts, inserted junk) of each format: an image or ImageError."""
    rng = np.random.default_rng(sum(name.encode()))
    for _ in range(40):
        data = bytearray(SEEDS[name])
        for pos in rng.integers(0, len(data), rng.integers(1, 9)):
            data[pos] = rng.integers(0, 256)
        if rng.random() < 0.3:
            data = data[: rng.integers(1, len(data))]
        if rng.random() < 0.2:
            at = rng.integers(0, len(data))
            data[at:at] = rng.integers(0, 256, rng.integers(1, 64), dtype=np.uint8).tobytes()
        load_or_refuse(bytes(data))


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=60)
@given(
    name=st.sampled_from(sorted(SEEDS)),
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=6),
    keep=st.floats(0.02, 1.0),
)
def test_fuzzed_files_give_an_image_or_an_image_error(name, edits, keep):
    """Hypothesis-chosen byte edits and truncations of valid files: an image or ImageError, nothing else."""
    data = bytearray(SEEDS[name])
    for where, value in edits:
        data[int(where * len(data))] = value
    load_or_refuse(bytes(data[: max(1, int(keep * len(data)))]))
