"""Every explorer fits a laptop: JupyterLab at 1280×720 with the file browser open (issue 24, item 3).

Opens each lesson in JupyterLab (the server of ``test_browser.py``), runs all
cells, shrinks the page to 1280×720 with the file browser open (JupyterLab's
default layout), and for every explorer measures, at its defaults and with each
slider at its minimum and at its maximum (keyboard Home and End on the slider's
handle, the Reset button in between), and the same again for every other choice
of its toggle buttons (notebook 10's U-Net and audio stacks, whose captions are
longer than the DCGAN's):

- its height in CSS px (the choices, sliders, caption and figure together),
  which must be at most :data:`MAX_HEIGHT`, so that a student sees a slider and
  what it does on one screen;
- the smallest text of its figure in CSS px *as shown*: the SVG's smallest
  ``font-size`` times the ``<img>``'s rendered width over its intrinsic width,
  which must be at least :data:`MIN_TEXT_PX` (what the readability tests
  assume at the design size).

Prints one row per explorer (heights min–max, smallest text) with ``-s``, and
writes them to ``tests/artifacts/browser_fit.txt``.
"""

import pytest
from browser_support import file_browser
from test_browser import (  # noqa: F401 (lab_url is a fixture)
    ARTIFACTS,
    LESSONS,
    lab_url,
    open_and_run,
    shut_down_kernels,
    sync_api,
)

#: The notebook area at 1280×720 with the file browser open is ~600 CSS px tall.
MAX_HEIGHT = 600
#: The smallest figure text, in CSS px at the width the figure is shown at.
MIN_TEXT_PX = 11
VIEWPORT = {"width": 1280, "height": 720}

#: One explorer (its VBox) measured: height, the figure's shown and intrinsic width, the SVG's smallest font.
MEASURE_JS = r"""
(v) => {
  const img = v.querySelector('.widget-output img'), output = v.querySelector('.widget-output');
  const tracks = [...v.querySelectorAll('.widget-slider')]
    .map(s => (s.querySelector('.slider-container') || s.querySelector('.noUi-target')).getBoundingClientRect().width);
  const out = {height: v.getBoundingClientRect().height, figure: output.getBoundingClientRect().height,
               room: output.clientWidth, track: Math.min(...tracks), shown: null, intrinsic: null, font: null};
  if (!img) return out;  // a message instead of the figure
  out.shown = img.getBoundingClientRect().width;
  out.intrinsic = Number(img.getAttribute('width')) || img.naturalWidth;
  const src = img.getAttribute('src') || '';
  const prefix = 'data:image/svg+xml;base64,';
  if (src.startsWith(prefix)) {
    const sizes = [...atob(src.slice(prefix.length)).matchAll(/font-size="([\d.]+)"/g)].map(m => parseFloat(m[1]));
    if (sizes.length) out.font = Math.min(...sizes);
  }
  return out;
}
"""

#: The explorers of the visible notebook: the outermost VBoxes that hold a slider, in page order.
EXPLORERS_JS = """
() => {
  const panel = [...document.querySelectorAll('.jp-NotebookPanel')].find(p => p.offsetParent !== null);
  const boxes = [...panel.querySelectorAll('.widget-vbox')].filter(v => v.querySelector('.widget-slider'));
  const outer = boxes.filter(v => !boxes.some(o => o !== v && o.contains(v)));
  outer.forEach((v, k) => v.setAttribute('data-fit-explorer', k));
  return outer.map(v => {
    const cell = v.closest('.jp-Cell'), editor = cell && cell.querySelector('.jp-InputArea-editor');
    const code = editor ? editor.innerText.trim().split('\\n').filter(l => l.trim()) : [];
    return code.length ? code[code.length - 1].trim() : '?';
  });
}
"""

#: Sets ``window.__idle`` once the kernel, after the next message it handles, says it is idle again.
WATCH_IDLE = """
() => {
  window.__busy = false;
  window.__idle = false;
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const watch = (_, msg) => {
    if (msg.header.msg_type !== 'status') return;
    if (msg.content.execution_state === 'busy') window.__busy = true;
    if (msg.content.execution_state === 'idle' && window.__busy) {
      window.__idle = true;
      kernel.iopubMessage.disconnect(watch);
    }
  };
  kernel.iopubMessage.connect(watch);
}
"""

#: Resolves once the explorer's figure (if any) is decoded and the page has laid it out.
SETTLED_JS = """
async (v) => {
  const img = v.querySelector('.widget-output img');
  if (img) await img.decode().catch(() => {});
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}
"""


def act(page, vbox, action):
    """Do ``action()`` (a key press, a click) and wait until the kernel has answered it and the page settled."""
    page.evaluate(WATCH_IDLE)
    action()
    try:
        page.wait_for_function("window.__idle === true", timeout=10_000)
    except sync_api.TimeoutError:  # nothing reached the kernel (the value did not change): nothing to wait for
        pass
    page.wait_for_timeout(40)  # the widget messages came before the idle status: let the page apply them
    vbox.evaluate(SETTLED_JS)


def measure_explorer(page, vbox):
    """``[(setting, measurement)]`` at the defaults and with each slider at its minimum and maximum, for the
    default choice and for every other choice of the explorer's toggles (a stack, a pooling mode)."""
    rows = [("defaults", vbox.evaluate(MEASURE_JS))]
    sliders = vbox.locator(".widget-slider")
    reset = vbox.locator("button", has_text="reset")
    choices = vbox.locator(".widget-toggle-buttons button")
    others = [k for k in range(choices.count()) if "mod-active" not in (choices.nth(k).get_attribute("class") or "")]
    for option in [None, *others]:
        chosen = "" if option is None else f"{choices.nth(option).inner_text().strip()}: "

        def choose(option=option):  # again after every Reset, which brings the default choice back
            if option is not None:
                act(page, vbox, lambda: choices.nth(option).click())

        if option is not None:
            choose()
            rows.append((f"{chosen}defaults", vbox.evaluate(MEASURE_JS)))
        for k in range(sliders.count()):
            if k:
                choose()
            slider = sliders.nth(k)
            label = slider.locator(".widget-label").first.inner_text().strip()
            handle = slider.locator(".noUi-handle")
            for key, end in (("End", "aria-valuemax"), ("Home", "aria-valuemin")):
                if handle.get_attribute("aria-valuenow") != handle.get_attribute(end):
                    handle.focus()
                    act(page, vbox, lambda key=key: page.keyboard.press(key))
                value = float(handle.get_attribute("aria-valuenow"))
                rows.append((f"{chosen}{label} {key} ({value:g})", vbox.evaluate(MEASURE_JS)))
            act(page, vbox, lambda: reset.first.click())
    return rows


def text_px(m):
    """The smallest figure text in CSS px as shown, or None without an SVG figure."""
    if m["font"] is None or not m["intrinsic"]:
        return None
    return m["font"] * m["shown"] / m["intrinsic"]


def summary(lesson, name, rows, area):
    """One line of figures for an explorer's measured ``rows``, and what in them breaks the limits."""
    heights = [m["height"] for _, m in rows]
    tallest = max(rows, key=lambda row: row[1]["height"])
    px, where = min(((text_px(m), setting) for setting, m in rows if text_px(m) is not None), default=(None, None))
    scales = [m["shown"] / m["intrinsic"] for _, m in rows if m["intrinsic"]]
    around = [m["height"] - m["figure"] for _, m in rows]
    line = (
        f"{lesson[:2]} {name[:44]:44} height {min(heights):4.0f}–{max(heights):4.0f} px (tallest: {tallest[0]}); "
        f"figure at {100 * min(scales, default=0):3.0f}–{100 * max(scales, default=0):3.0f} %, smallest text "
        + (f"{px:5.2f} px ({where})" if px is not None else "-")
        + f"; around the figure {min(around):.0f}–{max(around):.0f} px; output area {tallest[1]['room']:.0f}×{area:.0f}"
        f" px; narrowest track {min(m['track'] for _, m in rows):.0f} px"
    )
    problems = []
    if max(heights) > MAX_HEIGHT:
        problems.append(f"{name}: {max(heights):.0f} px tall at {tallest[0]} (more than {MAX_HEIGHT})")
    if px is None:
        problems.append(f"{name}: no SVG figure to measure")
    elif px < MIN_TEXT_PX:
        problems.append(f"{name}: figure text {px:.2f} px at {where} (less than {MIN_TEXT_PX})")
    return line, problems


@pytest.fixture(scope="module", autouse=True)
def fresh_report():
    """This run's rows only, in tests/artifacts/browser_fit.txt."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser_fit.txt").write_text("")


def report(line):
    print(line)
    with open(ARTIFACTS / "browser_fit.txt", "a") as out:
        out.write(line + "\n")


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_explorer_fits_1280x720_with_the_file_browser_open(browser, lab_url, lesson):  # noqa: F811
    """Height ≤ MAX_HEIGHT and figure text ≥ MIN_TEXT_PX as shown, at the defaults and every slider's extremes."""
    page = open_and_run(browser, lab_url, lesson)
    problems = []
    try:
        page.set_viewport_size(VIEWPORT)
        file_browser(page, True)
        page.wait_for_timeout(300)
        area = page.evaluate(
            "() => [...document.querySelectorAll('.jp-WindowedPanel-outer')]"
            ".find(e => e.offsetParent !== null).getBoundingClientRect().height"
        )
        names = page.evaluate(EXPLORERS_JS)
        for k, name in enumerate(names):
            vbox = page.locator(f"[data-fit-explorer='{k}']")
            rows = measure_explorer(page, vbox)
            line, found = summary(lesson, name, rows, area)
            report(line)
            problems += found
            vbox.evaluate("v => v.scrollIntoView({block: 'start'})")  # what a student sees: the explorer's top
            page.screenshot(path=str(ARTIFACTS / lesson.replace(".ipynb", f"_fit_1280x720_{k + 1}.png")))
        assert names, f"{lesson} shows no explorer"
    finally:
        shut_down_kernels(page)
        page.close()
    assert not problems, f"{lesson} at 1280×720 with the file browser open:\n" + "\n".join(problems)
