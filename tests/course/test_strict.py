"""Strict mode: a checker raises on a wrong answer (for a grading tool's test cell), and only when asked."""

import inspect

import pytest

from deconvlib import course
from deconvlib.course import exercises


def test_a_wrong_answer_raises_an_assertion_error_with_its_hint_in_strict_mode():
    with pytest.raises(AssertionError) as raised:
        course.check_output_size(7, strict=True)
    assert str(raised.value) == str(course.check_output_size(7))
    assert "Hint: you left out output_padding" in str(raised.value)


def test_an_unanswered_function_exercise_raises_too():
    def conv_out(i, k, s, p, d):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="raised NotImplementedError"):
        course.check_conv_output_size(conv_out, strict=True)
    with pytest.raises(AssertionError, match="No answer yet"):
        course.check_conv_output_size(..., strict=True)


def test_a_right_answer_gives_its_verdict_in_strict_mode():
    verdict = course.check_output_size(8, strict=True)
    assert verdict and str(verdict).startswith("✓")
    assert course.check_torch_weight(lambda W: W.transpose(2, 3, 0, 1), strict=True)


def test_the_block_turns_strict_mode_on_and_restores_it():
    with course.strict():
        with pytest.raises(AssertionError):
            course.check_sweep_padding(1)
        assert not course.check_sweep_padding(1, strict=False)  # one call may opt out
    assert not course.check_sweep_padding(1)  # interactive use: a falsy verdict, no exception


def test_calling_strict_turns_it_on_until_turned_off():
    try:
        course.strict()
        with pytest.raises(AssertionError):
            course.check_layer_shape((8, 128, 14, 14), (8, 7, 7, 256), 3, 128, stride=2, padding=1, output_padding=1)
    finally:
        course.strict(False)
    assert not course.check_input_sizes({7})


@pytest.mark.parametrize("name", exercises.__all__)
def test_every_checker_takes_the_strict_keyword(name):
    checker = getattr(course, name)
    assert checker is getattr(exercises, name)
    assert inspect.signature(checker).parameters["strict"].default is None
    with pytest.raises(AssertionError, match="No answer yet"):
        args = {"check_layer_shape": ((8, 7, 7, 256), 3, 128), "check_padding_for": (10, 5, 30)}.get(name, ())
        checker(..., *args, strict=True)
