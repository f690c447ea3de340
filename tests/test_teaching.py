"""The teacher's guide (``docs/teaching.md``) and the printable formula sheet (``docs/formula_sheet.html``).

Issue 24, item 8. The guide must cover every notebook, its lesson plans must add up, its
self-checks must be right, and every explorer setting it cites must show what it says: each is
run here. The sheet must be current (its worked example is the library's), self-contained (no
request leaves the page), one page on A4 and Letter, and readable in greyscale.
"""

import ast
import html
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="the explorers need deconvlib[course]")

import formula_sheet  # tools/, on sys.path from conftest.py

import deconvlib as dl
from deconvlib import course
from deconvlib.course.explorers import example_input, example_kernel
from deconvlib.viz import drawing
from deconvlib.viz.drawing import COLORS

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "teaching.md"
SHEET = ROOT / "docs" / "formula_sheet.html"

#: Every notebook by the title the guide gives it → its file: the one list to update when a notebook is
#: renamed (the guide's time table names the same files).
NOTEBOOKS = {
    "The course (index)": "00_index.ipynb",
    "Convolution and pooling": "00_warmup_convolution_and_pooling.ipynb",
    "Start here": "01_start_here.ipynb",
    "Stage 1: inserted zeros": "02_dilation.ipynb",
    "Stage 2: padding": "03_padding.ipynb",
    "Stage 3: the kernel sweep": "04_kernel_sweep.ipynb",
    "Shape arithmetic": "05_shape_arithmetic.ipynb",
    "Three views, one answer": "06_three_views.ipynb",
    "Checkerboard artifacts": "07_checkerboard_artifacts.ipynb",
    "Channels, batches and groups": "08_channels_batches_groups.ipynb",
    "One dimension": "09_one_dimension.ipynb",
    "Decoder doctor": "10_decoder_doctor.ipynb",
}
INDEX = "The course (index)"


def guide():
    return GUIDE.read_text(encoding="utf-8")


def section(text, heading):
    """The text under the Markdown heading ``heading`` (any level), up to the next heading of that level or above."""
    match = re.search(rf"^(#+) {re.escape(heading)}\n", text, flags=re.M)
    assert match, f"docs/teaching.md has no section {heading!r}"
    level = len(match.group(1))
    rest = text[match.end() :]
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.M)
    return rest[: end.start()] if end else rest


def table_rows(text):
    """The body rows of the Markdown tables in ``text``, as lists of stripped cells."""
    rows = [line.strip().strip("|").split("|") for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row] for row in rows if not set("".join(row)) <= set("-: ")][1:]


# --- the guide -----------------------------------------------------------------------------


def test_the_guide_and_the_sheet_are_linked_from_the_readme_and_the_index():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/teaching.md)" in readme and "](docs/formula_sheet.html)" in readme
    front = readme[readme.index("**In front of a class.**") :][:2500]
    assert "docs/teaching.md" in front, "the README links the guide near 'In front of a class'"
    index = nbformat.read(ROOT / "notebooks" / NOTEBOOKS[INDEX], as_version=4)
    teachers = [cell.source for cell in index.cells if cell.source.startswith("## For teachers")]
    assert len(teachers) == 1
    assert "docs/teaching.md" in teachers[0] and "docs/formula_sheet.html" in teachers[0]
    assert "](formula_sheet.html)" in guide(), "the guide links the sheet"


def test_the_list_of_notebooks_is_the_notebooks_folder_and_their_titles():
    assert sorted(NOTEBOOKS.values()) == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    for title, name in NOTEBOOKS.items():
        heading = nbformat.read(ROOT / "notebooks" / name, as_version=4).cells[0].source.splitlines()[0]
        assert title.removesuffix(" (index)").lower() in heading.lower(), (title, heading)


def test_every_notebook_has_its_time_in_class_and_as_homework():
    rows = {row[0]: row for row in table_rows(section(guide(), "Time per notebook"))}
    assert set(rows) == set(NOTEBOOKS)
    for title, name in NOTEBOOKS.items():
        _, file, explorers, exercises, in_class, homework = rows[title]
        assert file == f"`{name}`"
        for minutes in (in_class, homework):
            assert re.fullmatch(r"\d+ min", minutes) and int(minutes.split()[0]) > 0, (title, minutes)
        notebook = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
        shown = sum(bool(re.search(r"course\.\w*(Explorer|Solver|_explorer)\(", source)) for source in code)
        tagged = sum(any(t.startswith("exercise:") for t in cell.metadata.get("tags", [])) for cell in notebook.cells)
        assert int(explorers) == shown, f"{title}: {shown} cells show an explorer, the guide says {explorers}"
        assert int(exercises.split()[0]) == tagged, f"{title}: {tagged} exercises, the guide says {exercises}"


@pytest.mark.parametrize(
    ("plan", "lessons", "minutes"), [("Two lessons of 90 minutes", 2, 90), ("Four lessons of 45 minutes", 4, 45)]
)
def test_each_lesson_plan_fills_its_lessons_exactly(plan, lessons, minutes):
    total = {}
    for lesson, length, _ in table_rows(section(guide(), plan)):
        total[int(lesson)] = total.get(int(lesson), 0) + int(length)
    assert total == {n: minutes for n in range(1, lessons + 1)}


def test_the_lesson_plans_use_the_time_table():
    """A notebook taught in a lesson gets the minutes the time table gives it in class."""
    times = {row[0]: int(row[4].split()[0]) for row in table_rows(section(guide(), "Time per notebook"))}
    for plan in ("Two lessons of 90 minutes", "Four lessons of 45 minutes"):
        taught = {}
        for _, length, what in table_rows(section(guide(), plan)):
            title = next((t for t in NOTEBOOKS if t != INDEX and what.startswith(t)), None)
            if title is not None:
                taught[title] = int(length)
        assert taught == {t: times[t] for t in taught}, plan
        assert set(taught) == set(NOTEBOOKS) - {INDEX, "Convolution and pooling", "One dimension", "Decoder doctor"}


#: A self-check line of the prerequisites: `question` → `answer`.
SELF_CHECK = re.compile(r"^- `(?P<question>[^`]+)` → `(?P<answer>[^`]+)`$", re.M)


def test_the_prerequisites_self_checks_are_right():
    text = section(guide(), "Prerequisites, with a self-check")
    for topic in ("numpy slicing", "`np.pad`", "Transposes", "Modular arithmetic"):
        assert f"**{topic}" in text
    checks = SELF_CHECK.findall(text)
    assert len(checks) == 8, "two lines for each of the four topics"
    for question, answer in checks:
        assert eval(question, {"np": np}) == ast.literal_eval(answer), question  # noqa: S307


def test_every_lesson_has_misconceptions_and_questions_with_answers():
    text = section(guide(), "Per notebook: misconceptions, the setting that shows the truth, questions")
    for title in NOTEBOOKS:
        if title == INDEX:
            continue
        part = section(text, title)
        assert "Misconceptions:" in part and "Questions:" in part, title
        assert re.search(r"`course\.\w+\(", part), f"{title} cites no explorer setting"
        asked = part[part.index("Questions:") :]
        questions = [" ".join(q.split()) for q in re.split(r"^\d+\. ", asked, flags=re.M)[1:]]
        assert len(questions) >= 2, f"{title}: at least two questions"
        for question in questions:
            assert re.fullmatch(r".+\? — .+", question), f"{title}: {question!r} has no short answer after '? —'"


def _counts(e):
    return e.data["counts"].tolist()


#: Every explorer setting the guide cites → what it must show (the explorer, run with those values).
CLAIMS = {
    "course.ForwardExplorer(size=8, kernel_size=3, padding=0, stride=2)": lambda e: e.data.output.shape == (3, 3),
    "course.ForwardExplorer(size=5, kernel_size=3, padding=1, stride=2)": lambda e: e.data.output.shape == (3, 3),
    "course.ForwardExplorer(size=6, kernel_size=3, padding=1, stride=2)": lambda e: e.data.output.shape == (3, 3),
    "course.ForwardExplorer(size=7, kernel_size=3, padding=0, stride=1, dilation=2)": lambda e: (
        e.data.output.shape == (3, 3) and dl.effective_kernel(3, 2) == 5
    ),
    'course.PoolingExplorer(mode="avg", size=5, kernel_size=3, stride=1, padding=1)': lambda e: (
        "out(0, 0) = mean(0, 0, 0, 0, 3, 3, 0, 0, 0) = 6 / 9" in e.caption.value
    ),
    "course.pipeline_explorer(size=3, kernel_size=3, stride=2, padding=0)": lambda e: e.data.output.shape == (7, 7),
    "course.pipeline_explorer(size=3, kernel_size=3, stride=2, padding=1)": lambda e: e.data.output.shape == (5, 5),
    "course.dilation_explorer(size=3, stride=3)": lambda e: e.data.dilated.shape == (7, 7),
    "course.dilation_explorer(size=3, stride=1)": lambda e: np.array_equal(e.data.dilated, example_input(3)),
    "course.pipeline_explorer(size=3, kernel_size=3, stride=1, dilation=2)": lambda e: (
        e.data.dilated.shape == (3, 3) and e.data.pads == (4, 4, 4, 4)
    ),
    "course.padding_explorer(size=3, kernel_size=3, stride=2, padding=1)": lambda e: (
        e.data.pads == (1, 1, 1, 1) and e.data.full.shape == (7, 7) and e.data.output.shape == (5, 5)
    ),
    "course.padding_explorer(size=3, kernel_size=3, stride=2, padding=3)": lambda e: (
        e.message is None and e.data.pads == (-1, -1, -1, -1) and e.data.output.shape == (1, 1)
    ),
    "course.padding_explorer(size=3, kernel_size=3, stride=2, padding=1, output_padding=1)": lambda e: (
        e.data.pads == (1, 2, 1, 2) and e.data.output.shape == (6, 6)
    ),
    "course.padding_explorer(size=3, kernel_size=3, stride=1)": lambda e: e.sliders["output_padding"].max == 0,
    "course.sweep_explorer(size=2, kernel_size=3, stride=2, padding=0, step=1)": lambda e: (
        np.flatnonzero(e.data.step(0).products).tolist() == [8]  # the bottom-right product alone
        and e.data.flipped[2, 2] == example_kernel(3)[0, 0]
        and e.data.step(0).window[2, 2] == example_input(2)[0, 0]
    ),
    "course.sweep_explorer(size=2, kernel_size=3, stride=2, padding=0, step=7)": lambda e: (
        np.count_nonzero(e.data.step(6).products) == 1 and "out(1, 1) = 1·5 = 5" in e.caption.value
    ),
    "course.sweep_explorer(size=2, kernel_size=3, stride=1, dilation=2, step=1)": lambda e: (
        e.data.padded.shape == (10, 10) and e.data.flipped.size == 9
    ),
    'course.GuideExplorer(case="no_padding_strides_transposed")': lambda e: (
        e.current()["size"] == 2 and e.data.output.shape == (5, 5)
    ),
    "course.PaddingSolver(size=4, kernel_size=3, stride=2, target=20)": lambda e: (
        e.data is None and "is 10" in e.message
    ),
    "course.PaddingSolver(size=4, kernel_size=4, stride=2, target=8)": lambda e: (
        "padding=1, output_padding=0" in e.caption.value and e.data.output.shape == (8, 8)
    ),
    "course.MatrixExplorer()": lambda e: e.data.shape == (4, 16),
    "course.ScatterExplorer(size=2, stride=2, padding=0, stamp=1)": lambda e: (
        np.array_equal(e.data.stamps[0][:3, :3], example_input(2)[0, 0] * example_kernel(3)) and e.figure is not None
    ),
    "course.OverlapExplorer(kernel_size=3, stride=2)": lambda e: (
        "repeat 2, 1" in e.caption.value and "uneven" in e.caption.value
    ),
    "course.OverlapExplorer(kernel_size=4, stride=2)": lambda e: (
        "repeat 2, 2" in e.caption.value and "→ even" in e.caption.value
    ),
    "course.OverlapExplorer(kernel_size=5, stride=2)": lambda e: (
        "repeat 3, 2" in e.caption.value and "uneven" in e.caption.value
    ),
    "course.OverlapExplorer(kernel_size=3, stride=2, dilation=2)": lambda e: (
        "repeat 3, 0" in e.caption.value and "holes" in e.caption.value
    ),
    "course.ArtifactExplorer(kernel_size=4, stride=2)": lambda e: "→ even" in e.caption.value,
    "course.DecoderExplorer(kernel_size=3, stride=2, padding=1)": lambda e: (
        [s[1] for s in e.data] == [4, 7, 13, 25, 49]
    ),
    "course.DecoderExplorer(kernel_size=3, stride=2, padding=1, output_padding=1)": lambda e: (
        [s[1] for s in e.data] == [4, 8, 16, 32, 64]
    ),
    "course.GroupsExplorer(c_in=8, c_out=4, groups=2)": lambda e: (
        "(4, 4, 8, 2)" in e.caption.value and "(8, 2, 4, 4)" in e.caption.value
    ),
    "course.GroupsExplorer(c_in=8, c_out=6, groups=4)": lambda e: e.data is None and "divide both" in e.message,
    "course.StampsExplorer()": lambda e: _counts(e) == [1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1],
    "course.StampsExplorer(padding=1)": lambda e: _counts(e) == [1, 2, 1, 2, 1, 2, 1, 2, 1],
    "course.StampsExplorer(dilation=2)": lambda e: _counts(e)[1::2] == [0] * 6 and min(_counts(e)[::2]) > 0,
    'course.DoctorExplorer(stack="unet", layer=5)': lambda e: (
        [t["ok"] for t in e.data.round_trips] == [True, False]
        and e.data.output_shape[2:] == (44, 44)
        and e.data.map_contrast() == 4
        and "does NOT round-trip" in e.caption.value
    ),
    'course.DoctorExplorer(stack="unet", layer=5, kernel_size=4)': lambda e: (
        all(t["ok"] for t in e.data.round_trips) and e.data.output_shape[2:] == (45, 45) and e.data.map_contrast() == 1
    ),
    'course.DoctorExplorer(stack="audio", layer=2)': lambda e: (
        e.data.overlap_map[248:252].tolist() == [44, 40, 44, 40] and "uneven 2:1" in e.caption.value
    ),
    "course.DoctorExplorer(layer=2, kernel_size=3)": lambda e: (
        e.data.layers[2]["risk"] == "uneven 2:1" and e.data.map_contrast() == 1
    ),
}

#: An explorer setting in the guide: `course.Name(...)` in backticks.
CITED = re.compile(r"`(course\.(?!set_scale)\w+\([^`]*\))`")


def test_the_guide_cites_exactly_the_settings_checked_here():
    assert set(CITED.findall(guide())) == set(CLAIMS)


@pytest.mark.parametrize("setting", list(CLAIMS))
def test_each_cited_setting_shows_what_the_guide_says(setting):
    explorer = eval(setting, {"course": course})  # noqa: S307
    assert CLAIMS[setting](explorer), f"{setting} does not show what docs/teaching.md says"


def test_the_guide_presents_voila_the_projector_scale_the_gifs_and_the_teachers_edition():
    text = section(guide(), "How to present")
    for needle in ("make present", "course.set_scale(1.5)", "gallery/index.md", "make teacher", "formula_sheet.html"):
        assert needle in text, needle
    assert (ROOT / "docs" / "gallery" / "index.md").exists()


# --- the formula sheet ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sheet():
    return SHEET.read_text(encoding="utf-8")


def test_the_sheet_is_current(sheet):
    assert formula_sheet.build() == sheet, "docs/formula_sheet.html is stale: run make formula-sheet"


def test_the_worked_example_is_computed_by_the_library(sheet, monkeypatch):
    numbers = formula_sheet.example_numbers()
    X, W = example_input(3), example_kernel(3)
    Y = dl.conv_transpose2d(X, W, stride=2, padding=1, output_padding=1)
    assert numbers["output"] == numbers["trace_output"] == Y.shape[0] == 6
    assert numbers["cell_value"] == Y[formula_sheet.EXAMPLE_CELL]
    assert numbers["cell_sum"].endswith(f"= {Y[formula_sheet.EXAMPLE_CELL]:g}")
    assert html.escape(numbers["cell_sum"]) in sheet
    assert f"= <b>{numbers['output']}</b>" in sheet and f"→ <b>{numbers['padded']}</b>" in sheet
    # another example gives other numbers: they come from the library, not from the page
    monkeypatch.setitem(formula_sheet.EXAMPLE, "size", 4)
    other = formula_sheet.build()
    assert "= <b>8</b>" in other and dl.conv_transpose_output_size(4, 3, 2, 1, 1) == 8


def test_the_sheet_asks_nothing_of_the_network(sheet):
    assert "<script" not in sheet and "<link" not in sheet and "@import" not in sheet
    for attribute, value in re.findall(r'\b((?:xlink:)?href|src)="([^"]*)"', sheet):
        assert value.startswith(("#", "data:")), f"{attribute}={value!r} would be fetched"
    for target in set(re.findall(r"url\(#([^)]*)\)", sheet)):  # a pattern of the sheet or of the figure itself
        assert f'<pattern id="{target}"' in sheet, target
    assert "mathjax" not in sheet.lower()


def test_the_sheet_has_the_formulas_the_course_needs(sheet):
    for needle in (
        "o = ⌊(i + 2p − k̂) / s⌋ + 1",
        "o′ = s·(i′ − 1) + k̂ − 2p + a",
        "0 ≤ a &lt; max(s, d)",
        "k̂ − 1 − p",
        "flipped by 180°",
        'padding="same"',
        "when s\ndivides k",
        "Pooling",
        "numpy-ml",
        "<svg",
    ):
        assert needle.replace("\n", " ") in sheet.replace("\n", " "), needle


def _luminance(colour):
    """WCAG 2.1 relative luminance of ``#rrggbb``."""
    rgb = np.array([int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5)])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def _contrast(a, b):
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


#: The least contrast at which two plain cell kinds count as different greys: WCAG 2.1's 3:1 for graphical
#: objects that must be told apart (success criterion 1.4.11, non-text contrast).
MIN_CONTRAST = 3.0


def test_the_sheet_reads_in_greyscale(sheet):
    """Any two kinds of cell on the sheet differ in texture, or (both plain) in grey by at least 3:1."""
    kinds = formula_sheet.kind_of_colour()
    filled = re.findall(
        r'<path d="([^"]*)" fill="(#[0-9a-f]{6})"[^>]*/>(<path d="[^"]*" fill="url\(#fig-[^)]*\)")?', sheet
    )
    texture = {}
    for d, colour, overlay in filled:
        kind = kinds.get(colour)
        if kind is None:
            continue
        expected = formula_sheet.PATTERNS[kind]
        if expected is None:
            assert not overlay, kind
        else:
            assert overlay == f'<path d="{d}" fill="url(#fig-{kind})"', f"a {kind} cell without its texture"
        # a kind the sheet leaves plain may carry the palette's own cue (hatching, an outline in each cell)
        cue = drawing.HATCHES.get(kind) or drawing.OUTLINES.get(kind)
        texture[kind] = expected or (cue and repr(cue))
    assert {"input", "zero", "pad", "kernel", "output", "cropped"} <= set(texture), sorted(texture)
    for a in texture:
        for b in texture:
            if a < b and texture[a] == texture[b]:
                contrast = _contrast(COLORS[a], COLORS[b])
                assert contrast >= MIN_CONTRAST, f"{a} and {b} print as the same grey ({contrast:.2f}:1)"
    for kind in texture:  # every texture of the sheet's is defined in the figure
        if formula_sheet.PATTERNS[kind] is not None:
            assert f'<pattern id="fig-{kind}"' in sheet


def test_textures_go_on_every_cell_kind_of_a_figure_and_nothing_else():
    """What the sheet does to a figure: each kind's colour (swatches too) gets its texture; other colours none."""
    figure = course.TraceFigure(dl.trace(np.ones((2, 2)), np.ones((3, 3)), stride=2, padding=1))
    plain = figure.to_svg()
    textured = formula_sheet.textured_svg(plain, "t")
    kinds = formula_sheet.kind_of_colour()
    for d, colour in re.findall(r'<path d="([^"]*)" fill="(#[0-9a-f]{6})"', plain):
        kind = kinds.get(colour)
        overlay = f'<path d="{d}" fill="url(#t-{kind})" data-kind="{kind}"/>'
        assert (overlay in textured) == (kind is not None and formula_sheet.PATTERNS[kind] is not None), colour
    own = len(set(re.findall(r'fill="url\(#t-(\w+)\)"', textured)))
    assert textured.count("<pattern ") == own + plain.count("<pattern ")  # the figure's own hatches stay
    textures = [texture for texture in formula_sheet.PATTERNS.values() if texture is not None]
    assert len(set(textures)) == len(textures), "one texture per kind"


def test_the_sheet_prints_on_one_page_of_a4_and_of_letter(browser):
    page = browser.new_page()
    fetched = []
    page.route("**/*", lambda route: (fetched.append(route.request.url), route.continue_()))
    page.goto(SHEET.as_uri())
    page.emulate_media(media="print")
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, print_background=True)
        assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1, f"more than one {paper} page"
    assert fetched == [SHEET.as_uri()]
    page.close()
