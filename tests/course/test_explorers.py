"""Explorers of notebooks 0 and 5-9: every reachable slider combination draws or explains, never raises.

The pure path (``compute`` and the caption) is swept over every combination of
every explorer's slider ranges; drawing (figures updated in place) over every
combination or 500 seeded random ones; the whole widget path (moving the
sliders, drawing, encoding the PNG) over 40 random ones, to keep the run short.
"""

import base64
import itertools
import random

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import deconvlib as dl  # noqa: E402
from deconvlib.course.captions import conv_output_size_caption  # noqa: E402
from deconvlib.course.explorer import Choice, Explorer  # noqa: E402
from deconvlib.course.explorers import (  # noqa: E402
    CUSTOM,
    FORWARD_CASES,
    FORWARD_PARAMETERS,
    GUIDE_CASES,
    ArtifactExplorer,
    DecoderExplorer,
    DoctorExplorer,
    ForwardExplorer,
    GroupsExplorer,
    GuideExplorer,
    MatrixExplorer,
    OverlapExplorer,
    PaddingSolver,
    PoolingExplorer,
    ScatterExplorer,
    StampsExplorer,
    dilation_explorer,
    pipeline_explorer,
)
from deconvlib.explain import overlap_verdict, relationship, solve_padding_text  # noqa: E402
from deconvlib.trace import input_cells_under, trace_conv2d  # noqa: E402

PNG = b"\x89PNG"
EXPLORERS = [
    GuideExplorer,
    PaddingSolver,
    MatrixExplorer,
    ScatterExplorer,
    OverlapExplorer,
    ArtifactExplorer,
    DecoderExplorer,
    GroupsExplorer,
    StampsExplorer,
    DoctorExplorer,
]


def reachable(cls):
    """Every combination of ``cls``'s slider ranges that the limits allow (output_padding < max(s, d))."""
    names = list(cls.specs)
    ranges = [range(low, high + 1) for _, low, high, _ in cls.specs.values()]
    for combo in itertools.product(*ranges):
        values = dict(zip(names, combo))
        if values.get("output_padding", 0) >= max(values.get("stride", 1), values.get("dilation", 1)):
            continue
        yield values


@pytest.fixture(scope="module")
def explorers():
    return {cls: cls() for cls in EXPLORERS}


@pytest.mark.parametrize("cls", EXPLORERS, ids=lambda c: c.__name__)
def test_every_reachable_combination_computes_or_says_why(cls, explorers):
    ex = explorers[cls]
    n_ok = n_refused = 0
    for values in reachable(cls):
        try:
            data = ex.compute(values)
        except ValueError as error:
            assert str(error), values
            n_refused += 1
            ex.describe(values, None)
            continue
        n_ok += 1
        assert isinstance(ex.describe(values, data), str)
    assert n_ok > 0
    if cls in (GuideExplorer, PaddingSolver, GroupsExplorer, MatrixExplorer, ScatterExplorer):
        assert n_refused > 0  # some combinations are impossible: they get an explanation


@pytest.mark.parametrize("cls", EXPLORERS, ids=lambda c: c.__name__)
def test_the_figure_follows_500_random_combinations_in_place(cls, explorers):
    """compute + draw (artists updated in place, no PNG) on every combination, or 500 seeded random ones."""
    ex = explorers[cls]
    combos = list(reachable(cls))
    for values in random.Random(500).sample(combos, min(500, len(combos))):
        result = ex.show(values)
        if isinstance(result, str):
            assert result.startswith("⚠ ") and len(result) > 3, values
        else:
            assert result is ex.figure and ex.data is not None


@pytest.mark.parametrize("cls", EXPLORERS, ids=lambda c: c.__name__)
def test_moving_the_sliders_draws_or_explains(cls, explorers):
    ex = explorers[cls]
    combos = list(reachable(cls))
    rng = random.Random(cls.__name__)
    for values in rng.sample(combos, min(40, len(combos))):
        ex.set(**values)
        current = ex.current()
        assert current.get("output_padding", 0) < max(current.get("stride", 1), current.get("dilation", 1))
        if ex.message is None:
            html = ex.output.outputs[0]["data"]["text/html"]
            assert base64.b64encode(ex.svg.encode()).decode() in html and ex.svg.startswith("<svg")
            assert ex.png.startswith(PNG)  # the same figure as PNG, for a static copy of the notebook
        else:
            assert ex.message.startswith("⚠") and "text/html" in ex.output.outputs[0]["data"]


def test_output_padding_limit_follows_stride_and_dilation():
    ex = GuideExplorer()
    ex.set(stride=3, dilation=1)
    assert ex.sliders["output_padding"].max == 2
    ex.set(stride=1, dilation=1)
    assert ex.sliders["output_padding"].max == 0 and ex.sliders["output_padding"].value == 0
    ex.set(dilation=2)
    assert ex.sliders["output_padding"].max == 1


def test_pixel_and_stamp_sliders_follow_the_input_size():
    m = MatrixExplorer()
    m.set(size=3)
    assert m.sliders["pixel"].max == 8
    m.set(size=1)
    assert m.sliders["pixel"].max == 0 and m.message is None
    s = ScatterExplorer()
    s.set(size=3, stamp=9)
    assert s.figure.upto == 8
    s.set(size=2)
    assert s.sliders["stamp"].max == 4 and s.figure.upto == 3


@pytest.mark.parametrize("name", GUIDE_CASES)
def test_each_named_case_sets_the_sliders_and_draws_the_guides_figure(name):
    ex = GuideExplorer(case="no_padding_no_strides_transposed")
    ex.case.value = name
    case = GUIDE_CASES[name]
    assert ex.case_values(name) == {k: v for k, v in ex.current().items()}
    assert ex.message is None and ex.figure.trace.output.shape == case.output_size
    assert ex.case.value == name
    assert f"{case.output_size[0]}×{case.output_size[1]}" in ex.caption.value  # gallery.explain's arithmetic


def test_the_guide_explorer_has_the_guides_eight_transposed_figures():
    guide = {
        "no_padding_no_strides",
        "arbitrary_padding_no_strides",
        "same_padding_no_strides",
        "full_padding_no_strides",
        "no_padding_strides",
        "padding_strides",
        "padding_strides_odd",
        "dilation",
    }
    assert {n + "_transposed" for n in guide} <= set(GUIDE_CASES)
    # the captions of Dumoulin & Visin: i′ → o′
    sizes = {
        n: (GUIDE_CASES[n + "_transposed"].input_size, GUIDE_CASES[n + "_transposed"].output_size[0]) for n in guide
    }
    assert sizes == {
        "no_padding_no_strides": (2, 4),
        "arbitrary_padding_no_strides": (6, 5),
        "same_padding_no_strides": (5, 5),
        "full_padding_no_strides": (7, 5),
        "no_padding_strides": (2, 5),
        "padding_strides": (3, 5),
        "padding_strides_odd": (3, 6),
        "dilation": (3, 7),
    }


def test_moving_a_slider_off_a_case_shows_custom_and_back():
    ex = GuideExplorer(case="padding_strides_transposed")
    ex.sliders["padding"].value = 2
    assert ex.case.value == CUSTOM
    ex.sliders["padding"].value = 1
    assert ex.case.value == "padding_strides_transposed"
    with pytest.raises(ValueError, match="case must be one of"):
        GuideExplorer(case="nope")


def test_solver_text_and_overlap_verdict():
    assert solve_padding_text(4, 4, 8, stride=2).startswith("padding=1, output_padding=0")
    assert solve_padding_text(4, 3, 20, stride=2).startswith("⚠")
    assert "holes" in overlap_verdict(3, 2, dilation=2)
    assert "even (s divides k)" in overlap_verdict(6, 3)
    ex = PaddingSolver()
    ex.set(size=4, kernel_size=3, stride=2, dilation=1, target=20)
    assert ex.message.startswith("⚠ target 20 is out of reach") and "⚠" in ex.caption.value


def test_groups_explorer_explains_groups_that_do_not_divide():
    ex = GroupsExplorer()
    ex.set(c_in=8, c_out=4, groups=3)
    assert ex.message == "⚠ groups=3 must divide both c_in and c_out, got c_in=8, c_out=4"
    ex.set(groups=4)
    assert ex.message is None and "(4, 4, 8, 1)" in ex.caption.value and "(8, 1, 4, 4)" in ex.caption.value


def test_decoder_explorer_shows_the_dcgan_shapes():
    ex = DecoderExplorer()
    assert "4 → 8 → 16 → 32 → 64 (exactly ×2 per layer)" in ex.caption.value
    ex.set(kernel_size=1, stride=1, padding=3)
    assert ex.message.startswith("⚠")


def test_the_stamps_explorer_shows_the_uneven_pattern_and_with_ones_the_output_is_the_count():
    ex = StampsExplorer()
    assert "taps per cell: 1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1" in ex.caption.value
    assert "uneven, because s = 2 does not divide k = 3" in ex.caption.value
    assert ex.figure.counts.tolist() == ex.data["counts"].tolist()
    ex.set(ones=True)
    assert ex.data["output"].tolist() == ex.data["counts"].tolist()
    assert ex.data["stamps"].sum(axis=0).tolist() == ex.data["counts"].tolist()
    ex.set(kernel_size=4)
    assert "even, because s = 2 divides k = 4" in ex.caption.value
    ex.set(padding=1)  # the full canvas stays; the bars of the cropped ends are pink
    assert ex.figure.counts.size == ex.data["counts"].size + 2
    ex.set(size=1, kernel_size=1, padding=1)
    assert ex.message.startswith("⚠") and "o = " in ex.caption.value
    ex.reset()
    assert ex.ones.value is False and ex.message is None


def test_the_doctor_explorer_changes_one_layer_of_a_real_stack():
    ex = DoctorExplorer()
    assert ex.data.output_shape == (1, 3, 64, 64) and ex.data.map_contrast() == 1.0
    assert "[64×64]" in ex.figure.heading[0] and "risk none" in ex.caption.value
    ex.set(kernel_size=3)  # the last layer: 2, 1 per axis, 4 : 1 in the map
    assert ex.data.output_shape == (1, 3, 63, 63) and ex.data.map_contrast() == 4.0
    assert "uneven 2:1" in ex.caption.value
    ex.set(stack="unet", layer=5)  # its own numbers come with the layer: k3 s2 p1 (op1)
    assert {k: ex.current()[k] for k in ("kernel_size", "stride", "padding")} == dict(
        kernel_size=3, stride=2, padding=1
    )
    assert ex.sliders["layer"].max == 5 and "does NOT round-trip" in ex.caption.value
    assert ex.data.overlap_map.shape == (44, 44)
    ex.sliders["layer"].value = 4  # a student moving the slider: up2's k2 s2 p0 come in
    assert {k: ex.current()[k] for k in ("kernel_size", "stride", "padding")} == dict(
        kernel_size=2, stride=2, padding=0
    )
    ex.choosers["stack"].value = "audio"  # three layers less: the slider follows
    assert ex.sliders["layer"].max == 3 and ex.current()["layer"] == 3 and ex.figure.counts.ndim == 1
    figure = ex.figure
    ex.set(stack="dcgan", layer=0, kernel_size=1, padding=1)  # 1×1 in, 1 − 2 < 1 out: refused, naming the layer
    assert ex.message.startswith("⚠ layer 0 ('project')") and "DCGAN" in ex.caption.value
    ex.set(padding=0)
    assert ex.message is None and ex.figure is figure  # updated in place


@pytest.mark.parametrize("cls", EXPLORERS, ids=lambda c: c.__name__)
def test_an_unknown_keyword_or_slider_is_a_value_error_that_names_it(cls):
    with pytest.raises(ValueError, match=f"{cls.__name__} got an unknown parameter 'speed'"):
        cls(speed=2)
    ex = cls()
    before, renders = ex.current(), ex.renders
    with pytest.raises(ValueError, match=f"{cls.__name__} has no slider 'speed'; its sliders are "):
        ex.set(**{next(iter(cls.specs)): 1, "speed": 2})
    assert ex.current() == before and ex.renders == renders  # nothing moved


@pytest.mark.parametrize("cls", EXPLORERS, ids=lambda c: c.__name__)
def test_reset_puts_every_slider_back_to_its_start_value(cls):
    ex = cls()
    start, caption = {name: s.value for name, s in ex.sliders.items()}, ex.caption.value
    assert ex.start == start
    if cls is not GuideExplorer:  # the guide starts on its figure's values
        assert start == {name: spec[3] for name, spec in cls.specs.items()}
    ex.set(**{name: s.max if s.value == s.min else s.min for name, s in ex.sliders.items()})
    assert {name: s.value for name, s in ex.sliders.items()} != start
    ex.reset_button.click()
    assert {name: s.value for name, s in ex.sliders.items()} == start
    assert ex.message is None and ex.png.startswith(PNG) and ex.caption.value == caption


def test_reset_brings_the_guide_back_to_its_figure():
    ex = GuideExplorer(case="dilation_transposed")
    ex.case.value = "no_padding_no_strides_transposed"
    ex.set(padding=3)
    assert ex.case.value == CUSTOM
    ex.reset()
    assert ex.case.value == "dilation_transposed" and ex.current() == ex.case_values("dilation_transposed")


# --- notebook 0: the forward convolution and pooling, with a cell picker ---

PICKERS = [ForwardExplorer, PoolingExplorer]


def sizes(cls):
    """Every combination of ``cls``'s sliders but the picker (step, row, col), and both modes for pooling."""
    names = [n for n in cls.specs if n not in ("step", "row", "col")]
    ranges = [range(cls.specs[n][1], cls.specs[n][2] + 1) for n in names]
    modes = ["max", "avg"] if cls is PoolingExplorer else [None]
    for combo in itertools.product(*ranges):
        for mode in modes:
            yield {**dict(zip(names, combo)), **({"mode": mode} if mode else {})}


@pytest.mark.parametrize("cls", PICKERS, ids=lambda c: c.__name__)
def test_the_pickers_compute_every_combination_and_draw_300(cls):
    ex = cls()
    combos = list(sizes(cls))
    n_ok = n_refused = 0
    for values in combos:
        values = {**ex.current(), **values}
        try:
            data = ex.compute(values)
        except ValueError as error:
            assert str(error) and isinstance(ex.describe(values, None), str)
            n_refused += 1
            continue
        n_ok += 1
        assert data.output.shape == ex.output_shape(values)
        assert isinstance(ex.describe(values, data), str)
    assert n_ok > 0 and n_refused > 0
    rng = random.Random(cls.__name__)
    for values in rng.sample(combos, 300):
        values = {**ex.current(), **values, "step": rng.randint(1, cls.specs["step"][2])}
        result = ex.show(values)
        if isinstance(result, str):
            assert result.startswith("⚠ ") and len(result) > 3, values
        else:
            assert result is ex.figure and ex.figure.step < ex.data.n_steps


@pytest.mark.parametrize("cls", PICKERS, ids=lambda c: c.__name__)
def test_the_cell_picker_and_the_step_name_the_same_output_cell(cls):
    ex = cls()
    rng = random.Random(7)
    for _ in range(40):
        name = rng.choice(list(cls.specs))
        slider = ex.sliders[name]
        ex.set(**{name: rng.randint(slider.min, slider.max)})
        if ex.message is not None:
            continue
        oh, ow = ex.data.output.shape
        row, col, step = (ex.sliders[n].value for n in ("row", "col", "step"))
        assert (ex.sliders["row"].max, ex.sliders["col"].max, ex.sliders["step"].max) == (oh - 1, ow - 1, oh * ow)
        assert step == row * ow + col + 1 and ex.figure.step == step - 1
        origin = ex.data.step(step - 1).origin
        assert ex.figure.window.origin == origin
        assert ex.figure.reads.cells() == input_cells_under(ex.data, origin)
        assert ex.png.startswith(PNG)


def test_moving_the_step_moves_the_picker_and_back():
    ex = ForwardExplorer(case="no_padding_no_strides")  # 4×4 input, 3×3 kernel: a 2×2 output
    ex.sliders["step"].value = 4
    assert (ex.sliders["row"].value, ex.sliders["col"].value) == (1, 1)
    ex.sliders["row"].value = 0
    assert ex.sliders["step"].value == 2
    assert "out(0, 1) = " in ex.caption.value and "relationship 1 (no zero padding, unit strides)" in ex.caption.value
    ex.set(size=2)  # an empty output: explained, the picker stays
    assert ex.message.startswith("⚠") and "empty" in ex.caption.value


@pytest.mark.parametrize("name", FORWARD_CASES)
def test_each_forward_case_sets_the_sliders_and_names_its_relationship(name):
    ex = ForwardExplorer(case="no_padding_no_strides")
    ex.case.value = name
    case = FORWARD_CASES[name]
    assert {k: ex.current()[k] for k in FORWARD_PARAMETERS} == ex.case_values(name)
    assert ex.message is None and ex.data.output.shape == case.output_size and ex.case.value == name
    number = relationship(False, case.input_size, case.kernel_size, case.stride, case.padding, 0, case.dilation)[0][0]
    assert f"relationship {number} (" in ex.caption.value


def test_the_forward_explorer_has_the_guides_relationships_1_to_6_and_15():
    numbers = {ForwardExplorer.cases[n].name: None for n in ForwardExplorer.cases}
    for name in numbers:
        c = FORWARD_CASES[name]
        numbers[name] = relationship(False, c.input_size, c.kernel_size, c.stride, c.padding, 0, c.dilation)[0][0]
    assert {1, 2, 3, 4, 5, 6, 15} <= set(numbers.values())
    ex = ForwardExplorer()
    ex.sliders["padding"].value = 0
    assert ex.case.value == "no_padding_strides"
    ex.sliders["padding"].value = 3
    assert ex.case.value == CUSTOM
    with pytest.raises(ValueError, match="case must be one of"):
        ForwardExplorer(case="nope")


def test_pooling_toggle_window_and_winner():
    ex = PoolingExplorer()  # the guide's figure 1.6: 5×5 input, 3×3 window, stride 1
    assert ex.data.output.tolist() == [[3, 3, 3], [3, 3, 3], [3, 2, 3]]
    assert "relationship 7 (max pooling)" in ex.caption.value
    ex.set(row=2, col=1)
    assert ex.figure.winners["padded"].cells() == [(2, 2)] and "= 2" in ex.caption.value
    ex.mode.value = "avg"
    assert ex.figure.winners["padded"].cells() == [] and "mean(" in ex.caption.value
    assert "relationship 7 (average pooling)" in ex.caption.value
    ex.set(kernel_size=1)
    assert ex.sliders["padding"].max == 0
    ex.set(kernel_size=4, padding=2, mode="max")
    assert ex.message is None and "of −∞" in ex.figure.titles.strings[1] + " ".join(ex.figure.titles.strings)
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg', got 'min'"):
        ex.set(mode="min")


@pytest.mark.parametrize("cls", PICKERS, ids=lambda c: c.__name__)
def test_the_pickers_reject_unknown_names_and_reset(cls):
    with pytest.raises(ValueError, match=f"{cls.__name__} got an unknown parameter 'speed'"):
        cls(speed=2)
    ex = cls()
    before, renders = ex.current(), ex.renders
    with pytest.raises(ValueError, match=f"{cls.__name__} has no slider 'speed'; its sliders are "):
        ex.set(size=3, speed=2)
    assert ex.current() == before and ex.renders == renders
    start, caption = ex.current(), ex.caption.value
    ex.set(size=ex.sliders["size"].min + 1, stride=ex.sliders["stride"].max)
    if cls is PoolingExplorer:
        ex.mode.value = "avg"
    assert ex.current() != start
    ex.reset_button.click()
    assert ex.current() == start and ex.caption.value == caption and ex.message is None


class Figure:
    """A stand-in figure: remembers what it was last given."""

    def __init__(self, data, figsize):
        self.data = data

    def update(self, data):
        self.data = data

    def to_png(self, dpi):
        return PNG + repr(self.data).encode()


class Chooser(Explorer):
    """An explorer with a dropdown and a checkbox beside one slider, from its tables alone."""

    specs = {"n": ("n", 1, 5, 2)}
    choices = {
        "power": Choice("power", (("square", 2), ("cube", 3)), 2, widget=widgets.Dropdown),
        "negative": Choice("negative", (("no", False), ("yes", True)), False, widget=widgets.Checkbox),
    }

    def compute(self, values):
        return (-1 if values["negative"] else 1) * values["n"] ** values["power"]

    def draw(self, data, values):
        return self.keep_figure(Figure, data)

    def describe(self, values, data):
        return str(data)


def test_choices_come_from_a_table_and_redraw_once_per_move():
    ex = Chooser(power=3)
    assert [type(w) for w in ex.choosers.values()] == [widgets.Dropdown, widgets.Checkbox]
    assert all(w in ex.ui.children for w in ex.choosers.values())
    assert ex.current() == {"power": 3, "negative": False, "n": 2} and ex.data == 8
    renders = ex.renders
    ex.choosers["negative"].value = True  # a click: one redraw
    assert ex.data == -8 and ex.described == "-8" and ex.renders == renders + 1
    ex.set(power=2, n=4, negative=0)  # 0 is the option False; one redraw for all three
    assert ex.data == 16 and ex.renders == renders + 2 and ex.choosers["negative"].value is False
    with pytest.raises(ValueError, match=r"power must be 2 or 3, got 4"):
        ex.set(power=4, n=1)
    assert ex.current() == {"power": 2, "negative": False, "n": 4} and ex.renders == renders + 2  # nothing moved
    with pytest.raises(ValueError, match="no slider 'm'; its sliders are n and its choices power, negative"):
        ex.set(m=1)
    with pytest.raises(ValueError, match="power must be 2 or 3, got 'cube'"):
        Chooser(power="cube")
    ex.reset()
    assert ex.current() == {"power": 3, "negative": False, "n": 2} and ex.data == 8
    assert repr(ex) == "Chooser(power=3, negative=False, n=2)"


@pytest.mark.parametrize("i, k, s, p, d", [(5, 3, 2, 1, 1), (7, 3, 1, 0, 2), (6, 4, 3, 2, 1), (1, 1, 1, 0, 1)])
def test_the_forward_size_caption_shows_conv_output_size(i, k, s, p, d):
    caption = conv_output_size_caption(trace_conv2d(np.ones((i, i)), np.ones((k, k)), s, p, d))
    assert caption.endswith(f"<b>{dl.conv_output_size(i, k, s, p, d)}</b>")
    assert f"⌊({i} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1" in caption


# --- issue 22, item 17: a bad value is refused by name, by the constructor and by set() alike ---


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: PoolingExplorer(mode="min"), "mode"),
        (lambda: PoolingExplorer().set(mode="min"), "mode"),
        (lambda: StampsExplorer(ones="yes"), "ones"),
        (lambda: pipeline_explorer().set(stride=None), "stride"),
        (lambda: pipeline_explorer().set(stride=2.7), "stride"),
        (lambda: pipeline_explorer(stride=2.5), "stride"),
        (lambda: dilation_explorer(kernel_size=10**6), "kernel_size"),
        (lambda: dilation_explorer(output_padding=10**6, dilation=10**6 + 1), "output_padding"),
    ],
)
def test_issue_22_item_17_a_bad_value_is_a_parameter_error_that_names_it(make, name):
    with pytest.raises(dl.ParameterError) as caught:
        make()
    assert caught.value.parameter == name and name in str(caught.value)


def test_issue_22_item_17_set_takes_what_the_constructor_takes_and_moves_nothing_on_a_refusal():
    ex = pipeline_explorer()
    before, renders = ex.current(), ex.renders
    for value in (2.7, None, "2"):
        with pytest.raises(dl.ParameterError, match=f"PipelineExplorer's stride must be an integer, got {value!r}"):
            ex.set(size=4, stride=value)
        with pytest.raises(dl.ParameterError, match=f"PipelineExplorer's stride must be an integer, got {value!r}"):
            pipeline_explorer(stride=value)
    assert ex.current() == before and ex.renders == renders
    ex.set(stride=np.int64(3))
    assert ex.current()["stride"] == 3 and pipeline_explorer(stride=np.int64(3)).current()["stride"] == 3
    assert dilation_explorer(kernel_size=3).data.output.shape == (7, 7)  # inside the sliders' range: drawn


def test_issue_22_item_17_set_scale_and_the_command_line_take_one_range_and_name_scale():
    import argparse

    from deconvlib import cli, course
    from deconvlib._validate import SCALE_RANGE

    low, high = SCALE_RANGE
    with pytest.raises(dl.ParameterError, match="scale must be between 0.5 and 4, got None") as caught:
        course.set_scale(None)
    assert caught.value.parameter == "scale"
    for value in (low / 2, high * 2, float("nan"), "big"):
        with pytest.raises(dl.ParameterError, match="scale must be between"):
            course.set_scale(value)
        with pytest.raises(argparse.ArgumentTypeError):
            cli._scale(str(value))
    try:
        for value in (low, high):
            assert cli._scale(str(value)) == value
            course.set_scale(value)
            assert course.get_scale() == value
    finally:
        course.set_scale(1)


def test_issue_22_item_17_animate_takes_the_same_scale_range():
    from deconvlib._validate import SCALE_RANGE
    from deconvlib.viz.animation import animate

    low, high = SCALE_RANGE
    assert animate(input_size=2, kernel_size=1, scale=high).frame_count > 0
    for value in (low / 2, high * 2):
        with pytest.raises(ValueError, match=f"scale must be between {low:g} and {high:g}"):
            animate(input_size=2, kernel_size=1, scale=value)


def test_the_projector_scale_sizes_the_words_around_the_figure_too():
    """set_scale(1.5): slider labels, readouts, the caption and buttons at 19.5 px (13 px × 1.5), sliders wider."""
    from deconvlib import course

    ex = pipeline_explorer()
    width = int(ex.sliders["stride"].layout.width.removesuffix("px"))
    assert "font-size" not in ex.sheet.value and "deconvlib-scale-100" in ex.ui._dom_classes
    try:
        course.set_scale(1.5)
        ex.set(stride=2)  # an explorer made before set_scale follows it at its next move, words and figure
        assert "deconvlib-scale-150" in ex.ui._dom_classes and "deconvlib-scale-100" not in ex.ui._dom_classes
        assert ".deconvlib-scale-150 .widget-html-content" in ex.sheet.value  # the caption
        assert ".deconvlib-scale-150 .widget-readout" in ex.sheet.value and "font-size: 19.5px" in ex.sheet.value
        assert int(ex.sliders["stride"].layout.width.removesuffix("px")) == round(width * 1.5)
        assert ex.figure.scale == 1.5
    finally:
        course.set_scale(1)
    ex.set(stride=1)
    assert "font-size" not in ex.sheet.value and int(ex.sliders["stride"].layout.width.removesuffix("px")) == width


def test_the_words_around_a_figure_are_the_students_not_the_librarys():
    # issue 24, item 7: the pooling refusal said "dilated kernel … axis 1 of X"
    pooling = PoolingExplorer()
    pooling.set(size=2, kernel_size=4, padding=0)
    assert pooling.message.startswith("⚠ no output: the 4×4 window is larger than the padded input, 2 + 2·0 = 2")
    assert "dilated" not in pooling.message and "axis" not in pooling.message
    pooling.set(padding=1)
    assert pooling.message is None and pooling.data.output.shape == (1, 1)
    # the overlap note named its maps "0, 1"
    overlap = OverlapExplorer()
    overlap.set(kernel_size=7, stride=4, dilation=3)
    assert overlap.figure.note.strings
    assert " ".join(overlap.figure.note.strings).endswith(": transposed conv, resize ×4")
    # "… a checkerboard Each image …"
    artifacts = ArtifactExplorer()
    assert "a checkerboard. Each image runs" in artifacts.caption.value
