"""Animations and the gallery table: frames match the trace, GIFs open, the table matches the guide."""

import gc
import warnings

import numpy as np
import pytest
from matplotlib.animation import AbstractMovieWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb

import deconvlib.viz.animation
from deconvlib import conv2d, conv_transpose2d
from deconvlib.cases import CASES, FORWARD, find_case
from deconvlib.explain import explain, relationship
from deconvlib.trace import case_trace
from deconvlib.viz.animation import animate, save
from deconvlib.viz.drawing import COLORS

PIL = pytest.importorskip("PIL.Image")

# Forward and transposed, square and not, padding symmetric and not, dilation, output_padding.
SMALL_CASES = [
    dict(transposed=False, input_size=5, kernel_size=3, stride=2, padding=1),
    dict(transposed=False, input_size=(6, 5), kernel_size=(3, 2), stride=(2, 1), padding=(0, 1, 1, 0), dilation=(1, 2)),
    dict(transposed=True, input_size=3, kernel_size=3, stride=2, padding=1, output_padding=1),
    dict(transposed=True, input_size=(2, 3), kernel_size=3, stride=(3, 2), padding=(1, 0, 0, 2), dilation=2),
]


def expected_origin(t, out, transposed):
    """Top-left tap of the window writing output cell ``out``: written out here, not taken from ``t.step``."""
    y, x = out
    return (y, x) if transposed else (y * t.stride[0], x * t.stride[1])


@pytest.mark.parametrize("case", SMALL_CASES + [c.parameters for c in CASES], ids=lambda c: str(sorted(c.items())))
def test_one_frame_per_output_position_all_with_one_layout(case):
    anim = animate(**case)
    rows, cols = anim.trace.output.shape
    assert anim.frame_count == rows * cols
    view = anim.view
    layout = [ax.get_position().bounds for ax in view.figure.axes], tuple(view.figure.get_size_inches())
    view.show(anim.frame_count - 1)
    assert ([ax.get_position().bounds for ax in view.figure.axes], tuple(view.figure.get_size_inches())) == layout
    with pytest.raises(ValueError, match="index"):
        view.show(anim.frame_count)


@pytest.mark.parametrize("case", SMALL_CASES)
@pytest.mark.parametrize("where", ["first", "last"])
def test_frame_shows_the_window_where_trace_says(case, where):
    anim = animate(**case, seed=0)
    t, view = anim.trace, anim.view
    step = 0 if where == "first" else t.n_steps - 1
    out = (0, 0) if where == "first" else (t.output.shape[0] - 1, t.output.shape[1] - 1)
    view.show(step)

    r, c = expected_origin(t, out, case["transposed"])
    (kh, kw), (dr, dc) = t.kernel.shape, t.dilation
    taps = [(r + a * dr, c + b * dc) for a in range(kh) for b in range(kw)]
    assert view.window.cells() == taps
    under = np.array([t.padded[cell] for cell in taps]).reshape(kh, kw)
    np.testing.assert_array_equal(under, t.windows[out])  # the window covers what trace multiplies

    output = view.grids["output"]
    assert output.kinds[out] == "current"
    assert output.count("current") == 1
    assert output.count("empty") == t.n_steps - step - 1
    # values: every written cell printed, none of the rest
    assert len(output.cell_texts()) == step + 1


@pytest.mark.parametrize("case", SMALL_CASES)
def test_outlined_input_pixels_are_exactly_what_each_output_cell_sums(case):
    anim = animate(**case, seed=2)
    t, view = anim.trace, anim.view
    transposed = case["transposed"]
    top, left = (t.pads[0], t.pads[2]) if transposed else (t.padding[0], t.padding[2])
    (sr, sc) = t.stride if transposed else (1, 1)
    kernel = t.flipped if transposed else t.kernel
    (kh, kw), (dr, dc) = kernel.shape, t.dilation
    for step in range(anim.frame_count):
        view.show(step)
        out = divmod(step, t.output.shape[1])
        r, c = expected_origin(t, out, transposed)
        taps = {(r + a * dr, c + b * dc): (a, b) for a in range(kh) for b in range(kw)}
        # input pixel (i, j) sits at (top + i·s, left + j·s) in the swept grid
        expected = {
            (i, j): taps[(top + i * sr, left + j * sc)]
            for i in range(t.input.shape[0])
            for j in range(t.input.shape[1])
            if (top + i * sr, left + j * sc) in taps
        }
        assert sorted(view.source_cells) == sorted(expected)
        total = sum(t.input[cell] * kernel[tap] for cell, tap in expected.items())
        assert total == pytest.approx(t.output[out])


def test_outputs_equal_the_library():
    conv = animate(False, (6, 5), (3, 2), stride=(2, 1), padding=(0, 1, 1, 0), dilation=(1, 2), seed=1).trace
    np.testing.assert_allclose(conv.output, conv2d(conv.input, conv.kernel, (2, 1), (0, 1, 1, 0), (1, 2)))
    tr = animate(True, 3, 3, stride=2, padding=1, output_padding=1, seed=1).trace
    np.testing.assert_allclose(tr.output, conv_transpose2d(tr.input, tr.kernel, 2, 1, 1))


def test_the_current_cell_is_drawn_red_and_the_grid_has_the_guide_colours():
    anim = animate(True, 2, 3, stride=2, padding=0)
    view = anim.view
    view.show(anim.frame_count - 1)
    canvas = FigureCanvasAgg(view.figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3] / 255

    def colour(panel, row, col):  # the cell's most common pixel: its colour, not its hatching's dots or stripes
        (x0, y0), (x1, y1) = view.axes[panel].transData.transform([(col - 0.3, row - 0.3), (col + 0.3, row + 0.3)])
        top, left = pixels.shape[0] - max(y0, y1), min(x0, x1)
        box = pixels[int(top) : int(top + abs(y1 - y0)), int(left) : int(left + abs(x1 - x0))].reshape(-1, 3)
        found, count = np.unique(np.round(box, 3), axis=0, return_counts=True)
        return found[np.argmax(count)]

    rows, cols = anim.trace.output.shape
    np.testing.assert_allclose(colour("output", rows - 1, cols - 1), to_rgb(COLORS["current"]), atol=0.02)
    np.testing.assert_allclose(colour("output", 0, 0), to_rgb(COLORS["output"]), atol=0.02)
    np.testing.assert_allclose(colour("padded", 0, 0), to_rgb(COLORS["pad"]), atol=0.02)
    np.testing.assert_allclose(colour("padded", 2, 2), to_rgb(COLORS["input"]), atol=0.02)
    np.testing.assert_allclose(colour("padded", 2, 3), to_rgb(COLORS["zero"]), atol=0.02)


@pytest.mark.parametrize("case", [SMALL_CASES[0], SMALL_CASES[2]], ids=["forward", "transposed"])
def test_gif_opens_with_pillow_with_one_frame_per_position(case, tmp_path):
    anim = animate(**case)
    path = save(anim, tmp_path / "anim.gif", fps=4)
    with PIL.open(path) as gif:
        assert gif.n_frames == anim.frame_count
        first = np.asarray(gif.convert("RGB"))
        gif.seek(gif.n_frames - 1)
        last = np.asarray(gif.convert("RGB"))
        assert gif.info["duration"] == 250
    assert first.shape == last.shape and not np.array_equal(first, last)


def test_save_progress_reports_every_frame(tmp_path):
    anim = animate(True, 2, 2)
    seen = []
    save(anim, tmp_path / "a.gif", progress=lambda i, n: seen.append((i, n)))
    assert seen == [(i, 9) for i in range(9)]


def test_an_animation_made_and_dropped_undrawn_warns_nothing():
    # recorded, not raised: a warning from __del__ (matplotlib's "deleted without rendering") cannot raise
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        anim = animate(True, 3, 3, stride=2)
        del anim
        gc.collect()
    assert [str(w.message) for w in caught] == []


def test_to_jshtml_plays_every_frame():
    anim = animate(True, 2, 2, fps=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = anim.to_jshtml()
        gc.collect()
    assert [str(w.message) for w in caught] == []
    assert "<script" in html and html.count("data:image/png;base64") == anim.frame_count
    assert repr(anim).startswith("Animation(9 frames at 4 fps of Trace(")


def text_box(text):
    """``(x, y, width, height)`` in inches of the glyph outlines a block of figure text draws."""
    scale = text.size / 10 / 72  # the outlines are at 10 pt, placed in inches
    collection = text.collection
    points = np.concatenate([p.vertices * scale + o for p, o in zip(collection.get_paths(), collection.get_offsets())])
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    return x0, y0, x1 - x0, y1 - y0


def test_nothing_overlaps_and_nothing_is_cut_off():
    """Heading, titles, step, legend: each inside the frame and clear of the grids and of each other."""
    for case in SMALL_CASES:
        view = animate(**case, title="a title long enough to need a second line when the frame is narrow" * 2).view
        fw, fh = view.figure.get_size_inches()
        texts = {"heading": view.heading_text, "titles": view.titles, "step": view.caption}
        boxes = {name: text_box(text) for name, text in texts.items()}
        boxes["legend"] = text_box(view.legend.labels)
        for name, (x, y, w, h) in boxes.items():
            assert 0 <= x and x + w <= fw and 0 <= y and y + h <= fh, name
        bottom = {name: y for name, (_, y, _, _) in boxes.items()}
        top = {name: y + h for name, (_, y, _, h) in boxes.items()}
        grids = [ax.get_position() for ax in view.figure.axes]
        grid_top, grid_bottom = max(p.y1 for p in grids) * fh, min(p.y0 for p in grids) * fh
        assert grid_top < bottom["titles"] and top["titles"] < bottom["heading"]
        assert top["legend"] < grid_bottom and top["legend"] < bottom["step"]
        assert top["step"] < view.axes["output"].get_position().y0 * fh


def test_mp4_goes_through_matplotlib_s_movie_writer_one_grab_per_frame(tmp_path, monkeypatch):
    """Without ffmpeg here: a stand-in writer records what ffmpeg would be given."""
    grabbed = []

    class Recorder(AbstractMovieWriter):
        def setup(self, fig, outfile, dpi=None):
            super().setup(fig, outfile, dpi)

        def grab_frame(self, **savefig_kwargs):
            grabbed.append(tuple(self.fig.get_size_inches()))

        def finish(self):
            grabbed.append(("finished", self.outfile, self.fps, self.dpi))

    monkeypatch.setattr(deconvlib.viz.animation, "ffmpeg_available", lambda: True)
    monkeypatch.setattr(deconvlib.viz.animation, "FFMpegWriter", Recorder)
    anim = animate(True, 2, 2, fps=3)
    save(anim, tmp_path / "a.mp4")
    assert len(set(grabbed[:-1])) == 1 and len(grabbed) == anim.frame_count + 1
    assert grabbed[-1] == ("finished", tmp_path / "a.mp4", 3, 72)


@pytest.mark.skipif(not __import__("shutil").which("ffmpeg"), reason="ffmpeg is not installed")
def test_mp4_where_ffmpeg_exists(tmp_path):
    path = save(animate(True, 2, 2), tmp_path / "a.mp4")
    assert path.stat().st_size > 0


def test_save_refuses_other_formats_and_mp4_without_ffmpeg(tmp_path, monkeypatch):
    anim = animate(True, 2, 2)
    with pytest.raises(ValueError, match=r"\.gif or \.mp4"):
        save(anim, tmp_path / "a.png")
    monkeypatch.setattr(deconvlib.viz.animation, "ffmpeg_available", lambda: False)
    with pytest.raises(RuntimeError, match="ffmpeg"):
        save(anim, tmp_path / "a.mp4")


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(stride=0), "stride"),
        (dict(transposed=True, input_size=2, kernel_size=3, padding=3), "padding"),
        (dict(transposed=True, stride=2, output_padding=2), "output_padding"),
        (dict(transposed=False, output_padding=1), "output_padding"),
        (dict(input_size=0), "input size"),
        (dict(kernel_size=(3, 3, 3)), "kernel size"),
        (dict(dilation=0), "dilation"),
        (dict(input_size=2, kernel_size=3), "output would be empty"),
        (dict(values=(np.ones((2, 2)), np.ones((3, 3)))), "values"),
    ],
)
def test_bad_parameters_raise_value_error_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=name):
        animate(**kwargs)


def test_values_are_shown_only_when_asked():
    assert animate(True, 2, 3).view.grids["input"].cell_texts() == []
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    anim = animate(True, 2, 3, values=(X, np.ones((3, 3))))
    assert anim.view.grids["input"].cell_texts() == ["1", "2", "3", "4"]
    assert "kernel" in anim.view.grids
    np.testing.assert_array_equal(case_trace(True, 2, 3, seed=5).input, case_trace(True, 2, 3, seed=5).input)


# --- the gallery's table --------------------------------------------------------------

# vdumoulin/conv_arithmetic, bin/generate_makefile: name → (input-size, output-size, padding, kernel-size, stride)
GUIDE = {
    "no_padding_no_strides": (4, 2, 0, 3, 1),
    "arbitrary_padding_no_strides": (5, 6, 2, 4, 1),
    "same_padding_no_strides": (5, 5, 1, 3, 1),
    "full_padding_no_strides": (5, 7, 2, 3, 1),
    "no_padding_strides": (5, 2, 0, 3, 2),
    "padding_strides": (5, 3, 1, 3, 2),
    "padding_strides_odd": (6, 3, 1, 3, 2),
}


@pytest.mark.parametrize("name", GUIDE)
def test_guide_cases_have_the_guides_parameters_and_twins(name):
    i, o, p, k, s = GUIDE[name]
    forward, twin = find_case(name), find_case(name + "_transposed")
    assert (forward.input_size, forward.padding, forward.kernel_size, forward.stride) == (i, p, k, s)
    assert forward.output_size == (o, o) and forward.in_guide
    # the twin maps o back to i with the same k, s, p (the guide draws the transposed case from i' = o)
    assert (twin.input_size, twin.kernel_size, twin.stride, twin.padding) == (o, k, s, p)
    assert twin.output_size == (i, i) and twin.in_guide


def test_dilation_case_is_the_guides():
    case = find_case("dilation")
    assert (case.input_size, case.kernel_size, case.dilation, case.stride, case.padding) == (7, 3, 2, 1, 0)
    assert case.output_size == (3, 3)


def test_every_twin_maps_the_output_back_to_the_input_and_the_table_has_the_extras():
    for row in FORWARD:
        twin = row.twin()
        size = row.input_size if isinstance(row.input_size, tuple) else (row.input_size,) * 2
        assert twin.output_size == size, row.name
    names = {c.name for c in CASES}
    assert len(names) == len(CASES) == 2 * len(FORWARD)
    assert any(c.transposed and c.output_padding not in (0, 1) for c in CASES)  # output_padding beyond the guide
    assert any(isinstance(c.padding, tuple) and len(set(c.padding)) > 1 for c in CASES)  # asymmetric
    assert any(c.dilation != 1 and c.stride != 1 for c in CASES)  # dilation with strides


@pytest.mark.parametrize(
    "name, number",
    [
        ("no_padding_no_strides", 1),
        ("arbitrary_padding_no_strides", 2),
        ("same_padding_no_strides", 3),
        ("full_padding_no_strides", 4),
        ("no_padding_strides", 5),
        ("padding_strides", 6),
        ("padding_strides_odd", 6),
        ("dilation", 15),
        ("no_padding_no_strides_transposed", 8),
        ("arbitrary_padding_no_strides_transposed", 9),
        ("same_padding_no_strides_transposed", 10),
        ("full_padding_no_strides_transposed", 11),
        ("no_padding_strides_transposed", 12),
        ("padding_strides_transposed", 13),
        ("padding_strides_odd_transposed", 14),
    ],
)
def test_each_guide_case_gets_the_guides_relationship(name, number):
    assert [r[0] for r in relationship(**find_case(name).parameters)] == [number, number]


def test_explain_shows_each_step():
    text = explain(True, 3, 3, stride=2, padding=1, dilation=2)
    for piece in (
        "k̂ = d·(k − 1) + 1 = 2·(3 − 1) + 1 = 5",
        "zeros inserted",
        "= 5 + 3 + 3 + 0 = 11",
        "Output: 7×7",
        "relationship 14",
        "maps 7×7 to 3×3",
    ):
        assert piece in text
    assert "Rows:" in explain(False, (7, 5), 3, dilation=(2, 1))
    with pytest.raises(ValueError, match="output_padding"):
        explain(True, 3, 3, stride=2, output_padding=2)


def test_scale_makes_projector_sized_frames_and_plain_draws_no_text(tmp_path):
    from PIL import Image

    small = save(animate(transposed=True, input_size=2, kernel_size=3, stride=2), tmp_path / "small.gif")
    large = save(animate(transposed=True, input_size=2, kernel_size=3, stride=2, scale=2), tmp_path / "large.gif")
    (w, h), (W, H) = Image.open(small).size, Image.open(large).size
    assert abs(W - 2 * w) <= 2 and abs(H - 2 * h) <= 2
    plain = animate(transposed=True, input_size=2, kernel_size=3, stride=2, plain=True)
    view = plain.view
    assert view.panels == ("padded", "output") and view.legend is None and view.heading_text is None
    plain.view.show(3)
    assert view.titles.strings == [""] * 2 or not any(view.titles.strings)
    assert all(not grid.cell_texts() for grid in view.grids.values())
    with pytest.raises(ValueError, match="scale"):
        animate(scale=0)
