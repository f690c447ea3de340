"""One (transposed) convolution's parameters, checked and resolved into sizes, in 1, 2 or 3 dimensions.

:func:`transpose_geometry` and :func:`conv_geometry` are the single place where
the public functions turn user arguments into :class:`CheckedArguments`: arrays
channels last (NHWC in 2-D; ``(n, w, c)`` in 1-D, ``(n, d, h, w, c)`` in 3-D)
with a floating dtype, and a :class:`Geometry` with one integer per spatial
axis, padding as ``(before, after)`` per axis (``(top, bottom, left, right)``
in 2-D), and the output size. :func:`sizes_geometry` does the same for a
case given by its sizes alone (no array: the gallery's table, the animations,
``explain``), so every road from arguments to per-axis sizes passes here.

The number of spatial axes is called ``dims`` throughout the library.
"""

import math
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from ._validate import AXIS_NAMES, as_float_arrays, as_int, as_padding, as_pair, as_text, as_tuple, spatial_layout
from .arithmetic import axis_output, dilated_kernel
from .budget import ELEMENT_BYTES, check_memory, check_steps, check_work, get_budget
from .errors import ParameterError

__all__ = [
    "Geometry",
    "Axis",
    "CheckedArguments",
    "transpose_geometry",
    "conv_geometry",
    "sizes_geometry",
    "plane_sizes",
    "resolve_padding",
    "MAX_OUTPUT_ELEMENTS",  # noqa: F822  (a module __getattr__: it follows the budget)
]


def __getattr__(name):
    """``MAX_OUTPUT_ELEMENTS``: the float64 elements the memory budget holds (kept for code that read it)."""
    if name == "MAX_OUTPUT_ELEMENTS":
        return get_budget().memory // ELEMENT_BYTES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Axis(NamedTuple):
    """One spatial axis of a :class:`Geometry`: the numbers the guide's relationships read.

    Attributes
    ----------
    i, k, s, d : int
        Input size, kernel size, stride, dilation.
    before, after : int
        The forward convolution's padding on each side.
    a : int
        ``output_padding`` (0 for a forward convolution).

    See Also
    --------
    deconvlib.arithmetic.axis_output : The output size along it, ``axis_output(transposed, *axis)``.

    Examples
    --------
    >>> sizes_geometry(True, 3, 3, stride=2, padding=1, output_padding=1).axes[0]
    Axis(i=3, k=3, s=2, before=1, after=1, a=1, d=1)
    """

    i: int
    k: int
    s: int
    before: int
    after: int
    a: int
    d: int

    @property
    def leftover(self):
        """Cells a forward sweep's last window leaves at the end, ``(i + p_before + p_after − k̂) mod s``.

        The guide's ``a`` of the transposed twin: the ``output_padding`` that
        maps this axis's output back to exactly ``i`` (relationship 14).

        >>> Axis(i=6, k=3, s=2, before=1, after=1, a=0, d=1).leftover
        1
        """
        return (self.i + self.before + self.after - dilated_kernel(self.k, self.d)) % self.s


@dataclass(frozen=True)
class Geometry:
    """Sizes of one convolution in ``dims`` spatial dimensions: input, kernel, output.

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
    dims : int
        The number of spatial axes.
    axes : tuple of Axis
        The same sizes one axis at a time.
    h, w, kh, kw, out_h, out_w : int
        The 2-D names of ``size``, ``kernel`` and ``out`` (2-D only: the 2-D
        fast paths read them).

    See Also
    --------
    transpose_geometry, conv_geometry : Build one from a call's arguments.
    sizes_geometry : Build one from a case's sizes alone.

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
    def dims(self):
        """The number of spatial axes: 1, 2 or 3."""
        return len(self.size)

    def _two_d(self, values, index):
        if self.dims != 2:
            raise AttributeError(f"a {self.dims}-D geometry has no 2-D sizes: use size, kernel and out")
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
        return tuple(dilated_kernel(k, d) for k, d in zip(self.kernel, self.dilation))

    @property
    def axes(self):
        """The sizes one :class:`Axis` at a time: ``(rows, cols)`` in 2-D, ``(width,)`` in 1-D."""
        pads = zip(self.padding[::2], self.padding[1::2])
        return tuple(
            Axis(i=i, k=k, s=s, before=before, after=after, a=a, d=d)
            for i, k, s, (before, after), a, d in zip(
                self.size, self.kernel, self.stride, pads, self.output_padding, self.dilation
            )
        )

    def uncropped(self):
        """The same transposed convolution with ``padding`` and ``output_padding`` 0: its output is :attr:`full_size`.

        Examples
        --------
        >>> sizes_geometry(True, 3, 3, stride=2, padding=1, output_padding=1).uncropped().out
        (7, 7)
        """
        zeros = (0,) * self.dims
        return replace(self, padding=zeros * 2, output_padding=zeros, out=self.full_size)

    def plane(self):
        """This geometry in 2-D: a 1-D one as the ``1×w`` image it is drawn and traced as.

        The row axis is trivial (size, kernel, stride and dilation 1, no
        padding): the same numbers, one row. A 2-D geometry is returned as it is.

        Examples
        --------
        >>> geo = sizes_geometry(True, 5, 3, stride=2, padding=(0, 1), output_padding=1, dims=1)
        >>> plane = geo.plane()
        >>> plane.size, plane.kernel, plane.stride, plane.padding, plane.output_padding, plane.out
        ((1, 5), (1, 3), (1, 2), (0, 0, 0, 1), (0, 1), (1, 11))
        """
        if self.dims == 2:
            return self
        if self.dims != 1:
            raise ParameterError(f"a {self.dims}-D geometry has no one-row image", parameter="dims")
        return replace(
            self,
            size=(1, *self.size),
            kernel=(1, *self.kernel),
            stride=(1, *self.stride),
            padding=(0, 0, *self.padding),
            output_padding=(0, *self.output_padding),
            dilation=(1, *self.dilation),
            out=(1, *self.out),
        )

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
    dims = len(kernel)
    zeros = (0,) * dims
    output_padding = zeros if output_padding is None else output_padding
    padding = as_text(padding)
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
            crop = dilated_kernel(k, d) - s
            pads += [max(crop, 0) // 2, max(crop, 0) - max(crop, 0) // 2]
            extra.append(max(-crop, 0))
        return tuple(pads), tuple(extra)
    return as_padding(padding, dims=dims), output_padding


def blame_size(geo, transposed):
    """The parameter to name when the output of ``geo`` is too large.

    ``"stride"`` (or ``"dilation"``) when it alone makes the output many times
    larger than the input and kernel would; for a forward convolution,
    ``"padding"`` when the output has more cells than the input (only
    padding can do that); otherwise ``"X"`` (the input's size or batch).

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
    >>> blame_size(sizes_geometry(False, 3, 3, padding=200), transposed=False)
    'padding'
    """
    stride, dilation = max(geo.stride), max(geo.dilation)
    cells, base = math.prod(geo.out), 4 * math.prod(geo.size) * math.prod(geo.kernel)
    if transposed and stride > 1 and cells > base * math.prod(geo.dilation):
        return "stride"
    if dilation > 1 and cells > base * stride**geo.dims:
        return "dilation"
    if not transposed and cells > math.prod(geo.size):
        return "padding"
    return "X"


def _check_output_size(geo, transposed):
    """Refuse, before anything is allocated, a call past the budget (:mod:`deconvlib.budget`).

    Memory: the output and the grid swept to make it, together. The grid is
    the padded input of a forward convolution; for a transposed one, the
    larger of the uncropped result (``s·(i − 1) + k̂ + output_padding``) and the
    output widened by the dilated kernel (the naive method's padded grid),
    with the larger channel count. Work: one multiply-add per input (output,
    for a forward convolution) cell, kernel tap and pair of connected channels.
    Steps: one per kernel tap (the fast method's Python loops visit each).
    """
    names = "·".join(["n", *(f"out_{a}" for a in AXIS_NAMES[geo.dims]), "c_out"])
    values = "·".join(str(v) for v in (geo.n, *geo.out, geo.c_out))
    output = geo.n * math.prod(geo.out) * geo.c_out
    if transposed:
        grid = [
            max(f + a, o + ek - 1)
            for f, a, o, ek in zip(geo.full_size, geo.output_padding, geo.out, geo.effective_kernel)
        ]
        grid_blame = blame_size(geo.uncropped(), transposed)
    else:
        grid = [i + before + after for i, before, after in zip(geo.size, geo.padding[::2], geo.padding[1::2])]
        grid_blame = "padding" if math.prod(grid) > 2 * math.prod(geo.size) else "X"
    swept = geo.n * math.prod(grid) * max(geo.c_in, geo.c_out)
    blame = blame_size(geo, transposed) if output >= swept else grid_blame
    check_memory(
        output + swept,
        blame,
        f"the output ({names} = {values}) and the grid swept ({'×'.join(map(str, grid))}, "
        f"{max(geo.c_in, geo.c_out)} channel(s)) together",
    )
    cells = math.prod(geo.size if transposed else geo.out)
    taps = math.prod(geo.kernel)
    work = geo.n * cells * taps * geo.c_in * geo.c_out // geo.groups
    if not transposed and cells > math.prod(geo.size):
        blame = "padding"
    else:
        blame = "W" if taps * geo.c_out > geo.n * math.prod(geo.size) * geo.c_in else "X"
    check_work(work, blame, f"the convolution ({geo.n}·{cells} cells · {taps} taps · channels)")
    what = f"the fast method would visit the kernel's {taps:,} taps one by one"
    check_steps(taps, "W", what)  # deconvlib.fast: a few Python steps per tap


def _conv_same_padding(size, kernel, stride, dilation):
    """``(before, after)`` per axis for an output of ``⌈i / s⌉`` (the odd one at the end: bottom/right)."""
    pads = []
    for i, k, s, d in zip(size, kernel, stride, dilation):
        total = max((-(-i // s) - 1) * s + dilated_kernel(k, d) - i, 0)
        pads += [total // 2, total - total // 2]
    return tuple(pads)


def _check_channels(X, W, groups, transposed, dims):
    """``W`` is ``(k…, c_in, c_out / g)`` for a transposed convolution, ``(k…, c_in / g, c_out)`` for a forward one."""
    c_in = X.shape[-1]
    if c_in % groups:
        raise ParameterError(f"groups={groups} must divide the input channels, got c_in={c_in}", parameter="groups")
    expected = c_in if transposed else c_in // groups
    if W.shape[-2] != expected:
        kernel = spatial_layout(dims, "k", bare=True)
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


def _checked(X, W, stride, padding, output_padding, dilation, groups, bias, transposed, dims):
    """What :func:`transpose_geometry` and :func:`conv_geometry` share: one order of checks, one result."""
    X, W, bias, image = as_float_arrays(X, W, bias, dims=dims)
    stride = as_tuple(stride, "stride", dims, minimum=1)
    dilation = as_tuple(dilation, "dilation", dims, minimum=1)
    output_padding = as_tuple(output_padding, "output_padding", dims)
    groups = as_int(groups, "groups", minimum=1)
    c_in, c_out = _check_channels(X, W, groups, transposed=transposed, dims=dims)
    if bias is not None and bias.shape != (c_out,):
        raise ParameterError(
            f"bias must have shape ({c_out},) (one per output channel), got {bias.shape}", parameter="bias"
        )
    n, size, kernel = X.shape[0], X.shape[1:-1], W.shape[:-2]
    padding = as_text(padding)
    if transposed:
        pads, output_padding = resolve_padding(
            padding, kernel=kernel, stride=stride, dilation=dilation, output_padding=output_padding
        )
    elif isinstance(padding, str) and padding == "same":
        pads = _conv_same_padding(size, kernel=kernel, stride=stride, dilation=dilation)
    else:
        pads, _ = resolve_padding(padding, kernel=kernel, stride=stride, dilation=dilation)
    geometry = _resolved(transposed, n, size, c_in, kernel, c_out, groups, stride, pads, output_padding, dilation)
    _check_output_size(geometry, transposed)
    return CheckedArguments(X=X, W=W, bias=bias, image=image, geometry=geometry)


def _resolved(transposed, n, size, c_in, kernel, c_out, groups, stride, pads, output_padding, dilation):
    """The :class:`Geometry` of checked sizes: the output size of each axis in turn (:func:`axis_output`)."""
    axes = zip(size, kernel, stride, pads[::2], pads[1::2], output_padding, dilation)
    out = tuple(axis_output(transposed, *axis) for axis in axes)
    return Geometry(
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


def transpose_geometry(X, W, stride, padding, output_padding, dilation, groups, bias, dims=2):
    """Check and resolve the arguments of a transposed convolution.

    Parameters
    ----------
    X, W, stride, padding, output_padding, dilation, groups, bias
        As in :func:`deconvlib.conv_transpose2d`; ``W`` is
        ``(kh, kw, c_in, c_out // groups)`` or ``(kh, kw)``.
    dims : {1, 2, 3}, default 2
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
        Last, an output (or the grid swept to make it) past the memory budget
        (:mod:`deconvlib.budget`), naming ``"stride"``, ``"dilation"``,
        ``"padding"`` or ``"X"`` (see :func:`blame_size`).
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
    ...                          dilation=1, groups=1, bias=None, dims=1).geometry
    >>> geo.size, geo.padding, geo.out, geo.c_out
    ((5,), (0, 1), (11,), 4)
    """
    return _checked(X, W, stride, padding, output_padding, dilation, groups, bias, transposed=True, dims=dims)


def conv_geometry(X, W, stride, padding, dilation, groups, bias, dims=2):
    """Check and resolve the arguments of a forward convolution.

    Parameters
    ----------
    X, W, stride, padding, dilation, groups, bias
        As in :func:`deconvlib.conv2d`; ``W`` is ``(kh, kw, c_in // groups,
        c_out)`` or ``(kh, kw)``.
    dims : {1, 2, 3}, default 2
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
        would be empty; last, an output or a padded input past the memory
        budget (:mod:`deconvlib.budget`), naming ``"padding"`` or ``"X"``.
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
    return _checked(X, W, stride, padding, 0, dilation, groups, bias, transposed=False, dims=dims)


def plane_sizes(dims, input_size, kernel_size, stride, padding, output_padding, dilation):
    """A case's sizes in 2-D: a 1-D case as the one-row image it is drawn and traced as.

    A 1-D convolution of a width-``w`` signal is the 2-D convolution of the
    ``1×w`` image with a ``1×k`` kernel, stride ``(1, s)``, no padding on the
    rows: the same numbers, one row.

    Parameters
    ----------
    dims : {1, 2}
    input_size, kernel_size, stride, output_padding, dilation : int, or (int,) in 1-D
    padding : int, or ``(left, right)`` in 1-D

    Returns
    -------
    dict
        ``input_size``, ``kernel_size``, ``stride``, ``padding``,
        ``output_padding``, ``dilation`` in 2-D (unchanged when ``dims`` is 2).

    Raises
    ------
    ParameterError
        For a ``dims`` other than 1 or 2, or a 1-D size given as two numbers,
        naming the parameter.

    See Also
    --------
    Geometry.plane : The same for a resolved geometry.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285: its relationships hold per axis, so a 1-D
    case is the 2-D one with a trivial row axis.

    Examples
    --------
    >>> plane = plane_sizes(1, 5, 3, 2, (0, 1), 1, 1)
    >>> plane["input_size"], plane["kernel_size"], plane["stride"], plane["padding"], plane["output_padding"]
    ((1, 5), (1, 3), (1, 2), (0, 0, 0, 1), (0, 1))
    """
    names = ("input_size", "kernel_size", "stride", "padding", "output_padding", "dilation")
    sizes = dict(zip(names, (input_size, kernel_size, stride, padding, output_padding, dilation)))
    if isinstance(dims, bool) or dims not in (1, 2):
        raise ParameterError(f"dims must be 1 or 2, got {dims!r}", parameter="dims")
    if dims == 2:
        return sizes
    plane = {}
    for name, value in sizes.items():
        words = name.replace("_size", " size")
        if name == "padding":
            plane[name] = (0, 0, *as_padding(value, "padding", dims=1))
        else:
            if isinstance(value, (tuple, list)) and len(value) != 1:
                raise ParameterError(f"in 1-D, {words} must be one integer, got {value!r}", parameter=name)
            (number,) = as_tuple(value, words, 1, minimum=0)
            plane[name] = (0 if name == "output_padding" else 1, number)
    return plane


def case_axes(input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1, dims=2):
    """A case's sizes checked and split per axis, not yet resolved: ``(rows, cols)``, ``(width,)`` in 1-D.

    Parameters
    ----------
    input_size, kernel_size, stride, output_padding, dilation : int or (int, int)
        In 1-D, one integer each.
    padding : int, (rows, cols) or (top, bottom, left, right)
        In 1-D ``p`` or ``(left, right)``.
    dims : {2, 1}, default 2

    Returns
    -------
    tuple of Axis

    Raises
    ------
    ParameterError
        For a bad parameter, in the order of the signature (padding first);
        the sizes are not checked against each other (:func:`sizes_geometry` does).

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285: the numbers its relationships read, per axis.

    Examples
    --------
    >>> rows, cols = case_axes((3, 4), 3, 2, (1, 0, 0, 0), 1, 1)
    >>> rows.i, rows.before, rows.after, cols.i, cols.before
    (3, 1, 0, 4, 0)
    >>> case_axes(5, 3, 2, dims=1)
    (Axis(i=5, k=3, s=2, before=0, after=0, a=0, d=1),)
    """
    plane = plane_sizes(dims, input_size, kernel_size, stride, padding, output_padding, dilation)
    pads = as_padding(plane["padding"])
    axes = tuple(
        Axis(i=i, k=k, s=s, before=before, after=after, a=a, d=d)
        for i, k, s, (before, after), a, d in zip(
            as_pair(plane["input_size"], "input size", minimum=1),
            as_pair(plane["kernel_size"], "kernel size", minimum=1),
            as_pair(plane["stride"], "stride", minimum=1),
            (pads[:2], pads[2:]),
            as_pair(plane["output_padding"], "output_padding"),
            as_pair(plane["dilation"], "dilation", minimum=1),
        )
    )
    return axes if dims == 2 else axes[1:]  # in 1-D the one-row image's row axis is trivial: the columns


def sizes_geometry(
    transposed=False, input_size=4, kernel_size=3, stride=1, padding=0, output_padding=0, dilation=1, dims=2
):
    """Check and resolve a case given by its sizes alone: one image, one channel, no array.

    Parameters
    ----------
    transposed : bool, default False
    input_size, kernel_size, stride, output_padding, dilation : int or (int, int)
        In 1-D, one integer each.
    padding : int, (rows, cols) or (top, bottom, left, right)
        The forward convolution's padding; in 1-D ``p`` or ``(left, right)``.
    dims : {2, 1}, default 2

    Returns
    -------
    Geometry
        ``n``, ``c_in``, ``c_out`` and ``groups`` 1; one axis in 1-D (its
        :meth:`Geometry.plane` is the one-row image's).

    Raises
    ------
    ParameterError
        Naming the first bad parameter (:func:`case_axes`, then each axis's
        output in turn, :func:`~deconvlib.arithmetic.axis_output`);
        ``"output_padding"`` for a forward case with ``output_padding``.

    See Also
    --------
    transpose_geometry, conv_geometry : The same from a call's arrays.

    Notes
    -----
    Per axis, forward ``o = ⌊(i + p_before + p_after − k̂) / s⌋ + 1``,
    transposed ``o = s·(i − 1) + k̂ − p_before − p_after + a``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 1–15.

    Examples
    --------
    >>> sizes_geometry(True, 3, 3, stride=2, padding=1, output_padding=1).out
    (6, 6)
    >>> geo = sizes_geometry(True, 5, 3, stride=2, dims=1)
    >>> geo.size, geo.out
    ((5,), (11,))
    """
    axes = case_axes(input_size, kernel_size, stride, padding, output_padding, dilation, dims)
    i, k, s, before, after, a, d = zip(*axes)
    pads = tuple(p for pair in zip(before, after) for p in pair)
    return _resolved(transposed, 1, i, 1, k, 1, 1, s, pads, a, d)
