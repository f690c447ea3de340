"""The explorers of the notebooks, in notebook order.

Each is an :class:`~deconvlib.course.explorer.Explorer`: its sliders
(``specs``) and toggles (``choices``), a tested ``compute(values)``
(``ValueError`` for a combination the library rejects, shown as a short
explanation instead of the figure), ``draw`` (one figure of
:mod:`deconvlib.viz`, updated in place) and ``describe`` (the caption, from
:mod:`deconvlib.course.captions`, which reads the numbers of the trace
``compute`` made, or from :mod:`deconvlib.explain`).

- Notebook 0: :class:`ForwardExplorer`, the forward convolution with a cell
  picker and the guide's forward figures by name (:data:`FORWARD_CASES`);
  :class:`PoolingExplorer`, max and average pooling.
- Notebooks 1–4: :class:`TraceExplorer`, the transposed convolution of
  :func:`example_input` by :func:`example_kernel` as a
  :class:`~deconvlib.viz.drawing.TraceFigure`, with the sliders of
  :data:`SLIDERS`; :class:`PipelineExplorer` (every slider),
  :class:`DilationExplorer` (stage 1), :class:`PaddingExplorer` (stage 2),
  :class:`SweepExplorer` (stage 3, a Play button steps the sweep), which the
  notebooks call by their lower-case names (``pipeline_explorer()``, ...).
- Notebook 5: :class:`GuideExplorer`, the guide's figures by name
  (:data:`GUIDE_CASES`); :class:`PaddingSolver`, padding for a target size.
- Notebook 6: :class:`MatrixExplorer` (``C`` and ``Cᵀ``), :class:`ScatterExplorer`.
- Notebook 7: :class:`OverlapExplorer`, transposed convolution vs resize-conv.
- Notebook 8: :class:`DecoderExplorer`, :class:`GroupsExplorer`.
- Notebook 9: :class:`StampsExplorer`, a 1-D transposed convolution as stamps
  stacked above the output, and the overlap counts as bars.
- Notebook 10: :class:`DoctorExplorer`, one layer of a real stack
  (:data:`DOCTOR_STACKS`: a DCGAN generator, a U-Net with an odd input, a 1-D
  audio decoder) changed with sliders, its sizes and overlap map from
  :func:`deconvlib.doctor`.

Limits follow the other sliders: ``output_padding < max(stride, dilation)``,
the sweep ``step`` runs over the output's cells, the outlined pixel or stamp
stays inside the input.

>>> ex = pipeline_explorer()
>>> ex.set(stride=1, padding=1)
>>> ex.message is None, ex.data.output.shape
(True, (3, 3))
>>> ex.set(size=1, kernel_size=1, padding=3)
>>> ex.message
'⚠ padding (3, 3) would leave an empty output (size -5): it crops more than the full result of size 1'
>>> pipeline_explorer(strides=2)
Traceback (most recent call last):
...
ValueError: PipelineExplorer got an unknown parameter 'strides'; its parameters are size, kernel_size, ...step
"""

import html
import operator

import ipywidgets as widgets
import numpy as np

from .._validate import as_int
from ..arithmetic import conv_output_size, conv_transpose_output_size, transpose_padding_for
from ..cases import CASES as GALLERY_CASES
from ..cases import GUIDE_POOLING_INPUT
from ..channels import Layer, decoder_shapes, group_connections, to_torch_weight
from ..doctor import doctor
from ..errors import ParameterError
from ..explain import describe_step, explain, overlap_sentence, overlap_verdict, solve_padding_text, stamps_caption
from ..overlap import (
    overlap_count,
    overlap_count_1d,
    overlap_pattern,
    resize_conv_count,
    stamps_1d,
    upsample_image,
)
from ..pooling import avg_pool2d, pool_output_size
from ..trace import scatter_trace, trace, trace_conv2d, trace_pool2d
from ..transpose import conv_transpose1d, convolution_matrix
from ..viz.course_figures import (
    ArtifactFigure,
    DecoderFigure,
    GroupsFigure,
    MatrixFigure,
    OverlapFigure,
    ScatterFigure,
    StackFigure,
    StampsFigure,
)
from ..viz.drawing import TraceFigure
from .captions import (
    dilated_size_caption,
    forward_caption,
    output_size_caption,
    padding_caption,
    pooling_caption,
    step_caption,
)
from .explorer import Choice, Explorer

__all__ = [
    "FORWARD_CASES",
    "ForwardExplorer",
    "PoolingExplorer",
    "pool_input",
    "SLIDERS",
    "example_input",
    "example_kernel",
    "example_trace",
    "trace_sliders",
    "TraceExplorer",
    "PipelineExplorer",
    "DilationExplorer",
    "PaddingExplorer",
    "SweepExplorer",
    "pipeline_explorer",
    "dilation_explorer",
    "padding_explorer",
    "sweep_explorer",
    "GUIDE_CASES",
    "NamedCases",
    "GuideExplorer",
    "PaddingSolver",
    "MatrixExplorer",
    "ScatterExplorer",
    "OverlapExplorer",
    "photo",
    "ArtifactExplorer",
    "DecoderExplorer",
    "GroupsExplorer",
    "example_input_1d",
    "example_kernel_1d",
    "StampsExplorer",
    "DOCTOR_STACKS",
    "DoctorExplorer",
]

#: The parameters of a transposed convolution of a square input by a square kernel, as the sliders name them.
PARAMETERS = ("size", "kernel_size", "stride", "padding", "output_padding", "dilation")

#: The trace explorers' sliders: name → ``(label, min, max, default)``.
#: ``output_padding`` and ``step`` maxima follow other sliders.
SLIDERS = {
    "size": ("input size", 1, 5, 3),
    "kernel_size": ("kernel size", 1, 4, 3),
    "stride": ("stride", 1, 3, 2),
    "padding": ("padding", 0, 3, 0),
    "output_padding": ("output_padding", 0, 2, 0),
    "dilation": ("dilation", 1, 3, 1),
    "step": ("step", 1, 49, 49),
}


def trace_sliders(*names, limits=None, defaults=None):
    """The rows of :data:`SLIDERS` for ``names``, with some ranges or defaults changed.

    >>> trace_sliders("size", "stride", limits={"size": (1, 6)}, defaults={"stride": 3})
    {'size': ('input size', 1, 6, 3), 'stride': ('stride', 1, 3, 3)}
    """
    limits, defaults = limits or {}, defaults or {}
    return {
        name: (SLIDERS[name][0], *limits.get(name, SLIDERS[name][1:3]), defaults.get(name, SLIDERS[name][3]))
        for name in names
    }


def example_input(size):
    """The explorers' input: ``1, 2, …, size²`` in a ``(size, size)`` grid, easy to follow.

    >>> example_input(2)
    array([[1., 2.],
           [3., 4.]])
    """
    return np.arange(1.0, size * size + 1).reshape(size, size)


def example_kernel(size):
    """The explorers' kernel: small integers ``1, 2, …`` (mod 7), no two rows alike, so the flip shows.

    >>> example_kernel(3)
    array([[1., 2., 3.],
           [4., 5., 6.],
           [0., 1., 2.]])
    """
    return (np.arange(1, size * size + 1) % 7).reshape(size, size).astype(float)


def _layer(values):
    """``(stride, padding, output_padding, dilation)`` from slider values."""
    return values["stride"], values["padding"], values["output_padding"], values["dilation"]


def example_trace(values):
    """The :class:`~deconvlib.Trace` of :func:`example_input` by :func:`example_kernel` for slider ``values``.

    >>> example_trace(dict(size=2, kernel_size=3, stride=2, padding=1, output_padding=1, dilation=1)).output.shape
    (4, 4)
    """
    return trace(example_input(values["size"]), example_kernel(values["kernel_size"]), *_layer(values))


# --- named cases: a dropdown that sets the sliders -----------------------------------

CUSTOM = "custom"


class NamedCases:
    """A dropdown above the sliders that sets them to a named case of :data:`deconvlib.cases.CASES`.

    Mixed into an explorer: :attr:`cases` (name → case) and
    :attr:`case_parameters` (the slider names a case sets). Moving a slider
    shows "custom" unless the values are another named case.
    """

    cases = {}
    case_parameters = ()
    default_case = None

    def __init__(self, case=None, **values):
        case = self.default_case if case is None else case
        options = [(f"{c.title} ({name})", name) for name, c in self.cases.items()] + [("custom", CUSTOM)]
        self.case = widgets.Dropdown(
            options=options, value=CUSTOM, description="figure", layout=widgets.Layout(width="100%", max_width="560px")
        )
        super().__init__(**{**self.case_values(case), **values})
        self.case.observe(self.choose, "value")

    def header(self):
        return [self.case]

    @classmethod
    def case_values(cls, name):
        """Slider values of the named case."""
        if name not in cls.cases:
            raise ValueError(f"case must be one of {', '.join(cls.cases)}; got {name!r}")
        return _slider_values(cls.cases[name])

    @classmethod
    def matching_case(cls, values):
        """The name of the case with exactly these values, or ``"custom"``."""
        wanted = {name: values[name] for name in cls.case_parameters}
        return next((n for n in cls.cases if cls.case_values(n) == wanted), CUSTOM)

    def choose(self, change):
        """The dropdown's one callback: a named case sets all sliders at once."""
        if change["new"] != CUSTOM and not self._busy:
            self.set(**self.case_values(change["new"]))

    def refresh(self, change=None):
        """As :meth:`Explorer.refresh`, then the dropdown names the case the sliders show."""
        super().refresh(change)
        if not self._busy:
            self._busy = True
            try:
                self.case.value = self.matching_case(self.current())
            finally:
                self._busy = False


def _slider_values(case):
    """A gallery case's parameters under the sliders' names (its ``input_size`` is ``size``)."""
    return {
        ("size" if k == "input_size" else k): v
        for k, v in case.parameters.items()
        if k != "transposed" and not (k == "output_padding" and not case.transposed)
    }


# --- notebook 0 ---------------------------------------------------------------------


class PickedCell(Explorer):
    """A sweep with a cell picker: ``step`` (with Play), ``row`` and ``col`` name the same output cell.

    Moving ``row`` or ``col`` moves ``step`` to that cell (row-major, from 1);
    moving ``step`` (or Play) moves ``row`` and ``col``; any other slider keeps
    the picked cell (clamped to the new output). Subclasses give
    :meth:`output_shape`.
    """

    _moved = None  # which of step / row / col the user moved last

    def output_shape(self, values):
        """``(out_h, out_w)`` for ``values``; raises ``ValueError`` for an impossible case."""
        raise NotImplementedError

    def refresh(self, change=None):
        if change is not None and not self._busy:
            self._moved = next((n for n, slider in self.sliders.items() if slider is change["owner"]), None)
        super().refresh(change)

    def set(self, **values):
        picked = [name for name in ("row", "col", "step") if name in values]
        self._moved = picked[0] if picked else None
        super().set(**values)

    def follow_limits(self):
        """``row``, ``col`` and ``step`` run over the output's cells and name the same one."""
        super().follow_limits()
        try:
            oh, ow = self.output_shape(self.current())
        except ValueError:
            return  # render() explains; the picker stays where it is
        row, col, step = self.sliders["row"], self.sliders["col"], self.sliders["step"]
        if self._moved == "step":
            r, c = divmod(min(step.value, oh * ow) - 1, ow)
        else:
            r, c = min(row.value, oh - 1), min(col.value, ow - 1)
        row.max, col.max, step.max = oh - 1, ow - 1, oh * ow
        row.value, col.value, step.value = r, c, r * ow + c + 1
        self._moved = None


#: The forward cases of :data:`deconvlib.cases.CASES` that sliders can set (integer parameters), name → case:
#: the guide's figures of relationships 1–6 and 15 (dilation), and a few more.
FORWARD_CASES = {
    case.name: case
    for case in GALLERY_CASES
    if not case.transposed and all(isinstance(v, int) for v in _slider_values(case).values())
}

#: The forward convolution's parameters, as the sliders name them.
FORWARD_PARAMETERS = ("size", "kernel_size", "stride", "padding", "dilation")

#: The panels of a forward sweep: what the picked output cell reads, and its sum.
FORWARD_PANELS = ("input", "padded", "kernel", "products", "output")


class ForwardExplorer(NamedCases, PickedCell):
    """Notebook 0: the forward convolution, which input cells each output cell reads.

    Sliders for input size, kernel size, padding, stride and dilation; the
    output cell is picked by ``step`` (Play sweeps it) or by ``row`` and
    ``col``. The figure outlines the window on the padded input and the
    input pixels under it; the caption writes the output-size formula with
    the trace's numbers, the guide's relationship by name, and the picked
    cell's sum (:func:`~deconvlib.course.captions.forward_caption`). The dropdown sets the
    sliders to a figure of the guide (:data:`FORWARD_CASES`).

    >>> ex = ForwardExplorer(case="no_padding_no_strides")
    >>> ex.data.output.shape, ex.case.value
    ((2, 2), 'no_padding_no_strides')
    >>> ex.set(row=1, col=0)
    >>> ex.sliders["step"].value, ex.figure.reads.cells()[:2]
    (3, [(1, 0), (1, 1)])
    """

    subject = "A convolution, output cell by output cell"

    cases = FORWARD_CASES
    case_parameters = FORWARD_PARAMETERS
    default_case = "padding_strides"
    figure_height = 380  # CSS px: a case menu, two rows of sliders and a three-line caption above
    specs = {
        "size": ("input size i", 1, 9, 5),
        "kernel_size": ("kernel size k", 1, 4, 3),
        "padding": ("padding p", 0, 3, 1),
        "stride": ("stride s", 1, 3, 2),
        "dilation": ("dilation d", 1, 3, 1),
        "step": ("step", 1, 225, 1),
        "row": ("output row", 0, 14, 1),
        "col": ("output column", 0, 14, 1),
    }

    def output_shape(self, values):
        o = conv_output_size(*(values[name] for name in FORWARD_PARAMETERS))
        return o, o

    def compute(self, values):
        i, k, s, p, d = (values[name] for name in FORWARD_PARAMETERS)
        return trace_conv2d(example_input(i), example_kernel(k), stride=s, padding=p, dilation=d)

    def draw(self, data, values):
        return self.keep_figure(TraceFigure, data, self.step_index(data, values), panels=FORWARD_PANELS, reads=True)

    def describe(self, values, data):
        return forward_caption(data, None if data is None else self.step_index(data, values), values)


def pool_input(size):
    """The pooling explorer's input: the guide's 5×5 example (figures 1.5 and 1.6), repeated to ``size × size``.

    >>> pool_input(3)
    array([[3., 3., 2.],
           [0., 0., 1.],
           [3., 1., 2.]])
    """
    tiles = -(-size // len(GUIDE_POOLING_INPUT))
    return np.tile(np.array(GUIDE_POOLING_INPUT, dtype=float), (tiles, tiles))[:size, :size]


class PoolingExplorer(PickedCell):
    """Notebook 0: max and average pooling (relationship 7), window by window.

    Sliders for the input size, the window, its stride and the padding (at
    most half the window, PyTorch's rule), a max/average toggle, and the
    output cell picked as in :class:`ForwardExplorer`. The figure shows the
    padded input (padding is ``−∞`` for max pooling, never the maximum), the
    window, its values with the maximum outlined in red, and the output; the
    caption names the relationship and writes the window out
    (:func:`~deconvlib.course.captions.pooling_caption`). It starts on the guide's
    figure 1.6.

    >>> ex = PoolingExplorer()
    >>> ex.data.output.shape, ex.figure.winners["padded"].cells()
    ((3, 3), [(0, 0)])
    >>> ex.set(mode="avg")
    >>> ex.described.split("<br>")[1]
    'out(0, 0) = mean(3, 3, 2, 0, 0, 1, 3, 1, 2) = 15 / 9 = 1.67'
    """

    subject = "Pooling, window by window"

    figure_height = 340  # CSS px: a toggle, two rows of sliders and up to six lines of caption above
    specs = {
        "size": ("input size i", 2, 8, 5),
        "kernel_size": ("window k", 1, 4, 3),
        "stride": ("stride s", 1, 4, 1),
        "padding": ("padding p", 0, 2, 0),
        "step": ("step", 1, 144, 1),
        "row": ("output row", 0, 11, 0),
        "col": ("output column", 0, 11, 0),
    }
    choices = {
        "mode": Choice(
            "pooling",
            (("max pooling", "max"), ("average pooling", "avg")),
            "max",
            settings={"style": {"button_width": "170px"}},
        )
    }
    panels = ("input", "padded", "products", "output")
    mode = property(lambda self: self.choosers["mode"], doc="The max/average toggle.")

    def follow_limits(self):
        """Padding at most half the window; then the picker (:class:`PickedCell`)."""
        self.sliders["padding"].max = self.current()["kernel_size"] // 2
        super().follow_limits()

    def _arguments(self, values):
        return values["size"], values["kernel_size"], values["stride"], values["padding"]

    def output_shape(self, values):
        i, k, s, p = self._arguments(values)
        o = pool_output_size(i, k, s, p)
        return o, o

    def compute(self, values):
        """The pooling's trace; a window larger than the padded input is refused in the student's words."""
        i, k, s, p = self._arguments(values)
        if k > i + 2 * p:  # the library would say "dilated kernel" and "axis 1 of X"
            raise ValueError(
                f"no output: the {k}×{k} window is larger than the padded input, {i} + 2·{p} = {i + 2 * p} "
                "cells a side; make the window smaller, or the input or its padding larger"
            )
        return trace_pool2d(pool_input(i), k, stride=s, padding=p, mode=values["mode"])

    def draw(self, data, values):
        return self.keep_figure(TraceFigure, data, self.step_index(data, values), panels=self.panels, reads=True)

    def describe(self, values, data):
        return "" if data is None else pooling_caption(data, self.step_index(data, values))


# --- notebooks 1-4 ------------------------------------------------------------------


class TraceExplorer(Explorer):
    """:func:`example_trace` as a :class:`~deconvlib.viz.drawing.TraceFigure` of :attr:`panels`.

    Subclasses choose the sliders (:func:`trace_sliders`), the panels and the
    caption; the parameters of :data:`PARAMETERS` without a slider keep
    :data:`SLIDERS`' default (or :attr:`fixed`'s). With a ``step`` slider the
    figure shows the sweep at that step, a Play button steps it, and its
    maximum follows the output's cells (staying at the end if it was there).
    """

    panels = ("input", "padded", "kernel", "output")
    _sweep_end = None  # the step slider's maximum at the last limit update

    def defaults(self):
        return {**{name: SLIDERS[name][3] for name in PARAMETERS}, **super().defaults()}

    def bounds(self, name):
        """A parameter of :data:`PARAMETERS` without a slider stays in :data:`SLIDERS`' range (a figure's sizes)."""
        return SLIDERS[name][1:3] if name in PARAMETERS else None

    def compute(self, values):
        return example_trace(values)

    def draw(self, data, values):
        step = self.step_index(data, values) if "step" in self.sliders else None
        return self.keep_figure(TraceFigure, data, step, panels=self.panels)

    def alt_sentences(self, values, data):
        """With a ``step`` slider: the sum behind the cell being written (:func:`~deconvlib.explain.describe_step`)."""
        if data is None or "step" not in self.sliders:
            return []
        return [describe_step(data, self.step_index(data, values))]

    def follow_limits(self):
        """``output_padding < max(stride, dilation)``; ``step`` runs over the output's cells."""
        super().follow_limits()
        if "step" not in self.sliders:
            return
        step = self.sliders["step"]
        try:  # square input and kernel: a square output
            o = conv_transpose_output_size(*(self.current()[name] for name in PARAMETERS))
        except ValueError:
            return  # render() explains; keep the step where it is
        at_end = step.value >= (step.max if self._sweep_end is None else self._sweep_end)
        step.max = self._sweep_end = o * o
        if at_end:
            step.value = step.max


class PipelineExplorer(TraceExplorer):
    """Notebook 1: every slider, the whole pipeline, and the output-size formula."""

    subject = "A transposed convolution in its three stages"

    figure_height = 440  # CSS px: three rows of sliders and a two-line caption above
    specs = trace_sliders("size", "kernel_size", "stride", "padding", "output_padding", "dilation", "step")

    def describe(self, values, data):
        return output_size_caption(data, values)


class DilationExplorer(TraceExplorer):
    """Notebook 2: stage 1 alone; sliders for input size and stride."""

    subject = "Stage 1 of a transposed convolution: zeros inserted between the input's pixels"

    specs = trace_sliders("size", "stride", limits={"size": (1, 6), "stride": (1, 4)})
    fixed = {"kernel_size": 1}
    panels = ("input", "dilated")

    def describe(self, values, data):
        return dilated_size_caption(data, values)


class PaddingExplorer(TraceExplorer):
    """Notebook 3: stage 2; padding becomes a crop, output_padding adds a row."""

    subject = "Stage 2 of a transposed convolution: the dilated grid padded, or cropped"

    specs = trace_sliders("size", "kernel_size", "stride", "padding", "output_padding", defaults={"padding": 1})
    panels = ("dilated", "padded", "full")

    def describe(self, values, data):
        return padding_caption(data, values)


class SweepExplorer(TraceExplorer):
    """Notebook 4: stage 3; the flipped kernel sweeps the padded grid, step by step."""

    subject = "Stage 3 of a transposed convolution: the flipped kernel sweeps the padded grid"

    figure_height = 440  # CSS px: two rows of sliders and a three-line caption above
    specs = trace_sliders(
        "size", "kernel_size", "stride", "padding", "dilation", "step", defaults={"size": 2, "step": 1}
    )
    panels = ("padded", "kernel", "products", "output")

    def describe(self, values, data):
        return step_caption(data, None if data is None else self.step_index(data, values), values)


#: The names notebooks 1–4 call: the classes themselves.
pipeline_explorer, dilation_explorer = PipelineExplorer, DilationExplorer
padding_explorer, sweep_explorer = PaddingExplorer, SweepExplorer


# --- notebook 5 ---------------------------------------------------------------------


#: The transposed cases of :data:`deconvlib.cases.CASES` that sliders can set (integer parameters),
#: name → case: the guide's seven transposed figures, its dilation figure's twin, and a few more.
GUIDE_CASES = {
    case.name: case
    for case in GALLERY_CASES
    if case.transposed and all(isinstance(v, int) for v in _slider_values(case).values())
}


class GuideExplorer(NamedCases, TraceExplorer):
    """The guide's transposed-convolution figures by name, and everything in between.

    The dropdown sets the sliders to a figure of Dumoulin & Visin (from
    :data:`deconvlib.cases.CASES`); moving a slider shows "custom" unless
    the values are another named case. The figure is the direct convolution
    the transposed one equals (input, dilated + padded grid, flipped kernel,
    output); the caption is :func:`deconvlib.explain.explain`'s arithmetic.
    """

    subject = "A transposed convolution as the direct convolution it equals"

    figure_height = 310  # CSS px: a case menu, three rows of sliders and the nine-line arithmetic above
    specs = {
        "size": ("input size i′", 1, 7, 3),
        "kernel_size": ("kernel size k", 1, 5, 3),
        "stride": ("stride s", 1, 3, 2),
        "padding": ("padding p", 0, 4, 1),
        "output_padding": ("output_padding a", 0, 2, 1),
        "dilation": ("dilation d", 1, 3, 1),
    }

    cases = GUIDE_CASES
    case_parameters = PARAMETERS
    default_case = "padding_strides_odd_transposed"
    alt_caption = False  # the worked arithmetic is long to hear: the figure's sizes are in its titles

    def describe(self, values, data):
        if data is None:
            return ""
        text = explain(True, *(values[name] for name in PARAMETERS))
        return f"<pre style='font-size:85%;line-height:1.25'>{html.escape(text)}</pre>"


class PaddingSolver(Explorer):
    """Which padding gives my target size? Sliders for ``i``, ``k``, ``s``, ``d`` and the target.

    Shows :func:`~deconvlib.explain.solve_padding_text` and, when there is an
    answer, the padded grid of that transposed convolution (input and output panels).
    """

    subject = "The padding that gives a target output size"

    figure_height = 450  # CSS px: two rows of sliders and a line of caption above
    specs = {
        "size": ("input size i", 1, 8, 4),
        "kernel_size": ("kernel size k", 1, 5, 4),
        "stride": ("stride s", 1, 4, 2),
        "dilation": ("dilation d", 1, 3, 1),
        "target": ("target size", 1, 24, 8),
    }

    def _solver_args(self, values):
        """``(size, kernel_size, target, stride, dilation)``: what the padding solver is asked."""
        return values["size"], values["kernel_size"], values["target"], values["stride"], values["dilation"]

    def compute(self, values):
        padding, output_padding = transpose_padding_for(*self._solver_args(values))
        return example_trace({**values, "padding": padding, "output_padding": output_padding})

    def draw(self, data, values):
        return self.keep_figure(TraceFigure, data, None, panels=("input", "full"))

    def describe(self, values, data):
        return f"<b>{html.escape(solve_padding_text(*self._solver_args(values)))}</b>"


# --- notebook 6 ---------------------------------------------------------------------


class MatrixExplorer(Explorer):
    """``C`` and ``Cᵀ`` for a small case; ``pixel`` outlines one input pixel's row of C (its stamp)."""

    subject = "The convolution matrix C and its transpose"

    figure_height = 420  # CSS px: two rows of sliders and up to four lines of caption above
    specs = {
        "size": ("input size", 1, 3, 2),
        "kernel_size": ("kernel size", 1, 3, 3),
        "stride": ("stride", 1, 3, 1),
        "padding": ("padding", 0, 2, 0),
        "output_padding": ("output_padding", 0, 2, 0),
        "dilation": ("dilation", 1, 2, 1),
        "pixel": ("input pixel", 0, 8, 1),
    }

    def follow_limits(self):
        super().follow_limits()
        self.sliders["pixel"].max = self.current()["size"] ** 2 - 1

    def compute(self, values):
        """``C`` as a masked array: masked where no kernel tap connects the two pixels.

        The mask comes from the matrix of a kernel of ones, so the example
        kernel's weight of 0 is drawn as a weight, not as "no connection".
        """
        i, k = values["size"], values["kernel_size"]
        C = convolution_matrix((i, i), example_kernel(k), *_layer(values))
        connected = convolution_matrix((i, i), np.ones((k, k)), *_layer(values)) != 0
        return np.ma.array(C, mask=~connected)

    def draw(self, data, values):
        pixel = min(values["pixel"], data.shape[0] - 1)
        return self.keep_figure(MatrixFigure, data, pixel)

    def describe(self, values, data):
        if data is None:
            return ""
        i, (rows, cols) = values["size"], data.shape
        o = int(round(cols**0.5))
        return (
            f"y: {i}×{i} = {rows} numbers, x: {o}×{o} = {cols} numbers; forward y = C·x, transposed Cᵀ·y. "
            f"C is {rows}×{cols}: of its {rows * cols} entries {int(data.count())} connect a pixel of y "
            f"to a pixel of x (a kernel weight), the others are 0."
        )


class ScatterExplorer(Explorer):
    """The scatter view stamp by stamp: ``stamp`` walks over the input pixels (kernel 3×3)."""

    subject = "A transposed convolution as kernel stamps added to a canvas"

    figure_height = 420  # CSS px: two rows of sliders and up to four lines of caption above
    specs = {
        "size": ("input size", 1, 3, 2),
        "stride": ("stride", 1, 3, 2),
        "padding": ("padding", 0, 3, 1),
        "output_padding": ("output_padding", 0, 2, 0),
        "dilation": ("dilation", 1, 2, 1),
        "stamp": ("stamp", 1, 9, 1),
    }

    def follow_limits(self):
        super().follow_limits()
        self.sliders["stamp"].max = self.current()["size"] ** 2

    def compute(self, values):
        return scatter_trace(example_input(values["size"]), example_kernel(3), *_layer(values))

    def draw(self, data, values):
        upto = min(max(values["stamp"], 1), data.n_stamps) - 1
        return self.keep_figure(ScatterFigure, data, upto)

    def describe(self, values, data):
        if data is None:
            return ""
        return (
            "Each input pixel adds X[i, j]·W to the canvas at (i·stride, j·stride); "
            "the forward padding crops the canvas to the dashed output window."
        )


# --- notebook 7 ---------------------------------------------------------------------


class OverlapExplorer(Explorer):
    """How many kernel copies land on each pixel: transposed convolution vs resize-then-convolve.

    Left: :func:`~deconvlib.overlap.overlap_count` of a 4×4 input; right:
    :func:`~deconvlib.overlap.resize_conv_count`, nearest upsampling by the
    stride then a stride-1 convolution with the same kernel size.
    """

    subject = "How many kernel copies land on each output pixel, two ways"

    specs = {
        "kernel_size": ("kernel size", 1, 7, 3),
        "stride": ("stride", 1, 4, 2),
        "dilation": ("dilation", 1, 3, 1),
    }
    size = 4

    def compute(self, values):
        k, s, d = values["kernel_size"], values["stride"], values["dilation"]
        pattern = ", ".join(str(int(c)) for c in overlap_pattern(k, s, d))
        resized = resize_conv_count(self.size, k, s, dilation=d)
        inner = (
            f"every inner pixel gets all {k}×{k} taps"
            if resized.max() == k * k
            else f"the {self.size * s}×{self.size * s} image is smaller than the kernel: no pixel gets all {k}×{k}"
        )
        return [
            (
                overlap_count(self.size, k, s, dilation=d),
                f"transposed conv: k={k}, stride {s}\ncopies repeat {pattern} along each axis",
            ),
            (resized, f"resize ×{s}, then conv k={k}, stride 1\n{inner}"),
        ]

    def draw(self, data, values):
        return self.keep_figure(OverlapFigure, data)

    def describe(self, values, data):
        return html.escape(overlap_verdict(values["kernel_size"], values["stride"], values["dilation"]))


def photo(size=64):
    """Grace Hopper's portrait that ships with matplotlib, grey in [0, 1], ``size×size``.

    ``matplotlib.cbook.get_sample_data("grace_hopper.jpg")`` (600×512 RGB),
    cropped to 512×512, averaged over the colours, then
    :func:`deconvlib.pooling.avg_pool2d` by ``512 // size``.

    >>> photo(32).shape, float(photo(32).min()) >= 0, float(photo(32).max()) <= 1
    ((32, 32), True, True)
    """
    from matplotlib.cbook import get_sample_data
    from PIL import Image

    if as_int(size, "size", minimum=1) > 512:
        raise ParameterError(f"size must be an integer from 1 to 512 (the portrait's side), got {size!r}", "size")
    with get_sample_data("grace_hopper.jpg") as file:
        rgb = np.asarray(Image.open(file), dtype=float) / 255
    grey = rgb[20:532, :512].mean(axis=-1)
    factor = 512 // size
    return avg_pool2d(grey[: size * factor, : size * factor], factor)


class ArtifactExplorer(Explorer):
    """A photo upsampled by a transposed convolution vs resize-then-convolve, flat kernels.

    A 32×32 :func:`photo` upsampled ``stride`` times by
    :func:`~deconvlib.overlap.upsample_image`: left a transposed convolution
    with a ``k×k`` kernel of equal weights, right nearest upsampling then a
    ``k×k`` box blur. Where ``stride`` does not divide ``k`` the kernel copies
    overlap unevenly and the photo gets a checkerboard.
    """

    subject = "A photo upsampled two ways"

    specs = {
        "kernel_size": ("kernel size", 1, 6, 3),
        "stride": ("stride", 1, 3, 2),
    }
    size = 32

    def __init__(self, *args, **kwargs):
        self.image = photo(self.size)
        super().__init__(*args, **kwargs)

    def compute(self, values):
        k, s = values["kernel_size"], values["stride"]
        pattern = ", ".join(str(int(c)) for c in overlap_pattern(k, s))
        return [
            (
                upsample_image(self.image, k, s, "transposed"),
                f"transposed conv: k={k}, stride {s}\ncopies repeat {pattern}",
            ),
            (
                upsample_image(self.image, k, s, "resize"),
                f"resize ×{s}, then conv k={k}\nevery pixel gets {k}×{k} taps",
            ),
        ]

    def draw(self, data, values):
        return self.keep_figure(ArtifactFigure, data)

    def describe(self, values, data):
        return html.escape(
            overlap_verdict(values["kernel_size"], values["stride"])
            + ". Each image runs from black (0) to white (its brightest pixel)."
        )


# --- notebook 8 ---------------------------------------------------------------------


class DecoderExplorer(Explorer):
    """A DCGAN-style stack of four identical layers from a ``(16, 4, 4, 512)`` batch: its shapes.

    4×4×512 → 256 → 128 → 64 → 3 channels is the generator of PyTorch's DCGAN
    tutorial; the DCGAN paper's figure 1 starts from 4×4×1024.
    """

    subject = "The shapes through a four-layer decoder"

    specs = {
        "kernel_size": ("kernel size", 1, 5, 4),
        "stride": ("stride", 1, 3, 2),
        "padding": ("padding", 0, 3, 1),
        "output_padding": ("output_padding", 0, 2, 0),
    }
    input_shape = (16, 4, 4, 512)
    channels = (256, 128, 64, 3)

    def compute(self, values):
        layers = [
            Layer(c, values["kernel_size"], values["stride"], values["padding"], values["output_padding"])
            for c in self.channels
        ]
        return decoder_shapes(self.input_shape, layers)

    def draw(self, data, values):
        return self.keep_figure(DecoderFigure, data)

    def describe(self, values, data):
        if data is None:
            return ""
        k, s, p, op = (values[n] for n in ("kernel_size", "stride", "padding", "output_padding"))
        sizes = " → ".join(str(shape[1]) for shape in data)
        return f"each layer: o = {s}·(i − 1) + {k} − 2·{p} + {op}; sizes {sizes}" + (
            " (exactly ×2 per layer)" if all(b[1] == 2 * a[1] for a, b in zip(data, data[1:])) else ""
        )


class GroupsExplorer(Explorer):
    """Channels and groups of one layer: which input channels feed which outputs, and the weight shapes."""

    subject = "Which input channels feed which output channels"

    figure_height = 420  # CSS px: two rows of sliders and up to four lines of caption above
    specs = {
        "c_in": ("input channels", 1, 12, 8),
        "c_out": ("output channels", 1, 12, 4),
        "groups": ("groups", 1, 12, 2),
        "kernel_size": ("kernel size", 1, 5, 4),
    }

    def compute(self, values):
        return group_connections(values["c_in"], values["c_out"], values["groups"])

    def draw(self, data, values):
        return self.keep_figure(GroupsFigure, data, values["groups"])

    def describe(self, values, data):
        if data is None:
            return ""
        k, c_in, c_out, g = values["kernel_size"], values["c_in"], values["c_out"], values["groups"]
        W = np.empty((k, k, c_in, c_out // g), dtype=np.int8)
        torch = to_torch_weight(W).shape
        return (
            f"deconvlib W: (kh, kw, c_in, c_out/groups) = {W.shape}<br>"
            f"PyTorch ConvTranspose2d.weight: (c_in, c_out/groups, kh, kw) = {torch} "
            f"= to_torch_weight(W)<br>{W.size} weights, {W.size // max(k * k, 1)} kernels of {k}×{k}"
        )


# --- notebook 9 ---------------------------------------------------------------------


def example_input_1d(size, ones=False):
    """The 1-D explorer's input: ``1, 2, …, size`` (each stamp recognisable), or all ones.

    >>> example_input_1d(4), example_input_1d(3, ones=True)
    (array([1., 2., 3., 4.]), array([1., 1., 1.]))
    """
    return np.ones(size) if ones else np.arange(1.0, size + 1)


def example_kernel_1d(size, ones=False):
    """The 1-D explorer's kernel: ``1, 2, …, size`` (not symmetric, so a flip would show), or all ones.

    >>> example_kernel_1d(3)
    array([1., 2., 3.])
    """
    return example_input_1d(size, ones)


class StampsExplorer(Explorer):
    """Notebook 9: a 1-D transposed convolution, stamp by stamp, and how many taps land on each cell.

    Sliders for the input length, kernel size, stride, padding and dilation;
    a toggle between the input and kernel ``1, 2, 3, …`` (each stamp
    recognisable) and all ones (then the output *is* the overlap count). The
    figure (:class:`~deconvlib.viz.course_figures.StampsFigure`) stacks each
    input's stamp ``x[n]·w`` above the output and draws the overlap counts as
    bars; the caption writes the output size and the pattern of the counts.

    >>> ex = StampsExplorer()
    >>> ex.data["counts"].tolist()
    [1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1]
    >>> ex.set(kernel_size=4, padding=1)
    >>> ex.data["counts"].tolist()
    [1, 2, 2, 2, 2, 2, 2, 2, 2, 1]
    """

    subject = "A one-dimensional transposed convolution, stamp by stamp"

    figure_height = 340  # CSS px: a checkbox, two rows of sliders and a three-line caption above
    specs = {
        "size": ("input length i", 1, 8, 5),
        "kernel_size": ("kernel size k", 1, 6, 3),
        "stride": ("stride s", 1, 4, 2),
        "padding": ("padding p", 0, 4, 0),
        "dilation": ("dilation d", 1, 3, 1),
    }
    choices = {
        "ones": Choice(
            "x and w",
            (("1, 2, 3, …", False), ("all ones", True)),
            False,
            settings={
                "tooltips": [
                    "input and kernel count 1, 2, 3, …",
                    "every input and weight is 1: the output is the count",
                ],
                "style": {"button_width": "110px"},
            },
        )
    }
    ones = property(lambda self: self.choosers["ones"], doc="The toggle between 1, 2, 3, … and all ones.")

    def compute(self, values):
        """The stamps on the full canvas, the output (cropped by the padding) and the overlap counts."""
        i, k, s, p, d = (values[n] for n in ("size", "kernel_size", "stride", "padding", "dilation"))
        ones = values.get("ones", False)  # the toggle; False when only the sliders are given
        x, w = example_input_1d(i, ones), example_kernel_1d(k, ones)
        output = conv_transpose1d(x, w, stride=s, padding=p, dilation=d)  # raises for a padding that empties it
        return {
            "x": x,
            "w": w,
            "stamps": stamps_1d(x, w, stride=s, dilation=d),
            "output": output,
            "start": p,
            "counts": overlap_count_1d(i, k, stride=s, padding=p, dilation=d),
        }

    def draw(self, data, values):
        return self.keep_figure(StampsFigure, data["x"], data["w"], data["stamps"], data["output"], data["start"])

    def describe(self, values, data):
        i, k, s, p, d = (values[n] for n in ("size", "kernel_size", "stride", "padding", "dilation"))
        if data is None:
            return html.escape(stamps_caption(i, k, s, p, d))
        formula, cells = stamps_caption(i, k, s, p, d, counts=data["counts"]).rsplit(" = ", 1)
        n, rest = cells.split(" ", 1)  # "11 cells; taps per cell: …": the size in bold
        return f"{html.escape(formula)} = <b>{n}</b> {html.escape(rest)}<br>{html.escape(overlap_sentence(k, s, d))}"


# --- notebook 10 --------------------------------------------------------------------

_UP = {"kind": "conv_transpose", "kernel": 4, "stride": 2, "padding": 1}

#: The stacks of :class:`DoctorExplorer`: name → ``(label, layers, input_shape, pairs)``, layers as
#: :func:`deconvlib.doctor` takes them.
DOCTOR_STACKS = {
    "dcgan": (
        "DCGAN generator",
        [
            {"kind": "conv_transpose", "name": "project", "kernel": 4, "stride": 1, "channels": 512},
            dict(_UP, name="up1", channels=256),
            dict(_UP, name="up2", channels=128),
            dict(_UP, name="up3", channels=64),
            dict(_UP, name="rgb", channels=3),
        ],
        (1, 100, 1, 1),
        [],
    ),
    "unet": (
        "U-Net, odd input",
        [
            {"kind": "conv", "name": "enc1", "kernel": 3, "padding": 1, "channels": 64},
            {"kind": "pool", "name": "down1", "kernel": 2},
            {"kind": "conv", "name": "enc2", "kernel": 3, "padding": 1, "channels": 128},
            {"kind": "pool", "name": "down2", "kernel": 2},
            {"kind": "conv_transpose", "name": "up2", "kernel": 2, "stride": 2, "channels": 128},
            {
                "kind": "conv_transpose",
                "name": "up1",
                "kernel": 3,
                "stride": 2,
                "padding": 1,
                "output_padding": 1,
                "channels": 64,
            },
        ],  # fmt: skip
        (1, 3, 45, 45),
        [("down2", "up2"), ("down1", "up1")],
    ),
    "audio": (
        "1-D audio decoder",
        [
            {"kind": "conv_transpose", "name": "up4a", "kernel": 8, "stride": 4, "padding": 2, "channels": 256},
            {"kind": "conv_transpose", "name": "up4b", "kernel": 8, "stride": 4, "padding": 2, "channels": 128},
            {
                "kind": "conv_transpose",
                "name": "up2",
                "kernel": 3,
                "stride": 2,
                "padding": 1,
                "output_padding": 1,
                "channels": 64,
            },
            {"kind": "conv", "name": "out", "kernel": 7, "padding": 3, "channels": 1},
        ],  # fmt: skip
        (1, 512, 16),
        [],
    ),
}


class DoctorExplorer(Explorer):
    """Notebook 10: change one layer of a real stack and watch its sizes and its overlap map.

    A toggle picks the stack (:data:`DOCTOR_STACKS`); the ``layer`` slider
    picks a layer (0 is the first, as in the report's ``#`` column), and the kernel, stride and padding sliders
    are that layer's numbers — moving ``layer`` or the stack loads the chosen
    layer's own numbers into them. :func:`deconvlib.doctor` does the rest:
    ``data`` is its :class:`~deconvlib.doctor.Report` (sizes, overlap per
    layer, the overlap map, the U-Net's round trips). A layer the input cannot
    go through is explained instead of drawn, naming the layer and the field.

    >>> ex = DoctorExplorer()
    >>> ex.data.output_shape, ex.data.map_contrast()
    ((1, 3, 64, 64), 1.0)
    >>> ex.set(kernel_size=3)
    >>> ex.data.output_shape, ex.data.layers[4]["risk"]
    ((1, 3, 63, 63), 'uneven 2:1')
    >>> DoctorExplorer(stack="audio").current()  # the last layer, with its own numbers
    {'stack': 'audio', 'layer': 3, 'kernel_size': 7, 'stride': 1, 'padding': 3}
    >>> ex.set(stack="unet", layer=5)
    >>> ex.current()["kernel_size"], [t["ok"] for t in ex.data.round_trips]
    (3, [True, False])
    """

    subject = "A whole decoder's sizes and its overlap map, one layer changed"

    figure_height = 330  # CSS px: the stack toggle, two rows of sliders and a three-line caption above
    specs = {
        "layer": ("layer #", 0, 5, 4),
        "kernel_size": ("kernel size", 1, 8, 4),
        "stride": ("stride", 1, 4, 2),
        "padding": ("padding", 0, 3, 1),
    }
    choices = {
        "stack": Choice(
            "stack",
            tuple((label, name) for name, (label, *_) in DOCTOR_STACKS.items()),
            "dcgan",
            settings={"style": {"button_width": "130px"}},
        )
    }

    def __init__(self, **values):
        self._shown = None
        stack = values.get("stack", self.choices["stack"].default)
        if stack in DOCTOR_STACKS and isinstance(values.get("layer", 0), int):
            last = len(DOCTOR_STACKS[stack][1]) - 1
            layer = min(max(values.get("layer", self.specs["layer"][3]), 0), last)
            values = {**self.layer_numbers(stack, layer), **values, "layer": layer}  # the layer's own numbers
        super().__init__(**values)

    @staticmethod
    def layer_numbers(stack, layer):
        """The ``kernel_size``, ``stride`` and ``padding`` of ``layer`` (0 is the first) of ``stack``, as it is."""
        spec = DOCTOR_STACKS[stack][1][layer]
        return {"kernel_size": spec["kernel"], "stride": spec.get("stride", 1), "padding": spec.get("padding", 0)}

    def changed_layers(self, values):
        """The stack's layers with layer ``values["layer"]`` given the sliders' kernel, stride and padding."""
        label, layers, _, _ = DOCTOR_STACKS[self._stack(values)]
        index = values["layer"]
        if not 0 <= index < len(layers):
            raise ParameterError(f"the {label} has layers 0 to {len(layers) - 1}, got layer {index}", "layer")
        layers = [dict(layer) for layer in layers]
        layers[index].update(kernel=values["kernel_size"], stride=values["stride"], padding=values["padding"])
        return layers

    def compute(self, values):
        """:func:`deconvlib.doctor`'s report of the stack with the one layer changed."""
        _, _, input_shape, pairs = DOCTOR_STACKS[self._stack(values)]
        return doctor(self.changed_layers(values), input_shape, pairs=pairs)

    def draw(self, data, values):
        sizes = [tuple(row["input"][2:]) for row in data.layers] + [tuple(data.output_shape[2:])]
        return self.keep_figure(StackFigure, sizes, data.overlap_map, values["layer"])

    def _stack(self, values):
        """The stack's name: the toggle's, or its default when only the sliders are given."""
        return values.get("stack", self.choices["stack"].default)

    def describe(self, values, data):
        label, layers, _, _ = DOCTOR_STACKS[self._stack(values)]
        if data is None:
            k, s, p = (values[name] for name in ("kernel_size", "stride", "padding"))
            name = layers[values["layer"]]["name"] if 0 <= values["layer"] < len(layers) else "?"
            return html.escape(f"{label}, layer {values['layer']} ({name}) with kernel {k}, stride {s}, padding {p}:")
        row = data.layers[values["layer"]]
        shape = lambda s: "×".join(map(str, s))  # noqa: E731
        lines = [
            f"{label}, {shape(data.input_shape)} → {shape(data.output_shape)}. "
            f"Layer {row['index']} ({row['name']}): {row['layer']}, risk {row['risk']}."
        ]
        risky = [f"{r['index']} ({r['risk']})" for r in data.layers if r["risk"] not in ("none", "-")]
        contrast = data.map_contrast()
        shown = "holes" if contrast == float("inf") else f"{contrast:.3g}" + (" (flat)" if contrast == 1 else "")
        lines.append(f"Uneven layers: {', '.join(risky) or 'none'}. The map's max/min in its middle half: {shown}.")
        if data.round_trips:
            lines.append(
                "U-Net pairs: "
                + "; ".join(
                    f"{t['encoder']} → {t['decoder']} round-trips ({shape(t['up'])})"
                    if t["ok"]
                    else f"{t['encoder']} → {t['decoder']} does NOT round-trip (skip {shape(t['skip'])}, "
                    f"up {shape(t['up'])})"
                    for t in data.round_trips
                )
                + "."
            )
        return "<br>".join(map(html.escape, lines))

    def follow_limits(self):
        """The ``layer`` slider runs over the stack's layers; a new layer or stack loads that layer's numbers."""
        super().follow_limits()
        stack = self.choosers["stack"].value
        self.sliders["layer"].max = len(DOCTOR_STACKS[stack][1]) - 1
        shown = (stack, self.sliders["layer"].value)
        if self._shown is not None and shown != self._shown:
            for name, value in self.layer_numbers(*shown).items():
                self.sliders[name].value = value
        self._shown = shown

    def set(self, **values):
        """As :meth:`Explorer.set`; a new ``layer`` or ``stack`` brings its own numbers unless they are given."""
        stack = values.get("stack", self.choosers["stack"].value)
        try:
            layer = operator.index(values.get("layer", self.sliders["layer"].value))
        except TypeError:
            layer = None  # Explorer.set names the bad value
        if stack in DOCTOR_STACKS and layer is not None and ("stack" in values or "layer" in values):
            layer = min(max(layer, 0), len(DOCTOR_STACKS[stack][1]) - 1)
            values = {**self.layer_numbers(stack, layer), **values}
            before, self._shown = self._shown, (stack, layer)
            try:
                super().set(**values)
            except ValueError:
                self._shown = before
                raise
            return
        super().set(**values)
