"""A small pretrained CNN, Tiny VGG, running on convviz's own ops: the filters you designed, stacked.

The network (``convviz/model/weights/tinyvgg_imagenette.json`` lists it): six 3x3 convolutions with zero
padding 1, each followed by ReLU, three 2x2 max-pools, a global average pool and a dense layer to 10 classes,
then softmax. It was trained offline on Imagenette photos by ``scripts/train_tinyvgg.py``. Its input is an RGB
image ``(64, 64, 3)`` float32 in [0, 1], with no mean/std normalisation, so conv1's ``(3, 3, 3)`` filters
read the same pixels as the filter designer.

Every layer computes what a public op of this package computes (:func:`convviz.conv2d`, :func:`convviz.relu`,
:func:`convviz.max_pool2d`, :func:`convviz.dense_layer`, :func:`convviz.softmax`), on the same kernels
(:mod:`convviz.model._forward` skips only the argument checks the checked weights do not need); nothing else.

- :meth:`TinyVGG.forward` returns every layer's output as an ordered list of ``(layer_name, activation)``,
  each ``(H, W, C)``; the global average pool, dense and softmax outputs are ``(1, 1, C)``. The conv layers
  run on an image of any size (at least 8x8); only :meth:`TinyVGG.predict` resizes to 64x64.
- :meth:`TinyVGG.class_activation_map` is exact for this global average pool + dense head (see
  :mod:`convviz.model.cam`).

Examples
--------
>>> import numpy as np
>>> from convviz import load_pretrained
>>> model = load_pretrained()
>>> image = np.random.default_rng(0).random((64, 64, 3), dtype=np.float32)
>>> [(name, a.shape) for name, a in model.forward(image)][:2]
[('conv1', (64, 64, 16)), ('relu1', (64, 64, 16))]
>>> model.predict(image).shape
(10,)
"""

from __future__ import annotations

import cv2
import numpy as np

from convviz._validate import as_float32_array, as_float32_volume, check_finite
from convviz.errors import ConvvizValueError
from convviz.model._forward import run_layers
from convviz.model.cam import ClassActivationMap, cam_from_head
from convviz.model.files import LayerSpec, ModelFileError, read_model_files

__all__ = ["ClassActivationMap", "ModelFileError", "TinyVGG", "load_pretrained"]


def _index(value, name: str, n: int) -> int:
    """``value`` as an int in ``[0, n)`` (bools refused), else a ConvvizValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 0 <= value < n:
        raise ConvvizValueError(f"`{name}` must be an integer in [0, {n}), got {value!r}")
    return int(value)


class TinyVGG:
    """A loaded Tiny VGG: read-only weights, a layer list, class names. Use :func:`load_pretrained`.

    Attributes
    ----------
    classes : tuple of str
        The readable class names, in output order.
    layer_names : tuple of str
        The names :meth:`forward` reports, in order.
    input_size : int
        The side the network was trained on (64); :meth:`predict` resizes to it.
    replaced : tuple of int
        conv1 slots replaced by :meth:`with_conv1_filter` (empty for the trained network).
    """

    def __init__(self, manifest: dict, layers: tuple[LayerSpec, ...], weights: dict[str, np.ndarray], *,
                 replaced: tuple[int, ...] = ()):
        kinds = [layer.type for layer in layers]
        if kinds[-3:] != ["global_avg_pool", "dense", "softmax"] or kinds[0] != "conv2d":
            raise ModelFileError("The model must start with a conv layer and end with global average pool, "
                                 f"dense and softmax; its manifest lists {kinds}.")
        self._manifest = manifest
        self._layers = layers
        self._weights = weights
        self.classes = tuple(str(c) for c in manifest["classes"])
        self.layer_names = tuple(layer.name for layer in layers)
        self.input_size = int(manifest.get("input", {}).get("shape", [64])[0])
        self.replaced = replaced
        # Three pools of 2 need at least 8x8 pixels to leave one position for the average.
        self.min_side = int(np.prod([layer.stride for layer in layers if layer.type == "max_pool2d"]))

    # --- what the network is -----------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The manifest's name, e.g. ``"Tiny VGG (Imagenette, 64x64)"``."""
        return str(self._manifest.get("name", "Tiny VGG"))

    @property
    def parameters(self) -> int:
        """Number of weights and biases (batch-norm folded in)."""
        return int(sum(array.size for array in self._weights.values()))

    @property
    def accuracy(self) -> float | None:
        """Top-1 accuracy on the Imagenette validation split by this NumPy forward pass (None: unmeasured)."""
        value = self._manifest.get("val_top1_numpy")
        return None if value is None else float(value)

    @property
    def layers(self) -> tuple[LayerSpec, ...]:
        """The ordered layer descriptions (name, type, weight shape, output shape for a 64x64 input)."""
        return self._layers

    def weights(self, layer: str) -> tuple[np.ndarray, np.ndarray]:
        """Read-only ``(weight, bias)`` of a conv or dense layer: ``(K, 3, 3, C), (K,)`` or ``(M, C), (M,)``.

        Examples
        --------
        >>> load_pretrained().weights("conv1")[0].shape
        (16, 3, 3, 3)
        """
        spec = next((s for s in self._layers if s.name == layer and s.weight), None)
        if spec is None:
            names = [s.name for s in self._layers if s.weight]
            raise ConvvizValueError(f"`layer` must be one of {names}, got {layer!r}")
        return self._weights[spec.weight], self._weights[spec.bias]

    # --- computing ---------------------------------------------------------------------------------
    def _image(self, image) -> np.ndarray:
        x = as_float32_volume(image, "image")
        if x.shape[2] != 3:
            raise ConvvizValueError(f"`image` must have 3 channels (RGB), got {x.shape[2]} (shape {x.shape})")
        if min(x.shape[:2]) < self.min_side:
            side = self.min_side
            raise ConvvizValueError(f"`image` must be at least {side}x{side} pixels so that every max-pool "
                                    f"keeps a position, got {x.shape[0]}x{x.shape[1]}")
        return x

    def resize_input(self, image) -> np.ndarray:
        """The image the network classifies: ``(H, W, 3)`` -> ``(64, 64, 3)`` float32 by the training rule.

        The rule is ``cv2.resize(image, (64, 64), interpolation=cv2.INTER_AREA)`` on float32 in [0, 1], the
        one used for every training and validation image. A 64x64 image is returned as it is.

        Examples
        --------
        >>> load_pretrained().resize_input(np.zeros((100, 80, 3), np.float32)).shape
        (64, 64, 3)
        """
        return self._resize(self._image(image))

    def _resize(self, x: np.ndarray) -> np.ndarray:
        """:meth:`resize_input` of an image already checked by :meth:`_image`."""
        side = self.input_size
        if x.shape[:2] == (side, side):
            return x
        return cv2.resize(np.ascontiguousarray(x), (side, side), interpolation=cv2.INTER_AREA)  # (64, 64, 3)

    def forward(self, image) -> list[tuple[str, np.ndarray]]:
        """Every layer's output for one image, in order.

        Parameters
        ----------
        image : array_like, shape (H, W, 3)
            RGB float32 in [0, 1] (uint8 is rescaled), at least 8x8. It is *not* resized: the conv layers run
            at any size (pass :meth:`resize_input` of a photo to see what the classifier sees).

        Returns
        -------
        list of (str, ndarray)
            ``(layer_name, activation)`` with activations ``(H', W', C)`` float32; ``"gap"``, ``"dense"``
            (the logits) and ``"softmax"`` (the probabilities) are ``(1, 1, C)``.

        Examples
        --------
        >>> acts = dict(load_pretrained().forward(np.zeros((32, 48, 3), np.float32)))
        >>> acts["pool3"].shape, acts["softmax"].shape
        ((4, 6, 64), (1, 1, 10))
        """
        return self._run(self._image(image))

    def _run(self, x: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """:meth:`forward` of an image already checked by :meth:`_image`."""
        return run_layers(self._layers, self._weights, x)

    def predict(self, image) -> np.ndarray:
        """Class probabilities ``(10,)`` for an ``(H, W, 3)`` image, resized to 64x64 first.

        Examples
        --------
        >>> model = load_pretrained()
        >>> p = model.predict(np.full((90, 120, 3), 0.5, np.float32))
        >>> p.shape, bool(abs(p.sum() - 1) < 1e-5)
        ((10,), True)
        """
        return self._run(self._resize(self._image(image)))[-1][1].reshape(-1)  # (classes,)

    def class_activation_map(self, image, class_index: int | None = None, *,
                             resize: bool = True) -> ClassActivationMap:
        """The class activation map of one class for an image (see :class:`convviz.ClassActivationMap`).

        Parameters
        ----------
        image : array_like, shape (H, W, 3)
            RGB float32 in [0, 1].
        class_index : int, optional
            The class; default the predicted one.
        resize : bool, optional
            Compute on the 64x64 input the classifier sees (default), or on the image at its own size.
            Either way ``upsampled`` has the image's ``(H, W)``.

        Examples
        --------
        >>> cam = load_pretrained().class_activation_map(np.full((100, 80, 3), 0.5, np.float32), 3)
        >>> cam.coarse.shape, cam.upsampled.shape, bool(abs(cam.coarse.mean() + cam.bias - cam.logit) < 1e-4)
        ((8, 8), (100, 80), True)
        """
        x = self._image(image)
        outputs = self._run(self._resize(x) if resize else x)
        if class_index is None:
            class_index = int(np.argmax(outputs[-1][1]))
        k = _index(class_index, "class_index", len(self.classes))
        w, b = self.weights(self._layers[-2].name)
        # outputs[-4] is what the global average pool averages, (h, w, C); then dense and softmax (1, 1, M).
        return cam_from_head(outputs[-4][1], w, b, outputs[-2][1].reshape(-1), outputs[-1][1].reshape(-1),
                             k, self.classes[k], size=x.shape[:2])

    # --- surgery -----------------------------------------------------------------------------------
    def with_conv1_filter(self, index: int, kernel, bias: float = 0.0) -> TinyVGG:
        """A copy of the network with conv1's filter ``index`` replaced (the original is unchanged).

        Parameters
        ----------
        index : int
            The conv1 slot, ``0 <= index < 16``.
        kernel : array_like, shape (3, 3, 3)
            The new filter ``(kh, kw, C)`` over R, G, B (the filter designer's format).
        bias : float, optional
            Its bias.

        Examples
        --------
        >>> model = load_pretrained()
        >>> edited = model.with_conv1_filter(2, np.zeros((3, 3, 3)), 0.5)
        >>> float(edited.weights("conv1")[1][2]), edited.replaced, float(model.weights("conv1")[1][2]) == 0.5
        (0.5, (2,), False)
        """
        spec = self._layers[0]
        index = _index(index, "index", spec.weight_shape[0])
        ker = as_float32_volume(kernel, "kernel")
        if ker.shape != spec.weight_shape[1:]:
            raise ConvvizValueError(f"`kernel` must have shape {spec.weight_shape[1:]} like conv1's filters "
                                    f"(kh, kw, C), got {ker.shape}")
        bias_value = as_float32_array(bias, "bias")
        if bias_value.shape != ():
            raise ConvvizValueError(f"`bias` must be one number, got shape {bias_value.shape}")
        check_finite(bias_value, "bias")
        weights = dict(self._weights)
        new_w, new_b = self._weights[spec.weight].copy(), self._weights[spec.bias].copy()
        new_w[index] = ker
        new_b[index] = bias_value
        for array in (new_w, new_b):
            array.setflags(write=False)
        weights[spec.weight], weights[spec.bias] = new_w, new_b
        return TinyVGG(self._manifest, self._layers, weights,
                       replaced=tuple(sorted({*self.replaced, index})))

    def __repr__(self) -> str:
        accuracy = "not measured" if self.accuracy is None else f"{self.accuracy:.1%} (NumPy)"
        side = self.input_size
        lines = [f"TinyVGG({self.name!r}: {self.parameters:,} parameters, {len(self.classes)} classes, "
                 f"val top-1 {accuracy}", f"  {'input':<8} {'':<16} -> {side}x{side}x3"]
        lines += [f"  {layer.name:<8} {layer.summary:<16} -> {'x'.join(map(str, layer.volume_shape))}"
                  for layer in self._layers]
        if self.replaced:
            lines.append(f"  conv1 filters replaced: {list(self.replaced)}")
        return "\n".join(lines) + "\n)"


def load_pretrained(manifest_path=None) -> TinyVGG:
    """Load the shipped Tiny VGG, checking its sha256, its arrays and every layer's shape.

    Parameters
    ----------
    manifest_path : path, optional
        The manifest; default ``convviz/model/weights/tinyvgg_imagenette.json`` (weights next to it).

    Returns
    -------
    TinyVGG
        With read-only float32 weights.

    Raises
    ------
    ModelFileError
        A ``ValueError`` for a missing, damaged or mismatched weights file or manifest.

    Examples
    --------
    >>> load_pretrained().classes[:3]
    ('tench', 'English springer', 'cassette player')
    """
    manifest, layers, weights = read_model_files(manifest_path)
    model = TinyVGG(manifest, layers, weights)
    side = model.input_size  # checked by the manifest reader: 8 to 1024
    try:  # one dry run: every layer's output shape must be the manifest's
        outputs = model.forward(np.zeros((side, side, 3), np.float32))
    except (ArithmeticError, LookupError, TypeError, ValueError, MemoryError) as exc:  # ConvvizValueError too
        raise ModelFileError(f"The model's layers do not fit together: {exc}") from None
    for spec, (_, activation) in zip(layers, outputs, strict=True):
        if activation.shape != spec.volume_shape:
            raise ModelFileError(f"Layer {spec.name!r} gives shape {activation.shape}; the manifest records "
                                 f"{spec.output_shape}.")
    return model
