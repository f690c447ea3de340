"""Checking an answer: right or wrong, and why, in one line.

A check returns a :class:`Verdict`, which is truthy when the answer is right
and prints as one clear line in a notebook (``✓ ...`` or ``✗ ...``). There is
one way to check a value, :func:`check_value` (a wrong value gets the hint
for that value), and one way to check a function, :func:`check_function` (it
calls the student's function once on every case, reports the first failure,
and a wrong function that agrees with a typical wrong version gets that
version's hint). The checkers of the exercises
(:mod:`deconvlib.course.exercises`) only choose the reference, the cases and
the hints.

Whatever a student hands in — any type, shape or dtype, ``None``, NaN, a
function that raises, loops forever or changes its inputs, an answer whose
``==`` never returns — gets a verdict, never a traceback from the checker.
Every step that runs the student's code (the call, the comparison, the
message) has a time limit (:data:`TIME_LIMIT`): on Linux the whole check runs
in a forked process that is killed when a step overruns, so even one long C
call ends (:func:`_supervised`); elsewhere a timer signal, a thread, or in the
browser a trace function stops Python code (:func:`_run`). In the forked
process, what the student's function prints reaches the notebook, but what it
changes (a global list, say) does not come back. Two values are compared in one way,
:func:`same`: numbers and arrays within the tolerance of the coarser dtype
(:func:`tolerance`), whole numbers exactly, text and objects never as numbers.

>>> check_value(7, 7)
✓ Correct: 7.
>>> v = check_value(6, 7, hints={6: "did you forget the + 1?"})
>>> bool(v), v.message
(False, 'Not quite: got 6. Hint: did you forget the + 1?')
"""

import copy
import ctypes
import functools
import inspect
import numbers
import os
import pickle
import re
import select
import signal
import sys
import threading
import time
import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["Verdict", "check_value", "check_function", "guarded", "strict", "gradable"]

NO_VALUE = "No answer yet: replace the `...` with your answer."
NO_FUNCTION = "No answer yet: define the function, then run this check again."
NO_BODY = "No answer yet: replace the `...` that the function returns with your code, then run this check again."

#: Seconds a student's function may run on one case before it is stopped.
TIME_LIMIT = 2.0
#: Seconds it may run on all the cases of one check together.
TOTAL_TIME_LIMIT = 10.0


@dataclass(frozen=True)
class Verdict:
    """The result of a check: ``ok`` (right or wrong) and a ``message`` saying why.

    Truthy when right, so ``assert check_...(answer)`` works in a notebook.
    Printed (``print(verdict)``) it is one line of plain text; displayed as a
    cell's value, Jupyter renders it as Markdown, which wraps at words.

    >>> Verdict(False, "got <generator object f>, a *generator*")._repr_markdown_()
    '**✗** got &lt;generator object f&gt;, a \\\\*generator\\\\*'
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
        return ("**✓** " if self.ok else "**✗** ") + _markdown(self.message)


def _markdown(text):
    """``text`` with the characters Markdown would swallow escaped, outside `code` spans (which stay code)."""
    parts = re.split(r"(`[^`\n]+`)", text)
    for n in range(0, len(parts), 2):  # the even parts are outside code spans
        part = parts[n].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        part = re.sub(r"([\\*$~])", r"\\\1", part)
        parts[n] = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", part)  # not the _ inside output_padding
    return "".join(parts)


# --- one comparison -------------------------------------------------------------------------


def tolerance(dtype):
    """The relative tolerance of a comparison in ``dtype``: exact for integers and booleans, else by precision.

    >>> tolerance(np.float64), tolerance(np.float32), tolerance(np.float16), tolerance(np.int64)
    (1e-09, 1e-05, 0.002, 0.0)
    """
    dtype = np.dtype(dtype)
    if dtype.kind in "biu":
        return 0.0
    return {2: 2e-3, 4: 1e-5}.get(dtype.itemsize, 1e-9)


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def _is_real(value):
    """A real number that is not a boolean (True is not the number 1 here)."""
    return isinstance(value, numbers.Real) and not _is_bool(value)


def _is_complex(value):
    """A complex number, even one whose imaginary part is 0 (``8 + 0j``)."""
    return isinstance(value, (complex, np.complexfloating))


def _real_array(value):
    """``value`` as an array of real numbers (or booleans), or None when it is text, complex, objects or ragged."""
    if isinstance(value, (str, bytes)) or value is None or value is Ellipsis or callable(value):
        return None
    try:
        array = np.asarray(value)
        if array.dtype.kind in "biuf":
            return array
        if array.dtype.kind == "O" and array.size <= 10**6 and all(_is_real(x) for x in array.flat):
            return array.astype(float)  # numbers kept as Python objects; a huge int overflows → None
    except Exception:  # ragged lists, huge ints, objects whose __array__ raises: not an array of numbers
        return None
    return None


def _agree(answer, expected):
    """Cell by cell, do two arrays of numbers of one shape agree? Exact where ``expected`` holds whole numbers."""
    if (answer.dtype.kind == "b") != (expected.dtype.kind == "b"):
        return np.zeros(expected.shape, dtype=bool)
    with np.errstate(all="ignore"):
        if expected.dtype.kind in "biu":
            return np.asarray(answer == expected)
        tol = max(tolerance(answer.dtype), tolerance(expected.dtype))
        finite = np.abs(expected[np.isfinite(expected)])
        scale = max(1.0, float(finite.max())) if finite.size else 1.0
        return np.isclose(answer, expected, rtol=tol, atol=tol * scale)


def same(answer, expected):
    """Equal values: numbers and arrays within the coarser dtype's tolerance, whole numbers exactly, else ``==``.

    A float32 answer is compared at float32's tolerance. Booleans are not
    numbers, nor text: ``'8'`` is not ``8``. Never raises.

    >>> same(0.1 + 0.2, 0.3), same((3, 4), [3, 4]), same(True, 1), same(np.zeros(2), np.zeros(3))
    (True, True, False, False)
    >>> same(np.float32(1 / 3), 1 / 3), same(1 / 3, 0.3333), same(8 + 1e-12, 8), same("8", 8)
    (True, False, False, False)
    >>> same(8 + 0j, 8), same(np.complex128(8), 8), same(8 + 0j, 8 + 0j)
    (False, False, True)
    """
    try:
        return bool(_same(answer, expected))
    except Exception:  # whatever the answer is, a comparison gives an answer
        return False


def _same(answer, expected):
    if _is_bool(answer) or _is_bool(expected):
        return _is_bool(answer) and _is_bool(expected) and bool(answer) == bool(expected)
    if isinstance(answer, np.ndarray) or isinstance(expected, np.ndarray):
        a, e = _real_array(answer), _real_array(expected)
        return a is not None and e is not None and a.shape == e.shape and bool(_agree(a, e).all())
    if isinstance(answer, (tuple, list)) and isinstance(expected, (tuple, list)):
        return len(answer) == len(expected) and all(_same(a, e) for a, e in zip(answer, expected))
    if _is_complex(answer) or _is_complex(expected):  # 8 + 0j is no size, and == would say it is 8
        return _is_complex(answer) and _is_complex(expected) and answer == expected
    if _is_real(answer) and _is_real(expected):
        if isinstance(answer, numbers.Integral) and isinstance(expected, numbers.Integral):
            return int(answer) == int(expected)  # exact, however large
        a, e = _real_array(answer), _real_array(expected)
        return a is not None and e is not None and bool(_agree(a, e))
    if isinstance(answer, (str, bytes)) != isinstance(expected, (str, bytes)):
        return False
    result = answer == expected
    return isinstance(result, (bool, np.bool_)) and bool(result)


def first_difference(got, expected):
    """Where two arrays first differ, in words, by the comparison :func:`same` makes.

    >>> first_difference(np.zeros((2, 3)), np.zeros((3, 2)))
    'shape (2, 3), expected (3, 2)'
    >>> first_difference(np.eye(2), np.ones((2, 2)))
    'the right shape (2, 2) but out[0, 1] = 0, expected 1'
    >>> first_difference(np.full((2, 2), "1"), np.ones((2, 2)))
    'an array of text (dtype <U1), expected numbers of shape (2, 2)'
    """
    a, e = _real_array(got), _real_array(expected)
    if e is None:
        return f"{short(got)}, expected {short(expected)}"
    if a is None:
        return f"{kind(got)}, expected numbers of shape {e.shape}"
    if a.shape != e.shape:
        return f"shape {a.shape}, expected {e.shape}"
    wrong = np.argwhere(~_agree(a, e))
    if not len(wrong):
        return f"the right shape {a.shape}"
    index = tuple(int(i) for i in wrong[0])
    cell = ", ".join(map(str, index))
    return f"the right shape {a.shape} but out[{cell}] = {_number(a[index])}, expected {_number(e[index])}"


def _number(x):
    return str(bool(x)) if _is_bool(x) else f"{x:g}"


# --- words for values -----------------------------------------------------------------------


def short(value, limit=160):
    """One-line text of a value for a message: arrays by shape when large, numpy scalars as plain numbers.

    Never raises, and never longer than ``limit`` characters.

    >>> short(np.eye(2)), short(np.zeros((5, 5))), short(np.int64(3)), short(np.True_)
    ('[[1., 0.], [0., 1.]]', 'an array of shape (5, 5)', '3', 'True')
    >>> short(10**400), short("x" * 500)[-3:], short(np.array(True)), short([0] * 10**6)
    ('a whole number with 401 digits', 'xx…', 'array(True)', 'a list of 1000000 items')
    """
    try:
        if isinstance(value, numbers.Integral) and not _is_bool(value) and abs(int(value)) >= 10**30:
            digits = len(str(abs(int(value)))) if int(value).bit_length() < 10_000 else "thousands of"
            return f"a whole number with {digits} digits"
        if isinstance(value, (list, tuple, set, frozenset, dict)) and len(value) > 100:
            text = f"a {type(value).__name__} of {len(value)} items"  # not a repr that takes seconds
        elif isinstance(value, np.ndarray) and value.ndim == 0 and not np.ma.isMaskedArray(value):
            text = f"array({short(value.item())})"  # not the bare value: a 0-d array is not a number
        elif isinstance(value, np.ndarray):
            if value.size > 16:
                text = f"an array of shape {value.shape}"
            else:
                with warnings.catch_warnings():  # numpy warns while it prints a masked array's --
                    warnings.simplefilter("ignore")
                    text = np.array2string(value, separator=", ").replace("\n", "")
        elif isinstance(value, np.generic):
            text = repr(value.item())
        else:
            text = repr(value)
    except Exception:  # a student's object whose repr fails
        text = f"a {type(value).__name__}"
    text = text.replace("\n", " ") if not isinstance(value, np.ndarray) else text.replace("\n", "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


_DTYPE_WORDS = {"U": "text", "S": "bytes", "O": "objects", "c": "complex numbers", "b": "True/False values"}


def kind(value):
    """What kind of thing ``value`` is, in words ("text (a str)", "an array of text (dtype <U1)").

    >>> kind("8"), kind(np.ones(2, dtype=complex)), kind(None)
    ('text (a str)', 'an array of complex numbers (dtype complex128)', 'None')
    """
    if isinstance(value, np.ndarray):
        words = _DTYPE_WORDS.get(value.dtype.kind, "numbers")
        return f"an array of {words} (dtype {value.dtype})"
    if isinstance(value, str):
        return "text (a str)"
    if value is None:
        return "None"
    return f"a {type(value).__name__}"


def kind_hint(answer, expected):
    """A hint when ``answer`` is the wrong *kind* of thing for ``expected`` (text for a number, ...), else None.

    >>> kind_hint("8", 8)
    "that is text, in quotes: write the number itself, 8 rather than '8'"
    >>> kind_hint(8.5, 8)
    'a size counts cells, so it is a whole number; 8.5 is not'
    >>> kind_hint(np.ones(2, dtype=object), np.ones(2)) is None, kind_hint(7, 8) is None
    (True, True)
    """
    try:
        return _kind_hint(answer, expected)
    except Exception:
        return None


def shape_hint(wrong_shape, wrong_values):
    """A ``hint`` for :func:`check_function`: one text for a result of the wrong shape, another for wrong values.

    Parameters
    ----------
    wrong_shape, wrong_values : str
        What to say when ``np.shape(got)`` differs from the expected shape,
        and when the shape is right but the values are not.

    Returns
    -------
    callable
        ``hint(got, expected) → str``.

    Examples
    --------
    >>> hint = shape_hint("count the cells again.", "look at each value.")
    >>> hint(np.ones(3), np.ones(4)), hint(np.ones(4), np.zeros(4))
    ('count the cells again.', 'look at each value.')
    """

    def hint(got, expected):
        return wrong_shape if np.shape(got) != np.shape(expected) else wrong_values

    return hint


def _kind_hint(answer, expected):
    if inspect.isgenerator(answer):
        return "that is a generator: use `return` to hand back the result, not `yield`"
    if callable(answer) and not callable(expected):
        return "that is a function, not its result: give the value itself"
    if isinstance(answer, (str, bytes)) and not isinstance(expected, (str, bytes)):
        text = answer.decode(errors="replace") if isinstance(answer, bytes) else answer
        if len(text) > 20 or not text.isprintable():
            return "that is text, in quotes: write the number itself, without quotes"
        return f"that is text, in quotes: write the number itself, {text} rather than {short(answer)}"
    if isinstance(expected, (tuple, list)) and isinstance(answer, (set, frozenset)):
        return "a set has no order: write a tuple, in round brackets"
    if isinstance(expected, (tuple, list)) and isinstance(answer, (tuple, list)) and len(answer) == len(expected):
        return next((_kind_hint(a, e) for a, e in zip(answer, expected) if _kind_hint(a, e)), None)
    if isinstance(expected, numbers.Integral) and not _is_bool(expected):
        if isinstance(answer, complex) or isinstance(answer, np.complexfloating):
            return "that is a complex number: a size is a whole number"
        if _is_real(answer) and not isinstance(answer, numbers.Integral):
            number = float(answer)
            if number != number or number in (float("inf"), float("-inf")):
                return f"{short(answer)} is not a number of cells: a size is a whole number"
            if not number.is_integer():
                return f"a size counts cells, so it is a whole number; {short(answer)} is not"
        if isinstance(answer, numbers.Integral) and not _is_bool(answer) and abs(int(answer)) > 10**6:
            return "far too large: work it out for these small sizes, term by term"
        if _is_bool(answer):
            return "True and False are not sizes: give a number"
    if isinstance(expected, np.ndarray):
        if isinstance(answer, np.ndarray):
            if _real_array(answer) is None:
                return f"the result is {kind(answer)}: build it from numbers, e.g. starting from np.zeros(shape)"
            if answer.dtype.kind == "b":
                return "the result holds True/False values: compute numbers"
            if answer.shape == expected.shape and answer.dtype.kind == "f" and np.isnan(answer).any():
                return "the result contains NaN (not a number): is a cell never written, or taken from np.empty?"
        elif _real_array(answer) is None:
            return f"return a numpy array of numbers, not {kind(answer)}"
    return None


# --- checking a value -----------------------------------------------------------------------


def guarded(checker):
    """``checker`` (a check of a value) with a time limit: an answer whose ``==`` or ``repr`` never returns gets a ✗.

    The whole check runs as :func:`check_function` runs a student's function
    (:func:`_supervised`): at most :data:`TIME_LIMIT` seconds, in a process of
    its own where the platform can fork, so even a comparison stuck in C ends.

    >>> @guarded
    ... def check_eight(answer):
    ...     return check_value(answer, 8)
    >>> class Endless:
    ...     def __eq__(self, other):
    ...         while True:
    ...             pass
    >>> check_eight(8), check_eight(Endless()).message[:48]
    (✓ Correct: 8., 'Not quite: the answer could not be compared with')
    """

    @functools.wraps(checker)
    def check(*args, **kwargs):
        def timed_out(phase, how):
            message = f"Not quite: the answer could not be compared with the right one within {TIME_LIMIT:g} s"
            return Verdict(
                False,
                _with_hint(
                    message + (f" ({how})." if how else "."),
                    "answer with a number, a tuple or a set of a few numbers, not an object of your own",
                ),
            )

        return _supervised(lambda watch: checker(*args, **kwargs), TIME_LIMIT, timed_out)

    return check


@guarded
def check_value(answer, expected, hints=None, what=None, explain="", hint=None):
    """Compare ``answer`` with ``expected``; on a miss, give the hint for that wrong value.

    Parameters
    ----------
    answer, expected : number, tuple, ndarray or any value with ``==``
        Compared by :func:`same`: numbers and arrays within the tolerance of
        their dtype, whole numbers exactly; arrays must have the same shape.
    hints : dict, optional
        ``{wrong_value: "what that wrong value suggests"}``. Use a list of
        ``(wrong_value, hint)`` pairs when the wrong values are unhashable.
        The first pair that matches gives the hint.
    what : str, optional
        What is being checked, for the message ("the output size").
    explain : str, optional
        The reasoning behind the answer, added to the message when it is right
        (a wrong answer gets only its hint, not the solution).
    hint : str, optional
        The hint for a wrong answer that no listed wrong value matches and that
        is not the wrong kind of thing (text for a number, say: that gets its
        own hint).

    Returns
    -------
    Verdict

    >>> check_value((3, 3), (3, 3), what="the output shape", explain="one row per pixel")
    ✓ Correct: the output shape is (3, 3). (one row per pixel)
    >>> check_value(5, 7, hints=[(5, "add the kernel")], what="o", explain="o = s(i-1) + k")
    ✗ Not quite: o got 5. Hint: add the kernel.
    >>> check_value("7", 7)
    ✗ Not quite: got '7'. Hint: that is text, in quotes: write the number itself, 7 rather than '7'.
    """
    if answer is Ellipsis or answer is None:
        return Verdict(False, NO_VALUE)
    if same(answer, expected):
        subject = f"{what} is " if what else ""
        tail = f" ({explain})" if explain else ""
        return Verdict(True, f"Correct: {subject}{short(expected)}.{tail}")
    pairs = list(hints.items()) if isinstance(hints, dict) else list(hints or [])
    specific = next((h for wrong, h in pairs if same(answer, wrong)), None)
    specific = specific or kind_hint(answer, expected) or hint
    subject = f"{what} " if what else ""
    return Verdict(False, _with_hint(f"Not quite: {subject}got {short(answer)}.", specific))


def _with_hint(message, hint):
    """``message`` and ``Hint: hint``, ending in a full stop (or the hint's own ? or !)."""
    if not hint:
        return message
    hint = hint.rstrip()
    return f"{message} Hint: {hint}" + ("" if hint.endswith((".", "?", "!", "…")) else ".")


# --- running a student's function -----------------------------------------------------------


class _TimeUp(BaseException):
    """Raised inside a student's function whose time ran out (a BaseException: ``except Exception`` lets it by)."""


def _limiters():
    """How this platform can stop a student's code: a subset of ``{"process", "alarm", "thread"}``.

    ``"process"``: a check runs in a forked child that is killed when its time
    is up, which stops even one long C call (``sum(range(10**11))``) holding the
    GIL (Linux; macOS forks badly with its system libraries). ``"alarm"``: a
    SIGALRM timer interrupts Python code in the main thread. ``"thread"``: the
    code runs in a worker thread that is told to stop. In the browser (Pyodide,
    JupyterLite) there is none of them: a trace function keeps the deadline
    (:func:`_run_traced`).
    """
    if sys.platform in ("emscripten", "wasi"):
        return frozenset()
    found = {"thread"}
    if hasattr(signal, "setitimer"):
        found.add("alarm")
    if hasattr(os, "fork") and sys.platform.startswith("linux"):
        found.add("process")
    return frozenset(found)


def _run(fn, args, kwargs, limit):
    """Call ``fn(*args, **kwargs)`` for at most ``limit`` seconds.

    Returns ``("value", result)``, ``("error", exception)`` or ``("slow",
    None)``. In the main thread (a notebook's cells run there) a SIGALRM timer
    interrupts the function between two Python steps, so nothing keeps running
    afterwards; elsewhere the function runs in a thread that is told to stop;
    where there are neither threads nor timer signals (Pyodide, JupyterLite) a
    trace function raises the time-out at the next Python step after the
    deadline. Ctrl-C (KeyboardInterrupt) still stops the whole check. None of
    these stops one long C call: :func:`_supervised` runs the whole check in a
    process where the platform can fork.
    """
    can = _limiters()
    if (
        "alarm" in can
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # no one else's timer running
    ):
        return _run_with_alarm(fn, args, kwargs, limit)
    if "thread" in can:
        return _run_in_thread(fn, args, kwargs, limit)
    return _run_traced(fn, args, kwargs, limit)


def _run_traced(fn, args, kwargs, limit):
    """``_run`` without threads or signals: a trace function raises ``_TimeUp`` once the deadline has passed.

    It sees every bytecode of the Python code called (``f_trace_opcodes``), so
    ``while True: pass`` is stopped too; a C call runs to its end, and a
    function that swallows the ``_TimeUp`` (a bare ``except:`` in a loop)
    runs on untraced, as CPython unsets a trace function that raised.
    """
    deadline, previous = time.monotonic() + limit, sys.gettrace()

    def deadline_tracer(frame, event, arg):
        if time.monotonic() > deadline:
            raise _TimeUp
        frame.f_trace_opcodes = True
        return deadline_tracer

    sys.settrace(deadline_tracer)
    try:
        return "value", fn(*args, **kwargs)
    except _TimeUp:
        return "slow", None
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # the student's code: any failure becomes a verdict
        return "error", error
    finally:
        sys.settrace(previous)


def _run_with_alarm(fn, args, kwargs, limit):
    running, home, tracing = [True], sys._getframe(), sys.gettrace()

    def stop_at_every_line(frame, event, arg):
        if running[0] and event == "line":
            raise _TimeUp
        return stop_at_every_line if running[0] else None

    def time_up(signum, frame):
        if not running[0]:
            return
        if frame is not None:
            # a second alarm: the student's code swallowed the first _TimeUp (a bare `except:` in a loop), so
            # raise it again at the next line of every frame it runs, which an `except` clause cannot catch
            if time_up.fired:
                sys.settrace(stop_at_every_line)
                while frame is not None and frame is not home:
                    frame.f_trace = stop_at_every_line
                    frame = frame.f_back
            time_up.fired = True
        signal.setitimer(signal.ITIMER_REAL, 0.25)  # and again, until it stops
        raise _TimeUp

    time_up.fired = False
    previous = signal.signal(signal.SIGALRM, time_up)
    try:
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            result = fn(*args, **kwargs)
        finally:
            running[0] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
        return "value", result
    except _TimeUp:
        return "slow", None
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # the student's code: any failure (even SystemExit) is a verdict
        return "error", error
    finally:
        running[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sys.settrace(tracing)


def _run_in_thread(fn, args, kwargs, limit):
    outcome = []

    def target():
        try:
            outcome.append(("value", fn(*args, **kwargs)))
        except _TimeUp:
            outcome.append(("slow", None))
        except BaseException as error:  # the student's code: any failure is a verdict
            outcome.append(("error", error))

    worker = threading.Thread(target=target, name="deconvlib-check", daemon=True)
    worker.start()
    worker.join(limit)
    for _ in range(10):  # raise _TimeUp inside the worker, so it stops at its next Python step (again if swallowed)
        if not worker.is_alive():
            break
        try:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(_TimeUp))
        except Exception:  # not CPython: the thread runs on, as a daemon
            break
        worker.join(0.1)
    if not outcome or worker.is_alive():
        return "slow", None
    return outcome[0]


# --- a whole check under a time limit -------------------------------------------------------

#: Seconds a check's process may overrun the limit of what it is doing before it is killed.
GRACE = 1.0


class _Watch:
    """What a check tells its supervisor: the phase it is in (with its seconds), and its verdict so far.

    ``phase("call", n, seconds)`` before the student's function is called on
    case ``n``, ``phase("judge", n, seconds)`` before its answer is compared
    and put into words; ``so_far(verdict)`` once a failure is known (the
    verdict if the rest never ends). In the process that supervises nothing,
    these do nothing.
    """

    def __init__(self, send=None):
        self.send = send

    def phase(self, *what):
        if self.send is not None:
            self.send(("phase", *what))

    def so_far(self, verdict):
        if self.send is not None:
            self.send(("so_far", bool(verdict.ok), str(verdict.message)))


_checking = [False]  # inside a check already: a check it calls (check_value) runs as part of it


def _supervised(body, limit, timed_out):
    """The :class:`Verdict` ``body(watch)`` returns, with its time limited even where it is stuck in C.

    Where the platform can fork (:func:`_limiters`), ``body`` runs in a child
    process that reports each phase (:class:`_Watch`); a phase that overruns
    its seconds by :data:`GRACE` gets the child killed and the verdict
    ``timed_out(phase, None)`` (or the failure found before it), and a child
    that dies gets ``timed_out(phase, how)``. Elsewhere ``body`` runs here, as
    one call of :func:`_run` when ``limit`` is given (a value's check), or
    limiting each phase itself (``limit`` None: a function's check).
    """
    if _checking[0]:
        return body(_Watch())
    if "process" in _limiters():
        return _in_child(body, limit, timed_out)
    return _here(body, limit, timed_out, _Watch())


def _here(body, limit, timed_out, watch):
    _checking[0] = True
    try:
        if limit is None:
            return body(watch)
        watch.phase("answer", limit)
        outcome, result = _run(body, (watch,), {}, limit)
    finally:
        _checking[0] = False
    if outcome == "value":
        return result
    return timed_out(("answer", limit), None if outcome == "slow" else f"it raised {type(result).__name__}")


def _in_child(body, limit, timed_out):
    _flush_output()  # nothing half-written (in a notebook, by its output thread) while the child is made
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():  # Python 3.12 warns of a fork while other threads run; the child runs no others
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: judge, report, and never return into the caller's code
        status = 0
        try:
            os.close(read_end)

            def send(message):
                data = pickle.dumps(message)
                data = len(data).to_bytes(4, "big") + data
                while data:
                    data = data[os.write(write_end, data) :]

            try:
                verdict = _here(body, limit, timed_out, _Watch(send))
                _flush_output()  # what the student's code printed comes before the verdict
                send(("verdict", bool(verdict.ok), str(verdict.message)))
            except KeyboardInterrupt:
                send(("interrupted",))
        except BaseException:  # noqa: BLE001 - the child must end here, whatever happened
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    return _supervise_child(pid, read_end, limit, timed_out)


def _flush_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed or odd stream: nothing to flush
            pass


def _supervise_child(pid, read_end, limit, timed_out):
    """Read the child's reports until its verdict; kill it when a phase overruns. Returns the Verdict."""
    phase, so_far, verdict, received = ("start", GRACE), None, None, b""
    deadline = time.monotonic() + GRACE + (limit or 0)
    try:
        while verdict is None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                if time.monotonic() >= deadline:
                    break
                continue
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break  # the child ended without a verdict
            received += chunk
            while len(received) >= 4 and len(received) >= 4 + int.from_bytes(received[:4], "big"):
                size = int.from_bytes(received[:4], "big")
                message, received = pickle.loads(received[4 : 4 + size]), received[4 + size :]
                if message[0] == "phase":
                    phase = message[1:]
                    deadline = time.monotonic() + phase[-1] + GRACE
                elif message[0] == "so_far":
                    so_far = Verdict(message[1], message[2])
                elif message[0] == "verdict":
                    verdict = Verdict(message[1], message[2])
                elif message[0] == "interrupted":
                    raise KeyboardInterrupt
        status = _reap(pid, wait=None if verdict is not None else 0.05)
    finally:
        os.close(read_end)
        _reap(pid, wait=0)
    if verdict is not None:
        return verdict
    if so_far is not None:
        return so_far
    return timed_out(phase, None if status is None else _how_it_ended(status))


def _reap(pid, wait):
    """The child's wait status once it has ended (within ``wait`` s; None: it is ending), else kill it: None."""
    if wait is None:  # it sent its verdict, and only exits after that
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return None
    end = time.monotonic() + wait
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped already
            return None
        if done:
            return status
        if time.monotonic() >= end:
            break
        time.sleep(0.005)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
    return None


def _how_it_ended(status):
    """In words, how a child process that sent no verdict ended."""
    if os.WIFSIGNALED(status):
        try:
            name = signal.Signals(os.WTERMSIG(status)).name
        except ValueError:
            name = f"signal {os.WTERMSIG(status)}"
        return f"the process running it crashed ({name})"
    return f"the process running it exited (status {os.WEXITSTATUS(status)})"


def _unchanged(before, after):
    """Is ``after`` (what the student was given, after the call) still equal to ``before``, cell for cell?"""
    try:
        if isinstance(before, np.ndarray):
            return (
                isinstance(after, np.ndarray)
                and before.shape == after.shape
                and before.dtype == after.dtype
                and bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
            )
        if isinstance(before, (tuple, list)):
            return type(before) is type(after) and len(before) == len(after) and all(map(_unchanged, before, after))
        if isinstance(before, dict):
            return before.keys() == after.keys() and all(_unchanged(before[k], after[k]) for k in before)
        return bool(before == after)
    except Exception:
        return False


def _changed_argument(student_fn, args, kwargs, given):
    """The name of the first argument that the student's function changed in place, or None."""
    changed = [n for n, (a, g) in enumerate(zip(args, given[0])) if not _unchanged(a, g)]
    changed += [k for k in kwargs if not _unchanged(kwargs[k], given[1][k])]
    if not changed:
        return None
    first = changed[0]
    if isinstance(first, str):
        return first
    try:
        return list(inspect.signature(student_fn).parameters)[first]
    except Exception:
        return f"argument {first + 1}"


_ERROR_HINTS = [
    (IndexError, None, "an index ran past the end of an array: check the ranges of your loops and slices"),
    (ValueError, "broadcast", "two arrays of different shapes met: print the shapes of the slice and of what you add"),
    (ValueError, "negative dimensions", "a size came out negative: check the shape you create"),
    (NameError, None, "a name is not defined here: check its spelling, or run the cells above first"),
    (ZeroDivisionError, None, "a division by zero: which of the arguments can be 0 (or 1) here?"),
    (
        StopIteration,
        None,
        "an iterator ran out: does your function use something (a next(...), a generator) "
        "that works only once? It must give the same answer on every call",
    ),
    (RecursionError, None, "the function calls itself without end"),
    (TypeError, "argument", "the checker calls it as shown: check the function's parameters"),
    (TypeError, None, "a value of the wrong type reached an operation: print the types involved"),
]


def _error_hint(error, call):
    text = _error_text(error)
    for kind_, words, hint in _ERROR_HINTS:
        if isinstance(error, kind_) and (words is None or words in text):
            return hint
    return f"call {call} yourself in a cell to see the traceback"


def _error_text(error):
    try:
        text = " ".join(str(error).split())
    except Exception:
        text = ""
    return text if len(text) <= 200 else text[:199] + "…"


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


def _matching_variant(variants, calls, results):
    """The hint of the first wrong version that agrees with every result the student's function gave."""
    for wrong_fn, hint in variants:
        try:
            if all(same(got, wrong_fn(*copy.deepcopy(a), **copy.deepcopy(k))) for (a, k), got in zip(calls, results)):
                return hint
        except Exception:  # the variant does not apply to these cases
            continue
    return None


def check_function(
    student_fn,
    reference_fn,
    cases,
    name=None,
    hint=None,
    variants=(),
    returns=None,
    describe=None,
    time_limit=None,
    forbidden=(),
):
    """Run ``student_fn`` and ``reference_fn`` on every case; report the first failure and diagnose it.

    The reference results are computed first, on copies of the cases; the
    student's function then gets its own copies, is called at most once per
    case (at most ``time_limit`` seconds each, :data:`TOTAL_TIME_LIMIT` in
    all; once a case has failed, the rest only while they are quick, to name
    the slip) and must not change them.

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
    time_limit : float, optional
        Seconds per call (default :data:`TIME_LIMIT`); a slower call is
        stopped and reported.
    forbidden : sequence of ``(function, label)``, optional
        The library's own implementation of what the exercise asks the
        student to write: an answer that is right on every case but called
        one of these functions (directly or through other code) gets a ✗
        naming ``label``, as it shows nothing of the student's own work. A
        profile hook (:func:`sys.setprofile`) watches only the student's calls,
        in the checking process, so it works in the browser too.

    Returns
    -------
    Verdict
        Right when every case agrees; otherwise says which call differed, what
        it returned and what was expected (or which exception it raised, or
        that it took too long, or changed its input). A function that still
        returns the notebook's placeholder ``...`` has no answer yet.

    >>> def out_size(i, k, s): return s * (i - 1) + k
    >>> check_function(out_size, out_size, [(2, 3, 1), (4, 3, 2)])
    ✓ Correct on all 2 cases.
    >>> check_function(lambda i, k, s: s * i + k, out_size, [(2, 3, 1)], name="out_size")
    ✗ out_size(2, 3, 1) returned 5, expected 4.
    >>> check_function(lambda i, k, s: s * i + k, out_size, [(2, 3, 1)], name="out_size",
    ...                variants=[(lambda i, k, s: s * i + k, "i pixels have i − 1 gaps.")])
    ✗ out_size(2, 3, 1) returned 5, expected 4. Hint: i pixels have i − 1 gaps.
    >>> check_function(lambda i, k, s: i // 0, out_size, [(2, 3, 1)], name="out_size")
    ✗ out_size(2, 3, 1) raised ZeroDivisionError: integer division or modulo by zero. Hint: a division by zero: ...
    >>> check_function(lambda i, k, s: out_size(i, k, s), out_size, [(2, 3, 1)], name="size",
    ...                forbidden=[(out_size, "out_size")])
    ✗ size(...) calls out_size, the library's own implementation (what the check compares with), ... Hint: ...
    """
    if student_fn is Ellipsis or student_fn is None:
        return Verdict(False, NO_FUNCTION)
    if not callable(student_fn):
        return Verdict(
            False,
            f"Not a function: got {short(student_fn)}. Hint: pass the function itself, by its name without "
            "brackets, as in check(my_function).",
        )
    name = name or _name(student_fn)
    calls = [_arguments(case) for case in cases]
    expected = [copy.deepcopy(reference_fn(*copy.deepcopy(a), **copy.deepcopy(k))) for a, k in calls]
    limit = TIME_LIMIT if time_limit is None else time_limit
    words = {"name": name, "hint": hint, "variants": variants, "returns": returns, "describe": describe}
    words["forbidden"] = {inspect.unwrap(fn).__code__: label for fn, label in forbidden}

    def judge(watch):
        return _judge_function(student_fn, calls, expected, limit, watch, words)

    def timed_out(phase, how):
        if phase[0] not in ("call", "judge"):
            return Verdict(False, f"{name} could not be checked: {how or 'the check did not start'}.")
        call = _call_text(name, *calls[phase[1]])
        if phase[0] == "judge":
            return _unjudged(call, limit)
        if how is None:
            return _slow(call, phase[2])
        return Verdict(False, _with_hint(f"{call} never returned: {how}.", f"call {call} yourself in a cell"))

    return _supervised(judge, None, timed_out)


def _judge_function(student_fn, calls, expected, limit, watch, words):
    """:func:`check_function`'s work once the reference results are known: every call, each under its limit."""
    results, failure, start = [], None, time.monotonic()
    called, shortcut = [], None  # the forbidden functions the student's calls reached
    student_fn_watched = _watching(student_fn, words["forbidden"], called) if words["forbidden"] else student_fn
    for n, (args, kwargs) in enumerate(calls):
        left = TOTAL_TIME_LIMIT - (time.monotonic() - start)
        if failure is not None and time.monotonic() - start > limit:
            break  # wrong already; the remaining cases would only name the slip, not worth a slow wait
        if left <= 0:
            if failure is None:
                failure = (n, "total", None)
            break
        given = copy.deepcopy((args, kwargs))
        allowed = max(min(limit, left), 1e-3)
        watch.phase("call", n, allowed)
        outcome, got = _run(student_fn_watched, given[0], given[1], allowed)
        if called and shortcut is None:
            shortcut = (n, "shortcut", called[0])
        if outcome != "value":
            failure = failure or (n, outcome, allowed if outcome == "slow" else got)
            break
        watch.phase("judge", n, limit)  # the answer's own == or repr may never return
        outcome, wrong = _run(_what_is_wrong, (student_fn, args, kwargs, given, got, expected[n]), {}, limit)
        if outcome != "value":
            failure = failure or (n, "unjudged", limit)
            break
        results.append(got)
        if failure is None and wrong is not None:
            failure = (n, *wrong)
            if watch.send is not None:  # the verdict if a later case never returns
                outcome, verdict = _run(_verdict, (failure, calls, expected, results, words), {}, limit)
                if outcome != "value":
                    failure = (n, "unjudged", limit)
                    break
                watch.so_far(verdict)
    if failure is None and shortcut is not None:  # right, but by the library's own implementation
        failure = shortcut
    if failure is not None:
        watch.phase("judge", failure[0], limit)
    outcome, verdict = _run(_verdict, (failure, calls, expected, results, words), {}, limit)
    if outcome == "value":
        return verdict
    return _unjudged(_call_text(words["name"], *calls[failure[0]]), limit)


def _watching(student_fn, codes, called):
    """``student_fn``, calling which appends to ``called`` the label of the first function of ``codes`` it reaches.

    ``codes`` maps a code object to its label. A profile hook sees every
    Python call the student's function makes, however it got hold of the
    function (``dl.max_pool2d``, ``from deconvlib import max_pool2d``, an
    alias); it is set for this thread and for this call only.
    """

    def profile(frame, event, arg):
        if event == "call" and not called and frame.f_code in codes:
            called.append(codes[frame.f_code])

    @functools.wraps(student_fn)
    def watched(*args, **kwargs):
        previous = sys.getprofile()
        sys.setprofile(profile)
        try:
            return student_fn(*args, **kwargs)
        finally:
            sys.setprofile(previous)

    return watched


def _what_is_wrong(student_fn, args, kwargs, given, got, expected):
    """None when ``got`` is right and the arguments ``given`` are unchanged, else ``(what, detail)``."""
    changed = _changed_argument(student_fn, args, kwargs, given)
    if changed:
        return "changed", changed
    if got is Ellipsis or got is None or not same(got, expected):
        return "value", got
    return None


def _verdict(failure, calls, expected, results, words):
    """The verdict on ``failure`` (None: all right), ``(case, what, detail)``, in words."""
    name, hint = words["name"], words["hint"]
    if failure is None:
        return Verdict(True, f"Correct on all {len(calls)} cases.")
    n, outcome, got = failure
    args, kwargs = calls[n]
    call = _call_text(name, args, kwargs)
    if outcome == "slow":
        return _slow(call, got)
    if outcome == "unjudged":
        return _unjudged(call, got)
    if outcome == "total":
        return Verdict(
            False,
            _with_hint(
                f"{name} took longer than {TOTAL_TIME_LIMIT:g} s over its first {n} cases, so it was stopped.", _SLOW
            ),
        )
    if outcome == "error":
        detail = _error_text(got)
        message = f"{call} raised {type(got).__name__}" + (f": {detail}" if detail else "") + "."
        return Verdict(False, _with_hint(message, hint if isinstance(hint, str) else _error_hint(got, call)))
    if outcome == "shortcut":
        return Verdict(
            False,
            _with_hint(
                f"{name}(...) calls {got}, the library's own implementation (what the check compares with), "
                "so its ✓ would say nothing about yours.",
                f"the exercise asks you to write it yourself: replace the call to {got} with your own code",
            ),
        )
    if outcome == "changed":
        return Verdict(False, _with_hint(f"{call} changed its argument {got} in place.", _CHANGED.format(got)))
    if got is Ellipsis:  # the notebook's placeholder, `return ...`
        return Verdict(False, NO_BODY)
    if got is None:
        return Verdict(False, f"{call} returned None. Hint: did you forget `return`?")
    problem = _safely(words["returns"], got) if words["returns"] else None
    if problem:
        return Verdict(False, _with_hint(f"{call} returned {short(got)}.", problem))
    if words["describe"] is None:
        message = f"{call} returned {short(got)}, expected {short(expected[n])}."
    else:
        message = f"{words['describe'](n, args)} returned {first_difference(got, expected[n])}."
    specific = _matching_variant(words["variants"], calls, results) or kind_hint(got, expected[n])
    if specific is None:
        specific = _safely(hint, got, expected[n]) if callable(hint) else hint
    return Verdict(False, message + (f" Hint: {specific}" if specific else ""))


def _slow(call, seconds):
    return Verdict(False, _with_hint(f"{call} took longer than {seconds:.2g} s, so it was stopped.", _SLOW))


def _unjudged(call, seconds):
    """The verdict on an answer that could not be compared or put into words within ``seconds``."""
    return Verdict(
        False,
        _with_hint(
            f"{call} returned something that could not be compared with the expected result "
            f"or put into words within {seconds:.2g} s.",
            "return a number, a tuple or a numpy array, not an object of your own",
        ),
    )


_SLOW = "look for a loop that never ends (a `while` whose condition never changes), or one that runs far too often"
_CHANGED = "work on a copy ({0}.copy()) or build a new array: the caller's {0} must stay as it was"


def _safely(fn, *args):
    """``fn(*args)``, or None if it fails (a hint about a strange answer must not fail itself)."""
    try:
        return fn(*args)
    except Exception:
        return None


def _name(fn):
    name = getattr(fn, "__name__", None)
    return name if isinstance(name, str) else "your function"


# --- strict mode: a wrong answer raises, for the grading tools -------------------------------

#: Whether a checker made :func:`gradable` raises on a wrong answer (set by :class:`strict`).
_STRICT = [False]


class strict:
    """Strict mode: a checker raises ``AssertionError`` with its message (the hint) on a wrong answer.

    A grading tool (nbgrader, otter-grader) counts a test cell as failed only
    when it raises; a notebook keeps the ✓/✗ line without a traceback. Called,
    ``strict()`` turns strict mode on (``strict(False)`` off); used in a
    ``with`` block, it turns it on for the block only. One call can also ask
    for it alone: ``check_output_size(answer, strict=True)``.

    >>> from deconvlib.course import check_output_size
    >>> with strict():
    ...     check_output_size(7)
    Traceback (most recent call last):
    AssertionError: ✗ Not quite: the output size got 7. Hint: you left out output_padding; ...
    >>> check_output_size(7)  # outside the block, as before
    ✗ Not quite: the output size got 7. Hint: you left out output_padding; ...
    >>> check_output_size(8, strict=True)
    ✓ Correct: the output size is 8. (2·(4 − 1) + 1·(3 − 1) + 1 − 2·1 + 1)
    """

    def __init__(self, on=True):
        self._previous, _STRICT[0] = _STRICT[0], bool(on)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        _STRICT[0] = self._previous

    def __repr__(self):
        return f"strict mode {'on' if _STRICT[0] else 'off'}"


def gradable(checker):
    """``checker`` with a ``strict`` keyword: in strict mode (:class:`strict`) a wrong answer raises.

    The ``AssertionError`` carries the verdict's line, ``✗`` and hint
    included, which the grading tools show in their feedback. ``strict=None``
    (the default) follows :class:`strict`; ``True`` or ``False`` decides for
    this call.
    """
    if getattr(checker, "_gradable", False):
        return checker

    @functools.wraps(checker)
    def check(*args, strict=None, **kwargs):
        __tracebackhide__ = True  # IPython's traceback shows the student's cell, not this frame
        verdict = checker(*args, **kwargs)
        if (_STRICT[0] if strict is None else strict) and not verdict:
            raise AssertionError(str(verdict)) from None
        return verdict

    signature = inspect.signature(checker)
    parameters = list(signature.parameters.values())
    keyword = inspect.Parameter("strict", inspect.Parameter.KEYWORD_ONLY, default=None)
    where = next((n for n, p in enumerate(parameters) if p.kind is inspect.Parameter.VAR_KEYWORD), len(parameters))
    check.__signature__ = signature.replace(parameters=[*parameters[:where], keyword, *parameters[where:]])
    check._gradable = True
    return check
