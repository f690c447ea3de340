"""Figures everyone can read: colours apart under colour-blindness, a second cue that is not colour,
value text with contrast (issue 23).

Colour differences are CAM02-UCS ΔE (colorspacious, the simulation of Machado et al. 2009 at
full severity) between the kinds' colours as seen with protanopia, deuteranopia and tritanopia,
and with normal vision. The pairs checked are the pairs of kinds that one figure can draw (its
legend's kinds). The cues are checked where they are drawn: the matplotlib artists (PNG, GIF)
and the SVG an explorer shows.
"""

import io
import itertools
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from colorspacious import cspace_convert  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import to_hex, to_rgb  # noqa: E402
from PIL import Image  # noqa: E402

import deconvlib as dl  # noqa: E402
from deconvlib.trace import scatter_trace  # noqa: E402
from deconvlib.viz.animation import animate, save  # noqa: E402
from deconvlib.viz.course_figures import MatrixFigure, ScatterFigure  # noqa: E402
from deconvlib.viz.drawing import (  # noqa: E402
    COLORS,
    CUES,
    HATCHES,
    MIN_DELTA_E,
    MIN_DELTA_E_CUED,
    OUTLINES,
    PANELS,
    TraceFigure,
    contrast_ratio,
    course_palette,
    legend_handles,
    text_color,
)

SIMULATIONS = {
    "normal vision": None,
    "protanopia": "protanomaly",
    "deuteranopia": "deuteranomaly",
    "tritanopia": "tritanomaly",
}
#: The kinds that carry a lesson, each of which needs a cue that is not colour.
LESSON_KINDS = ("zero", "pad", "cropped", "window", "current")
#: main's palette before issue 23, to show that the check catches what the issue measured.
OLD_COLORS = {
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

X = np.arange(1.0, 10.0).reshape(3, 3)
W = (np.arange(1, 10) % 7).reshape(3, 3).astype(float)


def every_panel(step=7):
    """A transposed convolution with padding at ``step``: every kind of cell in one figure."""
    return TraceFigure(dl.trace(X, W, stride=2, padding=1), step=step, panels=tuple(PANELS))


def figures():
    """The figures that draw cell kinds, each with every kind it may draw in its legend."""
    scatter = ScatterFigure(scatter_trace(np.ones((2, 2)), W, stride=2, padding=1), upto=1)
    return [every_panel(), scatter, MatrixFigure(dl.convolution_matrix((2, 2), W), pixel=1)]


def sharing_pairs():
    """Every pair of kinds that one figure can show together."""
    pairs = set()
    for figure in figures():
        kinds = [k for k in figure.legend.all_kinds if k in COLORS]
        pairs.update(tuple(sorted(pair)) for pair in itertools.combinations(kinds, 2))
    return sorted(pairs)


def delta_e(colors, simulation):
    """``{(a, b): ΔE}`` of every two kinds of ``colors`` in CAM02-UCS, as seen under ``simulation``."""
    kinds = list(colors)
    rgb = np.array([to_rgb(colors[k]) for k in kinds])
    if simulation is not None:
        cvd = {"name": "sRGB1+CVD", "cvd_type": simulation, "severity": 100}
        rgb = np.clip(cspace_convert(rgb, cvd, "sRGB1"), 0, 1)
    ucs = dict(zip(kinds, cspace_convert(rgb, "sRGB1", "CAM02-UCS")))
    return {(a, b): float(np.linalg.norm(ucs[a] - ucs[b])) for a, b in itertools.combinations(sorted(kinds), 2)}


def has_cue(kind):
    return kind in HATCHES or kind in OUTLINES


def too_close(colors, pairs):
    """The pairs closer than the threshold (:data:`MIN_DELTA_E`, or :data:`MIN_DELTA_E_CUED` with a cue)."""
    close = []
    for name, simulation in SIMULATIONS.items():
        distances = delta_e(colors, simulation)
        for a, b in pairs:
            needed = MIN_DELTA_E_CUED if has_cue(a) or has_cue(b) else MIN_DELTA_E
            if distances[a, b] < needed:
                close.append((name, a, b, round(distances[a, b], 1)))
    return close


def test_every_kind_that_shares_a_figure_is_told_apart_under_colour_blindness():
    pairs = sharing_pairs()
    assert ("cropped", "output") in pairs and ("empty", "zero") in pairs and len(pairs) >= 40
    assert too_close(COLORS, pairs) == []
    for name, simulation in SIMULATIONS.items():  # the lesson of padding-as-crop rests on colour alone too
        assert delta_e(COLORS, simulation)["cropped", "output"] >= MIN_DELTA_E, name


def test_the_check_finds_what_the_issue_measured_in_the_old_palette():
    close = too_close(OLD_COLORS, sharing_pairs())
    assert ("protanopia", "cropped", "output", 2.0) in close
    assert min(d for *_, d in close) <= 2.0


def test_thresholds_are_the_justified_ones():
    assert MIN_DELTA_E >= 15 and 10 <= MIN_DELTA_E_CUED < MIN_DELTA_E
    assert set(LESSON_KINDS) <= set(HATCHES) | set(OUTLINES)
    assert set(CUES) == set(LESSON_KINDS)  # and each is named in words


def test_values_keep_a_wcag_contrast_of_4_5_on_every_fill():
    for kind, fill in COLORS.items():
        if kind != "window":  # an outline, never a fill with text
            assert contrast_ratio(text_color(fill), fill) >= 4.5, kind
    figure = TraceFigure(dl.trace(X, W, stride=2, padding=1), step=7)
    values = figure.grids["output"].labels
    kinds = figure.grids["output"].kinds.ravel()
    inks = [to_hex(c) for c in values.collection.get_facecolor()]
    assert [ink for ink, kind in zip(inks, kinds) if kind == "current"] == ["#ffffff"]
    assert {ink for ink, kind in zip(inks, kinds) if kind == "output"} == {"#222222"}
    assert 'fill="#ffffff"><text' in figure.to_svg() or re.search(r'fill="#ffffff"[^>]*><text', figure.to_svg())


def cell_centres(grid, kind):
    return [tuple(float(v) for v in cell[::-1]) for cell in np.argwhere(grid.kinds == kind)]


def squares_around(collection):
    """``(x, y)`` centre of each square a ``LineCollection`` draws."""
    centres = [np.round(np.asarray(s)[:4].mean(axis=0), 6) for s in collection.get_segments()]
    return sorted(tuple(float(v) for v in c) for c in centres)


def test_each_lesson_kind_has_a_non_colour_cue_in_the_drawn_figure():
    figure = every_panel()
    padded, output, full = figure.grids["padded"], figure.grids["output"], figure.grids["full"]
    border = padded.mesh.get_linewidth()[0]
    for kind in ("zero", "pad"):  # hatched exactly over the cells of that kind
        hatch = padded.cues.hatches[kind]
        assert hatch.get_visible() and hatch.get_hatch() == HATCHES[kind][0]
        path = hatch.get_paths()[0]
        h, w = padded.shape
        centres = np.array([(x, y) for y in range(h) for x in range(w)], dtype=float)
        inside = path.contains_points(centres).reshape(h, w)
        assert np.array_equal(inside, padded.kinds == kind), kind
    dashed = full.cues.outlines["cropped"]
    assert dashed.get_linestyle()[0][1], "the cropped cells' outline is dashed"
    assert squares_around(dashed) == sorted(cell_centres(full, "cropped"))
    bold = output.cues.outlines["current"]
    assert bold.get_linewidth()[0] >= 3 * border and squares_around(bold) == cell_centres(output, "current")
    window = figure.window.lines
    assert window.get_linewidth()[0] >= 3 * border and len(window.get_segments()) == 9
    # nothing else is cued: the kinds without a lesson keep their plain colour
    assert figure.grids["input"].cues.kinds() == [] and output.cues.kinds() == ["current"]
    # the legend shows the cue next to the colour
    legend = figure.legend
    styles = dict(zip(legend.kinds, zip(legend.swatches.get_linestyle(), legend.swatches.get_linewidth())))
    assert styles["cropped"][0][1] and styles["current"][1] > 1.5 and styles["window"][1] > 1.5
    for kind in HATCHES:
        assert legend.hatches[kind].get_hatch() == HATCHES[kind][0] and len(legend.hatches[kind].get_offsets()) == 1
    assert legend_handles(("zero",))[0].get_hatch() == HATCHES["zero"][0]


def test_the_explorers_svg_draws_the_same_cues():
    figure = every_panel()
    svg = figure.to_svg()
    patterns = re.findall(r'<pattern id="(\w+)"', svg)
    assert len(patterns) == len(HATCHES)  # defined once, used by every grid and the legend
    for pid in patterns:
        assert svg.count(f'fill="url(#{pid})"') >= 2  # a grid's cells and the legend's swatch
    assert "stroke-dasharray" in svg
    border = float(re.search(r'stroke="#8a8a8a" stroke-width="([\d.]+)" stroke-linecap', svg).group(1))
    thick = {}
    for colour, width in re.findall(r'stroke="(#\w+)" stroke-width="([\d.]+)"', svg):
        thick[colour] = max(thick.get(colour, 0.0), float(width))
    assert thick[OUTLINES["current"][2]] >= 3 * border and thick[COLORS["window"]] >= 3 * border
    before = svg.count("<path")
    figure.update(figure.trace, 8)  # another step: the cues move, nothing is left behind
    assert abs(figure.to_svg().count("<path") - before) <= 2


def cell_pixels(image, figure, panel, cell, scale, half=0.42):
    """The pixels of ``cell`` (row, col) of ``panel`` (``half`` a cell around its centre) in ``image``,
    rendered at ``scale`` × the figure's dpi."""
    row, col = cell
    ax = figure.axes[panel]
    (x0, y0), (x1, y1) = ax.transData.transform([(col - half, row + half), (col + half, row - half)]) * scale
    height = image.shape[0]
    return image[int(height - y1) : int(height - y0), int(x0) : int(x1)].reshape(-1, 3)


def inks_present(pixels, ink, tolerance=40):
    """How many of ``pixels`` are ``ink`` (0…255 RGB), within ``tolerance`` on each channel."""
    return int(np.sum(np.all(np.abs(pixels.astype(int) - np.array(to_rgb(ink)) * 255) <= tolerance, axis=1)))


def test_the_quantised_png_keeps_the_hatching_and_the_dashes():
    figure = every_panel()
    image = np.asarray(Image.open(io.BytesIO(figure.to_png())).convert("RGB"))
    scale = image.shape[1] / (figure.figure.get_size_inches()[0] * figure.figure.dpi)
    padded, full = figure.grids["padded"], figure.grids["full"]
    pad = tuple(np.argwhere(padded.kinds == "pad")[0])
    zero = tuple(np.argwhere(padded.kinds == "zero")[0])
    cropped = tuple(np.argwhere(full.kinds == "cropped")[0])
    assert inks_present(cell_pixels(image, figure, "padded", pad, scale), HATCHES["pad"][1]) > 10
    assert inks_present(cell_pixels(image, figure, "padded", zero, scale), HATCHES["zero"][1]) > 5
    assert inks_present(cell_pixels(image, figure, "full", cropped, scale), OUTLINES["cropped"][2]) > 5
    entries = np.array(course_palette().getpalette()[: 3 * 256]).reshape(-1, 3)
    for ink in [*COLORS.values(), *(i for _, i in HATCHES.values()), *(o[2] for o in OUTLINES.values())]:
        assert (entries == np.round(np.array(to_rgb(ink)) * 255)).all(axis=1).any(), ink


@pytest.mark.parametrize("plain", [False, True])
def test_the_gifs_show_the_cues(tmp_path, plain):
    anim = animate(True, 2, 3, stride=2, padding=0, plain=plain)
    path = save(anim, tmp_path / "sweep.gif")
    view = anim.view
    with Image.open(path) as gif:
        gif.seek(anim.frame_count - 1)
        image = np.asarray(gif.convert("RGB"))
    scale = image.shape[1] / (view.figure.get_size_inches()[0] * view.figure.dpi)
    padded = view.grids["padded"]
    pad = tuple(np.argwhere(padded.kinds == "pad")[0])
    zero = tuple(np.argwhere(padded.kinds == "zero")[0])
    assert inks_present(cell_pixels(image, view, "padded", pad, scale), HATCHES["pad"][1]) > 3
    assert inks_present(cell_pixels(image, view, "padded", zero, scale), HATCHES["zero"][1]) > 1
    current = tuple(np.argwhere(view.grids["output"].kinds == "current")[0])
    inside = cell_pixels(image, view, "output", current, scale, half=0.3)
    around = cell_pixels(image, view, "output", current, scale, half=0.6)
    assert inks_present(inside, COLORS["current"]) > 0.9 * len(inside)
    assert inks_present(around, OUTLINES["current"][2], tolerance=24) > 4 * (around.shape[0] ** 0.5)  # the thick border
    border = view.grids["output"].cues.outlines["current"]
    assert isinstance(border, LineCollection) and border.get_visible()


def test_a_dashed_patch_is_dashed_in_the_svg_too():
    """The scatter view's output window is a dashed rectangle (its title says so): in the SVG as in the PNG."""
    figure = ScatterFigure(scatter_trace(np.ones((2, 2)), W, stride=2, padding=1), upto=1)
    assert figure.crop.get_linestyle() == "--"
    width = figure.crop.get_linewidth() * figure.display_dpi() / 72
    dashed = re.findall(r'stroke="#555555" stroke-width="([\d.]+)" stroke-dasharray', figure.to_svg())
    assert any(abs(float(w) - width) < 0.01 for w in dashed)
