"""One (transposed) convolution's parameters, checked and resolved into sizes.

:func:`transpose_geometry` and :func:`conv_geometry` are the single place where
the public functions turn user arguments into :class:`CheckedArguments`: arrays
in NHWC with a floating dtype, and a :class:`Geometry` with integer pairs,
padding as ``(top, bottom, left, right)``, and the output size.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._validate import as_float_arrays, as_int, as_padding, as_pair
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
    """Sizes of one convolution: input ``(n, h, w, c_in)``, kernel, output ``(out_h, out_w)``.

    Parameters
    ----------
    n, h, w, c_in : int
        The input's NHWC shape.
    kh, kw : int
        The kernel's spatial size.
    c_out : int
        Output channels.
    groups : int
    stride, output_padding, dilation : (int, int)
        ``output_padding`` is ``(0, 0)`` for a forward convolution.
    padding : (int, int, int, int)
        ``(top, bottom, left, right)`` of the forward convolution.
    out_h, out_w : int
        The output's spatial size.

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
    >>> geo.effective_kernel, geo.sweep_pads, geo.full_size, (geo.out_h, geo.out_w)
    ((3, 3), (1, 2, 1, 2), (7, 7), (6, 6))
    """

    n: int
    h: int
    w: int
    c_in: int
    kh: int
    kw: int
    c_out: int
    groups: int
    stride: tuple
    padding: tuple  # (top, bottom, left, right) of the forward convolution
    output_padding: tuple
    dilation: tuple
    out_h: int
    out_w: int

    @property
    def effective_kernel(self):
        """``(k̂h, k̂w)``: the kernel's extent once dilated, ``d·(k − 1) + 1``."""
        (dr, dc), (kh, kw) = self.dilation, (self.kh, self.kw)
        return effective_kernel(kh, dr), effective_kernel(kw, dc)

    @property
    def sweep_pads(self):
        """Padding of the dilated input before the stride-1 sweep (negative = crop).

        ``k̂ − 1 − p`` on each side, plus ``output_padding`` at the bottom/right.
        """
        (ekh, ekw), (top, bottom, left, right) = self.effective_kernel, self.padding
        oph, opw = self.output_padding
        return (ekh - 1 - top, ekh - 1 - bottom + oph, ekw - 1 - left, ekw - 1 - right + opw)

    @property
    def full_size(self):
        """``(h, w)`` of the uncropped transposed result: ``s·(i − 1) + k̂``."""
        (sr, sc), (ekh, ekw) = self.stride, self.effective_kernel
        return sr * (self.h - 1) + ekh, sc * (self.w - 1) + ekw


class CheckedArguments(NamedTuple):
    """The arguments of one call once checked: what :func:`transpose_geometry` and :func:`conv_geometry` return.

    Attributes
    ----------
    X : ndarray, shape (n, h, w, c_in)
        The input in NHWC, in the common floating dtype.
    W : ndarray, shape (kh, kw, ·, ·)
        The kernel in the same dtype.
    bias : ndarray, shape (c_out,), or None
    image : bool
        Whether ``X`` was a 2-D image (the result goes back to 2-D).
    geometry : Geometry
        Every size of the call.

    Examples
    --------
    >>> import numpy as np
    >>> checked = transpose_geometry(
    ...     np.ones((3, 3), int), np.ones((2, 2)), stride=2, padding=0, output_padding=0, dilation=1,
    ...     groups=1, bias=None)
    >>> checked.X.shape, checked.X.dtype, checked.image, (checked.geometry.out_h, checked.geometry.out_w)
    ((1, 3, 3, 1), dtype('float64'), True, (6, 6))
    """

    X: np.ndarray
    W: np.ndarray
    bias: object
    image: bool
    geometry: Geometry


def resolve_padding(padding, kernel, stride, dilation, output_padding=(0, 0)):
    """Turn ``padding`` (int, pair, 4-tuple, ``"valid"``, ``"same"``) into a 4-tuple.

    Parameters
    ----------
    padding : int, (rows, cols), (top, bottom, left, right), "valid" or "same"
    kernel, stride, dilation : (int, int)
        Checked pairs.
    output_padding : (int, int), default (0, 0)
        Checked pair; ``"same"`` chooses it itself and requires ``(0, 0)``.

    Returns
    -------
    pads : (int, int, int, int)
        ``(top, bottom, left, right)``.
    output_padding : (int, int)

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
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0), output_padding
        if padding != "same":
            raise ParameterError(
                f"padding must be an int, a tuple, 'valid' or 'same', got {padding!r}", parameter="padding"
            )
        if output_padding != (0, 0):
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
    return as_padding(padding), output_padding


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
    (sr, sc), (dr, dc) = geo.stride, geo.dilation
    cells, base = geo.out_h * geo.out_w, 4 * geo.h * geo.w * geo.kh * geo.kw
    if transposed and max(sr, sc) > 1 and cells > base * dr * dc:
        return "stride"
    if max(dr, dc) > 1 and cells > base * max(sr, sc) ** 2:
        return "dilation"
    return "X"


def _check_output_size(geo, transposed):
    """Refuse an output larger than :data:`MAX_OUTPUT_ELEMENTS`, before anything is allocated."""
    count = geo.n * geo.out_h * geo.out_w * geo.c_out
    if count > MAX_OUTPUT_ELEMENTS:
        raise ParameterError(
            f"the output would have {count:,} elements (n·out_h·out_w·c_out = "
            f"{geo.n}·{geo.out_h}·{geo.out_w}·{geo.c_out}), more than MAX_OUTPUT_ELEMENTS = {MAX_OUTPUT_ELEMENTS:,}",
            parameter=blame_size(geo, transposed),
        )


def _conv_same_padding(size, kernel, stride, dilation):
    """``(top, bottom, left, right)`` for an output of ``⌈i / s⌉`` (the odd one at the bottom/right)."""
    pads = []
    for i, k, s, d in zip(size, kernel, stride, dilation):
        total = max((-(-i // s) - 1) * s + effective_kernel(k, d) - i, 0)
        pads += [total // 2, total - total // 2]
    return tuple(pads)


def _check_channels(X, W, groups, grouped_axis):
    """``grouped_axis`` is 3 for a transposed kernel ``(kh, kw, c_in, c_out/g)``, 2 for a forward one."""
    c_in = X.shape[3]
    if c_in % groups:
        raise ParameterError(f"groups={groups} must divide the input channels, got c_in={c_in}", parameter="groups")
    expected = c_in if grouped_axis == 3 else c_in // groups
    if W.shape[2] != expected:
        layout = "(kh, kw, c_in, c_out // groups)" if grouped_axis == 3 else "(kh, kw, c_in // groups, c_out)"
        raise ParameterError(
            f"W must be {layout} with {'c_in' if grouped_axis == 3 else 'c_in // groups'} = {expected} "
            f"to match X's {c_in} channels and groups={groups}, got W with shape {W.shape}",
            parameter="W",
        )
    c_out = W.shape[3] * groups if grouped_axis == 3 else W.shape[3]
    if grouped_axis == 2 and c_out % groups:
        raise ParameterError(f"groups={groups} must divide the output channels, got c_out={c_out}", parameter="groups")
    return c_in, c_out


def _checked(X, W, stride, padding, output_padding, dilation, groups, bias, transposed):
    """What :func:`transpose_geometry` and :func:`conv_geometry` share: one order of checks, one result."""
    X, W, bias, image = as_float_arrays(X, W, bias)
    stride = as_pair(stride, "stride", minimum=1)
    dilation = as_pair(dilation, "dilation", minimum=1)
    output_padding = as_pair(output_padding, "output_padding")
    groups = as_int(groups, "groups", minimum=1)
    c_in, c_out = _check_channels(X, W, groups, grouped_axis=3 if transposed else 2)
    if bias is not None and bias.shape != (c_out,):
        raise ParameterError(
            f"bias must have shape ({c_out},) (one per output channel), got {bias.shape}", parameter="bias"
        )
    n, h, w, _ = X.shape
    kernel = W.shape[:2]
    if transposed:
        pads, output_padding = resolve_padding(
            padding, kernel=kernel, stride=stride, dilation=dilation, output_padding=output_padding
        )
    elif isinstance(padding, str) and padding == "same":
        pads = _conv_same_padding((h, w), kernel=kernel, stride=stride, dilation=dilation)
    else:
        pads, _ = resolve_padding(padding, kernel=kernel, stride=stride, dilation=dilation)
    axes = zip((h, w), kernel, stride, (pads[:2], pads[2:]), output_padding, dilation)
    if transposed:
        out_h, out_w = (
            conv_transpose_output_size(i, k, stride=s, padding=p, output_padding=op, dilation=d)
            for i, k, s, p, op, d in axes
        )
    else:
        out_h, out_w = (conv_output_size(i, k, stride=s, padding=p, dilation=d) for i, k, s, p, _, d in axes)
    geometry = Geometry(
        n=n,
        h=h,
        w=w,
        c_in=c_in,
        kh=kernel[0],
        kw=kernel[1],
        c_out=c_out,
        groups=groups,
        stride=stride,
        padding=pads,
        output_padding=output_padding,
        dilation=dilation,
        out_h=out_h,
        out_w=out_w,
    )
    _check_output_size(geometry, transposed)
    return CheckedArguments(X=X, W=W, bias=bias, image=image, geometry=geometry)


def transpose_geometry(X, W, stride, padding, output_padding, dilation, groups, bias):
    """Check and resolve the arguments of a transposed convolution.

    Parameters
    ----------
    X, W, stride, padding, output_padding, dilation, groups, bias
        As in :func:`deconvlib.conv_transpose2d`; ``W`` is
        ``(kh, kw, c_in, c_out // groups)`` or ``(kh, kw)``.

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
    )


def conv_geometry(X, W, stride, padding, dilation, groups, bias):
    """Check and resolve the arguments of a forward convolution.

    Parameters
    ----------
    X, W, stride, padding, dilation, groups, bias
        As in :func:`deconvlib.conv2d`; ``W`` is ``(kh, kw, c_in // groups,
        c_out)`` or ``(kh, kw)``.

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
    )
