"""Reading the shipped Tiny VGG safely: manifest, sha256, weights without pickle, shapes (for the model).

The model is two data files in ``convviz/model/weights/`` written by ``scripts/train_tinyvgg.py``:

- ``tinyvgg_imagenette.json``, the manifest: the ordered layer list (name, type, weight shapes, output
  shapes), the class names, the input rule, the accuracy and the sha256 of the weights file;
- ``tinyvgg_imagenette.npz``, the float32 weights: conv ``(K, 3, 3, C)`` with bias ``(K,)``, dense
  ``(classes, C)`` with bias ``(classes,)``.

:func:`read_model_files` reads the weights' bytes once, checks their sha256 against the manifest, loads them
with ``allow_pickle=False`` from those same bytes, checks every array against the manifest (names, dtype,
shapes, finiteness) and makes it read-only. Anything wrong raises :class:`ModelFileError` with a sentence that
says which file and what is wrong.

Examples
--------
>>> manifest, layers, weights = read_model_files()
>>> weights["conv1.weight"].shape, layers[0].name
((16, 3, 3, 3), 'conv1')
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from convviz.model._checks import MAX_WEIGHTS_BYTES, ModelFileError, check_fields, dims, short, whole

__all__ = ["DEFAULT_MANIFEST", "LAYER_TYPES", "MODELS_DIR", "LayerSpec", "ModelFileError", "read_manifest",
           "read_model_files"]

MODELS_DIR = Path(__file__).resolve().parent / "weights"
DEFAULT_MANIFEST = MODELS_DIR / "tinyvgg_imagenette.json"
#: Layer types the NumPy forward pass knows, in the manifest's spelling.
LAYER_TYPES = ("conv2d", "relu", "max_pool2d", "global_avg_pool", "dense", "softmax")
# Generous caps: the real files are ~6 kB and < 1 MB; anything far larger is not ours.
_MAX_MANIFEST_BYTES = 1 << 20
_MAX_WEIGHTS_BYTES = MAX_WEIGHTS_BYTES
_NPY_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the manifest, as the forward pass needs it.

    Attributes
    ----------
    name : str
        ``"conv1"``, ``"relu1"``, ``"pool1"``, ..., ``"gap"``, ``"dense"``, ``"softmax"``.
    type : str
        One of :data:`LAYER_TYPES`.
    output_shape : tuple of int
        The manifest's output shape for a 64x64 input: ``(H, W, C)`` for spatial layers, ``(C,)`` after
        the global average pool.
    weight, bias : str or None
        Keys of the weights file (conv and dense layers only).
    weight_shape : tuple of int or None
        ``(K, kh, kw, C)`` for conv, ``(classes, C)`` for dense.
    stride, padding, size : int
        Conv stride and zero padding; pool window size (its stride is ``stride``).
    """

    name: str
    type: str
    output_shape: tuple[int, ...]
    weight: str | None = None
    bias: str | None = None
    weight_shape: tuple[int, ...] | None = None
    stride: int = 1
    padding: int = 0
    size: int = 2

    @property
    def volume_shape(self) -> tuple[int, ...]:
        """``output_shape`` as :meth:`TinyVGG.forward` returns it: a vector ``(C,)`` becomes ``(1, 1, C)``."""
        return self.output_shape if len(self.output_shape) == 3 else (1, 1, *self.output_shape)

    @property
    def summary(self) -> str:
        """A few words for a layer listing: ``"16 x 3x3x3"`` (conv), ``"dense 64->10"``, else the type."""
        if self.type == "conv2d":
            return f"{self.weight_shape[0]} x {'x'.join(map(str, self.weight_shape[1:]))}"
        if self.type == "dense":
            return f"dense {self.weight_shape[1]}->{self.weight_shape[0]}"
        return self.type


def _refuse_constant(name: str):
    raise ValueError(f"non-finite number {name} is not allowed")


def _read_bytes(path: Path, what: str, limit: int) -> bytes:
    """At most `limit` bytes of `path`: refused from its size on disk, and read with a bound (it may grow)."""
    try:
        size = path.stat().st_size
        if size <= limit:
            with path.open("rb") as f:
                raw = f.read(limit + 1)
            size = len(raw)
        if size > limit:
            raise ModelFileError(f"The {what} {path.name} is {size:,} bytes or more, more than the {limit:,} "
                                 "expected: it is not the file convviz ships.")
        return raw
    except FileNotFoundError:
        raise ModelFileError(f"The {what} {path} is missing. Reinstall convviz, or train and export the "
                             "model with scripts/train_tinyvgg.py (see scripts/README.md).") from None
    except OSError as exc:
        raise ModelFileError(f"The {what} {path} cannot be read ({exc.strerror or exc}).") from None


def _layer(entry: object, index: int) -> LayerSpec:
    """One manifest layer entry -> :class:`LayerSpec`; ModelFileError for anything malformed."""
    if not isinstance(entry, dict):
        raise ModelFileError(f"The manifest's layer {index} must be an object, got {short(entry)}.")
    kind, name = entry.get("type"), entry.get("name")
    if kind not in LAYER_TYPES:
        raise ModelFileError(f"The manifest's layer {index} has type {short(kind)}; expected one of "
                             f"{list(LAYER_TYPES)}.")
    if not isinstance(name, str) or not 0 < len(name) <= 64:
        raise ModelFileError(f"The manifest's layer {index} must have a name (text), got {short(name)}.")
    where = f"layer {name!r}"
    weight_shape = None
    if kind in ("conv2d", "dense"):
        weight_shape = dims(entry.get("weight_shape"), f"{where} weight_shape", (4,) if kind == "conv2d"
                              else (2,))
        for key in ("weight", "bias"):
            if not isinstance(entry.get(key), str):
                raise ModelFileError(f"The manifest's {where} must name its {key} array (text).")
    return LayerSpec(
        name=name, type=kind, output_shape=dims(entry.get("output_shape"), f"{where} output_shape", (1, 3)),
        weight=entry.get("weight"), bias=entry.get("bias"), weight_shape=weight_shape,
        stride=whole(entry.get("stride", 2 if kind == "max_pool2d" else 1), f"{where} stride", 1, 8),
        padding=whole(entry.get("padding", 0), f"{where} padding", 0, 8),
        size=whole(entry.get("size", 2), f"{where} size", 1, 8))


def read_manifest(path: Path | str | None = None) -> tuple[dict, tuple[LayerSpec, ...]]:
    """Read and check a model manifest alone (size cap, JSON without nan/inf, layers, classes).

    Parameters
    ----------
    path : path, optional
        The manifest JSON; default ``convviz/model/weights/tinyvgg_imagenette.json``.

    Returns
    -------
    manifest : dict
        The parsed manifest.
    layers : tuple of LayerSpec
        The ordered layers.

    Raises
    ------
    ModelFileError
        The file is missing, too large, not JSON, or lacks its layers, classes or weights entries.
    """
    path = DEFAULT_MANIFEST if path is None else Path(path)
    raw = _read_bytes(path, "model manifest", _MAX_MANIFEST_BYTES)
    try:
        manifest = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: [[[[...]]]] nesting
        raise ModelFileError(f"The model manifest {path.name} is damaged or incomplete (it is not valid "
                             f"JSON: {short(str(exc))}).") from None
    check_fields(manifest, path.name)
    layers = tuple(_layer(entry, i) for i, entry in enumerate(manifest["layers"]))
    classes = manifest["classes"]
    if not layers or layers[-1].type != "softmax" or len(classes) != layers[-1].output_shape[-1]:
        raise ModelFileError(f"The model manifest {path.name} must end with a softmax over its "
                             f"{len(classes)} classes.")
    return manifest, layers


def _load_arrays(raw: bytes, name: str, expected: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """The archive's arrays, each ``.npy`` header checked (name, float32, shape) before its data is read."""
    arrays = {}
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            for info in archive.infolist():
                key = info.filename.removesuffix(".npy")
                if key not in expected:
                    raise ModelFileError(f"The weights file {name} holds an array {short(key)} that the "
                                         "manifest does not describe.")
                with archive.open(info) as f:
                    read_header = _NPY_HEADERS.get(np.lib.format.read_magic(f))
                    if read_header is None:
                        raise ValueError("unknown .npy format version")
                    shape, fortran_order, dtype = read_header(f)  # a header may claim terabytes: checked
                    if dtype.hasobject:
                        raise ModelFileError(f"The weights file {name} cannot be read as float arrays "
                                             f"without pickle: `{key}` holds Python objects.")
                    if dtype != np.float32 or shape != expected[key] or fortran_order:
                        raise ModelFileError(f"`{key}` in {name} must be float32 of shape {expected[key]} "
                                             f"(C order), got {dtype} of shape {short(shape)}.")
                    data = f.read(4 * math.prod(shape) + 1)  # one byte more: trailing data is damage
                    if len(data) != 4 * math.prod(shape):
                        raise ValueError(f"{key}: {len(data)} bytes of data for shape {shape}")
                    arrays[key] = np.frombuffer(data, np.float32).reshape(shape)
    except ModelFileError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError, TypeError, OverflowError,
            MemoryError, NotImplementedError) as exc:  # any damage to a zip or .npy header
        raise ModelFileError(f"The weights file {name} cannot be read as float arrays without pickle "
                             f"({type(exc).__name__}: {short(str(exc))}).") from None
    return arrays


def _expected_arrays(layers: tuple[LayerSpec, ...]) -> dict[str, tuple[int, ...]]:
    """Weight-file key -> shape, from the manifest's conv and dense layers."""
    expected: dict[str, tuple[int, ...]] = {}
    for layer in layers:
        if layer.type not in ("conv2d", "dense"):
            continue
        if not (layer.weight and layer.bias and layer.weight_shape):
            raise ModelFileError(f"The manifest's layer {layer.name!r} must name its weight, bias and "
                                 "weight_shape.")
        expected[layer.weight] = layer.weight_shape
        expected[layer.bias] = layer.weight_shape[:1]
    return expected


def read_model_files(manifest_path: Path | str | None = None) -> tuple[dict, tuple[LayerSpec, ...],
                                                                       dict[str, np.ndarray]]:
    """Read and check the manifest and its weights file (next to it).

    Parameters
    ----------
    manifest_path : path, optional
        The manifest JSON; default ``convviz/model/weights/tinyvgg_imagenette.json``. The weights file is the
        manifest's ``weights_file``, in the same folder.

    Returns
    -------
    manifest : dict
        The parsed manifest.
    layers : tuple of LayerSpec
        The ordered layers.
    weights : dict of str to ndarray
        Read-only float32 arrays: conv ``(K, kh, kw, C)`` and ``(K,)``, dense ``(classes, C)`` and
        ``(classes,)``.

    Raises
    ------
    ModelFileError
        A file is missing or unreadable, the sha256 differs from the manifest's, the archive is damaged or
        needs pickle, or an array's name, dtype, shape or values do not match the manifest.
    """
    path = DEFAULT_MANIFEST if manifest_path is None else Path(manifest_path)
    manifest, layers = read_manifest(path)
    weights_name = Path(manifest["weights_file"]).name  # a bare name: never a path outside the folder
    raw = _read_bytes(path.parent / weights_name, "weights file", _MAX_WEIGHTS_BYTES)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != manifest["weights_sha256"]:
        expected = manifest["weights_sha256"]
        raise ModelFileError(f"The weights file {weights_name} is damaged or not the one its manifest "
                             f"describes: sha256 {digest[:12]}..., expected {expected[:12]}...")
    expected = _expected_arrays(layers)
    arrays = _load_arrays(raw, weights_name, expected)
    if missing := sorted(set(expected) - set(arrays)):
        raise ModelFileError(f"The weights file {weights_name} lacks {short(missing)}, which the manifest "
                             "expects.")
    for key, shape in expected.items():
        array = arrays[key]
        if array.dtype != np.float32 or array.shape != shape:
            raise ModelFileError(f"`{key}` in {weights_name} must be float32 of shape {shape}, got "
                                 f"{array.dtype} of shape {array.shape}.")
        if not np.isfinite(array).all():
            raise ModelFileError(f"`{key}` in {weights_name} holds nan or inf.")
        array.setflags(write=False)  # shared between sessions by the app's cache: never modified
    return manifest, layers, arrays
