"""Parameter checking for the public entry points.

Every public function normalises its arguments here, once, so that a bad value
is reported by name with the value received, and the algorithm modules can
assume clean integers and arrays. ``operator.index`` accepts ``np.int64`` and
rejects floats such as ``1.5``.

A bad value raises :class:`~deconvlib.ParameterError` (a ``ValueError``) whose
``parameter`` is the ``name`` given here with spaces as underscores
(``"input size"`` → ``"input_size"``); a value of the wrong type raises
``TypeError``.
"""

import operator

import numpy as np

from .errors import ParameterError

__all__ = [
    "as_int",
    "as_tuple",
    "as_pair",
    "as_padding",
    "as_array",
    "check_finite",
    "as_float_arrays",
    "spatial_layout",
    "is_one_of",
    "as_text",
]


def _error(name, message):
    """The error for the parameter a message calls ``name`` (``"input size"`` → ``"input_size"``)."""
    return ParameterError(message, parameter=name.replace(" ", "_"))


def as_int(value, name, minimum=0):
    """Return ``value`` as a Python int ``>= minimum`` or raise naming ``name``.

    Parameters
    ----------
    value : int-like
        Anything ``operator.index`` accepts (``int``, ``np.int64``), not a bool.
    name : str
        The parameter's name, as the message shows it.
    minimum : int, default 0

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        For a float or a value below ``minimum``.
    TypeError
        For a bool or a non-number.

    Examples
    --------
    >>> as_int(np.int64(2), "stride", minimum=1)
    2
    >>> as_int(1.5, "stride", minimum=1)
    Traceback (most recent call last):
    ...
    deconvlib.ParameterError: stride must be an integer >= 1, got 1.5
    """
    kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be {kind}, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        if isinstance(value, (float, np.floating)):
            raise _error(name, f"{name} must be an integer >= {minimum}, got {value!r}") from None
        raise TypeError(f"{name} must be {kind}, got {type(value).__name__} {value!r}") from None
    if number < minimum:
        raise _error(name, f"{name} must be an integer >= {minimum}, got {value!r}")
    return number


def is_one_of(value, choices):
    """Whether ``value`` is one of ``choices``; an array or a sequence never is (no elementwise ``==``).

    ``method=np.array(["fast"])`` would otherwise make ``value in choices``
    compare elementwise and raise numpy's "truth value of an array is
    ambiguous" instead of the library's message.

    Parameters
    ----------
    value : object
    choices : tuple

    Returns
    -------
    bool

    Examples
    --------
    >>> is_one_of("fast", ("naive", "fast")), is_one_of(np.array(["fast", "naive"]), ("fast",))
    (True, False)
    """
    if isinstance(value, (np.ndarray, list, tuple, dict, set)):
        return False
    return any(value is choice or (choice is not None and value == choice) for choice in choices)


def as_text(value):
    """A 0-d array of text (``np.array("same")``) as the string it holds; anything else unchanged.

    Parameters
    ----------
    value : object

    Returns
    -------
    str or object

    Examples
    --------
    >>> as_text(np.array("same")), as_text(3)
    ('same', 3)
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "US":
        return str(value[()])
    return value


def _scalar(value):
    """A 0-d array (``np.array(2)``) as the scalar it holds; anything else unchanged."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


#: The presentation scale's range, ``(low, high)``: the course's ``set_scale`` and the command line's ``--scale``.
SCALE_RANGE = (0.5, 4.0)

#: The spatial axes' names in each number of dimensions, for messages and docstrings.
AXIS_NAMES = {1: ("w",), 2: ("h", "w"), 3: ("d", "h", "w")}


def spatial_layout(dims, prefix="", bare=False):
    """``"(h, w)"``, ``"(kd, kh, kw)"``, ``"(w,)"``: the spatial axes of ``dims`` dimensions as a tuple's text.

    Parameters
    ----------
    dims : {1, 2, 3}
    prefix : str, default ""
        Put before each axis name (``"k"`` for a kernel, ``"out_"`` for an output).
    bare : bool, default False
        The names alone, without the parentheses (to go inside a longer tuple).

    Returns
    -------
    str

    Examples
    --------
    >>> spatial_layout(3, "k"), spatial_layout(1), spatial_layout(2, bare=True)
    ('(kd, kh, kw)', '(w,)', 'h, w')
    """
    names = ", ".join(prefix + a for a in AXIS_NAMES[dims])
    return names if bare else f"({names},)" if dims == 1 else f"({names})"


def as_tuple(value, name, dims, minimum=0):
    """Return an int or ``dims`` ints (one per spatial axis) as a tuple of ints ``>= minimum``.

    Parameters
    ----------
    value : int or sequence of ``dims`` ints
    name : str
    dims : {1, 2, 3}
    minimum : int, default 0

    Returns
    -------
    tuple of ``dims`` ints

    Raises
    ------
    ParameterError
        For a sequence of another length, or an entry :func:`as_int` rejects.

    Examples
    --------
    >>> as_tuple(2, "stride", 3, minimum=1)
    (2, 2, 2)
    >>> as_tuple((1, 2, 3), "dilation", 3, minimum=1)
    (1, 2, 3)
    """
    value = _scalar(value)
    if isinstance(value, (tuple, list, np.ndarray)):
        if len(value) != dims:
            kind = "a (row, col) pair" if dims == 2 else f"{dims} ints {spatial_layout(dims)}"
            raise _error(name, f"{name} must be an int or {kind}, got {value!r}")
        return tuple(as_int(v, name, minimum) for v in value)
    return (as_int(value, name, minimum),) * dims


def as_pair(value, name, minimum=0):
    """Return an int or a ``(row, col)`` pair as a pair of ints ``>= minimum``.

    Parameters
    ----------
    value : int or (int, int)
    name : str
    minimum : int, default 0

    Returns
    -------
    (int, int)

    Raises
    ------
    ParameterError
        For a sequence that is not a pair, or an entry :func:`as_int` rejects.

    See Also
    --------
    as_tuple : The same in any number of dimensions.

    Examples
    --------
    >>> as_pair(2, "stride", minimum=1)
    (2, 2)
    >>> as_pair((1, 3), "dilation", minimum=1)
    (1, 3)
    >>> as_pair(np.array(2), "stride", minimum=1)  # a 0-d array is its scalar
    (2, 2)
    """
    return as_tuple(value, name, 2, minimum)


def as_padding(value, name="padding", dims=2):
    """Return padding as ``(before, after)`` per spatial axis, flat: ``(top, bottom, left, right)`` in 2-D.

    Parameters
    ----------
    value : int, ``dims`` ints, or ``2·dims`` ints
        An int pads every side alike; ``dims`` ints pad both sides of each
        axis alike (2-D: ``(rows, cols)``); ``2·dims`` ints give ``(before,
        after)`` of each axis in turn (2-D: ``(top, bottom, left, right)``).
    name : str, default "padding"
    dims : {1, 2, 3}, default 2

    Returns
    -------
    tuple of ``2·dims`` ints

    Raises
    ------
    ParameterError
        For a string, another length, or a negative entry.

    Examples
    --------
    >>> as_padding(1)
    (1, 1, 1, 1)
    >>> as_padding((2, 0))
    (2, 2, 0, 0)
    >>> as_padding((2, 0, 1, 1))
    (2, 0, 1, 1)
    >>> as_padding((1, 2, 3), dims=3), as_padding((0, 2), dims=1)
    ((1, 1, 2, 2, 3, 3), (0, 2))
    """
    if dims == 2:
        forms = "(rows, cols) or (top, bottom, left, right)"
    else:
        forms = f"{dims} ints (one per axis) or {2 * dims} (before, after of each axis)"
    if isinstance(value, str):
        raise _error(name, f"{name} must be an int, {forms} here, got {value!r}")
    value = _scalar(value)
    if isinstance(value, (tuple, list, np.ndarray)):
        if len(value) == dims:
            return tuple(p for v in value for p in (as_int(v, name),) * 2)
        if len(value) == 2 * dims:
            return tuple(as_int(v, name) for v in value)
        raise _error(name, f"{name} must be an int, {forms}, got {value!r}")
    return (as_int(value, name),) * (2 * dims)


def as_array(value, name):
    """``value`` as a numpy array of real numbers, or a ``TypeError`` naming ``name``.

    The first guard of every array the library takes (the rest is
    :func:`as_float_arrays`'s: dimensions, emptiness, finite values).

    Parameters
    ----------
    value : array_like
    name : str
        The parameter's name, as the message shows it.

    Returns
    -------
    ndarray
        ``np.asarray(value)``: bool, integer or floating.

    Raises
    ------
    TypeError
        For a masked array (its mask would be ignored), something numpy
        cannot make an array of, or an array that does not hold real numbers.

    Examples
    --------
    >>> as_array([1, 2], "X")
    array([1, 2])
    >>> as_array(["a"], "X")
    Traceback (most recent call last):
    ...
    TypeError: X must hold real numbers, got dtype <U1
    """
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(
            f"{name} is a masked array, and deconvlib would ignore its mask: "
            f"pass {name}.filled(0) (masked cells count as 0) or np.asarray({name})"
        )
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}") from error
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    return array


def check_finite(array, name):
    """Refuse NaN and ±inf: the four methods would not agree on them (0·inf is NaN in some, skipped in others).

    Parameters
    ----------
    array : ndarray
    name : str
        The parameter's name (``"X"``, ``"W"``, ``"bias"``).

    Returns
    -------
    ndarray
        ``array`` itself, when every value is finite.

    Raises
    ------
    ParameterError
        Quoting the first non-finite value and its index, and how many there are.

    Examples
    --------
    >>> check_finite(np.array([1.0, np.inf]), "X")
    Traceback (most recent call last):
    ...
    deconvlib.ParameterError: X must hold finite numbers, got np.float64(inf) at index (1,) (1 non-finite value)
    """
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        bad = np.argwhere(~np.isfinite(array))
        where = tuple(int(i) for i in bad[0])
        raise ParameterError(
            f"{name} must hold finite numbers, got {array[where]!r} at index {where} "
            f"({len(bad)} non-finite value{'s' if len(bad) > 1 else ''})",
            parameter=name,
        )
    return array


def as_float_arrays(X, W, bias=None, dims=2):
    """Return ``X``, ``W`` (and ``bias``) as arrays of one floating dtype.

    float32 stays float32, float64 stays float64, integers become float64; mixed
    inputs take numpy's common type. Every value must be finite. Both must have
    ``dims + 2`` axes (2-D: NHWC and ``(kh, kw, ·, ·)``) or both ``dims``
    (an unbatched one-channel image: ``(h, w)`` and ``(kh, kw)``), which
    becomes a one-image, one-channel batch.

    Parameters
    ----------
    X : array_like, shape (n, h, w, c_in) or (h, w) in 2-D
        ``(n, w, c_in)`` or ``(w,)`` in 1-D, ``(n, d, h, w, c_in)`` or ``(d, h, w)`` in 3-D.
    W : array_like, shape (kh, kw, ·, ·) or (kh, kw) in 2-D
        The kernel's spatial axes first, alike in 1-D and 3-D.
    bias : array_like, optional
    dims : {1, 2, 3}, default 2
        The number of spatial dimensions.

    Returns
    -------
    X : ndarray, shape (n, h, w, c_in) (in 2-D)
    W : ndarray, shape (kh, kw, ·, ·)
    bias : ndarray or None
    image : bool
        Whether ``X`` was unbatched (so the result goes back to ``dims`` axes).

    Raises
    ------
    ParameterError
        For a wrong number of dimensions, an empty array, or a NaN or ±inf
        (``parameter`` is ``"X"``, ``"W"`` or ``"bias"``).
    TypeError
        For an array that does not hold real numbers, or a masked array.

    Notes
    -----
    Two refusals are on purpose. A NaN or an infinity is refused rather
    than propagated: the methods multiply different zeros by it (the
    inserted zeros of ``naive``, the matrix's zeros of ``matrix``; ``fast``
    and ``scatter`` never do), so ``0·inf = NaN`` would land in different
    cells, and no answer would be the right one. An empty batch (``n = 0``)
    is refused too, although PyTorch returns an empty tensor for it: in
    this course an empty input is always a mistake. A masked array is
    refused because its mask would be silently ignored.

    Examples
    --------
    >>> X, W, b, image = as_float_arrays(np.ones((3, 3), int), np.ones((2, 2)))
    >>> X.shape, X.dtype, image
    ((1, 3, 3, 1), dtype('float64'), True)
    """
    X = as_array(X, "X")
    W = as_array(W, "W")
    dtype = np.result_type(X.dtype, W.dtype)
    if dtype.kind != "f":
        dtype = np.dtype(np.float64)
    spatial, kernel = spatial_layout(dims), spatial_layout(dims, "k")
    batched = f"(n, {spatial_layout(dims, bare=True)}, c_in)"
    what = {1: "signal", 2: "image", 3: "volume"}[dims]
    if X.ndim == dims:
        if W.ndim != dims:
            raise ParameterError(
                f"X is a {dims}-D {spatial} {what}, so W must be a {dims}-D {kernel} kernel, "
                f"got W with shape {W.shape}",
                parameter="W",
            )
        image = True
        X, W = X[None, ..., None], W[..., None, None]
    elif X.ndim == dims + 2:
        if W.ndim != dims + 2:
            raise ParameterError(
                f"X is {dims + 2}-D {batched}, so W must be {dims + 2}-D, got W with shape {W.shape}", parameter="W"
            )
        image = False
    else:
        raise ParameterError(
            f"X must be {dims + 2}-D {batched} or a {dims}-D {spatial} {what}, got shape {X.shape}", parameter="X"
        )
    if 0 in X.shape:
        raise ParameterError(
            f"X must not be empty (deconvlib refuses a zero batch on purpose), got shape {X.shape}", parameter="X"
        )
    if 0 in W.shape:
        raise ParameterError(f"W must not be empty, got shape {W.shape}", parameter="W")
    check_finite(X, "X")
    check_finite(W, "W")
    if bias is not None:
        bias = as_array(bias, "bias").astype(dtype, copy=False)
        check_finite(bias, "bias")
    return X.astype(dtype, copy=False), W.astype(dtype, copy=False), bias, image
