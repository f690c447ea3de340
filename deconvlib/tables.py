"""Plain-text tables the notebooks print: columns aligned here, not in a student's cell.

- :func:`table`: rows of values under an optional header, each column as wide
  as its widest cell, numbers right-aligned with thousands separators.
- :func:`pattern_table`: the overlap patterns ``overlap_pattern(k, s)`` of
  several kernel sizes, one line per stride (notebooks 7 and 9).
"""

from numbers import Integral

from ._validate import as_int
from .budget import check_steps
from .errors import ParameterError
from .overlap import overlap_pattern

__all__ = ["table", "pattern_table"]


def _cell(value):
    """A table cell's text: integers with thousands separators, anything else as ``str``."""
    return f"{value:,}" if isinstance(value, Integral) and not isinstance(value, bool) else str(value)


def table(rows, header=None, gap=2):
    """Rows of values as text, in aligned columns.

    Parameters
    ----------
    rows : iterable of sequences
        One sequence of values per row, all of the same length. Integers are
        written with thousands separators (``2,097,280``); other values (shapes,
        names) with ``str``.
    header : sequence of str, optional
        Column titles, printed as the first line.
    gap : int
        Spaces between two columns.

    Raises
    ------
    ParameterError
        For rows of different lengths (or of another length than the header).

    Returns
    -------
    str
        One line per row (the header first), no trailing spaces. Each column is
        as wide as its widest cell; a column whose cells are all integers is
        right-aligned, any other left-aligned.

    Examples
    --------
    >>> print(table([("k2 s2", 1, (2, 2, 256), 262272), ("k4 s2 p1", 2, (4, 4, 128), 65600)],
    ...             header=("decoder", "layer", "W", "parameters")))
    decoder   layer  W            parameters
    k2 s2         1  (2, 2, 256)     262,272
    k4 s2 p1      2  (4, 4, 128)      65,600
    """
    rows = [tuple(row) for row in rows]
    columns = len(header) if header is not None else len(rows[0]) if rows else 0
    if any(len(row) != columns for row in rows):
        lengths = sorted({len(row) for row in rows})
        raise ParameterError(f"every row of the table must have {columns} values, got rows of {lengths}", "rows")
    numeric = [
        bool(rows) and all(isinstance(row[j], Integral) and not isinstance(row[j], bool) for row in rows)
        for j in range(columns)
    ]
    lines = ([list(map(str, header))] if header is not None else []) + [list(map(_cell, row)) for row in rows]
    widths = [max(len(line[j]) for line in lines) for j in range(columns)]
    space = " " * gap
    return "\n".join(
        space.join(text.rjust(w) if right else text.ljust(w) for text, w, right in zip(line, widths, numeric)).rstrip()
        for line in lines
    )


def pattern_table(strides, kernel_sizes=range(1, 7), sep=" ", mark_even=False, dilation=1):
    """The overlap pattern of every kernel size, one line per stride.

    Parameters
    ----------
    strides, kernel_sizes : iterable of int
        One line per stride; on it, one entry per kernel size.
    sep : str
        Between the counts of one pattern.
    mark_even : bool
        Append ``" even"`` to a pattern whose residues all get the same count.
    dilation : int
        The kernel's dilation, as in :func:`~deconvlib.overlap.overlap_pattern`.

    Returns
    -------
    str
        Lines ``s=S | k=1: … k=2: …``: entry ``k`` lists ``overlap_pattern(k, S)``,
        the number of taps each residue modulo ``S`` receives.

    Raises
    ------
    ParameterError
        For a stride or kernel size below 1, or a table of more numbers than
        the budget's loop ``steps`` (``parameter`` ``"strides"``, see
        :mod:`deconvlib.budget`): each is written by a step of Python.

    Examples
    --------
    >>> print(pattern_table((2, 3), range(2, 5)))
    s=2 | k=2: 1 1   k=3: 2 1   k=4: 2 2
    s=3 | k=2: 1 1 0   k=3: 1 1 1   k=4: 2 1 1
    >>> print(pattern_table([2], [3, 4], sep=",", mark_even=True))
    s=2 | k=3: 2,1   k=4: 2,2 even
    """
    strides = strides if hasattr(strides, "__len__") else tuple(strides)
    kernel_sizes = kernel_sizes if hasattr(kernel_sizes, "__len__") else tuple(kernel_sizes)
    entries = len(strides) * len(kernel_sizes)
    check_steps(entries, "strides", f"pattern_table would write {entries:,} patterns")
    numbers = sum(as_int(s, "stride", minimum=1) for s in strides) * len(kernel_sizes)
    check_steps(numbers, "strides", f"pattern_table would write {numbers:,} counts (a stride's worth per pattern)")
    lines = []
    for s in strides:
        entries = []
        for k in kernel_sizes:
            pattern = overlap_pattern(k, s, dilation)
            even = " even" if mark_even and pattern.min() == pattern.max() else ""
            entries.append(f"k={k}: {sep.join(map(str, pattern))}{even}")
        lines.append(f"s={s} | " + "   ".join(entries))
    return "\n".join(lines)
