"""The checkers of notebooks 0-9: every exercise names at least three typical wrong answers, each with its hint.

``WRONG_ANSWERS`` is that list, one row per wrong answer, with the words its
hint must contain; the checkers are called as the notebooks call them.
"""

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from solutions import SOLUTIONS  # tools/, on sys.path from conftest.py

import deconvlib as dl
from deconvlib.course.exercises import (
    check_contributions,
    check_conv_output_size,
    check_conv_transpose,
    check_dilate,
    check_input_sizes,
    check_layer_shape,
    check_max_pool,
    check_output_size,
    check_overlap_1d,
    check_padding_for,
    check_round_trip_sizes,
    check_scatter,
    check_sweep_padding,
    check_torch_weight,
    check_transpose_output_size,
    check_uniform_overlap,
)

#: Each exercise's checker, called with the notebook's arguments.
CHECKS = {
    "output_size": lambda a: check_output_size(a, size=4, kernel_size=3, stride=2, padding=1, output_padding=1),
    "dilate": check_dilate,
    "sweep_padding": lambda a: check_sweep_padding(a, kernel_size=4, padding=1, dilation=1),
    "input_sizes": lambda a: check_input_sizes(a, output=4, kernel_size=3, stride=3, padding=1),
    "conv_transpose": check_conv_transpose,
    "transpose_output_size": check_transpose_output_size,
    "padding_for": lambda a: check_padding_for(a, 10, 5, 30, stride=3),
    "contributions": check_contributions,
    "uniform_overlap": check_uniform_overlap,
    "torch_weight": check_torch_weight,
    "layer_shape": lambda a: check_layer_shape(
        a, (8, 7, 7, 256), kernel_size=3, c_out=128, stride=2, padding=1, output_padding=1
    ),
    "overlap_1d": check_overlap_1d,
    "round_trip_sizes": check_round_trip_sizes,
    # notebook 0: the forward convolution and pooling
    "conv_output_size": check_conv_output_size,
    "max_pool": check_max_pool,
}


def _dilated(X, stride, trailing=False, axes=(0, 1)):
    """Stage 1 as students write it, right or with zeros after the last pixel too (``trailing``)."""
    rows, cols = (stride if 0 in axes else 1), (stride if 1 in axes else 1)
    extra = stride - 1 if trailing else 0
    out = np.zeros(
        (rows * (X.shape[0] - 1) + 1 + extra * (0 in axes), cols * (X.shape[1] - 1) + 1 + extra * (1 in axes))
    )
    out[::rows, ::cols] = X
    return out


def _three_stages(X, W, stride, pad=None, flip=True, trailing=False, step=1):
    """The loop of notebook 4, with the slips a student makes: the padding, the flip, the trailing zeros,
    a sweep that moves ``step`` cells at a time (``stride`` again) instead of 1."""
    kh, kw = W.shape
    pad_rows, pad_cols = (kh - 1, kw - 1) if pad is None else pad(kh, kw)
    grid = np.pad(_dilated(X, stride, trailing), ((pad_rows, pad_rows), (pad_cols, pad_cols)))
    K = W[::-1, ::-1] if flip else W
    out = np.zeros(((grid.shape[0] - kh) // step + 1, (grid.shape[1] - kw) // step + 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.sum(grid[r * step : r * step + kh, c * step : c * step + kw] * K)
    return out


def _reaching(i, k, s, p, r, c, crop=None, flip=False, last=None):
    """Notebook 6's exercise as a student loops it, with the slips: the crop, the flip, a tap ``k``."""
    crop, last = (p if crop is None else crop), (k - 1 if last is None else last)
    pairs = set()
    for row in range(i):
        for col in range(i):
            a, b = r + crop - s * row, c + crop - s * col
            if 0 <= a <= last and 0 <= b <= last:
                pairs.add(((row, col), (k - 1 - a, k - 1 - b) if flip else (a, b)))
    return pairs


def _scatter(X, W, stride, flip=False, add=True):
    """The loop of notebook 6, with its slips: the kernel flipped, ``=`` for ``+=``."""
    (h, w), (kh, kw) = X.shape, W.shape
    out = np.zeros((stride * (h - 1) + kh, stride * (w - 1) + kw))
    K = W[::-1, ::-1] if flip else W
    for i in range(h):
        for j in range(w):
            block = (slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw))
            out[block] = out[block] + X[i, j] * K if add else X[i, j] * K
    return out


#: ``(exercise, wrong answer, words its hint must contain)``: at least three typical slips per exercise.
WRONG_ANSWERS = [
    # notebook 1: o = s·(i − 1) + d·(k − 1) + 1 − 2p + output_padding = 8
    ("output_size", 2, "forward convolution of 4"),
    ("output_size", 10, "s·(i − 1), not s·i"),
    ("output_size", 7, "left out output_padding"),
    ("output_size", 6, "two short"),
    ("output_size", 12, "padding is subtracted"),
    ("output_size", 9, "from both sides"),
    ("output_size", 8.5, "whole number"),
    ("output_size", "8", "8 rather than '8'"),
    # notebook 2
    ("dilate", lambda X, s: _dilated(X, s, trailing=True), "no zeros after the last pixel"),
    ("dilate", lambda X, s: _dilated(X, s + 1), "stride − 1 zeros, not stride"),
    ("dilate", lambda X, s: np.repeat(np.repeat(X, s, axis=0), s, axis=1), "repeats each pixel"),
    ("dilate", lambda X, s: _dilated(X, s, axes=(0,)), "between the rows only"),
    ("dilate", lambda X, s: np.zeros((s * X.shape[0] + 1, s * X.shape[1] + 1)), "s·(i − 1) + 1 cells"),
    # notebook 3
    ("sweep_padding", 1, "that is the forward padding p"),
    ("sweep_padding", 3, "the forward padding p comes off"),
    ("sweep_padding", 4, "subtracted, not added"),
    ("sweep_padding", 0, "reach the first pixel with its last tap"),
    ("input_sizes", {10}, "10 is one of them (output_padding 0)"),
    ("input_sizes", {11}, "11 is one of them (output_padding 1)"),
    ("input_sizes", {4}, "4 is the output"),
    ("input_sizes", {10, 11, 12, 13}, "13 gives 5, not 4"),
    ("input_sizes", {7, 8}, "7 gives 3, not 4"),
    ("input_sizes", {10.9, 11.2}, "is not a whole number"),
    ("input_sizes", "78", "text"),
    # notebook 4: dilate → pad kh − 1, kw − 1 → sweep the flipped kernel
    ("conv_transpose", lambda X, W, s: _three_stages(X, W, s, flip=False), "flip the kernel by 180°"),
    ("conv_transpose", lambda X, W, s: _three_stages(X, W, 1), "stage 1 is missing"),
    ("conv_transpose", lambda X, W, s: _three_stages(X, W, s, pad=lambda kh, kw: (0, 0)), "stage 2 is missing"),
    ("conv_transpose", lambda X, W, s: _three_stages(X, W, s, pad=lambda kh, kw: (kh, kw)), "not kh and kw"),
    ("conv_transpose", lambda X, W, s: _three_stages(X, W, s, pad=lambda kh, kw: (1, 1)), "1 too little on each"),
    ("conv_transpose", lambda X, W, s: _three_stages(X, W, s, trailing=True), "no zeros after the last pixel"),
    ("conv_transpose", lambda X, W, s: _three_stages(X, W, s, step=s), "stage 3's sweep is always stride 1"),
    # notebook 5
    ("transpose_output_size", lambda i, k, s, p, op, d: s * i + d * (k - 1) + 1 - 2 * p + op, "i − 1 gaps"),
    ("transpose_output_size", lambda i, k, s, p, op, d: s * i, "count the cells the stamps cover"),
    ("transpose_output_size", lambda i, k, s, p, op, d: s * (i - 1) + k - 2 * p + op, "dilated kernel covers"),
    ("transpose_output_size", lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) - 2 * p + op, "first tap"),
    ("transpose_output_size", lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - p + op, "AND p at the"),
    ("transpose_output_size", lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 + 2 * p + op, "crops the"),
    ("transpose_output_size", lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - 2 * p, "+ output_padding"),
    ("transpose_output_size", lambda i, k, s, p, op, d: (i + 2 * p - d * (k - 1) - 1) // s + 1, "forward"),
    ("padding_for", (0, 0), "crops two rows"),
    ("padding_for", (2, 0), "use less"),
    ("padding_for", (2, 1), "add the missing row with output_padding"),
    ("padding_for", (1, 3), "must stay below max(stride, dilation) = 3"),
    ("padding_for", ("1", 0), "without quotes"),
    ("padding_for", 1, "two whole numbers in round brackets"),
    # notebook 6: the stamps on output cell (r, c), each pixel's tap a = r + p − s·row
    ("contributions", lambda i, k, s, p, r, c: _reaching(i, k, s, p, r, c, crop=0), "canvas cell (r + p, c + p)"),
    ("contributions", lambda i, k, s, p, r, c: _reaching(i, k, s, p, r, c, crop=-p), "not (r − p, c − p)"),
    ("contributions", lambda i, k, s, p, r, c: _reaching(i, k, s, p, r, c, flip=True), "stamps W as it is"),
    ("contributions", lambda i, k, s, p, r, c: _reaching(i, k, 1, p, r, c), "the stamps are s cells apart"),
    ("contributions", lambda i, k, s, p, r, c: _reaching(i, k, s, p, r, c, last=k), "taps 0 … k − 1"),
    ("contributions", lambda i, k, s, p, r, c: sorted(_reaching(i, k, s, p, r, c)), "return a set"),
    ("contributions", lambda i, k, s, p, r, c: set(), "once padding has cropped the canvas"),
    # notebook 7
    ("uniform_overlap", lambda k, s: k >= s, "at least as large"),
    ("uniform_overlap", lambda k, s: k > s, "bigger than the stride"),
    ("uniform_overlap", lambda k, s: s % k == 0, "the other way round"),
    ("uniform_overlap", lambda k, s: k % 2 == 0, "even kernel"),
    ("uniform_overlap", lambda k, s: k == s, "every multiple"),
    ("uniform_overlap", lambda k, s: k % s, "True or False"),
    # notebook 8
    ("torch_weight", lambda W: W.transpose(3, 2, 0, 1), "nn.Conv2d's layout"),
    ("torch_weight", lambda W: W.reshape(W.shape[2], W.shape[3], W.shape[0], W.shape[1]), "reshape only relabels"),
    ("torch_weight", lambda W: W.transpose(2, 3, 1, 0), "kh and kw came out swapped"),
    ("torch_weight", lambda W: W, "the axes must move"),
    ("layer_shape", (8, 128, 14, 14), "NCHW"),
    ("layer_shape", (14, 14, 128), "keep the batch axis"),
    ("layer_shape", (8, 14, 14, 256), "c_in in, c_out out"),
    ("layer_shape", (8, 4, 4, 128), "forward convolution's size"),
    ("layer_shape", (8, 18, 18, 128), "padding crops a transposed convolution's result"),
    ("layer_shape", (8, 16, 16, 128), "crops p rows on each side"),
    ("layer_shape", (8, 13, 13, 128), "you left out output_padding"),
    ("layer_shape", {8, 14, 128}, "a set has no order"),
    # notebook 9: taps per cell in 1-D
    ("overlap_1d", lambda i, k, s, p: _counted(i, k, s, p, crop=False), "crops p cells from each end"),
    ("overlap_1d", lambda i, k, s, p: _counted(i, k, s, p, crop=False)[p:], "not only the start"),
    ("overlap_1d", lambda i, k, s, p: _counted(i, k, 1, p), "s cells apart"),
    ("overlap_1d", lambda i, k, s, p: _counted(i, k, s, p, add=False), "+="),
    ("overlap_1d", lambda i, k, s, p: _counted(i, k + 1, s, p)[: s * (i - 1) + k - 2 * p], "covers k cells"),
    ("overlap_1d", lambda i, k, s, p: [1, 2], "s·(i − 1) + k − 2p cells"),
    ("overlap_1d", lambda i, k, s, p: [k // s] * (s * (i - 1) + k - 2 * p), "far from the ends"),
    # notebook 10: the sizes a three-level U-Net gives back
    ("round_trip_sizes", {92, 96, 100, 104, 108}, "the last pooling"),
    ("round_trip_sizes", set(range(90, 111, 2)), "its half must be even too"),
    ("round_trip_sizes", {90, 96, 102, 108}, "the halvings multiply"),
    ("round_trip_sizes", set(range(90, 111)), "45 pools to 22"),
    ("round_trip_sizes", set(), "some sizes do come back"),
    ("round_trip_sizes", {"96", "104"}, "without quotes"),
    # forward convolution: o = ⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1
    ("conv_output_size", lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) / s + 1, "round the division down"),
    ("conv_output_size", lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) // s, "first position"),
    ("conv_output_size", lambda i, k, s, p, d: i // s, "divides the size only roughly"),
    ("conv_output_size", lambda i, k, s, p, d: (i + p - d * (k - 1) - 1) // s + 1, "both sides"),
    ("conv_output_size", lambda i, k, s, p, d: (i + 2 * p - k) // s + 1, "not k"),
    ("conv_output_size", lambda i, k, s, p, d: s * (i - 1) + d * (k - 1) + 1 - 2 * p, "transposed convolution's"),
    ("conv_output_size", lambda i, k, s, p, d: -(-(i + 2 * p - d * (k - 1) - 1) // s) + 1, "not up"),
    # pooling: max pooling by hand
    ("max_pool", lambda X, k, s, p: _pooled(X, k, s, p, fill=0.0), "not zeros"),
    ("max_pool", lambda X, k, s, p: _pooled(X, k, 1, p), "stride cells at a time"),
    ("max_pool", lambda X, k, s, p: _pooled(X, k, s, p, reduce=np.mean, fill=0.0), "average pooling"),
    ("max_pool", lambda X, k, s, p: _pooled(X, k, k, p), "need not equal the window"),
    ("max_pool", lambda X, k, s, p: X, "rows and"),
]


#: Per exercise, the stages or terms of the idea a hint can be about: a typical wrong answer's hint names one.
STAGE_WORDS = {
    "output_size": r"forward convolution|s·\(i − 1\)|output_padding|padding|k̂",
    "dilate": r"stage 1|zeros",
    "sweep_padding": r"padding|k̂ − 1 − p",
    "input_sizes": r"output_padding|forward|⌊",
    "conv_transpose": r"stage [123]",
    "transpose_output_size": r"s·\(i − 1\)|k̂|padding|output_padding|forward convolution|stamps",
    "padding_for": r"padding|output_padding",
    "contributions": r"stamp|canvas|crop|padding|tap|\(r \+ p",
    "uniform_overlap": r"stride|kernel",
    "torch_weight": r"layout|axes|\(kh, kw\)",
    "layer_shape": r"NCHW|batch axis|channels|forward convolution|padding|output_padding",
    "overlap_1d": r"padding|crop|stamp",
    "round_trip_sizes": r"pooling|floor|halv|level",
    "conv_output_size": r"window|padding|k̂|transposed convolution|⌊",
    "max_pool": r"pad|window|stride|mean|rows",
}
#: A slip in the answer's form (text, a set, a fraction) is about no stage: its hint says the form.
FORM_WORDS = r"whole number|text, in quotes|without quotes|round brackets|a set has no order|return a set|True or False"


def names_a_stage(exercise, hint):
    """True when ``hint`` names one of the exercise's stages or terms (:data:`STAGE_WORDS`) or the answer's form."""
    return bool(re.search(STAGE_WORDS[exercise], hint) or re.search(FORM_WORDS, hint))


@pytest.mark.parametrize(
    "exercise, wrong, words", WRONG_ANSWERS, ids=[f"{e}-{n}" for n, (e, _, _) in enumerate(WRONG_ANSWERS)]
)
def test_every_typical_wrong_answer_hint_names_the_stage_it_is_about(exercise, wrong, words):
    hint = CHECKS[exercise](wrong).message.split("Hint:")[-1]
    assert names_a_stage(exercise, hint), f"{exercise}: the hint names no stage of {STAGE_WORDS[exercise]!r}: {hint}"


def test_a_hint_that_blames_the_wrong_stage_is_caught():
    # issue 24: a stride-s sweep in notebook 4 was told stage 2's padding was short
    sweep = CHECKS["conv_transpose"](lambda X, W, s: _three_stages(X, W, s, step=s)).message
    assert "stage 3" in sweep and "padding" not in sweep.split("Hint:")[-1]
    assert not names_a_stage("conv_transpose", "pad by kh − 1 and kw − 1, not kh and kw")


def _counted(i, k, s, p, crop=True, add=True):
    """Taps per cell in 1-D as a student loops it, with the slips: no crop, ``=`` for ``+=``."""
    count = np.zeros(s * (i - 1) + k, dtype=int)
    for n in range(i):
        if add:
            count[n * s : n * s + k] += 1
        else:
            count[n * s : n * s + k] = 1
    return count[p : len(count) - p] if crop else count


def _pooled(X, k, stride, padding, reduce=np.max, fill=-np.inf):
    """Max pooling as a student loops it, with the slips: zero padding, the mean, another stride."""
    grid = np.pad(X, padding, constant_values=fill)
    rows, cols = (grid.shape[0] - k) // stride + 1, (grid.shape[1] - k) // stride + 1
    out = np.empty((rows, cols))
    for r in range(rows):
        for c in range(cols):
            out[r, c] = reduce(grid[r * stride : r * stride + k, c * stride : c * stride + k])
    return out


@pytest.mark.parametrize(
    "exercise, wrong, words", WRONG_ANSWERS, ids=[f"{e}-{n}" for n, (e, _, _) in enumerate(WRONG_ANSWERS)]
)
def test_a_typical_wrong_answer_gets_its_own_hint(exercise, wrong, words):
    verdict = CHECKS[exercise](wrong)
    assert not verdict, verdict
    assert "Hint:" in verdict.message and words in verdict.message.split("Hint:")[-1], verdict.message


def test_every_exercise_names_at_least_three_typical_wrong_answers_with_different_hints():
    assert set(CHECKS) == set(SOLUTIONS)
    counts = Counter(exercise for exercise, _, _ in WRONG_ANSWERS)
    assert {name: counts[name] for name in CHECKS if counts[name] < 3} == {}
    for name in CHECKS:
        hints = [CHECKS[name](wrong).message.split("Hint:")[-1] for e, wrong, _ in WRONG_ANSWERS if e == name]
        assert len(set(hints)) >= 3, (name, hints)


# --- notebook 5: the output-size formula and the padding solver ---


def test_right_size_formula_passes():
    assert check_transpose_output_size(lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - 2 * p + op)


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


def test_right_scatter_passes_and_its_slips_get_their_hints():
    # no exercise asks for the scatter loop since issue 24 (it was notebook 1's stamp() again); its checker stays
    assert check_scatter(scatter)
    assert "you flipped the kernel" in check_scatter(lambda X, W, s: _scatter(X, W, s, flip=True)).message
    assert "must add up (+=)" in check_scatter(lambda X, W, s: _scatter(X, W, s, add=False)).message
    assert "stride apart" in check_scatter(lambda X, W, s: dl.conv_transpose2d(X, W)).message


def test_the_contributions_are_what_the_library_adds_to_the_cell():
    """Probe conv_transpose2d with one-hot inputs and kernels: the pairs that reach (r, c) are the solution's."""
    for i, k, s, p, r, c in [(2, 3, 1, 0, 1, 1), (3, 3, 2, 1, 1, 2), (3, 2, 3, 0, 2, 2), (4, 5, 2, 2, 3, 3)]:
        reached = set()
        for row, col, a, b in np.ndindex(i, i, k, k):
            X, W = np.zeros((i, i)), np.zeros((k, k))
            X[row, col] = W[a, b] = 1
            if dl.conv_transpose2d(X, W, stride=s, padding=p)[r, c]:
                reached.add(((row, col), (a, b)))
        assert reached == _reaching(i, k, s, p, r, c)
    assert check_contributions(_reaching)


# --- notebook 7: when is the overlap even? ---


def test_right_uniformity_rule_passes():
    assert check_uniform_overlap(lambda k, s: k % s == 0)


def test_uniformity_checker_wants_a_boolean():
    verdict = check_uniform_overlap(lambda k, s: k % s)
    assert not verdict and "True or False" in verdict.message
    assert "No answer" in check_uniform_overlap(...).message


# --- notebook 8: layouts and shapes ---


def test_right_torch_weight_layout_passes():
    assert check_torch_weight(lambda W: W.transpose(2, 3, 0, 1))
    assert check_torch_weight(lambda W: np.moveaxis(W, (0, 1), (2, 3)))


def test_layer_shape_right_and_typical_wrong_answers():
    args = ((16, 4, 4, 512), 4, 256)
    kw = dict(stride=2, padding=1)
    assert check_layer_shape((16, 8, 8, 256), *args, **kw)
    assert check_layer_shape([16, 8, 8, 256], *args, **kw)
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


def test_the_no_answer_message_names_the_placeholder_the_notebook_shows():
    import json
    import re

    from teacher_edition import exercise_name

    root = Path(__file__).resolve().parents[2]
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            name = exercise_name(cell)
            if not name:
                continue
            source = "".join(cell["source"])
            shown = CHECKS[name](...) if re.search(r"^\w+ = \.\.\.", source, re.M) else None
            if shown is None:  # a function whose body returns the placeholder
                assert re.search(r"^    return \.\.\.", source, re.M), (path.name, source)
                namespace = {"np": np, "dl": dl}
                exec(source.split("\n\n\n")[0], namespace)
                shown = CHECKS[name](namespace[source.split("def ")[1].split("(")[0]])
                assert "replace the `...` that the function returns" in shown.message, shown
            else:
                assert shown.message.startswith("No answer yet: replace the `...` with"), shown
