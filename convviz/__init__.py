"""convviz: convolution over volumes, made visible.

Pure NumPy/OpenCV compute; never imports streamlit.

Array conventions (used in every docstring of the package):

- an image or feature volume is ``(H, W, C)`` float32; images are in [0, 1];
- a filter bank is ``(K, kh, kw, C)`` float32: K filters, each kh x kw x C;
- a convolution output is ``(H', W', K)`` float32.
"""

# The public API: every name below is re-exported from the package that owns its concept.
from convviz._validate import COMPUTE_BUDGET, MEMORY_BUDGET
from convviz.errors import ArchitectureError, BudgetError, ConvvizValueError
from convviz.filterbank import BankError, FilterBank, bank_from_json, bank_to_json, list_presets, load_preset
from convviz.image import (
    SAMPLES,
    ImageError,
    ImageInfo,
    list_samples,
    load_image,
    load_image_info,
    load_sample,
)
from convviz.lessons import (
    architecture_table,
    check_answer,
    connectivity_comparison,
    conv_params,
    dense_params,
    layer_table,
    list_architectures,
    list_worked_examples,
    load_worked_example,
    make_question,
    receptive_field,
    setup_code,
)
from convviz.model import (
    Assessment,
    ClassActivationMap,
    FittedTinyVGG,
    ModelFileError,
    OcclusionMap,
    TinyVGG,
    UnitGradient,
    assess,
    fit_classes,
    load_pretrained,
    occlusion_map,
    unit_gradient,
)
from convviz.ops import (
    PixelExplanation,
    avg_pool2d,
    conv2d,
    conv2d_per_channel,
    dense_layer,
    explain_pixel,
    flip_kernel,
    max_pool2d,
    output_size,
    output_size_formula,
    pool_winners,
    relu,
    softmax,
    softmax_steps,
    update_weight,
)
from convviz.settings import ConvSettings, SettingsError
from convviz.share import ShareError, decode_state, encode_state

__all__ = [
    "ArchitectureError", "Assessment", "BankError", "BudgetError", "COMPUTE_BUDGET", "ClassActivationMap",
    "ConvSettings", "ConvvizValueError", "FilterBank", "FittedTinyVGG", "ImageError", "ImageInfo",
    "MEMORY_BUDGET", "ModelFileError", "OcclusionMap", "PixelExplanation", "SAMPLES", "SettingsError",
    "ShareError", "TinyVGG", "UnitGradient", "architecture_table", "assess", "avg_pool2d",
    "bank_from_json", "bank_to_json", "check_answer", "connectivity_comparison", "conv2d",
    "conv2d_per_channel", "conv_params", "decode_state", "dense_layer", "dense_params", "encode_state",
    "explain_pixel", "fit_classes", "flip_kernel", "layer_table", "list_architectures", "list_presets",
    "list_samples", "list_worked_examples", "load_image", "load_image_info", "load_preset",
    "load_pretrained", "load_sample", "load_worked_example", "make_question", "max_pool2d",
    "occlusion_map", "output_size", "output_size_formula", "pool_winners", "receptive_field", "relu",
    "setup_code", "softmax", "softmax_steps", "unit_gradient", "update_weight"
]

__version__ = "0.1.0"
