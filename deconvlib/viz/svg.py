"""A course figure as SVG: what an explorer sends to the browser on every slider move.

There is one figure, the :class:`~deconvlib.viz.drawing.PanelFigure` (its
layout, its artists, its colours): :func:`figure_svg` writes what those
artists draw as SVG instead of rendering them with Agg and encoding a PNG.
The same state gives the PNG of a static export or a GIF frame, so the two
cannot drift apart; an artist this module does not know is refused
(``TypeError``), never silently left out.

Why SVG on the slider path: in the JupyterLite site (Python compiled to
WebAssembly) the Agg render and the PNG encoding were more than half of a
slider move (26 of 45 ms per move in Pyodide, profiled in
``benchmarks/README.md``); writing the SVG is string work. It is crisp at any
zoom on a projector, and its text is real text (selectable, readable by
screen readers): cell values, titles and the legend are ``<text>``, in the
font the PNG uses (DejaVu Sans, the widest common sans-serif, so a fallback
font never makes a label wider than its room).

Grids are drawn as one path per colour plus one path of cell borders; a grid
with many colours (a photo) is one embedded PNG of one pixel per cell,
scaled without smoothing. The cells' second cues come from the same artists:
a hatch is a ``<pattern>`` defined once per figure (the smallest tile that
repeats matplotlib's hatch), a dashed outline a ``stroke-dasharray``.
"""

import base64
import functools
import io
from html import escape

import numpy as np
from matplotlib import hatch as mhatch
from matplotlib import rcParams
from matplotlib.collections import LineCollection, PathCollection, QuadMesh
from matplotlib.colors import to_hex, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Annotation, Text
from PIL import Image

__all__ = ["FONT_FAMILY", "figure_svg", "png_of_cells"]

#: The font of every text: the one matplotlib draws the PNGs with, then the usual fallbacks.
FONT_FAMILY = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, sans-serif"

#: A grid with more distinct colours than this is drawn as one image (one pixel per cell).
MAX_PATH_COLOURS = 48


@functools.lru_cache(maxsize=8192)  # a grid's cells share their columns' and rows' coordinates
def _n(value):
    """A coordinate with at most two decimals and no trailing zeros (small SVG, exact enough at 2× zoom)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _colour(rgba):
    """``(fill, opacity)`` for an RGBA tuple or a colour name; opacity ``None`` when opaque."""
    r, g, b, a = to_rgba(rgba)
    return to_hex((r, g, b)), (None if a >= 1 else round(a, 3))


def _paint(kind, rgba):
    """`` fill="#…"`` (or ``stroke``) with its opacity, or ``none`` for a transparent colour."""
    hexa, alpha = _colour(rgba)
    if alpha == 0:
        return f' {kind}="none"'
    return f' {kind}="{hexa}"' + ("" if alpha is None else f' {kind}-opacity="{alpha}"')


def png_of_cells(rgb):
    """PNG bytes of an ``(h, w, 3)`` float RGB array in 0…1: one pixel per cell.

    >>> png_of_cells(np.ones((1, 2, 3)))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    pixels = np.clip(np.round(np.asarray(rgb, dtype=float)[..., :3] * 255), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels), "RGB").save(buffer, format="png")
    return buffer.getvalue()


class _Writer:
    """Converts matplotlib's coordinates to CSS px (origin top-left) and collects the SVG elements."""

    def __init__(self, figure, css_dpi):
        self.figure = figure
        self.px = css_dpi  # CSS px per inch
        self.per_display = css_dpi / figure.dpi  # CSS px per matplotlib display pixel
        self.height = figure.get_size_inches()[1] * css_dpi
        self.parts = []
        self.patterns = {}  # (hatch, ink, width) → (id, <pattern>)

    def pattern(self, hatch, ink, width):
        """The id of the ``<pattern>`` of matplotlib's ``hatch`` in ``ink``, lines ``width`` points (defined once)."""
        key = (hatch, to_hex(ink), float(width))
        if key not in self.patterns:
            pid = f"hatch{len(self.patterns)}"
            self.patterns[key] = (pid, _pattern(pid, hatch, ink, self.points(width), self.px, self.height))
        return self.patterns[key][0]

    def defs(self):
        return "<defs>" + "".join(p for _, p in self.patterns.values()) + "</defs>" if self.patterns else ""

    def from_display(self, points):
        """Display pixels (matplotlib's, origin bottom-left) → CSS px (origin top-left), an ``(n, 2)`` array."""
        points = np.asarray(points, dtype=float).reshape(-1, 2) * self.per_display
        points[:, 1] = self.height - points[:, 1]
        return points

    def from_inches(self, points):
        """Figure inches (origin bottom-left) → CSS px (origin top-left)."""
        points = np.asarray(points, dtype=float).reshape(-1, 2) * self.px
        points[:, 1] = self.height - points[:, 1]
        return points

    def points(self, size):
        """A length in points (line widths, font sizes) in CSS px."""
        return size * self.px / 72

    def text(self, strings, xy, size, colour, anchor="middle", baseline=0.0):
        """One ``<text>`` per string at CSS ``xy`` (``baseline``: px added to y), ``size`` in points."""
        if not strings:
            return
        attrs = f' font-size="{_n(self.points(size))}"{_paint("fill", colour)}'
        if anchor != "middle":
            attrs += f' text-anchor="{anchor}"'
        items = "".join(
            f'<text x="{_n(x)}" y="{_n(y + baseline)}">{escape(s)}</text>' for s, (x, y) in zip(strings, xy) if s
        )
        self.parts.append(
            f'<g text-anchor="middle"{attrs}>{items}</g>' if anchor == "middle" else f"<g{attrs}>{items}</g>"
        )


def _tile(centres):
    """The most tiles per inch ``m`` at which dots at ``centres`` (inches, in the unit square) repeat every ``1/m``."""
    whole = {tuple(c) for c in np.round(np.mod(centres, 1.0) * 1e3).astype(int) % 1000}
    for m in range(24, 1, -1):
        folded = {tuple(c) for c in np.round(np.mod(centres, 1.0 / m) * m * 1e3).astype(int) % 1000}
        if len(folded) * m * m == len(whole):
            return m, np.array(sorted(folded)) / 1e3 / m
    return 1, np.array(sorted(whole)) / 1e3


@functools.lru_cache(maxsize=32)  # a slider move writes the same few hatches again
def _hatch_tile(hatch, px):
    """``(size, [(d, filled)])``: matplotlib's ``hatch`` as SVG paths in a square tile ``size`` CSS px wide.

    The 1-inch tile (``px`` CSS px) Agg draws; lines are drawn as they are,
    dots (closed round shapes) as circles in the smallest square tile that
    repeats them, so a dotted hatch costs a few circles.
    """
    shapes = mhatch.get_path(hatch, 6).to_polygons(closed_only=False)
    closed = [len(s) > 2 and abs(s[0] - s[-1]).max() < 1e-9 for s in shapes]
    lines = [s for s, c in zip(shapes, closed) if not c]
    dots = [s for s, c in zip(shapes, closed) if c]
    size, paths = px, []
    if dots:
        centres = np.array([d.mean(axis=0) for d in dots])
        radius = float(np.mean([np.hypot(*(d - d.mean(axis=0)).T).mean() for d in dots])) * px
        m, folded = _tile(centres)
        size, r, across = px / m, _n(radius), _n(2 * radius)
        arcs = f"a{r} {r} 0 1 0 {across} 0a{r} {r} 0 1 0 -{across} 0z"  # a circle, from its leftmost point
        circles = []
        for x, y in folded:  # each dot, and its copies across the tile's edges
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    cx, cy = (x * m + dx) * size, (1 - y * m - dy) * size
                    if -radius < cx < size + radius and -radius < cy < size + radius:
                        circles.append(f"M{_n(cx - radius)} {_n(cy)}{arcs}")
        paths.append(("".join(circles), True))
    if lines:
        paths.append(("".join(_path_d([(x * px, (1 - y) * px) for x, y in line]) for line in lines), False))
    return size, paths


def _pattern(pid, hatch, ink, width, px, height):
    """A ``<pattern>`` of matplotlib's ``hatch`` in ``ink`` (lines ``width`` CSS px), aligned on the figure's bottom."""
    size, paths = _hatch_tile(hatch, px)
    stroke = f'{_paint("stroke", ink)} stroke-width="{_n(width)}"'
    fills = {True: _paint("fill", ink), False: ' fill="none"'}  # dots are filled, lines only stroked
    body = "".join(f'<path d="{d}"{fills[filled]}{stroke}/>' for d, filled in paths)
    return (
        f'<pattern id="{pid}" patternUnits="userSpaceOnUse" x="0" y="{_n(height % size)}" width="{_n(size)}"'
        f' height="{_n(size)}">{body}</pattern>'
    )


def _hatch_of(collection):
    """``(hatch, ink, width)`` of a hatched collection (the ink is the edge colour in matplotlib 3.8)."""
    inks = collection.get_hatchcolor() if hasattr(collection, "get_hatchcolor") else collection.get_edgecolor()
    width = (
        collection.get_hatch_linewidth() if hasattr(collection, "get_hatch_linewidth") else rcParams["hatch.linewidth"]
    )
    return collection.get_hatch(), np.atleast_2d(inks)[0], width


def _dashes(w, linestyle):
    """`` stroke-dasharray="…"`` for a matplotlib ``(offset, dashes)`` in points (already scaled by the width)."""
    offset, dashes = linestyle if linestyle is not None else (0, None)
    if not dashes:
        return ""
    text = " ".join(_n(w.points(v)) for v in dashes)
    return f' stroke-dasharray="{text}"' + (f' stroke-dashoffset="{_n(w.points(offset))}"' if offset else "")


def _grid(w, mesh, ax):
    """A ``QuadMesh`` of a :class:`~deconvlib.viz.drawing.Grid`: cells by colour (or one image), then borders."""
    coords = mesh.get_coordinates()  # (h + 1, w + 1, 2), data coordinates
    transform = mesh.get_transform()
    xs = w.from_display(
        transform.transform(np.column_stack([coords[0, :, 0], np.full(coords.shape[1], coords[0, 0, 1])]))
    )[:, 0]
    ys = w.from_display(
        transform.transform(np.column_stack([np.full(coords.shape[0], coords[0, 0, 0]), coords[:, 0, 1]]))
    )[:, 1]
    colours = np.ma.getdata(mesh.get_array())
    h, wd = coords.shape[0] - 1, coords.shape[1] - 1
    colours = np.asarray(colours, dtype=float).reshape(h, wd, -1)[..., :3]
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    keys = np.round(colours * 255).astype(np.int64) @ np.array([65536, 256, 1])
    unique, index = np.unique(keys, return_inverse=True)
    index = index.reshape(h, wd)
    if len(unique) > MAX_PATH_COLOURS:
        rows = colours if ys[0] < ys[-1] else colours[::-1]
        cols = rows if xs[0] < xs[-1] else rows[:, ::-1]
        data = base64.b64encode(png_of_cells(cols)).decode("ascii")
        w.parts.append(
            f'<image x="{_n(x0)}" y="{_n(y0)}" width="{_n(x1 - x0)}" height="{_n(y1 - y0)}"'
            f' preserveAspectRatio="none" image-rendering="optimizeSpeed" style="image-rendering:pixelated"'
            f' href="data:image/png;base64,{data}"/>'
        )
    else:  # one path per colour, each row's run of same-coloured cells one rectangle (edges formatted once)
        fx, fy = [_n(x) for x in xs], [_n(y) for y in ys]
        runs = {}
        for i in range(h):
            row = index[i]
            starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
            ends = np.r_[starts[1:], wd]
            for j0, j1 in zip(starts, ends):
                runs.setdefault(row[j0], []).append(f"M{fx[j0]} {fy[i]}H{fx[j1]}V{fy[i + 1]}H{fx[j0]}z")
        for k, parts in sorted(runs.items()):
            w.parts.append(f'<path d="{"".join(parts)}" fill="#{int(unique[k]):06x}"/>')
    width = mesh.get_linewidth()
    edge = mesh.get_edgecolor()
    if len(width) and width[0] > 0 and len(edge):
        top, bottom, left, right = _n(y0), _n(y1), _n(x0), _n(x1)
        lines = "".join(f"M{_n(x)} {top}V{bottom}" for x in xs) + "".join(f"M{left} {_n(y)}H{right}" for y in ys)
        w.parts.append(
            f'<path d="{lines}" fill="none"{_paint("stroke", edge[0])} stroke-width="{_n(w.points(width[0]))}"'
            ' stroke-linecap="square"/>'
        )


def _path_d(vertices, codes=None, closed=False):
    """An SVG path ``d`` for CSS-px ``vertices`` (matplotlib path codes: MOVETO 1, LINETO 2, CLOSEPOLY 79)."""
    parts = []
    for k, (x, y) in enumerate(vertices):
        code = 2 if codes is None else codes[k]
        if code == 79:
            parts.append("z")
        else:
            parts.append(("M" if k == 0 or code == 1 else "L") + f"{_n(x)} {_n(y)}")
    if closed and (not parts or parts[-1] != "z"):
        parts.append("z")
    return "".join(parts)


def _cycled(values, k):
    return values[k % len(values)] if len(values) else None


def _path_collection(w, collection):
    """Any other ``PathCollection`` (legend swatches): each path at each offset, with its colours."""
    paths, offsets = collection.get_paths(), collection.get_offsets()
    if not len(paths) or not len(offsets):
        return
    master = collection.get_transform()
    placed = collection.get_offset_transform().transform(offsets)
    faces, edges, widths = collection.get_facecolor(), collection.get_edgecolor(), collection.get_linewidth()
    styles = collection.get_linestyle()
    hatch = None if not collection.get_hatch() else w.pattern(*_hatch_of(collection))
    for k, offset in enumerate(placed):
        path = paths[k % len(paths)]
        if len(path.vertices) < 2:
            continue
        vertices = w.from_display(master.transform(path.vertices) + offset)
        face, edge, width = _cycled(faces, k), _cycled(edges, k), _cycled(widths, k)
        d = _path_d(vertices, path.codes)
        style = _paint("fill", face) if face is not None else ' fill="none"'
        if edge is not None and width:
            style += _paint("stroke", edge) + f' stroke-width="{_n(w.points(width))}"' + _dashes(w, _cycled(styles, k))
        if hatch is None or ' fill="none"' not in style or 'stroke="' in style:
            w.parts.append(f'<path d="{d}"{style}/>')
        if hatch is not None:
            w.parts.append(f'<path d="{d}" fill="url(#{hatch})"/>')


def _line_collection(w, collection):
    segments = collection.get_segments()
    if not segments:
        return
    transform = collection.get_transform()
    colours, widths, styles = collection.get_color(), collection.get_linewidth(), collection.get_linestyle()
    points = w.from_display(transform.transform(np.concatenate(segments)))  # every segment at once
    ends = np.cumsum([len(segment) for segment in segments])[:-1]
    one_style = max(len(colours), len(widths), len(styles)) == 1
    by_style = {}
    for k, segment in enumerate(np.split(points, ends)):
        if k == 0 or not one_style:
            key = (to_hex(_cycled(colours, k)), float(_cycled(widths, k)), _dashes(w, _cycled(styles, k)))
        by_style.setdefault(key, []).append(_path_d(segment))
    for (colour, width, dashes), ds in by_style.items():
        w.parts.append(
            f'<path d="{"".join(ds)}" fill="none" stroke="{colour}" stroke-width="{_n(w.points(width))}"'
            f' stroke-linejoin="round"{dashes}/>'
        )


def _patch(w, patch):
    vertices = w.from_display(patch.get_transform().transform(patch.get_path().vertices))
    style = _paint("fill", patch.get_facecolor()) if patch.get_fill() else ' fill="none"'
    if patch.get_linewidth():
        style += _paint("stroke", patch.get_edgecolor()) + f' stroke-width="{_n(w.points(patch.get_linewidth()))}"'
        style += _dashes(w, getattr(patch, "_dash_pattern", None))  # the dashes Agg draws (no public getter)
    w.parts.append(f'<path d="{_path_d(vertices, patch.get_path().codes, closed=True)}"{style}/>')


def _text_artist(w, text):
    """A matplotlib ``Text`` (an annotation's arrow too): position, alignment, size, colour, lines."""
    if isinstance(text, Annotation):
        _arrow(w, text)
    if not text.get_text():
        return
    x, y = w.from_display(text.get_transform().transform(text.get_unitless_position()))[0]
    size = w.points(text.get_fontsize())
    lines = text.get_text().split("\n")
    step = 1.2 * size
    va = text.get_verticalalignment()
    first = {"top": 0.8 * size, "center": 0.35 * size - step * (len(lines) - 1) / 2, "center_baseline": 0.0}
    baseline = first.get(va, -step * (len(lines) - 1))  # "bottom" and "baseline": the last line's baseline at y
    anchor = {"left": "start", "right": "end"}.get(text.get_horizontalalignment(), "middle")
    w.text(
        lines, [(x, y + k * step) for k in range(len(lines))], text.get_fontsize(), text.get_color(), anchor, baseline
    )


def _arrow(w, annotation):
    """An annotation's ``"->"`` arrow, from its text position to the point, shortened 2 pt at each end."""
    if annotation.arrow_patch is None or not annotation.arrow_patch.get_visible():
        return
    transform = annotation.axes.transData if annotation.axes is not None else annotation.figure.transFigure
    (x0, y0), (x1, y1) = w.from_display(transform.transform([annotation.xyann, annotation.xy]))
    length = np.hypot(x1 - x0, y1 - y0)
    if length < 1e-6:
        return
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    shrink = w.points(2)
    x0, y0, x1, y1 = x0 + ux * shrink, y0 + uy * shrink, x1 - ux * shrink, y1 - uy * shrink
    head, half = w.points(4), w.points(2)
    wings = [
        (x1 - ux * head - uy * half, y1 - uy * head + ux * half),
        (x1 - ux * head + uy * half, y1 - uy * head - ux * half),
    ]
    colour = annotation.arrow_patch.get_edgecolor()
    d = _path_d([(x0, y0), (x1, y1)]) + _path_d([wings[0], (x1, y1), wings[1]])
    w.parts.append(f'<path d="{d}" fill="none"{_paint("stroke", colour)} stroke-width="{_n(w.points(1))}"/>')


def _line2d(w, line):
    if line.get_marker() not in (None, "None", "none", "") or line.get_linestyle() in ("None", "none", ""):
        raise TypeError("figure_svg draws plain lines only (no markers)")
    vertices = w.from_display(line.get_transform().transform(line.get_xydata()))
    w.parts.append(
        f'<path d="{_path_d(vertices)}" fill="none"{_paint("stroke", line.get_color())}'
        f' stroke-width="{_n(w.points(line.get_linewidth()))}"/>'
    )


def _text_blocks(panel_figure):
    """``{id(collection): (block, kind)}``: the glyph-outline texts of a figure, written as ``<text>``."""
    blocks = {
        id(panel_figure.titles.collection): (panel_figure.titles, "title"),
        id(panel_figure.note.collection): (panel_figure.note, "note"),
    }
    if panel_figure.legend is not None:
        blocks[id(panel_figure.legend.labels.collection)] = (panel_figure.legend.labels, "legend")
    if panel_figure.heading_text is not None:
        blocks[id(panel_figure.heading_text.collection)] = (panel_figure.heading_text, "heading")
    for block in getattr(panel_figure, "extra_texts", ()):
        blocks[id(block.collection)] = (block, "text")
    return blocks


def figure_svg(panel_figure, title=None):
    """The SVG of ``panel_figure`` (a :class:`~deconvlib.viz.drawing.PanelFigure`) at its display size.

    Width and height are the CSS px at which the PNG would be shown
    (:meth:`~deconvlib.viz.drawing.PanelFigure.display_size`); ``title`` (plain
    text), if given, is the image's accessible name.

    >>> import deconvlib as dl
    >>> from deconvlib.viz.drawing import TraceFigure
    >>> svg = figure_svg(TraceFigure(dl.trace(np.ones((2, 2)), np.ones((3, 3)), stride=2), step=0))
    >>> svg.startswith("<svg") and ">output 5×5</text>" in svg
    True
    """
    figure = panel_figure.figure
    width, height = panel_figure.display_size()
    w = _Writer(figure, panel_figure.display_dpi())
    blocks = _text_blocks(panel_figure)
    values = {}
    for grid in panel_figure.grids.values() if isinstance(panel_figure.grids, dict) else panel_figure.grids:
        values[id(grid.labels.collection)] = grid.labels
    w.parts.append(f'<rect width="{width}" height="{height}"{_paint("fill", figure.get_facecolor())}/>')
    drawn = [(a.get_zorder(), k, a) for k, a in enumerate(figure.get_children()) if a is not figure.patch]
    for _, _, artist in sorted(drawn, key=lambda item: item[:2]):
        if not artist.get_visible():
            continue
        if artist in figure.axes:
            children = [(a.get_zorder(), k, a) for k, a in enumerate(artist.get_children())]
            if artist.axison or artist.title.get_visible() and artist.get_title():
                raise TypeError("figure_svg draws axes without axis lines, ticks or titles (set_axis_off)")
            for _, _, child in sorted(children, key=lambda item: item[:2]):
                if child.get_visible():
                    _artist(w, child, artist, blocks, values)
        else:
            _artist(w, artist, None, blocks, values)
    label = "" if title is None else f"<title>{escape(title)}</title>"
    role = ' role="img"' + (f' aria-label="{escape(title, quote=True)}"' if title else "")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f'{role} font-family="{FONT_FAMILY}">{label}{w.defs()}{"".join(w.parts)}</svg>'
    )


#: What an axes holds that is never drawn once its axis is off (spines, axis lines, the title texts).
_SILENT = ("Spine", "XAxis", "YAxis")


def _artist(w, artist, ax, blocks, values):
    if id(artist) in blocks:
        block, _ = blocks[id(artist)]
        offsets = w.from_inches(artist.get_offsets())
        w.text(
            block.strings, offsets, block.size, artist.get_facecolor()[0] if len(artist.get_facecolor()) else "#222222"
        )
    elif id(artist) in values:
        labels = values[id(artist)]
        if labels.texts:
            xy = w.from_display(ax.transData.transform(artist.get_offsets()))
            lift = w.points(labels.lift)
            faces = np.asarray(artist.get_facecolor()).reshape(-1, 4)
            inks, which = np.unique(faces[np.arange(len(labels.texts)) % len(faces)], axis=0, return_inverse=True)
            for k, ink in enumerate(inks):  # one <g> per ink: dark text on light cells, white on dark ones
                picked = np.flatnonzero(which.ravel() == k)
                w.text([labels.texts[i] for i in picked], xy[picked], labels.size, ink, baseline=lift)
    elif isinstance(artist, QuadMesh):
        _grid(w, artist, ax)
    elif isinstance(artist, LineCollection):
        _line_collection(w, artist)
    elif isinstance(artist, PathCollection):
        _path_collection(w, artist)
    elif isinstance(artist, Patch):
        if ax is None or artist is not ax.patch:
            _patch(w, artist)
    elif isinstance(artist, Text):
        if ax is None or artist not in (ax.title, ax._left_title, ax._right_title):
            _text_artist(w, artist)
    elif isinstance(artist, Line2D):
        _line2d(w, artist)
    elif type(artist).__name__ not in _SILENT:
        raise TypeError(f"figure_svg cannot draw a {type(artist).__name__}: add it to deconvlib/viz/svg.py")
