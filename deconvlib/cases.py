"""The gallery's data table: every case of the guide, and its transposed twin.

One data table drives every animation, as in vdumoulin/conv_arithmetic
(``bin/generate_makefile``): each row of :data:`FORWARD` is a forward
convolution with the guide's parameters, and :data:`CASES` puts its
``_transposed`` twin after it — the transposed convolution with the same
``k``, ``s``, ``p`` whose input is the row's output, so it maps ``o`` back to
``i`` (``output_padding`` is the guide's ``a = (i + 2p − k̂) mod s``). The last
rows are cases the guide does not draw: ``output_padding`` > 1, asymmetric
padding, dilation with strides, and the common exact 2× upsampling.

:data:`POOLING_CASES` holds the guide's two pooling figures (chapter 3), with
the guide's numbers. They are kept apart from :data:`CASES`, which the gallery
draws, until the animations draw pooling: ``case_trace(**case.parameters)``
traces them already.

Pure data and integer arithmetic (numpy only): :mod:`deconvlib.explain` writes
a case's arithmetic out, :mod:`deconvlib.viz.gallery` draws it.
"""

from dataclasses import dataclass, replace

from ._validate import as_padding, as_pair
from .arithmetic import conv_output_size, conv_transpose_output_size, effective_kernel
from .errors import ParameterError

__all__ = ["Case", "FORWARD", "CASES", "POOLING_CASES", "GUIDE_POOLING_INPUT", "find_case", "case_axes", "axis_output"]


@dataclass(frozen=True)
class Case:
    """One animation of the gallery: a named, titled set of parameters.

    Parameters
    ----------
    name : str
        File name of its animation, without the extension.
    title : str
        Heading of its animation.
    transposed : bool
        A transposed convolution, or a forward one.
    input_size, kernel_size : int or (int, int)
    stride, dilation : int or (int, int), default 1
    padding : int, (rows, cols) or (top, bottom, left, right), default 0
        The forward convolution's padding (a transposed one's crop).
    output_padding : int or (int, int), default 0
        Transposed only.
    in_guide : bool, default True
        Whether Dumoulin & Visin's guide draws it.
    pooling : {None, "max", "avg"}, default None
        A pooling window instead of a convolution (forward only; the kernel
        size is the window's).
    values : tuple of tuples, optional
        The input's numbers, for a case that shows them (the guide's pooling
        figures); None draws ones, as the geometry alone matters.

    See Also
    --------
    find_case : A case of the table by name.
    deconvlib.explain.explain : A case's arithmetic in words.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, figures 2.1–5.1; vdumoulin/conv_arithmetic.

    Examples
    --------
    >>> case = Case("up", "Up", transposed=True, input_size=3, kernel_size=3, stride=2, padding=1)
    >>> case.output_size, case.n_frames
    ((5, 5), 25)
    >>> POOLING_CASES[0].parameters["pooling"], POOLING_CASES[0].output_size
    ('max', (3, 3))
    """

    name: str
    title: str
    transposed: bool
    input_size: object
    kernel_size: object
    stride: object = 1
    padding: object = 0
    output_padding: object = 0
    dilation: object = 1
    in_guide: bool = True
    pooling: object = None
    values: object = None

    def __post_init__(self):
        if self.pooling not in (None, "max", "avg"):
            raise ParameterError(f"pooling must be None, 'max' or 'avg', got {self.pooling!r}", parameter="pooling")
        if self.pooling and self.transposed:
            raise ParameterError("pooling has no transposed form: a pooling case is forward", parameter="transposed")

    @property
    def sizes(self):
        """The sizes alone: keyword arguments for :func:`case_axes` and :func:`deconvlib.explain.explain`."""
        return dict(
            transposed=self.transposed,
            input_size=self.input_size,
            kernel_size=self.kernel_size,
            stride=self.stride,
            padding=self.padding,
            output_padding=self.output_padding,
            dilation=self.dilation,
        )

    @property
    def parameters(self):
        """Keyword arguments for :func:`deconvlib.animate` and :func:`deconvlib.trace.case_trace`.

        The sizes, plus ``pooling`` and ``values`` for a case that has them
        (the animations do not draw pooling yet: only ``case_trace`` takes them).
        """
        extra = {key: getattr(self, key) for key in ("pooling", "values") if getattr(self, key) is not None}
        return {**self.sizes, **extra}

    @property
    def output_size(self):
        """``(rows, cols)`` of the output.

        >>> find_case("padding_strides_odd").output_size, find_case("padding_strides_odd_transposed").output_size
        ((3, 3), (6, 6))
        """
        return tuple(axis_output(**axis) for axis in case_axes(**self.sizes))

    @property
    def n_frames(self):
        """One frame per kernel position, i.e. per output cell."""
        rows, cols = self.output_size
        return rows * cols

    def twin(self):
        """The transposed convolution that maps this forward case's output back to its input.

        Returns
        -------
        Case
            Named ``<name>_transposed``: the same ``k``, ``s``, ``p``, ``d``,
            this case's output as its input, and ``output_padding`` the
            guide's ``a = (i + p_before + p_after − k̂) mod s``.

        Raises
        ------
        ParameterError
            If this case is already transposed (``parameter`` ``"transposed"``).

        References
        ----------
        Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
        learning", arXiv:1603.07285, relationships 8–14 (14 when ``a > 0``).

        Examples
        --------
        >>> find_case("padding_strides_odd").twin() == find_case("padding_strides_odd_transposed")
        True
        """
        if self.transposed:
            raise ParameterError(f"{self.name} is already transposed", parameter="transposed")
        if self.pooling:
            raise ParameterError(f"{self.name} is pooling, which has no transposed twin", parameter="pooling")
        axes = case_axes(**self.sizes)
        size = tuple(axis_output(**axis) for axis in axes)
        extra = tuple((a["i"] + a["before"] + a["after"] - effective_kernel(a["k"], a["d"])) % a["s"] for a in axes)
        square = lambda pair: pair[0] if pair[0] == pair[1] else pair  # noqa: E731
        return replace(
            self,
            name=self.name + "_transposed",
            title=self.title + ", transposed",
            transposed=True,
            input_size=square(size),
            output_padding=square(extra),
            in_guide=self.in_guide and self.dilation == 1,
        )


def case_axes(transposed, input_size, kernel_size, stride, padding, output_padding, dilation):
    """The parameters split per axis: ``[rows, cols]``, each a dict ``i k s before after a d``.

    Parameters
    ----------
    transposed : bool
    input_size, kernel_size, stride, output_padding, dilation : int or (int, int)
    padding : int, (rows, cols) or (top, bottom, left, right)

    Returns
    -------
    list of dict
        Two dicts (rows, then columns) with keys ``transposed``, ``i``, ``k``,
        ``s``, ``before``, ``after``, ``a`` (``output_padding``) and ``d``:
        the keyword arguments of :func:`axis_output`.

    Raises
    ------
    ParameterError
        For a bad parameter (sizes are not checked against each other).

    Examples
    --------
    >>> rows, cols = case_axes(True, (3, 4), 3, 2, (1, 0, 0, 0), 1, 1)
    >>> rows["i"], rows["before"], rows["after"], cols["i"], cols["before"]
    (3, 1, 0, 4, 0)
    """
    pads = as_padding(padding)
    return [
        dict(transposed=transposed, i=i, k=k, s=s, before=before, after=after, a=a, d=d)
        for i, k, s, (before, after), a, d in zip(
            as_pair(input_size, "input size", minimum=1),
            as_pair(kernel_size, "kernel size", minimum=1),
            as_pair(stride, "stride", minimum=1),
            (pads[:2], pads[2:]),
            as_pair(output_padding, "output_padding"),
            as_pair(dilation, "dilation", minimum=1),
        )
    ]


def axis_output(transposed, i, k, s, before, after, a, d):
    """The output size along one axis, forward or transposed.

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
        For a bad parameter or an empty output; ``"output_padding"`` for a
        forward convolution with ``a > 0``.

    See Also
    --------
    deconvlib.conv_output_size, deconvlib.conv_transpose_output_size : The two formulas.

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
        return conv_transpose_output_size(i, k, stride=s, padding=(before, after), output_padding=a, dilation=d)
    if a:
        raise ParameterError(
            f"output_padding applies to a transposed convolution only, got output_padding={a}",
            parameter="output_padding",
        )
    return conv_output_size(i, k, stride=s, padding=(before, after), dilation=d)


#: The forward rows: the guide's eight animations with its parameters, then four it lacks.
#: Each row is Case(name, title, transposed, input_size=..., kernel_size=..., and the parameters that are not 1 or 0).
FORWARD = (
    Case("no_padding_no_strides", "No padding, no strides", False, input_size=4, kernel_size=3),
    Case(
        "arbitrary_padding_no_strides", "Arbitrary padding, no strides", False, input_size=5, kernel_size=4, padding=2
    ),
    Case("same_padding_no_strides", "Half (same) padding, no strides", False, input_size=5, kernel_size=3, padding=1),
    Case("full_padding_no_strides", "Full padding, no strides", False, input_size=5, kernel_size=3, padding=2),
    Case("no_padding_strides", "No padding, strides", False, input_size=5, kernel_size=3, stride=2),
    Case("padding_strides", "Padding, strides", False, input_size=5, kernel_size=3, stride=2, padding=1),
    Case("padding_strides_odd", "Padding, strides (odd)", False, input_size=6, kernel_size=3, stride=2, padding=1),
    Case("dilation", "Dilation", False, input_size=7, kernel_size=3, dilation=2),
    Case(
        "output_padding_strides",
        "Stride 3, two rows and columns left over",
        False,
        input_size=9,
        kernel_size=3,
        stride=3,
        padding=1,
        in_guide=False,
    ),
    Case(
        "asymmetric_padding_strides",
        "Asymmetric padding (TensorFlow 'same', stride 2)",
        False,
        input_size=6,
        kernel_size=3,
        stride=2,
        padding=(0, 1, 0, 1),
        in_guide=False,
    ),
    Case(
        "dilation_strides",
        "Dilation with strides",
        False,
        input_size=7,
        kernel_size=3,
        stride=2,
        padding=1,
        dilation=2,
        in_guide=False,
    ),
    Case(
        "upsampling_2x",
        "Kernel 4, stride 2, padding 1: exactly 2x (DCGAN)",
        False,
        input_size=6,
        kernel_size=4,
        stride=2,
        padding=1,
        in_guide=False,
    ),
)

#: Every animation: each forward row followed by its ``_transposed`` twin.
CASES = tuple(case for row in FORWARD for case in (row, row.twin()))

#: The input of the guide's pooling figures 3.1 and 3.2: vdumoulin/conv_arithmetic draws
#: ``numpy.random.seed(1234); randint(0, 4, (5, 5))``.
GUIDE_POOLING_INPUT = ((3, 3, 2, 1, 0), (0, 0, 1, 3, 1), (3, 1, 2, 2, 3), (2, 0, 0, 2, 2), (2, 0, 0, 0, 1))

#: The guide's pooling figures (chapter 3, relationship 7): a 3×3 window, stride 1, over its 5×5 input.
POOLING_CASES = (
    Case(
        "numerical_max_pooling",
        "Max pooling, 3×3 window, stride 1",
        False,
        input_size=5,
        kernel_size=3,
        pooling="max",
        values=GUIDE_POOLING_INPUT,
    ),
    Case(
        "numerical_average_pooling",
        "Average pooling, 3×3 window, stride 1",
        False,
        input_size=5,
        kernel_size=3,
        pooling="avg",
        values=GUIDE_POOLING_INPUT,
    ),
)


def find_case(name, cases=CASES):
    """The case called ``name``.

    Parameters
    ----------
    name : str
        A :attr:`Case.name` of ``cases``.
    cases : sequence of Case, default CASES
        Where to look; :data:`POOLING_CASES` for the pooling figures.

    Returns
    -------
    Case

    Raises
    ------
    ParameterError
        For an unknown name (``parameter`` ``"name"``); the message lists them.

    Examples
    --------
    >>> find_case("dilation").dilation
    2
    >>> find_case("numerical_average_pooling", POOLING_CASES).pooling
    'avg'
    """
    for case in cases:
        if case.name == name:
            return case
    raise ParameterError(f"case must be one of {', '.join(c.name for c in cases)}; got {name!r}", parameter="name")
