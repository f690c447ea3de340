"""Traces in one dimension: a (w,) signal is traced as the 1×w image it equals, and its numbers
are conv_transpose1d's, conv1d's and the pooling of that row; the 1-D cases of the gallery."""

import numpy as np
import pytest

import deconvlib as dl
from deconvlib.cases import GALLERY, ONE_D_CASES, Case, case_axes, find_case, plane_sizes
from deconvlib.overlap import overlap_count_1d
from deconvlib.stages import INPUT
from deconvlib.trace import case_geometry, case_trace, trace, trace_conv2d, trace_pool2d

RNG = np.random.default_rng(12)

#: (w, k, stride, padding, output_padding, dilation): padding below k̂ so the output is not empty.
TRANSPOSED = [(5, 3, 2, 0, 0, 1), (4, 4, 2, 1, 0, 1), (3, 3, 2, 1, 1, 1), (4, 3, 3, 2, 2, 2), (1, 1, 1, 0, 0, 1)]
FORWARD = [(11, 3, 2, 0, 1), (10, 4, 2, 1, 1), (7, 3, 1, 2, 2), (6, 2, 3, 1, 1)]


@pytest.mark.parametrize("w, k, s, p, a, d", TRANSPOSED)
def test_a_1d_trace_is_conv_transpose1d_in_one_row(w, k, s, p, a, d):
    X, W = RNG.normal(size=w), RNG.normal(size=k)
    t = trace(X, W, stride=s, padding=p, output_padding=a, dilation=d)
    expected = dl.conv_transpose1d(X, W, stride=s, padding=p, output_padding=a, dilation=d)
    o = expected.shape[0]
    assert t.dims == 1 and t.stride == (1, s) and t.padding == (0, 0, p, p) and t.dilation == (1, d)
    assert t.input.shape == (1, w) and t.kernel.shape == t.flipped.shape == (1, k)
    assert t.dilated.shape == (1, s * (w - 1) + 1) and t.windows.shape == t.products.shape == (1, o, 1, k)
    assert t.output.shape == (1, o) and t.n_steps == o
    np.testing.assert_allclose(t.output[0], expected)
    two_d = trace(X[None, :], W[None, :], stride=(1, s), padding=(0, 0, p, p), output_padding=(0, a), dilation=(1, d))
    np.testing.assert_array_equal(t.output, two_d.output)
    assert two_d.dims == 2


@pytest.mark.parametrize("w, k, s, p, d", FORWARD)
def test_a_1d_forward_trace_is_conv1d_in_one_row(w, k, s, p, d):
    X, W = RNG.normal(size=w), RNG.normal(size=k)
    t = trace_conv2d(X, W, stride=s, padding=p, dilation=d)
    expected = dl.conv1d(X, W, stride=s, padding=p, dilation=d)
    assert t.dims == 1 and t.padded.shape == (1, w + 2 * p) and t.windows.shape == (1, len(expected), 1, k)
    np.testing.assert_allclose(t.output[0], expected)
    assert t.step(len(expected) - 1).origin == (0, s * (len(expected) - 1))


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_a_1d_pooling_trace_pools_the_row(mode):
    X = RNG.integers(0, 9, size=9).astype(float)
    t = trace_pool2d(X, 3, stride=2, padding=1, mode=mode)
    pool = dl.max_pool2d if mode == "max" else dl.avg_pool2d
    assert t.dims == 1 and t.kernel_size == (1, 3) and t.stride == (1, 2)
    np.testing.assert_allclose(t.output, pool(X[None, :], (1, 3), stride=(1, 2), padding=(0, 1)))
    assert trace_pool2d(X, 3).stride == (1, 3)  # PyTorch's default stride: the window


def test_case_trace_in_1d_takes_1d_values_and_random_ones():
    X, W = np.arange(5.0), np.array([1.0, -1.0, 2.0])
    t = case_trace(True, 5, 3, stride=2, padding=1, output_padding=1, values=(X, W), dims=1)
    np.testing.assert_allclose(t.output[0], dl.conv_transpose1d(X, W, stride=2, padding=1, output_padding=1))
    assert case_trace(False, 7, 3, seed=3, dims=1).output.shape == (1, 5)
    pooled = case_trace(False, 5, 3, stride=1, pooling="max", values=[3, 1, 4, 1, 5], dims=1)
    assert pooled.dims == 1 and pooled.output.tolist() == [[4, 4, 5]]
    geo = case_geometry(True, 5, 3, stride=2, dims=1)
    assert (geo.h, geo.w, geo.out_h, geo.out_w) == (1, 5, 1, 11)


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        (dict(input_size=(3, 4)), "input_size"),
        (dict(kernel_size=(1, 3)), "kernel_size"),
        (dict(stride=(2, 2)), "stride"),
        (dict(padding=(1, 1, 1)), "padding"),
        (dict(dilation=(2, 1)), "dilation"),
        (dict(dims=3), "dims"),
    ],
)
def test_a_1d_size_given_as_two_numbers_is_named(kwargs, parameter):
    with pytest.raises(dl.ParameterError) as error:
        case_trace(**{"transposed": True, "input_size": 5, "kernel_size": 3, "dims": 1, **kwargs})
    assert error.value.parameter == parameter


def test_1d_traces_refuse_mixed_dimensions_by_name():
    with pytest.raises(dl.ParameterError) as error:  # a 2-D kernel: the signal should be an image
        trace(np.ones(4), np.ones((3, 3)))
    assert error.value.parameter == "X" and "1-D (w,) signal" in str(error.value)
    with pytest.raises(dl.ParameterError) as error:  # a 2-D image: the kernel should be 2-D
        trace(np.ones((4, 4)), np.ones(3))
    assert error.value.parameter == "W"
    with pytest.raises(dl.ParameterError) as error:  # a volume takes a 3-D kernel
        trace_conv2d(np.ones((1, 1, 4)), np.ones(3))
    assert error.value.parameter == "W"
    with pytest.raises(dl.ParameterError) as error:  # four axes: no trace has them
        trace_conv2d(np.ones((1, 1, 1, 4)), np.ones(3))
    assert error.value.parameter == "X"


def test_plane_sizes_is_the_one_row_image():
    assert plane_sizes(2, 4, 3, 1, 0, 0, 1)["input_size"] == 4  # 2-D: unchanged
    (width,) = case_axes(True, 5, 3, 2, (0, 1), 1, 2, dims=1)
    assert (width["i"], width["k"], width["s"], width["before"], width["after"], width["a"], width["d"]) == (
        5,
        3,
        2,
        0,
        1,
        1,
        2,
    )


def test_the_gallerys_1d_cases_show_their_overlaps_and_their_twins_map_back():
    names = [c.name for c in ONE_D_CASES]
    assert names == [
        "1d_kernel3_stride2",
        "1d_kernel3_stride2_transposed",
        "1d_kernel4_stride2_padding1",
        "1d_kernel4_stride2_padding1_transposed",
    ]
    uneven = find_case("1d_kernel3_stride2_transposed", GALLERY)
    counts = case_trace(**uneven.parameters).output[0]  # input and kernel all ones: each cell counts its inputs
    assert counts.tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1]
    np.testing.assert_array_equal(counts, overlap_count_1d(5, 3, stride=2))
    even = find_case("1d_kernel4_stride2_padding1_transposed", GALLERY)
    assert case_trace(**even.parameters).output[0].tolist() == [1] + [2] * 8 + [1]
    for forward, twin in zip(ONE_D_CASES[::2], ONE_D_CASES[1::2]):
        assert forward.dims == twin.dims == 1 and twin.transposed and not forward.transposed
        assert twin.output_size == (forward.input_size,) and forward.output_size == (twin.input_size,)
        assert twin.n_frames == twin.output_size[0]
    assert Case("x", "x", False, 7, 3, dims=1).sizes["dims"] == 1 and "dims" not in find_case("dilation").sizes
    with pytest.raises(dl.ParameterError) as error:
        Case("x", "x", False, 7, 3, dims=3)
    assert error.value.parameter == "dims"


@pytest.mark.parametrize("seed", range(12))
def test_3d_traces_equal_conv_transpose3d_and_conv3d_and_label_every_cell(seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(-2, 3, tuple(rng.integers(1, 4, 3))).astype(float)
    W = rng.integers(-2, 3, tuple(rng.integers(1, 4, 3))).astype(float)
    s, d = tuple(rng.integers(1, 3, 3)), tuple(rng.integers(1, 3, 3))
    full = [ss * (i - 1) + dd * (k - 1) + 1 for ss, i, k, dd in zip(s, X.shape, W.shape, d)]
    p = tuple(int(rng.integers(0, (f - 1) // 2 + 1)) for f in full)  # crops leave at least one cell
    op = tuple(int(rng.integers(0, max(a, b))) for a, b in zip(s, d))
    t = trace(X, W, stride=s, padding=p, output_padding=op, dilation=d)
    assert t.dims == 3 and t.windows.shape == t.output.shape + W.shape
    np.testing.assert_allclose(t.output, dl.conv_transpose3d(X, W, stride=s, padding=p, output_padding=op, dilation=d))
    assert t.labels.shape == t.padded.shape
    if min(t.pads) >= 0:  # nothing cropped: every input cell is in the grid once
        assert (t.labels == INPUT).sum() == X.size
    last = t.step(t.n_steps - 1)
    assert last.out == tuple(n - 1 for n in t.output.shape) and last.value == pytest.approx(t.output[last.out])
    p = tuple(int(rng.integers(0, k)) for k in W.shape)
    if all(x + 2 * pp >= dd * (k - 1) + 1 for x, pp, k, dd in zip(X.shape, p, W.shape, d)):
        c = trace_conv2d(X, W, stride=s, padding=p, dilation=d)
        np.testing.assert_allclose(c.output, dl.conv3d(X, W, stride=s, padding=p, dilation=d))
        step = c.step(c.n_steps - 1)
        assert step.origin == tuple(o * ss for o, ss in zip(step.out, s))
        np.testing.assert_allclose(step.products.sum(), step.value)
