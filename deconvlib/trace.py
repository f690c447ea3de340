"""The algorithm as data, stage by stage, for the notebooks, figures and animations.

:func:`trace` runs the seed's algorithm on one single-channel image and keeps
every intermediate: the dilated input, the padded grid with a label per cell,
the flipped kernel, every window of the sweep with its products and sum, the
uncropped result and the output. It is vectorised, so a slider can call it on
every move (well under a millisecond at teaching sizes).

:func:`trace_conv` does the same for the forward convolution,
:func:`trace_pool` for max and average pooling (the window with no weights),
:func:`scatter_trace` for the scatter view (every input pixel stamps a scaled
copy of the kernel), and :func:`case_trace` picks one of the first three from a
case's sizes, as the animations and the gallery describe them.

They take an image, a volume (``trace``, ``trace_conv``) or a signal, whence
their names (``trace_conv2d`` and ``trace_pool2d`` are the same functions, by
their earlier names). In one dimension, :func:`trace`, :func:`trace_conv` and
:func:`trace_pool` take a ``(w,)`` signal (and a ``(k,)`` kernel) and trace it as the ``1×w``
image it equals: every array of the result has one row, every pair's first
entry is the trivial row axis (stride 1, no padding), and ``dims`` is 1.

The module itself is callable: ``deconvlib.trace(X, W)`` calls :func:`trace`,
so ``import deconvlib as dl; dl.trace(X, W)`` and ``dl.trace.trace_conv`` both work.
"""

import math
import sys
import types
from dataclasses import dataclass, replace

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validate import as_int, as_padding, as_pair, as_tuple
from .arithmetic import axis_output, dilated_kernel
from .budget import check_memory
from .errors import ParameterError
from .folding import conv_transpose_nd
from .geometry import blame_size, conv_geometry, plane_sizes, sizes_geometry, transpose_geometry
from .pooling import pooling_arguments
from .stages import INPUT, cell_labels, dilate, flip_kernel, pad_or_crop

__all__ = [
    "Trace",
    "Step",
    "trace",
    "ConvTrace",
    "trace_conv",
    "trace_conv2d",
    "PoolTrace",
    "trace_pool",
    "trace_pool2d",
    "ScatterTrace",
    "scatter_trace",
    "case_trace",
    "case_geometry",
    "written_mask",
    "input_cells_under",
    "MAX_TRACE_ELEMENTS",
]

#: The most numbers a trace may keep: ``out_h·out_w·kh·kw`` products for :func:`trace`,
#: :func:`trace_conv` and :func:`trace_pool` (they keep every window), ``2·h·w·H·W`` stamps and canvases for
#: :func:`scatter_trace`. 2**22 (about 4 million, 32 MiB of float64) is far beyond what a
#: figure can show; a larger call raises a :class:`~deconvlib.ParameterError` before allocating.
MAX_TRACE_ELEMENTS = 2**22


@dataclass(frozen=True)
class Step:
    """One position of the kernel sweep: output cell ``out`` gets ``value``.

    Parameters
    ----------
    index : int
        Position in the sweep, row-major over the output.
    out : (int, int)
        ``(row, col)`` of the output cell.
    origin : (int, int)
        ``(row, col)`` of the window's top-left cell in the padded grid.
    window : ndarray, shape (kh, kw)
        The padded-grid values under the kernel taps.
    products : ndarray, shape (kh, kw)
        ``window`` times the (flipped, for a transposed convolution) kernel;
        for pooling, which has no weights, the window itself.
    value : float
        ``products.sum()``: the output cell's value (for pooling, the window's
        largest value or its mean).
    winner : (int, int) or None, default None
        Max pooling only: ``(row, col)`` of the window's tap that holds the
        maximum (the first one, row-major, on a tie), in the window's own
        coordinates; its padded-grid cell is ``origin + winner·dilation``.

    See Also
    --------
    Trace.step, ConvTrace.step : Make one.

    Examples
    --------
    >>> s = trace(np.array([[1., 2.], [3., 4.]]), np.array([[1., 0.], [0., 2.]])).step(4)
    >>> s.out, s.origin, s.value
    ((1, 1), (1, 1), 6.0)
    >>> s.window, s.products
    (array([[1., 2.],
           [3., 4.]]), array([[2., 0.],
           [0., 4.]]))
    """

    index: int
    out: tuple  # (row, col) in the output
    origin: tuple  # (row, col) of the window's top-left cell in the padded grid
    window: np.ndarray  # (kh, kw) padded-grid values under the kernel taps
    products: np.ndarray  # (kh, kw) window × flipped kernel
    value: float
    winner: tuple = None  # max pooling: (row, col) of the largest tap in the window

    def __repr__(self):
        won = "" if self.winner is None else f", max at tap {self.winner}"
        return f"Step({self.index}: out{self.out} = {self.value:g}, window at {self.origin}{won})"


class _Sweep:
    """The kernel positions of a traced sweep, shared by :class:`Trace` and :class:`ConvTrace`."""

    @property
    def n_steps(self):
        """Number of kernel positions: one per output cell."""
        return self.output.size

    @property
    def kernel_shape(self):
        """``(kh, kw)``: the kernel's taps (a pooling window's cells)."""
        return self.kernel.shape

    @property
    def effective_kernel(self):
        """``(k̂h, k̂w)``: the extent of the dilated kernel in the padded grid, ``d·(k − 1) + 1``."""
        return tuple(dilated_kernel(k, d) for k, d in zip(self.kernel_shape, self.dilation))

    def step(self, index):
        """The ``index``-th kernel position, row-major over the output; its origin is ``out × window_step``.

        Parameters
        ----------
        index : int
            ``0 <= index < n_steps``.

        Returns
        -------
        Step

        Raises
        ------
        ParameterError
            For an index that is not an int in range (``parameter`` ``"index"``).
        """
        index = as_int(index, "index")
        if not 0 <= index < self.n_steps:
            raise ParameterError(f"index must be in [0, {self.n_steps}), got {index!r}", parameter="index")
        out = tuple(int(i) for i in np.unravel_index(index, self.output.shape))  # (y, x) for an image
        return Step(
            index=index,
            out=out,
            origin=tuple(o * w for o, w in zip(out, self.window_step)),
            window=self.windows[out],
            products=self.products[out],
            value=float(self.output[out]),
            winner=self._winner(*out),
        )

    def _winner(self, *out):
        return None


def _require_2d(function, X, W, one_d=False):
    """Raise unless ``X`` is a 2-D image and ``W`` a 2-D kernel (or, with ``one_d``, both 1-D or both 3-D)."""
    if one_d and np.ndim(X) == np.ndim(W) and np.ndim(X) in (1, 3):
        return
    if np.ndim(X) != 2 or np.ndim(W) != 2:
        also = ", a 1-D (w,) signal and a 1-D (k,) kernel, or a 3-D (d, h, w) volume and kernel" if one_d else ""
        raise ParameterError(
            f"{function} takes a 2-D (h, w) image and a 2-D (kh, kw) kernel{also}, "
            f"got shapes {np.shape(X)} and {np.shape(W)}",
            parameter="X" if np.ndim(X) not in ((1, 2, 3) if one_d else (2,)) or np.ndim(W) == 2 else "W",
        )


def _one_row(X, W, stride, padding, output_padding=0, dilation=1):
    """A 1-D signal ``(w,)`` and kernel ``(k,)`` as the one-row image and kernel, with their 2-D parameters."""
    plane = plane_sizes(1, len(X), len(W), stride, padding, output_padding, dilation)
    X, W = np.asarray(X)[None, :], np.asarray(W)[None, :]
    return X, W, plane["stride"], plane["padding"], plane["output_padding"], plane["dilation"]


def _in_dims(t, dims):
    """``t`` marked as a trace in ``dims`` spatial dimensions (1: a one-row image)."""
    return t if dims == 2 else replace(t, dims=dims)


def _one_channel(checked):
    """The image (volume), its kernel (copies: a trace shares no memory with the caller) and the geometry."""
    return checked.X[0, ..., 0].copy(), checked.W[..., 0, 0].copy(), checked.geometry


def _check_kept(function, count, what, parameter):
    """Refuse a trace that would keep more than :data:`MAX_TRACE_ELEMENTS` numbers, before allocating them.

    The memory budget (:mod:`deconvlib.budget`) is checked too, when it is
    lowered below the trace's limit: for twice the numbers (those kept, and
    the products or cumulative sums made on the way).
    """
    if count > MAX_TRACE_ELEMENTS:
        raise ParameterError(
            f"{function} would keep {count:,} numbers ({what}), more than MAX_TRACE_ELEMENTS = "
            f"{MAX_TRACE_ELEMENTS:,}: a trace is for sizes a figure can show; use conv_transpose2d or conv2d "
            f"for large arrays",
            parameter=parameter,
        )
    check_memory(2 * count, parameter, f"{function}'s {what}, kept and computed")


def _check_sweep(function, geo, transposed):
    cells, taps = math.prod(geo.out), math.prod(geo.kernel)
    _check_kept(
        function,
        cells * taps,
        f"{'×'.join(map(str, geo.out))} output cells × {'×'.join(map(str, geo.kernel))} kernel taps",
        blame_size(geo, transposed),
    )


def _windows(padded, geo, step):
    """Every window of ``padded`` the (dilated) kernel covers, ``step`` apart: shape ``(out…, k…)``."""
    view = sliding_window_view(padded, geo.effective_kernel)
    return view[tuple(slice(None, None, s) for s in step) + tuple(slice(None, None, d) for d in geo.dilation)]


@dataclass(frozen=True, repr=False)
class Trace(_Sweep):
    """Every stage of ``conv_transpose2d`` on a 2-D image; see :func:`trace`.

    Attributes
    ----------
    input : ndarray, shape (h, w)
    kernel : ndarray, shape (kh, kw)
    stride, output_padding, dilation : (int, int)
    padding : (int, int, int, int)
        ``(top, bottom, left, right)`` of the forward convolution (the crop).
    dilated : ndarray, shape (s·(h − 1) + 1, ...)
        Stage 1: ``stride − 1`` zeros inserted between pixels.
    pads : (int, int, int, int)
        Stage 2: ``k̂ − 1 − p`` zeros added on each side (+ ``output_padding``
        at the bottom/right); a negative amount crops the dilated input.
    padded : ndarray
        The grid the kernel sweeps.
    labels : ndarray of int, same shape as ``padded``
        ``stages.INPUT``, ``stages.ZERO`` or ``stages.PAD`` for each cell.
    flipped : ndarray, shape (kh, kw)
        Stage 3: the kernel rotated by 180°.
    windows, products : ndarray, shape (out_h, out_w, kh, kw)
        The padded-grid values under the taps at each output position, and
        their products with the flipped kernel.
    full : ndarray
        The uncropped result ``s·(i − 1) + k̂`` (padding 0).
    output : ndarray, shape (out_h, out_w)
        Sums of ``products``; equal to ``conv_transpose2d``'s result.
    dims : {2, 1, 3}
        1 for the trace of a 1-D signal: every array above has one row
        (``output`` is ``(1, o)``, ``output[0]`` is ``conv_transpose1d``'s
        result), every pair's first entry is the row axis (stride 1, no
        padding). 3 for a volume: every array has three spatial axes
        (``windows`` ``(out_d, out_h, out_w, kd, kh, kw)``), every tuple one
        entry per axis, and steps run over the output in C order.

    See Also
    --------
    trace : Makes one.
    ConvTrace : The forward convolution's.

    Examples
    --------
    >>> t = trace(np.ones((2, 2)), np.ones((2, 2)), stride=2, output_padding=1)
    >>> t
    Trace(input (2, 2) -> dilated (3, 3) -> padded (6, 6) -> output (5, 5);
          stride=(2, 2), padding=(0, 0, 0, 0), output_padding=(1, 1), dilation=(1, 1))
    >>> t.n_steps, t.full.shape, t.pads
    (25, (4, 4), (1, 2, 1, 2))
    """

    input: np.ndarray
    kernel: np.ndarray
    stride: tuple
    padding: tuple
    output_padding: tuple
    dilation: tuple
    dilated: np.ndarray
    pads: tuple
    padded: np.ndarray
    labels: np.ndarray
    flipped: np.ndarray
    windows: np.ndarray
    products: np.ndarray
    full: np.ndarray
    output: np.ndarray
    dims: int = 2

    @property
    def window_step(self):
        """``(1, 1)``: the window moves one cell per output cell (the sweep is a stride-1 convolution)."""
        return (1,) * self.output.ndim

    def __repr__(self):
        return (
            f"Trace(input {self.input.shape} -> dilated {self.dilated.shape} -> padded "
            f"{self.padded.shape} -> output {self.output.shape}; stride={self.stride}, "
            f"padding={self.padding}, output_padding={self.output_padding}, dilation={self.dilation})"
        )


def trace(X, W, stride=1, padding=0, output_padding=0, dilation=1):
    """Run a transposed convolution on a 2-D image (or a 1-D signal) and keep every stage.

    The stages of the naive method (see :func:`deconvlib.conv_transpose2d`),
    vectorised: every window of the sweep at once.

    Parameters
    ----------
    X : array_like, shape (h, w), (w,) or (d, h, w)
        A single-channel image, a 1-D signal, or a volume.
    W : array_like, shape (kh, kw), (k,) or (kd, kh, kw)
        As many axes as ``X``.
    stride, padding, output_padding, dilation
        As in :func:`deconvlib.conv_transpose2d` (PyTorch's conventions);
        in 1-D one integer each, as :func:`deconvlib.conv_transpose1d`
        (``padding`` may be ``(left, right)``); in 3-D as
        :func:`deconvlib.conv_transpose3d`.

    Returns
    -------
    Trace
        In 1-D, the trace of the ``1×w`` image (``dims == 1``): ``input``
        ``(1, w)``, ``kernel`` and ``flipped`` ``(1, k)``, ``dilated``
        ``(1, s·(w − 1) + 1)``, ``windows``/``products`` ``(1, o, 1, k)``,
        ``output`` ``(1, o)``; ``stride`` ``(1, s)``, ``padding``
        ``(0, 0, p_left, p_right)``. In 3-D (``dims == 3``) every array has
        the volume's three axes (``windows`` six), every tuple three entries.

    Raises
    ------
    ParameterError
        For a bad parameter, ``X`` and ``W`` that are not both 1-D, 2-D or
        3-D, or a trace larger than :data:`MAX_TRACE_ELEMENTS`.

    See Also
    --------
    trace_conv : The forward convolution's.
    scatter_trace : The scatter view's.
    deconvlib.explain.describe_step : One step's sum, in words.

    Notes
    -----
    Stage 1 inserts ``s − 1`` zeros between pixels (size ``s·(i − 1) + 1``);
    stage 2 pads by ``k̂ − 1 − p`` per side, plus ``output_padding`` at the
    bottom/right (size ``s·(i − 1) + 2k̂ − 1 − 2p + output_padding``); stage 3
    sweeps the 180°-rotated kernel with stride 1, giving
    ``o = s·(i − 1) + k̂ − 2p + output_padding`` cells per axis.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 4 (relationships 8–14).

    Examples
    --------
    >>> t = trace(np.array([[1., 2.], [3., 4.]]), np.ones((3, 3)), stride=2, padding=1)
    >>> t.dilated.shape, t.pads, t.padded.shape, t.output.shape
    ((3, 3), (1, 1, 1, 1), (5, 5), (3, 3))
    >>> t.step(0)
    Step(0: out(0, 0) = 1, window at (0, 0))
    >>> print(t.labels)
    [[2 2 2 2 2]
     [2 0 1 0 2]
     [2 1 1 1 2]
     [2 0 1 0 2]
     [2 2 2 2 2]]

    In 1-D, kernel 3 and stride 2: each output cell sums one or two inputs.

    >>> t = trace(np.array([1., 2., 3.]), np.array([1., 1., 1.]), stride=2)
    >>> t.dims, t.padded.shape, t.output
    (1, (1, 9), array([[1., 1., 3., 2., 5., 3., 3.]]))

    A volume: the same stages on three axes.

    >>> t = trace(np.ones((2, 2, 2)), np.ones((2, 2, 2)), stride=2)
    >>> t.dims, t.dilated.shape, t.padded.shape, t.output.shape, t.step(7)
    (3, (3, 3, 3), (5, 5, 5), (4, 4, 4), Step(7: out(0, 1, 3) = 1, window at (0, 1, 3)))
    """
    _require_2d("trace", X, W, one_d=True)
    if np.ndim(X) == 1:
        X, W, stride, padding, output_padding, dilation = _one_row(X, W, stride, padding, output_padding, dilation)
        return _in_dims(trace(X, W, stride, padding, output_padding, dilation), 1)
    dims = np.ndim(X)  # 2, or 3 for a volume
    checked = transpose_geometry(X, W, stride, padding, output_padding, dilation, groups=1, bias=None, dims=dims)
    _check_sweep("trace", checked.geometry, transposed=True)
    X, W, geo = _one_channel(checked)
    axes = tuple(range(dims))
    dilated = dilate(X, geo.stride, axes)
    padded = pad_or_crop(dilated, geo.sweep_pads, axes)
    flipped = flip_kernel(W, dims=dims)
    windows = _windows(padded, geo, step=(1,) * dims)
    products = windows * flipped
    full = conv_transpose_nd(X[None, ..., None], W[..., None, None], geo.uncropped())[0, ..., 0]
    return Trace(
        input=X,
        kernel=W,
        stride=geo.stride,
        padding=geo.padding,
        output_padding=geo.output_padding,
        dilation=geo.dilation,
        dilated=dilated,
        pads=geo.sweep_pads,
        padded=padded,
        labels=cell_labels(X.shape, geo.stride, geo.sweep_pads),
        flipped=flipped,
        windows=windows,
        products=products,
        full=full,
        output=products.sum(axis=tuple(range(dims, 2 * dims))),
        dims=dims,
    )


# --- The forward convolution, traced the same way (for the animations) -------


@dataclass(frozen=True, repr=False)
class ConvTrace(_Sweep):
    """Every stage of ``conv2d`` on a 2-D image; see :func:`trace_conv`.

    The forward twin of :class:`Trace`: there are no inserted zeros, the kernel
    is not flipped, and the window moves ``stride`` cells at a time.

    Attributes
    ----------
    input : ndarray, shape (h, w)
    kernel : ndarray, shape (kh, kw)
    stride, dilation : (int, int)
    padding : (int, int, int, int)
        ``(top, bottom, left, right)`` zeros around the input.
    padded : ndarray, shape (h + top + bottom, w + left + right)
        The grid the kernel sweeps.
    labels : ndarray of int, same shape as ``padded``
        ``stages.INPUT`` or ``stages.PAD`` for each cell.
    windows, products : ndarray, shape (out_h, out_w, kh, kw)
        The padded-grid values under the taps at each output position, and
        their products with the kernel.
    output : ndarray, shape (out_h, out_w)
        Sums of ``products``; equal to ``conv2d``'s result.
    dims : {2, 1, 3}
        1 for the trace of a 1-D signal: every array above has one row
        (``output[0]`` is ``conv1d``'s result), every pair's first entry is the
        row axis.

    See Also
    --------
    trace_conv : Makes one.
    Trace : The transposed convolution's.

    Examples
    --------
    >>> t = trace_conv(np.arange(16.0).reshape(4, 4), np.ones((2, 2)), stride=2)
    >>> t.n_steps, t.step(3).origin, t.step(3).value
    (4, (2, 2), 50.0)
    """

    input: np.ndarray
    kernel: np.ndarray
    stride: tuple
    padding: tuple
    dilation: tuple
    padded: np.ndarray
    labels: np.ndarray
    windows: np.ndarray
    products: np.ndarray
    output: np.ndarray
    dims: int = 2

    @property
    def window_step(self):
        """The window moves ``stride`` cells per output cell."""
        return self.stride

    def __repr__(self):
        return (
            f"ConvTrace(input {self.input.shape} -> padded {self.padded.shape} -> output "
            f"{self.output.shape}; stride={self.stride}, padding={self.padding}, dilation={self.dilation})"
        )


def trace_conv(X, W, stride=1, padding=0, dilation=1):
    """Run a forward convolution on a 2-D image (or a 1-D signal, or a volume) and keep every stage.

    Parameters
    ----------
    X : array_like, shape (h, w), (w,) or (d, h, w)
        A single-channel image, a 1-D signal, or a volume.
    W : array_like, shape (kh, kw), (k,) or (kd, kh, kw)
        As many axes as ``X``.
    stride, padding, dilation
        As in :func:`deconvlib.conv2d`; in 1-D one integer each, as
        :func:`deconvlib.conv1d` (``padding`` may be ``(left, right)``); in
        3-D as :func:`deconvlib.conv3d`.

    Returns
    -------
    ConvTrace
        In 1-D, the trace of the ``1×w`` image (``dims == 1``): ``input``
        ``(1, w)``, ``padded`` ``(1, w + p_left + p_right)``,
        ``windows``/``products`` ``(1, o, 1, k)``, ``output`` ``(1, o)``.
        In 3-D (``dims == 3``), the volume's three axes throughout.

    Raises
    ------
    ParameterError
        For a bad parameter, or ``X`` and ``W`` that are not both 1-D, 2-D or 3-D.

    See Also
    --------
    trace : The transposed convolution's.

    Notes
    -----
    The window of output cell ``(y, x)`` starts at ``(y·s, x·s)`` in the
    padded grid; there are ``o = ⌊(i + p_before + p_after − k̂) / s⌋ + 1``
    positions per axis.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 1–6 and 15.

    Examples
    --------
    >>> from deconvlib import conv2d
    >>> X = np.arange(25.0).reshape(5, 5)
    >>> t = trace_conv(X, np.ones((3, 3)), stride=2, padding=1)
    >>> t.padded.shape, t.output.shape, t.n_steps
    ((7, 7), (3, 3), 9)
    >>> t.step(8)
    Step(8: out(2, 2) = 84, window at (4, 4))
    >>> np.array_equal(t.output, conv2d(X, np.ones((3, 3)), stride=2, padding=1))
    True
    >>> trace_conv(np.arange(5.0), np.array([1., -1.]), stride=2).output
    array([[-1., -1.]])
    >>> trace_conv(np.ones((5, 5, 5)), np.ones((3, 3, 3)), stride=(1, 2, 2)).step(3)
    Step(3: out(0, 1, 1) = 27, window at (0, 2, 2))
    """
    _require_2d("trace_conv", X, W, one_d=True)
    if np.ndim(X) == 1:
        X, W, stride, padding, _, dilation = _one_row(X, W, stride, padding, 0, dilation)
        return _in_dims(trace_conv(X, W, stride, padding, dilation), 1)
    dims = np.ndim(X)  # 2, or 3 for a volume
    checked = conv_geometry(X, W, stride=stride, padding=padding, dilation=dilation, groups=1, bias=None, dims=dims)
    _check_sweep("trace_conv", checked.geometry, transposed=False)
    X, W, geo = _one_channel(checked)
    padded = pad_or_crop(X, geo.padding, axes=tuple(range(dims)))
    windows = _windows(padded, geo, step=geo.stride)
    products = windows * W
    return ConvTrace(
        input=X,
        kernel=W,
        stride=geo.stride,
        padding=geo.padding,
        dilation=geo.dilation,
        padded=padded,
        labels=cell_labels(X.shape, (1,) * dims, geo.padding),
        windows=windows,
        products=products,
        output=products.sum(axis=tuple(range(dims, 2 * dims))),
        dims=dims,
    )


# --- pooling, traced the same way: a window with no weights -------------------


@dataclass(frozen=True, repr=False)
class PoolTrace(_Sweep):
    """Every window of ``max_pool2d`` or ``avg_pool2d`` on a 2-D image; see :func:`trace_pool`.

    Attributes
    ----------
    input : ndarray, shape (h, w)
    kernel_size, stride, dilation : (int, int)
        The window, its step and the spacing of its cells (dilation: max pooling only).
    mode : {"max", "avg"}
    padding : (int, int, int, int)
        ``(top, bottom, left, right)`` cells around the input.
    padded : ndarray, shape (h + top + bottom, w + left + right)
        The grid the window sweeps: padding is ``−∞`` for max pooling (never
        the maximum), ``0`` for average pooling.
    labels : ndarray of int, same shape as ``padded``
        ``stages.INPUT`` or ``stages.PAD`` for each cell.
    windows : ndarray, shape (out_h, out_w, kh, kw)
        The padded-grid values under the window at each output position.
    products : ndarray, shape (out_h, out_w, kh, kw)
        ``windows`` itself: pooling has no weights (kept so a step reads as a convolution's).
    winners : ndarray of int, shape (out_h, out_w, 2), or None
        Max pooling: ``(row, col)`` in each window of the tap holding the
        maximum (the first, row-major, on a tie). None for average pooling.
    output : ndarray, shape (out_h, out_w)
        Equal to ``max_pool2d`` or ``avg_pool2d`` (``count_include_pad=True``).
    dims : {2, 1}
        1 for the trace of a 1-D signal: every array has one row, every
        pair's first entry is the row axis (a window of 1, stride 1).

    See Also
    --------
    trace_pool : Makes one.
    ConvTrace : The forward convolution's: the same sweep, with weights.

    Examples
    --------
    >>> t = trace_pool(np.arange(16.0).reshape(4, 4), 2)
    >>> t
    PoolTrace(max pooling: input (4, 4) -> padded (4, 4) -> output (2, 2); kernel_size=(2, 2), stride=(2, 2),
              padding=(0, 0, 0, 0), dilation=(1, 1))
    >>> t.step(3)
    Step(3: out(1, 1) = 15, window at (2, 2), max at tap (1, 1))
    """

    input: np.ndarray
    kernel_size: tuple
    mode: str
    stride: tuple
    padding: tuple
    dilation: tuple
    padded: np.ndarray
    labels: np.ndarray
    windows: np.ndarray
    products: np.ndarray
    winners: object
    output: np.ndarray
    dims: int = 2

    @property
    def kernel_shape(self):
        """``(kh, kw)``: the window's cells."""
        return self.kernel_size

    @property
    def window_step(self):
        """The window moves ``stride`` cells per output cell."""
        return self.stride

    def _winner(self, y, x):
        return None if self.winners is None else tuple(int(v) for v in self.winners[y, x])

    def __repr__(self):
        return (
            f"PoolTrace({self.mode} pooling: input {self.input.shape} -> padded {self.padded.shape} -> output "
            f"{self.output.shape}; kernel_size={self.kernel_size}, stride={self.stride},\n"
            f"          padding={self.padding}, dilation={self.dilation})"
        )


def trace_pool(X, kernel_size, stride=None, padding=0, mode="max", dilation=1):
    """Run max or average pooling on a 2-D image and keep every window.

    Parameters
    ----------
    X : array_like, shape (h, w) or (w,)
        A single-channel image, or a 1-D signal (then every parameter is one
        integer, and the trace is the ``1×w`` image's, ``dims == 1``).
    kernel_size : int or (int, int)
        The window.
    stride : int or (int, int), optional
        Defaults to ``kernel_size`` (windows side by side).
    padding : int or (int, int), default 0
        At most half the window (PyTorch's rule): ``−∞`` for max pooling,
        zeros for average pooling (counted in the mean, as PyTorch's default).
    mode : {"max", "avg"}, default "max"
    dilation : int or (int, int), default 1
        Spacing of the window's cells; max pooling only.

    Returns
    -------
    PoolTrace

    Raises
    ------
    ParameterError
        For a bad parameter (as :func:`deconvlib.max_pool2d` names it), ``X``
        that is not 2-D, a ``mode`` other than ``"max"``/``"avg"``, dilation
        with average pooling, or a trace larger than :data:`MAX_TRACE_ELEMENTS`.

    See Also
    --------
    deconvlib.max_pool2d, deconvlib.avg_pool2d : The same numbers.
    deconvlib.explain.describe_pool_step : One window, in words.

    Notes
    -----
    The window of output cell ``(y, x)`` starts at ``(y·s, x·s)`` in the
    padded grid, as a convolution's; there are ``o = ⌊(i + 2p − k̂) / s⌋ + 1``
    positions per axis (relationship 7 of the guide when ``p = 0``).

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, chapter 3 (relationship 7).

    Examples
    --------
    >>> X = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
    >>> t = trace_pool(X, 3, stride=1)               # the guide's figure 1.6
    >>> t.output
    array([[3., 3., 3.],
           [3., 3., 3.],
           [3., 2., 3.]])
    >>> s = t.step(7)
    >>> s.origin, s.winner, s.window
    ((2, 1), (0, 1), array([[1., 2., 2.],
           [0., 0., 2.],
           [0., 0., 0.]]))
    >>> trace_pool(X, 3, stride=1, mode="avg").step(4).value  # figure 1.5: 11 / 9
    1.2222222222222223
    >>> trace_pool(np.ones((2, 2)), 3, stride=1, padding=1).padded[0]
    array([-inf, -inf, -inf, -inf])
    """
    if not isinstance(mode, str) or mode not in ("max", "avg"):
        raise ParameterError(f"mode must be 'max' or 'avg', got {mode!r}", parameter="mode")
    if np.ndim(X) == 1:
        (k,), (p,), (d,) = (
            as_tuple(v, n, 1) for v, n in ((kernel_size, "kernel size"), (padding, "padding"), (dilation, "dilation"))
        )
        step = None if stride is None else (1, as_tuple(stride, "stride", 1)[0])
        return _in_dims(trace_pool(np.asarray(X)[None, :], (1, k), step, (0, p), mode, (1, d)), 1)
    if np.ndim(X) != 2:
        raise ParameterError(
            f"trace_pool takes a 2-D (h, w) image or a 1-D (w,) signal, got shape {np.shape(X)}", parameter="X"
        )
    if mode == "avg" and as_pair(dilation, "dilation", minimum=1) != (1, 1):
        raise ParameterError(
            f"dilation applies to max pooling only (avg_pool2d has none), got dilation={dilation!r}",
            parameter="dilation",
        )
    X4, _, kernel, stride, (ph, pw), dilation = pooling_arguments(X, kernel_size, stride, padding, dilation)
    (h, w), (kh, kw), (sr, sc), (dr, dc) = X4.shape[1:3], kernel, stride, dilation
    out_h, out_w = axis_output(False, h, kh, sr, ph, ph, 0, dr), axis_output(False, w, kw, sc, pw, pw, 0, dc)
    _check_kept(
        "trace_pool",
        out_h * out_w * kh * kw,
        f"{out_h}×{out_w} output cells × {kh}×{kw} window cells",
        "kernel_size" if kh * kw > h * w else "X",
    )
    X = X4[0, :, :, 0].copy()
    pads = (ph, ph, pw, pw)
    padded = pad_or_crop(X, pads, axes=(0, 1), value=-np.inf if mode == "max" else 0)
    extent = (dilated_kernel(kh, dr), dilated_kernel(kw, dc))
    windows = sliding_window_view(padded, extent)[::sr, ::sc, ::dr, ::dc]
    flat = windows.reshape(out_h, out_w, kh * kw)
    if mode == "max":
        winners = np.stack(np.divmod(flat.argmax(axis=2), kw), axis=-1)
        output = flat.max(axis=2)
    else:
        winners, output = None, flat.sum(axis=2) / (kh * kw)
    return PoolTrace(
        input=X,
        kernel_size=(kh, kw),
        mode=mode,
        stride=(sr, sc),
        padding=pads,
        dilation=(dr, dc),
        padded=padded,
        labels=cell_labels(X.shape, (1, 1), pads),
        windows=windows,
        products=windows,
        winners=winners,
        output=output,
    )


# --- cases, by their sizes (the animations and the gallery) ---------------------


def case_trace(
    transposed=False,
    input_size=4,
    kernel_size=3,
    stride=1,
    padding=0,
    output_padding=0,
    dilation=1,
    values=None,
    seed=None,
    pooling=None,
    dims=2,
):
    """The :class:`~deconvlib.Trace`, :class:`ConvTrace` or :class:`PoolTrace` of one case.

    Parameters
    ----------
    transposed : bool
    input_size, kernel_size : int or (int, int)
    stride, dilation : int or (int, int)
    padding : int, (rows, cols) or (top, bottom, left, right)
        The forward convolution's padding (for a transposed one: its crop).
    output_padding : int or (int, int)
        Transposed only: extra rows/columns at the bottom/right.
    values : None, "random" or (X, W)
        ``None``: ones everywhere (only the geometry matters);
        ``"random"``: small integers drawn with ``seed``; or the arrays
        ``X`` of shape ``input_size`` and ``W`` of shape ``kernel_size``
        (``W`` None: a kernel of ones, each output the sum of the inputs it
        reads; for pooling, ``X`` alone: a window has no weights).
    seed : int, optional
        Implies ``values="random"``.
    pooling : {None, "max", "avg"}, default None
        A pooling window of ``kernel_size`` instead of a convolution (forward only).
    dims : {2, 1}, default 2
        1: a 1-D case (each size one integer, ``padding`` ``p`` or
        ``(left, right)``, ``values`` 1-D arrays), traced as the one-row image
        it equals (see :func:`trace`).

    Returns
    -------
    Trace, ConvTrace or PoolTrace
        With ``dims`` set: a 1-D case's arrays have one row.

    Raises
    ------
    ParameterError
        Naming the parameter, from the library's own checks; ``"values"`` for
        arrays of the wrong shape, ``"output_padding"`` for a forward one.

    See Also
    --------
    deconvlib.cases.Case : A named case; ``case_trace(**case.parameters)``.
    deconvlib.viz.animation.animate : Draws it.

    Examples
    --------
    >>> case_trace(True, 3, 3, stride=2, padding=1, output_padding=1).output.shape
    (6, 6)
    >>> case_trace(False, 6, 3, stride=2, padding=1).step(8).origin
    (4, 4)
    >>> from deconvlib.cases import POOLING_CASES
    >>> case_trace(**POOLING_CASES[0].parameters).output[2]
    array([3., 2., 3.])
    >>> case_trace(False, 3, 3, output_padding=1)
    Traceback (most recent call last):
    ...
    deconvlib.ParameterError: output_padding applies to a transposed convolution only,
    got output_padding=1 with transposed=False
    >>> t = case_trace(True, 5, 3, stride=2, dims=1)
    >>> t.dims, t.output.shape, t.n_steps
    (1, (1, 11), 11)
    """
    if dims != 2:
        plane = plane_sizes(dims, input_size, kernel_size, stride, padding, output_padding, dilation)
        if values is not None and not isinstance(values, str):
            row = lambda v: None if v is None else np.reshape(v, (1, -1))  # noqa: E731
            values = row(values) if pooling else tuple(row(v) for v in values)
        t = case_trace(transposed, **plane, values=values, seed=seed, pooling=pooling)
        return _in_dims(t, dims)
    shape = as_pair(input_size, "input size", minimum=1)
    kshape = as_pair(kernel_size, "kernel size", minimum=1)
    if pooling is None and not transposed and any(as_pair(output_padding, "output_padding")):  # before any array
        raise ParameterError(
            f"output_padding applies to a transposed convolution only, got "
            f"output_padding={output_padding!r} with transposed=False",
            parameter="output_padding",
        )
    _check_case_size(transposed, shape, kshape, stride, padding, output_padding, dilation)
    if pooling is not None:
        return _pooling_case(
            pooling, transposed, shape, kshape, stride, padding, output_padding, dilation, values, seed
        )
    X, W = _values(values, seed=seed, shape=shape, kshape=kshape)
    if transposed:
        return trace(X, W, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)
    return trace_conv(X, W, stride=stride, padding=padding, dilation=dilation)


def _pooling_case(pooling, transposed, shape, kshape, stride, padding, output_padding, dilation, values, seed):
    """:func:`case_trace` of a pooling case: a forward window over ``X`` alone."""
    if transposed:
        raise ParameterError("pooling has no transposed form, got transposed=True", parameter="transposed")
    if any(as_pair(output_padding, "output_padding")):
        raise ParameterError(
            f"output_padding applies to a transposed convolution only, got output_padding={output_padding!r} "
            f"with pooling={pooling!r}",
            parameter="output_padding",
        )
    if values is not None and not isinstance(values, str):
        values = (values, np.ones(kshape))
    X, _ = _values(values, seed=seed, shape=shape, kshape=kshape)
    top, bottom, left, right = as_padding(padding)
    if (top, left) != (bottom, right):
        raise ParameterError(
            f"pooling pads both sides of an axis alike (PyTorch's rule), got padding={padding!r}", parameter="padding"
        )
    return trace_pool(X, kshape, stride=stride, padding=(top, left), mode=pooling, dilation=dilation)


def case_geometry(
    transposed=False, input_size=4, kernel_size=3, stride=1, padding=0, output_padding=0, dilation=1, dims=2
):
    """The :class:`~deconvlib.geometry.Geometry` of a case, from its sizes alone (no array is made).

    Parameters
    ----------
    transposed, input_size, kernel_size, stride, padding, output_padding, dilation, dims
        As in :func:`case_trace` (a 1-D case's geometry is its one-row image's).

    Returns
    -------
    Geometry or None
        None when a parameter is bad: :func:`case_trace` names it.

    Examples
    --------
    >>> geo = case_geometry(True, 3, 3, stride=2, padding=1)
    >>> geo.out_h, geo.out_w
    (5, 5)
    """
    try:
        geo = sizes_geometry(transposed, input_size, kernel_size, stride, padding, output_padding, dilation, dims)
    except (ValueError, TypeError):
        return None
    return geo.plane()


def _check_case_size(transposed, shape, kshape, stride, padding, output_padding, dilation):
    """Refuse a case whose trace is too large, from its sizes alone: before any array is made.

    A bad parameter raises here too, named, before the input's array is made.
    """
    geo = sizes_geometry(transposed, shape, kshape, stride, padding, output_padding, dilation)
    blame = blame_size(geo, transposed)
    _check_kept(
        "case_trace",
        max(geo.out_h * geo.out_w * geo.kh * geo.kw, geo.h * geo.w),
        f"{geo.out_h}×{geo.out_w} output cells × {geo.kh}×{geo.kw} kernel taps",
        "input_size" if blame == "X" else blame,
    )
    top, bottom, left, right = geo.padding
    if not transposed:  # the padded grid a forward sweep keeps
        rows, cols = geo.h + top + bottom, geo.w + left + right
        _check_kept("case_trace", rows * cols, f"a padded grid of {rows}×{cols}", "padding")


def _values(values, seed, shape, kshape):
    if values is None and seed is None:
        return np.ones(shape), np.ones(kshape)
    if values is None or (isinstance(values, str) and values == "random"):
        rng = np.random.default_rng(seed)
        return rng.integers(1, 4, shape).astype(float), rng.integers(-1, 3, kshape).astype(float)
    if isinstance(values, str):
        raise ParameterError(f"values must be None, 'random' or a pair (X, W), got {values!r}", parameter="values")
    X, W = values
    X, W = np.asarray(X, dtype=float), np.ones(kshape) if W is None else np.asarray(W, dtype=float)
    if X.shape != shape or W.shape != kshape:
        raise ParameterError(
            f"values must be (X, W) with shapes {shape} and {kshape}, got {X.shape} and {W.shape}", parameter="values"
        )
    return X, W


def written_mask(t, step):
    """Which output cells the sweep has written once it reaches ``step`` (row-major).

    Parameters
    ----------
    t : Trace, ConvTrace or PoolTrace
    step : int
        The current step's index.

    Returns
    -------
    ndarray of bool, shape (out_h, out_w)
        True for the cells of steps ``0 .. step``.

    Examples
    --------
    >>> written_mask(trace(np.ones((2, 2)), np.ones((1, 1))), 1)
    array([[ True,  True],
           [False, False]])
    """
    return np.arange(t.n_steps).reshape(t.output.shape) <= step


def input_cells_under(t, origin):
    """``(row, col)`` in the input of the pixels under the kernel's taps at ``origin`` (padded grid).

    These are the input values the output cell sums; inserted zeros and
    padding under the taps contribute nothing.

    Parameters
    ----------
    t : Trace, ConvTrace or PoolTrace
    origin : (int, int)
        The window's top-left cell in the padded grid (:attr:`Step.origin`).

    Returns
    -------
    list of (int, int)
        Row-major over the kernel's taps.

    Notes
    -----
    Padded-grid cell ``(r, c)`` holds input pixel ``((r − top) / s, (c − left) / s)``
    of a transposed convolution (``top``, ``left`` the stage-2 pads), and
    ``(r − top, c − left)`` of a forward one.

    Examples
    --------
    >>> t = case_trace(True, 3, 3, stride=2, padding=1)
    >>> input_cells_under(t, (0, 0)), input_cells_under(t, (1, 1))
    ([(0, 0)], [(0, 0), (0, 1), (1, 0), (1, 1)])
    """
    (kh, kw), (dr, dc) = t.kernel_shape, t.dilation
    origin = as_pair(origin, "origin")
    rows, cols = t.labels.shape
    if origin[0] + (kh - 1) * dr >= rows or origin[1] + (kw - 1) * dc >= cols:
        raise ParameterError(
            f"origin {origin} puts the window past the {rows}×{cols} padded grid (a Step.origin is in it)",
            parameter="origin",
        )
    transposed = hasattr(t, "output_padding")
    top, _, left, _ = t.pads if transposed else t.padding
    (sr, sc) = t.stride if transposed else (1, 1)
    cells = []
    for a in range(kh):
        for b in range(kw):
            r, c = origin[0] + a * dr, origin[1] + b * dc
            if t.labels[r, c] == INPUT:
                cells.append(((r - top) // sr, (c - left) // sc))
    return cells


# --- the scatter view ------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class ScatterTrace:
    """Every stamp of a transposed convolution on a 2-D image; see :func:`scatter_trace`.

    Attributes
    ----------
    input : ndarray, shape (h, w)
    kernel : ndarray, shape (kh, kw)
    stride, dilation : (int, int)
    origins : ndarray of int, shape (h·w, 2)
        Top-left cell of each pixel's stamp on the canvas, row-major over the input.
    stamps : ndarray, shape (h·w, H, W)
        Each pixel's contribution alone, on the canvas.
    canvases : ndarray, shape (h·w, H, W)
        The canvas after stamps ``0 .. n``: cumulative sums of ``stamps``.
    crop : (int, int, int, int)
        ``(top, left, out_h, out_w)``: where the output sits on the canvas.
    output : ndarray, shape (out_h, out_w)
        Equal to ``conv_transpose2d(input, kernel, ...)``.

    See Also
    --------
    scatter_trace : Makes one.
    Trace : The same result as a sweep over the dilated, padded input.

    Examples
    --------
    >>> t = scatter_trace(np.array([[1., 2.]]), np.ones((1, 2)), stride=2)
    >>> t.n_stamps, t.taps(1), t.canvas(0)
    (2, [(0, 2), (0, 3)], array([[1., 1., 0., 0.]]))
    """

    input: np.ndarray
    kernel: np.ndarray
    stride: tuple
    dilation: tuple
    origins: np.ndarray
    stamps: np.ndarray
    canvases: np.ndarray
    crop: tuple
    output: np.ndarray

    @property
    def n_stamps(self):
        """Number of stamps: one per input pixel."""
        return len(self.origins)

    def canvas(self, upto):
        """The canvas once pixels ``0 .. upto`` (row-major) have stamped.

        Raises
        ------
        ParameterError
            For ``upto`` out of ``[0, n_stamps)`` (``parameter`` ``"upto"``).
        """
        if not 0 <= upto < self.n_stamps:
            raise ParameterError(f"upto must be in [0, {self.n_stamps}), got {upto!r}", parameter="upto")
        return self.canvases[upto]

    def taps(self, index):
        """``(row, col)`` canvas cells of the kernel taps stamped by pixel ``index``."""
        (r, c), (kh, kw), (dr, dc) = self.origins[index], self.kernel.shape, self.dilation
        return [(int(r + a * dr), int(c + b * dc)) for a in range(kh) for b in range(kw)]

    def __repr__(self):
        top, left, oh, ow = self.crop
        return (
            f"ScatterTrace({self.n_stamps} stamps of a {self.kernel.shape[0]}×{self.kernel.shape[1]} kernel "
            f"on a {self.canvases.shape[1]}×{self.canvases.shape[2]} canvas; output {oh}×{ow} at ({top}, {left}))"
        )


def scatter_trace(X, W, stride=1, padding=0, output_padding=0, dilation=1):
    """Run the scatter view of a transposed convolution and keep every stamp.

    Parameters
    ----------
    X : array_like, shape (h, w)
        A single-channel image.
    W : array_like, shape (kh, kw)
    stride, padding, output_padding, dilation
        As in :func:`deconvlib.conv_transpose2d`.

    Returns
    -------
    ScatterTrace

    Raises
    ------
    ParameterError
        For a bad parameter, or ``X`` or ``W`` that is not 2-D.

    See Also
    --------
    trace : The same result as a sweep.
    deconvlib.overlap.overlap_count : How many stamps cover each output pixel.

    Notes
    -----
    Pixel ``(i, j)`` stamps ``X[i, j]·W`` with its top-left tap at canvas cell
    ``(i·s, j·s)``, taps ``d`` apart. The canvas is the full result
    ``s·(i − 1) + k̂`` extended by ``output_padding`` (and by any padding
    cropped beyond it), so the output, the window at ``(p_top, p_left)``, is
    always inside it.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 4 (relationships 12–14).

    Examples
    --------
    >>> t = scatter_trace(np.array([[1., 2.], [3., 4.]]), np.ones((2, 2)), stride=2, padding=1)
    >>> t
    ScatterTrace(4 stamps of a 2×2 kernel on a 4×4 canvas; output 2×2 at (1, 1))
    >>> t.origins.tolist()
    [[0, 0], [0, 2], [2, 0], [2, 2]]
    >>> t.output
    array([[1., 2.],
           [3., 4.]])
    """
    _require_2d("scatter_trace", X, W)
    checked = transpose_geometry(
        X, W, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=1, bias=None
    )
    geo = checked.geometry
    (sr, sc), (dr, dc), (ekh, ekw) = geo.stride, geo.dilation, geo.effective_kernel
    top, _, left, _ = geo.padding
    full_h, full_w = geo.full_size
    H = max(full_h + geo.output_padding[0], top + geo.out_h)
    Wd = max(full_w + geo.output_padding[1], left + geo.out_w)
    _check_kept(
        "scatter_trace",
        2 * geo.h * geo.w * H * Wd,
        f"2 × {geo.h}·{geo.w} stamps and canvases of {H}×{Wd}",
        blame_size(geo, transposed=True),
    )
    X, W, geo = _one_channel(checked)
    rows, cols = np.meshgrid(np.arange(geo.h), np.arange(geo.w), indexing="ij")
    origins = np.stack([rows.ravel() * sr, cols.ravel() * sc], axis=1)
    stamps = np.zeros((len(origins), H, Wd), X.dtype)
    for n, (r, c) in enumerate(origins):
        stamps[n, r : r + ekh : dr, c : c + ekw : dc] = X.flat[n] * W
    canvases = np.cumsum(stamps, axis=0)
    output = canvases[-1, top : top + geo.out_h, left : left + geo.out_w]
    return ScatterTrace(
        input=X,
        kernel=W,
        stride=geo.stride,
        dilation=geo.dilation,
        origins=origins,
        stamps=stamps,
        canvases=canvases,
        crop=(top, left, geo.out_h, geo.out_w),
        output=output,
    )


#: The earlier names of :func:`trace_conv` and :func:`trace_pool`, from when they took 2-D images only.
trace_conv2d = trace_conv
trace_pool2d = trace_pool


class _CallableModule(types.ModuleType):
    """This module, which calling calls :func:`trace`.

    ``deconvlib.trace`` is both the module the README lists
    (``import deconvlib.trace as T; T.trace_conv``, ``dl.trace.scatter_trace``)
    and, for the notebooks, the function: ``dl.trace(X, W, stride=2)``.
    """

    def __call__(self, *args, **kwargs):
        return trace(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
