"""One visual language for every figure: grids of cells, kernel windows, legends.

Colours (after vdumoulin/conv_arithmetic): blue input pixels, white inserted
(dilation) zeros, grey padding, orange kernel, cyan output, red the output
cell being written. Grids are drawn as one image each, values as text only
where the grid is small, and every artist can be updated in place, so a
slider can redraw a figure in a few milliseconds.

Pure functions and small classes ``data → matplotlib artists``; nothing here
knows about widgets. Figures are created with ``matplotlib.figure.Figure``
(not pyplot), so they are never left open behind the notebook's back.
"""
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from .stages import INPUT, PAD, ZERO

__all__ = [
    "COLORS",
    "MAX_LABELLED_CELLS",
    "legend_handles",
    "label_colors",
    "Grid",
    "Window",
    "TraceFigure",
    "draw_trace",
]

COLORS = {
    "input": "#6fa8dc",
    "zero": "#ffffff",
    "pad": "#d9d9d9",
    "kernel": "#f6b26b",
    "output": "#76d7c4",
    "current": "#e06666",
    "window": "#e69138",
    "empty": "#f3f3f3",
}

#: Grids with more cells than this are drawn without printed values.
MAX_LABELLED_CELLS = 144

_CELL_COLOR = {INPUT: "input", ZERO: "zero", PAD: "pad"}


def legend_handles(kinds=("input", "zero", "pad", "kernel", "output", "current")):
    """Legend patches for the cell kinds, in the colours of :data:`COLORS`."""
    names = {
        "input": "input pixel",
        "zero": "inserted zero (dilation)",
        "pad": "padding",
        "kernel": "kernel",
        "output": "output",
        "current": "cell being written",
        "window": "kernel window",
        "empty": "not yet written",
    }
    return [Patch(facecolor=COLORS[k], edgecolor="#555555", label=names[k]) for k in kinds]


def label_colors(labels):
    """RGB image ``(h, w, 3)`` for a grid of ``stages`` labels (INPUT, ZERO, PAD).

    >>> label_colors(np.array([[0, 1, 2]])).shape
    (1, 3, 3)
    """
    palette = np.array([to_rgb(COLORS[_CELL_COLOR[k]]) for k in (INPUT, ZERO, PAD)])
    return palette[np.asarray(labels)]


def solid_colors(shape, kind):
    """RGB image of ``shape`` filled with the colour of ``kind``."""
    return np.broadcast_to(np.array(to_rgb(COLORS[kind])), tuple(shape) + (3,)).copy()


def format_value(value):
    """Short text for a cell: integers without a decimal point, others to 3 digits.

    >>> format_value(2.0), format_value(-0.5), format_value(1/3)
    ('2', '-0.5', '0.333')
    """
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3g}"


class Grid:
    """A grid of coloured cells on ``ax``, optionally with a value in each cell.

    ``Grid(ax, colors, values)`` draws; ``grid.update(colors, values)`` redraws
    in place (the grid may change size). ``colors`` is an ``(h, w, 3)`` RGB
    image (see :func:`label_colors`, :func:`solid_colors`).
    """

    def __init__(self, ax, colors, values=None, title=None, max_labelled=MAX_LABELLED_CELLS):
        self.ax = ax
        self.max_labelled = max_labelled
        self.image = ax.imshow(colors, interpolation="nearest", aspect="equal")
        self.texts = []
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.grid(which="minor", color="#888888", linewidth=0.6)
        if title is not None:
            ax.set_title(title, fontsize=10)
        self.update(colors, values)

    @property
    def shape(self):
        return self.image.get_array().shape[:2]

    def update(self, colors, values=None):
        h, w = colors.shape[:2]
        self.image.set_data(colors)
        self.image.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        self.ax.set_xlim(-0.5, w - 0.5)
        self.ax.set_ylim(h - 0.5, -0.5)
        self.ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
        self.ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
        self.ax.set_xticks([])
        self.ax.set_yticks([])
        shown = values is not None and h * w <= self.max_labelled
        n = h * w if shown else 0
        while len(self.texts) < n:
            self.texts.append(self.ax.text(0, 0, "", ha="center", va="center", fontsize=8))
        for k, text in enumerate(self.texts):
            text.set_visible(k < n)
            if k < n:
                y, x = divmod(k, w)
                text.set_position((x, y))
                text.set_text(format_value(values[y, x]))
        self.values = values

    def cell_texts(self):
        """The strings printed in the cells, row-major (for tests)."""
        return [t.get_text() for t in self.texts if t.get_visible()]


class Window:
    """Outlines of the kernel's taps on a grid: one square per tap, ``dilation`` apart."""

    def __init__(self, ax, kernel_shape, dilation=(1, 1), origin=(0, 0), color=COLORS["window"]):
        self.ax = ax
        self.color = color
        self.patches = []
        self.update(origin, kernel_shape, dilation)

    def update(self, origin, kernel_shape=None, dilation=None):
        if kernel_shape is not None:
            self.kernel_shape, self.dilation = tuple(kernel_shape), tuple(dilation)
        kh, kw = self.kernel_shape
        while len(self.patches) < kh * kw:
            patch = Rectangle((0, 0), 1, 1, fill=False, edgecolor=self.color, linewidth=2.2, zorder=3)
            self.patches.append(self.ax.add_patch(patch))
        for k, patch in enumerate(self.patches):
            patch.set_visible(k < kh * kw)
            if k < kh * kw:
                a, b = divmod(k, kw)
                patch.set_xy((origin[1] + b * self.dilation[1] - 0.5, origin[0] + a * self.dilation[0] - 0.5))
        self.origin = tuple(origin)

    def cells(self):
        """``(row, col)`` of every tap on the grid (for tests)."""
        return [
            (int(p.get_y() + 0.5), int(p.get_x() + 0.5)) for p in self.patches if p.get_visible()
        ]


class TraceFigure:
    """The four stages of a :class:`~deconvlib.Trace` in one figure, updatable in place.

    Panels: the input; the padded grid (input pixels, inserted zeros, padding)
    with the kernel window at the current step; the flipped kernel; the output,
    filled up to the current step with the cell being written in red.
    ``step=None`` shows the finished output and no window.
    """

    def __init__(self, trace, step=None, figsize=(11, 3.4)):
        self.figure = Figure(figsize=figsize, layout="constrained")
        axes = self.figure.subplots(1, 4, width_ratios=[1, 1.6, 0.8, 1.4])
        self.axes = dict(zip(("input", "padded", "kernel", "output"), axes))
        t = trace
        self.grids = {
            "input": Grid(self.axes["input"], solid_colors(t.input.shape, "input"), t.input),
            "padded": Grid(self.axes["padded"], label_colors(t.labels), t.padded),
            "kernel": Grid(self.axes["kernel"], solid_colors(t.flipped.shape, "kernel"), t.flipped),
            "output": Grid(self.axes["output"], solid_colors(t.output.shape, "output"), t.output),
        }
        self.window = Window(self.axes["padded"], t.kernel.shape, t.dilation)
        self.figure.legend(
            handles=legend_handles(), loc="outside lower center", ncols=6, fontsize=8, frameon=False
        )
        self.update(trace, step)

    def update(self, trace, step=None):
        """Show ``trace`` at sweep position ``step`` (``None``: the finished output)."""
        t = trace
        self.trace, self.step = t, step
        self.grids["input"].update(solid_colors(t.input.shape, "input"), t.input)
        self.grids["padded"].update(label_colors(t.labels), t.padded)
        self.grids["kernel"].update(solid_colors(t.flipped.shape, "kernel"), t.flipped)
        out_colors = solid_colors(t.output.shape, "output")
        (ekh, ekw), (ph, pw) = t.effective_kernel, t.padded.shape
        if step is None:
            self.window.update((0, 0), (0, 0), t.dilation)
            out_values = t.output
            where = "all cells written"
        else:
            s = t.step(step)
            self.window.update(s.origin, t.kernel.shape, t.dilation)
            written = np.arange(t.n_steps).reshape(t.output.shape) <= step
            out_colors[~written] = to_rgb(COLORS["empty"])
            out_colors[s.out] = to_rgb(COLORS["current"])
            out_values = np.where(written, t.output, np.nan)
            where = f"step {step + 1}/{t.n_steps}: out{s.out} = {format_value(s.value)}"
        self.grids["output"].update(out_colors, out_values)
        self._hide_nan_texts(self.grids["output"])
        (sr, sc), (dr, dc), op = t.stride, t.dilation, t.output_padding
        self.axes["input"].set_title(f"1. input {t.input.shape[0]}×{t.input.shape[1]}", fontsize=10)
        self.axes["padded"].set_title(
            f"2. dilated (stride {sr},{sc}) + padded → {ph}×{pw}", fontsize=10
        )
        self.axes["kernel"].set_title(f"3. kernel, flipped 180°\ndilation {dr},{dc}", fontsize=10)
        self.axes["output"].set_title(
            f"4. output {t.output.shape[0]}×{t.output.shape[1]}\n{where}", fontsize=10
        )
        return self.figure

    @staticmethod
    def _hide_nan_texts(grid):
        for text in grid.texts:
            if text.get_text() == "nan":
                text.set_visible(False)


def draw_trace(trace, step=None, figsize=(11, 3.4)):
    """A new figure of :class:`TraceFigure` for ``trace`` at ``step``; returns the Figure.

    >>> from deconvlib import trace
    >>> fig = draw_trace(trace(np.ones((2, 2)), np.ones((3, 3)), stride=2), step=0)
    >>> [ax.get_title().split("\\n")[0] for ax in fig.axes]
    ['1. input 2×2', '2. dilated (stride 2,2) + padded → 7×7', '3. kernel, flipped 180°', '4. output 5×5']
    """
    return TraceFigure(trace, step, figsize).figure
