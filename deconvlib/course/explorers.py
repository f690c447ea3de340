"""Explorers of notebooks 5-8, wired like :mod:`deconvlib.widgets`.

Each explorer is a :class:`~deconvlib.widgets.Explorer` (same ``ui``,
``refresh``, ``render``, ``set``, ``message``, ``png``) whose sliders and
figure are its own: a tested ``compute(values)`` turns the slider values into
data (raising ``ValueError`` for a combination the library rejects, which is
shown as a short explanation instead of the figure), and ``draw`` updates one
figure of :mod:`deconvlib.views` (or :class:`~deconvlib.drawing.TraceFigure`)
in place. Limits follow other sliders: ``output_padding < max(stride,
dilation)``, the stamping pixel stays inside the input.

- :class:`GuideExplorer` (notebook 5): the guide's transposed-convolution
  figures by name, from :data:`deconvlib.gallery.CASES`, and every other case.
- :class:`PaddingSolver` (notebook 5): ``transpose_padding_for`` for a target size.
- :class:`MatrixExplorer`, :class:`ScatterExplorer` (notebook 6): ``C``/``Cᵀ``
  and the scatter view.
- :class:`OverlapExplorer` (notebook 7): overlap counts, transposed vs resize-conv.
- :class:`DecoderExplorer`, :class:`GroupsExplorer` (notebook 8).
"""

import html

import ipywidgets as widgets
import numpy as np

from ..arithmetic import transpose_padding_for
from ..cases import CASES as GALLERY_CASES
from ..channels import Layer, decoder_shapes, group_connections, to_torch_weight
from ..explain import explain, overlap_verdict, solve_padding_text
from ..overlap import overlap_count, overlap_pattern, resize_conv_count
from ..trace import scatter_trace, trace
from ..transpose import convolution_matrix
from ..viz.course_figures import DecoderFigure, GroupsFigure, MatrixFigure, OverlapFigure, ScatterFigure
from ..viz.drawing import TraceFigure
from .explorer import Explorer, example_input, example_kernel

__all__ = [
    "GUIDE_CASES",
    "CourseExplorer",
    "GuideExplorer",
    "PaddingSolver",
    "MatrixExplorer",
    "ScatterExplorer",
    "OverlapExplorer",
    "DecoderExplorer",
    "GroupsExplorer",
]

#: The transposed cases of :data:`deconvlib.gallery.CASES` that sliders can set (integer parameters),
#: name → case: the guide's seven transposed figures, its dilation figure's twin, and a few more.
GUIDE_CASES = {
    case.name: case
    for case in GALLERY_CASES
    if case.transposed
    and all(
        isinstance(v, int)
        for v in (case.input_size, case.kernel_size, case.stride, case.padding, case.output_padding, case.dilation)
    )
}
CUSTOM = "custom"


class CourseExplorer(Explorer):
    """An :class:`~deconvlib.widgets.Explorer` with its own sliders, computation and figure.

    Subclasses set :attr:`specs` (name → ``(label, min, max, default)``) and
    define ``compute(values) → data`` (raise ``ValueError`` for a bad
    combination) and ``draw(data, values) → figure`` (usually one call of the
    inherited ``keep_figure``: made once, then updated in place; the figure has
    ``to_png(dpi)``). The inherited ``refresh`` is every slider's one callback.
    """

    specs = {}
    figsize = (10, 3.625)

    def __init__(self, values=None, dpi=72, caption=None, header=()):
        self.values = {name: spec[3] for name, spec in self.specs.items()}
        self.values.update(values or {})
        self.panels, self.caption_fn, self.dpi = (), caption or self.describe, dpi
        self._build(self.specs, header)

    def follow_limits(self):
        """``output_padding < max(stride, dilation)`` where both sliders exist (each may be fixed)."""
        if "output_padding" in self.sliders:
            v = self.current()
            self.sliders["output_padding"].max = max(v.get("stride", 1), v.get("dilation", 1)) - 1

    def set(self, **values):
        """Move several sliders at once (one redraw); limits are re-derived from the new values."""
        for name, slider in self.sliders.items():  # open every limit first, so no value is clamped early
            slider.max = self.specs[name][2]
        super().set(**values)

    def compute(self, values):
        raise NotImplementedError

    def draw(self, data, values):
        raise NotImplementedError

    def describe(self, values, data):
        """The caption (HTML) for ``values``; ``data`` is ``None`` when ``compute`` refused them."""
        return ""

    def show(self, values):
        """Draw ``values``; return the figure, or the explanation (``⚠ ...``) of why not."""
        try:
            data = self.compute(values)
        except ValueError as error:
            return "⚠ " + str(error)
        figure = self.draw(data, values)
        figure.trace = data  # what the figure shows: the caption's second argument (as in Explorer)
        return figure


# --- notebook 5 ---------------------------------------------------------------------


class GuideExplorer(CourseExplorer):
    """The guide's transposed-convolution figures by name, and everything in between.

    The dropdown sets the sliders to a figure of Dumoulin & Visin (from
    :data:`deconvlib.gallery.CASES`); moving a slider shows "custom" unless
    the values are another named case. The figure is the direct convolution
    the transposed one equals (input, dilated + padded grid, flipped kernel,
    output); the caption is :func:`deconvlib.gallery.explain`'s arithmetic.
    """

    specs = {
        "size": ("input size i′", 1, 7, 3),
        "kernel_size": ("kernel size k", 1, 5, 3),
        "stride": ("stride s", 1, 3, 2),
        "padding": ("padding p", 0, 4, 1),
        "output_padding": ("output_padding a", 0, 2, 1),
        "dilation": ("dilation d", 1, 3, 1),
    }
    figsize = (11, 3.75)

    def __init__(self, case="padding_strides_odd_transposed", dpi=72):
        options = [(f"{c.title} ({name})", name) for name, c in GUIDE_CASES.items()] + [("custom", CUSTOM)]
        self.case = widgets.Dropdown(
            options=options, value=CUSTOM, description="figure", layout=widgets.Layout(width="560px")
        )
        super().__init__(self.case_values(case), dpi, header=[self.case])
        self.case.value = self.matching_case(self.current())
        self.case.observe(self.choose, "value")

    @staticmethod
    def case_values(name):
        """Slider values of the named case."""
        if name not in GUIDE_CASES:
            raise ValueError(f"case must be one of {', '.join(GUIDE_CASES)}; got {name!r}")
        c = GUIDE_CASES[name]
        return dict(
            size=c.input_size,
            kernel_size=c.kernel_size,
            stride=c.stride,
            padding=c.padding,
            output_padding=c.output_padding,
            dilation=c.dilation,
        )

    @staticmethod
    def matching_case(values):
        """The name of the case with exactly these values, or ``"custom"``."""
        wanted = {k: values[k] for k in ("size", "kernel_size", "stride", "padding", "output_padding", "dilation")}
        return next((n for n in GUIDE_CASES if GuideExplorer.case_values(n) == wanted), CUSTOM)

    def choose(self, change):
        """The dropdown's one callback: a named case sets all sliders at once."""
        if change["new"] != CUSTOM and not self._busy:
            self.set(**self.case_values(change["new"]))

    def refresh(self, change=None):
        super().refresh(change)
        if hasattr(self, "case") and not self._busy:
            self._busy = True
            try:
                self.case.value = self.matching_case(self.current())
            finally:
                self._busy = False

    def compute(self, values):
        return trace(
            example_input(values["size"]),
            example_kernel(values["kernel_size"]),
            values["stride"],
            values["padding"],
            values["output_padding"],
            values["dilation"],
        )

    def draw(self, data, values):
        return self.keep_figure(TraceFigure, data, None)

    def describe(self, values, data):
        if data is None:
            return ""
        text = explain(
            True,
            values["size"],
            values["kernel_size"],
            values["stride"],
            values["padding"],
            values["output_padding"],
            values["dilation"],
        )
        return f"<pre style='font-size:85%;line-height:1.25'>{html.escape(text)}</pre>"


class PaddingSolver(CourseExplorer):
    """Which padding gives my target size? Sliders for ``i``, ``k``, ``s``, ``d`` and the target.

    Shows :func:`solve_padding_text` and, when there is an answer, the padded
    grid of that transposed convolution (input and output panels).
    """

    specs = {
        "size": ("input size i", 1, 8, 4),
        "kernel_size": ("kernel size k", 1, 5, 4),
        "stride": ("stride s", 1, 4, 2),
        "dilation": ("dilation d", 1, 3, 1),
        "target": ("target size", 1, 24, 8),
    }
    figsize = (9, 3.0)

    def compute(self, values):
        answer = transpose_padding_for(
            values["size"], values["kernel_size"], values["target"], values["stride"], values["dilation"]
        )
        p, op = answer
        return trace(
            example_input(values["size"]),
            example_kernel(values["kernel_size"]),
            values["stride"],
            p,
            op,
            values["dilation"],
        )

    def draw(self, data, values):
        return self.keep_figure(TraceFigure, data, None, panels=("input", "full"))

    def describe(self, values, data):
        text = solve_padding_text(
            values["size"], values["kernel_size"], values["target"], values["stride"], values["dilation"]
        )
        return f"<b>{html.escape(text)}</b>"


# --- notebook 6 ---------------------------------------------------------------------


class MatrixExplorer(CourseExplorer):
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
    figsize = (10, 4.625)

    def follow_limits(self):
        super().follow_limits()
        self.sliders["pixel"].max = self.current()["size"] ** 2 - 1

    def compute(self, values):
        i = values["size"]
        return convolution_matrix(
            (i, i),
            example_kernel(values["kernel_size"]),
            values["stride"],
            values["padding"],
            values["output_padding"],
            values["dilation"],
        )

    def draw(self, data, values):
        pixel = min(values["pixel"], data.shape[0] - 1)
        return self.keep_figure(MatrixFigure, data, pixel)

    def describe(self, values, data):
        if data is None:
            return ""
        i, (rows, cols) = values["size"], data.shape
        o = int(round(cols**0.5))
        return (
            f"input {i}×{i} = {rows} numbers, output {o}×{o} = {cols} numbers: C is {rows}×{cols}, "
            f"each of its {rows * cols} entries is a kernel weight or 0; "
            f"{int(np.count_nonzero(data))} are weights."
        )


class ScatterExplorer(CourseExplorer):
    """The scatter view stamp by stamp: ``stamp`` walks over the input pixels."""

    specs = {
        "size": ("input size", 1, 3, 2),
        "stride": ("stride", 1, 3, 2),
        "padding": ("padding", 0, 3, 1),
        "output_padding": ("output_padding", 0, 2, 0),
        "dilation": ("dilation", 1, 2, 1),
        "stamp": ("stamp", 1, 9, 1),
    }
    figsize = (10, 3.75)

    def follow_limits(self):
        super().follow_limits()
        self.sliders["stamp"].max = self.current()["size"] ** 2

    def compute(self, values):
        return scatter_trace(
            example_input(values["size"]),
            example_kernel(3),
            values["stride"],
            values["padding"],
            values["output_padding"],
            values["dilation"],
        )

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


class OverlapExplorer(CourseExplorer):
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
    figsize = (10, 4.375)
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


class DecoderExplorer(CourseExplorer):
    """A DCGAN-style stack of four identical layers from a ``(16, 4, 4, 512)`` batch: its shapes."""

    specs = {
        "kernel_size": ("kernel size", 1, 5, 4),
        "stride": ("stride", 1, 3, 2),
        "padding": ("padding", 0, 3, 1),
        "output_padding": ("output_padding", 0, 2, 0),
    }
    figsize = (10, 2.75)
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


class GroupsExplorer(CourseExplorer):
    """Channels and groups of one layer: which input channels feed which outputs, and the weight shapes."""

    specs = {
        "c_in": ("input channels", 1, 12, 8),
        "c_out": ("output channels", 1, 12, 4),
        "groups": ("groups", 1, 12, 2),
        "kernel_size": ("kernel size", 1, 5, 4),
    }
    figsize = (4.625, 4.25)

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
