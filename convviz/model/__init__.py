"""The pretrained Tiny VGG: its files (sha256-checked, no pickle), its forward pass on :mod:`convviz.ops`,
and class activation maps. Weights and manifest are data in ``weights/``.
"""

from convviz.model.cam import ClassActivationMap
from convviz.model.files import DEFAULT_MANIFEST, ModelFileError
from convviz.model.tinyvgg import TinyVGG, load_pretrained

__all__ = [
    "ClassActivationMap", "DEFAULT_MANIFEST", "ModelFileError", "TinyVGG", "load_pretrained"
]
