"""Figures of notebooks 5-9, in the visual language of :mod:`deconvlib.viz.drawing`.

The matrices ``C`` and ``Cᵀ`` (:class:`MatrixFigure`), the scatter view stamp
by stamp (:class:`ScatterFigure`), overlap-count maps (:class:`OverlapFigure`),
which channels a grouped layer connects (:class:`GroupsFigure`), the shapes
through a decoder (:func:`draw_decoder`), the 1-D stamps above their
overlap counts as bars (:class:`StampsFigure`) and a whole stack's shapes
above the middle of its overlap map (:class:`StackFigure`, notebook 10). Each is a
:class:`~deconvlib.viz.drawing.PanelFigure`: a row of grids drawn at one cell
size, in the colours of :data:`~deconvlib.viz.drawing.COLORS` (orange kernel
weights, dotted white zeros, blue input, green-cyan output, dark red in a
thick border the current pixel, lilac with a dashed square what padding
crops), with ``update`` to redraw in place when a slider moves.

Pure ``data → matplotlib`` code: the numbers come from the library
(:func:`deconvlib.convolution_matrix`, :func:`deconvlib.trace.scatter_trace`,
:func:`deconvlib.overlap.overlap_count`, ...), nothing here knows about widgets.
"""

import re

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import Rectangle

from ..explain import format_value
from .drawing import COLORS, LEGEND_SIZE, MARGIN, OUTLINES, FigureText, Legend, PanelFigure, Window, text_width

__all__ = [
    "matrix_kinds",
    "count_colors",
    "MatrixFigure",
    "ScatterFigure",
    "OverlapFigure",
    "grey_colors",
    "ArtifactFigure",
    "GroupsFigure",
    "DecoderFigure",
    "draw_decoder",
    "StampsFigure",
    "map_window",
    "StackFigure",
]


def _outline(ax, color=COLORS["current"]):
    patch = Rectangle((0, 0), 1, 1, fill=False, edgecolor=color, linewidth=2.4, zorder=4)
    ax.add_patch(patch)
    return patch


def _set_outline(patch, row0, col0, rows, cols):
    """Outline cells ``[row0, row0 + rows) × [col0, col0 + cols)``; ``rows=0`` hides it."""
    patch.set_visible(rows > 0 and cols > 0)
    patch.set_xy((col0 - 0.5, row0 - 0.5))
    patch.set_width(cols)
    patch.set_height(rows)


def _connections(M):
    """Where ``M`` has a connection: its unmasked entries if it is a masked array, else its non-zero ones."""
    if np.ma.isMaskedArray(M):
        return ~np.ma.getmaskarray(M)
    return np.asarray(M) != 0


def _weights(M):
    """Values to print: the weights of the connections (a weight of 0 too); no connection stays blank."""
    return np.where(_connections(M), np.ma.getdata(M).astype(float), np.nan)


def matrix_kinds(M):
    """Cell kinds of a convolution matrix: ``"kernel"`` for a connection, ``"zero"`` for none.

    A masked array says where the connections are (a kernel weight of 0 is
    still a connection); for a plain array every non-zero entry is one.

    >>> matrix_kinds(np.array([[2.0, 0.0]])).tolist()
    [['kernel', 'zero']]
    >>> matrix_kinds(np.ma.array([[2.0, 0.0]], mask=[[False, False]])).tolist()
    [['kernel', 'kernel']]
    """
    return np.where(_connections(M), "kernel", "zero").astype(object)


#: The shade of the largest overlap count: dark text on it keeps a contrast above 7:1.
DARKEST_COUNT = "#5cbfac"


class _ShadeLegend(Legend):
    """A legend of shades that are not cell kinds: ``shades`` and their ``labels``, all always shown."""

    def __init__(self, figure, shades, labels):
        self.shades = [tuple(c) for c in shades]
        super().__init__(figure, range(len(self.shades)), labels)

    def select(self, kinds):
        self.kinds = list(self.all_kinds)
        self.names = [self.all_names[k] for k in self.kinds]
        self.swatches.set_facecolors(self.shades)


def count_colors(counts, top=None):
    """RGB shades for overlap counts: white for 0, darker cyan for more kernel copies.

    ``top`` is the count drawn darkest (default: the largest in ``counts``), so
    two maps can share one scale. The darkest shade, :data:`DARKEST_COUNT`, is
    light enough for the dark printed counts (contrast above 7:1).

    >>> count_colors(np.array([[0, 2]]), top=2)[0, 0].tolist()
    [1.0, 1.0, 1.0]
    """
    counts = np.asarray(counts, dtype=float)
    top = max(float(counts.max() if top is None else top), 1.0)
    light, dark = np.array(to_rgb(COLORS["output"])), np.array(to_rgb(DARKEST_COUNT))
    t = np.clip(counts / top, 0, 1)[..., None]
    shade = np.where(t <= 0.5, 1 + (light - 1) * (t / 0.5), light + (dark - light) * ((t - 0.5) / 0.5))
    return np.where(counts[..., None] == 0, 1.0, shade)


class MatrixFigure(PanelFigure):
    """``C`` and ``Cᵀ`` side by side, with one pixel's row of ``C`` and column of ``Cᵀ`` outlined.

    ``C`` comes from :func:`deconvlib.convolution_matrix`: the matrix of the
    forward convolution ``y = C·x``, one row per pixel of ``y`` (the
    transposed convolution's input, row-major), one column per pixel of ``x``
    (its output). The transposed convolution is ``Cᵀ·y``. Row ``pixel`` of
    ``C`` (= column ``pixel`` of ``Cᵀ``) is that pixel's stamp on the
    output: the scatter view.

    Parameters
    ----------
    C : ndarray or masked array, shape (h·w, out_h·out_w)
        With a mask, the unmasked entries are the connections (so a kernel
        weight of 0 is drawn as a weight, not as "no connection").
    pixel : int or None
        Pixel of ``y`` (flat index) to outline.
    """

    panel_names = {"C": "C", "CT": "Cᵀ"}

    def __init__(self, C, pixel=None, figsize=None):
        super().__init__(
            figsize,
            ("C", "CT"),
            legend=("kernel", "zero", "current"),
            labels=("kernel weight (a connection)", "no connection", "one pixel of y: its row of C, its column of Cᵀ"),
        )
        self.outlines = {name: _outline(ax) for name, ax in self.axes.items()}
        self.update(C, pixel)

    def update(self, C, pixel=None):
        rows, cols = np.shape(C)
        if pixel is not None and not 0 <= pixel < rows:
            raise ValueError(f"pixel must be in [0, {rows}), got {pixel!r}")
        self.C, self.pixel = C, pixel
        CT = C.T
        self.show_panels(
            {
                "C": (
                    matrix_kinds(C),
                    _weights(C),
                    f"C: {rows}×{cols}, forward y = C·x\nrow = pixel of y, column = pixel of x",
                ),
                "CT": (matrix_kinds(CT), _weights(CT), f"Cᵀ: {cols}×{rows}\ntransposed Cᵀ·y"),
            },
            extra_kinds=("current",) if pixel is not None else (),
        )
        n = 0 if pixel is None else 1  # one row of C, one column of Cᵀ; none without a pixel
        _set_outline(self.outlines["C"], pixel or 0, 0, n, cols)
        _set_outline(self.outlines["CT"], 0, pixel or 0, cols, n)
        return self.figure

    def _describe(self):
        return f"C {self.C.shape[0]}×{self.C.shape[1]}, pixel={self.pixel}"


class ScatterFigure(PanelFigure):
    """The scatter view of a :class:`~deconvlib.trace.ScatterTrace`, stamp by stamp.

    Panels: the input with the stamping pixel in red; the kernel; the canvas
    after stamps ``0 .. upto`` with the current stamp's taps outlined, cells
    outside the output (cropped by the forward padding) lilac, dashed; the output.
    """

    def __init__(self, trace, upto=0, figsize=None):
        super().__init__(
            figsize,
            ("input", "kernel", "canvas", "output"),
            legend=("input", "current", "kernel", "window", "output", "empty", "cropped"),
            labels=(
                "input pixel",
                "pixel stamping now",
                "kernel",
                "this stamp's taps",
                "output",
                "no stamp yet",
                "cropped (forward padding)",
            ),
        )
        self.window = Window(self.axes["canvas"], (0, 0))
        self.crop = _outline(self.axes["canvas"], color="#555555")
        self.crop.set_linestyle("--")
        self.update(trace, upto)

    def update(self, trace, upto=0):
        t = trace
        if not 0 <= upto < t.n_stamps:
            raise ValueError(f"upto must be in [0, {t.n_stamps}), got {upto!r}")
        self.trace, self.upto = t, upto
        h, w = t.input.shape
        canvas = t.canvas(upto)
        touched = self._taps_mask(t, upto, canvas.shape)
        top, left, oh, ow = t.crop
        kinds = np.full(canvas.shape, "cropped", dtype=object)
        inside = np.zeros(canvas.shape, bool)
        inside[top : top + oh, left : left + ow] = True
        kinds[inside] = np.where(touched[inside], "output", "empty")
        input_kinds = np.full((h, w), "input", dtype=object)
        i, j = divmod(upto, w)
        input_kinds[i, j] = "current"
        done = upto == t.n_stamps - 1
        (r, c), (sr, sc), (kh, kw) = (int(v) for v in t.origins[upto]), t.stride, t.kernel.shape
        x = format_value(t.input[i, j])
        self.show_panels(
            {
                "input": (input_kinds, t.input, f"input {h}×{w}\npixel ({i}, {j}) = {x}"),
                "kernel": (
                    np.full(t.kernel.shape, "kernel", dtype=object),
                    t.kernel,
                    f"kernel {kh}×{kw}\n(not flipped)",
                ),
                "canvas": (
                    kinds,
                    np.where(touched, canvas, np.nan),
                    f"stamp {upto + 1}/{t.n_stamps}: {x}·W added at ({i}·{sr}, {j}·{sc}) = ({r}, {c})\n"
                    "dashed: the output window",
                ),
                "output": (
                    np.full(t.output.shape, "output" if done else "empty", dtype=object),
                    t.output if done else None,
                    f"output {oh}×{ow}\n" + ("all stamps added, cropped" if done else "filled in after the last stamp"),
                ),
            },
            extra_kinds=("window",),
        )
        self.window.update((r, c), t.kernel.shape, t.dilation)
        _set_outline(self.crop, top, left, oh, ow)
        return self.figure

    @staticmethod
    def _taps_mask(t, upto, shape):
        mask = np.zeros(shape, bool)
        for n in range(upto + 1):
            for cell in t.taps(n):
                mask[cell] = True
        return mask

    def _describe(self):
        return f"upto={self.upto}, {self.trace!r}"


class _FigureOfList(PanelFigure):
    """Panels ``0 … n − 1``, one for each item of a list; ``axes`` and ``grids`` are lists.

    A subclass names its items in :attr:`items` (for the error when
    :meth:`update` gets another number of them) and draws them in ``update``
    after :meth:`_check_count`.
    """

    #: What the list holds, as the error for a wrong count says it.
    items = "items"

    def __init__(self, items, figsize=None):
        super().__init__(figsize, range(len(items)))
        self.axes, self.grids = list(self.axes.values()), list(self.grids.values())

    def _check_count(self, items):
        if len(items) != len(self.panels):
            raise ValueError(f"this figure shows {len(self.panels)} {self.items}, got {len(items)}")

    def _name_panels(self, titles):
        r"""Name panel ``k`` in the note about values left out by its title's first words, not "0, 1".

        >>> figure = _FigureOfList.__new__(_FigureOfList)
        >>> figure._name_panels(["transposed conv: k=7, stride 4\ncopies repeat 2, 1", "resize ×4, then conv k=7"])
        >>> figure.panel_names
        {0: 'transposed conv', 1: 'resize ×4'}
        """
        self.panel_names = {k: re.split(r"[:,\n]", title)[0] for k, title in enumerate(titles)}


class OverlapFigure(_FigureOfList):
    """Overlap counts side by side: a transposed convolution and resize-then-convolve.

    ``maps`` is a list of ``(counts, title)``. Each map prints its counts and
    is shaded on its own scale (white = no kernel copy, darkest cyan = its
    largest count), so unevenness shows whatever the kernel size; the legend
    under the maps says so with swatches. ``axes`` and ``grids`` are lists,
    one entry per map.
    """

    kind_colours = False  # shades of cyan for the counts
    legend_follows = False
    #: The legend: the shade of 0, of half and of all of a map's largest count.
    shade_labels = ("no kernel copy", "half the map's most copies", "the map's most copies")

    items = "maps"

    def __init__(self, maps, figsize=None):
        super().__init__(maps, figsize)
        shades = count_colors(np.array([0, 1, 2]), top=2)
        self.legend = _ShadeLegend(self.figure, shades, self.shade_labels)
        self.update(maps)

    def update(self, maps):
        self._check_count(maps)
        self.maps = maps
        self._name_panels(title for _, title in maps)
        self.show_panels(
            {
                k: (count_colors(counts), np.asarray(counts, dtype=float), title)
                for k, (counts, title) in enumerate(maps)
            }
        )
        return self.figure

    def _describe(self):
        return f"titles={[title for _, title in self.maps]}"


def grey_colors(image):
    """RGB greys of ``image``: black for 0 (and below), white for its brightest pixel.

    >>> grey_colors(np.array([[0.0, 0.25, 0.5]]))[0, :, 0].tolist()
    [0.0, 0.5, 1.0]
    """
    image = np.asarray(image, dtype=float)
    top = image.max() if image.size and image.max() > 0 else 1.0
    return np.repeat(np.clip(image / top, 0, 1)[..., None], 3, axis=-1)


class ArtifactFigure(_FigureOfList):
    """Grey images side by side, one pixel per cell, without cell borders: artifacts in a photo.

    ``images`` is a list of ``(image, title)``, e.g. a photo upsampled by
    :func:`deconvlib.overlap.upsample_image` both ways. Each image is drawn on
    its own scale, black = 0 to white = its brightest pixel, at one cell size
    for all, so a checkerboard shows as a fine grid over the picture. ``axes``
    and ``grids`` are lists, one entry per image.
    """

    kind_colours = False  # greys
    items = "images"

    def __init__(self, images, figsize=None):
        super().__init__(images, figsize)
        self.update(images)

    def update(self, images):
        self._check_count(images)
        self.images = images
        self._name_panels(title for _, title in images)
        self.show_panels({k: (grey_colors(image), None, title) for k, (image, title) in enumerate(images)})
        for grid in self.grids:
            grid.mesh.set_linewidth(0)  # pixels, not cells
            grid.mesh.set_edgecolor("face")
        return self.figure

    def _describe(self):
        return f"shapes={[np.shape(image) for image, _ in self.images]}"


class GroupsFigure(PanelFigure):
    """Which input channel feeds which output channel: the ``(c_in, c_out)`` connection matrix.

    ``connections`` comes from :func:`deconvlib.channels.group_connections`;
    a connected pair (orange) has one ``kh×kw`` kernel, the others (white)
    have none. ``ax`` and ``grid`` are the one panel's.
    """

    def __init__(self, connections, groups=1, figsize=None):
        super().__init__(figsize, ("groups",), legend=("kernel", "zero"), labels=("a kh×kw kernel", "no connection"))
        self.ax, self.grid = self.axes["groups"], self.grids["groups"]
        self.update(connections, groups)

    def update(self, connections, groups=1):
        connections = np.asarray(connections, bool)
        self.connections, self.groups = connections, groups
        c_in, c_out = connections.shape
        title = (
            f"groups={groups}: rows = {c_in} input channels,\ncolumns = {c_out} output channels "
            f"({int(connections.sum())} kernels)"
        )
        self.show_panels({"groups": (np.where(connections, "kernel", "zero").astype(object), None, title)})
        return self.figure

    def _describe(self):
        c_in, c_out = self.connections.shape
        return f"{c_in}×{c_out} connections, groups={self.groups}"


class DecoderFigure(PanelFigure):
    """The activations of a decoder as squares of side ∝ √(height), with their NHWC shapes.

    ``shapes`` is the list of :func:`deconvlib.channels.decoder_shapes`: the
    input in blue, every layer's output in cyan, an arrow per layer.
    ``update(shapes)`` moves the same artists (the number of shapes may change).
    Not a row of grids: the one axes ``ax`` (in inches, the whole figure)
    holds squares, arrows and the shapes written under them; each square's
    slot is at least as wide as its label, so no two labels overlap.
    """

    #: The largest square's side in inches, and the space between slots (the arrows).
    largest, spacing = 2.0, 0.5
    label_size = 9.0

    def __init__(self, shapes, figsize=None):
        super().__init__(figsize)
        self.ax = self.figure.add_axes((0, 0, 1, 1))
        self.ax.set_axis_off()
        self.squares, self.labels, self.arrows = [], [], []
        self.update(shapes)

    def update(self, shapes):
        self.shapes = [tuple(s) for s in shapes]
        ax = self.ax
        while len(self.squares) < len(self.shapes):
            self.squares.append(ax.add_patch(Rectangle((0, 0), 1, 1, edgecolor="#555555")))
            self.labels.append(ax.text(0, 0, "", ha="center", va="top", fontsize=self.label_size))
            self.arrows.append(
                ax.annotate("", xy=(0, 0), xytext=(0, 0), arrowprops=dict(arrowstyle="->", color="#555555"))
            )
        fw = self.figure.get_size_inches()[0]
        texts = [str(shape) for shape in self.shapes]
        widths = [text_width(text, self.label_size) for text in texts]
        roots = np.sqrt([shape[1] for shape in self.shapes])  # the first spatial side, in 1-D, 2-D or 3-D
        largest, spacing = self.largest, self.spacing
        while True:  # shrink the squares, then the arrows between them, until the row of slots fits the width
            sides = np.maximum(roots / roots.max() * largest, 0.06)
            slots = np.maximum(sides, widths)
            total = slots.sum() + spacing * (len(slots) - 1)
            if total <= fw - 2 * MARGIN or (largest < 0.3 and spacing <= 0.2):
                break
            if largest >= 0.3:
                largest *= 0.9
            else:
                spacing = max(0.8 * spacing, 0.2)
        title_line = 1.3 * self.title_size / 72
        label_line = 1.3 * self.label_size / 72
        fh = 0.12 + title_line + 0.12 + sides.max() + 0.06 + label_line + 0.1
        dpi = self.display_dpi()
        fh = (np.ceil(fh * dpi - 1e-6) + 1e-6) / dpi  # whole CSS px
        self.figure.set_size_inches(fw, fh)
        ax.set_xlim(0, fw)
        ax.set_ylim(0, fh)
        base = 0.1 + label_line + 0.06  # the squares' bottom edge
        arrow_y = base + sides.min() / 2
        x = (fw - total) / 2
        previous_right = None
        for k, (square, label, arrow) in enumerate(zip(self.squares, self.labels, self.arrows)):
            shown = k < len(self.shapes)
            for artist in (square, label, arrow):
                artist.set_visible(shown)
            if not shown:
                continue
            centre, side = x + slots[k] / 2, sides[k]
            square.set_bounds(centre - side / 2, base, side, side)
            square.set_facecolor(COLORS["input"] if k == 0 else COLORS["output"])
            label.set_position((centre, base - 0.06))
            label.set_text(texts[k])
            arrow.set_visible(k > 0)
            if k > 0:
                arrow.xy, arrow.xyann = (centre - side / 2 - 0.06, arrow_y), (previous_right + 0.06, arrow_y)
            previous_right = centre + side / 2
            x += slots[k] + spacing
        self.titles.set(
            [("NHWC shapes through the decoder (square side ∝ √height)", fw / 2, fh - 0.12 - title_line * 0.8)]
        )
        return self.figure

    def texts(self):
        """The shapes written under the squares (for tests)."""
        return [t.get_text() for t in self.labels if t.get_visible()]

    def _describe(self):
        return f"shapes={self.shapes}"


def draw_decoder(shapes, figsize=None):
    """A new figure of :class:`DecoderFigure` for ``shapes``; returns the Figure.

    >>> fig = draw_decoder([(16, 4, 4, 512), (16, 8, 8, 256)])
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_text()]
    ['(16, 4, 4, 512)', '(16, 8, 8, 256)']
    """
    return DecoderFigure(shapes, figsize).figure


class StampsFigure(PanelFigure):
    """A 1-D transposed convolution as stamps stacked above the output, and the overlap counts as bars.

    Panels, top-aligned: the kernel ``w`` (one row), the input ``x`` (one
    column, ``x[n]`` beside its stamp) and the canvas: row ``n`` is input
    ``n``'s stamp ``x[n]·w`` (orange where a tap lands, from
    :func:`deconvlib.overlap.stamps_1d`), the last row the output, each
    column's sum (cyan). Under the canvas, one bar per column: how many taps
    land there (the overlap count). Columns the forward padding crops are
    lilac (with a dashed square in each cell), in the stamps, the output row and the bars.

    Parameters
    ----------
    x : ndarray, shape (i,)
    w : ndarray, shape (k,)
    stamps : masked array, shape (i, full)
        The stamps on the full (uncropped) canvas; masked where a stamp has no tap.
    output : ndarray, shape (out,)
        The transposed convolution: columns ``start … start + out − 1`` of the canvas, summed.
    start : int
        The first canvas column kept (the padding ``p``).
    figsize : (float, float), optional

    Attributes
    ----------
    bars : Axes
        The bar chart, under the canvas and aligned with its columns.
    counts : ndarray of int, shape (full,)
        The bars' heights.
    """

    #: Inches of the bar chart under the canvas (bars + the counts printed above them).
    bars_height = 0.95
    panel_names = {"stamps": "stamps"}
    #: The legend: cell kind → its name.
    legend_labels = {
        "input": "input x[n]",
        "kernel": "a stamp x[n]·w (kernel w, not flipped)",
        "empty": "no tap of this stamp",
        "output": "output: the column's sum",
        "cropped": "cropped by the padding",
    }

    def __init__(self, x, w, stamps, output, start=0, figsize=None):
        self.bottom_room = self.bars_height + 0.12
        super().__init__(
            figsize,
            ("kernel", "input", "stamps"),
            legend=tuple(self.legend_labels),
            labels=tuple(self.legend_labels.values()),
        )
        self.bars = self.figure.add_axes((0, 0, 0.1, 0.1))
        self.bars.set_axis_off()
        self.bar_patches = []
        self.row_labels = FigureText(self.figure, LEGEND_SIZE)
        self.count_labels = FigureText(self.figure, LEGEND_SIZE)
        self.extra_texts = (self.row_labels, self.count_labels)
        self.update(x, w, stamps, output, start)

    def update(self, x, w, stamps, output, start=0):
        x, w, output = (np.asarray(a, dtype=float) for a in (x, w, output))
        stamps = np.ma.asarray(stamps)
        i, full = stamps.shape
        out = output.size
        if x.shape != (i,) or start < 0:
            raise ValueError(f"stamps {stamps.shape} do not match x {x.shape}, or start {start!r} < 0")
        self.x, self.w, self.stamps, self.output, self.start = x, w, stamps, output, start
        width = max(full, start + out)
        inside = np.zeros(width, bool)
        inside[start : start + out] = True
        covered = np.zeros((i, width), bool)
        covered[:, :full] = ~np.ma.getmaskarray(stamps)
        kinds = np.where(covered, np.where(inside, "kernel", "cropped"), "empty").astype(object)
        values = np.full((i + 1, width), np.nan)
        values[:i, :full] = np.where(covered[:, :full], np.ma.getdata(stamps), np.nan)
        output_row = np.where(inside, "output", "cropped").astype(object)
        values[i, start : start + out] = output
        self.counts = np.zeros(width, int)
        self.counts[:full] = covered[:, :full].sum(axis=0)
        w_text = ", ".join(format_value(v) for v in w)
        plural = {n: f"{n} {word}{'' if n == 1 else 's'}" for n, word in ((w.size, "tap"), (i, "value"), (out, "cell"))}
        self.show_panels(
            {
                "kernel": (np.full((1, w.size), "kernel", dtype=object), w[None, :], f"kernel w\n{plural[w.size]}"),
                "input": (np.full((i, 1), "input", dtype=object), x[:, None], f"input x\n{plural[i]}"),
                "stamps": (
                    np.vstack([kinds, output_row[None, :]]),
                    values,
                    f"stamps: input n adds x[n]·w[a] at cell n·s + a·d (w = {w_text})\n"
                    f"output: {plural[out]}, each the sum of its column"
                    + (f"; {start} cropped at each end" if start else ""),
                ),
            },
        )
        self._draw_bars(i, inside)
        return self.figure

    def _draw_bars(self, i, inside):
        """The bar chart under the canvas, its counts above the bars, and the row labels on the left."""
        fw, fh = self.figure.get_size_inches()
        x0, y0, gw, gh = self.axes["stamps"].get_position().bounds
        cell = gh * fh / (i + 1)
        top = y0 * fh - 0.1  # the bars' top edge, in inches
        line = self.count_labels.line
        height = self.bars_height - line
        self.bars.set_position((x0, (top - self.bars_height) / fh, gw, height / fh))
        width = len(self.counts)
        highest = max(int(self.counts.max()), 1)
        self.bars.set_xlim(-0.5, width - 0.5)
        self.bars.set_ylim(0, highest)
        while len(self.bar_patches) < width:
            patch = Rectangle((len(self.bar_patches) - 0.4, 0), 0.8, 0, edgecolor="#555555", linewidth=0.6)
            self.bar_patches.append(self.bars.add_patch(patch))
        for c, patch in enumerate(self.bar_patches):
            patch.set_visible(c < width)
            if c < width:
                patch.set_height(self.counts[c])
                patch.set_facecolor(COLORS["output"] if inside[c] else COLORS["cropped"])
                patch.set_linestyle("-" if inside[c] else OUTLINES["cropped"][0])  # cropped: dashed, as its cells
        bottom = top - self.bars_height
        column = gw * fw / width
        self.count_labels.set(
            [
                (str(n), x0 * fw + (c + 0.5) * column, bottom + height * n / highest + 0.04)
                for c, n in enumerate(self.counts)
            ]
        )
        left = x0 * fw - 0.08
        labels = [("output", y0 * fh + 0.5 * cell - 0.04), ("taps per cell", bottom + 0.02)]
        self.row_labels.set([(text, left - self.row_labels.width(text) / 2, y) for text, y in labels])

    def _describe(self):
        return f"stamps={self.stamps.shape}, output={self.output.shape}, start={self.start}"


def map_window(counts, most=8):
    """The middle of an overlap map, at most ``most`` cells a side, as a 2-D grid; and where it starts.

    A 1-D map becomes one row (at most ``3 * most`` cells). At 8 (24 in 1-D) the counts of a
    DCGAN's or a U-Net's map stay readable in the explorer's figure. Far from the borders
    the map repeats its pattern, so its middle shows what a flat input paints.

    >>> window, start = map_window(np.arange(100.0).reshape(10, 10), most=4)
    >>> window.shape, start, float(window[0, 0])
    ((4, 4), (3, 3), 33.0)
    >>> map_window(np.arange(9.0), most=2)[0].tolist()
    [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]
    """
    counts = np.asarray(counts, dtype=float)
    if counts.ndim == 1:
        counts, most = counts[None, :], (1, 3 * most)
    elif counts.ndim == 2:
        most = (most, most)
    else:
        raise ValueError(f"the map must have 1 or 2 axes, got {counts.ndim}")
    start = tuple((n - min(n, m)) // 2 for n, m in zip(counts.shape, most))
    window = counts[tuple(slice(b, b + min(n, m)) for b, n, m in zip(start, counts.shape, most))]
    return window, start if len(start) == 2 and counts.shape[0] > 1 else start[1:]


class StackFigure(PanelFigure):
    """A stack of layers: its sizes, layer by layer, above the middle of its overlap map.

    ``sizes`` are the spatial sizes through the stack (the input first, as
    :func:`deconvlib.doctor.stack.stack_shapes` gives them), drawn as a heading
    ``4×4 → 8×8 → …`` with the changed layer's output in brackets;
    ``counts`` is the stack's overlap map (1-D or 2-D, a constant input pushed
    through every layer), of which the middle (:func:`map_window`) is drawn
    as a grid shaded like :class:`OverlapFigure`'s counts.

    Parameters
    ----------
    sizes : list of tuple of int
    counts : ndarray, shape (*out_spatial,)
    changed : int
        The 0-based index of the layer the sliders change.
    figsize : (float, float), optional
    """

    kind_colours = False  # shades of cyan for the counts
    legend_follows = False
    #: The legend: a cell's count is the number of paths from the input to it (kernel copies, layer after layer).
    shade_labels = ("no path from the input", "half the map's most paths", "the map's most paths")
    panel_names = {"map": "the overlap map"}

    def __init__(self, sizes, counts, changed=0, figsize=None):
        super().__init__(figsize, ("map",), heading=("",))
        shades = count_colors(np.array([0, 1, 2]), top=2)
        self.legend = _ShadeLegend(self.figure, shades, self.shade_labels)
        self.update(sizes, counts, changed)

    def update(self, sizes, counts, changed=0):
        self.sizes, self.counts, self.changed = [tuple(s) for s in sizes], np.asarray(counts, float), changed
        texts = ["×".join(map(str, s)) for s in self.sizes]
        texts[changed + 1] = f"[{texts[changed + 1]}]"
        self.heading = (f"sizes through the stack: {' → '.join(texts)}",)
        window, start = map_window(self.counts)
        where = "×".join(map(str, window.shape[-self.counts.ndim :]))
        whole = "×".join(map(str, self.counts.shape))
        corner = ", ".join(map(str, start))
        title = f"overlap map of the stack, ones pushed through:\nits middle {where} of {whole}, from cell {corner}"
        self.show_panels({"map": (count_colors(window), window, title)})
        return self.figure

    def _describe(self):
        return f"sizes={self.sizes}, changed={self.changed}"
