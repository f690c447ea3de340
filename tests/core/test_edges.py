"""Issue 11, the library's edges: non-finite and masked inputs, traces that copy, stage functions that
check their arguments, output-size limits, and the documented conventions."""

import time

import numpy as np
import pytest

import deconvlib as dl
from deconvlib.geometry import MAX_OUTPUT_ELEMENTS, resolve_padding, transpose_geometry
from deconvlib.overlap import interior, overlap_count
from deconvlib.trace import MAX_TRACE_ELEMENTS, case_trace, scatter_trace, trace_conv2d

# --- item 12: one policy for NaN and inf (refused, naming the array), masked arrays refused ---


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["X", "W", "bias"])
@pytest.mark.parametrize("method", ["naive", "fast", "matrix", "scatter"])
def test_non_finite_values_are_refused_by_every_method_naming_the_array(bad, where, method):
    arrays = {"X": np.ones((1, 3, 3, 1)), "W": np.ones((3, 3, 1, 2)), "bias": np.zeros(2)}
    arrays[where].flat[1] = bad
    with pytest.raises(dl.ParameterError, match=f"{where} must hold finite numbers") as error:
        dl.conv_transpose2d(arrays["X"], arrays["W"], stride=2, bias=arrays["bias"], method=method)
    assert error.value.parameter == where


def test_non_finite_values_are_refused_by_the_traces_and_the_forward_convolution():
    X = np.ones((3, 3))
    X[1, 1] = np.nan
    for function in (dl.trace, scatter_trace, trace_conv2d, dl.conv2d):
        with pytest.raises(dl.ParameterError) as error:
            function(X, np.ones((2, 2)))
        assert error.value.parameter == "X"


def test_masked_arrays_are_refused_rather_than_losing_their_mask():
    X = np.ma.masked_array(np.ones((3, 3)), mask=np.eye(3, dtype=bool))
    with pytest.raises(TypeError, match=r"masked array.*X\.filled\(0\)"):
        dl.conv_transpose2d(X, np.ones((2, 2)))
    with pytest.raises(TypeError, match="W is a masked array"):
        dl.conv_transpose2d(np.ones((3, 3)), np.ma.masked_array(np.ones((2, 2))))


# --- item 13: a trace shares no memory with the caller's arrays ---


@pytest.mark.parametrize("function", [dl.trace, trace_conv2d, scatter_trace])
def test_a_trace_keeps_copies_of_the_callers_arrays(function):
    X, W = np.arange(16.0).reshape(4, 4), np.ones((2, 2))
    t = function(X, W)
    for kept in vars(t).values():
        if isinstance(kept, np.ndarray):
            assert not np.shares_memory(kept, X) and not np.shares_memory(kept, W)
    X[:] = -1
    assert t.input[0, 1] == 1.0


# --- item 14: the stage functions validate like the rest ---


def test_dilate_takes_a_2d_grid_and_an_int_stride():
    assert dl.dilate(np.ones((3, 3)), (2, 2)).shape == (5, 5)
    assert dl.dilate(np.ones((1, 3, 3, 1)), 2).shape == (1, 5, 5, 1)
    assert dl.dilate([[1, 2]], 3).tolist() == [[1, 0, 0, 2]]


@pytest.mark.parametrize(
    "call, parameter",
    [
        (lambda: dl.dilate(np.ones((3, 3)), (0, 0)), "stride"),
        (lambda: dl.dilate(np.ones((3, 3)), (2, 2, 2)), "stride"),
        (lambda: dl.dilate(np.ones(3), 2), "axes"),
        (lambda: dl.dilate(np.ones((3, 3)), 2, axes=(0, 0)), "axes"),
        (lambda: dl.pad_or_crop(np.ones((3, 3)), (1, 2)), "pads"),
        (lambda: dl.pad_or_crop(np.ones((3, 3)), (1, 1, 1.5, 1)), "pads"),
        (lambda: dl.pad_or_crop(np.ones((3, 3)), 1), "pads"),
        (lambda: dl.pad_or_crop(np.ones((3, 3)), (1, 1, 1, 1), axes=(0, 5)), "axes"),
        (lambda: dl.flip_kernel(np.ones(3)), "W"),
        (lambda: dl.trace(np.ones((3, 3)), np.ones((2, 2))).step(1.0), "index"),
        (lambda: dl.trace(np.ones((3, 3)), np.ones((2, 2))).step(100), "index"),
    ],
)
def test_stage_functions_and_steps_name_the_bad_argument(call, parameter):
    with pytest.raises(dl.ParameterError) as error:
        call()
    assert error.value.parameter == parameter


def test_a_0d_array_is_a_scalar():
    X, W = np.ones((3, 3)), np.ones((3, 3))
    expected = dl.conv_transpose2d(X, W, stride=2, padding=1)
    got = dl.conv_transpose2d(X, W, stride=np.array(2), padding=np.array(1), dilation=np.array(1))
    assert np.array_equal(got, expected)


# --- item 6: output-size limits, checked from the sizes before any allocation ---


@pytest.mark.parametrize("stride", [10**6, 10**18])
def test_a_huge_output_is_refused_at_once_naming_the_stride(stride):
    start = time.perf_counter()
    with pytest.raises(dl.ParameterError, match="memory budget of 1 GiB") as error:
        dl.conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), stride=stride)
    assert error.value.parameter == "stride"
    assert time.perf_counter() - start < 10  # a hang guard: computing it would take minutes


def test_a_huge_batch_is_refused_naming_x_and_real_layers_are_allowed():
    X = np.broadcast_to(np.float32(0), (2**10, 64, 64, 1))
    with pytest.raises(dl.ParameterError, match="memory budget") as error:
        transpose_geometry(X, np.ones((4, 4, 1, 256), np.float32), 2, 1, 0, 1, 1, None)
    assert error.value.parameter == "X"
    # a batch of 8 outputs of 256×256×64 is a real layer: within the default budget (1 GiB)
    X = np.broadcast_to(np.float32(0), (8, 128, 128, 64))
    geo = transpose_geometry(X, np.ones((4, 4, 64, 64), np.float32), 2, 1, 0, 1, 1, None).geometry
    assert (geo.out_h, geo.out_w) == (256, 256) and geo.n * 256 * 256 * geo.c_out <= MAX_OUTPUT_ELEMENTS


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        (dict(transposed=False, input_size=100_000), "input_size"),
        (dict(transposed=True, input_size=2, stride=10**6), "stride"),
        (dict(transposed=True, input_size=3, dilation=10**4), "dilation"),
    ],
)
def test_a_case_too_large_to_trace_is_refused_before_its_arrays_exist(kwargs, parameter):
    start = time.perf_counter()
    with pytest.raises(dl.ParameterError, match="MAX_TRACE_ELEMENTS") as error:
        case_trace(**kwargs)
    assert error.value.parameter == parameter
    assert time.perf_counter() - start < 10  # a hang guard: building the arrays would take minutes


def test_a_scatter_trace_too_large_is_refused():
    with pytest.raises(dl.ParameterError, match="MAX_TRACE_ELEMENTS"):
        scatter_trace(np.ones((64, 64)), np.ones((4, 4)), stride=2)
    assert MAX_TRACE_ELEMENTS >= 2 * 16 * 16 * 40 * 40  # the explorers' sizes fit


# --- item 16: conventions, documented and consistent ---


def test_valid_padding_is_pytorchs_and_the_keras_mapping_is_documented():
    assert resolve_padding("valid", kernel=(1, 1), stride=(3, 3), dilation=(1, 1)) == ((0, 0, 0, 0), (0, 0))
    doc = resolve_padding.__doc__
    assert "i·s + max(k̂ − s, 0)" in doc and "output_padding = max(s − k̂, 0)" in doc
    for k, s, i in [(1, 3, 4), (2, 3, 5), (3, 2, 4), (4, 4, 2)]:
        keras = i * s + max(k - s, 0)
        assert dl.conv_transpose_output_size(i, k, stride=s, output_padding=max(s - k, 0)) == keras


def test_a_zero_batch_is_refused_on_purpose_and_says_so():
    with pytest.raises(dl.ParameterError, match="zero batch on purpose"):
        dl.conv_transpose2d(np.ones((0, 3, 3, 1)), np.ones((3, 3, 1, 1)))


def test_interior_takes_rows_and_cols_like_overlap_count():
    counts = overlap_count(4, (3, 1), stride=2)
    assert interior(counts, (3, 1)).shape == (counts.shape[0] - 4, counts.shape[1])
    assert np.array_equal(interior(overlap_count(4, 3, stride=2), 3), interior(overlap_count(4, 3, stride=2), (3, 3)))


def test_convolution_matrix_blames_the_kernel_it_was_given():
    # Issue 11, item 14: a kernel of text was reported as a bad X, which convolution_matrix has not.
    with pytest.raises(TypeError, match=r"^W must hold real numbers"):
        dl.convolution_matrix((3, 3), "ab")
