"""A stack's convolution arithmetic, layer by layer: shapes, stages, overlap, round trips, fixes.

Every number here comes from the library's one-layer arithmetic
(:func:`~deconvlib.conv_output_size`, :func:`~deconvlib.conv_transpose_output_size`,
:func:`~deconvlib.pool_output_size`, :func:`~deconvlib.overlap.overlap_pattern`,
:func:`~deconvlib.transpose_padding_for`) applied to each layer in turn; the
overlap map is computed by pushing a constant input through the stack with
the library's own convolutions and pooling, never estimated.
"""

import math
from dataclasses import replace

import numpy as np

from ..arithmetic import conv_output_size, conv_transpose_output_size, effective_kernel, transpose_padding_for
from ..conv import conv1d, conv2d, conv3d
from ..errors import ParameterError
from ..overlap import overlap_pattern
from ..pooling import avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool2d, max_pool3d, pool_output_size
from ..transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d
from .layers import layer_name

__all__ = [
    "resolved",
    "layer_output",
    "stack_shapes",
    "stages",
    "overlap_axes",
    "overlap_map",
    "round_trip",
    "round_trip_sizes",
    "fix_for_target",
]

_CONV_T = {1: conv_transpose1d, 2: conv_transpose2d, 3: conv_transpose3d}
_CONV = {1: conv1d, 2: conv2d, 3: conv3d}
_POOL = {
    ("max", 1): max_pool1d,
    ("max", 2): max_pool2d,
    ("max", 3): max_pool3d,
    ("avg", 1): avg_pool1d,
    ("avg", 2): avg_pool2d,
    ("avg", 3): avg_pool3d,
}


def resolved(spec, spatial):
    """The layer with its padding in numbers for this input size (a ``"same"`` rule, an ``output_shape``).

    ``"same"`` (``SAME_UPPER``) puts an odd cell of padding at the end,
    ``"same_lower"`` at the start. A forward layer pads
    ``max((⌈i / s⌉ − 1)·s + k̂ − i, 0)`` in all, so that it gives ``⌈i / s⌉``;
    a transposed one crops ``s·(i − 1) + k̂ + output_padding − o`` for the
    output ``o``: ``i·s`` for ``"same"``, or its ``output_shape``.

    Examples
    --------
    >>> from deconvlib.doctor.layers import parse_layers
    >>> resolved(parse_layers([{"kind": "conv", "kernel": 3, "stride": 2, "padding": "same"}], 1)[0], (6,)).padding
    ((0, 1),)
    >>> up = {"kind": "conv_transpose", "kernel": 3, "stride": 2, "padding": "same_lower", "output_shape": 8}
    >>> resolved(parse_layers([up], 1)[0], (4,)).padding
    ((1, 0),)
    """
    if not isinstance(spec.padding, str) and spec.output_shape is None:
        return spec
    lower = spec.padding == "same_lower"
    pads, extra = [], [0] * spec.dims
    for axis, i in enumerate(spatial):
        k, s, d = spec.kernel[axis], spec.stride[axis], spec.dilation[axis]
        kk = effective_kernel(k, d)
        if spec.kind == "conv_transpose":
            out = spec.output_shape[axis] if spec.output_shape is not None else i * s
            total = s * (i - 1) + kk + spec.output_padding[axis] - out
            if total < 0:  # ONNX lets output_shape ask for more than the full result: cells added at the end
                extra[axis] = -total
                total = 0
        else:
            total = max((-(-i // s) - 1) * s + kk - i, 0)
        small = total // 2
        pads.append((total - small, small) if lower else (small, total - small))
    output_padding = tuple(op + e for op, e in zip(spec.output_padding, extra))
    return replace(spec, padding=tuple(pads), output_padding=output_padding, output_shape=None)


def _other_size(spec, axis, i):
    """One axis of an ``upsample``, ``pad`` or ``crop`` layer (PyTorch's rules for what it refuses)."""
    if spec.kind == "upsample":
        if spec.size is not None:
            return spec.size[axis]
        o = math.floor(i * spec.scale[axis])
        if o < 1:
            raise ParameterError(f"the output would be empty: {i} times {spec.scale[axis]} is below 1", "scale")
        return o
    if spec.kind == "pad":
        b, a = spec.padding[axis]
        if spec.framework == "onnx":  # ONNX's reference pads as numpy.pad does, past the input's size too
            return b + i + a
        if spec.mode == "reflect" and max(b, a) >= i:
            raise ParameterError(f"reflect padding must be smaller than the input size {i}, got {(b, a)}", "padding")
        if spec.mode == "circular" and max(b, a) > i:
            raise ParameterError(f"circular padding must be at most the input size {i}, got {(b, a)}", "padding")
        return b + i + a
    b, a = spec.crop[axis]
    if b + a >= i:
        raise ParameterError(f"cropping {(b, a)} leaves nothing of the input size {i}", "crop")
    return i - b - a


def _axis_size(spec, axis, i):
    if spec.kind in ("upsample", "pad", "crop"):
        return _other_size(spec, axis, i)
    k, s, (b, a), d = spec.kernel[axis], spec.stride[axis], spec.padding[axis], spec.dilation[axis]
    if spec.kind == "conv_transpose":
        op = spec.output_padding[axis]
        if op >= max(s, d):  # only from an ONNX output_shape past the full result (resolved): what it asks for
            return s * (i - 1) + effective_kernel(k, d) - b - a + op
        return conv_transpose_output_size(i, k, s, (b, a), op, d)
    if spec.kind == "conv":
        return conv_output_size(i, k, s, (b, a), d)
    if b == a:
        return pool_output_size(i, k, s, b, d, spec.ceil_mode)
    # asymmetric padding (ONNX's pads, Keras's 'same'): the same rule with b before and a after
    span = i + b + a - effective_kernel(k, d)
    o = (-(-span // s) if spec.ceil_mode else span // s) + 1
    if spec.ceil_mode and (o - 1) * s >= i + b:
        o -= 1
    if o < 1:
        raise ParameterError(
            f"the output would be empty: input size {i} padded by {(b, a)} is smaller than the window {k}", "input_size"
        )
    return o


def layer_output(spec, spatial, index=0):
    """The spatial size after one layer, or the error naming the layer and the field.

    Parameters
    ----------
    spec : LayerSpec
    spatial : tuple of int
    index : int
        The layer's place in the stack (for the message).

    Returns
    -------
    tuple of int

    Raises
    ------
    ParameterError
        ``parameter`` ``"layers[<index>].<field>"``: ``kernel`` for an empty
        output (the input is too small for the window), else the field the
        one-layer arithmetic named.

    Examples
    --------
    >>> from deconvlib.doctor.layers import parse_layers
    >>> layer_output(parse_layers([{"kind": "conv_transpose", "kernel": 4, "stride": 2, "padding": 1}], 2)[0], (4, 4))
    (8, 8)
    """
    out = []
    where = layer_name(index, spec.name)
    try:
        spec = resolved(spec, spatial)
    except ParameterError as error:
        raise ParameterError(f"{where}, {error.parameter}: {error}", f"layers[{index}].{error.parameter}") from None
    if (
        spec.framework == "torch"
        and spec.kind == "pool"
        and spec.mode == "avg"
        and spec.dims == 3
        and any(i < k for i, k in zip(spatial, spec.kernel))
    ):
        raise ParameterError(
            f"{where}, kernel: the window {spec.kernel} is larger than the input {tuple(spatial)} before padding "
            "(PyTorch's avg_pool3d refuses it)",
            f"layers[{index}].kernel",
        )
    for axis, i in enumerate(spatial):
        try:
            out.append(_axis_size(spec, axis, i))
        except ParameterError as error:
            field = "kernel" if error.parameter in ("input_size", "kernel_size") else error.parameter
            axis_text = f" (axis {axis}, input size {i})" if len(spatial) > 1 else f" (input size {i})"
            raise ParameterError(f"{where}, {field}: {error}{axis_text}", f"layers[{index}].{field}") from None
    return tuple(out)


def stack_shapes(specs, spatial, start=0):
    """The spatial sizes through the stack, the input first: ``len(specs) + 1`` tuples.

    ``start``: the first layer's place in the whole stack (for the messages).

    Examples
    --------
    >>> from deconvlib.doctor.layers import parse_layers
    >>> up = {"kind": "conv_transpose", "kernel": 4, "stride": 2, "padding": 1}
    >>> stack_shapes(parse_layers([up, dict(up, name="b")], 2), (4, 4))
    [(4, 4), (8, 8), (16, 16)]
    """
    sizes = [tuple(spatial)]
    for index, spec in enumerate(specs, start):
        sizes.append(layer_output(spec, sizes[-1], index))
    return sizes


def stages(spec, spatial):
    """The three stages of a transposed layer, in numbers, per axis.

    A transposed convolution is (1) insert ``s − 1`` zeros between the input
    cells, (2) pad both ends by ``k̂ − 1 − p`` (``k̂`` the dilated kernel) and
    slide the kernel, (3) where ``p > k̂ − 1`` that padding is negative: a crop.
    ``output_padding`` adds cells at the end.

    Parameters
    ----------
    spec : LayerSpec
    spatial : tuple of int
        The layer's input size.

    Returns
    -------
    list of dict
        Per axis: ``zeros`` (inserted in all), ``dilated`` (the size after
        stage 1), ``pad`` ``(before, after)`` (negative parts are crops),
        ``crop`` ``(before, after)``, ``full`` (the size before any crop,
        ``s·(i − 1) + k̂``), ``kept`` (``(start, stop)``: the slice of that
        full result the layer keeps, ``output_padding`` past its end),
        ``out``. A forward convolution or a pool has
        ``zeros`` 0 and its own padding.

    Examples
    --------
    >>> from deconvlib.doctor.layers import parse_layers
    >>> layer = {"kind": "conv_transpose", "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1}
    >>> spec = parse_layers([layer], 1)[0]
    >>> stages(spec, (4,))[0]
    {'zeros': 3, 'dilated': 7, 'pad': (1, 2), 'crop': (0, 0), 'full': 9, 'kept': (1, 9), 'out': 8}
    """
    spec = resolved(spec, spatial)
    result = []
    for axis, i in enumerate(spatial):
        k, s, (b, a), d = spec.kernel[axis], spec.stride[axis], spec.padding[axis], spec.dilation[axis]
        kk = effective_kernel(k, d)
        if spec.kind in ("upsample", "crop"):
            crop = spec.crop[axis] if spec.kind == "crop" else (0, 0)
            o = _axis_size(spec, axis, i)
            result.append(dict(zeros=0, dilated=i, pad=(0, 0), crop=crop, full=i, out=o))
        elif spec.kind == "conv_transpose":
            op = spec.output_padding[axis]
            pad = (kk - 1 - b, kk - 1 - a + op)
            result.append(
                dict(
                    zeros=(s - 1) * (i - 1),
                    dilated=s * (i - 1) + 1,
                    pad=pad,
                    crop=(max(0, -pad[0]), max(0, -pad[1])),
                    full=s * (i - 1) + kk,
                    kept=(b, s * (i - 1) + kk - a + op),
                    out=_axis_size(spec, axis, i),
                )
            )
        else:
            result.append(
                dict(zeros=0, dilated=i, pad=(b, a), crop=(0, 0), full=i + b + a, out=_axis_size(spec, axis, i))
            )
    return result


def overlap_axes(spec):
    """Per axis, one period of the overlap count of a transposed layer (``None`` for other layers).

    Kernel 3, stride 2 gives ``[2, 1]``: away from the borders the outputs
    take 2, 1, 2, 1, … kernel taps; a flat pattern (kernel divisible by
    stride) has no checkerboard.

    Examples
    --------
    >>> from deconvlib.doctor.layers import parse_layers
    >>> overlap_axes(parse_layers([{"kind": "conv_transpose", "kernel": (3, 4), "stride": 2}], 2)[0])
    [[2, 1], [2, 2]]
    """
    if spec.kind != "conv_transpose":
        return None
    return [overlap_pattern(k, s, d).tolist() for k, s, d in zip(spec.kernel, spec.stride, spec.dilation)]


def _resample_axis(X, axis, spec):
    """Upsample one axis as PyTorch's ``interpolate`` does (its index and weight rules, in float64)."""
    i = X.shape[axis]
    o = _other_size(spec, axis, i)
    scale = spec.scale[axis] if spec.scale is not None else None
    j = np.arange(o, dtype=np.float64)
    if spec.mode == "nearest":  # output cell j takes ⌊j / scale⌋ (scale: the given factor, else o / i)
        if o == i or o == 2 * i:  # PyTorch's two exact cases
            source = np.arange(o) // (o // i)
        else:  # and its single-precision rule for the others
            step = np.float32(1.0 / scale) if scale else np.float32(i) / np.float32(o)
            source = np.minimum(np.floor(np.arange(o, dtype=np.float32) * step).astype(int), i - 1)
        return np.take(X, source, axis=axis)
    if spec.align_corners:  # the corner cells' centres meet: j · (i − 1) / (o − 1)
        position = j * ((i - 1) / (o - 1) if o > 1 else 0.0)
    else:  # half-pixel centres, clamped at the first cell
        step = 1.0 / scale if scale else i / o
        position = np.maximum((j + 0.5) * step - 0.5, 0.0)
    low = np.minimum(np.floor(position).astype(int), i - 1)
    high = np.minimum(low + 1, i - 1)
    weight = (position - low).reshape([-1 if a == axis else 1 for a in range(X.ndim)])
    return np.take(X, low, axis=axis) * (1 - weight) + np.take(X, high, axis=axis) * weight


def _apply_other(spec, X):
    """An ``upsample``, ``pad`` or ``crop`` layer on the map."""
    for axis in range(X.ndim):
        _other_size(spec, axis, X.shape[axis])  # PyTorch's refusals first, naming the field
    if spec.kind == "upsample":
        for axis in range(X.ndim):
            X = _resample_axis(X, axis, spec)
        return X
    if spec.kind == "pad":
        if spec.mode == "constant":
            return np.pad(X, spec.padding, constant_values=spec.value)
        return np.pad(X, spec.padding, mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[spec.mode])
    return X[tuple(slice(b, n - a) for (b, a), n in zip(spec.crop, X.shape))]


def _apply_ones(spec, X):
    """One layer on a one-channel map, every kernel tap 1 (no bias)."""
    if spec.kind in ("upsample", "pad", "crop"):
        return _apply_other(spec, X)
    spec = resolved(spec, X.shape)
    dims = spec.dims
    symmetric = all(b == a for b, a in spec.padding)
    padding = tuple(b for b, _ in spec.padding) if symmetric else _pads_arg(spec.padding)
    if dims == 1 and symmetric:
        padding = padding[0]
    if spec.kind == "pool":  # a window over padding alone (−∞ for a maximum) is reached by nothing: 0
        pooled = _pool_ones(spec, X)
        return np.where(np.isfinite(pooled), pooled, 0.0)
    W = np.ones(spec.kernel)
    if spec.kind == "conv":
        return _CONV[dims](X, W, stride=spec.stride, padding=padding, dilation=spec.dilation)
    return _CONV_T[dims](
        X, W, stride=spec.stride, padding=padding, output_padding=spec.output_padding, dilation=spec.dilation
    )


def _pool_ones(spec, X):
    """A pool of the map: PyTorch's functions, or (asymmetric padding, larger than half the window:
    ONNX's and Keras's pools) the padding made explicit first."""
    f = _POOL[(spec.mode, spec.dims)]
    p = tuple(b for b, _ in spec.padding)
    plain = all(b == a and b <= k // 2 for (b, a), k in zip(spec.padding, spec.kernel))
    if plain and (spec.count_include_pad or not any(p)):
        if spec.mode == "max":
            return f(X, spec.kernel, spec.stride, p, spec.dilation, ceil_mode=spec.ceil_mode)
        return f(X, spec.kernel, spec.stride, p, ceil_mode=spec.ceil_mode)
    if plain and spec.mode == "avg":
        return f(X, spec.kernel, spec.stride, p, count_include_pad=False, ceil_mode=spec.ceil_mode)
    zeros = (0,) * spec.dims
    if spec.mode == "max":
        # the map is never negative: −1 in the padding is never a window's maximum unless it has nothing else
        padded = np.pad(X, spec.padding, constant_values=-1.0)
        return np.maximum(f(padded, spec.kernel, spec.stride, zeros, spec.dilation, ceil_mode=spec.ceil_mode), 0.0)
    window = int(np.prod(spec.kernel))
    sums = f(np.pad(X, spec.padding), spec.kernel, spec.stride, zeros, ceil_mode=spec.ceil_mode) * window
    if spec.count_include_pad:
        return sums / f(np.pad(np.ones_like(X), spec.padding, constant_values=1.0), spec.kernel, spec.stride,
                        zeros, ceil_mode=spec.ceil_mode) / window  # fmt: skip
    return sums / (
        f(np.pad(np.ones_like(X), spec.padding), spec.kernel, spec.stride, zeros, ceil_mode=spec.ceil_mode) * window
    )


def _pads_arg(pairs):
    """``((b0, a0), (b1, a1))`` as the library's flat padding: ``(b0, a0)`` in 1-D, ``(b0, a0, b1, a1)``."""
    return tuple(p for pair in pairs for p in pair)


def overlap_map(specs, spatial):
    """The stack's overlap map: a constant input of ones pushed through every layer, all kernel taps 1.

    For a stack of transposed layers each output cell holds the number of
    paths from the input to it: a flat map means no checkerboard; its
    pattern is the one the generator paints on a flat input. Forward
    convolutions sum their window, pools take its maximum or mean.

    The other layers act on the map as they act on an image: a nearest
    upsampling repeats each cell (a checkerboard of period ``p`` becomes one
    of period ``p·scale``, its contrast kept); a linear one blends each output
    cell from its two nearest input cells per axis (weights 3/4 and 1/4 for
    a factor 2), which lowers the contrast of a pattern without removing it
    (2, 1, 2, 1 upsampled ×2 becomes 1.75, 1.75, 1.25, 1.25: contrast 1.4
    instead of 2); a pad adds its
    ``value`` (zeros by default: cells that no input reaches) or copies the
    border (``reflect``, ``replicate``, ``circular``); a crop removes cells.

    Parameters
    ----------
    specs : list of LayerSpec
    spatial : tuple of int

    Returns
    -------
    ndarray, shape (*out_spatial,)

    Examples
    --------
    >>> from deconvlib.doctor.layers import parse_layers
    >>> overlap_map(parse_layers([{"kind": "conv_transpose", "kernel": 3, "stride": 2}], 1), (4,))
    array([1., 1., 2., 1., 2., 1., 2., 1., 1.])
    """
    X = np.ones(spatial)
    for spec in specs:
        X = _apply_ones(spec, X)
    return X


def round_trip(specs, spatial, pairs):
    """For each ``(encoder, decoder)`` pair of layer names: does the decoder's output size equal the encoder's input?

    Parameters
    ----------
    specs : list of LayerSpec
    spatial : tuple of int
    pairs : sequence of (str, str)

    Returns
    -------
    list of dict
        ``encoder``, ``decoder``, ``skip`` (the encoder layer's input size),
        ``up`` (the decoder layer's output size), ``ok``.

    Examples
    --------
    >>> from deconvlib.doctor.layers import parse_layers
    >>> specs = parse_layers([{"kind": "pool", "kernel": 2, "name": "down"},
    ...                       {"kind": "conv_transpose", "kernel": 2, "stride": 2, "name": "up"}], 2)
    >>> [r["ok"] for r in round_trip(specs, (5, 6), [("down", "up")])]
    [False]
    """
    sizes = stack_shapes(specs, spatial)
    where = {spec.name: index for index, spec in enumerate(specs)}
    found = []
    for encoder, decoder in pairs:
        for name in (encoder, decoder):
            if name not in where:
                raise ParameterError(f"pairs: no layer is named {name!r} (names: {', '.join(where)})", "pairs")
        skip, up = sizes[where[encoder]], sizes[where[decoder] + 1]
        found.append(dict(encoder=encoder, decoder=decoder, skip=skip, up=up, ok=skip == up))
    return found


def round_trip_sizes(specs, pairs, dims, up_to=256, axis=0):
    """The input sizes along one axis (the others alike) from 1 to ``up_to`` for which every pair round-trips.

    Examples
    --------
    >>> from deconvlib.doctor.layers import parse_layers
    >>> specs = parse_layers([{"kind": "pool", "kernel": 2, "name": "down"},
    ...                       {"kind": "conv_transpose", "kernel": 2, "stride": 2, "name": "up"}], 1)
    >>> round_trip_sizes(specs, [("down", "up")], 1, up_to=9)
    [2, 4, 6, 8]
    """
    good = []
    for size in range(1, up_to + 1):
        try:
            if all(r["ok"] for r in round_trip(specs, (size,) * dims, pairs)):
                good.append(size)
        except ParameterError as error:
            if error.parameter == "pairs":
                raise
    return good


def fix_for_target(specs, spatial, target):
    """What to change in the last transposed layer so that the stack ends at ``target``.

    The layers after the last transposed one are kept; the size that layer
    must give is found by trying every size up to four times the target. Then,
    per axis, :func:`~deconvlib.transpose_padding_for` gives the symmetric
    ``(padding, output_padding)``; when none exists, the explicit crop of the
    full result (``padding`` 0) is given instead.

    Parameters
    ----------
    specs : list of LayerSpec
    spatial : tuple of int
    target : tuple of int

    Returns
    -------
    dict
        ``layer`` (index), ``name``, ``size`` (what it must give), and per
        axis ``padding`` (None when a crop is needed: then ``padding`` 0),
        ``output_padding`` and ``crop`` ``(before, after)`` of the result
        (None when symmetric padding does it), ``reached`` (the stack's
        output with the fix, checked to be the target).

    Raises
    ------
    ParameterError
        ``"target"``: no transposed layer, or no size of that layer reaches the target.

    Examples
    --------
    >>> from deconvlib.doctor.layers import parse_layers
    >>> up = {"kind": "conv_transpose", "kernel": 3, "stride": 2}
    >>> fix = fix_for_target(parse_layers([up], 2), (32, 32), (64, 64))
    >>> fix["padding"], fix["output_padding"], fix["crop"], fix["reached"]
    ((1, 1), (1, 1), None, (64, 64))
    """
    target = tuple(target)
    if len(target) != len(spatial):
        raise ParameterError(f"target must have {len(spatial)} sizes (one per spatial axis), got {target}", "target")
    last = [i for i, spec in enumerate(specs) if spec.kind == "conv_transpose"]
    if not last:
        raise ParameterError("target: the stack has no transposed layer to adjust", "target")
    index = last[-1]
    spec = specs[index]
    sizes = stack_shapes(specs[:index], spatial)
    i = sizes[-1]
    rest = specs[index + 1 :]
    wanted = []
    for axis, t in enumerate(target):
        found = None
        for o in range(1, 4 * t + 8):
            try:
                if stack_shapes(rest, (o,) * len(spatial))[-1][axis] == t:
                    found = o
                    break
            except ParameterError:
                continue
        if found is None:
            raise ParameterError(
                f"target: no output of layer {index} ({spec.name!r}) makes the layers after it give {t}", "target"
            )
        wanted.append(found)
    padding, output_padding, crop = [], [], []
    symmetric = True
    for axis, o in enumerate(wanted):
        k, s, d = spec.kernel[axis], spec.stride[axis], spec.dilation[axis]
        try:
            p, op = transpose_padding_for(i[axis], k, o, s, d)
            padding.append(p)
            output_padding.append(op)
            crop.append(None)
        except ParameterError:
            symmetric = False
            full = s * (i[axis] - 1) + effective_kernel(k, d)
            if o > full:
                raise ParameterError(
                    f"target: layer {index} ({spec.name!r}) gives at most {full + max(s, d) - 1} on axis {axis}, "
                    f"and {o} is needed",
                    "target",
                ) from None
            excess = full - o
            padding.append(None)
            output_padding.append(None)
            crop.append((excess // 2, excess - excess // 2))
    fix = dict(layer=index, name=spec.name, size=tuple(wanted), input=i)
    if symmetric:
        fix.update(padding=tuple(padding), output_padding=tuple(output_padding), crop=None)
    else:
        # padding 0 on every axis: output_padding where an axis needs more than the full result, else a crop
        ops, crops = [], []
        for axis, o in enumerate(wanted):
            k, s, d = spec.kernel[axis], spec.stride[axis], spec.dilation[axis]
            excess = s * (i[axis] - 1) + effective_kernel(k, d) - o
            ops.append(max(0, -excess))
            crops.append((max(0, excess) // 2, max(0, excess) - max(0, excess) // 2))
        fix.update(padding=None, output_padding=tuple(ops), crop=tuple(crops))
    try:
        fix["reached"] = _reached(specs, spatial, index, fix)
    except ParameterError as error:
        raise ParameterError(f"target: with layer {index} giving {tuple(wanted)}, {error}", "target") from None
    if fix["reached"] != target:
        raise ParameterError(
            f"target: no change of layer {index} ({spec.name!r}) alone gives {target} (the closest: {fix['reached']})",
            "target",
        )
    return fix


def _reached(specs, spatial, index, fix):
    """The stack's output size with the fix applied (checked, not assumed)."""
    spec = specs[index]
    if fix["crop"] is None:
        changed = replace(
            spec,
            padding=tuple((p, p) for p in fix["padding"]),
            output_padding=tuple(fix["output_padding"]),
            output_shape=None,
        )
    else:
        changed = replace(
            spec, padding=tuple(fix["crop"]), output_padding=tuple(fix["output_padding"]), output_shape=None
        )
    return stack_shapes(specs[:index] + [changed] + specs[index + 1 :], spatial)[-1]
