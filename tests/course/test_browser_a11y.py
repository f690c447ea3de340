"""Accessibility of the notebooks in JupyterLab (issue 23): axe-core, alt text, live captions, the keyboard.

JupyterLab and Chromium as in ``tests/course/test_browser.py`` (its server fixture and Run All are
reused); axe-core from npm (``tests/axe_support.py``), injected by Playwright. For every notebook
after Run All:

- axe finds no ``serious`` or ``critical`` violation inside the notebook's output areas and
  rendered Markdown (JupyterLab's own chrome — menus, side bars, toolbars, the cells' editors — is
  left out: :data:`CONTENT`; what axe finds there is written to ``tests/artifacts/a11y_chrome.txt``,
  not failed);
- every explorer's ``<img>`` has a non-empty alt text, which changes when one of its sliders moves
  (by the keyboard), and its caption is a polite live region whose text changes too;
- every control of every explorer takes the keyboard focus (natively or by ``tabindex``).

And notebook 1's explorer is walked with the keyboard alone: Tab from the cell before it, arrow keys
on every slider, Space on Play and pause, Enter on reset, each focused control showing a focus ring.
Figures (violations by rule, the Tab order) go to ``tests/artifacts/a11y_figures.txt``.
"""

import json
import time

import pytest
import test_browser
from axe_support import run_axe, serious
from test_browser import ARTIFACTS, NOTEBOOKS, open_and_run, shut_down_kernels

#: test_browser.py's JupyterLab on a copy of notebooks/ (one server for this module).
lab_url = test_browser.lab_url

#: Every notebook (the index has no explorer: it is opened, not run).
ALL = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
#: What axe checks: the notebook's content (outputs, rendered Markdown), not JupyterLab's chrome.
CONTENT = [
    ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea",
    ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownOutput",
]
#: What the chrome check leaves out (checked above).
CHROME_EXCLUDE = [".jp-OutputArea", ".jp-MarkdownOutput"]
#: Seconds to wait for a redraw after a key: a guard against a hang.
HANG = 30


def record(line):
    ARTIFACTS.mkdir(exist_ok=True)
    print(line)
    with open(ARTIFACTS / "a11y_figures.txt", "a") as out:
        out.write(line + "\n")


def open_notebook(browser, lab_url, notebook):
    """The notebook after Run All (the index, which draws nothing, only opened)."""
    if notebook != "00_index.ipynb":
        return open_and_run(browser, lab_url, notebook)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{lab_url}/lab/tree/{notebook}?reset")
    page.wait_for_selector(".jp-Notebook:visible .jp-MarkdownOutput", timeout=60_000)
    return page


#: JavaScript: per explorer (a VBox holding a slider): its image's alt, its caption region, its controls.
EXPLORERS = """
() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .deconvlib-explorer')].map(v => {
  const img = v.querySelector('.widget-output img');
  const region = v.querySelector('.widget-html-content [role="status"][aria-live="polite"]');
  const controls = [...v.querySelectorAll('.noUi-handle, button, select, input')];
  return {
    alt: img ? img.getAttribute('alt') : null,
    caption: region ? region.textContent : null,
    controls: controls.length,
    unfocusable: controls.filter(c => c.tabIndex < 0 || c.disabled).map(c => c.outerHTML.slice(0, 120)),
  };
})
"""


def explorers(page):
    return page.evaluate(EXPLORERS)


def wait_for_change(read, before):
    """``read()`` until it differs from ``before`` (or :data:`HANG` seconds); returns the last value read."""
    start, now = time.monotonic(), read()
    while now == before and time.monotonic() < start + HANG:
        time.sleep(0.05)
        now = read()
    return now


#: JavaScript, given an explorer's VBox: its image's alt text, or null while it shows a message instead.
ALT_NOW = "(v) => { const img = v.querySelector('.widget-output img'); return img ? img.getAttribute('alt') : null; }"


def move_until_the_alt_changes(page, vbox, notebook, k):
    """Move the explorer's sliders one key each, first to last, until one redraws it; check alt and caption."""
    region = vbox.locator(".widget-html-content [role='status']")
    alt, caption = vbox.evaluate(ALT_NOW), region.first.text_content()
    handles = vbox.locator(".widget-slider .noUi-handle")
    for h in range(handles.count()):
        handle = handles.nth(h)
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        if at_max and handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemin"):
            continue
        handle.focus()
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        now = wait_for_change(lambda: vbox.evaluate(ALT_NOW), alt)
        if now and now != alt:
            assert wait_for_change(lambda: region.first.text_content(), caption) != caption, (
                f"{notebook}, explorer {k + 1}: the figure changed but not its caption"
            )
            return alt, now
        page.keyboard.press("ArrowRight" if at_max else "ArrowLeft")  # back: it showed a message
        wait_for_change(lambda: vbox.evaluate(ALT_NOW), None)
    raise AssertionError(f"{notebook}, explorer {k + 1}: no slider changed the figure's alt text ({alt!r})")


@pytest.mark.parametrize("notebook", ALL)
def test_axe_finds_no_serious_violation_and_every_explorer_is_described(browser, lab_url, notebook):
    page = open_notebook(browser, lab_url, notebook)
    try:
        violations = run_axe(page, include=CONTENT)
        found = {v["id"]: (v["impact"], len(v["nodes"])) for v in violations}
        record(f"{notebook}: axe in the content: {json.dumps(found) if found else 'no violation'}")
        chrome = run_axe(page, exclude=CHROME_EXCLUDE)
        with open(ARTIFACTS / "a11y_chrome.txt", "a") as out:
            out.write(f"{notebook}: JupyterLab's chrome (not failed): {len(chrome)} rules broken\n")
            out.writelines(
                f"  {line}\n"
                for line in serious(chrome)
                + [
                    f"  {v['id']} ({v['impact']}): {len(v['nodes'])} node(s)"
                    for v in chrome
                    if v["impact"] not in ("serious", "critical")
                ]
            )
        assert not serious(violations), f"{notebook}:\n" + "\n".join(serious(violations))

        shown = explorers(page)
        if notebook == "00_index.ipynb":
            assert not shown
            return
        assert shown, f"{notebook} shows no explorer after Run All"
        for k, explorer in enumerate(shown):
            assert explorer["alt"] and explorer["alt"].strip(), f"{notebook}, explorer {k + 1}: image without alt"
            assert explorer["caption"] is not None, f"{notebook}, explorer {k + 1}: no live caption"
            assert not explorer["unfocusable"], f"{notebook}, explorer {k + 1}: {explorer['unfocusable']}"
        vboxes = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .deconvlib-explorer")
        moved = 0
        for k in range(vboxes.count()):
            vbox = vboxes.nth(k)
            vbox.scroll_into_view_if_needed()
            move_until_the_alt_changes(page, vbox, notebook, k)
            moved += 1
        record(f"{notebook}: {len(shown)} explorer(s), alt text present; {moved} redrawn by the keyboard, alt changed")
        assert moved == len(shown)
    finally:
        if notebook != "00_index.ipynb":
            shut_down_kernels(page)
        page.close()


#: JavaScript: the focused element: what it is, its slider's label and value, and whether its focus shows.
FOCUSED = """
() => {
  const e = document.activeElement;
  if (!e) return null;
  const style = getComputedStyle(e);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  const slider = e.closest('.widget-slider');
  const button = e.closest('button');
  return {
    tag: e.tagName, cls: e.className && e.className.baseVal === undefined ? e.className : '',
    slider: slider ? slider.querySelector('.widget-label').innerText.trim() : null,
    value: e.getAttribute('aria-valuenow'), max: e.getAttribute('aria-valuemax'), min: e.getAttribute('aria-valuemin'),
    button: button ? (button.innerText.trim() || button.title || button.getAttribute('aria-label')
      || [...button.querySelector('i') ? button.querySelector('i').classList : []].join(' ')) : null,
    inExplorer: !!e.closest('.deconvlib-explorer'),
    ring, outline: style.outlineStyle + ' ' + style.outlineWidth, shadow: style.boxShadow,
  };
}
"""


def test_a_keyboard_alone_moves_every_slider_of_notebook_1_plays_and_resets(browser, lab_url):
    page = open_and_run(browser, lab_url, "01_start_here.ipynb")
    try:
        vbox = page.locator(".deconvlib-explorer").first
        vbox.scroll_into_view_if_needed()
        handles = vbox.locator(".widget-slider .noUi-handle")
        labels = [h.get_attribute("aria-valuenow") for h in handles.all()]
        start = dict(zip(range(len(labels)), labels))
        # Start on the explorer's box, before its first control (where a click beside the sliders leaves focus).
        page.evaluate("(e) => { e.setAttribute('tabindex', '-1'); e.focus(); }", vbox.element_handle())
        moved, walked, played, reset = set(), [], False, False
        n_sliders = handles.count()
        for _ in range(4 * n_sliders + 20):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUSED)
            if not focus or not focus["inExplorer"]:
                if walked:
                    break  # left the explorer
                continue
            walked.append(focus["slider"] or focus["button"] or focus["tag"])
            if focus["slider"] and "noUi-handle" in focus["cls"]:
                assert focus["ring"], f"slider {focus['slider']!r}: no visible focus ({focus})"
                alt = vbox.evaluate(ALT_NOW)
                key = "ArrowLeft" if focus["value"] == focus["max"] else "ArrowRight"
                if focus["value"] == focus["max"] == focus["min"]:
                    moved.add(focus["slider"])  # held at one value by another slider (output_padding)
                    continue
                page.keyboard.press(key)
                now = page.evaluate("() => document.activeElement.getAttribute('aria-valuenow')")
                assert now != focus["value"], f"{key} did not move {focus['slider']!r}"
                assert wait_for_change(lambda: vbox.evaluate(ALT_NOW), alt) != alt, focus["slider"]
                moved.add(focus["slider"])
            elif focus["button"] is not None:
                assert focus["ring"], f"button {focus['button']!r}: no visible focus ({focus})"
                if focus["button"] == "play" and not played:
                    step = vbox.locator(".widget-slider", has_text="step").locator(".noUi-handle")
                    value = step.get_attribute("aria-valuenow")
                    page.keyboard.press("Space")  # Play steps the sweep
                    assert wait_for_change(lambda: step.get_attribute("aria-valuenow"), value) != value, "Play"  # noqa: B023
                    pause = page.evaluate(FOCUSED)  # the same button, now "pause"
                    assert pause["button"] == "pause" and pause["ring"], pause
                    page.keyboard.press("Space")
                    time.sleep(1.0)
                    paused = step.get_attribute("aria-valuenow")
                    time.sleep(1.5)
                    assert step.get_attribute("aria-valuenow") == paused, "Space on pause did not stop the sweep"
                    walked.append("pause")
                    played = True
                elif "reset" in focus["button"]:
                    page.keyboard.press("Enter")
                    values = lambda: [h.get_attribute("aria-valuenow") for h in handles.all()]  # noqa: E731
                    deadline = time.monotonic() + HANG
                    while values() != labels and time.monotonic() < deadline:
                        time.sleep(0.05)
                    assert values() == labels, f"reset left {values()} (start {labels})"
                    reset = True
        record(f"01_start_here.ipynb keyboard walk (Tab order): {walked}")
        label_names = [s.inner_text().strip() for s in vbox.locator(".widget-slider .widget-label").all()]
        assert moved == set(label_names), f"moved {sorted(moved)} of {label_names}"
        assert played and reset, (played, reset, walked)
        assert start  # the values reset went back to
    finally:
        shut_down_kernels(page)
        page.close()
