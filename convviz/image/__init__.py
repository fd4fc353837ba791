"""Image intake: any photo or built-in sample becomes an ``(H, W, 3)`` float32 image in [0, 1].

Hostile files are refused before decoding, with one :class:`ImageError` sentence each.
"""

from convviz.image.intake import ImageError, ImageInfo, load_image, load_image_info
from convviz.image.samples import SAMPLES, Sample, list_samples, load_sample

__all__ = [
    "ImageError", "ImageInfo", "SAMPLES", "Sample", "list_samples", "load_image", "load_image_info",
    "load_sample"
]
