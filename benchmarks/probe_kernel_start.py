"""Where a visit's start-up goes: the kernel worker's stages, timed in its console, two visits per profile.

Run from the repository's root, on a site already built (this builds nothing; it copies the site)::

    python benchmarks/probe_kernel_start.py _site /tmp/other-site --rounds 2

For each site, a copy whose kernel worker chunks log ``T<ms>`` (``performance.timeOrigin +
performance.now()``, so page and worker share a clock) when the chunk runs and before each step of
pyodide-kernel 0.6.1's ``initialize`` (``initRuntime``: Pyodide and its start-up packages;
``initFilesystem``; ``initPackageManager``; ``initKernel``: ``import pyodide_kernel``; ``initGlobals``).
Each round opens notebook 1 twice on one fresh Chromium profile (a first and a second visit), served by
``tools/serve_site.py`` (COOP/COEP headers), Runs All when the kernel is idle and waits for the first
explorer figure; the sites take turns. Printed per visit: kernel idle and first figure (seconds from
``page.goto``) and the worker's console, stages and Pyodide's "Loading …/Loaded …" lines, at their time.
benchmarks/README.md ("Start-up, third pass") has what it found.
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402
from browser_support import CHROMIUM, FLAGS, KERNEL_READY, free_port  # noqa: E402

NOTEBOOK_1 = "01_start_here.ipynb"
NOW = "${performance.timeOrigin + performance.now()}"
STEPS = ["initRuntime", "initFilesystem", "initPackageManager", "initKernel", "initGlobals"]
#: pyodide-kernel 0.6.1's ``initialize``, as its worker chunks spell it.
INITIALIZE = ",".join(f"await this.{step}(e)" for step in STEPS)
PANEL = """(path) => {
  const app = window.jupyterapp;
  return !!app && Array.from(app.shell.widgets("main")).some((w) => w.context && w.context.path === path);
}"""
FIGURE = ".widget-output img, .widget-output svg"


def instrumented_copy(site, folder):
    """A copy of ``site`` in ``folder`` whose worker chunks log their stages; the number of chunks changed."""
    shutil.copytree(site, folder, symlinks=True)
    static = folder / "extensions" / build_site.KERNEL_STATIC
    timed = ",".join(f"console.log(`{step} T{NOW}`),await this.{step}(e)" for step in STEPS)
    timed += f",console.log(`done T{NOW}`)"
    changed = 0
    for chunk in static.glob("*.js"):
        text = chunk.read_text()
        if INITIALIZE in text:
            chunk.write_text(f"console.log(`chunk T{NOW}`);" + text.replace(INITIALIZE, timed))
            changed += 1
    if not changed:
        raise SystemExit(f"{site}: no worker chunk has pyodide-kernel 0.6.1's initialize")
    return changed


def visit(context, origin):
    """Open notebook 1, Run All when its kernel is idle; (kernel idle s, first figure s, [(s, console line)])."""
    page = context.new_page()
    start, lines = time.time(), []

    def seen(message):
        stamp = re.search(r"T(\d{13}(?:\.\d+)?)", message.text)
        at = float(stamp.group(1)) / 1000 - start if stamp else time.time() - start
        lines.append((at, message.text[:150]))

    page.on("worker", lambda worker: worker.on("console", seen))
    page.goto(f"{origin}/lab/index.html?path={NOTEBOOK_1}")
    page.wait_for_function(PANEL, arg=NOTEBOOK_1, timeout=120_000)
    page.evaluate(KERNEL_READY, NOTEBOOK_1)
    idle = time.time() - start
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(FIGURE, timeout=120_000)
    figure = time.time() - start
    page.close()
    return idle, figure, sorted(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sites", nargs="+", type=Path, help="built sites (tools/build_site.py --output …)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds; each opens notebook 1 twice per site")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="probe-kernel-start-") as scratch, sync_playwright() as playwright:
        copies = []
        for number, site in enumerate(args.sites):
            copy = Path(scratch) / f"site{number}"
            print(f"# {site}: {instrumented_copy(site, copy)} worker chunks timed", flush=True)
            copies.append((site, copy))
        for round_ in range(1, args.rounds + 1):
            for site, copy in copies:
                port = free_port()
                server = subprocess.Popen(
                    [sys.executable, str(ROOT / "tools" / "serve_site.py"), "-d", str(copy), "-p", str(port)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                try:
                    time.sleep(1)
                    with tempfile.TemporaryDirectory(prefix="probe-profile-") as profile:
                        context = playwright.chromium.launch_persistent_context(
                            profile, executable_path=CHROMIUM, args=FLAGS, headless=True
                        )
                        for which in ("first", "second"):
                            idle, figure, lines = visit(context, f"http://127.0.0.1:{port}")
                            print(
                                f"round {round_}, {site}, {which} visit: kernel idle {idle:.2f} s, "
                                f"first figure {figure:.2f} s",
                                flush=True,
                            )
                            for at, line in lines:
                                if re.match(r"(chunk|init\w+|done) T|Load(ing|ed) ", line):
                                    print(f"    {at:6.2f}  {line}")
                        context.close()
                finally:
                    server.terminate()


if __name__ == "__main__":
    main()
