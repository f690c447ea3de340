"""Every explorer's figure can be projected: at its sliders' ends and defaults, every text is
at least 11 CSS px tall at 100 % zoom, inside the figure, and clear of every other text.

Sizes are measured at the display size (the SVG the explorer shows is that many CSS px), in
CSS px: a font of ``s`` points is ``s × 96 / 72`` px; the SVG must draw the same texts at the same
places and sizes. ``-s`` prints the smallest text found.
"""

import itertools

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from readable_support import check_readable, check_svg, overlapping  # noqa: E402

from deconvlib.course import explorers as E  # noqa: E402
from deconvlib.viz.drawing import DISPLAY, set_scale  # noqa: E402

#: Every explorer of the course (each class of ``explorers.__all__`` with sliders).
EXPLORERS = [
    cls
    for cls in (getattr(E, name) for name in E.__all__)
    if isinstance(cls, type) and issubclass(cls, E.Explorer) and cls.specs
]
MIN_PX = 11.0
SMALLEST = {}


def positions(cls):
    """The defaults, each slider alone at its min and at its max, and all at their mins and at their maxes."""
    specs = cls.specs
    yield "defaults", {}
    for name, (_, low, high, _) in specs.items():
        yield f"{name}={low}", {name: low}
        yield f"{name}={high}", {name: high}
    yield "all min", {name: spec[1] for name, spec in specs.items()}
    yield "all max", {name: spec[2] for name, spec in specs.items()}


def check_texts(figure, where):
    texts = figure.drawn_texts()
    assert texts, where
    check_readable(texts, figure.display_size(), where, MIN_PX)
    return min(t.size for t in texts)


@pytest.mark.parametrize("cls", EXPLORERS, ids=lambda c: c.__name__)
def test_every_text_is_readable_and_clear_of_the_others(cls):
    ex = cls()
    smallest = []
    for label, values in positions(cls):
        ex.reset()
        ex.set(**values)
        if ex.message is not None:
            continue
        width, height = ex.figure.display_size()
        tallest = ex.figure_height or DISPLAY["max_height"]  # an explorer's figure fits with its sliders on a laptop
        assert width <= DISPLAY["width"] and height <= tallest + 1, f"{label}: {width}×{height}"
        smallest.append(check_texts(ex.figure, f"{cls.__name__} at {label}"))
        html = ex.output.outputs[0]["data"]["text/html"]
        assert f'width="{width}" height="{height}"' in html and 'style="max-width:100%;height:auto"' in html
        check_svg(ex.svg, ex.figure.drawn_texts(), (width, height), f"{cls.__name__} at {label}", MIN_PX)
    assert smallest
    SMALLEST[cls.__name__] = min(smallest)
    print(f"\n{cls.__name__}: smallest text {min(smallest):.1f} px over {len(smallest)} positions")


@pytest.mark.parametrize(
    "cls",
    [E.PipelineExplorer, E.ScatterExplorer, E.OverlapExplorer, E.DecoderExplorer, E.StampsExplorer, E.DoctorExplorer],
)
def test_a_presentation_scale_makes_every_text_larger_in_the_same_width(cls):
    small = cls()
    try:
        set_scale(1.5)
        large = cls()
        assert large.figure.display_size()[0] == small.figure.display_size()[0]
        assert min(t.size for t in large.figure.drawn_texts()) == pytest.approx(
            1.5 * min(t.size for t in small.figure.drawn_texts())
        )
        check_texts(large.figure, f"{cls.__name__} at scale 1.5")
        small.set(**{next(iter(cls.specs)): small.sliders[next(iter(cls.specs))].max})
        assert small.figure.scale == 1.5  # an explorer made before set_scale follows it at its next move
    finally:
        set_scale(1)


def test_too_small_values_are_left_out_and_the_figure_says_so():
    ex = E.PipelineExplorer()
    ex.set(size=5, kernel_size=4, stride=3, dilation=3)
    note = " ".join(ex.figure.note.strings)
    assert "too small to read" in note and "padded grid" in note
    assert ex.figure.grids["padded"].cell_texts() == []
    ex.reset()
    assert ex.figure.note.strings == [] and ex.figure.grids["padded"].cell_texts()


def test_the_png_is_twice_the_display_size():
    import io

    from PIL import Image

    ex = E.PipelineExplorer()
    width, height = ex.figure.display_size()
    assert Image.open(io.BytesIO(ex.png)).size == (2 * width, 2 * height)
    png, metadata = ex.figure._repr_png_()
    assert png.startswith(b"\x89PNG") and metadata == {"width": width, "height": height}


def test_scale_is_checked():
    with pytest.raises(ValueError, match="scale must be between 0.5 and 4, got 0"):
        set_scale(0)


def test_overlapping_finds_overlaps_only():
    assert overlapping([(0, 0, 1, 1), (1, 0, 2, 1), (0.5, 0.5, 1.5, 1.5)]) == [(0, 2), (1, 2)]
    assert list(itertools.chain(*overlapping([(0, 0, 1, 1), (0, 1, 1, 2)]))) == []


@pytest.mark.parametrize("stack", list(E.DOCTOR_STACKS))
def test_every_stack_of_the_doctor_explorer_is_readable_at_each_layer(stack):
    """The readability sweep above runs the first stack only: each stack, each layer with its own numbers."""
    ex = E.DoctorExplorer(stack=stack)
    for layer in range(ex.sliders["layer"].max + 1):
        ex.set(layer=layer)
        assert ex.message is None, f"{stack}, layer {layer}: {ex.message}"
        width, height = ex.figure.display_size()
        assert width <= DISPLAY["width"] and height <= E.DoctorExplorer.figure_height + 1, f"{stack}: {height}"
        check_texts(ex.figure, f"DoctorExplorer({stack!r}) at layer {layer}")
