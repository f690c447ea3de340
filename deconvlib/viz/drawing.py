"""One visual language for every figure: grids of cells, kernel windows, titles, legends, one layout.

Colours (after vdumoulin/conv_arithmetic): blue input pixels, white
inserted zeros (stage 1's; "dilation" is only ever the kernel's), grey
padding, orange kernel and kernel window, green-cyan output, dark red the
output cell being written, lilac what the forward padding crops. The colours
stay apart under colour-blindness (:data:`COLORS`), and the kinds that carry
a lesson have a second cue that is not colour: dotted zeros, striped
padding, a dashed square in each cropped cell, a thick dark border around
the cell being written, the window's thick outline (:data:`CUES`); the
legend shows the cue with the colour. Every figure is a :class:`PanelFigure`: a row of *panels*,
each a grid of cells, placed by :func:`layout_row` at one cell size, so a 3×3
input looks a third as wide as a 9×9 padded grid.

Made to be projected: a figure is as wide as the notebook's output area
(:data:`DISPLAY`) and as tall as its panels need, rendered at twice its
display size, every text at least 11 CSS px tall (:data:`MIN_TEXT_SIZE`);
values too small to read are left out and the figure says so.
:func:`set_scale` enlarges everything for a projector.

Built for sliders: nothing uses a layout engine; each grid is one ``QuadMesh``
(cells and their borders), the numbers in the cells, the titles and the
legend are ``PathCollection``\\ s of cached glyph outlines, and a kernel window
is one ``LineCollection``; ``update`` changes these in place. A redraw of the
default explorer renders to PNG in well under 50 ms (see
``benchmarks/bench_slider_latency.py``).

:class:`TraceFigure` draws the stages of a :class:`~deconvlib.Trace` (or a
:class:`~deconvlib.trace.ConvTrace`, or a :class:`~deconvlib.trace.PoolTrace`) at one step of the sweep; the explorers
show it, and :class:`~deconvlib.viz.animation.SweepFigure`, the frames of
the animations, is one. Pure ``data → matplotlib artists``; nothing here knows
about widgets. Figures are created with ``matplotlib.figure.Figure`` (not
pyplot), so they are never left open behind the notebook's back; a figure
displays itself in a notebook through ``_repr_png_``.
"""

import base64
import html
import io
import math
from typing import NamedTuple

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

from .._validate import SCALE_RANGE
from ..errors import ParameterError
from ..explain import describe_pads, format_pair, format_value
from ..stages import cell_kinds, cell_labels
from ..trace import ConvTrace, PoolTrace, input_cells_under, written_mask
from .svg import figure_svg

__all__ = [
    "COLORS",
    "KIND_NAMES",
    "MIN_DELTA_E",
    "MIN_DELTA_E_CUED",
    "HATCHES",
    "OUTLINES",
    "CUES",
    "text_color",
    "contrast_ratio",
    "MAX_LABELLED_CELLS",
    "MIN_TEXT_SIZE",
    "CSS_DPI",
    "PNG_RESOLUTION",
    "DISPLAY",
    "set_scale",
    "get_scale",
    "display_dpi",
    "png_html",
    "DrawnText",
    "PANELS",
    "legend_handles",
    "kind_colors",
    "Grid",
    "Outlines",
    "Window",
    "FigureText",
    "Legend",
    "layout_row",
    "row_width",
    "text_width",
    "PanelFigure",
    "TraceFigure",
    "draw_trace",
    "render",
    "figure_png",
    "course_palette",
]

COLORS = {
    "input": "#518fd6",
    "zero": "#ffffff",
    "pad": "#a2a6a6",
    "kernel": "#eeae62",
    "product": "#ffeca6",
    "output": "#87d5c0",
    "current": "#a61c1c",
    "window": "#b45f06",
    "empty": "#d5e3fe",
    "cropped": "#c9a4d7",
}
"""The colour of each kind of cell, told apart by everyone (tests/viz/test_palette.py checks it).

Under a simulation (CAM02-UCS, full severity) of protanopia, deuteranopia and
tritanopia, as well as in normal vision, every two kinds that can share a
figure differ by ΔE ≥ :data:`MIN_DELTA_E`, or by ΔE ≥ :data:`MIN_DELTA_E_CUED`
where one of the two also has a second cue that is not colour (:data:`HATCHES`,
:data:`OUTLINES`): then the colour only has to be clearly different, and the
hatching or outline says which is which. For scale: the Okabe–Ito palette, the
usual colour-blind-safe set (8 colours, where we need 10), has its closest pair
at ΔE 14 under protanopia, 15 under deuteranopia and 11 under tritanopia, and
the old palette had "output" and "cropped" at 2 under protanopia.
The colours keep the guide's language (blue input, grey padding, orange
kernel, green-cyan output) and dark text on them has a WCAG contrast above
4.5:1; the cell being written is dark red, with white text (:func:`text_color`).
"""

#: ΔE (CAM02-UCS) at least between two kinds that only colour tells apart (see :data:`COLORS`):
#: as far apart as the Okabe–Ito palette's closest colours under red-green colour-blindness.
MIN_DELTA_E = 15.0
#: ΔE (CAM02-UCS) at least between two kinds when either has a second cue (:data:`HATCHES`,
#: :data:`OUTLINES`): still plainly different side by side (Okabe–Ito's closest under tritanopia is 11).
MIN_DELTA_E_CUED = 10.0

#: The inks of values in cells: dark on light fills, white on dark ones (:func:`text_color`).
TEXT_DARK, TEXT_LIGHT = "#222222", "#ffffff"

#: Kinds hatched on top of their colour: ``kind → (matplotlib hatch, ink)``: dots on the
#: inserted zeros, white stripes on the padding (same in the PNG, the SVG and the GIFs).
HATCHES = {"zero": ("..", "#8a8a8a"), "pad": ("///", "#ffffff")}

#: Kinds outlined inside each cell: ``kind → (linestyle, width in points, ink, half-side in cells)``:
#: a dashed square in each cell the forward padding crops, a thick dark border around the
#: cell being written, and the kernel window's thick outline of each tap (:class:`Window`).
OUTLINES = {
    "cropped": ("--", 1.2, "#555555", 0.36),
    "current": ("-", 2.4, "#222222", 0.5),
    "window": ("-", 2.2, COLORS["window"], 0.45),
}

#: The second cue of each kind that carries a lesson, in words (legends, alt text, the README).
CUES = {
    "zero": "dotted",
    "pad": "striped",
    "cropped": "dashed square inside",
    "current": "thick dark border",
    "window": "thick orange outline",
}

KIND_NAMES = {
    "input": "input pixel",
    "zero": "inserted zero",
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

#: Layout defaults, in inches: space between panels, left + right margin, largest cell.
GAP, MARGIN, MAX_CELL = 0.3, 0.2, 0.42
#: Below this cell size (inches) a row of panels stops shrinking (colours only, no values, at this size).
MIN_CELL = 0.03

#: The smallest text drawn, in points: 8.5 pt is 11.3 CSS px at 100 % zoom (a CSS inch is 96 px).
MIN_TEXT_SIZE = 8.5
#: Text sizes in points: panel titles, legend and notes, the largest value printed in a cell.
TITLE_SIZE, LEGEND_SIZE, MAX_VALUE_SIZE = 9.5, MIN_TEXT_SIZE, 10.0

#: CSS pixels per inch: a figure ``w`` inches wide is shown ``w × CSS_DPI × scale`` CSS px wide.
CSS_DPI = 96
#: PNG pixels per CSS pixel: figures are rendered at twice their display size, so they stay
#: crisp on a high-density screen, a projector's zoom or the browser's zoom up to 200 %.
PNG_RESOLUTION = 2
#: How the course's figures are shown: ``scale`` (the presentation scale, :func:`set_scale`),
#: ``width`` (CSS px: the notebook's output area in JupyterLab on a 1280×720 laptop screen with
#: the file browser open, JupyterLab's default layout, is ~840 px; a figure is never enlarged
#: past its width, so it is shown at its design size and its smallest text at 11.3 CSS px)
#: and ``max_height`` (CSS px: with the sliders above it, an explorer fits the ~600-px notebook
#: area of that screen; an explorer with more around its figure asks for less, ``Explorer.figure_height``).
DISPLAY = {"scale": 1.0, "width": 820, "max_height": 470}


def set_scale(scale):
    """Show every figure made from now on ``scale`` times larger: text, cells, lines (1 = default).

    One setting for the whole course: ``set_scale(1.5)`` before a lecture makes
    the text of every figure (and of every explorer's figure, at its next
    move) 1.5× taller on the projector. A figure keeps the width it is shown
    at (:data:`DISPLAY`'s ``width``); its panels are laid out again in that
    width, so larger grids may drop their printed values (the figure says so).

    >>> set_scale(1.5); get_scale()
    1.5
    >>> set_scale(1)
    """
    low, high = SCALE_RANGE
    try:
        value = float(scale)
    except (TypeError, ValueError):
        value = math.nan
    if not low <= value <= high:
        raise ParameterError(f"scale must be between {low:g} and {high:g}, got {scale!r}", "scale")
    DISPLAY["scale"] = value


def get_scale():
    """The presentation scale (:func:`set_scale`)."""
    return DISPLAY["scale"]


def display_dpi():
    """CSS pixels per inch of a figure at 100 % zoom: :data:`CSS_DPI` × the presentation scale."""
    return CSS_DPI * DISPLAY["scale"]


def default_figsize(max_height=None):
    """``(width, height)`` in inches of a course figure: the display width at the current scale.

    The height is ``max_height`` CSS px (default :data:`DISPLAY`'s): the tallest a
    :class:`PanelFigure` made at this size may become.

    >>> [round(x * display_dpi()) for x in default_figsize(300)]
    [820, 300]
    """
    dpi = display_dpi()
    height = DISPLAY["max_height"] if max_height is None else max_height
    return (DISPLAY["width"] + 1e-6) / dpi, (height + 1e-6) / dpi  # whole pixels after int()


_EDGE = "#8a8a8a"


def legend_handles(kinds=("input", "zero", "pad", "kernel", "output", "current")):
    """Legend patches for the cell kinds: :data:`COLORS` and their cues (for a matplotlib legend of your own).

    >>> [h.get_label() for h in legend_handles(("input", "pad"))]
    ['input pixel', 'padding']
    >>> legend_handles(("pad",))[0].get_hatch()
    '///'
    """
    handles = []
    for k in kinds:
        patch = Patch(facecolor=COLORS[k], edgecolor="#555555", label=KIND_NAMES[k])
        if k in HATCHES:
            patch.set_hatch(HATCHES[k][0])
            _set_hatch_ink(patch, HATCHES[k][1])
        if k in OUTLINES:
            style, width, ink, _ = OUTLINES[k]
            patch.set(edgecolor=ink, linestyle=style, linewidth=width)
            if k == "window":
                patch.set_facecolor("none")
        handles.append(patch)
    return handles


def _set_hatch_ink(artist, ink, width=0.8):
    """Hatch ``artist`` in ``ink`` at ``width`` points (matplotlib 3.8, Pyodide's, hatches in the edge colour)."""
    if hasattr(artist, "set_hatchcolor"):
        artist.set_hatchcolor(ink)
    if hasattr(artist, "set_hatch_linewidth"):
        artist.set_hatch_linewidth(width)


def _luminance(rgb):
    """WCAG relative luminance of sRGB colours ``(..., 3)`` in 0…1."""
    rgb = np.asarray(rgb, dtype=float)[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(a, b):
    """WCAG contrast ratio of two colours (1 to 21; text needs 4.5).

    >>> round(contrast_ratio("#ffffff", "#000000"), 1)
    21.0
    """
    la, lb = sorted((float(_luminance(to_rgb(a))), float(_luminance(to_rgb(b)))))
    return (lb + 0.05) / (la + 0.05)


def text_color(fill):
    """The ink of a value printed on ``fill``: :data:`TEXT_DARK`, or :data:`TEXT_LIGHT` where that contrasts more.

    >>> text_color(COLORS["output"]), text_color(COLORS["current"])
    ('#222222', '#ffffff')
    """
    return TEXT_LIGHT if contrast_ratio(TEXT_LIGHT, fill) > contrast_ratio(TEXT_DARK, fill) else TEXT_DARK


def kind_colors(kinds):
    """RGB image ``(h, w, 3)`` for an ``(h, w)`` array of kind names (keys of :data:`COLORS`).

    >>> kind_colors(np.array([["input", "zero"]]))[0, 1]
    array([1., 1., 1.])
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


def text_width(text, size):
    """Width in inches of one line of ``text`` at ``size`` points."""
    return _line(text)[1] * size / 10 / 72


def _line_height(size):
    """Distance in inches between the baselines of lines of ``size`` points."""
    return 1.28 * size / 72


def _wrap(text, width, size):
    """``text`` broken at spaces into lines at most ``width`` inches wide (a longer word stays whole)."""
    lines = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


class FigureText:
    """Lines of text at positions in figure inches, drawn as one PathCollection.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    size : float, default 9.0
        In points.
    color : str, default "#222222"

    Attributes
    ----------
    strings : list of str
        The lines shown, in the order :meth:`set` placed them.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> text = FigureText(Figure(figsize=(3, 1)))
    >>> text.set([("stride 2", 1.5, 0.5)])
    >>> text.strings, round(text.width("stride 2"), 2) > 0
    (['stride 2'], True)
    """

    def __init__(self, figure, size=9.0, color="#222222"):
        self.size = size
        self.line = _line_height(size)
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
        return text_width(text, self.size)

    def set(self, placed):
        """Show ``[(text, x_centre_inches, y_baseline_inches), ...]``."""
        self.strings = [text for text, _, _ in placed]
        self.collection.set_paths([_line(text)[0] for text, _, _ in placed])
        self.collection.set_offsets(np.array([(x, y) for _, x, y in placed], dtype=float).reshape(-1, 2))


class Legend:
    """Colour swatches and their names, centred in as few even rows as fit under the panels (paths).

    ``kinds`` are every kind the figure may draw, ``labels`` their names
    (default :data:`KIND_NAMES`); :meth:`select` picks the ones drawn now, so
    the legend never lists a kind that is not in the figure. :meth:`place`
    lays the rows out for a figure width and returns their height in inches.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> legend = Legend(Figure(figsize=(4, 1)), ["input", "zero", "pad"])
    >>> legend.select(["pad", "input"])
    >>> legend.place(4.0) > 0, legend.get_texts() == [KIND_NAMES["input"], KIND_NAMES["pad"]]
    (True, True)
    """

    def __init__(self, figure, kinds, labels=None, size=LEGEND_SIZE):
        self.all_kinds = list(kinds)
        names = list(labels) if labels is not None else [KIND_NAMES[k] for k in self.all_kinds]
        self.all_names = dict(zip(self.all_kinds, names))
        self.labels = FigureText(figure, size)
        self.swatch = size / 72
        square = Path([(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5), (-0.5, -0.5)], closed=True)
        self.swatches = PathCollection(
            [square],
            offsets=np.zeros((0, 2)),
            offset_transform=figure.dpi_scale_trans,
            edgecolors="#555555",
            linewidths=0.6,
            zorder=5,
        )
        self.swatches.set_transform(Affine2D().scale(self.swatch) + figure.dpi_scale_trans)
        figure.add_artist(self.swatches)
        #: The hatching of the hatched kinds' swatches, as in their cells (:data:`HATCHES`).
        self.hatches = {}
        for kind in self.all_kinds:
            if kind in HATCHES:
                self.hatches[kind] = _hatched(square, kind, offsets=np.zeros((0, 2)), zorder=5)
                self.hatches[kind].set_offset_transform(figure.dpi_scale_trans)
                self.hatches[kind].set_transform(Affine2D().scale(self.swatch) + figure.dpi_scale_trans)
                figure.add_artist(self.hatches[kind])
        self._placed_for = None
        self.height = 0.0
        self.select(self.all_kinds)

    def select(self, kinds):
        """Show the kinds of ``kinds`` that the legend knows, in the legend's order."""
        wanted = set(kinds)
        self.kinds = [k for k in self.all_kinds if k in wanted]
        self.names = [self.all_names[k] for k in self.kinds]
        faces, edges, widths, styles = zip(*[_swatch(k) for k in self.kinds]) if self.kinds else ([], [], [], [])
        self.swatches.set_facecolors(list(faces) or ["none"])
        self.swatches.set_edgecolors(list(edges) or ["none"])
        self.swatches.set_linewidths(list(widths) or [0.6])
        self.swatches.set_linestyles(list(styles) or ["-"])

    def place(self, fig_width, y0=0.08):
        """Lay the rows out for a figure ``fig_width`` inches wide, the lowest at ``y0``; return their height."""
        key = (fig_width, y0, tuple(self.kinds))
        if key == self._placed_for:
            return self.height
        gap, spacing, line = 0.06, 0.25, 1.45 * self.labels.size / 72
        widths = [self.swatch + gap + self.labels.width(name) for name in self.names]
        n = len(widths)
        rows = []
        for n_rows in range(1, n + 1):
            per_row = -(-n // n_rows)
            rows = [range(i, min(i + per_row, n)) for i in range(0, n, per_row)]
            if all(sum(widths[i] for i in row) + spacing * (len(row) - 1) <= fig_width - 2 * MARGIN for row in rows):
                break
        placed, centres = [], []
        for r, row in enumerate(rows):
            x = (fig_width - sum(widths[i] for i in row) - spacing * (len(row) - 1)) / 2
            y = y0 + line * (len(rows) - 1 - r)
            for i in row:
                centres.append((x + self.swatch / 2, y + 0.36 * self.swatch))
                placed.append((self.names[i], x + self.swatch + gap + (widths[i] - self.swatch - gap) / 2, y))
                x += widths[i] + spacing
        self.swatches.set_offsets(np.array(centres, dtype=float).reshape(-1, 2))
        for kind, hatch in self.hatches.items():
            mine = [c for k, c in zip(self.kinds, centres) if k == kind]
            hatch.set_offsets(np.array(mine, dtype=float).reshape(-1, 2))
        self.labels.set(placed)
        self._placed_for, self.height = key, (y0 + line * len(rows) if rows else 0.0)
        return self.height

    def get_texts(self):
        """The names shown, in order (like ``matplotlib.legend.Legend.get_texts``'s strings)."""
        return list(self.labels.strings)


def _swatch(kind):
    """``(face, edge, width, linestyle)`` of a legend swatch: the kind's colour, and its outline cue if it has one."""
    if kind not in OUTLINES:
        return COLORS[kind], "#555555", 0.6, "-"
    style, width, ink, _ = OUTLINES[kind]
    return ("none" if kind == "window" else COLORS[kind]), ink, min(width, 1.8), style


def _hatched(path, kind, **kwargs):
    """A ``PathCollection`` that only hatches ``path`` as the cells of ``kind`` are (:data:`HATCHES`)."""
    hatch, ink = HATCHES[kind]
    collection = PathCollection([path], facecolors="none", edgecolors=ink, linewidths=0, hatch=hatch, **kwargs)
    _set_hatch_ink(collection, ink)
    return collection


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

    @staticmethod
    def size_for(texts, cell_points):
        """The size in points at which ``texts`` fit in cells ``cell_points`` wide (may be illegibly small)."""
        widest = max((_glyph(t)[1] for t in texts), default=1.0) or 1.0
        return min(MAX_VALUE_SIZE, 0.5 * cell_points, 0.82 * cell_points * 10 / widest)

    def update(self, values, cell_points, fills=None):
        """Print ``values`` (``None``: nothing) if they fit in cells ``cell_points`` wide at a readable size.

        ``fills``, the cells' RGB colours ``(h, w, 3)``, choose each value's ink
        (:func:`text_color`). Returns whether they are printed.
        """
        self.size = self.lift = 0.0
        if values is None:
            self.texts = []
            self.collection.set_visible(False)
            return False
        h, w = values.shape
        self.texts = [format_value(v) for v in values.ravel()]
        glyphs = [_glyph(t) for t in self.texts]
        size = self.size_for(self.texts, cell_points)
        if size < MIN_TEXT_SIZE:  # unreadable: the colours alone tell the story, and the figure says so
            self.texts = []
            self.collection.set_visible(False)
            return False
        self.size = size
        self.lift = _DIGIT_HALF_HEIGHT * size / 10  # points from a value's centre down to its baseline
        self.scale.clear().scale(size / 10 / 72)
        ys, xs = np.divmod(np.arange(h * w), w)
        self.collection.set_paths([g for g, _ in glyphs])
        self.collection.set_offsets(np.column_stack([xs, ys]).astype(float))
        self.collection.set_facecolors(_inks(fills) if fills is not None else TEXT_DARK)
        self.collection.set_visible(True)
        return True


def _inks(fills):
    """:func:`text_color` of each cell of ``fills`` ``(h, w, 3)``, row-major (vectorised)."""
    luminance = _luminance(np.asarray(fills, dtype=float).reshape(-1, 3))
    dark = _luminance(to_rgb(TEXT_DARK))
    light = (1.05) / (luminance + 0.05) > (luminance + 0.05) / (dark + 0.05)
    return np.where(light[:, None], to_rgb(TEXT_LIGHT), to_rgb(TEXT_DARK))


def _runs_path(mask):
    """One ``Path`` of the cells where ``mask`` ``(h, w)`` is true, each row's runs one rectangle (cell coordinates)."""
    squares = []
    for i, row in enumerate(mask):
        edges = np.flatnonzero(np.diff(np.r_[0, row.astype(np.int8), 0]))
        for j0, j1 in zip(edges[::2], edges[1::2]):
            x0, x1, y0, y1 = j0 - 0.5, j1 - 0.5, i - 0.5, i + 0.5
            squares.append([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
    if not squares:
        return _EMPTY_PATH
    codes = np.tile([Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY], len(squares))
    return Path(np.concatenate(squares).astype(float), codes)


def _squares(cells, half):
    """Closed squares ``half`` cells from the centre of each ``(row, col)``: segments for a ``LineCollection``."""
    corners = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)], dtype=float) * half
    return np.asarray(cells, dtype=float).reshape(-1, 2)[:, None, ::-1] + corners


class _CellCues:
    """The second cue of a grid's cells, over their colours: :data:`HATCHES` and :data:`OUTLINES`.

    One hatched ``PathCollection`` per hatched kind (the cells of that kind as
    one path) and one ``LineCollection`` per outlined kind, made when the kind
    first appears; ``update`` moves them to the cells of each kind.
    """

    def __init__(self, ax):
        self.ax = ax
        self.hatches, self.outlines = {}, {}

    def update(self, kinds, cell_points):
        present = set() if kinds is None else {str(k) for k in np.unique(kinds.astype(str))}
        for kind in HATCHES:
            if kind in present and kind not in self.hatches:
                self.hatches[kind] = _hatched(_EMPTY_PATH, kind, zorder=2, transform=self.ax.transData)
                self.hatches[kind].set_clip_on(False)
                self.ax.add_collection(self.hatches[kind], autolim=False)
            if kind in self.hatches:
                mask = kinds == kind if kind in present else np.zeros((0, 0), bool)
                self.hatches[kind].set_paths([_runs_path(mask)])
                self.hatches[kind].set_visible(kind in present)
        for kind, (style, width, ink, half) in OUTLINES.items():
            if kind == "window":  # not a cell: drawn by Window
                continue
            if kind in present and kind not in self.outlines:
                self.outlines[kind] = LineCollection([], colors=ink, linestyles=style, zorder=3)
                self.outlines[kind].set_clip_on(False)
                self.ax.add_collection(self.outlines[kind], autolim=False)
            if kind in self.outlines:
                cells = np.argwhere(kinds == kind) if kind in present else []
                self.outlines[kind].set_segments(_squares(cells, half))
                self.outlines[kind].set_linewidth(width if cell_points >= 12 else width * max(cell_points, 3) / 12)
                self.outlines[kind].set_visible(kind in present)

    def kinds(self):
        """The kinds whose cue is drawn now (for tests)."""
        drawn = {**self.hatches, **self.outlines}
        return sorted(kind for kind, artist in drawn.items() if artist.get_visible())


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
        #: The non-colour cues of the cells (hatching, outlines), by kind.
        self.cues = _CellCues(ax)
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
        self.mesh.set_linewidth(0.6 if self.cell_points >= 8 else 0.25)  # tiny cells: thin borders
        self.ax.set_xlim(-0.5, w - 0.5)
        self.ax.set_ylim(h - 0.5, -0.5)
        shown = values is not None and h * w <= self.max_labelled
        self.values = values
        printed = self.labels.update(np.asarray(values, dtype=float) if shown else None, self.cell_points, colors)
        self.cues.update(self.kinds, self.cell_points)
        #: Values were given but are not printed (too many cells, or too small to read).
        self.values_hidden = values is not None and not printed

    def cell_texts(self):
        """The strings printed in the cells, row-major, blanks left out (for tests)."""
        return [t for t in self.labels.texts if t]

    def count(self, kind):
        """Number of cells of ``kind`` (when drawn from kind names)."""
        return 0 if self.kinds is None else int(np.sum(self.kinds == kind))


class Outlines:
    """Thick square outlines around cells of a grid on ``ax``, as one ``LineCollection``.

    ``set_cells([(row, col), ...])`` moves them; an empty list hides them.
    """

    def __init__(self, ax, color=COLORS["window"], half=OUTLINES["window"][3]):
        self.ax, self.color, self.half = ax, color, half
        self.lines = LineCollection([], colors=color, linewidths=OUTLINES["window"][1], zorder=3)
        ax.add_collection(self.lines, autolim=False)
        self._cells = []

    def set_cells(self, cells):
        self._cells = [tuple(cell) for cell in cells]
        self.lines.set_segments(_squares(self._cells, self.half))
        self.lines.set_visible(bool(self._cells))

    def cells(self):
        """``(row, col)`` of every outlined cell (for tests)."""
        return list(self._cells)


class Window(Outlines):
    """Outlines of the kernel's taps on a grid: one square per tap, ``dilation`` apart.

    ``update(origin, kernel_shape, dilation)`` moves it, a ``(0, 0)`` kernel
    shape hides it.
    """

    def __init__(self, ax, kernel_shape, dilation=(1, 1), origin=(0, 0), color=COLORS["window"]):
        super().__init__(ax, color)
        self.update(origin, kernel_shape, dilation)

    def update(self, origin, kernel_shape=None, dilation=None):
        if kernel_shape is not None:
            self.kernel_shape = tuple(kernel_shape)
        if dilation is not None:
            self.dilation = tuple(dilation)
        self.origin = tuple(origin)
        (kh, kw), (dr, dc), (r, c) = self.kernel_shape, self.dilation, self.origin
        self.set_cells([(r + a * dr, c + b * dc) for a in range(kh) for b in range(kw)])


# --- the one layout: a row of grids at one cell size ----------------------------------


def _fit(shapes, min_widths, room, max_cell):
    """Cell size and slot widths (inches) of grids ``shapes`` in a row ``room`` inches wide.

    Each grid's slot is as wide as the grid or its ``min_widths`` entry,
    whichever is wider; the cell is the largest, up to ``max_cell``, at which
    the slots fit. Their total width is piecewise linear in the cell size:
    solve on the piece where the grids that set their slot's width stay the
    same, and step to a smaller piece until none changes.
    """
    widths = np.array([w for _, w in shapes], dtype=float)
    mins = np.zeros(len(widths)) if min_widths is None else np.asarray(min_widths, dtype=float)
    cell = max(max_cell, MIN_CELL)
    for _ in range(len(widths) + 1):
        if np.maximum(widths * cell, mins).sum() <= room + 1e-9:
            break
        grid_wide = widths * cell >= mins
        if not grid_wide.any():
            cell = MIN_CELL
            break
        cell = max((room - mins[~grid_wide].sum()) / widths[grid_wide].sum(), MIN_CELL)
    return cell, np.maximum(widths * cell, mins)


def layout_row(
    figure,
    axes,
    shapes,
    *,
    top,
    bottom,
    min_widths=None,
    gap=GAP,
    max_cell=MAX_CELL,
    margin=MARGIN,
    fit_height=False,
    max_height=None,
    snap=None,
):
    """Place ``axes`` left to right, top-aligned, all at one square cell size; return it in points.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    axes : sequence of Axes
    shapes : sequence of (int, int)
        The ``(rows, cols)`` of the grid drawn in each axes.
    top, bottom : float
        Inches kept free above the grids (titles) and under them (a legend).
    min_widths : sequence of float, optional
        Inches each panel needs at least (its title's width): its slot is as
        wide as the grid or this, whichever is wider, the grid centred in it.
    gap, margin : float
        Inches between slots, and left + right of the row.
    max_cell : float
        The largest cell in inches; the cell is the largest that fits the
        figure's width and the room between ``top`` and ``bottom``.
    fit_height : bool
        Instead of fitting the grids to the figure's height, set the height to
        ``top`` + the tallest grid + ``bottom``.
    max_height : float, optional
        With ``fit_height``, the tallest the figure may become (inches): a
        tall grid gets smaller cells instead.
    snap : float, optional
        With ``fit_height``, round the height up to whole pixels at this dpi
        (the extra goes under the grids).

    Returns
    -------
    float
        The cell size in points (what :class:`Grid` needs to size its values).
    """
    fw, fh = figure.get_size_inches()
    tallest = max(h for h, _ in shapes)
    if not fit_height:
        max_cell = min(max_cell, (fh - top - bottom) / tallest)
    elif max_height is not None:
        max_cell = min(max_cell, max((max_height - top - bottom) / tallest, MIN_CELL))
    cell, slots = _fit(shapes, min_widths, fw - margin - gap * (len(shapes) - 1), max_cell)
    if fit_height:
        fh = top + cell * tallest + bottom
        if snap:
            fh = (np.ceil(fh * snap - 1e-6) + 1e-6) / snap
        figure.set_size_inches(fw, fh)
    x = (fw - slots.sum() - gap * (len(shapes) - 1)) / 2
    for ax, (h, w), slot in zip(axes, shapes, slots):
        ax.set_position(((x + (slot - w * cell) / 2) / fw, (fh - top - h * cell) / fh, w * cell / fw, h * cell / fh))
        x += slot + gap
    return cell * 72


def row_width(shapes, min_widths=None, *, max_width, gap=GAP, max_cell=MAX_CELL, margin=MARGIN):
    """Inches :func:`layout_row` needs for ``shapes`` in a figure at most ``max_width`` wide.

    >>> round(row_width([(3, 3), (7, 7)], max_width=20, max_cell=0.25), 2)
    3.0
    """
    _, slots = _fit(shapes, min_widths, max_width - margin - gap * (len(shapes) - 1), max_cell)
    return float(slots.sum()) + gap * (len(shapes) - 1) + margin


class DrawnText(NamedTuple):
    """One string a figure draws, measured at its display size (CSS px at 100 % zoom).

    ``size``: the font size; ``box``: ``(x0, y0, x1, y1)`` of its glyphs' outlines,
    from the figure's bottom-left corner; ``kind``: ``"title"``, ``"legend"``,
    ``"value"`` (in a cell), ``"note"``, ``"heading"`` or ``"text"``.
    """

    text: str
    size: float
    box: tuple
    kind: str


def _wrap_widest(lines, width):
    """``lines`` with the widest line (wider than ``width``) split at the space nearest its middle, or None."""
    k = max(range(len(lines)), key=lambda i: width(lines[i]))
    words = lines[k].split(" ")
    if len(words) < 2:
        return None
    splits = [(" ".join(words[:j]), " ".join(words[j:])) for j in range(1, len(words))]
    left, right = min(splits, key=lambda pair: max(width(pair[0]), width(pair[1])))
    return lines[:k] + [left, right] + lines[k + 1 :]


class PanelFigure:
    """A row of grid panels at one cell size, titled above, with a legend below: the base of every figure.

    A subclass computes ``{panel: (colors, values, title)}`` and draws it with
    :meth:`show_panels`, which lays the panels out (:func:`layout_row`: each
    slot at least as wide as its title, titles wrapped when the row would not
    fit), sets the figure's height to what the panels need (at most
    :data:`DISPLAY`'s ``max_height``), shows in the legend only the kinds
    drawn, and says under the panels where values were too small to print.

    Made for the display: by default a figure is as wide as the notebook's
    output area (:data:`DISPLAY`, at the presentation scale of
    :func:`set_scale`); it renders to PNG at :data:`PNG_RESOLUTION` × its
    display size and tells the notebook that size (``_repr_png_`` returns the
    PNG and ``{"width": ..., "height": ...}`` in CSS px), so it is crisp at
    any zoom. Every text is at least :data:`MIN_TEXT_SIZE` points (11 CSS px).

    Parameters
    ----------
    figsize : (float, float) or None
        Inches; the height is fitted to the panels, at most this height
        (unless the class sets :attr:`max_height`). ``None``: the display
        width at the current scale, at most :data:`DISPLAY`'s ``max_height``
        tall (:func:`default_figsize`).
    panels : sequence of hashable
        The panels' names, left to right.
    legend : sequence of str
        Cell kinds (keys of :data:`COLORS`) the legend may list; it lists
        those drawn (and the ``extra_kinds`` of :meth:`show_panels`).
    labels : sequence of str, optional
        The legend's names for these kinds (default :data:`KIND_NAMES`).
    heading : sequence of str
        Lines drawn centred above the panels' titles, wrapped to the width.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    panels : tuple
    axes, grids : dict
        :class:`Grid` and its Axes, by panel name.
    legend : object with ``get_texts()``, or None
    titles : object with ``strings``
        The title lines drawn (each Axes' ``get_title()`` is its title too).
    note : object with ``strings``
        The line under the panels naming those whose values are left out.
    """

    #: The ``dpi`` of :meth:`to_png` (``None``: :data:`PNG_RESOLUTION` × :func:`display_dpi`).
    png_dpi = None
    title_size = TITLE_SIZE
    max_cell = MAX_CELL
    #: With ``True``, :meth:`show_panels` sets the figure's height to what the panels need.
    fit_height = True
    #: Inches kept free under the grids besides the legend (for a caption).
    bottom_room = 0.0
    #: Words naming a panel in the note about values left out (default: the panel's name).
    panel_names = {}
    #: With ``True`` the legend lists only the kinds drawn; ``False`` keeps all its kinds (a fixed layout).
    legend_follows = True
    #: The tallest the figure may be, in inches (``None``: the height of ``figsize``, or :data:`DISPLAY`'s
    #: ``max_height`` without one).
    max_height = None
    #: Only colours of :data:`COLORS` (and inks): PNGs map onto :func:`course_palette`, fast;
    #: ``False``: onto a palette of :meth:`cell_colours`.
    kind_colours = True

    def __init__(self, figsize=None, panels=(), legend=(), labels=None, heading=()):
        self.scale = get_scale()
        self.figure = Figure(figsize=default_figsize() if figsize is None else figsize)
        self._height_cap = None if figsize is None else figsize[1]
        self.panels = tuple(panels)
        self.axes, self.grids = {}, {}
        for name in self.panels:
            ax = self.figure.add_axes((0, 0, 0.1, 0.1))
            ax.title.set_visible(False)  # drawn by self.titles
            self.axes[name], self.grids[name] = ax, Grid(ax, np.full((1, 1), "empty", dtype=object))
        self.legend = Legend(self.figure, legend, labels) if len(legend) else None
        self.titles = FigureText(self.figure, self.title_size)
        self.note = FigureText(self.figure, LEGEND_SIZE, color="#7a3b00")
        self.heading = tuple(heading)
        self.heading_text = FigureText(self.figure, self.title_size + 1) if self.heading else None

    def _title_lines(self, content, shapes, fw):
        """Each panel's title lines, the widest wrapped until the row fits ``fw`` inches (with small grids)."""
        lines = [content[name][2].split("\n") for name in self.panels]
        room = fw - MARGIN - GAP * (len(self.panels) - 1)
        while True:
            widest = [max(map(self.titles.width, t)) for t in lines]
            if sum(max(t, w * MIN_CELL) for t, (_, w) in zip(widest, shapes)) <= room:
                return lines
            k = max(range(len(lines)), key=lambda i: widest[i] - shapes[i][1] * MIN_CELL)
            if widest[k] <= shapes[k][1] * MIN_CELL:
                return lines
            wrapped = _wrap_widest(lines[k], self.titles.width)
            if wrapped is None:
                return lines
            lines[k] = wrapped

    def show_panels(self, content, extra_kinds=()):
        """Draw ``{panel: (colors, values, title)}``; return the cell size in points.

        ``colors`` and ``values`` go to :meth:`Grid.update`; ``title`` may have
        several lines. The legend lists the kinds of ``colors`` found in the
        grids and ``extra_kinds`` (drawn otherwise, such as a kernel window).
        """
        fw = self.figure.get_size_inches()[0]
        shapes = [np.shape(content[name][0])[:2] for name in self.panels]
        lines = self._title_lines(content, shapes, fw)
        heading = [line for text in self.heading for line in _wrap(text, fw - 2 * MARGIN, self.title_size + 1)]
        top = 0.12 + self.titles.line * max((len(t) for t in lines if any(t)), default=0)  # untitled: no room
        if heading:
            top += 0.12 + self.heading_text.line * len(heading)
        if self.legend is not None and self.legend_follows:
            present = set(extra_kinds)
            for name in self.panels:
                colors = np.asarray(content[name][0])
                if colors.ndim == 2:
                    present.update(np.unique(colors.astype(str)))
            self.legend.select(present)
        max_height = self.max_height or self._height_cap or DISPLAY["max_height"] / self.display_dpi()
        hidden, note = [], []
        for with_note in (False, True):  # a second pass makes room for the note, when values are left out
            if with_note:
                names = ", ".join(str(self.panel_names.get(name, name)) for name in hidden)
                note = _wrap(
                    f"values left out where the cells are too small to read: {names}", fw - 2 * MARGIN, LEGEND_SIZE
                )
            note_height = self.note.line * len(note) + 0.04 if with_note else 0.0
            legend = self.legend.place(fw, 0.08 + note_height) - note_height if self.legend is not None else 0.0
            bottom = 0.1 + note_height + legend + self.bottom_room
            cell = layout_row(
                self.figure,
                [self.axes[name] for name in self.panels],
                shapes,
                top=top,
                bottom=bottom,
                min_widths=[max(map(self.titles.width, title)) for title in lines],
                max_cell=self.max_cell,
                fit_height=self.fit_height,
                max_height=max_height,
                snap=self.display_dpi(),
            )
            hidden = [name for name in self.panels if self._values_hidden(content[name], cell)]
            if with_note or not hidden:
                break
        fw, fh = self.figure.get_size_inches()
        placed = []
        for name, title in zip(self.panels, lines):
            colors, values, text = content[name]
            grid = self.grids[name]
            grid.cell_points = cell
            grid.update(colors, values)
            ax = self.axes[name]
            ax.set_title(text, y=1.0)  # not drawn (self.titles draws it); y fixed skips auto-placement
            x0, y0, w, h = ax.get_position().bounds
            for k, line in enumerate(title):
                placed.append((line, (x0 + w / 2) * fw, (y0 + h) * fh + 0.06 + self.titles.line * (len(title) - 1 - k)))
        self.titles.set(placed)
        if not any(self.grids[name].values_hidden for name in self.panels):
            note = []
        self.note.set([(text, fw / 2, 0.1 + self.note.line * (len(note) - 1 - k)) for k, text in enumerate(note)])
        if heading:
            line = self.heading_text.line
            self.heading_text.set([(text, fw / 2, fh - 0.06 - line * (k + 0.8)) for k, text in enumerate(heading)])
        return cell

    def _values_hidden(self, panel, cell_points):
        """Whether the values of ``panel`` = ``(colors, values, title)`` would be left out at this cell size."""
        colors, values, _ = panel
        if values is None:
            return False
        h, w = np.shape(colors)[:2]
        if h * w > MAX_LABELLED_CELLS:
            return True
        texts = [format_value(v) for v in np.asarray(values, dtype=float).ravel()]
        return _CellValues.size_for(texts, cell_points) < MIN_TEXT_SIZE

    # -- display --------------------------------------------------------------------

    def display_dpi(self):
        """CSS px per inch at 100 % zoom: :data:`CSS_DPI` × the scale this figure was made at."""
        return CSS_DPI * self.scale

    def display_size(self):
        """``(width, height)`` in CSS px at which the figure is shown (the PNG has :data:`PNG_RESOLUTION` × that)."""
        fw, fh = self.figure.get_size_inches()
        dpi = self.display_dpi()
        return int(round(fw * dpi)), int(round(fh * dpi))

    def to_png(self, dpi=None):
        """The figure as PNG bytes, at ``dpi`` (default :attr:`png_dpi`, or :data:`PNG_RESOLUTION` × display)."""
        if dpi is None:
            dpi = self.png_dpi or PNG_RESOLUTION * self.display_dpi()
        palette = course_palette() if self.kind_colours else course_palette(self.cell_colours())
        return figure_png(self.figure, dpi, palette=palette)

    def alt_text(self):
        """The figure in words, for its image's alt text: the heading and the panels' titles, in reading order.

        One line of a title after another, separated by "; " (a screen reader pauses there), unless the
        line ends in a colon.
        """
        lines = [*(self.heading_text.strings if self.heading_text is not None else ()), *self.titles.strings]
        text = ""
        for line in filter(None, (line.strip() for line in lines)):
            text += (" " if text.endswith((":", "→")) else "; " if text else "") + line
        return text or type(self).__name__

    def to_svg(self, title=None):
        """The figure as SVG text at its display size, from the same artists (:func:`~deconvlib.viz.svg.figure_svg`).

        What an explorer shows on every slider move: ~5× faster to make than the PNG, and crisp at any zoom.
        """
        return figure_svg(self, title)

    def cell_colours(self):
        """The RGB colours of the cells drawn (for :func:`course_palette`, when not :data:`COLORS`)."""
        grids = self.grids.values() if isinstance(self.grids, dict) else self.grids
        colours = [np.asarray(g.mesh.get_array()).reshape(-1, 3) for g in grids if g.mesh is not None]
        return [tuple(c) for c in np.unique(np.concatenate(colours), axis=0)] if colours else []

    def display_metadata(self):
        """``{"width": ..., "height": ...}``: the display size, for a notebook's ``image/png`` metadata."""
        width, height = self.display_size()
        return {"width": width, "height": height}

    def _repr_png_(self):
        return self.to_png(), self.display_metadata()

    def _repr_html_(self):
        """The PNG in an ``<img>`` with :meth:`alt_text`: an HTML export and JupyterLab show it described."""
        return png_html(self.to_png(), self.display_size(), self.alt_text())

    def drawn_texts(self):
        """Every string drawn, measured at the display size: a list of :class:`DrawnText` (for tests).

        Text drawn as glyph outlines (titles, legend, values, notes) and
        matplotlib ``Text`` artists alike.
        """
        figure, dpi = self.figure, self.display_dpi()
        drawn = []
        blocks = [(self.titles, "title"), (self.note, "note")]
        if self.legend is not None:
            blocks.append((self.legend.labels, "legend"))
        if self.heading_text is not None:
            blocks.append((self.heading_text, "heading"))
        blocks += [(block, "text") for block in getattr(self, "extra_texts", ())]
        for block, kind in blocks:
            scale = block.size / 10 / 72
            for text, path, offset in zip(block.strings, block.collection.get_paths(), block.collection.get_offsets()):
                if len(path.vertices) > 1:
                    drawn.append(
                        DrawnText(text, block.size * dpi / 72, _box(path.vertices * scale + offset, dpi), kind)
                    )
        for name in self.panels:
            values = self.grids[name].labels
            if not values.collection.get_visible():
                continue
            ax = self.axes[name]
            scale = values.size / 10 / 72
            to_inches = ax.transData.transform(values.collection.get_offsets()) / figure.dpi
            for text, path, offset in zip(values.texts, values.collection.get_paths(), to_inches):
                if text:
                    drawn.append(
                        DrawnText(text, values.size * dpi / 72, _box(path.vertices * scale + offset, dpi), "value")
                    )
        artists = [t for ax in figure.axes for t in ax.texts] + list(figure.texts)
        artists = [t for t in artists if t.get_visible() and t.get_text()]
        if artists:
            renderer = FigureCanvasAgg(figure).get_renderer()
            for artist in artists:
                box = artist.get_window_extent(renderer).transformed(Affine2D().scale(dpi / figure.dpi))
                drawn.append(DrawnText(artist.get_text(), artist.get_fontsize() * dpi / 72, tuple(box.extents), "text"))
        return drawn

    def _describe(self):
        return f"panels={self.panels}"

    def __repr__(self):
        return f"{type(self).__name__}({self._describe()})"


def png_html(png, size, alt):
    """An ``<img>`` of ``png`` (bytes) at ``size`` = ``(width, height)`` CSS px, shrunk to fit, with alt text ``alt``.

    Where a notebook shows a figure as ``text/html`` rather than ``image/png``: ``jupyter nbconvert
    --to html`` writes no alt text for an ``image/png`` output ("No description has been provided for
    this image"), and JupyterLab none either.

    >>> print(png_html(b"\\x89PNG", (200, 100), 'a "grid"').replace(" style", "\\n style"))
    <img src="data:image/png;base64,iVBORw==" width="200" height="100" alt="a &quot;grid&quot;"
     style="max-width:100%;height:auto">
    """
    return img_html(png, "image/png", size, alt)


def img_html(data, mimetype, size, alt):
    """An ``<img>`` of ``data`` (bytes of ``mimetype``) at ``size`` CSS px, shrunk to fit, with alt text ``alt``.

    >>> img_html(b"<svg/>", "image/svg+xml", (2, 1), "").split(" width")[0]
    '<img src="data:image/svg+xml;base64,PHN2Zy8+"'
    """
    source = base64.b64encode(data).decode("ascii")
    width, height = size
    return (
        f'<img src="data:{mimetype};base64,{source}" width="{width}" height="{height}"'
        f' alt="{html.escape(alt, quote=True)}" style="max-width:100%;height:auto">'
    )


def _box(points, dpi):
    """``(x0, y0, x1, y1)`` in CSS px of ``points`` in inches."""
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return (x0 * dpi, y0 * dpi, x1 * dpi, y1 * dpi)


# --- panels: what each stage of a Trace looks like ----------------------------------


def _size(t, shape):
    """``h×w``, or the width alone for a 1-D trace (``t.dims == 1``: one row)."""
    return str(shape[1]) if getattr(t, "dims", 2) == 1 else f"{shape[0]}×{shape[1]}"


def _pads(t, pads):
    """``(top, bottom, left, right)``, or ``(left, right)`` for a 1-D trace: what :func:`describe_pads` reads."""
    return pads[2:] if getattr(t, "dims", 2) == 1 else pads


def _pair(t, pair):
    """A stride or dilation as text: its column entry alone for a 1-D trace."""
    return str(pair[1]) if getattr(t, "dims", 2) == 1 else format_pair(pair)


def _panel_input(t, step):
    return np.full(t.input.shape, "input", dtype=object), t.input, f"input {_size(t, t.input.shape)}"


def _panel_dilated(t, step):
    kinds = cell_kinds(cell_labels(t.input.shape, t.stride, (0, 0, 0, 0)))
    (sr, sc) = t.stride
    if getattr(t, "dims", 2) == 1:
        sr = sc
    zeros = f"{sc - 1} zero" + ("" if sc == 2 else "s") if sr == sc else f"{sr - 1}, {sc - 1} zeros"
    size = _size(t, t.dilated.shape)
    return kinds, t.dilated, f"1. zeros inserted (stride {_pair(t, t.stride)}):\n{zeros} between pixels → {size}"


def _panel_padded(t, step):
    size = _size(t, t.padded.shape)
    if isinstance(t, PoolTrace):  # −∞ padding (max pooling) is left blank: the title says what it holds
        fill = "" if t.padding == (0, 0, 0, 0) else " of −∞" if t.mode == "max" else " of 0 (in the mean)"
        winner = "\nred: the max" if t.mode == "max" and step is not None else ""
        values = np.where(np.isfinite(t.padded), t.padded, np.nan)
        return cell_kinds(t.labels), values, f"{describe_pads(_pads(t, t.padding))}{fill} → {size}{winner}"
    if isinstance(t, ConvTrace):
        title = f"{describe_pads(_pads(t, t.padding))} → {size}"
    else:
        title = f"1. zeros inserted (stride {_pair(t, t.stride)})\n2. {describe_pads(_pads(t, t.pads))} → {size}"
    return cell_kinds(t.labels), t.padded, title


def _panel_kernel(t, step):
    if isinstance(t, PoolTrace):
        raise ValueError("pooling has no kernel panel: its window has no weights")
    dil = "" if t.dilation == (1, 1) else f"\ntaps {format_pair(t.dilation)} apart (dilation)"
    if isinstance(t, ConvTrace):
        return np.full(t.kernel.shape, "kernel", dtype=object), t.kernel, f"kernel{dil}"
    return np.full(t.flipped.shape, "kernel", dtype=object), t.flipped, f"3. kernel,\nflipped 180°{dil}"


def _panel_products(t, step):
    kinds = np.full(t.kernel_shape, "product", dtype=object)
    if isinstance(t, PoolTrace):
        if step is None:
            return kinds, None, "window\n(pick a step)"
        s = t.step(step)
        values = np.where(np.isfinite(s.window), s.window, np.nan)
        return kinds, values, f"window\n{t.mode if t.mode == 'max' else 'mean'} = {format_value(s.value)}"
    if step is None:
        return kinds, None, "window × kernel\n(pick a step)"
    s = t.step(step)
    return kinds, s.products, f"window × kernel\nsum = {format_value(s.value)}"


def _panel_output(t, step):
    size = _size(t, t.output.shape)
    kinds = np.full(t.output.shape, "output", dtype=object)
    if step is None:
        return kinds, t.output, f"output {size}\nall cells written"
    s, written = t.step(step), written_mask(t, step)
    kinds[~written] = "empty"
    kinds[s.out] = "current"
    cell = f"({s.out[1]})" if getattr(t, "dims", 2) == 1 else str(s.out)
    return (
        kinds,
        np.where(written, t.output, np.nan),
        f"output {size}\nstep {step + 1}/{t.n_steps}: out{cell} = {format_value(s.value)}",
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

#: The panels that only a transposed convolution has.
_TRANSPOSED_ONLY = ("dilated", "full")

_PANEL_KINDS = {
    "input": ("input",),
    "dilated": ("input", "zero"),
    "padded": ("input", "zero", "pad", "window"),
    "kernel": ("kernel",),
    "products": ("product",),
    "output": ("output", "current", "empty"),
    "full": ("output", "cropped"),
}


#: The legend's words for pooling: a window without weights.
_POOL_NAMES = {"product": "the window's values", "window": "pooling window"}


class TraceFigure(PanelFigure):
    """Stages of a :class:`~deconvlib.Trace` as a row of panels, updatable in place.

    Parameters
    ----------
    trace : Trace or ConvTrace
        A :class:`~deconvlib.trace.ConvTrace` (forward convolution) has no
        ``dilated`` or ``full`` panel, and its kernel is not flipped.
    step : int or None
        Sweep position (0-based, row-major over the output): the kernel window
        on the padded grid, the output filled up to that cell, the cell being
        written in red. ``None`` shows the finished output and no window.
    figsize : (float, float) or None
        Inches (the height follows the panels); ``None``: the display width
        (:class:`PanelFigure`). Every panel uses the same cell size, the
        largest that fits.
    panels : sequence of str
        Names from :data:`PANELS`: ``input``, ``dilated`` (stage 1: zeros inserted),
        ``padded`` (stage 2, with the window), ``kernel`` (flipped),
        ``products``, ``output``, ``full`` (the uncropped result and the crop).
    legend : bool or sequence of str
        A legend under the panels: of the cell kinds the panels use, or of
        these kinds.
    heading : sequence of str
        Lines above the panels (see :class:`PanelFigure`).
    reads : bool, default False
        Outline, on the ``input`` panel, the input pixels under the window
        at ``step`` (:func:`~deconvlib.trace.input_cells_under`): what the
        current output cell reads.

    A :class:`~deconvlib.trace.PoolTrace` has no ``kernel`` panel; its
    ``products`` panel is the window's values, and for max pooling the
    winning cell is outlined in red on ``padded`` and ``products``.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    axes, grids : dict
        By panel name. ``window`` is the kernel window (on ``padded``), if shown.
    reads : Outlines or None
        The input pixels under the window (on ``input``), with ``reads=True``.
    winners : dict of Outlines
        The max's cell on ``padded`` and ``products`` (max pooling only; hidden otherwise).
    trace, step
        What is shown.
    """

    panel_names = {
        "input": "input",
        "dilated": "grid with inserted zeros",
        "padded": "padded grid",
        "kernel": "kernel",
        "products": "products",
        "output": "output",
        "full": "full result",
    }

    def __init__(
        self,
        trace,
        step=None,
        figsize=None,
        panels=("input", "padded", "kernel", "output"),
        legend=True,
        heading=(),
        reads=False,
    ):
        unknown = [p for p in panels if p not in PANELS]
        if unknown:
            raise ValueError(f"panels must be names from {sorted(PANELS)}, got {unknown}")
        if legend is True:
            legend = [k for k in COLORS if any(k in _PANEL_KINDS[p] for p in panels)]
        legend = tuple(legend or ())
        names = {**KIND_NAMES, **(_POOL_NAMES if isinstance(trace, PoolTrace) else {})}
        super().__init__(figsize, panels, legend, labels=[names[k] for k in legend], heading=heading)
        self.window = Window(self.axes["padded"], (0, 0)) if "padded" in self.panels else None
        self.reads = Outlines(self.axes["input"]) if reads and "input" in self.panels else None
        self.winners = {  # inside the window's outline of the tap, so the two never hide each other
            name: Outlines(self.axes[name], COLORS["current"], half=0.3)
            for name in ("padded", "products")
            if name in self.panels
        }
        self.update(trace, step)

    def content(self, trace, step):
        """``{panel: (kinds, values, title)}`` for ``trace`` at ``step`` (see :data:`PANELS`)."""
        return {name: PANELS[name](trace, step) for name in self.panels}

    def update(self, trace, step=None):
        """Show ``trace`` at sweep position ``step`` (``None``: the finished output)."""
        if isinstance(trace, (ConvTrace, PoolTrace)) and any(p in _TRANSPOSED_ONLY for p in self.panels):
            raise ValueError(f"a forward convolution's trace has no panels {_TRANSPOSED_ONLY}, got {self.panels}")
        self.trace, self.step = trace, step
        self.show_panels(self.content(trace, step), extra_kinds=("window",) if self._window_shown(step) else ())
        s = None if step is None else trace.step(step)
        if self.window is not None:
            if s is None:
                self.window.update((0, 0), (0, 0), trace.dilation)
            else:
                self.window.update(s.origin, trace.kernel_shape, trace.dilation)
        if self.reads is not None:
            self.reads.set_cells([] if s is None else input_cells_under(trace, s.origin))
        won = s is not None and s.winner is not None
        for name, outline in self.winners.items():
            if not won:
                outline.set_cells([])
            elif name == "padded":
                outline.set_cells([tuple(o + w * d for o, w, d in zip(s.origin, s.winner, trace.dilation))])
            else:
                outline.set_cells([s.winner])
        return self.figure

    def _window_shown(self, step):
        return self.window is not None and step is not None

    def _describe(self):
        return f"panels={self.panels}, step={self.step}, {self.trace!r}"


def render(figure, dpi=80):
    """``figure`` rendered with Agg at ``dpi``, as an RGB ``PIL.Image`` (its ``dpi`` is left as it was).

    The pixel size comes from the renderer, never recomputed (10 × 2.8 in at
    72 dpi once broke ``frombuffer``). The figure keeps its Agg canvas, whose
    renderer is reused while the size stays the same.
    """
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    original = figure.dpi
    try:
        figure.set_dpi(dpi)
        canvas.draw()
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        return image.convert("RGB")
    finally:
        figure.set_dpi(original)


#: The colours that a figure drawn from cell kinds can contain besides :data:`COLORS`: the
#: background, text, cell borders, outlines and the note; anti-aliasing blends them with the cells.
_INKS = ("#ffffff", "#222222", _EDGE, "#555555", "#7a3b00")
_PALETTES = {}


def course_palette(cells=None):
    """A ``P`` image of at most 256 colours: the cell colours, the inks and their blends (or None).

    ``cells`` are the cells' colours (default every colour of :data:`COLORS`;
    an overlap map passes its shades). Mapping a render onto the palette (no
    dithering) costs a tenth of computing one per render, and keeps the
    anti-aliased edges of text and lines: each ink is blended with each cell
    colour at ⅓ and ⅔. ``None`` when the colours do not fit in 256.
    """
    key = None if cells is None else tuple(tuple(float(v) for v in to_rgb(c)) for c in cells)
    if key not in _PALETTES:
        if len(_PALETTES) > 64:
            _PALETTES.clear()
        base = [to_rgb(c) for c in dict.fromkeys((*(COLORS.values() if key is None else key), *_INKS))]
        inks = [to_rgb(c) for c in (*_INKS[1:], COLORS["window"], COLORS["current"])]
        blends = [
            tuple(t * a + (1 - t) * b for a, b in zip(ink, cell))
            for ink in inks
            for cell in base
            for t in (1 / 3, 2 / 3)
        ]
        colours = list(dict.fromkeys(tuple(round(255 * v) for v in c) for c in base + blends))
        palette = None
        if len(colours) <= 256:
            palette = Image.new("P", (1, 1))
            palette.putpalette([v for c in colours for v in c] + [0] * 3 * (256 - len(colours)))
        _PALETTES[key] = palette
    return _PALETTES[key]


def figure_png(figure, dpi=80, colors=64, palette=None):
    """Render ``figure`` with Agg to PNG bytes, quickly and small.

    Drawn at ``dpi`` without a tight bounding box (the layout is fixed), then
    reduced to a palette of ``colors`` (``None``: keep full RGB), or mapped
    onto ``palette`` (a ``P`` image such as :func:`course_palette`, much
    faster). The cell colours are few, so a palette looks the same and the PNG
    is about 3× smaller — less to store in notebooks and to send to the browser.
    """
    buffer = io.BytesIO()
    image = render(figure, dpi)
    if palette is not None:
        image = image.quantize(palette=palette, dither=Image.Dither.NONE)
    elif colors is not None:
        image = image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE)
    image.save(buffer, format="png", compress_level=3 if palette is not None else 6)
    return buffer.getvalue()


def draw_trace(trace, step=None, figsize=None, panels=("input", "padded", "kernel", "output")):
    """A new figure of :class:`TraceFigure` for ``trace`` at ``step``; returns the Figure.

    >>> from deconvlib import trace
    >>> fig = draw_trace(trace(np.ones((2, 2)), np.ones((3, 3)), stride=2), step=0)
    >>> [ax.get_title().split("\\n")[0] for ax in fig.axes]
    ['input 2×2', '1. zeros inserted (stride 2)', '3. kernel,', 'output 5×5']
    """
    return TraceFigure(trace, step, figsize, panels).figure
