"""Every figure is described in words (issue 23): explorers' alt text, the stored figures, the gallery's GIFs.

A screen reader reads an ``<img>``'s alt text; nbconvert's HTML export writes none for an
``image/png`` output ("No description has been provided for this image"). So each explorer's
``<img>`` carries a sentence made from the values and the data the figure is drawn from, that
changes with every slider; its caption is a polite live region; its stored figure is also an
``<img>`` with that sentence; and every GIF of the gallery's index and the README has one.
"""

import base64
import copy
import html
import inspect
import re
from pathlib import Path

import pytest

pytest.importorskip("ipywidgets")
nbformat = pytest.importorskip("nbformat")
nbconvert = pytest.importorskip("nbconvert")

from deconvlib.cases import GALLERY  # noqa: E402
from deconvlib.course import explorers  # noqa: E402
from deconvlib.course.explorer import FOCUS_CSS, NAME_CONTROLS_JS, Explorer  # noqa: E402
from deconvlib.explain import animation_alt_text, format_value  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IMG = re.compile(r"<img\b[^>]*>", re.S)
ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""")

#: Every explorer the notebooks show: the concrete Explorer subclasses of deconvlib.course.explorers.
EXPLORERS = sorted(
    (
        cls
        for _, cls in inspect.getmembers(explorers, inspect.isclass)
        if issubclass(cls, Explorer) and cls.specs and cls.__module__ == explorers.__name__
    ),
    key=lambda cls: cls.__name__,
)


def alts(page):
    """The alt text of every ``<img>`` of an HTML page (``None`` where it has no alt attribute)."""
    found = []
    for tag in IMG.findall(page):
        match = ALT.search(tag)
        found.append(None if match is None else html.unescape(match.group(1) or match.group(2) or ""))
    return found


def test_every_explorer_is_checked():
    assert len(EXPLORERS) >= 15, [cls.__name__ for cls in EXPLORERS]


@pytest.mark.parametrize("cls", EXPLORERS, ids=lambda cls: cls.__name__)
def test_the_alt_text_names_the_controls_the_sizes_and_the_cell_being_written(cls):
    ex = cls()
    values, data, alt = ex.current(), ex.data, ex.alt
    assert ex.message is None and alt and alt.startswith(cls.subject)
    shown = html.unescape(re.search(r'alt="([^"]*)"', ex.output.outputs[0]["data"]["text/html"]).group(1))
    assert shown == alt  # the <img> the explorer shows carries it
    for name, (label, *_) in ex.specs.items():
        assert f"{label} {values[name]}" in alt, (name, alt)
    output = getattr(data, "output", None)
    if output is not None and output.ndim == 2:
        assert f"{output.shape[0]}×{output.shape[1]}" in alt, alt
    if "step" in ex.sliders:
        step = data.step(ex.step_index(data, values))
        assert f"out{step.out}" in alt and f"= {format_value(step.value)}" in alt, alt


@pytest.mark.parametrize("cls", EXPLORERS, ids=lambda cls: cls.__name__)
def test_the_alt_text_changes_with_every_slider(cls):
    ex = cls()
    moved = 0
    for name, slider in ex.sliders.items():
        before, start = ex.alt, slider.value
        if slider.min == slider.max:
            continue  # held by another slider (output_padding < max(stride, dilation))
        # the nearest other value the library accepts (groups must divide the channels, ...)
        for value in sorted(range(slider.min, slider.max + 1), key=lambda v: (abs(v - start), v)):
            if value == start:
                continue
            ex.set(**{name: value})
            if ex.message is None:
                break
        assert ex.message is None, f"{cls.__name__}: no other value of {name} draws a figure"
        assert ex.alt != before, f"{cls.__name__}: moving {name} from {start} to {value} left the alt text as it was"
        ex.reset()
        assert ex.alt == before
        moved += 1
    assert moved >= len(ex.sliders) - 1


def test_the_caption_is_a_polite_live_region_and_focus_is_visible():
    ex = explorers.PipelineExplorer()
    ex.set(stride=3)
    caption = ex.caption.value
    assert caption.startswith('<div role="status" aria-live="polite"') and ex.described in caption
    assert "s·(i − 1)" in ex.described and "3·(3 − 1)" in ex.described
    assert FOCUS_CSS in ex.sheet.value and "deconvlib-explorer" in ex.ui._dom_classes
    assert ":focus" in FOCUS_CSS and "noUi-handle" in FOCUS_CSS and "outline:" in FOCUS_CSS
    scatter = explorers.ScatterExplorer()  # a caption without the stride: the region still changes
    described, region = scatter.described, scatter.caption.value
    scatter.set(stride=3)
    assert scatter.described == described and scatter.caption.value != region and "stride 3" in scatter.caption.value


def test_each_explorer_names_its_slider_handles_and_play_buttons_where_it_is_shown():
    """ipywidgets gives neither a name; the browser test checks the result with axe-core."""
    ex = explorers.SweepExplorer()
    assert ex.ui.children[1] is ex.names
    (shown,) = ex.names.outputs
    assert shown["data"]["application/javascript"] == NAME_CONTROLS_JS
    for part in (".widget-label", ".noUi-handle", "aria-label", "fa-play", "fa-pause", ".deconvlib-explorer"):
        assert part in NAME_CONTROLS_JS


def test_a_stored_explorer_shows_its_figure_with_the_alt_text():
    ex = explorers.SweepExplorer(step=3)
    data, metadata = ex._repr_mimebundle_()
    (tag,) = IMG.findall(data["text/html"])
    assert alts(tag) == [ex.alt] and "out(0, 2)" in ex.alt
    assert base64.b64decode(re.search(r"base64,([^\"]+)", tag).group(1)) == ex.png
    assert base64.b64decode(data["image/png"]) == ex.png  # GitHub and the static export tests still find it
    width, height = ex.figure.display_size()
    assert f'width="{width}"' in tag and f'height="{height}"' in tag


def test_a_figure_a_notebook_displays_has_alt_text():
    import numpy as np

    from deconvlib import course, trace

    figure = course.TraceFigure(trace(np.ones((2, 2)), np.ones((3, 3)), stride=2), step=4)
    (alt,) = alts(figure._repr_html_())
    assert alt == figure.alt_text() and "output 5×5" in alt and "out(0, 4)" in alt


def _export(outputs):
    """``jupyter nbconvert --to html`` of a notebook of one code cell with ``outputs``: the page and the log."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=outputs)]
    page, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    return page


def test_nbconvert_finds_alt_text_on_a_stored_explorer_and_figure():
    from deconvlib import course

    ex = explorers.PaddingExplorer()
    data, metadata = ex._repr_mimebundle_()
    data.pop("application/vnd.jupyter.widget-view+json")  # as tools/execute_notebooks.py stores it
    figure = course.MatrixFigure(explorers.MatrixExplorer().data, 1)
    figure_data = {"text/html": figure._repr_html_(), "image/png": base64.b64encode(figure.to_png()).decode()}
    page = _export(
        [
            nbformat.v4.new_output("display_data", data=data, metadata=metadata),
            nbformat.v4.new_output("display_data", data={**figure_data, "text/plain": repr(figure)}),
        ]
    )
    assert alts(page) == [ex.alt, figure.alt_text()]
    # what main stored: an image/png alone, which nbconvert exports without alt
    bare = _export([nbformat.v4.new_output("display_data", data={"image/png": data["image/png"]})])
    assert alts(bare) == ["No description has been provided for this image"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_an_html_export_of_a_stored_notebook_has_no_image_without_alt(path):
    """Passes once the notebooks are executed with this code (``make notebooks``)."""
    nb = nbformat.read(path, as_version=4)
    page, _ = nbconvert.HTMLExporter().from_notebook_node(copy.deepcopy(nb))
    missing = [k for k, alt in enumerate(alts(page)) if not alt or alt.startswith("No description")]
    assert not missing, f"{path.name}: {len(missing)} of {len(alts(page))} images without alt text"


def test_every_gallery_gif_has_alt_text_from_its_case():
    md = (ROOT / "docs" / "gallery" / "index.md").read_text(encoding="utf-8")
    page = (ROOT / "docs" / "gallery" / "index.html").read_text(encoding="utf-8")
    described = {case.name: animation_alt_text(case) for case in GALLERY}
    listed = re.findall(r"!\[([^\]]*)\]\(([\w.]+)\.gif\)", md)
    assert sorted(listed) == sorted((described[c.name], c.name) for c in GALLERY)
    assert len(set(described.values())) == len(GALLERY)  # no two GIFs described alike
    assert page.startswith("<!doctype html><html lang='en'>")  # axe: html-has-lang (serious)
    tags = IMG.findall(page)
    names = [re.search(r"src='(\w+)\.gif'", tag).group(1) for tag in tags]
    assert len(tags) == len(GALLERY) and alts(page) == [described[name] for name in names]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[([^\]]*)\]\(([^)\s]+)", readme)
    assert images and all(alt.strip() for alt, _ in images), [src for alt, src in images if not alt.strip()]


def test_a_gif_alt_text_says_what_each_frame_writes():
    by_name = {case.name: case for case in GALLERY}
    text = animation_alt_text(by_name["dilation_transposed"])
    assert text.startswith("Animation of a transposed convolution, 49 frames: input 3×3, kernel 3×3")
    assert "dilation 2" in text and "output 7×7" in text and "one output cell" in text
    assert "largest value" in animation_alt_text(by_name["numerical_max_pooling"])
