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
    booleans = (isinstance(answer, (bool, np.bool_)), isinstance(expected, (bool, np.bool_)))
    if any(booleans):  # True is not the number 1 here, nor 1 a yes
        return all(booleans) and bool(answer) == bool(expected)
    if isinstance(expected, (int, float, np.number)) and isinstance(answer, (int, float, np.number)):
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
        return Verdict(False, "No answer yet: replace the `...` with your answer.")
    if _same(answer, expected):
        subject = f"{what} is " if what else ""
        tail = f" ({explain})" if explain else ""
        return Verdict(True, f"Correct: {subject}{_short(expected)}.{tail}")
    pairs = list(hints.items()) if isinstance(hints, dict) else list(hints or [])
    hint = next((h for wrong, h in pairs if _same(answer, wrong)), None)
    subject = f"{what} " if what else ""
    message = f"Not quite: {subject}got {_short(answer)}."
    if hint:
        message += f" Hint: {hint}"
        if not hint.rstrip().endswith((".", "?", "!")):
            message += "."
    return Verdict(False, message)


def _call_text(name, args, kwargs):
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def check_function(student_fn, reference_fn, cases, name=None, hint=None, variants=()):
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
    variants : sequence of ``(wrong_fn, hint)``, optional
        Typical wrong versions: on a mismatch, if the student's function
        agrees with ``wrong_fn`` on every case, that ``hint`` is given
        (instead of ``hint``).

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
            specific = _matching_variant(student_fn, variants, cases)
            tail = f" Hint: {specific}" if specific else tail
            return Verdict(False, f"{call} returned {_short(got)}, expected {_short(expected)}.{tail}")
        n += 1
    return Verdict(True, f"Correct on all {n} cases.")


def _as_call(case):
    if isinstance(case, dict):
        return (), case
    if isinstance(case, tuple) and len(case) == 2 and isinstance(case[0], tuple) and isinstance(case[1], dict):
        return case
    return (case if isinstance(case, tuple) else (case,)), {}


def _matching_variant(student_fn, variants, cases):
    """The hint of the first wrong version that ``student_fn`` agrees with on every case."""
    for wrong_fn, hint in variants:
        try:
            if all(_same(student_fn(*a, **k), wrong_fn(*a, **k)) for a, k in map(_as_call, cases)):
                return hint
        except Exception:  # the variant or the student's code does not apply here
            continue
    return None


# --- Notebooks 1-4 ---
# Checkers for the whole pipeline's size (1), dilation (2), padding and
# output_padding (3) and the kernel sweep (4). Each compares with the library and
# knows the usual slips.

from ..arithmetic import conv_output_size as _conv_output_size  # noqa: E402
from ..arithmetic import conv_transpose_output_size as _transpose_size  # noqa: E402
from ..stages import dilate as _dilate  # noqa: E402
from ..transpose import conv_transpose2d as _conv_transpose2d  # noqa: E402

__all__ += ["check_output_size", "check_dilate", "check_sweep_padding", "check_input_sizes", "check_conv_transpose"]


def check_output_size(answer, size=4, kernel_size=3, stride=2, padding=1, output_padding=1, dilation=1):
    """Notebook 1: the output size of a transposed convolution, worked out by hand.

    >>> check_output_size(8)
    ✓ Correct: the output size is 8. (2·(4 − 1) + 1·(3 − 1) + 1 − 2·1 + 1)
    >>> check_output_size(2).message
    'Not quite: the output size got 2. Hint: that is the forward convolution of 4: the transposed one goes the other way, up.'
    """
    i, k, s, p, op, d = size, kernel_size, stride, padding, output_padding, dilation
    k_hat = d * (k - 1) + 1
    expected = _transpose_size(i, k, s, p, op, d)
    hints = [
        (s * i + k_hat - 2 * p + op, "s·(i − 1), not s·i: the i pixels have i − 1 gaps between them"),
        (expected - op, "you left out output_padding; it adds rows at the bottom/right"),
        (s * (i - 1) + k_hat + 2 * p + op, "padding is subtracted: the forward convolution's padding becomes a crop"),
        (expected + p, "padding is cropped from both sides: − 2p"),
        (s * (i - 1) + k - 2 * p + op, "with dilation d the kernel spans d·(k − 1) + 1 cells"),
    ]
    if i + 2 * p >= k_hat:
        hints.insert(
            0,
            (
                _conv_output_size(i, k, s, p, d),
                f"that is the forward convolution of {i}: the transposed one goes the other way, up",
            ),
        )
    explain = f"{s}·({i} − 1) + {d}·({k} − 1) + 1 − 2·{p} + {op}"
    return check_value(answer, expected, hints, what="the output size", explain=explain)


def check_dilate(student_fn):
    """Notebook 2: ``student_fn(X, stride)`` inserts ``stride − 1`` zeros between the pixels of a 2-D ``X``.

    >>> check_dilate(lambda X, stride: _dilate(X, (stride, stride), axes=(0, 1)))
    ✓ Correct on all 5 cases.
    """

    def reference(X, stride):
        return _dilate(np.asarray(X), (stride, stride), axes=(0, 1))

    def trailing_zeros(X, stride):
        out = np.zeros((X.shape[0] * stride, X.shape[1] * stride))
        out[::stride, ::stride] = X
        return out

    def stride_zeros(X, stride):
        return _dilate(np.asarray(X), (stride + 1, stride + 1), axes=(0, 1))

    cases = [
        (np.array([[1.0, 2.0], [3.0, 4.0]]), 2),
        (np.array([[1.0, 2.0], [3.0, 4.0]]), 1),
        (np.arange(1.0, 10.0).reshape(3, 3), 3),
        (np.array([[5.0]]), 2),
        (np.arange(1.0, 7.0).reshape(2, 3), 2),
    ]
    variants = [
        (trailing_zeros, "no zeros after the last pixel: the size is s·(i − 1) + 1, not s·i"),
        (stride_zeros, "insert stride − 1 zeros, not stride: stride 1 leaves the input as it is"),
    ]
    return check_function(student_fn, reference, cases, name="dilate", variants=variants)


def check_sweep_padding(answer, kernel_size=4, padding=1, dilation=1):
    """Notebook 3: how many zeros stage 2 adds on each side, ``d·(k − 1) − p``.

    >>> check_sweep_padding(2)
    ✓ Correct: the padding on each side is 2. (1·(4 − 1) − 1)
    >>> check_sweep_padding(1).message
    'Not quite: the padding on each side got 1. Hint: that is the forward padding p; the transposed convolution pads by k̂ − 1 − p.'
    """
    k, p, d = kernel_size, padding, dilation
    expected = d * (k - 1) - p
    hints = [
        (p, "that is the forward padding p; the transposed convolution pads by k̂ − 1 − p"),
        (d * (k - 1), "the forward padding p comes off: k̂ − 1 − p"),
        (d * (k - 1) + p, "the forward padding is subtracted, not added: it becomes a crop"),
        (k - p, "k̂ − 1 − p: the window must overlap the first pixel by one cell, not zero"),
    ]
    return check_value(answer, expected, hints, what="the padding on each side", explain=f"{d}·({k} − 1) − {p}")


def check_input_sizes(answer, output=4, kernel_size=3, stride=2, padding=1):
    """Notebook 3: every input size that a forward convolution maps to ``output``.

    ``answer`` is a set (or list) of sizes; output_padding picks one of them
    when the transposed convolution goes back.

    >>> check_input_sizes({7, 8})
    ✓ Correct: the set of input sizes is [7, 8]. (7 and 8 both give 4; output_padding 0 or 1 chooses)
    """
    sizes = [
        i
        for i in range(1, stride * (output + 2) + kernel_size + 1)
        if i + 2 * padding >= kernel_size and _conv_output_size(i, kernel_size, stride, padding) == output
    ]
    if answer is Ellipsis or answer is None:
        return check_value(answer, sizes)
    try:
        given = sorted(set(int(a) for a in answer))
    except TypeError:
        given = [answer]
    back = _transpose_size(output, kernel_size, stride, padding)
    hints = [
        (
            [back],
            f"{back} is one of them (output_padding 0); the floor in the forward size formula lets more than one through",
        )
    ]
    explain = (
        " and ".join(map(str, sizes))
        + f" both give {output}; output_padding "
        + " or ".join(map(str, range(len(sizes))))
        + " chooses"
    )
    return check_value(given, sizes, hints, what="the set of input sizes", explain=explain)


def check_conv_transpose(student_fn):
    """Notebook 4: ``student_fn(X, W, stride)`` by the three stages, for 2-D ``X`` and ``W`` (padding 0).

    >>> from deconvlib import conv_transpose2d
    >>> check_conv_transpose(conv_transpose2d)
    ✓ Correct on all 5 cases.
    """

    def reference(X, W, stride):
        return _conv_transpose2d(X, W, stride=stride)

    def unflipped(X, W, stride):
        return _conv_transpose2d(X, W[::-1, ::-1], stride=stride)

    def no_zeros(X, W, stride):
        return _conv_transpose2d(X, W, stride=1)

    rng = np.random.default_rng(4)
    cases = [
        (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]), 1),
        (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]), 2),
        (rng.integers(-3, 4, (3, 3)).astype(float), rng.integers(-3, 4, (3, 3)).astype(float), 2),
        (rng.integers(-3, 4, (2, 3)).astype(float), rng.integers(-3, 4, (2, 2)).astype(float), 3),
        (np.array([[7.0]]), rng.integers(-3, 4, (3, 2)).astype(float), 2),
    ]
    variants = [
        (unflipped, "flip the kernel by 180° before sweeping (or sweep without flipping and scatter instead)"),
        (no_zeros, "stage 1 is missing: insert stride − 1 zeros between the pixels first"),
    ]
    return check_function(student_fn, reference, cases, name="conv_transpose", variants=variants)


# --- Notebooks 5-8 ---
# Checkers for shape arithmetic (5), the three views (6), checkerboard artifacts (7)
# and channels and layouts (8). Each one knows the typical wrong answers and says
# what they suggest; `_diagnose` recognises a wrong *function* by the formula it matches.

from ..arithmetic import check_output_padding, conv_transpose_output_size, effective_kernel  # noqa: E402
from ..overlap import is_uniform  # noqa: E402
from ..transpose import conv_transpose2d  # noqa: E402

__all__ += [
    "check_transpose_output_size",
    "check_padding_for",
    "check_scatter",
    "check_uniform_overlap",
    "check_torch_weight",
    "check_layer_shape",
]


def _agree(answer, expected):
    """:func:`_same`, with booleans compared as booleans."""
    if isinstance(expected, (bool, np.bool_)):
        return isinstance(answer, (bool, np.bool_)) and bool(answer) == bool(expected)
    return _same(answer, expected)


def _diagnose(student_fn, variants, cases):
    """The hint of the first wrong formula that ``student_fn`` agrees with on every case."""
    for wrong, hint in variants:
        try:
            if all(_agree(student_fn(*case), wrong(*case)) for case in cases):
                return hint
        except Exception:  # the student's code or a variant does not apply: no diagnosis
            continue
    return None


def _with_diagnosis(verdict, student_fn, variants, cases):
    if verdict or not callable(student_fn):
        return verdict
    hint = _diagnose(student_fn, variants, cases)
    return Verdict(False, f"{verdict.message} Hint: {hint}.") if hint else verdict


def _explain_mismatch(verdict, student_fn, reference_fn, cases, describe):
    """Replace check_function's "returned an array ..." by where the first mismatch is.

    ``describe(case_number, args)`` names the call. Returns ``(verdict, wrong_shape)``.
    """
    if verdict or " returned " not in verdict.message or "forget" in verdict.message:
        return verdict, False
    for n, args in enumerate(cases):
        got, expected = student_fn(*args), reference_fn(*args)
        if not _same(got, expected):
            where = _first_difference(got, expected)
            return Verdict(False, f"{describe(n, args)} returned {where}."), np.shape(got) != np.shape(expected)
    return verdict, False


def _first_difference(got, expected):
    """Where two arrays first differ, in words (for messages about large arrays)."""
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected {expected.shape}"
    index = tuple(int(i) for i in np.argwhere(~np.isclose(got, expected))[0])
    cell = ", ".join(map(str, index))
    return f"the right shape {got.shape} but out[{cell}] = {got[index]:g}, expected {expected[index]:g}"


def _reference_size(i, k, s, p, op, d):
    return conv_transpose_output_size(i, k, stride=s, padding=p, output_padding=op, dilation=d)


_SIZE_CASES = [
    (2, 3, 1, 0, 0, 1),
    (5, 3, 1, 1, 0, 1),
    (3, 3, 2, 1, 0, 1),
    (3, 3, 2, 1, 1, 1),
    (4, 4, 2, 1, 0, 1),
    (3, 3, 1, 0, 0, 2),
    (4, 3, 3, 2, 2, 1),
    (2, 2, 1, 0, 1, 2),
    (6, 5, 2, 2, 1, 3),
]

_SIZE_VARIANTS = [
    (
        lambda i, k, s, p, op, d: s * i + d * (k - 1) + 1 - 2 * p + op,
        "between i pixels there are i − 1 gaps of s, so the stamps span s·(i − 1), not s·i",
    ),
    (lambda i, k, s, p, op, d: s * (i - 1) + k - 2 * p + op, "a dilated kernel covers k̂ = d·(k − 1) + 1 cells, not k"),
    (
        lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) - 2 * p + op,
        "k̂ = d·(k − 1) + 1: the + 1 counts the first tap",
    ),
    (
        lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - p + op,
        "padding p crops p rows at the top AND p at the bottom: subtract 2p",
    ),
    (
        lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 + 2 * p + op,
        "in a transposed convolution `padding` crops the result (it is the forward convolution's padding): subtract 2p",
    ),
    (
        lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - 2 * p,
        "output_padding adds that many rows at the bottom: + output_padding",
    ),
    (
        lambda i, k, s, p, op, d: (i + 2 * p - d * (k - 1) - 1) // s + 1,
        "that is the forward convolution's size; the transposed one maps the other way, o = s·(i − 1) + k̂ − 2p + output_padding",
    ),
]


def check_transpose_output_size(student_fn):
    """Check ``student_fn(i, k, s, p, op, d)``: the output size of a transposed convolution.

    Right when it agrees with :func:`deconvlib.conv_transpose_output_size` on
    cases that cover padding, strides, output_padding and dilation. A wrong
    function that matches a typical wrong formula gets that formula's hint.

    >>> check_transpose_output_size(lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - 2 * p + op)
    ✓ Correct on all 9 cases.
    >>> print(check_transpose_output_size(lambda i, k, s, p, op, d: s * (i - 1) + k - 2 * p + op).message)
    out_size(3, 3, 1, 0, 0, 2) returned 5, expected 7. Hint: a dilated kernel covers k̂ = d·(k − 1) + 1 cells, not k.
    """
    verdict = check_function(student_fn, _reference_size, _SIZE_CASES, name="out_size")
    return _with_diagnosis(verdict, student_fn, _SIZE_VARIANTS, _SIZE_CASES)


def check_padding_for(answer, i, k, target, stride=1, dilation=1):
    """Check ``answer = (padding, output_padding)`` that takes an ``i`` input to ``target``.

    Any pair that gives ``target`` with a legal ``output_padding`` is right;
    the message also shows :func:`deconvlib.transpose_padding_for`'s choice.
    A wrong pair is told what size it gives and why.

    >>> check_padding_for((1, 1), 32, 3, 64, stride=2)
    ✓ Correct: padding 1, output_padding 1 gives 64 (o = 2·(32 − 1) + 3 − 2·1 + 1).
    >>> print(check_padding_for((1, 0), 32, 3, 64, stride=2).message)
    Not quite: padding 1, output_padding 0 gives 63, one short of 64. Hint: add the missing row with output_padding (it must stay below max(stride, dilation) = 2).
    """
    if answer is Ellipsis or answer is None:
        return Verdict(False, "No answer yet: replace the `...` with (padding, output_padding).")
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return Verdict(False, f"Answer with a pair (padding, output_padding), got {_short(answer)}.")
    p, op = answer
    kh = effective_kernel(k, dilation)
    pair = f"padding {p}, output_padding {op}"
    try:
        check_output_padding(op, stride, dilation)
        size = conv_transpose_output_size(i, k, stride, p, op, dilation)
    except (TypeError, ValueError) as error:
        return Verdict(False, f"Not quite: {pair} is not allowed: {error}.")
    formula = f"o = {stride}·({i} − 1) + {kh} − 2·{p} + {op}"
    if size == target:
        return Verdict(True, f"Correct: {pair} gives {target} ({formula}).")
    message = f"Not quite: {pair} gives {size}"
    if size == target - 1:
        message += (
            f", one short of {target}. Hint: add the missing row with output_padding "
            f"(it must stay below max(stride, dilation) = {max(stride, dilation)})."
        )
    elif size > target:
        message += (
            f", {size - target} too many. Hint: each unit of padding crops two rows (one per side), "
            f"and output_padding adds one back: {formula}."
        )
    else:
        message += f", {target - size} too few. Hint: padding crops the result, so use less: {formula}."
    return Verdict(False, message)


def _scatter_reference(X, W, stride):
    return conv_transpose2d(X, W, stride=stride)


def _scatter_overwrite(X, W, stride):
    """The scatter loop with ``=`` instead of ``+=``."""
    (h, w), (kh, kw) = np.shape(X), np.shape(W)
    out = np.zeros((stride * (h - 1) + kh, stride * (w - 1) + kw))
    for a in range(h):
        for b in range(w):
            out[a * stride : a * stride + kh, b * stride : b * stride + kw] = X[a, b] * W
    return out


_SCATTER_VARIANTS = [
    (
        lambda X, W, s: conv_transpose2d(X, W[::-1, ::-1], stride=s),
        "you flipped the kernel: every pixel stamps W as it is (the flip belongs to the sliding-window view)",
    ),
    (_scatter_overwrite, "where stamps overlap they must add up (+=), not overwrite each other (=)"),
    (
        lambda X, W, s: conv_transpose2d(X, W, stride=1),
        "pixel (i, j) stamps its copy at (i·stride, j·stride): the copies are stride apart",
    ),
]


def _scatter_cases():
    rng = np.random.default_rng(6)
    cases = []
    for (h, w), (kh, kw), s in [((2, 2), (2, 2), 1), ((2, 3), (3, 2), 2), ((3, 2), (2, 3), 3), ((3, 3), (3, 3), 2)]:
        cases.append((rng.integers(-3, 4, (h, w)).astype(float), rng.integers(-3, 4, (kh, kw)).astype(float), s))
    return cases


def check_scatter(student_fn):
    """Check ``student_fn(X, W, stride)``: the scatter view of a transposed convolution.

    For a 2-D image ``X`` and kernel ``W`` with no padding, every input pixel
    adds ``X[i, j] · W`` to the output at ``(i·stride, j·stride)``; the result
    must equal ``conv_transpose2d(X, W, stride)``. Typical slips (a flipped
    kernel, ``=`` instead of ``+=``, forgetting the stride) get their own hint.

    >>> def scatter(X, W, stride):
    ...     (h, w), (kh, kw) = X.shape, W.shape
    ...     out = np.zeros((stride * (h - 1) + kh, stride * (w - 1) + kw))
    ...     for i in range(h):
    ...         for j in range(w):
    ...             out[i * stride : i * stride + kh, j * stride : j * stride + kw] += X[i, j] * W
    ...     return out
    >>> check_scatter(scatter)
    ✓ Correct on all 4 cases.
    """
    cases = _scatter_cases()
    verdict = check_function(student_fn, _scatter_reference, cases, name="scatter")
    verdict, wrong_shape = _explain_mismatch(
        verdict,
        student_fn,
        _scatter_reference,
        cases,
        lambda n, args: f"scatter(X, W, stride={args[2]}) on case {n + 1} (X {args[0].shape}, W {args[1].shape})",
    )
    diagnosed = _with_diagnosis(verdict, student_fn, _SCATTER_VARIANTS, cases)
    if diagnosed.message == verdict.message and wrong_shape:
        return Verdict(
            False, verdict.message + " Hint: the full output is s·(h − 1) + kh rows by s·(w − 1) + kw columns."
        )
    return diagnosed


_UNIFORM_VARIANTS = [
    (
        lambda k, s: k >= s,
        "a kernel at least as large as the stride covers every pixel, but not equally often: k = 3, s = 2 gives 2, 1, 2, 1, ...",
    ),
    (lambda k, s: k > s, "bigger than the stride is not enough: k = 3, s = 2 gives 2, 1, 2, 1, ..."),
    (lambda k, s: s % k == 0, "the other way round: the stride must divide the kernel size"),
    (lambda k, s: k % 2 == 0, "an even kernel is not enough: k = 4, s = 3 gives 2, 1, 1, 2, 1, 1, ..."),
    (lambda k, s: k == s, "k = s works, but so does every multiple of s (k = 4, s = 2: two copies everywhere)"),
]


def check_uniform_overlap(student_fn):
    """Check ``student_fn(k, s) -> bool``: does a ``k``-tap kernel with stride ``s`` overlap evenly?

    Right when it agrees with :func:`deconvlib.overlap.is_uniform` (no
    dilation) for ``k`` in 1..8 and ``s`` in 1..4: exactly when ``s``
    divides ``k``.

    >>> check_uniform_overlap(lambda k, s: k % s == 0)
    ✓ Correct on all 32 cases: the overlap is even exactly when the stride divides the kernel size.
    >>> print(check_uniform_overlap(lambda k, s: k >= s).message)
    uniform(3, 2) returned True, expected False. Hint: a kernel at least as large ...
    """
    if student_fn is Ellipsis or student_fn is None or not callable(student_fn):
        return Verdict(False, "No answer yet: define the function, then run this check again.")
    cases = [(k, s) for s in range(1, 5) for k in range(1, 9)]
    for k, s in cases:
        try:
            got = student_fn(k, s)
        except Exception as error:  # the student's code: report any failure as a verdict
            return Verdict(False, f"uniform({k}, {s}) raised {type(error).__name__}: {error}.")
        if not isinstance(got, (bool, np.bool_)):
            return Verdict(False, f"uniform({k}, {s}) returned {_short(got)}: return True or False.")
        expected = is_uniform(k, s)
        if bool(got) != expected:
            message = f"uniform({k}, {s}) returned {bool(got)}, expected {expected}."
            hint = _diagnose(student_fn, _UNIFORM_VARIANTS, cases)
            return Verdict(False, message + (f" Hint: {hint}" if hint else ""))
    return Verdict(
        True, f"Correct on all {len(cases)} cases: the overlap is even exactly when the stride divides the kernel size."
    )


_WEIGHT_VARIANTS = [
    (
        lambda W: W.transpose(3, 2, 0, 1),
        "(c_out, c_in, kh, kw) is nn.Conv2d's layout; nn.ConvTranspose2d keeps c_in first: (c_in, c_out // groups, kh, kw)",
    ),
    (
        lambda W: W.reshape(W.shape[2], W.shape[3], W.shape[0], W.shape[1]),
        "reshape only relabels the axes, it does not move the data: use W.transpose(...)",
    ),
    (lambda W: W.transpose(2, 3, 1, 0), "kh and kw came out swapped: the last two axes are (kh, kw)"),
    (lambda W: W, "the axes must move: NHWC kernels are (kh, kw, c_in, c_out // groups)"),
]


def check_torch_weight(student_fn):
    """Check ``student_fn(W)``: a ``(kh, kw, c_in, c_out // groups)`` kernel in PyTorch's layout.

    ``nn.ConvTranspose2d.weight`` is ``(c_in, c_out // groups, kh, kw)``, so
    the answer is ``W.transpose(2, 3, 0, 1)``. Checked on kernels whose four
    sizes all differ, so a wrong permutation or a reshape shows.

    >>> check_torch_weight(lambda W: W.transpose(2, 3, 0, 1))
    ✓ Correct on all 2 cases.
    >>> print(check_torch_weight(lambda W: W.transpose(3, 2, 0, 1)).message)
    to_torch(W) for W of shape (2, 3, 4, 6) returned shape (6, 4, 2, 3), expected (4, 6, 2, 3). Hint: (c_out, c_in, kh, kw) is nn.Conv2d's layout; ...
    """
    rng = np.random.default_rng(8)
    cases = [(rng.normal(size=(2, 3, 4, 6)),), (rng.normal(size=(4, 4, 3, 2)),)]
    reference = lambda W: W.transpose(2, 3, 0, 1)  # noqa: E731
    verdict = check_function(student_fn, reference, cases, name="to_torch")
    verdict, _ = _explain_mismatch(
        verdict, student_fn, reference, cases, lambda n, args: f"to_torch(W) for W of shape {args[0].shape}"
    )
    return _with_diagnosis(verdict, student_fn, _WEIGHT_VARIANTS, cases)


def check_layer_shape(answer, input_shape, kernel_size, c_out, stride=1, padding=0, output_padding=0, dilation=1):
    """Check ``answer``: the NHWC output shape of a transposed-convolution layer.

    ``input_shape`` is ``(n, h, w, c_in)``; the layer has ``c_out`` output
    channels and a square kernel. Typical slips (NCHW order, the forward
    convolution's size, padding added instead of cropped, the input's channel
    count, a dropped batch axis) get their own hint.

    >>> check_layer_shape((16, 8, 8, 256), (16, 4, 4, 512), 4, 256, stride=2, padding=1)
    ✓ Correct: (16, 8, 8, 256). (o = 2·(4 − 1) + 4 − 2·1 + 0 = 8)
    >>> print(check_layer_shape((16, 256, 8, 8), (16, 4, 4, 512), 4, 256, stride=2, padding=1).message)
    Not quite: got (16, 256, 8, 8). Hint: that is PyTorch's NCHW order; deconvlib is NHWC, channels last.
    """
    n, h, w, c_in = input_shape

    def size(i, p=padding, op=output_padding):
        return conv_transpose_output_size(i, kernel_size, stride, p, op, dilation)

    expected = (n, size(h), size(w), c_out)
    forward = tuple((i + 2 * padding - effective_kernel(kernel_size, dilation)) // stride + 1 for i in (h, w))
    full = stride * (h - 1) + effective_kernel(kernel_size, dilation) + output_padding
    hints = [
        ((n, c_out, size(h), size(w)), "that is PyTorch's NCHW order; deconvlib is NHWC, channels last"),
        ((size(h), size(w), c_out), "keep the batch axis: n images in, n images out"),
        ((n, size(h), size(w), c_in), "the layer changes the channels: c_in in, c_out out"),
        (
            (n, *forward, c_out),
            "that is the forward convolution's size; a transposed convolution upsamples: "
            "o = s·(i − 1) + k̂ − 2p + output_padding",
        ),
        (
            (n, full + 2 * padding, full + 2 * padding, c_out),
            "padding crops a transposed convolution's result: subtract 2p",
        ),
        ((n, full, full, c_out), "padding crops p rows on each side: subtract 2p"),
        (
            (n, h * stride, w * stride, c_out) if (h * stride, w * stride) != expected[1:3] else None,
            "s × i is the 'same' output; this kernel and padding give s·(i − 1) + k̂ − 2p + output_padding",
        ),
    ]
    hints = [(wrong, hint) for wrong, hint in hints if wrong is not None and wrong != expected]
    formula = (
        f"o = {stride}·({h} − 1) + {effective_kernel(kernel_size, dilation)} − 2·{padding} + {output_padding}"
        f" = {expected[1]}"
    )
    return check_value(tuple(answer) if isinstance(answer, list) else answer, expected, hints=hints, explain=formula)
