"""Pooling against loops written as plainly as the definition, and its parameter checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deconvlib as dl
from deconvlib.pooling import avg_pool2d, max_pool2d, pool_output_size


def pool_loop(X, k, s, p, d, reduce, fill):
    """One output cell at a time: pad with ``fill``, gather the window's cells, reduce them."""
    h, w = X.shape
    padded = np.full((h + 2 * p[0], w + 2 * p[1]), fill, dtype=float)
    padded[p[0] : p[0] + h, p[1] : p[1] + w] = X
    rows = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    cols = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    out = np.empty((rows, cols))
    for y in range(rows):
        for x in range(cols):
            cells = [padded[y * s[0] + a * d[0], x * s[1] + b * d[1]] for a in range(k[0]) for b in range(k[1])]
            out[y, x] = reduce(cells)
    return out


@given(
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sr=st.integers(1, 3),
    sc=st.integers(1, 3),
    dr=st.integers(1, 2),
    dc=st.integers(1, 2),
    pad=st.booleans(),
    seed=st.integers(0, 999),
)
@settings(max_examples=200, deadline=None)
def test_max_and_avg_pooling_equal_the_loops(h, w, kh, kw, sr, sc, dr, dc, pad, seed):
    X = np.random.default_rng(seed).integers(-9, 10, (h, w)).astype(float)
    k, s, d = (kh, kw), (sr, sc), (dr, dc)
    p = (kh // 2, kw // 2) if pad else (0, 0)
    try:
        expected = pool_loop(X, k, s, p, d, max, -np.inf)
        if expected.size == 0:
            raise ValueError
    except ValueError:
        with pytest.raises(dl.ParameterError):
            max_pool2d(X, k, s, p, d)
        return
    np.testing.assert_array_equal(max_pool2d(X, k, s, p, d), expected)
    assert max_pool2d(X, k, s, p, d).shape == tuple(pool_output_size(i, *a) for i, a in zip(X.shape, zip(k, s, p, d)))
    mean = pool_loop(X, k, s, p, (1, 1), lambda cells: sum(cells) / len(cells), 0.0) if d == (1, 1) else None
    if mean is not None and mean.size:
        np.testing.assert_allclose(avg_pool2d(X, k, s, p), mean)
        valid = pool_loop(X, k, s, p, (1, 1), lambda c: np.mean([v for v in c if not np.isnan(v)]), np.nan)
        np.testing.assert_allclose(avg_pool2d(X, k, s, p, count_include_pad=False), valid)


def test_the_guides_pooling_figures():
    # Figures 3.1 and 3.2: a 3×3 window, stride 1, over a 5×5 input gives 3×3 (relationship 7).
    X = np.arange(25.0).reshape(5, 5)
    assert max_pool2d(X, 3, stride=1).shape == avg_pool2d(X, 3, stride=1).shape == (3, 3)
    assert max_pool2d(X, 3, stride=1)[0, 0] == 12 and avg_pool2d(X, 3, stride=1)[0, 0] == 6


def test_nhwc_batches_and_channels_pool_independently_and_keep_float32():
    X = np.random.default_rng(1).standard_normal((2, 6, 6, 3)).astype(np.float32)
    Y = max_pool2d(X, 2)
    assert Y.shape == (2, 3, 3, 3) and Y.dtype == np.float32
    for n in range(2):
        for c in range(3):
            np.testing.assert_array_equal(Y[n, :, :, c], max_pool2d(X[n, :, :, c], 2))


@pytest.mark.parametrize(
    "call, parameter",
    [
        (lambda: max_pool2d(np.ones((4, 4)), 0), "kernel_size"),
        (lambda: max_pool2d(np.ones((4, 4)), 2, stride=0), "stride"),
        (lambda: max_pool2d(np.ones((4, 4)), 2, padding=2), "padding"),
        (lambda: max_pool2d(np.ones((4, 4)), 2, dilation=0), "dilation"),
        (lambda: max_pool2d(np.ones((2, 2)), 3), "kernel_size"),
        (lambda: max_pool2d(np.ones(4), 2), "X"),
        (lambda: avg_pool2d(np.ones((0, 4)), 2), "X"),
    ],
)
def test_bad_parameters_raise_a_parameter_error_naming_them(call, parameter):
    with pytest.raises(dl.ParameterError) as error:
        call()
    assert error.value.parameter == parameter


def test_count_include_pad_must_be_a_bool():
    with pytest.raises(TypeError, match="count_include_pad"):
        avg_pool2d(np.ones((4, 4)), 2, count_include_pad="yes")
