"""The notebooks in a real browser: JupyterLab + headless Chromium, driven by Playwright.

Starts JupyterLab on a copy of ``notebooks/`` (free port, no token, no
autosave, so the stored notebooks are never rewritten), opens a lesson, runs
all cells, waits for the explorer's figure (``.widget-output img``), moves
every stride, padding and dilation slider (and the lesson's other sliders in
:data:`OTHER_SLIDERS`) with the keyboard (focus its handle, ``ArrowRight``) and
checks that each redraws its own explorer's figure. Each lesson is also checked
at two screen sizes (:func:`check_layout`): at 1024 px wide with the file
browser open, every slider track keeps a usable width; at 1280×720 nothing
scrolls sideways. Screenshots go to ``tests/artifacts/`` (gitignored).

Every notebook already runs under nbval (in this Python) and, with every
geometry slider moved, in the JupyterLite site test (``tests/site/test_site.py``,
the same JupyterLab front end on Pyodide). Here, where a lesson costs a kernel
and a page, :data:`LAB_LESSONS` are the lessons whose explorers differ in kind:
one explorer with the three geometry sliders, the sweep's step slider, two
explorers of which one explains instead of drawing. ``--latency`` opens every
lesson and measures each explorer's latency (:func:`slider_latency`: keydown →
new image decoded, median of 12 moves), printed with ``-s`` and written to
``tests/artifacts/browser_figures.txt``: benchmark figures, not assertions.

Skips, saying why, when Debian's ``/usr/bin/chromium`` or Playwright is
missing (``.ci/run`` installs both).
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import LATENCY_JS, check_layout, free_port, move_sliders, skip_without_browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "tests" / "artifacts"

#: The lessons (00_index.ipynb, the index, has no explorer; nbval runs it).
LESSONS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") if p.name != "00_index.ipynb")
#: The lessons opened in JupyterLab by default (every one with ``--latency``).
LAB_LESSONS = ["01_start_here.ipynb", "04_kernel_sweep.ipynb", "08_channels_batches_groups.ipynb"]
#: Sliders moved besides the geometry ones, per lesson: each must redraw its explorer's figure too.
OTHER_SLIDERS = {"04_kernel_sweep.ipynb": re.compile(r"^step$")}

sync_api = skip_without_browser("the browser test")


def pytest_generate_tests(metafunc):
    if "lesson" in metafunc.fixturenames:
        metafunc.parametrize("lesson", LESSONS if metafunc.config.getoption("--latency") else LAB_LESSONS)


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    """A JupyterLab server on a copy of notebooks/, stopped by its PID at the end."""
    jupyter = shutil.which("jupyter", path=os.path.dirname(sys.executable)) or shutil.which("jupyter")
    if jupyter is None:
        pytest.skip("jupyter is not installed")
    port = free_port()
    home = tmp_path_factory.mktemp("jupyter")
    # JupyterLab 4 renders only the cells in view ("windowing"): render them all, so the
    # explorer's widgets exist wherever Run All leaves the scroll; and no news toast.
    # The server works on a copy of notebooks/ with autosave off: running the cells in the
    # browser must never rewrite the stored notebooks.
    root = home / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = home / "lab-settings"
    for name, text in {
        "notebook-extension/tracker": '{"windowingMode": "none", "autoStartDefaultKernel": true}',
        "apputils-extension/notification": '{"fetchNews": "false", "checkForUpdates": false}',
        "docmanager-extension/plugin": '{"autosave": false}',
    }.items():
        path = settings / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    log = open(home / "lab.log", "w")
    server = subprocess.Popen(
        [
            jupyter,
            "lab",
            "--allow-root",
            "--no-browser",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ip",
            "127.0.0.1",
            "--port",
            str(port),
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: to wait for the widget manager
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/lab", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start; log:\n{(home / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


#: True once the current notebook can render widgets: ipywidgets' manager adds its renderer to the
#: notebook's rendermime (after registering the comm target) when it is ready for the kernel's widgets.
WIDGETS_READY = """
() => {
  const app = window.jupyterapp, panel = app && app.shell.currentWidget;
  const rendermime = panel && panel.content && panel.content.rendermime;
  return !!rendermime && rendermime.mimeTypes.includes('application/vnd.jupyter.widget-view+json');
}
"""


#: True once the current notebook's kernel is connected and idle.
KERNEL_READY = """
() => {
  const app = window.jupyterapp, panel = app && app.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
}
"""
#: Sets ``window.__executing`` when the kernel announces that it runs a cell (``execute_input``).
WATCH_EXECUTION = """
() => {
  window.__executing = false;
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  kernel.iopubMessage.connect((_, msg) => {
    if (msg.header.msg_type === 'execute_input') window.__executing = true;
  });
}
"""


def open_and_run(browser, lab_url, notebook):
    """Open ``notebook`` in JupyterLab, Run All Cells, wait for the first explorer's figure."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab_url}/lab/tree/{notebook}?reset")  # ?reset: only this notebook, no tabs restored
    # ":visible": JupyterLab keeps hidden copies (other tabs, the status bar) of these elements
    idle = ".jp-Notebook-ExecutionIndicator[data-status='idle']:visible"
    page.wait_for_selector(".jp-Notebook:visible", timeout=60_000)
    page.wait_for_selector(idle, timeout=60_000)
    # Run All only once this notebook's widget manager is ready (widgets created before it exists
    # are never shown) and its kernel connected and idle.
    page.wait_for_function(WIDGETS_READY, timeout=90_000)
    page.wait_for_function(KERNEL_READY, timeout=90_000)
    for attempt in (1, 2, 3):
        # On a fresh server under load, JupyterLab can drop the first Run All (the kernel's first
        # websocket is replaced while it connects): the stored outputs stay and nothing runs.
        # The kernel's execute_input says the cells really started; if not, run them again.
        dismiss_dialogs(page, notebook)
        page.evaluate(WATCH_EXECUTION)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click(timeout=10_000)
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click(timeout=10_000)
        try:
            page.wait_for_function("window.__executing === true", timeout=20_000)
        except sync_api.TimeoutError:
            if attempt == 3:
                page.screenshot(path=str(ARTIFACTS / notebook.replace(".ipynb", "_not_run.png")))
                raise
            page.wait_for_function(KERNEL_READY, timeout=60_000)
            continue
        try:
            page.wait_for_selector(".widget-output img:visible", timeout=90_000)
            break
        except sync_api.TimeoutError:
            page.screenshot(path=str(ARTIFACTS / notebook.replace(".ipynb", "_timeout.png")))
            raise
    page.wait_for_selector(".widget-slider .noUi-handle:visible", timeout=10_000)
    page.wait_for_selector(idle, timeout=60_000)
    return page


def dismiss_dialogs(page, notebook):
    """Close a JupyterLab dialog in the way (e.g. a kernel prompt), keeping a screenshot of it."""
    dialog = page.locator(".jp-Dialog:visible")
    if dialog.count():
        page.screenshot(path=str(ARTIFACTS / notebook.replace(".ipynb", "_dialog.png")))
        button = dialog.locator(".jp-Dialog-button.jp-mod-accept")
        if button.count():
            button.first.click()
        else:
            page.keyboard.press("Escape")
        dialog.first.wait_for(state="hidden", timeout=10_000)


#: Sliders moved to time each explorer, in order of preference (the first one it has).
TIMED_SLIDERS = ("stride", "stride s", "groups", "step")
#: Moves per explorer for :func:`slider_latency`.
LATENCY_MOVES = 12


def slider_latency(page, vbox, moves=LATENCY_MOVES):
    """Median and max ms from a slider keydown to the explorer's new image, decoded, over ``moves`` moves.

    The first of :data:`TIMED_SLIDERS` the explorer has goes back and forth
    (ArrowRight, ArrowLeft, … or the other way round from its maximum).
    """
    sliders = vbox.locator(".widget-slider")
    labels = [sliders.nth(k).locator(".widget-label").first.inner_text().strip() for k in range(sliders.count())]
    label = next((name for name in TIMED_SLIDERS if name in labels), labels[0])
    handle = sliders.nth(labels.index(label)).locator(".noUi-handle")
    vbox.scroll_into_view_if_needed()
    at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
    keys = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
    times = []
    for k in range(moves):
        handle.focus()
        vbox.evaluate(LATENCY_JS)
        page.keyboard.press(keys[k % 2])
        try:
            page.wait_for_function("window.__latency !== null", timeout=10_000)
        except sync_api.TimeoutError:
            continue  # the move showed a message instead of a figure
        times.append(page.evaluate("window.__latency"))
        page.wait_for_timeout(150)  # let the caption and limits settle before the next move
    return label, times


def record(line):
    print(line)
    with open(ARTIFACTS / "browser_figures.txt", "a") as out:
        out.write(line + "\n")


def shut_down_kernels(page):
    """Stop the kernels this page's JupyterLab started (closing a page leaves them running)."""
    try:
        page.evaluate("() => window.jupyterapp && window.jupyterapp.serviceManager.kernels.shutdownAll()")
    except sync_api.Error as error:  # the page broke before: keep the test's own failure in front
        print(f"could not shut the kernels down: {error}")


def test_lesson_runs_and_each_slider_redraws_its_figure(browser, lab_url, lesson, request):
    """Run All without an error output, move every geometry slider (and OTHER_SLIDERS), then check the layout."""
    page = open_and_run(browser, lab_url, lesson)
    stem = lesson.replace(".ipynb", "")
    try:
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, f"{lesson} shows an error: {errors.first.inner_text()[:500]}"
        explorer = page.locator(".widget-vbox").first
        explorer.scroll_into_view_if_needed()
        explorer.screenshot(path=str(ARTIFACTS / f"{stem}_explorer_before.png"))
        moved = move_sliders(page, lesson)
        assert moved, f"{lesson} has no stride/padding/dilation slider"
        if lesson in OTHER_SLIDERS:
            assert move_sliders(page, lesson, OTHER_SLIDERS[lesson]), f"{lesson}: no slider matches"
        explorer.scroll_into_view_if_needed()
        explorer.screenshot(path=str(ARTIFACTS / f"{stem}_explorer_after.png"))
        page.screenshot(path=str(ARTIFACTS / f"{stem}_after_sliders.png"))
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, f"{lesson}: moving the sliders showed an error: {errors.first.inner_text()[:500]}"
        narrow, wide = check_layout(page, lesson, ARTIFACTS / f"{stem}_1024.png")
        if request.config.getoption("--latency"):
            record_latencies(page, lesson, narrow, wide)
    finally:
        shut_down_kernels(page)
        page.close()


def record_latencies(page, notebook, narrow, wide):
    """Time each explorer's slider (:func:`slider_latency`) and record it with the layout's figures."""
    vboxes = page.locator(".widget-vbox").filter(has=page.locator(".widget-slider"))
    for k in range(vboxes.count()):
        label, times = slider_latency(page, vboxes.nth(k))
        explorer = wide["explorers"][k] if k < len(wide["explorers"]) else {}
        median = f"{statistics.median(times):5.0f}" if times else "    -"
        record(
            f"{notebook} explorer {k + 1} ({label!r}): keydown → new image median {median} ms, "
            f"max {max(times, default=0):4.0f} ms over {len(times)} moves; at 1280×720 "
            f"{explorer.get('height', 0):.0f} px tall, figure at {100 * (explorer.get('scale') or 0):.0f} %; "
            f"narrowest track at 1024 px: {min(t['width'] for t in narrow['tracks']):.0f} px"
        )


#: A notebook with one explorer at the projector scale and one at the default (its cells, in order).
SCALED = [
    "from deconvlib import course\ncourse.set_scale(1.5)\ncourse.pipeline_explorer()",
    "course.set_scale(1)\ncourse.pipeline_explorer()",
]

#: Computed font sizes (CSS px) of each explorer's caption, first slider label and first readout.
FONT_SIZES = """
() => [...document.querySelectorAll('.widget-vbox')].filter(v => v.querySelector('.widget-slider')).map(v => {
  const caption = [...v.querySelectorAll('.widget-html-content')].find(e => e.innerText.includes('output size'));
  const size = (e) => parseFloat(getComputedStyle(e).fontSize);
  return [size(caption), size(v.querySelector('.widget-label')), size(v.querySelector('.widget-readout'))];
})
"""


def test_the_projector_scale_enlarges_caption_labels_and_readouts_of_its_explorer_only(browser, lab_url):
    """``course.set_scale(1.5)``: caption, slider labels and readouts at 1.5 × 13 px, like the figure."""
    cells = [
        {"cell_type": "code", "metadata": {}, "source": code, "outputs": [], "execution_count": None} for code in SCALED
    ]
    content = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    page = browser.new_page()  # saved through JupyterLab's own contents API (the server wants its XSRF cookie)
    page.goto(f"{lab_url}/lab?reset")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.serviceManager.contents", timeout=60_000)
    page.evaluate(
        "(content) => window.jupyterapp.serviceManager.contents.save("
        "'projector_scale.ipynb', {type: 'notebook', format: 'json', content})",
        content,
    )
    page.close()
    page = open_and_run(browser, lab_url, "projector_scale.ipynb")
    try:
        page.wait_for_function("document.querySelectorAll('.widget-output img').length >= 2", timeout=60_000)
        scaled, plain = page.evaluate(FONT_SIZES)
        page.screenshot(path=str(ARTIFACTS / "projector_scale.png"))
    finally:
        page.close()
    assert scaled == [19.5, 19.5, 19.5] and plain == [13, 13, 13], (scaled, plain)


def test_end_and_home_reach_the_step_sliders_new_limits_after_the_input_grows(browser, lab_url):
    """Notebook 1: End on ``input size``, then End on ``step`` shows the new last step, Home the first."""
    from deconvlib import conv_transpose_output_size

    page = open_and_run(browser, lab_url, "01_start_here.ipynb")
    try:
        explorer = page.locator(".widget-vbox").filter(has=page.locator(".widget-slider")).first
        sliders = explorer.locator(".widget-slider")

        def slider(label):
            return sliders.filter(has=page.locator(".widget-label", has_text=re.compile(f"^{label}$"))).first

        step, size = slider("step"), slider("input size")
        readout = step.locator(".widget-readout")
        before = int(readout.inner_text())
        size.scroll_into_view_if_needed()
        size.locator(".noUi-handle").focus()
        page.keyboard.press("End")
        grown = conv_transpose_output_size(5, 3, stride=2) ** 2  # input size 5, the other sliders at their defaults
        assert grown > before
        # a finished sweep stays at its end: the readout shows the new maximum once the kernel has answered
        page.wait_for_function(
            "([e, n]) => e.innerText.trim() === String(n)", arg=[readout.element_handle(), grown], timeout=10_000
        )
        step.locator(".noUi-handle").focus()
        page.keyboard.press("Home")
        page.wait_for_function("(e) => e.innerText.trim() === '1'", arg=readout.element_handle(), timeout=10_000)
        page.keyboard.press("End")
        try:
            page.wait_for_function(
                "([e, n]) => e.innerText.trim() === String(n)", arg=[readout.element_handle(), grown], timeout=10_000
            )
        except sync_api.TimeoutError:
            pass  # the assert below says where End went instead
        explorer.screenshot(path=str(ARTIFACTS / "01_start_here_step_end.png"))
        assert int(readout.inner_text()) == grown, f"End on step after input size 5: {readout.inner_text()}"
    finally:
        shut_down_kernels(page)
        page.close()
