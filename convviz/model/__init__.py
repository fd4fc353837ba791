"""The pretrained Tiny VGG: its files (sha256-checked, no pickle), its forward pass on :mod:`convviz.ops`,
class activation maps, your own classes on its frozen features (transfer learning), an honest "not sure",
occlusion sensitivity and the effective receptive field of a unit (its input gradient). Weights, manifest
and calibrated statistics are data in ``weights/``.
"""

from convviz.model.cam import ClassActivationMap
from convviz.model.files import DEFAULT_MANIFEST, ModelFileError
from convviz.model.occlusion import MapAgreement, OcclusionMap, compare_maps, occlusion_map
from convviz.model.receptive import UnitGradient, unit_gradient
from convviz.model.tinyvgg import TinyVGG, load_pretrained
from convviz.model.transfer import FittedTinyVGG, TrainingHistory, fit_classes, pooled_features
from convviz.model.uncertainty import Assessment, assess

__all__ = [
    "Assessment", "ClassActivationMap", "DEFAULT_MANIFEST", "FittedTinyVGG", "MapAgreement",
    "ModelFileError", "OcclusionMap", "TinyVGG", "TrainingHistory", "UnitGradient", "assess",
    "compare_maps", "fit_classes", "load_pretrained", "occlusion_map", "pooled_features", "unit_gradient"
]
