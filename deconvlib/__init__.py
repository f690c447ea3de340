"""deconvlib: transposed convolution, exactly and interactively.

Three layers, each importing only the ones before it:

- the core (this package, numpy only): shape arithmetic, the forward and
  transposed convolutions in 1, 2 and 3 dimensions (four methods that agree
  with each other and with PyTorch), max and average pooling, ``trace`` (the algorithm's stages as data) and
  :mod:`deconvlib.explain` (every sentence the course prints);
- :mod:`deconvlib.viz` (+ matplotlib, Pillow): figures, animations, the gallery;
- :mod:`deconvlib.course` (+ ipywidgets): the notebooks' explorers and checkers.

A bad argument raises :class:`ParameterError` (a ``ValueError``) whose
``parameter`` names it; so does a call that would need more memory, or more
steps of a Python loop, than the budget allows (1 GiB by default, see
:mod:`deconvlib.budget`: :func:`set_budget`, :func:`budget_scope`).

Every core module is an attribute, so ``import deconvlib as dl`` is the one
import a notebook needs for the core: ``dl.overlap.overlap_count``,
``dl.channels.DCGAN_DECODER``, ``dl.explain.explain``, ``dl.tables.table``.
(``dl.trace`` is the module :mod:`deconvlib.trace`, and calling it calls its
function: ``dl.trace(X, W)`` is ``dl.trace.trace(X, W)``, and
``dl.trace.trace_conv`` is there too.)

``deconvlib.animate`` is :func:`deconvlib.viz.animation.animate`, imported on
first use so that ``import deconvlib`` needs numpy alone.
"""

from . import (  # noqa: F401  the core modules, as attributes: dl.overlap, dl.channels, ...
    adjoint,
    arithmetic,
    budget,
    cases,
    channels,
    conv,
    doctor,  # the package, callable: dl.doctor(layers, input_shape) is dl.doctor.doctor(...)
    errors,
    explain,
    fast,
    folding,
    geometry,
    overlap,
    pooling,
    stages,
    tables,
    trace,  # the module, callable: dl.trace(X, W) is dl.trace.trace(X, W)
    transpose,
)
from .arithmetic import (
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel,
    transpose_padding_for,
)
from .budget import Budget, budget_scope, get_budget, set_budget
from .conv import conv1d, conv2d, conv3d
from .errors import ParameterError
from .pooling import avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool2d, max_pool3d, pool_output_size
from .stages import dilate, flip_kernel, pad_or_crop
from .trace import Step, Trace, scatter_trace
from .transpose import METHODS, conv_transpose1d, conv_transpose2d, conv_transpose3d, convolution_matrix, deconv2D_naive

__version__ = "0.1.0"

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "pool_output_size",
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
    "scatter_trace",
    "Trace",
    "Step",
    "ParameterError",
    "get_budget",
    "set_budget",
    "budget_scope",
    "Budget",
    "animate",
]


def __getattr__(name):
    """``deconvlib.animate`` and the subpackages ``viz`` and ``course``, imported on first use."""
    if name == "animate":
        from .viz.animation import animate

        return animate
    if name in ("viz", "course"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'deconvlib' has no attribute {name!r}")
