"""convviz: convolution over volumes, made visible.

Pure NumPy/OpenCV compute; never imports streamlit.

Array conventions (used in every docstring of the package):

- an image or feature volume is ``(H, W, C)`` float32; images are in [0, 1];
- a filter bank is ``(K, kh, kw, C)`` float32: K filters, each kh x kw x C;
- a convolution output is ``(H', W', K)`` float32.
"""

# Each line below belongs to one module; keep one import line per module so that parallel work
# on different modules does not collide.
from convviz._validate import COMPUTE_BUDGET, MEMORY_BUDGET, ConvvizValueError  # noqa: F401
from convviz.activations import relu  # noqa: F401
from convviz.architectures import architecture_table, layer_table, list_architectures  # noqa: F401
from convviz.bank_json import bank_from_json, bank_to_json  # noqa: F401
from convviz.conv import conv2d, conv2d_per_channel  # noqa: F401
from convviz.dense import dense_layer, softmax, softmax_steps  # noqa: F401
from convviz.explain import PixelExplanation, explain_pixel, flip_kernel, pool_winners  # noqa: F401
from convviz.filterbank import BankError, FilterBank  # noqa: F401
from convviz.image import ImageError, ImageInfo, load_image, load_image_info  # noqa: F401
from convviz.live_update import update_weight  # noqa: F401
from convviz.model import ClassActivationMap, ModelFileError, TinyVGG, load_pretrained  # noqa: F401
from convviz.parameters import connectivity_comparison, conv_params, dense_params  # noqa: F401
from convviz.pooling import avg_pool2d, max_pool2d  # noqa: F401
from convviz.presets import list_presets, load_preset  # noqa: F401
from convviz.quiz import check_answer, make_question  # noqa: F401
from convviz.samples import SAMPLES, list_samples, load_sample  # noqa: F401
from convviz.settings import ConvSettings, SettingsError  # noqa: F401
from convviz.shapes import output_size, output_size_formula  # noqa: F401
from convviz.share import ShareError, decode_state, encode_state  # noqa: F401
from convviz.worked_examples import list_worked_examples, load_worked_example  # noqa: F401

__version__ = "0.1.0"
