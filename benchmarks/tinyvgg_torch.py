"""The shipped Tiny VGG rebuilt in torch from a loaded :class:`convviz.TinyVGG` (peer for benchmarks
and parity tests only; torch is never a runtime dependency of convviz).

Examples
--------
>>> from convviz import load_pretrained
>>> model = load_pretrained()
>>> outputs = torch_outputs(torch_network(model), np.zeros((64, 64, 3), np.float32), model.layer_names)
>>> [(name, a.shape) for name, a in outputs][-1]
('softmax', (1, 1, 10))
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from convviz.model.tinyvgg import TinyVGG


class _GlobalAvgPool(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3))  # (N, C)


def torch_network(model: TinyVGG) -> nn.Sequential:
    """An eval-mode ``nn.Sequential`` with the same layers, names and weights as ``model``."""
    modules: dict[str, nn.Module] = {}
    for layer in model.layers:
        if layer.type == "conv2d":
            w, b = model.weights(layer.name)
            conv = nn.Conv2d(w.shape[3], w.shape[0], w.shape[1:3], stride=layer.stride, padding=layer.padding)
            torch_w = np.ascontiguousarray(w.transpose(0, 3, 1, 2))  # (K, C, kh, kw)
            conv.weight.data = torch.from_numpy(torch_w)
            conv.bias.data = torch.from_numpy(b.copy())
            modules[layer.name] = conv
        elif layer.type == "dense":
            w, b = model.weights(layer.name)
            dense = nn.Linear(w.shape[1], w.shape[0])
            dense.weight.data, dense.bias.data = torch.from_numpy(w.copy()), torch.from_numpy(b.copy())
            modules[layer.name] = dense
        else:
            modules[layer.name] = {"relu": nn.ReLU(), "global_avg_pool": _GlobalAvgPool(),
                                   "softmax": nn.Softmax(dim=1),
                                   "max_pool2d": nn.MaxPool2d(layer.size, layer.stride)}[layer.type]
    return nn.Sequential(*modules.values()).eval()


def to_batch(images: np.ndarray) -> torch.Tensor:
    """``(H, W, 3)`` or ``(N, H, W, 3)`` float32 -> a contiguous ``(N, 3, H, W)`` tensor."""
    batch = images[None] if images.ndim == 3 else images
    return torch.from_numpy(np.ascontiguousarray(batch.transpose(0, 3, 1, 2)))


@torch.no_grad()
def torch_outputs(net: nn.Sequential, image: np.ndarray,
                  names: tuple[str, ...]) -> list[tuple[str, np.ndarray]]:
    """Every layer's output for one ``(H, W, 3)`` image, ``(H', W', C)`` or ``(1, 1, C)`` like convviz's."""
    x = to_batch(image)
    outputs = []
    for name, module in zip(names, net, strict=True):
        x = module(x)
        array = x[0].permute(1, 2, 0).numpy() if x.ndim == 4 else x[0].numpy().reshape(1, 1, -1)
        outputs.append((name, array))
    return outputs
