"""Overlap counts (checkerboard artifacts) and resize-then-convolve."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconvlib import conv2d, conv_transpose2d, conv_transpose_output_size
from deconvlib.overlap import (
    interior,
    is_uniform,
    overlap_count,
    overlap_pattern,
    resize_conv2d,
    resize_conv_count,
    upsample_image,
    upsample_nearest,
)


def scatter_count(i, k, s, d):
    """Count the stamps by hand: every input pixel covers k taps, s apart, d between taps."""
    full = s * (i - 1) + d * (k - 1) + 1
    count = np.zeros(full, int)
    for pixel in range(i):
        for tap in range(k):
            count[pixel * s + tap * d] += 1
    return count


@given(i=st.integers(1, 6), k=st.integers(1, 6), s=st.integers(1, 4), d=st.integers(1, 3))
@settings(max_examples=150, deadline=None)
def test_overlap_count_is_the_outer_product_of_hand_counted_stamps(i, k, s, d):
    one_axis = scatter_count(i, k, s, d)
    assert np.array_equal(overlap_count(i, k, stride=s, dilation=d), np.outer(one_axis, one_axis))


@given(k=st.integers(1, 7), s=st.integers(1, 5), d=st.integers(1, 3))
@settings(max_examples=150, deadline=None)
def test_the_interior_repeats_the_pattern(k, s, d):
    i = 2 * (d * (k - 1) + 1) + 2 * s + 2  # large enough for a periodic interior
    counts = scatter_count(i, k, s, d)
    margin = d * (k - 1)
    middle = counts[margin : len(counts) - margin]
    pattern = overlap_pattern(k, s, d)
    assert pattern.sum() == k
    assert np.array_equal(middle, pattern[np.arange(margin, margin + len(middle)) % s])
    assert np.array_equal(interior(overlap_count(i, k, stride=s, dilation=d), k, d), np.outer(middle, middle))


@pytest.mark.parametrize("k", range(1, 9))
@pytest.mark.parametrize("s", range(1, 5))
def test_uniform_exactly_when_the_stride_divides_the_kernel(k, s):
    assert is_uniform(k, s) == (k % s == 0)


def test_dilation_can_break_or_keep_uniformity():
    assert not is_uniform(4, 2, dilation=2)  # all taps on even rows
    assert is_uniform(2, 2, dilation=3)  # taps at 0 and 3: one even, one odd


def test_overlap_count_with_padding_and_output_padding_matches_the_size_formula():
    counts = overlap_count((3, 4), (3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2))
    assert counts.shape == (
        conv_transpose_output_size(3, 3, 2, 1, 1),
        conv_transpose_output_size(4, 2, 3, 0, 2),
    )
    assert counts.dtype.kind == "i"


def test_overlap_count_reports_bad_parameters():
    with pytest.raises(ValueError, match="output_padding"):
        overlap_count(3, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="stride"):
        overlap_count(3, 3, stride=0)


def test_upsample_nearest_repeats_pixels_in_both_layouts():
    X = np.arange(6.0).reshape(2, 3)
    up = upsample_nearest(X, (2, 3))
    assert up.shape == (4, 9) and up[3, 8] == X[1, 2] and up[0, 2] == X[0, 0]
    batch = np.arange(24.0).reshape(2, 2, 3, 2)
    assert np.array_equal(upsample_nearest(batch, 2)[:, ::2, ::2, :], batch)
    with pytest.raises(ValueError, match="4-D"):
        upsample_nearest(np.ones(3), 2)


def test_resize_conv_is_upsample_then_conv2d_and_keeps_the_size():
    rng = np.random.default_rng(0)
    X, W = rng.normal(size=(2, 3, 4, 3)), rng.normal(size=(3, 3, 3, 5))
    out = resize_conv2d(X, W, scale=2)
    assert out.shape == (2, 6, 8, 5)
    assert np.allclose(out, conv2d(upsample_nearest(X, 2), W, padding="same"))
    assert (
        resize_conv2d(X, W, scale=2).shape[1:3]
        == conv_transpose2d(X, rng.normal(size=(4, 4, 3, 5)), stride=2, padding=1).shape[1:3]
    )


@pytest.mark.parametrize("k", [2, 3, 4, 5])
@pytest.mark.parametrize("scale", [1, 2, 3])
def test_resize_conv_count_is_flat_away_from_the_borders(k, scale):
    counts = resize_conv_count(12, k, scale=scale)
    inner = counts[k : counts.shape[0] - k, k : counts.shape[1] - k]
    assert inner.size and np.all(inner == k * k)


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("s", [1, 2, 3])
def test_upsample_image_of_a_flat_image_shows_the_overlap_count_or_stays_flat(k, s):
    grey = np.full((16, 16), 0.5)
    transposed = upsample_image(grey, k, s)
    resized = upsample_image(grey, k, s, method="resize")
    assert transposed.shape == resized.shape == (16 * s, 16 * s)
    # away from the borders it multiplies the grey by the overlap count: one product of the pattern per pixel
    inner = transposed[k : 16 * s - k, k : 16 * s - k]
    pattern = overlap_pattern(k, s)
    shades = {round(0.5 * s * s / (k * k) * a * b, 9) for a in pattern for b in pattern}
    assert {round(v, 9) for v in inner.ravel()} <= shades
    assert (np.ptp(inner) < 1e-12) == is_uniform(k, s)
    inner = slice(k, 16 * s - k)
    np.testing.assert_allclose(resized[inner, inner], 0.5)


def test_upsample_image_is_the_library_calls_and_checks_its_arguments():
    X = np.random.default_rng(0).random((6, 7))
    np.testing.assert_allclose(
        upsample_image(X, 3, 2), conv_transpose2d(X, np.full((3, 3), 4 / 9), stride=2, padding="same")
    )
    np.testing.assert_allclose(upsample_image(X, 3, 2, "resize"), resize_conv2d(X, np.full((3, 3), 1 / 9), scale=2))
    with pytest.raises(ValueError, match="method"):
        upsample_image(X, 3, 2, method="bilinear")
    with pytest.raises(ValueError, match=r"\(1, 6, 7\)"):
        upsample_image(X[None], 3, 2)
