"""The course as an offline JupyterLite site, in headless Chromium, with no request leaving it.

Builds ``_site/`` with ``tools/build_site.py`` (skipped when its stamp says it is up to
date), serves it on 127.0.0.1 from a thread (``tools/serve_site.py``'s handler, as ``make serve-site``:
its cache policy, gzip, the isolation headers), and opens every notebook of
``notebooks/`` in Lite's lab (``lab/index.html?path=NAME.ipynb``) in one browser context,
as a student going through the course would: the first notebook pays for the download of
Pyodide and the packages, the others find them in the browser's cache. Chromium reaches
every other origin through a proxy that does not exist (so such a request fails, as it would
offline), and every request is counted by origin: the count to another origin must be 0. For
each notebook, in a cross-origin-isolated page (the default build, so Kernel ▸ Interrupt works),
it runs all cells, asserts no error output, moves every stride, padding and dilation slider once
and asserts that its explorer's figure (the ``img`` of its ``.widget-output``) is redrawn, then
checks the layout at two screen sizes (``browser_support.check_layout``: usable slider tracks at
1024 px with the file browser open, nothing scrolling sideways at 1280×720).

It prints, per notebook, the kernel start (page opened → the Pyodide kernel answers a
first request), the run-all time and the slider latency (key press → new figure): figures
for the README, not assertions. They are also written to ``tests/artifacts/site_timings.json``.

Skips, saying why, where Debian's ``/usr/bin/chromium`` or Playwright is missing. The
first build needs PyPI and the npm registry (about 90 MB into ``build/site/downloads/``).
"""

import http.server
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM,
    FLAGS,
    KERNEL_READY,
    PANEL,
    check_layout,
    move_sliders,
    skip_without_browser,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import serve_site  # noqa: E402

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "tests" / "artifacts"

skip_without_browser("the site test")


@pytest.fixture(scope="module")
def site():
    """The offline site: _site/, built unless up to date (a CDN build there is left alone).

    Module-scoped like every fixture here: Playwright's event loop is closed before the
    notebooks' nbval tests (which run their own) start.
    """
    output = ROOT / "_site"
    try:
        if json.loads((output / ".site-stamp.json").read_text())["mode"] != "offline":
            output = ROOT / "build" / "site" / "_site-offline"
    except (OSError, ValueError, KeyError):
        pass
    start = time.monotonic()
    build = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_site.py"), "--pyodide", "offline", "--output", str(output)],
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        pytest.fail(f"tools/build_site.py failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}")
    stamp = json.loads((output / ".site-stamp.json").read_text())
    size_mb, seconds = stamp["size_bytes"] / 1e6, time.monotonic() - start
    print(f"\n[site] {output.relative_to(ROOT)}: {size_mb:.1f} MB, ready in {seconds:.0f} s")
    return output


@pytest.fixture(scope="module")
def origin(site):
    """``http://127.0.0.1:PORT``: the site served from a thread, as ``make serve-site`` serves it."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), serve_site.handler_for(site, quiet=True))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class Requests:
    """Every request the browser makes, sorted by origin (those to another origin cannot succeed)."""

    def __init__(self, origin):
        self.origin = origin
        self.external = []
        self.own = []

    def record(self, request):
        url = request.url
        if url.startswith(self.origin + "/") or url.startswith(("data:", "blob:")):
            self.own.append(url)
        else:
            self.external.append(url)


@pytest.fixture(scope="module")
def requests_seen(origin):
    return Requests(origin)


#: A proxy that does not exist for every host but the site's: a request that would leave the site
#: fails, as it would offline. Unlike a Playwright route (which turns the HTTP cache off), this keeps
#: the browser's cache, so the notebooks after the first load Pyodide as a returning student does.
DEAD_PROXY = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"]


@pytest.fixture(scope="module")
def context(requests_seen):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS + DEAD_PROXY)
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        ctx.on("request", requests_seen.record)
        yield ctx
        ctx.close()
        browser.close()


@pytest.fixture(scope="module")
def timings(request, requests_seen):
    """Per-notebook figures, printed as a table after the last test of this file (even without -s)."""
    rows = {}
    yield rows
    if not rows:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "site_timings.json").write_text(json.dumps(rows, indent=1) + "\n")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    lines = [
        "JupyterLite site, offline (Pyodide 0.27.7), headless Chromium on this machine:",
        f"{'notebook':38} {'kernel start':>12} {'run all':>8}  slider latency (key → new figure)",
    ]
    for name, row in rows.items():
        latencies = ", ".join(f"{label} {ms:.0f} ms" for label, ms in row["sliders"]) or "-"
        lines.append(f"{name:38} {row['kernel_start_s']:>10.1f} s {row['run_all_s']:>6.1f} s  {latencies}")
    lines.append(f"requests to another origin: {len(requests_seen.external)}; to the site: {len(requests_seen.own)}")
    for line in lines:
        (reporter.write_line if reporter else print)(line)


#: JavaScript: Run All Cells (the Run menu's command); resolves when every cell has run.
RUN_ALL = """async () => {
  const t0 = performance.now();
  const ok = await window.jupyterapp.commands.execute("notebook:run-all-cells");
  return [ok, (performance.now() - t0) / 1000];
}"""


def wait_for_notebook(page, notebook):
    page.wait_for_selector(".jp-Notebook:visible", timeout=60_000)
    page.wait_for_function(PANEL, arg=notebook, timeout=30_000)


def error_outputs(page):
    """Texts of the error and stderr outputs in the notebook (matplotlib's font-cache notice too: a red box)."""
    outputs = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
        " .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
    )
    texts = [outputs.nth(k).inner_text() for k in range(outputs.count())]
    return texts


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_offline_and_its_sliders_redraw(context, origin, requests_seen, timings, notebook):
    ARTIFACTS.mkdir(exist_ok=True)
    page = context.new_page()
    try:
        start = time.monotonic()
        page.goto(f"{origin}/lab/index.html?path={notebook}")
        wait_for_notebook(page, notebook)
        kernel = page.evaluate(KERNEL_READY, notebook)
        kernel_start = time.monotonic() - start
        assert kernel == "python", f"{notebook} opened with kernel {kernel!r}, not Pyodide's"
        assert page.evaluate("() => window.crossOriginIsolated"), f"{notebook}: the page is not cross-origin isolated"

        ok, run_all = page.evaluate(RUN_ALL)
        page.screenshot(path=str(ARTIFACTS / f"site_{notebook.replace('.ipynb', '')}_run_all.png"))
        errors = error_outputs(page)
        assert not errors, f"{notebook} shows an error output in the site: {errors[0][:800]}"
        assert ok, f"{notebook}: Run All Cells reports a failed cell"

        moved = []
        if page.locator(".widget-slider").count():
            page.wait_for_selector(".widget-output img:visible", timeout=30_000)
            moved = move_sliders(page, notebook)
            page.screenshot(path=str(ARTIFACTS / f"site_{notebook.replace('.ipynb', '')}_after_sliders.png"))
            check_layout(page, notebook, ARTIFACTS / f"site_{notebook.replace('.ipynb', '')}_1024.png")
        if not notebook.startswith("00_"):  # the index has no explorer; every lesson has one
            assert moved, f"{notebook} has no stride/padding/dilation slider"
        errors = error_outputs(page)
        assert not errors, f"{notebook}: moving the sliders produced an error output: {errors[0][:800]}"

        timings[notebook] = {"kernel_start_s": kernel_start, "run_all_s": run_all, "sliders": moved}
        latencies = ", ".join(f"{label} {ms:.0f} ms" for label, ms in moved)
        print(f"\n[site] {notebook}: kernel {kernel_start:.1f} s, run all {run_all:.1f} s, sliders: {latencies or '-'}")
    finally:
        page.close()
    assert requests_seen.external == [], f"requests left the site's origin: {requests_seen.external[:10]}"


def test_the_count_saw_pyodide_load_so_zero_external_requests_means_something(context, requests_seen, timings):
    """The count above is only meaningful if it sees the kernel's own downloads (made by a Web Worker)."""
    if not timings:
        pytest.skip("no notebook was opened in this run")
    wheels = [url for url in requests_seen.own if "/static/pyodide/" in url and url.endswith(".whl")]
    assert any("deconvlib-" in url for url in wheels), "the count never saw the deconvlib wheel being fetched"
    assert any("pyodide.asm.wasm" in url for url in requests_seen.own), "the count never saw pyodide.asm.wasm"
    assert requests_seen.external == []


def test_landing_page_links_every_notebook_and_the_gallery(context, origin, requests_seen):
    page = context.new_page()
    try:
        page.goto(f"{origin}/")
        links = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
        for notebook in NOTEBOOKS:
            assert f"lab/index.html?path={notebook}" in links, f"the landing page does not link {notebook}"
        assert "gallery/index.html" in links
        page.goto(f"{origin}/gallery/index.html")
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.getAttribute('src'), e.naturalWidth])")
        assert images and all(width > 0 for _, width in images), f"gallery images that did not load: {images}"
    finally:
        page.close()
    assert requests_seen.external == []
