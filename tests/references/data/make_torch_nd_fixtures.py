"""Generate PyTorch reference fixtures for deconvlib's 1-D and 3-D convolutions.

The recipe (``build``: draw, compute with torch, prove, convert) is written once
for any number of spatial axes N; this script runs it for N = 1 and 3, and
``make_torch_fixtures.py`` calls it with its own 2-D cases.

How to run (from the repository root; torch is needed ONLY here, never at
runtime or test time)::

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python tests/references/data/make_torch_nd_fixtures.py

Generated with torch 2.13.0 (CPU), numpy random seed SEED = 20261125 (all
random numbers come from ``numpy.random.default_rng(SEED)``; torch is used
only to compute, so the *contents* are deterministic; the .npz bytes are not,
because zip members carry timestamps).

Outputs (next to this script), for N = 1 and N = 3:

``torch_conv_transpose{N}d.npz``
    ``cases``: a JSON string -- a list of dicts with keys ``name``, ``key``,
    ``stride`` (N ints), ``padding`` (2N ints ``[before_0, after_0,
    before_1, after_1, ...]`` in axis order), ``torch_native`` (True if every
    axis has before == after, so torch's conv_transpose{N}d computed ``y``
    directly), ``output_padding`` (N), ``dilation`` (N), ``groups``,
    ``has_bias``, ``dtype`` ("float64" or "float32") and the shapes of x, w, y.
    Arrays ``<key>_x`` (n, *spatial, c_in), ``<key>_w`` (*kernel, c_in,
    c_out // groups), ``<key>_b`` (c_out,) only when has_bias, ``<key>_y``
    (n, *out_spatial, c_out).

``torch_conv{N}d.npz``
    Same scheme for torch.nn.functional.conv{N}d; no ``output_padding``;
    ``<key>_w`` is (*kernel, c_in // groups, c_out).

Layout conversions (torch -> deconvlib):
    x, y: NCW -> NWC ``permute(0, 2, 1)``; NCDHW -> NDHWC ``permute(0, 2, 3, 4, 1)``
    conv_transpose weight (c_in, c_out/g, *k) -> ``permute(2, 0, 1)`` / ``permute(2, 3, 4, 0, 1)``
    conv weight (c_out, c_in/g, *k)           -> ``permute(2, 1, 0)`` / ``permute(2, 3, 4, 1, 0)``

Asymmetric padding does not exist in torch's transposed convolutions.  It is
defined as: the full transposed convolution (padding 0, output_padding 0),
zero-extended by output_padding at the end of each axis, then cropped
``[before : full + op - after]`` per axis; bias added last.  The generator
proves this construction two ways for every case: (1) on every symmetric case
it must equal torch's own conv_transpose{N}d(padding, output_padding); (2) on
every case it must equal the adjoint (autograd input-gradient) of torch's
conv{N}d applied to the asymmetrically F.pad-ed input, an independent
derivation.

Forward asymmetric padding is ``F.pad`` followed by conv{N}d with padding 0;
on symmetric cases it is checked against conv{N}d(padding=befores).

Sizes are kept small: the 3-D cases stay well inside deconvlib's
``MATRIX_MAX_ENTRIES`` / ``MATRIX_MAX_WORK`` so that ``method="matrix"`` runs
on every one of them, and the whole set stays under 2 MB.
"""

import json
import os

import numpy as np

SEED = 20261125
TORCH_VERSION = "2.13.0"
HERE = os.path.dirname(os.path.abspath(__file__))
DIMS = (1, 3)
N_TCONV = {1: 140, 3: 130}  # cases per file, hand-picked first, then random
N_CONV = {1: 70, 3: 66}
MAX_OUT_ELEMS = {1: 300, 3: 1200}  # keeps the .npz small and the slow methods quick
# half of deconvlib.transpose.MATRIX_MAX_ENTRIES / MATRIX_MAX_WORK: method="matrix" must run, and quickly
MATRIX_ENTRIES_CAP = 2**21
MATRIX_WORK_CAP = 2**25


# --------------------------------------------------------------------------
# size helpers (pure python)
# --------------------------------------------------------------------------
def tconv_out(i, k, s, lo, hi, d, op):
    return (i - 1) * s - lo - hi + d * (k - 1) + op + 1


def conv_out(i, k, s, lo, hi, d):
    eff = i + lo + hi - d * (k - 1) - 1
    if eff < 0:
        return 0
    return eff // s + 1


def _axes(v, nd):
    """An int for every axis, or a list of nd ints, as a list of nd ints."""
    if isinstance(v, (list, tuple)):
        assert len(v) == nd, (v, nd)
        return [int(a) for a in v]
    return [int(v)] * nd


def _padding(p, nd):
    """p is an int, nd symmetric amounts, or 2nd (before, after) amounts -> 2nd list."""
    if isinstance(p, int):
        return [p] * (2 * nd)
    if len(p) == nd:
        return [int(a) for a in p for _ in range(2)]
    assert len(p) == 2 * nd, (p, nd)
    return [int(a) for a in p]


# --------------------------------------------------------------------------
# case specs
# --------------------------------------------------------------------------
def spec(nd, tag, n, size, cin, cout, k, s=1, p=0, op=0, d=1, g=1, bias=False, dtype="float64"):
    """A case in nd spatial axes; an int parameter means the same value on every axis."""
    return dict(
        nd=nd,
        tag=tag,
        n=n,
        size=_axes(size, nd),
        cin=cin,
        cout=cout,
        k=_axes(k, nd),
        s=_axes(s, nd),
        p=_padding(p, nd),
        op=_axes(op, nd),
        d=_axes(d, nd),
        g=g,
        bias=bias,
        dtype=dtype,
    )


def t_out_spatial(c):
    return [
        tconv_out(c["size"][a], c["k"][a], c["s"][a], c["p"][2 * a], c["p"][2 * a + 1], c["d"][a], c["op"][a])
        for a in range(c["nd"])
    ]


def c_out_spatial(c):
    return [
        conv_out(c["size"][a], c["k"][a], c["s"][a], c["p"][2 * a], c["p"][2 * a + 1], c["d"][a])
        for a in range(c["nd"])
    ]


def tvalid(c):
    """torch accepts it, the output is non-empty, and it stays small (storage, method='matrix')."""
    if c["cin"] % c["g"] or c["cout"] % c["g"]:
        return False
    if any(not (op < s or op < d) for op, s, d in zip(c["op"], c["s"], c["d"])):  # torch's rule
        return False
    out = t_out_spatial(c)
    if min(out) < 1:
        return False
    if c["n"] * int(np.prod(out)) * c["cout"] > MAX_OUT_ELEMS[c["nd"]]:
        return False
    entries = int(np.prod(c["size"])) * c["cin"] * int(np.prod(out)) * c["cout"]
    return entries <= MATRIX_ENTRIES_CAP and int(np.prod(c["k"])) * entries <= MATRIX_WORK_CAP


def cvalid(c):
    if c["cin"] % c["g"] or c["cout"] % c["g"]:
        return False
    out = c_out_spatial(c)
    return min(out) >= 1 and c["n"] * int(np.prod(out)) * c["cout"] <= MAX_OUT_ELEMS[c["nd"]]


def handpicked_tconv(nd):
    """The same named cases in every dimension (an int is every axis), then per-axis ones for nd."""

    def T(*a, **kw):
        return spec(nd, *a, **kw)

    n2 = 2 if nd == 1 else 1  # a batch of two where the 3-D case would be too large
    L = [
        # stride 1..4
        T("stride1", 1, 3, 2, 3, 3, s=1),
        T("stride2", 2 if nd == 1 else 1, 3, 2, 2, 3, s=2),
        T("stride3", 1, 3 if nd == 1 else 2, 1, 2, 3, s=3),
        T("stride4", 1, 2, 2, 1, 2, s=4),
        T("stride4_k5", 1, 2, 1, 1, 5 if nd == 1 else 3, s=4, p=1),
        # symmetric padding
        T("pad1_s1", 1, 4, 2, 2, 3, s=1, p=1),
        T("pad1_s2_op1", 1, 3, 2, 3, 3, s=2, p=1, op=1, bias=True),
        T("pad2_s2_k5", 2 if nd == 1 else 1, 3, 1, 2, 5 if nd == 1 else 4, s=2, p=2),
        # padding larger than the dilated kernel minus one (torch accepts it while the output is non-empty)
        T("pad_gt_k_3_k2", 1, 4 if nd == 1 else 3, 1, 2, 2, s=3, p=3),
        T("pad_gt_k_2_k1", 1, 5 if nd == 1 else 3, 2, 2, 1, s=2, p=2),
        T("pad_gt_k_4_k3", 2 if nd == 1 else 1, 3, 2, 2, 3, s=4, p=4, bias=True),
        T("pad_gt_k_dil", 1, 4, 2, 2, 2, s=2, d=3, p=4),
        T("pad_gt_k_s1", 1, 5 if nd == 1 else 4, 1, 1, 2, s=1, p=2),
        # output_padding < stride
        T("op1_s2", 1, 3, 2, 2, 3, s=2, op=1),
        T("op2_s3", 1, 3 if nd == 1 else 2, 2, 2, 3, s=3, op=2, p=1),
        T("op3_s4", 1, 2, 1, 1, 2, s=4, op=3),
        # output_padding >= stride but < dilation (torch accepts op < max(stride, dilation))
        T("op_ge_s_lt_d_s1d2", 1, 3, 2, 2, 3 if nd == 1 else 2, s=1, d=2, op=1),
        T("op_ge_s_lt_d_s1d3", 1, 3, 1, 2, 2, s=1, d=3, op=2),
        T("op_ge_s_lt_d_s2d3", 1, 3, 2, 2, 2, s=2, d=3, op=2, p=1),
        T("op_ge_s_lt_d_bias_g2", 2 if nd == 1 else 1, 2, 2, 4, 2, s=1, d=2, op=1, g=2, bias=True),
        # dilation 1..3
        T("dil2", 1, 3, 2, 2, 3 if nd == 1 else 2, d=2),
        T("dil3_s2", 1, 3, 2, 2, 2, d=3, s=2),
        T("dil3_pad", 1, 3, 1, 2, 3 if nd == 1 else 2, d=3, p=2),
        # groups 1..4, depthwise (groups = c_in)
        T("groups2", 1, 3, 2, 2, 3 if nd == 1 else 2, g=2),
        T("groups2_c4_6", 1, 3 if nd == 1 else 2, 4, 6, 3 if nd == 1 else 2, s=2, g=2, bias=True),
        T("groups3", 1, 3, 3, 3, 2, g=3),
        T("groups3_c6_3", 2 if nd == 1 else 1, 3, 6, 3, 2, s=2, g=3, p=1),
        T("groups4", 1, 3, 4, 4, 2, s=2, g=4),
        T("groups4_c8_4", 1, 3 if nd == 1 else 2, 8, 4, 2, s=2, g=4, bias=True),
        T("depthwise_c2", 1, 3, 2, 2, 3 if nd == 1 else 2, s=2, g=2, p=1),
        T("depthwise_c3_mult2", 1, 3 if nd == 1 else 2, 3, 6, 2, s=2, g=3),
        T("depthwise_c4_dil", 1, 3, 4, 4, 2, d=2, g=4, bias=True),
        # bias
        T("bias_s1", 1, 3, 2, 3, 3 if nd == 1 else 2, bias=True),
        T("bias_s2", 2 if nd == 1 else 1, 3, 1, 2, 3 if nd == 1 else 2, s=2, bias=True),
        # kernel larger than the input
        T("k_gt_in_5_2", 1, 2, 2, 2, 5 if nd == 1 else 3),
        T("k_gt_in_4_1", 1, 1, 2, 2, 4, s=2),
        T("k_gt_in_6_3_pad", 1, 3 if nd == 1 else 2, 1, 2, 6 if nd == 1 else 4, s=2, p=2),
        # 1x1 kernels and size-1 inputs
        T("k1", 2 if nd == 1 else 1, 3, 3, 2, 1, s=2),
        T("k1_s1_g2", 1, 3, 4, 4, 1, g=2),
        T("in1", 1, 1, 3, 2, 3),
        T("in1_s3_op2", 2 if nd == 1 else 1, 1, 2, 2, 3, s=3, op=2),
        T("in1_k1", 1, 1, 2, 3, 1),
        T("in1_pad", 1, 1, 1, 1, 3, p=1),
        # batch sizes
        T("batch1", 1, 3, 2, 2, 2, s=2),
        T("batch2", 2, 3, 2, 2, 2, s=2),
        T("batch3", 3, 2, 2, 2, 2, s=2),
        # output of size 1 along every axis (heavy cropping)
        T("out_1", 1, 1, 2, 2, 3, p=1),
        # single channel (also checked in the unbatched form)
        T("single_s1", 1, 3, 1, 1, 3 if nd == 1 else 2),
        T("single_s2_p1", 1, 3, 1, 1, 3, s=2, p=1, op=1),
        T("single_dil", 1, 3, 1, 1, 2, s=3, d=2),
        T("single_bias", 1, 2, 1, 1, 2, s=2, bias=True),
    ]
    # uneven padding (before != after), built by cropping a padding=0 result
    if nd == 1:
        L += [
            T("asym_1_0", 1, 4, 2, 2, 3, s=2, p=[1, 0]),
            T("asym_0_2", 1, 4, 2, 2, 3, s=2, p=[0, 2]),
            T("asym_2_0_bias", 2, 3, 1, 3, 4, s=2, p=[2, 0], bias=True),
            T("asym_big", 1, 4, 1, 1, 3, s=3, p=[5, 1]),
            T("asym_op", 1, 3, 2, 2, 3, s=2, p=[1, 0], op=1),
            T("asym_groups", 2, 3, 4, 2, 2, s=2, p=[0, 1], g=2),
            T("asym_dil", 1, 3, 2, 2, 3, s=2, d=2, p=[3, 1]),
            T("asym_op_ge_s", 1, 3, 2, 2, 2, s=1, d=3, op=2, p=[1, 0]),
            T("asym_depthwise", 1, 4, 3, 3, 3, s=2, g=3, p=[0, 3]),
            T("asym_single", 1, 4, 1, 1, 3, s=2, p=[2, 1]),
            T("asym_in1", 1, 1, 2, 2, 3, d=2, p=[0, 3]),
            T("long_k7_s4", 1, 6, 2, 2, 7, s=4, p=3, op=3),
            T("long_in8", 2, 8, 2, 3, 4, s=3, p=[2, 4], bias=True),
            T("c8_1", 1, 3, 8, 1, 3),
            T("c1_8", 1, 3, 1, 8, 3),
        ]
    else:
        L += [
            # per-axis strides, kernels, dilations, output paddings
            T("stride_1x2x3", 1, [2, 3, 2], 2, 2, 2, s=[1, 2, 3]),
            T("stride_4x1x2", 1, [2, 2, 3], 1, 2, [2, 3, 2], s=[4, 1, 2], bias=True),
            T("kernel_1x2x3", 1, [3, 2, 2], 2, 2, [1, 2, 3], s=2),
            T("kernel_3x1x1", 2, [2, 3, 2], 1, 2, [3, 1, 1], s=[1, 2, 2]),
            T("dil_1x2x3", 1, 2, 2, 2, 2, d=[1, 2, 3]),
            T("dil_3x1x2_s", 1, 2, 1, 2, [2, 2, 3], d=[3, 1, 2], s=[2, 2, 1], p=1),
            T("op_1x0x2", 1, 2, 2, 2, 2, s=[2, 1, 3], op=[1, 0, 2]),
            T("op_ge_s_per_axis", 1, 2, 2, 2, 2, s=[1, 2, 1], d=[2, 1, 3], op=[1, 1, 2]),
            T("pad_per_axis", 1, 3, 2, 2, 3, s=2, p=[1, 0, 2]),
            T("depth1_kd1", 1, [1, 3, 3], 2, 2, [1, 3, 2], s=[1, 2, 2], p=[0, 1, 0]),
            T("depth1_kd1_g2", 2, [1, 2, 3], 2, 2, [1, 2, 2], s=[1, 3, 2], g=2, bias=True),
            # uneven (before != after) padding, per axis
            T("asym_100000", 1, 3, 2, 2, 3, s=2, p=[1, 0, 0, 0, 0, 0]),
            T("asym_001020", 1, 3, 2, 2, 3, s=2, p=[0, 0, 1, 0, 2, 0]),
            T("asym_all_axes", 1, 3, 1, 2, 3, s=2, p=[2, 0, 0, 2, 1, 3], bias=True),
            T("asym_big", 1, 2, 1, 1, 3, s=3, p=[4, 1, 0, 5, 2, 2]),
            T("asym_op", 1, 2, 2, 2, 3, s=2, p=[1, 0, 0, 1, 1, 1], op=1),
            T("asym_groups", 1, 2, 4, 2, 2, s=2, p=[1, 0, 0, 1, 0, 0], g=2),
            T("asym_dil", 1, 2, 2, 2, 2, s=2, d=2, p=[2, 1, 0, 2, 1, 0]),
            T("asym_op_ge_s", 1, 2, 2, 2, 2, s=1, d=3, op=2, p=[1, 0, 2, 1, 0, 0]),
            T("asym_depthwise", 1, 2, 3, 3, 2, s=2, g=3, p=[0, 1, 1, 0, 0, 1]),
            T("asym_single", 1, 3, 1, 1, 3, s=2, p=[2, 1, 0, 1, 1, 0]),
        ]
    L += [
        T("f32_basic", 1, 3, 2, 2, 3 if nd == 1 else 2, s=2, dtype="float32"),
        T("f32_pad_bias_g2", n2, 3, 2, 4, 3 if nd == 1 else 2, s=2, p=1, op=1, g=2, bias=True, dtype="float32"),
    ]
    bad = [(c["tag"], t_out_spatial(c)) for c in L if not tvalid(c)]
    assert not bad, (nd, bad)
    return L


def _draw_axes(rng, lo, hi, nd):
    """nd values from [lo, hi]: the same on every axis half of the time."""
    if rng.random() < 0.5:
        return [int(rng.integers(lo, hi + 1))] * nd
    return [int(v) for v in rng.integers(lo, hi + 1, size=nd)]


def _draw_channels(rng):
    g = int(rng.choice([1, 1, 1, 2, 3, 4]))
    if rng.random() < 0.15:  # depthwise
        return g, g, g * int(rng.integers(1, 3))
    if rng.random() < 0.15:  # a single channel (checked unbatched too)
        return 1, 1, 1
    cin = g * int(rng.integers(1, max(1, 6 // g) + 1))
    cout = g * int(rng.integers(1, max(1, 6 // g) + 1))
    return g, cin, cout


def _draw_padding(rng, nd, hi):
    mode = rng.random()
    if mode < 0.3:
        return [0] * (2 * nd)
    if mode < 0.65:
        return _padding([int(v) for v in rng.integers(0, hi, size=nd)], nd)
    return [int(v) for v in rng.integers(0, hi + 1, size=2 * nd)]


def random_tconv(rng, nd, count):
    out = []
    size_hi, k_hi = (8, 6) if nd == 1 else (4, 3)
    while len(out) < count:
        g, cin, cout = _draw_channels(rng)
        size = _draw_axes(rng, 1, size_hi, nd)
        k = _draw_axes(rng, 1, k_hi + (rng.random() < 0.15), nd)
        s = _draw_axes(rng, 1, 4, nd)
        d = _draw_axes(rng, 1, 3, nd) if rng.random() < 0.4 else [1] * nd
        op = [int(rng.integers(0, max(s[a], d[a]))) if rng.random() < 0.4 else 0 for a in range(nd)]
        p = _draw_padding(rng, nd, 5)
        n = int(rng.integers(1, 4))
        c = spec(nd, "rand", n, size, cin, cout, k, s=s, p=p, op=op, d=d, g=g, bias=bool(rng.random() < 0.5))
        if tvalid(c):
            out.append(c)
    return out


def handpicked_conv(nd):
    def T(*a, **kw):
        return spec(nd, *a, **kw)

    L = [
        T("stride1", 1, 5, 2, 3, 3),
        T("stride2", 2 if nd == 1 else 1, 5, 2, 2, 3, s=2),
        T("stride3", 1, 7, 1, 2, 3, s=3),
        T("stride4", 1, 9 if nd == 1 else 6, 2, 1, 2, s=4),
        T("pad1", 1, 4, 2, 2, 3, p=1),
        T("pad2_s2_k5", 2 if nd == 1 else 1, 5, 1, 2, 5, s=2, p=2),
        T("pad_gt_k", 1, 3, 1, 2, 2, s=2, p=3),
        T("pad_gt_k_k1", 1, 3, 2, 2, 1, p=2),
        T("dil2", 1, 6, 2, 2, 3, d=2),
        T("dil3_s2", 1, 8 if nd == 1 else 5, 2, 2, 2, d=3, s=2),
        T("groups2", 1, 4, 2, 2, 3, g=2),
        T("groups2_c4_6", 1, 5 if nd == 1 else 4, 4, 6, 3, s=2, g=2, bias=True),
        T("groups3", 1, 4, 3, 3, 2, g=3),
        T("groups4_c8_4", 1, 4, 8, 4, 2, s=2, g=4, bias=True),
        T("depthwise_c3", 1, 4, 3, 3, 3, s=2, g=3, p=1),
        T("depthwise_c4_mult2", 1, 4, 4, 8, 2, s=2, g=4),
        T("k1", 2 if nd == 1 else 1, 3, 3, 2, 1, s=2),
        T("k_gt_in_padded", 1, 2, 2, 2, 5 if nd == 1 else 4, p=2),
        T("in1_k1", 1, 1, 2, 3, 1),
        T("in1_pad", 1, 1, 2, 2, 3, p=1, bias=True),
        T("batch3", 3, 4, 2, 2, 3, s=2),
        T("single", 1, 5, 1, 1, 3, s=2, p=1),
        T("single_bias", 1, 4, 1, 1, 2, d=2, bias=True),
    ]
    if nd == 1:
        L += [
            T("asym_1_0", 1, 5, 2, 2, 3, s=2, p=[1, 0]),
            T("asym_0_3_bias", 1, 4, 2, 3, 3, s=2, p=[0, 3], bias=True),
            T("asym_big", 1, 3, 1, 1, 2, s=3, p=[4, 5]),
            T("asym_groups", 2, 4, 4, 2, 2, s=2, p=[1, 0], g=2),
            T("asym_dil", 1, 5, 2, 2, 3, d=2, p=[3, 1]),
            T("asym_k_gt_in", 1, 2, 1, 2, 4, p=[2, 1]),
            T("long_in16", 2, 16, 2, 2, 5, s=3, d=2, p=[2, 3]),
        ]
    else:
        L += [
            T("stride_1x2x3", 1, [3, 5, 7], 2, 2, 2, s=[1, 2, 3]),
            T("kernel_1x2x3", 1, [3, 4, 4], 2, 2, [1, 2, 3], s=2),
            T("dil_1x2x3", 1, [3, 5, 7], 1, 2, 2, d=[1, 2, 3]),
            T("pad_per_axis", 1, 3, 2, 2, 3, s=2, p=[1, 0, 2]),
            T("depth1_kd1", 1, [1, 4, 5], 2, 2, [1, 3, 2], s=[1, 2, 2], p=[0, 1, 0]),
            T("asym_100000", 1, 4, 2, 2, 3, s=2, p=[1, 0, 0, 0, 0, 0]),
            T("asym_all_axes", 1, 3, 1, 2, 3, s=2, p=[2, 0, 0, 2, 1, 3], bias=True),
            T("asym_groups", 1, 3, 4, 2, 2, s=2, p=[1, 0, 0, 1, 0, 0], g=2),
            T("asym_dil", 1, 4, 2, 2, 2, d=2, p=[2, 1, 0, 2, 1, 0]),
        ]
    L += [T("f32_basic", 1, 5, 2, 2, 3, s=2, dtype="float32")]
    bad = [(c["tag"], c_out_spatial(c)) for c in L if not cvalid(c)]
    assert not bad, (nd, bad)
    return L


def random_conv(rng, nd, count):
    out = []
    size_hi, k_hi = (12, 6) if nd == 1 else (6, 3)
    while len(out) < count:
        g, cin, cout = _draw_channels(rng)
        size = _draw_axes(rng, 1, size_hi, nd)
        k = _draw_axes(rng, 1, k_hi, nd)
        s = _draw_axes(rng, 1, 4, nd)
        d = _draw_axes(rng, 1, 3, nd) if rng.random() < 0.4 else [1] * nd
        p = _draw_padding(rng, nd, 4)
        n = int(rng.integers(1, 4))
        c = spec(nd, "rand", n, size, cin, cout, k, s=s, p=p, d=d, g=g, bias=bool(rng.random() < 0.5))
        if cvalid(c):
            out.append(c)
    return out


def describe(c, with_op):
    x = "x".join
    parts = [
        c["tag"],
        "i" + x(map(str, c["size"])),
        "k" + x(map(str, c["k"])),
        "s" + x(map(str, c["s"])),
        "p" + ".".join(map(str, c["p"])),
    ]
    if with_op:
        parts.append("op" + x(map(str, c["op"])))
    parts += ["d" + x(map(str, c["d"])), f"g{c['g']}", f"c{c['cin']}to{c['cout']}", f"n{c['n']}"]
    if c["bias"]:
        parts.append("bias")
    if c["dtype"] != "float64":
        parts.append(c["dtype"])
    return "_".join(parts)


# --------------------------------------------------------------------------
# torch computations
# --------------------------------------------------------------------------
def _torch_pad(befores, afters):
    """F.pad's argument: (before, after) pairs from the LAST axis to the first."""
    out = []
    for lo, hi in zip(reversed(befores), reversed(afters)):
        out += [lo, hi]
    return tuple(out)


def _tol(torch, x):
    return dict(rtol=1e-12, atol=1e-12) if x.dtype == torch.float64 else dict(rtol=1e-5, atol=1e-5)


def compute_tconv(torch, F, c, x, w, b):
    """x (n, c_in, *spatial), w (c_in, c_out/g, *k) torch tensors. Returns (y, native)."""
    nd = c["nd"]
    tconv = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[nd]
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
    befores, afters = c["p"][0::2], c["p"][1::2]
    s, d, op, g = tuple(c["s"]), tuple(c["d"]), tuple(c["op"]), c["g"]
    full = tconv(x, w, None, stride=s, padding=0, output_padding=0, groups=g, dilation=d)
    ext = F.pad(full, _torch_pad([0] * nd, op))  # zero-extend the end of every axis
    crop = tuple(slice(lo, full.shape[2 + a] + op[a] - hi) for a, (lo, hi) in enumerate(zip(befores, afters)))
    y = ext[(slice(None), slice(None)) + crop]
    if b is not None:
        y = y + b.view(1, -1, *[1] * nd)
    y = y.contiguous()
    got = [y.shape[0], *y.shape[2:], y.shape[1]]
    assert got == [c["n"], *t_out_spatial(c), c["cout"]], (c, got)

    native = befores == afters
    if native:
        # proof 1: the construction == torch's own padding / output_padding
        yt = tconv(x, w, b, stride=s, padding=tuple(befores), output_padding=op, groups=g, dilation=d)
        assert yt.shape == y.shape, (c, yt.shape, y.shape)
        torch.testing.assert_close(yt, y, **_tol(torch, x))
        y = yt  # store torch's native result
    # proof 2: the adjoint of conv{N}d over the unevenly padded input
    z = torch.zeros((c["n"], c["cout"], *y.shape[2:]), dtype=x.dtype, requires_grad=True)
    zp = F.pad(z, _torch_pad(befores, [hi - o for hi, o in zip(afters, op)]))
    fwd = conv(zp, w, None, stride=s, padding=0, dilation=d, groups=g)
    assert fwd.shape == x.shape, (c, fwd.shape, x.shape)
    (gz,) = torch.autograd.grad(fwd, z, grad_outputs=x)
    if b is not None:
        gz = gz + b.view(1, -1, *[1] * nd)
    torch.testing.assert_close(gz, y.detach(), **_tol(torch, x))
    return y.detach(), native


def compute_conv(torch, F, c, x, w, b):
    nd = c["nd"]
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
    befores, afters = c["p"][0::2], c["p"][1::2]
    s, d, g = tuple(c["s"]), tuple(c["d"]), c["g"]
    y = conv(F.pad(x, _torch_pad(befores, afters)), w, b, stride=s, padding=0, dilation=d, groups=g)
    got = [y.shape[0], *y.shape[2:], y.shape[1]]
    assert got == [c["n"], *c_out_spatial(c), c["cout"]], (c, got)
    native = befores == afters
    if native:
        yt = conv(x, w, b, stride=s, padding=tuple(befores), dilation=d, groups=g)
        torch.testing.assert_close(yt, y, **_tol(torch, x))
        y = yt
    return y, native


def channels_last(t):
    """(n, c, *spatial) -> (n, *spatial, c)."""
    return t.permute(0, *range(2, t.dim()), 1).contiguous().numpy()


def weight_ours(w, kind):
    """torch's weight layout to ours: kernel axes first, then (c_in, c_out/g) or (c_in/g, c_out)."""
    kernel_axes = range(2, w.dim())
    order = (0, 1) if kind == "tconv" else (1, 0)
    return w.permute(*kernel_axes, *order).contiguous().numpy()


def build(torch, F, specs, rng, kind):
    arrays, meta = {}, []
    stats = dict(native=0)
    for idx, c in enumerate(specs):
        key = f"c{idx:03d}"
        name = key + "_" + describe(c, kind == "tconv")
        np_dtype = np.dtype(c["dtype"])
        if kind == "tconv":
            wshape = (c["cin"], c["cout"] // c["g"], *c["k"])
        else:
            wshape = (c["cout"], c["cin"] // c["g"], *c["k"])
        x_np = rng.standard_normal((c["n"], c["cin"], *c["size"]))
        w_np = rng.standard_normal(wshape)
        b_np = rng.standard_normal(c["cout"]) if c["bias"] else None
        # round through the storage dtype so that stored inputs are exact
        x = torch.from_numpy(x_np.astype(np_dtype))
        w = torch.from_numpy(w_np.astype(np_dtype))
        b = torch.from_numpy(b_np.astype(np_dtype)) if c["bias"] else None
        fn = compute_tconv if kind == "tconv" else compute_conv
        if kind == "tconv":
            y, native = fn(torch, F, c, x, w, b)
        else:
            with torch.no_grad():
                y, native = fn(torch, F, c, x, w, b)
        if c["dtype"] == "float32":
            # sanity: float32 torch result vs float64 from the same inputs
            b64 = b.double() if b is not None else None
            y64, _ = fn(torch, F, dict(c, dtype="float64"), x.double(), w.double(), b64)
            err = (y.double() - y64).abs().max().item()
            assert err < 1e-4, (name, err)
        assert y.dtype == x.dtype
        stats["native"] += native

        arrays[key + "_x"] = channels_last(x)
        arrays[key + "_w"] = weight_ours(w, kind)
        if b is not None:
            arrays[key + "_b"] = b.numpy().copy()
        arrays[key + "_y"] = channels_last(y)
        for suffix in ("_x", "_w", "_y"):
            assert arrays[key + suffix].dtype == np_dtype
        entry = dict(
            name=name,
            key=key,
            stride=c["s"],
            padding=c["p"],
            torch_native=bool(native),
            dilation=c["d"],
            groups=c["g"],
            has_bias=bool(c["bias"]),
            dtype=c["dtype"],
            x_shape=list(arrays[key + "_x"].shape),
            w_shape=list(arrays[key + "_w"].shape),
            y_shape=list(arrays[key + "_y"].shape),
        )
        if kind == "tconv":
            entry["output_padding"] = c["op"]
        meta.append(entry)
    return arrays, meta, stats


def main():
    import torch
    import torch.nn.functional as F

    if torch.__version__.split("+")[0] != TORCH_VERSION:
        print(f"WARNING: expected torch {TORCH_VERSION}, running {torch.__version__}")
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    meta_info = dict(
        torch_version=torch.__version__, numpy_seed=SEED, generator="tests/references/data/make_torch_nd_fixtures.py"
    )
    total = 0
    for nd in DIMS:
        t_specs = handpicked_tconv(nd)
        t_specs += random_tconv(rng, nd, N_TCONV[nd] - len(t_specs))
        c_specs = handpicked_conv(nd)
        c_specs += random_conv(rng, nd, N_CONV[nd] - len(c_specs))
        for kind, specs, fname in (
            ("tconv", t_specs, f"torch_conv_transpose{nd}d.npz"),
            ("conv", c_specs, f"torch_conv{nd}d.npz"),
        ):
            arrays, meta, stats = build(torch, F, specs, rng, kind)
            names = [m["name"] for m in meta]
            assert len(set(names)) == len(names)
            arrays["cases"] = np.array(json.dumps(meta))
            arrays["meta"] = np.array(json.dumps(meta_info))
            path = os.path.join(HERE, fname)
            np.savez_compressed(path, **arrays)
            total += os.path.getsize(path)
            n_asym = sum(not m["torch_native"] for m in meta)
            n_f32 = sum(m["dtype"] == "float32" for m in meta)
            print(
                f"{fname}: {len(meta)} cases ({stats['native']} torch-native symmetric, {n_asym} uneven, "
                f"{n_f32} float32), {os.path.getsize(path)} bytes"
            )
    print(f"total {total} bytes")
    assert total < 2_000_000


if __name__ == "__main__":
    main()
