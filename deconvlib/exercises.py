"""Automatic checks for the notebooks' exercises: right or wrong, and why.

A checker compares a student's answer with the library's and returns a
:class:`Verdict`, which is truthy when the answer is right and prints as one
clear line in a notebook (``✓ ...`` or ``✗ ...``). The generic helpers
:func:`check_value` and :func:`check_function` do the comparing; the
per-notebook checkers below them only choose the reference and the hints.

>>> check_value(7, 7)
✓ Correct: 7.
>>> v = check_value(6, 7, hints={6: "did you forget the + 1?"})
>>> bool(v), v.message
(False, 'Not quite: got 6. Hint: did you forget the + 1?')
"""
from dataclasses import dataclass

import numpy as np

__all__ = ["Verdict", "check_value", "check_function"]


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


def _same(answer, expected, rtol=1e-9, atol=1e-9):
    """Equal values: numbers and arrays within tolerance, shapes exactly, else ``==``."""
    if isinstance(expected, np.ndarray) or isinstance(answer, np.ndarray):
        a, e = np.asarray(answer), np.asarray(expected)
        return a.shape == e.shape and bool(np.allclose(a, e, rtol=rtol, atol=atol))
    if isinstance(expected, (tuple, list)) and isinstance(answer, (tuple, list)):
        return len(answer) == len(expected) and all(_same(a, e, rtol, atol) for a, e in zip(answer, expected))
    if isinstance(expected, (int, float, np.number)) and isinstance(answer, (int, float, np.number)):
        if isinstance(answer, (bool, np.bool_)):
            return False
        return bool(np.isclose(answer, expected, rtol=rtol, atol=atol))
    try:
        return bool(answer == expected)
    except (TypeError, ValueError):
        return False


def _short(value):
    """One-line text of a value for a message (arrays by shape when large)."""
    if isinstance(value, np.ndarray):
        if value.size > 16:
            return f"an array of shape {value.shape}"
        return np.array2string(value, separator=", ").replace("\n", "")
    return repr(value)


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
        Added to the message either way (the reasoning behind the answer).

    Returns
    -------
    Verdict

    >>> check_value((3, 3), (3, 3), what="the output shape")
    ✓ Correct: the output shape is (3, 3).
    >>> check_value(5, 7, hints=[(5, "add the kernel")], explain="o = s(i-1) + k")
    ✗ Not quite: got 5. Hint: add the kernel. (o = s(i-1) + k)
    """
    if answer is Ellipsis or answer is None:
        return Verdict(False, "No answer yet: replace the `...` with your answer.")
    tail = f" ({explain})" if explain else ""
    if _same(answer, expected):
        subject = f"{what} is " if what else ""
        return Verdict(True, f"Correct: {subject}{_short(expected)}.{tail}")
    pairs = list(hints.items()) if isinstance(hints, dict) else list(hints or [])
    hint = next((h for wrong, h in pairs if _same(answer, wrong)), None)
    subject = f"{what} " if what else ""
    message = f"Not quite: {subject}got {_short(answer)}."
    if hint:
        message += f" Hint: {hint}"
        if not hint.rstrip().endswith((".", "?", "!")):
            message += "."
    return Verdict(False, message + tail)


def _call_text(name, args, kwargs):
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def check_function(student_fn, reference_fn, cases, name=None, hint=None):
    """Run ``student_fn`` and ``reference_fn`` on every case; report the first mismatch.

    Parameters
    ----------
    student_fn, reference_fn : callable
    cases : iterable
        Each case is a tuple of positional arguments, a dict of keyword
        arguments, or a ``(args_tuple, kwargs_dict)`` pair.
    name : str, optional
        How to call the function in messages (default: its ``__name__``).
    hint : str, optional
        Added to the message on a mismatch.

    Returns
    -------
    Verdict
        Right when every case agrees; otherwise says which call differed, what
        it returned and what was expected (or which exception it raised).

    >>> def out_size(i, k, s): return s * (i - 1) + k
    >>> check_function(out_size, out_size, [(2, 3, 1), (4, 3, 2)])
    ✓ Correct on all 2 cases.
    >>> check_function(lambda i, k, s: s * i + k, out_size, [(2, 3, 1)], name="out_size")
    ✗ out_size(2, 3, 1) returned 5, expected 4.
    """
    if student_fn is Ellipsis or student_fn is None or not callable(student_fn):
        return Verdict(False, "No answer yet: define the function, then run this check again.")
    name = name or getattr(student_fn, "__name__", "your function")
    tail = f" Hint: {hint}" if hint else ""
    n = 0
    for case in cases:
        if isinstance(case, dict):
            args, kwargs = (), case
        elif isinstance(case, tuple) and len(case) == 2 and isinstance(case[0], tuple) and isinstance(case[1], dict):
            args, kwargs = case
        else:
            args, kwargs = (case if isinstance(case, tuple) else (case,)), {}
        expected = reference_fn(*args, **kwargs)
        call = _call_text(name, args, kwargs)
        try:
            got = student_fn(*args, **kwargs)
        except Exception as error:  # the student's code: report any failure as a verdict
            return Verdict(False, f"{call} raised {type(error).__name__}: {error}.{tail}")
        if got is None or got is Ellipsis:
            return Verdict(False, f"{call} returned {got!r}: did you forget `return`?")
        if not _same(got, expected):
            return Verdict(False, f"{call} returned {_short(got)}, expected {_short(expected)}.{tail}")
        n += 1
    return Verdict(True, f"Correct on all {n} cases.")


# --- Notebooks 1-4 ---


# --- Notebooks 5-8 ---
