"""The explorers driven headlessly through their widget values.

Every combination the main explorer's sliders can reach is shown (through the
tested ``show``); a seeded sample goes the whole widget path (slider → observe
→ render → Output). Either a figure is drawn for the right trace or a short
explanation replaces it; no exception escapes.
"""

import base64
import itertools
import random
import re
from xml.etree import ElementTree

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import deconvlib as dl  # noqa: E402
from deconvlib import conv_transpose_output_size  # noqa: E402
from deconvlib.course import captions  # noqa: E402
from deconvlib.course.explorers import (  # noqa: E402
    dilation_explorer,
    example_input,
    example_kernel,
    example_trace,
    padding_explorer,
    pipeline_explorer,
    sweep_explorer,
)
from deconvlib.pooling import pool_output_size  # noqa: E402
from deconvlib.trace import trace_conv2d, trace_pool2d  # noqa: E402
from deconvlib.viz.drawing import TraceFigure  # noqa: E402

BUILDERS = [pipeline_explorer, dilation_explorer, padding_explorer, sweep_explorer]


def reachable(explorer):
    """Every combination of the explorer's sliders (output_padding below max(stride, dilation))."""
    names = [n for n in explorer.sliders if n != "step"]
    ranges = [
        range(explorer.sliders[n].min, explorer.specs[n][2] + 1)
        if n == "output_padding"
        else range(explorer.sliders[n].min, explorer.sliders[n].max + 1)
        for n in names
    ]
    for combo in itertools.product(*ranges):
        values = {**explorer.current(), **dict(zip(names, combo))}
        if values["output_padding"] < max(values["stride"], values["dilation"]):
            yield values


def expected_size(v):
    try:
        return conv_transpose_output_size(
            v["size"], v["kernel_size"], v["stride"], v["padding"], v["output_padding"], v["dilation"]
        )
    except ValueError:
        return None


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: b.__name__)
def test_every_reachable_combination_draws_or_explains(builder):
    explorer = builder()
    rng = random.Random(0)
    n = 0
    for values in reachable(explorer):
        values["step"] = rng.randint(1, 60)
        result = explorer.show(values)
        o = expected_size(values)
        if o is None:
            assert isinstance(result, str) and result.startswith("⚠ ") and "empty output" in result
            continue
        assert isinstance(result, TraceFigure) and result is explorer.figure
        t = explorer.data
        assert result.trace is t
        assert t.output.shape == (o, o)
        assert np.array_equal(t.input, example_input(values["size"]))
        assert np.array_equal(t.kernel, example_kernel(values["kernel_size"]))
        if "step" in explorer.sliders:
            assert result.step == min(values["step"], o * o) - 1
        n += 1
    assert n > 0
    if builder is pipeline_explorer:
        assert n >= 1000  # the whole grid of the main explorer, not a sample


def outputs(explorer):
    (out,) = explorer.output.outputs
    return out["data"]


def shown_svg(data):
    """The SVG an explorer's output shows (an ``<img>`` of a base64 data URL)."""
    return base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', data["text/html"])[1]).decode()


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: b.__name__)
def test_moving_sliders_updates_the_output_widget(builder):
    """The full widget path on seeded random moves: each move redraws, the output follows."""
    explorer = builder()
    rng = random.Random(1)
    before = outputs(explorer)
    assert "<img" in before["text/html"]
    moves = 120 if builder is pipeline_explorer else 40
    for _ in range(moves):
        name = rng.choice(list(explorer.sliders))
        slider = explorer.sliders[name]
        if slider.min == slider.max:
            continue
        new = rng.choice([v for v in range(slider.min, slider.max + 1) if v != slider.value])
        renders, state = explorer.renders, explorer.current()
        slider.value = new
        assert explorer.renders == renders + 1  # one redraw per move, even when limits moved
        data = outputs(explorer)
        o = expected_size(explorer.current())
        if o is None:
            assert "<img" not in data["text/html"] and "empty output" in data["text/html"]
            assert explorer.message and explorer.caption.value
        else:
            assert explorer.message is None and explorer.figure.trace.output.shape == (o, o)
            svg = shown_svg(data)
            assert svg == explorer.svg and ElementTree.fromstring(svg).tag.endswith("svg")
            if explorer.current() != state and "<img" in before["text/html"]:
                assert svg != shown_svg(before)
        before = data


def test_output_padding_limit_follows_stride_and_dilation():
    ex = pipeline_explorer()
    op = ex.sliders["output_padding"]
    for s, d in itertools.product(range(1, 4), range(1, 4)):
        ex.set(stride=s, dilation=d)
        assert op.max == max(s, d) - 1
    ex.set(stride=3, dilation=1, output_padding=2)
    ex.sliders["stride"].value = 1  # op is clamped to 0, and the figure still draws
    assert op.value == 0 and ex.message is None


def test_step_limit_follows_the_output_size_and_stays_at_the_end():
    ex = pipeline_explorer()
    step = ex.sliders["step"]
    assert step.max == 49 and step.value == 49  # starts with the finished output
    ex.sliders["stride"].value = 1
    assert step.max == 25 and step.value == 25
    ex.sliders["step"].value = 3
    ex.sliders["stride"].value = 3
    assert step.max == 81 and step.value == 3
    assert ex.play is not None and ex.play.min == 1  # its value and max are jslinked to the step slider


def test_a_slider_whose_range_grows_has_its_track_rebuilt_so_end_and_home_reach_the_new_limits():
    """noUiSlider's Home/End keep the range a track was built with; ipywidgets rebuilds it on a new orientation."""
    ex = pipeline_explorer()
    flips = {name: [] for name in ex.sliders}
    for name, slider in ex.sliders.items():
        slider.observe(lambda change, name=name: flips[name].append(change.new), "orientation")
    ex.sliders["size"].value = 5  # the output grows: step's maximum 49 → 121
    assert ex.sliders["step"].max == 121
    assert flips["step"] == ["vertical", "horizontal"] and ex.sliders["step"].orientation == "horizontal"
    ex.sliders["size"].value = 2  # it shrinks: End, clamped to the track, already lands on the new maximum
    assert flips["step"] == ["vertical", "horizontal"]
    ex.sliders["stride"].value = 3  # output_padding's maximum grows 1 → 2
    assert flips["output_padding"] == ["vertical", "horizontal"]
    assert not any(flips[name] for name in ("size", "kernel_size", "stride", "padding", "dilation"))


def test_impossible_padding_shows_an_explanation_and_recovers():
    ex = pipeline_explorer()
    ex.set(size=1, kernel_size=1, padding=2)
    assert ex.message.startswith("⚠ padding") and "empty output" in ex.message
    assert "(empty!)" in ex.caption.value
    ex.sliders["padding"].value = 0
    assert ex.message is None and "<img" in outputs(ex)["text/html"]


def test_only_value_errors_are_turned_into_messages(monkeypatch):
    ex = pipeline_explorer()

    def broken(values):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ex, "compute", broken)
    with pytest.raises(RuntimeError):
        ex.show(ex.current())


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: b.__name__)
def test_an_unknown_keyword_or_slider_is_a_value_error_that_names_it(builder):
    with pytest.raises(ValueError, match="unknown parameter 'strides'"):
        builder(strides=2)
    ex = builder()
    before, renders = ex.current(), ex.renders
    with pytest.raises(ValueError, match="no slider 'strides'; its sliders are size, "):
        ex.set(stride=3, strides=2)
    assert ex.current() == before and ex.renders == renders  # nothing moved


def test_a_parameter_without_a_slider_is_fixed_not_settable():
    ex = dilation_explorer(kernel_size=2, padding=1)
    assert ex.current()["kernel_size"] == 2 and "kernel_size" not in ex.sliders
    with pytest.raises(ValueError, match="DilationExplorer has no slider 'kernel_size'"):
        ex.set(kernel_size=3)
    with pytest.raises(ValueError, match="unknown parameter 'step'"):
        dilation_explorer(step=3)  # no sweep here, so no step


def widgets_in(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from widgets_in(child)


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: b.__name__)
def test_reset_puts_every_slider_back_to_its_start_value(builder):
    ex = builder(size=2)
    start, png = {name: s.value for name, s in ex.sliders.items()}, ex.png
    assert ex.start == start and start["size"] == 2 and ex.reset_button in widgets_in(ex.ui)
    ex.set(**{name: s.max if s.value == s.min else s.min for name, s in ex.sliders.items()})
    assert {name: s.value for name, s in ex.sliders.items()} != start
    ex.reset_button.click()
    assert {name: s.value for name, s in ex.sliders.items()} == start
    assert ex.message is None and ex.png == png


def test_reset_brings_the_sweep_back_to_its_end():
    ex = pipeline_explorer(stride=1)
    assert ex.start["step"] == 25 == ex.sliders["step"].max
    ex.set(stride=3, step=4)
    assert ex.sliders["step"].max == 81 and ex.sliders["step"].value == 4
    ex.reset()
    assert ex.sliders["step"].max == 25 and ex.sliders["step"].value == 25


def test_set_keeps_a_finished_sweep_at_its_end():
    ex = pipeline_explorer(stride=1)
    ex.set(stride=3)
    assert ex.sliders["step"].value == ex.sliders["step"].max == 81


def test_captions_follow_the_sliders():
    ex = pipeline_explorer()
    ex.set(stride=2, padding=1, output_padding=1)
    assert ex.described.endswith("= <b>6</b>")
    sweep = sweep_explorer()
    sweep.sliders["step"].value = 5
    assert sweep.described.startswith("out(0, 4) =")
    assert dilation_explorer(size=4, stride=3).described.startswith(
        "dilated size = s·(i − 1) + 1 = 3·(4 − 1) + 1 = <b>10</b>"
    )


def test_slider_rows_wrap_instead_of_squeezing_the_tracks():
    ex = pipeline_explorer()
    assert ex.controls.layout.flex_flow == "row wrap" and ex.controls in widgets_in(ex.ui)
    for slider in ex.sliders.values():
        assert slider.layout.flex == "0 0 auto" and int(slider.layout.width[:-2]) >= 8 * len(slider.description) + 150


def test_the_stored_notebooks_hold_no_widget_views_but_the_figure():
    """A stored widget view names a model no fresh kernel has: "Error displaying widget: model not found"."""
    import json
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        assert "widgets" not in nb["metadata"], path.name
        for cell in nb["cells"]:
            for output in cell.get("outputs", ()):
                assert "application/vnd.jupyter.widget-view+json" not in output.get("data", {}), path.name


def test_an_explorer_displays_its_widgets_with_the_figure_and_a_sentence_besides():
    ex = pipeline_explorer()
    data, metadata = ex._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.ui.model_id
    assert base64.b64decode(data["image/png"]) == ex.png
    assert metadata["image/png"] == dict(zip(("width", "height"), ex.figure.display_size()))
    assert "run this cell again" in data["text/plain"]


@pytest.mark.parametrize("value", ["3", 2.5, None])
def test_a_value_that_is_not_an_integer_is_refused_naming_it(value):
    # Issue 11, item 14: dilation_explorer(kernel_size='3') ended in a raw TypeError from inside numpy.
    import deconvlib as dl

    with pytest.raises(dl.ParameterError, match="DilationExplorer's kernel_size must be an integer") as error:
        dilation_explorer(kernel_size=value)
    assert error.value.parameter == "kernel_size"
    assert pipeline_explorer(stride=np.int64(3)).current()["stride"] == 3  # numpy integers are integers


def random_layers(seed, n=200):
    """``n`` seeded random slider values of the transposed explorers, some of them empty outputs."""
    rng = random.Random(seed)
    for _ in range(n):
        s, d = rng.randint(1, 4), rng.randint(1, 3)
        yield dict(
            size=rng.randint(1, 6),
            kernel_size=rng.randint(1, 5),
            stride=s,
            padding=rng.randint(0, 4),
            output_padding=rng.randint(0, max(s, d) - 1),
            dilation=d,
        )


def test_the_captions_write_the_librarys_sizes_for_random_values():
    # Each number in bold against an independent computation: the public size functions and the stages.
    for v in random_layers(2):
        i, k, s, p, op, d = (
            v[name] for name in ("size", "kernel_size", "stride", "padding", "output_padding", "dilation")
        )
        t = example_trace(v) if expected_size(v) else None
        a = dl.effective_kernel(k, d) - 1 - p  # the amount of padding on each side, before output_padding
        padding = captions.padding_caption(t, v)
        assert f"= <b>{a}</b>" in padding and padding.endswith(dl.explain.describe_pads((a, a + op, a, a + op)))
        caption = captions.output_size_caption(t, v)
        if t is None:
            with pytest.raises(dl.ParameterError) as refused:
                dl.conv_transpose_output_size(i, k, s, p, op, d)
            size = str(refused.value).split("(size ")[1].split(")")[0]  # "... an empty output (size -5): ..."
            assert caption.endswith(f"= <b>{size}</b> (empty!)")
            continue
        assert caption.endswith(f"= <b>{dl.conv_transpose_output_size(i, k, s, p, op, d)}</b>")
        assert f"= {s}·({i} − 1) + {d}·({k} − 1) + 1 − 2·{p} + {op} =" in caption
        dilated = dl.dilate(example_input(i), s)
        assert f"= <b>{dilated.shape[0]}</b>: " in captions.dilated_size_caption(t)
        assert captions.dilated_size_caption(t).endswith(f", {int((dilated == 0).sum())} zeros in all")
        o, last = t.output.shape[-1], dl.conv_transpose2d(example_input(i), example_kernel(k), s, p, op, d)[-1, -1]
        step = captions.step_caption(t, t.n_steps - 1)
        assert step.startswith(f"out({o - 1}, {o - 1}) = ") and f"= {dl.explain.format_value(last)}" in step


def test_the_forward_and_pooling_captions_write_the_librarys_sizes_for_random_values():
    rng = random.Random(3)
    for _ in range(200):
        i, k, s, p, d = rng.randint(1, 8), rng.randint(1, 4), rng.randint(1, 3), rng.randint(0, 3), rng.randint(1, 3)
        values = dict(size=i, kernel_size=k, stride=s, padding=p, dilation=d)
        try:
            o = dl.conv_output_size(i, k, s, p, d)
        except dl.ParameterError:
            assert "(empty: the kernel is wider" in captions.conv_output_size_caption(None, values)
            continue
        t = trace_conv2d(example_input(i), example_kernel(k), stride=s, padding=p, dilation=d)
        assert captions.conv_output_size_caption(t).endswith(f"= <b>{o}</b>")
        assert f"<b>{o}</b><br>out(" in captions.forward_caption(t, 0)
        if 2 * p <= k and d == 1 and k <= i + 2 * p:
            pooled = trace_pool2d(example_input(i), k, stride=s, padding=p, mode=rng.choice(["max", "avg"]))
            assert f"= <b>{pool_output_size(i, k, s, p)}</b><br>" in captions.pooling_caption(pooled, 0)


def test_a_caption_reads_the_trace_not_the_values_beside_it():
    # One road to the screen: given a trace, the values (what the sliders said) are not read at all.
    t = example_trace(dict(size=3, kernel_size=3, stride=2, padding=1, output_padding=1, dilation=1))
    wrong = dict(size=5, kernel_size=2, stride=3, padding=0, output_padding=2, dilation=2, step=1)
    for caption in (captions.output_size_caption, captions.padding_caption, captions.dilated_size_caption):
        assert caption(t, wrong) == caption(t)
    assert captions.output_size_caption(t, wrong).endswith("2·(3 − 1) + 1·(3 − 1) + 1 − 2·1 + 1 = <b>6</b>")
    assert captions.step_caption(t, 0, wrong) == captions.step_caption(t, 0) == "out(0, 0) = 1·5 = 5"


def test_the_notebooks_lower_case_names_are_the_explorer_classes():
    assert [b.__name__ for b in BUILDERS] == [
        "PipelineExplorer",
        "DilationExplorer",
        "PaddingExplorer",
        "SweepExplorer",
    ]
    assert all(isinstance(b(), b) for b in BUILDERS)
