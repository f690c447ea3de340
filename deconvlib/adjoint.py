"""Transposed convolution as the gradient of convolution.

``conv2d`` is linear in its input, ``y = J x``. Its vector-Jacobian product
``Jᵀ g`` (what backpropagation sends back to the input) is exactly
``conv_transpose2d(g, W.swapaxes(2, 3))`` with the same stride, padding,
dilation and groups; and ``J`` itself is the matrix ``C`` of
:func:`deconvlib.convolution_matrix`. Here are two independent ways to get at
``J``: column by column from ``conv2d`` of unit images, and by finite
differences of any function.
"""

import math

import numpy as np

from ._validate import as_array, as_int, check_finite
from .budget import check_memory, check_steps
from .conv import conv2d
from .errors import ParameterError

__all__ = ["conv2d_jacobian", "numerical_gradient"]


def conv2d_jacobian(input_shape, W, stride=1, padding=0, dilation=1, groups=1):
    """The Jacobian of ``x ↦ conv2d(x, W, ...)``, built one column at a time.

    Column ``j`` is ``conv2d`` of the unit image ``e_j`` (a single 1 at flat
    position ``j``), flattened: ``conv2d(x).ravel() == J @ x.ravel()``.

    Parameters
    ----------
    input_shape : (h, w) or (1, h, w, c_in)
        Shape of ``x``: a 2-D image (with a 2-D kernel) or one NHWC image.
    W : ndarray, shape (kh, kw) or (kh, kw, c_in // groups, c_out)
    stride, padding, dilation, groups
        As in :func:`deconvlib.conv2d`.

    Returns
    -------
    ndarray, shape (output size, input size)

    Raises
    ------
    ParameterError
        For an ``input_shape`` that is not 2 or 4 positive ints, a bad
        parameter (from :func:`deconvlib.conv2d`), or a matrix past the
        budget (:mod:`deconvlib.budget`: one ``conv2d`` call per input cell,
        naming ``"input_shape"``).

    See Also
    --------
    deconvlib.convolution_matrix : The same matrix, transposed, built directly.
    numerical_gradient : Another independent way to it.

    Notes
    -----
    ``J[j_out, j_in] = ∂ conv2d(x)[j_out] / ∂ x[j_in]``; since ``conv2d`` is
    linear, ``Jᵀ g = conv_transpose2d(g, W.swapaxes(2, 3))`` with the same
    parameters.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 4.1.

    Examples
    --------
    >>> J = conv2d_jacobian((3, 3), np.ones((2, 2)))
    >>> J.shape
    (4, 9)
    >>> J[0].reshape(3, 3)          # output (0, 0) reads the top-left 2×2 window
    array([[1., 1., 0.],
           [1., 1., 0.],
           [0., 0., 0.]])
    """
    if isinstance(input_shape, (str, bytes)) or not np.iterable(input_shape) or len(input_shape) not in (2, 4):
        raise ParameterError(f"input_shape must be (h, w) or (1, h, w, c_in), got {input_shape!r}", "input_shape")
    input_shape = tuple(as_int(n, "input_shape", minimum=1) for n in input_shape)
    size = math.prod(input_shape)
    check_steps(size, "input_shape", f"conv2d_jacobian would call conv2d {size:,} times (once per input cell)")
    columns = []
    for j in range(size):
        unit = np.zeros(size)
        unit[j] = 1.0
        column = conv2d(unit.reshape(input_shape), W, stride=stride, padding=padding, dilation=dilation, groups=groups)
        if j == 0:  # the first column gives the output's size: the whole matrix, kept twice (columns, stacked)
            check_memory(2 * column.size * size, "input_shape", f"the {column.size:,}×{size:,} Jacobian")
        columns.append(column.ravel())
    return np.stack(columns, axis=1)


def numerical_gradient(f, x, eps=1e-6):
    """Gradient of a scalar function ``f`` at ``x`` by central differences.

    ``∂f/∂x_j ≈ (f(x + ε e_j) − f(x − ε e_j)) / 2ε``, exact up to rounding for
    a linear or quadratic ``f``.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x``, returns a number.
    x : array_like
    eps : float, default 1e-6
        The step ``ε``.

    Returns
    -------
    ndarray of float, shape of ``x``

    Raises
    ------
    ParameterError
        For ``x`` holding a NaN or ±inf, or more entries than the budget's
        loop ``steps`` (two calls of ``f`` each; ``parameter`` ``"x"``).
    TypeError
        For ``x`` that does not hold real numbers.

    See Also
    --------
    conv2d_jacobian : The Jacobian of ``conv2d``, column by column.

    Examples
    --------
    >>> numerical_gradient(lambda x: (x ** 2).sum(), np.array([1.0, -2.0])).round(6)
    array([ 2., -4.])
    """
    x = check_finite(as_array(x, "x"), "x").astype(float)
    check_steps(x.size, "x", f"numerical_gradient would step {x.size:,} entries, calling f twice for each")
    grad = np.zeros_like(x)
    for j in range(x.size):
        step = np.zeros_like(x)
        step.flat[j] = eps
        grad.flat[j] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad
