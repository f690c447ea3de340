"""A notebook handed in from the graded site autogrades with nbgrader, for real (issue 21).

The teacher's path (docs/grading.md, "With the site"): ``tools/grading.py nbgrader``, ``nbgrader
generate_assignment``, then ``tools/build_site.py --notebooks release`` builds a site that serves
nbgrader's release. Here for one assignment, the shortest with an exercise answered by a value
(:func:`value_assignment`), to keep the build and the grading short. The site is served as ``make
serve-site`` serves it (every other origin behind a proxy that does not exist), and one student, in
one Chromium profile:

1. opens the notebook and, without answering, runs ``course.hand_in()`` in a new cell and clicks its
   link: the download is the blank hand-in;
2. types the right answer into the exercise cell, runs all cells, saves, runs ``course.hand_in()``
   again in a new cell and clicks its link;
3. saves again (the link's output is now in the notebook) and hands in once more: the answered
   hand-in, which must not carry the one before it.

The kernel reads the notebook from the browser's drive (``hand_in`` lists the folder it runs in),
and each link is a real download (Playwright's ``expect_download``). Both files go, unchanged, into
``submitted/<student>/<assignment>/`` of the course directory the release came from, and
``nbgrader autograde`` in the venv of ``tests/grading_support.py`` gives the answered one full points
and the blank one 0.
"""

import http.server
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest
from browser_support import CHROMIUM, FLAGS, KERNEL_READY, PANEL, skip_without_browser
from grading import exercises, points, sources, split_check, write_nbgrader
from grading_support import gradebook, grading_tools, run
from solutions import SOLUTIONS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402
import serve_site  # noqa: E402
from test_site import DEAD_PROXY, RUN_ALL  # noqa: E402

skip_without_browser("the site's hand-in test")

#: Where the graded site is built: kept, so that its stamp skips the next build while nothing changed.
SITE = ROOT / "build" / "site" / "_site-graded-test"


def value_assignment():
    """``(notebook path, exercise)``: of the notebooks with an exercise answered with a value, the one with the
    fewest code cells (the quickest to run in the site and to grade; the first by name of a tie), and that exercise.
    """
    candidates = [
        (sum(cell.cell_type == "code" for cell in nb.cells), path.name, path, name)
        for path, nb in sources()
        for name in exercises(nb)
        if points(name) == 1  # a value worked out by hand (a function is worth 2)
    ]
    assert candidates, "no notebook has an exercise answered with a value"
    _, _, path, name = min(candidates)
    return path, name


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """``(course directory, notebook name, exercise, tools)``: the release generated, the graded site built."""
    tools = grading_tools()
    path, exercise = value_assignment()
    picked = tmp_path_factory.mktemp("notebooks")
    shutil.copy(path, picked)
    course_dir = tmp_path_factory.mktemp("course")
    (assignment,) = write_nbgrader(course_dir, notebooks=picked)
    run(tools, "nbgrader", "generate_assignment", assignment, "--force", cwd=course_dir)
    start = time.monotonic()
    build = [sys.executable, str(ROOT / "tools" / "build_site.py"), "--notebooks", str(course_dir / "release")]
    done = subprocess.run([*build, "--output", str(SITE)], capture_output=True, text=True)
    assert done.returncode == 0, f"the graded site's build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    print(f"\n[hand-in] graded site of {assignment} ready in {time.monotonic() - start:.0f} s")
    return course_dir, path.name, exercise, tools


def test_the_graded_site_serves_the_release_and_says_how_to_hand_in(graded):
    course_dir, notebook, _, _ = graded
    release = json.loads((course_dir / "release" / Path(notebook).stem / notebook).read_text())
    assert sorted(p.name for p in (SITE / "files").glob("*.ipynb")) == [notebook]
    served = json.loads((SITE / "files" / notebook).read_text())
    assert served["cells"] == release["cells"]  # nbgrader's metadata, checksums and locks as released
    assert list(json.loads((SITE / build_site.VERSIONS_NAME).read_text())) == [notebook]
    assert "course.hand_in()" in (SITE / "index.html").read_text()


def test_the_notebooks_option_refuses_an_empty_folder_and_two_notebooks_of_one_name(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build_site, "NOTEBOOKS", build_site.NOTEBOOKS)  # main() sets it; restored after
    with pytest.raises(SystemExit) as exited:
        build_site.main(["--notebooks", str(tmp_path), "--output", str(tmp_path / "out")])
    assert exited.value.code == 2 and "no notebook in" in capsys.readouterr().err
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.ipynb").write_text("{}")
    with pytest.raises(SystemExit) as exited:
        build_site.main(["--notebooks", str(tmp_path), "--output", str(tmp_path / "out")])
    assert exited.value.code == 2 and "two notebooks named same.ipynb" in capsys.readouterr().err


@pytest.fixture(scope="module")
def origin(graded):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), serve_site.handler_for(SITE, quiet=True))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


#: JavaScript: the index of the cell tagged ``exercise:NAME`` in the visible notebook.
EXERCISE_CELL = """(name) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    if ((cells.get(i).getMetadata("tags") || []).includes("exercise:" + name)) return i;
  }
  return -1;
}"""

SAVE = "() => window.jupyterapp.commands.execute('docmanager:save')"


def type_into(page, cell, text):
    """Replace the source of ``cell`` (a locator of a code cell) by ``text``, typed as a student would."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def hand_in_cell(page, source, saved_to):
    """Add a cell at the end with ``source``, run it, click the link it shows; the download saved to ``saved_to``."""
    last = page.locator(".jp-Notebook:visible .jp-Cell").last
    last.click()
    page.keyboard.press("Escape")  # command mode: B adds a cell below
    page.keyboard.press("b")
    cells = page.locator(".jp-Notebook:visible .jp-Cell")
    new = cells.nth(cells.count() - 1)
    type_into(page, new, source)
    page.keyboard.press("Control+Enter")  # run it, stay on it
    link = new.locator("a[download$='.ipynb']")
    link.wait_for(timeout=60_000)
    with page.expect_download() as download:
        link.click()
    download.value.save_as(saved_to)
    return download.value.suggested_filename


def test_a_notebook_handed_in_from_the_graded_site_autogrades_with_nbgrader(graded, origin, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    course_dir, notebook, exercise, tools = graded
    assignment = Path(notebook).stem
    answer = split_check(SOLUTIONS[exercise])[0]
    downloads = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS + DEAD_PROXY)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        try:
            page.goto(f"{origin}/lab/index.html?path={notebook}")
            page.wait_for_selector(".jp-Notebook:visible", timeout=60_000)
            page.wait_for_function(PANEL, arg=notebook, timeout=30_000)
            assert page.evaluate(KERNEL_READY, notebook) == "python"

            # 1. blank: handed in as the site serves it
            downloads["blank"] = tmp_path / "blank.ipynb"
            name = hand_in_cell(page, "from deconvlib import course\ncourse.hand_in()", downloads["blank"])
            assert name == notebook
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:delete-cell')")

            # 2. answered: the exercise typed in, every cell run, saved, handed in
            index = page.evaluate(EXERCISE_CELL, exercise)
            assert index >= 0, f"no cell tagged exercise:{exercise} in the served {notebook}"
            type_into(page, page.locator(".jp-Notebook:visible .jp-Cell").nth(index), answer)
            ok, seconds = page.evaluate(RUN_ALL)
            assert ok, f"Run All failed in the answered {notebook}"
            checked = page.locator(".jp-Notebook:visible .jp-Cell").nth(index + 1).locator(".jp-OutputArea")
            assert "✓" in checked.inner_text(), f"the check after the answer says {checked.inner_text()!r}"
            page.evaluate(SAVE)
            first = tmp_path / "answered-first.ipynb"
            assert hand_in_cell(page, "course.hand_in()", first) == notebook
            # 3. saved again, with the link's output in it, and handed in again: that output is left out
            page.evaluate(SAVE)
            downloads["student"] = tmp_path / "answered.ipynb"
            assert hand_in_cell(page, "course.hand_in()", downloads["student"]) == notebook
        finally:
            page.screenshot(path=str(ROOT / "tests" / "artifacts" / "site_hand_in.png"))
            context.close()
            browser.close()

    answered = nbformat.read(downloads["student"], as_version=4)
    assert answer in [cell.source for cell in answered.cells], "the download does not hold the typed answer"
    handed = answered.cells[-1]  # the second hand-in's cell, run and saved: its output left out
    assert handed.source == "course.hand_in()" and handed.execution_count and handed.outputs == []
    assert "data:application/x-ipynb+json" not in downloads["student"].read_text()
    assert answered.cells[:-1] == nbformat.read(first, as_version=4).cells
    for student, download in downloads.items():
        target = course_dir / "submitted" / student / assignment / notebook
        target.parent.mkdir(parents=True)
        shutil.copy(download, target)  # as it is
    start = time.monotonic()
    run(tools, "nbgrader", "autograde", assignment, "--force", cwd=course_dir)
    scores = gradebook(tools, course_dir, [assignment])
    print(f"[hand-in] nbgrader autograde of the two hand-ins in {time.monotonic() - start:.0f} s")
    for (student, _, name), (score, top) in sorted(scores.items()):
        print(f"[hand-in] {student:8} {assignment} {name}: {score:g}/{top:g}")
    top = points(exercise)
    assert scores == {("blank", assignment, exercise): (0, top), ("student", assignment, exercise): (top, top)}
    assert json.loads(downloads["blank"].read_text())["cells"]  # a notebook, not an error page
