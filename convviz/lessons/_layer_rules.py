"""How each layer type of an architecture spec changes the shape, and how many parameters it has (private).

:mod:`convviz.lessons.architectures` documents the spec format and is the public entry point; this module
holds the rules per layer type, so that adding a type is one handler and one line in ``_HANDLERS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from convviz._validate import int_in_range
from convviz.errors import ArchitectureError, ConvvizValueError
from convviz.lessons.parameters import batch_norm_params, conv_params, dense_params
from convviz.ops.shapes import output_size

_ACTIVATIONS = ("relu", "tanh", "sigmoid", "softmax")
_COMMON_KEYS = {"name", "type", "activation"}



@dataclass(frozen=True)
class LayerRow:
    """One row of a layer table.

    Attributes
    ----------
    name : str
        The layer's name in the spec (for ResNet, torchvision's module names such as ``"layer2.0.conv1"``).
    kind : str
        The layer type (``"conv"``, ``"max_pool"``, ``"dense"``, ``"basic_block"``, ...).
    output_shape : tuple of int
        ``(H, W, C)`` for a volume, ``(N,)`` for a vector.
    params : int
        Learnable parameters of the layer (for a block, of everything inside it).
    detail : str
        The settings in words and numbers, e.g. ``"6 filters of 5×5×1, stride 1, padding 0"``.
    activation : str or None
        The activation applied after the layer, if any.
    depth : int
        0 for a layer of the network, 1 for a layer inside a block (already counted in the block's row).
    """

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int
    detail: str
    activation: str | None = None
    depth: int = 0


def walk(layers: list, shape: tuple[int, ...], *, depth: int) -> list[LayerRow]:
    """Rows for `layers` applied in order to a `shape` input; block rows are followed by their inner rows."""
    rows: list[LayerRow] = []
    for index, layer in enumerate(layers):
        if not isinstance(layer, Mapping):
            raise ArchitectureError(f"layer {index} must be a dict, got {type(layer).__name__}")
        name = str(layer.get("name", f"layer{index}"))
        kind = layer.get("type")
        if kind not in _HANDLERS:
            raise ArchitectureError(f"layer {index} ({name!r}): `type` must be one of {sorted(_HANDLERS)}, "
                                    f"got {kind!r}")
        handler, keys = _HANDLERS[kind]
        unknown = set(layer) - keys - _COMMON_KEYS
        if unknown:
            raise ArchitectureError(f"layer {index} ({name!r}): unknown keys {sorted(unknown)} "
                                    f"for type {kind!r}")
        activation = layer.get("activation")
        if activation is not None and activation not in _ACTIVATIONS:
            raise ArchitectureError(f"layer {index} ({name!r}): `activation` must be one of {_ACTIVATIONS}, "
                                    f"got {activation!r}")
        try:
            out_shape, params, detail, inner = handler(layer, shape, name, depth)
        except ArchitectureError:
            raise
        except ValueError as err:  # e.g. output_size refusing an empty output
            raise ArchitectureError(f"layer {index} ({name!r}) on input {_fmt_shape(shape)}: {err}") from None
        rows.append(LayerRow(name, kind, out_shape, params, detail, activation, depth))
        rows.extend(inner)
        shape = out_shape
    return rows


# --- layer handlers: (layer, input shape, name, depth) -> (output shape, params, detail, inner rows) ---

def _conv(layer, shape, name, depth):
    h, w, c = _volume(shape, name)
    k = _int(layer, "filters", name)
    kh, kw = _pair(layer, "kernel", name)
    (sh, sw), (ph, pw), (dh, dw) = (_pair(layer, key, name, 1 if key != "padding" else 0)
                                    for key in ("stride", "padding", "dilation"))
    bias = _bool(layer, "bias", name)
    out = (output_size(h, kh, stride=sh, padding=ph, dilation=dh),
           output_size(w, kw, stride=sw, padding=pw, dilation=dw), k)
    detail = f"{k} filters of {kh}×{kw}×{c}, stride {_fmt_pair(sh, sw)}, padding {_fmt_pair(ph, pw)}"
    if (dh, dw) != (1, 1):
        detail += f", dilation {_fmt_pair(dh, dw)}"
    if not bias:
        detail += ", no bias"
    return out, conv_params((kh, kw), c, k, bias=bias), detail, []


def _pool(layer, shape, name, depth):
    h, w, c = _volume(shape, name)
    kh, kw = _pair(layer, "size", name)
    sh, sw = _pair(layer, "stride", name, (kh, kw))
    ph, pw = _pair(layer, "padding", name, 0)
    out = (output_size(h, kh, stride=sh, padding=ph), output_size(w, kw, stride=sw, padding=pw), c)
    op = "max" if layer["type"] == "max_pool" else "average"
    return out, 0, f"{op} over {kh}×{kw}, stride {_fmt_pair(sh, sw)}, padding {_fmt_pair(ph, pw)}", []


def _adaptive_avg_pool(layer, shape, name, depth):
    _, _, c = _volume(shape, name)
    oh, ow = _pair(layer, "output", name)
    return (oh, ow, c), 0, f"average over regions to {oh}×{ow}", []


def _global_avg_pool(layer, shape, name, depth):
    h, w, c = _volume(shape, name)
    return (c,), 0, f"average of each {h}×{w} map", []


def _flatten(layer, shape, name, depth):
    h, w, c = _volume(shape, name)
    return (h * w * c,), 0, f"{h}×{w}×{c} → {h * w * c}", []


def _dense(layer, shape, name, depth):
    if len(shape) != 1:
        raise ArchitectureError(f"layer {name!r}: a dense layer needs a vector input (flatten first), "
                                f"got {_fmt_shape(shape)}")
    units = _int(layer, "units", name)
    bias = _bool(layer, "bias", name)
    return (units,), dense_params(shape[0], units, bias=bias), f"{shape[0]} → {units}", []


def _batch_norm(layer, shape, name, depth):
    return shape, batch_norm_params(shape[-1]), f"scale and shift for each of {shape[-1]} channels", []


def _dropout(layer, shape, name, depth):
    p = layer.get("p", 0.5)
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
        raise ArchitectureError(f"layer {name!r}: `p` must be a number in [0, 1), got {p!r}")
    return shape, 0, f"drop {p:g} of the values while training", []


def _activation(layer, shape, name, depth):
    return shape, 0, f"{layer['type']} on every value", []


def _basic_block(layer, shape, name, depth):
    _, _, c = _volume(shape, name)
    k = _int(layer, "filters", name)
    s = _int(layer, "stride", name, 1)
    body = [
        {"name": f"{name}.conv1", "type": "conv", "filters": k, "kernel": 3, "stride": s, "padding": 1,
         "bias": False},
        {"name": f"{name}.bn1", "type": "batch_norm", "activation": "relu"},
        {"name": f"{name}.conv2", "type": "conv", "filters": k, "kernel": 3, "padding": 1, "bias": False},
        {"name": f"{name}.bn2", "type": "batch_norm"},
    ]
    # torchvision adds a 1x1 conv + batch-norm shortcut exactly when the shape changes.
    shortcut = [] if (s == 1 and c == k) else [
        {"name": f"{name}.downsample.0", "type": "conv", "filters": k, "kernel": 1, "stride": s,
         "bias": False},
        {"name": f"{name}.downsample.1", "type": "batch_norm"},
    ]
    inner = walk(body, shape, depth=depth + 1)
    out = inner[-1].output_shape
    if shortcut:
        inner += walk(shortcut, shape, depth=depth + 1)
    assert inner[-1].output_shape == out, "the shortcut must match the body's output shape"
    inner.append(LayerRow(f"{name}.add", "add", out, 0, "body + shortcut, then relu", "relu", depth + 1))
    kind = "1×1 conv shortcut" if shortcut else "identity shortcut"
    detail = f"two 3×3 convs of {k} filters, stride {s}, {kind}"
    return out, sum(row.params for row in inner), detail, inner


_HANDLERS = {
    "conv": (_conv, {"filters", "kernel", "stride", "padding", "dilation", "bias"}),
    "max_pool": (_pool, {"size", "stride", "padding"}),
    "avg_pool": (_pool, {"size", "stride", "padding"}),
    "adaptive_avg_pool": (_adaptive_avg_pool, {"output"}),
    "global_avg_pool": (_global_avg_pool, set()),
    "flatten": (_flatten, set()),
    "dense": (_dense, {"units", "bias"}),
    "batch_norm": (_batch_norm, set()),
    "dropout": (_dropout, {"p"}),
    "basic_block": (_basic_block, {"filters", "stride"}),
    **{act: (_activation, set()) for act in _ACTIVATIONS},
}


# --- small readers with messages that name the layer and the key -------------------------------------------

def is_pos_int(value) -> bool:
    """True for a JSON integer >= 1 (True is not a size)."""
    try:
        int_in_range(value, "value")
    except ConvvizValueError:
        return False
    return True


def _int(layer, key, name, default=None, *, low: int = 1) -> int:
    """Layer field `key` as an int >= `low` (the one integer check), or an ArchitectureError naming it."""
    try:
        return int_in_range(layer.get(key, default), key, low=low, error=ArchitectureError)
    except ArchitectureError as err:
        raise ArchitectureError(f"layer {name!r}: {err}") from None


def _pair(layer, key, name, default=None) -> tuple[int, int]:
    """Layer field `key` as an ``(h, w)`` pair (an int means both), each >= 0 for padding, else >= 1."""
    value = layer.get(key, default)
    low = 0 if key == "padding" else 1
    items = tuple(value) if isinstance(value, (list, tuple)) else (value, value)
    if len(items) != 2:
        raise ArchitectureError(f"layer {name!r}: `{key}` must be an int >= {low} or a pair of them, "
                                f"got {value!r}")
    return _int({key: items[0]}, key, name, low=low), _int({key: items[1]}, key, name, low=low)


def _bool(layer, key, name) -> bool:
    value = layer.get(key, True)
    if not isinstance(value, bool):
        raise ArchitectureError(f"layer {name!r}: `{key}` must be true or false, got {value!r}")
    return value


def _volume(shape, name) -> tuple[int, int, int]:
    if len(shape) != 3:
        raise ArchitectureError(f"layer {name!r} needs an (H, W, C) volume input, got {_fmt_shape(shape)}")
    return shape


def _fmt_pair(a: int, b: int) -> str:
    return str(a) if a == b else f"{a}×{b}"


def _fmt_shape(shape) -> str:
    return "×".join(map(str, shape))
