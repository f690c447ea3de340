"""Checking an answer: right or wrong, and why, in one line.

A check returns a :class:`Verdict`, which is truthy when the answer is right
and prints as one clear line in a notebook (``✓ ...`` or ``✗ ...``). There is
one way to check a value, :func:`check_value` (a wrong value gets the hint
for that value), and one way to check a function, :func:`check_function` (it
calls the student's function on every case, reports the first failure, and a
wrong function that agrees with a typical wrong version gets that version's
hint). The checkers of the exercises (:mod:`deconvlib.course.exercises`)
only choose the reference, the cases and the hints.

>>> check_value(7, 7)
✓ Correct: 7.
>>> v = check_value(6, 7, hints={6: "did you forget the + 1?"})
>>> bool(v), v.message
(False, 'Not quite: got 6. Hint: did you forget the + 1?')
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["Verdict", "check_value", "check_function"]

NO_VALUE = "No answer yet: replace the `...` with your answer."
NO_FUNCTION = "No answer yet: define the function, then run this check again."
NO_BODY = "No answer yet: replace the `...` that the function returns with your code, then run this check again."


@dataclass(frozen=True)
class Verdict:
    """The result of a check: ``ok`` (right or wrong) and a ``message`` saying why.

    Truthy when right, so ``assert check_...(answer)`` works in a notebook.
    """

    ok: bool
    message: str

    def __bool__(self):
        return bool(self.ok)

    def __str__(self):
        return ("✓ " if self.ok else "✗ ") + self.message

    def __repr__(self):
        return str(self)

    def _repr_markdown_(self):
        return ("**✓** " if self.ok else "**✗** ") + self.message


def same(answer, expected, rtol=1e-9, atol=1e-9):
    """Equal values: numbers and arrays within tolerance, shapes exactly, booleans as booleans, else ``==``.

    >>> same(0.1 + 0.2, 0.3), same((3, 4), [3, 4]), same(True, 1), same(np.zeros(2), np.zeros(3))
    (True, True, False, False)
    """
    if isinstance(expected, np.ndarray) or isinstance(answer, np.ndarray):
        a, e = np.asarray(answer), np.asarray(expected)
        return a.shape == e.shape and bool(np.allclose(a, e, rtol=rtol, atol=atol))
    if isinstance(expected, (tuple, list)) and isinstance(answer, (tuple, list)):
        return len(answer) == len(expected) and all(same(a, e, rtol, atol) for a, e in zip(answer, expected))
    booleans = (isinstance(answer, (bool, np.bool_)), isinstance(expected, (bool, np.bool_)))
    if any(booleans):  # True is not the number 1 here, nor 1 a yes
        return all(booleans) and bool(answer) == bool(expected)
    if isinstance(expected, (int, float, np.number)) and isinstance(answer, (int, float, np.number)):
        return bool(np.isclose(answer, expected, rtol=rtol, atol=atol))
    try:
        return bool(answer == expected)
    except (TypeError, ValueError):
        return False


def short(value):
    """One-line text of a value for a message: arrays by shape when large, numpy scalars as plain numbers.

    >>> short(np.eye(2)), short(np.zeros((5, 5))), short(np.int64(3)), short(np.True_)
    ('[[1., 0.], [0., 1.]]', 'an array of shape (5, 5)', '3', 'True')
    """
    if isinstance(value, np.ndarray):
        if value.size > 16:
            return f"an array of shape {value.shape}"
        return np.array2string(value, separator=", ").replace("\n", "")
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def first_difference(got, expected):
    """Where two arrays first differ, in words (for messages about arrays too large to print).

    >>> first_difference(np.zeros((2, 3)), np.zeros((3, 2)))
    'shape (2, 3), expected (3, 2)'
    >>> first_difference(np.eye(2), np.ones((2, 2)))
    'the right shape (2, 2) but out[0, 1] = 0, expected 1'
    """
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected {expected.shape}"
    index = tuple(int(i) for i in np.argwhere(~np.isclose(got, expected))[0])
    cell = ", ".join(map(str, index))
    return f"the right shape {got.shape} but out[{cell}] = {got[index]:g}, expected {expected[index]:g}"


def check_value(answer, expected, hints=None, what=None, explain=""):
    """Compare ``answer`` with ``expected``; on a miss, give the hint for that wrong value.

    Parameters
    ----------
    answer, expected : number, tuple, ndarray or any value with ``==``
        Numbers and arrays are compared within a small tolerance; arrays must
        have the same shape.
    hints : dict, optional
        ``{wrong_value: "what that wrong value suggests"}``. Use a list of
        ``(wrong_value, hint)`` pairs when the wrong values are unhashable.
    what : str, optional
        What is being checked, for the message ("the output size").
    explain : str, optional
        The reasoning behind the answer, added to the message when it is right
        (a wrong answer gets only its hint, not the solution).

    Returns
    -------
    Verdict

    >>> check_value((3, 3), (3, 3), what="the output shape", explain="one row per pixel")
    ✓ Correct: the output shape is (3, 3). (one row per pixel)
    >>> check_value(5, 7, hints=[(5, "add the kernel")], what="o", explain="o = s(i-1) + k")
    ✗ Not quite: o got 5. Hint: add the kernel.
    """
    if answer is Ellipsis or answer is None:
        return Verdict(False, NO_VALUE)
    if same(answer, expected):
        subject = f"{what} is " if what else ""
        tail = f" ({explain})" if explain else ""
        return Verdict(True, f"Correct: {subject}{short(expected)}.{tail}")
    pairs = list(hints.items()) if isinstance(hints, dict) else list(hints or [])
    hint = next((h for wrong, h in pairs if same(answer, wrong)), None)
    subject = f"{what} " if what else ""
    message = f"Not quite: {subject}got {short(answer)}."
    if hint:
        message += f" Hint: {hint}"
        if not hint.rstrip().endswith((".", "?", "!")):
            message += "."
    return Verdict(False, message)


def _arguments(case):
    """``(args, kwargs)`` of a case: a tuple of arguments, a dict of keywords, a pair of both, or one argument."""
    if isinstance(case, dict):
        return (), case
    if isinstance(case, tuple) and len(case) == 2 and isinstance(case[0], tuple) and isinstance(case[1], dict):
        return case
    return (case if isinstance(case, tuple) else (case,)), {}


def _call_text(name, args, kwargs):
    parts = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _matching_variant(student_fn, variants, calls):
    """The hint of the first wrong version that ``student_fn`` agrees with on every call."""
    for wrong_fn, hint in variants:
        try:
            if all(same(student_fn(*a, **k), wrong_fn(*a, **k)) for a, k in calls):
                return hint
        except Exception:  # the variant or the student's code does not apply here
            continue
    return None


def check_function(student_fn, reference_fn, cases, name=None, hint=None, variants=(), returns=None, describe=None):
    """Run ``student_fn`` and ``reference_fn`` on every case; report the first failure and diagnose it.

    Parameters
    ----------
    student_fn, reference_fn : callable
    cases : iterable
        Each case is a tuple of positional arguments, a dict of keyword
        arguments, or a ``(args_tuple, kwargs_dict)`` pair.
    name : str, optional
        How to call the function in messages (default: its ``__name__``).
    hint : str or callable, optional
        Added to the message of a failure that no variant explains. A callable
        ``hint(got, expected) → str or None`` is asked on a mismatch only.
    variants : sequence of ``(wrong_fn, hint)``, optional
        Typical wrong versions: on a mismatch, if the student's function
        agrees with ``wrong_fn`` on every case, that ``hint`` is given. Hints
        are added as they are (end them with a full stop if you want one).
    returns : callable, optional
        ``returns(got) → str or None``: what a result must be when it is not
        (``"return True or False"``), checked before comparing.
    describe : callable, optional
        ``describe(case_index, args) → str`` names the call in a mismatch
        message, which then says where the arrays first differ instead of
        printing them (for arrays too large to print).

    Returns
    -------
    Verdict
        Right when every case agrees; otherwise says which call differed, what
        it returned and what was expected (or which exception it raised). A
        function that still returns the notebook's placeholder ``...`` has no
        answer yet.

    >>> def out_size(i, k, s): return s * (i - 1) + k
    >>> check_function(out_size, out_size, [(2, 3, 1), (4, 3, 2)])
    ✓ Correct on all 2 cases.
    >>> check_function(lambda i, k, s: s * i + k, out_size, [(2, 3, 1)], name="out_size")
    ✗ out_size(2, 3, 1) returned 5, expected 4.
    >>> check_function(lambda i, k, s: s * i + k, out_size, [(2, 3, 1)], name="out_size",
    ...                variants=[(lambda i, k, s: s * i + k, "i pixels have i − 1 gaps.")])
    ✗ out_size(2, 3, 1) returned 5, expected 4. Hint: i pixels have i − 1 gaps.
    """
    if not callable(student_fn):
        return Verdict(False, NO_FUNCTION)
    name = name or getattr(student_fn, "__name__", "your function")
    calls = [_arguments(case) for case in cases]
    for n, (args, kwargs) in enumerate(calls):
        expected = reference_fn(*args, **kwargs)
        call = _call_text(name, args, kwargs)
        try:
            got = student_fn(*args, **kwargs)
        except Exception as error:  # the student's code: report any failure as a verdict
            tail = f" Hint: {hint}" if isinstance(hint, str) else ""
            return Verdict(False, f"{call} raised {type(error).__name__}: {error}.{tail}")
        if got is Ellipsis:  # the notebook's placeholder, `return ...`
            return Verdict(False, NO_BODY)
        if got is None:
            return Verdict(False, f"{call} returned None: did you forget `return`?")
        problem = returns(got) if returns else None
        if problem:
            return Verdict(False, f"{call} returned {short(got)}: {problem}.")
        if not same(got, expected):
            if describe is None:
                message = f"{call} returned {short(got)}, expected {short(expected)}."
            else:
                message = f"{describe(n, args)} returned {first_difference(got, expected)}."
            specific = _matching_variant(student_fn, variants, calls)
            if specific is None:
                specific = hint(got, expected) if callable(hint) else hint
            return Verdict(False, message + (f" Hint: {specific}" if specific else ""))
    return Verdict(True, f"Correct on all {len(calls)} cases.")
