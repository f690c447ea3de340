"""Checkerboard artifacts: how many kernel copies land on each output pixel.

A transposed convolution stamps one copy of the kernel per input pixel,
``stride`` apart (the scatter view). Where the copies overlap more, the output
is brighter: with a constant input and a constant kernel the output *is* the
overlap count. When the kernel size is not divisible by the stride, the count
alternates between neighbouring pixels, and a trained decoder has to fight that
pattern: the checkerboard artifacts of Odena, Dumoulin & Olah, "Deconvolution
and Checkerboard Artifacts", Distill (2016), doi:10.23915/distill.00003.

Their alternative is resize-then-convolve: nearest-neighbour upsampling, then
an ordinary stride-1 convolution, where every output pixel sees the same number
of kernel taps.
"""

import math

import numpy as np

from ._validate import as_array, as_int, as_pair, check_finite, is_one_of
from .arithmetic import dilated_kernel
from .budget import check_memory, check_steps
from .conv import conv2d
from .errors import ParameterError
from .geometry import blame_size, transpose_geometry
from .transpose import conv_transpose1d, conv_transpose2d

__all__ = [
    "overlap_count",
    "overlap_count_1d",
    "stamps_1d",
    "overlap_pattern",
    "is_uniform",
    "interior",
    "upsample_nearest",
    "resize_conv2d",
    "resize_conv_count",
    "upsample_image",
]


def _check_ones(cells, name, taps, kernel_name):
    """Refuse the arrays of ones an ``input_size`` and a ``kernel_size`` stand for, before they are built."""
    check_memory(cells, name, f"the input of ones ({cells:,} cells)")
    check_memory(taps, kernel_name, f"the kernel of ones ({taps:,} taps)")
    check_steps(taps, kernel_name, f"the convolution would visit the kernel's {taps:,} taps one by one")


def overlap_count(input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    """How many kernel copies cover each output pixel of a transposed convolution.

    ``conv_transpose2d`` of an all-ones input with an all-ones kernel: output
    pixel ``(y, x)`` sums one ``1·1`` per input pixel whose stamp covers it.

    Parameters
    ----------
    input_size, kernel_size, stride, dilation, output_padding : int or (int, int)
    padding : int, (rows, cols) or (top, bottom, left, right)
        As in :func:`deconvlib.conv_transpose2d` (the crop of the full result).

    Returns
    -------
    ndarray of int, shape (out_h, out_w)

    Raises
    ------
    ParameterError
        For a bad parameter, an empty output, or one past the budget
        (:mod:`deconvlib.budget`).

    See Also
    --------
    overlap_pattern : One period of it, away from the borders.
    resize_conv_count : The same count for resize-then-convolve.
    deconvlib.trace.scatter_trace : The stamps themselves.

    Notes
    -----
    ``count[y] = #{(i, a) : i·s + a·d − p_before = y}`` along each axis, and the
    2-D count is the product of the two axes' counts.

    References
    ----------
    Odena, Dumoulin & Olah (2016), "Deconvolution and Checkerboard Artifacts",
    Distill, doi:10.23915/distill.00003.

    Examples
    --------
    >>> overlap_count(3, 3, stride=2)
    array([[1, 1, 2, 1, 2, 1, 1],
           [1, 1, 2, 1, 2, 1, 1],
           [2, 2, 4, 2, 4, 2, 2],
           [1, 1, 2, 1, 2, 1, 1],
           [2, 2, 4, 2, 4, 2, 2],
           [1, 1, 2, 1, 2, 1, 1],
           [1, 1, 2, 1, 2, 1, 1]])
    >>> overlap_count(3, 4, stride=2, padding=1)
    array([[1, 2, 2, 2, 2, 1],
           [2, 4, 4, 4, 4, 2],
           [2, 4, 4, 4, 4, 2],
           [2, 4, 4, 4, 4, 2],
           [2, 4, 4, 4, 4, 2],
           [1, 2, 2, 2, 2, 1]])
    """
    h, w = as_pair(input_size, "input size", minimum=1)
    kh, kw = as_pair(kernel_size, "kernel size", minimum=1)
    _check_ones(h * w, "input_size", kh * kw, "kernel_size")
    counts = conv_transpose2d(
        np.ones((h, w)),
        np.ones((kh, kw)),
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )
    return np.rint(counts, out=counts).astype(int)  # rounded in place: one copy, not two


def overlap_count_1d(input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    """How many kernel taps land on each output cell of a 1-D transposed convolution.

    ``conv_transpose1d`` of ``input_size`` ones by ``kernel_size`` ones: cell
    ``y`` sums one ``1·1`` per input ``n`` and tap ``a`` with
    ``y = n·s + a·d − p``. With ``k = 3``, ``s = 2`` the counts run
    ``1, 1, 2, 1, 2, …, 2, 1, 1``: the 1-D pattern behind the checkerboard.

    Parameters
    ----------
    input_size, kernel_size : int
    stride, padding, output_padding, dilation : int
        As in :func:`deconvlib.conv_transpose1d` (``padding`` crops ``p``
        cells from each end of the full result).

    Returns
    -------
    ndarray of int, shape (out,)
        ``out = s·(i − 1) + d·(k − 1) + 1 − 2p + output_padding``.

    Raises
    ------
    ParameterError
        For a bad parameter, an empty output, or one past the budget
        (:mod:`deconvlib.budget`).

    See Also
    --------
    overlap_count : The 2-D map, the outer product of two of these.
    stamps_1d : The stamps it counts.
    overlap_pattern : One period of it, away from the ends.

    References
    ----------
    Odena, Dumoulin & Olah (2016), "Deconvolution and Checkerboard Artifacts",
    Distill, doi:10.23915/distill.00003.

    Examples
    --------
    >>> overlap_count_1d(5, 3, stride=2)
    array([1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1])
    >>> overlap_count_1d(5, 4, stride=2, padding=1)
    array([1, 2, 2, 2, 2, 2, 2, 2, 2, 1])
    >>> np.array_equal(overlap_count(5, 3, stride=2), np.outer(overlap_count_1d(5, 3, 2), overlap_count_1d(5, 3, 2)))
    True
    """
    i = as_int(input_size, "input size", minimum=1)
    k = as_int(kernel_size, "kernel size", minimum=1)
    _check_ones(i, "input_size", k, "kernel_size")
    counts = conv_transpose1d(np.ones(i), np.ones(k), stride, padding, output_padding, dilation)
    return np.rint(counts, out=counts).astype(int)  # rounded in place: one copy, not two


def stamps_1d(x, w, stride=1, padding=0, output_padding=0, dilation=1):
    """The scatter view in 1-D: each input's stamp ``x[n]·w`` on the output, one row per input.

    Input ``n`` adds ``x[n]·w[a]`` to output cell ``y = n·s + a·d − p``.
    Row ``n`` of the result is that stamp alone: the transposed convolution
    of ``x`` with every input but ``x[n]`` set to zero. A tap of a stamp
    that lands on the output is unmasked (even where its value is 0); the
    other cells are masked, so ``stamps.count(axis=0)`` is
    :func:`overlap_count_1d` and ``stamps.sum(axis=0)`` the output.

    Parameters
    ----------
    x : array_like, shape (i,)
    w : array_like, shape (k,)
        The kernel, not flipped.
    stride, padding, output_padding, dilation : int
        As in :func:`deconvlib.conv_transpose1d`.

    Returns
    -------
    numpy.ma.MaskedArray of float, shape (i, out)
        ``out = s·(i − 1) + d·(k − 1) + 1 − 2p + output_padding``.

    Raises
    ------
    ParameterError
        For ``x`` or ``w`` that is not 1-D and non-empty or holds a NaN or
        ±inf (``parameter`` ``"x"`` or ``"w"``), a bad parameter, an empty
        output, or stamps past the budget (:mod:`deconvlib.budget`).
    TypeError
        For ``x`` or ``w`` that does not hold real numbers.

    See Also
    --------
    overlap_count_1d : How many stamps cover each cell.
    deconvlib.trace.scatter_trace : The 2-D scatter view, stamp by stamp.

    Examples
    --------
    >>> S = stamps_1d([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], stride=2)
    >>> print(S)
    [[1.0 1.0 1.0 -- -- -- --]
     [-- -- 2.0 2.0 2.0 -- --]
     [-- -- -- -- 3.0 3.0 3.0]]
    >>> S.sum(axis=0).tolist(), S.count(axis=0).tolist()
    ([1.0, 1.0, 3.0, 2.0, 5.0, 3.0, 3.0], [1, 1, 2, 1, 2, 1, 1])
    """
    x, w = (check_finite(as_array(a, name), name).astype(float) for a, name in ((x, "x"), (w, "w")))
    for a, name in ((x, "x"), (w, "w")):
        if a.ndim != 1 or a.size == 0:
            raise ParameterError(f"{name} must be a non-empty 1-D array, got shape {a.shape}", parameter=name)
    geo = transpose_geometry(x, w, stride, padding, output_padding, dilation, 1, None, dims=1).geometry
    i, out = x.size, geo.out[0]
    check_steps(2 * i, "x", f"stamps_1d would call conv_transpose1d {2 * i:,} times (twice per input)")
    check_memory(
        i * i + 4 * i * out,
        "x" if i >= out else blame_size(geo, True),
        f"the {i} stamps of {out} cells and their masks",
    )
    onehot = np.eye(x.size)
    layer = (stride, padding, output_padding, dilation)
    rows = np.array([conv_transpose1d(onehot[n] * x[n], w, *layer) for n in range(x.size)])
    taps = np.array([conv_transpose1d(onehot[n], np.ones(w.size), *layer) for n in range(x.size)])
    return np.ma.array(rows, mask=np.rint(taps) == 0)


def overlap_pattern(kernel_size, stride, dilation=1):
    """One period of the overlap count along one axis, away from the borders.

    Output position ``y`` is covered by tap ``a`` of the input pixel ``i`` when
    ``y = i·s + a·d``; far from the borders that only depends on ``y mod s``:
    ``pattern[r] = #{a < k : a·d ≡ r (mod s)}``. The pattern is flat exactly
    when every residue gets the same number of taps, which for ``d = 1`` means
    ``k`` divisible by ``s``.

    Parameters
    ----------
    kernel_size, stride : int
    dilation : int, default 1

    Returns
    -------
    ndarray of int, shape (stride,)
        The counts sum to ``k`` (each tap lands on one residue).

    Raises
    ------
    ParameterError
        For a size, stride or dilation below 1, or a kernel or stride past
        the memory budget (:mod:`deconvlib.budget`).

    See Also
    --------
    is_uniform : Whether the pattern is flat.
    overlap_count : The whole map, borders included.

    References
    ----------
    Odena, Dumoulin & Olah (2016), "Deconvolution and Checkerboard Artifacts",
    Distill, doi:10.23915/distill.00003.

    Examples
    --------
    >>> overlap_pattern(3, 2)
    array([2, 1])
    >>> overlap_pattern(4, 2)
    array([2, 2])
    >>> overlap_pattern(3, 2, dilation=2)   # every tap lands on an even row
    array([3, 0])
    """
    k = as_int(kernel_size, "kernel size", minimum=1)
    s = as_int(stride, "stride", minimum=1)
    d = as_int(dilation, "dilation", minimum=1)
    check_memory(3 * k + s, "kernel_size" if k >= s else "stride", f"the pattern of {k:,} taps over {s:,} phases")
    return np.bincount((np.arange(k) * (d % s)) % s, minlength=s)  # d mod s: the same phases, no overflow


def is_uniform(kernel_size, stride, dilation=1):
    """True when the overlap count is the same everywhere away from the borders.

    Parameters
    ----------
    kernel_size, stride : int
    dilation : int, default 1

    Returns
    -------
    bool

    See Also
    --------
    overlap_pattern : The counts it compares.

    Raises
    ------
    ParameterError
        For a size, stride or dilation below 1.

    Notes
    -----
    With ``d = 1``: exactly when ``s`` divides ``k``. In general, tap ``a``
    lands on phase ``a·d mod s``: when ``d`` and ``s`` share a factor ``g >
    1``, only the multiples of ``g`` are reached (uneven unless ``s = 1``);
    otherwise the taps go round every phase once per ``s`` taps, even
    exactly when ``s`` divides ``k``. So it is decided without building the
    pattern, for any size.

    References
    ----------
    Odena, Dumoulin & Olah (2016), "Deconvolution and Checkerboard Artifacts",
    Distill, doi:10.23915/distill.00003.

    Examples
    --------
    >>> is_uniform(4, 2), is_uniform(3, 2), is_uniform(1, 1), is_uniform(3, 3)
    (True, False, True, True)
    >>> is_uniform(4, 2, dilation=2), is_uniform(3, 2**63)
    (False, False)
    """
    k = as_int(kernel_size, "kernel size", minimum=1)
    s = as_int(stride, "stride", minimum=1)
    d = as_int(dilation, "dilation", minimum=1)
    return s == 1 or (math.gcd(d, s) == 1 and k % s == 0)


def upsample_nearest(X, scale):
    """Nearest-neighbour upsampling: repeat every pixel ``scale`` times along each axis.

    Parameters
    ----------
    X : ndarray, shape (n, h, w, c) or (h, w)
    scale : int or (int, int)

    Returns
    -------
    ndarray, shape (n, h·sr, w·sc, c) or (h·sr, w·sc)

    Raises
    ------
    ParameterError
        For ``X`` that is neither 2-D nor 4-D (``parameter`` ``"X"``), a
        scale below 1, or a result past the memory budget (``"scale"``).
    TypeError
        For ``X`` that does not hold real numbers.

    See Also
    --------
    resize_conv2d : Upsampling followed by a convolution.

    Examples
    --------
    >>> upsample_nearest(np.array([[1, 2], [3, 4]]), 2)
    array([[1, 1, 2, 2],
           [1, 1, 2, 2],
           [3, 3, 4, 4],
           [3, 3, 4, 4]])
    """
    sr, sc = as_pair(scale, "scale", minimum=1)
    X = as_array(X, "X")
    if X.ndim not in (2, 4):
        raise ParameterError(f"X must be 4-D (n, h, w, c) or a 2-D (h, w) image, got shape {X.shape}", parameter="X")
    check_memory(X.size * sr * (1 + sc), "scale", f"{X.shape} upsampled by ({sr}, {sc})")
    rows, cols = (0, 1) if X.ndim == 2 else (1, 2)
    return X.repeat(sr, axis=rows).repeat(sc, axis=cols)


def resize_conv2d(X, W, scale=2, padding="same", dilation=1):
    """Resize-then-convolve: :func:`upsample_nearest` by ``scale``, then a stride-1 :func:`deconvlib.conv2d`.

    The alternative to a strided transposed convolution recommended by Odena,
    Dumoulin & Olah (2016). With ``padding="same"`` the output is the input
    times ``scale``, like ``conv_transpose2d(..., stride=scale, padding="same")``.

    Parameters
    ----------
    X : ndarray, shape (n, h, w, c_in) or (h, w)
    W : ndarray, shape (kh, kw, c_in, c_out) or (kh, kw)
        A *forward* kernel (see :func:`deconvlib.conv2d`).
    scale : int or (int, int), default 2
    padding : default "same"
        As in :func:`deconvlib.conv2d`.
    dilation : int or (int, int), default 1

    Returns
    -------
    ndarray, shape (n, out_h, out_w, c_out) or (out_h, out_w)
        With ``padding="same"``, ``out = scale·i``.

    Raises
    ------
    ParameterError
        For a bad parameter.

    See Also
    --------
    deconvlib.conv_transpose2d : The strided transposed convolution it replaces.
    resize_conv_count : Its overlap count.

    References
    ----------
    Odena, Dumoulin & Olah (2016), "Deconvolution and Checkerboard Artifacts",
    Distill, doi:10.23915/distill.00003.

    Examples
    --------
    >>> resize_conv2d(np.ones((1, 4, 4, 3)), np.ones((3, 3, 3, 8))).shape
    (1, 8, 8, 8)
    """
    return conv2d(upsample_nearest(X, scale), W, stride=1, padding=padding, dilation=dilation)


def resize_conv_count(input_size, kernel_size, scale=2, padding="same", dilation=1):
    """How many kernel taps reach each output pixel of :func:`resize_conv2d`.

    The counterpart of :func:`overlap_count`: ``resize_conv2d`` of an all-ones
    input with an all-ones kernel. Away from the borders every pixel gets all
    ``k·k`` taps, whatever ``k`` and ``scale``.

    Parameters
    ----------
    input_size, kernel_size : int or (int, int)
    scale : int or (int, int), default 2
    padding : default "same"
    dilation : int or (int, int), default 1

    Returns
    -------
    ndarray of int, shape (out_h, out_w)

    See Also
    --------
    overlap_count : The transposed convolution's count.

    References
    ----------
    Odena, Dumoulin & Olah (2016), "Deconvolution and Checkerboard Artifacts",
    Distill, doi:10.23915/distill.00003.

    Examples
    --------
    >>> resize_conv_count(2, 3, scale=2)
    array([[4, 6, 6, 4],
           [6, 9, 9, 6],
           [6, 9, 9, 6],
           [4, 6, 6, 4]])
    """
    h, w = as_pair(input_size, "input size", minimum=1)
    kh, kw = as_pair(kernel_size, "kernel size", minimum=1)
    _check_ones(h * w, "input_size", kh * kw, "kernel_size")
    counts = resize_conv2d(np.ones((h, w)), np.ones((kh, kw)), scale=scale, padding=padding, dilation=dilation)
    return np.rint(counts, out=counts).astype(int)  # rounded in place: one copy, not two


def interior(counts, kernel_size, dilation=1):
    """The part of a full (``padding=0``) overlap map that the borders do not reach.

    The first and last ``k̂ − 1`` rows and columns see fewer kernel copies only
    because the input ends there; what is left shows the periodic pattern.

    Parameters
    ----------
    counts : array_like, shape (out_h, out_w)
        From :func:`overlap_count` with ``padding=0``.
    kernel_size, dilation : int or (int, int)
        As given to :func:`overlap_count` (``dilation`` default 1).

    Returns
    -------
    ndarray, shape (out_h − 2(k̂h − 1), out_w − 2(k̂w − 1))

    Raises
    ------
    ParameterError
        For ``counts`` that is not 2-D, or a size or dilation below 1.
    TypeError
        For ``counts`` that does not hold real numbers.

    See Also
    --------
    overlap_pattern : One period of what is left.

    Examples
    --------
    >>> interior(overlap_count(4, 3, stride=2), 3)
    array([[4, 2, 4, 2, 4],
           [2, 1, 2, 1, 2],
           [4, 2, 4, 2, 4],
           [2, 1, 2, 1, 2],
           [4, 2, 4, 2, 4]])
    >>> interior(overlap_count(4, (3, 1), stride=2), (3, 1)).shape
    (5, 7)
    """
    (kh, kw), (dr, dc) = as_pair(kernel_size, "kernel size", minimum=1), as_pair(dilation, "dilation", minimum=1)
    rows, cols = dilated_kernel(kh, dr) - 1, dilated_kernel(kw, dc) - 1
    counts = as_array(counts, "counts")
    if counts.ndim != 2:
        raise ParameterError(f"counts must be a 2-D (out_h, out_w) map, got shape {counts.shape}", parameter="counts")
    return counts[rows : counts.shape[0] - rows, cols : counts.shape[1] - cols]


def upsample_image(image, kernel_size, stride=2, method="transposed"):
    """Upsample a grey image ``stride`` times with a flat kernel: the checkerboard made visible.

    ``method="transposed"``: :func:`deconvlib.conv_transpose2d` with
    ``padding="same"`` and a ``k×k`` kernel of ones scaled by ``s²/k²``, so its
    weights sum to ``s²``: on average every input pixel's brightness spreads
    over the ``s×s`` pixels it becomes. Each output pixel gets the brightness
    of as many kernel copies as cover it (:func:`overlap_count`), so where the
    copies overlap unevenly the photo is multiplied by a checkerboard.
    ``method="resize"``: :func:`resize_conv2d`, nearest upsampling then a
    ``k×k`` box blur (ones / ``k²``): every inner pixel gets all ``k²`` taps.

    Parameters
    ----------
    image : ndarray, shape (h, w)
        Grey values (e.g. in [0, 1]).
    kernel_size, stride : int
    method : {"transposed", "resize"}, default "transposed"

    Returns
    -------
    ndarray of float, shape (h·s, w·s)

    Raises
    ------
    ParameterError
        For a size or stride below 1, an unknown ``method`` (``parameter``
        ``"method"``), an image that is not 2-D or holds a NaN or ±inf
        (``parameter`` ``"image"``), or a result past the budget.
    TypeError
        For an image that does not hold real numbers.

    See Also
    --------
    overlap_pattern : The factors of the checkerboard, one period.
    resize_conv2d, deconvlib.conv_transpose2d

    References
    ----------
    Odena, Dumoulin & Olah (2016), "Deconvolution and Checkerboard Artifacts",
    Distill, doi:10.23915/distill.00003.

    Examples
    --------
    A flat grey image stays flat with ``k=4, s=2``, but not with ``k=3``:

    >>> grey = np.full((4, 4), 0.5)
    >>> upsample_image(grey, 4, 2)[2:6, 2:6]
    array([[0.5, 0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5, 0.5]])
    >>> np.rint(upsample_image(grey, 3, 2)[2:6, 2:6] / (0.5 * 4 / 9))   # 0.5 × (4/9) × the overlap count
    array([[4., 2., 4., 2.],
           [2., 1., 2., 1.],
           [4., 2., 4., 2.],
           [2., 1., 2., 1.]])
    >>> upsample_image(grey, 3, 2, method="resize")[2:6, 2:6]
    array([[0.5, 0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5, 0.5]])
    """
    k = as_int(kernel_size, "kernel size", minimum=1)
    s = as_int(stride, "stride", minimum=1)
    image = check_finite(as_array(image, "image"), "image").astype(float)
    if image.ndim != 2:
        raise ParameterError(f"image must be 2-D (h, w), got shape {image.shape}", parameter="image")
    if not is_one_of(method, ("transposed", "resize")):
        raise ParameterError(f"method must be 'transposed' or 'resize', got {method!r}", parameter="method")
    _check_ones(image.size, "image", k * k, "kernel_size")
    if method == "transposed":
        return conv_transpose2d(image, np.full((k, k), s * s / (k * k)), stride=s, padding="same")
    return resize_conv2d(image, np.full((k, k), 1 / (k * k)), scale=s)
