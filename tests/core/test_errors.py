"""Every bad parameter raises ValueError (TypeError for a wrong type) naming it.

Never an IndexError or a numpy broadcasting error from inside, never a silent
wrong shape.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import deconvlib as dl

X = np.ones((1, 4, 4, 2))
W = np.ones((3, 3, 2, 1))  # transposed: (kh, kw, c_in, c_out // groups)
WF = np.ones((3, 3, 2, 1))  # forward: (kh, kw, c_in // groups, c_out)

BAD_TRANSPOSED = [
    (dict(stride=0), ValueError, "stride must be an integer >= 1, got 0"),
    (dict(stride=-2), ValueError, "stride"),
    (dict(stride=1.5), ValueError, "stride must be an integer >= 1, got 1.5"),
    (dict(stride="2"), TypeError, "stride"),
    (dict(stride=(1, 2, 3)), ValueError, "stride"),
    (dict(stride=None), TypeError, "stride"),
    (dict(dilation=0), ValueError, "dilation"),
    (dict(dilation=(1, 1.5)), ValueError, "dilation"),
    (dict(padding=-1), ValueError, "padding must be an integer >= 0, got -1"),
    (dict(padding=(1, -1)), ValueError, "padding"),
    (dict(padding=(1, 2, 3)), ValueError, "padding"),
    (dict(padding="full"), ValueError, "padding"),
    (dict(padding=(9, 9)), ValueError, "empty output"),
    (dict(padding=(0, 7, 0, 0)), ValueError, "empty output"),
    (dict(output_padding=-1), ValueError, "output_padding"),
    (dict(output_padding=1), ValueError, "output_padding must be smaller than stride or dilation"),
    (dict(stride=2, output_padding=2), ValueError, "output_padding=2 with stride=2, dilation=1"),
    (dict(stride=2, output_padding=(0, 3), dilation=3), ValueError, "output_padding=3"),
    (dict(padding="same", output_padding=1, stride=2), ValueError, "output_padding"),
    (dict(groups=0), ValueError, "groups"),
    (dict(groups=3), ValueError, "groups=3 must divide the input channels"),
    (dict(groups=1.0), ValueError, "groups"),
    (dict(bias=np.ones(2)), ValueError, "bias must have shape (1,)"),
    (dict(bias=np.ones((1, 1))), ValueError, "bias"),
    (dict(method="im2col"), ValueError, "method must be one of"),
]


@pytest.mark.parametrize("kwargs, error, message", BAD_TRANSPOSED, ids=[str(k) for k, _, _ in BAD_TRANSPOSED])
def test_conv_transpose2d_rejects(kwargs, error, message):
    with pytest.raises(error) as info:
        dl.conv_transpose2d(X, W, **kwargs)
    assert message in str(info.value)


BAD_ARRAYS = [
    (np.ones((4, 4, 2)), W, ValueError, "X must be 4-D (n, h, w, c_in) or a 2-D (h, w) image, got shape (4, 4, 2)"),
    (X, np.ones((3, 3)), ValueError, "W must be 4-D"),
    (np.ones((4, 4)), W, ValueError, "W must be a 2-D (kh, kw) kernel"),
    (X, np.ones((3, 3, 3, 1)), ValueError, "to match X's 2 channels"),
    (np.ones((1, 0, 4, 2)), W, ValueError, "X must not be empty"),
    (X, np.ones((0, 3, 2, 1)), ValueError, "W must not be empty"),
    (np.array([["a"]]), np.ones((1, 1)), TypeError, "X must hold real numbers"),
    (X, np.ones((3, 3, 2, 1), dtype=complex), TypeError, "W must hold real numbers"),
]


@pytest.mark.parametrize("x, w, error, message", BAD_ARRAYS)
def test_conv_transpose2d_rejects_arrays(x, w, error, message):
    with pytest.raises(error) as info:
        dl.conv_transpose2d(x, w)
    assert message in str(info.value)


def test_matrix_method_refuses_huge_matrices():
    with pytest.raises(ValueError, match="method='matrix' would build"):
        dl.conv_transpose2d(np.ones((1, 16, 16, 16)), np.ones((3, 3, 16, 16)), method="matrix")


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(stride=0), ValueError, "stride"),
        (dict(padding=-1), ValueError, "padding"),
        (dict(dilation=3), ValueError, "output would be empty"),
        (dict(dilation=-1), ValueError, "dilation"),
        (dict(groups=2), ValueError, "groups=2 must divide the output channels"),
        (dict(padding="half"), ValueError, "padding"),
    ],
)
def test_conv2d_rejects(kwargs, error, message):
    with pytest.raises(error) as info:
        dl.conv2d(np.ones((1, 4, 4, 2)), np.ones((3, 3, 1, 3)) if "groups" in kwargs else WF, **kwargs)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ((0, 1), {}, ValueError, "stride"),
        ((2.5, 1), {}, ValueError, "stride"),
        ((2, -1), {}, ValueError, "pad"),
        ((2, "valid"), {}, ValueError, "pad must be an int, a tuple or 'same', got 'valid'"),
        ((2, (1, 1, 1)), {}, ValueError, "pad"),
        ((1, 0), dict(dilation=-1), ValueError, "dilation must be an integer >= 0, got -1"),
        ((1, 5), {}, ValueError, "empty output"),
    ],
)
def test_deconv2D_naive_rejects(args, kwargs, error, message):
    with pytest.raises(error) as info:
        dl.deconv2D_naive(X, W, *args, **kwargs)
    assert message in str(info.value)


def test_deconv2D_naive_same_rejects_bad_shapes_by_name():
    with pytest.raises(ValueError, match="X must be 4-D"):
        dl.deconv2D_naive(np.ones((3, 3, 1)), W, 1, "same")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: dl.conv_output_size(2, 5), "output would be empty"),
        (lambda: dl.conv_output_size(0, 3), "input size"),
        (lambda: dl.conv_output_size(4, 3, padding=(1, 2, 3)), "padding"),
        (lambda: dl.conv_transpose_output_size(4, 3, padding=9), "empty output"),
        (lambda: dl.conv_transpose_output_size(4, 0), "kernel size"),
        (lambda: dl.conv_transpose_output_size(4, 3, stride=2, output_padding=2), "output_padding"),
        (lambda: dl.transpose_padding_for(4, 3, 100, stride=2), "target 100 is out of reach"),
        (lambda: dl.transpose_padding_for(4, 4, 6, stride=1), "asymmetric padding (0, 1)"),
        (lambda: dl.transpose_padding_for(4, 3, 0), "target"),
        (lambda: dl.trace(np.ones((1, 3, 3, 1)), np.ones((3, 3, 1, 1))), "2-D (h, w) image"),
        (lambda: dl.trace(np.ones((3, 3)), np.ones((3, 3)), padding=4), "empty output"),
        (lambda: dl.trace(np.ones((3, 3)), np.ones((3, 3))).step(25), "index must be in [0, 25)"),
        (lambda: dl.convolution_matrix((0, 3), np.ones((2, 2))), "input_size"),
    ],
)
def test_helpers_reject(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


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


@settings(max_examples=400, deadline=None)
@given(stride=ANYTHING, padding=ANYTHING, output_padding=ANYTHING, dilation=ANYTHING, groups=ANYTHING)
def test_any_parameters_give_a_result_or_a_named_error(stride, padding, output_padding, dilation, groups):
    """Fuzz: only ValueError/TypeError escape, and a result always has the predicted shape."""
    names = ("stride", "padding", "output_padding", "dilation", "groups", "empty", "X", "W")
    try:
        out = dl.conv_transpose2d(
            np.ones((1, 3, 3, 2)), np.ones((2, 2, 2, 1)), stride, padding, output_padding, dilation, groups
        )
    except (ValueError, TypeError) as error:
        assert any(name in str(error) for name in names), error
    else:
        assert out.ndim == 4 and min(out.shape) >= 1
