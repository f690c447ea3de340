"""Fuzzing the exercise checkers (hypothesis): any answer gets a verdict, and a wrong one never passes.

Every public checker of :mod:`deconvlib.course.exercises` is given arbitrary
answers — numbers (NaN, inf, huge), text, bytes, ``None``, ``...``, nested
lists, tuples, sets and dicts, numpy arrays of any dtype and shape — and
student functions that return such values, raise, run too long, change their
inputs, depend on how often they were called, or return the right result in
another dtype. The checker must return a :class:`Verdict` with a one-line
message (and a hint when wrong), and must call an answer right only when it is:
the oracle is the solution in ``tools/solutions.py`` (or, for the padding pair,
the size it gives).
"""

import math
import numbers
import types
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from solutions import SOLUTIONS  # tools/, on sys.path from conftest.py

import deconvlib as dl
from deconvlib.course import checking, exercises
from deconvlib.course.checking import Verdict

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: The checker of each exercise, called as its notebook calls it.
CHECKERS = {
    "output_size": lambda a: exercises.check_output_size(
        a, size=4, kernel_size=3, stride=2, padding=1, output_padding=1
    ),
    "dilate": exercises.check_dilate,
    "sweep_padding": lambda a: exercises.check_sweep_padding(a, kernel_size=4, padding=1, dilation=1),
    "input_sizes": lambda a: exercises.check_input_sizes(a, output=4, kernel_size=3, stride=3, padding=1),
    "conv_transpose": exercises.check_conv_transpose,
    "transpose_output_size": exercises.check_transpose_output_size,
    "padding_for": lambda a: exercises.check_padding_for(a, 10, 5, 30, stride=3),
    "contributions": exercises.check_contributions,
    "uniform_overlap": exercises.check_uniform_overlap,
    "torch_weight": exercises.check_torch_weight,
    "layer_shape": lambda a: exercises.check_layer_shape(
        a, (8, 7, 7, 256), kernel_size=3, c_out=128, stride=2, padding=1, output_padding=1
    ),
    "conv_output_size": exercises.check_conv_output_size,
    "max_pool": exercises.check_max_pool,
    "overlap_1d": exercises.check_overlap_1d,
    "round_trip_sizes": exercises.check_round_trip_sizes,
}
FUNCTIONS = [
    "dilate",
    "conv_transpose",
    "transpose_output_size",
    "contributions",
    "uniform_overlap",
    "torch_weight",
    "conv_output_size",
    "max_pool",
    "overlap_1d",
]
#: Exercises whose functions take numbers only: no array to mutate or retype.
SCALAR_FUNCTIONS = ("transpose_output_size", "contributions", "uniform_overlap", "conv_output_size", "overlap_1d")
VALUES = [name for name in CHECKERS if name not in FUNCTIONS]


def solution(name):
    """What the solution cell of ``name`` hands its checker: a value or a function."""
    handed = []
    # the notebooks' one import cell gives the cell ``np``, ``dl`` and ``course``; here ``course``
    # holds only the checker, which records the answer it is handed
    record = types.SimpleNamespace(**{f"check_{name}": lambda answer, *a, **k: handed.append(answer)})
    namespace = {"np": np, "dl": dl, "course": record, "print": lambda *a: None}
    exec(SOLUTIONS[name], namespace)
    return handed[0]


SOLVED = {name: solution(name) for name in CHECKERS}


def test_every_public_checker_is_fuzzed():
    # check_scatter (the scatter loop, notebook 1's stamp()) stays public; no exercise asks for it since
    # issue 24, and tests/course/test_exercises.py drives it
    assert {f"check_{name}" for name in CHECKERS} == set(exercises.__all__) - {"check_scatter"}


@contextmanager
def time_limit(seconds):
    """Checks limited to ``seconds`` a call, judged in this process.

    Not in a forked child: a fork costs ~10 ms, and the child's first steps
    (copying the pages it writes) can exceed such a short limit on a busy
    machine. The child runs the same judging code and passes back only the
    verdict's text, whatever the answer; tests/course/test_exercises.py tests it.
    """
    old, limiters = checking.TIME_LIMIT, checking._limiters
    checking.TIME_LIMIT = seconds
    checking._limiters = lambda: limiters() - {"process"}
    try:
        yield
    finally:
        checking.TIME_LIMIT, checking._limiters = old, limiters


def judged(name, answer):
    """The checker's verdict, checked for form: a Verdict with one line, and a hint when wrong."""
    # 0.25 s: a right answer watched by the shortcut profiler took over 0.05 s with both cores busy
    with time_limit(0.25):
        verdict = CHECKERS[name](answer)
    assert isinstance(verdict, Verdict), verdict
    assert isinstance(verdict.message, str) and verdict.message and "\n" not in verdict.message
    assert len(verdict.message) < 2000
    if not verdict:
        assert "Hint:" in verdict.message or verdict.message.startswith("No answer yet"), verdict.message
    assert isinstance(verdict._repr_markdown_(), str)
    return verdict


# --- arbitrary values -------------------------------------------------------------------------

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int8, np.uint8, np.bool_, np.complex128, "U3", "S2"]
OBJECTS = st.one_of(st.integers(), st.floats(), st.text(max_size=3), st.none(), st.booleans())


def arrays():
    shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)
    return st.one_of(
        st.sampled_from(DTYPES).flatmap(lambda dtype: hnp.arrays(dtype, shapes)),
        hnp.arrays(object, shapes, elements=OBJECTS),
    )


SCALARS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.floats(),  # with NaN, inf and the largest floats
    st.complex_numbers(),
    st.text(max_size=12),
    st.binary(max_size=6),
    st.booleans(),
    st.none(),
    st.just(...),
)
HASHABLE = st.recursive(SCALARS.filter(lambda x: not isinstance(x, float) or x == x), st.frozensets, max_leaves=6)
VALUES_ANY = st.recursive(
    st.one_of(SCALARS, arrays()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=5).map(tuple),
        st.sets(HASHABLE, max_size=5),
        st.dictionaries(HASHABLE, inner, max_size=3),
    ),
    max_leaves=10,
)

#: Near misses of the right values: the right number in other types, a hair off, as text.
NEAR = st.sampled_from(
    [8, 8.0, np.int64(8), np.float32(8), 8 + 1e-12, 8 - 1e-9, 7.999999999, "8", b"8", True, [8], (8,), np.array(8)]
    + [2, 2.0, np.uint8(2), 2.5, "2", np.array([2]), [7, 8], {7, 8}, (7, 8), {7.0, 8.0}, {7.5, 8}, {"7", "8"}]
    + [np.array([7, 8]), range(7, 9), {7, 8.0}, {True, 7, 8}, (1, 0), [1, 0], (2, 2), (1.0, 0), (1, 0.5)]
    + [{10, 11, 12}, range(10, 13), {10, 11.0, 12}, {96, 104}, [104, 96], {96.0, 104}, range(96, 105, 8)]
    + [np.array([1, 0]), (np.int64(1), 0), ("1", "0"), (1, 0, 0), (True, False), (-1, 0), (0, 2), (8, 14, 14, 128)]
    + [[8, 14, 14, 128], np.array([8, 14, 14, 128]), np.array([8.0, 14, 14, 128]), (8, 14, 14, 128.5)]
    + [(8, 14.000000001, 14, 128), ("8", 14, 14, 128), np.array(["8", "14", "14", "128"]), (8, 14, 14, 128, 1)]
)


def whole(x):
    """``x`` as an int if it is a whole number (not a bool, not text), else None."""
    if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iuf":
        x = x.item()
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        return None
    if isinstance(x, numbers.Integral):
        return int(x)
    return int(x) if math.isfinite(float(x)) and float(x).is_integer() else None


def items(x):
    """The elements of a collection answer, or None when it is not one."""
    if isinstance(x, np.ndarray):
        return x.tolist() if x.ndim == 1 else None
    return list(x) if isinstance(x, (list, tuple, set, frozenset, range)) else None


def right_value(name, answer):
    """The oracle: is ``answer`` a right answer of the value exercise ``name``?"""
    if name in ("output_size", "sweep_padding"):
        return (
            whole(answer) == SOLVED[name]
            and not isinstance(answer, np.ndarray)
            or (isinstance(answer, np.ndarray) and answer.shape == () and whole(answer) == SOLVED[name])
        )
    elements = items(answer)
    numbers_ = None if elements is None else [whole(e) for e in elements]
    if numbers_ is None or None in numbers_:
        return False
    if name in ("input_sizes", "round_trip_sizes"):
        return set(numbers_) == SOLVED[name] and not isinstance(answer, dict)
    if name == "layer_shape":
        return tuple(numbers_) == SOLVED[name]
    if name == "padding_for":
        if len(numbers_) != 2 or any(isinstance(e, (str, bytes)) for e in elements):
            return False
        p, op = numbers_
        if p < 0 or not 0 <= op < 3:
            return False
        return 3 * 9 + 5 - 2 * p + op == 30
    raise KeyError(name)


@pytest.mark.parametrize("name", VALUES)
@FUZZ
@given(answer=st.one_of(VALUES_ANY, NEAR))
def test_a_value_checker_gives_any_answer_a_verdict_and_only_a_right_one_passes(name, answer):
    verdict = judged(name, answer)
    assert bool(verdict) == right_value(name, answer), (answer, verdict)


def test_the_solutions_and_their_near_twins_pass():
    for name in VALUES:
        assert judged(name, SOLVED[name]), name
    assert judged("output_size", np.int64(8)) and judged("output_size", 8.0)
    assert judged("input_sizes", [12, 10, 11]) and judged("input_sizes", np.array([10, 11, 12]))
    assert judged("padding_for", (2, 2)) and judged("padding_for", [1, 0])
    assert judged("layer_shape", [8, 14, 14, 128])


# --- arbitrary functions ----------------------------------------------------------------------


def _arrays_in(args):
    return [a for a in args if isinstance(a, np.ndarray)]


@st.composite
def student_functions(draw, name):
    """``(function, right)``: a student function for exercise ``name``, and whether it is right (None: either)."""
    right_fn = SOLVED[name]
    family = draw(
        st.sampled_from(
            ["right", "constant", "raises", "stateful", "mutates", "off", "dtype", "slow", "input", "arity", "gen"]
        )
    )
    if family == "right":
        return right_fn, True
    if family == "constant":
        value = draw(st.one_of(VALUES_ANY, NEAR))
        return (lambda *args: value), False
    if family == "raises":
        error = draw(st.sampled_from([ValueError("x"), IndexError(), StopIteration(), SystemExit(1), RecursionError()]))

        def raises(*args):
            raise error

        return raises, False
    if family == "stateful":  # right on the first call only; a generator it relies on is then spent
        spent = iter([None])
        then = draw(st.sampled_from(["stop", "garbage"]))

        def stateful(*args):
            if next(spent, "done") == "done":
                if then == "stop":
                    raise StopIteration
                return np.zeros(3)
            return right_fn(*args)

        return stateful, False
    if family == "mutates" and name not in SCALAR_FUNCTIONS:
        before = draw(st.booleans())

        def mutates(*args):
            if before:
                _arrays_in(args)[0][...] = 7.5  # spoils the input, then computes from it
                return right_fn(*args)
            out = right_fn(*args)
            _arrays_in(args)[-1] *= -1  # the right result, but the caller's array is changed
            return out

        return mutates, False
    if family == "off":
        eps = draw(st.sampled_from([1e-3, -0.5, 1.0, 1e6, float("nan"), float("inf")]))

        def off(*args):
            out = right_fn(*args)
            if isinstance(out, (bool, np.bool_)):
                return not out
            if isinstance(out, np.ndarray):
                out = out.astype(float).copy()
                out.flat[0] += eps
                return out
            return out + 1

        return off, False
    if family == "dtype" and name not in SCALAR_FUNCTIONS:
        dtype = draw(st.sampled_from(["float32", "str", "complex", "bool", "object", "float16"]))
        right = {"float32": True, "str": False, "complex": False, "bool": False}.get(dtype)
        return (lambda *args: np.asarray(right_fn(*args)).astype(dtype)), right
    if family == "slow":
        import time

        def slow(*args):
            time.sleep(5)
            return right_fn(*args)

        return slow, False
    if family == "input":
        return (lambda *args: args[0]), False
    if family == "arity":
        return (lambda *args: right_fn(*args[:-1])), False
    if family == "gen":

        def gen(*args):
            yield right_fn(*args)

        return gen, False
    return right_fn, True


@pytest.mark.parametrize("name", FUNCTIONS)
@FUZZ
@given(data=st.data())
def test_a_function_checker_gives_any_function_a_verdict_and_only_a_right_one_passes(name, data):
    fn, right = data.draw(student_functions(name))
    verdict = judged(name, fn)
    if right is not None:
        assert bool(verdict) == right, verdict


@pytest.mark.parametrize("name", FUNCTIONS)
@FUZZ
@given(answer=st.one_of(VALUES_ANY, NEAR))
def test_a_function_checker_given_a_value_says_so(name, answer):
    assert not judged(name, answer)


@pytest.mark.parametrize("name", VALUES)
@FUZZ
@given(data=st.data())
def test_a_value_checker_given_a_function_says_so(name, data):
    fn, _ = data.draw(student_functions(FUNCTIONS[data.draw(st.integers(0, len(FUNCTIONS) - 1))]))
    assert not judged(name, fn)
