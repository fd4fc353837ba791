"""Receptive fields of every layer of an architecture spec, from the closed form.

Which input pixels can change one unit of a layer? For a network with a single path from input to output the
answer is a square (a rectangle when kernels are not square), and three numbers per axis describe it for
every unit of a layer at once (A. Araujo, W. Norris, J. Sim, "Computing Receptive Fields of Convolutional
Neural Networks", Distill, 2019, https://distill.pub/2019/computing-receptive-fields/):

- the **size** ``r``: how many input pixels one unit sees along the axis;
- the **jump** ``j`` (effective stride): how many input pixels apart two neighbouring units' fields are;
- the **start**: the input coordinate of the centre of unit 0's field.

Conventions: input pixel ``i`` sits at coordinate ``i`` (the first pixel's centre is 0, so a centre may be
``x.5`` between two pixels); the input has ``r = 1, j = 1, start = 0``. A layer with kernel ``k``, stride
``s``, padding ``p`` (zeros on each side) and dilation ``d`` gives::

    r_l     = r_{l-1} + (k - 1) * d * j_{l-1}
    j_l     = j_{l-1} * s
    start_l = start_{l-1} + ((k - 1) / 2 * d - p) * j_{l-1}

Unit ``n`` of layer ``l`` then sees input pixels ``start_l + n * j_l ± (r_l - 1) / 2`` (inclusive); near the
borders part of that square is padding. Pooling layers count as kernels of their window; batch-norm, dropout
and activations change nothing. Layers that mix every position (flatten, dense, global average pooling, an
adaptive pool whose windows are not all the same) see the whole input: their rows say so with ``None``.

Residual blocks (ResNet's ``basic_block``) have two paths, the two 3x3 convs and the shortcut; their
receptive field is that of the longest path, the main branch (the 1x1 shortcut's field lies inside it and is
centred at the same place), as in the Distill article's treatment of multi-path networks.

The published figures this reproduces (the article's table, computed for the TF-Slim models,
``alexnet_v2`` and ``vgg_16``): AlexNet's last pool sees **195** pixels with jump 32; VGG-16's last conv block
ends (``pool5``) at **212** pixels with jump 32 and effective padding 90 (the block's last conv, ``conv5_3``,
is at 196). torchvision's AlexNet pads its first conv by 2 where TF-Slim's pads none, so sizes and jumps agree
and its effective padding is 2 larger (66 instead of 64).

Examples
--------
>>> rows = receptive_field("vgg16")
>>> [(row.name, row.size, row.jump) for row in rows if row.name in ("conv1_1", "pool1", "pool5")]
[('conv1_1', (3, 3), (1, 1)), ('pool1', (6, 6), (2, 2)), ('pool5', (212, 212), (32, 32))]
>>> rows[-1].name, rows[-1].size
('fc8', None)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from convviz.lessons._layer_rules import ArchitectureError
from convviz.lessons.architectures import layer_table, load_spec

__all__ = ["FieldRow", "receptive_field"]

_IDENTITY = {"batch_norm", "dropout", "relu", "tanh", "sigmoid", "softmax"}
_GLOBAL = {"flatten", "dense", "global_avg_pool"}
Pair = tuple[int, int]


@dataclass(frozen=True)
class FieldRow:
    """The receptive field of one layer's units, per axis ``(rows, columns)``.

    Attributes
    ----------
    name, kind : str
        The layer's name and type, as in :func:`convviz.layer_table`.
    size : (int, int) or None
        Input pixels one unit sees (height, width); None when every unit sees the whole input.
    jump : (int, int) or None
        Input pixels between neighbouring units' fields (the product of the strides so far).
    start : (float, float) or None
        Input coordinate of the centre of unit 0's field (input pixel ``i`` is at ``i``).
    depth : int
        0 for a layer of the network, 1 inside a residual block (as in :class:`convviz.lessons.LayerRow`).
    """

    name: str
    kind: str
    size: Pair | None
    jump: Pair | None
    start: tuple[float, float] | None
    depth: int = 0

    @property
    def padding(self) -> tuple[float, float] | None:
        """The effective padding ``(r - 1) / 2 - start``: how far unit 0's field reaches before pixel 0.

        This is the "effective padding" of the Distill article's table (90 for VGG-16's ``pool5``).
        """
        if self.size is None:
            return None
        return tuple((r - 1) / 2 - c for r, c in zip(self.size, self.start, strict=True))

    def box(self, row: int, col: int) -> tuple[float, float, float, float]:
        """Input pixels seen by unit ``(row, col)``: ``(top, left, bottom, right)``, inclusive, unclipped.

        Parts outside ``[0, H-1] x [0, W-1]`` are padding. Raises ValueError for a whole-input row.

        Examples
        --------
        >>> pool1 = next(r for r in receptive_field("vgg16") if r.name == "pool1")
        >>> pool1.box(0, 3)
        (-2.0, 4.0, 3.0, 9.0)
        """
        if self.size is None:
            raise ValueError(f"every unit of {self.name!r} sees the whole input; it has no box")
        (rh, rw), (jh, jw), (ch, cw) = self.size, self.jump, self.start
        top, left = ch + row * jh - (rh - 1) / 2, cw + col * jw - (rw - 1) / 2
        return top, left, top + rh - 1, left + rw - 1


@dataclass(frozen=True)
class _Field:
    size: Pair
    jump: Pair
    start: tuple[float, float]

    def window(self, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair = (1, 1)) -> _Field:
        """The field after one window layer (the closed form of the module docstring, per axis)."""
        axes = zip(self.size, self.jump, self.start, kernel, stride, padding, dilation, strict=True)
        size, jump, start = zip(*[(r + (k - 1) * d * j, j * s, c + ((k - 1) / 2 * d - p) * j)
                                  for r, j, c, k, s, p, d in axes], strict=True)
        return _Field(size, jump, start)


def _pair(value, default) -> Pair:
    value = default if value is None else value
    return tuple(value) if isinstance(value, (list, tuple)) else (value, value)


def _walk(layers: list, field: _Field | None, shapes: list, depth: int) -> list[FieldRow]:
    """Rows for `layers` in the order of :func:`layer_table`; ``shapes`` yields each row's input shape."""
    rows: list[FieldRow] = []
    for layer in layers:
        name, kind = str(layer.get("name", "")), layer["type"]
        in_shape = shapes.pop(0)
        inner: list[FieldRow] = []
        if field is None or kind in _GLOBAL:
            field = None
        elif kind == "conv":
            field = field.window(_pair(layer["kernel"], None), _pair(layer.get("stride"), 1),
                                 _pair(layer.get("padding"), 0), _pair(layer.get("dilation"), 1))
        elif kind in ("max_pool", "avg_pool"):
            size = _pair(layer["size"], None)
            field = field.window(size, _pair(layer.get("stride"), size), _pair(layer.get("padding"), 0))
        elif kind == "adaptive_avg_pool":
            out = _pair(layer["output"], None)
            if all(n % o == 0 for n, o in zip(in_shape[:2], out, strict=True)):  # equal windows: a pool
                window = tuple(n // o for n, o in zip(in_shape[:2], out, strict=True))
                field = field.window(window, window, (0, 0))
            else:  # windows of different sizes: no single size/jump describes the units
                field = None
        elif kind == "basic_block":
            inner, field = _block(layer, field, shapes, depth)
        elif kind not in _IDENTITY:
            raise ArchitectureError(f"layer {name!r}: no receptive-field rule for type {kind!r}")
        rows.append(_row(name, kind, field, depth))
        rows.extend(inner)
    return rows


def _block(layer: Mapping, field: _Field, shapes: list, depth: int) -> tuple[list[FieldRow], _Field]:
    """The inner rows of a residual block (as :mod:`convviz.lessons._layer_rules` expands it) and its field:
    the main branch's, the longest path through the block."""
    name, s = str(layer["name"]), _pair(layer.get("stride"), 1)
    conv1 = field.window((3, 3), s, (1, 1))
    conv2 = conv1.window((3, 3), (1, 1), (1, 1))
    inner = depth + 1
    rows = [_row(f"{name}.conv1", "conv", conv1, inner), _row(f"{name}.bn1", "batch_norm", conv1, inner),
            _row(f"{name}.conv2", "conv", conv2, inner), _row(f"{name}.bn2", "batch_norm", conv2, inner)]
    in_channels, out_channels = shapes[0][-1], layer["filters"]  # the inner rows' input shapes follow
    del shapes[:4]
    if s != (1, 1) or in_channels != out_channels:  # the 1x1 shortcut, present exactly when the shape changes
        shortcut = field.window((1, 1), s, (0, 0))
        rows += [_row(f"{name}.downsample.0", "conv", shortcut, inner),
                 _row(f"{name}.downsample.1", "batch_norm", shortcut, depth + 1)]
        del shapes[:2]
    rows.append(_row(f"{name}.add", "add", conv2, inner))
    del shapes[:1]
    return rows, conv2


def _row(name: str, kind: str, field: _Field | None, depth: int) -> FieldRow:
    if field is None:
        return FieldRow(name, kind, None, None, None, depth)
    return FieldRow(name, kind, field.size, field.jump, field.start, depth)


def receptive_field(spec) -> tuple[FieldRow, ...]:
    """Every layer's receptive field (size, jump, start per axis) for an architecture spec.

    Parameters
    ----------
    spec : mapping or str
        A spec as :func:`convviz.layer_table` takes it, or the name of a bundled architecture (one of
        :func:`convviz.list_architectures`: ``"alexnet"``, ``"vgg16"``, ``"resnet18"``, ...).

    Returns
    -------
    tuple of FieldRow
        One row per row of ``layer_table(spec).rows``, same names and order (a residual block's row is
        followed by its inner layers). Rows of layers that see the whole input have ``size=None``.

    Raises
    ------
    ArchitectureError
        For an unknown name or an invalid spec (as :func:`convviz.layer_table` raises).

    Examples
    --------
    >>> pool = [row for row in receptive_field("alexnet") if row.kind == "max_pool"][-1]
    >>> pool.name, pool.size, pool.jump
    ('features.12', (195, 195), (32, 32))
    """
    if isinstance(spec, str):
        spec = load_spec(spec)
    table = layer_table(spec)  # validates the spec and gives every row's input shape
    shapes = _input_shapes(table)
    field = _Field((1, 1), (1, 1), (0.0, 0.0))
    rows = _walk(list(spec["layers"]), field, shapes, depth=0)
    assert [r.name for r in rows] == [r.name for r in table.rows], "rows must follow layer_table's rows"
    return tuple(rows)


def _input_shapes(table) -> list[tuple[int, ...]]:
    """The input shape of every row of `table`, in row order (inner rows: their block's running shape)."""
    shapes, current, inner = [], tuple(table.input_shape), None
    for row in table.rows:
        if row.depth == 0:
            shapes.append(current)
            current, inner = row.output_shape, current
        else:
            shapes.append(inner)
            inner = row.output_shape
    return shapes
