"""Per-student variants of the exercises answered with a value: each one's numbers drawn from a seed.

A student who copies a neighbour's number gets a ✗ when each has numbers of
their own. :func:`variant` draws them from a seed (a student id, any text or
number), always a valid, non-trivial case, and gives them as the keyword
arguments of the exercise's checker, so the checker knows the variant::

    numbers = course.variant("output_size", "alice")
    course.check_output_size(answer, **numbers)

``seed=None`` gives the notebook's own numbers (the student's edition).
:func:`right_answer` is the answer for a variant, computed by the library.
:func:`graded_student` names the student otter-grader is grading (from the
submission's file name), for the tests that recompute that student's numbers.
The exercises that ask for a function are checked on many cases already and
have no variants (docs/grading.md says why).

>>> variant("output_size")
{'size': 4, 'kernel_size': 3, 'stride': 2, 'padding': 1, 'output_padding': 1}
>>> numbers = variant("output_size", "alice")
>>> numbers == variant("output_size", "alice"), numbers == variant("output_size", "bob")
(True, False)
>>> right_answer("output_size", variant("output_size"))
8
"""

import hashlib
from pathlib import Path

import numpy as np

from ..arithmetic import conv_output_size, conv_transpose_output_size, effective_kernel

__all__ = ["VARIED", "variant", "right_answer", "graded_student"]

#: The notebooks' numbers: the checker's keyword arguments for each exercise answered with a value.
DEFAULTS = {
    "output_size": {"size": 4, "kernel_size": 3, "stride": 2, "padding": 1, "output_padding": 1},
    "sweep_padding": {"kernel_size": 4, "padding": 1, "dilation": 1},
    "input_sizes": {"output": 4, "kernel_size": 3, "stride": 3, "padding": 1},
    "padding_for": {"i": 10, "k": 5, "target": 30, "stride": 3},
    "layer_shape": {
        "input_shape": (8, 7, 7, 256),
        "kernel_size": 3,
        "c_out": 128,
        "stride": 2,
        "padding": 1,
        "output_padding": 1,
    },
}
#: The exercises that have variants.
VARIED = tuple(DEFAULTS)


def _rng(exercise, seed):
    """A generator for ``exercise`` and ``seed``: the same numbers on every machine, different per exercise."""
    digest = hashlib.sha256(f"{exercise}\0{seed!r}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def _output_size(rng):
    s, k, d = int(rng.integers(2, 4)), int(rng.integers(2, 6)), int(rng.choice([1, 1, 2]))
    p = int(rng.integers(0, effective_kernel(k, d) // 2 + 1))
    op = int(rng.integers(0, max(s, d)))
    return {"size": int(rng.integers(3, 9)), "kernel_size": k, "stride": s, "padding": p, "output_padding": op} | (
        {"dilation": d} if d != 1 else {}
    )


def _sweep_padding(rng):
    k, d = int(rng.integers(2, 8)), int(rng.choice([1, 1, 2, 3]))
    p = int(rng.integers(0, d * (k - 1)))  # at least one zero on each side
    return {"kernel_size": k, "padding": p, "dilation": d}


def _input_sizes(rng):
    s, k = int(rng.integers(2, 5)), int(rng.integers(2, 6))
    return {
        "output": int(rng.integers(3, 9)),
        "kernel_size": k,
        "stride": s,
        "padding": int(rng.integers(0, k // 2 + 1)),
    }


def _padding_for(rng):
    i, k, s = int(rng.integers(4, 17)), int(rng.integers(2, 8)), int(rng.integers(2, 5))
    p, op = int(rng.integers(0, k // 2 + 1)), int(rng.integers(0, s))
    return {"i": i, "k": k, "target": conv_transpose_output_size(i, k, s, p, op), "stride": s}


def _layer_shape(rng):
    k, s = int(rng.integers(2, 6)), int(rng.integers(1, 4))
    h = int(rng.integers(3, 17))
    return {
        "input_shape": (int(rng.integers(1, 33)), h, h, int(rng.choice([16, 32, 64, 128, 256, 512]))),
        "kernel_size": k,
        "c_out": int(rng.choice([8, 16, 32, 64, 128, 256])),
        "stride": s,
        "padding": int(rng.integers(0, k // 2 + 1)),
        "output_padding": int(rng.integers(0, s)),
    }


_DRAW = {
    "output_size": _output_size,
    "sweep_padding": _sweep_padding,
    "input_sizes": _input_sizes,
    "padding_for": _padding_for,
    "layer_shape": _layer_shape,
}


def variant(exercise, seed=None):
    """The numbers of ``exercise`` for ``seed`` (a student id): the checker's keyword arguments.

    Parameters
    ----------
    exercise : str
        One of :data:`VARIED` (``"output_size"``, ...).
    seed : str, int or None
        None gives the notebook's own numbers; anything else a variant drawn
        from it, the same on every machine, whose answer differs from the
        notebook's.

    Returns
    -------
    dict
        For ``course.check_<exercise>(answer, **numbers)``.
    """
    if exercise not in DEFAULTS:
        raise ValueError(f"exercise must be one of {', '.join(VARIED)}, got {exercise!r}")
    if seed is None:
        return dict(DEFAULTS[exercise])
    rng = _rng(exercise, seed)
    while True:  # a variant the notebook's answer would pass is drawn again: copying must not pay
        numbers = _DRAW[exercise](rng)
        if not _accepts(exercise, numbers, right_answer(exercise, DEFAULTS[exercise])):
            return numbers


def _accepts(exercise, numbers, answer):
    """Is ``answer`` right for ``numbers``? (For padding_for any pair that gives the target is.)"""
    if exercise == "padding_for":
        p, op = answer
        i, k, s, target = numbers["i"], numbers["k"], numbers["stride"], numbers["target"]
        return op < s and s * (i - 1) + k - 2 * p + op == target
    return answer == right_answer(exercise, numbers)


def right_answer(exercise, numbers):
    """The right answer to ``exercise`` with ``numbers`` (a :func:`variant`), computed by the library.

    >>> right_answer("input_sizes", variant("input_sizes"))
    {10, 11, 12}
    """
    n = dict(numbers)
    if exercise == "output_size":
        return conv_transpose_output_size(n.pop("size"), n.pop("kernel_size"), **n)
    if exercise == "sweep_padding":
        return n["dilation"] * (n["kernel_size"] - 1) - n["padding"]
    if exercise == "input_sizes":
        k, s, p, out = n["kernel_size"], n["stride"], n["padding"], n["output"]
        return {i for i in range(1, s * (out + 2) + k + 1) if i + 2 * p >= k and conv_output_size(i, k, s, p) == out}
    if exercise == "padding_for":
        i, k, s, target = n["i"], n["k"], n["stride"], n["target"]
        pairs = [
            (p, op)
            for p in range(k)
            for op in range(s)
            if s * (i - 1) + k - 2 * p + op == target  # dilation 1
        ]
        return pairs[0]
    if exercise == "layer_shape":
        batch, h, w, _ = n["input_shape"]
        k, s, p, op = n["kernel_size"], n["stride"], n["padding"], n["output_padding"]
        return (
            batch,
            conv_transpose_output_size(h, k, s, p, op),
            conv_transpose_output_size(w, k, s, p, op),
            n["c_out"],
        )
    raise ValueError(f"exercise must be one of {', '.join(VARIED)}, got {exercise!r}")


def graded_student(students, folder="."):
    """The student whose notebook is being graded in ``folder``: the name of its one notebook, ``<student>.ipynb``.

    otter-grader (``otter run``, ``otter grade``) grades each submission in a
    folder of its own, the kernel's working folder, under the file name it was
    handed in with, and tells the notebook nothing else about who handed it in.
    The teacher saves each hand-in as ``<student>.ipynb``, named after the
    student who handed it in (not after what the student called it), so the
    name is the one thing in the grading folder the student does not write.

    Parameters
    ----------
    students : sequence of str
        The students who have variants (the teacher's ``SEEDS``).
    folder : str or Path
        Where the submission is graded; the working folder by default.

    Returns
    -------
    str
        The student, one of ``students``.

    Raises
    ------
    AssertionError
        (a failed test, with its reason) When ``folder`` does not hold exactly
        one notebook, or the notebook is not named after one of ``students``.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "alice.ipynb").write_text("{}")
    ...     graded_student(["alice", "bob"], folder)
    'alice'
    """
    notebooks = sorted(path.name for path in Path(folder).glob("*.ipynb"))
    named = ", ".join(map(str, students))
    if len(notebooks) != 1:
        raise AssertionError(f"✗ the grading folder must hold one notebook, <student>.ipynb; it holds {notebooks}")
    student = notebooks[0].removesuffix(".ipynb")
    if student not in [str(name) for name in students]:
        raise AssertionError(
            f"✗ this submission is named {notebooks[0]}, and {student!r} is not one of the students ({named}): "
            "save each hand-in as <student>.ipynb, named after the student who handed it in"
        )
    return student
