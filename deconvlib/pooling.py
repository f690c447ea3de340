"""Pooling: a window slides as in a convolution, but takes the largest value or the mean.

Dumoulin & Visin's chapter 3: pooling has no weights, so only the window's
size, stride, padding (and, for max pooling, dilation) matter, and the output
size is a convolution's (relationship 7: ``o = ⌊(i − k) / s⌋ + 1`` without
padding; :func:`pool_output_size` in general). The semantics are PyTorch's
``max_pool2d`` and ``avg_pool2d`` (with ``ceil_mode=False``), in NHWC:

- ``stride`` defaults to the window size (windows side by side, no overlap);
- ``padding`` is at most half the window (PyTorch's rule), and pads with
  ``−∞`` for max pooling (padding is never the maximum) and with zeros for
  average pooling, which by default divides by the whole window
  (``count_include_pad=True``) or else by the input cells under it.

Both are written the plain way: pad, take every window with
``sliding_window_view`` (a view, no copy), reduce the window axes.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validate import as_array, as_pair, check_finite
from .arithmetic import conv_output_size
from .budget import check_memory, check_work
from .errors import ParameterError

__all__ = ["pool_output_size", "max_pool2d", "avg_pool2d", "pooling_arguments"]


def pool_output_size(i, k, stride=None, padding=0, dilation=1):
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

    Returns
    -------
    int
        ``⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1``, a convolution's output size
        (:func:`deconvlib.conv_output_size`).

    Notes
    -----
    Relationship 7 of the guide, ``o = ⌊(i − k) / s⌋ + 1``, is the case ``p = 0``,
    ``d = 1``.

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
    """
    return conv_output_size(i, k, k if stride is None else stride, padding, dilation)


def pooling_arguments(X, kernel_size, stride, padding, dilation):
    """Check a pooling call's arguments, once: what :func:`max_pool2d`, :func:`avg_pool2d` and the trace share.

    ``X`` passes the library's input guard (:func:`deconvlib._validate.as_array`,
    then :func:`~deconvlib._validate.check_finite`, as every convolution's
    input does).

    Parameters
    ----------
    X : array_like, shape (n, h, w, c) or (h, w)
    kernel_size, stride, padding, dilation
        As in :func:`max_pool2d` (``stride`` None: the window).

    Returns
    -------
    X : ndarray, shape (n, h, w, c)
        Floating: float dtypes kept, integers as float64.
    image : bool
        Whether ``X`` was a 2-D image.
    kernel, stride, padding, dilation : (int, int)

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
        For an ``X`` that does not hold real numbers.

    Examples
    --------
    >>> X, image, kernel, stride, padding, dilation = pooling_arguments(np.ones((4, 4), int), 2, None, 0, 1)
    >>> X.shape, X.dtype, image, kernel, stride
    ((1, 4, 4, 1), dtype('float64'), True, (2, 2), (2, 2))
    """
    X = as_array(X, "X")
    if X.ndim not in (2, 4):
        raise ParameterError(f"X must be 4-D (n, h, w, c) or a 2-D (h, w) image, got shape {X.shape}", "X")
    if 0 in X.shape:
        raise ParameterError(f"X must not be empty, got shape {X.shape}", "X")
    image = X.ndim == 2
    if image:
        X = X[None, :, :, None]
    check_finite(X, "X")  # after the batch axes, as the convolutions check: the index is NHWC
    if X.dtype.kind != "f":
        X = X.astype(np.float64)
    kernel = as_pair(kernel_size, "kernel size", minimum=1)
    stride = kernel if stride is None else as_pair(stride, "stride", minimum=1)
    padding = as_pair(padding, "padding")
    dilation = as_pair(dilation, "dilation", minimum=1)
    for k, p in zip(kernel, padding):
        if p > k // 2:
            raise ParameterError(
                f"padding must be at most half the window (PyTorch's rule), got padding={padding!r} "
                f"with kernel_size={kernel!r}",
                "padding",
            )
    out = []
    for axis, (i, k, s, p, d) in enumerate(zip(X.shape[1:3], kernel, stride, padding, dilation)):
        try:
            out.append(pool_output_size(i, k, s, p, d))
        except ParameterError as error:
            raise ParameterError(f"{error} (axis {axis + 1} of X, size {i})", "kernel_size") from None
    n, h, w, c = X.shape
    padded = n * (h + 2 * padding[0]) * (w + 2 * padding[1]) * c
    check_memory(
        2 * (padded + n * out[0] * out[1] * c),
        "padding" if padded > 2 * X.size else "X",
        f"pooling {X.shape} padded by {padding} (the padded input and the output, twice)",
    )
    windows = n * out[0] * out[1] * c * kernel[0] * kernel[1]
    check_work(windows, "kernel_size", f"pooling {out[0]}·{out[1]} windows of {kernel[0]}·{kernel[1]}")
    return X, image, kernel, stride, padding, dilation


def _windows(X, kernel, stride, padding, dilation, fill):
    """Every window of the padded ``X``: shape ``(n, out_h, out_w, c, kh, kw)`` (a view)."""
    (ph, pw), (sr, sc), (dr, dc) = padding, stride, dilation
    padded = np.pad(X, ((0, 0), (ph, ph), (pw, pw), (0, 0)), constant_values=fill)
    extent = tuple(d * (k - 1) + 1 for d, k in zip(dilation, kernel))
    return sliding_window_view(padded, extent, axis=(1, 2))[:, ::sr, ::sc, :, ::dr, ::dc]


def max_pool2d(X, kernel_size, stride=None, padding=0, dilation=1):
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
    avg_pool2d, pool_output_size

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
    """
    X, image, kernel, stride, padding, dilation = pooling_arguments(X, kernel_size, stride, padding, dilation)
    out = _windows(X, kernel, stride, padding, dilation, fill=-np.inf).max(axis=(-2, -1))
    return out[0, :, :, 0] if image else out


def avg_pool2d(X, kernel_size, stride=None, padding=0, count_include_pad=True):
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

    Returns
    -------
    ndarray, shape (n, out_h, out_w, c) or (out_h, out_w)

    Raises
    ------
    ParameterError
        Naming the bad parameter.

    See Also
    --------
    max_pool2d, pool_output_size

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
    """
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise TypeError(f"count_include_pad must be True or False, got {count_include_pad!r}")
    X, image, kernel, stride, padding, dilation = pooling_arguments(X, kernel_size, stride, padding, 1)
    sums = _windows(X, kernel, stride, padding, dilation, fill=0).sum(axis=(-2, -1))
    if count_include_pad:
        out = sums / (kernel[0] * kernel[1])
    else:
        ones = np.ones((1,) + X.shape[1:3] + (1,), X.dtype)
        out = sums / _windows(ones, kernel, stride, padding, dilation, fill=0).sum(axis=(-2, -1))
    out = out.astype(X.dtype, copy=False)
    return out[0, :, :, 0] if image else out
