"""The gallery's data table: every case of the guide, and its transposed twin.

One data table drives every animation, as in vdumoulin/conv_arithmetic
(``bin/generate_makefile``): each row of :data:`FORWARD` is a forward
convolution with the guide's parameters, and :data:`CASES` puts its
``_transposed`` twin after it — the transposed convolution with the same
``k``, ``s``, ``p`` whose input is the row's output, so it maps ``o`` back to
``i`` (``output_padding`` is the guide's ``a = (i + 2p − k̂) mod s``). The last
rows are cases the guide does not draw: ``output_padding`` > 1, asymmetric
padding, dilation with strides, and the common exact 2× upsampling.

:data:`POOLING_CASES` holds the guide's two pooling figures (1.5 and 1.6, in section
1.2; their arithmetic is chapter 3), with the guide's numbers; :data:`ONE_D_CASES` convolutions in one dimension
(``dims=1``: drawn as a one-row image), with the uneven overlaps of kernel 3,
stride 2. :data:`GALLERY` is every case the gallery draws: :data:`CASES`, then
these two tables. :data:`CASES` stays the 2-D convolutions alone (the
explorers' dropdowns read it).

Pure data (numpy only): a case's sizes resolve through
:func:`deconvlib.geometry.sizes_geometry`, as every call's arguments do;
:mod:`deconvlib.explain` writes a case's arithmetic out,
:mod:`deconvlib.viz.gallery` draws it.
"""

from dataclasses import dataclass, replace

from . import geometry
from ._validate import as_pair, as_tuple, is_one_of
from .arithmetic import axis_output
from .errors import ParameterError
from .geometry import plane_sizes, sizes_geometry

__all__ = [
    "Case",
    "FORWARD",
    "CASES",
    "POOLING_CASES",
    "GUIDE_POOLING_INPUT",
    "ONE_D_CASES",
    "GALLERY",
    "GUIDE_FIGURES",
    "GUIDE_KERNEL",
    "NUMERICAL_CASES",
    "ONE_D_FORWARD",
    "find_case",
    "case_axes",
    "axis_output",
    "plane_sizes",
]


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
    values : tuple of tuples (a tuple in 1-D), optional
        The input's numbers, for a case that shows them (the guide's
        numerical figures); a convolution's kernel is then ``weights``, or
        all ones, so that each output cell shows the sum of the inputs it
        reads. None draws the geometry alone.
    weights : tuple of tuples (a tuple in 1-D), optional
        The kernel's numbers, for a convolution with ``values`` (the guide's
        figures 1.1 and 1.2); None: all ones.
    dims : {2, 1}, default 2
        Spatial dimensions. A 1-D case (PyTorch's ``conv1d`` /
        ``conv_transpose1d``) takes one integer per size, ``padding`` as
        ``p`` or ``(left, right)``, and is drawn as a one-row image
        (:func:`deconvlib.geometry.plane_sizes`).

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
    >>> one = Case("up1d", "Up", transposed=True, input_size=5, kernel_size=3, stride=2, dims=1)
    >>> one.output_size, one.n_frames, one.parameters["dims"]
    ((11,), 11, 1)
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
    dims: int = 2
    weights: object = None

    def __post_init__(self):
        if not is_one_of(self.dims, (1, 2)):
            raise ParameterError(f"dims must be 1 or 2, got {self.dims!r}", parameter="dims")
        if not is_one_of(self.pooling, (None, "max", "avg")):
            raise ParameterError(f"pooling must be None, 'max' or 'avg', got {self.pooling!r}", parameter="pooling")
        if self.pooling and self.transposed:
            raise ParameterError("pooling has no transposed form: a pooling case is forward", parameter="transposed")
        if self.weights is not None and (self.pooling or self.values is None):
            raise ParameterError(
                "weights are a convolution's kernel numbers, given with the input's values", parameter="weights"
            )

    @property
    def sizes(self):
        """The sizes alone: keywords of :func:`~deconvlib.geometry.sizes_geometry` and :func:`~.explain.explain`.

        ``dims`` is among them for a 1-D case only, so a 2-D case's keywords
        are the ones every function of the course takes.
        """
        sizes = dict(
            transposed=self.transposed,
            input_size=self.input_size,
            kernel_size=self.kernel_size,
            stride=self.stride,
            padding=self.padding,
            output_padding=self.output_padding,
            dilation=self.dilation,
        )
        return sizes if self.dims == 2 else {**sizes, "dims": self.dims}

    @property
    def parameters(self):
        """Keyword arguments for :func:`deconvlib.animate` and :func:`deconvlib.trace.case_trace`.

        The sizes, plus ``pooling`` and ``values`` for a case that has them:
        for pooling the input's numbers, for a convolution ``(X, W)`` with
        ``W`` the case's ``weights`` or all ones.
        """
        extra = {"pooling": self.pooling} if self.pooling else {}
        if self.values is not None:
            kernel = self.ones_kernel() if self.weights is None else self.weights
            extra["values"] = self.values if self.pooling else (self.values, kernel)
        return {**self.sizes, **extra}

    def ones_kernel(self):
        """A kernel of ones of this case's size, as nested tuples (a tuple in 1-D).

        >>> find_case("1d_kernel3_stride2_transposed", GALLERY).ones_kernel()
        (1, 1, 1)
        """
        if self.dims == 1:
            return (1,) * as_tuple(self.kernel_size, "kernel size", 1)[0]
        rows, cols = as_pair(self.kernel_size, "kernel size", minimum=1)
        return ((1,) * cols,) * rows

    @property
    def output_size(self):
        """The output's size per axis: ``(rows, cols)``, or ``(width,)`` in 1-D.

        >>> find_case("padding_strides_odd").output_size, find_case("padding_strides_odd_transposed").output_size
        ((3, 3), (6, 6))
        """
        return sizes_geometry(**self.sizes).out

    @property
    def n_frames(self):
        """One frame per kernel position, i.e. per output cell."""
        frames = 1
        for size in self.output_size:
            frames *= size
        return frames

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
        geo = sizes_geometry(**self.sizes)
        size = geo.out
        extra = tuple(axis.leftover for axis in geo.axes)
        square = lambda pair: pair[0] if len(set(pair)) == 1 else pair  # noqa: E731
        return replace(
            self,
            name=self.name + "_transposed",
            title=self.title + ", transposed",
            transposed=True,
            input_size=square(size),
            output_padding=square(extra),
            in_guide=self.in_guide and self.dilation == 1,
        )


def case_axes(transposed, input_size, kernel_size, stride, padding, output_padding, dilation, dims=2):
    """:func:`deconvlib.geometry.case_axes` in its earlier form: one dict per axis, with ``transposed``.

    Parameters
    ----------
    transposed : bool
    input_size, kernel_size, stride, padding, output_padding, dilation, dims
        As in :func:`deconvlib.geometry.case_axes`.

    Returns
    -------
    list of dict
        Rows, then columns (one in 1-D), each with ``transposed``, ``i``,
        ``k``, ``s``, ``before``, ``after``, ``a``, ``d``: the keyword
        arguments of :func:`~deconvlib.arithmetic.axis_output`.

    Examples
    --------
    >>> [(axis["i"], axis["k"], axis["s"]) for axis in case_axes(True, 5, 3, 2, 0, 0, 1, dims=1)]
    [(5, 3, 2)]
    """
    axes = geometry.case_axes(input_size, kernel_size, stride, padding, output_padding, dilation, dims)
    return [dict(transposed=transposed, **axis._asdict()) for axis in axes]


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

#: The input of the guide's numerical figures 1.1, 1.2, 1.5 and 1.6: vdumoulin/conv_arithmetic draws
#: ``numpy.random.seed(1234); randint(0, 4, (5, 5))``.
GUIDE_POOLING_INPUT = ((3, 3, 2, 1, 0), (0, 0, 1, 3, 1), (3, 1, 2, 2, 3), (2, 0, 0, 2, 2), (2, 0, 0, 0, 1))

#: The kernel of the guide's figures 1.1 and 1.2 (drawn in the same process, after the input).
GUIDE_KERNEL = ((0, 1, 2), (2, 2, 0), (0, 1, 2))

#: The guide's numerical convolutions (section 1.1): figure 1.1, its kernel over its 5×5 input
#: (12, 12, 17 / 10, 17, 19 / 9, 6, 14), and figure 1.2, the same with padding 1 and stride 2.
NUMERICAL_CASES = (
    Case(
        "numerical_no_padding_no_strides",
        "A convolution with the guide's numbers: no padding, unit strides",
        False,
        input_size=5,
        kernel_size=3,
        values=GUIDE_POOLING_INPUT,
        weights=GUIDE_KERNEL,
    ),
    Case(
        "numerical_padding_strides",
        "A convolution with the guide's numbers: padding 1, strides 2",
        False,
        input_size=5,
        kernel_size=3,
        stride=2,
        padding=1,
        values=GUIDE_POOLING_INPUT,
        weights=GUIDE_KERNEL,
    ),
)

#: The guide's pooling figures (1.5 and 1.6, in section 1.2; relationship 7 of chapter 3):
#: a 3×3 window, stride 1, over its 5×5 input.
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


#: Convolutions in one dimension (PyTorch's ``conv1d`` / ``conv_transpose1d``), each with its
#: transposed twin, drawn as one-row images: kernel 3, stride 2 overlaps unevenly when transposed
#: (each output cell sums 1, 1, 2, 1, 2, …, 1, 1 inputs: Distill's checkerboard, in one row);
#: kernel 4, stride 2, padding 1 evenly (2 everywhere but the ends).
ONE_D_FORWARD = (
    Case(
        "1d_kernel3_stride2",
        "1-D, kernel 3, stride 2: each output sums 3 inputs",
        False,
        11,
        3,
        stride=2,
        in_guide=False,
        values=(1,) * 11,
        dims=1,
    ),
    Case(
        "1d_kernel4_stride2_padding1",
        "1-D, kernel 4, stride 2, padding 1: each output sums 4 inputs (3 at the ends, by the padding)",
        False,
        10,
        4,
        stride=2,
        padding=1,
        in_guide=False,
        values=(1,) * 10,
        dims=1,
    ),
)

#: The 1-D rows and their twins. Input and kernel are all ones, so each output cell shows how many
#: inputs it sums (the twins' titles say it too).
ONE_D_CASES = (
    ONE_D_FORWARD[0],
    replace(
        ONE_D_FORWARD[0].twin(),
        title="1-D, kernel 3, stride 2, transposed: uneven, each output sums 1, 1, 2, 1, 2, …, 1, 1 inputs",
        values=(1,) * 5,
    ),
    ONE_D_FORWARD[1],
    replace(
        ONE_D_FORWARD[1].twin(),
        title="1-D, kernel 4, stride 2, padding 1, transposed: exactly 2x, each output sums 2 inputs (1 at the ends)",
        values=(1,) * 5,
    ),
)

#: Every case the gallery draws: the guide's numerical convolutions, the 2-D convolutions and their twins,
#: the guide's pooling figures, 1-D.
GALLERY = NUMERICAL_CASES + CASES + POOLING_CASES + ONE_D_CASES


#: Which figure of Dumoulin & Visin's guide (arXiv:1603.07285v2) each gallery case redraws, by name.
GUIDE_FIGURES = {
    "numerical_no_padding_no_strides": "1.1",
    "numerical_padding_strides": "1.2",
    "no_padding_no_strides": "2.1",
    "arbitrary_padding_no_strides": "2.2",
    "same_padding_no_strides": "2.3",
    "full_padding_no_strides": "2.4",
    "no_padding_strides": "2.5",
    "padding_strides": "2.6",
    "padding_strides_odd": "2.7",
    "numerical_average_pooling": "1.5",
    "numerical_max_pooling": "1.6",
    "no_padding_no_strides_transposed": "4.1",
    "arbitrary_padding_no_strides_transposed": "4.2",
    "same_padding_no_strides_transposed": "4.3",
    "full_padding_no_strides_transposed": "4.4",
    "no_padding_strides_transposed": "4.5",
    "padding_strides_transposed": "4.6",
    "padding_strides_odd_transposed": "4.7",
    "dilation": "5.1",
}


def find_case(name, cases=CASES):
    """The case called ``name``.

    Parameters
    ----------
    name : str
        A :attr:`Case.name` of ``cases``.
    cases : sequence of Case, default CASES
        Where to look; :data:`POOLING_CASES` for the pooling figures,
        :data:`GALLERY` for every case the gallery draws.

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
    >>> find_case("1d_kernel3_stride2_transposed", GALLERY).output_size
    (11,)
    """
    for case in cases:
        if case.name == name:
            return case
    raise ParameterError(f"case must be one of {', '.join(c.name for c in cases)}; got {name!r}", parameter="name")
