"""The one budget every public function checks before it allocates: memory, and the naive method's steps.

A typo (a stride of ``10**6``, a padding of ``20000``) should end at once in a
:class:`~deconvlib.ParameterError` that names the parameter, never in seconds of
swapping and a ``MemoryError``, and never in a crashed browser tab: the
course runs in JupyterLite, where WebAssembly has at most 4 GB.

The budget has three numbers:

``memory`` (bytes, default ``2**30``, 1 GiB)
    The arrays one call builds, counted at 8 bytes an element (float64,
    whatever the dtype): its output, and the scratch it needs on the way
    (a padded input, the uncropped canvas, the frames of an animation).
``work`` (default ``2**36``)
    The multiply-adds (or comparisons) of one vectorised call: a
    convolution's ``n·cells·taps·channels``, a pooling's ``cells·window``.
    The largest layer of a DCGAN takes about ``2**31``; ``2**36`` is a
    minute at worst.
``steps`` (default ``2**18``)
    The iterations of the plain Python loops: ``method="naive"`` visits every
    output position once (about 20 µs each, so the default is a few seconds).

Raise them for one block with :func:`budget_scope`, or for the session with
:func:`set_budget`::

    >>> import deconvlib as dl
    >>> with dl.budget_scope(memory=2**33):   # 8 GiB for a big layer
    ...     dl.get_budget().memory
    8589934592
    >>> dl.get_budget()
    Budget(memory=1073741824, work=68719476736, steps=262144)
"""

import contextlib
import threading
from typing import NamedTuple

from ._validate import as_int
from .errors import ParameterError

__all__ = [
    "Budget",
    "DEFAULT_BUDGET",
    "ELEMENT_BYTES",
    "get_budget",
    "set_budget",
    "budget_scope",
    "check_memory",
    "check_work",
    "check_steps",
]

#: Bytes counted for every element of an array, whatever its dtype (float64's).
ELEMENT_BYTES = 8


class Budget(NamedTuple):
    """What one call may use: ``memory`` in bytes, ``work`` in multiply-adds, ``steps`` of the plain Python loops.

    Attributes
    ----------
    memory : int
        Bytes of arrays, counted at :data:`ELEMENT_BYTES` an element.
    work : int
        Multiply-adds or comparisons of one vectorised computation.
    steps : int
        Iterations of a plain Python loop.

    Examples
    --------
    >>> DEFAULT_BUDGET.memory // ELEMENT_BYTES   # float64 elements
    134217728
    """

    memory: int
    work: int
    steps: int


#: The budget of a fresh session: 1 GiB (a quarter of what a browser tab may have), 2**36 multiply-adds,
#: 2**18 loop steps.
DEFAULT_BUDGET = Budget(memory=2**30, work=2**36, steps=2**18)

_current = DEFAULT_BUDGET
_lock = threading.Lock()


def get_budget():
    """The budget in force: a :class:`Budget` ``(memory, steps)``.

    Returns
    -------
    Budget

    Examples
    --------
    >>> get_budget() == DEFAULT_BUDGET
    True
    """
    return _current


def set_budget(memory=None, work=None, steps=None):
    """Set the budget for the rest of the session; return the previous one.

    Parameters
    ----------
    memory : int, optional
        Bytes one call may allocate (arrays counted at 8 bytes an element).
        Unchanged when omitted.
    work : int, optional
        Multiply-adds (or comparisons) one vectorised call may make.
        Unchanged when omitted.
    steps : int, optional
        Iterations the plain Python loops (``method="naive"``) may make.
        Unchanged when omitted.

    Returns
    -------
    Budget
        The budget before this call (give it back to :func:`set_budget` to restore it).

    Raises
    ------
    ParameterError
        For a value below 1 (``parameter`` ``"memory"``, ``"work"`` or ``"steps"``).

    See Also
    --------
    budget_scope : The same for one ``with`` block.

    Examples
    --------
    >>> previous = set_budget(memory=2**31)
    >>> get_budget().memory, previous.memory
    (2147483648, 1073741824)
    >>> set_budget(*previous) == Budget(2**31, 2**36, 2**18)
    True
    """
    global _current
    memory = _current.memory if memory is None else as_int(memory, "memory", minimum=1)
    work = _current.work if work is None else as_int(work, "work", minimum=1)
    steps = _current.steps if steps is None else as_int(steps, "steps", minimum=1)
    with _lock:
        previous, _current = _current, Budget(memory=memory, work=work, steps=steps)
    return previous


@contextlib.contextmanager
def budget_scope(memory=None, work=None, steps=None):
    """Change the budget inside a ``with`` block, and restore it after.

    Parameters
    ----------
    memory, work, steps : int, optional
        As in :func:`set_budget`.

    Returns
    -------
    context manager
        Its ``with`` block runs under the new budget (``as`` gives the
        :class:`Budget` in force); the previous one is restored after it,
        even on an exception.

    Examples
    --------
    >>> import numpy as np, deconvlib as dl
    >>> with budget_scope(memory=2**10):
    ...     try:
    ...         dl.conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), stride=100)
    ...     except dl.ParameterError as error:
    ...         print(error.parameter)
    stride
    >>> dl.conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), stride=100).shape
    (103, 103)
    """
    previous = set_budget(memory, work, steps)
    try:
        yield get_budget()
    finally:
        set_budget(*previous)


def _bytes(count):
    """``1.5 GiB``, ``512 MiB``, ``3 kiB``, ``12 bytes``."""
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("kiB", 2**10)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count} bytes"


def check_memory(elements, parameter, what, itemsize=ELEMENT_BYTES):
    """Refuse, before allocating, arrays of ``elements`` elements in all that would not fit the memory budget.

    Parameters
    ----------
    elements : int
        How many elements the call would hold at once (output and scratch),
        counted at :data:`ELEMENT_BYTES` each.
    parameter : str
        The parameter that made it large, for :attr:`ParameterError.parameter`.
    what : str
        What would be built, for the message (``"the output (n·out_h·out_w·c_out = 1·3003·3003·1)"``).
    itemsize : int, default ELEMENT_BYTES
        Bytes per element (4 for an RGB pixel and its palette index).

    Raises
    ------
    ParameterError
        Naming ``parameter``, with the size, the budget, and how to raise it.

    Examples
    --------
    >>> check_memory(10**9, "stride", "the output")
    Traceback (most recent call last):
    ...
    deconvlib.ParameterError: the output would have 1,000,000,000 elements (7.45 GiB), more than the memory budget ...
    """
    needed = elements * itemsize
    limit = _current.memory
    if needed > limit:
        raise ParameterError(
            f"{what} would have {elements:,} elements ({_bytes(needed)}), more than the memory budget of "
            f"{_bytes(limit)}: choose a smaller {parameter}, or raise the budget with "
            f"deconvlib.set_budget(memory=...)",
            parameter=parameter,
        )


def check_work(operations, parameter, what):
    """Refuse, before starting, a vectorised computation of more than the budget's ``work`` operations.

    Parameters
    ----------
    operations : int
        Multiply-adds or comparisons.
    parameter : str
        The parameter that made it long.
    what : str
        The computation, for the message.

    Raises
    ------
    ParameterError

    Examples
    --------
    >>> check_work(10**12, "kernel_size", "max pooling (100·100 windows of 10000·10000)")
    Traceback (most recent call last):
    ...
    deconvlib.ParameterError: max pooling (100·100 windows of 10000·10000) would take 1,000,000,000,000 operations, ...
    """
    limit = _current.work
    if operations > limit:
        raise ParameterError(
            f"{what} would take {operations:,} operations, more than the work budget of {limit:,}: choose a "
            f"smaller {parameter}, or raise the budget with deconvlib.set_budget(work=...)",
            parameter=parameter,
        )


def check_steps(steps, parameter, what, instead=None):
    """Refuse, before starting, a plain Python loop of more than the budget's ``steps`` iterations.

    Parameters
    ----------
    steps : int
    parameter : str
        The parameter that made it long.
    what : str
        The loop, for the message.
    instead : str, optional
        A quicker way to the same result, offered first (``"use method='fast'"``).

    Raises
    ------
    ParameterError

    Examples
    --------
    >>> check_steps(9_018_009, "stride", "method='naive' would visit 3003·3003 output positions", "use method='fast'")
    Traceback (most recent call last):
    ...
    deconvlib.ParameterError: method='naive' would visit 3003·3003 output positions, 9,018,009 steps of a Python ...
    """
    limit = _current.steps
    if steps > limit:
        raise ParameterError(
            f"{what}, {steps:,} steps of a Python loop, more than the budget of {limit:,} steps: "
            f"{instead + ', ' if instead else ''}choose a smaller {parameter}, or raise the budget with "
            f"deconvlib.set_budget(steps=...)",
            parameter=parameter,
        )
