"""``make present``: one notebook as a Voilà app (code hidden), in headless Chromium.

For each notebook in :data:`PRESENTED`, runs the command ``make -n present NB=... PORT=...``
prints (so the test covers the target itself, with this interpreter's environment as
``VENV``) in its own process group, waits until Voilà answers, opens the page and checks
what a class would see on the projector: the narrative, the explorer's sliders
(``.widget-slider``) and figure (``.widget-output img``), no code cell's input and no
error output. Then it moves the stride slider with the keyboard (focus ``.noUi-handle``,
``ArrowRight``, or ``ArrowLeft`` from its maximum) and asserts the figure's ``src`` changes.

Prints, per notebook, the time to the first figure (page requested → explorer's image
shown; Voilà runs the whole notebook first) and the slider latency (key press → new
image decoded, median and max of a few moves): figures, not assertions. Screenshots at
1280×720, of the top of the page and of the explorer, go to ``tests/artifacts/present_NAME*.png``
(gitignored); ``docs/present.png`` is notebook 1's explorer.

Skips, saying why, where Debian's ``/usr/bin/chromium``, Playwright, Voilà (the
``present`` extra) or ``make`` is missing.
"""

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import LATENCY_JS, free_port, skip_without_browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
#: (notebook, description of the stride slider in its first explorer)
PRESENTED = [("01_start_here.ipynb", "stride"), ("05_shape_arithmetic.ipynb", "stride s")]
#: Moves of the stride slider timed for the latency figure.
LATENCY_MOVES = 6  # even: the slider ends where it started

skip_without_browser("the present test")
pytest.importorskip("voila", reason="Voilà is not installed (pip install -e '.[present]')")
if shutil.which("make") is None:
    pytest.skip("make is absent: the test runs the command of `make present`", allow_module_level=True)


def present_command(notebook, port):
    """The voila command line of ``make present`` for ``notebook`` (``make -n``: printed, not run)."""
    venv = Path(sys.executable).parent.parent
    dry = subprocess.run(
        ["make", "-n", "--no-print-directory", "present", f"NB={notebook}", f"PORT={port}", f"VENV={venv}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in dry.stdout.splitlines() if re.search(r"/voila\s", line)]
    assert len(lines) == 1, f"`make -n present` printed no single voila command:\n{dry.stdout}"
    command = shlex.split(lines[0])
    assert "--no-browser" in command and "--strip_sources=True" in command, command
    return command


def start_voila(notebook, home):
    """Voilà on ``notebook`` as ``make present`` starts it; returns (process, its URL, log path)."""
    command = present_command(notebook, free_port())
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    log_path = home / "voila.log"
    with open(log_path, "w") as log:
        # its own process group, so that stopping it stops the kernels it started too
        server = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    deadline = time.monotonic() + 60
    url = None
    while True:
        if url is None:  # Voilà prints the URL it listens on (another port if the one asked for was taken)
            found = re.search(r"Voil[àa] is running at:\s*(http://127\.0\.0\.1:\d+/)", log_path.read_text())
            url = found and found.group(1)
        if url:
            try:
                # a static file, not the notebook: GET / would start a kernel and run the notebook
                if urllib.request.urlopen(f"{url}voila/static/voila.js", timeout=2).status == 200:
                    return server, url, log_path
            except OSError:
                pass
        if server.poll() is not None or time.monotonic() > deadline:
            stop(server)
            pytest.fail(f"Voilà did not start; log:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.2)


def children(pid):
    """PIDs of the processes ``pid`` started, and of theirs (Linux /proc; empty elsewhere)."""
    try:
        direct = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return direct + [grandchild for child in direct for grandchild in children(child)]


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


def stop(server):
    """Stop Voilà (its process group) and the kernels it started.

    Voilà shuts its kernels down on SIGTERM; they run in sessions of their own
    (jupyter_client starts them so), so any left behind is killed by its PID.
    """
    kernels = {pid: cmdline(pid) for pid in children(server.pid)}
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    for pid, command in kernels.items():
        if command and cmdline(pid) == command:  # still that process, not a new one with its PID
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def code_lines(notebook):
    """First lines of the notebook's code cells that its markdown does not quote: none may be on the page."""
    cells = json.loads((ROOT / "notebooks" / notebook).read_text())["cells"]
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    firsts = ["".join(c["source"]).strip().splitlines() for c in cells if c["cell_type"] == "code"]
    return [lines[0] for lines in firsts if lines and len(lines[0]) >= 12 and lines[0] not in markdown]


@pytest.mark.parametrize("notebook,label", PRESENTED)
def test_present_shows_the_notebook_as_an_app_and_the_stride_slider_redraws(browser, tmp_path, notebook, label):
    ARTIFACTS.mkdir(exist_ok=True)
    server, url, log = start_voila(notebook, tmp_path)
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        start = time.monotonic()
        page.goto(url, timeout=90_000)
        page.wait_for_selector(".widget-output img", timeout=90_000)
        first_figure = time.monotonic() - start
        page.wait_for_selector(".widget-slider .noUi-handle", timeout=10_000)

        # What is shown: the narrative and the explorer, no code, no error.
        assert page.locator(".jp-MarkdownCell").count() > 0, "the narrative (markdown) is not shown"
        title = page.locator(".jp-MarkdownCell h1").first.inner_text()
        assert re.match(r"\d · ", title), f"unexpected title {title!r}"
        assert page.locator(".jp-CodeCell").count() > 0
        shown_inputs = page.locator(".jp-CodeCell .jp-InputArea, .jp-CodeCell .jp-InputPrompt")
        assert shown_inputs.count() == 0, "a code cell's input is shown"
        text = page.locator("body").inner_text()
        leaked = [line for line in code_lines(notebook) if line in text]
        assert not leaked, f"code is shown on the page: {leaked}"
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, f"{notebook} shows an error output: {errors.first.inner_text()[:500]}"
        assert "There was an error when executing cell" not in text
        page.screenshot(path=str(ARTIFACTS / f"present_{notebook.replace('.ipynb', '')}.png"))

        # The stride slider of the first explorer redraws that explorer's figure.
        exact = page.locator(".widget-label", has_text=re.compile(f"^{re.escape(label)}$"))
        slider = page.locator(".widget-slider").filter(has=exact).first
        vbox = slider.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
        image = vbox.locator(".widget-output img").first
        slider.scroll_into_view_if_needed()
        handle = slider.locator(".noUi-handle")
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        keys = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
        readout = slider.locator(".widget-readout")
        value, before = readout.inner_text(), image.get_attribute("src")
        times = []
        for k in range(LATENCY_MOVES):
            handle.focus()
            vbox.evaluate(LATENCY_JS)
            page.keyboard.press(keys[k % 2])
            page.wait_for_function("window.__latency !== null", timeout=15_000)
            times.append(page.evaluate("window.__latency"))
            if k == 0:
                assert readout.inner_text() != value, f"the {label!r} slider did not move (value {value})"
                assert image.get_attribute("src") != before, f"the figure did not change after moving {label!r}"
            page.wait_for_timeout(150)
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        # back where it started (an even number of moves): the explorer as projected, bottom of the screen
        vbox.evaluate("v => v.scrollIntoView({block: 'end'})")
        page.screenshot(path=str(ARTIFACTS / f"present_{notebook.replace('.ipynb', '')}_explorer.png"))
        times.sort()
        print(
            f"\n[present] {notebook}: first figure {first_figure:.1f} s after the request; "
            f"{label!r} slider → new figure: median {times[len(times) // 2]:.0f} ms, max {times[-1]:.0f} ms "
            f"({len(times)} moves)"
        )
    except Exception:
        print(f"\nVoilà log:\n{log.read_text()[-3000:]}")
        raise
    finally:
        page.close()
        stop(server)
