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
    Sub-pixel phases: output rows ``p, p + s, p + 2s, …`` (and columns alike)
    are fed by their own kernel taps at a fixed shift, so each phase is a
    stride-1 correlation of the input; no zero is ever inserted. Only phases
    that a tap reaches cost anything (the work follows the output, not the
    stride). :func:`choose_strategy` picks how, per layer:

    1. ``"small"`` when the uncropped result has at most ``SMALL_CANVAS``
       values (a slider's example): per tap, one product added ``stride``
       apart into it; fewest numpy calls.
    2. ``"depthwise"`` when each group has one input channel: per phase and
       tap, a per-channel multiply-add on blocks of ``DEPTHWISE_CHUNK_BYTES``
       (no matrix product).
    3. ``"tap"`` when a group has at least as many input as output channels,
       or when gathering taps would compute more than ``WASTE_LIMIT`` times
       the pixel-taps that carry input (an output much larger than its input):
       per phase and tap, one matrix product over all input pixels, added at
       its shift into a contiguous phase buffer that is then copied into the
       output; blocks of whole images of ``CHUNK_BYTES`` keep it in cache.
    4. otherwise ``"gemm"`` (one group) or ``"grouped"``: per phase and block
       of output rows, every tap's input window is gathered side by side and
       multiplied in one matrix product (taps concatenated along its inner
       dimension, so BLAS sums them), batched over the groups by one
       ``np.matmul``. :func:`deconvlib.conv2d` always works this way.

    Every strategy gives the same result (tests force each on random cases).

Layout: inputs NHWC ``(n, h, w, c_in)``; kernels ``(kh, kw, c_in, c_out // groups)``.
Reference: Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
learning", arXiv:1603.07285, section 4.
"""

import numpy as np

from ._validate import _as_array, as_float_arrays, as_int, as_padding, as_pair
from .arithmetic import effective_kernel
from .errors import ParameterError
from .geometry import transpose_geometry
from .stages import dilate, flip_kernel, pad_or_crop

__all__ = [
    "conv_transpose2d",
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

#: Scratch bytes per block of output rows in ``method="fast"`` and ``conv2d``:
#: the gathered taps of a block stay in the CPU's cache while it is multiplied.
CHUNK_BYTES = 2**22

#: ... and for the ``"depthwise"`` strategy, whose blocks are touched once per tap.
DEPTHWISE_CHUNK_BYTES = 2**18

#: Inputs up to this size are padded once, so that no window leaves them (fewer, larger copies).
SMALL_INPUT_BYTES = 2**18

#: Uncropped results up to this many values use the ``"small"`` strategy.
SMALL_CANVAS = 2**12

#: ``method="fast"`` computes per tap (``"tap"``) when gathering taps would
#: multiply more than this many times the pixel-taps that carry input.
WASTE_LIMIT = 1.5


def dense_weight(W, groups, c_in, c_out):
    """Expand a grouped kernel to ``(kh, kw, c_in, c_out)``, zero between groups.

    Parameters
    ----------
    W : ndarray, shape (kh, kw, c_in, c_out // groups) or (kh, kw, c_in // groups, c_out)
        A transposed kernel or a forward one (checked by the caller).
    groups, c_in, c_out : int

    Returns
    -------
    ndarray, shape (kh, kw, c_in, c_out)
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
    dense = np.zeros(W.shape[:2] + (c_in, c_out), dtype=W.dtype)
    gi, go = c_in // groups, c_out // groups
    for g in range(groups):
        block = W[:, :, g * gi : (g + 1) * gi] if W.shape[2] == c_in else W[..., g * go : (g + 1) * go]
        dense[:, :, g * gi : (g + 1) * gi, g * go : (g + 1) * go] = block
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
    arXiv:1603.07285, section 4, relationships 13 and 14). Slow on purpose:
    the other methods are checked against it.
    """
    (dr, dc), (oph, opw) = geo.dilation, geo.output_padding
    top, bottom, left, right = geo.padding
    ekh, ekw = effective_kernel(geo.kh, dr), effective_kernel(geo.kw, dc)  # k̂ = d·(k − 1) + 1

    # Stage 1: stride − 1 zeros between neighbouring pixels.
    dilated = dilate(X, geo.stride)
    # Stage 2: k̂ − 1 − p on each side, output_padding more at the bottom/right (negative crops).
    pads = (ekh - 1 - top, ekh - 1 - bottom + oph, ekw - 1 - left, ekw - 1 - right + opw)
    assert pads == geo.sweep_pads  # the same amounts trace() shows
    padded = pad_or_crop(dilated, pads)
    # Stage 3: the 180°-rotated kernel sweeps the padded grid with stride 1.
    rotated = flip_kernel(dense_weight(W, groups=geo.groups, c_in=geo.c_in, c_out=geo.c_out))
    out = np.zeros((geo.n, geo.out_h, geo.out_w, geo.c_out), X.dtype)
    for y in range(geo.out_h):
        for x in range(geo.out_w):
            window = padded[:, y : y + ekh : dr, x : x + ekw : dc, :]  # the cells under the taps
            # out[n, y, x, o] = Σ over taps (a, b) and input channels c of window[n, a, b, c] · rotated[a, b, c, o]
            # (optimize=True: numpy computes this sum as one matrix product)
            out[:, y, x, :] = np.einsum("nabc,abco->no", window, rotated, optimize=True)
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
    """``C``, shape ``(h·w·c_in, out_h·out_w·c_out)``: the forward convolution is ``C @ vec(y)``."""
    Wd = dense_weight(W, groups=geo.groups, c_in=geo.c_in, c_out=geo.c_out)
    top, _, left, _ = geo.padding
    (sr, sc), (dr, dc) = geo.stride, geo.dilation
    C = 0
    for a in range(geo.kh):
        R = _tap_matrix(i=geo.h, o=geo.out_h, s=sr, d=dr, before=top, tap=a)
        for b in range(geo.kw):
            Q = _tap_matrix(i=geo.w, o=geo.out_w, s=sc, d=dc, before=left, tap=b)
            C = C + np.kron(np.kron(R, Q), Wd[a, b])
    return C.astype(W.dtype)


def _check_matrix_size(geo):
    """Refuse a matrix ``C`` too large to build quickly: by its entries and by the work of building it.

    ``_matrix`` adds one Kronecker product the size of ``C`` per kernel tap, so
    building ``C`` costs ``kh·kw`` times its entries: a small matrix with a
    large kernel (8×8 input, 200×200 kernel) is refused too.
    """
    entries = geo.h * geo.w * geo.c_in * geo.out_h * geo.out_w * geo.c_out
    work, taps = geo.kh * geo.kw * entries, geo.kh * geo.kw
    size = f"a {geo.h * geo.w * geo.c_in} x {geo.out_h * geo.out_w * geo.c_out} matrix ({entries} entries"
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
    (sr, sc), (dr, dc), (ekh, ekw) = geo.stride, geo.dilation, geo.effective_kernel
    full_h, full_w = geo.full_size
    top, _, left, _ = geo.padding
    Wd = dense_weight(W, groups=geo.groups, c_in=geo.c_in, c_out=geo.c_out)
    canvas = np.zeros((geo.n, full_h + geo.output_padding[0], full_w + geo.output_padding[1], geo.c_out), X.dtype)
    for i in range(geo.h):
        for j in range(geo.w):
            stamp = np.einsum("nc,abco->nabo", X[:, i, j, :], Wd)
            canvas[:, i * sr : i * sr + ekh : dr, j * sc : j * sc + ekw : dc, :] += stamp
    return canvas[:, top : top + geo.out_h, left : left + geo.out_w, :]


def _span(size_in, step, start, size_out):
    """``(y0, y1)``: the outputs ``y`` in ``[0, size_out)`` with ``0 <= y·step + start < size_in``."""
    y0 = max(0, -(start // step))  # ⌈−start / step⌉
    y1 = min(size_out, -((start - size_in) // step))  # ⌈(size_in − start) / step⌉
    return y0, max(y0, y1)


def _chunks(n, rows, row_bytes, budget):
    """Blocks ``(i0, i1, y0, y1)`` of images and output rows, each about ``budget`` bytes of scratch."""
    if rows * row_bytes <= budget:  # whole images, several at a time
        per = max(1, budget // (rows * row_bytes))
        return [(i, min(n, i + per), 0, rows) for i in range(0, n, per)]
    per = max(1, budget // row_bytes)
    return [(i, i + 1, y, min(rows, y + per)) for i in range(n) for y in range(0, rows, per)]


def _correlate(X, weights, taps, out, strategy, step=(1, 1), budget=None):
    """``out[n, y, x] = Σ_t X[n, y·sy + dy_t, x·sx + dx_t] @ weights[t]`` (zero outside ``X``), per group.

    The one loop behind ``method="fast"`` (once per output phase) and
    :func:`deconvlib.conv2d` (once). Works on blocks of output rows whose
    scratch fits ``budget`` bytes (the CPU's cache): for each block, every
    tap's window of ``X`` is copied side by side into one buffer (zeros where
    a window leaves ``X``), then one matrix product, ``(rows, taps·c_in) @
    (taps·c_in, c_out)``, writes the block; a strided ``out`` (a phase of a
    transposed convolution) gets the block copied in while it is still in cache.

    Parameters
    ----------
    X : ndarray, shape (n, h, w, c_in)
    weights : ndarray, shape (taps, groups, c_in // groups, c_out // groups)
    taps : list of (int, int)
        ``(dy, dx)`` per tap: output ``(y, x)`` reads input ``(y·sy + dy, x·sx + dx)``.
    out : ndarray, shape (n, oh, ow, c_out)
        Written entirely; may be a strided view.
    step : (int, int)
        ``(sy, sx)``.
    strategy : {"gemm", "grouped", "depthwise"}
        ``"depthwise"`` needs one input channel per group; all give the same result.
    budget : int, optional
        Scratch bytes per block (default ``CHUNK_BYTES``).
    """
    n, h, w, c_in = X.shape
    T, G, gi, go = weights.shape
    _, oh, ow, c_out = out.shape
    sy, sx = step
    depthwise = strategy == "depthwise"
    if depthwise and gi != 1:
        raise ValueError(f"strategy 'depthwise' needs one input channel per group, got {gi}")
    row_bytes = ow * (c_out if depthwise else T * c_in) * X.itemsize
    spans = [(_span(h, sy, dy, oh), _span(w, sx, dx, ow)) for dy, dx in taps]
    if X.nbytes <= SMALL_INPUT_BYTES and any(s != ((0, oh), (0, ow)) for s in spans):
        # small input: pad it once, so that no window leaves it (fewer, larger copies)
        top = max(0, max(-dy for dy, _ in taps))
        left = max(0, max(-dx for _, dx in taps))
        bottom = max(0, max((oh - 1) * sy + dy + 1 for dy, _ in taps) - h)
        right = max(0, max((ow - 1) * sx + dx + 1 for _, dx in taps) - w)
        padded = np.zeros((n, h + top + bottom, w + left + right, c_in), X.dtype)
        padded[:, top : top + h, left : left + w] = X
        X, h, w = padded, h + top + bottom, w + left + right
        taps = [(dy + top, dx + left) for dy, dx in taps]
        spans = [((0, oh), (0, ow))] * T
    if depthwise:
        wd = weights[:, :, 0, :]  # (taps, c_in, multiplier)
    else:
        Wcat = np.ascontiguousarray(weights.transpose(1, 0, 2, 3)).reshape(G, T * gi, go)  # taps side by side
    direct = out.flags.c_contiguous
    order = sorted(range(T), key=lambda t: spans[t] != ((0, oh), (0, ow)))  # taps covering all of out first
    scratch = None
    budget = budget or (DEPTHWISE_CHUNK_BYTES if depthwise else CHUNK_BYTES)
    for i0, i1, y0, y1 in _chunks(n, oh, row_bytes, budget):
        ni, nr = i1 - i0, y1 - y0
        M = ni * nr * ow
        target = out[i0:i1, y0:y1]
        if scratch is None:
            size = M * (c_out if depthwise else T * c_in)
            scratch = np.empty(size + (0 if direct else M * c_out), X.dtype)
            res_store = None if direct else scratch[size:]
        res = target if direct else res_store[: M * c_out].reshape(target.shape)
        if depthwise:
            acc = res.reshape(ni, nr, ow, c_in, go)
            tmp = scratch[: M * c_out].reshape(ni, nr, ow, c_in, go)
            fresh = True  # acc holds no tap yet
        else:
            buf = scratch[: M * T * c_in].reshape(ni, nr, ow, G, T, gi)
        for t in order:
            (dy, dx), ((ya, yb), (xa, xb)) = taps[t], spans[t]
            ya, yb = max(ya, y0), min(yb, y1)
            if depthwise and (ya >= yb or xa >= xb):
                continue
            if not depthwise:
                dst = buf[:, :, :, :, t, :]
                if ya >= yb or xa >= xb:
                    dst[...] = 0
                    continue
                if (ya, yb, xa, xb) != (y0, y1, 0, ow):  # zeros where the window leaves X
                    dst[:, : ya - y0] = 0
                    dst[:, yb - y0 :] = 0
                    dst[:, ya - y0 : yb - y0, :xa] = 0
                    dst[:, ya - y0 : yb - y0, xb:] = 0
            rows = slice(ya * sy + dy, (yb - 1) * sy + dy + 1, sy)
            cols = slice(xa * sx + dx, (xb - 1) * sx + dx + 1, sx)
            window = X[i0:i1, rows, cols]
            if depthwise and fresh and (ya, yb, xa, xb) == (y0, y1, 0, ow):
                np.multiply(window[..., None], wd[t], out=acc)  # the first tap covers the block: write
                fresh = False
            elif depthwise:
                if fresh:
                    acc[...] = 0
                    fresh = False
                part = tmp[:, ya - y0 : yb - y0, xa:xb]
                np.multiply(window[..., None], wd[t], out=part)
                view = acc[:, ya - y0 : yb - y0, xa:xb]
                np.add(view, part, out=view)
            else:
                dst[:, ya - y0 : yb - y0, xa:xb] = window.reshape(ni, yb - ya, xb - xa, G, gi)
        if depthwise and fresh:
            acc[...] = 0  # no tap reaches this block
        if not depthwise:
            if G == 1:
                np.matmul(buf.reshape(M, T * c_in), Wcat[0], out=res.reshape(M, c_out))
            else:
                np.matmul(
                    buf.reshape(M, G, T * gi).transpose(1, 0, 2), Wcat, out=res.reshape(M, G, go).transpose(1, 0, 2)
                )
        if not direct:
            target[...] = res
    return out


def _phases(k, s, d, before, size_in, size_out):
    """One output axis's phases that get a tap: ``{p: [(tap, shift)]}``, in O(k) whatever ``s``.

    Output rows ``p, p + s, p + 2s, …`` form phase ``p``; input row ``i``
    through tap ``tap`` lands on output row ``i·s + tap·d − before``, i.e. on
    row ``i + shift`` of phase ``p = (tap·d − before) mod s``. Taps whose rows
    all fall outside the output are left out; a phase missing here is zero.
    """
    phases = {}
    for tap in range(k):
        offset = tap * d - before
        p, shift = offset % s, offset // s
        length = -((p - size_out) // s)  # rows p, p + s, … below size_out
        if max(0, shift) < min(length, size_in + shift):
            phases.setdefault(p, []).append((tap, shift))
    return phases


def _add_shifted(E, P, rows, cols):
    """``E[:, m0:m1, k0:k1] += P[:, i0:, j0:]`` (same extents); may zero parts of ``P``.

    ``rows`` is ``(m0, m1, i0)`` and ``cols`` ``(k0, k1, j0)``, as
    :func:`_phase_taps` gives them; ``E`` and ``P`` are C-contiguous.

    numpy adds strided views several times slower than contiguous ones. When
    ``E`` and ``P`` rows have the same width, a column shift is a shift along the
    flattened rows: zero the columns of ``P`` that would wrap into the next or
    previous row (they fall outside ``E`` anyway), then add long rows.
    """
    (m0, m1, i0), (k0, k1, j0) = rows, cols
    n, w, c, n_rows = E.shape[0], E.shape[2], E.shape[3], m1 - m0
    if P.shape[2] != w:
        E[:, m0:m1, k0:k1] += P[:, i0 : i0 + n_rows, j0 : j0 + k1 - k0]
        return
    shift = k0 - j0
    if shift > 0:
        P[:, :, w - shift :] = 0
    elif shift < 0:
        P[:, :, :-shift] = 0
    Ef, Pf = E[:, m0:m1].reshape(n, -1), P[:, i0 : i0 + n_rows].reshape(n, -1)  # views: E is contiguous
    shift *= c
    if shift >= 0:
        Ef[:, shift:] += Pf[:, : Pf.shape[1] - shift]
    else:
        Ef[:, :shift] += Pf[:, -shift:]


def _grouped_product(X2, Wab, into):
    """``into = X2 @ Wab`` group by group: ``(m, c_in) @ (groups, c_in // groups, go)``, one batched matmul."""
    G, gi, go = Wab.shape
    if G == 1:
        np.matmul(X2, Wab[0], out=into)
    else:
        m = X2.shape[0]
        np.matmul(X2.reshape(m, G, gi).transpose(1, 0, 2), Wab, out=into.reshape(m, G, go).transpose(1, 0, 2))


def _tap_phase(X, weights, row_taps, col_taps, E, P):
    """Phase ``E`` (n, ly, lx, c_out) as a sum of whole-input products, one per tap, each added at its shift.

    The ``"tap"`` strategy: ``P = X @ W[a, b]`` over every input pixel, then
    ``E[shifted] += P`` (:func:`_add_shifted`); no work is spent on output
    pixels that no input reaches, so it suits an output phase much larger
    than the input (a 1×1 input and a 4×4 kernel).
    """
    n, h, w, c_in = X.shape
    _, ly, lx, c_out = E.shape
    X2, first = X.reshape(-1, c_in), True
    for t, ((_, ry), (_, rx)) in enumerate((r, c) for r in row_taps for c in col_taps):
        rows = (max(0, ry), min(ly, h + ry), max(0, ry) - ry)  # phase rows m0:m1 ← input rows i0:
        cols = (max(0, rx), min(lx, w + rx), max(0, rx) - rx)
        if first and rows == (0, ly, 0) == (0, h, 0) and cols == (0, lx, 0) == (0, w, 0):
            _grouped_product(X2, weights[t], E.reshape(-1, c_out))  # covers the phase: write, don't add
        else:
            if first:
                E[...] = 0
            _grouped_product(X2, weights[t], P)
            _add_shifted(E, P.reshape(n, h, w, c_out), rows=rows, cols=cols)
        first = False


def _waste(rows, cols, geo):
    """Output pixel-taps an im2col product computes over the pixel-taps that carry input (≥ 1)."""
    computed = useful = 0
    for py, row_taps in rows.items():
        ly = -((py - geo.out_h) // geo.stride[0])
        for px, col_taps in cols.items():
            lx = -((px - geo.out_w) // geo.stride[1])
            computed += ly * lx * len(row_taps) * len(col_taps)
            for _, ry in row_taps:
                for _, rx in col_taps:
                    useful += (min(ly, geo.h + ry) - max(0, ry)) * (min(lx, geo.w + rx) - max(0, rx))
    return computed / max(useful, 1)


def choose_strategy(geo):
    """The strategy ``method="fast"`` uses for a layer (the rule in the module docstring).

    Parameters
    ----------
    geo : deconvlib.geometry.Geometry
        A transposed convolution's geometry.

    Returns
    -------
    {"depthwise", "tap", "gemm", "grouped"}

    Examples
    --------
    >>> from deconvlib.geometry import transpose_geometry
    >>> def strategy(x_shape, w_shape, **params):
    ...     geo = transpose_geometry(np.ones(x_shape), np.ones(w_shape), stride=params.get("stride", 2), padding=1,
    ...                              output_padding=0, dilation=1, groups=params.get("groups", 1), bias=None).geometry
    ...     return choose_strategy(geo)
    >>> strategy((8, 32, 32, 64), (4, 4, 64, 1), groups=64), strategy((64, 8, 8, 256), (4, 4, 256, 128))
    ('depthwise', 'tap')
    >>> strategy((8, 16, 16, 32), (4, 4, 32, 128)), strategy((8, 16, 16, 32), (4, 4, 32, 64), groups=2)
    ('gemm', 'grouped')
    """
    gi, go = geo.c_in // geo.groups, geo.c_out // geo.groups
    full_h, full_w = geo.full_size
    if geo.n * (full_h + geo.output_padding[0]) * (full_w + geo.output_padding[1]) * geo.c_out <= SMALL_CANVAS:
        return "small"
    if gi == 1:
        return "depthwise"
    rows = _phases(
        k=geo.kh, s=geo.stride[0], d=geo.dilation[0], before=geo.padding[0], size_in=geo.h, size_out=geo.out_h
    )
    cols = _phases(
        k=geo.kw, s=geo.stride[1], d=geo.dilation[1], before=geo.padding[2], size_in=geo.w, size_out=geo.out_w
    )
    if gi >= go or _waste(rows, cols, geo) > WASTE_LIMIT:
        return "tap"
    return "gemm" if geo.groups == 1 else "grouped"


def _small(X, Wg, geo):
    """The ``"small"`` strategy: each tap's product added, ``stride`` apart, into the uncropped result.

    Two numpy calls per tap and no phases: the cheapest for the few pixels of
    a slider's example, where each numpy call's fixed cost dominates.
    """
    (sr, sc), (dr, dc) = geo.stride, geo.dilation
    full_h, full_w = geo.full_size
    top, _, left, _ = geo.padding
    n, h, w, c_in = X.shape
    G, gi, go = Wg.shape[2:]
    canvas = np.zeros((n, full_h + geo.output_padding[0], full_w + geo.output_padding[1], geo.c_out), X.dtype)
    X2, P = X.reshape(-1, c_in), np.empty((n * h * w, geo.c_out), X.dtype)
    for a in range(geo.kh):
        for b in range(geo.kw):
            _grouped_product(X2, Wg[a, b], P)
            canvas[:, a * dr : a * dr + (h - 1) * sr + 1 : sr, b * dc : b * dc + (w - 1) * sc + 1 : sc] += P.reshape(
                n, h, w, -1
            )
    return canvas[:, top : top + geo.out_h, left : left + geo.out_w]


def _fast(X, W, geo, strategy=None, budget=None):
    # Sub-pixel (phase) decomposition. Input pixel (i, j) through tap (a, b) lands
    # on output pixel (i·s + a·d − top, j·s + b·d − left), so the output splits into
    # s×s interleaved phases (every s-th row and column), each a stride-1
    # correlation of the input with its own taps at fixed shifts. Only phases
    # that some tap reaches cost anything: the work is O(output), not O(stride²).
    (sr, sc), (dr, dc), (top, _, left, _) = geo.stride, geo.dilation, geo.padding
    G = geo.groups
    gi, go = geo.c_in // G, geo.c_out // G
    strategy = strategy or choose_strategy(geo)
    if strategy == "small":
        return _small(X, W.reshape(geo.kh, geo.kw, G, gi, go), geo)
    rows = _phases(k=geo.kh, s=sr, d=dr, before=top, size_in=geo.h, size_out=geo.out_h)
    cols = _phases(k=geo.kw, s=sc, d=dc, before=left, size_in=geo.w, size_out=geo.out_w)
    tapless = len(rows) < min(sr, geo.out_h) or len(cols) < min(sc, geo.out_w)  # some phase is all zeros
    out = (np.zeros if tapless else np.empty)((geo.n, geo.out_h, geo.out_w, geo.c_out), X.dtype)
    Wg = W.reshape(geo.kh, geo.kw, G, gi, go)
    if not (rows and cols):
        return out  # no tap reaches the output
    if strategy != "tap":
        Xp, top, left = X, 0, 0
        if X.nbytes <= SMALL_INPUT_BYTES:  # pad a small input once, so that no phase's window leaves it
            top = max(0, max(ry for taps in rows.values() for _, ry in taps))
            left = max(0, max(rx for taps in cols.values() for _, rx in taps))
            bottom = max(0, max(-(-(geo.out_h - p) // sr) - ry for p, taps in rows.items() for _, ry in taps) - geo.h)
            right = max(0, max(-(-(geo.out_w - p) // sc) - rx for p, taps in cols.items() for _, rx in taps) - geo.w)
            Xp = np.zeros((geo.n, geo.h + top + bottom, geo.w + left + right, geo.c_in), X.dtype)
            Xp[:, top : top + geo.h, left : left + geo.w] = X
        # gathered taps no larger than the input: memory stays below the dilated input's size
        scratch = min(budget or (DEPTHWISE_CHUNK_BYTES if strategy == "depthwise" else CHUNK_BYTES), X.nbytes)
        for py, row_taps in rows.items():
            for px, col_taps in cols.items():
                a, b = zip(*[(a, b) for a, _ in row_taps for b, _ in col_taps])
                taps = [(top - ry, left - rx) for _, ry in row_taps for _, rx in col_taps]
                view = out if (sr, sc) == (1, 1) else out[:, py::sr, px::sc]
                _correlate(Xp, Wg[list(a), list(b)], taps, view, strategy=strategy, budget=scratch)
        return out
    # "tap": blocks of whole images, so that each tap's product P and the phase
    # buffer E stay in cache while they are added and copied
    ly0, lx0 = -(-geo.out_h // sr), -(-geo.out_w // sc)  # phase (0, 0) is the largest
    image_bytes = (geo.h * geo.w + ly0 * lx0) * geo.c_out * X.itemsize
    per = max(1, (budget or CHUNK_BYTES) // image_bytes)
    P_store = np.empty(min(per, geo.n) * geo.h * geo.w * geo.c_out, X.dtype)
    E_store = None if (sr, sc) == (1, 1) else np.empty(min(per, geo.n) * ly0 * lx0 * geo.c_out, X.dtype)
    weights = {
        (py, px): Wg[[a for a, _ in row_taps for _ in col_taps], [b for _ in row_taps for b, _ in col_taps]]
        for py, row_taps in rows.items()
        for px, col_taps in cols.items()
    }
    for i0 in range(0, geo.n, per):
        Xb, outb = X[i0 : i0 + per], out[i0 : i0 + per]
        P = P_store[: Xb.shape[0] * geo.h * geo.w * geo.c_out].reshape(-1, geo.c_out)
        for py, row_taps in rows.items():
            for px, col_taps in cols.items():
                view = outb if E_store is None else outb[:, py::sr, px::sc]
                E = view if E_store is None else E_store[: view.size].reshape(view.shape)
                _tap_phase(Xb, weights[py, px], row_taps, col_taps, E, P)
                if E is not view:
                    view[...] = E
    return out


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
        ``deconvlib.transpose._naive``; ``"matrix"`` refuses matrices of more
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
        padding that leaves an empty output (``parameter`` ``"padding"``).
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
    if method not in METHODS:
        raise ParameterError(f"method must be one of {METHODS}, got {method!r}", parameter="method")
    checked = transpose_geometry(
        X, W, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups, bias=bias
    )
    X, W, geo = checked.X, checked.W, checked.geometry
    if method == "matrix":
        _check_matrix_size(geo)
        out = (X.reshape(geo.n, -1) @ _matrix(geo, W)).reshape(geo.n, geo.out_h, geo.out_w, geo.c_out)
    else:
        out = {"naive": _naive, "scatter": _scatter, "fast": _fast}[method](X, W, geo)
    if checked.bias is not None:
        out += checked.bias
    return out[0, :, :, 0] if checked.image else out


def convolution_matrix(input_size, W, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    """The matrix ``C`` of the forward convolution that a transposed one transposes.

    For ``X`` of spatial size ``input_size``, ``conv_transpose2d(X, W, ...)``
    is ``X.reshape(n, -1) @ C`` reshaped, i.e. ``Cᵀ`` applied to each image;
    and ``C @ y.ravel()`` is the forward convolution of ``y`` (section 4.1 of
    the guide). Rows follow ``(i, j, c_in)``, columns ``(y, x, c_out)``.

    Parameters
    ----------
    input_size : int or (int, int)
        ``(h, w)`` of the transposed convolution's input.
    W : ndarray, shape (kh, kw, c_in, c_out // groups) or (kh, kw)
    stride, padding, output_padding, dilation, groups
        As in :func:`conv_transpose2d`.

    Returns
    -------
    ndarray, shape (h·w·c_in, out_h·out_w·c_out)

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
    h, w = as_pair(input_size, "input_size", minimum=1)
    W = _as_array(W, "W")  # checked first: the zero input below is built from W's shape and dtype
    c_in = W.shape[2] if W.ndim == 4 else 1
    X = np.zeros((h, w) if W.ndim == 2 else (1, h, w, c_in), dtype=np.result_type(W.dtype, np.float32))
    checked = transpose_geometry(
        X, W, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups, bias=None
    )
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
    if isinstance(pad, str):
        if pad != "same":
            raise ParameterError(f"pad must be an int, a tuple or 'same', got {pad!r}", parameter="pad")
        kernel = as_float_arrays(X, W)[1].shape[:2]
        pad = []
        for k in kernel:
            total = effective_kernel(k, dilation + 1) - 1
            pad += [total // 2, total - total // 2]
    else:
        pad = as_padding(pad, "pad")
    return conv_transpose2d(X, W, stride=stride, padding=tuple(pad), dilation=dilation + 1, method="naive")
