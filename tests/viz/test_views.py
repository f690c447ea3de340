"""Figures of notebooks 5-8, checked on Agg by what they draw: cells of each kind, titles, values."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from deconvlib import conv_transpose2d, convolution_matrix  # noqa: E402
from deconvlib.channels import decoder_shapes, group_connections  # noqa: E402
from deconvlib.overlap import overlap_count, resize_conv_count  # noqa: E402
from deconvlib.trace import scatter_trace  # noqa: E402
from deconvlib.viz.course_figures import (  # noqa: E402
    DecoderFigure,
    GroupsFigure,
    MatrixFigure,
    OverlapFigure,
    ScatterFigure,
    count_colors,
    draw_decoder,
    matrix_kinds,
)

W = np.arange(1.0, 10.0).reshape(3, 3)
PNG = b"\x89PNG"


def test_matrix_figure_draws_c_and_its_transpose_with_the_weights():
    C = convolution_matrix((2, 2), W)
    fig = MatrixFigure(C, pixel=1)
    c, ct = fig.grids["C"], fig.grids["CT"]
    assert c.shape == (4, 16) and ct.shape == (16, 4)
    assert c.count("kernel") == ct.count("kernel") == 4 * 9 and c.count("zero") == 64 - 36
    assert c.cell_texts()[:3] == ["1", "2", "3"]  # row 0 of C: the first pixel's stamp, zeros blank
    assert "4×16" in fig.axes["C"].get_title() and "16×4" in fig.axes["CT"].get_title()
    outline = fig.outlines["C"]
    assert outline.get_visible() and (outline.get_y(), outline.get_height(), outline.get_width()) == (0.5, 1, 16)
    fig.update(convolution_matrix((3, 3), W, stride=2), pixel=None)
    assert fig.grids["C"].shape == (9, 49) and not fig.outlines["CT"].get_visible()
    assert fig.to_png().startswith(PNG)
    with pytest.raises(ValueError, match="pixel"):
        fig.update(C, pixel=4)


def test_matrix_kinds_and_count_colors():
    assert matrix_kinds(np.array([[0.0, -1.0]])).tolist() == [["zero", "kernel"]]
    shades = count_colors(np.array([[0, 1, 2, 4]]))
    assert shades[0, 0].tolist() == [1.0, 1.0, 1.0]
    brightness = shades[0].sum(axis=1)
    assert brightness[1] > brightness[2] > brightness[3]  # more copies, darker


def test_scatter_figure_shows_the_stamp_the_crop_and_the_output_at_the_end():
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    t = scatter_trace(X, W, stride=2, padding=1)
    fig = ScatterFigure(t, upto=0)
    assert fig.grids["input"].count("current") == 1 and fig.grids["input"].count("input") == 3
    canvas = fig.grids["canvas"]
    assert canvas.shape == (5, 5)  # full result 2·(2 − 1) + 3
    assert canvas.count("output") == 4 and canvas.count("empty") == 5  # 2×2 of the first stamp inside
    assert canvas.count("cropped") == 5 * 5 - 3 * 3
    assert fig.window.cells()[0] == (0, 0) and len(fig.window.cells()) == 9
    assert fig.grids["output"].count("empty") == 9 and fig.grids["output"].cell_texts() == []
    assert "stamp 1/4" in fig.axes["canvas"].get_title()
    fig.update(t, upto=3)
    assert fig.window.cells()[0] == (2, 2)
    out = conv_transpose2d(X, W, stride=2, padding=1)
    assert fig.grids["output"].count("output") == 9
    assert fig.grids["output"].cell_texts() == [str(int(v)) for v in out.ravel()]
    assert "all stamps added" in fig.axes["output"].get_title()
    crop = fig.crop
    assert (crop.get_x(), crop.get_y(), crop.get_width(), crop.get_height()) == (0.5, 0.5, 3, 3)
    with pytest.raises(ValueError, match="upto"):
        fig.update(t, upto=4)


def test_overlap_figure_prints_counts_and_titles():
    maps = [(overlap_count(3, 3, 2), "transposed"), (resize_conv_count(3, 3, 2), "resize")]
    fig = OverlapFigure(maps)
    assert fig.grids[0].shape == (7, 7) and fig.grids[1].shape == (6, 6)
    assert fig.grids[0].cell_texts()[:7] == ["1", "1", "2", "1", "2", "1", "1"]
    assert [ax.get_title() for ax in fig.axes] == ["transposed", "resize"]
    fig.update([(overlap_count(3, 4, 2), "a"), (resize_conv_count(3, 4, 2), "b")])
    assert fig.grids[0].shape == (8, 8)
    with pytest.raises(ValueError, match="2 maps"):
        fig.update(maps[:1])


def test_groups_figure_is_block_diagonal():
    fig = GroupsFigure(group_connections(8, 4, 2), groups=2)
    assert fig.grid.shape == (8, 4) and fig.grid.count("kernel") == 16 and fig.grid.count("zero") == 16
    assert "groups=2" in fig.ax.get_title() and "16 kernels" in fig.ax.get_title()
    fig.update(group_connections(4, 4, 4), 4)
    assert fig.grid.count("kernel") == 4


def test_decoder_figure_labels_every_shape_and_updates_in_place():
    shapes = decoder_shapes((16, 4, 4, 512))
    ax = draw_decoder(shapes).axes[0]
    assert [t.get_text() for t in ax.texts if t.get_text()] == [str(s) for s in shapes]
    assert len(ax.patches) == len(shapes)
    fig = DecoderFigure(shapes)
    fig.update(shapes[:2])
    assert fig.texts() == [str(s) for s in shapes[:2]]
    assert sum(p.get_visible() for p in fig.ax.patches) == 2 and len(fig.ax.patches) == len(shapes)
    assert fig.to_png().startswith(PNG)


def test_every_figure_prints_what_it_shows_without_a_memory_address():
    C = convolution_matrix((2, 2), W)
    t = scatter_trace(np.ones((2, 2)), W)
    shown = {
        MatrixFigure(C, pixel=1): "MatrixFigure(C 4×16, pixel=1)",
        ScatterFigure(t, upto=2): f"ScatterFigure(upto=2, {t!r})",
        OverlapFigure(
            [(overlap_count(3, 3, 2), "a"), (resize_conv_count(3, 3, 2), "b")]
        ): "OverlapFigure(titles=['a', 'b'])",
        GroupsFigure(group_connections(4, 2, 2), groups=2): "GroupsFigure(4×2 connections, groups=2)",
        DecoderFigure([(1, 2, 2, 3)]): "DecoderFigure(shapes=[(1, 2, 2, 3)])",
    }
    for figure, text in shown.items():
        png, size = figure._repr_png_()
        assert (
            repr(figure) == text
            and png.startswith(PNG)
            and size == dict(zip(("width", "height"), figure.display_size()))
        )


def test_titles_are_drawn_above_their_panels_with_room_for_their_width():
    """The canvas title of the scatter view is wider than its grid: its slot widens, nothing overlaps."""
    fig = ScatterFigure(scatter_trace(np.ones((2, 2)), W, stride=2, padding=1), upto=1)
    fw, _ = fig.figure.get_size_inches()
    slots = []
    for name in fig.panels:
        x0, _, w, _ = fig.axes[name].get_position().bounds
        title = max(fig.axes[name].get_title().split("\n"), key=fig.titles.width)
        half = max(w * fw, fig.titles.width(title)) / 2
        slots.append(((x0 + w / 2) * fw - half, (x0 + w / 2) * fw + half))
    assert all(right < left for (_, right), (left, _) in zip(slots, slots[1:]))
    assert slots[0][0] >= 0 and slots[-1][1] <= fw
    assert set(fig.titles.strings) == {line for ax in fig.axes.values() for line in ax.get_title().split("\n")}
