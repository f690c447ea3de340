"""Transposed convolution ("deconvolution"), four ways that agree.

All four compute the same thing, the adjoint of :func:`deconvlib.conv2d`:

``naive``
    The seed's algorithm, as plainly as the textbook: dilate the input (insert
    ``stride − 1`` zeros), pad it by ``k̂ − 1 − p`` (negative crops), and sweep
    the 180°-rotated kernel over it with stride 1.
``matrix``
    Build the forward convolution's matrix ``C`` and apply ``Cᵀ``.
``scatter``
    Every input pixel stamps a copy of the kernel, scaled by its value, onto the
    output, ``stride`` apart.
``fast``
    Sub-pixel phases, no zero ever inserted: see :mod:`deconvlib.fast`, which
    also picks a strategy per layer.

Each works in 1, 2 or 3 spatial dimensions (:func:`conv_transpose1d`,
:func:`conv_transpose2d`, :func:`conv_transpose3d`): the algorithm is the same
on every axis. Layout: channels last, inputs NHWC ``(n, h, w, c_in)`` in 2-D
(``(n, w, c_in)``, ``(n, d, h, w, c_in)``); kernels ``(kh, kw, c_in, c_out //
groups)``, spatial axes first.
Reference: Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
learning", arXiv:1603.07285, section 4.
"""

import functools
import math

import numpy as np

from ._validate import as_array, as_float_arrays, as_int, as_padding, as_text, as_tuple, is_one_of
from .arithmetic import dilated_kernel
from .budget import check_memory, check_steps
from .errors import ParameterError
from .folding import conv_transpose_nd
from .geometry import blame_size, transpose_geometry
from .stages import dilate, flip_kernel, pad_or_crop

__all__ = [
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "deconv2D_naive",
    "convolution_matrix",
    "METHODS",
    "MATRIX_MAX_ENTRIES",
    "MATRIX_MAX_WORK",
]

METHODS = ("naive", "matrix", "scatter", "fast")

#: ``method="matrix"`` refuses a matrix ``C`` with more entries than this
#: (2**22 entries is 32 MiB in float64).
MATRIX_MAX_ENTRIES = 2**22

#: ... or that takes more than this many entry updates to build: one
#: Kronecker product the size of ``C`` per kernel tap, ``kh·kw·entries``.
MATRIX_MAX_WORK = 2**26


def dense_weight(W, groups, c_in, c_out):
    """Expand a grouped kernel to ``(k…, c_in, c_out)``, zero between groups.

    Parameters
    ----------
    W : ndarray, shape (k…, c_in, c_out // groups) or (k…, c_in // groups, c_out)
        A transposed kernel or a forward one (checked by the caller), its
        spatial axes first (``(kh, kw, …)`` in 2-D).
    groups, c_in, c_out : int

    Returns
    -------
    ndarray, shape (k…, c_in, c_out)
        ``W`` itself when ``groups == 1``; otherwise block diagonal in the
        channel axes: input group ``g`` reaches output group ``g`` only.

    See Also
    --------
    deconvlib.channels.group_connections : The block pattern, as booleans.

    Examples
    --------
    >>> dense_weight(np.ones((1, 1, 2, 1)), groups=2, c_in=2, c_out=2)[0, 0]
    array([[1., 0.],
           [0., 1.]])
    """
    if groups == 1:
        return W
    dense = np.zeros(W.shape[:-2] + (c_in, c_out), dtype=W.dtype)
    gi, go = c_in // groups, c_out // groups
    for g in range(groups):
        block = W[..., g * gi : (g + 1) * gi, :] if W.shape[-2] == c_in else W[..., g * go : (g + 1) * go]
        dense[..., g * gi : (g + 1) * gi, g * go : (g + 1) * go] = block
    return dense


def _naive(X, W, geo):
    """The textbook algorithm: a transposed convolution as a direct convolution, in three stages.

    1. **Dilate** the input: insert ``stride − 1`` zeros between neighbouring
       pixels, so a size ``i`` becomes ``s·(i − 1) + 1``.
    2. **Pad** the dilated input by ``k̂ − 1 − p`` zeros on each side, with
       ``k̂ = d·(k − 1) + 1`` the dilated kernel, plus ``output_padding`` at
       the bottom/right; a negative amount crops instead.
    3. **Sweep** the kernel rotated by 180° over the padded grid with stride 1:
       output ``(y, x)`` is the sum of the window at ``(y, x)`` times the
       rotated kernel, ``out[y, x, o] = Σ_a Σ_b Σ_c padded[y + a·d, x + b·d, c] ·
       rotated[a, b, c, o]``.

    The output has ``s·(i − 1) + 1 + 2(k̂ − 1 − p) + output_padding − k̂ + 1 =
    s·(i − 1) + k̂ − 2p + output_padding`` rows (Dumoulin & Visin 2016,
    arXiv:1603.07285, section 4, relationships 13 and 14). Every axis works
    alike, so the same three stages serve 1-D and 3-D (``axes`` are the
    spatial ones). Slow on purpose: the other methods are checked against it.
    """
    axes = tuple(range(1, geo.dims + 1))
    k_hat = geo.effective_kernel  # k̂ = d·(k − 1) + 1, per axis

    # Stage 1: stride − 1 zeros between neighbouring pixels.
    dilated = dilate(X, geo.stride, axes=axes)
    # Stage 2: k̂ − 1 − p on each side, output_padding more at the end (negative crops).
    pads = []
    for ek, before, after, op in zip(k_hat, geo.padding[::2], geo.padding[1::2], geo.output_padding):
        pads += [ek - 1 - before, ek - 1 - after + op]
    assert tuple(pads) == geo.sweep_pads  # the same amounts trace() shows
    padded = pad_or_crop(dilated, pads, axes=axes)
    # Stage 3: the 180°-rotated kernel sweeps the padded grid with stride 1.
    rotated = flip_kernel(dense_weight(W, groups=geo.groups, c_in=geo.c_in, c_out=geo.c_out), dims=geo.dims)
    out = np.zeros((geo.n, *geo.out, geo.c_out), X.dtype)
    for y in np.ndindex(*geo.out):  # (y, x) in 2-D
        window = padded[(slice(None), *(slice(p, p + ek, d) for p, ek, d in zip(y, k_hat, geo.dilation)))]
        # out[n, y, x, o] = Σ over taps (a, b) and input channels c of window[n, a, b, c] · rotated[a, b, c, o]
        out[(slice(None), *y)] = np.tensordot(window, rotated, axes=geo.dims + 1)
    return out


def _tap_matrix(i, o, s, d, before, tap):
    """``R[i, y] = 1`` where input row ``i`` meets output row ``y`` through kernel tap ``tap``."""
    rows = np.arange(i)
    R = np.zeros((i, o))
    target = rows * s + tap * d - before
    hit = (target >= 0) & (target < o)
    R[rows[hit], target[hit]] = 1
    return R


def _matrix(geo, W):
    """``C``, shape ``(input cells·c_in, output cells·c_out)``: the forward convolution is ``C @ vec(y)``."""
    Wd = dense_weight(W, groups=geo.groups, c_in=geo.c_in, c_out=geo.c_out)
    axes = list(zip(geo.size, geo.out, geo.stride, geo.dilation, geo.padding[::2]))
    C = 0
    for tap in np.ndindex(*geo.kernel):  # (a, b) in 2-D: R_a ⊗ Q_b ⊗ W[a, b]
        factors = [_tap_matrix(i=i, o=o, s=s, d=d, before=before, tap=t) for (i, o, s, d, before), t in zip(axes, tap)]
        C = C + functools.reduce(np.kron, factors + [Wd[tap]])
    return C.astype(W.dtype)


def _check_matrix_size(geo):
    """Refuse a matrix ``C`` too large to build quickly: by its entries and by the work of building it.

    ``_matrix`` adds one Kronecker product the size of ``C`` per kernel tap, so
    building ``C`` costs ``kh·kw`` times its entries: a small matrix with a
    large kernel (8×8 input, 200×200 kernel) is refused too.
    """
    rows, cols, taps = math.prod(geo.size) * geo.c_in, math.prod(geo.out) * geo.c_out, math.prod(geo.kernel)
    entries = rows * cols
    work = taps * entries
    size = f"a {rows} x {cols} matrix ({entries} entries"
    if entries > MATRIX_MAX_ENTRIES:
        reason = f"method='matrix' would build {size}, more than MATRIX_MAX_ENTRIES={MATRIX_MAX_ENTRIES})"
    elif work > MATRIX_MAX_WORK:
        reason = (
            f"method='matrix' would add {taps} kernel taps into {size}): {work} entry updates, "
            f"more than MATRIX_MAX_WORK={MATRIX_MAX_WORK}"
        )
    else:
        return
    raise ParameterError(f"{reason}; use method='fast' for this size", parameter="method")


def _scatter(X, W, geo):
    Wd = dense_weight(W, groups=geo.groups, c_in=geo.c_in, c_out=geo.c_out)
    canvas = np.zeros((geo.n, *(f + op for f, op in zip(geo.full_size, geo.output_padding)), geo.c_out), X.dtype)
    for i in np.ndindex(*geo.size):  # input pixel (i, j) in 2-D stamps W, scaled, at (i·s, j·s)
        stamp = np.tensordot(X[(slice(None), *i)], Wd, axes=([1], [geo.dims]))  # (n, k…, c_out)
        where = (
            slice(None),
            *(slice(p * s, p * s + ek, d) for p, s, ek, d in zip(i, geo.stride, geo.effective_kernel, geo.dilation)),
        )
        canvas[where] += stamp
    crop = (slice(None), *(slice(before, before + o) for before, o in zip(geo.padding[::2], geo.out)))
    return canvas[crop]


def _conv_transpose(dims, X, W, stride, padding, output_padding, dilation, groups, bias, method):
    """:func:`conv_transpose1d`, ``2d`` and ``3d``: one implementation, ``dims`` spatial axes."""
    if not is_one_of(method, METHODS):
        raise ParameterError(f"method must be one of {METHODS}, got {method!r}", parameter="method")
    checked = transpose_geometry(X, W, stride, padding, output_padding, dilation, groups, bias, dims=dims)
    X, W, geo = checked.X, checked.W, checked.geometry
    if method == "naive":  # one Python iteration per output position
        positions = "·".join(map(str, geo.out))
        what = f"method='naive' would visit {positions} output positions"
        check_steps(math.prod(geo.out), blame_size(geo, True), what, instead="use method='fast'")
    if method == "matrix":
        _check_matrix_size(geo)
        out = (X.reshape(geo.n, -1) @ _matrix(geo, W)).reshape(geo.n, *geo.out, geo.c_out)
    else:
        out = {"naive": _naive, "scatter": _scatter, "fast": conv_transpose_nd}[method](X, W, geo)
    if checked.bias is not None:
        out += checked.bias
    return out[0, ..., 0] if checked.image else out


def conv_transpose2d(X, W, stride=1, padding=0, output_padding=0, dilation=1, groups=1, bias=None, method="fast"):
    """Transposed 2-D convolution with PyTorch's semantics, in NHWC.

    The adjoint of :func:`deconvlib.conv2d` with the same ``stride``,
    ``padding`` and ``dilation``: each input pixel spreads a copy of the kernel,
    scaled by its value, over the output, ``stride`` apart; the forward
    convolution's ``padding`` crops the result. Equal to
    ``torch.nn.functional.conv_transpose2d`` (relationship 14 of the guide).

    Parameters
    ----------
    X : ndarray, shape (n, h, w, c_in) or (h, w)
        Input. A 2-D image goes with a 2-D kernel and gives a 2-D result.
    W : ndarray, shape (kh, kw, c_in, c_out // groups) or (kh, kw)
        Kernel (PyTorch's ``(c_in, c_out // groups, kh, kw)`` transposed ``(2, 3, 0, 1)``).
    stride, dilation : int or (int, int)
        ``dilation=1`` means no gaps between kernel taps.
    padding : int, (rows, cols), (top, bottom, left, right), "valid" or "same"
        Padding of the forward convolution, i.e. the crop of the full result.
        ``"same"`` gives an output of ``input × stride`` (as in Keras).
    output_padding : int or (int, int)
        Extra rows/columns at the bottom/right; smaller than stride or dilation.
    groups : int
        Input and output channels split into this many independent groups.
    bias : ndarray, shape (c_out,), optional
    method : {"fast", "naive", "matrix", "scatter"}
        How to compute it; all agree (see the module's docstring).
        ``"naive"`` is the textbook's three stages, written plainly in
        ``deconvlib.transpose._naive``, within the budget's loop ``steps``
        (:func:`deconvlib.set_budget`); ``"matrix"`` refuses matrices of more
        than ``MATRIX_MAX_ENTRIES`` entries.

    Returns
    -------
    ndarray, shape (n, out_h, out_w, c_out) or (out_h, out_w)
        ``out = s·(i − 1) + d·(k − 1) + 1 − p_before − p_after + output_padding``
        per axis. float32 stays float32; integers become float64.

    Raises
    ------
    ParameterError
        For a bad parameter, named in ``parameter`` and in the message, or
        padding that leaves an empty output (``parameter`` ``"padding"``);
        or a call past the budget (:mod:`deconvlib.budget`: the output and
        the grid swept, 1 GiB by default; ``method="naive"``'s loop, one
        step per output position), naming the parameter that made it large.
    TypeError
        For a value of the wrong type (a string stride, a complex array).

    See Also
    --------
    conv2d : The forward convolution, its adjoint.
    convolution_matrix : The matrix ``C`` whose transpose this applies.
    deconv2D_naive : numpy-ml's signature and conventions.
    deconvlib.trace.trace : Every stage of the naive method, for a 2-D image.

    Notes
    -----
    The naive method (``deconvlib.transpose._naive``) is the guide's recipe:

    1. dilate the input, inserting ``s − 1`` zeros between neighbouring pixels;
    2. pad it by ``k̂ − 1 − p`` on each side (a negative amount crops), with
       ``k̂ = d·(k − 1) + 1``, plus ``output_padding`` at the bottom/right;
    3. sweep the 180°-rotated kernel over it with stride 1.

    Equivalently (the scatter view), ``out[i·s + a·d − p_top, j·s + b·d − p_left] +=
    X[i, j] · W[a, b]`` for every input pixel ``(i, j)`` and tap ``(a, b)``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 4 (relationships 8–14; 14 with
    ``output_padding``).

    Examples
    --------
    >>> X = np.array([[1., 2.], [3., 4.]])
    >>> conv_transpose2d(X, np.ones((2, 2)), stride=2)
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]])
    >>> conv_transpose2d(np.ones((16, 8, 8, 256)), np.ones((4, 4, 256, 128)), stride=2, padding=1).shape
    (16, 16, 16, 128)
    """
    return _conv_transpose(2, X, W, stride, padding, output_padding, dilation, groups, bias, method)


def conv_transpose1d(X, W, stride=1, padding=0, output_padding=0, dilation=1, groups=1, bias=None, method="fast"):
    """Transposed 1-D convolution with PyTorch's semantics, channels last: :func:`conv_transpose2d` on one axis.

    Each input sample spreads a copy of the kernel, scaled by its value, over
    the output, ``stride`` apart; the forward convolution's ``padding`` crops
    the result. Equal to ``torch.nn.functional.conv_transpose1d`` (WaveNet-style
    upsamplers, 1-D U-Nets).

    Parameters
    ----------
    X : ndarray, shape (n, w, c_in) or (w,)
        Input. A 1-D signal goes with a 1-D kernel and gives a 1-D result.
    W : ndarray, shape (k, c_in, c_out // groups) or (k,)
        Kernel (PyTorch's ``(c_in, c_out // groups, k)`` transposed ``(2, 0, 1)``).
    stride, output_padding, dilation : int or (int,)
    padding : int, (before, after), "valid" or "same"
    groups : int
    bias : ndarray, shape (c_out,), optional
    method : {"fast", "naive", "matrix", "scatter"}

    Returns
    -------
    ndarray, shape (n, out_w, c_out) or (out_w,)
        ``out = s·(i − 1) + d·(k − 1) + 1 − p_before − p_after + output_padding``.

    Raises
    ------
    ParameterError
        For a bad parameter, named in ``parameter`` and in the message.
    TypeError
        For a value of the wrong type.

    See Also
    --------
    conv_transpose2d : The same in 2-D, with every parameter explained.
    conv_transpose3d : The same in 3-D.
    deconvlib.conv1d : The forward convolution, its adjoint.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 4 (relationships 8–14, one axis).

    Examples
    --------
    Kernel 3, stride 2: the stamps overlap on every other output, 1, 1, 2, 1, 2, …, 1, 1.

    >>> conv_transpose1d(np.ones(4), np.ones(3), stride=2)
    array([1., 1., 2., 1., 2., 1., 2., 1., 1.])
    >>> conv_transpose1d(np.ones((8, 1024, 128)), np.ones((4, 128, 64)), stride=2, padding=1).shape
    (8, 2048, 64)
    """
    return _conv_transpose(1, X, W, stride, padding, output_padding, dilation, groups, bias, method)


def conv_transpose3d(X, W, stride=1, padding=0, output_padding=0, dilation=1, groups=1, bias=None, method="fast"):
    """Transposed 3-D convolution with PyTorch's semantics, channels last: :func:`conv_transpose2d` on three axes.

    Equal to ``torch.nn.functional.conv_transpose3d`` (volumes and video, the
    3-D U-Net's decoder).

    Parameters
    ----------
    X : ndarray, shape (n, d, h, w, c_in) or (d, h, w)
        Input. A 3-D volume goes with a 3-D kernel and gives a 3-D result.
    W : ndarray, shape (kd, kh, kw, c_in, c_out // groups) or (kd, kh, kw)
        Kernel (PyTorch's ``(c_in, c_out // groups, kd, kh, kw)`` transposed ``(2, 3, 4, 0, 1)``).
    stride, output_padding, dilation : int or (int, int, int)
    padding : int, (d, h, w), (front, back, top, bottom, left, right), "valid" or "same"
    groups : int
    bias : ndarray, shape (c_out,), optional
    method : {"fast", "naive", "matrix", "scatter"}

    Returns
    -------
    ndarray, shape (n, out_d, out_h, out_w, c_out) or (out_d, out_h, out_w)
        ``out = s·(i − 1) + d·(k − 1) + 1 − p_before − p_after + output_padding`` per axis.

    Raises
    ------
    ParameterError
        For a bad parameter, named in ``parameter`` and in the message.
    TypeError
        For a value of the wrong type.

    See Also
    --------
    conv_transpose2d : The same in 2-D, with every parameter explained.
    conv_transpose1d : The same in 1-D.
    deconvlib.conv3d : The forward convolution, its adjoint.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 4 (relationships 8–14, per axis).

    Examples
    --------
    >>> conv_transpose3d(np.ones((2, 8, 8, 8, 256)), np.ones((4, 4, 4, 256, 128)), stride=2, padding=1).shape
    (2, 16, 16, 16, 128)
    >>> conv_transpose3d(np.ones((1, 1, 1)), np.ones((2, 2, 2)), stride=2).shape
    (2, 2, 2)
    """
    return _conv_transpose(3, X, W, stride, padding, output_padding, dilation, groups, bias, method)


def convolution_matrix(input_size, W, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    """The matrix ``C`` of the forward convolution that a transposed one transposes.

    For ``X`` of spatial size ``input_size``, ``conv_transpose2d(X, W, ...)``
    is ``X.reshape(n, -1) @ C`` reshaped, i.e. ``Cᵀ`` applied to each image;
    and ``C @ y.ravel()`` is the forward convolution of ``y`` (section 4.1 of
    the guide). Rows follow ``(i, j, c_in)``, columns ``(y, x, c_out)``.

    Parameters
    ----------
    input_size : int or tuple of int
        ``(h, w)`` of the transposed convolution's input (an int: a square);
        ``(w,)`` or ``(d, h, w)`` for a 1-D or 3-D convolution.
    W : ndarray, shape (kh, kw, c_in, c_out // groups) or (kh, kw)
        Its spatial axes first, one per axis of ``input_size``.
    stride, padding, output_padding, dilation, groups
        As in :func:`conv_transpose2d`.

    Returns
    -------
    ndarray, shape (h·w·c_in, out_h·out_w·c_out)
        (every spatial axis in the product, in 1-D and 3-D).

    Raises
    ------
    ParameterError
        For a bad parameter, or a matrix of more than ``MATRIX_MAX_ENTRIES``
        entries (``parameter`` ``"method"``).

    See Also
    --------
    conv_transpose2d : ``method="matrix"`` applies it.
    deconvlib.adjoint.conv2d_jacobian : The same matrix, column by column from ``conv2d``.

    Notes
    -----
    ``C[(i, j, c), (y, x, o)] = W[a, b, c, o]`` where ``y = i·s + a·d − p_top``
    and ``x = j·s + b·d − p_left``, zero elsewhere: built as a sum over taps
    of Kronecker products ``R_a ⊗ Q_b ⊗ W[a, b]``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 4.1.

    Examples
    --------
    >>> C = convolution_matrix((2, 2), np.ones((3, 3)))
    >>> C.shape
    (4, 16)
    >>> X = np.arange(4.0).reshape(2, 2)
    >>> np.array_equal((X.ravel() @ C).reshape(4, 4), conv_transpose2d(X, np.ones((3, 3))))
    True
    """
    dims = len(input_size) if isinstance(input_size, (tuple, list)) and len(input_size) in (1, 3) else 2
    size = as_tuple(input_size, "input_size", dims, minimum=1)
    W = as_array(W, "W")  # checked first: the zero input below is built from W's shape and dtype
    c_in = W.shape[-2] if W.ndim == dims + 2 else 1
    check_memory(math.prod(size) * c_in, "input_size", f"the input {size} of {c_in} channel(s)")
    X = np.zeros(size if W.ndim == dims else (1, *size, c_in), dtype=np.result_type(W.dtype, np.float32))
    checked = transpose_geometry(X, W, stride, padding, output_padding, dilation, groups, None, dims=dims)
    _check_matrix_size(checked.geometry)
    return _matrix(checked.geometry, checked.W)


def deconv2D_naive(X, W, stride, pad, dilation=0):
    """numpy-ml's ``deconv2D_naive``, made exact: the same signature and conventions.

    Parameters
    ----------
    X : ndarray, shape (n, h, w, c_in) or (h, w)
    W : ndarray, shape (kh, kw, c_in, c_out) or (kh, kw)
    stride : int
    pad : int, (rows, cols), (top, bottom, left, right) or "same"
        Padding of the forward convolution, as in numpy-ml. ``"same"`` is
        numpy-ml's: the padding that keeps a stride-1 convolution of the
        dilated input at its size, ``k̂ − 1`` in all with the odd row/column at
        the bottom/right.
    dilation : int
        numpy-ml's convention: the number of zeros inserted between kernel
        taps, so 0 means none (PyTorch's ``dilation = 1 + this``).

    Returns
    -------
    ndarray
        The full transposed convolution cropped by ``top``, ``bottom``, ``left``
        and ``right``: exactly ``conv_transpose2d(X, W, stride, pad,
        dilation=dilation + 1, method="naive")``.

    Raises
    ------
    ParameterError
        For a bad parameter (``parameter`` is ``"stride"``, ``"pad"``,
        ``"dilation"``, ...), or padding that leaves an empty output.

    See Also
    --------
    conv_transpose2d : PyTorch's conventions, and faster methods.

    Notes
    -----
    It runs the textbook's three stages (``deconvlib.transpose._naive``):
    insert ``stride − 1`` zeros between pixels, pad by ``k̂ − 1 − p`` (a
    negative amount crops), sweep the 180°-rotated kernel with stride 1, with
    ``k̂ = (dilation + 1)·(k − 1) + 1``. numpy-ml 0.1.2 shifts its result by a
    row or column when the padding is uneven (e.g. ``(2, 0, 1, 1)``, or its own
    ``"same"`` with an even dilated kernel) and refuses padding larger than
    ``k̂ − 1``, which PyTorch accepts; this one is right in all those cases.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 4 (relationship 13).

    Examples
    --------
    >>> X = np.arange(1.0, 5.0).reshape(2, 2)
    >>> deconv2D_naive(X, np.ones((2, 2)), stride=1, pad=(1, 0, 0, 0))
    array([[ 4., 10.,  6.],
           [ 3.,  7.,  4.]])
    >>> deconv2D_naive(X, np.ones((2, 2)), stride=2, pad="same").shape
    (3, 3)
    """
    stride = as_int(stride, "stride", minimum=1)
    dilation = as_int(dilation, "dilation", minimum=0)
    pad = as_text(pad)
    if isinstance(pad, str):
        if pad != "same":
            raise ParameterError(f"pad must be an int, a tuple or 'same', got {pad!r}", parameter="pad")
        kernel = as_float_arrays(X, W)[1].shape[:2]
        pad = []
        for k in kernel:
            total = dilated_kernel(k, dilation + 1) - 1
            pad += [total // 2, total - total // 2]
    else:
        pad = as_padding(pad, "pad")
    return conv_transpose2d(X, W, stride=stride, padding=tuple(pad), dilation=dilation + 1, method="naive")
