"""The fast method: sub-pixel phases for the transposed convolution, one gathered product for the forward one.

Output rows ``p, p + s, p + 2s, …`` (and columns alike) of a transposed
convolution are fed by their own kernel taps at a fixed shift, so each phase is
a stride-1 correlation of the input; no zero is ever inserted. Only phases that
a tap reaches cost anything (the work follows the output, not the stride).

How a layer is computed is a :class:`Plan`: :func:`choose_strategy` walks the
rule table :data:`RULES` (one row per strategy, first match wins) and returns
the plan of the strategy it names, the layer's phases (and, for
``"shuffle"``, their alignment) computed once; :func:`conv_transpose_fast`
runs that plan as it is. A row holds the strategy's name, its condition (a
function of a :class:`Layer`, its docstring the condition in words) and the
function that computes it, ``strategy(X, Wg, plan, budget=None) -> out``, the
one signature of every strategy (:data:`STRATEGIES` is the table read as a
registry). The thresholds the conditions read are the module's constants.
Every strategy gives the same result (tests force each on random cases).

:func:`conv_fast` (:func:`deconvlib.conv2d`) states its own, shorter rule the
same way (:data:`CONV_RULES`).

Both work on checked 2-D arguments (NHWC, see :mod:`deconvlib.geometry`).

The rule (generated from :data:`RULES`; ``help(deconvlib.fast)`` shows it):
"""

import math
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .budget import ELEMENT_BYTES, check_steps, get_budget

__all__ = [
    "conv_transpose_fast",
    "conv_fast",
    "choose_strategy",
    "Plan",
    "Layer",
    "ShufflePlan",
    "ShuffleAxis",
    "Rule",
    "RULES",
    "CONV_RULES",
    "STRATEGIES",
    "phase_length",
    "span",
    "phases",
]

# The thresholds the rules read, in the order of RULES.

#: Uncropped results up to this many values use the ``"small"`` strategy.
SMALL_CANVAS = 2**12

#: The ``"depthwise"`` strategy copies the input once per output column phase;
#: beyond this stride it works phase by phase instead.
DEPTHWISE_MAX_STRIDE = 8

#: Groups with at most this many output channels use the ``"planes"`` strategy ...
PLANES_MAX_CHANNELS = 8

#: ... if its blocks (one image's planes and phase buffer at least) stay within this share of the output.
PLANES_MAX_SCRATCH = Fraction(1, 2)

#: ``"shuffle"`` when its one product multiplies at most this many times the pixel-taps that carry input ...
SHUFFLE_WASTE_LIMIT = 1.25

#: ... all its scratch (weights, blocks, a padded input) stays within this share of the output
#: (of ``n·out_h·out_w·min(c_in, c_out)`` values: the dilated input's size, if smaller) ...
SHUFFLE_MAX_SCRATCH = Fraction(3, 4)

#: ... and its weights (the kernel rearranged) take at most this share of it.
SHUFFLE_MAX_WEIGHTS = Fraction(1, 4)

#: ``"rows"`` instead of ``"tap"`` when a column phase has at least this many taps.
ROWS_MIN_TAPS = 3

#: The ``"rows"`` strategy's blocks stay within the input and this share of the output.
ROWS_MAX_SCRATCH = Fraction(1, 2)

#: ``method="fast"`` computes per tap (``"tap"``) when gathering taps would
#: multiply more than this many times the pixel-taps that carry input.
WASTE_LIMIT = 1.5

# Blocks and threads: how the strategies keep their scratch in cache.

#: Scratch bytes per block of output rows in ``method="fast"`` and ``conv2d``:
#: the gathered taps of a block stay in the CPU's cache while it is multiplied.
CHUNK_BYTES = 2**22

#: ... and for the ``"depthwise"`` strategy (its shifted copies of the input; ``conv2d``'s blocks).
DEPTHWISE_CHUNK_BYTES = 2**22

#: Scratch bytes per block of the ``"shuffle"`` strategy (its gathered windows and its product):
#: larger than ``CHUNK_BYTES``, as its product gains more from long matrices than from the L2 cache.
SHUFFLE_CHUNK_BYTES = 2**23

#: Inputs up to this size are padded once, so that no window leaves them (fewer, larger copies).
SMALL_INPUT_BYTES = 2**18


def _usable_cpus():
    if sys.platform == "emscripten":  # Pyodide: no threads
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


#: Threads for the ``"depthwise"`` strategy's blocks (numpy's ``einsum`` releases the GIL):
#: the CPUs this process may use, at most 4; 1 in Pyodide.
THREADS = min(4, _usable_cpus())


def _share(total, fraction):
    """``⌊total · fraction⌋`` in integers: the part of ``total`` (values or bytes) that ``fraction`` allows."""
    return total * fraction.numerator // fraction.denominator


def phase_length(p, s, size):
    """How many of the positions ``p, p + s, p + 2s, …`` lie below ``size``: the length of phase ``p``.

    Parameters
    ----------
    p : int
        The first position (a phase's: ``0 <= p < s``).
    s : int
        The stride, ``s >= 1``.
    size : int
        The axis's length.

    Returns
    -------
    int
        ``⌈(size − p) / s⌉`` (none, ``<= 0``, if ``p >= size``).

    Examples
    --------
    >>> phase_length(0, 2, 7), phase_length(1, 2, 7), phase_length(5, 10, 3)
    (4, 3, 0)
    """
    return -((p - size) // s)


def span(size_in, step, start, size_out):
    """``(y0, y1)``: the outputs ``y`` in ``[0, size_out)`` with ``0 <= y·step + start < size_in``.

    Parameters
    ----------
    size_in : int
        The length of the axis read.
    step, start : int
        Output ``y`` reads position ``y·step + start`` (``step >= 1``).
    size_out : int
        The number of outputs.

    Returns
    -------
    (int, int)
        A half-open range of outputs, empty (``y0 == y1``) if none reads inside.

    Examples
    --------
    >>> span(5, 2, -1, 4)  # y = 1, 2 read positions 1, 3; y = 0 reads −1, y = 3 reads 5
    (1, 3)
    """
    y0 = max(0, -(start // step))  # ⌈−start / step⌉
    y1 = min(size_out, phase_length(start, step, size_in))  # ⌈(size_in − start) / step⌉
    return y0, max(y0, y1)


def _reaches(shift, size_in, size_out):
    """Whether some output ``m`` in ``[0, size_out)`` reads an input ``m − shift`` in ``[0, size_in)``."""
    return max(0, shift) < min(size_out, size_in + shift)


def phases(k, s, d, before, size_in, size_out):
    """One output axis's phases that get a tap: ``{p: [(tap, shift)]}``, in O(k) whatever ``s``.

    Output rows ``p, p + s, p + 2s, …`` form phase ``p``; input row ``i``
    through tap ``tap`` lands on output row ``i·s + tap·d − before``, i.e. on
    row ``i + shift`` of phase ``p = (tap·d − before) mod s``. Taps whose rows
    all fall outside the output are left out; a phase missing here is zero.

    Parameters
    ----------
    k, s, d, before : int
        The axis's kernel size, stride, dilation and padding before it.
    size_in, size_out : int
        Its input and output lengths.

    Returns
    -------
    dict
        ``{p: [(tap, shift), …]}``, phases and taps in increasing order of ``tap``.

    Examples
    --------
    >>> phases(k=4, s=2, d=1, before=1, size_in=3, size_out=6)  # k4 s2 p1: two taps per phase
    {1: [(0, -1), (2, 0)], 0: [(1, 0), (3, 1)]}
    """
    check_steps(k, "k", f"phases would visit {k:,} kernel taps")
    found = {}
    for tap in range(k):
        offset = tap * d - before
        p, shift = offset % s, offset // s
        if _reaches(shift, size_in, phase_length(p, s, size_out)):
            found.setdefault(p, []).append((tap, shift))
    return found


def axis_phases(geo, axis):
    """:func:`phases` of one output axis of a transposed convolution's geometry.

    Parameters
    ----------
    geo : deconvlib.geometry.Geometry
        A transposed convolution's, of any number of spatial axes.
    axis : int
        The spatial axis, ``0 <= axis < geo.dims``; its padding before it is
        ``geo.padding[2 * axis]``.

    Returns
    -------
    dict
        ``{p: [(tap, shift), …]}``, as :func:`phases` gives it.

    Examples
    --------
    >>> from deconvlib.geometry import transpose_geometry
    >>> geo = transpose_geometry(np.ones((1, 3, 3, 1)), np.ones((4, 4, 1, 1)), stride=2, padding=1,
    ...                          output_padding=0, dilation=1, groups=1, bias=None).geometry
    >>> axis_phases(geo, 1)  # k4 s2 p1: two taps per phase
    {1: [(0, -1), (2, 0)], 0: [(1, 0), (3, 1)]}
    """
    return phases(
        geo.kernel[axis],
        geo.stride[axis],
        geo.dilation[axis],
        geo.padding[2 * axis],
        size_in=geo.size[axis],
        size_out=geo.out[axis],
    )


class Layer:
    """What the rules read of a layer, each fact computed once, when a condition first asks for it.

    Parameters
    ----------
    geo : deconvlib.geometry.Geometry
        The layer's 2-D geometry (a transposed convolution's, or a forward
        one's for :data:`CONV_RULES`, which read ``gi``, ``go`` and ``geo`` only).
    rows, cols : dict, optional
        The axes' phases if known (``conv2d``'s ``"tap"``: its stride-1 taps);
        by default :func:`phases` of ``geo``, when first asked for.

    Attributes
    ----------
    gi, go : int
        Input and output channels per group.
    rows, cols : dict
        Each output axis's :func:`phases` (transposed convolution).
    canvas : int
        Values of the uncropped result.
    useful : int
        Output pixel-taps that carry input: the multiply-adds per channel
        pair the layer needs (at least 1).
    waste : float
        Output pixel-taps gathering every tap (an im2col product) computes
        over :attr:`useful` (at least 1).
    shuffle : ShufflePlan or None
        The ``"shuffle"`` strategy's plan (None if no tap reaches the output).

    Examples
    --------
    >>> from deconvlib.geometry import transpose_geometry
    >>> layer = Layer(transpose_geometry(np.ones((16, 1, 1, 10)), np.ones((4, 4, 10, 20)), stride=1, padding=0,
    ...                                  output_padding=0, dilation=1, groups=1, bias=None).geometry)
    >>> layer.rows, layer.useful, layer.waste  # a 1×1 input: gathering 16 taps for each of 16 pixels wastes 15/16
    ({0: [(0, 0), (1, 1), (2, 2), (3, 3)]}, 16, 16.0)
    """

    def __init__(self, geo, rows=None, cols=None):
        self.geo = geo
        self.gi, self.go = geo.c_in // geo.groups, geo.c_out // geo.groups
        self._rows, self._cols = rows, cols

    @property
    def rows(self):
        if self._rows is None:
            self._rows = axis_phases(self.geo, 0)
        return self._rows

    @property
    def cols(self):
        if self._cols is None:
            self._cols = axis_phases(self.geo, 1)
        return self._cols

    @property
    def canvas(self):
        return math.prod(_canvas(self.geo))

    def _phase_sizes(self):
        """``(ly, lx, row_taps, col_taps)`` per output phase: its rows, its columns and its taps."""
        (sr, sc), geo = self.geo.stride, self.geo
        for py, row_taps in self.rows.items():
            ly = phase_length(py, sr, geo.out_h)
            for px, col_taps in self.cols.items():
                yield ly, phase_length(px, sc, geo.out_w), row_taps, col_taps

    @cached_property
    def useful(self):
        h, w = self.geo.h, self.geo.w
        useful = sum(
            (min(ly, h + ry) - max(0, ry)) * (min(lx, w + rx) - max(0, rx))
            for ly, lx, row_taps, col_taps in self._phase_sizes()
            for _, ry in row_taps
            for _, rx in col_taps
        )
        return max(useful, 1)

    @cached_property
    def waste(self):
        return sum(ly * lx * len(r) * len(c) for ly, lx, r, c in self._phase_sizes()) / self.useful

    @cached_property
    def shuffle(self):
        return ShufflePlan.of(self.geo, self.rows, self.cols) if self.rows and self.cols else None


@dataclass(frozen=True)
class Plan:
    """How ``method="fast"`` computes one layer: a strategy, and the facts about the layer it reads.

    :func:`choose_strategy` makes it; :func:`conv_transpose_fast` runs it as
    it is: ``STRATEGIES[plan.strategy](X, Wg, plan, budget)``. What the rule
    computed to choose (the phases, the ``"shuffle"`` alignment) is in its
    :class:`Layer`, computed once, and only when first asked for.

    Parameters
    ----------
    strategy : str
        A name of :data:`STRATEGIES` (a row of :data:`RULES`).
    layer : Layer
        The layer; ``plan.geo``, ``plan.rows``, ``plan.cols`` and
        ``plan.shuffle`` read it.

    Examples
    --------
    >>> from deconvlib.geometry import transpose_geometry
    >>> geo = transpose_geometry(np.ones((8, 16, 16, 32)), np.ones((4, 4, 32, 16)), stride=2, padding=1,
    ...                          output_padding=0, dilation=1, groups=1, bias=None).geometry
    >>> plan = choose_strategy(geo)
    >>> plan.strategy, plan.rows, plan.shuffle.y.reads
    ('shuffle', {1: [(0, -1), (2, 0)], 0: [(1, 0), (3, 1)]}, [0, 1])
    """

    strategy: str
    layer: "Layer"

    @property
    def geo(self):
        """The layer's geometry."""
        return self.layer.geo

    @property
    def rows(self):
        """Its output rows' :func:`phases`, ``{p: [(tap, shift)]}``."""
        return self.layer.rows

    @property
    def cols(self):
        """Its output columns' :func:`phases`."""
        return self.layer.cols

    @property
    def shuffle(self):
        """The ``"shuffle"`` strategy's :class:`ShufflePlan` (None if no tap reaches the output)."""
        return self.layer.shuffle

    @property
    def reaches(self):
        """Whether some tap reaches the output (if none does, the output is zeros)."""
        return bool(self.rows and self.cols)

    def output(self, dtype):
        """The output array, ``(n, out_h, out_w, c_out)``: zeros where a phase gets no tap, uninitialised otherwise."""
        (sr, sc), geo = self.geo.stride, self.geo
        tapless = len(self.rows) < min(sr, geo.out_h) or len(self.cols) < min(sc, geo.out_w)
        return (np.zeros if tapless else np.empty)((geo.n, geo.out_h, geo.out_w, geo.c_out), dtype)


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
    :func:`conv_fast` (once). Works on blocks of output rows whose
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
    spans = [(span(h, sy, dy, oh), span(w, sx, dx, ow)) for dy, dx in taps]
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


_pools = {}  # (process id, thread count) → executor, made on first use (a forked child makes its own)


def _run(jobs):
    """Call every job (a function of no argument), on up to ``THREADS`` threads; they must write disjoint outputs."""
    if THREADS <= 1 or len(jobs) <= 1:
        for job in jobs:
            job()
        return
    key = (os.getpid(), THREADS)
    pool = _pools.get(key) or _pools.setdefault(key, ThreadPoolExecutor(THREADS - 1, "deconvlib"))
    futures = [pool.submit(job) for job in jobs[1:]]
    jobs[0]()  # this thread works too, instead of waiting idle
    for future in futures:
        future.result()


def _progression(values):
    """``(first, step, count)`` of an arithmetic progression that holds every value (gaps allowed)."""
    v = sorted(set(values))
    step = v[1] - v[0] if len(v) > 1 else 1
    if any(b - a != step for a, b in zip(v, v[1:])):
        step = 1
    return v[0], step, (v[-1] - v[0]) // step + 1


def _depthwise(X, Wg, plan, budget=None):
    """The ``"depthwise"`` strategy: per row phase, one fused multiply-add (``np.einsum``) per block, or as ``"gemm"``.

    With one input channel per group there is no matrix product to make,
    only ``out[…, o] += x[…, c] · w[tap, o]``; numpy's separate multiply and
    add would sweep the block twice per tap, and on a strided phase view.
    Instead the input is copied ``s`` times side by side, shifted by one
    column each (``X2[i, r, k, q] = X_padded[i, r, k + q]``), so that output
    column ``k·s + q`` of every column phase reads ``X2[…, k + u, q]`` for the
    same tap offsets ``u``: one output row of every column phase is then one
    contiguous run of memory in ``out`` and in ``X2``, and
    ``np.einsum("imajx,ajx->imx")`` (sum over the row taps ``a`` and column
    offsets ``j``, weights tiled along the row; zero where a phase lacks an
    offset) writes whole output rows in one pass. Blocks of images and rows
    run on ``THREADS`` threads; ``budget`` (default ``DEPTHWISE_CHUNK_BYTES``)
    bounds ``X2``'s bytes per block.

    It copies the input once per column phase: beyond a column stride of
    ``DEPTHWISE_MAX_STRIDE``, phase by phase instead (:func:`_gathered`);
    so too when the tiled weights would take more than a quarter of the
    memory budget (sparse taps: a large dilation, :mod:`deconvlib.budget`).
    Arguments as every strategy's (:class:`Rule`).
    """
    geo, rows, cols = plan.geo, plan.rows, plan.cols
    if geo.stride[1] > DEPTHWISE_MAX_STRIDE:
        return _gathered(X, Wg, plan, budget)
    out, budget = plan.output(X.dtype), budget or DEPTHWISE_CHUNK_BYTES
    n, h, w, c = X.shape
    go = Wg.shape[4]
    (sr, sc), C, out_w = geo.stride, c * go, geo.out_w
    left = max(shift + px for px, taps in cols.items() for _, shift in taps)  # so that every u >= 0
    u0, ustep, J = _progression([left - shift - px for px, taps in cols.items() for _, shift in taps])
    top = max(0, max(shift for taps in rows.values() for _, shift in taps))
    W2 = (out_w - 1) // sc + u0 + (J - 1) * ustep + 1  # X2 columns that some output column reads
    A_max = max(_progression([top - shift for _, shift in taps])[2] for taps in rows.values())
    tiled = A_max * J * (out_w + sc) * C  # the largest tiled weights below
    if tiled * ELEMENT_BYTES > get_budget().memory // 4:  # sparse taps (a large dilation): a leaner strategy
        return _gathered(X, Wg, plan, budget)
    plans = []  # per row phase: (py, ly, first row offset, its step, row taps, tiled weights)
    Wr = Wg.reshape(geo.kh, geo.kw, C)
    for py, row_taps in rows.items():
        oy0, oystep, A = _progression([top - shift for _, shift in row_taps])
        weights = np.zeros((A, J, sc, C), X.dtype)
        for a, shift in row_taps:
            for px, col_taps in cols.items():
                for b, col_shift in col_taps:
                    weights[(top - shift - oy0) // oystep, (left - col_shift - px - u0) // ustep, px] = Wr[a, b]
        weights = np.tile(weights, (1, 1, phase_length(0, sc, out_w), 1))[:, :, :out_w].reshape(A, J, out_w * C)
        plans.append((py, phase_length(py, sr, geo.out_h), oy0, oystep, A, weights))
    lines = max(ly for _, ly, *_ in plans)  # phase rows
    low = min(oy0 for _, _, oy0, *_ in plans)
    halo = max(oy0 + (A - 1) * oystep for _, _, oy0, oystep, A, _ in plans) - low
    row, item = W2 * sc * C, X.itemsize  # elements of one X2 row
    line_bytes = (lines + halo) * row * item // lines  # X2 bytes per phase row, its share of the halo included
    per = -(-n // THREADS) if n >= THREADS else 1  # images, so that each thread gets one block
    budget = min(budget, max(line_bytes, per * lines * line_bytes if n >= THREADS else lines * line_bytes // THREADS))

    def block(i0, i1, m0, m1):
        r0, nr = m0 + low, m1 - m0 + halo  # X2 rows r0 … r0 + nr − 1
        X2 = np.empty((i1 - i0, nr, W2, sc, c, go), X.dtype)
        y0, y1 = max(0, r0 - top), min(h, r0 + nr - top)  # input rows in the block
        z0, z1 = max(0, min(nr, y0 + top - r0)), max(0, min(nr, y1 + top - r0))  # … and in X2
        X2[:, :z0] = 0
        X2[:, max(z0, z1) :] = 0
        for q in range(sc):  # X2[:, :, k, q] = X[:, :, k + q − left]
            k0, k1 = min(W2, max(0, left - q)), max(0, min(W2, left - q + w))
            X2[:, z0:z1, :k0, q] = 0
            X2[:, z0:z1, max(k0, k1) :, q] = 0
            if z0 < z1 and k0 < k1:
                X2[:, z0:z1, k0:k1, q] = X[i0:i1, y0:y1, k0 + q - left : k1 + q - left, :, None]
        flat = X2.reshape(-1)
        for py, ly, oy0, oystep, A, weights in plans:
            mm = min(m1, ly) - m0
            if mm <= 0:
                continue
            V = as_strided(
                flat[(oy0 - low) * row + u0 * sc * C :],
                shape=(i1 - i0, mm, A, J, out_w * C),
                strides=(nr * row * item, row * item, oystep * row * item, ustep * sc * C * item, item),
                writeable=False,
            )
            target = out[i0:i1, py + m0 * sr :: sr][:, :mm].reshape(i1 - i0, mm, out_w * C)  # a view
            np.einsum("imajx,ajx->imx", V, weights, out=target)

    _run([lambda b=b: block(*b) for b in _chunks(n, lines, line_bytes, budget)])
    return out


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


def _rows(X, Wg, plan, budget=None):
    """The ``"rows"`` strategy: per column phase, its column taps gathered side by side, one product per row tap.

    Between ``"tap"`` (a product per tap, each added at a row and column
    shift) and ``"gemm"`` (every tap gathered): the input is copied once per
    column tap of the phase, side by side on the phase's column grid
    (``Xg[i, k, j] = X[i, k − rx_j]``, zero outside), so that one product per
    row tap, ``(pixels, taps_j·c_in) @ (taps_j·c_in, c_out)``, sums the
    column taps inside BLAS; its rows are then added at the row tap's shift
    into every row phase, whole rows at a time. Blocks of images, or of one
    image's input rows, of ``budget`` bytes (default ``CHUNK_BYTES``), and
    within the input and ``ROWS_MAX_SCRATCH`` of the output; with a column
    stride the column phase is built in a buffer (zeroed, then copied into
    the output). Arguments as every strategy's (:class:`Rule`).
    """
    geo, rows, cols, out = plan.geo, plan.rows, plan.cols, plan.output(X.dtype)
    budget = min(budget or CHUNK_BYTES, X.nbytes, _share(out.nbytes, ROWS_MAX_SCRATCH))
    n, h, w, c_in = X.shape
    G, gi, go = Wg.shape[2:]
    (sr, sc), c_out, out_h = geo.stride, geo.c_out, geo.out_h
    J, lx0 = max(map(len, cols.values())), phase_length(0, sc, geo.out_w)
    groups = {}  # images (i0, i1) → their blocks of input rows
    for i0, i1, r0, r1 in _chunks(n, h, lx0 * (J * c_in + c_out) * X.itemsize, budget):
        groups.setdefault((i0, i1), []).append((r0, r1))
    largest = max((i1 - i0) * (r1 - r0) for (i0, i1), spans in groups.items() for r0, r1 in spans) * lx0
    Xg_store, P_store = np.empty(largest * J * c_in, X.dtype), np.empty(largest * c_out, X.dtype)
    per = max(i1 - i0 for i0, i1 in groups)
    E_store = None if sc == 1 else np.empty(per * out_h * lx0 * c_out, X.dtype)
    weights = {  # per row tap and column phase: (G, taps_j·gi, go), column taps side by side
        (a, px): np.ascontiguousarray(Wg[a, [b for b, _ in col_taps]].transpose(1, 0, 2, 3)).reshape(G, -1, go)
        for row_taps in rows.values()
        for a, _ in row_taps
        for px, col_taps in cols.items()
    }
    # stride 1, whole images, a row tap without shift and as many output as input rows: that
    # tap's product covers the output, so it is written first and the others add to it
    covering = (sr, sc) == (1, 1) and out_h == h and all(spans == [(0, h)] for spans in groups.values())
    covering = covering and any(ry == 0 for _, ry in rows[0])
    if covering:
        rows = {0: sorted(rows[0], key=lambda tap: tap[1] != 0)}
    elif sc == 1:
        out[...] = 0  # the column phase is the output: every tap adds into it
    for (i0, i1), spans in groups.items():
        nb = i1 - i0
        for px, col_taps in cols.items():
            lx, Jp = phase_length(px, sc, geo.out_w), len(col_taps)
            E = out[i0:i1] if sc == 1 else E_store[: nb * out_h * lx * c_out].reshape(nb, out_h, lx, c_out)
            if sc != 1:
                E[...] = 0
            for r0, r1 in spans:
                M = nb * (r1 - r0) * lx
                Xg = Xg_store[: M * Jp * c_in].reshape(nb, r1 - r0, lx, G, Jp, gi)
                for j, (_, rx) in enumerate(col_taps):  # Xg[:, :, k, :, j] = X[:, r0:r1, k − rx]
                    k0, k1 = max(0, rx), min(lx, w + rx)
                    Xg[:, :, :k0, :, j] = 0
                    Xg[:, :, k1:, :, j] = 0
                    Xg[:, :, k0:k1, :, j] = X[i0:i1, r0:r1, k0 - rx : k1 - rx].reshape(nb, r1 - r0, k1 - k0, G, gi)
                P = P_store[: M * c_out].reshape(nb, r1 - r0, lx, c_out)
                for py, row_taps in rows.items():
                    ly = phase_length(py, sr, out_h)
                    for a, ry in row_taps:
                        m0, m1 = max(0, r0 + ry), min(ly, r1 + ry)  # phase rows fed by input rows r0:r1
                        if covering and ry == 0:
                            _grouped_product(Xg.reshape(M, -1), weights[a, px], E.reshape(M, c_out))
                        elif m0 < m1:
                            _grouped_product(Xg.reshape(M, -1), weights[a, px], P.reshape(M, c_out))
                            E[:, py + m0 * sr : py + (m1 - 1) * sr + 1 : sr] += P[:, m0 - ry - r0 : m1 - ry - r0]
            if sc != 1:
                out[i0:i1, :, px::sc] = E
    return out


def _planes_per_image(geo, rows, cols):
    """Scratch values per image and output channel of the ``"planes"`` strategy: its planes and a phase buffer."""
    taps = sum(map(len, rows.values())) * sum(map(len, cols.values()))
    return taps * geo.h * geo.w + phase_length(0, geo.stride[0], geo.out_h) * phase_length(0, geo.stride[1], geo.out_w)


def _planes(X, Wg, plan, budget=None):
    """The ``"planes"`` strategy: one matrix product for every tap at once, then each tap's plane added at its shift.

    With few output channels, a product per tap (``"tap"``) re-reads the
    whole input for a handful of output columns. Here one product,
    ``(taps·c_out, c_in) @ (c_in, pixels)``, reads it once and writes each
    (tap, output channel) as a contiguous plane over the block's pixels, so
    that adding it at the tap's shift into its phase (:func:`_add_shifted`)
    runs along whole rows; each phase's channel planes are then copied into
    the output. Blocks of whole images of ``budget`` bytes (default
    ``CHUNK_BYTES``), and within ``PLANES_MAX_SCRATCH`` of the output.
    Arguments as every strategy's (:class:`Rule`).
    """
    geo, rows, cols, out, budget = plan.geo, plan.rows, plan.cols, plan.output(X.dtype), budget or CHUNK_BYTES
    n, h, w, _ = X.shape
    G, gi, go = Wg.shape[2:]
    (sr, sc), c_out = geo.stride, geo.c_out
    phases = [
        (py, px, [(ry, rx) for _, ry in row_taps for _, rx in col_taps])
        for py, row_taps in rows.items()
        for px, col_taps in cols.items()
    ]
    taps = [(a, b) for r in rows.values() for c in cols.values() for a, _ in r for b, _ in c]
    T = len(taps)
    weights = Wg[[a for a, _ in taps], [b for _, b in taps]]  # (taps, G, gi, go)
    weights = np.ascontiguousarray(weights.transpose(1, 0, 3, 2)).reshape(G, T * go, gi)  # rows (tap, channel)
    image = _planes_per_image(geo, rows, cols)
    per = min(budget // (image * c_out * X.itemsize), _share(n * geo.out_h * geo.out_w, PLANES_MAX_SCRATCH) // image)
    per = min(n, max(1, per))
    ly0, lx0 = phase_length(0, sr, geo.out_h), phase_length(0, sc, geo.out_w)  # phase (0, 0) is the largest
    P_store = np.empty(G * T * go * per * h * w, X.dtype)
    E_store = np.empty(c_out * per * ly0 * lx0, X.dtype)
    for i0 in range(0, n, per):
        nb = min(per, n - i0)
        M = nb * h * w
        P = P_store[: G * T * go * M].reshape(G, T * go, M)
        np.matmul(weights, X[i0 : i0 + nb].reshape(M, G, gi).transpose(1, 2, 0), out=P)
        P = P.reshape(G, T, go * nb, h, w, 1)
        t = 0
        for py, px, shifts in phases:
            ly, lx = phase_length(py, sr, geo.out_h), phase_length(px, sc, geo.out_w)
            E = E_store[: c_out * nb * ly * lx].reshape(G, go * nb, ly, lx, 1)
            E[...] = 0
            for ry, rx in shifts:
                rows_ = (max(0, ry), min(ly, h + ry), max(0, ry) - ry)  # phase rows m0:m1 ← input rows i0:
                cols_ = (max(0, rx), min(lx, w + rx), max(0, rx) - rx)
                if rows_[0] < rows_[1] and cols_[0] < cols_[1]:
                    for g in range(G):
                        _add_shifted(E[g], P[g, t], rows=rows_, cols=cols_)
                t += 1
            view, planes = out[i0 : i0 + nb, py::sr, px::sc], E.reshape(c_out, nb, ly, lx)
            for o in range(c_out):
                view[..., o] = planes[o]
    return out


def _tap(X, Wg, plan, budget=None):
    """The ``"tap"`` strategy: per phase and tap, one product over all input pixels, added at its shift.

    :func:`_tap_phase` per phase, on blocks of whole images of ``budget``
    bytes (default ``CHUNK_BYTES``): they keep each tap's product ``P`` and
    the phase buffer ``E`` in cache while they are added and copied; with
    stride 1 the output is the phase. Arguments as every strategy's
    (:class:`Rule`).
    """
    geo, rows, cols, out, budget = plan.geo, plan.rows, plan.cols, plan.output(X.dtype), budget or CHUNK_BYTES
    (sr, sc), c_out = geo.stride, geo.c_out
    unshifted_first = lambda taps: sorted(taps, key=lambda tap: tap[1] != 0)  # noqa: E731
    rows = {py: unshifted_first(taps) for py, taps in rows.items()}  # so that the first tap may cover the phase
    cols = {px: unshifted_first(taps) for px, taps in cols.items()}
    ly0, lx0 = phase_length(0, sr, geo.out_h), phase_length(0, sc, geo.out_w)  # phase (0, 0) is the largest
    per = max(1, budget // ((geo.h * geo.w + ly0 * lx0) * c_out * X.itemsize))
    P_store = np.empty(min(per, geo.n) * geo.h * geo.w * c_out, X.dtype)
    E_store = None if (sr, sc) == (1, 1) else np.empty(min(per, geo.n) * ly0 * lx0 * c_out, X.dtype)
    weights = {
        (py, px): Wg[[a for a, _ in row_taps for _ in col_taps], [b for _ in row_taps for b, _ in col_taps]]
        for py, row_taps in rows.items()
        for px, col_taps in cols.items()
    }
    for i0 in range(0, geo.n, per):
        Xb, outb = X[i0 : i0 + per], out[i0 : i0 + per]
        P = P_store[: Xb.shape[0] * geo.h * geo.w * c_out].reshape(-1, c_out)
        for py, row_taps in rows.items():
            for px, col_taps in cols.items():
                view = outb if E_store is None else outb[:, py::sr, px::sc]
                E = view if E_store is None else E_store[: view.size].reshape(view.shape)
                _tap_phase(Xb, weights[py, px], row_taps, col_taps, E, P)
                if E is not view:
                    view[...] = E
    return out


def _slots(lo, hi, s, start, size_out):
    """``[(r0, r1, i0, i1)]``: grid rows × phase slots whose output rows ``start + r·s + i`` lie in ``[0, size_out)``.

    One piece of whole grid rows (every slot inside) and, at either edge, one
    piece per grid row that is cut off; each is a run of consecutive output rows.
    """
    r0, r1 = min(hi, max(lo, -(start // s))), max(lo, min(hi, (size_out - start) // s))  # whole rows r0 … r1 − 1
    r1 = max(r0, r1)
    pieces = [(r0, r1, 0, s)] if r0 < r1 else []
    for r in [*range(lo, r0), *range(r1, hi)]:
        i0, i1 = max(0, -(start + r * s)), min(s, size_out - start - r * s)
        if i0 < i1:
            pieces.append((r, r + 1, i0, i1))
    return pieces


@dataclass(frozen=True)
class ShuffleAxis:
    """One axis of the ``"shuffle"`` strategy's alignment of the phases (see :func:`_shuffle`).

    Phase ``p``'s row ``m`` reads input rows ``m − shift`` for its taps; with
    ``offset[p]`` its largest shift, that is grid row ``r = m − offset[p]``
    reading input rows ``r + u``, ``u = offset[p] − shift ≥ 0``. Every phase
    then reads the same input rows ``r + u`` for ``u`` in ``reads`` (a tap
    missing from a phase has a zero weight there), so one product over grid
    rows ``lo … hi − 1`` serves all phases.

    Parameters
    ----------
    order : list of int
        The phases by the output row of their grid row 0.
    offset, length : dict
        Per phase: its largest shift, and its rows.
    reads : list of int
        The shifts ``u`` every phase reads.
    lo, hi : int
        The grid rows ``lo … hi − 1``.
    start : int
        The output row of grid row 0's first phase.
    tiled : bool
        Whether the phases, in that order, fill ``s`` consecutive output rows
        per grid row, so that grid row ``r``'s phase ``i`` lands on output row
        ``start + r·s + i`` (a pixel shuffle).
    """

    order: list
    offset: dict
    reads: list
    lo: int
    hi: int
    length: dict
    start: int
    tiled: bool

    @classmethod
    def of(cls, phases, s, size_out):
        """The alignment of one axis's ``phases`` (:func:`phases`), stride ``s``, ``size_out`` outputs."""
        offset = {p: max(shift for _, shift in taps) for p, taps in phases.items()}
        length = {p: phase_length(p, s, size_out) for p in phases}
        order = sorted(phases, key=lambda p: p + offset[p] * s)
        starts = [p + offset[p] * s for p in order]
        return cls(
            order=order,
            offset=offset,
            reads=sorted({offset[p] - shift for p, taps in phases.items() for _, shift in taps}),
            lo=min(-offset[p] for p in phases),
            hi=max(length[p] - offset[p] for p in phases),
            length=length,
            start=starts[0],
            tiled=starts == list(range(starts[0], starts[0] + s)),
        )


@dataclass(frozen=True)
class ShufflePlan:
    """The ``"shuffle"`` strategy's plan for a layer: both axes aligned, and the size of its product.

    Parameters
    ----------
    y, x : ShuffleAxis
        Each axis's alignment.
    K, N : int
        The product's inner size (reads · c_in) and width (phases · c_out).
    limit, weights_limit : int
        The values all its scratch stays within (``SHUFFLE_MAX_SCRATCH`` of
        ``n·out_h·out_w·min(c_in, c_out)``: the output, or the dilated input
        if smaller), and its weights (``SHUFFLE_MAX_WEIGHTS`` of it).
    """

    y: ShuffleAxis
    x: ShuffleAxis
    K: int
    N: int
    limit: int
    weights_limit: int

    @classmethod
    def of(cls, geo, rows, cols):
        """The plan of the layer ``geo`` whose axes have the :func:`phases` ``rows`` and ``cols``."""
        ay, ax = ShuffleAxis.of(rows, geo.stride[0], geo.out_h), ShuffleAxis.of(cols, geo.stride[1], geo.out_w)
        values = geo.n * geo.out_h * geo.out_w * min(geo.c_in, geo.c_out)
        return cls(
            y=ay,
            x=ax,
            K=len(ay.reads) * len(ax.reads) * geo.c_in,
            N=len(ay.order) * len(ax.order) * geo.c_out,
            limit=_share(values, SHUFFLE_MAX_SCRATCH),
            weights_limit=_share(values, SHUFFLE_MAX_WEIGHTS),
        )

    @property
    def computed(self):
        """Output pixel-taps its product computes: grid pixels × reads × phases (per channel pair)."""
        ny, nx = ((a.hi - a.lo) * len(a.reads) * len(a.order) for a in (self.y, self.x))
        return ny * nx


def _shuffle(X, Wg, plan, budget=None):
    """The ``"shuffle"`` strategy: one matrix product for every phase at once, then a pixel shuffle.

    Each phase of a transposed convolution reads the input at a few fixed
    shifts; :func:`_shuffle_axis` aligns the phases so that all of them read
    the same shifted windows. Those windows are copied side by side once
    (``Xg[i, r, q] = X[i, r + u, q + v]`` for every read ``(u, v)``) and one
    product, ``(pixels, reads·c_in) @ (reads·c_in, phases·c_out)``, computes
    every phase of a grid pixel together: ``s² · c_out`` columns instead of
    ``"tap"``'s ``c_out``, and BLAS sums the taps. When the phases tile the
    output (they do for every kernel without dilation that covers its
    stride), each grid pixel's result is an ``s × s`` block of output pixels,
    copied in as whole runs of rows; otherwise phase by phase. Blocks of
    images, or of one image's grid rows, of ``budget`` bytes (default
    ``SHUFFLE_CHUNK_BYTES``); all scratch stays within ``plan.shuffle.limit``
    where :func:`choose_strategy` picks it (its weights and one grid row fit).
    Needs one group. Arguments as every strategy's (:class:`Rule`).

    It wastes the products of the grid's border pixels and of taps a phase
    lacks (:attr:`ShufflePlan.computed` against :attr:`Layer.useful`).
    """
    geo, rows, cols, shuffle = plan.geo, plan.rows, plan.cols, plan.shuffle
    if geo.groups != 1:
        raise ValueError(f"strategy 'shuffle' needs groups=1, got {geo.groups}")
    out, budget = plan.output(X.dtype), budget or SHUFFLE_CHUNK_BYTES
    n, h, w, c_in = X.shape
    (sr, sc), c_out = geo.stride, geo.c_out
    ay, ax, K, N = shuffle.y, shuffle.x, shuffle.K, shuffle.N
    Uy, Ux, PY, PX = ay.reads, ax.reads, ay.order, ax.order
    gh, gw = ay.hi - ay.lo, ax.hi - ax.lo  # grid rows and columns
    weights = np.zeros((len(Uy), len(Ux), c_in, len(PY), len(PX), c_out), X.dtype)
    for iy, py in enumerate(PY):
        for ix, px in enumerate(PX):
            for a, ry in rows[py]:
                for b, rx in cols[px]:
                    u, v = Uy.index(ay.offset[py] - ry), Ux.index(ax.offset[px] - rx)
                    weights[u, v, :, iy, ix] = Wg[a, b, 0]
    weights = weights.reshape(K, N)
    limit = shuffle.limit * X.itemsize  # for all scratch: weights, blocks, a padded input
    budget = min(budget, max(limit - weights.nbytes, limit // 4))
    ty, tx = 0, 0  # X's rows and columns before input row and column 0
    top, left = max(0, -(ay.lo + Uy[0])), max(0, -(ax.lo + Ux[0]))
    bottom, right = max(0, ay.hi + Uy[-1] - h), max(0, ax.hi + Ux[-1] - w)
    padded = n * (top + h + bottom) * (left + w + right) * c_in * X.itemsize
    if padded <= budget // 4:  # pad X once: one whole copy per read, no zeroing
        Xp = np.zeros((n, top + h + bottom, left + w + right, c_in), X.dtype)
        Xp[:, top : top + h, left : left + w] = X
        X, h, w, ty, tx = Xp, top + h + bottom, left + w + right, top, left
        budget -= padded
    tiled = ay.tiled and ax.tiled  # (otherwise phases without taps are zero already: see Plan.output)
    blocks = _chunks(n, gh, gw * (K + N) * X.itemsize, budget)
    largest = max((i1 - i0) * (b1 - b0) for i0, i1, b0, b1 in blocks) * gw
    Xg_store, R_store = np.empty(largest * K, X.dtype), np.empty(largest * N, X.dtype)
    col_pieces = _slots(ax.lo, ax.hi, sc, ax.start, geo.out_w)
    q0 = ax.lo
    for i0, i1, b0, b1 in blocks:
        nb, r0, r1 = i1 - i0, ay.lo + b0, ay.lo + b1  # grid rows r0 … r1 − 1
        M = nb * (r1 - r0) * gw
        Xg = Xg_store[: M * K].reshape(nb, r1 - r0, gw, len(Uy), len(Ux), c_in)
        for iu, u in enumerate(Uy):  # Xg[:, r, q, u, v] = X[:, r + u, q + v], zero outside
            u += ty
            ya, yb = max(r0, -u), max(max(r0, -u), min(r1, h - u))
            for iv, v in enumerate(Ux):
                v += tx
                xa, xb = max(q0, -v), max(max(q0, -v), min(ax.hi, w - v))
                dst = Xg[:, :, :, iu, iv]
                if (ya, yb, xa, xb) != (r0, r1, q0, ax.hi):
                    dst[:, : ya - r0] = 0
                    dst[:, yb - r0 :] = 0
                    dst[:, ya - r0 : yb - r0, : xa - q0] = 0
                    dst[:, ya - r0 : yb - r0, xb - q0 :] = 0
                dst[:, ya - r0 : yb - r0, xa - q0 : xb - q0] = X[i0:i1, ya + u : yb + u, xa + v : xb + v]
        R = R_store[: M * N].reshape(M, N)
        np.matmul(Xg.reshape(M, K), weights, out=R)
        R = R.reshape(nb, r1 - r0, gw, len(PY), len(PX), c_out)
        if tiled:  # grid pixel (r, q), phase slots (i, j) → output pixel (start + r·s + i, start + q·s + j)
            for ra, rb, ia, ib in _slots(r0, r1, sr, ay.start, geo.out_h):
                for qa, qb, ja, jb in col_pieces:
                    y, x = ay.start + ra * sr + ia, ax.start + qa * sc + ja
                    src = R[:, ra - r0 : rb - r0, qa - q0 : qb - q0, ia:ib, ja:jb].transpose(0, 1, 3, 2, 4, 5)
                    dst = out[i0:i1, y : y + (rb - ra - 1) * sr + ib - ia, x : x + (qb - qa - 1) * sc + jb - ja]
                    dst = dst.view()
                    dst.shape = src.shape  # a view, or an error: never a copy
                    dst[...] = src
            continue
        for iy, py in enumerate(PY):
            oy = ay.offset[py]
            m0, m1 = max(0, r0 + oy), min(ay.length[py], r1 + oy)  # phase rows of this block
            for ix, px in enumerate(PX):
                ox = ax.offset[px]
                k0, k1 = max(0, q0 + ox), min(ax.length[px], ax.hi + ox)
                if m0 < m1 and k0 < k1:
                    rows_, cols_ = (
                        slice(py + m0 * sr, py + (m1 - 1) * sr + 1, sr),
                        slice(px + k0 * sc, px + (k1 - 1) * sc + 1, sc),
                    )
                    out[i0:i1, rows_, cols_] = R[:, m0 - oy - r0 : m1 - oy - r0, k0 - ox - q0 : k1 - ox - q0, iy, ix]
    return out


def _canvas(geo):
    """The shape of the uncropped result, ``(n, full_h + output_padding, full_w + output_padding, c_out)``."""
    full_h, full_w = geo.full_size
    return geo.n, full_h + geo.output_padding[0], full_w + geo.output_padding[1], geo.c_out


def _small(X, Wg, plan, budget=None):
    """The ``"small"`` strategy: each tap's product added, ``stride`` apart, into the uncropped result.

    Two numpy calls per tap and no phases: the cheapest for the few pixels of
    a slider's example, where each numpy call's fixed cost dominates.
    Arguments as every strategy's (:class:`Rule`; no blocks, so no ``budget``).
    """
    geo = plan.geo
    (sr, sc), (dr, dc) = geo.stride, geo.dilation
    top, _, left, _ = geo.padding
    n, h, w, c_in = X.shape
    canvas = np.zeros(_canvas(geo), X.dtype)
    X2, P = X.reshape(-1, c_in), np.empty((n * h * w, geo.c_out), X.dtype)
    for a in range(geo.kh):
        for b in range(geo.kw):
            _grouped_product(X2, Wg[a, b], P)
            canvas[:, a * dr : a * dr + (h - 1) * sr + 1 : sr, b * dc : b * dc + (w - 1) * sc + 1 : sc] += P.reshape(
                n, h, w, -1
            )
    return canvas[:, top : top + geo.out_h, left : left + geo.out_w]


def _gathered(X, Wg, plan, budget=None):
    """The ``"gemm"`` and ``"grouped"`` strategies: per phase, every tap's input window gathered, one product per block.

    Per phase and block of output rows, the taps' windows are copied side by
    side and multiplied in one matrix product (taps concatenated along its
    inner dimension, so BLAS sums them), batched over the groups by one
    ``np.matmul`` (:func:`_correlate`); a small input is padded once first,
    so that no window leaves it. Blocks of ``budget`` bytes (default
    ``CHUNK_BYTES``; ``DEPTHWISE_CHUNK_BYTES`` for ``"depthwise"``, which
    comes here beyond ``DEPTHWISE_MAX_STRIDE`` and multiplies instead of a
    product), and no larger than the input: memory stays below the dilated
    input's size. Arguments as every strategy's (:class:`Rule`).
    """
    geo, rows, cols, out = plan.geo, plan.rows, plan.cols, plan.output(X.dtype)
    sr, sc = geo.stride
    Xp, top, left = X, 0, 0
    if X.nbytes <= SMALL_INPUT_BYTES:  # pad a small input once, so that no phase's window leaves it
        top = max(0, max(ry for taps in rows.values() for _, ry in taps))
        left = max(0, max(rx for taps in cols.values() for _, rx in taps))
        bottom = max(0, max(phase_length(p, sr, geo.out_h) - ry for p, taps in rows.items() for _, ry in taps) - geo.h)
        right = max(0, max(phase_length(p, sc, geo.out_w) - rx for p, taps in cols.items() for _, rx in taps) - geo.w)
        Xp = np.zeros((geo.n, geo.h + top + bottom, geo.w + left + right, geo.c_in), X.dtype)
        Xp[:, top : top + geo.h, left : left + geo.w] = X
    scratch = min(budget or (DEPTHWISE_CHUNK_BYTES if plan.strategy == "depthwise" else CHUNK_BYTES), X.nbytes)
    for py, row_taps in rows.items():
        for px, col_taps in cols.items():
            a, b = zip(*[(a, b) for a, _ in row_taps for b, _ in col_taps])
            taps = [(top - ry, left - rx) for _, ry in row_taps for _, rx in col_taps]
            view = out if (sr, sc) == (1, 1) else out[:, py::sr, px::sc]
            _correlate(Xp, Wg[list(a), list(b)], taps, view, strategy=plan.strategy, budget=scratch)
    return out


# The rules' conditions: each a function of a Layer; its docstring says it in words (the module docstring lists them).


def _small_result(layer):
    """the uncropped result has at most ``SMALL_CANVAS`` values (a slider's example)"""
    return layer.canvas <= SMALL_CANVAS


def _one_input_channel(layer):
    """each group has one input channel (no matrix product to make)"""
    return layer.gi == 1


def _few_output_channels(layer):
    """a group has at most ``PLANES_MAX_CHANNELS`` output channels (an RGB image) and the batch is large
    enough that one image's planes and phase buffer stay within ``PLANES_MAX_SCRATCH`` of the output"""
    geo = layer.geo
    if layer.go > PLANES_MAX_CHANNELS:
        return False
    return _planes_per_image(geo, layer.rows, layer.cols) <= _share(geo.n * geo.out_h * geo.out_w, PLANES_MAX_SCRATCH)


def _phases_tile_the_output(layer):
    """there is one group, with at least as many input as output channels, a stride above 1, phases that
    tile the output (every row and column phase has a tap: any undilated kernel at least as wide as its
    stride), weights (the kernel rearranged) within ``SHUFFLE_MAX_WEIGHTS`` of the output and one image's
    grid row beside them within ``SHUFFLE_MAX_SCRATCH`` of it, and its one product computes at most
    ``SHUFFLE_WASTE_LIMIT`` times the pixel-taps that carry input (the grid's border and the taps a phase
    lacks included)"""
    geo = layer.geo
    if geo.groups != 1 or geo.stride == (1, 1) or layer.gi < layer.go or layer.shuffle is None:
        return False
    plan = layer.shuffle
    weights, row = plan.K * plan.N, (plan.x.hi - plan.x.lo) * (plan.K + plan.N)  # and its smallest block: a grid row
    fits = weights <= plan.weights_limit and weights + row <= plan.limit
    return plan.y.tiled and plan.x.tiled and fits and plan.computed / layer.useful <= SHUFFLE_WASTE_LIMIT


def _column_taps(layer):
    """a group has at least as many input as output channels, a column phase has at least ``ROWS_MIN_TAPS``
    taps (stride 1 with a k3 or k7 kernel), and gathering taps would compute at most ``WASTE_LIMIT`` times
    the pixel-taps that carry input"""
    taps = max(map(len, layer.cols.values()), default=0)
    return layer.gi >= layer.go and layer.waste <= WASTE_LIMIT and taps >= ROWS_MIN_TAPS


def _input_channels_or_waste(layer):
    """a group has at least as many input as output channels, or gathering taps would compute more than
    ``WASTE_LIMIT`` times the pixel-taps that carry input (an output much larger than its input)"""
    return layer.gi >= layer.go or layer.waste > WASTE_LIMIT


def _one_group(layer):
    """there is one group"""
    return layer.geo.groups == 1


def _otherwise(layer):
    """no row above applies"""
    return True


@dataclass(frozen=True)
class Rule:
    """A row of a rule table: ``strategy`` computes a layer (``run``) when ``when(layer)`` holds.

    Parameters
    ----------
    strategy : str
        The strategy's name.
    when : callable
        ``when(layer) -> bool`` on a :class:`Layer`; its docstring is the
        condition in words.
    run : callable
        ``run(X, Wg, plan, budget=None) -> out``, the one signature of every
        strategy: ``X`` the checked input ``(n, h, w, c_in)``, ``Wg`` the
        kernel ``(kh, kw, groups, c_in // groups, c_out // groups)``, ``plan``
        a :class:`Plan` of this strategy, ``budget`` the scratch bytes per
        block (None: the strategy's default); returns the output
        ``(n, out_h, out_w, c_out)``.
    by_phases : bool, default True
        Whether ``run`` reads the plan's phases; if so, ``run`` is only called
        when some tap reaches the output (zeros otherwise, without a call).
    """

    strategy: str
    when: Callable
    run: Callable
    by_phases: bool = True


#: ``method="fast"``'s rule, first match wins (the module docstring lists it in words).
RULES = (
    Rule("small", _small_result, _small, by_phases=False),
    Rule("depthwise", _one_input_channel, _depthwise),
    Rule("planes", _few_output_channels, _planes),
    Rule("shuffle", _phases_tile_the_output, _shuffle),
    Rule("rows", _column_taps, _rows),
    Rule("tap", _input_channels_or_waste, _tap),
    Rule("gemm", _one_group, _gathered),
    Rule("grouped", _otherwise, _gathered),
)

#: The strategies by name: :data:`RULES` read as a registry.
STRATEGIES = {rule.strategy: rule.run for rule in RULES}
_BY_PHASES = {rule.strategy for rule in RULES if rule.by_phases}


def choose_strategy(geo, strategy=None):
    """The :class:`Plan` ``method="fast"`` runs on a layer: the first row of :data:`RULES` that applies.

    Parameters
    ----------
    geo : deconvlib.geometry.Geometry
        A transposed convolution's geometry.
    strategy : str, optional
        A name of :data:`STRATEGIES` to plan instead of the rule's (the tests
        force each).

    Returns
    -------
    Plan
        Its ``strategy`` one of ``"small"``, ``"depthwise"``, ``"planes"``,
        ``"shuffle"``, ``"rows"``, ``"tap"``, ``"gemm"``, ``"grouped"``.

    Examples
    --------
    >>> from deconvlib.geometry import transpose_geometry
    >>> def strategy(x_shape, w_shape, **params):
    ...     geo = transpose_geometry(np.ones(x_shape), np.ones(w_shape), stride=params.get("stride", 2), padding=1,
    ...                              output_padding=0, dilation=1, groups=params.get("groups", 1), bias=None).geometry
    ...     return choose_strategy(geo).strategy
    >>> strategy((8, 32, 32, 64), (4, 4, 64, 1), groups=64), strategy((64, 32, 32, 64), (4, 4, 64, 3))
    ('depthwise', 'planes')
    >>> strategy((8, 32, 32, 64), (3, 3, 64, 64), stride=1), strategy((64, 8, 8, 256), (4, 4, 256, 128))
    ('rows', 'tap')
    >>> strategy((8, 16, 16, 64), (8, 8, 64, 32), stride=4), strategy((1, 128, 128, 64), (4, 4, 64, 32))
    ('shuffle', 'shuffle')
    >>> strategy((8, 16, 16, 32), (4, 4, 32, 128)), strategy((8, 16, 16, 32), (4, 4, 32, 64), groups=2)
    ('gemm', 'grouped')
    """
    if strategy is not None and strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {sorted(STRATEGIES)}, got {strategy!r}")
    layer = Layer(geo)
    return Plan(strategy or _first_match(RULES, layer), layer)


def _first_match(rules, layer):
    """The strategy of the first of ``rules`` whose condition holds on ``layer``."""
    for rule in rules:
        if rule.when(layer):
            return rule.strategy


def conv_transpose_fast(X, W, geo, strategy=None, budget=None):
    """``method="fast"`` of :func:`deconvlib.conv_transpose2d` on checked arguments: the :class:`Plan` run.

    ``strategy`` forces one of :data:`STRATEGIES` and ``budget`` the scratch
    bytes per block (the tests use both); by default :func:`choose_strategy`
    picks (the rule in the module docstring).

    Parameters
    ----------
    X : ndarray, shape (n, h, w, c_in)
    W : ndarray, shape (kh, kw, c_in, c_out // groups)
    geo : deconvlib.geometry.Geometry
    strategy : str, optional
    budget : int, optional

    Returns
    -------
    ndarray, shape (n, out_h, out_w, c_out)
    """
    # Sub-pixel (phase) decomposition. Input pixel (i, j) through tap (a, b) lands
    # on output pixel (i·s + a·d − top, j·s + b·d − left), so the output splits into
    # s×s interleaved phases (every s-th row and column), each a stride-1
    # correlation of the input with its own taps at fixed shifts. Only phases that
    # some tap reaches cost anything: the work is O(output), not O(stride²).
    plan = choose_strategy(geo, strategy)
    if plan.strategy in _BY_PHASES and not plan.reaches:
        return np.zeros((geo.n, geo.out_h, geo.out_w, geo.c_out), X.dtype)  # no tap reaches the output
    Wg = W.reshape(geo.kh, geo.kw, geo.groups, geo.c_in // geo.groups, geo.c_out // geo.groups)
    return STRATEGIES[plan.strategy](X, Wg, plan, budget)


def _conv_stride_1(layer):
    """the stride is 1 and a group has at least as many input as output channels, more than one (a
    stride-1 convolution is a transposed one with its kernel flipped; on 2 threads ~15 % faster than
    gathering on a 64 → 64 k3 layer)"""
    return layer.geo.stride == (1, 1) and layer.gi >= layer.go > 1


def _conv_tap(X, Wg, plan, budget=None):
    """One product per tap over the whole input, added at its shift, as ``"tap"`` (no gathering copy).

    A stride-1 convolution is a transposed one with its kernel flipped:
    output ``(y, x)`` reads input ``(y − ry, x − rx)`` through tap ``(a, b)``,
    one phase. Arguments as every strategy's (:class:`Rule`), ``plan`` a
    forward convolution's (its taps made here).
    """
    geo = plan.geo
    (dr, dc), (top, _, left, _) = geo.dilation, geo.padding
    rows = {0: [(a, top - a * dr) for a in range(geo.kh) if _reaches(top - a * dr, geo.h, geo.out_h)]}
    cols = {0: [(b, left - b * dc) for b in range(geo.kw) if _reaches(left - b * dc, geo.w, geo.out_w)]}
    if not (rows[0] and cols[0]):
        return np.zeros((geo.n, geo.out_h, geo.out_w, geo.c_out), X.dtype)
    return _tap(X, Wg, Plan("tap", Layer(geo, rows, cols)), budget)


def _conv_gathered(X, Wg, plan, budget=None):
    """Every tap's window gathered side by side, one product per block of output rows.

    :func:`_correlate`, once. Tap ``(a, b)``: output ``(y, x)`` reads input
    ``(y·s + a·d − top, x·s + b·d − left)``, zero outside. ``"depthwise"``
    multiplies instead of a product. Arguments as every strategy's (:class:`Rule`).
    """
    geo = plan.geo
    (dr, dc), (top, _, left, _) = geo.dilation, geo.padding
    taps = [(a * dr - top, b * dc - left) for a in range(geo.kh) for b in range(geo.kw)]
    weights = Wg.reshape(geo.kh * geo.kw, *Wg.shape[2:])  # (taps, groups, gi, go)
    out = np.empty((geo.n, geo.out_h, geo.out_w, geo.c_out), X.dtype)
    return _correlate(X, weights, taps, out, plan.strategy, step=geo.stride, budget=budget)


#: :func:`conv_fast`'s rule, first match wins.
CONV_RULES = (
    Rule("tap", _conv_stride_1, _conv_tap),
    Rule("depthwise", _one_input_channel, _conv_gathered),
    Rule("gemm", _one_group, _conv_gathered),
    Rule("grouped", _otherwise, _conv_gathered),
)
CONV_STRATEGIES = {rule.strategy: rule.run for rule in CONV_RULES}


def conv_fast(X, W, geo):
    """:func:`deconvlib.conv2d` on checked arguments: the first row of :data:`CONV_RULES` that applies, run.

    ``out[n, y, x, o] = Σ_a Σ_b Σ_c X_padded[n, y·s + a·d, x·s + b·d, c] · W[a, b, c, o]`` per group.

    Parameters
    ----------
    X : ndarray, shape (n, h, w, c_in)
    W : ndarray, shape (kh, kw, c_in // groups, c_out)
    geo : deconvlib.geometry.Geometry
        A forward convolution's geometry.

    Returns
    -------
    ndarray, shape (n, out_h, out_w, c_out)
    """
    layer = Layer(geo)
    plan = Plan(_first_match(CONV_RULES, layer), layer)
    Wg = W.reshape(geo.kh, geo.kw, layer.gi, geo.groups, layer.go).transpose(0, 1, 3, 2, 4)  # (kh, kw, G, gi, go)
    return CONV_STRATEGIES[plan.strategy](X, Wg, plan)


def _describe(rules):
    """The rule table in words: a numbered list, one item per row (the module docstring's end)."""
    items = []
    for i, rule in enumerate(rules, 1):
        when = " ".join(rule.when.__doc__.split())
        how = rule.run.__doc__.split("\n")[0].rstrip(".")
        how = how.split(": ", 1)[-1] if how.startswith("The ") else how  # after 'The "tap" strategy: '
        items.append(f"{i}. ``{rule.strategy}`` when {when}: {how[0].lower()}{how[1:]} (:func:`{rule.run.__name__}`).")
    return "\n".join(items)


__doc__ += (
    "\n" + _describe(RULES) + "\n\nAnd :func:`conv_fast`'s (:data:`CONV_RULES`):\n\n" + _describe(CONV_RULES) + "\n"
)
