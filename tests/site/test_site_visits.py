"""A student's second visit to the site: saved figures, a course update and its reset, reload, and a
runaway cell stopped (issue 20).

One student profile (one Chromium context, so one IndexedDB) on a copy of the built site served
as ``make serve-site`` serves it (cross-origin isolated, the default):

1. open notebook 1, Run All (the modules it imported came compiled from the site's wheels, see
   ``tools/precompile.py``); an exercise's checker gives an endless student function a ✗; in two
   new cells ``x = 42`` and ``while True: pass``, and Kernel ▸ Interrupt, pressed in the menu, shows
   a KeyboardInterrupt within 3 s (the time is printed) with ``x`` still 42; save → the stored copy
   keeps the figure and not the widget view;
2. the student has their own work in notebook 7 (a saved copy with a note of theirs);
3. reload the lab with no ``?path=`` → notebook 1 opens again, its explorer shows the stored
   figure, nothing says "Loading widget";
4. the teacher changes notebook 1 and the site's notebooks are rebuilt (its file, its version in
   ``course-version.json``) → on the next visit the student is told, presses "Reset to the course's
   version", sees the teacher's change, and finds their copy beside it and notebook 7 untouched.

Step 4 replaces the two files a rebuild changes for one notebook, in the served copy, with what
``tools/build_site.py`` writes (:func:`build_site.versioned_notebook`, :func:`build_site.course_version`);
``test_the_build_versions_every_notebook`` checks that the build writes them so.
"""

import http.server
import json
import re
import shutil
import sys
import threading
from pathlib import Path

import pytest
from browser_support import CHROMIUM, FLAGS, KERNEL_READY, PANEL, skip_without_browser

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_site  # noqa: E402
import build_site  # noqa: E402
import serve_site  # noqa: E402
import test_site  # noqa: E402
from test_site import DEAD_PROXY, RUN_ALL  # noqa: E402

site = test_site.site  # the fixture: the built site (_site/, built unless up to date)

skip_without_browser("the site's second-visit test")

NOTEBOOK = "01_start_here.ipynb"
OTHER = "07_checkerboard_artifacts.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Closing a notebook with JupyterLab 4.4's ``kernelShutdown`` shuts its session down twice (the panel
#: and its context); JupyterLite's second answer is this unhandled rejection. The kernel does end
#: (one Web Worker less); a student sees nothing.
CLOSING_TWICE = re.compile(r"Session [0-9a-f-]+ not found")
TEACHERS_LINE = "A note the teacher added after the first lesson."


def test_the_build_versions_every_notebook(site):
    versions = json.loads((site / build_site.VERSIONS_NAME).read_text())
    assert set(versions) == {path.name for path in build_site.notebooks()}
    for path in build_site.notebooks():
        served = json.loads((site / "files" / path.name).read_text())
        assert served["metadata"]["deconvlib"]["course_version"] == versions[path.name]
        assert versions[path.name] == build_site.course_version(path)
        served["metadata"].pop("deconvlib")
        assert served["cells"] == json.loads(path.read_text())["cells"]  # nothing else changed
    lab = (site / "lab" / "index.html").read_text()
    assert '<script src="../course.js"></script>' in lab and (site / "course.js").is_file()


@pytest.fixture(scope="module")
def served_copy(site, tmp_path_factory):
    """A copy of the site (a teacher will change it), served from a thread."""
    copy = tmp_path_factory.mktemp("visits") / "_site"
    shutil.copytree(site, copy, symlinks=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), serve_site.handler_for(copy, quiet=True))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield copy, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def teacher_updates(site_dir, tmp_path):
    """What a rebuild writes for a changed notebook 1: its file and its version."""
    changed = tmp_path / NOTEBOOK
    notebook = json.loads((ROOT / "notebooks" / NOTEBOOK).read_text())
    note = {"cell_type": "markdown", "id": "teacher-note", "metadata": {}, "source": TEACHERS_LINE}
    notebook["cells"].insert(1, note)
    changed.write_text(json.dumps(notebook, indent=1) + "\n")
    (site_dir / "files" / NOTEBOOK).write_text(build_site.versioned_notebook(changed))
    versions = json.loads((site_dir / build_site.VERSIONS_NAME).read_text())
    versions[NOTEBOOK] = build_site.course_version(changed)
    (site_dir / build_site.VERSIONS_NAME).write_text(json.dumps(versions))


STORED = """async (path) => {
  const model = await window.jupyterapp.serviceManager.contents.get(path, {content: true});
  return model.content;
}"""

SAVE_OWN_WORK = """async (path) => {
  const contents = window.jupyterapp.serviceManager.contents;
  const model = await contents.get(path, {content: true});
  model.content.cells[0].source = "# My own notes on the checkerboard";
  await contents.save(path, {type: "notebook", format: "json", content: model.content});
}"""

#: JavaScript: run ``code`` in the notebook's kernel; (seconds, what it printed).
EXECUTE = """async ({path, code}) => {
  const panel = Array.from(window.jupyterapp.shell.widgets("main")).find((w) => w.context && w.context.path === path);
  const future = panel.sessionContext.session.kernel.requestExecute({code, store_history: false});
  let printed = "";
  future.onIOPub = (message) => {
    const content = message.content;
    if (content.text) printed += content.text;
    if (content.data && content.data["text/plain"]) printed += content.data["text/plain"];
  };
  const t0 = performance.now();
  await future.done;
  return [(performance.now() - t0) / 1000, printed];
}"""

#: Modules of the kernel's start, the course's first imports and the standard library, from five archives.
PRECOMPILED = ["IPython.core.interactiveshell", "numpy", "matplotlib.figure", "json", "asyncio.base_events"]
#: Python: each came from the site's bytecode (``tools/precompile.py``): those above from a ``.pyc`` without
#: source; deconvlib's beside its source, unchecked hash-based (flags 1). A module Python had compiled itself
#: would come from its ``.py``, with a timestamp-based cache (flags 0) if any.
FROM_BYTECODE = f"""
import importlib.util, sys
print([sys.modules[name].__file__.endswith(".pyc") for name in {PRECOMPILED!r}])
with open(importlib.util.cache_from_source(sys.modules["deconvlib.course.explorer"].__file__), "rb") as pyc:
    print(int.from_bytes(pyc.read(8)[4:], "little"))
"""

#: Python, two cells: after Run All, the kernel has loaded none of the packages it starts without
#: (``build_site.NOT_AT_START``, ``DEPENDS_NOT_LOADED``) nor imported IPython's terminal; a cell that imports
#: one of them has it (the kernel loads what a cell imports, before it runs the cell), and ``IPython.embed``
#: imports the terminal when asked for (``build_site.WHEEL_PATCHES``).
NOT_LOADED = ("openssl", "ssl", "jedi", "parso", "pytz")
LOADED_LATER = [
    "import pyodide_js, sys\nloaded = pyodide_js.loadedPackages.object_keys()\n"
    f"print([name for name in {NOT_LOADED!r} if name in loaded], 'prompt_toolkit' in sys.modules)",
    "import ssl, pytz, IPython\nloaded = pyodide_js.loadedPackages.object_keys()\n"
    "print(ssl.OPENSSL_VERSION.split()[0], 'openssl' in loaded, pytz.utc, IPython.embed.__module__)",
]

#: JavaScript: the kernel's completions of ``code`` (the cursor at its end).
COMPLETE = """async ({path, code}) => {
  const panel = Array.from(window.jupyterapp.shell.widgets("main")).find((w) => w.context && w.context.path === path);
  const reply = await panel.sessionContext.session.kernel.requestComplete({code, cursor_pos: code.length});
  return [reply.content.status, reply.content.matches];
}"""

ENDLESS = """
def endless(X, stride):
    while True:
        pass

course.check_dilate(endless)
"""

#: JavaScript: a new cell at the end of the notebook at ``path`` with ``code``, run (awaited when ``wait``).
RUN_NEW_CELL = """async ({path, code, wait}) => {
  const app = window.jupyterapp;
  const panel = Array.from(app.shell.widgets("main")).find((w) => w.context && w.context.path === path);
  app.shell.activateById(panel.id);
  const notebook = panel.content;
  notebook.activeCellIndex = notebook.widgets.length - 1;
  await app.commands.execute("notebook:insert-cell-below");
  notebook.activeCell.model.sharedModel.setSource(code);
  window.__cell = notebook.activeCell.node;
  const done = app.commands.execute("notebook:run-cell");
  if (wait) await done;
}"""

#: JavaScript, polled: the last cell run shows a KeyboardInterrupt; the first time it does, when (ms).
INTERRUPT_SHOWN = """() => {
  const output = window.__cell.querySelector(".jp-OutputArea");
  if (!output || !output.innerText.includes("KeyboardInterrupt")) return false;
  window.__shown = window.__shown || performance.now();
  return true;
}"""


#: JavaScript: the status of the kernel of the notebook on screen.
KERNEL_STATUS = "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"

#: JavaScript: note when the next mouse button is released (the press of a menu item), for INTERRUPT_SHOWN.
ARM_PRESS = """() => {
  window.__pressed = null;
  window.__shown = null;
  document.addEventListener("mouseup", () => { window.__pressed = performance.now(); }, {capture: true, once: true});
}"""


def interrupt_from_the_menu(page, path):
    """``x = 42``, then ``while True: pass`` in new cells; Kernel ▸ Interrupt; seconds from the press to the
    KeyboardInterrupt on screen, and what ``print(x)`` prints afterwards."""
    page.evaluate(RUN_NEW_CELL, {"path": path, "code": "x = 42", "wait": True})
    page.evaluate(RUN_NEW_CELL, {"path": path, "code": "while True: pass", "wait": False})
    page.wait_for_timeout(2000)
    assert page.evaluate(KERNEL_STATUS) == "busy", "the endless cell is not running"
    page.get_by_role("menuitem", name="Kernel", exact=True).click()
    item = page.locator(".lm-Menu-item:has(.lm-Menu-itemLabel:text-is('Interrupt Kernel'))")
    item.wait_for(timeout=5_000)
    page.evaluate(ARM_PRESS)
    item.click()
    page.wait_for_function(INTERRUPT_SHOWN, timeout=20_000, polling=20)
    seconds = page.evaluate("() => (window.__shown - window.__pressed) / 1000")
    page.wait_for_function(f"() => ({KERNEL_STATUS})() === 'idle'", timeout=10_000)
    _, printed = page.evaluate(EXECUTE, {"path": path, "code": "print(x)"})
    return seconds, printed


LISTING = """async () => (await window.jupyterapp.serviceManager.contents.get("", {content: true}))
  .content.map((item) => item.name)"""


def course_ready(page):
    page.wait_for_function("document.documentElement.dataset.deconvlibCourse === 'ready'", timeout=60_000)


def test_a_second_visit_keeps_figures_brings_updates_and_reopens_the_notebook(served_copy, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    site_dir, origin = served_copy
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS + DEAD_PROXY)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            # 1. first visit: run notebook 1 and save it
            page.goto(f"{origin}/lab/index.html?path={NOTEBOOK}")
            page.wait_for_selector(".jp-Notebook:visible", timeout=60_000)
            page.wait_for_function(PANEL, arg=NOTEBOOK, timeout=30_000)
            assert page.evaluate(KERNEL_READY, NOTEBOOK) == "python"
            ok, _ = page.evaluate(RUN_ALL)
            assert ok, "Run All failed in notebook 1"
            page.wait_for_selector(".widget-output img:visible", timeout=30_000)
            # what the session imported came compiled from the site (tools/precompile.py)
            _, printed = page.evaluate(EXECUTE, {"path": NOTEBOOK, "code": FROM_BYTECODE})
            assert printed.split("\n")[:2] == [str([True] * len(PRECOMPILED)), "1"], f"{PRECOMPILED}: {printed!r}"
            printed = [page.evaluate(EXECUTE, {"path": NOTEBOOK, "code": code})[1].strip() for code in LOADED_LATER]
            assert printed == ["[] False", "OpenSSL True UTC IPython.terminal.embed"], printed
            # Tab completes without jedi (IPython's own completer: build_site.WHEEL_PATCHES)
            status, matches = page.evaluate(COMPLETE, {"path": NOTEBOOK, "code": "dl.conv_transpose"})
            assert status == "ok" and any(m.endswith("conv_transpose2d") for m in matches), matches
            # a student function that never returns gets a verdict, not a hung kernel (issue 20, item 3)
            seconds, printed = page.evaluate(EXECUTE, {"path": NOTEBOOK, "code": ENDLESS})
            assert "✗" in printed and seconds < 5, f"an endless function: {printed[:300]!r} after {seconds:.1f} s"
            print(f"\n[site] an endless student function got its ✗ after {seconds:.1f} s")
            # a runaway cell of the student's own: Kernel > Interrupt, and the kernel keeps its state
            assert page.evaluate("() => window.crossOriginIsolated"), "the site is not cross-origin isolated"
            seconds, printed = interrupt_from_the_menu(page, NOTEBOOK)
            print(
                f"[site] Kernel > Interrupt stopped `while True: pass`: KeyboardInterrupt shown {seconds:.2f} s after"
            )
            assert seconds < 3, f"Kernel > Interrupt took {seconds:.2f} s"
            assert printed.strip() == "42", f"x after the interrupt: {printed!r}"
            page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
            stored = page.evaluate(STORED, NOTEBOOK)
            outputs = [o for cell in stored["cells"] for o in cell.get("outputs", ()) if "data" in o]
            figures = [o for o in outputs if "image/png" in o["data"]]
            assert figures, "the saved notebook 1 has no figure"
            assert not any(WIDGET_VIEW in o["data"] for o in figures), "a stored figure still has its widget view"
            # the notebook on screen keeps its live explorer
            assert page.locator(".widget-output img:visible").count() > 0

            # 2. the student's own work in notebook 7
            page.evaluate(SAVE_OWN_WORK, OTHER)

            # 3. reload with no ?path=: back to notebook 1, showing its stored figure
            page.goto(f"{origin}/lab/index.html")
            course_ready(page)
            page.wait_for_function(PANEL, arg=NOTEBOOK, timeout=30_000)
            # the stored figure (a PNG, or the <img> with its alt text), not a widget waiting for its model
            page.wait_for_selector(".jp-Notebook:visible .jp-OutputArea-output img", timeout=30_000)
            text = page.locator(".jp-Notebook:visible .jp-OutputArea").all_inner_texts()
            assert not any("Loading widget" in t for t in text), "an explorer shows 'Loading widget' after reload"
            assert page.evaluate("document.documentElement.dataset.deconvlibOutdated") is None

            # 4. the teacher's update reaches the student, who resets notebook 1
            teacher_updates(site_dir, tmp_path)
            page.goto(f"{origin}/lab/index.html?path={NOTEBOOK}")
            course_ready(page)
            page.wait_for_function(
                f"document.documentElement.dataset.deconvlibOutdated === {json.dumps(NOTEBOOK)}", timeout=30_000
            )
            button = page.get_by_role("button", name="Reset to the course's version")
            button.wait_for(timeout=15_000)
            page.screenshot(path=str(ROOT / "tests" / "artifacts" / "site_update_notice.png"))
            button.click()
            page.wait_for_function(
                f"document.documentElement.dataset.deconvlibReset === {json.dumps(NOTEBOOK)}", timeout=30_000
            )
            page.locator(".jp-Notebook:visible .jp-RenderedMarkdown", has_text=TEACHERS_LINE).wait_for(timeout=30_000)
            names = page.evaluate(LISTING)
            copies = [name for name in names if name.startswith("01_start_here-my-copy-")]
            assert len(copies) == 1, f"the student's copy of notebook 1 is not kept beside it: {names}"
            copy = page.evaluate(STORED, copies[0])
            assert TEACHERS_LINE not in json.dumps(copy["cells"]), "the student's copy is not their version"
            mine = page.evaluate(STORED, OTHER)
            assert mine["cells"][0]["source"] == "# My own notes on the checkerboard", "notebook 7 was touched"
            assert TEACHERS_LINE in json.dumps(page.evaluate(STORED, NOTEBOOK)["cells"])
        finally:
            page.screenshot(path=str(ROOT / "tests" / "artifacts" / "site_second_visit.png"))
            context.close()
            browser.close()
    assert not [error for error in errors if not CLOSING_TWICE.fullmatch(error)], f"page errors: {errors[:3]}"


def course_walk():
    """The notebooks in the order of their "Next" links, from the index (whose first notebook link starts it)."""
    texts = {path.name: path.read_text() for path in (ROOT / "notebooks").glob("*.ipynb")}
    index = min(name for name in texts if "index" in name)
    walk = [index, re.findall(r"\]\((\w+\.ipynb)\)", texts[index])[0]]
    while True:
        following = re.findall(r"Next[^(\n]*\((\w+\.ipynb)\)", texts[walk[-1]])
        if not following or following[-1] in walk:
            return walk
        walk.append(following[-1])


OPEN_NOTEBOOKS = """() => Array.from(window.jupyterapp.shell.widgets("main"))
  .filter((w) => w.context && w.context.path.endsWith(".ipynb")).length"""

RUNNING = """async () => {
  const manager = window.jupyterapp.serviceManager;
  await manager.kernels.refreshRunning();
  return Array.from(manager.kernels.running()).length;
}"""


def test_walking_the_course_by_its_next_links_keeps_two_notebooks_open_and_prints_the_memory(served_copy, tmp_path):
    """Every notebook, Run All in each, then its "Next" link; the renderers' memory printed per step.

    At most two notebooks stay open (``MAX_OPEN`` in tools/site_course.js): one left further behind is
    saved and closed, and its kernel ends with it.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    _, origin = served_copy
    walk = course_walk()
    assert len(walk) == len(build_site.notebooks()), f"the Next links miss notebooks: {walk}"
    rows = []
    with sync_api.sync_playwright() as p:
        profile = tmp_path / "profile"
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS + DEAD_PROXY + ["--js-flags=--expose-gc"],
            viewport={"width": 1400, "height": 1000},
        )
        page = context.new_page()
        try:
            page.goto(f"{origin}/lab/index.html?path={walk[0]}")
            for step, notebook in enumerate(walk):
                page.wait_for_function(PANEL, arg=notebook, timeout=60_000)
                assert page.evaluate(KERNEL_READY, notebook) == "python"
                ok, _ = page.evaluate(RUN_ALL)
                assert ok, f"Run All failed in {notebook} during the walk"
                # what the tab keeps, not what it has yet to collect: a collection first (a browser short
                # of memory collects; headless Chromium on a 24-GB machine may not for a while)
                page.evaluate("() => { window.gc(); return new Promise((done) => setTimeout(done, 500)); }")
                pss, rss, renderers = bench_site.renderer_memory(profile)
                kernels = page.evaluate(RUNNING)
                rows.append((notebook, pss, rss, kernels))
                page.wait_for_function(f"({OPEN_NOTEBOOKS})() <= 2", timeout=30_000)  # the oldest closed
                print(
                    f"[walk] {step:2d} {notebook:36} renderers {pss:5.0f} MB PSS, {rss:5.0f} MB RSS, kernels {kernels}"
                )
                if step + 1 < len(walk):
                    page.locator(f".jp-Notebook:visible .jp-RenderedMarkdown a[href$='{walk[step + 1]}']").last.click()
            # the first lesson was saved and closed on the way, and said so; reopened, it shows its figures
            first = walk[1]
            closed = page.evaluate("document.documentElement.dataset.deconvlibClosed").split("|")
            assert closed[0] == walk[0] and first in closed, f"closed on the way: {closed}"
            page.evaluate("(path) => window.jupyterapp.commands.execute('docmanager:open', {path})", first)
            page.wait_for_function(PANEL, arg=first, timeout=30_000)
            page.wait_for_selector(".jp-Notebook:visible .jp-OutputArea-output img", timeout=30_000)
            text = page.locator(".jp-Notebook:visible .jp-OutputArea").all_inner_texts()
            assert not any("Loading widget" in t for t in text), "a reopened notebook shows 'Loading widget'"
            assert page.evaluate(KERNEL_READY, first) == "python"
            assert page.evaluate(RUNNING) <= 2 and page.evaluate(OPEN_NOTEBOOKS) <= 2
        finally:
            context.close()
    ARTIFACTS = ROOT / "tests" / "artifacts"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "site_walk_memory.json").write_text(json.dumps(rows, indent=1) + "\n")
    worst = max(rows, key=lambda row: row[1])
    # The issue asks for a printed figure under 1.5 GB (measured: 1.3–1.5 GB after a collection, in the
    # note); the assertion is a guard with room for a noisy machine, far below the ~3.8 GB of eleven kernels.
    assert worst[1] < 2048, f"the tab's renderers hold {worst[1]:.0f} MB after {worst[0]}: {rows}"
    assert max(row[3] for row in rows) <= 2, f"more than two kernels ran at once: {rows}"
