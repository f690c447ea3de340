"""One (transposed) convolution's parameters, checked and resolved into sizes, in 1, 2 or 3 dimensions.

:func:`transpose_geometry` and :func:`conv_geometry` are the single place where
the public functions turn user arguments into :class:`CheckedArguments`: arrays
channels last (NHWC in 2-D; ``(n, w, c)`` in 1-D, ``(n, d, h, w, c)`` in 3-D)
with a floating dtype, and a :class:`Geometry` with one integer per spatial
axis, padding as ``(before, after)`` per axis (``(top, bottom, left, right)``
in 2-D), and the output size.
"""

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._validate import AXIS_NAMES, as_float_arrays, as_int, as_padding, as_tuple, spatial_layout
from .arithmetic import conv_output_size, conv_transpose_output_size, effective_kernel
from .errors import ParameterError

__all__ = [
    "Geometry",
    "CheckedArguments",
    "transpose_geometry",
    "conv_geometry",
    "resolve_padding",
    "MAX_OUTPUT_ELEMENTS",
]

#: The most elements an output may have, ``n·out_h·out_w·c_out``: 2**30 (8 GiB of float64,
#: 4 GiB of float32). Generous for real layers (a batch of 64 outputs of 256×256×64 is 2**28),
#: and checked from the sizes alone, so a typo (a stride of 10**6) raises a
#: :class:`~deconvlib.ParameterError` at once instead of a ``MemoryError`` after seconds.
MAX_OUTPUT_ELEMENTS = 2**30


@dataclass(frozen=True)
class Geometry:
    """Sizes of one convolution in ``ndim`` spatial dimensions: input, kernel, output.

    Parameters
    ----------
    n, c_in, c_out, groups : int
        Batch, input and output channels, groups.
    size, kernel, out : tuple of int
        One per spatial axis (``(h, w)`` in 2-D): the input's, the kernel's
        and the output's.
    stride, output_padding, dilation : tuple of int
        One per axis; ``output_padding`` is zeros for a forward convolution.
    padding : tuple of int
        ``(before, after)`` of the forward convolution on each axis in turn:
        ``(top, bottom, left, right)`` in 2-D.

    Attributes
    ----------
    ndim : int
        The number of spatial axes.
    h, w, kh, kw, out_h, out_w : int
        The 2-D names of ``size``, ``kernel`` and ``out`` (2-D only).

    See Also
    --------
    transpose_geometry, conv_geometry : Build one from a call's arguments.

    Notes
    -----
    The derived sizes, per axis: the dilated kernel ``k̂ = d·(k − 1) + 1``; the
    stage-2 padding of a transposed convolution ``k̂ − 1 − p`` (plus
    ``output_padding`` at the end); its uncropped result ``s·(i − 1) + k̂``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 13–15.

    Examples
    --------
    >>> import numpy as np
    >>> checked = transpose_geometry(
    ...     np.ones((3, 3)), np.ones((3, 3)), stride=2, padding=1, output_padding=1, dilation=1, groups=1, bias=None)
    >>> geo = checked.geometry
    >>> geo.effective_kernel, geo.sweep_pads, geo.full_size, geo.out, (geo.out_h, geo.out_w)
    ((3, 3), (1, 2, 1, 2), (7, 7), (6, 6), (6, 6))
    """

    n: int
    size: tuple
    c_in: int
    kernel: tuple
    c_out: int
    groups: int
    stride: tuple
    padding: tuple  # (before, after) of the forward convolution on each axis: (top, bottom, left, right) in 2-D
    output_padding: tuple
    dilation: tuple
    out: tuple

    @property
    def ndim(self):
        """The number of spatial axes: 1, 2 or 3."""
        return len(self.size)

    def _two_d(self, values, index):
        if self.ndim != 2:
            raise AttributeError(f"a {self.ndim}-D geometry has no 2-D sizes: use size, kernel and out")
        return values[index]

    h = property(lambda self: self._two_d(self.size, 0), doc="The input's rows (2-D only).")
    w = property(lambda self: self._two_d(self.size, 1), doc="The input's columns (2-D only).")
    kh = property(lambda self: self._two_d(self.kernel, 0), doc="The kernel's rows (2-D only).")
    kw = property(lambda self: self._two_d(self.kernel, 1), doc="The kernel's columns (2-D only).")
    out_h = property(lambda self: self._two_d(self.out, 0), doc="The output's rows (2-D only).")
    out_w = property(lambda self: self._two_d(self.out, 1), doc="The output's columns (2-D only).")

    @property
    def effective_kernel(self):
        """The kernel's extent once dilated, ``d·(k − 1) + 1``, per axis."""
        return tuple(effective_kernel(k, d) for k, d in zip(self.kernel, self.dilation))

    @property
    def sweep_pads(self):
        """Padding of the dilated input before the stride-1 sweep (negative = crop), ``(before, after)`` per axis.

        ``k̂ − 1 − p`` on each side, plus ``output_padding`` at the end (bottom/right).
        """
        pads = []
        for ek, before, after, op in zip(
            self.effective_kernel, self.padding[::2], self.padding[1::2], self.output_padding
        ):
            pads += [ek - 1 - before, ek - 1 - after + op]
        return tuple(pads)

    @property
    def full_size(self):
        """The uncropped transposed result, ``s·(i − 1) + k̂``, per axis."""
        return tuple(s * (i - 1) + ek for s, i, ek in zip(self.stride, self.size, self.effective_kernel))


class CheckedArguments(NamedTuple):
    """The arguments of one call once checked: what :func:`transpose_geometry` and :func:`conv_geometry` return.

    Attributes
    ----------
    X : ndarray, shape (n, h, w, c_in)
        The input channels last (``(n, w, c_in)`` in 1-D, ``(n, d, h, w,
        c_in)`` in 3-D), in the common floating dtype.
    W : ndarray, shape (kh, kw, ·, ·)
        The kernel in the same dtype, its spatial axes first.
    bias : ndarray, shape (c_out,), or None
    image : bool
        Whether ``X`` was unbatched (the result goes back to its spatial axes only).
    geometry : Geometry
        Every size of the call.

    Examples
    --------
    >>> import numpy as np
    >>> checked = transpose_geometry(
    ...     np.ones((3, 3), int), np.ones((2, 2)), stride=2, padding=0, output_padding=0, dilation=1,
    ...     groups=1, bias=None)
    >>> checked.X.shape, checked.X.dtype, checked.image, checked.geometry.out
    ((1, 3, 3, 1), dtype('float64'), True, (6, 6))
    """

    X: np.ndarray
    W: np.ndarray
    bias: object
    image: bool
    geometry: Geometry


def resolve_padding(padding, kernel, stride, dilation, output_padding=None):
    """Turn ``padding`` (int, pair, 4-tuple, ``"valid"``, ``"same"``) into a 4-tuple; in N-d, ``2·N`` ints.

    Parameters
    ----------
    padding : int, (rows, cols), (top, bottom, left, right), "valid" or "same"
        In 1-D and 3-D: an int, one int per axis, or ``(before, after)`` per axis.
    kernel, stride, dilation : tuple of int
        Checked, one per spatial axis (their length gives the dimensions).
    output_padding : tuple of int, optional
        Checked, one per axis (default zeros); ``"same"`` chooses it itself and requires zeros.

    Returns
    -------
    pads : (int, int, int, int)
        ``(top, bottom, left, right)``; ``(before, after)`` per axis in N-d.
    output_padding : tuple of int

    Raises
    ------
    ParameterError
        For an unknown string or a bad number (``parameter`` ``"padding"``),
        or ``output_padding`` given with ``"same"``.

    See Also
    --------
    conv_geometry : Resolves a forward convolution's ``"same"``.

    Notes
    -----
    For a transposed convolution ``"same"`` means the output is ``input ×
    stride`` (Keras): the total crop is ``k̂ − s``, the odd one at the
    bottom/right; when ``k̂ < s`` there is no crop and ``output_padding = s − k̂``
    instead. (A forward convolution's ``"same"`` depends on the input size:
    :func:`conv_geometry` resolves it.)

    ``"valid"`` means PyTorch's ``padding=0``: nothing is cropped, and a
    transposed convolution's output is ``s·(i − 1) + k̂``. Keras, TensorFlow
    and JAX's ``'VALID'`` give ``i·s + max(k̂ − s, 0)`` instead; the two agree
    when ``k̂ ≥ s`` and differ exactly when ``k̂ < s``, where Keras's equals
    ours with ``output_padding = max(s − k̂, 0)`` (see the last example).

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 13 and 14.

    Examples
    --------
    >>> resolve_padding("same", kernel=(4, 3), stride=(2, 2), dilation=(1, 1))
    ((1, 1, 0, 1), (0, 0))
    >>> resolve_padding("same", kernel=(1, 1), stride=(2, 2), dilation=(1, 1))
    ((0, 0, 0, 0), (1, 1))

    ``"valid"`` with ``k̂ = 1 < s = 3`` on an input of 4: PyTorch's size
    ``s·(i − 1) + k̂``, then Keras's ``i·s + max(k̂ − s, 0)`` with the
    mapping ``output_padding = max(s − k̂, 0)``:

    >>> from deconvlib.arithmetic import conv_transpose_output_size
    >>> conv_transpose_output_size(4, 1, stride=3), conv_transpose_output_size(4, 1, stride=3, output_padding=2)
    (10, 12)
    """
    ndim = len(kernel)
    zeros = (0,) * ndim
    output_padding = zeros if output_padding is None else output_padding
    if isinstance(padding, str):
        if padding == "valid":
            return zeros * 2, output_padding
        if padding != "same":
            raise ParameterError(
                f"padding must be an int, a tuple, 'valid' or 'same', got {padding!r}", parameter="padding"
            )
        if output_padding != zeros:
            raise ParameterError(
                f"padding='same' chooses output_padding itself, got output_padding={output_padding!r}",
                parameter="output_padding",
            )
        pads, extra = [], []
        for k, s, d in zip(kernel, stride, dilation):
            crop = effective_kernel(k, d) - s
            pads += [max(crop, 0) // 2, max(crop, 0) - max(crop, 0) // 2]
            extra.append(max(-crop, 0))
        return tuple(pads), tuple(extra)
    return as_padding(padding, ndim=ndim), output_padding


def blame_size(geo, transposed):
    """The parameter to name when the output of ``geo`` is too large.

    ``"stride"`` (or ``"dilation"``) when it alone makes the output many times
    larger than the input and kernel would, otherwise ``"X"`` (the input's
    size or batch).

    Parameters
    ----------
    geo : Geometry
    transposed : bool

    Returns
    -------
    str

    Examples
    --------
    >>> import numpy as np
    >>> geo = transpose_geometry(np.ones((2, 2)), np.ones((3, 3)), stride=1000, padding=0, output_padding=0,
    ...                          dilation=1, groups=1, bias=None).geometry
    >>> blame_size(geo, transposed=True)
    'stride'
    """
    stride, dilation = max(geo.stride), max(geo.dilation)
    cells, base = math.prod(geo.out), 4 * math.prod(geo.size) * math.prod(geo.kernel)
    if transposed and stride > 1 and cells > base * math.prod(geo.dilation):
        return "stride"
    if dilation > 1 and cells > base * stride**geo.ndim:
        return "dilation"
    return "X"


def _check_output_size(geo, transposed):
    """Refuse an output larger than :data:`MAX_OUTPUT_ELEMENTS`, before anything is allocated."""
    count = geo.n * math.prod(geo.out) * geo.c_out
    if count > MAX_OUTPUT_ELEMENTS:
        names = "·".join(["n", *(f"out_{a}" for a in AXIS_NAMES[geo.ndim]), "c_out"])
        values = "·".join(str(v) for v in (geo.n, *geo.out, geo.c_out))
        raise ParameterError(
            f"the output would have {count:,} elements ({names} = {values}), "
            f"more than MAX_OUTPUT_ELEMENTS = {MAX_OUTPUT_ELEMENTS:,}",
            parameter=blame_size(geo, transposed),
        )


def _conv_same_padding(size, kernel, stride, dilation):
    """``(before, after)`` per axis for an output of ``⌈i / s⌉`` (the odd one at the end: bottom/right)."""
    pads = []
    for i, k, s, d in zip(size, kernel, stride, dilation):
        total = max((-(-i // s) - 1) * s + effective_kernel(k, d) - i, 0)
        pads += [total // 2, total - total // 2]
    return tuple(pads)


def _check_channels(X, W, groups, transposed, ndim):
    """``W`` is ``(k…, c_in, c_out / g)`` for a transposed convolution, ``(k…, c_in / g, c_out)`` for a forward one."""
    c_in = X.shape[-1]
    if c_in % groups:
        raise ParameterError(f"groups={groups} must divide the input channels, got c_in={c_in}", parameter="groups")
    expected = c_in if transposed else c_in // groups
    if W.shape[-2] != expected:
        kernel = spatial_layout(ndim, "k", bare=True)
        layout = f"({kernel}, c_in, c_out // groups)" if transposed else f"({kernel}, c_in // groups, c_out)"
        raise ParameterError(
            f"W must be {layout} with {'c_in' if transposed else 'c_in // groups'} = {expected} "
            f"to match X's {c_in} channels and groups={groups}, got W with shape {W.shape}",
            parameter="W",
        )
    c_out = W.shape[-1] * groups if transposed else W.shape[-1]
    if not transposed and c_out % groups:
        raise ParameterError(f"groups={groups} must divide the output channels, got c_out={c_out}", parameter="groups")
    return c_in, c_out


def _checked(X, W, stride, padding, output_padding, dilation, groups, bias, transposed, ndim):
    """What :func:`transpose_geometry` and :func:`conv_geometry` share: one order of checks, one result."""
    X, W, bias, image = as_float_arrays(X, W, bias, ndim=ndim)
    stride = as_tuple(stride, "stride", ndim, minimum=1)
    dilation = as_tuple(dilation, "dilation", ndim, minimum=1)
    output_padding = as_tuple(output_padding, "output_padding", ndim)
    groups = as_int(groups, "groups", minimum=1)
    c_in, c_out = _check_channels(X, W, groups, transposed=transposed, ndim=ndim)
    if bias is not None and bias.shape != (c_out,):
        raise ParameterError(
            f"bias must have shape ({c_out},) (one per output channel), got {bias.shape}", parameter="bias"
        )
    n, size, kernel = X.shape[0], X.shape[1:-1], W.shape[:-2]
    if transposed:
        pads, output_padding = resolve_padding(
            padding, kernel=kernel, stride=stride, dilation=dilation, output_padding=output_padding
        )
    elif isinstance(padding, str) and padding == "same":
        pads = _conv_same_padding(size, kernel=kernel, stride=stride, dilation=dilation)
    else:
        pads, _ = resolve_padding(padding, kernel=kernel, stride=stride, dilation=dilation)
    axes = zip(size, kernel, stride, zip(pads[::2], pads[1::2]), output_padding, dilation)
    if transposed:
        out = tuple(
            conv_transpose_output_size(i, k, stride=s, padding=p, output_padding=op, dilation=d)
            for i, k, s, p, op, d in axes
        )
    else:
        out = tuple(conv_output_size(i, k, stride=s, padding=p, dilation=d) for i, k, s, p, _, d in axes)
    geometry = Geometry(
        n=n,
        size=size,
        c_in=c_in,
        kernel=kernel,
        c_out=c_out,
        groups=groups,
        stride=stride,
        padding=pads,
        output_padding=output_padding,
        dilation=dilation,
        out=out,
    )
    _check_output_size(geometry, transposed)
    return CheckedArguments(X=X, W=W, bias=bias, image=image, geometry=geometry)


def transpose_geometry(X, W, stride, padding, output_padding, dilation, groups, bias, ndim=2):
    """Check and resolve the arguments of a transposed convolution.

    Parameters
    ----------
    X, W, stride, padding, output_padding, dilation, groups, bias
        As in :func:`deconvlib.conv_transpose2d`; ``W`` is
        ``(kh, kw, c_in, c_out // groups)`` or ``(kh, kw)``.
    ndim : {1, 2, 3}, default 2
        The number of spatial axes (:func:`deconvlib.conv_transpose1d`, ``2d``, ``3d``).

    Returns
    -------
    CheckedArguments
        ``X`` NHWC and ``W`` ``(kh, kw, c_in, c_out // groups)`` in one
        floating dtype, ``bias``, ``image`` (whether ``X`` was 2-D) and the
        :class:`Geometry`.

    Raises
    ------
    ParameterError
        Naming the first bad parameter; see :class:`deconvlib.ParameterError`.
        Last, an output of more than :data:`MAX_OUTPUT_ELEMENTS` elements
        (naming ``"stride"``, ``"dilation"`` or ``"X"``, see :func:`blame_size`).
    TypeError
        For a value of the wrong type.

    See Also
    --------
    conv_geometry : The forward convolution's.

    Notes
    -----
    Per axis, ``out = s·(i − 1) + d·(k − 1) + 1 − p_before − p_after + output_padding``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 13 and 14.

    Examples
    --------
    >>> import numpy as np
    >>> X, W, bias, image, geo = transpose_geometry(
    ...     np.ones((2, 4, 4, 6), np.float32), np.ones((3, 3, 6, 2)),
    ...     stride=2, padding="same", output_padding=0, dilation=1, groups=3, bias=None)
    >>> X.dtype, W.shape, image, geo.padding, geo.output_padding, (geo.out_h, geo.c_out)
    (dtype('float64'), (3, 3, 6, 2), False, (0, 1, 0, 1), (0, 0), (8, 6))
    >>> geo = transpose_geometry(np.ones((1, 5, 2)), np.ones((3, 2, 4)), stride=2, padding=(0, 1), output_padding=1,
    ...                          dilation=1, groups=1, bias=None, ndim=1).geometry
    >>> geo.size, geo.padding, geo.out, geo.c_out
    ((5,), (0, 1), (11,), 4)
    """
    return _checked(
        X,
        W,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
        bias=bias,
        transposed=True,
        ndim=ndim,
    )


def conv_geometry(X, W, stride, padding, dilation, groups, bias, ndim=2):
    """Check and resolve the arguments of a forward convolution.

    Parameters
    ----------
    X, W, stride, padding, dilation, groups, bias
        As in :func:`deconvlib.conv2d`; ``W`` is ``(kh, kw, c_in // groups,
        c_out)`` or ``(kh, kw)``.
    ndim : {1, 2, 3}, default 2
        The number of spatial axes (:func:`deconvlib.conv1d`, ``2d``, ``3d``).

    Returns
    -------
    CheckedArguments
        As :func:`transpose_geometry`; the geometry's ``output_padding`` is
        ``(0, 0)``.

    Raises
    ------
    ParameterError
        Naming the first bad parameter, or ``"input_size"`` when the output
        would be empty; last, an output of more than
        :data:`MAX_OUTPUT_ELEMENTS` elements.
    TypeError
        For a value of the wrong type.

    See Also
    --------
    transpose_geometry : The transposed convolution's.

    Notes
    -----
    Per axis, ``out = ⌊(i + p_before + p_after − d·(k − 1) − 1) / s⌋ + 1``.
    ``padding="same"`` gives an output of ``⌈i / s⌉``: the total padding is
    ``(⌈i / s⌉ − 1)·s + k̂ − i``, the odd row/column at the bottom/right, as
    TensorFlow and Keras do.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 6 and 15.

    Examples
    --------
    >>> import numpy as np
    >>> checked = conv_geometry(
    ...     np.ones((1, 5, 6, 2)), np.ones((3, 3, 2, 4)), stride=2, padding="same", dilation=1, groups=1, bias=None)
    >>> geo = checked.geometry
    >>> geo.padding, (geo.out_h, geo.out_w, geo.c_out)
    ((1, 1, 0, 1), (3, 3, 4))
    """
    return _checked(
        X,
        W,
        stride=stride,
        padding=padding,
        output_padding=0,
        dilation=dilation,
        groups=groups,
        bias=bias,
        transposed=False,
        ndim=ndim,
    )
