"""Shared code for the Understanding Convolution notebooks.

Each function is first written out inline in the notebook that introduces it;
later notebooks import it from here.

>>> import helpers
>>> sorted(helpers.KERNELS)[:3]
['box_blur', 'edge_1', 'edge_2']
"""

from helpers.convolution import (
    BORDER_MODES,
    convolve2d,
    correlate2d,
    correlate2d_loop,
    depthwise_correlate2d,
    output_size,
    pool2d,
    squash,
    transposed_correlate2d,
)
from helpers.images import (
    COURSE_IMAGE_ENV,
    LION_URL,
    STAND_IN_ENV,
    ImageDownloadError,
    LoadedImage,
    fetch_image,
    load_lion,
    load_lion_with_source,
    to_grayscale,
)
from helpers.kernels import KERNEL_INFO, KERNELS, KernelInfo, describe_kernel, gaussian_kernel
from helpers.plotting import PANEL_SIZE, show_images
from helpers.quiet_tensorflow import import_tensorflow

__all__ = [
    "BORDER_MODES",
    "COURSE_IMAGE_ENV",
    "KERNELS",
    "KERNEL_INFO",
    "LION_URL",
    "PANEL_SIZE",
    "STAND_IN_ENV",
    "ImageDownloadError",
    "KernelInfo",
    "LoadedImage",
    "convolve2d",
    "correlate2d",
    "correlate2d_loop",
    "depthwise_correlate2d",
    "describe_kernel",
    "fetch_image",
    "gaussian_kernel",
    "import_tensorflow",
    "load_lion",
    "load_lion_with_source",
    "output_size",
    "pool2d",
    "show_images",
    "squash",
    "to_grayscale",
    "transposed_correlate2d",
]
