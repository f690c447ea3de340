"""The exercise checkers: right answers pass, wrong ones fail with a hint that says why."""

import itertools
import time

import numpy as np
import pytest

from deconvlib import conv_transpose2d, dilate
from deconvlib.course import checking
from deconvlib.course.checking import Verdict, check_function, check_value, first_difference, same
from deconvlib.course.exercises import (
    check_conv_transpose,
    check_dilate,
    check_input_sizes,
    check_layer_shape,
    check_output_size,
    check_padding_for,
    check_scatter,
    check_sweep_padding,
    check_torch_weight,
    check_transpose_output_size,
    check_uniform_overlap,
)


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
    assert v.message == "positive(1) returned 1. Hint: return True or False."
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


def _three_stages(X, W, s):
    """Notebook 4's answer, without the library's transposed convolution: dilate, pad, sweep the flipped kernel."""
    kh, kw = W.shape
    grid = np.pad(dilate(X, (s, s), axes=(0, 1)), ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    windows = np.lib.stride_tricks.sliding_window_view(grid, W.shape)
    return np.einsum("ijkl,kl->ij", windows, W[::-1, ::-1])


def test_check_conv_transpose():
    assert check_conv_transpose(_three_stages)
    v = check_conv_transpose(lambda X, W, s: conv_transpose2d(X, W, stride=s))  # right, but the library's own
    assert not v and "calls dl.conv_transpose2d" in v.message
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


# --- issue 11, items 7-10: any answer gets a verdict, and a wrong one never passes ------------------


def scatter(X, W, stride):
    return _three_stages(X, W, stride)  # the same numbers, without the library's own transposed convolution


def test_item_7_a_float32_answer_is_judged_at_float32_tolerance():
    assert check_torch_weight(lambda W: W.transpose(2, 3, 0, 1).astype(np.float32))
    assert check_scatter(lambda X, W, s: scatter(X, W, s).astype(np.float32))
    rng = np.random.default_rng(0)
    X, W = rng.normal(size=(3, 3)), rng.normal(size=(3, 3))
    assert check_function(
        lambda: conv_transpose2d(X.astype(np.float32), W.astype(np.float32)), lambda: conv_transpose2d(X, W), [()]
    )
    # a float64 answer off by 1e-7 is wrong, and the message says where (it raised IndexError)
    v = check_torch_weight(lambda W: W.transpose(2, 3, 0, 1) + 1e-7)
    assert not v and "out[0, 0, 0, 0]" in v.message
    v = check_scatter(lambda X, W, s: scatter(X, W, s) + 1e-7)
    assert not v and "out[0, 0]" in v.message
    # one comparison: where `same` says no, first_difference finds the cell
    a = np.float32(1.0) + np.zeros((2, 2), np.float32)
    assert same(a, np.ones((2, 2))) and not same(a + 1e-3, np.ones((2, 2)))
    assert "out[0, 0]" in first_difference(a + 1e-3, np.ones((2, 2)))


ODD_ARRAYS = {
    "text": lambda shape: np.full(shape, "a"),
    "numbers as text": lambda shape: np.full(shape, "1"),
    "objects": lambda shape: np.full(shape, None, dtype=object),
    "complex": lambda shape: np.ones(shape, dtype=complex),
    "nan": lambda shape: np.full(shape, np.nan),
}


@pytest.mark.parametrize("kind", list(ODD_ARRAYS))
def test_item_8_text_object_and_complex_arrays_of_the_right_shape_get_a_verdict(kind):
    make = ODD_ARRAYS[kind]
    verdicts = [
        check_dilate(lambda X, s: make((s * (X.shape[0] - 1) + 1, s * (X.shape[1] - 1) + 1))),
        check_conv_transpose(lambda X, W, s: make(scatter(X, W, s).shape)),
        check_scatter(lambda X, W, s: make(scatter(X, W, s).shape)),
        check_torch_weight(lambda W: make(W.transpose(2, 3, 0, 1).shape)),
        check_layer_shape(make(4), (16, 4, 4, 512), 4, 256, stride=2, padding=1),
        check_value(make(2), np.zeros(2)),
    ]
    for verdict in verdicts:
        assert isinstance(verdict, Verdict) and not verdict and "Hint" in verdict.message, verdict


def shared_counter():
    """A count that the calls in a forked child add to as well (a check runs in one where it can)."""
    from multiprocessing.sharedctypes import RawValue

    return RawValue("i", 0)


def test_item_9_a_student_function_is_called_once_per_case_inside_the_error_handling():
    calls = shared_counter()

    def counted(X, W, s):
        calls.value += 1
        return scatter(X, W[::-1, ::-1], s)

    verdict = check_scatter(counted)
    assert not verdict and "flipped the kernel" in verdict.message
    assert calls.value == 4  # four cases, each called once

    state = itertools.count()

    def stateful(X, W, s):  # right once, then the iterator it relies on is spent
        if next(state) >= 1:
            raise StopIteration
        return scatter(X, W, s)

    verdict = check_scatter(stateful)
    assert not verdict and "StopIteration" in verdict.message and "Hint" in verdict.message


@pytest.mark.parametrize("answer", ["abc", [np.nan, 8], {"a"}, [None], 7.5, {7: 1, 8: 1}, b"78", {(7, 8)}])
def test_item_9_input_sizes_of_any_kind_get_a_verdict(answer):
    verdict = check_input_sizes(answer)
    assert isinstance(verdict, Verdict) and not verdict and "Hint" in verdict.message


@pytest.mark.parametrize("answer", [10**400, -(10**400), float("inf"), float("nan"), 1e308, 8 + 1e-12, 8.5])
def test_item_9_huge_and_non_finite_sizes_get_a_verdict(answer):
    for check in (check_output_size, check_sweep_padding):
        verdict = check(answer)
        assert isinstance(verdict, Verdict) and not verdict and "Hint" in verdict.message


def test_item_9_a_slow_function_is_stopped_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(checking, "TIME_LIMIT", 0.3)

    def forever(i, k, s, p, op, d):
        while True:
            pass

    start = time.monotonic()
    verdict = check_transpose_output_size(forever)
    assert time.monotonic() - start < 15  # a hang guard: unstopped, the function never returns (or sleeps 30 s)
    assert not verdict and "took longer than 0.3 s" in verdict.message and "Hint" in verdict.message

    def sleepy(k, s):
        time.sleep(30)

    start = time.monotonic()
    assert "took longer than" in check_uniform_overlap(sleepy).message
    assert time.monotonic() - start < 15  # a hang guard: unstopped, the function never returns (or sleeps 30 s)


def test_item_10_a_function_that_changes_its_input_is_not_right():
    def zero_in_place(W):
        W[...] = 0
        return W.transpose(2, 3, 0, 1)

    verdict = check_torch_weight(zero_in_place)
    assert not verdict and "in place" in verdict.message

    def right_but_spoils_the_input(X, W, s):
        out = scatter(X, W, s)
        X *= 0
        return out

    verdict = check_scatter(right_but_spoils_the_input)
    assert not verdict and "in place" in verdict.message


@pytest.mark.parametrize("answer", [{7.9, 8.2}, "78", ["7", "8"], {"7", "8"}, (7.0001, 8), {True, 8}])
def test_item_10_sizes_that_are_not_whole_numbers_are_never_right(answer):
    verdict = check_input_sizes(answer)
    assert not verdict and "Hint" in verdict.message


def test_a_padding_pair_in_text_says_it_is_text():
    verdict = check_padding_for(("1", 0), 10, 5, 30, stride=3)
    assert not verdict and "'1'" in verdict.message and "quotes" in verdict.message


def test_a_function_that_swallows_the_time_limit_is_stopped_all_the_same(monkeypatch):
    monkeypatch.setattr(checking, "TIME_LIMIT", 0.2)

    def stubborn(k, s):
        while True:
            try:
                while True:
                    pass
            except BaseException:  # a bare `except:` in a loop
                pass

    start = time.monotonic()
    assert "took longer than 0.2 s" in check_uniform_overlap(stubborn).message
    assert time.monotonic() - start < 15  # a hang guard: unstopped, the function never returns (or sleeps 30 s)


def test_outside_the_main_thread_a_slow_function_is_stopped_in_its_own_thread(monkeypatch):
    import threading

    monkeypatch.setattr(checking, "TIME_LIMIT", 0.2)

    def forever(k, s):
        while True:
            pass

    verdicts = []
    caller = threading.Thread(target=lambda: verdicts.append(check_uniform_overlap(forever)))
    caller.start()
    caller.join(5)
    assert "took longer than 0.2 s" in verdicts[0].message
    time.sleep(0.3)
    assert not [t for t in threading.enumerate() if t.name == "deconvlib-check"]  # nothing left running


def test_ctrl_c_still_stops_a_check():
    def interrupted(k, s):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check_uniform_overlap(interrupted)


def test_the_student_gets_copies_and_the_reference_is_computed_first():
    seen = []

    def keeps_and_spoils(W):
        seen.append(W)
        out = W.transpose(2, 3, 0, 1).copy()
        W[...] = 0
        return out

    verdict = check_torch_weight(keeps_and_spoils)
    assert not verdict and "changed its argument W in place" in verdict.message and "W.copy()" in verdict.message
    verdict = check_function(lambda x: x.append(1) or len(x), len, [([1, 2],)], name="f")
    assert not verdict and "changed its argument x in place" in verdict.message


def test_a_verdict_shown_as_markdown_escapes_what_markdown_would_swallow():
    v = check_value((x for x in []), 8)
    assert "&lt;generator object" in v._repr_markdown_() and "Hint: that is a generator" in v.message
    assert Verdict(False, "output_padding and `a*b`, not a*b")._repr_markdown_() == (
        "**✗** output_padding and `a*b`, not a\\*b"
    )


def test_whatever_a_value_is_its_message_is_one_short_line():
    class Hostile:
        def __repr__(self):
            raise RuntimeError("no repr")

        def __eq__(self, other):
            raise RuntimeError("no ==")

    for answer in (Hostile(), 10**5000, "x" * 10_000, np.zeros((100, 100)), {1: [2, {3}]}, b"\x00", 1j):
        for check in (check_output_size, check_sweep_padding, check_input_sizes):
            verdict = check(answer)
            assert not verdict and len(verdict.message) < 500 and "\n" not in verdict.message


def test_a_slow_wrong_function_is_not_called_on_every_case(monkeypatch):
    monkeypatch.setattr(checking, "TIME_LIMIT", 0.5)
    calls = shared_counter()

    def slow_and_wrong(k, s):
        calls.value += 1
        time.sleep(0.2)
        return k % s != 0  # wrong from the first case on

    assert not check_uniform_overlap(slow_and_wrong)
    assert calls.value < 8  # of 32 cases


def test_in_the_browser_a_student_function_runs_without_threads_or_timers(monkeypatch):
    # Pyodide (JupyterLite) can start no thread and has no SIGALRM: the check must still give verdicts.
    import threading

    import deconvlib.course.checking as checking

    monkeypatch.setattr(checking.sys, "platform", "emscripten")

    def no_thread(*args, **kwargs):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_thread)
    monkeypatch.setattr(checking.signal, "setitimer", no_thread, raising=False)
    assert check_function(lambda x: x + 1, lambda x: x + 1, [1, 2])
    verdict = check_function(lambda x: 1 / 0, lambda x: x, [1])
    assert not verdict and "ZeroDivisionError" in verdict.message
