"""The exercise checkers: right answers pass, wrong ones fail with a hint that says why."""

import numpy as np

from deconvlib.course.checking import Verdict, check_function, check_value


def test_verdict_is_truthy_when_right_and_prints_a_mark():
    assert Verdict(True, "fine") and not Verdict(False, "no")
    assert str(Verdict(True, "fine")) == "✓ fine"
    assert repr(Verdict(False, "no")) == "✗ no"
    assert Verdict(False, "no")._repr_markdown_().startswith("**✗**")


def test_check_value_numbers_tuples_arrays():
    assert check_value(7, 7)
    assert check_value(np.int64(7), 7)
    assert check_value(0.1 + 0.2, 0.3)
    assert check_value((3, 4), (3, 4))
    assert check_value(np.eye(2), np.eye(2))
    assert not check_value(np.eye(2), np.eye(3))
    assert not check_value(True, 1)
    assert not check_value((3, 4), (4, 3))


def test_check_value_gives_the_hint_for_that_wrong_value():
    v = check_value(6, 7, hints={6: "forgot the + 1", 5: "other"})
    assert not v and "forgot the + 1" in v.message and "other" not in v.message
    v = check_value(np.zeros(2), np.ones(2), hints=[(np.zeros(2), "all zeros?")])
    assert "all zeros?" in v.message
    assert "Hint" not in check_value(4, 7, hints={6: "x"}).message


def test_check_value_without_an_answer():
    assert "No answer yet" in check_value(..., 7).message
    assert "No answer yet" in check_value(None, 7).message


def test_check_function_reports_the_first_mismatch():
    ref = lambda i, s=1: s * (i - 1) + 1  # noqa: E731
    assert check_function(ref, ref, [(1,), (3,), {"i": 2, "s": 2}, ((2,), {"s": 3})])
    v = check_function(lambda i, s=1: s * i, ref, [(1,), ((2,), {"s": 3})], name="dilated_size")
    assert not v
    assert "dilated_size(2, s=3) returned 6, expected 4" in v.message


def test_check_function_reports_exceptions_and_missing_returns():
    ref = lambda i: i  # noqa: E731

    def broken(i):
        raise ZeroDivisionError("oops")

    def silent(i):
        i + 1

    assert "raised ZeroDivisionError: oops" in check_function(broken, ref, [(1,)]).message
    assert "forget `return`" in check_function(silent, ref, [(1,)]).message
    assert "No answer yet" in check_function(..., ref, [(1,)]).message


def test_check_function_diagnoses_a_mismatch_by_the_variant_it_matches():
    ref = lambda i, s=1: s * (i - 1) + 1  # noqa: E731
    cases = (c for c in [(1,), ((2,), {"s": 3})])  # any iterable, read once
    variants = [(lambda i, s=1: s * i + 1, "no."), (lambda i, s=1: s * i, "i − 1 gaps.")]
    v = check_function(lambda i, s=1: s * i, ref, cases, name="f", hint="generic", variants=variants)
    assert v.message == "f(2, s=3) returned 6, expected 4. Hint: i − 1 gaps."
    v = check_function(lambda i, s=1: 0, ref, [(1,), (2,)], name="f", hint="generic", variants=variants)
    assert v.message == "f(1) returned 0, expected 1. Hint: generic"


def test_check_function_can_ask_for_a_type_and_describe_large_arrays():
    def boolean(got):
        return None if isinstance(got, bool) else "return True or False"

    v = check_function(lambda k: k, lambda k: k > 0, [(1,)], name="positive", returns=boolean)
    assert v.message == "positive(1) returned 1: return True or False."
    ref = lambda n: np.eye(n)  # noqa: E731

    def shape_hint(got, expected):
        return "square, please." if got.shape != expected.shape else None

    describe = lambda k, args: f"eye on case {k + 1}"  # noqa: E731
    v = check_function(lambda n: np.ones((n, n + 1)), ref, [(5,)], hint=shape_hint, describe=describe)
    assert v.message == "eye on case 1 returned shape (5, 6), expected (5, 5). Hint: square, please."
    v = check_function(lambda n: 2 * np.eye(n), ref, [(5,)], hint=shape_hint, describe=describe)
    assert v.message == "eye on case 1 returned the right shape (5, 5) but out[0, 0] = 2, expected 1."


def test_messages_show_numpy_scalars_as_plain_values():
    assert check_value(np.int64(6), 7).message == "Not quite: got 6."
    v = check_function(lambda i: np.bool_(i > 1), lambda i: i > 0, [(1,)], name="f")
    assert v.message == "f(1) returned False, expected True."


# --- notebooks 1-4 -----------------------------------------------------------------

from deconvlib import conv_transpose2d  # noqa: E402
from deconvlib.course.exercises import (  # noqa: E402
    check_conv_transpose,
    check_dilate,
    check_input_sizes,
    check_output_size,
    check_sweep_padding,
)


def test_check_output_size_knows_the_usual_slips():
    assert check_output_size(8)
    slips = {2: "forward convolution", 7: "output_padding", 10: "s·(i − 1)", 12: "subtracted", 9: "both sides"}
    for wrong, words in slips.items():
        v = check_output_size(wrong)
        assert not v and words in v.message, (wrong, v.message)
        assert "2·(4 − 1)" not in v.message  # a wrong answer is not told the solution
    assert check_output_size(11, size=3, kernel_size=3, stride=2, padding=0, output_padding=0, dilation=3)
    assert (
        "d·(k − 1) + 1"
        in check_output_size(7, size=3, kernel_size=3, stride=2, padding=0, output_padding=0, dilation=3).message
    )


def test_check_dilate():
    import numpy as np

    def right(X, stride):
        out = np.zeros((stride * (X.shape[0] - 1) + 1, stride * (X.shape[1] - 1) + 1))
        out[::stride, ::stride] = X
        return out

    def trailing(X, stride):
        out = np.zeros((stride * X.shape[0], stride * X.shape[1]))
        out[::stride, ::stride] = X
        return out

    assert check_dilate(right)
    assert "s·(i − 1) + 1" in check_dilate(trailing).message
    assert "stride − 1 zeros, not stride" in check_dilate(lambda X, s: right(X, s + 1)).message
    assert "No answer yet" in check_dilate(...).message


def test_check_sweep_padding_and_input_sizes():
    assert check_sweep_padding(2) and check_sweep_padding(3, kernel_size=3, padding=1, dilation=2)
    assert "forward padding p" in check_sweep_padding(1).message
    assert "subtracted, not added" in check_sweep_padding(4).message
    assert check_input_sizes({7, 8}) and check_input_sizes([8, 7])
    v = check_input_sizes({7})
    assert not v and "floor" in v.message
    assert check_input_sizes({4, 5, 6}, output=2, kernel_size=3, stride=3, padding=1)
    assert "No answer yet" in check_input_sizes(...).message


def test_check_conv_transpose():
    assert check_conv_transpose(lambda X, W, s: conv_transpose2d(X, W, stride=s))
    v = check_conv_transpose(lambda X, W, s: conv_transpose2d(X, W[::-1, ::-1], stride=s))
    assert not v and "flip the kernel" in v.message
    v = check_conv_transpose(lambda X, W, s: conv_transpose2d(X, W, stride=1))
    assert not v and "stage 1 is missing" in v.message


def test_check_value_compares_booleans_as_booleans():
    assert check_value(True, True) and check_value(np.bool_(False), False)
    assert not check_value(False, True)
    assert not check_value(True, 1) and not check_value(1, True)


def test_a_function_that_returns_the_placeholder_has_no_answer_yet():
    def placeholder(X, stride):
        return ...

    for verdict in (check_dilate(placeholder), check_function(lambda i: ..., lambda i: i, [(1,)])):
        assert not verdict and verdict.message.startswith("No answer yet: replace the `...`")
