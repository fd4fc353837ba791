"""The ops without their argument checks: the one door for callers that validated everything once.

The model's forward pass (:mod:`convviz.model._forward`) runs checked, read-only weights on its own
previous outputs, so the per-call checks of the public ops (finiteness passes, weight checks: ~15 calls of
10-20 us per 64x64 forward, measured) would only repeat themselves. Each function here is the kernel behind
the public op named beside it and computes the same numbers (tests/model/test_forward.py compares them).
Nothing here validates its inputs: call the public ops unless you have checked them yourself.
"""

from __future__ import annotations

from convviz.ops.activations import _relu as relu  # convviz.relu; a new array
from convviz.ops.conv import _conv as conv  # convviz.conv2d with a resolved geometry; (H', W', K)
from convviz.ops.conv import _geometry as conv_geometry  # the budget-checked geometry conv2d resolves
from convviz.ops.dense import _dense as dense  # convviz.dense_layer on a flat (C,) vector; (M,)
from convviz.ops.dense import _softmax_steps as softmax_steps  # convviz.softmax_steps; .probs (M,)
from convviz.ops.pooling import _max_pool as max_pool  # convviz.max_pool2d with a resolved geometry
from convviz.ops.shapes import Geometry
from convviz.ops.shapes import conv_geometry as window_geometry

__all__ = [
    "Geometry", "conv", "conv_geometry", "dense", "max_pool", "relu", "softmax_steps", "window_geometry",
]
