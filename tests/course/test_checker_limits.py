"""Issue 22 (items 8, 11, 20) and issue 20 (item 3): every answer gets its verdict in time, and says what it is.

A check runs in a forked child where the platform can fork (Linux), so one long
C call is stopped too; elsewhere in this process, by a SIGALRM timer, a worker
thread, or, with neither (Pyodide in JupyterLite), a trace function. Each path
is forced here by replacing ``checking._limiters``, the capability check.
"""

import os
import signal
import sys
import time
from contextlib import contextmanager

import numpy as np
import pytest

from deconvlib.course import checking, exercises
from deconvlib.course.checking import Verdict, check_function, check_value

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="the hang guard needs a CPU-time timer")

#: The checkers of a student's function, each called with a function of any arguments.
FUNCTION_CHECKERS = [
    "check_dilate",
    "check_conv_transpose",
    "check_transpose_output_size",
    "check_scatter",
    "check_uniform_overlap",
    "check_torch_weight",
    "check_overlap_1d",
    "check_conv_output_size",
    "check_max_pool",
]
FORK = "process" in checking._limiters()


class Hung(BaseException):
    """A check that was still running when the test gave up on it (a BaseException: no checker catches it)."""


@contextmanager
def hang_guard(seconds):
    """Fail, not hang, when the block spins for more than ``seconds`` of CPU time in this process.

    A CPU-time timer (SIGVTALRM), so the checker's own SIGALRM timer stays free.
    """

    def give_up(signum, frame):
        raise Hung(f"the check was still running after {seconds} s")

    previous = signal.signal(signal.SIGVTALRM, give_up)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


@pytest.fixture
def short_limits(monkeypatch):
    monkeypatch.setattr(checking, "TIME_LIMIT", 0.3)
    monkeypatch.setattr(checking, "GRACE", 0.3, raising=False)  # raising=False: the same test runs on main


@pytest.fixture(params=["process", "alarm", "thread", "trace"])
def limiter(request, monkeypatch):
    """Each way to stop a student's code, forced (where this platform has it)."""
    available = checking._limiters()
    keep = {"process": {"process", "alarm", "thread"}, "alarm": {"alarm", "thread"}, "thread": {"thread"}}
    wanted = frozenset(keep.get(request.param, set()))
    if not wanted <= available:
        pytest.skip(f"no {request.param} here")
    monkeypatch.setattr(checking, "_limiters", lambda: wanted)
    return request.param


class EndlessEquality:
    """An answer whose ``==`` and ``repr`` never return."""

    def __eq__(self, other):
        while True:
            pass

    def __repr__(self):
        while True:
            pass

    __hash__ = object.__hash__


# --- item 8: one long C call, and answers that never compare ------------------------------


@pytest.mark.skipif(not FORK, reason="a C call can only be stopped in a child process (Linux)")
@pytest.mark.parametrize("name", FUNCTION_CHECKERS)
def test_item_8_one_long_c_call_is_stopped(name, short_limits):
    # sum(range(10**9)) is one C call of ~10 s that holds the GIL: neither SIGALRM nor a thread can end it
    start = time.monotonic()
    with hang_guard(8):
        verdict = getattr(exercises, name)(lambda *args: sum(range(10**9)))
    assert time.monotonic() - start < 3
    assert not verdict and "took longer than 0.3 s, so it was stopped" in verdict.message
    assert "Hint" in verdict.message


@pytest.mark.parametrize("answer", [range(10**12), range(10**20), np.zeros(10**7), [7] * 10**6])
def test_item_8_a_huge_collection_of_sizes_is_refused_before_it_is_read(answer):
    with hang_guard(5):
        verdict = exercises.check_input_sizes(answer)
    assert not verdict and "sizes: only a few input sizes give one output size" in verdict.message


def test_item_8_an_answer_whose_equality_never_returns_gets_a_verdict(limiter, short_limits):
    with hang_guard(6):
        for check in (exercises.check_output_size, exercises.check_sweep_padding, exercises.check_layer_shape):
            arguments = ((16, 4, 4, 512), 4, 256) if check is exercises.check_layer_shape else ()
            verdict = check(EndlessEquality(), *arguments)
            assert not verdict and "could not be compared with the right one within 0.3 s" in verdict.message
        verdict = exercises.check_uniform_overlap(lambda k, s: EndlessEquality())
    assert not verdict and "uniform(1, 1) returned something that could not be compared" in verdict.message


@pytest.mark.skipif(not FORK, reason="a C call can only be stopped in a child process (Linux)")
def test_item_8_an_equality_stuck_in_c_gets_a_verdict(short_limits):
    class SlowEquality:
        def __eq__(self, other):
            return sum(range(10**9)) == 0

    with hang_guard(8):
        verdict = exercises.check_output_size(SlowEquality())
    assert not verdict and "could not be compared with the right one within 0.3 s" in verdict.message


def test_the_verdicts_students_see_for_right_answers_stay(limiter):
    right = "✓ Correct: the output size is 8. (2·(4 − 1) + 1·(3 − 1) + 1 − 2·1 + 1)"
    assert str(exercises.check_output_size(8)) == right
    assert str(exercises.check_uniform_overlap(lambda k, s: k % s == 0)) == (
        "✓ Correct on all 32 cases: the overlap is even exactly when the stride divides the kernel size."
    )
    verdict = exercises.check_transpose_output_size(lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - 2 * p)
    assert not verdict and "output_padding adds that many rows" in verdict.message


def test_a_slow_python_function_is_stopped_on_every_path(limiter, short_limits):
    def forever(k, s):
        while True:
            pass

    start = time.monotonic()
    with hang_guard(6):
        verdict = exercises.check_uniform_overlap(forever)
    assert not verdict and "uniform(1, 1) took longer than 0.3 s, so it was stopped" in verdict.message
    assert time.monotonic() - start < 3


# --- issue 20, item 3: in the browser, no thread and no signal ----------------------------


def test_issue_20_item_3_without_threads_or_signals_an_endless_function_gets_a_verdict_within_5_s(monkeypatch):
    # Pyodide: sys.platform is "emscripten", a thread cannot start, there is no SIGALRM
    monkeypatch.setattr(checking.sys, "platform", "emscripten")
    assert checking._limiters() == frozenset()
    monkeypatch.setattr(checking.threading.Thread, "start", lambda self: 1 / 0)
    monkeypatch.setattr(checking.os, "fork", lambda: 1 / 0)

    def forever(X, stride):
        while True:
            pass

    def dilate(X, stride):
        out = np.zeros((stride * (X.shape[0] - 1) + 1, stride * (X.shape[1] - 1) + 1))
        out[::stride, ::stride] = X
        return out

    start = time.monotonic()
    with hang_guard(10):
        verdict = exercises.check_dilate(forever)
        assert time.monotonic() - start < 5  # the default limit, 2 s
        assert not verdict and "took longer than 2 s, so it was stopped" in verdict.message
        assert "Hint" in verdict.message
        assert sys.gettrace() is None  # the deadline's trace function is gone
        assert exercises.check_dilate(dilate)
        verdict = exercises.check_output_size(EndlessEquality())
    assert not verdict and "could not be compared with the right one within 2 s" in verdict.message


def test_the_trace_deadline_leaves_a_debugger_s_trace_function_in_place(monkeypatch):
    monkeypatch.setattr(checking, "_limiters", frozenset)
    seen = []

    def debugger(frame, event, arg):
        seen.append(event)

    sys.settrace(debugger)
    try:
        assert check_function(lambda x: x + 1, lambda x: x + 1, [1, 2])
    finally:
        restored = sys.gettrace()
        sys.settrace(None)
    assert restored is debugger


# --- the child process ------------------------------------------------------------------------


@pytest.mark.skipif(not FORK, reason="no child process here")
def test_in_the_child_a_crash_prints_and_ctrl_c_reach_the_student(capfd):
    verdict = exercises.check_uniform_overlap(lambda k, s: os._exit(3))
    assert not verdict and "uniform(1, 1) never returned: the process running it exited (status 3)" in verdict.message
    verdict = exercises.check_uniform_overlap(lambda k, s: os.kill(os.getpid(), signal.SIGSEGV))
    assert not verdict and "crashed (SIGSEGV)" in verdict.message
    assert exercises.check_uniform_overlap(lambda k, s: print(f"k={k}, s={s}") or k % s == 0)
    assert "k=8, s=4" in capfd.readouterr().out  # what the student's function printed reaches the notebook

    def interrupted(k, s):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        exercises.check_uniform_overlap(interrupted)


@pytest.mark.skipif(not FORK, reason="no child process here")
def test_a_failure_found_before_a_case_that_never_returns_is_the_verdict(short_limits):
    def wrong_then_stuck(k, s):
        if (k, s) == (1, 1):
            return False  # wrong on the first case
        return sum(range(10**9)) == 0  # then stuck in C

    with hang_guard(8):
        verdict = exercises.check_uniform_overlap(wrong_then_stuck)
    assert not verdict and verdict.message.startswith("uniform(1, 1) returned False, expected True.")


# --- item 11: complex sizes -------------------------------------------------------------------


@pytest.mark.parametrize("check, answer", [("check_output_size", 8 + 0j), ("check_sweep_padding", np.complex128(2))])
def test_item_11_a_complex_size_is_not_right(check, answer):
    verdict = getattr(exercises, check)(answer)
    assert not verdict and "complex number" in verdict.message


@pytest.mark.parametrize(
    "check, right",
    [
        ("check_transpose_output_size", lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - 2 * p + op),
        ("check_conv_output_size", lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) // s + 1),
    ],
)
def test_item_11_a_function_returning_complex_sizes_is_not_right(check, right):
    assert getattr(exercises, check)(right)
    verdict = getattr(exercises, check)(lambda *args: complex(right(*args)))
    assert not verdict and "complex number" in verdict.message


def test_item_11_complex_numbers_still_compare_with_complex_numbers():
    assert check_value(1 + 2j, 1 + 2j) and not check_value(8 + 0j, 8) and not check_value(8, 8 + 0j)


# --- item 20: messages that do not contradict themselves -------------------------------------


def test_item_20_a_true_in_an_array_is_not_shown_as_a_plain_true():
    verdict = exercises.check_uniform_overlap(lambda k, s: np.array(k % s == 0))
    assert not verdict
    assert "returned array(True)" in verdict.message and "bool(" in verdict.message
    assert "returned True." not in verdict.message


def test_item_20_a_masked_array_of_sizes_is_told_it_has_hidden_entries():
    verdict = exercises.check_input_sizes(np.ma.array([7, 8], mask=[False, True]))
    assert not verdict and "None" not in verdict.message and "masked array" in verdict.message
    assert exercises.check_input_sizes(np.ma.array([7, 8]))  # nothing hidden: the sizes themselves


def test_a_verdict_crosses_from_the_child_as_it_was_made():
    verdict = exercises.check_padding_for((1, 1), 32, 3, 64, stride=2)
    assert isinstance(verdict, Verdict) and verdict.ok is True
    assert verdict.message == "Correct: padding 1, output_padding 1 gives 64 (o = 2·(32 − 1) + 3 − 2·1 + 1)."
