"""The explorers of the eight notebooks, in notebook order.

Each is an :class:`~deconvlib.course.explorer.Explorer`: its sliders
(``specs``), a tested ``compute(values)`` (``ValueError`` for a combination
the library rejects, shown as a short explanation instead of the figure),
``draw`` (one figure of :mod:`deconvlib.viz`, updated in place) and
``describe`` (the caption, from :mod:`deconvlib.explain`).

- Notebooks 1–4: :class:`TraceExplorer`, the transposed convolution of
  :func:`example_input` by :func:`example_kernel` as a
  :class:`~deconvlib.viz.drawing.TraceFigure`, with the sliders of
  :data:`SLIDERS`; :func:`pipeline_explorer` (every slider),
  :func:`dilation_explorer` (stage 1), :func:`padding_explorer` (stage 2),
  :func:`sweep_explorer` (stage 3, a Play button steps the sweep).
- Notebook 5: :class:`GuideExplorer`, the guide's figures by name
  (:data:`GUIDE_CASES`); :class:`PaddingSolver`, padding for a target size.
- Notebook 6: :class:`MatrixExplorer` (``C`` and ``Cᵀ``), :class:`ScatterExplorer`.
- Notebook 7: :class:`OverlapExplorer`, transposed convolution vs resize-conv.
- Notebook 8: :class:`DecoderExplorer`, :class:`GroupsExplorer`.

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

import ipywidgets as widgets
import numpy as np

from ..arithmetic import conv_transpose_output_size, transpose_padding_for
from ..cases import CASES as GALLERY_CASES
from ..channels import Layer, decoder_shapes, group_connections, to_torch_weight
from ..explain import (
    dilated_size_caption,
    explain,
    output_size_caption,
    overlap_verdict,
    padding_caption,
    solve_padding_text,
    step_caption,
)
from ..overlap import overlap_count, overlap_pattern, resize_conv_count
from ..trace import scatter_trace, trace
from ..transpose import convolution_matrix
from ..viz.course_figures import DecoderFigure, GroupsFigure, MatrixFigure, OverlapFigure, ScatterFigure
from ..viz.drawing import TraceFigure
from .explorer import Explorer

__all__ = [
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
    "GuideExplorer",
    "PaddingSolver",
    "MatrixExplorer",
    "ScatterExplorer",
    "OverlapExplorer",
    "DecoderExplorer",
    "GroupsExplorer",
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

    def compute(self, values):
        return example_trace(values)

    def draw(self, data, values):
        step = min(max(values["step"], 1), data.n_steps) - 1 if "step" in self.sliders else None
        return self.keep_figure(TraceFigure, data, step, panels=self.panels)

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

    specs = trace_sliders("size", "kernel_size", "stride", "padding", "output_padding", "dilation", "step")

    def describe(self, values, data):
        return output_size_caption(values, data)


class DilationExplorer(TraceExplorer):
    """Notebook 2: stage 1 alone; sliders for input size and stride."""

    specs = trace_sliders("size", "stride", limits={"size": (1, 6), "stride": (1, 4)})
    fixed = {"kernel_size": 1}
    panels = ("input", "dilated")

    def describe(self, values, data):
        return dilated_size_caption(values, data)


class PaddingExplorer(TraceExplorer):
    """Notebook 3: stage 2; padding becomes a crop, output_padding adds a row."""

    specs = trace_sliders("size", "kernel_size", "stride", "padding", "output_padding", defaults={"padding": 1})
    panels = ("dilated", "padded", "full")

    def describe(self, values, data):
        return padding_caption(values, data)


class SweepExplorer(TraceExplorer):
    """Notebook 4: stage 3; the flipped kernel sweeps the padded grid, step by step."""

    specs = trace_sliders(
        "size", "kernel_size", "stride", "padding", "dilation", "step", defaults={"size": 2, "step": 1}
    )
    panels = ("padded", "kernel", "products", "output")

    def describe(self, values, data):
        return step_caption(values, data)


def pipeline_explorer(**values):
    """Notebook 1: every slider, the whole pipeline, and the output-size formula."""
    return PipelineExplorer(**values)


def dilation_explorer(**values):
    """Notebook 2: stage 1 alone; sliders for input size and stride."""
    return DilationExplorer(**values)


def padding_explorer(**values):
    """Notebook 3: stage 2; padding becomes a crop, output_padding adds a row."""
    return PaddingExplorer(**values)


def sweep_explorer(**values):
    """Notebook 4: stage 3; the flipped kernel sweeps the padded grid, step by step."""
    return SweepExplorer(**values)


# --- notebook 5 ---------------------------------------------------------------------


def _slider_values(case):
    """A gallery case's parameters under the sliders' names (its ``input_size`` is ``size``)."""
    return {("size" if k == "input_size" else k): v for k, v in case.parameters.items() if k != "transposed"}


#: The transposed cases of :data:`deconvlib.cases.CASES` that sliders can set (integer parameters),
#: name → case: the guide's seven transposed figures, its dilation figure's twin, and a few more.
GUIDE_CASES = {
    case.name: case
    for case in GALLERY_CASES
    if case.transposed and all(isinstance(v, int) for v in _slider_values(case).values())
}
CUSTOM = "custom"


class GuideExplorer(TraceExplorer):
    """The guide's transposed-convolution figures by name, and everything in between.

    The dropdown sets the sliders to a figure of Dumoulin & Visin (from
    :data:`deconvlib.cases.CASES`); moving a slider shows "custom" unless
    the values are another named case. The figure is the direct convolution
    the transposed one equals (input, dilated + padded grid, flipped kernel,
    output); the caption is :func:`deconvlib.explain.explain`'s arithmetic.
    """

    specs = {
        "size": ("input size i′", 1, 7, 3),
        "kernel_size": ("kernel size k", 1, 5, 3),
        "stride": ("stride s", 1, 3, 2),
        "padding": ("padding p", 0, 4, 1),
        "output_padding": ("output_padding a", 0, 2, 1),
        "dilation": ("dilation d", 1, 3, 1),
    }

    def __init__(self, case="padding_strides_odd_transposed", **values):
        options = [(f"{c.title} ({name})", name) for name, c in GUIDE_CASES.items()] + [("custom", CUSTOM)]
        self.case = widgets.Dropdown(
            options=options, value=CUSTOM, description="figure", layout=widgets.Layout(width="100%", max_width="560px")
        )
        super().__init__(**{**self.case_values(case), **values})
        self.case.observe(self.choose, "value")

    def header(self):
        return [self.case]

    @staticmethod
    def case_values(name):
        """Slider values of the named case."""
        if name not in GUIDE_CASES:
            raise ValueError(f"case must be one of {', '.join(GUIDE_CASES)}; got {name!r}")
        return _slider_values(GUIDE_CASES[name])

    @staticmethod
    def matching_case(values):
        """The name of the case with exactly these values, or ``"custom"``."""
        wanted = {name: values[name] for name in PARAMETERS}
        return next((n for n in GUIDE_CASES if GuideExplorer.case_values(n) == wanted), CUSTOM)

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

    specs = {
        "kernel_size": ("kernel size", 1, 7, 3),
        "stride": ("stride", 1, 4, 2),
        "dilation": ("dilation", 1, 3, 1),
    }
    size = 4

    def compute(self, values):
        k, s, d = values["kernel_size"], values["stride"], values["dilation"]
        pattern = ", ".join(str(int(c)) for c in overlap_pattern(k, s, d))
        return [
            (
                overlap_count(self.size, k, s, dilation=d),
                f"transposed conv: k={k}, stride {s}\ncopies repeat {pattern} along each axis",
            ),
            (
                resize_conv_count(self.size, k, s, dilation=d),
                f"resize ×{s}, then conv k={k}, stride 1\nevery inner pixel gets all {k}×{k} taps",
            ),
        ]

    def draw(self, data, values):
        return self.keep_figure(OverlapFigure, data)

    def describe(self, values, data):
        return html.escape(overlap_verdict(values["kernel_size"], values["stride"], values["dilation"]))


# --- notebook 8 ---------------------------------------------------------------------


class DecoderExplorer(Explorer):
    """A DCGAN-style stack of four identical layers from a ``(16, 4, 4, 512)`` batch: its shapes.

    4×4×512 → 256 → 128 → 64 → 3 channels is the generator of PyTorch's DCGAN
    tutorial; the DCGAN paper's figure 1 starts from 4×4×1024.
    """

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
            f"= W.transpose(2, 3, 0, 1)<br>{W.size} weights, {W.size // max(k * k, 1)} kernels of {k}×{k}"
        )
