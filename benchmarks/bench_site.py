"""The zero-install site in headless Chromium: start-up, bytes, memory and slider latency, against a baseline.

Run from the repository's root (Playwright and Debian's ``/usr/bin/chromium`` needed)::

    python benchmarks/bench_site.py                          # both sites, every notebook's sliders
    python benchmarks/bench_site.py --notebooks none --runs 3   # notebook 1's start-up only, 3 times
    python benchmarks/bench_site.py --gzip --output benchmarks/results/DATE_site_run1.txt
    python benchmarks/bench_site.py --isolate --baseline 2411b5d --notebooks none --runs 3

It builds two offline JupyterLite sites with ``tools/build_site.py --pyodide offline``:
the working tree's, and the baseline commit's (``--baseline``, default ``4722ca6``), built
by that commit's own ``tools/build_site.py`` in a temporary ``git worktree`` with the same
download cache (``build/site/downloads/``). Each site is served on 127.0.0.1 by
``http.server`` in a thread (``.wasm`` as ``application/wasm``; with ``--gzip``, the build's
brotli twin ``FILE.br`` when there is one and the browser accepts it, as ``tools/serve_site.py``
sends it, else every response that gzip shrinks by at least 5 % gzip-compressed, or the
precompressed ``.gz`` beside the file) and opened in headless Chromium, every other
origin behind a dead proxy (as ``tests/site/test_site.py`` does).

Per site and run, notebook 1 is opened twice: a cold visit on a fresh profile, then a
second visit on the same profile (closed and reopened). Each visit times page open →
kernel idle and page open → first live explorer figure (Run All started as soon as the
kernel is idle), and counts the bytes received (response bodies as sent, from the
context's ``requestfinished`` events, the kernel's Web Worker included), the requests,
and the renderer processes' memory after Run All (PSS and RSS from ``/proc``). Then, on a
fresh profile, each notebook of ``--notebooks`` is opened, run, and every slider of every
explorer is moved ``--moves`` times (ArrowRight, ArrowLeft back from the maximum): key
down → the explorer's figure replaced and decoded, timed in the page (a move that shows a
message, or draws the same figure again, is counted, not timed).

With ``--isolate`` the working tree's site is built with ``--isolate`` (cross-origin isolated,
Kernel ▸ Interrupt) and measured twice in each run: served plainly, so that its service worker
adds the isolation headers (as on GitHub Pages: the first visit's notebook page reloads once
when the worker takes it over), and served with COOP/COEP headers (as ``serve_site.py``); the
baseline is served plainly. A visit of an isolated site waits until the notebook page is
``crossOriginIsolated``; "loads" counts the notebook page's loads (2 when it reloaded).

Every figure of the working tree's site is also given as a ratio to the baseline's,
measured in the same run: on a busy machine both slow down alike. The header gives the
load average before and after.
"""

import argparse
import asyncio
import gzip
import http.server
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from browser_support import CHROMIUM, FLAGS, KERNEL_READY, PANEL  # noqa: E402

BENCH_DIR = ROOT / "build" / "bench_site"
DOWNLOADS = ROOT / "build" / "site" / "downloads"
NOTEBOOK_1 = "01_start_here.ipynb"
#: Every other origin through a proxy that does not exist (tests/site/test_site.py's DEAD_PROXY).
DEAD_PROXY = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"]
VIEWPORT = {"width": 1400, "height": 1000}
#: Seconds: guards against a hang, never a measure.
PAGE_HANG, RUN_ALL_HANG, REDRAW_HANG = 180, 600, 20
#: Seconds to wait for the sizes of a visit's requests, all asked at once after Run All (see body_sizes).
SIZES_HANG = 10
#: A response is sent gzip-compressed when that makes it at least this much smaller.
GZIP_MIN_SAVING = 0.05

# ---------------------------------------------------------------- the page's side

#: Keep the panel of the notebook at ``path`` as window.__panel (for KERNEL_IDLE and ARM_MOVE).
REMEMBER_PANEL = """(path) => {
  for (const widget of window.jupyterapp.shell.widgets("main")) {
    if (widget.context && widget.context.path === path) window.__panel = widget;
  }
}"""

#: Start Run All without waiting; ``window.__runAll`` becomes [ok, ms since page open] when every cell has run.
START_RUN_ALL = """() => {
  window.__runAll = null;
  window.jupyterapp.commands.execute("notebook:run-all-cells")
    .then(ok => { window.__runAll = [ok, performance.now()]; },
          error => { window.__runAll = [false, performance.now(), String(error)]; });
}"""

#: A live explorer figure (an image in an Output widget's view, loaded; an SVG without a size of its own
#: has no natural width, but a laid-out width): "figure"; else "done" after Run All.
FIRST_FIGURE = """() => {
  const img = document.querySelector('.widget-output img');
  if (img !== null && img.complete && (img.naturalWidth > 0 || img.getBoundingClientRect().width > 0)) {
    return "figure";
  }
  return window.__runAll !== null ? "done" : false;
}"""

#: The notebook's kernel is idle (before each slider move: every move starts from a quiet kernel).
KERNEL_IDLE = """() => {
  const kernel = window.__panel.sessionContext.session.kernel;
  return kernel.status === "idle";
}"""

#: Error and stderr outputs, minus matplotlib's font-cache notice.
ERRORS = """() => [...document.querySelectorAll(
    ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
    + " .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")]
  .map(e => e.innerText).filter(t => !/^\\s*Matplotlib is building the font cache/.test(t))"""

#: Every slider of the notebook: its label, its explorer (nearest VBox, numbered in page order), its range.
SLIDERS = """() => {
  const vboxes = [];
  return [...document.querySelectorAll('.widget-slider')].map(slider => {
    const vbox = slider.closest('.widget-vbox');
    if (!vboxes.includes(vbox)) vboxes.push(vbox);
    const label = slider.querySelector('.widget-label');
    return {label: label ? label.innerText.trim() : '', explorer: vboxes.indexOf(vbox)};
  });
}"""

#: Milliseconds after the kernel is idle again with the explorer's output unchanged: the move drew the same figure.
UNCHANGED_GRACE = 2000

#: Given slider ``k``, time the next keydown → its explorer's new figure, decoded: sets ``window.__move`` to
#: [ms, "figure"]; or [ms, "message"] when the explorer shows a message (no image) instead; or [ms, "same"]
#: when the kernel went busy and idle again and, UNCHANGED_GRACE ms later, the output had not changed
#: (a move to a figure identical to the last one: pooling's output is 1×1 at stride 3 and at stride 4).
ARM_MOVE = """(k) => {
  const slider = document.querySelectorAll('.widget-slider')[k];
  const vbox = slider.closest('.widget-vbox');
  const img = () => vbox.querySelector('.widget-output img');
  const before = img() ? img().src : null;
  const output = vbox.querySelector('.widget-output');
  const beforeHtml = output ? output.innerHTML : null;
  const kernel = window.__panel.sessionContext.session.kernel;
  window.__move = null;
  let t0 = null, sawBusy = false, done = false, timer = null;
  const finish = (kind) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    observer.disconnect();
    kernel.statusChanged.disconnect(onStatus);
    window.__move = [performance.now() - t0, kind];
  };
  const onStatus = (_, status) => {
    if (t0 === null) return;
    if (status === 'busy') sawBusy = true;
    else if (status === 'idle' && sawBusy && timer === null) timer = setTimeout(() => finish('same'), GRACE);
  };
  document.addEventListener('keydown', () => { t0 = performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    if (t0 === null) return;
    const now = img();
    if (now && now.src !== before) {
      observer.disconnect();
      now.decode().catch(() => {}).then(() => finish('figure'));
    } else if (!now && output && output.innerHTML !== beforeHtml) {
      finish('message');
    }
  });
  kernel.statusChanged.connect(onStatus);
  observer.observe(vbox, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
  const handle = slider.querySelector('.noUi-handle');
  handle.scrollIntoView({block: 'center'});
  handle.focus();
  const value = Number(handle.getAttribute('aria-valuenow'));
  return [value, Number(handle.getAttribute('aria-valuemin')), Number(handle.getAttribute('aria-valuemax'))];
}""".replace("GRACE", str(UNCHANGED_GRACE))


# ---------------------------------------------------------------- output


class Tee:
    """print() to stdout and, with ``--output``, to a file."""

    def __init__(self, path=None):
        self.file = None
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.file = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed by close())

    def __call__(self, *parts):
        line = " ".join(str(p) for p in parts)
        print(line, flush=True)
        if self.file:
            self.file.write(line + "\n")
            self.file.flush()

    def close(self):
        if self.file:
            self.file.close()


def table(out, header, rows):
    """Print ``rows`` (lists of cells) under ``header``, columns padded; the first left-aligned."""
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for n, row in enumerate(cells):
        out("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            out("  ".join("-" * w for w in widths))


def fmt(value, unit="", digits=1):
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def ratio(new, old):
    return "-" if new is None or old is None or old == 0 else f"{new / old:.2f}"


# ---------------------------------------------------------------- the machine


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def chromium_version():
    run = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True)
    return run.stdout.strip() or "unknown"


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def git(*args, cwd=ROOT):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def processes():
    """{pid: (ppid, cmdline)} of every process visible in /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        found[int(entry.name)] = (ppid, cmdline)
    return found


def renderer_memory(user_data_dir):
    """(PSS MB, RSS MB, count) summed over the renderer processes of the Chromium using ``user_data_dir``.

    The browser process is the one with ``--user-data-dir=...`` and no ``--type=``; its renderers are
    its descendants with ``--type=renderer`` (they hang from the zygote). PSS counts pages shared
    between processes (Chromium's code, fonts) once, in proportion; RSS counts them in every process.
    """
    procs = processes()
    browsers = [
        pid for pid, (_, cmd) in procs.items() if f"--user-data-dir={user_data_dir}" in cmd and "--type=" not in cmd
    ]
    children = {}
    for pid, (ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    todo, renderers = list(browsers), []
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            todo.append(child)
            if "--type=renderer" in procs[child][1]:
                renderers.append(child)
    pss = rss = 0
    for pid in renderers:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            continue
    return pss / 1024, rss / 1024, len(renderers)


# ---------------------------------------------------------------- building the two sites


def build_site(source_root, output, out, *options):
    """Build ``output`` with ``source_root``'s own tools/build_site.py (skipped by it when up to date); seconds."""
    start = time.monotonic()
    cmd = [sys.executable, str(source_root / "tools" / "build_site.py"), "--pyodide", "offline", "--output", output]
    cmd += options
    build = subprocess.run([str(c) for c in cmd], cwd=source_root, capture_output=True, text=True)
    if build.returncode != 0:
        raise SystemExit(f"building {output} failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}")
    seconds = time.monotonic() - start
    said = [line for line in build.stdout.splitlines() if " built " in line or "up to date" in line]
    out(f"# {output.relative_to(ROOT)}: {seconds:.0f} s ({said[-1].removeprefix('[site] ') if said else 'built'})")
    return seconds


def build_baseline(rev, output, out):
    """The site of commit ``rev``, built by that commit's build_site.py in a temporary git worktree.

    The worktree shares this checkout's download cache and, when the baseline pins the same
    JupyterLite, its build venv: nothing is downloaded or installed twice.
    """
    tree = Path(tempfile.mkdtemp(prefix="bench-site-baseline-"))
    tree.rmdir()
    git("worktree", "add", "--detach", "--quiet", str(tree), rev)
    try:
        site_build = tree / "build" / "site"
        site_build.mkdir(parents=True)
        if DOWNLOADS.is_dir():
            (site_build / "downloads").symlink_to(DOWNLOADS)
        venv = ROOT / "build" / "site" / "venv-offline"
        pins = re.search(r"OFFLINE_PINS = \[(.*?)\]", (tree / "tools" / "build_site.py").read_text(), re.S)
        if pins and (venv / "pins.txt").exists():
            wanted = "\n".join(re.findall(r'"([^"]+)"', pins.group(1)))
            if (venv / "pins.txt").read_text() == wanted:
                (site_build / "venv-offline").symlink_to(venv)
        return build_site(tree, output, out)
    finally:
        git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(tree, ignore_errors=True)
        git("worktree", "prune")


# ---------------------------------------------------------------- serving


def gzip_handler(directory, compress, counts, cache_control="", isolate=False):
    """An http.server handler for ``directory``: .wasm as application/wasm; with ``compress``, gzip.

    Compressed bodies are made once per file (``warm``) so that the measurement times the
    browser, not this server's zlib. ``counts`` (a dict with a lock) gets the requests answered
    and the body bytes sent. ``cache_control``: a ``Cache-Control`` header for every response
    (none by default, as ``python -m http.server``). ``isolate``: COOP/COEP/CORP on every response,
    as ``tools/serve_site.py`` sends them.
    """
    cache = {}

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=directory, **kwargs)

        def log_message(self, *args):
            pass

        def send_response(self, code, message=None):
            with counts["lock"]:
                counts["requests"] += 1
            super().send_response(code, message)
            if cache_control:
                self.send_header("Cache-Control", cache_control)
            if isolate:
                self.send_header("Cross-Origin-Opener-Policy", "same-origin")
                self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
                self.send_header("Cross-Origin-Resource-Policy", "same-origin")

        def copyfile(self, source, outputfile):
            data = source.read()
            with counts["lock"]:
                counts["bytes"] += len(data)
            outputfile.write(data)

        def send_head(self):
            if not compress or "gzip" not in self.headers.get("Accept-Encoding", ""):
                return super().send_head()
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            coding, body = "gzip", gzipped(path)
            brotli = path.with_name(path.name + ".br")
            if "br" in self.headers["Accept-Encoding"] and path.is_file() and brotli.is_file():
                coding, body = "br", brotli.read_bytes()
            if body is None:
                return super().send_head()
            stat = path.stat()
            since = self.headers.get("If-Modified-Since")
            if since:
                try:
                    if int(stat.st_mtime) <= parsedate_to_datetime(since).timestamp():
                        self.send_response(304)
                        self.end_headers()
                        return None
                except (TypeError, ValueError, IndexError, OverflowError):
                    pass
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", coding)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Last-Modified", formatdate(stat.st_mtime, usegmt=True))
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return _Body(body)

    def gzipped(path):
        """The gzip body for ``path``: its ``.gz`` twin, or compressed here; None when not worth it."""
        if not path.is_file() or path.suffix in (".gz", ".br"):
            return None
        key = (path, path.stat().st_mtime)
        if key not in cache:
            twin = path.with_name(path.name + ".gz")
            if twin.is_file():
                cache[key] = twin.read_bytes()
            else:
                raw = path.read_bytes()
                packed = gzip.compress(raw, compresslevel=6, mtime=0)
                cache[key] = packed if len(packed) <= (1 - GZIP_MIN_SAVING) * len(raw) else None
        return cache[key]

    def warm():
        for path in Path(directory).rglob("*"):
            gzipped(path)

    return Handler, warm


class _Body:
    """A file-like object over bytes, for SimpleHTTPRequestHandler.copyfile."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def read(self, n=-1):
        n = len(self.data) - self.pos if n < 0 else n
        chunk = self.data[self.pos : self.pos + n]
        self.pos += len(chunk)
        return chunk

    def close(self):
        pass


class Server:
    """The site served on 127.0.0.1 from a thread, as ``python -m http.server`` would (plus gzip)."""

    def __init__(self, directory, compress, cache_control="", isolate=False):
        self.counts = {"lock": threading.Lock(), "requests": 0, "bytes": 0}
        handler, warm = gzip_handler(str(directory), compress, self.counts, cache_control, isolate)
        if compress:
            warm()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def take_counts(self):
        """(requests answered, body bytes sent) since the last call."""
        with self.counts["lock"]:
            taken = self.counts["requests"], self.counts["bytes"]
            self.counts["requests"] = self.counts["bytes"] = 0
        return taken

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------- the browser


def body_sizes(requests):
    """Each request's response body size as Chromium reports it (``request.sizes()``), None where it never does.

    Playwright's ``Request.sizes()`` waits, with no timeout, for Chromium's "ExtraInfo" network events, which
    never come for a request that a service worker sent before Playwright had attached to it: on the second
    visit of an isolated site served plainly, the installed worker starts with the navigation and fetches
    the notebook page at once. The bench hung there, idle after Run All, before its first run's line (read
    as a site that never drew its figure). So the sizes are asked all at once, each given SIZES_HANG seconds
    (the requests finished long before, so an answer that can come is there at once); the sync API has no
    timeout for this call, hence its asyncio side (``_impl_obj``, ``_sync``).
    """
    if not requests:
        return []

    async def size(request):
        try:
            sizes = await asyncio.wait_for(request._impl_obj.sizes(), SIZES_HANG)
        except asyncio.TimeoutError:
            return None
        return max(sizes["responseBodySize"], 0)

    async def every():
        return await asyncio.gather(*(size(request) for request in requests))

    return requests[0]._sync(every())


class Browser:
    """A headless Chromium on its own profile (a persistent user-data dir), which can be closed and reopened."""

    def __init__(self, playwright):
        self.playwright = playwright
        self.profile = tempfile.mkdtemp(prefix="bench-site-profile-")
        self.context = None

    def open(self):
        self.context = self.playwright.chromium.launch_persistent_context(
            self.profile,
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS + DEAD_PROXY,
            viewport=VIEWPORT,
        )
        self.finished, self.failed, self.loads = [], [], []
        self.context.on("requestfinished", lambda request: self.finished.append(request))
        self.context.on("requestfailed", lambda request: self.failed.append(request))
        self.context.on("page", self._watch_loads)
        for page in self.context.pages:
            self._watch_loads(page)
        return self.context

    def _watch_loads(self, page):
        """Count the page's loads of the notebook page (a reload by the isolation fallback is a second one)."""
        page.on("load", lambda: self.loads.append(time.monotonic()))

    def page(self):
        return self.context.pages[0] if self.context.pages else self.context.new_page()

    def traffic(self, origin):
        """(bytes received in response bodies, requests seen, requests to another origin, requests whose size
        Chromium never gave: not counted in the bytes) since open().

        A response that JupyterLite's service worker answers (the kernel's file system calls, and
        the files it fetches itself, seen again as the worker's own requests) has a body size of 0.
        """
        own = [r for r in self.finished if r.url.startswith(origin + "/")]
        # not the site's own requests that failed (those a page's reload aborts, on an isolated site's first visit)
        seen = self.finished + self.failed
        elsewhere = [r for r in seen if r.url.startswith("http") and not r.url.startswith(origin + "/")]
        sizes = body_sizes(own)
        received = sum(size for size in sizes if size is not None)
        return received, len(own), len(elsewhere), sizes.count(None)

    def close(self):
        self.context.close()
        self.context = None

    def remove(self):
        shutil.rmtree(self.profile, ignore_errors=True)


#: The notebook's panel is there in a cross-origin-isolated page (after the isolation fallback's one reload).
ISOLATED_PANEL = f"(path) => window.crossOriginIsolated && ({PANEL})(path)"


def open_notebook(page, origin, notebook, isolated=False):
    """Open ``notebook``, wait for its kernel (in an isolated page if ``isolated``); (seconds to kernel idle, start)."""
    start = time.monotonic()
    page.goto(f"{origin}/lab/index.html?path={notebook}", timeout=PAGE_HANG * 1000)
    page.wait_for_function(ISOLATED_PANEL if isolated else PANEL, arg=notebook, timeout=PAGE_HANG * 1000)
    kernel = page.evaluate(KERNEL_READY, notebook)
    if kernel != "python":
        raise RuntimeError(f"{notebook} opened with kernel {kernel!r}, not Pyodide's")
    page.evaluate(REMEMBER_PANEL, notebook)
    return time.monotonic() - start, start


def run_all(page, notebook, start):
    """Run All; (seconds from page open to the first live figure or None, to the end of Run All)."""
    page.evaluate(START_RUN_ALL)
    seen = page.wait_for_function(FIRST_FIGURE, timeout=RUN_ALL_HANG * 1000, polling=20).json_value()
    first = time.monotonic() - start if seen == "figure" else None  # None: a notebook without an explorer
    page.wait_for_function("() => window.__runAll !== null", timeout=RUN_ALL_HANG * 1000)
    done = page.evaluate("() => window.__runAll")
    if not done[0]:
        raise RuntimeError(f"{notebook}: Run All reports a failed cell {done[2:]}")
    errors = page.evaluate(ERRORS)
    if errors:
        raise RuntimeError(f"{notebook} shows an error output: {errors[0][:500]}")
    return first, time.monotonic() - start


def visit(browser, server, isolated=False):
    """One visit of notebook 1 on ``browser``'s profile; the figures of ``VISIT_COLUMNS``."""
    browser.open()
    server.take_counts()
    try:
        page = browser.page()
        kernel, start = open_notebook(page, server.origin, NOTEBOOK_1, isolated)
        first, done = run_all(page, NOTEBOOK_1, start)
        time.sleep(1)  # let the last figure's decode and the caption settle before reading memory
        pss, rss, renderers = renderer_memory(browser.profile)
        received, seen, elsewhere, unsized = browser.traffic(server.origin)
        requests, sent = server.take_counts()
    finally:
        browser.close()
    return {
        "kernel_s": kernel,
        "figure_s": first,
        "run_all_s": done,
        "mb": received / 1e6,
        "sent_mb": sent / 1e6,
        "requests": requests,
        "seen": seen,
        "elsewhere": elsewhere,
        "unsized": unsized,
        "pss_mb": pss,
        "rss_mb": rss,
        "renderers": renderers,
        "loads": len(browser.loads),
    }


def move_every_slider(page, notebook, moves):
    """Move each slider ``moves`` times; {(explorer index, first label): [(ms, kind), ...]}, and skipped sliders."""
    sliders = page.evaluate(SLIDERS)
    first_label = {}
    for s in sliders:
        first_label.setdefault(s["explorer"], s["label"])
    times, skipped = {}, []
    for k, s in enumerate(sliders):
        key = (s["explorer"], first_label[s["explorer"]])
        times.setdefault(key, [])
        direction = "ArrowRight"
        for _ in range(moves):
            page.wait_for_function(KERNEL_IDLE, timeout=REDRAW_HANG * 1000, polling=20)
            value, low, high = page.evaluate(ARM_MOVE, k)
            if low == high:
                skipped.append(f"{s['label']} (fixed at {value:g})")
                break
            if value >= high:
                direction = "ArrowLeft"
            elif value <= low:
                direction = "ArrowRight"
            page.keyboard.press(direction)
            try:
                page.wait_for_function("() => window.__move !== null", timeout=REDRAW_HANG * 1000, polling=10)
            except Exception:
                skipped.append(f"{s['label']} (no redraw in {REDRAW_HANG} s)")
                break
            ms, kind = page.evaluate("() => window.__move")
            times[key].append((ms, kind))
    return times, skipped


def slider_latencies(playwright, origin, notebooks, moves, out, isolated=False):
    """Every explorer of ``notebooks`` on one fresh profile, as a student going through the course."""
    browser = Browser(playwright)
    results = {}
    try:
        for notebook in notebooks:
            browser.open()
            try:
                page = browser.page()
                kernel, start = open_notebook(page, origin, notebook, isolated)
                run_all(page, notebook, start)
                times, skipped = move_every_slider(page, notebook, moves)
            finally:
                browser.close()
            for (index, label), moved in times.items():
                results[(notebook, index, label)] = moved
            moved = sum(map(len, times.values()))
            note = f"; skipped: {', '.join(skipped)}" if skipped else ""
            out(f"#   {notebook}: kernel {kernel:.1f} s, {len(times)} explorers, {moved} moves{note}")
    finally:
        browser.remove()
    return results


# ---------------------------------------------------------------- the report

VISIT_COLUMNS = [
    ("kernel_s", "kernel idle s"),
    ("figure_s", "1st figure s"),
    ("run_all_s", "run all s"),
    ("mb", "MB received"),
    ("sent_mb", "MB sent"),
    ("requests", "requests"),
    ("seen", "seen"),
    ("pss_mb", "renderer PSS MB"),
    ("rss_mb", "renderer RSS MB"),
    ("renderers", "renderers"),
    ("loads", "loads"),
]
#: What the visit columns are, printed under the first table.
VISIT_LEGEND = """\
kernel idle, 1st figure, run all: seconds from page open (Run All starts when the kernel is idle);
MB received: response bodies as received by Chromium (requestfinished sizes, as sent: compressed with --gzip);
MB sent, requests: body bytes written and requests answered (304s too) by the server; seen: requests
Chromium reports, those JupyterLite's service worker answers included; renderer PSS/RSS: summed over the
renderer processes (renderers: how many) after Run All, from /proc/PID/smaps_rollup; loads: the notebook
page's loads (2: the isolation fallback reloaded it once)"""


def visit_rows(visits):
    """Median over runs (and min–max when there are several) of each visit column, per visit kind."""
    rows, medians = [], {}
    for kind in ["cold", "second"]:
        runs = [v[kind] for v in visits]
        row = [f"{kind} visit"]
        for key, _ in VISIT_COLUMNS:
            values = [r[key] for r in runs if r[key] is not None]
            median = statistics.median(values) if values else None
            medians[(kind, key)] = median
            digits = {"requests": 0, "seen": 0, "renderers": 0, "loads": 0, "mb": 3, "sent_mb": 3}.get(key, 1)
            cell = fmt(median, digits=digits)
            if len(values) > 1:
                cell += f" ({min(values):.{digits}f}–{max(values):.{digits}f})"
            row.append(cell)
        rows.append(row)
    return rows, medians


def slider_rows(results):
    """Per explorer: moves timed, messages, median and max ms of the figure redraws; and those stats."""
    rows, stats = [], {}
    for (notebook, index, label), moved in results.items():
        figures = [ms for ms, kind in moved if kind == "figure"]
        messages = sum(1 for _, kind in moved if kind == "message")
        same = sum(1 for _, kind in moved if kind == "same")
        median = statistics.median(figures) if figures else None
        worst = max(figures) if figures else None
        stats[(notebook, index, label)] = (median, worst)
        name = f"{notebook.removesuffix('.ipynb')} #{index} {label}"
        rows.append([name, len(figures), messages, same, fmt(median, digits=0), fmt(worst, digits=0)])
    return rows, stats


def report(out, sites, visits, sliders):
    medians, stats = {}, {}
    for name in sites:
        out("")
        out(f"== {name}: notebook 1 ({NOTEBOOK_1}), median over {len(visits[name])} run(s) (min–max)")
        rows, medians[name] = visit_rows(visits[name])
        table(out, ["visit"] + [title for _, title in VISIT_COLUMNS], rows)
        elsewhere = sum(v[k]["elsewhere"] for v in visits[name] for k in ("cold", "second"))
        out(f"requests to another origin: {elsewhere}")
        unsized = sum(v[k]["unsized"] for v in visits[name] for k in ("cold", "second"))
        if unsized:
            out(f"requests whose size Chromium never gave (not in MB received, see body_sizes): {unsized}")
        if name == next(iter(sites)):
            out(VISIT_LEGEND)
        if sliders.get(name):
            out("")
            out(f"== {name}: slider key down → new figure decoded, ms, over the moves that drew a new figure")
            out("(msgs: moves that showed a message instead; same: moves that drew the same figure again)")
            rows, stats[name] = slider_rows(sliders[name])
            table(out, ["explorer", "moves", "msgs", "same", "median", "max"], rows)
            all_medians = [m for m, _ in stats[name].values() if m is not None]
            all_max = [w for _, w in stats[name].values() if w is not None]
            if all_medians:
                out(f"worst explorer median {max(all_medians):.0f} ms, worst move {max(all_max):.0f} ms")
    if len(sites) < 2:
        return
    *news, old = sites
    for new in news:
        out("")
        out(f"== ratios {new} / {old} (same run; < 1 is faster or smaller)")
        rows = []
        for kind in ["cold", "second"]:
            cells = [ratio(medians[new][(kind, key)], medians[old][(kind, key)]) for key, _ in VISIT_COLUMNS]
            rows.append([f"{kind} visit"] + cells)
        table(out, ["visit"] + [title for _, title in VISIT_COLUMNS], rows)
    new = news[0]
    if stats.get(new) and stats.get(old):
        out("")
        rows = []
        for key, (median, worst) in stats[new].items():
            base = stats[old].get(key, (None, None))
            name = f"{key[0].removesuffix('.ipynb')} #{key[1]} {key[2]}"
            rows.append([name, ratio(median, base[0]), ratio(worst, base[1])])
        table(out, ["explorer", "median ratio", "max ratio"], rows)


# ---------------------------------------------------------------- main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="4722ca6", help="commit whose site is measured alongside (4722ca6)")
    parser.add_argument("--no-baseline", action="store_true", help="measure the working tree's site only")
    parser.add_argument("--runs", type=int, default=3, help="cold + second visits of notebook 1 per site (3)")
    parser.add_argument(
        "--notebooks",
        default="all",
        help="notebooks whose sliders are timed: 'all' (default), 'none', or names/prefixes, comma-separated (01,07)",
    )
    parser.add_argument("--moves", type=int, default=5, help="key presses per slider (5)")
    parser.add_argument("--gzip", action="store_true", help="serve compressible files gzip-compressed")
    parser.add_argument(
        "--isolate",
        action="store_true",
        help="build the working tree's site isolated (build_site.py's default) and measure it served plainly (its "
        "service worker's fallback, as GitHub Pages) and with COOP/COEP headers (as serve_site.py); without it, "
        "the working tree's site is built with --no-isolate",
    )
    parser.add_argument(
        "--cache-control",
        default="",
        metavar="VALUE",
        help="a Cache-Control header on every response, e.g. 'max-age=600' (GitHub Pages); default none",
    )
    parser.add_argument("--output", type=Path, help="also write the output to this file (benchmarks/results/...)")
    parser.add_argument("--note", default="", help="a line for the header, e.g. what else the machine was doing")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.moves < 1:
        parser.error(f"--runs and --moves must be at least 1, got {args.runs} and {args.moves}")
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    if args.notebooks == "all":
        args.notebooks = names
    elif args.notebooks == "none":
        args.notebooks = []
    else:
        chosen = []
        for wanted in args.notebooks.split(","):
            match = [n for n in names if n == wanted.strip() or n.startswith(wanted.strip())]
            if not match:
                parser.error(f"--notebooks: no notebook named or starting with {wanted.strip()!r} in notebooks/")
            chosen += [n for n in match if n not in chosen]
        args.notebooks = chosen
    return args


def main(argv=None):
    args = parse_args(argv)
    from playwright.sync_api import sync_playwright

    out = Tee(args.output)
    clock = time.monotonic()
    try:
        not_the_site = [":!benchmarks/results", ":!benchmarks/README.md"]
        changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", *not_the_site)
        dirty = "+uncommitted changes" if changed else ""
        out(f"# bench_site.py, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
        out(f"# CPU: {cpu_model()}, {os.cpu_count()} cores; load average before: {load()}")
        out(f"# {chromium_version()}; Python {sys.version.split()[0]}")
        if args.note:
            out(f"# note: {args.note}")
        out(
            f"# options: runs {args.runs}, moves {args.moves}, gzip {'on' if args.gzip else 'off'}, "
            f"Cache-Control {args.cache_control or 'none'}, isolate {'on' if args.isolate else 'off'}, "
            f"notebooks {', '.join(n.removesuffix('.ipynb') for n in args.notebooks) or 'none'}"
        )
        worktree = f"worktree {git('rev-parse', '--short', 'HEAD')}{dirty}"
        part = time.monotonic()
        if args.isolate:
            path = BENCH_DIR / "worktree-isolated"
            build_site(ROOT, path, out, "--isolate")
            #: name: (the site's folder, served with the isolation headers, an isolated site)
            sites = {f"{worktree} isolated, sw fallback": (path, False, True)}
            sites[f"{worktree} isolated, headers"] = (path, True, True)
        else:
            sites = {worktree: (BENCH_DIR / "worktree", False, False)}
            # built without isolation, as this entry says: build_site.py isolates by default, and a visit of an
            # isolated site served plainly must wait for the fallback's reload (the --isolate entries do)
            build_site(ROOT, sites[worktree][0], out, "--no-isolate")
        if not args.no_baseline:
            rev = git("rev-parse", "--short", args.baseline + "^{commit}")
            sites[f"baseline {rev}"] = (BENCH_DIR / f"baseline-{rev}", False, False)
            build_baseline(rev, sites[f"baseline {rev}"][0], out)
        out(f"# builds: {time.monotonic() - part:.0f} s")
        for name, (path, _, _) in sites.items():
            age = (time.time() - (path / ".site-stamp.json").stat().st_mtime) / 60
            out(f"# site {name}: {path.relative_to(ROOT)}, built {age:.0f} min ago")

        visits = {name: [] for name in sites}
        sliders = {}
        with sync_playwright() as playwright:
            for run in range(args.runs):
                order = list(sites) if run % 2 == 0 else list(sites)[::-1]  # alternate who goes first
                for name in order:
                    part = time.monotonic()
                    path, headers, isolated = sites[name]
                    server = Server(path, args.gzip, args.cache_control, headers)
                    browser = Browser(playwright)
                    try:
                        cold = visit(browser, server, isolated)
                        second = visit(browser, server, isolated)
                    finally:
                        browser.remove()
                        server.close()
                    visits[name].append({"cold": cold, "second": second})
                    out(
                        f"# run {run + 1}, {name}: cold {fmt(cold['figure_s'], ' s')} to the first figure, "
                        f"second visit {fmt(second['figure_s'], ' s')} ({time.monotonic() - part:.0f} s; load {load()})"
                    )
            for name in sites:
                path, headers, isolated = sites[name]
                notebooks = [n for n in args.notebooks if (path / "files" / n).exists()]
                if not notebooks:
                    continue
                part = time.monotonic()
                server = Server(path, args.gzip, args.cache_control, headers)
                try:
                    out(f"# sliders of {name}:")
                    sliders[name] = slider_latencies(playwright, server.origin, notebooks, args.moves, out, isolated)
                finally:
                    server.close()
                out(f"# sliders of {name}: {time.monotonic() - part:.0f} s; load {load()}")
        report(out, list(sites), visits, sliders)
        out("")
        out(f"# load average after: {load()}; whole run {time.monotonic() - clock:.0f} s")
    finally:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
