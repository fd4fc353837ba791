"""The pretrained Tiny VGG: its files (sha256-checked, no pickle), its forward pass on :mod:`convviz.ops`,
class activation maps, and the effective receptive field of a unit (its input gradient). Weights and manifest
are data in ``weights/``.
"""

from convviz.model.cam import ClassActivationMap
from convviz.model.files import DEFAULT_MANIFEST, ModelFileError
from convviz.model.receptive import UnitGradient, unit_gradient
from convviz.model.tinyvgg import TinyVGG, load_pretrained

__all__ = [
    "ClassActivationMap", "DEFAULT_MANIFEST", "ModelFileError", "TinyVGG", "UnitGradient", "load_pretrained",
    "unit_gradient",
]
