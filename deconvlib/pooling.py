"""Pooling: a window slides as in a convolution, but takes the largest value or the mean.

Dumoulin & Visin's chapter 3: pooling has no weights, so only the window's
size, stride, padding (and, for max pooling, dilation) matter, and the output
size is a convolution's (relationship 7: ``o = ⌊(i − k) / s⌋ + 1`` without
padding; :func:`pool_output_size` in general). The semantics are PyTorch's
``max_pool1d/2d/3d`` and ``avg_pool1d/2d/3d``, channels last:

- ``stride`` defaults to the window size (windows side by side, no overlap);
- ``padding`` is at most half the window (PyTorch's rule), and pads with
  ``−∞`` for max pooling (padding is never the maximum) and with zeros for
  average pooling, which by default divides by the whole window
  (``count_include_pad=True``) or else by the input cells under it, or by
  ``divisor_override`` when given;
- ``ceil_mode=True`` rounds the output size up, as the U-Nets and encoders of
  real models do, so that no input cell is dropped: one more window, which
  hangs over the end of the padded input, as long as it *starts* inside the
  input or its left padding (PyTorch's rule). The overhang counts for nothing:
  ``−∞`` for the maximum, and not in the divisor of the mean.

All are written the plain way: pad (and, for ``ceil_mode``, extend past the
end), take every window with ``sliding_window_view`` (a view, no copy),
reduce the window axes.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validate import as_array, as_int, as_tuple, check_finite, spatial_layout
from .arithmetic import conv_output_size, effective_kernel
from .budget import check_memory, check_work
from .errors import ParameterError

__all__ = [
    "pool_output_size",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "pooling_arguments",
]


def pool_output_size(i, k, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Output size of a pooling window along one axis.

    Parameters
    ----------
    i, k : int
        Input size and window size.
    stride : int, optional
        Defaults to ``k``: windows side by side.
    padding : int
        Added at both ends.
    dilation : int, default 1
        Spacing of the window's cells (max pooling only).
    ceil_mode : bool, default False
        Round up instead of down: one more window where the last one would
        leave input cells out, as long as it starts inside the input or the
        left padding.

    Returns
    -------
    int
        ``⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1``, a convolution's output size
        (:func:`deconvlib.conv_output_size`); with ``ceil_mode``,
        ``⌈(i + 2p − d·(k − 1) − 1) / s⌉ + 1``, less one if that last window
        would start at or past ``i + p`` (in the right padding).

    Raises
    ------
    ParameterError
        For a bad parameter, or an empty output (``parameter``
        ``"input_size"``).

    Notes
    -----
    Relationship 7 of the guide, ``o = ⌊(i − k) / s⌋ + 1``, is the case ``p = 0``,
    ``d = 1``, ``ceil_mode=False``. The ``ceil_mode`` rule is PyTorch's
    ``pooling_output_shape``.

    References
    ----------
    V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285 (2016), chapter 3.

    Examples
    --------
    >>> pool_output_size(5, 3, stride=1)        # the guide's figure 1.5 (and 1.6)
    3
    >>> pool_output_size(4, 2)                  # 2×2 windows side by side halve the size
    2
    >>> pool_output_size(5, 2), pool_output_size(5, 2, ceil_mode=True)   # a U-Net's odd size
    (2, 3)
    >>> pool_output_size(5, 2, stride=2, padding=1, ceil_mode=True)      # a 4th window would start in the padding
    3
    """
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"ceil_mode must be True or False, got {ceil_mode!r}")
    k = as_int(k, "kernel size", minimum=1)
    s = k if stride is None else as_int(stride, "stride", minimum=1)
    if not ceil_mode:
        return conv_output_size(i, k, s, padding, dilation)
    i = as_int(i, "input size", minimum=1)
    p = as_int(padding, "padding")
    span = i + 2 * p - effective_kernel(k, as_int(dilation, "dilation", minimum=1))
    o = -(-span // s) + 1  # ⌈span / s⌉ + 1
    if (o - 1) * s >= i + p:  # the last window would start in the right padding
        o -= 1
    if o < 1:
        raise ParameterError(
            f"the output would be empty: input size {i} padded by {p} is smaller than the window {k}"
            + (f" dilated by {dilation}" if dilation != 1 else ""),
            parameter="input_size",
        )
    return o


def pooling_arguments(X, kernel_size, stride, padding, dilation, dims=2, ceil_mode=False):
    """Check a pooling call's arguments, once: what every pooling function and the trace share.

    ``X`` passes the library's input guard (:func:`deconvlib._validate.as_array`,
    then :func:`~deconvlib._validate.check_finite`, as every convolution's
    input does).

    Parameters
    ----------
    X : array_like, shape (n, *spatial, c) or (*spatial)
        ``dims`` spatial axes, channels last: (n, w, c) or (w,) in 1-D,
        (n, h, w, c) or (h, w) in 2-D, (n, d, h, w, c) or (d, h, w) in 3-D.
    kernel_size, stride, padding, dilation
        As in :func:`max_pool2d` (``stride`` None: the window).
    dims : {1, 2, 3}, default 2
    ceil_mode : bool, default False

    Returns
    -------
    X : ndarray, shape (n, *spatial, c)
        Floating: float dtypes kept, integers as float64.
    image : bool
        Whether ``X`` came without its batch and channel axes.
    kernel, stride, padding, dilation : tuple of ``dims`` ints

    Raises
    ------
    ParameterError
        Naming the bad parameter: ``"X"`` for the wrong dimensions, an empty
        array or a NaN or ±inf; ``"padding"`` beyond half the window;
        ``"kernel_size"`` for a window larger than the padded input. Last,
        the budget (:mod:`deconvlib.budget`): the padded input and the
        output, twice (``avg_pool2d`` without the padding counts pads a grid
        of ones too), past the memory budget name ``"padding"`` (or ``"X"``);
        more comparisons or additions than the work budget, ``"kernel_size"``.
    TypeError
        For an ``X`` that does not hold real numbers, or a ``ceil_mode``
        that is not a bool.

    Examples
    --------
    >>> X, image, kernel, stride, padding, dilation = pooling_arguments(np.ones((4, 4), int), 2, None, 0, 1)
    >>> X.shape, X.dtype, image, kernel, stride
    ((1, 4, 4, 1), dtype('float64'), True, (2, 2), (2, 2))
    >>> pooling_arguments(np.ones(5), 2, None, 0, 1, dims=1, ceil_mode=True)[0].shape
    (1, 5, 1)
    """
    X = as_array(X, "X")
    if X.ndim not in (dims, dims + 2):
        layout = spatial_layout(dims)
        raise ParameterError(
            f"X must be {dims + 2}-D (n, {spatial_layout(dims, bare=True)}, c) or a {dims}-D {layout} "
            f"{('signal', 'image', 'volume')[dims - 1]}, got shape {X.shape}",
            "X",
        )
    if 0 in X.shape:
        raise ParameterError(f"X must not be empty, got shape {X.shape}", "X")
    image = X.ndim == dims
    if image:
        X = X[(None, ...) + (None,)]
    check_finite(X, "X")  # after the batch axes, as the convolutions check: the index is channels last
    if X.dtype.kind != "f":
        X = X.astype(np.float64)
    kernel = as_tuple(kernel_size, "kernel size", dims, minimum=1)
    stride = kernel if stride is None else as_tuple(stride, "stride", dims, minimum=1)
    padding = as_tuple(padding, "padding", dims)
    dilation = as_tuple(dilation, "dilation", dims, minimum=1)
    for k, p in zip(kernel, padding):
        if p > k // 2:
            show = (lambda t: t[0]) if dims == 1 else (lambda t: t)
            raise ParameterError(
                f"padding must be at most half the window (PyTorch's rule), got padding={show(padding)!r} "
                f"with kernel_size={show(kernel)!r}",
                "padding",
            )
    out = _output_sizes(X.shape[1:-1], kernel, stride, padding, dilation, ceil_mode)
    n, c = X.shape[0], X.shape[-1]
    extended = n * c  # the padded input, extended to the last window's end (ceil_mode)
    for size, k, s, p, d, o in zip(X.shape[1:-1], kernel, stride, padding, dilation, out):
        extended *= max(size + 2 * p, (o - 1) * s + effective_kernel(k, d))
    cells = n * c * int(np.prod(out, dtype=object))
    check_memory(
        2 * (extended + cells),
        "padding" if extended > 2 * X.size else "X",
        f"pooling {X.shape} padded by {padding if dims > 1 else padding[0]} (the padded input and the output, twice)",
    )
    window = int(np.prod(kernel, dtype=object))
    sizes = "·".join(map(str, out))
    check_work(cells * window, "kernel_size", f"pooling {sizes} windows of {'·'.join(map(str, kernel))}")
    return X, image, kernel, stride, padding, dilation


def _output_sizes(spatial, kernel, stride, padding, dilation, ceil_mode):
    """:func:`pool_output_size` on every axis; an empty output names ``"kernel_size"`` and the axis."""
    out = []
    for axis, (i, k, s, p, d) in enumerate(zip(spatial, kernel, stride, padding, dilation)):
        try:
            out.append(pool_output_size(i, k, s, p, d, ceil_mode))
        except ParameterError as error:
            raise ParameterError(f"{error} (axis {axis + 1} of X, size {i})", "kernel_size") from None
    return out


def _windows(X, kernel, stride, padding, dilation, fill, out=None):
    """Every window of the padded ``X``: shape ``(n, *out, c, *kernel)`` (a view).

    ``out`` (the output sizes) extends the end of each axis with ``fill`` as
    far as the last window reaches (``ceil_mode``); without it, the floor sizes.
    """
    dims = len(kernel)
    extent = tuple(effective_kernel(k, d) for k, d in zip(kernel, dilation))
    widths = [(0, 0)]
    for axis, (i, p, s, e) in enumerate(zip(X.shape[1:-1], padding, stride, extent)):
        reach = (out[axis] - 1) * s + e if out is not None else 0
        widths.append((p, p + max(0, reach - (i + 2 * p))))
    padded = np.pad(X, widths + [(0, 0)], constant_values=fill)
    axes = tuple(range(1, dims + 1))
    view = sliding_window_view(padded, extent, axis=axes)
    index = (slice(None),) + tuple(slice(None, None, s) for s in stride) + (slice(None),)
    index += tuple(slice(None, None, d) for d in dilation)
    view = view[index]
    if out is not None:
        view = view[(slice(None),) + tuple(slice(0, o) for o in out)]
    return view


def _max_pool(dims, X, kernel_size, stride, padding, dilation, ceil_mode):
    X, image, kernel, stride, padding, dilation = pooling_arguments(
        X, kernel_size, stride, padding, dilation, dims, ceil_mode
    )
    out_sizes = _output_sizes(X.shape[1:-1], kernel, stride, padding, dilation, ceil_mode)
    windows = _windows(X, kernel, stride, padding, dilation, -np.inf, out_sizes)
    out = windows.max(axis=tuple(range(-dims, 0)))
    return out[(0, ...) + (0,)] if image else out


def _avg_pool(dims, X, kernel_size, stride, padding, count_include_pad, ceil_mode, divisor_override):
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise TypeError(f"count_include_pad must be True or False, got {count_include_pad!r}")
    if divisor_override is not None:
        divisor_override = as_int(divisor_override, "divisor override", minimum=1)
    X, image, kernel, stride, padding, dilation = pooling_arguments(X, kernel_size, stride, padding, 1, dims, ceil_mode)
    if dims == 3 and any(i < k for i, k in zip(X.shape[1:-1], kernel)):
        raise ParameterError(
            f"kernel_size must fit the input before padding (PyTorch's avg_pool3d rule), got kernel_size="
            f"{kernel!r} for an input of size {X.shape[1:-1]!r}",
            "kernel_size",
        )
    out_sizes = _output_sizes(X.shape[1:-1], kernel, stride, padding, dilation, ceil_mode)
    window_axes = tuple(range(-dims, 0))
    sums = _windows(X, kernel, stride, padding, dilation, 0, out_sizes).sum(axis=window_axes)
    if divisor_override is not None:
        out = sums / divisor_override
    elif count_include_pad and not ceil_mode:
        out = sums / int(np.prod(kernel))
    elif count_include_pad:
        # The cells of the padded input under each window: the whole window, except where
        # ceil_mode's last window hangs past the right padding.
        ones = np.ones((1,) + tuple(i + 2 * p for i, p in zip(X.shape[1:-1], padding)) + (1,), X.dtype)
        out = sums / _windows(ones, kernel, stride, (0,) * dims, dilation, 0, out_sizes).sum(axis=window_axes)
    else:
        ones = np.ones((1,) + X.shape[1:-1] + (1,), X.dtype)
        out = sums / _windows(ones, kernel, stride, padding, dilation, 0, out_sizes).sum(axis=window_axes)
    out = out.astype(X.dtype, copy=False)
    return out[(0, ...) + (0,)] if image else out


def max_pool2d(X, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pooling: the largest value under each window, PyTorch's ``max_pool2d`` in NHWC.

    Parameters
    ----------
    X : ndarray, shape (n, h, w, c) or (h, w)
    kernel_size : int or (int, int)
        The window.
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int), default 0
        ``−∞`` added at both ends of each axis; at most half the window.
    dilation : int or (int, int), default 1
        Spacing of the window's cells.
    ceil_mode : bool, default False
        Round the output size up (:func:`pool_output_size`): a last window
        that hangs over the end, its overhang ``−∞``.

    Returns
    -------
    ndarray, shape (n, out_h, out_w, c) or (out_h, out_w)
        Sizes from :func:`pool_output_size`; float dtypes are kept, integers
        become float64.

    Raises
    ------
    ParameterError
        Naming the bad parameter (also when the window is larger than the padded input).

    See Also
    --------
    avg_pool2d, pool_output_size, max_pool1d, max_pool3d

    References
    ----------
    V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285 (2016), chapter 3.

    Examples
    --------
    >>> X = np.arange(16.0).reshape(4, 4)
    >>> max_pool2d(X, 2)
    array([[ 5.,  7.],
           [13., 15.]])
    >>> max_pool2d(X, 3, stride=1, padding=1)[0]
    array([5., 6., 7., 7.])
    >>> max_pool2d(np.arange(25.0).reshape(5, 5), 2, ceil_mode=True)   # the odd last row and column kept
    array([[ 6.,  8.,  9.],
           [16., 18., 19.],
           [21., 23., 24.]])
    """
    return _max_pool(2, X, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d(X, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pooling along one axis, PyTorch's ``max_pool1d`` channels last: :func:`max_pool2d` on one axis.

    Parameters
    ----------
    X : ndarray, shape (n, w, c) or (w,)
    kernel_size, stride, padding, dilation : int or (int,)
    ceil_mode : bool, default False

    Returns
    -------
    ndarray, shape (n, out_w, c) or (out_w,)

    Examples
    --------
    >>> x = np.array([1.0, 5.0, 2.0, 0.0, 7.0])
    >>> max_pool1d(x, 2), max_pool1d(x, 2, ceil_mode=True)     # ceil_mode keeps the odd last sample
    (array([5., 2.]), array([5., 2., 7.]))
    """
    return _max_pool(1, X, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(X, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pooling over volumes, PyTorch's ``max_pool3d`` channels last: :func:`max_pool2d` on three axes.

    Parameters
    ----------
    X : ndarray, shape (n, d, h, w, c) or (d, h, w)
    kernel_size, stride, padding, dilation : int or (int, int, int)
    ceil_mode : bool, default False

    Returns
    -------
    ndarray, shape (n, out_d, out_h, out_w, c) or (out_d, out_h, out_w)

    Examples
    --------
    >>> max_pool3d(np.ones((1, 5, 5, 5, 2)), 2, ceil_mode=True).shape    # a 3-D U-Net's encoder on an odd volume
    (1, 3, 3, 3, 2)
    """
    return _max_pool(3, X, kernel_size, stride, padding, dilation, ceil_mode)


def avg_pool2d(X, kernel_size, stride=None, padding=0, count_include_pad=True, ceil_mode=False, divisor_override=None):
    """Average pooling: the mean under each window, PyTorch's ``avg_pool2d`` in NHWC.

    Parameters
    ----------
    X : ndarray, shape (n, h, w, c) or (h, w)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int), default 0
        Zeros added at both ends of each axis; at most half the window.
    count_include_pad : bool, default True
        Divide by the whole window (padding counted, as PyTorch does by
        default) or only by the input cells under it.
    ceil_mode : bool, default False
        Round the output size up (:func:`pool_output_size`); the overhang of
        the last window is never counted in its divisor.
    divisor_override : int, optional
        Divide every sum by this instead.

    Returns
    -------
    ndarray, shape (n, out_h, out_w, c) or (out_h, out_w)

    Raises
    ------
    ParameterError
        Naming the bad parameter.

    Notes
    -----
    PyTorch's positional order is ``(kernel_size, stride, padding, ceil_mode,
    count_include_pad, divisor_override)``; here ``count_include_pad`` comes
    before ``ceil_mode`` (it was the fifth argument first): pass them by name.

    See Also
    --------
    max_pool2d, pool_output_size, avg_pool1d, avg_pool3d

    Examples
    --------
    >>> X = np.arange(16.0).reshape(4, 4)
    >>> avg_pool2d(X, 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> avg_pool2d(np.ones((2, 2)), 3, stride=1, padding=1)            # 4 ones in every 3×3 window
    array([[0.44444444, 0.44444444],
           [0.44444444, 0.44444444]])
    >>> avg_pool2d(np.ones((2, 2)), 3, stride=1, padding=1, count_include_pad=False)
    array([[1., 1.],
           [1., 1.]])
    >>> avg_pool2d(np.ones((3, 3)), 2, ceil_mode=True)                 # the overhang is not in the divisor
    array([[1., 1.],
           [1., 1.]])
    >>> avg_pool2d(np.ones((4, 4)), 2, divisor_override=1)             # sums
    array([[4., 4.],
           [4., 4.]])
    """
    return _avg_pool(2, X, kernel_size, stride, padding, count_include_pad, ceil_mode, divisor_override)


def avg_pool1d(X, kernel_size, stride=None, padding=0, count_include_pad=True, ceil_mode=False, divisor_override=None):
    """Average pooling along one axis, PyTorch's ``avg_pool1d`` channels last: :func:`avg_pool2d` on one axis.

    PyTorch's ``avg_pool1d`` has no ``divisor_override``; it is here for symmetry.

    Parameters
    ----------
    X : ndarray, shape (n, w, c) or (w,)
    kernel_size, stride, padding : int or (int,)
    count_include_pad, ceil_mode : bool
    divisor_override : int, optional

    Returns
    -------
    ndarray, shape (n, out_w, c) or (out_w,)

    Examples
    --------
    >>> avg_pool1d(np.array([1.0, 3.0, 5.0, 7.0, 9.0]), 2, ceil_mode=True)
    array([2., 6., 9.])
    """
    return _avg_pool(1, X, kernel_size, stride, padding, count_include_pad, ceil_mode, divisor_override)


def avg_pool3d(X, kernel_size, stride=None, padding=0, count_include_pad=True, ceil_mode=False, divisor_override=None):
    """Average pooling over volumes, PyTorch's ``avg_pool3d`` channels last: :func:`avg_pool2d` on three axes.

    Parameters
    ----------
    X : ndarray, shape (n, d, h, w, c) or (d, h, w)
    kernel_size, stride, padding : int or (int, int, int)
    count_include_pad, ceil_mode : bool
    divisor_override : int, optional

    Returns
    -------
    ndarray, shape (n, out_d, out_h, out_w, c) or (out_d, out_h, out_w)

    Raises
    ------
    ParameterError
        Naming the bad parameter; as PyTorch's ``avg_pool3d`` (not its 1-D
        and 2-D twins, nor max pooling), also for a window larger than the
        input before padding (``"kernel_size"``).

    Examples
    --------
    >>> avg_pool3d(np.ones((2, 2, 2)), 2, divisor_override=4)
    array([[[2.]]])
    """
    return _avg_pool(3, X, kernel_size, stride, padding, count_include_pad, ceil_mode, divisor_override)
