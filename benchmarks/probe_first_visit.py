"""First visits of a built isolated site served plainly (as GitHub Pages): does each reach a figure?

Run from the repository's root, on a site already built (this builds nothing)::

    python benchmarks/probe_first_visit.py _site                      # 1 visit
    python benchmarks/probe_first_visit.py /tmp/site --visits 10 --gzip --timeout 90

Each visit opens notebook 1 (``lab/index.html?path=01_start_here.ipynb``) in headless Chromium
on a FRESH profile, the site served plainly by ``bench_site.py``'s thread server (no COOP/COEP
headers: the service worker's isolation fallback must reload the page once; ``--headers``
sends them instead), every other origin behind a dead proxy. It waits for the notebook panel
in a ``crossOriginIsolated`` page, for the kernel's first answer, then Runs All and waits for
the first ``.widget-output img``, each wait guarded by ``--timeout`` seconds.

Every visit prints one line (the times, the page loads, the service worker versions seen and
whether JupyterLite unregistered the site's service workers). A visit that does not reach its
figure prints what it saw: the console of the page, its workers and the service worker, the
service worker's life (Chromium's DevTools ``ServiceWorker`` events), ``navigator.serviceWorker``
's controller and registrations, ``crossOriginIsolated``, the kernel's status, and the requests
still pending or failed. Exit status: the number of visits that failed.
"""

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_site import DEAD_PROXY, ISOLATED_PANEL, PANEL, VIEWPORT, Server  # noqa: E402
from browser_support import CHROMIUM, FLAGS, KERNEL_READY  # noqa: E402

NOTEBOOK_1 = "01_start_here.ipynb"

#: In every page, before its own scripts: say in the console when the page's service worker controller changes.
WATCH_CONTROLLER = """(() => {
  if (!("serviceWorker" in navigator)) return;
  const say = (what) => console.log("[probe] " + what + " at " + Math.round(performance.now()) + " ms: controller "
    + (navigator.serviceWorker.controller ? navigator.serviceWorker.controller.scriptURL : "none")
    + ", isolated " + window.crossOriginIsolated + ", at " + location.href);
  say("page start");
  navigator.serviceWorker.addEventListener("controllerchange", () => say("controllerchange"));
  window.addEventListener("pagehide", () => say("pagehide"));
})();"""

#: What the page knows of its service workers and its kernel.
PAGE_STATE = """async (path) => {
  const sw = navigator.serviceWorker;
  const controller = sw && sw.controller ? sw.controller.scriptURL + " (" + sw.controller.state + ")" : null;
  const registrations = sw ? (await sw.getRegistrations()).map(r => ({
    scope: r.scope,
    active: r.active && r.active.scriptURL + " " + r.active.state,
    waiting: r.waiting && r.waiting.scriptURL + " " + r.waiting.state,
    installing: r.installing && r.installing.scriptURL + " " + r.installing.state,
  })) : null;
  let kernel = null;
  const app = window.jupyterapp;
  if (app) {
    for (const widget of app.shell.widgets("main")) {
      if (widget.context && widget.context.path === path) {
        const session = widget.sessionContext && widget.sessionContext.session;
        const k = session && session.kernel;
        kernel = k ? {name: k.name, status: k.status, connection: k.connectionStatus} : "no kernel yet";
      }
    }
  }
  const key = Object.keys(localStorage).filter(k => k.endsWith("-version"));
  return {url: location.href, crossOriginIsolated: window.crossOriginIsolated, controller, registrations, kernel,
          app: !!app, versionKeys: key.map(k => k + " = " + localStorage.getItem(k)),
          reloadStamp: localStorage.getItem("deconvlib-isolation-reload:" + sessionStorage.getItem("deconvlib-tab"))};
}"""


class Visit:
    """One first visit on a fresh profile, with everything it saw."""

    def __init__(self, playwright, origin, timeout, isolated, path_dropped=None):
        self.origin, self.timeout, self.isolated = origin, timeout, isolated
        self.profile = tempfile.TemporaryDirectory(prefix="probe-first-visit-")
        self.context = playwright.chromium.launch_persistent_context(
            self.profile.name, executable_path=CHROMIUM, headless=True, args=FLAGS + DEAD_PROXY, viewport=VIEWPORT
        )
        self.t0 = time.monotonic()
        self.log, self.loads, self.requests, self.done, self.failed, self.sw_events = [], [], {}, set(), [], []
        self.context.add_init_script(WATCH_CONTROLLER)
        self.context.on("request", self._request)
        self.context.on("requestfinished", lambda r: self.done.add(id(r)))
        self.context.on("requestfailed", lambda r: self.failed.append((self.now(), r.url, r.failure)))
        self.context.on("serviceworker", self._service_worker)
        for worker in self.context.service_workers:
            self._service_worker(worker)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.page.on("console", lambda m: self._say("page", m))
        self.page.on("pageerror", lambda e: self.log.append((self.now(), "page", "pageerror", str(e)[:300])))
        self.page.on("load", lambda: self.loads.append(self.now()))
        self.page.on("worker", self._worker)
        self.path_dropped = path_dropped
        self.page.on("framenavigated", self._navigated)
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.on("ServiceWorker.workerVersionUpdated", self._versions)
        self.cdp.on("ServiceWorker.workerRegistrationUpdated", self._registrations)
        self.cdp.on("ServiceWorker.workerErrorReported", lambda e: self.sw_events.append((self.now(), "error", e)))
        self.cdp.send("ServiceWorker.enable")

    def now(self):
        return round(time.monotonic() - self.t0, 2)

    def _say(self, who, message):
        self.log.append((self.now(), who, message.type, message.text[:300]))

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.log.append((self.now(), "page", "address", frame.url))
            if self.path_dropped is not None and "path=" not in frame.url:
                self.path_dropped.set()

    def _worker(self, worker):
        name = "worker " + worker.url.rsplit("/", 1)[-1][:40]
        self.log.append((self.now(), name, "started", worker.url))
        worker.on("console", lambda m: self._say(name, m))
        worker.on("close", lambda _: self.log.append((self.now(), name, "closed", "")))

    def _service_worker(self, worker):
        self.log.append((self.now(), "service worker", "started", worker.url))
        if hasattr(worker, "on"):
            worker.on("console", lambda m: self._say("service worker", m))

    def _request(self, request):
        self.requests[id(request)] = (self.now(), request.method, request.url, request)

    def _versions(self, event):
        for v in event["versions"]:
            seen = (v["versionId"], v["status"], v["runningStatus"], v["scriptURL"].rsplit("/", 1)[-1])
            if not any(e[1] == "version" and e[2] == seen for e in self.sw_events):
                self.sw_events.append((self.now(), "version", seen))

    def _registrations(self, event):
        for r in event["registrations"]:
            self.sw_events.append((self.now(), "registration", (r["registrationId"], r["isDeleted"])))

    def run(self):
        """Open, kernel, Run All, figure: {step: seconds} and the step that failed (or None)."""
        times, step = {}, "open"
        wait = self.timeout * 1000
        try:
            self.page.goto(f"{self.origin}/lab/index.html?path={NOTEBOOK_1}", timeout=wait)
            step = "panel (isolated)" if self.isolated else "panel"
            self.page.wait_for_function(ISOLATED_PANEL if self.isolated else PANEL, arg=NOTEBOOK_1, timeout=wait)
            times["panel"] = self.now()
            step = "kernel idle"
            guarded = KERNEL_READY.replace("180000", str(wait)).replace("180 s", f"{self.timeout} s")
            self.page.evaluate(guarded, NOTEBOOK_1)
            times["kernel"] = self.now()
            step = "first figure"
            self.page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            self.page.wait_for_selector(".widget-output img", timeout=wait)
            times["figure"] = self.now()
            return times, None
        except Exception as error:  # noqa: BLE001 (any failure is reported with the visit's state)
            self.log.append((self.now(), "probe", "failed", f"{step}: {str(error).splitlines()[0][:300]}"))
            return times, step

    def versions(self):
        return sorted({e[2][0] for e in self.sw_events if e[1] == "version"})

    def summary(self, times, failed):
        unregistered = any("unregistering existing service workers" in e[3] for e in self.log)
        said = ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
        return (
            f"{'STALL at ' + failed if failed else 'ok'}: {said or '-'}; loads {len(self.loads)}; "
            f"sw versions {len(self.versions())}; JupyterLite unregistered the workers: {unregistered}"
        )

    def dump(self, out):
        try:
            state = self.page.evaluate(PAGE_STATE, NOTEBOOK_1)
        except Exception as error:  # noqa: BLE001
            state = f"(page state unavailable: {error})"
        out(f"  page state: {state}")
        out(f"  loads at: {self.loads}")
        out("  service worker life (DevTools):")
        for entry in self.sw_events:
            out(f"    {entry}")
        out("  console (page, workers, service worker):")
        for entry in self.log:
            out(f"    {entry[0]:7.2f} {entry[1]} [{entry[2]}] {entry[3]}")
        pending = [(t, m, u) for key, (t, m, u, _) in self.requests.items() if key not in self.done]
        failed_urls = {u for _, u, _ in self.failed}
        out(f"  requests: {len(self.requests)} seen, {len(pending)} not finished:")
        for t, method, url in pending:
            out(f"    {t:7.2f} {method} {url}{' (failed)' if url in failed_urls else ''}")
        out("  failed:")
        for t, url, why in self.failed:
            out(f"    {t:7.2f} {url} {why}")

    def close(self):
        try:
            self.context.close()
        finally:
            self.profile.cleanup()


def slowed(handler, delay):
    """``handler`` answering ``service-worker.js`` only after ``delay["s"]`` seconds (the server is threaded)."""

    class Slowed(handler):
        def send_head(self):
            if self.path.split("?")[0].endswith("/service-worker.js"):
                if delay["until"] is not None:
                    delay["until"].wait(30)
                if delay["s"]:
                    time.sleep(delay["s"])
            return super().send_head()

    return Slowed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a built site (tools/build_site.py's output)")
    parser.add_argument("--visits", type=int, default=1, help="first visits, each on a fresh profile (1)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds each wait may take (120)")
    parser.add_argument("--gzip", action="store_true", help="serve compressible files gzip-compressed (bench_site's)")
    parser.add_argument("--headers", action="store_true", help="send COOP/COEP (as serve_site.py), no fallback")
    parser.add_argument("--verbose", action="store_true", help="dump every visit, not only those that fail")
    parser.add_argument(
        "--sw-after-path",
        action="store_true",
        help="hold the response to service-worker.js until JupyterLite has dropped ?path= from the page's address "
        "(it does once the notebook is open): the fallback's reload comes after that, as when the worker starts late",
    )
    parser.add_argument(
        "--sw-delay",
        type=float,
        nargs="*",
        default=[0.0],
        metavar="S",
        help="hold the response to service-worker.js this many seconds (a list: one per visit, cycled), which "
        "moves the fallback's reload later into the first page's start-up, as a slow first Chromium does",
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    stalls = 0
    server = Server(args.site, args.gzip, "", args.headers)
    delay = {"s": 0.0, "until": None}
    server.httpd.RequestHandlerClass = slowed(server.httpd.RequestHandlerClass, delay)
    try:
        with sync_playwright() as playwright:
            for n in range(args.visits):
                delay["s"] = args.sw_delay[n % len(args.sw_delay)]
                delay["until"] = threading.Event() if args.sw_after_path else None
                visit = Visit(playwright, server.origin, args.timeout, isolated=True, path_dropped=delay["until"])
                try:
                    times, failed = visit.run()
                    held = f" (service-worker.js held {delay['s']:g} s)" if delay["s"] else ""
                    held += " (service-worker.js held until ?path= was dropped)" if args.sw_after_path else ""
                    print(f"visit {n + 1}{held}: {visit.summary(times, failed)}", flush=True)
                    if failed or args.verbose:
                        visit.dump(lambda line: print(line, flush=True))
                    stalls += bool(failed)
                finally:
                    visit.close()
    finally:
        server.close()
    print(f"{args.visits} visits, {stalls} stalls", flush=True)
    return stalls


if __name__ == "__main__":
    sys.exit(main())
