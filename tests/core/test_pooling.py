"""Pooling against loops written as plainly as the definition, and its parameter checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deconvlib as dl
from deconvlib.pooling import avg_pool2d, max_pool2d, pool_output_size
from deconvlib.stages import INPUT, PAD
from deconvlib.trace import MAX_TRACE_ELEMENTS, input_cells_under, trace_pool2d

#: Input, window, stride and dilation sizes, and whether to pad by half the window.
SIZES = dict(
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    kh=st.integers(1, 4),
    kw=st.integers(1, 4),
    sr=st.integers(1, 3),
    sc=st.integers(1, 3),
    dr=st.integers(1, 2),
    dc=st.integers(1, 2),
    pad=st.booleans(),
)


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


@given(**SIZES, seed=st.integers(0, 999))
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
    # Figures 1.5 and 1.6: a 3×3 window, stride 1, over a 5×5 input gives 3×3 (relationship 7).
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


# --- pooling as data for drawing: trace_pool2d -------------------------------------------


@given(**SIZES, mode=st.sampled_from(["max", "avg"]), seed=st.integers(0, 999))
@settings(max_examples=200, deadline=None)
def test_a_pooling_trace_equals_the_pooling_and_its_steps_say_which_cell_won(
    h, w, kh, kw, sr, sc, dr, dc, pad, mode, seed
):
    X = np.random.default_rng(seed).integers(-9, 10, (h, w)).astype(float)
    k, s, p, d = (kh, kw), (sr, sc), ((kh // 2, kw // 2) if pad else (0, 0)), ((dr, dc) if mode == "max" else (1, 1))
    pool = max_pool2d if mode == "max" else avg_pool2d
    try:
        expected = pool(X, k, s, p, d) if mode == "max" else pool(X, k, s, p)
    except dl.ParameterError as error:
        with pytest.raises(dl.ParameterError) as traced:
            trace_pool2d(X, k, s, p, mode, d)
        assert traced.value.parameter == error.parameter
        return
    t = trace_pool2d(X, k, s, p, mode, d)
    np.testing.assert_allclose(t.output, expected)
    assert t.padded.shape == (h + 2 * p[0], w + 2 * p[1]) and t.labels.shape == t.padded.shape
    assert (t.labels == PAD).sum() == t.padded.size - X.size
    assert np.all(t.padded[t.labels == PAD] == (-np.inf if mode == "max" else 0))
    index = np.random.default_rng(seed).integers(t.n_steps)
    step = t.step(index)
    y, x = divmod(index, t.output.shape[1])
    assert step.out == (y, x) and step.origin == (y * sr, x * sc)
    if mode == "max":
        a, b = step.winner
        assert step.window[a, b] == step.value == step.window.max()
        assert t.padded[y * sr + a * dr, x * sc + b * dc] == step.value
    else:
        assert step.winner is None and np.isclose(step.value, step.window.sum() / (kh * kw))
    # the input cells under the window are the ones the output cell reads
    cells = input_cells_under(t, step.origin)
    assert all(0 <= r < h and 0 <= c < w for r, c in cells)
    assert len(cells) == sum(
        t.labels[step.origin[0] + a * d[0], step.origin[1] + b * d[1]] == INPUT for a in range(kh) for b in range(kw)
    )


def test_the_guides_pooling_figures_traced():
    X = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
    np.testing.assert_array_equal(trace_pool2d(X, 3, 1).output, [[3, 3, 3], [3, 3, 3], [3, 2, 3]])
    means = trace_pool2d(X, 3, 1, mode="avg").output
    np.testing.assert_array_equal(means.round(1), [[1.7, 1.7, 1.7], [1.0, 1.2, 1.8], [1.1, 0.8, 1.3]])


def test_a_pooling_trace_keeps_copies_and_refuses_bad_calls_naming_them():
    X = np.ones((3, 3))
    t = trace_pool2d(X, 2, 1)
    X[0, 0] = 5
    assert t.input[0, 0] == 1 and not np.shares_memory(t.input, X)
    for call, parameter in [
        (lambda: trace_pool2d(np.ones((3, 3)), 2, mode="min"), "mode"),
        (lambda: trace_pool2d(np.ones((3, 3)), 2, mode=None), "mode"),
        (lambda: trace_pool2d(np.ones((1, 3, 3, 1)), 2), "X"),
        (lambda: trace_pool2d(np.ones((3, 3)), 2, mode="avg", dilation=2), "dilation"),
        (lambda: trace_pool2d(np.ones((3, 3)), 2, padding=2), "padding"),
        (lambda: trace_pool2d(np.ones((3, 3)), 2, stride=0), "stride"),
        (lambda: trace_pool2d(np.ones((3, 3)), 2).step(4), "index"),
    ]:
        with pytest.raises(dl.ParameterError) as error:
            call()
        assert error.value.parameter == parameter


def test_a_pooling_trace_too_large_is_refused_before_its_arrays_exist():
    with pytest.raises(dl.ParameterError, match="MAX_TRACE_ELEMENTS") as error:
        trace_pool2d(np.ones((600, 600)), 4, stride=1)
    assert error.value.parameter == "X"
    assert 40 * 40 * 5 * 5 <= MAX_TRACE_ELEMENTS  # an explorer's sizes fit


def test_pooling_is_exported_from_the_package():
    assert dl.max_pool2d is max_pool2d and dl.avg_pool2d is avg_pool2d and dl.pool_output_size is pool_output_size
    assert {"max_pool2d", "avg_pool2d", "pool_output_size"} <= set(dl.__all__)
