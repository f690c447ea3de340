"""Every bad parameter raises a ParameterError naming it (TypeError for a wrong type).

Never an IndexError or a numpy broadcasting error from inside, never a silent
wrong shape. A ParameterError is a ValueError whose ``parameter`` is the name
of the offending parameter, so callers (the command line, the explorers) can
blame the right flag or slider without reading the message; the message still
names it too, with the value received.
"""

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deconvlib as dl
from deconvlib import cases, channels, overlap
from deconvlib.trace import case_trace, scatter_trace, trace_conv

X = np.ones((1, 4, 4, 2))
W = np.ones((3, 3, 2, 1))  # transposed: (kh, kw, c_in, c_out // groups)
WF = np.ones((3, 3, 2, 1))  # forward: (kh, kw, c_in // groups, c_out)


def raises(error, message, parameter, call):
    """``call()`` raises ``error`` whose text contains ``message`` and, for a ValueError, names ``parameter``."""
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
    if error is TypeError:
        assert not isinstance(info.value, ValueError)
    else:
        assert isinstance(info.value, dl.ParameterError), type(info.value)
        assert info.value.parameter == parameter, (info.value.parameter, str(info.value))


BAD_TRANSPOSED = [
    (dict(stride=0), ValueError, "stride must be an integer >= 1, got 0", "stride"),
    (dict(stride=-2), ValueError, "stride", "stride"),
    (dict(stride=1.5), ValueError, "stride must be an integer >= 1, got 1.5", "stride"),
    (dict(stride="2"), TypeError, "stride", None),
    (dict(stride=(1, 2, 3)), ValueError, "stride", "stride"),
    (dict(stride=None), TypeError, "stride", None),
    (dict(dilation=0), ValueError, "dilation", "dilation"),
    (dict(dilation=(1, 1.5)), ValueError, "dilation", "dilation"),
    (dict(padding=-1), ValueError, "padding must be an integer >= 0, got -1", "padding"),
    (dict(padding=(1, -1)), ValueError, "padding", "padding"),
    (dict(padding=(1, 2, 3)), ValueError, "padding", "padding"),
    (dict(padding="full"), ValueError, "padding", "padding"),
    (dict(padding=(9, 9)), ValueError, "empty output", "padding"),
    (dict(padding=(0, 7, 0, 0)), ValueError, "empty output", "padding"),
    (dict(output_padding=-1), ValueError, "output_padding", "output_padding"),
    (dict(output_padding=1), ValueError, "output_padding must be smaller than stride or dilation", "output_padding"),
    (dict(stride=2, output_padding=2), ValueError, "output_padding=2 with stride=2, dilation=1", "output_padding"),
    (dict(stride=2, output_padding=(0, 3), dilation=3), ValueError, "output_padding=3", "output_padding"),
    (dict(padding="same", output_padding=1, stride=2), ValueError, "output_padding", "output_padding"),
    (dict(groups=0), ValueError, "groups", "groups"),
    (dict(groups=3), ValueError, "groups=3 must divide the input channels", "groups"),
    (dict(groups=1.0), ValueError, "groups", "groups"),
    (dict(groups=True), TypeError, "groups", None),
    (dict(bias=np.ones(2)), ValueError, "bias must have shape (1,)", "bias"),
    (dict(bias=np.ones((1, 1))), ValueError, "bias", "bias"),
    (dict(bias=np.array(["b"])), TypeError, "bias must hold real numbers", None),
    (dict(method="im2col"), ValueError, "method must be one of", "method"),
]


@pytest.mark.parametrize(
    "kwargs, error, message, parameter", BAD_TRANSPOSED, ids=[str(row[0]) for row in BAD_TRANSPOSED]
)
def test_conv_transpose2d_rejects(kwargs, error, message, parameter):
    raises(error, message, parameter, lambda: dl.conv_transpose2d(X, W, **kwargs))


@pytest.mark.parametrize("method", dl.METHODS)
def test_every_method_checks_the_same_way(method):
    raises(ValueError, "padding", "padding", lambda: dl.conv_transpose2d(X, W, padding=-1, method=method))


BAD_ARRAYS = [
    (
        np.ones((4, 4, 2)),
        W,
        ValueError,
        "X must be 4-D (n, h, w, c_in) or a 2-D (h, w) image, got shape (4, 4, 2)",
        "X",
    ),
    (X, np.ones((3, 3)), ValueError, "W must be 4-D", "W"),
    (np.ones((4, 4)), W, ValueError, "W must be a 2-D (kh, kw) kernel", "W"),
    (X, np.ones((3, 3, 3, 1)), ValueError, "to match X's 2 channels", "W"),
    (np.ones((1, 0, 4, 2)), W, ValueError, "X must not be empty", "X"),
    (X, np.ones((0, 3, 2, 1)), ValueError, "W must not be empty", "W"),
    (np.array([["a"]]), np.ones((1, 1)), TypeError, "X must hold real numbers", None),
    (X, np.ones((3, 3, 2, 1), dtype=complex), TypeError, "W must hold real numbers", None),
]


@pytest.mark.parametrize("x, w, error, message, parameter", BAD_ARRAYS)
def test_conv_transpose2d_rejects_arrays(x, w, error, message, parameter):
    raises(error, message, parameter, lambda: dl.conv_transpose2d(x, w))


def test_matrix_method_refuses_huge_matrices():
    raises(
        ValueError,
        "method='matrix' would build",
        "method",
        lambda: dl.conv_transpose2d(np.ones((1, 16, 16, 16)), np.ones((3, 3, 16, 16)), method="matrix"),
    )


@pytest.mark.parametrize(
    "kwargs, message, parameter",
    [
        (dict(stride=0), "stride", "stride"),
        (dict(padding=-1), "padding", "padding"),
        (dict(dilation=3), "output would be empty", "input_size"),
        (dict(dilation=-1), "dilation", "dilation"),
        (dict(groups=2), "groups=2 must divide the output channels", "groups"),
        (dict(padding="half"), "padding", "padding"),
        (dict(bias=np.ones(3)), "bias must have shape (1,)", "bias"),
    ],
)
def test_conv2d_rejects(kwargs, message, parameter):
    w = np.ones((3, 3, 1, 3)) if "groups" in kwargs else WF
    raises(ValueError, message, parameter, lambda: dl.conv2d(np.ones((1, 4, 4, 2)), w, **kwargs))


@pytest.mark.parametrize(
    "args, kwargs, message, parameter",
    [
        ((0, 1), {}, "stride", "stride"),
        ((2.5, 1), {}, "stride", "stride"),
        ((2, -1), {}, "pad", "pad"),
        ((2, "valid"), {}, "pad must be an int, a tuple or 'same', got 'valid'", "pad"),
        ((2, (1, 1, 1)), {}, "pad", "pad"),
        ((1, 0), dict(dilation=-1), "dilation must be an integer >= 0, got -1", "dilation"),
        ((1, 5), {}, "empty output", "padding"),
    ],
)
def test_deconv2D_naive_rejects(args, kwargs, message, parameter):
    raises(ValueError, message, parameter, lambda: dl.deconv2D_naive(X, W, *args, **kwargs))


def test_deconv2D_naive_same_rejects_bad_shapes_by_name():
    raises(ValueError, "X must be 4-D", "X", lambda: dl.deconv2D_naive(np.ones((3, 3, 1)), W, 1, "same"))


@pytest.mark.parametrize(
    "call, message, parameter",
    [
        (lambda: dl.conv_output_size(2, 5), "output would be empty", "input_size"),
        (lambda: dl.conv_output_size(0, 3), "input size", "input_size"),
        (lambda: dl.conv_output_size(4, 3, padding=(1, 2, 3)), "padding", "padding"),
        (lambda: dl.conv_output_size(4, 3, stride=0), "stride", "stride"),
        (lambda: dl.conv_transpose_output_size(4, 3, padding=9), "empty output", "padding"),
        (lambda: dl.conv_transpose_output_size(4, 0), "kernel size", "kernel_size"),
        (lambda: dl.conv_transpose_output_size(4, 3, dilation=0), "dilation", "dilation"),
        (lambda: dl.conv_transpose_output_size(4, 3, stride=2, output_padding=2), "output_padding", "output_padding"),
        (lambda: dl.effective_kernel(3, dilation=0), "dilation", "dilation"),
        (lambda: dl.transpose_padding_for(4, 3, 100, stride=2), "target 100 is out of reach", "target"),
        (lambda: dl.transpose_padding_for(4, 4, 6, stride=1), "asymmetric padding (0, 1)", "target"),
        (lambda: dl.transpose_padding_for(4, 3, 0), "target", "target"),
        (lambda: dl.trace(np.ones((1, 3, 3, 1)), np.ones((3, 3, 1, 1))), "2-D (h, w) image", "X"),
        (lambda: dl.trace(np.ones((3, 3)), np.ones((3, 3, 1, 1))), "2-D (h, w) image", "W"),
        (lambda: dl.trace(np.ones((3, 3)), np.ones((3, 3)), padding=4), "empty output", "padding"),
        (lambda: dl.trace(np.ones((3, 3)), np.ones((3, 3))).step(25), "index must be in [0, 25)", "index"),
        (lambda: trace_conv(np.ones(3), np.ones((3, 3))), "trace_conv takes a 2-D", "X"),
        (lambda: scatter_trace(np.ones((2, 2)), np.ones(2)), "scatter_trace takes a 2-D", "W"),
        (lambda: scatter_trace(np.ones((2, 2)), np.ones((2, 2))).canvas(4), "upto", "upto"),
        (
            lambda: case_trace(False, 3, 3, output_padding=1),
            "transposed convolution only",
            "output_padding",
        ),
        (lambda: case_trace(True, 3, 3, values="all"), "values must be", "values"),
        (lambda: case_trace(True, 3, 3, values=(np.ones(2), np.ones(3))), "values must be", "values"),
        (lambda: case_trace(True, 0, 3), "input size", "input_size"),
        (lambda: dl.convolution_matrix((0, 3), np.ones((2, 2))), "input_size", "input_size"),
        (lambda: cases.find_case("nope"), "case must be one of", "name"),
        (lambda: cases.find_case("dilation_transposed").twin(), "already transposed", "transposed"),
        (lambda: cases.case_axes(False, 4, 3, 1, 0, 0, 0), "dilation", "dilation"),
        (
            lambda: cases.axis_output(False, i=4, k=3, s=1, before=0, after=0, a=1, d=1),
            "output_padding",
            "output_padding",
        ),
        (lambda: channels.group_connections(4, 3, groups=2), "groups=2 must divide both", "groups"),
        (lambda: channels.Layer(4, 3, groups=2).output_shape((1, 4, 4, 3)), "input channels", "groups"),
        (lambda: overlap.overlap_pattern(3, 0), "stride", "stride"),
        (lambda: overlap.upsample_nearest(np.ones(3), 2), "X must be 4-D", "X"),
        (lambda: overlap.upsample_nearest(np.ones((2, 2)), 0), "scale", "scale"),
    ],
)
def test_helpers_reject(call, message, parameter):
    raises(ValueError, message, parameter, call)


def test_explain_blames_the_parameter():
    from deconvlib.explain import explain, relationship

    raises(ValueError, "would leave an empty output", "padding", lambda: explain(True, 3, 10, padding=9))
    raises(ValueError, "output would be empty", "input_size", lambda: relationship(False, 2, 3))
    raises(ValueError, "kernel size", "kernel_size", lambda: explain(False, 4, 0))


def test_a_parameter_error_is_a_value_error_with_the_usual_message():
    error = dl.ParameterError("stride must be an integer >= 1, got 0", parameter="stride")
    assert isinstance(error, ValueError)
    assert str(error) == "stride must be an integer >= 1, got 0" and error.parameter == "stride"
    assert repr(error) == "ParameterError('stride must be an integer >= 1, got 0')"
    copy = pickle.loads(pickle.dumps(error))  # e.g. from a gallery worker process
    assert type(copy) is dl.ParameterError and copy.parameter == "stride" and str(copy) == str(error)


ANYTHING = st.one_of(
    st.integers(-3, 6),
    st.floats(-2, 4),
    st.just(float("nan")),
    st.none(),
    st.text(max_size=3),
    st.tuples(st.integers(-2, 5), st.integers(-2, 5)),
    st.tuples(*[st.integers(-2, 5)] * 4),
    st.lists(st.integers(-1, 4), max_size=5),
    st.sampled_from(["same", "valid", np.int64(2), np.float64(1.0), True]),
)
PARAMETERS = ("stride", "padding", "output_padding", "dilation", "groups", "input_size", "kernel_size", "X", "W")


@settings(max_examples=400, deadline=None)
@given(stride=ANYTHING, padding=ANYTHING, output_padding=ANYTHING, dilation=ANYTHING, groups=ANYTHING)
def test_any_parameters_give_a_result_or_a_named_error(stride, padding, output_padding, dilation, groups):
    """Fuzz: only ParameterError/TypeError escape, and a result always has the predicted shape."""
    names = ("stride", "padding", "output_padding", "dilation", "groups", "empty", "X", "W")
    try:
        out = dl.conv_transpose2d(
            np.ones((1, 3, 3, 2)),
            np.ones((2, 2, 2, 1)),
            stride=stride,
            padding=padding,
            output_padding=output_padding,
            dilation=dilation,
            groups=groups,
        )
    except ValueError as error:
        assert isinstance(error, dl.ParameterError), error
        assert error.parameter in PARAMETERS, error.parameter
        assert any(name in str(error) for name in names), error
    except TypeError as error:
        assert any(name in str(error) for name in names), error
    else:
        assert out.ndim == 4 and min(out.shape) >= 1
