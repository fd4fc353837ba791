"""Real CNN architectures as data, and a calculator of every layer's output shape and parameter count.

A *spec* is a plain dict (one JSON file per network in ``convviz/lessons/specs/``)::

    {"name": "lenet5", "title": "LeNet-5", "input": [32, 32, 1],
     "layers": [{"name": "C1", "type": "conv", "filters": 6, "kernel": 5, "activation": "tanh"}, ...]}

Layer types and their keys (besides ``name``, ``type`` and an optional ``activation`` applied after it):

- ``conv``: ``filters``, ``kernel``, ``stride`` (1), ``padding`` (0), ``dilation`` (1), ``bias`` (true);
- ``max_pool`` / ``avg_pool``: ``size``, ``stride`` (= size), ``padding`` (0);
- ``adaptive_avg_pool``: ``output`` (an int or an (h, w) pair); ``global_avg_pool``: ``(H, W, C) -> (C,)``;
- ``flatten``: ``(H, W, C) -> (H*W*C,)``; ``dense``: ``units``, ``bias`` (true);
- ``batch_norm`` (2 parameters per channel), ``dropout`` (``p``), and the activations ``relu``, ``tanh``,
  ``sigmoid``, ``softmax`` as layers of their own;
- ``basic_block``: ResNet's basic block, ``filters``, ``stride`` (1). It expands into its inner layers (two
  3x3 convs without bias, each followed by batch-norm, and a 1x1 conv + batch-norm shortcut where the shape
  changes), which appear in the table one level deeper.

Shapes are ``(H, W, C)`` for volumes and ``(N,)`` for vectors. Integers ``k`` for sizes mean ``(k, k)``.

The project's own Tiny VGG is listed as ``"tinyvgg"`` once its manifest
(``convviz/model/weights/tinyvgg_imagenette.json``, written by ``scripts/train_tinyvgg.py``) exists: its layer
list is read from the manifest by :func:`spec_from_manifest`, and the shapes and parameter count the manifest
records are checked against this calculator.

Examples
--------
>>> from convviz.lessons.architectures import architecture_table
>>> table = architecture_table("lenet5")
>>> [row.output_shape for row in table.layers][:2]
[(28, 28, 6), (14, 14, 6)]
>>> table.total_params
61706
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from convviz.lessons._layer_rules import ArchitectureError, LayerRow, is_pos_int, walk
from convviz.model.files import DEFAULT_MANIFEST, read_manifest

__all__ = [
    "ArchitectureError",
    "LayerRow",
    "LayerTable",
    "architecture_table",
    "layer_table",
    "list_architectures",
    "load_spec",
    "spec_from_manifest",
]

SPEC_DIR = Path(__file__).with_name("specs")
TINYVGG_MANIFEST = DEFAULT_MANIFEST  # the trained Tiny VGG, read through convviz.model.files
TINYVGG = "tinyvgg"


@dataclass(frozen=True)
class LayerTable:
    """The computed table of a network: input shape, every layer's output shape and parameters.

    Attributes
    ----------
    name, title, description, source : str
        From the spec.
    input_shape : (int, int, int)
        ``(H, W, C)`` of the network's input.
    rows : tuple of LayerRow
        Every layer in order; block rows are followed by their inner rows (``depth == 1``).
    reference_params : int or None
        The published parameter count the spec cites (``None`` if it cites none), to compare with
        :attr:`total_params`.
    """

    name: str
    title: str
    description: str
    source: str
    input_shape: tuple[int, int, int]
    rows: tuple[LayerRow, ...]
    reference_params: int | None = None

    @property
    def layers(self) -> list[LayerRow]:
        """The top-level rows (``depth == 0``): the network's layers, blocks counted as one."""
        return [row for row in self.rows if row.depth == 0]

    @property
    def total_params(self) -> int:
        """Total learnable parameters: the sum over the top-level rows."""
        return sum(row.params for row in self.layers)

    @property
    def output_shape(self) -> tuple[int, ...]:
        """Shape of the network's output (the last layer's)."""
        return self.rows[-1].output_shape if self.rows else self.input_shape

    def __repr__(self) -> str:
        shape = "x".join(map(str, self.input_shape))
        n_layers, n_params = len(self.layers), self.total_params
        return f"LayerTable({self.name!r}, input {shape}, {n_layers} layers, {n_params:,} params)"


def list_architectures() -> list[str]:
    """Names of the shipped architectures (``"alexnet"``, ``"lenet5"``, ...), sorted.

    ``"tinyvgg"`` is included when the project's trained Tiny VGG manifest exists.
    """
    names = [path.stem for path in SPEC_DIR.glob("*.json")]
    if TINYVGG_MANIFEST.is_file():
        names.append(TINYVGG)
    return sorted(names)


def load_spec(name: str) -> dict:
    """Read the spec of the shipped architecture called `name` (one of :func:`list_architectures`).

    Examples
    --------
    >>> load_spec("vgg16")["input"]
    [224, 224, 3]
    """
    names = list_architectures()
    if name not in names:  # looked up in the fixed list, never joined into a path unchecked
        raise ArchitectureError(f"`name` must be one of {names}, got {name!r}")
    if name == TINYVGG:
        return spec_from_manifest(read_manifest(TINYVGG_MANIFEST)[0])
    return json.loads((SPEC_DIR / f"{name}.json").read_text(encoding="utf-8"))


def architecture_table(name: str) -> LayerTable:
    """The layer table of the shipped architecture `name`: ``layer_table(load_spec(name))``."""
    return layer_table(load_spec(name))


def layer_table(spec: Mapping) -> LayerTable:
    """Compute every layer's output shape and parameter count from a spec.

    Parameters
    ----------
    spec : mapping
        ``input`` (an ``[H, W, C]`` list) and ``layers`` (a list of layer dicts, see the module docstring);
        optional ``name``, ``title``, ``description``, ``source``, ``reference_params``.

    Returns
    -------
    LayerTable
        Rows in order; ``total_params`` is exact.

    Raises
    ------
    ArchitectureError
        For an unknown layer type or key, a bad value, or a layer whose output would be empty; the message
        names the layer.

    Examples
    --------
    >>> spec = {"input": [6, 6, 3], "layers": [{"name": "conv", "type": "conv", "filters": 2, "kernel": 3}]}
    >>> row = layer_table(spec).rows[0]
    >>> row.output_shape, row.params
    ((4, 4, 2), 56)
    """
    if not isinstance(spec, Mapping):
        raise ArchitectureError(f"`spec` must be a mapping with 'input' and 'layers', "
                                f"got {type(spec).__name__}")
    shape = spec.get("input")
    if not (isinstance(shape, (list, tuple)) and len(shape) == 3 and all(is_pos_int(v) for v in shape)):
        raise ArchitectureError(f"`spec['input']` must be an [H, W, C] list of positive ints, got {shape!r}")
    layers = spec.get("layers")
    if not isinstance(layers, list) or not layers:
        raise ArchitectureError("`spec['layers']` must be a non-empty list of layer dicts")
    rows = walk(layers, tuple(shape), depth=0)
    reference = spec.get("reference_params")
    return LayerTable(
        name=str(spec.get("name", "")),
        title=str(spec.get("title", spec.get("name", ""))),
        description=str(spec.get("description", "")),
        source=str(spec.get("source", "")),
        input_shape=tuple(shape),
        rows=tuple(rows),
        reference_params=reference if is_pos_int(reference) else None,
    )



# Manifest layer types (scripts/tinyvgg_net.py: layer_plan) -> spec layer types.
_MANIFEST_TYPES = {"conv2d": "conv", "max_pool2d": "max_pool", "relu": "relu",
                   "global_avg_pool": "global_avg_pool", "dense": "dense", "softmax": "softmax"}


def spec_from_manifest(manifest: Mapping) -> dict:
    """Turn a trained model's manifest (e.g. the Tiny VGG's) into a spec, checked against what it records.

    Parameters
    ----------
    manifest : mapping
        ``input.shape`` ``[H, W, C]``; ``layers``, each with ``name``, ``type`` (``conv2d``, ``max_pool2d``,
        ``relu``, ``global_avg_pool``, ``dense``, ``softmax``), ``weight_shape`` for weighted layers (conv
        ``[K, kh, kw, C]``, dense ``[M, N]``), ``bias`` (present when the layer has one), ``stride``,
        ``padding``, ``size`` and ``output_shape``; optional ``parameters`` (the total), ``name``,
        ``classes``, ``val_top1_*``.

    Returns
    -------
    dict
        A spec for :func:`layer_table`, whose ``reference_params`` is the manifest's ``parameters``.

    Raises
    ------
    ArchitectureError
        For a layer type the calculator does not know, or when a computed output shape or the total disagrees
        with what the manifest records.
    """
    try:
        shape = list(manifest["input"]["shape"])
        entries = list(manifest["layers"])
    except (KeyError, TypeError):
        raise ArchitectureError("`manifest` must have 'input': {'shape': [H, W, C]} and a 'layers' list"
                                ) from None
    layers = [_layer_from_manifest(entry) for entry in entries]
    spec = {
        "name": TINYVGG,
        "title": str(manifest.get("name", "Tiny VGG")),
        "description": "The project's own small CNN, trained here on Imagenette photos "
                       f"({len(manifest.get('classes', []))} classes) and run by convviz's NumPy core.",
        "source": "scripts/train_tinyvgg.py; weights and manifest in convviz/model/weights/",
        "input": shape,
        "layers": layers,
    }
    if is_pos_int(manifest.get("parameters")):
        spec["reference_params"] = manifest["parameters"]
    table = layer_table(spec)
    for row, entry in zip(table.layers, entries, strict=True):
        recorded = entry.get("output_shape")
        if recorded is not None and tuple(recorded) != row.output_shape:
            raise ArchitectureError(f"layer {row.name!r}: the manifest records output shape {recorded}, "
                                    f"the calculator gives {list(row.output_shape)}")
    if table.reference_params is not None and table.reference_params != table.total_params:
        raise ArchitectureError(f"the manifest records {table.reference_params} parameters, "
                                f"the calculator counts {table.total_params}")
    return spec


def _layer_from_manifest(entry: Mapping) -> dict:
    kind = _MANIFEST_TYPES.get(entry.get("type"))
    name = str(entry.get("name", "?"))
    if kind is None:
        raise ArchitectureError(f"manifest layer {name!r}: type must be one of {sorted(_MANIFEST_TYPES)}, "
                                f"got {entry.get('type')!r}")
    layer = {"name": name, "type": kind}
    weight_shape = entry.get("weight_shape")
    if kind == "conv":
        k, kh, kw, _ = weight_shape  # (K, kh, kw, C), the convviz bank convention
        layer.update(filters=k, kernel=[kh, kw], stride=entry.get("stride", 1),
                     padding=entry.get("padding", 0), bias="bias" in entry)
    elif kind == "dense":
        layer.update(units=weight_shape[0], bias="bias" in entry)  # (M, N)
    elif kind == "max_pool":
        size = entry.get("size", 2)  # the default of convviz.model.files, which read this manifest
        layer.update(size=size, stride=entry.get("stride", size))
    return layer
