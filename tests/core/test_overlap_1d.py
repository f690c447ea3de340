"""One dimension: overlap counts and stamps, and the 2-D map as the outer product of two 1-D counts."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconvlib import conv_transpose2d
from deconvlib.errors import ParameterError
from deconvlib.overlap import overlap_count, overlap_count_1d, overlap_pattern, stamps_1d


def scatter_1d(x, w, s, p, op, d):
    """The textbook loop: input n adds x[n]·w[a] to cell n·s + a·d of the full result, then crop p."""
    full = s * (len(x) - 1) + d * (len(w) - 1) + 1
    out = np.zeros(full + op)
    taps = np.zeros(full + op, int)
    for n in range(len(x)):
        for a in range(len(w)):
            out[n * s + a * d] += x[n] * w[a]
            taps[n * s + a * d] += 1
    end = full + op - p
    return out[p:end], taps[p:end]


layers = st.tuples(
    st.integers(1, 6), st.integers(1, 5), st.integers(1, 4), st.integers(0, 3), st.integers(0, 3), st.integers(1, 3)
)


@given(layer=layers, seed=st.integers(0, 2**16))
@settings(max_examples=200, deadline=None)
def test_stamps_and_counts_agree_with_the_textbook_loop(layer, seed):
    i, k, s, p, op, d = layer
    if op >= max(s, d) or s * (i - 1) + d * (k - 1) + 1 - 2 * p + op < 1:
        with pytest.raises(ParameterError):
            overlap_count_1d(i, k, s, p, op, d)
        with pytest.raises(ParameterError):
            stamps_1d(np.ones(i), np.ones(k), s, p, op, d)
        return
    rng = np.random.default_rng(seed)
    x, w = rng.integers(-3, 4, i).astype(float), rng.integers(-3, 4, k).astype(float)
    expected, taps = scatter_1d(x, w, s, p, op, d)
    S = stamps_1d(x, w, stride=s, padding=p, output_padding=op, dilation=d)
    assert S.shape == (i, expected.size)
    assert np.allclose(S.sum(axis=0).filled(0), expected)
    assert np.array_equal(S.count(axis=0), taps)
    assert np.array_equal(overlap_count_1d(i, k, s, p, op, d), taps)


def test_the_kernel_3_stride_2_pattern():
    assert overlap_count_1d(6, 3, stride=2).tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1]
    assert overlap_count_1d(6, 4, stride=2)[2:-2].tolist() == [2] * 10
    assert overlap_count_1d(4, 2, stride=3).tolist() == [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1]


@given(i=st.integers(1, 6), k=st.integers(1, 6), s=st.integers(1, 4), p=st.integers(0, 2), d=st.integers(1, 3))
@settings(max_examples=150, deadline=None)
def test_the_2d_overlap_is_the_outer_product_of_two_1d_ones(i, k, s, p, d):
    if 2 * p >= s * (i - 1) + d * (k - 1) + 1:
        return
    one = overlap_count_1d(i, k, stride=s, padding=p, dilation=d)
    assert np.array_equal(overlap_count(i, k, stride=s, padding=p, dilation=d), np.outer(one, one))


@given(k=st.integers(1, 7), s=st.integers(1, 5), d=st.integers(1, 3))
@settings(max_examples=100, deadline=None)
def test_far_from_the_ends_the_1d_count_repeats_the_pattern(k, s, d):
    i = 3 * k * d + 4
    counts = overlap_count_1d(i, k, stride=s, dilation=d)
    edge = d * (k - 1)
    inner = np.arange(edge, counts.size - edge)
    assert np.array_equal(counts[inner], overlap_pattern(k, s, d)[inner % s])


def test_a_stamp_with_a_zero_weight_still_covers_its_cell():
    S = stamps_1d([1.0, 2.0], [1.0, 0.0, 1.0], stride=2)
    assert S.count(axis=0).tolist() == [1, 1, 2, 1, 1]
    assert S[1, 3] == 0 and not np.ma.getmaskarray(S)[1, 3]


def test_stamps_check_their_inputs():
    with pytest.raises(ParameterError, match="x must be a non-empty 1-D array, got shape \\(2, 2\\)"):
        stamps_1d(np.ones((2, 2)), [1.0])
    with pytest.raises(ParameterError, match="w must be a non-empty 1-D array"):
        stamps_1d([1.0], [])
    with pytest.raises(ParameterError):
        overlap_count_1d(0, 3)
    with pytest.raises(ParameterError):
        overlap_count_1d(1, 1, padding=1)  # nothing left


def test_the_1d_count_is_a_transposed_convolution_of_ones():
    expected = conv_transpose2d(np.ones((1, 5)), np.ones((1, 3)), stride=(1, 2), padding=(0, 0, 1, 1))[0]
    assert np.array_equal(overlap_count_1d(5, 3, stride=2, padding=1), expected)
