"""Per-student variants (deconvlib.course.variants): valid, non-trivial, known to the checker; copying does not pay."""

import pytest

from deconvlib import course
from deconvlib.course.variants import VARIED, right_answer, variant

SEEDS = [f"student-{n:03d}" for n in range(100)]


def test_the_course_exports_variant():
    assert course.variant is variant


def check(exercise, answer, numbers):
    return getattr(course, f"check_{exercise}")(answer, **numbers)


@pytest.mark.parametrize("exercise", VARIED)
def test_the_default_variant_is_the_notebooks_and_its_answer_passes(exercise):
    numbers = variant(exercise)
    assert check(exercise, right_answer(exercise, numbers), numbers)


@pytest.mark.parametrize("exercise", VARIED)
def test_100_seeds_give_valid_variants_whose_right_answer_passes_and_copying_the_default_fails(exercise):
    default = right_answer(exercise, variant(exercise))
    copied_passes, distinct = 0, set()
    for seed in SEEDS:
        numbers = variant(exercise, seed)
        assert numbers == variant(exercise, seed)  # the same numbers every time
        distinct.add(repr(sorted(numbers.items())))
        answer = right_answer(exercise, numbers)
        verdict = check(exercise, answer, numbers)
        assert verdict, f"{seed}: {numbers}: {verdict}"
        copied_passes += bool(check(exercise, default, numbers))
    assert copied_passes == 0, f"the default answer passes {copied_passes} of 100 variants"  # the issue asks ≤ 10
    assert len(distinct) >= 50


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_variants_are_not_trivial(seed):
    size = variant("output_size", seed)
    assert size["stride"] >= 2 and right_answer("output_size", size) > size["size"]  # it upsamples
    assert right_answer("sweep_padding", variant("sweep_padding", seed)) >= 1
    assert len(right_answer("input_sizes", variant("input_sizes", seed))) >= 2  # the stride's floor at work
    pad = variant("padding_for", seed)
    assert pad["target"] > pad["i"]
    assert check("padding_for", right_answer("padding_for", pad), pad)


def test_a_wrong_answer_to_a_variant_gets_its_hint():
    numbers = variant("output_size", "alice")
    wrong = right_answer("output_size", numbers) - numbers["output_padding"] if numbers["output_padding"] else None
    verdict = check("output_size", wrong if wrong is not None else -1, numbers)
    assert not verdict and "Hint: " in verdict.message


def test_an_unknown_exercise_is_named():
    with pytest.raises(ValueError, match="exercise must be one of output_size"):
        variant("dilate", "alice")
