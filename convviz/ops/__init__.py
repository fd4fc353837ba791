"""The operations of a CNN layer on ``(H, W, C)`` float32 volumes: convolution, activation, pooling, dense.

Every public op validates its inputs and says the shapes it takes and returns; ``reference`` holds the slow,
obviously-correct loops that the fast kernels in ``_fast`` are tested against.
"""

from convviz.ops.activations import relu
from convviz.ops.conv import conv2d, conv2d_per_channel
from convviz.ops.dense import SoftmaxSteps, dense_layer, softmax, softmax_steps
from convviz.ops.explain import PixelExplanation, explain_pixel, flip_kernel, pool_winners
from convviz.ops.live_update import update_weight
from convviz.ops.pooling import avg_pool2d, max_pool2d
from convviz.ops.shapes import Geometry, conv_geometry, output_size, output_size_formula

__all__ = [
    "Geometry", "PixelExplanation", "SoftmaxSteps", "avg_pool2d", "conv2d", "conv2d_per_channel",
    "conv_geometry", "dense_layer", "explain_pixel", "flip_kernel", "max_pool2d", "output_size",
    "output_size_formula", "pool_winners", "relu", "softmax", "softmax_steps", "update_weight"
]
