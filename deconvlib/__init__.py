"""deconvlib: transposed convolution, exactly and interactively.

The library behind the notebooks: shape arithmetic, the forward and transposed
convolutions (four methods that agree with each other and with PyTorch), and
``trace``, the algorithm's stages as data for drawing.
"""
from .animation import animate  # matplotlib is imported only when it is called
from .arithmetic import (
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel,
    transpose_padding_for,
)
from .conv import conv2d
from .stages import dilate, flip_kernel, pad_or_crop
from .trace import Step, Trace, trace
from .transpose import METHODS, conv_transpose2d, convolution_matrix, deconv2D_naive

__version__ = "0.1.0"

__all__ = [
    "conv2d",
    "conv_transpose2d",
    "deconv2D_naive",
    "convolution_matrix",
    "METHODS",
    "conv_output_size",
    "conv_transpose_output_size",
    "effective_kernel",
    "transpose_padding_for",
    "dilate",
    "pad_or_crop",
    "flip_kernel",
    "trace",
    "Trace",
    "Step",
    "animate",
]
