"""1-D and 3-D convolutions through the 2-D fast kernels of :mod:`deconvlib.fast`.

The algorithm is the same on every axis, so the fast kernels are written once,
in 2-D, and the other dimensions fold into them:

- **1-D**: a signal ``(n, w, c)`` is a one-row image ``(n, 1, w, c)`` and its
  kernel a one-row kernel; stride, padding and dilation are 1, 0 and 1 on the
  added axis.
- **3-D**: the depth axis is split the way :mod:`deconvlib.fast` splits rows.
  A forward convolution's output slice ``z`` reads input slices
  ``z·s + a·d − p`` for the depth taps ``a``; a transposed convolution's
  output slices ``p, p + s, p + 2s, …`` (one depth phase) read input slices
  at one fixed shift per tap. Either way, the slices a depth tap reads are
  put side by side along the channels (zeros where they leave the input),
  the taps' 2-D kernels stacked to match, and one 2-D convolution with depth
  folded into the batch computes them all: the sum over depth taps happens
  inside its matrix product, not in added copies of the output.

Groups stay groups: the stacked channels are ordered ``(group, tap, channel)``
so that each group's channels are contiguous.
"""

from dataclasses import replace

import numpy as np

from .fast import axis_phases, conv_fast, conv_transpose_fast, phase_length, span

__all__ = ["conv_transpose_nd", "conv_nd"]


def _slices(geo, n):
    """The 2-D geometry of one depth slice of a 3-D ``geo``, with a batch of ``n``."""
    return replace(
        geo,
        n=n,
        size=geo.size[1:],
        kernel=geo.kernel[1:],
        stride=geo.stride[1:],
        padding=geo.padding[2:],
        output_padding=geo.output_padding[1:],
        dilation=geo.dilation[1:],
        out=geo.out[1:],
    )


def _stack(X, length, reads, groups):
    """``(n, length, h, w, groups·taps·gi)``: slice ``z`` holds, per tap, input slice ``z·step + start``.

    ``reads`` is ``[(start, step), …]`` per tap; a slice outside ``X`` reads zeros.
    """
    n, depth, h, w, c_in = X.shape
    gi = c_in // groups
    stacked = np.zeros((n, length, h, w, groups, len(reads), gi), X.dtype)
    for t, (start, step) in enumerate(reads):
        z0, z1 = span(depth, step, start, length)  # the z whose slice z·step + start is in X
        if z0 < z1:
            first = z0 * step + start
            stacked[:, z0:z1, :, :, :, t] = X[:, first : first + (z1 - z0 - 1) * step + 1 : step].reshape(
                n, z1 - z0, h, w, groups, gi
            )
    return stacked.reshape(n * length, h, w, -1)


def conv_transpose_nd(X, W, geo):
    """``method="fast"`` of a transposed convolution in 1, 2 or 3 dimensions, on checked arguments.

    Parameters
    ----------
    X : ndarray, shape (n, …, c_in)
        Channels last, as :func:`deconvlib.geometry.transpose_geometry` returns it.
    W : ndarray, shape (k…, c_in, c_out // groups)
    geo : deconvlib.geometry.Geometry

    Returns
    -------
    ndarray, shape (n, out…, c_out)

    Examples
    --------
    >>> from deconvlib.geometry import transpose_geometry
    >>> X, W, _, _, geo = transpose_geometry(np.ones((1, 3, 1)), np.ones((3, 1, 1)), stride=2, padding=0,
    ...                                      output_padding=0, dilation=1, groups=1, bias=None, dims=1)
    >>> conv_transpose_nd(X, W, geo)[0, :, 0]
    array([1., 1., 2., 1., 2., 1., 1.])
    """
    if geo.dims == 2:
        return conv_transpose_fast(X, W, geo)
    if geo.dims == 1:
        return conv_transpose_fast(X[:, None], W[None], geo.plane())[:, 0]
    s, G = geo.stride[0], geo.groups
    gi, go = geo.c_in // G, geo.c_out // G
    # output depth phase p (slices p, p + s, …) ← [(tap, shift)]: slice zz of the phase reads zz − shift
    depth_phases = axis_phases(geo, 0)
    out = (np.empty if len(depth_phases) == min(s, geo.out[0]) else np.zeros)((geo.n, *geo.out, geo.c_out), X.dtype)
    for p, taps in depth_phases.items():
        length = phase_length(p, s, geo.out[0])  # slices p, p + s, … below out_d
        stacked = _stack(X, length, [(-shift, 1) for _, shift in taps], groups=G)
        # rows (group, tap, channel) of the stacked kernel, as the stacked input's channels
        kernel = W[[a for a, _ in taps]].reshape(len(taps), *geo.kernel[1:], G, gi, go)
        kernel = kernel.transpose(1, 2, 3, 0, 4, 5).reshape(*geo.kernel[1:], G * len(taps) * gi, go)
        part = conv_transpose_fast(stacked, kernel, replace(_slices(geo, geo.n * length), c_in=G * len(taps) * gi))
        part = part.reshape(geo.n, length, *geo.out[1:], geo.c_out)
        if length == geo.out[0]:
            return part  # one phase is the whole output (stride 1): no copy
        out[:, p::s] = part
    return out


def conv_nd(X, W, geo):
    """A forward convolution in 1, 2 or 3 dimensions, on checked arguments.

    Parameters
    ----------
    X : ndarray, shape (n, …, c_in)
        Channels last, as :func:`deconvlib.geometry.conv_geometry` returns it.
    W : ndarray, shape (k…, c_in // groups, c_out)
    geo : deconvlib.geometry.Geometry

    Returns
    -------
    ndarray, shape (n, out…, c_out)

    Examples
    --------
    >>> from deconvlib.geometry import conv_geometry
    >>> X, W, _, _, geo = conv_geometry(np.arange(5.0)[None, :, None], np.ones((2, 1, 1)), stride=2, padding=0,
    ...                                 dilation=1, groups=1, bias=None, dims=1)
    >>> conv_nd(X, W, geo)[0, :, 0]
    array([1., 5.])
    """
    if geo.dims == 2:
        return conv_fast(X, W, geo)
    if geo.dims == 1:
        return conv_fast(X[:, None], W[None], geo.plane())[:, 0]
    (s, d, before), depth, G, length = (
        (geo.stride[0], geo.dilation[0], geo.padding[0]),
        geo.size[0],
        geo.groups,
        geo.out[0],
    )
    spans = {a: span(depth, s, a * d - before, length) for a in range(geo.kernel[0])}
    taps = [a for a, (z0, z1) in spans.items() if z0 < z1]  # the depth taps that read some slice
    if not taps:
        return np.zeros((geo.n, *geo.out, geo.c_out), X.dtype)
    stacked = _stack(X, length, [(a * d - before, s) for a in taps], groups=G)
    gi = geo.c_in // G
    kernel = W[taps].transpose(1, 2, 0, 3, 4).reshape(*geo.kernel[1:], len(taps) * gi, geo.c_out)  # rows (tap, channel)
    part = conv_fast(stacked, kernel, replace(_slices(geo, geo.n * length), c_in=G * len(taps) * gi))
    return part.reshape(geo.n, *geo.out, geo.c_out)
