"""The checkers of the notebooks' exercises, in notebook order (1 → 10), then the forward convolution and pooling.

Each checker compares a student's answer with the library's through
:func:`~deconvlib.course.checking.check_value` (a value) or
:func:`~deconvlib.course.checking.check_function` (a function), and knows the
usual slips: a wrong value or a wrong function that matches a typical
mistake gets a hint saying what that mistake suggests. A checker returns a
:class:`~deconvlib.course.checking.Verdict`, truthy when right, printed as
one line (``✓ ...`` or ``✗ ...``).

>>> print(check_output_size(7))
✗ Not quite: the output size got 7. Hint: you left out output_padding; it adds rows at the bottom/right.
"""

import numbers

import numpy as np

from ..arithmetic import check_output_padding, conv_output_size, conv_transpose_output_size, effective_kernel
from ..channels import to_torch_weight
from ..doctor.layers import parse_layers
from ..doctor.stack import round_trip_sizes
from ..folding import conv_transpose_nd
from ..overlap import is_uniform, overlap_count, overlap_count_1d, stamps_1d
from ..pooling import avg_pool2d, max_pool2d
from ..stages import dilate
from ..trace import trace
from ..transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d, convolution_matrix
from .checking import Verdict, check_function, check_value, gradable, guarded, kind, kind_hint, shape_hint, short

__all__ = [
    "check_output_size",
    "check_dilate",
    "check_sweep_padding",
    "check_input_sizes",
    "check_conv_transpose",
    "check_transpose_output_size",
    "check_padding_for",
    "check_scatter",
    "check_contributions",
    "check_uniform_overlap",
    "check_torch_weight",
    "check_layer_shape",
    "check_overlap_1d",
    "check_round_trip_sizes",
    "check_conv_output_size",
    "check_max_pool",
]


#: The library's transposed convolution, by every public door and its core: an exercise that asks
#: for it written by hand refuses an answer that calls it (``check_function``'s ``forbidden``).
_TRANSPOSE_ITSELF = [
    (conv_transpose2d, "dl.conv_transpose2d"),
    (conv_transpose1d, "dl.conv_transpose1d"),
    (conv_transpose3d, "dl.conv_transpose3d"),
    (convolution_matrix, "dl.convolution_matrix"),
    (trace, "dl.trace"),
    (conv_transpose_nd, "deconvlib's transposed convolution"),
]


# --- notebook 1: the whole pipeline's size -------------------------------------------


@guarded
def check_output_size(answer, size=4, kernel_size=3, stride=2, padding=1, output_padding=1, dilation=1):
    """Notebook 1: the output size of a transposed convolution, worked out by hand.

    >>> check_output_size(8)
    ✓ Correct: the output size is 8. (2·(4 − 1) + 1·(3 − 1) + 1 − 2·1 + 1)
    >>> print(check_output_size(2).message)
    Not quite: the output size got 2.
    Hint: that is the forward convolution of 4: the transposed one goes the other way, up.
    """
    i, k, s, p, op, d = size, kernel_size, stride, padding, output_padding, dilation
    k_hat = effective_kernel(k, d)
    expected = conv_transpose_output_size(i, k, s, p, op, d)
    hints = [
        (s * i + k_hat - 2 * p + op, "s·(i − 1), not s·i: the i pixels have i − 1 gaps between them"),
        (expected - op, "you left out output_padding; it adds rows at the bottom/right"),
        (s * (i - 1) + k_hat + 2 * p + op, "padding is subtracted: the forward convolution's padding becomes a crop"),
        (expected + p, "padding is cropped from both sides: − 2p"),
        (s * (i - 1) + k - 2 * p + op, "with dilation d the kernel spans d·(k − 1) + 1 cells"),
    ]
    if op == 1:  # subtracting output_padding, and forgetting both the + 1 and output_padding, give the same number
        hints.append(
            (
                expected - 2,
                "two short: output_padding adds its row (it does not crop, as padding does), "
                "and k̂ = d·(k − 1) + 1 keeps its + 1",
            )
        )
    else:
        hints.append(
            (expected - 2 * op, "output_padding adds rows at the bottom/right; it does not crop, as padding does")
        )
        hints.append((expected - 1 - op, "two slips: k̂ = d·(k − 1) + 1 keeps its + 1, and output_padding is added"))
    hints.append((expected - 1, "one short: k̂ = d·(k − 1) + 1 keeps its + 1"))
    if i + 2 * p >= k_hat:
        forward = conv_output_size(i, k, s, p, d)
        hints.insert(0, (forward, f"that is the forward convolution of {i}: the transposed one goes the other way, up"))
    explain = f"{s}·({i} − 1) + {d}·({k} − 1) + 1 − 2·{p} + {op}"
    hint = "work through o = s·(i − 1) + d·(k − 1) + 1 − 2p + output_padding one term at a time"
    return check_value(answer, expected, hints, what="the output size", explain=explain, hint=hint)


# --- notebook 2: dilation ------------------------------------------------------------


def check_dilate(student_fn):
    """Notebook 2: ``student_fn(X, stride)`` inserts ``stride − 1`` zeros between the pixels of a 2-D ``X``.

    >>> def spread(X, stride):
    ...     out = np.zeros((stride * (X.shape[0] - 1) + 1, stride * (X.shape[1] - 1) + 1))
    ...     out[::stride, ::stride] = X
    ...     return out
    >>> check_dilate(spread)
    ✓ Correct on all 5 cases.
    >>> print(check_dilate(lambda X, stride: dilate(X, (stride, stride), axes=(0, 1))).message)
    dilate(...) calls dl.dilate, the library's own implementation (what the check compares with), ...
    >>> print(check_dilate(lambda X, stride: np.kron(X, np.ones((stride, stride)))).message)
    dilate(...) returned ... Hint: that repeats each pixel (nearest-neighbour upsampling); ...
    """

    def reference(X, stride):
        return dilate(np.asarray(X), (stride, stride), axes=(0, 1))

    def trailing_zeros(X, stride):
        out = np.zeros((X.shape[0] * stride, X.shape[1] * stride))
        out[::stride, ::stride] = X
        return out

    def stride_zeros(X, stride):
        return dilate(np.asarray(X), (stride + 1, stride + 1), axes=(0, 1))

    def repeated(X, stride):
        return np.kron(X, np.ones((stride, stride)))

    def rows_only(X, stride):
        return dilate(np.asarray(X), (stride, 1), axes=(0, 1))

    def columns_only(X, stride):
        return dilate(np.asarray(X), (1, stride), axes=(0, 1))

    dilate_hint = shape_hint(
        "i pixels become s·(i − 1) + 1 cells along each axis: s − 1 zeros in each of the i − 1 gaps",
        "the pixels of X go to every stride-th cell, X[r, c] to (stride·r, stride·c), and every other cell is 0",
    )

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
        (repeated, "that repeats each pixel (nearest-neighbour upsampling); stage 1 puts zeros between the pixels"),
        (rows_only, "zeros went between the rows only: put them between the columns too"),
        (columns_only, "zeros went between the columns only: put them between the rows too"),
    ]
    return check_function(
        student_fn,
        reference,
        cases,
        name="dilate",
        variants=variants,
        hint=dilate_hint,
        forbidden=[(dilate, "dl.dilate"), (trace, "dl.trace")],
    )


# --- notebook 3: padding and output_padding ------------------------------------------


@guarded
def check_sweep_padding(answer, kernel_size=4, padding=1, dilation=1):
    """Notebook 3: how many zeros stage 2 adds on each side, ``d·(k − 1) − p``.

    >>> check_sweep_padding(2)
    ✓ Correct: the padding on each side is 2. (1·(4 − 1) − 1)
    >>> print(check_sweep_padding(1).message)
    Not quite: the padding on each side got 1.
    Hint: that is the forward padding p; the transposed convolution pads by k̂ − 1 − p.
    """
    k, p, d = kernel_size, padding, dilation
    expected = d * (k - 1) - p
    hints = [
        (p, "that is the forward padding p; the transposed convolution pads by k̂ − 1 − p"),
        (d * (k - 1), "the forward padding p comes off: k̂ − 1 − p"),
        (d * (k - 1) + p, "the forward padding is subtracted, not added: it becomes a crop"),
        (k - p, "k̂ − 1 − p: the window must overlap the first pixel by one cell, not zero"),
    ]
    hint = "the window must reach the first pixel with its last tap: k̂ − 1 − p zeros, with k̂ = d·(k − 1) + 1"
    explain = f"{d}·({k} − 1) − {p}"
    return check_value(answer, expected, hints, what="the padding on each side", explain=explain, hint=hint)


@guarded
def check_input_sizes(answer, output=4, kernel_size=3, stride=2, padding=1):
    """Notebook 3: every input size that a forward convolution maps to ``output``.

    ``answer`` is a set (or list) of sizes; output_padding picks one of them
    when the transposed convolution goes back. Sizes are whole numbers: text
    ("78", {"7", "8"}) and fractions ({7.9, 8.2}) are told so, not rounded.

    >>> check_input_sizes({7, 8})
    ✓ Correct: the set of input sizes is [7, 8]. (7 and 8 both give 4; output_padding 0 or 1 chooses)
    >>> print(check_input_sizes({7, 8, 9}).message)
    Not quite: the set of input sizes got [7, 8, 9]. Hint: 9 gives 5, not 4: ⌊(i + 2p − k) / s⌋ + 1.
    """
    k, s, p = kernel_size, stride, padding
    sizes = [i for i in range(1, s * (output + 2) + k + 1) if i + 2 * p >= k and conv_output_size(i, k, s, p) == output]
    if answer is Ellipsis or answer is None:
        return check_value(answer, sizes)
    given, problem = _whole_numbers(answer)
    if problem:
        return Verdict(False, f"Not quite: the set of input sizes got {short(answer)}. Hint: {problem}.")
    hints = [
        (
            [size],
            f"{size} is one of them (output_padding {op}); "
            "the floor in the forward size formula lets more than one through",
        )
        for op, size in enumerate(sizes)
    ]
    hints.append(([output], f"{output} is the output; which input sizes does a forward convolution take to {output}?"))
    both = " both" if len(sizes) == 2 else " all"
    explain = " and ".join(map(str, sizes)) + f"{both} give {output}; output_padding "
    explain += " or ".join(map(str, range(len(sizes)))) + " chooses"
    hint = "some sizes are missing: the floor in the forward size formula lets more than one through"
    for i in given:
        if i not in sizes:
            gives = conv_output_size(i, k, s, p) if i + 2 * p >= k else None
            hint = (
                f"{short(i)} gives {short(gives)}, not {output}: ⌊(i + 2p − k) / s⌋ + 1"
                if gives is not None
                else f"{short(i)} pixels with padding {p} are narrower than the kernel ({k})"
            )
            break
    return check_value(given, sizes, hints, what="the set of input sizes", explain=explain, hint=hint)


#: The most sizes an answer of :func:`check_input_sizes` may list (a longer one is refused before it is read).
MAX_SIZES = 100


def _whole_numbers(answer):
    """``(sorted whole numbers, None)`` from a set, list, tuple or range of them (or one); else ``(None, why)``."""
    if isinstance(answer, numbers.Integral) and not isinstance(answer, (bool, np.bool_)):
        answer = [answer]
    if np.ma.isMaskedArray(answer) and np.ma.count_masked(answer):
        return None, "that is a masked array with hidden entries (--): answer with a set of whole numbers, as {1, 2}"
    try:
        count = len(answer) if isinstance(answer, (set, frozenset, list, tuple, range, np.ndarray)) else 0
    except (OverflowError, TypeError):  # range(10**20), a 0-d array
        count = None if isinstance(answer, range) else 0
    if count is None or count > MAX_SIZES:
        many = "far too many" if count is None else f"{count}"
        return None, f"that is {many} sizes: only a few input sizes give one output size; list them, such as {{1, 2}}"
    if isinstance(answer, np.ndarray) and answer.ndim == 1:
        answer = answer.tolist()
    if isinstance(answer, (str, bytes)):
        return None, "that is text, in quotes: write a set of whole numbers, such as {1, 2}, without quotes"
    if not isinstance(answer, (set, frozenset, list, tuple, range)):
        why = kind_hint(answer, 0) or f"that is {kind(answer)}"
        return None, f"{why}; answer with a set of whole numbers, such as {{1, 2}}"
    found = []
    for a in sorted(answer, key=repr) if isinstance(answer, (set, frozenset)) else answer:  # the same order each run
        if isinstance(a, (bool, np.bool_)):
            return None, f"{a} is not a size: a size is a number of pixels"
        if isinstance(a, (str, bytes)):
            return None, f"{short(a)} is text, in quotes: write the numbers themselves, without quotes"
        if isinstance(a, numbers.Integral):
            found.append(int(a))
        elif isinstance(a, numbers.Real) and float(a).is_integer():
            found.append(int(a))
        elif isinstance(a, numbers.Real):
            return None, f"{short(a)} is not a whole number: a size counts pixels"
        else:
            return None, f"{short(a)} is not a size: answer with a set of whole numbers, such as {{1, 2}}"
    return sorted(set(found)), None


# --- notebook 4: the three stages (and notebook 6's scatter view) --------------------


def _conv_transpose(X, W, stride):
    """The reference of notebooks 4 and 6: a 2-D transposed convolution without padding."""
    return conv_transpose2d(X, W, stride=stride)


def _unflipped(X, W, stride):
    """A typical slip: the kernel swept (or stamped) the wrong way round."""
    return conv_transpose2d(X, W[::-1, ::-1], stride=stride)


def _without_stride(X, W, stride):
    """A typical slip: no zeros inserted (stage 1), so the copies are not stride apart."""
    return conv_transpose2d(X, W, stride=1)


def _sweep(X, W, stride, padding):
    """Stages 1-3 with ``padding`` zeros on each side in stage 2, for the slips in the padding."""
    grid = np.pad(dilate(np.asarray(X), (stride, stride), axes=(0, 1)), padding)
    windows = np.lib.stride_tricks.sliding_window_view(grid, W.shape)
    return np.einsum("ijkl,kl->ij", windows, W[::-1, ::-1])


def _strided_sweep(X, W, stride):
    """A typical slip in stage 3: the window moves ``stride`` cells at a time instead of 1."""
    kh, kw = W.shape
    grid = np.pad(dilate(np.asarray(X), (stride, stride), axes=(0, 1)), ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    windows = np.lib.stride_tricks.sliding_window_view(grid, W.shape)[::stride, ::stride]
    return np.einsum("ijkl,kl->ij", windows, W[::-1, ::-1])


def _trailing_zeros(X, W, stride):
    """A typical slip in stage 1: zeros after the last pixel too, ``s·i`` cells wide."""
    return np.pad(conv_transpose2d(X, W, stride=stride), ((0, stride - 1), (0, stride - 1)))


def _sweep_shape_hint(got, expected):
    """A hint from the shape alone: how far off stage 2's padding is, or the size the stages give."""
    extra = [g - e for g, e in zip(np.shape(got), np.shape(expected))]
    if len(extra) != 2 or extra == [0, 0]:
        return "the shape is right: check the sum under each window (the flipped kernel times the grid)"
    if extra[0] == extra[1] and extra[0] % 2 == 0:
        amount, how = abs(extra[0] // 2), "too much" if extra[0] > 0 else "too little"
        return (
            f"stage 2's padding is {amount} {how} on each side: pad kh − 1 rows and kw − 1 columns "
            "of zeros on every side of the dilated grid"
        )
    return (
        "the output is s·(h − 1) + kh rows: stage 1 gives s·(h − 1) + 1, stage 2 adds kh − 1 on each side, "
        "and a stride-1 sweep takes kh − 1 away"
    )


def check_conv_transpose(student_fn):
    """Notebook 4: ``student_fn(X, W, stride)`` by the three stages, for 2-D ``X`` and ``W`` (padding 0).

    >>> print(check_conv_transpose(conv_transpose2d).message)
    conv_transpose(...) calls dl.conv_transpose2d, the library's own implementation ...
    >>> print(check_conv_transpose(lambda X, W, stride: _sweep(X, W, stride, 1)).message)
    conv_transpose(...) returned ... Hint: stage 2's padding is 1 too little on each side: ...
    """
    rng = np.random.default_rng(4)
    cases = [
        (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]), 1),
        (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]), 2),
        (rng.integers(-3, 4, (3, 3)).astype(float), rng.integers(-3, 4, (3, 3)).astype(float), 2),
        (rng.integers(-3, 4, (2, 3)).astype(float), rng.integers(-3, 4, (2, 2)).astype(float), 3),
        (np.array([[7.0]]), rng.integers(-3, 4, (3, 2)).astype(float), 2),
    ]
    variants = [
        (
            _unflipped,
            "stage 3 sweeps the flipped kernel: flip the kernel by 180° before sweeping "
            "(or sweep without flipping and scatter instead)",
        ),
        (
            _strided_sweep,
            "stage 3's sweep is always stride 1: the stride already went into the zeros stage 1 inserted, "
            "so move the window one cell at a time",
        ),
        (_without_stride, "stage 1 is missing: insert stride − 1 zeros between the pixels first"),
        (
            lambda X, W, stride: _sweep(X, W, stride, 0),
            "stage 2 is missing: pad kh − 1 rows and kw − 1 columns of zeros on each side before sweeping",
        ),
        (
            lambda X, W, stride: _sweep(X, W, stride, ((W.shape[0], W.shape[0]), (W.shape[1], W.shape[1]))),
            "stage 2 pads by kh − 1 and kw − 1, not kh and kw: the window must overlap the first pixel by one tap",
        ),
        (_trailing_zeros, "stage 1 puts no zeros after the last pixel: the dilated grid is s·(i − 1) + 1 wide"),
    ]
    return check_function(
        student_fn,
        _conv_transpose,
        cases,
        name="conv_transpose",
        variants=variants,
        hint=_sweep_shape_hint,
        forbidden=_TRANSPOSE_ITSELF,
    )


# --- notebook 5: the output-size formula and the padding solver ----------------------


#: ``(i, k, s, p, op, d)``: padding, strides, output_padding and dilation, alone and together.
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
        lambda i, k, s, p, op, d: s * i,
        "s × i is only what some layers give: count the cells the stamps cover (the last one starts at "
        "s·(i − 1) and spans k̂ cells), then what padding and output_padding do to the ends.",
    ),
    (
        lambda i, k, s, p, op, d: s * i + d * (k - 1) + 1 - 2 * p + op,
        "between i pixels there are i − 1 gaps of s, so the stamps span s·(i − 1), not s·i.",
    ),
    (lambda i, k, s, p, op, d: s * (i - 1) + k - 2 * p + op, "a dilated kernel covers k̂ = d·(k − 1) + 1 cells, not k."),
    (
        lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) - 2 * p + op,
        "k̂ = d·(k − 1) + 1: the + 1 counts the first tap.",
    ),
    (
        lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - p + op,
        "padding p crops p rows at the top AND p at the bottom: subtract 2p.",
    ),
    (
        lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 + 2 * p + op,
        "in a transposed convolution `padding` crops the result (it is the forward convolution's padding): "
        "subtract 2p.",
    ),
    (
        lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - 2 * p,
        "output_padding adds that many rows at the bottom: + output_padding.",
    ),
    (
        lambda i, k, s, p, op, d: (i + 2 * p - d * (k - 1) - 1) // s + 1,
        "that is the forward convolution's size; the transposed one maps the other way, "
        "o = s·(i − 1) + k̂ − 2p + output_padding.",
    ),
]


def check_transpose_output_size(student_fn):
    """Notebook 5: ``student_fn(i, k, s, p, op, d)``, the output size of a transposed convolution.

    Right when it agrees with :func:`deconvlib.conv_transpose_output_size` on
    cases that cover padding, strides, output_padding and dilation. A wrong
    function that matches a typical wrong formula gets that formula's hint.

    >>> check_transpose_output_size(lambda i, k, s, p, op, d: s * (i - 1) + d * (k - 1) + 1 - 2 * p + op)
    ✓ Correct on all 9 cases.
    >>> print(check_transpose_output_size(lambda i, k, s, p, op, d: s * (i - 1) + k - 2 * p + op).message)
    out_size(3, 3, 1, 0, 0, 2) returned 5, expected 7.
    Hint: a dilated kernel covers k̂ = d·(k − 1) + 1 cells, not k.
    """
    hint = "work this case by hand, stage by stage (notebook 1): which term (s, k̂, p, output_padding) is off?"
    return check_function(
        student_fn, conv_transpose_output_size, _SIZE_CASES, name="out_size", variants=_SIZE_VARIANTS, hint=hint
    )


@guarded
def check_padding_for(answer, i, k, target, stride=1, dilation=1):
    """Notebook 5: ``answer = (padding, output_padding)`` that takes an ``i`` input to ``target``.

    Any pair that gives ``target`` with a legal ``output_padding`` is right;
    the message also shows the formula with those numbers. A wrong pair is
    told what size it gives and why; a pair that is not two whole numbers
    ("1", 1.5, True) is told that.

    >>> check_padding_for((1, 1), 32, 3, 64, stride=2)
    ✓ Correct: padding 1, output_padding 1 gives 64 (o = 2·(32 − 1) + 3 − 2·1 + 1).
    >>> print(check_padding_for((1, 0), 32, 3, 64, stride=2).message)
    Not quite: padding 1, output_padding 0 gives 63, one short of 64.
    Hint: add the missing row with output_padding (it must stay below max(stride, dilation) = 2).
    >>> print(check_padding_for(("1", 0), 32, 3, 64, stride=2).message)
    Not quite: padding '1', output_padding 0: padding is text. Hint: write the number itself, without quotes.
    """
    if answer is Ellipsis or answer is None:
        return Verdict(False, "No answer yet: replace the `...` with (padding, output_padding).")
    if isinstance(answer, np.ndarray) and answer.shape == (2,):
        answer = tuple(answer.tolist())
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        return Verdict(
            False,
            f"Answer with a pair (padding, output_padding), got {short(answer)}. "
            "Hint: two whole numbers in round brackets, padding first.",
        )
    p, op = answer
    pair = f"padding {short(p)}, output_padding {short(op)}"
    for value, name in ((p, "padding"), (op, "output_padding")):
        problem = _not_a_count(value)
        if problem:
            return Verdict(False, f"Not quite: {pair}: {name} is {problem[0]}. Hint: {problem[1]}.")
    p, op = int(p), int(op)  # 1.0 is the whole number 1
    limit = max(stride, dilation)
    try:
        check_output_padding(op, stride, dilation)
        size = conv_transpose_output_size(i, k, stride, p, op, dilation)
    except (TypeError, ValueError) as error:
        why = (
            f"output_padding must stay below max(stride, dilation) = {limit}"
            if op >= limit or op < 0
            else "padding and output_padding count rows: 0 or more, and padding may not crop the whole output"
        )
        text = " ".join(str(error).split())
        text = text if len(text) <= 200 else text[:199] + "…"
        return Verdict(False, f"Not quite: {pair} is not allowed: {text}. Hint: {why}.")
    formula = f"o = {stride}·({i} − 1) + {effective_kernel(k, dilation)} − 2·{p} + {op}"
    if size == target:
        return Verdict(True, f"Correct: {pair} gives {target} ({formula}).")
    message = f"Not quite: {pair} gives {size}"
    if size == target - 1:
        message += (
            f", one short of {target}. Hint: add the missing row with output_padding "
            f"(it must stay below max(stride, dilation) = {limit})."
        )
    elif size > target:
        message += (
            f", {size - target} too many. Hint: each unit of padding crops two rows (one per side), "
            f"and output_padding adds one back: {formula}."
        )
    else:
        message += f", {target - size} too few. Hint: padding crops the result, so use less: {formula}."
    return Verdict(False, message)


def _not_a_count(value):
    """``(what it is, hint)`` when ``value`` is not a whole number of rows, else None."""
    if isinstance(value, (str, bytes)):
        return "text", "write the number itself, without quotes"
    if isinstance(value, (bool, np.bool_)):
        return "True or False", "give a number of rows"
    if isinstance(value, numbers.Integral) or (isinstance(value, numbers.Real) and float(value).is_integer()):
        return None
    if isinstance(value, numbers.Real):
        return "not a whole number", "padding and output_padding count rows"
    return kind(value), "give a whole number of rows"


# --- notebook 6: the scatter view ----------------------------------------------------


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
        _unflipped,
        "you flipped the kernel: every pixel stamps W as it is (the flip belongs to the sliding-window view).",
    ),
    (_scatter_overwrite, "where stamps overlap they must add up (+=), not overwrite each other (=)."),
    (_without_stride, "pixel (i, j) stamps its copy at (i·stride, j·stride): the copies are stride apart."),
]


def _scatter_call(n, args):
    X, W, stride = args
    return f"scatter(X, W, stride={stride}) on case {n + 1} (X {X.shape}, W {W.shape})"


_scatter_shape_hint = shape_hint(
    "the last pixel's stamp ends at row s·(h − 1) + kh: "
    "the full output is s·(h − 1) + kh rows by s·(w − 1) + kw columns.",
    "pixel (i, j) adds X[i, j]·W to the block whose top-left corner is (i·stride, j·stride).",
)


def check_scatter(student_fn):
    """Notebook 6: ``student_fn(X, W, stride)``, the scatter view of a transposed convolution.

    For a 2-D image ``X`` and kernel ``W`` with no padding, every input pixel
    adds ``X[i, j] · W`` to the output at ``(i·stride, j·stride)``; the result
    must equal ``conv_transpose2d(X, W, stride)``. Typical slips (a flipped
    kernel, ``=`` instead of ``+=``, forgetting the stride) get their own hint,
    a wrong shape the output's size.

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
    rng = np.random.default_rng(6)
    cases = [
        (rng.integers(-3, 4, (h, w)).astype(float), rng.integers(-3, 4, (kh, kw)).astype(float), s)
        for (h, w), (kh, kw), s in [((2, 2), (2, 2), 1), ((2, 3), (3, 2), 2), ((3, 2), (2, 3), 3), ((3, 3), (3, 3), 2)]
    ]
    return check_function(
        student_fn,
        _conv_transpose,
        cases,
        name="scatter",
        hint=_scatter_shape_hint,
        variants=_SCATTER_VARIANTS,
        describe=_scatter_call,
        forbidden=_TRANSPOSE_ITSELF,
    )


def _contributions(i, k, s, p, r, c, shift=None, tap=None, inclusive=False):
    """The reference of notebook 6's exercise, and its slips: the pairs ``((row, col), (a, b))`` on cell ``(r, c)``.

    Pixel ``(row, col)`` of an ``i×i`` input stamps its ``k×k`` copy of the kernel at canvas
    cell ``(s·row, s·col)``; padding ``p`` crops the canvas, so output cell ``(r, c)`` is canvas
    cell ``(r + p, c + p)`` and gets tap ``(r + p − s·row, c + p − s·col)``. A slip moves the
    cell by ``shift`` instead of ``p``, reads the tap with ``tap(a, k)``, or lets a tap reach ``k``.
    """
    shift = p if shift is None else shift
    found = set()
    for row in range(i):
        for col in range(i):
            a, b = r + shift - s * row, c + shift - s * col
            if 0 <= a <= k - (not inclusive) and 0 <= b <= k - (not inclusive):
                found.add(((row, col), (a, b) if tap is None else (tap(a, k), tap(b, k))))
    return found


#: ``(i, k, s, p, r, c)``: overlapping stamps, a crop, a gap between stamps (no pair), a border cell.
_CONTRIBUTION_CASES = [
    (2, 3, 1, 0, 1, 1),
    (3, 3, 2, 1, 1, 2),
    (3, 4, 2, 1, 3, 2),
    (2, 2, 2, 0, 1, 2),
    (4, 3, 3, 2, 2, 0),
    (3, 2, 3, 0, 2, 2),
    (4, 5, 2, 2, 3, 3),
]

_CONTRIBUTION_VARIANTS = [
    (
        lambda i, k, s, p, r, c: _contributions(i, k, s, p, r, c, shift=0),
        "padding crops the canvas the stamps land on: output cell (r, c) is canvas cell (r + p, c + p).",
    ),
    (
        lambda i, k, s, p, r, c: _contributions(i, k, s, p, r, c, shift=-p),
        "padding crops p rows off the top of the canvas, so output cell (r, c) lies p further in: "
        "canvas cell (r + p, c + p), not (r − p, c − p).",
    ),
    (
        lambda i, k, s, p, r, c: _contributions(i, k, s, p, r, c, tap=lambda a, k: k - 1 - a),
        "that is the sliding window's flipped kernel: in the scatter view every pixel stamps W as it is, "
        "so its tap on canvas row r + p is a = r + p − s·row.",
    ),
    (
        lambda i, k, s, p, r, c: _contributions(i, k, 1, p, r, c),
        "the stamps are s cells apart: pixel (row, col) stamps its copy at canvas cell (s·row, s·col).",
    ),
    (
        lambda i, k, s, p, r, c: _contributions(i, k, s, p, r, c, inclusive=True),
        "a stamp has taps 0 … k − 1: pixel row's stamp covers canvas rows s·row … s·row + k − 1.",
    ),
]


def _a_set_of_pairs(got):
    """``return`` hint unless ``got`` is a set (the pairs have no order, and each counts once)."""
    if isinstance(got, (set, frozenset)):
        return None
    return "return a set of ((row, col), (a, b)) pairs, such as {((0, 1), (2, 0))}"


def check_contributions(student_fn):
    """Notebook 6: ``student_fn(i, k, s, p, r, c)``, the stamps that reach output cell ``(r, c)``.

    For an ``i×i`` input, a ``k×k`` kernel, stride ``s`` and padding ``p``: the
    set of pairs ``((row, col), (a, b))``, input pixel and kernel tap, whose
    product ``X[row, col]·W[a, b]`` the scatter view adds to output cell
    ``(r, c)``. Typical slips (the crop left out or the wrong way, the
    sliding window's flipped tap, no stride, a tap ``k``) get their own hint.

    >>> check_contributions(_contributions)
    ✓ Correct on all 7 cases.
    >>> print(check_contributions(lambda i, k, s, p, r, c: _contributions(i, k, s, p, r, c, shift=0)).message)
    contributions(3, 3, 2, 1, 1, 2) returned ... Hint: padding crops the canvas the stamps land on: ...
    """
    return check_function(
        student_fn,
        _contributions,
        _CONTRIBUTION_CASES,
        name="contributions",
        variants=_CONTRIBUTION_VARIANTS,
        returns=_a_set_of_pairs,
        hint="work the case on paper: for each pixel, which canvas rows and columns does its stamp cover, "
        "and which canvas cell is output cell (r, c) once padding has cropped the canvas?",
    )


# --- notebook 7: when is the overlap even? -------------------------------------------


_UNIFORM_VARIANTS = [
    (
        lambda k, s: k >= s,
        "a kernel at least as large as the stride covers every pixel, but not equally often: "
        "k = 3, s = 2 gives 2, 1, 2, 1, ...",
    ),
    (lambda k, s: k > s, "bigger than the stride is not enough: k = 3, s = 2 gives 2, 1, 2, 1, ..."),
    (lambda k, s: s % k == 0, "the other way round: the stride must divide the kernel size"),
    (lambda k, s: k % 2 == 0, "an even kernel is not enough: k = 4, s = 3 gives 2, 1, 1, 2, 1, 1, ..."),
    (
        lambda k, s: k == s,
        "a kernel as large as the stride works, but so does every multiple of s (k = 4, s = 2: two copies everywhere)",
    ),
]


def _true_or_false(got):
    """What to return instead of ``got``, or None for a plain True or False."""
    if isinstance(got, (bool, np.bool_)):
        return None
    if isinstance(got, np.ndarray) and got.dtype.kind == "b" and got.size == 1:
        return "that is a numpy array holding one True/False value: return the value itself, bool(...) of it"
    return "return True or False"


def check_uniform_overlap(student_fn):
    """Notebook 7: ``student_fn(k, s) -> bool``, does a ``k``-tap kernel with stride ``s`` overlap evenly?

    Right when it agrees with :func:`deconvlib.overlap.is_uniform` (no
    dilation) for ``k`` in 1..8 and ``s`` in 1..4: exactly when ``s``
    divides ``k``.

    >>> check_uniform_overlap(lambda k, s: k % s == 0)
    ✓ Correct on all 32 cases: the overlap is even exactly when the stride divides the kernel size.
    >>> print(check_uniform_overlap(lambda k, s: k >= s).message)
    uniform(3, 2) returned True, expected False. Hint: a kernel at least as large ...
    """
    cases = [(k, s) for s in range(1, 5) for k in range(1, 9)]
    hint = "count, for k = 3, s = 2 and k = 4, s = 2, how many stamps cover each output cell (the explorer above)"
    verdict = check_function(
        student_fn,
        is_uniform,
        cases,
        name="uniform",
        variants=_UNIFORM_VARIANTS,
        returns=_true_or_false,
        hint=hint,
        forbidden=[(is_uniform, "dl.overlap.is_uniform")],
    )
    if not verdict:
        return verdict
    rule = "the overlap is even exactly when the stride divides the kernel size"
    return Verdict(True, f"Correct on all {len(cases)} cases: {rule}.")


# --- notebook 8: layouts and shapes --------------------------------------------------


_WEIGHT_VARIANTS = [
    (
        lambda W: W.transpose(3, 2, 0, 1),
        "(c_out, c_in, kh, kw) is nn.Conv2d's layout; "
        "nn.ConvTranspose2d keeps c_in first: (c_in, c_out // groups, kh, kw).",
    ),
    (
        lambda W: W.reshape(W.shape[2], W.shape[3], W.shape[0], W.shape[1]),
        "reshape only relabels the axes, it does not move the data: use W.transpose(...).",
    ),
    (lambda W: W.transpose(2, 3, 1, 0), "kh and kw came out swapped: the last two axes are (kh, kw)."),
    (lambda W: W, "the axes must move: NHWC kernels are (kh, kw, c_in, c_out // groups)."),
]


def check_torch_weight(student_fn):
    """Notebook 8: ``student_fn(W)``, a ``(kh, kw, c_in, c_out // groups)`` kernel in PyTorch's layout.

    ``nn.ConvTranspose2d.weight`` is ``(c_in, c_out // groups, kh, kw)``, so
    the answer is ``W.transpose(2, 3, 0, 1)``. Checked on kernels whose four
    sizes all differ, so a wrong permutation or a reshape shows.

    >>> check_torch_weight(lambda W: W.transpose(2, 3, 0, 1))
    ✓ Correct on all 2 cases.
    >>> print(check_torch_weight(lambda W: W.transpose(3, 2, 0, 1)).message)
    to_torch(W) for W of shape (2, 3, 4, 6) returned shape (6, 4, 2, 3), expected (4, 6, 2, 3).
    Hint: (c_out, c_in, kh, kw) is nn.Conv2d's layout; ...
    """
    rng = np.random.default_rng(8)
    cases = [(rng.normal(size=(2, 3, 4, 6)),), (rng.normal(size=(4, 4, 3, 2)),)]
    return check_function(
        student_fn,
        lambda W: W.transpose(2, 3, 0, 1),
        cases,
        name="to_torch",
        variants=_WEIGHT_VARIANTS,
        describe=lambda n, args: f"to_torch(W) for W of shape {args[0].shape}",
        hint="axis by axis: which axis of (kh, kw, c_in, c_out // groups) goes first, second, third, fourth?",
        forbidden=[(to_torch_weight, "dl.channels.to_torch_weight")],
    )


@guarded
def check_layer_shape(answer, input_shape, kernel_size, c_out, stride=1, padding=0, output_padding=0, dilation=1):
    """Notebook 8: ``answer``, the NHWC output shape of a transposed-convolution layer.

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
    k_hat = effective_kernel(kernel_size, dilation)

    def size(i):
        return conv_transpose_output_size(i, kernel_size, stride, padding, output_padding, dilation)

    expected = (n, size(h), size(w), c_out)
    forward = tuple((i + 2 * padding - k_hat) // stride + 1 for i in (h, w))
    full = stride * (h - 1) + k_hat + output_padding
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
            (n, size(h) - output_padding, size(w) - output_padding, c_out) if output_padding else None,
            f"you left out output_padding: it adds {output_padding} row at the bottom and "
            f"{output_padding} column at the right, after padding's crop",
        ),
        (
            (n, h * stride, w * stride, c_out) if (h * stride, w * stride) != expected[1:3] else None,
            "s × i is the 'same' output; this kernel and padding give s·(i − 1) + k̂ − 2p + output_padding",
        ),
    ]
    hints = [(wrong, hint) for wrong, hint in hints if wrong is not None and wrong != expected]
    formula = f"o = {stride}·({h} − 1) + {k_hat} − 2·{padding} + {output_padding} = {expected[1]}"
    hint = "n stays, h and w each follow o = s·(i − 1) + k̂ − 2p + output_padding, and the channels become c_out"
    answer = tuple(answer) if isinstance(answer, list) else answer
    return check_value(answer, expected, hints=hints, explain=formula, hint=hint)


# --- notebook 9: one dimension ------------------------------------------------------


def _overlap_1d(i, k, s, p):
    """The reference: taps per output cell of a 1-D transposed convolution (no dilation)."""
    return overlap_count_1d(i, k, stride=s, padding=p)


def _full_overlap(i, k, s, p, extra=0):
    """Every stamp counted on the uncropped canvas, ``extra`` cells longer per stamp."""
    count = np.zeros(s * (i - 1) + k + extra, dtype=int)
    for n in range(i):
        count[n * s : n * s + k + extra] += 1
    return count


#: ``(i, k, s, p)``: even and uneven overlaps, a crop, and gaps (stride larger than the kernel).
_OVERLAP_1D_CASES = [(5, 3, 2, 0), (4, 4, 2, 1), (6, 3, 3, 1), (4, 5, 2, 2), (4, 2, 3, 0)]

_OVERLAP_1D_VARIANTS = [
    (
        lambda i, k, s, p: _full_overlap(i, k, s, p),
        "padding crops p cells from each end of the full result, which has s·(i − 1) + k cells.",
    ),
    (
        lambda i, k, s, p: _full_overlap(i, k, s, p)[p:],
        "the padding crops both ends, not only the start: p cells at each end.",
    ),
    (
        lambda i, k, s, p: _overlap_1d(i, k, 1, p),
        "input n stamps its copy at n·s: the stamps are s cells apart, not 1.",
    ),
    (
        lambda i, k, s, p: _full_overlap(i, k, s, p, extra=1)[p : s * (i - 1) + k - p],
        "a stamp covers k cells, n·s … n·s + k − 1 (in Python count[n*s : n*s + k]).",
    ),
    (
        lambda i, k, s, p: [k // s] * (s * (i - 1) + k - 2 * p),
        "k // s taps is the count far from the ends, and only when s divides k: near the ends the stamps "
        "of inputs that do not exist are missing. Count, cell by cell, the stamps that cover it.",
    ),
    (
        lambda i, k, s, p: np.minimum(_full_overlap(i, k, s, p), 1)[p : s * (i - 1) + k - p],
        "a cell can be covered by several stamps: add 1 for each stamp (+=), do not just set it.",
    ),
]


_overlap_shape_hint = shape_hint(
    "the output has s·(i − 1) + k − 2p cells: the full s·(i − 1) + k, cropped by p at each end.",
    "stamp n covers cells n·s … n·s + k − 1 of the full result; count them, then crop p at each end.",
)


def check_overlap_1d(student_fn):
    """Notebook 9: ``student_fn(i, k, s, p)``, how many kernel taps land on each output cell in 1-D.

    The answer (a list or an array of ``s·(i − 1) + k − 2p`` whole numbers)
    must equal :func:`deconvlib.overlap.overlap_count_1d`: the transposed
    convolution of ``i`` ones by ``k`` ones with stride ``s`` and padding
    ``p``. Typical slips (no crop, a crop at one end, stamps 1 apart, a
    stamp of ``k + 1`` cells, ``=`` instead of ``+=``) get their own hint.

    >>> def overlap(i, k, s, p):
    ...     count = np.zeros(s * (i - 1) + k, dtype=int)
    ...     for n in range(i):
    ...         count[n * s : n * s + k] += 1
    ...     return count[p : len(count) - p]
    >>> check_overlap_1d(overlap)
    ✓ Correct on all 5 cases.
    >>> print(check_overlap_1d(lambda i, k, s, p: _full_overlap(i, k, s, p)).message)
    overlap(4, 4, 2, 1) returned [1, 1, 2, 2, 2, 2, 2, 2, 1, 1], expected [1, 2, 2, 2, 2, 2, 2, 1]. Hint: ...
    """
    return check_function(
        student_fn,
        _overlap_1d,
        _OVERLAP_1D_CASES,
        name="overlap",
        variants=_OVERLAP_1D_VARIANTS,
        hint=_overlap_shape_hint,
        forbidden=[
            (overlap_count_1d, "dl.overlap.overlap_count_1d"),
            (overlap_count, "dl.overlap.overlap_count"),
            (stamps_1d, "dl.overlap.stamps_1d"),
            *_TRANSPOSE_ITSELF,
        ],
    )


# --- notebook 10: a U-Net's round trip ------------------------------------------------


def unet_levels(levels):
    """A U-Net of ``levels`` levels as :func:`deconvlib.doctor` layers: max pools (kernel 2, stride 2, floor)
    down, ``ConvTranspose2d(kernel 2, stride 2)`` up, and the pairs ``(down<n>, up<n>)``.

    >>> layers, pairs = unet_levels(2)
    >>> [layer["name"] for layer in layers], pairs
    (['down1', 'down2', 'up2', 'up1'], [('down1', 'up1'), ('down2', 'up2')])
    """
    down = [{"kind": "pool", "name": f"down{n}", "kernel": 2} for n in range(1, levels + 1)]
    up = [{"kind": "conv_transpose", "name": f"up{n}", "kernel": 2, "stride": 2} for n in range(levels, 0, -1)]
    return down + up, [(f"down{n}", f"up{n}") for n in range(1, levels + 1)]


def _round_trips(levels, low, high):
    """The sizes from ``low`` to ``high`` that come back through :func:`unet_levels`, by the doctor."""
    layers, pairs = unet_levels(levels)
    good = round_trip_sizes(parse_layers(layers, 2), pairs, 2, up_to=high)
    return [size for size in good if size >= low]


@guarded
def check_round_trip_sizes(answer, levels=3, low=90, high=110):
    """Notebook 10: the input sizes from ``low`` to ``high`` that a U-Net of ``levels`` levels gives back.

    Each level pools by 2 (PyTorch's floor) on the way down and doubles with
    a ``ConvTranspose2d(kernel 2, stride 2)`` on the way up (:func:`unet_levels`);
    a size comes back when every skip connection meets an up-sampled map of
    its own size. :func:`deconvlib.doctor` follows the stack for the answer.

    >>> check_round_trip_sizes({96, 104})
    ✓ Correct: the set of sizes that come back is [96, 104]. (2·2·2 = 8 divides them: 3 exact halvings)
    >>> print(check_round_trip_sizes({92, 96, 100, 104, 108}).message)
    Not quite: the set of sizes that come back got [92, 96, 100, 104, 108]. Hint: that is 2 levels' worth: ...
    """
    sizes = _round_trips(levels, low, high)
    if answer is Ellipsis or answer is None:
        return check_value(answer, sizes)
    given, problem = _whole_numbers(answer)
    if problem:
        return Verdict(False, f"Not quite: the set of sizes that come back got {short(answer)}. Hint: {problem}.")
    span = range(low, high + 1)
    factor = 2**levels
    hints = [
        (
            _round_trips(levels - 1, low, high),
            f"that is {levels - 1} levels' worth: with {levels}, the size the last pooling gets must be even too, "
            "or its floor drops a row",
        ),
        (
            [n for n in span if n % 2 == 0],
            "an even size survives the first pooling, but its half must be even too, and so on at every level: "
            "the floor of any pooling drops a row that no transposed layer gives back",
        ),
        (
            [n for n in span if n % (2 * levels) == 0],
            f"the halvings multiply: {levels} poolings by 2 divide by {'·'.join(['2'] * levels)}, not by 2·{levels}",
        ),
        (
            list(span),
            "a pooling of an odd size floors: 45 pools to 22, which comes back up as 44, not 45",
        ),
        ([], "some sizes do come back: those that every pooling halves exactly, with no floor"),
    ]
    explain = f"{'·'.join(['2'] * levels)} = {factor} divides them: {levels} exact halvings"
    hint = "follow one size down: a pooling floors an odd size, and the transposed layer doubles what is left"
    return check_value(given, sizes, hints, what="the set of sizes that come back", explain=explain, hint=hint)


# --- forward convolution and pooling -------------------------------------------------


#: ``(i, k, s, p, d)``: strides that leave rows over (the floor), padding, dilation, alone and together.
_CONV_SIZE_CASES = [
    (5, 3, 1, 0, 1),
    (5, 3, 2, 1, 1),
    (6, 3, 2, 1, 1),
    (7, 3, 1, 0, 2),
    (9, 3, 3, 1, 1),
    (8, 4, 3, 2, 1),
    (10, 3, 2, 0, 3),
]

_CONV_SIZE_VARIANTS = [
    (
        lambda i, k, s, p, op, d: s * i,
        "s × i is only what some layers give: count the cells the stamps cover (the last one starts at "
        "s·(i − 1) and spans k̂ cells), then what padding and output_padding do to the ends.",
    ),
    (
        lambda i, k, s, p, d: i // s,
        "a stride s divides the size only roughly: the window must fit inside the i + 2p padded cells, "
        "so count its positions, the first one and then one per whole step of s.",
    ),
    (
        lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) / s + 1,
        "the window only counts whole steps: round the division down, ⌊… / s⌋ (in Python, //).",
    ),
    (
        lambda i, k, s, p, d: -(-(i + 2 * p - d * (k - 1) - 1) // s) + 1,
        "round the division down, not up: a last step of the window that would run past the padded input is not taken.",
    ),
    (
        lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) // s,
        "+ 1 counts the first position of the window, before any step of s.",
    ),
    (
        lambda i, k, s, p, d: (i + p - d * (k - 1) - 1) // s + 1,
        "padding p goes on both sides: the padded input is i + 2p wide.",
    ),
    (
        lambda i, k, s, p, d: (i + 2 * p - k) // s + 1,
        "a dilated kernel spans k̂ = d·(k − 1) + 1 cells, not k.",
    ),
    (
        lambda i, k, s, p, d: s * (i - 1) + d * (k - 1) + 1 - 2 * p,
        "that is the transposed convolution's size, which goes up; the forward convolution shrinks: "
        "o = ⌊(i + 2p − k̂) / s⌋ + 1.",
    ),
]


def check_conv_output_size(student_fn):
    """Forward convolution: ``student_fn(i, k, s, p, d)``, the output size of a convolution along one axis.

    Right when it agrees with :func:`deconvlib.conv_output_size` on cases
    that cover strides which leave rows over, padding and dilation. A
    function that matches a typical wrong formula (no floor, no + 1, ``p``
    for ``2p``, ``k`` for ``k̂``, the transposed formula) gets that hint.

    >>> check_conv_output_size(lambda i, k, s, p, d: (i + 2 * p - d * (k - 1) - 1) // s + 1)
    ✓ Correct on all 7 cases.
    >>> print(check_conv_output_size(lambda i, k, s, p, d: (i + 2 * p - k) // s + 1).message)
    conv_out(7, 3, 1, 0, 2) returned 5, expected 3. Hint: a dilated kernel spans k̂ = d·(k − 1) + 1 cells, not k.
    """
    hint = "count the window's positions by hand on a strip of i + 2p cells: how many steps of s fit after the first?"
    return check_function(
        student_fn, conv_output_size, _CONV_SIZE_CASES, name="conv_out", variants=_CONV_SIZE_VARIANTS, hint=hint
    )


def _max_pool(X, k, stride, padding):
    """The reference: max pooling of a 2-D image with a ``k × k`` window."""
    return max_pool2d(np.asarray(X, dtype=float), k, stride=stride, padding=padding)


def _zero_padded_max(X, k, stride, padding):
    """A typical slip: padding with zeros, which win over negative values at the border."""
    grid = np.pad(np.asarray(X, dtype=float), padding)
    return max_pool2d(grid, k, stride=stride)


_MAX_POOL_VARIANTS = [
    (
        _zero_padded_max,
        "pad with −∞ (np.full(..., -np.inf)), not zeros: a padded 0 must never be the maximum of negative values.",
    ),
    (
        lambda X, k, stride, padding: _max_pool(X, k, 1, padding),
        "the window moves stride cells at a time: output (r, c) looks at rows r·stride … r·stride + k − 1.",
    ),
    (
        lambda X, k, stride, padding: avg_pool2d(np.asarray(X, dtype=float), k, stride=stride, padding=padding),
        "that is the mean of each window (average pooling); max pooling keeps the largest value.",
    ),
    (
        lambda X, k, stride, padding: _max_pool(X, k, k, padding),
        "the stride is its own parameter: it need not equal the window size.",
    ),
]


_max_pool_shape_hint = shape_hint(
    "the output has ⌊(h + 2p − k) / stride⌋ + 1 rows and ⌊(w + 2p − k) / stride⌋ + 1 columns.",
    "output (r, c) is the largest value in the k × k window whose top-left cell is (r·stride, c·stride).",
)


def check_max_pool(student_fn):
    """Pooling: ``student_fn(X, k, stride, padding)``, max pooling of a 2-D ``X`` with a ``k × k`` window.

    The result must equal :func:`deconvlib.max_pool2d` (padding with ``−∞``,
    PyTorch's rule). The cases hold negative values at the borders, so
    padding with zeros shows; typical slips (zero padding, no stride, the
    mean instead of the maximum) get their own hint, a wrong shape the
    output's size.

    >>> def max_pool(X, k, stride, padding):
    ...     grid = np.pad(X, padding, constant_values=-np.inf)
    ...     rows, cols = (grid.shape[0] - k) // stride + 1, (grid.shape[1] - k) // stride + 1
    ...     out = np.empty((rows, cols))
    ...     for r in range(rows):
    ...         for c in range(cols):
    ...             out[r, c] = grid[r * stride : r * stride + k, c * stride : c * stride + k].max()
    ...     return out
    >>> check_max_pool(max_pool)
    ✓ Correct on all 5 cases.
    """
    rng = np.random.default_rng(3)
    cases = [
        (rng.integers(-5, 6, (4, 4)).astype(float), 2, 2, 0),
        (rng.integers(-5, 6, (5, 5)).astype(float), 3, 1, 1),
        (rng.integers(-5, 6, (6, 5)).astype(float), 3, 2, 1),
        (-rng.integers(1, 6, (5, 5)).astype(float), 3, 2, 1),
        (rng.integers(-5, 6, (3, 4)).astype(float), 2, 1, 0),
    ]
    return check_function(
        student_fn,
        _max_pool,
        cases,
        name="max_pool",
        variants=_MAX_POOL_VARIANTS,
        hint=_max_pool_shape_hint,
        describe=lambda n, args: f"max_pool(X, k={args[1]}, stride={args[2]}, padding={args[3]}) for X {args[0].shape}",
        forbidden=[(max_pool2d, "dl.max_pool2d")],
    )


# Every checker takes ``strict=True`` and follows :class:`~deconvlib.course.checking.strict`: a wrong
# answer then raises AssertionError with its hint, so that a grading tool's test cell fails (tools/grading.py).
for _name in __all__:
    globals()[_name] = gradable(globals()[_name])
del _name
