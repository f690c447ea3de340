"""The gallery's pooling and 1-D animations: each frame shows the window's max or mean, the
inputs each output cell sums; the GIF's pixels agree; every text readable on a projector."""

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from readable_support import check_readable

import deconvlib as dl
from deconvlib.cases import GALLERY, GUIDE_FIGURES, GUIDE_POOLING_INPUT, ONE_D_CASES, POOLING_CASES, find_case
from deconvlib.explain import format_value
from deconvlib.viz.animation import animate, save
from deconvlib.viz.drawing import COLORS
from deconvlib.viz.gallery import write_index

PIL = pytest.importorskip("PIL.Image")
X = np.array(GUIDE_POOLING_INPUT, dtype=float)


def expected_pooling(case):
    """The guide's figures 1.5 and 1.6, from the library's pooling (not the trace)."""
    return dl.max_pool2d(X, 3, stride=1) if case.pooling == "max" else dl.avg_pool2d(X, 3, stride=1)


@pytest.mark.parametrize("case", POOLING_CASES, ids=lambda c: c.name)
def test_each_pooling_frame_shows_its_window_and_its_max_or_mean(case):
    view = animate(**case.parameters, title=case.title).view
    assert view.panels == ("input", "padded", "products", "output")
    expected = expected_pooling(case)
    shown = np.round(expected, 2) if case.pooling == "avg" else expected  # the guide prints means rounded
    for step in range(9):
        view.show(step)
        y, x = divmod(step, 3)
        window = X[y : y + 3, x : x + 3]
        assert view.grids["products"].cell_texts() == [format_value(v) for v in window.ravel()]
        assert view.grids["output"].cell_texts() == [format_value(v) for v in shown.ravel()[: step + 1]]
        assert view.window.cells() == [(y + a, x + b) for a in range(3) for b in range(3)]
        assert sorted(view.source_cells) == sorted(view.window.cells())  # no padding: the window's own pixels
        caption = view.caption.strings[1]
        if case.pooling == "max":
            ((r, c),) = view.winners["padded"].cells()
            assert X[r, c] == window.max() == expected[y, x] and (r, c) in view.window.cells()
            assert caption == f"out({y}, {x}) = {format_value(window.max())}"
        else:
            assert not view.winners["padded"].cells()
            total = format_value(window.sum())
            assert caption == f"out({y}, {x}) = {total} / 9 = {format_value(expected[y, x])}"
    assert expected.tolist() == (
        [[3, 3, 3], [3, 3, 3], [3, 2, 3]] if case.pooling == "max" else expected.tolist()
    ) and np.round(expected, 1).tolist()[0] == ([3, 3, 3] if case.pooling == "max" else [1.7, 1.7, 1.7])


def cell_pixel(view, panel, cell, size, image):
    """RGB of ``image`` (a frame at the figure's dpi) near the top-left corner inside ``cell`` of ``panel``."""
    x0, y0, w, h = view.axes[panel].get_position().bounds
    rows, cols = size
    fx, fy = x0 + (cell[1] + 0.2) / cols * w, y0 + h - (cell[0] + 0.2) / rows * h
    return np.array(image.getpixel((int(fx * image.width), int((1 - fy) * image.height)))) / 255


def close(rgb, colour):
    return np.abs(rgb - np.array(to_rgb(colour))).max() < 0.08


@pytest.mark.parametrize("name", ["numerical_max_pooling", "1d_kernel3_stride2_transposed"])
def test_the_gifs_frames_write_the_output_cell_by_cell(name, tmp_path):
    case = find_case(name, GALLERY)
    anim = animate(**case.parameters, title=case.title)
    path = save(anim, tmp_path / f"{name}.gif")
    view, shape = anim.view, anim.trace.output.shape
    with PIL.open(path) as gif:
        assert gif.n_frames == case.n_frames
        for step in range(gif.n_frames):
            gif.seek(step)
            frame = gif.convert("RGB")
            expected = view.figure.get_size_inches() * view.figure.dpi
            assert all(abs(got - want) <= 1 for got, want in zip(frame.size, expected))  # Agg's whole pixels
            for n in range(case.n_frames):
                cell = divmod(n, shape[1])
                kind = "current" if n == step else "output" if n < step else "empty"
                assert close(cell_pixel(view, "output", cell, shape, frame), COLORS[kind]), (step, n, kind)


def test_each_1d_frame_outlines_the_inputs_its_output_cell_sums():
    case = find_case("1d_kernel3_stride2_transposed", GALLERY)
    view = animate(**case.parameters, title=case.title).view
    counts = dl.conv_transpose1d(np.ones(5), np.ones(3), stride=2)
    assert counts.tolist() == [1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1]
    for step, count in enumerate(counts):
        view.show(step)
        assert len(view.source_cells) == count and all(r == 0 for r, _ in view.source_cells)
        assert view.window.cells() == [(0, step), (0, step + 1), (0, step + 2)]  # a stride-1 sweep of the row
        assert view.grids["output"].cell_texts() == [format_value(v) for v in counts[: step + 1]]
        assert view.caption.strings == [f"step {step + 1}/11", f"out({step}) = {format_value(count)}"]
    assert "1-D transposed conv: input 5, kernel 3, stride 2, padding 0 → output 11" in view.heading_text.strings
    assert view.titles.strings == ["input 5", "zeros inserted, padded 13", "kernel, flipped", "output 11"]


NEW = POOLING_CASES + ONE_D_CASES


@pytest.mark.parametrize("case", GALLERY, ids=lambda c: c.name)
def test_every_gallery_frame_is_readable_on_a_projector_and_nothing_overlaps(case):
    """At --scale 2 (slides): every text at least 11 px tall in the GIF, inside it, clear of the others."""
    view = animate(**case.parameters, title=case.title, scale=2).view
    for step in (0, case.n_frames // 2, case.n_frames - 1):
        view.show(step)
        texts = view.drawn_texts()
        kinds = {t.kind for t in texts}
        assert {"heading", "title", "legend", "text"} <= kinds, kinds
        assert ("value" in kinds) == (case.values is not None)
        to_gif = view.figure.dpi / view.display_dpi()
        check_readable(texts, view.display_size(), f"{case.name} at step {step}", 11, scale=to_gif)
        assert not view.note.strings  # no value left out


def test_the_index_lists_the_pooling_and_1d_cases_with_their_relationship(tmp_path):
    md, html = (path.read_text(encoding="utf-8") for path in write_index(tmp_path))
    pooling = "## Pooling of the guide (figures 1.5 and 1.6; arithmetic: chapter 3)"
    assert md.index("## Convolutions of the guide") < md.index(pooling)
    assert md.index("## Pooling of the guide") < md.index("## Transposed convolutions of the guide")
    for case in NEW:
        assert f"({case.name}.gif)" in md and f"src='{case.name}.gif'" in html
    pooling = md[md.index("## Pooling") : md.index("## Transposed")]
    assert pooling.count("Guide: relationship 7, max pooling: o = ⌊(i − k) / s⌋ + 1") == 1
    assert pooling.count("Guide: relationship 7, average pooling") == 1
    one_d = md[md.index("## One dimension") :]
    assert one_d.count("--dims 1") == 4 and "relationship 12" in one_d
    assert "Guide: relationship 1, no zero padding, unit strides" in md
    for name, figure in GUIDE_FIGURES.items():  # every figure of chapters 2-5 that the guide animates
        row = next(line for line in md.splitlines() if f"`{name}`" in line)
        assert f"the guide's figure {figure}" in row
    chapters = sorted({figure.split(".")[0] for figure in GUIDE_FIGURES.values()})
    # the numerical figures are 1.1, 1.2 (convolution), 1.5 and 1.6 (pooling) in chapter 1 of
    # arXiv:1603.07285v2; chapter 3, pooling's arithmetic, has no figure
    assert chapters == ["1", "2", "4", "5"] and len(GUIDE_FIGURES) == 2 + 2 + 7 + 7 + 1
    assert all(name in {c.name for c in GALLERY} for name in GUIDE_FIGURES)
