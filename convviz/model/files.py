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
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from convviz.errors import ModelFileError

__all__ = ["DEFAULT_MANIFEST", "LAYER_TYPES", "MODELS_DIR", "LayerSpec", "ModelFileError", "read_manifest",
           "read_model_files"]

MODELS_DIR = Path(__file__).resolve().parent / "weights"
DEFAULT_MANIFEST = MODELS_DIR / "tinyvgg_imagenette.json"
#: Layer types the NumPy forward pass knows, in the manifest's spelling.
LAYER_TYPES = ("conv2d", "relu", "max_pool2d", "global_avg_pool", "dense", "softmax")
# Generous caps: the real files are ~6 kB and < 1 MB; anything far larger is not ours.
_MAX_MANIFEST_BYTES = 1 << 20
_MAX_WEIGHTS_BYTES = 16 << 20



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
    try:
        size = path.stat().st_size
        if size > limit:
            raise ModelFileError(f"The {what} {path.name} is {size:,} bytes, more than the {limit:,} "
                                 "expected: it is not the file convviz ships.")
        return path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(f"The {what} {path} is missing. Reinstall convviz, or train and export the "
                             "model with scripts/train_tinyvgg.py (see scripts/README.md).") from None
    except OSError as exc:
        raise ModelFileError(f"The {what} {path} cannot be read ({exc.strerror or exc}).") from None


def _layer(entry: object, index: int) -> LayerSpec:
    """One manifest layer entry -> :class:`LayerSpec`; ModelFileError for anything malformed."""
    try:
        kind = entry["type"]
        if kind not in LAYER_TYPES:
            raise ModelFileError(f"The manifest's layer {index} has type {kind!r}; expected one of "
                                 f"{list(LAYER_TYPES)}.")
        weight_shape = entry.get("weight_shape")
        return LayerSpec(
            name=str(entry["name"]), type=kind, output_shape=tuple(int(n) for n in entry["output_shape"]),
            weight=entry.get("weight"), bias=entry.get("bias"),
            weight_shape=None if weight_shape is None else tuple(int(n) for n in weight_shape),
            stride=int(entry.get("stride", 2 if kind == "max_pool2d" else 1)),
            padding=int(entry.get("padding", 0)), size=int(entry.get("size", 2)))
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ModelFileError(f"The manifest's layer {index} is malformed ({exc!r}).") from None


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
        layers = tuple(_layer(entry, i) for i, entry in enumerate(manifest["layers"]))
        classes = [str(c) for c in manifest["classes"]]
        for key in ("weights_file", "weights_sha256"):
            if not isinstance(manifest[key], str):
                raise TypeError(f"{key!r} must be text")
    except ModelFileError:
        raise
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"The model manifest {path.name} is damaged or incomplete ({exc!r}).") from None
    if not layers or layers[-1].type != "softmax" or len(classes) != layers[-1].output_shape[-1]:
        raise ModelFileError(f"The model manifest {path.name} must end with a softmax over its "
                             f"{len(classes)} classes.")
    return manifest, layers


def _load_arrays(raw: bytes, name: str) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise ModelFileError(f"The weights file {name} cannot be read as float arrays without pickle "
                             f"({type(exc).__name__}: {exc}).") from None


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
    arrays = _load_arrays(raw, weights_name)
    expected = _expected_arrays(layers)
    if set(arrays) != set(expected):
        raise ModelFileError(f"The weights file {weights_name} holds {sorted(arrays)}; the manifest expects "
                             f"{sorted(expected)}.")
    for key, shape in expected.items():
        array = arrays[key]
        if array.dtype != np.float32 or array.shape != shape:
            raise ModelFileError(f"`{key}` in {weights_name} must be float32 of shape {shape}, got "
                                 f"{array.dtype} of shape {array.shape}.")
        if not np.isfinite(array).all():
            raise ModelFileError(f"`{key}` in {weights_name} holds nan or inf.")
        array.setflags(write=False)  # shared between sessions by the app's cache: never modified
    return manifest, layers, arrays
