"""Every strategy of ``method="fast"`` and of ``conv2d`` equals the plain loops (hypothesis).

``choose_strategy`` picks one per layer (see deconvlib/fast.py); here each
applicable one is forced on random cases, with tiny scratch blocks as well so
that the blocking over images and rows is exercised, and compared with
``method="naive"`` (transposed) or the textbook loop (forward).
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import deconvlib as dl
from deconvlib import fast as tr
from deconvlib.geometry import conv_geometry, transpose_geometry

settings.register_profile("deconvlib", max_examples=150, deadline=None)
settings.load_profile("deconvlib")

pair = lambda lo, hi: st.tuples(st.integers(lo, hi), st.integers(lo, hi))  # noqa: E731


@st.composite
def layers(draw, transposed=True, stride=None):
    """Arrays and parameters of a layer with a non-empty output; a third of them depthwise."""
    stride, dilation, kernel, size = stride or draw(pair(1, 4)), draw(pair(1, 3)), draw(pair(1, 4)), draw(pair(1, 7))
    padding = draw(st.tuples(*[st.integers(0, 4)] * 4))
    groups = draw(st.integers(1, 3))
    depthwise = draw(st.booleans())
    gi, go = (1 if depthwise else draw(st.integers(1, 3))), draw(st.integers(1, 3))
    n = draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.standard_normal((n, *size, groups * gi))
    W = rng.standard_normal((*kernel, groups * gi, go) if transposed else (*kernel, gi, groups * go))
    params = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    try:
        checked = (transpose_geometry if transposed else conv_geometry)(
            X, W, bias=None, **params, **({"output_padding": 0} if transposed else {})
        )
    except dl.ParameterError:
        assume(False)
    return X, W, params, checked.geometry


def applicable(geo):
    gi = geo.c_in // geo.groups
    strategies = ["small", "planes", "rows", "tap"] + (["gemm", "shuffle"] if geo.groups == 1 else ["grouped"])
    return strategies + (["depthwise"] if gi == 1 else [])


@given(layers(), st.sampled_from([None, 64]))
def test_every_fast_strategy_equals_naive(case, budget):
    X, W, params, geo = case
    reference = dl.conv_transpose2d(X, W, method="naive", **params)
    assert tr.choose_strategy(geo).strategy in applicable(geo)
    for strategy in applicable(geo):
        got = tr.conv_transpose_fast(X, W, geo, strategy=strategy, budget=budget)
        np.testing.assert_allclose(got, reference, atol=1e-12, err_msg=strategy)


def conv2d_loop(X, W, geo):
    """The forward convolution as the textbook writes it: one window per output cell."""
    (sr, sc), (dr, dc), (top, _, left, _) = geo.stride, geo.dilation, geo.padding
    gi, go = geo.c_in // geo.groups, geo.c_out // geo.groups
    out = np.zeros((geo.n, geo.out_h, geo.out_w, geo.c_out))
    for y in range(geo.out_h):
        for x in range(geo.out_w):
            for a in range(geo.kh):
                for b in range(geo.kw):
                    i, j = y * sr + a * dr - top, x * sc + b * dc - left
                    if 0 <= i < geo.h and 0 <= j < geo.w:
                        for g in range(geo.groups):
                            pixel = X[:, i, j, g * gi : (g + 1) * gi]
                            out[:, y, x, g * go : (g + 1) * go] += pixel @ W[a, b, :, g * go : (g + 1) * go]
    return out


@given(layers(transposed=False), st.sampled_from([None, 64]))
def test_every_conv2d_strategy_equals_the_loop(case, budget):
    X, W, params, geo = case
    reference = conv2d_loop(X, W, geo)
    np.testing.assert_allclose(dl.conv2d(X, W, **params), reference, atol=1e-12)
    gi, go = geo.c_in // geo.groups, geo.c_out // geo.groups
    taps = [
        (a * geo.dilation[0] - geo.padding[0], b * geo.dilation[1] - geo.padding[2])
        for a in range(geo.kh)
        for b in range(geo.kw)
    ]
    weights = W.reshape(geo.kh * geo.kw, gi, geo.groups, go).transpose(0, 2, 1, 3)
    for strategy in ["gemm" if geo.groups == 1 else "grouped"] + (["depthwise"] if gi == 1 else []):
        out = np.empty_like(reference)
        tr._correlate(X, weights, taps, out, strategy, step=geo.stride, budget=budget)
        np.testing.assert_allclose(out, reference, atol=1e-12, err_msg=strategy)


@given(layers(transposed=False, stride=(1, 1)))
def test_conv2d_with_stride_1_equals_the_loop(case):
    # stride 1 with at least as many input as output channels per group goes per tap (tr._tap)
    X, W, params, geo = case
    np.testing.assert_allclose(dl.conv2d(X, W, **params), conv2d_loop(X, W, geo), atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_strategies_keep_the_dtype(dtype):
    X = np.ones((2, 5, 5, 4), dtype)
    W = np.ones((3, 3, 4, 2), dtype)
    geo = transpose_geometry(X, W, stride=2, padding=1, output_padding=0, dilation=1, groups=1, bias=None).geometry
    for strategy in ("small", "planes", "shuffle", "rows", "tap", "gemm"):
        assert tr.conv_transpose_fast(X, W, geo, strategy=strategy).dtype == dtype
