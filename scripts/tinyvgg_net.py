"""The Tiny VGG in torch (training side), batch-norm folding, and export in convviz's conventions.

An architecture is a short spec string: integers are 3x3 conv layers (padding 1, stride 1) with that many
output channels, each followed by batch-norm (training only) and ReLU; ``M`` is a 2x2 max-pool, stride 2.
After the last layer: global average pool, then a dense layer to the classes. Example: ``"16,32,M,64,M"``.

Exported layer names (the order of ``forward`` in ``convviz``): ``conv1, relu1, conv2, relu2, pool1, ...,
gap, dense, softmax``. Weights: conv ``(K, 3, 3, C)`` float32, bias ``(K,)``; dense ``(classes, C)`` and
``(classes,)``.
"""

from __future__ import annotations

import numpy as np
import torch
from tinyvgg_augment import to_tensor
from torch import nn

DEFAULT_ARCH = "16,32,M,32,48,M,64,64,M"


def parse_arch(spec: str) -> list[int | str]:
    """``"16,32,M"`` -> ``[16, 32, "M"]``; the first item must be a conv layer."""
    items: list[int | str] = []
    for token in spec.split(","):
        token = token.strip()
        if token.upper() == "M":
            items.append("M")
        elif token.isdigit() and int(token) > 0:
            items.append(int(token))
        else:
            raise ValueError(f"`arch` items must be positive integers or 'M', got {token!r} in {spec!r}")
    if not items or items[0] == "M":
        raise ValueError(f"`arch` must start with a conv layer, got {spec!r}")
    return items


class TinyVGG(nn.Module):
    """Conv-BN-ReLU blocks and max-pools from an arch spec, then global average pool and a dense head."""

    def __init__(self, arch: str = DEFAULT_ARCH, num_classes: int = 10, *, batch_norm: bool = True):
        super().__init__()
        self.arch = arch
        layers: list[nn.Module] = []
        channels = 3
        for item in parse_arch(arch):
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
                continue
            layers.append(nn.Conv2d(channels, item, 3, padding=1, bias=not batch_norm))
            if batch_norm:
                layers.append(nn.BatchNorm2d(item))
            layers.append(nn.ReLU(inplace=True))
            channels = item
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, 3, H, W)`` in [0, 1] -> logits ``(N, classes)``."""
        return self.head(self.features(x).mean(dim=(2, 3)))


def count_params(arch: str, num_classes: int = 10) -> int:
    """Parameters of the exported (BN-folded) network: conv weights and biases plus the dense head."""
    return sum(p.numel() for p in TinyVGG(arch, num_classes, batch_norm=False).parameters())


@torch.no_grad()
def fold_batch_norm(model: TinyVGG) -> TinyVGG:
    """A BN-free copy (eval semantics) whose convs carry the folded scale and shift as weight and bias."""
    folded = TinyVGG(model.arch, model.head.out_features, batch_norm=False)
    convs = [m for m in folded.features if isinstance(m, nn.Conv2d)]
    src = list(model.features)
    pairs = [(src[i], src[i + 1]) for i in range(len(src) - 1) if isinstance(src[i], nn.Conv2d)]
    assert len(pairs) == len(convs)
    for dst, (conv, bn) in zip(convs, pairs, strict=True):
        if isinstance(bn, nn.BatchNorm2d):
            scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)  # (K,)
            dst.weight.copy_(conv.weight * scale[:, None, None, None])
            base = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
            dst.bias.copy_((base - bn.running_mean) * scale + bn.bias)
        else:
            dst.weight.copy_(conv.weight)
            dst.bias.copy_(conv.bias)
    folded.head.load_state_dict(model.head.state_dict())
    return folded.eval()


def layer_plan(arch: str, num_classes: int = 10, input_size: int = 64) -> list[dict]:
    """The ordered layer list of the manifest, with names, kinds, parameters and output shapes (H, W, C)."""
    plan: list[dict] = []
    size, channels, n_conv, n_pool = input_size, 3, 0, 0
    for item in parse_arch(arch):
        if item == "M":
            n_pool += 1
            size //= 2
            plan.append({"name": f"pool{n_pool}", "type": "max_pool2d", "size": 2, "stride": 2,
                         "output_shape": [size, size, channels]})
            continue
        n_conv += 1
        plan.append({"name": f"conv{n_conv}", "type": "conv2d", "weight": f"conv{n_conv}.weight",
                     "bias": f"conv{n_conv}.bias", "weight_shape": [item, 3, 3, channels],
                     "stride": 1, "padding": 1, "output_shape": [size, size, item]})
        plan.append({"name": f"relu{n_conv}", "type": "relu", "output_shape": [size, size, item]})
        channels = item
    plan.append({"name": "gap", "type": "global_avg_pool", "output_shape": [channels]})
    plan.append({"name": "dense", "type": "dense", "weight": "dense.weight", "bias": "dense.bias",
                 "weight_shape": [num_classes, channels], "output_shape": [num_classes]})
    plan.append({"name": "softmax", "type": "softmax", "output_shape": [num_classes]})
    return plan


def export_arrays(folded: TinyVGG) -> dict[str, np.ndarray]:
    """Float32 arrays in convviz's conventions, keyed as in ``layer_plan``."""
    arrays: dict[str, np.ndarray] = {}
    convs = [m for m in folded.features if isinstance(m, nn.Conv2d)]
    for i, conv in enumerate(convs, start=1):
        # torch (K, C, kh, kw) -> convviz (K, kh, kw, C)
        arrays[f"conv{i}.weight"] = conv.weight.detach().permute(0, 2, 3, 1).contiguous().numpy()
        arrays[f"conv{i}.bias"] = conv.bias.detach().numpy().copy()
    arrays["dense.weight"] = folded.head.weight.detach().numpy().copy()
    arrays["dense.bias"] = folded.head.bias.detach().numpy().copy()
    return {k: v.astype(np.float32) for k, v in arrays.items()}


@torch.no_grad()
def layer_outputs(folded: TinyVGG, image: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Every layer's output for one ``(H, W, 3)`` float32 image, named as in ``layer_plan``, (H, W, C)."""
    x = torch.from_numpy(np.ascontiguousarray(image.transpose(2, 0, 1)))[None]  # (1, 3, H, W)
    plan = layer_plan(folded.arch, folded.head.out_features)
    modules = list(folded.features)
    outputs: list[tuple[str, np.ndarray]] = []
    spatial = [p for p in plan if p["type"] in ("conv2d", "relu", "max_pool2d")]
    assert len(spatial) == len(modules)
    for entry, module in zip(spatial, modules, strict=True):
        x = module(x)
        outputs.append((entry["name"], x[0].permute(1, 2, 0).numpy().copy()))  # (H, W, C)
    pooled = x.mean(dim=(2, 3))  # (1, C)
    logits = folded.head(pooled)
    outputs.append(("gap", pooled[0].numpy().copy()))
    outputs.append(("dense", logits[0].numpy().copy()))
    outputs.append(("softmax", torch.softmax(logits, dim=1)[0].numpy().copy()))
    return outputs


@torch.no_grad()
def accuracy(model: TinyVGG, images: np.ndarray, labels: np.ndarray, batch: int = 500) -> float:
    """Top-1 accuracy of `model` (put in eval mode) on ``(N, 64, 64, 3)`` images, in batches of `batch`."""
    model.eval()
    correct = 0
    for i in range(0, len(images), batch):
        logits = model(to_tensor(images[i:i + batch]))
        correct += int((logits.argmax(1).numpy() == labels[i:i + batch]).sum())
    return correct / len(images)
