"""Forward convolution (cross-correlation) in 1, 2 or 3 dimensions, the adjoint partner of the transposed one."""

import numpy as np  # noqa: F401 (the examples use it)

from .folding import conv_nd
from .geometry import conv_geometry

__all__ = ["conv1d", "conv2d", "conv3d"]


def _conv(dims, X, W, stride, padding, dilation, groups, bias):
    """:func:`conv1d`, ``2d`` and ``3d``: one implementation, ``dims`` spatial axes."""
    checked = conv_geometry(
        X, W, stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias, dims=dims
    )
    out = conv_nd(checked.X, checked.W, checked.geometry)
    if checked.bias is not None:
        out += checked.bias
    return out[0, ..., 0] if checked.image else out


def conv2d(X, W, stride=1, padding=0, dilation=1, groups=1, bias=None):
    """2-D convolution (cross-correlation, as in deep learning), NHWC.

    Each output cell is the sum of the padded input under the kernel, the
    kernel moving ``stride`` cells at a time; PyTorch's
    ``torch.nn.functional.conv2d`` in NHWC.

    Parameters
    ----------
    X : ndarray, shape (n, h, w, c_in) or (h, w)
    W : ndarray, shape (kh, kw, c_in // groups, c_out) or (kh, kw)
        PyTorch's ``(c_out, c_in // groups, kh, kw)`` transposed ``(2, 3, 1, 0)``.
    stride, dilation : int or (int, int)
    padding : int, (rows, cols), (top, bottom, left, right), "valid" or "same"
        ``"same"`` gives ``⌈input / stride⌉`` (TensorFlow's meaning).
    groups : int
    bias : ndarray, shape (c_out,), optional

    Returns
    -------
    ndarray, shape (n, out_h, out_w, c_out) or (out_h, out_w)
        ``out = ⌊(i + p_before + p_after − d·(k − 1) − 1) / s⌋ + 1`` per axis.
        float32 stays float32; integers become float64.

    Raises
    ------
    ParameterError
        For a bad parameter, named in ``parameter`` and in the message, an
        empty output (``parameter`` ``"input_size"``), or a call past the
        budget (:mod:`deconvlib.budget`: the padded input and the output,
        1 GiB by default), naming ``"padding"`` when padding made it large.
    TypeError
        For a value of the wrong type.

    See Also
    --------
    conv_transpose2d : Its adjoint.
    deconvlib.geometry.conv_geometry : The checks and the sizes.
    deconvlib.trace.trace_conv : Every window of the sweep, for a 2-D image.

    Notes
    -----
    ``out[n, y, x, o] = Σ_a Σ_b Σ_c X_padded[n, y·s + a·d, x·s + b·d, c] · W[a, b, c, o]``
    (within each group). Its adjoint is ``conv_transpose2d(·, W.swapaxes(2, 3))``
    with the same ``stride``, ``padding``, ``dilation`` and ``groups``: for all
    ``x``, ``y``, ``⟨conv2d(x, W), y⟩ = ⟨x, conv_transpose2d(y, W.swapaxes(2, 3))⟩``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, sections 2 and 5 (relationships 1–6 and 15).

    Examples
    --------
    >>> X = np.arange(16.0).reshape(4, 4)
    >>> conv2d(X, np.ones((2, 2)), stride=2)
    array([[10., 18.],
           [42., 50.]])
    >>> conv2d(np.ones((2, 9, 9, 4)), np.ones((3, 3, 2, 6)), padding="same", stride=2, groups=2).shape
    (2, 5, 5, 6)
    """
    return _conv(2, X, W, stride, padding, dilation, groups, bias)


def conv1d(X, W, stride=1, padding=0, dilation=1, groups=1, bias=None):
    """1-D convolution (cross-correlation, as in deep learning), channels last: :func:`conv2d` on one axis.

    ``torch.nn.functional.conv1d`` in ``(n, w, c)``.

    Parameters
    ----------
    X : ndarray, shape (n, w, c_in) or (w,)
    W : ndarray, shape (k, c_in // groups, c_out) or (k,)
        PyTorch's ``(c_out, c_in // groups, k)`` transposed ``(2, 1, 0)``.
    stride, dilation : int or (int,)
    padding : int, (before, after), "valid" or "same"
    groups : int
    bias : ndarray, shape (c_out,), optional

    Returns
    -------
    ndarray, shape (n, out_w, c_out) or (out_w,)
        ``out = ⌊(i + p_before + p_after − d·(k − 1) − 1) / s⌋ + 1``.

    Raises
    ------
    ParameterError
        For a bad parameter, named in ``parameter`` and in the message.
    TypeError
        For a value of the wrong type.

    See Also
    --------
    conv2d : The same in 2-D, with every parameter explained.
    deconvlib.conv_transpose1d : Its adjoint.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 2 (relationships 1–6, one axis).

    Examples
    --------
    >>> conv1d(np.arange(6.0), np.ones(3), stride=2)
    array([3., 9.])
    >>> conv1d(np.ones((4, 100, 8)), np.ones((5, 8, 16)), padding="same").shape
    (4, 100, 16)
    """
    return _conv(1, X, W, stride, padding, dilation, groups, bias)


def conv3d(X, W, stride=1, padding=0, dilation=1, groups=1, bias=None):
    """3-D convolution (cross-correlation, as in deep learning), channels last: :func:`conv2d` on three axes.

    ``torch.nn.functional.conv3d`` in ``(n, d, h, w, c)``.

    Parameters
    ----------
    X : ndarray, shape (n, d, h, w, c_in) or (d, h, w)
    W : ndarray, shape (kd, kh, kw, c_in // groups, c_out) or (kd, kh, kw)
        PyTorch's ``(c_out, c_in // groups, kd, kh, kw)`` transposed ``(2, 3, 4, 1, 0)``.
    stride, dilation : int or (int, int, int)
    padding : int, (d, h, w), (front, back, top, bottom, left, right), "valid" or "same"
    groups : int
    bias : ndarray, shape (c_out,), optional

    Returns
    -------
    ndarray, shape (n, out_d, out_h, out_w, c_out) or (out_d, out_h, out_w)
        ``out = ⌊(i + p_before + p_after − d·(k − 1) − 1) / s⌋ + 1`` per axis.

    Raises
    ------
    ParameterError
        For a bad parameter, named in ``parameter`` and in the message.
    TypeError
        For a value of the wrong type.

    See Also
    --------
    conv2d : The same in 2-D, with every parameter explained.
    deconvlib.conv_transpose3d : Its adjoint.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 2 (relationships 1–6, per axis).

    Examples
    --------
    >>> conv3d(np.ones((4, 4, 4)), np.ones((3, 3, 3)))
    array([[[27., 27.],
            [27., 27.]],
    <BLANKLINE>
           [[27., 27.],
            [27., 27.]]])
    >>> conv3d(np.ones((2, 16, 16, 16, 32)), np.ones((3, 3, 3, 32, 64)), stride=2, padding=1).shape
    (2, 8, 8, 8, 64)
    """
    return _conv(3, X, W, stride, padding, dilation, groups, bias)
