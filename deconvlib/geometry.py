"""One (transposed) convolution's parameters, checked and resolved into sizes.

:func:`transpose_geometry` and :func:`conv_geometry` are the single place where
the public functions turn user arguments into a :class:`Geometry`: arrays in
NHWC with a floating dtype, integer pairs, padding as ``(top, bottom, left,
right)``, and the output size.
"""

from dataclasses import dataclass

from ._validate import as_float_arrays, as_int, as_padding, as_pair
from .arithmetic import conv_output_size, conv_transpose_output_size
from .errors import ParameterError

__all__ = ["Geometry", "transpose_geometry", "conv_geometry", "resolve_padding"]


@dataclass(frozen=True)
class Geometry:
    """Sizes of one convolution: input ``(n, h, w, c_in)``, kernel, output ``(out_h, out_w)``.

    >>> import numpy as np
    >>> geo = transpose_geometry(np.ones((3, 3)), np.ones((3, 3)), 2, 1, 1, 1, 1, None)[-1]
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
        """``(k̂h, k̂w)``: the kernel's extent once dilated."""
        (dr, dc), (kh, kw) = self.dilation, (self.kh, self.kw)
        return dr * (kh - 1) + 1, dc * (kw - 1) + 1

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


def resolve_padding(padding, kernel, stride, dilation, output_padding=(0, 0)):
    """Turn ``padding`` (int, pair, 4-tuple, ``"valid"``, ``"same"``) into a 4-tuple.

    Returns ``(pads, output_padding)``. For a transposed convolution ``"same"``
    means the output is ``input × stride`` (Keras): the total crop is
    ``k̂ − s``, the odd one at the bottom/right; when ``k̂ < s`` there is no crop
    and ``output_padding = s − k̂`` instead. (A forward convolution's
    ``"same"`` depends on the input size: :func:`conv_geometry` resolves it.)

    >>> resolve_padding("same", (4, 3), (2, 2), (1, 1))
    ((1, 1, 0, 1), (0, 0))
    >>> resolve_padding("same", (1, 1), (2, 2), (1, 1))
    ((0, 0, 0, 0), (1, 1))
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
            crop = d * (k - 1) + 1 - s
            pads += [max(crop, 0) // 2, max(crop, 0) - max(crop, 0) // 2]
            extra.append(max(-crop, 0))
        return tuple(pads), tuple(extra)
    return as_padding(padding), output_padding


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


def _check_bias(bias, c_out):
    if bias is not None and bias.shape != (c_out,):
        raise ParameterError(
            f"bias must have shape ({c_out},) (one per output channel), got {bias.shape}", parameter="bias"
        )


def transpose_geometry(X, W, stride, padding, output_padding, dilation, groups, bias):
    """Check and resolve the arguments of a transposed convolution.

    Returns ``(X, W, bias, image, geometry)`` with ``X`` NHWC and ``W``
    ``(kh, kw, c_in, c_out // groups)`` in one floating dtype; ``image`` says
    that ``X`` was 2-D.

    >>> import numpy as np
    >>> X, W, bias, image, geo = transpose_geometry(
    ...     np.ones((2, 4, 4, 6), np.float32), np.ones((3, 3, 6, 2)), 2, "same", 0, 1, 3, None)
    >>> X.dtype, W.shape, image, geo.padding, geo.output_padding, (geo.out_h, geo.c_out)
    (dtype('float64'), (3, 3, 6, 2), False, (0, 1, 0, 1), (0, 0), (8, 6))
    """
    X, W, bias, image = as_float_arrays(X, W, bias)
    stride = as_pair(stride, "stride", minimum=1)
    dilation = as_pair(dilation, "dilation", minimum=1)
    output_padding = as_pair(output_padding, "output_padding")
    groups = as_int(groups, "groups", minimum=1)
    c_in, c_out = _check_channels(X, W, groups, grouped_axis=3)
    _check_bias(bias, c_out)
    n, h, w, _ = X.shape
    kh, kw = W.shape[:2]
    pads, output_padding = resolve_padding(padding, (kh, kw), stride, dilation, output_padding)
    out = [
        conv_transpose_output_size(i, k, s, p, op, d)
        for i, k, s, p, op, d in zip((h, w), (kh, kw), stride, (pads[:2], pads[2:]), output_padding, dilation)
    ]
    geometry = Geometry(n, h, w, c_in, kh, kw, c_out, groups, stride, pads, output_padding, dilation, *out)
    return X, W, bias, image, geometry


def conv_geometry(X, W, stride, padding, dilation, groups, bias):
    """Check and resolve the arguments of a forward convolution.

    ``W`` is ``(kh, kw, c_in // groups, c_out)``. ``padding="same"`` gives an
    output of ``⌈input / stride⌉`` (the odd padding row/column at the
    bottom/right, as TensorFlow and Keras do). Returns ``(X, W, bias, image,
    geometry)``.

    >>> import numpy as np
    >>> geo = conv_geometry(np.ones((1, 5, 6, 2)), np.ones((3, 3, 2, 4)), 2, "same", 1, 1, None)[-1]
    >>> geo.padding, (geo.out_h, geo.out_w, geo.c_out)
    ((1, 1, 0, 1), (3, 3, 4))
    """
    X, W, bias, image = as_float_arrays(X, W, bias)
    stride = as_pair(stride, "stride", minimum=1)
    dilation = as_pair(dilation, "dilation", minimum=1)
    groups = as_int(groups, "groups", minimum=1)
    c_in, c_out = _check_channels(X, W, groups, grouped_axis=2)
    _check_bias(bias, c_out)
    n, h, w, _ = X.shape
    kh, kw = W.shape[:2]
    if isinstance(padding, str) and padding == "same":
        pads = []
        for i, k, s, d in zip((h, w), (kh, kw), stride, dilation):
            total = max((-(-i // s) - 1) * s + d * (k - 1) + 1 - i, 0)
            pads += [total // 2, total - total // 2]
        pads = tuple(pads)
    else:
        pads, _ = resolve_padding(padding, (kh, kw), stride, dilation)
    out = [
        conv_output_size(i, k, s, p, d)
        for i, k, s, p, d in zip((h, w), (kh, kw), stride, (pads[:2], pads[2:]), dilation)
    ]
    geometry = Geometry(n, h, w, c_in, kh, kw, c_out, groups, stride, pads, (0, 0), dilation, *out)
    return X, W, bias, image, geometry
