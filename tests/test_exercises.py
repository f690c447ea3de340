"""The exercise checkers: right answers pass, wrong ones fail with a hint that says why."""
import numpy as np

from deconvlib.exercises import Verdict, check_function, check_value


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
