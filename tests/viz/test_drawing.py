"""What the figures draw: cells of each kind, the kernel window, titles, printed values.

Agg backend, no widgets: the drawing functions are tested on their own.
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from deconvlib import trace  # noqa: E402
from deconvlib.explain import describe_pads, describe_step  # noqa: E402
from deconvlib.trace import trace_conv2d  # noqa: E402
from deconvlib.viz.drawing import (  # noqa: E402
    COLORS,
    PANELS,
    Grid,
    Outlines,
    PanelFigure,
    TraceFigure,
    Window,
    draw_trace,
    figure_png,
    kind_colors,
    layout_row,
    row_width,
)

X = np.arange(1.0, 10.0).reshape(3, 3)
W = (np.arange(1, 10) % 7).reshape(3, 3).astype(float)


def counts(grid):
    return {kind: grid.count(kind) for kind in COLORS if grid.count(kind)}


def test_default_figure_counts_cells_of_each_kind():
    tf = TraceFigure(trace(X, W, stride=2), step=None)
    assert tf.grids["input"].shape == (3, 3) and counts(tf.grids["input"]) == {"input": 9}
    # 3×3 dilated by 2 is 5×5 (9 pixels, 16 zeros), padded by k−1 = 2 → 9×9
    assert counts(tf.grids["padded"]) == {"input": 9, "zero": 16, "pad": 81 - 25}
    assert counts(tf.grids["kernel"]) == {"kernel": 9}
    assert counts(tf.grids["output"]) == {"output": 49}
    assert tf.window.cells() == [] or not tf.window.lines.get_visible()


def test_step_moves_the_window_and_fills_the_output():
    t = trace(X, W, stride=2)
    tf = TraceFigure(t, step=10)
    y, x = divmod(10, 7)
    assert tf.window.origin == (y, x)
    assert tf.window.cells()[0] == (y, x) and tf.window.cells()[-1] == (y + 2, x + 2)
    assert counts(tf.grids["output"]) == {"output": 10, "current": 1, "empty": 38}
    assert tf.grids["output"].cell_texts() == [str(int(v)) for v in t.output.ravel()[:11]]
    assert "step 11/49" in tf.axes["output"].get_title()
    tf.update(t, 0)
    assert tf.window.origin == (0, 0) and counts(tf.grids["output"])["empty"] == 48


def test_dilated_kernel_window_spreads_its_taps():
    t = trace(X, W, stride=1, dilation=2)
    tf = TraceFigure(t, step=0)
    assert tf.window.cells() == [(r, c) for r in (0, 2, 4) for c in (0, 2, 4)]
    assert "dilation" in tf.axes["kernel"].get_title()


def test_titles_say_the_stages_and_sizes():
    tf = TraceFigure(trace(X, W, stride=2, padding=1), step=None)
    titles = {name: ax.get_title() for name, ax in tf.axes.items()}
    assert titles["input"] == "input 3×3"
    assert "zeros inserted (stride 2)" in titles["padded"] and "padded by 1 → 7×7" in titles["padded"]
    assert "flipped 180°" in titles["kernel"]
    assert titles["output"].startswith("output 5×5")
    # the titles drawn are the titles set
    assert set(tf.titles.strings) == {line for t in titles.values() for line in t.split("\n")}


def test_every_panel_draws():
    t = trace(X, W, stride=2, padding=1, output_padding=1)
    tf = TraceFigure(t, step=5, panels=tuple(PANELS))
    assert counts(tf.grids["dilated"]) == {"input": 9, "zero": 16}
    assert tf.grids["products"].shape == (3, 3)
    assert "sum = " + str(int(t.step(5).value)) in tf.axes["products"].get_title()
    full = tf.grids["full"]
    assert full.shape == (7, 7) and counts(full) == {"output": 36, "cropped": 13}
    assert tf.legend.get_texts()[0] == "input pixel"
    assert figure_png(tf.figure)[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_figure_updates_in_place_when_the_grids_change_size():
    tf = TraceFigure(trace(X, W, stride=2), step=3)
    figure, artists = tf.figure, len(tf.figure.get_children())
    tf.update(trace(np.ones((5, 5)), np.ones((2, 2)), stride=3, padding=1), step=7)
    assert tf.figure is figure and len(tf.figure.get_children()) == artists
    assert tf.grids["padded"].shape == tf.trace.padded.shape


def test_values_hidden_when_they_do_not_fit():
    tf = TraceFigure(trace(np.ones((5, 5)), np.ones((5, 5)), stride=3, dilation=3), step=None)
    assert tf.grids["padded"].cell_texts() == []  # 37×37 cells: too small for numbers
    assert len(tf.grids["kernel"].cell_texts()) == 25 or tf.grids["kernel"].cell_texts() == []


def test_unknown_panel_is_a_value_error():
    with pytest.raises(ValueError, match="panels must be names"):
        TraceFigure(trace(X, W), panels=("input", "bogus"))


def test_grid_and_window_on_their_own():
    ax = Figure().subplots()
    grid = Grid(ax, np.array([["input", "pad"], ["zero", "pad"]]), np.array([[1.0, 0], [0, 0]]))
    assert grid.count("pad") == 2 and grid.cell_texts() == ["1", "0", "0", "0"]
    grid.update(kind_colors(np.full((3, 4), "output")), None)  # RGB works too, no values
    assert grid.shape == (3, 4) and grid.cell_texts() == [] and grid.count("output") == 0
    window = Window(ax, (2, 2), dilation=(1, 2), origin=(1, 0))
    assert window.cells() == [(1, 0), (1, 2), (2, 0), (2, 2)]
    outlines = Outlines(ax)
    outlines.set_cells([(0, 1)])
    assert outlines.cells() == [(0, 1)] and outlines.lines.get_visible()
    outlines.set_cells([])
    assert not outlines.lines.get_visible()


def test_a_forward_convolution_draws_with_its_kernel_unflipped():
    t = trace_conv2d(X, W, stride=2, padding=1)
    tf = TraceFigure(t, step=3, panels=("input", "padded", "kernel", "products", "output"))
    assert tf.grids["kernel"].cell_texts() == [str(int(v)) for v in W.ravel()]
    assert tf.axes["kernel"].get_title() == "kernel" and tf.axes["padded"].get_title() == "padded by 1 → 5×5"
    assert tf.window.origin == t.step(3).origin == (2, 2)
    assert counts(tf.grids["output"]) == {"output": 3, "current": 1}
    with pytest.raises(ValueError, match="forward convolution"):
        TraceFigure(t, panels=("input", "full"))


def test_one_layout_gives_each_panel_room_for_its_title_and_fits_the_figure():
    figure = Figure(figsize=(6, 3))
    axes = [figure.add_axes((0, 0, 0.1, 0.1)) for _ in range(3)]
    shapes, titles = [(2, 2), (8, 8), (1, 1)], [2.0, 0.0, 1.0]
    cell = layout_row(figure, axes, shapes, top=0.5, bottom=0.3, min_widths=titles) / 72
    boxes = [ax.get_position().bounds for ax in axes]
    # one square cell size; top-aligned; inside the figure
    for (x, y, w, h), (rows, cols) in zip(boxes, shapes):
        assert w * 6 == pytest.approx(cols * cell) and h * 3 == pytest.approx(rows * cell)
        assert (y + h) * 3 == pytest.approx(3 - 0.5) and x >= 0 and x + w <= 1
    # the row (slots at least as wide as the titles, gaps, margin) fills the width exactly: the largest cell
    slots = sum(max(cols * cell, t) for (_, cols), t in zip(shapes, titles))
    assert slots + 2 * 0.3 + 0.2 == pytest.approx(6)
    assert row_width(shapes, titles, max_width=6) == pytest.approx(6)
    # limited by the height instead, and the figure fitted to the grids
    assert layout_row(figure, axes, shapes, top=0.5, bottom=0.3, max_cell=0.2) == pytest.approx(0.2 * 72)
    layout_row(figure, axes, shapes, top=0.5, bottom=0.3, max_cell=0.1, fit_height=True)
    assert figure.get_size_inches()[1] == pytest.approx(0.5 + 8 * 0.1 + 0.3)


def test_figures_print_without_a_memory_address_and_show_as_png():
    tf = TraceFigure(trace(X, W), step=2)
    assert repr(tf).startswith("TraceFigure(panels=('input', 'padded', 'kernel', 'output'), step=2, Trace(input")
    assert " at 0x" not in repr(tf) and tf._repr_png_()[0].startswith(b"\x89PNG")
    assert tf.to_png(40) != tf.to_png()
    assert repr(PanelFigure((2, 2))) == "PanelFigure(panels=())"


def test_draw_trace_returns_a_figure():
    fig = draw_trace(trace(X, W), step=0)
    assert isinstance(fig, Figure) and len(fig.axes) == 4


def test_describe_helpers():
    assert describe_pads((2, 3, 2, 3)) == "padded by 2 (+1 bottom/right)"
    assert describe_pads((1, 2, 3, 4)).startswith("pads (top, bottom, left, right)")
    t = trace(X, W, stride=2)
    assert describe_step(t, 0) == f"out(0, 0) = 1·{int(W[0, 0])} = {int(t.output[0, 0])}"
    assert "every product has a zero factor" in describe_step(trace(X, np.zeros((2, 2))), 0)


@pytest.mark.parametrize("size, dpi", [((10, 2.8), 72), ((7.3, 2.1), 80), ((11, 3.4), 80)])
def test_figure_png_renders_any_figure_size(size, dpi):
    """The pixel size comes from the renderer (10 × 2.8 in at 72 dpi once broke frombuffer)."""
    import io

    from matplotlib.figure import Figure
    from PIL import Image

    from deconvlib.viz.drawing import figure_png

    figure = Figure(figsize=size)
    figure.add_subplot().plot([0, 1])
    image = Image.open(io.BytesIO(figure_png(figure, dpi=dpi)))
    assert image.size == (int(size[0] * dpi), int(size[1] * dpi))
    assert figure.dpi == 100  # restored


def test_a_figure_is_as_wide_as_the_laptops_output_area_and_no_taller_than_its_figsize():
    """The default: 820 CSS px wide (JupyterLab at 1280 px with the file browser open), at most DISPLAY's
    max_height tall; an explicit figsize's height is the tallest it may become (Explorer.figure_height)."""
    from deconvlib.viz.drawing import DISPLAY, default_figsize

    t = trace(np.ones((7, 7)), np.ones((3, 3)), stride=2, dilation=3)  # a 25×25 padded grid alone: as tall as allowed
    free = TraceFigure(t, None, panels=("padded",))
    capped = TraceFigure(t, None, default_figsize(300), panels=("padded",))
    assert free.display_size() == (DISPLAY["width"], DISPLAY["max_height"]) == (820, 470)
    assert capped.display_size() == (820, 300)
    small = TraceFigure(trace(X, W), None, default_figsize(400))  # a shorter figure keeps its own height (356 px)
    assert small.display_size() == TraceFigure(trace(X, W), None).display_size()
