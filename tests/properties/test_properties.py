"""Property tests over the whole parameter space (hypothesis).

The four methods agree; the transposed convolution is the exact adjoint of
conv2d; shapes equal the size functions; deconv2D_naive is conv_transpose2d
with numpy-ml's dilation convention; trace reproduces the result.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import deconvlib as dl
from deconvlib import conv_transpose_output_size

settings.register_profile("deconvlib", max_examples=150, deadline=None)
settings.load_profile("deconvlib")


@st.composite
def transposed_cases(draw, max_groups=3, image=False):
    """Random parameters of a conv_transpose2d with a non-empty output, and arrays for it."""
    pair = lambda lo, hi: st.tuples(st.integers(lo, hi), st.integers(lo, hi))  # noqa: E731
    stride, dilation, kernel = draw(pair(1, 4)), draw(pair(1, 3)), draw(pair(1, 4))
    size = draw(pair(1, 6))
    padding = draw(st.tuples(*[st.integers(0, 6)] * 4))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    out = [
        (i - 1) * s + d * (k - 1) + 1 - p0 - p1 + op
        for i, s, d, k, p0, p1, op in zip(size, stride, dilation, kernel, padding[::2], padding[1::2], output_padding)
    ]
    assume(min(out) >= 1)
    groups = 1 if image else draw(st.integers(1, max_groups))
    c_in, c_out_g = groups * draw(st.integers(1, 2)), draw(st.integers(1, 2))
    n = draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if image:
        X, W = rng.standard_normal(size), rng.standard_normal(kernel)
    else:
        X = rng.standard_normal((n, *size, c_in))
        W = rng.standard_normal((*kernel, c_in, c_out_g))
    params = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups)
    return X, W, params, rng


@given(transposed_cases())
def test_the_four_methods_agree(case):
    X, W, params, _ = case
    reference = dl.conv_transpose2d(X, W, method="naive", **params)
    for method in ("matrix", "scatter", "fast"):
        np.testing.assert_allclose(dl.conv_transpose2d(X, W, method=method, **params), reference, atol=1e-12)


@given(transposed_cases())
def test_output_shape_equals_the_size_functions(case):
    X, W, params, _ = case
    out = dl.conv_transpose2d(X, W, **params)
    p = params["padding"]
    expected = [
        conv_transpose_output_size(
            X.shape[1 + a],
            W.shape[a],
            params["stride"][a],
            p[2 * a : 2 * a + 2],
            params["output_padding"][a],
            params["dilation"][a],
        )
        for a in (0, 1)
    ]
    assert out.shape == (X.shape[0], *expected, W.shape[3] * params["groups"])


@given(transposed_cases())
def test_adjoint_of_conv2d(case):
    """<conv2d(y, W'), x> = <y, conv_transpose2d(x, W)> with W' = W.swapaxes(2, 3).

    conv2d of the transposed output has ⌊output_padding / stride⌋ more rows than x
    when output_padding ≥ stride (allowed below dilation); the transposed
    convolution is the adjoint of conv2d restricted to x's rows, so crop.
    """
    x, W, params, rng = case
    output_padding = params.pop("output_padding")
    y_shape = dl.conv_transpose2d(x, W, output_padding=output_padding, **params).shape
    y = rng.standard_normal(y_shape)
    forward = dl.conv2d(y, W.swapaxes(2, 3), **params)[:, : x.shape[1], : x.shape[2]]
    assert forward.shape == x.shape
    lhs = np.vdot(forward, x)
    rhs = np.vdot(y, dl.conv_transpose2d(x, W, output_padding=output_padding, **params))
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-9)


@given(transposed_cases(image=True))
def test_trace_reproduces_conv_transpose2d(case):
    X, W, params, _ = case
    params.pop("groups")
    t = dl.trace(X, W, **params)
    np.testing.assert_allclose(t.output, dl.conv_transpose2d(X, W, **params), atol=1e-12)
    assert t.labels.shape == t.padded.shape
    assert t.n_steps == t.output.size
    last = t.step(t.n_steps - 1)
    assert last.value == pytest.approx(t.products[last.out].sum())
    # the uncropped result, cropped and extended by output_padding, is the output
    top, bottom, left, right = params["padding"]
    oph, opw = params["output_padding"]
    full = np.pad(t.full, ((0, oph), (0, opw)))
    np.testing.assert_allclose(full[top : full.shape[0] - bottom, left : full.shape[1] - right], t.output, atol=1e-12)


@given(transposed_cases(max_groups=1))
def test_deconv2D_naive_is_conv_transpose2d_with_dilation_plus_one(case):
    X, W, params, _ = case
    s, d = params["stride"][0], params["dilation"][0]  # numpy-ml takes one int each
    try:
        expected = dl.conv_transpose2d(X, W, stride=s, padding=params["padding"], dilation=d)
    except ValueError:
        with pytest.raises(ValueError, match="padding"):
            dl.deconv2D_naive(X, W, s, params["padding"], dilation=d - 1)
        return
    out = dl.deconv2D_naive(X, W, s, params["padding"], dilation=d - 1)
    np.testing.assert_allclose(out, expected, atol=1e-12)


@given(st.integers(1, 8), st.integers(1, 5), st.integers(1, 4), st.integers(1, 3))
def test_deconv2D_naive_same_keeps_the_dilated_size(i, k, s, d):
    X = np.random.default_rng(i).standard_normal((1, i, i + 1, 2))
    W = np.ones((k, k, 2, 3))
    out = dl.deconv2D_naive(X, W, s, "same", dilation=d - 1)
    assert out.shape == (1, s * (i - 1) + 1, s * i + 1, 3)
    total = d * (k - 1)
    pads = (total // 2, total - total // 2) * 2
    np.testing.assert_allclose(out, dl.conv_transpose2d(X, W, s, pads, dilation=d))


@given(st.integers(1, 8), st.integers(1, 6), st.integers(1, 4), st.integers(1, 3))
def test_same_padding_gives_input_times_stride(i, k, s, d):
    X = np.ones((1, i, i, 1))
    out = dl.conv_transpose2d(X, np.ones((k, k, 1, 2)), stride=s, padding="same", dilation=d)
    assert out.shape == (1, i * s, i * s, 2)


@given(st.integers(1, 10), st.integers(1, 6), st.integers(1, 40), st.integers(1, 4), st.integers(1, 3))
def test_transpose_padding_for_reaches_the_target_or_proves_none(i, k, target, s, d):
    try:
        p, op = dl.transpose_padding_for(i, k, target, stride=s, dilation=d)
    except ValueError:
        reachable = {
            conv_transpose_output_size(i, k, s, p, op, d)
            for p in range(0, 40)
            for op in range(max(s, d))
            if (i - 1) * s + d * (k - 1) + 1 - 2 * p + op >= 1
        }
        assert target not in reachable
    else:
        assert conv_transpose_output_size(i, k, s, p, op, d) == target
        assert p >= 0 and 0 <= op < max(s, d)
        # the smallest such padding
        assert p == 0 or conv_transpose_output_size(i, k, s, p - 1, 0, d) != target


@given(transposed_cases())
def test_dtypes(case):
    X, W, params, _ = case
    assert dl.conv_transpose2d(X.astype(np.float32), W.astype(np.float32), **params).dtype == np.float32
    assert dl.conv_transpose2d(X, W, **params).dtype == np.float64
    assert dl.conv_transpose2d(np.round(X).astype(int), np.round(W).astype(np.int32), **params).dtype == np.float64


def test_np_int64_parameters_are_accepted():
    X, W = np.ones((1, 3, 3, 2)), np.ones((3, 3, 2, 1))
    i64 = np.int64
    a = dl.conv_transpose2d(X, W, stride=i64(2), padding=(i64(1), i64(0)), output_padding=i64(1), dilation=i64(1))
    b = dl.conv_transpose2d(X, W, stride=2, padding=(1, 0), output_padding=1)
    np.testing.assert_array_equal(a, b)
    assert dl.deconv2D_naive(X, W, i64(2), i64(1), dilation=i64(0)).shape == (1, 5, 5, 1)


def test_bias_is_added_per_output_channel():
    X, W = np.zeros((2, 3, 3, 4)), np.ones((2, 2, 4, 3))
    out = dl.conv_transpose2d(X, W, groups=2, bias=np.array([1.0, 2, 3, 4, 5, 6]))
    assert out.shape == (2, 4, 4, 6)
    np.testing.assert_array_equal(out[0, 0, 0], [1, 2, 3, 4, 5, 6])


def test_image_in_image_out():
    out = dl.conv_transpose2d(np.ones((3, 3), dtype=np.float32), np.ones((2, 2), dtype=np.float32), stride=2)
    assert out.shape == (6, 6) and out.dtype == np.float32


def test_convolution_matrix_applies_as_transpose():
    rng = np.random.default_rng(0)
    X, W = rng.standard_normal((2, 3, 4, 2)), rng.standard_normal((3, 2, 2, 3))
    C = dl.convolution_matrix((3, 4), W, stride=2, padding=(1, 0, 0, 1), output_padding=1)
    expected = dl.conv_transpose2d(X, W, stride=2, padding=(1, 0, 0, 1), output_padding=1)
    np.testing.assert_allclose((X.reshape(2, -1) @ C).reshape(expected.shape), expected, atol=1e-12)
    y = rng.standard_normal(expected.shape[1:])
    forward = dl.conv2d(y[None], W.swapaxes(2, 3), stride=2, padding=(1, 0, 0, 1))[0, :3, :4]
    np.testing.assert_allclose(C @ y.ravel(), forward.ravel(), atol=1e-12)
