"""Make ``deconvlib/viz/data/fontlist-v<N>.json``: matplotlib's font list as Pyodide builds it.

Usage (after ``make site``; needs Chromium and Playwright, as the site test does)::

    python tools/font_cache.py [SITE_DIR]        # default: _site

Serves the built JupyterLite site on 127.0.0.1, opens its index notebook in
headless Chromium, lets the Pyodide kernel build matplotlib's font list and
writes it out (paths relative to matplotlib's ``mpl-data``, as matplotlib
stores them). ``deconvlib/viz/font_cache.py`` ships it, so a kernel of the site
neither rebuilds it nor warns on stderr. Run it again when the site's Pyodide
(and so its matplotlib) changes: the file's name carries matplotlib's font-list
version, and a list of another version is simply not used.
"""

import functools
import http.server
import json
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = """
import json
import matplotlib.font_manager as fm
found = json.loads(json.dumps(fm.fontManager, cls=fm._JSONEncoder))
print(json.dumps({"version": fm.FontManager.__version__, "list": found}))
"""
RUN = """async ([path, code]) => {
  let panel = null;
  while (!panel) {
    for (const w of window.jupyterapp.shell.widgets("main")) if (w.context && w.context.path === path) panel = w;
    if (!panel) await new Promise((r) => setTimeout(r, 200));
  }
  await panel.context.ready; await panel.sessionContext.ready;
  const kernel = panel.sessionContext.session.kernel;
  const out = [];
  const future = kernel.requestExecute({code, store_history: false});
  future.onIOPub = (m) => {
    if (m.content.name === "stdout") out.push(m.content.text);
    if (m.content.traceback) out.push(m.content.traceback.join("\\n"));
  };
  await future.done;
  return out.join("");
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

    def log_message(self, *args):
        pass


def main(site=ROOT / "_site"):
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/lab/index.html?path=00_index.ipynb")
            page.wait_for_function("() => window.jupyterapp", timeout=120_000)
            text = page.evaluate(RUN, ["00_index.ipynb", CODE])
            browser.close()
    finally:
        server.shutdown()
    found = json.loads(text.strip().splitlines()[-1])
    fonts = found["list"]
    absolute = [f["fname"] for f in fonts["ttflist"] + fonts["afmlist"] if f["fname"].startswith("/")]
    if absolute:
        sys.exit(f"the list names fonts outside mpl-data, so it would not carry over: {absolute[:3]}")
    target = ROOT / "deconvlib" / "viz" / "data" / f"fontlist-v{found['version']}.json"
    target.write_text(json.dumps(fonts, indent=0, sort_keys=True))
    print(f"wrote {target.relative_to(ROOT)}: {len(fonts['ttflist'])} TrueType and {len(fonts['afmlist'])} AFM fonts")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_site")
