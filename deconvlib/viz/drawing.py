"""One visual language for every figure: grids of cells, kernel windows, legends.

Colours (after vdumoulin/conv_arithmetic): blue input pixels, white inserted
(dilation) zeros, grey padding, orange kernel and kernel window, cyan output,
red the output cell being written. Every figure is a row of *panels*, each a
grid of cells drawn at the same cell size, so a 3×3 input looks a third as
wide as a 9×9 padded grid.

Built for sliders: a :class:`TraceFigure` is laid out by hand (no layout
engine), each grid is one ``QuadMesh`` (cells and their borders), the numbers
in the cells are one ``PathCollection`` of cached glyph outlines, and the
kernel window is one ``LineCollection``; ``update`` changes these in place.
A redraw of the default explorer renders to PNG in well under 50 ms (see
``benchmarks/bench_slider_latency.py``). Values are printed only when they
fit in their cells.

Pure functions and small classes ``data → matplotlib artists``; nothing here
knows about widgets. Figures are created with ``matplotlib.figure.Figure``
(not pyplot), so they are never left open behind the notebook's back; a
:class:`TraceFigure` displays itself in a notebook through ``_repr_png_``.
"""

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D
from PIL import Image

from ..explain import describe_pads, format_pair, format_value
from ..stages import cell_kinds, cell_labels
from ..trace import written_mask

__all__ = [
    "COLORS",
    "KIND_NAMES",
    "MAX_LABELLED_CELLS",
    "PANELS",
    "legend_handles",
    "kind_colors",
    "Grid",
    "Window",
    "TraceFigure",
    "draw_trace",
    "figure_png",
]

COLORS = {
    "input": "#6fa8dc",
    "zero": "#ffffff",
    "pad": "#d9d9d9",
    "kernel": "#f6b26b",
    "product": "#fce5cd",
    "output": "#76d7c4",
    "current": "#e06666",
    "window": "#e69138",
    "empty": "#f3f3f3",
    "cropped": "#f4cccc",
}

KIND_NAMES = {
    "input": "input pixel",
    "zero": "inserted zero (dilation)",
    "pad": "padding",
    "kernel": "kernel",
    "product": "window × kernel",
    "output": "output",
    "current": "cell being written",
    "window": "kernel window",
    "empty": "not yet written",
    "cropped": "cropped (forward padding)",
}

#: Grids with more cells than this are drawn without printed values.
MAX_LABELLED_CELLS = 400

_EDGE = "#8a8a8a"


def legend_handles(kinds=("input", "zero", "pad", "kernel", "output", "current")):
    """Legend patches for the cell kinds, in the colours of :data:`COLORS`.

    >>> [h.get_label() for h in legend_handles(("input", "pad"))]
    ['input pixel', 'padding']
    """
    return [Patch(facecolor=COLORS[k], edgecolor="#555555", label=KIND_NAMES[k]) for k in kinds]


def kind_colors(kinds):
    """RGB image ``(h, w, 3)`` for an ``(h, w)`` array of kind names (keys of :data:`COLORS`).

    >>> kind_colors(np.array([["input", "pad"]]))[0, 1]
    array([0.85098039, 0.85098039, 0.85098039])
    """
    kinds = np.asarray(kinds, dtype=object)
    out = np.empty(kinds.shape + (3,))
    for kind in set(kinds.ravel()):
        out[kinds == kind] = to_rgb(COLORS[kind])
    return out


# --- text as cached glyph outlines: one PathCollection per block of text ------------
#
# Each matplotlib Text costs ~1 ms to lay out and render on every draw; a slider
# redraws ~15 of them (titles, legend). Outlines of each distinct string are
# computed once (``TextPath``) and drawn as paths, which costs almost nothing.

_FONT = FontProperties(family="DejaVu Sans", size=10)
_LINES = {}
_DIGIT_HALF_HEIGHT = TextPath((0, 0), "0", prop=_FONT).vertices[:, 1].max() / 2
_EMPTY_PATH = Path(np.zeros((1, 2)), [Path.MOVETO])


def _line(text, middle=False):
    """Outline of one line of ``text`` at 10 pt, centred on x = 0, and its width in points.

    The baseline is at y = 0, or with ``middle`` the digits' mid-height is.
    """
    key = (text, middle)
    if key not in _LINES:
        if len(_LINES) > 4096:
            _LINES.clear()
        if not text.strip():
            _LINES[key] = (_EMPTY_PATH, 0.0)
        else:
            path = TextPath((0, 0), text, prop=_FONT)
            x0, x1 = path.vertices[:, 0].min(), path.vertices[:, 0].max()
            shift = [(x0 + x1) / 2, _DIGIT_HALF_HEIGHT if middle else 0.0]
            _LINES[key] = (Path(path.vertices - shift, path.codes), float(x1 - x0))
    return _LINES[key]


def _glyph(text):
    return _line(text, middle=True)


class _FigureText:
    """Lines of text at positions in figure inches, drawn as one PathCollection."""

    def __init__(self, figure, size=9.0, color="#222222"):
        self.size = size
        self.collection = PathCollection(
            [],
            offsets=np.zeros((0, 2)),
            offset_transform=figure.dpi_scale_trans,
            facecolors=color,
            edgecolors="none",
            zorder=5,
        )
        self.collection.set_transform(Affine2D().scale(size / 10 / 72) + figure.dpi_scale_trans)
        figure.add_artist(self.collection)
        self.strings = []

    def width(self, text):
        """Width of one line in inches."""
        return _line(text)[1] * self.size / 10 / 72

    def set(self, placed):
        """Show ``[(text, x_centre_inches, y_baseline_inches), ...]``."""
        self.strings = [text for text, _, _ in placed]
        self.collection.set_paths([_line(text)[0] for text, _, _ in placed])
        self.collection.set_offsets(np.array([(x, y) for _, x, y in placed], dtype=float).reshape(-1, 2))


class _Legend:
    """Colour swatches and their names in rows under the panels (static, drawn as paths)."""

    def __init__(self, figure, kinds, per_row=5, size=8.0):
        self.kinds = list(kinds)
        self.labels = _FigureText(figure, size)
        square = Path([(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5)], closed=True)
        self.swatches = PathCollection(
            [square],
            offsets=np.zeros((0, 2)),
            offset_transform=figure.dpi_scale_trans,
            facecolors=[COLORS[k] for k in self.kinds],
            edgecolors="#555555",
            linewidths=0.6,
            zorder=5,
        )
        self.swatches.set_transform(Affine2D().scale(size / 72) + figure.dpi_scale_trans)
        figure.add_artist(self.swatches)
        fig_w = figure.get_size_inches()[0]
        swatch, gap, spacing, line = size / 72, 0.06, 0.25, 1.45 * size / 72
        rows = [self.kinds[i : i + per_row] for i in range(0, len(self.kinds), per_row)]
        placed, centres = [], []
        for r, row in enumerate(rows):
            widths = [swatch + gap + self.labels.width(KIND_NAMES[k]) for k in row]
            x = (fig_w - sum(widths) - spacing * (len(row) - 1)) / 2
            y = 0.08 + line * (len(rows) - 1 - r)
            for kind, w in zip(row, widths):
                centres.append((x + swatch / 2, y + swatch / 2 - 0.01))
                placed.append((KIND_NAMES[kind], x + swatch + gap + (w - swatch - gap) / 2, y))
                x += w + spacing
        self.swatches.set_offsets(np.array(centres))
        self.labels.set(placed)
        self.height = 0.08 + line * len(rows)

    def get_texts(self):
        """The names shown, in order (like ``matplotlib.legend.Legend.get_texts``'s strings)."""
        return list(self.labels.strings)


class _CellValues:
    """Numbers centred in the cells of a grid, as one artist."""

    def __init__(self, ax):
        self.ax = ax
        self.scale = Affine2D()
        self.collection = PathCollection(
            [],
            offsets=np.zeros((0, 2)),
            offset_transform=ax.transData,
            facecolors="#222222",
            edgecolors="none",
            zorder=4,
        )
        self.collection.set_transform(self.scale + ax.figure.dpi_scale_trans)
        ax.add_collection(self.collection, autolim=False)
        self.texts = []

    def update(self, values, cell_points):
        """Print ``values`` (``None``: nothing) if they fit in cells ``cell_points`` wide."""
        if values is None:
            self.texts = []
            self.collection.set_visible(False)
            return
        h, w = values.shape
        self.texts = [format_value(v) for v in values.ravel()]
        glyphs = [_glyph(t) for t in self.texts]
        widest = max((width for _, width in glyphs), default=1.0) or 1.0
        size = min(9.0, 0.45 * cell_points, 0.82 * cell_points * 10 / widest)
        if size < 4.5:  # illegible: the colours alone tell the story
            self.texts = []
            self.collection.set_visible(False)
            return
        self.scale.clear().scale(size / 10 / 72)
        ys, xs = np.divmod(np.arange(h * w), w)
        self.collection.set_paths([g for g, _ in glyphs])
        self.collection.set_offsets(np.column_stack([xs, ys]).astype(float))
        self.collection.set_visible(True)


class Grid:
    """A grid of coloured, outlined cells on ``ax``, optionally with a value in each cell.

    ``Grid(ax, colors, values)`` draws; ``grid.update(colors, values)`` redraws
    in place (the grid may change size). ``colors`` is either an ``(h, w)``
    array of kind names (keys of :data:`COLORS`; then :meth:`count` works) or
    an ``(h, w, 3)`` RGB image.
    Values are printed when the grid has at most ``max_labelled`` cells and
    they fit in the cells (``cell_points``: the cell's width in points, set by
    the figure's layout).
    """

    def __init__(self, ax, colors, values=None, max_labelled=MAX_LABELLED_CELLS, cell_points=24.0):
        self.ax = ax
        self.max_labelled = max_labelled
        self.cell_points = cell_points
        self.mesh = None
        self.kinds = None
        ax.set_axis_off()
        self.labels = _CellValues(ax)
        self.update(colors, values)

    @property
    def shape(self):
        return self._shape

    def update(self, colors, values=None):
        colors = np.asarray(colors)
        if colors.ndim == 2:
            self.kinds, colors = colors.astype(object), kind_colors(colors)
        else:
            self.kinds = None
        h, w = colors.shape[:2]
        if self.mesh is not None and self._shape == (h, w):
            self.mesh.set_array(colors)
        else:
            if self.mesh is not None:
                self.mesh.remove()
            self.mesh = self.ax.pcolormesh(
                np.arange(w + 1) - 0.5,
                np.arange(h + 1) - 0.5,
                colors,
                edgecolors=_EDGE,
                linewidth=0.6,
                zorder=1,
            )
            self.mesh.set_clip_on(False)  # the outer borders sit on the axes' edge
            self._shape = (h, w)
        self.ax.set_xlim(-0.5, w - 0.5)
        self.ax.set_ylim(h - 0.5, -0.5)
        shown = values is not None and h * w <= self.max_labelled
        self.values = values
        self.labels.update(np.asarray(values, dtype=float) if shown else None, self.cell_points)

    def cell_texts(self):
        """The strings printed in the cells, row-major, blanks left out (for tests)."""
        return [t for t in self.labels.texts if t]

    def count(self, kind):
        """Number of cells of ``kind`` (when drawn from kind names)."""
        return 0 if self.kinds is None else int(np.sum(self.kinds == kind))


class Window:
    """Outlines of the kernel's taps on a grid: one square per tap, ``dilation`` apart.

    One ``LineCollection``; ``update(origin, kernel_shape, dilation)`` moves it,
    a ``(0, 0)`` kernel shape hides it.
    """

    def __init__(self, ax, kernel_shape, dilation=(1, 1), origin=(0, 0), color=COLORS["window"]):
        self.ax = ax
        self.color = color
        self.lines = LineCollection([], colors=color, linewidths=2.2, zorder=3)
        ax.add_collection(self.lines, autolim=False)
        self.update(origin, kernel_shape, dilation)

    def update(self, origin, kernel_shape=None, dilation=None):
        if kernel_shape is not None:
            self.kernel_shape = tuple(kernel_shape)
        if dilation is not None:
            self.dilation = tuple(dilation)
        self.origin = tuple(origin)
        squares = [
            [
                (x - 0.45, y - 0.45),
                (x + 0.45, y - 0.45),
                (x + 0.45, y + 0.45),
                (x - 0.45, y + 0.45),
                (x - 0.45, y - 0.45),
            ]
            for y, x in self.cells()
        ]
        self.lines.set_segments(squares)
        self.lines.set_visible(bool(squares))

    def cells(self):
        """``(row, col)`` of every tap on the grid (for tests)."""
        (kh, kw), (dr, dc), (r, c) = self.kernel_shape, self.dilation, self.origin
        return [(r + a * dr, c + b * dc) for a in range(kh) for b in range(kw)]


# --- panels: what each stage of a Trace looks like ----------------------------------


def _panel_input(t, step):
    h, w = t.input.shape
    return np.full(t.input.shape, "input", dtype=object), t.input, f"input {h}×{w}"


def _panel_dilated(t, step):
    kinds = cell_kinds(cell_labels(t.input.shape, t.stride, (0, 0, 0, 0)))
    (h, w), (sr, sc) = t.dilated.shape, t.stride
    zeros = f"{sr - 1} zero" + ("" if sr == 2 else "s") if sr == sc else f"{sr - 1}, {sc - 1} zeros"
    return kinds, t.dilated, f"1. dilated (stride {format_pair(t.stride)}):\n{zeros} between pixels → {h}×{w}"


def _panel_padded(t, step):
    ph, pw = t.padded.shape
    title = f"1. dilated (stride {format_pair(t.stride)})\n2. {describe_pads(t.pads)} → {ph}×{pw}"
    return cell_kinds(t.labels), t.padded, title


def _panel_kernel(t, step):
    dil = "" if t.dilation == (1, 1) else f"\ntaps {format_pair(t.dilation)} apart (dilation)"
    return np.full(t.flipped.shape, "kernel", dtype=object), t.flipped, f"3. kernel,\nflipped 180°{dil}"


def _panel_products(t, step):
    kinds = np.full(t.flipped.shape, "product", dtype=object)
    if step is None:
        return kinds, None, "window × kernel\n(pick a step)"
    s = t.step(step)
    return kinds, s.products, f"window × kernel\nsum = {format_value(s.value)}"


def _panel_output(t, step):
    h, w = t.output.shape
    kinds = np.full(t.output.shape, "output", dtype=object)
    if step is None:
        return kinds, t.output, f"output {h}×{w}\nall cells written"
    s, written = t.step(step), written_mask(t, step)
    kinds[~written] = "empty"
    kinds[s.out] = "current"
    return (
        kinds,
        np.where(written, t.output, np.nan),
        f"output {h}×{w}\nstep {step + 1}/{t.n_steps}: out{s.out} = {format_value(s.value)}",
    )


def _panel_full(t, step):
    """The uncropped result, with what the forward padding crops away marked."""
    top, bottom, left, right = t.padding
    (fh, fw), (oh, ow) = t.full.shape, t.output.shape
    h, w = max(fh, top + oh), max(fw, left + ow)
    values = np.zeros((h, w))
    values[:fh, :fw] = t.full
    kinds = np.full((h, w), "cropped", dtype=object)
    kinds[top : top + oh, left : left + ow] = "output"
    extra = max(h - fh, w - fw)
    note = f" + {extra} (output_padding)" if extra else ""
    return kinds, values, f"full result {fh}×{fw}{note}\ncrop {format_pair((top, left))} → output {oh}×{ow}"


#: name → function ``(trace, step) → (kinds (h, w), values or None, title)``.
PANELS = {
    "input": _panel_input,
    "dilated": _panel_dilated,
    "padded": _panel_padded,
    "kernel": _panel_kernel,
    "products": _panel_products,
    "output": _panel_output,
    "full": _panel_full,
}

_PANEL_KINDS = {
    "input": ("input",),
    "dilated": ("input", "zero"),
    "padded": ("input", "zero", "pad", "window"),
    "kernel": ("kernel",),
    "products": ("product",),
    "output": ("output", "current", "empty"),
    "full": ("output", "cropped"),
}


class TraceFigure:
    """Stages of a :class:`~deconvlib.Trace` as a row of panels, updatable in place.

    Parameters
    ----------
    trace : Trace
    step : int or None
        Sweep position (0-based, row-major over the output): the kernel window
        on the padded grid, the output filled up to that cell, the cell being
        written in red. ``None`` shows the finished output and no window.
    panels : sequence of str
        Names from :data:`PANELS`: ``input``, ``dilated`` (stage 1),
        ``padded`` (stage 2, with the window), ``kernel`` (flipped),
        ``products``, ``output``, ``full`` (the uncropped result and the crop).
    figsize : (float, float)
        Inches. Every panel uses the same cell size, the largest that fits.
    legend : bool
        A legend of the cell kinds the panels use, under the panels.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    axes, grids : dict
        By panel name. ``window`` is the kernel window (on ``padded``), if shown.
    """

    def __init__(
        self, trace, step=None, figsize=(11, 3.4), panels=("input", "padded", "kernel", "output"), legend=True
    ):
        unknown = [p for p in panels if p not in PANELS]
        if unknown:
            raise ValueError(f"panels must be names from {sorted(PANELS)}, got {unknown}")
        self.panels = tuple(panels)
        self.figure = Figure(figsize=figsize)
        self.axes, self.grids = {}, {}
        for name in self.panels:
            ax = self.figure.add_axes((0, 0, 0.1, 0.1))
            self.axes[name] = ax
            self.grids[name] = Grid(ax, np.full((1, 1), "empty", dtype=object))
            ax.title.set_visible(False)
        self.window = Window(self.axes["padded"], (0, 0)) if "padded" in self.panels else None
        self.legend = None
        if legend:
            kinds = [k for k in COLORS if any(k in _PANEL_KINDS[p] for p in self.panels)]
            self.legend = _Legend(self.figure, kinds)
        self.titles = _FigureText(self.figure, size=9.0)
        self.update(trace, step)

    def update(self, trace, step=None):
        """Show ``trace`` at sweep position ``step`` (``None``: the finished output)."""
        self.trace, self.step = trace, step
        content = {name: PANELS[name](trace, step) for name in self.panels}
        lines = {name: c[2].split("\n") for name, c in content.items()}
        cell = self._layout(
            {name: c[0].shape for name, c in content.items()},
            {name: max(self.titles.width(line) for line in lines[name]) for name in self.panels},
            max(len(v) for v in lines.values()),
        )
        placed = []
        for name, (kinds, values, title) in content.items():
            grid = self.grids[name]
            grid.cell_points = cell
            grid.update(kinds, values)
            ax = self.axes[name]
            ax.set_title(title, y=1.0)  # not drawn (self.titles draws it); y fixed skips auto-placement
            x0, y0, w, h = ax.get_position().bounds
            fw, fh = self.figure.get_size_inches()
            lines = title.split("\n")
            for k, line in enumerate(lines):
                placed.append((line, (x0 + w / 2) * fw, (y0 + h) * fh + 0.06 + 0.16 * (len(lines) - 1 - k)))
        self.titles.set(placed)
        if self.window is not None:
            if step is None:
                self.window.update((0, 0), (0, 0), trace.dilation)
            else:
                self.window.update(trace.step(step).origin, trace.kernel.shape, trace.dilation)
        return self.figure

    def _layout(self, shapes, title_widths, title_lines):
        """Place the panels left to right, top-aligned, with one cell size; return it in points.

        Each panel's slot is as wide as its grid or its title, whichever is
        wider; the cell size is the largest (up to 0.42 in) that fits them all.
        """
        fw, fh = self.figure.get_size_inches()
        gap, top = 0.3, 0.12 + 0.16 * title_lines
        bottom = 0.1 + (self.legend.height if self.legend is not None else 0.0)
        widths = np.array([shapes[n][1] for n in self.panels], dtype=float)
        heights = [shapes[n][0] for n in self.panels]
        titles = np.array([title_widths[n] for n in self.panels])
        room_w = fw - 0.2 - gap * (len(self.panels) - 1)
        cell = min(0.42, (fh - top - bottom) / max(heights))
        while cell > 0.05 and np.maximum(widths * cell, titles).sum() > room_w:
            cell *= 0.93
        slots = np.maximum(widths * cell, titles)
        x = (fw - slots.sum() - gap * (len(self.panels) - 1)) / 2
        for name, w, h, slot in zip(self.panels, widths, heights, slots):
            y = fh - top - h * cell
            left = x + (slot - w * cell) / 2
            self.axes[name].set_position((left / fw, y / fh, w * cell / fw, h * cell / fh))
            x += slot + gap
        return cell * 72

    def to_png(self, dpi=80):
        """The figure as PNG bytes (what the inline backend would show)."""
        return figure_png(self.figure, dpi)

    def _repr_png_(self):
        return self.to_png()

    def __repr__(self):
        return f"TraceFigure(panels={self.panels}, step={self.step}, {self.trace!r})"


def figure_png(figure, dpi=80, colors=64):
    """Render ``figure`` with Agg to PNG bytes, quickly and small.

    Drawn at ``dpi`` without a tight bounding box (the layout is fixed), then
    reduced to a palette of ``colors`` (``None``: keep full RGBA). The cell
    colours are few, so a 64-colour palette looks the same and the PNG is
    about 3× smaller — less to store in notebooks and to send to the browser.
    """
    buffer = io.BytesIO()
    if colors is None:
        figure.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()
    canvas = FigureCanvasAgg(figure)  # the size comes from the renderer, never recomputed
    original = figure.dpi
    try:
        figure.set_dpi(dpi)
        canvas.draw()
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    finally:
        figure.set_dpi(original)
    image = image.convert("RGB").quantize(colors=colors, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, format="png", compress_level=6)
    return out.getvalue()


def draw_trace(trace, step=None, figsize=(11, 3.4), panels=("input", "padded", "kernel", "output")):
    """A new figure of :class:`TraceFigure` for ``trace`` at ``step``; returns the Figure.

    >>> from deconvlib import trace
    >>> fig = draw_trace(trace(np.ones((2, 2)), np.ones((3, 3)), stride=2), step=0)
    >>> [ax.get_title().split("\\n")[0] for ax in fig.axes]
    ['input 2×2', '1. dilated (stride 2)', '3. kernel,', 'output 5×5']
    """
    return TraceFigure(trace, step, figsize, panels).figure
