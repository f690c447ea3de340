"""The transposed-convolution algorithm as data, stage by stage, for the notebooks.

:func:`trace` runs the seed's algorithm on one single-channel image and keeps
every intermediate: the dilated input, the padded grid with a label per cell,
the flipped kernel, every window of the sweep with its products and sum, the
uncropped result and the output. It is vectorised, so a slider can call it on
every move (well under a millisecond at teaching sizes).
"""
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .geometry import conv_geometry, transpose_geometry
from .stages import cell_labels, dilate, flip_kernel, pad_or_crop
from .transpose import conv_transpose2d

__all__ = ["Trace", "Step", "trace", "ConvTrace", "trace_conv2d"]


@dataclass(frozen=True)
class Step:
    """One position of the kernel sweep: output cell ``out`` gets ``value``.

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

    def __repr__(self):
        return f"Step({self.index}: out{self.out} = {self.value:g}, window at {self.origin})"


class _Sweep:
    """The kernel positions of a traced sweep, shared by :class:`Trace` and :class:`ConvTrace`."""

    @property
    def n_steps(self):
        """Number of kernel positions: one per output cell."""
        return self.output.size

    @property
    def effective_kernel(self):
        """``(k̂h, k̂w)``: the extent of the dilated kernel in the padded grid."""
        return tuple(d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel.shape))

    def step(self, index):
        """The ``index``-th kernel position, row-major over the output; its origin is ``out × window_step``."""
        if not 0 <= index < self.n_steps:
            raise ValueError(f"index must be in [0, {self.n_steps}), got {index!r}")
        y, x = divmod(index, self.output.shape[1])
        origin = (y * self.window_step[0], x * self.window_step[1])
        return Step(index, (y, x), origin, self.windows[y, x], self.products[y, x], float(self.output[y, x]))


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

    >>> t = trace(np.ones((2, 2)), np.ones((2, 2)), stride=2, output_padding=1)
    >>> t
    Trace(input (2, 2) -> dilated (3, 3) -> padded (6, 6) -> output (5, 5); stride=(2, 2), padding=(0, 0, 0, 0), output_padding=(1, 1), dilation=(1, 1))
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

    #: the window moves one cell per output cell: the sweep is a stride-1 convolution
    window_step = (1, 1)

    def __repr__(self):
        return (
            f"Trace(input {self.input.shape} -> dilated {self.dilated.shape} -> padded "
            f"{self.padded.shape} -> output {self.output.shape}; stride={self.stride}, "
            f"padding={self.padding}, output_padding={self.output_padding}, dilation={self.dilation})"
        )


def trace(X, W, stride=1, padding=0, output_padding=0, dilation=1):
    """Run a transposed convolution on a 2-D image and keep every stage.

    Parameters are those of :func:`deconvlib.conv_transpose2d` (PyTorch's
    conventions), for a single-channel ``X`` of shape ``(h, w)`` and kernel
    ``W`` of shape ``(kh, kw)``.

    Returns
    -------
    Trace

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
    """
    if np.ndim(X) != 2 or np.ndim(W) != 2:
        raise ValueError(
            f"trace takes a 2-D (h, w) image and a 2-D (kh, kw) kernel, got shapes {np.shape(X)} and {np.shape(W)}"
        )
    X4, W4, _, _, geo = transpose_geometry(X, W, stride, padding, output_padding, dilation, 1, None)
    X, W = X4[0, :, :, 0], W4[:, :, 0, 0]
    axes = (0, 1)
    dilated = dilate(X, geo.stride, axes)
    padded = pad_or_crop(dilated, geo.sweep_pads, axes)
    flipped = flip_kernel(W)
    (ekh, ekw), (dr, dc) = geo.effective_kernel, geo.dilation
    windows = sliding_window_view(padded, (ekh, ekw))[:, :, ::dr, ::dc]
    products = windows * flipped
    full = conv_transpose2d(X, W, geo.stride, 0, 0, geo.dilation)
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
        output=products.sum(axis=(2, 3)),
    )


# --- The forward convolution, traced the same way (for the animations) -------


@dataclass(frozen=True, repr=False)
class ConvTrace(_Sweep):
    """Every stage of ``conv2d`` on a 2-D image; see :func:`trace_conv2d`.

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

    >>> t = trace_conv2d(np.arange(16.0).reshape(4, 4), np.ones((2, 2)), stride=2)
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

    @property
    def window_step(self):
        """The window moves ``stride`` cells per output cell."""
        return self.stride

    def __repr__(self):
        return (
            f"ConvTrace(input {self.input.shape} -> padded {self.padded.shape} -> output "
            f"{self.output.shape}; stride={self.stride}, padding={self.padding}, dilation={self.dilation})"
        )


def trace_conv2d(X, W, stride=1, padding=0, dilation=1):
    """Run a forward convolution on a 2-D image and keep every stage.

    Parameters are those of :func:`deconvlib.conv2d` for a single-channel
    ``X`` of shape ``(h, w)`` and kernel ``W`` of shape ``(kh, kw)``; the
    window of output cell ``(y, x)`` starts at ``(y·s, x·s)`` in the padded
    grid (the guide's relationships 1–6 and 15).

    Returns
    -------
    ConvTrace

    Examples
    --------
    >>> from deconvlib import conv2d
    >>> X = np.arange(25.0).reshape(5, 5)
    >>> t = trace_conv2d(X, np.ones((3, 3)), stride=2, padding=1)
    >>> t.padded.shape, t.output.shape, t.n_steps
    ((7, 7), (3, 3), 9)
    >>> t.step(8)
    Step(8: out(2, 2) = 84, window at (4, 4))
    >>> np.array_equal(t.output, conv2d(X, np.ones((3, 3)), stride=2, padding=1))
    True
    """
    if np.ndim(X) != 2 or np.ndim(W) != 2:
        raise ValueError(
            f"trace_conv2d takes a 2-D (h, w) image and a 2-D (kh, kw) kernel, got shapes {np.shape(X)} and {np.shape(W)}"
        )
    X4, W4, _, _, geo = conv_geometry(X, W, stride, padding, dilation, 1, None)
    X, W = X4[0, :, :, 0], W4[:, :, 0, 0]
    padded = pad_or_crop(X, geo.padding, axes=(0, 1))
    (ekh, ekw), (dr, dc), (sr, sc) = geo.effective_kernel, geo.dilation, geo.stride
    windows = sliding_window_view(padded, (ekh, ekw))[::sr, ::sc, ::dr, ::dc]
    products = windows * W
    return ConvTrace(
        input=X,
        kernel=W,
        stride=geo.stride,
        padding=geo.padding,
        dilation=geo.dilation,
        padded=padded,
        labels=cell_labels(X.shape, (1, 1), geo.padding),
        windows=windows,
        products=products,
        output=products.sum(axis=(2, 3)),
    )
