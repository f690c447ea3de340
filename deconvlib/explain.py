"""Every sentence the course prints: step sums, captions, the guide's relationships.

Plain text (no HTML) computed from numbers and traces: nothing here draws, so
the words can be tested, reused by the figures (:mod:`deconvlib.viz`), the
explorers (:mod:`deconvlib.course`) and the command line, and read with numpy
alone.

- Numbers: :func:`format_value`, :func:`format_pair`.
- Stages: :func:`describe_pads`, :func:`describe_step`, :func:`describe`.
- The guide's shape arithmetic: :func:`relationship`, :func:`explain`
  (Dumoulin & Visin 2016, arXiv:1603.07285, relationships 1–15; pooling's 7).
- The forward convolution and pooling, one window at a time:
  :func:`describe_conv_step`, :func:`describe_pool_step`.
- The gallery: :func:`command`, :func:`parameter_text`, :func:`relationship_text`.
- Sentences the explorers also show: :func:`solve_padding_text`,
  :func:`overlap_verdict`, :func:`overlap_sentence`, :func:`stamps_caption`.
  The explorers' HTML captions, which read the checked numbers of a trace,
  are in :mod:`deconvlib.course.captions`.
"""

from dataclasses import replace
from fractions import Fraction

import numpy as np

from ._validate import is_one_of
from .arithmetic import axis_output, conv_transpose_output_size, dilated_kernel, effective_kernel, transpose_padding_for
from .cases import Case
from .errors import ParameterError
from .geometry import case_axes, sizes_geometry
from .overlap import is_uniform, overlap_pattern

__all__ = [
    "format_value",
    "format_pair",
    "format_shape",
    "describe_pads",
    "describe_step",
    "describe",
    "relationship",
    "explain",
    "command",
    "parameter_text",
    "relationship_text",
    "animation_alt_text",
    "format_values",
    "solve_padding_text",
    "overlap_verdict",
    "overlap_sentence",
    "stamps_caption",
    "format_runs",
    "describe_conv_step",
    "describe_pool_step",
]


def format_value(value):
    """Short text for a cell: integers without a decimal point, others to 3 digits; NaN is blank.

    Parameters
    ----------
    value : float

    Returns
    -------
    str

    See Also
    --------
    format_pair : For parameters.

    Examples
    --------
    >>> format_value(2.0), format_value(-0.5), format_value(1/3), format_value(float("nan"))
    ('2', '-0.5', '0.333', '')
    """
    value = float(value)
    if np.isnan(value):
        return ""
    if value.is_integer():
        return str(int(value))
    return f"{value:.3g}"


def describe_pads(pads):
    """How stage 2 changes the dilated grid, in words: ``(top, bottom, left, right)`` amounts.

    Parameters
    ----------
    pads : (int, int, int, int) or (int, int)
        Stage 2's amounts, :attr:`deconvlib.Trace.pads`: ``k̂ − 1 − p`` per
        side plus ``output_padding`` at the bottom/right; negative crops.
        In 1-D, ``(left, right)``.

    Returns
    -------
    str

    See Also
    --------
    padding_caption : The same amounts with the formula.

    Examples
    --------
    >>> describe_pads((2, 2, 2, 2))
    'padded by 2'
    >>> describe_pads((1, 2, 1, 2))
    'padded by 1 (+1 bottom/right)'
    >>> describe_pads((-1, 0, -1, 0))
    'cropped by 1 (+1 bottom/right)'
    >>> describe_pads((-1, -1, -1, -1))
    'cropped by 1'
    >>> describe_pads((0, 0, 0, 0))
    'no padding'
    >>> describe_pads((2, 3)), describe_pads((1, 0))
    ('padded by 2 (+1 right)', 'pads (left, right) (1, 0)')
    """

    def amount(n):
        return f"padded by {n}" if n > 0 else f"cropped by {-n}" if n < 0 else "unchanged"

    if len(pads) == 2:
        left, right = pads
        if not any(pads):
            return "no padding"
        if left == right:
            return amount(left)
        return f"{amount(left)} (+{right - left} right)" if right > left else f"pads (left, right) {tuple(pads)}"
    top, bottom, left, right = pads
    if not any(pads):
        return "no padding"
    if top == bottom == left == right:
        return amount(top)
    if (top, bottom) == (left, right) and bottom > top:
        return f"{amount(top)} (+{bottom - top} bottom/right)"
    return f"pads (top, bottom, left, right) {tuple(pads)}"


def describe_step(trace, index, max_terms=9):
    """The sum behind one output cell, written out: ``out(r, c) = x·w + … = value``.

    Terms are the window's values times the flipped kernel's, row by row;
    terms with a zero factor are left out (they are what dilation and padding
    add), and past ``max_terms`` the rest are summarised.

    Parameters
    ----------
    trace : Trace
        From :func:`deconvlib.trace`.
    index : int
        The step, ``0 <= index < trace.n_steps``.
    max_terms : int, default 9

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        For an index out of range (``parameter`` ``"index"``).

    See Also
    --------
    deconvlib.Trace.step : The numbers behind it.
    step_caption : The same for the explorers, as HTML.

    Notes
    -----
    ``out(y, x) = Σ_a Σ_b padded[y + a·d, x + b·d] · flipped[a, b]``: the
    third stage of a transposed convolution, a stride-1 sweep.

    Examples
    --------
    >>> from deconvlib import trace
    >>> t = trace(np.array([[1., 2.], [3., 4.]]), np.array([[1., 2.], [3., 4.]]))
    >>> describe_step(t, 0)
    'out(0, 0) = 1·1 = 1'
    >>> describe_step(t, 4)
    'out(1, 1) = 1·4 + 2·3 + 3·2 + 4·1 = 20'
    """
    return _sum_text(trace.step(index), trace.flipped, max_terms)


def _sum_text(step, weights, max_terms):
    """``out(r, c) = x·w + … = value`` for a step of a sweep with ``weights``; zero factors left out."""
    terms = [
        f"{format_value(x)}·{format_value(w)}"
        for x, w in zip(step.window.ravel(), weights.ravel())
        if x != 0 and w != 0
    ]
    if not terms:
        body = "0 (every product has a zero factor)"
        return f"out{step.out} = {body}"
    if len(terms) > max_terms:
        terms = terms[:max_terms] + [f"… ({len(terms) - max_terms} more)"]
    return f"out{step.out} = {' + '.join(terms)} = {format_value(step.value)}"


def describe_conv_step(trace, index, max_terms=9):
    """The sum behind one output cell of a forward convolution: ``out(r, c) = x·w + … = value``.

    As :func:`describe_step`, but the kernel is not flipped: the window's
    values times the kernel's as they are, row by row; products with a zero
    factor (padding, a zero weight) are left out.

    Parameters
    ----------
    trace : ConvTrace
        From :func:`deconvlib.trace.trace_conv`.
    index : int
        The step, ``0 <= index < trace.n_steps``.
    max_terms : int, default 9

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        For an index out of range (``parameter`` ``"index"``).

    See Also
    --------
    describe_step : The transposed convolution's, with the flipped kernel.

    Notes
    -----
    ``out(y, x) = Σ_a Σ_b padded[y·s + a·d, x·s + b·d] · W[a, b]``: the
    window starts ``s`` cells further for each output cell.

    Examples
    --------
    >>> from deconvlib.trace import trace_conv
    >>> t = trace_conv(np.array([[1., 2.], [3., 4.]]), np.array([[1., 2.], [3., 4.]]), padding=1)
    >>> describe_conv_step(t, 0)
    'out(0, 0) = 1·4 = 4'
    >>> describe_conv_step(t, 4)
    'out(1, 1) = 1·1 + 2·2 + 3·3 + 4·4 = 30'
    """
    return _sum_text(trace.step(index), trace.kernel, max_terms)


def describe_pool_step(trace, index, max_terms=25):
    """The window behind one output cell of pooling: ``out(r, c) = max(…) = v`` or ``mean(…) = v``.

    Max pooling lists the input cells under the window (padding, ``−∞``, is
    never the maximum, so it is left out); average pooling lists every cell,
    padding as 0, because PyTorch divides by the whole window.

    Parameters
    ----------
    trace : PoolTrace
        From :func:`deconvlib.trace.trace_pool`.
    index : int
        The step, ``0 <= index < trace.n_steps``.
    max_terms : int, default 25
        Past this many values, the rest are summarised.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        For an index out of range (``parameter`` ``"index"``).

    See Also
    --------
    describe_conv_step : The same window with weights.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, chapter 3 (figures 1.5 and 1.6).

    Examples
    --------
    >>> from deconvlib.trace import trace_pool
    >>> X = np.array([[3, 3, 2, 1], [0, 0, 1, 3], [3, 1, 2, 2]])
    >>> describe_pool_step(trace_pool(X, 3, stride=1), 1)
    'out(0, 1) = max(3, 2, 1, 0, 1, 3, 1, 2, 2) = 3'
    >>> describe_pool_step(trace_pool(X, 3, stride=1, mode="avg"), 0)
    'out(0, 0) = mean(3, 3, 2, 0, 0, 1, 3, 1, 2) = 15 / 9 = 1.67'
    >>> describe_pool_step(trace_pool(X, 2, padding=1), 0)
    'out(0, 0) = max(3) = 3'
    """
    step = trace.step(index)
    values = step.window.ravel()
    shown = values[np.isfinite(values)] if trace.mode == "max" else values
    terms = [format_value(v) for v in shown]
    if len(terms) > max_terms:
        terms = terms[:max_terms] + [f"… ({len(terms) - max_terms} more)"]
    if trace.mode == "max":
        return f"out{step.out} = max({', '.join(terms)}) = {format_value(step.value)}"
    total = format_value(values.sum())
    return f"out{step.out} = mean({', '.join(terms)}) = {total} / {values.size} = {format_value(step.value)}"


def format_pair(value, sep=","):
    """An int, or a tuple collapsed to one number when its entries are equal.

    Parameters
    ----------
    value : int or tuple of int
    sep : str, default ","
        Between the entries of a tuple that does not collapse.

    Returns
    -------
    str

    Examples
    --------
    >>> format_pair(2), format_pair((2, 2)), format_pair((2, 1)), format_pair((0, 1, 0, 1), sep=", ")
    ('2', '2', '2,1', '0, 1, 0, 1')
    """
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(set(values)) == 1:
        return str(values[0])
    return sep.join(map(str, values))


def format_values(values):
    """A case's input numbers as ``--values`` takes them: entries joined by ``,``, rows by ``/``.

    Parameters
    ----------
    values : sequence of numbers, or sequence of rows
        1-D or 2-D.

    Returns
    -------
    str

    Examples
    --------
    >>> format_values(((3, 3, 2), (0, 0, 1))), format_values((1, 0.5, 2))
    ('3,3,2/0,0,1', '1,0.5,2')
    """
    rows = np.atleast_2d(np.asarray(values, dtype=float))
    return "/".join(",".join(format_value(v) for v in row) for row in rows)


def command(case):
    """The ``python -m deconvlib animate`` line that draws ``case`` alone.

    Parameters
    ----------
    case : Case
        A :class:`~deconvlib.cases.Case`.

    Returns
    -------
    str
        Flags at their default values are left out, except a pooling case's
        ``--stride`` (PyTorch's default stride is the window, the command
        line's is 1). ``--dims 1`` for a 1-D case, ``--pool`` for pooling,
        and ``--values`` (and ``--weights``) with the case's numbers when it has them.

    See Also
    --------
    deconvlib.cli.main : Runs it.

    Examples
    --------
    >>> from deconvlib.cases import GALLERY, find_case
    >>> print(command(find_case("padding_strides_odd_transposed")))
    python -m deconvlib animate --transposed --input 3 --kernel 3 --stride 2 --padding 1 --output-padding 1
    -o padding_strides_odd_transposed.gif
    >>> print(command(find_case("1d_kernel3_stride2_transposed", GALLERY)))
    python -m deconvlib animate --dims 1 --transposed --input 5 --kernel 3 --stride 2 --values 1,1,1,1,1
    -o 1d_kernel3_stride2_transposed.gif
    >>> command(find_case("numerical_max_pooling", GALLERY))[:79]
    'python -m deconvlib animate --pool max --input 5 --kernel 3 --stride 1 --values'
    """
    parts = ["python -m deconvlib animate"] + ([f"--dims {case.dims}"] if case.dims != 2 else [])
    parts += ["--transposed"] if case.transposed else []
    parts += [f"--pool {case.pooling}"] if case.pooling else []
    parts += [f"--input {format_pair(case.input_size)}", f"--kernel {format_pair(case.kernel_size)}"]
    for flag, value, default in (
        ("--stride", case.stride, None if case.pooling else 1),
        ("--padding", case.padding, 0),
        ("--output-padding", case.output_padding, 0),
        ("--dilation", case.dilation, 1),
    ):
        if value != default:
            parts.append(f"{flag} {format_pair(value)}")
    if case.values is not None:
        parts.append(f"--values {format_values(case.values)}")
    if case.weights is not None:
        parts.append(f"--weights {format_values(case.weights)}")
    return " ".join(parts + [f"-o {case.name}.gif"])


def format_shape(shape):
    """``rows×cols``.

    Parameters
    ----------
    shape : tuple of int
        Its first two entries are used.

    Returns
    -------
    str

    Examples
    --------
    >>> format_shape((3, 4))
    '3×4'
    """
    if not np.iterable(shape) or len(shape) < 2:
        raise ParameterError(f"shape must have at least two entries (rows, cols), got {shape!r}", parameter="shape")
    return f"{shape[0]}×{shape[1]}"


def _pair_text(pair):
    text = format_pair(pair, sep=", ")
    return f"({text})" if "," in text else text


def describe(t):
    """One line of parameters for a trace, as a figure title or an index entry.

    Parameters
    ----------
    t : Trace, ConvTrace or PoolTrace

    Returns
    -------
    str
        Output padding and dilation appear only when they are not the default;
        a 1-D trace (``t.dims == 1``) gives one number per size.

    See Also
    --------
    parameter_text : The same for a :class:`~deconvlib.cases.Case`.

    Examples
    --------
    >>> from deconvlib.trace import case_trace
    >>> describe(case_trace(True, 2, 3))
    'transposed conv: input 2×2, kernel 3×3, stride 1, padding 0 → output 4×4'
    >>> describe(case_trace(True, 5, 3, stride=2, dims=1))
    '1-D transposed conv: input 5, kernel 3, stride 2, padding 0 → output 11'
    >>> describe(case_trace(False, 5, 3, pooling="max"))
    'max pooling: input 5×5, window 3×3, stride 1, padding 0 → output 3×3'
    """
    transposed = hasattr(t, "output_padding")
    one_d = getattr(t, "dims", 2) == 1
    top, bottom, left, right = t.padding
    if one_d:
        padding = str(left) if left == right else f"({left}, {right})"
    else:
        padding = (
            str(top)
            if len({top, bottom, left, right}) == 1
            else (f"({top}, {left})" if (top, left) == (bottom, right) else f"({top}, {bottom}, {left}, {right})")
        )
    shape = (lambda a: str(a[1])) if one_d else format_shape
    pair = (lambda a: str(a[1])) if one_d else _pair_text
    pooling = getattr(t, "mode", None)
    parts = [
        f"input {shape(t.input.shape)}",
        f"window {shape(t.kernel_shape)}" if pooling else f"kernel {shape(t.kernel.shape)}",
        f"stride {pair(t.stride)}",
        f"padding {padding}",
    ]
    if transposed and any(t.output_padding):
        parts.append(f"output_padding {pair(t.output_padding)}")
    if any(d > 1 for d in t.dilation):
        parts.append(f"dilation {pair(t.dilation)}")
    kind = {"max": "max pooling", "avg": "average pooling"}.get(pooling) or (
        "transposed conv" if transposed else "conv"
    )
    return f"{'1-D ' if one_d else ''}{kind}: {', '.join(parts)} → output {shape(t.output.shape)}"


def solve_padding_text(size, kernel_size, target, stride=1, dilation=1):
    """The solver's answer in words: padding and output_padding for ``target``, or why there is none.

    Parameters
    ----------
    size, kernel_size, target : int
        Input size, kernel size, output size wanted.
    stride, dilation : int, default 1

    Returns
    -------
    str
        The check ``s·(i − 1) + k̂ − 2p + output_padding = target ✓``, or the
        solver's message after ``⚠``.

    See Also
    --------
    deconvlib.transpose_padding_for : The solver.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationship 14.

    Examples
    --------
    >>> solve_padding_text(32, 3, 64, stride=2)
    'padding=1, output_padding=1: 2·(32 − 1) + 3 − 2·1 + 1 = 64 ✓'
    >>> solve_padding_text(4, 3, 20, stride=2)[:40]
    '⚠ target 20 is out of reach: the largest'
    """
    try:
        p, op = transpose_padding_for(size, kernel_size, target, stride=stride, dilation=dilation)
    except ValueError as error:
        return f"⚠ {error}"
    k_hat = effective_kernel(kernel_size, dilation)
    o = conv_transpose_output_size(size, kernel_size, stride=stride, padding=p, output_padding=op, dilation=dilation)
    return f"padding={p}, output_padding={op}: {stride}·({size} − 1) + {k_hat} − 2·{p} + {op} = {o} ✓"


def overlap_verdict(kernel_size, stride, dilation=1):
    """One line on the overlap pattern: even, or uneven and why.

    Parameters
    ----------
    kernel_size, stride : int
    dilation : int, default 1

    Returns
    -------
    str

    See Also
    --------
    deconvlib.overlap.overlap_pattern : The counts it reads.

    Notes
    -----
    Away from the borders, output row ``y`` gets one copy per tap ``a`` with
    ``a·d ≡ y (mod s)``; the counts are even exactly when every residue gets
    as many taps, i.e. ``s`` divides ``k`` when ``d = 1``.

    References
    ----------
    Odena, Dumoulin & Olah (2016), "Deconvolution and Checkerboard Artifacts",
    Distill, doi:10.23915/distill.00003.

    Examples
    --------
    >>> overlap_verdict(3, 2)
    'k=3, s=2: copies per output pixel repeat 2, 1 along each axis → uneven: a checkerboard'
    >>> overlap_verdict(4, 2)
    'k=4, s=2: copies per output pixel repeat 2, 2 along each axis → even (s divides k)'
    """
    pattern = overlap_pattern(kernel_size, stride, dilation)
    counts = ", ".join(str(int(c)) for c in pattern)
    d = f", d={dilation}" if dilation != 1 else ""
    head = f"k={kernel_size}, s={stride}{d}: copies per output pixel repeat {counts} along each axis → "
    if pattern.min() == pattern.max():
        return head + ("even (s divides k)" if dilation == 1 else "even")
    if pattern.min() == 0:
        return head + "some pixels get no copy at all: holes"
    return head + "uneven: a checkerboard"


def format_runs(values, edge=5):
    """``1, 1, 2, 1, 2, …, 1, 1``: a long list of counts written by its ends.

    Parameters
    ----------
    values : sequence of int
    edge : int, default 5
        How many to keep at each end of a long list.

    Returns
    -------
    str

    Examples
    --------
    >>> format_runs([1, 1, 2, 1, 1])
    '1, 1, 2, 1, 1'
    >>> format_runs([1] + [2] * 20 + [1], edge=3)
    '1, 2, 2, …, 2, 2, 1'
    """
    text = [str(int(v)) for v in values]
    if len(text) <= 2 * edge + 6:
        return ", ".join(text)
    return ", ".join(text[:edge]) + ", …, " + ", ".join(text[-edge:])


def overlap_sentence(kernel_size, stride, dilation=1):
    """Away from the ends, how many taps land on each output cell of a 1-D transposed convolution.

    Parameters
    ----------
    kernel_size, stride : int
    dilation : int, default 1

    Returns
    -------
    str
        The period of the counts, and whether they are even, uneven, or leave holes.

    See Also
    --------
    overlap_verdict : The same verdict in the 2-D notebook's words.

    Examples
    --------
    >>> overlap_sentence(3, 2)
    'inside, the counts repeat 2, 1 with period s = 2: uneven, because s = 2 does not divide k = 3'
    >>> overlap_sentence(4, 2)
    'inside, every cell gets 2 taps: even, because s = 2 divides k = 4'
    >>> overlap_sentence(3, 2, dilation=2)
    'inside, the counts repeat 3, 0 with period s = 2: some cells get no tap at all (holes)'
    """
    k, s, d = kernel_size, stride, dilation
    pattern = overlap_pattern(k, s, d)
    if is_uniform(k, s, d):
        why = f"s = {s} divides k = {k}" if d == 1 else f"the {k} taps, {d} apart, fall on every residue mod {s} alike"
        taps = int(pattern[0])
        return f"inside, every cell gets {taps} tap{'' if taps == 1 else 's'}: even, because {why}"
    period = f"inside, the counts repeat {', '.join(str(int(c)) for c in pattern)} with period s = {s}"
    if pattern.min() == 0:
        return f"{period}: some cells get no tap at all (holes)"
    why = f"s = {s} does not divide k = {k}"
    if d > 1:
        why = f"the taps, {d} apart, fall on the residues mod {s} unevenly"
    return f"{period}: uneven, because {why}"


def stamps_caption(size, kernel_size, stride, padding, dilation=1, counts=None):
    """The 1-D output size written out, and the taps each output cell gets.

    Parameters
    ----------
    size, kernel_size, stride, padding : int
    dilation : int, default 1
    counts : sequence of int, optional
        Taps per output cell (:func:`deconvlib.overlap.overlap_count_1d`);
        without them the caption is the formula alone.

    Returns
    -------
    str

    Examples
    --------
    >>> stamps_caption(4, 3, 2, 0)
    'o = s·(i − 1) + d·(k − 1) + 1 − 2p = 2·(4 − 1) + 1·(3 − 1) + 1 − 2·0'
    >>> stamps_caption(4, 3, 2, 0, counts=[1, 1, 2, 1, 2, 1, 2, 1, 1]).split(" = ")[-1]
    '9 cells; taps per cell: 1, 1, 2, 1, 2, 1, 2, 1, 1'
    """
    i, k, s, p, d = size, kernel_size, stride, padding, dilation
    formula = f"o = s·(i − 1) + d·(k − 1) + 1 − 2p = {s}·({i} − 1) + {d}·({k} − 1) + 1 − 2·{p}"
    if counts is None:
        return formula
    n = len(counts)
    return f"{formula} = {n} cell{'' if n == 1 else 's'}; taps per cell: {format_runs(counts)}"


def parameter_text(case):
    """One line of a case's parameters and output size, for the gallery's index.

    Parameters
    ----------
    case : Case
        A :class:`~deconvlib.cases.Case`.

    Returns
    -------
    str

    See Also
    --------
    describe : The same for a trace.
    command : The command line that draws the case.

    Examples
    --------
    >>> from deconvlib.cases import GALLERY, find_case
    >>> parameter_text(find_case("dilation_strides_transposed"))
    'i=3, k=3, s=2, p=1, output_padding=0, d=2 → o=7×7'
    >>> parameter_text(find_case("numerical_max_pooling", GALLERY))
    'max pooling, i=5, k=3, s=1, p=0 → o=3×3'
    >>> parameter_text(find_case("1d_kernel3_stride2_transposed", GALLERY))
    '1-D, i=5, k=3, s=2, p=0, output_padding=0 → o=11'
    """
    parts = [{"max": "max pooling", "avg": "average pooling"}[case.pooling]] if case.pooling else []
    parts += ["1-D"] if case.dims == 1 else []
    parts += [
        f"i={format_pair(case.input_size)}",
        f"k={format_pair(case.kernel_size)}",
        f"s={format_pair(case.stride)}",
        f"p={format_pair(case.padding)}",
    ]
    if case.transposed:
        parts.append(f"output_padding={format_pair(case.output_padding)}")
    if case.dilation != 1:
        parts.append(f"d={format_pair(case.dilation)}")
    return ", ".join(parts) + f" → o={_size_text(case.output_size)}"


def animation_alt_text(case):
    """A gallery GIF in words, for its alt text: what is drawn, the sizes, and what each frame shows.

    Parameters
    ----------
    case : Case
        A :class:`~deconvlib.cases.Case`; the sentence is read from its
        parameters, as the GIF is drawn from them.

    Returns
    -------
    str

    See Also
    --------
    parameter_text : The parameters on one line.

    Examples
    --------
    >>> from deconvlib.cases import GALLERY, find_case
    >>> print(animation_alt_text(find_case("padding_strides_transposed", GALLERY)))
    Animation of a transposed convolution, 25 frames: input 3×3, kernel 3×3, stride 2, padding 1, \
output_padding 0, output 5×5. Each frame outlines the kernel window on the grid and writes one output cell, \
the sum of the window's products.
    >>> animation_alt_text(find_case("numerical_max_pooling", GALLERY)).split(". ")[1]
    'Each frame outlines the window on the input and writes one output cell, the largest value under it.'
    """
    kind = (
        {"max": "max pooling", "avg": "average pooling"}[case.pooling]
        if case.pooling
        else ("a transposed convolution" if case.transposed else "a convolution")
    )
    window = "window" if case.pooling else "kernel"
    sizes = [
        f"input {_size_text(_per_axis(case.input_size, case.dims))}",
        f"{window} {_size_text(_per_axis(case.kernel_size, case.dims))}",
    ]
    sizes += [f"stride {format_pair(case.stride)}", f"padding {format_pair(case.padding)}"]
    if case.transposed:
        sizes.append(f"output_padding {format_pair(case.output_padding)}")
    if case.dilation != 1:
        sizes.append(f"dilation {format_pair(case.dilation)}")
    sizes.append(f"output {_size_text(case.output_size)}")
    if case.parameters.get("values") is not None:
        sizes.append("every cell showing its number")
    if case.dims == 1 and not case.pooling:
        kind = kind.replace("a ", "a one-dimensional ", 1)
    what = {
        "max": "window on the input and writes one output cell, the largest value under it",
        "avg": "window on the input and writes one output cell, the mean of the values under it",
    }.get(case.pooling, "kernel window on the grid and writes one output cell, the sum of the window's products")
    return (
        f"Animation of {kind}, {case.n_frames} frame{'' if case.n_frames == 1 else 's'}: {', '.join(sizes)}. "
        f"Each frame outlines the {what}."
    )


def _per_axis(value, dims):
    """A size as a tuple per axis: an int stands for every axis."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims


def _size_text(sizes):
    """``rows×cols``, or one number in 1-D."""
    return "×".join(str(size) for size in sizes)


def relationship_text(case):
    """The guide's relationship that gives a case's output size, as a caption.

    Parameters
    ----------
    case : Case
        A :class:`~deconvlib.cases.Case` (pooling too).

    Returns
    -------
    str
        ``"relationship N, <the guide's name>: <formula>"``; the axes' joined
        by ``"; "`` when they differ.

    See Also
    --------
    relationship : The numbers behind it.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 1–15.

    Examples
    --------
    >>> from deconvlib.cases import GALLERY, find_case
    >>> relationship_text(find_case("numerical_average_pooling", GALLERY))
    'relationship 7, average pooling: o = ⌊(i − k) / s⌋ + 1'
    >>> relationship_text(find_case("padding_strides_transposed"))
    'relationship 13, zero padding, non-unit strides, transposed: o′ = s(i′ − 1) + k − 2p'
    """
    relations = relationship(**case.sizes, pooling=case.pooling)
    return "; ".join(f"relationship {n}, {name}: {formula}" for n, name, formula in dict.fromkeys(relations))


# --- the guide's relationships ---------------------------------------------------


def _axis_relationship(transposed, i, k, s, before, after, a, d):
    p = Fraction(before + after, 2)  # exact: padding may be any size
    if not transposed:
        if d > 1:
            return 15, "dilated convolution", "o = ⌊(i + 2p − k − (k − 1)(d − 1)) / s⌋ + 1"
        if s == 1:
            if p == 0:
                return 1, "no zero padding, unit strides", "o = (i − k) + 1"
            if k % 2 == 1 and p == k // 2:
                return 3, "half (same) padding, unit strides", "o = i"
            if p == k - 1:
                return 4, "full padding, unit strides", "o = i + (k − 1)"
            return 2, "zero padding, unit strides", "o = (i − k) + 2p + 1"
        if p == 0:
            return 5, "no zero padding, non-unit strides", "o = ⌊(i − k) / s⌋ + 1"
        return 6, "zero padding, non-unit strides", "o = ⌊(i + 2p − k) / s⌋ + 1"
    if d > 1:
        return (
            14,
            (
                "transposed and dilated: the guide covers dilation only forward (relationship 15); "
                "relationship 14 holds with the dilated kernel k̂ = d(k − 1) + 1 in place of k"
            ),
            "o′ = s(i′ − 1) + a + k̂ − 2p",
        )
    if s == 1:
        if p == 0:
            return 8, "no zero padding, unit strides, transposed", "o′ = i′ + (k − 1)"
        if k % 2 == 1 and p == k // 2:
            return 10, "half (same) padding, transposed", "o′ = i′"
        if p == k - 1:
            return 11, "full padding, transposed", "o′ = i′ − (k − 1)"
        return 9, "zero padding, unit strides, transposed", "o′ = i′ + (k − 1) − 2p"
    if a:
        return (
            14,
            "zero padding, non-unit strides, transposed (the odd case, a = output_padding)",
            "o′ = s(i′ − 1) + a + k − 2p",
        )
    if p == 0:
        return 12, "no zero padding, non-unit strides, transposed", "o′ = s(i′ − 1) + k"
    return 13, "zero padding, non-unit strides, transposed", "o′ = s(i′ − 1) + k − 2p"


def _pooling_relationship(pooling, i, k, s, before, after, a, d):
    number, _, formula = _axis_relationship(False, i, k, s, before, after, 0, d)
    name = {"max": "max pooling", "avg": "average pooling"}[pooling]
    if before == after == 0 and d == 1:
        return 7, name, "o = ⌊(i − k) / s⌋ + 1"
    how = "padded" if d == 1 else "dilated" if before == after == 0 else "padded and dilated"
    return 7, f"{name}, {how}: the convolution's formula (relationship {number})", formula


def _check_pooling(pooling, transposed, axes):
    """Refuse what PyTorch's pooling refuses: a transposed form, output_padding, padding over half the window."""
    if not is_one_of(pooling, ("max", "avg")):
        raise ParameterError(f"pooling must be None, 'max' or 'avg', got {pooling!r}", parameter="pooling")
    if transposed:
        raise ParameterError("pooling has no transposed form, got transposed=True", parameter="transposed")
    for axis in axes:
        if axis.a:
            raise ParameterError(
                f"output_padding applies to a transposed convolution only, got output_padding={axis.a} "
                f"with pooling={pooling!r}",
                parameter="output_padding",
            )
        if max(axis.before, axis.after) > axis.k // 2:
            raise ParameterError(
                f"padding must be at most half the window (PyTorch's rule), got padding "
                f"{axis.before}, {axis.after} with a window of {axis.k}",
                parameter="padding",
            )
        if pooling == "avg" and axis.d > 1:
            raise ParameterError(f"dilation applies to max pooling only, got dilation={axis.d}", parameter="dilation")


def relationship(
    transposed=False,
    input_size=4,
    kernel_size=3,
    stride=1,
    padding=0,
    output_padding=0,
    dilation=1,
    pooling=None,
    dims=2,
):
    """The guide's relationship for each axis: ``[(number, name, formula), ...]`` (rows, cols).

    Parameters
    ----------
    transposed : bool, default False
    input_size, kernel_size : int or (int, int), default 4 and 3
    stride, dilation : int or (int, int), default 1
    padding : int, (rows, cols) or (top, bottom, left, right), default 0
    output_padding : int or (int, int), default 0
        Transposed only.
    pooling : {None, "max", "avg"}, default None
        A pooling window of ``kernel_size`` instead of a convolution
        (relationship 7); forward only, padding at most half the window.
    dims : {2, 1}, default 2
        1: a 1-D case, each size one integer (``padding`` ``p`` or
        ``(left, right)``).

    Returns
    -------
    list of (int, str, str)
        For rows then columns (one entry in 1-D): the relationship's number
        (1–15), the guide's name for the case, and its formula.

    Raises
    ------
    ParameterError
        Naming the parameter, when the case is impossible.

    See Also
    --------
    explain : The whole arithmetic, in words.

    Notes
    -----
    Forward: 1–6 by padding (none, some, half, full) and stride, 15 with
    dilation. Transposed: 8–13 likewise, 14 when ``output_padding`` (the
    guide's ``a``) is not 0 or the kernel is dilated (with ``k̂`` for ``k``).
    Uneven padding is read as ``2p = p_before + p_after``. Pooling is 7,
    ``o = ⌊(i − k) / s⌋ + 1``; padded or dilated, a window's size follows
    the convolution's formula (6 or 15).

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 1–15.

    Examples
    --------
    >>> relationship(True, 2, 3)[0][:2]
    (8, 'no zero padding, unit strides, transposed')
    >>> [r[0] for r in relationship(True, 3, 3, stride=2, padding=1, output_padding=(1, 0))]
    [14, 13]
    >>> relationship(False, 5, 3, pooling="max")[0]
    (7, 'max pooling', 'o = ⌊(i − k) / s⌋ + 1')
    >>> relationship(False, 5, 3, stride=2, padding=1, pooling="avg")[0]
    (7, "average pooling, padded: the convolution's formula (relationship 6)", 'o = ⌊(i + 2p − k) / s⌋ + 1')
    >>> relationship(True, 5, 3, stride=2, dims=1)
    [(12, 'no zero padding, non-unit strides, transposed', 'o′ = s(i′ − 1) + k')]
    """
    axes = case_axes(input_size, kernel_size, stride, padding, output_padding, dilation, dims)
    if pooling is not None:
        _check_pooling(pooling, transposed, axes)
    for axis in axes:
        axis_output(transposed, *axis)  # raises, naming the parameter, if the case is impossible
    if pooling is not None:
        return [_pooling_relationship(pooling, *axis) for axis in axes]
    return [_axis_relationship(transposed, *axis) for axis in axes]


def _explain_axis(transposed, axis, window="kernel", cells="row(s)/column(s)"):
    i, k, s, before, after, a, d = axis
    o = axis_output(transposed, *axis)
    ek = dilated_kernel(k, d)
    lines = [
        f"1. dilated {window:<9}k̂ = d·(k − 1) + 1 = {d}·({k} − 1) + 1 = {ek}"
        + ("" if d > 1 else "  (no dilation: k̂ = k)")
    ]
    p_text = f"p = {before}" if before == after else f"p = {before} before, {after} after"
    if not transposed:
        padded = i + before + after
        left = axis.leftover
        lines += [
            f"2. padded input     i + p_before + p_after = {i} + {before} + {after} = {padded}",
            f"3. output           ⌊(padded − k̂) / s⌋ + 1 = ⌊({padded} − {ek}) / {s}⌋ + 1 = {o} {window} positions"
            + (f"  ({left} {cells} at the end never covered)" if left else ""),
        ]
        return lines, o, f"i = {i}, k = {k}, s = {s}, {p_text}, d = {d}"
    dilated = s * (i - 1) + 1
    sweep_before, sweep_after = ek - 1 - before, ek - 1 - after
    padded = dilated + sweep_before + sweep_after + a
    crop = " (negative: crops)" if min(sweep_before, sweep_after) < 0 else ""
    lines += [
        f"2. zeros inserted   s·(i′ − 1) + 1 = {s}·({i} − 1) + 1 = {dilated}  ({s - 1} zero(s) between neighbours)",
        f"3. padded grid      + (k̂ − 1 − p) on each side + a at the end = {dilated} + {sweep_before} + "
        f"{sweep_after} + {a} = {padded}{crop}",
        f"4. output           padded − k̂ + 1 = {padded} − {ek} + 1 = {o} positions of a stride-1 sweep",
        f"                    = s·(i′ − 1) + a + k̂ − p_before − p_after = {s}·{i - 1} + {a} + {ek} − {before} − "
        f"{after} = {o}",
    ]
    return lines, o, f"i′ = {i}, k = {k}, s = {s}, {p_text}, output_padding a = {a}, d = {d}"


def explain(
    transposed=False,
    input_size=4,
    kernel_size=3,
    stride=1,
    padding=0,
    output_padding=0,
    dilation=1,
    pooling=None,
    dims=2,
):
    """The shape arithmetic of one case, step by step, as text.

    Dilated kernel, (for a transposed convolution) the input with zeros
    inserted, the padded grid, the output size, the guide's relationship
    that gives it, and the twin that maps the output back.

    Parameters
    ----------
    transposed : bool, default False
    input_size, kernel_size : int or (int, int), default 4 and 3
    stride, dilation : int or (int, int), default 1
    padding : int, (rows, cols) or (top, bottom, left, right), default 0
    output_padding : int or (int, int), default 0
        Transposed only.
    pooling : {None, "max", "avg"}, default None
        Explain a pooling window of ``kernel_size`` instead (relationship 7).
    dims : {2, 1}, default 2
        1: a 1-D case (PyTorch's ``conv1d`` / ``conv_transpose1d``), each
        size one integer, ``padding`` ``p`` or ``(left, right)``: one axis.

    Returns
    -------
    str
        Several lines; one block for both axes when they are alike (one
        axis in 1-D).

    Raises
    ------
    ParameterError
        Naming the parameter, when the case is impossible.

    See Also
    --------
    relationship : The guide's relationship alone.
    deconvlib.cli.main : ``python -m deconvlib explain`` prints it.

    Notes
    -----
    Forward: ``o = ⌊(i + p_before + p_after − k̂) / s⌋ + 1``. Transposed: the
    input dilated to ``s·(i′ − 1) + 1``, padded by ``k̂ − 1 − p`` per side and
    ``a`` at the end, swept with stride 1:
    ``o′ = s·(i′ − 1) + a + k̂ − p_before − p_after``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 1–15.

    Examples
    --------

    >>> print(explain(True, 3, 3, stride=2, padding=1, output_padding=1))  # doctest: +ELLIPSIS
    Transposed convolution, rows and columns alike: i′ = 3, k = 3, s = 2, p = 1, output_padding a = 1, d = 1
    1. dilated kernel   k̂ = d·(k − 1) + 1 = 1·(3 − 1) + 1 = 3  (no dilation: k̂ = k)
    2. zeros inserted   s·(i′ − 1) + 1 = 2·(3 − 1) + 1 = 5  (1 zero(s) between neighbours)
    3. padded grid      + (k̂ − 1 − p) on each side + a at the end = 5 + 1 + 1 + 1 = 8
    4. output           padded − k̂ + 1 = 8 − 3 + 1 = 6 positions of a stride-1 sweep
                        = s·(i′ − 1) + a + k̂ − p_before − p_after = 2·2 + 1 + 3 − 1 − 1 = 6
    Output: 6×6
    Guide: relationship 14, zero padding, non-unit strides, transposed (the odd case, a = output_padding):
    o′ = s(i′ − 1) + a + k − 2p
    Back: the convolution with the same k, s, p, d maps 6×6 to 3×3 (relationship 6).
    >>> print(explain(input_size=5, kernel_size=3, stride=1, pooling="max"))
    Max pooling, rows and columns alike: i = 5, k = 3, s = 1, p = 0, d = 1
    1. dilated window   k̂ = d·(k − 1) + 1 = 1·(3 − 1) + 1 = 3  (no dilation: k̂ = k)
    2. padded input     i + p_before + p_after = 5 + 0 + 0 = 5
    3. output           ⌊(padded − k̂) / s⌋ + 1 = ⌊(5 − 3) / 1⌋ + 1 = 3 window positions
    Output: 3×3
    Guide: relationship 7, max pooling: o = ⌊(i − k) / s⌋ + 1
    Each output cell is the largest of the 3×3 input cells under its window (padding is −∞, never the largest).
    >>> print(explain(True, 5, 3, stride=2, dims=1))
    Transposed convolution in 1-D: i′ = 5, k = 3, s = 2, p = 0, output_padding a = 0, d = 1
    1. dilated kernel   k̂ = d·(k − 1) + 1 = 1·(3 − 1) + 1 = 3  (no dilation: k̂ = k)
    2. zeros inserted   s·(i′ − 1) + 1 = 2·(5 − 1) + 1 = 9  (1 zero(s) between neighbours)
    3. padded grid      + (k̂ − 1 − p) on each side + a at the end = 9 + 2 + 2 + 0 = 13
    4. output           padded − k̂ + 1 = 13 − 3 + 1 = 11 positions of a stride-1 sweep
                        = s·(i′ − 1) + a + k̂ − p_before − p_after = 2·4 + 0 + 3 − 0 − 0 = 11
    Output: 11
    Guide: relationship 12, no zero padding, non-unit strides, transposed: o′ = s(i′ − 1) + k
    Back: the convolution with the same k, s, p, d maps 11 to 5 (relationship 5).
    """
    if pooling is not None:
        return _explain_pooling(
            pooling, input_size, kernel_size, stride, padding, output_padding, dilation, transposed, dims
        )
    case = Case(
        name="",
        title="",
        transposed=transposed,
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        dims=dims,
    )
    geo = sizes_geometry(**case.sizes)
    axes = geo.axes
    relations = relationship(**case.sizes)
    kind = "Transposed convolution" if transposed else "Convolution"
    cells = "cell(s)" if dims == 1 else "row(s)/column(s)"
    out, size = _explain_axes(kind, [_explain_axis(transposed, axis, cells=cells) for axis in axes], relations, axes)
    given = _size_text(geo.size)
    if transposed:
        output = geo.out
        forward = replace(case, transposed=False, input_size=output if dims == 2 else output[0], output_padding=0)
        back = forward.output_size
        number = relationship(**forward.sizes)[0][0]
        note = "" if back == geo.size else " (not the input: output_padding is not below the stride)"
        out.append(
            f"Back: the convolution with the same k, s, p, d maps {size} to {_size_text(back)}"
            f"{note} (relationship {number})."
        )
    else:
        extra = case.twin().output_padding
        note = f" and output_padding {extra}" if extra not in (0, (0, 0)) else ""
        out.append(f"Back: the transposed convolution with the same k, s, p, d{note} maps {size} back to {given}.")
    return "\n".join(out)


def _explain_axes(kind, explained, relations, axes):
    """The lines of :func:`explain` up to the guide's relationship, and the output's ``rows×cols``."""
    out = []
    if len(explained) == 1:
        out.append(f"{kind} in 1-D: {explained[0][2]}")
        out += explained[0][0]
    elif explained[0][0] == explained[1][0] and explained[0][2] == explained[1][2]:
        out.append(f"{kind}, rows and columns alike: {explained[0][2]}")
        out += explained[0][0]
    else:
        out.append(f"{kind}, each axis on its own:")
        for label, (lines, _, header) in zip(("Rows", "Columns"), explained):
            out.append(f"{label}: {header}")
            out += ["  " + line for line in lines]
    size = _size_text(lines[1] for lines in explained)
    out.append(f"Output: {size}")
    for label, (number, name, formula) in zip(("rows", "columns"), relations):
        where = "" if len(set(relations)) == 1 else f" ({label})"
        if where or label == "rows":
            out.append(f"Guide{where}: relationship {number}, {name}: {formula}")
    if any(axis.before != axis.after for axis in axes):
        out.append("       (the guide pads both sides equally; read 2p as p_before + p_after)")
    return out, size


def _explain_pooling(pooling, input_size, kernel_size, stride, padding, output_padding, dilation, transposed, dims=2):
    """:func:`explain` for a pooling window: the forward arithmetic, relationship 7, what each cell keeps."""
    relations = relationship(
        transposed, input_size, kernel_size, stride, padding, output_padding, dilation, pooling=pooling, dims=dims
    )
    axes = case_axes(input_size, kernel_size, stride, padding, output_padding, dilation, dims)
    kind = {"max": "Max pooling", "avg": "Average pooling"}[pooling]
    cells = "cell(s)" if dims == 1 else "row(s)/column(s)"
    explained = [_explain_axis(transposed, axis, window="window", cells=cells) for axis in axes]
    out, _ = _explain_axes(kind, explained, relations, axes)
    window = _size_text(axis.k for axis in axes)
    if pooling == "max":
        out.append(
            f"Each output cell is the largest of the {window} input cells under its window "
            "(padding is −∞, never the largest)."
        )
    else:
        out.append(
            f"Each output cell is the mean of the {window} cells under its window "
            "(padding counts as 0, PyTorch's count_include_pad=True)."
        )
    return "\n".join(out)
