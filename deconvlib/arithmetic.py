"""Shape arithmetic of convolution and transposed convolution, one axis at a time.

Pure integer functions: no arrays. The relationships are those of Dumoulin &
Visin (2016), "A guide to convolution arithmetic for deep learning"
(arXiv:1603.07285), written with PyTorch's conventions: ``dilation=1`` means
no gaps, ``padding`` is the padding of the *forward* convolution, and
``output_padding`` adds rows at the bottom/right of a transposed convolution.

The public functions check their arguments. :func:`dilated_kernel` and
:func:`axis_output` are their twins for integers the library has already
checked (:mod:`deconvlib.geometry` checks a call's arguments once): the same
formulas and refusals, without checking the integers again.
"""

from ._validate import as_int
from .errors import ParameterError

__all__ = [
    "effective_kernel",
    "conv_output_size",
    "conv_transpose_output_size",
    "transpose_padding_for",
    "check_output_padding",
]

#: Not in ``__all__``: the twins for checked integers, :func:`dilated_kernel` and :func:`axis_output`.


def _padding_pair(padding):
    if isinstance(padding, (tuple, list)):
        if len(padding) != 2:
            raise ParameterError(
                f"padding must be an int or a (before, after) pair, got {padding!r}", parameter="padding"
            )
        return tuple(as_int(p, "padding") for p in padding)
    p = as_int(padding, "padding")
    return p, p


def effective_kernel(k, dilation=1):
    """Size of a kernel of ``k`` taps spread out by ``dilation``: the guide's ``k̂``.

    Parameters
    ----------
    k : int
        Number of kernel taps along the axis, ``>= 1``.
    dilation : int, default 1
        Distance between neighbouring taps; 1 means no gaps.

    Returns
    -------
    int
        ``k̂ = d·(k − 1) + 1``.

    Raises
    ------
    ParameterError
        If ``k`` or ``dilation`` is below 1 (``parameter`` ``"kernel_size"``
        or ``"dilation"``).

    See Also
    --------
    conv_output_size, conv_transpose_output_size : Use ``k̂`` in place of ``k``.

    Notes
    -----
    ``d − 1`` gaps sit between each of the ``k − 1`` pairs of neighbouring
    taps: ``k̂ = k + (k − 1)(d − 1) = d·(k − 1) + 1``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, section 5 (relationship 15).

    Examples
    --------
    >>> effective_kernel(3, dilation=2)
    5
    """
    k = as_int(k, "kernel size", minimum=1)
    return dilated_kernel(k, as_int(dilation, "dilation", minimum=1))


def dilated_kernel(k, d):
    """:func:`effective_kernel` of integers already checked: ``k̂ = d·(k − 1) + 1``.

    >>> dilated_kernel(3, 2)
    5
    """
    return d * (k - 1) + 1


def _forward_size(i, k, s, before, after, d, shown):
    """``⌊(i + p_before + p_after − k̂) / s⌋ + 1`` of checked integers; ``shown``: the padding as quoted."""
    span = i + before + after - dilated_kernel(k, d)
    if span < 0:
        raise ParameterError(
            f"the output would be empty: input {i} with padding {shown!r} is smaller "
            f"than the dilated kernel {dilated_kernel(k, d)}",
            parameter="input_size",
        )
    return span // s + 1


def _transposed_size(i, k, s, before, after, a, d, shown):
    """``s·(i − 1) + k̂ − p_before − p_after + a`` of checked integers, ``a`` within PyTorch's rule.

    ``shown``: the padding as the message quotes it.
    """
    full = s * (i - 1) + dilated_kernel(k, d)
    o = full - before - after + a
    if o < 1:
        raise ParameterError(
            f"padding {shown!r} would leave an empty output (size {o}): it crops more than "
            f"the full result of size {full}",
            parameter="padding",
        )
    return o


def axis_output(transposed, i, k, s, before, after, a, d):
    """The output size along one axis, forward or transposed, of integers already checked.

    The twin of :func:`conv_output_size` and :func:`conv_transpose_output_size`
    for the library's inner code: the same formulas and refusals, the integers
    not checked again.

    Parameters
    ----------
    transposed : bool
    i, k, s, d : int
        Input size, kernel size, stride, dilation.
    before, after : int
        Padding of the forward convolution on each side.
    a : int
        ``output_padding``; must be 0 for a forward convolution.

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        For an empty output, ``output_padding`` too large, or (``"output_padding"``)
        a forward convolution with ``a > 0``.

    Notes
    -----
    Forward: ``o = ⌊(i + before + after − k̂) / s⌋ + 1``; transposed:
    ``o = s·(i − 1) + k̂ − before − after + a``, with ``k̂ = d·(k − 1) + 1``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 1–15.

    Examples
    --------
    >>> axis_output(True, i=3, k=3, s=2, before=1, after=1, a=1, d=1)
    6
    """
    if transposed:
        check_output_padding(a, stride=s, dilation=d)
        return _transposed_size(i, k, s, before, after, a, d, shown=(before, after))
    if a:
        raise ParameterError(
            f"output_padding applies to a transposed convolution only, got output_padding={a}",
            parameter="output_padding",
        )
    return _forward_size(i, k, s, before, after, d, shown=(before, after))


def conv_output_size(i, k, stride=1, padding=0, dilation=1):
    """Output size of a convolution along one axis.

    Parameters
    ----------
    i : int
        Input size, ``>= 1``.
    k : int
        Kernel size, ``>= 1``.
    stride : int, default 1
    padding : int or (int, int), default 0
        Zeros added before and after the input.
    dilation : int, default 1

    Returns
    -------
    int
        ``o = ⌊(i + p_before + p_after − k̂) / s⌋ + 1``.

    Raises
    ------
    ParameterError
        If a parameter is invalid, or the padded input is smaller than the
        dilated kernel, so the output would be empty (``parameter`` is then
        ``"input_size"``).

    See Also
    --------
    conv_transpose_output_size : The size the transposed convolution gives back.
    effective_kernel : ``k̂``.

    Notes
    -----
    With ``k̂ = d·(k − 1) + 1``, the kernel fits at positions ``0, s, 2s, …``
    while it stays inside the padded input of size ``i + p_before + p_after``:
    ``o = ⌊(i + p_before + p_after − k̂) / s⌋ + 1``. Without dilation and with
    ``p_before = p_after = p`` this is ``⌊(i + 2p − k) / s⌋ + 1``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 1–6 and 15 (6 without dilation).

    Examples
    --------
    >>> conv_output_size(5, 3, stride=2, padding=1)
    3
    >>> conv_output_size(6, 3, stride=2, padding=1)
    3
    """
    i = as_int(i, "input size", minimum=1)
    s = as_int(stride, "stride", minimum=1)
    before, after = _padding_pair(padding)
    k, d = as_int(k, "kernel size", minimum=1), as_int(dilation, "dilation", minimum=1)
    return _forward_size(i, k, s, before, after, d, shown=padding)


def check_output_padding(output_padding, stride, dilation):
    """Raise unless ``output_padding < max(stride, dilation)`` (PyTorch's rule).

    Parameters
    ----------
    output_padding, stride, dilation : int
        One axis's values, already checked to be integers.

    Raises
    ------
    ParameterError
        If ``output_padding >= max(stride, dilation)`` (``parameter``
        ``"output_padding"``).

    See Also
    --------
    conv_transpose_output_size : Calls it.

    Notes
    -----
    A forward convolution with stride ``s`` maps the ``s`` input sizes
    ``o, o + 1, …, o + s − 1`` to the same output size; ``output_padding``
    (the guide's ``a``) picks one, so ``0 <= a < s``. PyTorch also allows
    ``a < d``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationship 14.

    Examples
    --------
    >>> check_output_padding(1, stride=2, dilation=1)
    >>> check_output_padding(2, stride=2, dilation=1)
    Traceback (most recent call last):
    ...
    deconvlib.ParameterError: output_padding must be smaller than stride or dilation,
    got output_padding=2 with stride=2, dilation=1
    """
    if output_padding >= max(stride, dilation):
        raise ParameterError(
            "output_padding must be smaller than stride or dilation, got "
            f"output_padding={output_padding!r} with stride={stride!r}, dilation={dilation!r}",
            parameter="output_padding",
        )


def conv_transpose_output_size(i, k, stride=1, padding=0, output_padding=0, dilation=1):
    """Output size of a transposed convolution along one axis.

    The forward convolution with the same ``k``, ``s``, ``p`` maps the result
    back to ``i``; ``output_padding`` picks one of the ``s`` sizes that all
    map to ``i``.

    Parameters
    ----------
    i : int
        Input size, ``>= 1``.
    k : int
        Kernel size, ``>= 1``.
    stride : int, default 1
    padding : int or (int, int), default 0
        The forward convolution's padding, i.e. what is cropped from the full
        result before and after.
    output_padding : int, default 0
        Extra rows at the end; smaller than ``stride`` or ``dilation``.
    dilation : int, default 1

    Returns
    -------
    int
        ``o = s·(i − 1) + k̂ − p_before − p_after + output_padding``.

    Raises
    ------
    ParameterError
        If a parameter is invalid, ``output_padding`` is too large, or the
        padding crops the whole result (``parameter`` ``"padding"``).

    See Also
    --------
    conv_output_size : The forward convolution that maps it back.
    transpose_padding_for : The padding that reaches a given size.

    Notes
    -----
    The full result spans ``s·(i − 1) + k̂`` cells with ``k̂ = d·(k − 1) + 1``
    (``i`` copies of the kernel, ``s`` apart); the padding crops it and
    ``output_padding`` extends it at the end:
    ``o = s·(i − 1) + k̂ − p_before − p_after + output_padding``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 8–14 (13 and 14 with strides),
    as PyTorch computes them, with ``k̂`` for a dilated kernel.

    Examples
    --------
    >>> conv_transpose_output_size(4, 3, stride=2, padding=1)
    7
    >>> conv_transpose_output_size(4, 3, stride=2, padding=1, output_padding=1)
    8
    >>> conv_transpose_output_size(2, 3, padding=(2, 0))
    2
    """
    i = as_int(i, "input size", minimum=1)
    s = as_int(stride, "stride", minimum=1)
    d = as_int(dilation, "dilation", minimum=1)
    op = as_int(output_padding, "output_padding")
    check_output_padding(op, stride=s, dilation=d)
    before, after = _padding_pair(padding)
    k = as_int(k, "kernel size", minimum=1)
    return _transposed_size(i, k, s, before, after, op, d, shown=padding)


def transpose_padding_for(i, k, target, stride=1, dilation=1):
    """Find ``(padding, output_padding)`` so a transposed convolution gives ``target``.

    Parameters
    ----------
    i : int
        Input size.
    k : int
        Kernel size.
    target : int
        The output size wanted.
    stride, dilation : int, default 1

    Returns
    -------
    padding : int
        The smallest symmetric ``p >= 0`` that reaches ``target``.
    output_padding : int
        ``0 <= output_padding < max(s, d)``.

    Raises
    ------
    ParameterError
        If no symmetric padding reaches ``target`` (``parameter``
        ``"target"``); the message says why and what would (an asymmetric
        pair, another stride).

    See Also
    --------
    conv_transpose_output_size : The size a padding gives.

    Notes
    -----
    Solves ``target = s·(i − 1) + k̂ − 2p + output_padding``: the excess
    ``s·(i − 1) + k̂ − target = 2p − output_padding`` is split into the
    smallest ``p`` with ``2p`` at least the excess.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationship 14.

    Examples
    --------
    >>> transpose_padding_for(4, 4, 8, stride=2)        # exactly 2x upsampling
    (1, 0)
    >>> transpose_padding_for(32, 3, 64, stride=2)
    (1, 1)
    """
    i = as_int(i, "input size", minimum=1)
    target = as_int(target, "target", minimum=1)
    s = as_int(stride, "stride", minimum=1)
    d = as_int(dilation, "dilation", minimum=1)
    full = s * (i - 1) + effective_kernel(k, d)
    excess = full - target  # = 2p - output_padding
    largest_op = max(s, d) - 1
    if excess < 0:
        if -excess <= largest_op:
            return 0, -excess
        raise ParameterError(
            f"target {target} is out of reach: the largest output for input {i}, kernel {k}, "
            f"stride {s}, dilation {d} is {full + largest_op} (padding 0, output_padding {largest_op})",
            parameter="target",
        )
    p = (excess + 1) // 2
    op = 2 * p - excess
    if op > largest_op:
        raise ParameterError(
            f"target {target} needs output_padding {op}, which stride {s} and dilation {d} do not "
            f"allow; use the asymmetric padding ({p - 1}, {p}) instead",
            parameter="target",
        )
    return p, op
