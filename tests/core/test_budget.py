"""Issue 22, the library's parts: one budget (memory, work, naive-loop steps) checked before allocating,
refusals that name the parameter that made a call large, and numpy's wording kept out of the messages."""

import math
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import deconvlib as dl
from deconvlib import adjoint, channels, overlap, stages
from deconvlib.budget import DEFAULT_BUDGET, budget_scope, get_budget, set_budget

ONES2, ONES3 = np.ones((2, 2)), np.ones((3, 3))


def refused(call, parameter, match=None):
    """``call()`` raises a ParameterError naming ``parameter`` at once (well before it could allocate)."""
    start = time.perf_counter()
    with pytest.raises(dl.ParameterError, match=match) as error:
        call()
    assert error.value.parameter == parameter, str(error.value)
    assert time.perf_counter() - start < 2
    return str(error.value)


# --- items 5, 6: the naive method's loop and the output's memory ---


def test_the_naive_method_has_a_work_limit_naming_the_stride_and_offering_fast():
    message = refused(lambda: dl.conv_transpose2d(ONES2, ONES3, stride=3000, method="naive"), "stride")
    assert "method='fast'" in message and "set_budget(steps=" in message
    refused(lambda: dl.conv_transpose2d(ONES2, ONES3, stride=30000, method="naive"), "stride")
    # the fast method computes the same layer: its output (3003², 72 MB) is within the memory budget
    assert dl.conv_transpose2d(ONES2, ONES3, stride=3000).shape == (3003, 3003)


@pytest.mark.parametrize(
    "call, parameter",
    [
        (lambda: dl.conv_transpose2d(ONES2, ONES3, stride=32000), "stride"),
        (lambda: dl.conv_transpose2d(ONES2, ONES3, dilation=10000), "dilation"),
        (lambda: dl.conv_transpose1d(np.ones(2), np.ones(3), stride=5 * 10**8), "stride"),
        (lambda: dl.conv_transpose3d(np.ones((2, 2, 2)), np.ones((3, 3, 3)), stride=900), "stride"),
        (lambda: dl.conv2d(ONES3, ONES3, padding=15000), "padding"),
        (lambda: dl.conv2d(ONES3, ONES3, padding=20000), "padding"),  # item 19: blamed X
        (lambda: dl.conv1d(np.ones(3), np.ones(3), padding=(0, 10**9)), "padding"),
        # a crop that keeps the output small, of a canvas the stride made huge
        (lambda: dl.conv_transpose2d(ONES2, ONES3, stride=10**5, padding=(0, 10**5, 0, 10**5)), "stride"),
    ],
)
def test_outputs_past_a_gib_are_refused_naming_what_made_them_large(call, parameter):
    message = refused(call, parameter, match="memory budget of 1 GiB")
    assert f"choose a smaller {parameter}" in message


def test_the_default_budget_is_one_gib_and_max_output_elements_follows_it():
    assert get_budget() == DEFAULT_BUDGET and DEFAULT_BUDGET.memory == 2**30
    from deconvlib import geometry

    assert geometry.MAX_OUTPUT_ELEMENTS == 2**27  # float64 elements in 1 GiB: 8 GiB were admitted before
    with budget_scope(memory=2**31):
        assert geometry.MAX_OUTPUT_ELEMENTS == 2**28


def test_the_budget_can_be_raised_for_a_block_or_the_session_and_is_checked():
    call = lambda: dl.conv_transpose2d(ONES2, ONES3, stride=100)  # noqa: E731  an output of 103² float64
    assert call().shape == (103, 103)
    with budget_scope(memory=103 * 103 * 8):  # the output fits, the uncropped canvas beside it does not
        refused(call, "stride")
    with budget_scope(memory=3 * 103 * 103 * 8):
        assert call().shape == (103, 103)
    assert get_budget() == DEFAULT_BUDGET  # restored
    previous = set_budget(steps=10)
    try:
        refused(lambda: dl.conv_transpose2d(ONES2, ONES3, method="naive"), "X")
    finally:
        set_budget(*previous)
    assert dl.conv_transpose2d(ONES2, ONES3, method="naive").shape == (4, 4)
    with pytest.raises(dl.ParameterError) as error:
        set_budget(memory=0)
    assert error.value.parameter == "memory" and get_budget() == DEFAULT_BUDGET
    with pytest.raises(TypeError):
        set_budget(work="lots")


def test_the_work_budget_refuses_a_layer_of_hours_naming_the_kernel():
    X = np.broadcast_to(0.0, (1, 300, 300, 1))
    W = np.broadcast_to(0.0, (400, 400, 1, 1))  # 1.4·10**10 multiply-adds: within, so a smaller budget shows it
    with budget_scope(work=10**9):
        refused(lambda: dl.conv_transpose2d(X, W), "W", match="work budget")
        refused(lambda: dl.conv_transpose2d(W[..., 0, 0][None, ..., None], X[0, ..., None]), "X", match="work")


# --- item 7: every listed function refuses before allocating ---


@pytest.mark.parametrize(
    "call, parameter",
    [
        (lambda: dl.avg_pool2d(np.ones((1, 1)), 20001, stride=1, padding=10000, count_include_pad=False), "padding"),
        (lambda: dl.max_pool2d(np.ones((1, 1)), 60001, stride=1, padding=30000), "padding"),
        (lambda: dl.max_pool2d(np.ones((100, 100)), 4001, stride=1, padding=2000), "kernel_size"),  # 1.6·10**11
        (lambda: overlap.overlap_pattern(10**9, 2), "kernel_size"),
        (lambda: overlap.overlap_pattern(3, 2**63), "stride"),  # item 18: OverflowError
        (lambda: overlap.overlap_count(2, 20000), "kernel_size"),
        (lambda: overlap.overlap_count(20000, 2), "input_size"),
        (lambda: overlap.overlap_count_1d(2, 10**10), "kernel_size"),
        (lambda: overlap.stamps_1d(np.ones(20000), [1.0]), "x"),
        (lambda: overlap.upsample_nearest(ONES2, 10**5), "scale"),
        (lambda: overlap.upsample_nearest(ONES2, 2**63), "scale"),  # item 18: OverflowError
        (lambda: overlap.resize_conv_count(2, 3, scale=2**63), "scale"),
        (lambda: overlap.resize_conv_count(10**5, 3), "input_size"),
        (lambda: overlap.resize_conv2d(ONES2, ONES3, scale=10**5), "scale"),
        (lambda: overlap.upsample_image(ONES2, 10**5), "kernel_size"),
        (lambda: overlap.upsample_image(ONES2, 3, stride=10**5), "stride"),
        (lambda: overlap.upsample_image(ONES2, 3, stride=10**5, method="resize"), "scale"),
        (lambda: stages.dilate(ONES2, 10**9), "stride"),
        (lambda: stages.pad_or_crop(ONES2, (10**9, 0, 0, 10**9)), "pads"),
        (lambda: stages.cell_labels((10**6, 10**6), (1, 1), (0, 0, 0, 0)), "shape"),
        (lambda: stages.cell_labels((2, 2), (10**6, 10**6), (0, 0, 0, 0)), "stride"),
        (lambda: channels.group_connections(30000, 30000), "c_in"),
        (lambda: adjoint.conv2d_jacobian((1000, 1000), ONES3), "input_shape"),
        (lambda: adjoint.conv2d_jacobian((1, 1), ONES3, padding=6000), "padding"),
        (lambda: adjoint.numerical_gradient(np.sum, np.zeros(10**6)), "x"),
        (lambda: dl.convolution_matrix(10**6, ONES3), "input_size"),
        (lambda: dl.deconv2D_naive(ONES2, ONES3, stride=3000, pad=0), "stride"),
    ],
)
def test_every_function_refuses_a_runaway_size_by_name(call, parameter):
    refused(call, parameter)


def test_conv2d_jacobian_checks_its_matrix_after_one_column():
    with budget_scope(memory=2**20):  # each conv2d fits (40², 27 kB), the 1600×1600 matrix (41 MB) does not
        refused(lambda: adjoint.conv2d_jacobian((40, 40), ONES3, padding=1), "input_shape", match="Jacobian")


def test_the_arithmetic_answers_stay_exact_for_any_size():
    # is_uniform is decided without building the pattern (item 18: it overflowed at 2**63)
    assert overlap.is_uniform(3, 2**63) is False and overlap.is_uniform(2**63, 2**63) is True
    assert overlap.is_uniform(10**12, 10**6) is True and overlap.is_uniform(10**12, 10**6, dilation=2) is False
    for k in range(1, 13):
        for s in range(1, 7):
            for d in range(1, 7):
                pattern = overlap.overlap_pattern(k, s, d)
                assert overlap.is_uniform(k, s, d) == (pattern.min() == pattern.max())
    # a dilation past int64 used to wrap (or overflow) in np.arange(k) * d
    d = 2**64 + 2
    assert overlap.overlap_pattern(3, 5, dilation=d).tolist() == [
        [(a * d) % 5 for a in range(3)].count(r) for r in range(5)
    ]
    layer = channels.Layer(c_out=10**6, kernel_size=10**6)
    assert channels.parameter_count(10**6, layer, dims=3) == 10**30 + 10**6  # k³·c_in·c_out: np.prod wrapped


# --- items 18, 19: numpy's errors and wording kept out ---


@pytest.mark.parametrize(
    "call, parameter, match",
    [
        (lambda: overlap.interior(0, 3), "counts", "2-D"),  # IndexError
        (lambda: channels.to_nchw(0), "X", "4-D"),  # "axes don't match array"
        (lambda: channels.from_nchw(np.ones((2, 2))), "X", "4-D"),
        (lambda: channels.to_torch_weight(np.ones(3)), "W", "4-D"),
        (lambda: channels.from_torch_weight(np.ones((2, 2, 2))), "weight", "4-D"),
        (lambda: dl.conv_transpose2d(ONES2, ONES3, method=np.array(["fast", "naive"])), "method", "one of"),
        (lambda: overlap.upsample_image(ONES2, 3, method=np.array(["resize"])), "method", "transposed"),
        (lambda: dl.cases.Case("t", "t", True, 3, 3, dims=np.array([1, 2])), "dims", "1 or 2"),
        (lambda: dl.cases.Case("t", "t", False, 3, 3, pooling=np.array(["max", "avg"])), "pooling", "'max'"),
        (lambda: stages.pad_or_crop(np.ones(3), (-5, 0), axes=(0,)), "pads", "crop"),
        (lambda: stages.cell_labels(3, (1,), (0, 0)), "shape", "tuple of sizes"),
        (lambda: adjoint.conv2d_jacobian(7, ONES3), "input_shape", r"\(h, w\)"),
        (lambda: overlap.stamps_1d([np.nan, 1.0], [1.0]), "x", "finite"),
        (lambda: overlap.upsample_image(np.array([[np.inf, 1.0]]), 3), "image", "finite"),
        (lambda: adjoint.numerical_gradient(np.sum, [np.nan]), "x", "finite"),
    ],
)
def test_bad_values_get_the_library_s_message_naming_the_parameter(call, parameter, match):
    refused(call, parameter, match=match)


@pytest.mark.parametrize(
    "call",
    [
        lambda: overlap.stamps_1d("abc", [1.0]),
        lambda: overlap.interior(np.array(["a"]), 3),
        lambda: overlap.upsample_nearest([["a"]], 2),
        lambda: adjoint.numerical_gradient(np.sum, "abc"),
    ],
)
def test_text_where_numbers_belong_is_a_type_error_naming_the_array(call):
    with pytest.raises(TypeError, match="must hold real numbers"):
        call()


def test_padding_same_as_a_0d_array_is_same():
    same = np.array("same")
    assert np.array_equal(
        dl.conv_transpose2d(ONES2, ONES3, stride=2, padding=same),
        dl.conv_transpose2d(ONES2, ONES3, stride=2, padding="same"),
    )
    assert dl.conv2d(np.ones((4, 4)), ONES3, padding=same).shape == (4, 4)
    assert dl.conv_transpose1d(np.ones(3), np.ones(3), stride=2, padding=np.str_("same")).shape == (6,)
    assert np.array_equal(dl.deconv2D_naive(ONES2, ONES3, 2, same), dl.deconv2D_naive(ONES2, ONES3, 2, "same"))


# --- item 13: deconvlib.trace is the module the README lists, and still the function notebooks call ---


def test_the_trace_module_is_importable_and_callable():
    import deconvlib.trace as T

    assert T.trace_conv2d is T.trace_conv and T.scatter_trace is dl.scatter_trace
    assert dl.trace is T  # the module, an attribute of the package as the README lists it
    assert np.array_equal(dl.trace(ONES2, ONES2, stride=2).output, T.trace(ONES2, ONES2, stride=2).output)
    from deconvlib import trace

    assert trace(ONES2, ONES3).output.shape == (4, 4)


# --- item 14: pooling refuses NaN, as every computing function does ---


@pytest.mark.parametrize("pool", [dl.max_pool2d, dl.avg_pool2d])
def test_pooling_refuses_non_finite_values_naming_x(pool):
    refused(lambda: pool(np.array([[np.nan, 1.0], [2.0, 3.0]]), 2), "X", match="finite")


def test_budget_messages_quote_the_sizes():
    message = refused(lambda: dl.conv_transpose2d(ONES2, ONES3, stride=32000), "stride")
    assert "1·32003·32003·1" in message and "32005×32005" in message  # the output and the uncropped canvas
    assert f"{32003**2 + 32005**2:,} elements" in message
    assert math.isclose((32003**2 + 32005**2) * 8 / 2**30, 15.3, abs_tol=0.05) and "15.3 GiB" in message


# --- item 4: the frames of an animation, checked before drawing ---


def test_animate_refuses_frames_past_the_budget_naming_scale_or_the_size():
    pytest.importorskip("matplotlib")
    from deconvlib.viz.animation import animate

    message = refused(lambda: animate(True, 7, 3, stride=2, scale=4), "scale", match="frames")
    assert "225 frames" in message  # 15×15 output cells, each frame 4² times the pixels of scale 1
    refused(lambda: animate(False, 20, 1, scale=4), "scale")
    with budget_scope(memory=2**20):  # 9 frames do not fit even at scale 1: the size is what to change
        refused(lambda: animate(False, 5, 3), "input_size")
    assert animate(False, 5, 3, scale=2).frame_count == 9


@pytest.mark.parametrize(
    "args, flag",
    [
        (["--scale", "4", "--input", "7", "--kernel", "3", "--transposed", "--stride", "2"], "--scale"),
        (["--input", "3", "--kernel", "3", "--padding", "20000"], "--padding"),  # item 19: blamed --input
    ],
)
def test_the_cli_names_the_flag_of_a_runaway_animation(args, flag, tmp_path):
    pytest.importorskip("matplotlib")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "deconvlib", "animate", *args, "-o", "a.gif"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (error,) = [line for line in done.stderr.splitlines() if "error:" in line]
    assert f"argument {flag}:" in error
    assert not list(tmp_path.iterdir())


def test_photo_names_its_size_instead_of_dividing_by_zero():
    pytest.importorskip("ipywidgets")
    pytest.importorskip("matplotlib")
    from deconvlib.course.explorers import photo

    refused(lambda: photo(0), "size")  # ZeroDivisionError
    refused(lambda: photo(513), "size", match="1 to 512")  # an empty crop
    assert photo(8).shape == (8, 8)
