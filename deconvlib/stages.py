"""The array operations that the stages of a transposed convolution are made of.

Dilate the input (stage 1), pad it (stage 2; a negative pad crops), flip the
kernel (stage 3 sweeps it). They work on the spatial axes 1 and 2 of NHWC
arrays, and on plain 2-D ``(h, w)`` grids when ``axes=(0, 1)``.
"""

import math
import operator

import numpy as np

from ._validate import as_int, as_tuple
from .budget import check_memory
from .errors import ParameterError

__all__ = [
    "INPUT",
    "ZERO",
    "PAD",
    "CELL_KINDS",
    "dilate",
    "pad_or_crop",
    "flip_kernel",
    "cell_labels",
    "cell_kinds",
]

#: Labels of the cells of the padded grid (see :func:`cell_labels`).
INPUT, ZERO, PAD = 0, 1, 2
#: The kind name of each label, as the figures colour and name it: ``CELL_KINDS[label]``.
CELL_KINDS = ("input", "zero", "pad")


def _array_and_axes(X, axes, name="X"):
    """``X`` as an array and ``axes`` as distinct non-negative axes of it (two, unless given otherwise).

    ``axes=None`` means ``(0, 1)`` for a 2-D grid and ``(1, 2)`` (NHWC) otherwise.
    """
    X = np.asarray(X)
    if axes is None:
        axes = (0, 1) if X.ndim == 2 else (1, 2)
    try:
        chosen = tuple(operator.index(a) for a in axes)
    except TypeError:
        raise ParameterError(f"axes must be a tuple of ints, got {axes!r}", parameter="axes") from None
    if (
        not chosen
        or len(set(a % max(X.ndim, 1) for a in chosen)) != len(chosen)
        or not all(-X.ndim <= a < X.ndim for a in chosen)
    ):
        raise ParameterError(
            f"axes must be different axes of {name}, which has shape {X.shape} ({X.ndim}-D), got {axes!r}",
            parameter="axes",
        )
    return X, tuple(a % X.ndim for a in chosen)


def dilate(X, stride, axes=None):
    """Insert ``stride − 1`` zeros between neighbouring pixels along ``axes``.

    Stage 1 of a transposed convolution: a size ``i`` becomes ``s·(i − 1) + 1``.

    Parameters
    ----------
    X : array_like
        NHWC, a 2-D grid, or any array with ``axes``.
    stride : int or tuple of ints
        One stride per axis in ``axes`` (an int for all), at least 1.
    axes : tuple of ints, optional
        The spatial axes (any number: ``(1,)`` for ``(n, w, c)``, ``(1, 2, 3)``
        for ``(n, d, h, w, c)``); default ``(0, 1)`` for a 2-D grid, ``(1, 2)``
        (NHWC) otherwise.

    Returns
    -------
    ndarray
        Same dtype; ``X``'s values at every ``s``-th index of ``axes``, zeros
        between.

    Raises
    ------
    ParameterError
        For a stride below 1 (``parameter`` ``"stride"``) or ``axes`` that
        ``X`` does not have (``"axes"``), or a result past the memory budget
        (``"stride"``, see :mod:`deconvlib.budget`).

    See Also
    --------
    pad_or_crop : Stage 2.
    deconvlib.course.captions.dilated_size_caption : The size, in words.

    Notes
    -----
    ``out[s·i] = X[i]`` and ``out[j] = 0`` when ``s`` does not divide ``j``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 4.5 (relationship 12: ``s − 1`` zeros
    inserted between input units).

    Examples
    --------
    >>> dilate(np.array([[1, 2], [3, 4]]), (2, 3), axes=(0, 1))
    array([[1, 0, 0, 2],
           [0, 0, 0, 0],
           [3, 0, 0, 4]])
    >>> dilate(np.ones((2, 2)), 2).shape  # a 2-D grid: axes (0, 1); an int: both axes
    (3, 3)
    """
    X, axes = _array_and_axes(X, axes)
    stride = as_tuple(stride, "stride", len(axes), minimum=1)
    shape = list(X.shape)
    index = [slice(None)] * X.ndim
    for axis, s in zip(axes, stride):
        shape[axis] = max(s * (X.shape[axis] - 1) + 1, 0)  # an empty axis stays empty
        index[axis] = slice(None, None, s)
    check_memory(math.prod(shape), "stride", f"{X.shape} dilated to {tuple(shape)}")
    out = np.zeros(shape, dtype=X.dtype)
    out[tuple(index)] = X
    return out


def pad_or_crop(X, pads, axes=None, value=0):
    """Pad ``X`` with ``value`` by ``(top, bottom, left, right)``; negative amounts crop.

    Stage 2 of a transposed convolution pads by ``k̂ − 1 − p``, which is
    negative when the forward padding ``p`` exceeds ``k̂ − 1``.

    Parameters
    ----------
    X : array_like
    pads : (int, int, int, int)
        ``(top, bottom, left, right)``, or ``(before, after)`` for each of
        ``axes`` in turn; negative amounts crop.
    axes : tuple of ints, optional
        The axes the pairs of ``pads`` apply to; default ``(0, 1)`` for a
        2-D grid, ``(1, 2)`` (NHWC) otherwise.
    value : scalar, default 0

    Returns
    -------
    ndarray
        Size ``size + before + after`` along each of ``axes`` (at least 0).

    Raises
    ------
    ParameterError
        For ``pads`` that are not two ints per axis, that crop more than an
        axis holds, or that make a result past the memory budget
        (``parameter`` ``"pads"``), or ``axes`` that ``X`` does not have (``"axes"``).

    See Also
    --------
    dilate : Stage 1.
    deconvlib.explain.describe_pads : The amounts, in words.

    Notes
    -----
    The result is the window ``[−before, size + after)`` of ``X`` extended by
    ``value`` on both sides, so a crop on one side and padding on the other
    compose correctly even when the crop exceeds the size.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 4 (relationships 9 and 13: ``p′ = k − p − 1``).

    Examples
    --------
    >>> pad_or_crop(np.arange(4).reshape(2, 2), (1, 0, -1, 1), axes=(0, 1))
    array([[0, 0],
           [1, 0],
           [3, 0]])
    >>> pad_or_crop(np.array([[5]]), (0, 0, -2, 2), axes=(0, 1))  # columns [2, 3) of ..0 0 5 0 0..
    array([[0]])
    """
    X, axes = _array_and_axes(X, axes)
    try:
        amounts = [operator.index(v) for v in np.asarray(pads, dtype=object).ravel()]
        if len(pads) != 2 * len(axes):
            raise ValueError
    except (TypeError, ValueError):
        what = (
            "four ints (top, bottom, left, right)"
            if len(axes) == 2
            else f"{2 * len(axes)} ints (before, after per axis)"
        )
        raise ParameterError(f"pads must be {what}, got {pads!r}", parameter="pads") from None
    widths = [(0, 0)] * X.ndim
    crops = [slice(None)] * X.ndim
    shape = list(X.shape)
    for axis, before, after in zip(axes, amounts[::2], amounts[1::2]):
        shape[axis] = X.shape[axis] + before + after
        if shape[axis] < 0:
            raise ParameterError(
                f"pads {pads!r} crop {-before - after} cells in all from axis {axis} of size {X.shape[axis]}",
                parameter="pads",
            )
    check_memory(math.prod(shape), "pads", f"{X.shape} padded to {tuple(shape)}")
    for axis, before, after in zip(axes, amounts[::2], amounts[1::2]):
        # the window [-before, size + after) of X extended by zeros on both sides
        size = X.shape[axis]
        start, stop = max(-before, 0), min(size + after, size)
        kept = max(stop - start, 0)
        crops[axis] = slice(start, start + kept)
        widths[axis] = (max(before, 0), size + before + after - max(before, 0) - kept)
    return np.pad(X[tuple(crops)], widths, constant_values=value)


def flip_kernel(W, dims=2, *, ndim=None):
    """Rotate a ``(kh, kw, ...)`` kernel by 180° in its first two axes (its first ``dims``).

    Stage 3 of a transposed convolution sweeps this rotated kernel.

    Parameters
    ----------
    W : array_like, shape (kh, kw, ...)
    dims : {1, 2, 3}, default 2
        How many leading axes are spatial (``(k, ...)`` in 1-D, ``(kd, kh, kw, ...)`` in 3-D).
    ndim : {1, 2, 3}, optional
        The same as ``dims``, by its earlier name.

    Returns
    -------
    ndarray, shape (kh, kw, ...)
        A view: ``W[::-1, ::-1]``, so ``out[a, b] = W[kh − 1 − a, kw − 1 − b]``
        (every spatial axis reversed in 1-D and 3-D).

    Raises
    ------
    ParameterError
        For ``W`` with fewer than ``dims`` axes (``parameter`` ``"W"``).

    See Also
    --------
    deconvlib.conv_transpose2d : Its ``"naive"`` method.

    Examples
    --------
    >>> flip_kernel(np.array([[1, 2], [3, 4]]))
    array([[4, 3],
           [2, 1]])
    """
    dims = dims if ndim is None else ndim
    W = np.asarray(W)
    if W.ndim < dims:
        layout = "two axes (kh, kw, ...)" if dims == 2 else f"{dims} axes"
        raise ParameterError(f"W must have at least {layout}, got shape {W.shape}", parameter="W")
    return W[(slice(None, None, -1),) * dims]


def cell_labels(shape, stride, pads):
    """Label each cell of the padded grid: :data:`INPUT`, :data:`ZERO` or :data:`PAD`.

    Parameters
    ----------
    shape : (int, int)
        The input's ``(h, w)`` (or ``(d, h, w)``: one size per axis).
    stride : (int, int)
        The grid is the input dilated by ``stride`` ...
    pads : (int, int, int, int)
        ... then padded (or cropped) by ``pads``, ``(before, after)`` per axis.

    Returns
    -------
    ndarray of int
        The padded grid's shape; :data:`INPUT` where an input pixel lands,
        :data:`ZERO` for an inserted zero, :data:`PAD` for padding.

    Raises
    ------
    ParameterError
        For a ``shape`` that is not positive ints (``parameter`` ``"shape"``),
        a bad ``stride`` or ``pads``, or a grid past the memory budget
        (naming ``"shape"``, ``"stride"`` or ``"pads"``).

    See Also
    --------
    cell_kinds : The labels' names.
    deconvlib.Trace.labels : The labels of a traced grid.

    Examples
    --------
    >>> cell_labels((2, 2), (2, 2), (1, 1, 0, 0))
    array([[2, 2, 2],
           [0, 1, 0],
           [1, 1, 1],
           [0, 1, 0],
           [2, 2, 2]])
    """
    if isinstance(shape, (str, bytes)) or not np.iterable(shape) or not len(shape):
        raise ParameterError(f"shape must be a tuple of sizes, one per axis, got {shape!r}", parameter="shape")
    shape = tuple(as_int(n, "shape", minimum=1) for n in shape)
    check_memory(math.prod(shape), "shape", f"the input grid {shape}")
    axes = tuple(range(len(shape)))  # (0, 1) for an image; any number of axes alike
    strides = as_tuple(stride, "stride", len(shape), minimum=1)
    dilated = math.prod(s * (n - 1) + 1 for s, n in zip(strides, shape))
    check_memory(math.prod(shape) + 2 * dilated, "stride", f"the dilated grid of {dilated:,} cells and its labels")
    is_input = dilate(np.ones(shape, dtype=bool), stride, axes=axes)
    labels = np.where(is_input, INPUT, ZERO)
    return pad_or_crop(labels, pads, axes=axes, value=PAD)


def cell_kinds(labels):
    """Kind names (``"input"``, ``"zero"``, ``"pad"``) for a grid of labels from :func:`cell_labels`.

    Parameters
    ----------
    labels : array_like of int

    Returns
    -------
    ndarray of str (object dtype), same shape

    Examples
    --------
    >>> cell_kinds(np.array([[INPUT, ZERO, PAD]]))
    array([['input', 'zero', 'pad']], dtype=object)
    """
    return np.array(CELL_KINDS, dtype=object)[np.asarray(labels)]
