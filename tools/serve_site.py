"""Serve the built JupyterLite site (``_site/``) on this machine, with the headers a host should send.

    python3 tools/serve_site.py                 # http://127.0.0.1:8000/, the folder _site/
    python3 tools/serve_site.py --port 8001 --directory some/site --bind 0.0.0.0
    python3 tools/serve_site.py --no-isolate    # without COOP/COEP

``make serve-site`` runs it. Only the standard library is needed (``http.server``), so it also
runs from a USB stick next to a copy of the site. Unlike ``python -m http.server`` it sends:

- **cross-origin isolation** on every response: ``Cross-Origin-Opener-Policy: same-origin``,
  ``Cross-Origin-Embedder-Policy: require-corp`` and ``Cross-Origin-Resource-Policy: same-origin``.
  The page is then ``crossOriginIsolated``, Pyodide gets a ``SharedArrayBuffer`` as its interrupt
  buffer and Kernel > Interrupt stops a running cell. Only for a site built isolated (the default
  of ``tools/build_site.py``; its stamp says so, :func:`isolated_build`): in a site built with
  ``--no-isolate``, or a CDN site, the kernel would talk to its worker through ``coincident`` in an
  isolated page, which hangs it, so those are served without them. ``--no-isolate``
  (``make serve-site NO_ISOLATE=1``) never sends them;
- **a cache policy** (:func:`cache_control`): ``no-cache`` (use the copy only after asking the
  server whether it changed: a 304 costs a few bytes) for the notebooks (``files/``), the
  contents API (``api/contents/**/all.json``), the pages, the settings and anything else that a
  rebuild may change under the same name, so a teacher's update reaches the students on their
  next visit; a year (``immutable``) only for files whose name changes with their content: the
  web app's hashed chunks and Pyodide's versioned archives (not its wheels, which carry the course's
  bytecode: :data:`VERSIONED_PACKAGE`);
- **compression** the browser accepts: the twin ``FILE.br`` (brotli) or ``FILE.gz`` the build wrote
  beside a file (``tools/build_site.py --precompress``, its default: the 10 MB ``pyodide.asm.wasm``
  goes over the wire as 2.3 MB, the wheels stored in the site uncompressed as ~35 % less than
  deflated), else gzip made here for text, JavaScript, JSON and WebAssembly, once per
  modification and kept in memory. A twin a minute older than its file (edited since) is not sent.

Any other host: the same headers, see the README's "Hosting the course" (an nginx snippet).
"""

import argparse
import email.utils
import functools
import gzip
import http.server
import io
import json
import os
import re
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"

#: Names whose content is fixed by the name: webpack chunks with a content hash (``1711.2c1c274.js``,
#: ``592.dfd0b9431bfb4edbbcd2.js``), and Pyodide's archives named with their version (``openssl-1.1.1w.zip``).
#: Not the wheels: the site adds bytecode to them for what the course imports (``tools/precompile.py``),
#: so a wheel changes under its name when the course does, and Pyodide refuses a cached copy whose
#: sha256 is not the lock's.
HASHED_CHUNK = re.compile(r"\.[0-9a-f]{7,}\.js$")
VERSIONED_PACKAGE = re.compile(r"^[A-Za-z0-9_.]+-\d[^/]*\.(zip|tar)$")

#: Media types worth compressing; images, wheels and zip archives are compressed already.
COMPRESSIBLE = re.compile(r"^(text/|application/(javascript|json|wasm|xml|manifest\+json)|image/svg)")
#: Below this, gzip's header costs more than it saves.
MIN_GZIP_BYTES = 1024
#: The twins a build may write beside a file (``tools/build_site.py``'s ``precompress``), best first:
#: (``Content-Encoding``, suffix).
TWINS = [("br", ".br"), ("gzip", ".gz")]
#: A twin this much older than its file is stale (the file was edited after the build); less is a copy
#: that did not keep the build's times (``cp -r``), which may write a file a moment after its twin.
STALE_TWIN_NS = 60 * 10**9


def accepted_codings(header):
    """The content codings an ``Accept-Encoding`` header accepts (those with ``q=0`` refused).

    >>> sorted(accepted_codings("gzip, deflate, br, zstd"))
    ['br', 'deflate', 'gzip', 'zstd']
    >>> sorted(accepted_codings("br;q=0, GZIP;q=0.5")), accepted_codings("")
    (['gzip'], set())
    """
    codings = set()
    for item in header.split(","):
        name, _, params = item.partition(";")
        quality = params.strip().lower().removeprefix("q=")
        try:
            refused = params.strip() and float(quality) == 0
        except ValueError:
            refused = False
        if name.strip() and not refused:
            codings.add(name.strip().lower())
    return codings


def cache_control(path):
    """The ``Cache-Control`` value for a URL path of the site (``/static/pyodide/numpy-….whl``).

    >>> cache_control("/files/01_start_here.ipynb"), cache_control("/api/contents/all.json")
    ('no-cache', 'no-cache')
    >>> cache_control("/build/1711.2c1c274.js")
    'public, max-age=31536000, immutable'
    >>> cache_control("/static/pyodide/openssl-1.1.1w.zip")
    'public, max-age=31536000, immutable'
    >>> cache_control("/static/pyodide/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl")
    'no-cache'
    >>> cache_control("/lab/index.html")
    'no-cache'
    """
    name = path.rsplit("/", 1)[-1]
    if path.startswith(("/files/", "/api/")):
        return NO_CACHE
    if HASHED_CHUNK.search(name):
        return IMMUTABLE
    if path.startswith("/static/pyodide/") and VERSIONED_PACKAGE.match(name):
        return IMMUTABLE
    return NO_CACHE


def isolated_build(directory):
    """Whether the site in ``directory`` was built isolated, as its stamp says (a site without a stamp: yes).

    >>> isolated_build("/nonexistent")
    True
    """
    try:
        return json.loads((Path(directory) / ".site-stamp.json").read_text()).get("isolated", False) is True
    except (OSError, ValueError, AttributeError):
        return True


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """``SimpleHTTPRequestHandler`` plus isolation headers, a cache policy and gzip."""

    #: The headers that make the site's pages crossOriginIsolated (sent when ``isolate``).
    ISOLATION_HEADERS = {
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Embedder-Policy": "require-corp",
        "Cross-Origin-Resource-Policy": "same-origin",
    }

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "application/javascript",
        ".mjs": "application/javascript",
        ".json": "application/json",
        ".ipynb": "application/json",
        ".webmanifest": "application/manifest+json",
    }
    isolate = True
    quiet = False
    #: {(file path, mtime_ns, size): gzip bytes}, shared by the server's threads
    _gzipped = {}
    _gzip_lock = threading.Lock()

    def end_headers(self):
        if self.isolate:
            for name, value in self.ISOLATION_HEADERS.items():
                self.send_header(name, value)
        self.send_header("Cache-Control", cache_control(self.path.split("?", 1)[0].split("#", 1)[0]))
        super().end_headers()

    def log_message(self, format, *args):
        if not self.quiet:
            super().log_message(format, *args)

    def send_head(self):
        """As ``SimpleHTTPRequestHandler``, but compressed (:meth:`_encoded`) for a browser that accepts it."""
        path = self.translate_path(self.path)
        if os.path.isdir(path) or not os.path.isfile(path):
            return super().send_head()  # directories (index.html, redirects), 404s
        stat = os.stat(path)
        encoded = self._encoded(path, stat)
        if encoded is None:
            return super().send_head()
        coding, body, length = encoded
        if self._not_modified(stat):
            body.close()
            self.send_response(http.HTTPStatus.NOT_MODIFIED)
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return None
        self.send_response(http.HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", coding)
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(length))
        self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
        self.end_headers()
        return body

    def _encoded(self, path, stat):
        """``(coding, body file, length)`` of the file at ``path`` for this request, or None to send it as it is.

        The build's twin the browser accepts (:data:`TWINS`), unless stale (:data:`STALE_TWIN_NS`);
        else gzip made here, for a compressible type.
        """
        accepted = accepted_codings(self.headers.get("Accept-Encoding", ""))
        for coding, suffix in TWINS:
            if coding in accepted and os.path.isfile(path + suffix):
                twin = os.stat(path + suffix)
                if twin.st_mtime_ns > stat.st_mtime_ns - STALE_TWIN_NS:
                    return coding, open(path + suffix, "rb"), twin.st_size
        if "gzip" in accepted and COMPRESSIBLE.match(self.guess_type(path)) and stat.st_size >= MIN_GZIP_BYTES:
            body = self._gzip(path, stat)
            return "gzip", io.BytesIO(body), len(body)
        return None

    def _not_modified(self, stat):
        since = self.headers.get("If-Modified-Since")
        if not since or self.headers.get("If-None-Match"):
            return False
        try:
            when = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return when is not None and when.timestamp() >= int(stat.st_mtime)

    @classmethod
    def _gzip(cls, path, stat):
        key = (path, stat.st_mtime_ns, stat.st_size)
        with cls._gzip_lock:
            body = cls._gzipped.get(key)
        if body is None:
            with open(path, "rb") as file:
                body = gzip.compress(file.read(), compresslevel=6, mtime=0)
            with cls._gzip_lock:
                for old in [k for k in cls._gzipped if k[0] == path]:
                    del cls._gzipped[old]
                cls._gzipped[key] = body
        return body


class SiteServer(http.server.ThreadingHTTPServer):
    """A threading server that says nothing when a browser drops a connection (a tab closed mid-download)."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def handler_for(directory, quiet=False, isolate=None):
    """A request handler class serving ``directory`` with the site's headers (for a test's server too).

    ``isolate``: send the isolation headers; None, the default, when the site was built isolated.
    """
    isolate = isolated_build(directory) if isolate is None else isolate
    attrs = {"isolate": isolate, "quiet": quiet, "_gzipped": {}}
    return functools.partial(type("SiteHandlerFor", (SiteHandler,), attrs), directory=str(directory))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--directory", "-d", type=Path, default=ROOT / "_site", help="the built site (default: _site/)")
    parser.add_argument("--port", "-p", type=int, default=8000, help="port (default: 8000)")
    parser.add_argument("--bind", "-b", default="127.0.0.1", help="address (default: 127.0.0.1, this machine only)")
    parser.add_argument(
        "--isolate",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="send COOP/COEP, so that the pages are crossOriginIsolated (default: when the site was built "
        "isolated, as tools/build_site.py builds it unless --no-isolate; see the docstring)",
    )
    args = parser.parse_args(argv)
    if not (args.directory / "index.html").is_file():
        print(f"serve_site: {args.directory} holds no built site (make site builds _site/)", file=sys.stderr)
        return 2
    if args.isolate and not isolated_build(args.directory):
        print(f"serve_site: warning: {args.directory} was built without isolation: its kernel hangs if isolated")
    handler = handler_for(args.directory, isolate=args.isolate)
    try:
        server = SiteServer((args.bind, args.port), handler)
    except OSError as error:
        print(f"serve_site: cannot listen on {args.bind}:{args.port}: {error.strerror}", file=sys.stderr)
        return 2
    host = "127.0.0.1" if args.bind in ("0.0.0.0", "") else args.bind
    isolation = "with COOP/COEP" if handler.func.isolate else "without COOP/COEP (no Kernel > Interrupt)"
    print(f"serving {args.directory} at http://{host}:{args.port}/, {isolation} (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
