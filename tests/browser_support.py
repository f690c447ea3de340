"""What the three browser tests share: Chromium's path and flags, and how to find and time a figure.

``tests/course/test_browser.py`` (JupyterLab), ``tests/site/test_site.py`` (the
JupyterLite site) and ``tests/site/test_present.py`` (Voilà) drive Debian's
Chromium with Playwright the same way, through the ``browser`` fixture of
``tests/conftest.py``; nothing here imports Playwright until
:func:`skip_without_browser` is called.
"""

import re
import socket
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
#: Chromium's flags here (root, no GPU, a closed network: no background requests).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Slider descriptions that change the geometry: each must redraw its own explorer's figure.
GEOMETRY_SLIDER = re.compile(r"^(stride|padding|dilation)( [spd])?$")

#: Given an explorer's VBox, set ``window.__latency`` to the ms from the next keydown to its new figure, decoded.
LATENCY_JS = """
(vbox) => {
  const img = () => vbox.querySelector('.widget-output img');
  const before = img() ? img().src : null;
  window.__latency = null;
  let t0 = null;
  document.addEventListener('keydown', () => { t0 = performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    const now = img();
    if (t0 !== null && now && now.src !== before) {
      observer.disconnect();
      now.decode().catch(() => {}).then(() => { window.__latency = performance.now() - t0; });
    }
  });
  observer.observe(vbox, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
}
"""


#: JavaScript, in the site (JupyterLite exposes the app as window.jupyterapp): the notebook at ``path`` is open.
PANEL = """(path) => {
  const app = window.jupyterapp;
  if (!app) return false;
  for (const widget of app.shell.widgets("main")) {
    if (widget.context && widget.context.path === path) return true;
  }
  return false;
}"""

#: JavaScript: the notebook's kernel answers a first (silent) request; resolves when it has.
KERNEL_READY = """async (path) => {
  // each wait is guarded (180 s), so that a kernel that never starts fails the test, saying where,
  // instead of hanging it: page.evaluate has no timeout of its own
  const guard = (promise, what) => Promise.race([promise, new Promise((_, fail) =>
    setTimeout(() => fail(new Error(path + ": no " + what + " after 180 s")), 180000))]);
  let panel = null;
  for (const widget of window.jupyterapp.shell.widgets("main")) {
    if (widget.context && widget.context.path === path) panel = widget;
  }
  await guard(panel.context.ready, "notebook");
  await guard(panel.sessionContext.ready, "session");
  const kernel = panel.sessionContext.session.kernel;
  await guard(kernel.requestExecute({code: "", silent: true, store_history: false}).done, "kernel answer");
  return kernel.name;
}"""


def skip_without_browser(what):
    """Skip the calling test module, saying why, where Chromium or Playwright is missing; else ``playwright.sync_api``.

    Called at the top of a browser test module, before its fixtures start a server.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium); {what} needs it", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")


def free_port():
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def explorer_image(slider):
    """The figure of the explorer (the nearest enclosing ``VBox``) that holds ``slider`` (a Playwright locator)."""
    return slider.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]").locator(".widget-output img")


#: Seconds to wait for a figure after a key press: only a guard against a hang, never a measure.
REDRAW_HANG = 60


def move_sliders(page, notebook, labels=GEOMETRY_SLIDER):
    """Move each slider whose description matches ``labels`` one step; each must redraw its own explorer's figure.

    A slider at its maximum moves left, any other right. Returns ``[(label, ms from the key press to the new
    figure's src)]``, in page order (the times are figures, not assertions).
    """
    sliders = page.locator(".widget-slider")
    moved = []
    for k in range(sliders.count()):
        slider = sliders.nth(k)
        label = slider.locator(".widget-label").first.inner_text().strip()
        if not labels.match(label):
            continue
        slider.scroll_into_view_if_needed()
        image = explorer_image(slider)
        before = image.first.get_attribute("src") if image.count() else None
        assert before, f"{notebook}: the explorer of {label!r} (slider {k}) shows no figure"
        handle = slider.locator(".noUi-handle")
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        handle.focus()
        start = time.monotonic()
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        after = before
        while after == before and time.monotonic() < start + REDRAW_HANG:
            time.sleep(0.01)
            after = image.first.get_attribute("src") if image.count() else None
        assert after != before, f"{notebook}: moving {label!r} (slider {k}) did not change its explorer's figure"
        moved.append((label, (time.monotonic() - start) * 1000))
    return moved


#: The narrowest a slider's track may become, in CSS px.
MIN_TRACK = 80

#: What check_layout measures on the visible notebook: sideways scroll, slider tracks, explorers.
LAYOUT_JS = """
() => {
  const panel = [...document.querySelectorAll('.jp-NotebookPanel')].find(p => p.offsetParent !== null);
  const scroller = panel.querySelector('.jp-WindowedPanel-outer') || panel.querySelector('.jp-Notebook');
  const area = panel.querySelector('.jp-OutputArea-output').getBoundingClientRect();
  const tracks = [...panel.querySelectorAll('.widget-slider')].map(s => {
    const track = s.querySelector('.slider-container') || s.querySelector('.noUi-target');
    return {label: s.querySelector('.widget-label').innerText, width: track.getBoundingClientRect().width};
  });
  const explorers = [...panel.querySelectorAll('.widget-vbox')].filter(v => v.querySelector('.widget-slider'))
    .map(v => {
      const r = v.getBoundingClientRect(), img = v.querySelector('.widget-output img');
      const shown = img ? img.getBoundingClientRect().width : null;
      const declared = img ? Number(img.getAttribute('width')) || img.naturalWidth / 2 : null;
      return {right: r.right, height: r.height, scale: img ? shown / declared : null};
    });
  return {scroll: scroller.scrollWidth - scroller.clientWidth, areaRight: area.right, areaWidth: area.width,
          tracks, explorers};
}
"""


def file_browser(page, open_):
    """Open or close JupyterLab's file browser (the left sidebar's first panel)."""
    tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']").first
    is_open = "lm-mod-current" in (tab.get_attribute("class") or "")
    if is_open != open_:
        tab.click()
        page.wait_for_timeout(400)


def check_layout(page, notebook, screenshot):
    """1024×768 with the file browser open: slider tracks ≥ MIN_TRACK px; 1280×720 without: no sideways scroll.

    ``screenshot``: where to save the page at 1024 px. Returns what was measured at 1024 and at 1280×720
    (track widths, explorer heights, the figures' scale).
    """
    page.set_viewport_size({"width": 1024, "height": 768})
    file_browser(page, True)
    narrow = page.evaluate(LAYOUT_JS)
    page.screenshot(path=str(screenshot))
    short = [t for t in narrow["tracks"] if t["width"] < MIN_TRACK]
    assert not short, f"{notebook} at 1024 px with the file browser open: slider tracks too narrow: {short}"
    assert narrow["scroll"] <= 1, f"{notebook} at 1024 px scrolls sideways by {narrow['scroll']} px"
    page.set_viewport_size({"width": 1280, "height": 720})
    file_browser(page, False)
    wide = page.evaluate(LAYOUT_JS)
    assert wide["scroll"] <= 1, f"{notebook} at 1280×720 scrolls sideways by {wide['scroll']} px"
    for explorer in wide["explorers"]:
        assert explorer["right"] <= wide["areaRight"] + 1, f"{notebook} at 1280×720: an explorer sticks out"
    return narrow, wide


def only_from(context, prefix):
    """Abort every request of a Playwright ``context`` whose URL does not start with ``prefix`` (another origin,
    as offline); return the list of those URLs, which grows as the pages ask."""
    aborted = []

    def route(route):
        if route.request.url.startswith(prefix):
            route.continue_()
        else:
            aborted.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    return aborted
