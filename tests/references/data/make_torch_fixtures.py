"""Generate PyTorch reference fixtures for deconvlib's conv_transpose2d / conv2d.

This script holds the 2-D cases; computing and proving them is
``make_torch_nd_fixtures.build``, the recipe shared with the 1-D and 3-D files.

How to run (from the repository root; torch is needed ONLY here, never at
runtime or test time)::

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python tests/references/data/make_torch_fixtures.py

Generated with torch 2.13.0 (CPU), numpy random seed SEED = 20240917 (all
random numbers come from ``numpy.random.default_rng(SEED)``; torch is used
only to compute, so the *contents* are deterministic; the .npz bytes are not,
because zip members carry timestamps).

Outputs (next to this script):

``torch_conv_transpose2d.npz``
    ``cases``: a JSON string -- a list of dicts with keys ``name``, ``key``,
    ``stride`` [r, c], ``padding`` [top, bottom, left, right],
    ``torch_native`` (True if top == bottom and left == right, so torch's
    conv_transpose2d computed ``y`` directly with padding=(top, left)),
    ``output_padding`` [r, c], ``dilation`` [r, c], ``groups``, ``has_bias``,
    ``dtype`` ("float64" or "float32") and the shapes of x, w, y.
    Arrays ``<key>_x`` (n, h, w, c_in), ``<key>_w`` (kh, kw, c_in,
    c_out // groups), ``<key>_b`` (c_out,) only when has_bias, ``<key>_y``
    (n, h_out, w_out, c_out).

``torch_conv2d.npz``
    Same scheme for torch.nn.functional.conv2d; no ``output_padding``;
    ``<key>_w`` is (kh, kw, c_in // groups, c_out).

Layout conversions (torch -> deconvlib):
    x, y: NCHW -> NHWC, ``t.permute(0, 2, 3, 1)``
    conv_transpose2d weight (c_in, c_out/g, kh, kw) -> ``permute(2, 3, 0, 1)``
    conv2d weight (c_out, c_in/g, kh, kw)           -> ``permute(2, 3, 1, 0)``

Asymmetric padding (top, bottom, left, right) does not exist in torch's
conv_transpose2d.  It is defined as: the full transposed convolution
(padding 0, output_padding 0), zero-extended by output_padding rows at the
bottom / cols at the right, then cropped ``[top : H_full + op_r - bottom,
left : W_full + op_c - right]``; bias added last.  The generator proves this
construction two ways for every case: (1) on every symmetric case it must
equal torch's own conv_transpose2d(padding, output_padding); (2) on every
case it must equal the adjoint (autograd input-gradient) of torch's conv2d
applied to the asymmetrically F.pad-ed input, an independent derivation.

Forward conv2d asymmetric padding is ``F.pad(x, (left, right, top, bottom))``
followed by conv2d with padding 0; on symmetric cases it is checked against
conv2d(padding=(top, left)).
"""

import json
import os

import numpy as np
from make_torch_nd_fixtures import build, conv_out, tconv_out  # the same recipe for any number of axes

SEED = 20240917
TORCH_VERSION = "2.13.0"
HERE = os.path.dirname(os.path.abspath(__file__))
MAX_OUT_ELEMS = 1500  # keeps the .npz small


# --------------------------------------------------------------------------
# size helpers (pure python)
# --------------------------------------------------------------------------
def _pair(v):
    return list(v) if isinstance(v, (list, tuple)) else [v, v]


# --------------------------------------------------------------------------
# case specs
# --------------------------------------------------------------------------
def tspec(tag, n, hw, cin, cout, k, s=1, p=0, op=0, d=1, g=1, bias=False, dtype="float64"):
    """A conv_transpose2d case; p is int, (r, c) or (t, b, l, r)."""
    if isinstance(p, int):
        p = [p, p, p, p]
    elif len(p) == 2:
        p = [p[0], p[0], p[1], p[1]]
    return dict(
        tag=tag,
        n=n,
        hw=_pair(hw),
        cin=cin,
        cout=cout,
        k=_pair(k),
        s=_pair(s),
        p=list(p),
        op=_pair(op),
        d=_pair(d),
        g=g,
        bias=bias,
        dtype=dtype,
    )


def tvalid(c):
    if c["cin"] % c["g"] or c["cout"] % c["g"]:
        return False
    for ax in range(2):
        s, d, op = c["s"][ax], c["d"][ax], c["op"][ax]
        if not (op < s or op < d):  # torch's rule
            return False
        o = tconv_out(c["hw"][ax], c["k"][ax], s, c["p"][2 * ax], c["p"][2 * ax + 1], d, op)
        if o < 1:
            return False
    return True


def t_out_shape(c):
    return (
        [c["n"]]
        + [
            tconv_out(c["hw"][ax], c["k"][ax], c["s"][ax], c["p"][2 * ax], c["p"][2 * ax + 1], c["d"][ax], c["op"][ax])
            for ax in range(2)
        ]
        + [c["cout"]]
    )


def cvalid(c):
    if c["cin"] % c["g"] or c["cout"] % c["g"]:
        return False
    for ax in range(2):
        o = conv_out(c["hw"][ax], c["k"][ax], c["s"][ax], c["p"][2 * ax], c["p"][2 * ax + 1], c["d"][ax])
        if o < 1:
            return False
    return True


def c_out_shape(c):
    return (
        [c["n"]]
        + [
            conv_out(c["hw"][ax], c["k"][ax], c["s"][ax], c["p"][2 * ax], c["p"][2 * ax + 1], c["d"][ax])
            for ax in range(2)
        ]
        + [c["cout"]]
    )


def handpicked_tconv():
    T = tspec
    L = [
        # stride 1..4, square and non-square
        T("stride1", 1, 4, 2, 3, 3, s=1),
        T("stride2", 2, 3, 2, 2, 3, s=2),
        T("stride3", 1, 3, 1, 2, 3, s=3),
        T("stride4", 1, 3, 2, 1, 2, s=4),
        T("stride4_k5", 1, 2, 1, 1, 5, s=4, p=1),
        T("stride_1x3", 1, [3, 4], 2, 2, 3, s=[1, 3]),
        T("stride_2x4", 2, [3, 2], 1, 3, [3, 2], s=[2, 4], bias=True),
        T("stride_4x1", 1, [2, 5], 3, 2, 2, s=[4, 1]),
        T("stride_3x2_pad", 1, 3, 2, 2, 4, s=[3, 2], p=[1, 2]),
        # symmetric padding
        T("pad1_s1", 1, 5, 2, 2, 3, s=1, p=1),
        T("pad1_s2", 1, 4, 3, 3, 3, s=2, p=1, op=1, bias=True),
        T("pad2_s2_k5", 2, 3, 1, 2, 5, s=2, p=2),
        T("pad_rc_1x0", 1, [3, 4], 2, 2, 3, s=2, p=[1, 0]),
        T("pad_rc_0x2", 1, [4, 3], 2, 1, 3, s=[1, 2], p=[0, 2]),
        # padding larger than kernel (p > k-1), output still non-empty
        T("pad_gt_k_3_k2", 1, 4, 1, 2, 2, s=3, p=3),
        T("pad_gt_k_2_k1", 1, 5, 2, 2, 1, s=2, p=2),
        T("pad_gt_k_4_k3", 2, 4, 2, 2, 3, s=4, p=4, bias=True),
        T("pad_gt_k_rc", 1, [3, 5], 1, 1, [2, 3], s=[3, 2], p=[2, 3]),
        T("pad_gt_k_dil", 1, 4, 2, 2, 2, s=2, d=3, p=4),
        # asymmetric 4-tuple padding
        T("asym_1010", 1, 4, 2, 2, 3, s=2, p=[1, 0, 1, 0]),
        T("asym_0102", 1, 4, 2, 2, 3, s=2, p=[0, 1, 0, 2]),
        T("asym_2031", 2, 3, 1, 3, 4, s=2, p=[2, 0, 3, 1], bias=True),
        T("asym_top_only", 1, 3, 2, 2, 3, s=1, p=[2, 0, 0, 0]),
        T("asym_right_only", 1, 3, 2, 2, 3, s=1, p=[0, 0, 0, 2]),
        T("asym_big", 1, 4, 1, 1, 3, s=3, p=[5, 1, 0, 6]),
        T("asym_op", 1, 3, 2, 2, 3, s=2, p=[1, 0, 0, 1], op=1),
        T("asym_op_rc", 1, 3, 2, 2, 3, s=[2, 3], p=[0, 2, 1, 0], op=[1, 2]),
        T("asym_groups", 2, 3, 4, 2, 2, s=2, p=[1, 0, 0, 1], g=2),
        T("asym_dil", 1, 3, 2, 2, 3, s=2, d=2, p=[3, 1, 0, 2]),
        # output_padding < stride
        T("op1_s2", 1, 3, 2, 2, 3, s=2, op=1),
        T("op2_s3", 1, 3, 2, 2, 3, s=3, op=2, p=1),
        T("op3_s4", 1, 2, 1, 1, 2, s=4, op=3),
        T("op_rc_1x2", 2, 3, 2, 3, 3, s=[2, 3], op=[1, 2], p=1),
        T("op_rc_0x1", 1, 3, 2, 2, 2, s=[1, 2], op=[0, 1]),
        # output_padding >= stride but < dilation (torch accepts op < d)
        T("op_ge_s_lt_d_s1d2", 1, 3, 2, 2, 3, s=1, d=2, op=1),
        T("op_ge_s_lt_d_s1d3", 1, 3, 1, 2, 2, s=1, d=3, op=2),
        T("op_ge_s_lt_d_s2d3", 1, 3, 2, 2, 2, s=2, d=3, op=2, p=1),
        T("op_ge_s_lt_d_rc", 1, 3, 2, 2, 3, s=[1, 2], d=[3, 1], op=[2, 1]),
        T("op_ge_s_lt_d_asym", 1, 3, 2, 2, 2, s=1, d=3, op=2, p=[1, 0, 2, 1]),
        T("op_ge_s_lt_d_bias", 2, 2, 2, 4, 3, s=1, d=2, op=1, g=2, bias=True),
        # dilation 1..3, non-square
        T("dil2", 1, 3, 2, 2, 3, d=2),
        T("dil3", 1, 3, 2, 2, 2, d=3, s=2),
        T("dil_1x3", 1, 3, 2, 2, 3, d=[1, 3]),
        T("dil_3x2", 1, [2, 3], 1, 2, [2, 3], d=[3, 2], s=[2, 1], p=1),
        T("dil_2x1_pad", 1, 4, 2, 1, 3, d=[2, 1], p=[2, 1]),
        # groups
        T("groups2", 1, 3, 2, 2, 3, g=2),
        T("groups2_c4_6", 1, 3, 4, 6, 3, s=2, g=2, bias=True),
        T("groups3", 1, 3, 3, 3, 2, g=3),
        T("groups3_c6_3", 2, 3, 6, 3, 3, s=2, g=3, p=1),
        T("groups3_c3_6", 1, 2, 3, 6, 2, s=3, g=3, op=1),
        T("groups2_dil", 1, 3, 2, 4, 2, s=2, d=2, g=2),
        # bias
        T("bias_s1", 1, 3, 2, 3, 3, bias=True),
        T("bias_s2", 2, 3, 1, 2, 3, s=2, bias=True),
        # non-square kernels
        T("k1x3", 1, 4, 2, 2, [1, 3], s=2),
        T("k2x5", 1, 3, 2, 2, [2, 5], s=[2, 1], p=[0, 2]),
        T("k4x1", 2, 3, 1, 3, [4, 1], s=[1, 2], bias=True),
        T("k3x1_dil", 1, 3, 2, 2, [3, 1], d=2),
        T("k1x1", 2, 3, 3, 2, 1, s=2),
        T("k1x1_s1", 1, 3, 4, 4, 1, g=2),
        # kernel larger than input
        T("k_gt_in_5_2", 1, 2, 2, 2, 5),
        T("k_gt_in_4_1", 1, 1, 2, 2, 4, s=2),
        T("k_gt_in_6_3", 1, 3, 1, 2, [6, 4], s=2, p=2),
        # 1x1 inputs
        T("in1x1", 1, 1, 3, 2, 3),
        T("in1x1_s3", 2, 1, 2, 2, 3, s=3, op=2),
        T("in1x1_k1", 1, 1, 2, 3, 1),
        T("in1x1_pad", 1, 1, 1, 1, 3, p=1),
        T("in1x3", 1, [1, 3], 2, 2, [2, 3], s=2),
        T("in1x1_dil_pad_asym", 1, 1, 2, 2, 3, d=2, p=[0, 3, 4, 0]),
        # batch sizes
        T("batch1", 1, 3, 2, 2, 3, s=2),
        T("batch2", 2, 3, 2, 2, 3, s=2),
        T("batch3", 3, 3, 2, 2, 3, s=2),
        # channel counts 1..6
        T("c1_1", 1, 3, 1, 1, 3, s=2),
        T("c6_1", 1, 3, 6, 1, 3),
        T("c1_6", 1, 3, 1, 6, 3),
        T("c5_4", 1, 3, 5, 4, 2, s=2),
        T("c6_6_g3", 1, 3, 6, 6, 2, s=2, g=3, bias=True),
        # output of size 1 along an axis (heavy cropping)
        T("out_1x1", 1, 1, 2, 2, 3, p=1, s=1),
        T("out_rows1", 1, [2, 3], 1, 1, 2, s=2, p=[2, 1, 0, 0]),
    ]
    # float32 dtype-checking cases
    L += [
        T("f32_basic", 1, 3, 2, 2, 3, s=2, dtype="float32"),
        T("f32_pad_bias", 2, 3, 2, 3, 3, s=2, p=1, op=1, bias=True, dtype="float32"),
        T("f32_asym", 1, 4, 2, 2, 3, s=2, p=[1, 0, 2, 1], dtype="float32"),
        T("f32_groups_dil", 1, 3, 4, 2, 2, s=1, d=2, op=1, g=2, dtype="float32"),
        T("f32_nonsq", 1, [2, 4], 3, 3, [2, 5], s=[3, 1], g=3, bias=True, dtype="float32"),
        T("f32_in1x1", 1, 1, 2, 2, 3, s=2, dtype="float32"),
    ]
    for c in L:
        assert tvalid(c), c["tag"]
    return L


def axis_pair(rng, lo, hi, square):
    """A (rows, cols) pair drawn from [lo, hi]: ``[a, a]`` when ``square``, else two draws."""
    a = int(rng.integers(lo, hi + 1))
    return [a, a] if square else [a, int(rng.integers(lo, hi + 1))]


def random_tconv(rng, count):
    out = []
    while len(out) < count:
        g = int(rng.choice([1, 1, 1, 2, 3]))
        cin = g * int(rng.integers(1, 6 // g + 1))
        cout = g * int(rng.integers(1, 6 // g + 1))
        square = rng.random() < 0.5

        hw = [int(rng.integers(1, 6)), int(rng.integers(1, 6))]
        if rng.random() < 0.5:
            hw = [hw[0], hw[0]]
        k = axis_pair(rng, 1, 5, square=square)
        s = axis_pair(rng, 1, 4, square=square)
        d = axis_pair(rng, 1, 3, square=square) if rng.random() < 0.4 else [1, 1]
        op = [int(rng.integers(0, max(s[a], d[a]))) if rng.random() < 0.4 else 0 for a in range(2)]
        mode = rng.random()
        if mode < 0.3:
            p = [0, 0, 0, 0]
        elif mode < 0.65:
            pr, pc = int(rng.integers(0, 5)), int(rng.integers(0, 5))
            p = [pr, pr, pc, pc]
        else:
            p = [int(v) for v in rng.integers(0, 6, size=4)]
        c = tspec(
            "rand", int(rng.integers(1, 4)), hw, cin, cout, k, s=s, p=p, op=op, d=d, g=g, bias=bool(rng.random() < 0.5)
        )
        if not tvalid(c):
            continue
        sh = t_out_shape(c)
        if int(np.prod(sh)) > MAX_OUT_ELEMS:
            continue
        out.append(c)
    return out


def handpicked_conv():
    T = tspec  # same fields; op unused
    L = [
        T("stride1", 1, 5, 2, 3, 3),
        T("stride2", 2, 6, 2, 2, 3, s=2),
        T("stride3", 1, 7, 1, 2, 3, s=3),
        T("stride4", 1, 9, 2, 1, 2, s=4),
        T("stride_1x3", 1, [4, 7], 2, 2, 3, s=[1, 3]),
        T("stride_4x2", 1, [9, 5], 2, 2, [3, 2], s=[4, 2], bias=True),
        T("pad1", 1, 4, 2, 2, 3, p=1),
        T("pad2_s2", 2, 5, 1, 2, 5, s=2, p=2),
        T("pad_rc", 1, [4, 5], 2, 2, 3, s=2, p=[1, 0]),
        T("pad_gt_k", 1, 3, 1, 2, 2, s=2, p=3),
        T("pad_gt_k_k1", 1, 3, 2, 2, 1, p=2),
        T("asym_1010", 1, 5, 2, 2, 3, s=2, p=[1, 0, 1, 0]),
        T("asym_0213", 1, 4, 2, 3, 3, s=2, p=[0, 2, 1, 3], bias=True),
        T("asym_big", 1, 3, 1, 1, 2, s=3, p=[4, 0, 0, 5]),
        T("asym_groups", 2, 4, 4, 2, 2, s=2, p=[1, 0, 0, 1], g=2),
        T("asym_dil", 1, 5, 2, 2, 3, d=2, p=[3, 1, 0, 2]),
        T("dil2", 1, 6, 2, 2, 3, d=2),
        T("dil3_s2", 1, 8, 2, 2, 2, d=3, s=2),
        T("dil_1x3", 1, 7, 2, 2, 3, d=[1, 3]),
        T("dil_3x2_pad", 1, [4, 5], 1, 2, [2, 3], d=[3, 2], p=1),
        T("groups2", 1, 4, 2, 2, 3, g=2),
        T("groups2_c4_6", 1, 5, 4, 6, 3, s=2, g=2, bias=True),
        T("groups3", 1, 4, 3, 3, 2, g=3),
        T("groups3_c6_3", 2, 5, 6, 3, 3, s=2, g=3, p=1),
        T("k1x3", 1, 4, 2, 2, [1, 3], s=2),
        T("k2x5", 1, [3, 6], 2, 2, [2, 5], s=[2, 1], p=[0, 2]),
        T("k4x1", 2, 5, 1, 3, [4, 1], s=[1, 2], bias=True),
        T("k1x1", 2, 3, 3, 2, 1, s=2),
        T("k_gt_in_padded", 1, 2, 2, 2, 5, p=2),
        T("k_gt_in_asym", 1, [1, 2], 1, 2, [3, 4], p=[2, 0, 1, 1]),
        T("in1x1_k1", 1, 1, 2, 3, 1),
        T("in1x1_pad", 1, 1, 2, 2, 3, p=1, bias=True),
        T("batch3", 3, 4, 2, 2, 3, s=2),
        T("c6_1", 1, 4, 6, 1, 3),
        T("c1_6", 1, 4, 1, 6, 3),
        T("f32_basic", 1, 5, 2, 2, 3, s=2, dtype="float32"),
        T("f32_asym_bias", 2, 4, 2, 3, 3, p=[1, 0, 2, 1], bias=True, dtype="float32"),
        T("f32_groups_dil", 1, 6, 4, 2, 2, d=2, g=2, p=1, dtype="float32"),
    ]
    for c in L:
        assert cvalid(c), c["tag"]
    return L


def random_conv(rng, count):
    out = []
    while len(out) < count:
        g = int(rng.choice([1, 1, 1, 2, 3]))
        cin = g * int(rng.integers(1, 6 // g + 1))
        cout = g * int(rng.integers(1, 6 // g + 1))
        square = rng.random() < 0.5

        hw = [int(rng.integers(1, 9)), int(rng.integers(1, 9))]
        k = axis_pair(rng, 1, 5, square=square)
        s = axis_pair(rng, 1, 4, square=square)
        d = axis_pair(rng, 1, 3, square=square) if rng.random() < 0.4 else [1, 1]
        mode = rng.random()
        if mode < 0.3:
            p = [0, 0, 0, 0]
        elif mode < 0.65:
            pr, pc = int(rng.integers(0, 4)), int(rng.integers(0, 4))
            p = [pr, pr, pc, pc]
        else:
            p = [int(v) for v in rng.integers(0, 5, size=4)]
        c = tspec("rand", int(rng.integers(1, 4)), hw, cin, cout, k, s=s, p=p, d=d, g=g, bias=bool(rng.random() < 0.5))
        if not cvalid(c):
            continue
        if int(np.prod(c_out_shape(c))) > MAX_OUT_ELEMS:
            continue
        out.append(c)
    return out


def main():
    import torch
    import torch.nn.functional as F

    if torch.__version__.split("+")[0] != TORCH_VERSION:
        print(f"WARNING: expected torch {TORCH_VERSION}, running {torch.__version__}")
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)

    t_specs = handpicked_tconv()
    t_specs += random_tconv(rng, 260 - len(t_specs))
    c_specs = handpicked_conv()
    c_specs += random_conv(rng, 72 - len(c_specs))

    meta_info = dict(
        torch_version=torch.__version__, numpy_seed=SEED, generator="tests/references/data/make_torch_fixtures.py"
    )
    for kind, specs, fname in (("tconv", t_specs, "torch_conv_transpose2d.npz"), ("conv", c_specs, "torch_conv2d.npz")):
        arrays, meta, stats = build(torch, F, [dict(c, nd=2, size=c["hw"]) for c in specs], rng, kind)
        names = [m["name"] for m in meta]
        assert len(set(names)) == len(names)
        arrays["cases"] = np.array(json.dumps(meta))
        arrays["meta"] = np.array(json.dumps(meta_info))
        path = os.path.join(HERE, fname)
        np.savez_compressed(path, **arrays)
        n_asym = sum(not m["torch_native"] for m in meta)
        n_f32 = sum(m["dtype"] == "float32" for m in meta)
        print(
            f"{fname}: {len(meta)} cases ({stats['native']} torch-native symmetric, {n_asym} asymmetric, "
            f"{n_f32} float32), {os.path.getsize(path)} bytes"
        )


if __name__ == "__main__":
    main()
