"""Checkers of notebooks 5-8: a right answer passes, each typical wrong one gets its own hint."""

import numpy as np
import pytest

from deconvlib.course.exercises import (
    check_layer_shape,
    check_padding_for,
    check_scatter,
    check_torch_weight,
    check_transpose_output_size,
    check_uniform_overlap,
)

# --- notebook 5: the output-size formula and the padding solver ---


def test_right_size_formula_passes():
    assert check_transpose_output_size(lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - 2 * p + op)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda i, k, s, p, op, d: s * i + d * (k - 1) + 1 - 2 * p + op, "i − 1 gaps"),
        (lambda i, k, s, p, op, d: s * (i - 1) + k - 2 * p + op, "dilated kernel covers"),
        (lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) - 2 * p + op, "the + 1 counts the first tap"),
        (lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - p + op, "AND p at the bottom"),
        (lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 + 2 * p + op, "crops the result"),
        (lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - 2 * p, "+ output_padding"),
        (lambda i, k, s, p, op, d: (i + 2 * p - d * (k - 1) - 1) // s + 1, "forward convolution's size"),
    ],
)
def test_typical_wrong_size_formulas_get_their_hint(wrong, hint):
    verdict = check_transpose_output_size(wrong)
    assert not verdict and hint in verdict.message and "returned" in verdict.message


def test_size_checker_handles_no_answer_crashes_and_unknown_mistakes():
    assert "No answer yet" in check_transpose_output_size(...).message
    crash = check_transpose_output_size(lambda i, k, s, p, op, d: 1 / 0)
    assert not crash and "ZeroDivisionError" in crash.message
    odd = check_transpose_output_size(lambda i, k, s, p, op, d: 42)
    assert not odd and "Hint: work this case by hand" in odd.message
    forgot_return = check_transpose_output_size(lambda i, k, s, p, op, d: None)
    assert "return" in forgot_return.message


def test_any_padding_pair_that_reaches_the_target_is_right():
    assert check_padding_for((1, 1), 32, 3, 64, stride=2)
    assert check_padding_for((1, 0), 4, 4, 8, stride=2)
    # stride 3, full size 3·2 + 3 = 9: both (1, 0) and (2, 2) reach 7
    assert check_padding_for((1, 0), 3, 3, 7, stride=3) and check_padding_for((2, 2), 3, 3, 7, stride=3)


def test_wrong_padding_pairs_say_what_they_give_and_why():
    short = check_padding_for((1, 0), 32, 3, 64, stride=2)
    assert not short and "gives 63" in short.message and "output_padding" in short.message
    many = check_padding_for((0, 0), 4, 4, 8, stride=2)
    assert not many and "too many" in many.message and "crops two rows" in many.message
    few = check_padding_for((3, 0), 4, 4, 8, stride=2)
    assert not few and "too few" in few.message
    illegal = check_padding_for((0, 2), 4, 4, 8, stride=2)
    assert not illegal and "smaller than stride or dilation" in illegal.message
    assert "pair" in check_padding_for(3, 4, 4, 8, stride=2).message
    assert "No answer" in check_padding_for(..., 4, 4, 8, stride=2).message


# --- notebook 6: the scatter view ---


def scatter(X, W, stride):
    (h, w), (kh, kw) = X.shape, W.shape
    out = np.zeros((stride * (h - 1) + kh, stride * (w - 1) + kw))
    for i in range(h):
        for j in range(w):
            out[i * stride : i * stride + kh, j * stride : j * stride + kw] += X[i, j] * W
    return out


def test_right_scatter_passes():
    assert check_scatter(scatter)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda X, W, s: scatter(X, W[::-1, ::-1], s), "flipped the kernel"),
        (lambda X, W, s: scatter(X, W, 1), "stride apart"),
    ],
)
def test_typical_scatter_slips_get_their_hint(wrong, hint):
    verdict = check_scatter(wrong)
    assert not verdict and hint in verdict.message


def test_overwriting_stamps_is_caught():
    def overwrite(X, W, stride):
        (h, w), (kh, kw) = X.shape, W.shape
        out = np.zeros((stride * (h - 1) + kh, stride * (w - 1) + kw))
        for i in range(h):
            for j in range(w):
                out[i * stride : i * stride + kh, j * stride : j * stride + kw] = X[i, j] * W
        return out

    verdict = check_scatter(overwrite)
    assert not verdict and "+=" in verdict.message


# --- notebook 7: when is the overlap even? ---


def test_right_uniformity_rule_passes():
    assert check_uniform_overlap(lambda k, s: k % s == 0)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda k, s: k >= s, "at least as large"),
        (lambda k, s: k > s, "bigger than the stride"),
        (lambda k, s: s % k == 0, "the other way round"),
        (lambda k, s: k % 2 == 0, "even kernel"),
        (lambda k, s: k == s, "every multiple"),
    ],
)
def test_typical_uniformity_rules_get_their_hint(wrong, hint):
    verdict = check_uniform_overlap(wrong)
    assert not verdict and hint in verdict.message


def test_uniformity_checker_wants_a_boolean():
    verdict = check_uniform_overlap(lambda k, s: k % s)
    assert not verdict and "True or False" in verdict.message
    assert "No answer" in check_uniform_overlap(...).message


# --- notebook 8: layouts and shapes ---


def test_right_torch_weight_layout_passes():
    assert check_torch_weight(lambda W: W.transpose(2, 3, 0, 1))
    assert check_torch_weight(lambda W: np.moveaxis(W, (0, 1), (2, 3)))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda W: W.transpose(3, 2, 0, 1), "nn.Conv2d's layout"),
        (lambda W: W.reshape(W.shape[2], W.shape[3], W.shape[0], W.shape[1]), "reshape only relabels"),
        (lambda W: W.transpose(2, 3, 1, 0), "swapped"),
        (lambda W: W, "the axes must move"),
    ],
)
def test_typical_layout_slips_get_their_hint(wrong, hint):
    verdict = check_torch_weight(wrong)
    assert not verdict and hint in verdict.message


def test_layer_shape_right_and_typical_wrong_answers():
    args = ((16, 4, 4, 512), 4, 256)
    kw = dict(stride=2, padding=1)
    assert check_layer_shape((16, 8, 8, 256), *args, **kw)
    assert check_layer_shape([16, 8, 8, 256], *args, **kw)
    for wrong, hint in [
        ((16, 256, 8, 8), "NCHW"),
        ((8, 8, 256), "batch axis"),
        ((16, 8, 8, 512), "c_in in, c_out out"),
        ((16, 2, 2, 256), "forward convolution's size"),
        ((16, 12, 12, 256), "crops"),
        ((16, 10, 10, 256), "subtract 2p"),
    ]:
        verdict = check_layer_shape(wrong, *args, **kw)
        assert not verdict and hint in verdict.message, (wrong, verdict.message)
    odd = check_layer_shape((16, 8, 8, 256), (16, 4, 4, 512), 3, 256, stride=2, padding=1)
    assert not odd and "'same' output" in odd.message


def test_scatter_messages_say_where_and_give_a_shape_hint():
    verdict = check_scatter(lambda X, W, s: X)
    assert not verdict and "shape" in verdict.message and "s·(h − 1) + kh" in verdict.message
    off_by_one = check_scatter(
        lambda X, W, s: scatter(X, W, s) + (np.arange(scatter(X, W, s).size) == 3).reshape(scatter(X, W, s).shape)
    )
    assert not off_by_one and "out[1, 0]" in off_by_one.message and "top-left corner" in off_by_one.message
    assert "ZeroDivisionError" in check_scatter(lambda X, W, s: 1 / 0).message
