"""Hosting the JupyterLite site: ``tools/serve_site.py`` (``make serve-site``), the build's refusals and
its offline rebuild, the isolation fallback it puts in the site, the GitHub Pages workflow.

- The server, with real HTTP requests: the cache policy and, by default, the isolation headers
  (COOP/COEP) on every response; none of those for a site built with ``--no-isolate`` or with
  ``--no-isolate`` itself; gzip bodies that decode to the file, a 304 for an unchanged file; the
  build's twin (``FILE.br``, ``FILE.gz``) the request accepts, unless stale.
- ``tools/build_site.py`` refuses, in one line and exit 2, an ``--output`` it did not write (the
  folder is left as it was), the checkout and its source folders even with ``--force``, a file as
  ``--output``, a file where ``build/site/`` should be, and a ``PYODIDE`` that is neither mode.
- With every download cached, a forced rebuild succeeds with the network cut (a dead proxy,
  ``PIP_NO_INDEX=1``, no pip configuration): the wheel of deconvlib is built without pip's
  isolated build environment. By default the site is isolated: it carries the isolation fallback
  (the service worker and each page's script) and the interrupt support, whose edited chunks have
  new names (no file that ``serve_site`` marks immutable differs from a ``--no-isolate`` build's
  file of the same name); built with ``--no-isolate``, it carries none of it. A CDN site cannot be
  isolated. The index comes first. Every twin the build writes decodes to its file, and its wheels
  are stored uncompressed; ``--no-precompress`` writes no twin and keeps them deflated.
- In Chromium: the site served by ``serve_site`` is ``crossOriginIsolated``; served by a plain
  ``http.server`` (no headers, like GitHub Pages) it is too, through its service worker, whose one
  reload opens the address the page was opened with (``?path=``, which JupyterLite drops). In the
  isolated site Kernel > Interrupt stops ``while True: pass`` within 3 s and the kernel keeps its
  variables (``build_site.add_interrupt_support``). A CDN site with the CDN out of reach says so in
  the notebook page.
"""

import base64
import contextlib
import functools
import gzip
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from browser_support import KERNEL_READY, free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402
import serve_site  # noqa: E402

BUILD_SITE = [sys.executable, str(ROOT / "tools" / "build_site.py")]


# ---------------------------------------------------------------- the server


@pytest.fixture(scope="module")
def fake_site(tmp_path_factory):
    """A small folder shaped like the site: the paths whose policies differ, with compressible files."""
    site = tmp_path_factory.mktemp("site")
    files = {
        "index.html": "<!doctype html><title>x</title>" + "<p>course</p>" * 200,
        "files/01_start_here.ipynb": json.dumps({"cells": [{"source": "x = 1\n" * 300}]}),
        "api/contents/all.json": json.dumps({"content": [{"name": f"{k:02}.ipynb"} for k in range(100)]}),
        "build/1711.2c1c274.js": "console.log('chunk');\n" * 300,
        "static/pyodide/pyodide.asm.wasm": bytes(range(256)) * 64,
        "static/pyodide/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl": os.urandom(4096),
        "static/pyodide/deconvlib-0.1.0-py3-none-any.whl": os.urandom(4096),
        "static/pyodide/openssl-1.1.1w.zip": os.urandom(4096),
        "static/pyodide/pyodide-lock.json": json.dumps({"packages": {}}) + " " * 2000,
    }
    for name, content in files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    # the build's twins of a wheel (their content does not matter to the server, which sends them as they are)
    for suffix in TWINNED:
        (site / (TWINNED_WHEEL.lstrip("/") + suffix)).write_bytes(f"the {suffix} twin".encode() * 50)
    return site


#: A wheel of the fake site with twins beside it, as ``tools/build_site.py --precompress`` writes them.
TWINNED_WHEEL = "/static/pyodide/deconvlib-0.1.0-py3-none-any.whl"
TWINNED = (".br", ".gz")


@pytest.fixture(scope="module")
def served(fake_site):
    """``tools/serve_site.py`` on the fake site, as ``make serve-site`` starts it (a process of its own)."""
    port = free_port()
    command = [sys.executable, str(ROOT / "tools" / "serve_site.py"), "-d", str(fake_site), "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/index.html", timeout=2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail(f"serve_site did not answer: {server.communicate()[0]}")
    yield url, fake_site
    server.terminate()
    server.wait(timeout=10)


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.parametrize(
    "path, cache",
    [
        ("/index.html", "no-cache"),
        ("/files/01_start_here.ipynb", "no-cache"),
        ("/api/contents/all.json", "no-cache"),
        ("/static/pyodide/pyodide-lock.json", "no-cache"),
        ("/static/pyodide/deconvlib-0.1.0-py3-none-any.whl", "no-cache"),
        ("/static/pyodide/pyodide.asm.wasm", "no-cache"),
        ("/build/1711.2c1c274.js", "public, max-age=31536000, immutable"),
        ("/static/pyodide/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl", "no-cache"),
        ("/static/pyodide/openssl-1.1.1w.zip", "public, max-age=31536000, immutable"),
    ],
)
def test_every_response_carries_isolation_and_its_cache_policy(served, path, cache):
    url, site = served
    status, headers, body = get(url + path)
    assert status == 200 and body == (site / path.lstrip("/")).read_bytes()
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"
    assert headers["Cache-Control"] == cache
    assert headers.get("Content-Encoding") is None  # the client did not ask for gzip


@pytest.mark.parametrize(
    "path, ctype",
    [("/static/pyodide/pyodide.asm.wasm", "application/wasm"), ("/api/contents/all.json", "application/json")],
)
def test_gzip_bodies_decode_to_the_file_and_unchanged_files_get_304(served, path, ctype):
    url, site = served
    original = (site / path.lstrip("/")).read_bytes()
    status, headers, body = get(url + path, **{"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["Content-Encoding"] == "gzip" and headers["Content-Type"] == ctype
    assert gzip.decompress(body) == original and len(body) < len(original) / 2
    assert int(headers["Content-Length"]) == len(body) and headers["Vary"] == "Accept-Encoding"
    assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"
    since = headers["Last-Modified"]
    status, headers, body = get(url + path, **{"Accept-Encoding": "gzip", "If-Modified-Since": since})
    assert status == 304 and body == b"" and headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("how", ["--no-isolate", "a site built with --no-isolate"])
def test_without_isolation_the_server_sends_no_isolation_headers_but_its_cache_policy(fake_site, tmp_path, how):
    site = fake_site
    if how == "--no-isolate":
        handler = serve_site.handler_for(site, quiet=True, isolate=False)
    else:  # its kernel would hang in an isolated page (coincident): served without the headers
        site = tmp_path / "site"
        shutil.copytree(fake_site, site)
        (site / build_site.STAMP_NAME).write_text(json.dumps({"mode": "offline", "isolated": False}))
        handler = serve_site.handler_for(site, quiet=True)
    server, url = serve(handler)
    try:
        status, headers, body = get(url + "/api/contents/all.json", **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Cache-Control"] == "no-cache" and headers["Content-Encoding"] == "gzip"
        assert "Cross-Origin-Opener-Policy" not in headers and "Cross-Origin-Embedder-Policy" not in headers
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "accept, twin",
    [("gzip, deflate, br, zstd", ".br"), ("gzip, deflate", ".gz"), ("br;q=0, gzip;q=0.8", ".gz"), ("", None)],
)
def test_the_twin_the_browser_accepts_is_sent_as_it_is(served, accept, twin):
    url, site = served
    status, headers, body = get(url + TWINNED_WHEEL, **{"Accept-Encoding": accept})
    assert status == 200 and headers.get("Vary") == ("Accept-Encoding" if twin else None)
    assert body == (site / (TWINNED_WHEEL.lstrip("/") + (twin or ""))).read_bytes()
    assert headers.get("Content-Encoding") == {".br": "br", ".gz": "gzip", None: None}[twin]
    assert int(headers["Content-Length"]) == len(body) and headers["Cross-Origin-Embedder-Policy"] == "require-corp"
    since = headers["Last-Modified"]
    status, _, body = get(url + TWINNED_WHEEL, **{"Accept-Encoding": accept, "If-Modified-Since": since})
    assert status == 304 and body == b""


def test_a_twin_older_than_its_file_edited_since_is_not_sent(fake_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(fake_site, site)
    wheel = site / TWINNED_WHEEL.lstrip("/")
    later = wheel.stat().st_mtime + 120  # the file edited two minutes after the build wrote its twins
    os.utime(wheel, (later, later))
    server, url = serve(serve_site.handler_for(site, quiet=True))
    try:
        status, headers, body = get(url + TWINNED_WHEEL, **{"Accept-Encoding": "gzip, br"})
    finally:
        server.shutdown()
        server.server_close()
    assert status == 200 and headers.get("Content-Encoding") is None and body == wheel.read_bytes()


def test_wheels_and_404s_are_not_gzipped_and_keep_the_headers(served):
    url, _ = served
    wheel = "/static/pyodide/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
    assert get(url + wheel, **{"Accept-Encoding": "gzip"})[1].get("Content-Encoding") is None
    status, headers, _ = get(url + "/nothing-here.js", **{"Accept-Encoding": "gzip"})
    assert status == 404 and headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_make_serve_site_runs_the_server_on_this_machine_only():
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "serve-site", "SITE_PORT=8123"], cwd=ROOT, capture_output=True, text=True
    )
    line = dry.stdout.strip().splitlines()[-1]
    assert "tools/serve_site.py" in line and "--port 8123" in line, dry.stdout
    assert "--bind" not in line and "isolate" not in line  # serve_site's defaults: 127.0.0.1, isolation
    assert "isolate" not in [line for line in dry.stdout.splitlines() if "build_site.py" in line][0]
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "serve-site", "NO_ISOLATE=1"], cwd=ROOT, capture_output=True, text=True
    )
    assert [line for line in dry.stdout.splitlines() if "build_site.py" in line][0].endswith(" --no-isolate")
    assert dry.stdout.strip().splitlines()[-1].endswith(" --no-isolate")
    assert serve_site.main(["--directory", str(ROOT / "no-such-site")]) == 2


# ---------------------------------------------------------------- the build's refusals


def run_build(*args, env=None):
    done = subprocess.run([*BUILD_SITE, *args], capture_output=True, text=True, env=env, timeout=600)
    return done.returncode, done.stderr.strip().splitlines()


def test_an_output_folder_it_did_not_write_is_refused_and_left_as_it_was(tmp_path):
    folder = tmp_path / "v"
    folder.mkdir()
    (folder / "thesis.txt").write_text("x")
    code, err = run_build("--output", str(folder))
    assert code == 2 and len(err) == 1 and "did not write" in err[0] and "--force" in err[0], err
    assert (folder / "thesis.txt").read_text() == "x"


@pytest.mark.parametrize("where", [".", "..", "notebooks", "deconvlib", "tests/site"])
def test_the_checkout_its_parents_and_its_sources_are_refused_even_with_force(where):
    code, err = run_build("--output", str(ROOT / where), "--force")
    assert code == 2 and len(err) == 1 and "checkout" in err[0], err
    assert (ROOT / "notebooks" / "01_start_here.ipynb").is_file()


def test_a_file_as_output_is_refused_in_one_line(tmp_path):
    some_file = tmp_path / "some_file"
    some_file.write_text("keep me")
    code, err = run_build("--output", str(some_file))
    assert code == 2 and len(err) == 1 and "not a folder" in err[0], err
    assert some_file.read_text() == "keep me"


def test_a_stamped_folder_or_force_is_accepted(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / build_site.STAMP_NAME).write_text("{}")
    build_site.check_output(tmp_path / "old", force=False)
    (tmp_path / "theirs").mkdir()
    (tmp_path / "theirs" / "a.txt").write_text("a")
    build_site.check_output(tmp_path / "theirs", force=True)
    build_site.check_output(tmp_path / "new", force=False)


def test_a_file_where_the_build_folder_should_be_is_one_line(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "build"
    blocker.write_text("not a folder")
    monkeypatch.setattr(build_site, "BUILD", blocker / "site")
    monkeypatch.setattr(build_site, "DOWNLOADS", blocker / "site" / "downloads")
    assert build_site.main(["--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "BUILD FAILED" in err[0] and str(blocker) in err[0], err
    assert blocker.read_text() == "not a folder"


def test_a_file_where_the_downloads_should_be_is_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "downloads").write_text("not a folder")
    monkeypatch.setattr(build_site, "BUILD", tmp_path / "site")
    monkeypatch.setattr(build_site, "DOWNLOADS", tmp_path / "site" / "downloads")
    monkeypatch.setattr(build_site, "build_venv", lambda mode: tmp_path / "venv")  # not reached for real
    assert build_site.main(["--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "downloads" in err[0] and "BUILD FAILED" in err[0], err


def test_a_misspelt_pyodide_mode_is_refused():
    code, err = run_build("--output", "/nonexistent/x", env={**os.environ, "PYODIDE": "ofline"})
    assert code == 2 and "PYODIDE='ofline'" in err[-1] and "offline, cdn" in err[-1], err
    dry = subprocess.run(["make", "-n", "site", "PYODIDE=ofline"], cwd=ROOT, capture_output=True, text=True)
    assert "--pyodide ofline" in dry.stdout  # the Makefile passes it on, and the script refuses it:
    code, err = run_build("--pyodide", "ofline", "--output", "/nonexistent/x")
    assert code == 2 and "invalid choice: 'ofline'" in err[-1], err


def test_a_cdn_site_is_not_isolated_and_asking_for_it_is_refused():
    code, err = run_build("--pyodide", "cdn", "--isolate", "--output", "/nonexistent/x")
    assert code == 2 and "a CDN site cannot be isolated" in err[-1], err
    with pytest.raises(build_site.BuildError, match="cannot be isolated"):
        build_site.add_hosting_support(Path("/nonexistent"), "cdn", isolate=True)


def test_the_landing_page_lists_the_index_first():
    names = [p.name for p in build_site.landing_order(build_site.notebooks())]
    assert names[0] == "00_index.ipynb" and sorted(names) == sorted(p.name for p in build_site.notebooks())
    page = build_site.landing_page("offline")
    assert page.index("?path=00_index.ipynb") < page.index("?path=00_warmup_convolution_and_pooling.ipynb")


# ---------------------------------------------------------------- the Pyodide wheels' source


def test_a_local_official_distribution_is_checked_against_the_lock(site, tmp_path):
    """``PYODIDE_DIST``: the wheels come from the folder, each checked against the official lock's sha256.

    Takes the ``site`` fixture: building the site fills the download cache it reads (on a clean
    clone the test was skipped when it ran before the site test had built it).
    """
    tarball = build_site.DOWNLOADS / "pyodide-{1}.tgz".format(*build_site.PYODIDE_NPM)
    assert (build_site.DOWNLOADS / build_site.WHEEL_SOURCE[1]).exists() and tarball.exists()
    vendor = build_site.PyodideWheels(None)
    dist = tmp_path / "pyodide"
    dist.mkdir()
    (dist / "pyodide-lock.json").write_text("{}")
    with tarfile.open(tarball) as tar:
        lock = json.loads(tar.extractfile("package/pyodide-lock.json").read())
    keep = build_site.dependency_closure(lock["packages"], build_site.ROOTS)
    for key in keep:
        name = lock["packages"][key]["file_name"]
        (dist / name).write_bytes(vendor.read(name))
    build_site.offline_pyodide(None, {}, tmp_path / "out", dist=dist)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.whl")) == sorted(
        lock["packages"][k]["file_name"] for k in keep if lock["packages"][k]["file_name"].endswith(".whl")
    )
    numpy = dist / lock["packages"]["numpy"]["file_name"]
    numpy.write_bytes(numpy.read_bytes() + b"\0")
    with pytest.raises(build_site.BuildError, match="official pyodide-lock.json says"):
        build_site.offline_pyodide(None, {}, tmp_path / "out2", dist=dist)
    with pytest.raises(build_site.BuildError, match="no pyodide-lock.json"):
        build_site.offline_pyodide(None, {}, tmp_path / "out3", dist=tmp_path)


def test_the_kernel_loads_its_packages_as_pyodide_starts_from_the_sites_lock(site):
    """``loadPyodideOptions.packages`` names what pyodide-kernel would install one by one (it skips those),
    and every one of them, with its dependencies, is in the site's lock: none is left for piplite to fetch."""
    lite = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    options = lite["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]["loadPyodideOptions"]
    assert options["packages"] == build_site.KERNEL_PACKAGES
    lock = json.loads((site / "static" / "pyodide" / "pyodide-lock.json").read_text())["packages"]
    closure = build_site.dependency_closure(lock, options["packages"])  # raises on a name the lock lacks
    assert {"piplite", "pyodide-kernel", "ipykernel", "ipython", "micropip"} <= set(closure)
    # the very wheels the extension serves to piplite
    pypi = site / "extensions" / build_site.KERNEL_STATIC / "pypi"
    for key in build_site.KERNEL_WHEELS:
        entry = lock[build_site.normalize(key)]
        with zipfile.ZipFile(site / "static" / "pyodide" / entry["file_name"]) as ours:
            with zipfile.ZipFile(pypi / entry["file_name"]) as theirs:  # theirs, compiled (see the next test)
                assert {n[:-1] if n.endswith(".pyc") else n for n in ours.namelist()} == set(theirs.namelist())


def test_the_kernel_starts_without_ssl_or_jedi_and_piplite_installs_nothing_as_it_starts(site):
    """The worker's start-up list loses ``ssl`` (its ``openssl``: 2 MB) and ``jedi`` (with ``parso``: 1,900
    files), and what is left of it is all loaded as Pyodide boots; matplotlib loads without pytz. All stay in
    the lock, for a cell that imports one (``test_site_visits.py`` imports ssl and pytz, and completes
    without jedi)."""
    static = site / "extensions" / build_site.KERNEL_STATIC
    found = re.compile(r"(?:let|const) t=\(e\.loadPyodideOptions\|\|\{\}\)\.packages\|\|\[\],n=(\[[^\]]*\])")
    lists = [json.loads(m.group(1)) for chunk in static.glob("*.js") for m in found.finditer(chunk.read_text())]
    assert len(lists) == 5 and all(
        start == ["sqlite3", "ipykernel", "comm", "pyodide_kernel", "ipython"] for start in lists
    ), lists
    assert set(lists[0]) <= set(build_site.KERNEL_PACKAGES)
    lock = json.loads((site / "static" / "pyodide" / "pyodide-lock.json").read_text())["packages"]
    assert lock["ssl"]["depends"] == ["openssl"] and lock["jedi"]["depends"] == ["parso"]
    for key in ("openssl", "ssl", "jedi", "parso", "pytz"):
        assert (site / "static" / "pyodide" / lock[key]["file_name"]).is_file(), key
    session = build_site.dependency_closure(lock, [*build_site.KERNEL_PACKAGES, "deconvlib"])
    assert {"ipython", "matplotlib", "numpy", "sqlite3", "prompt-toolkit"} <= set(session)
    assert not {"openssl", "ssl", "jedi", "parso", "pytz"} & set(session)


def test_patching_a_wheel_edits_its_line_its_record_and_the_lock(tmp_path):
    """``build_site.patch_wheels`` (the site's :data:`WHEEL_PATCHES`; their effect is checked in the browser by
    ``test_site_visits.py``: Tab completes without jedi, IPython's terminal is not imported): the line is
    replaced, the RECORD gives the edited module's true sha256 and size, the lock the wheel's; a line that
    is not there once stops the build."""
    module, other = "pkg/mod.py", "pkg/other.py"
    source = {module: b"x = 1\nflag = True\n", other: b"y = 2\n"}

    def record_line(path, data):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        return f"{path},sha256={digest},{len(data)}"

    record = "\n".join([*(record_line(p, d) for p, d in source.items()), "pkg-1.0.dist-info/RECORD,,"]) + "\n"
    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as files:
        for path, data in [*source.items(), ("pkg-1.0.dist-info/RECORD", record.encode())]:
            files.writestr(path, data)
    (tmp_path / "pyodide-lock.json").write_text(json.dumps({"packages": {"pkg": {"file_name": wheel.name}}}))
    build_site.patch_wheels(tmp_path, [("pkg", module, "flag = True\n", "flag = False  # patched\n")])
    with zipfile.ZipFile(wheel) as files:
        edited = files.read(module)
        assert edited == b"x = 1\nflag = False  # patched\n" and files.read(other) == source[other]
        lines = files.read("pkg-1.0.dist-info/RECORD").decode().splitlines()
    assert lines == [record_line(module, edited), record_line(other, source[other]), "pkg-1.0.dist-info/RECORD,,"]
    assert json.loads((tmp_path / "pyodide-lock.json").read_text())["packages"]["pkg"]["sha256"] == build_site.sha256(
        wheel
    )
    with pytest.raises(build_site.BuildError, match="no longer has the line"):
        build_site.patch_wheels(tmp_path, [("pkg", module, "flag = True\n", "")])


#: CPython 3.12's bytecode magic number (3531: Lib/importlib/_bootstrap_external.py, 3.12 final), then "\r\n".
MAGIC_312 = (3531).to_bytes(2, "little") + b"\r\n"


def test_the_wheels_and_the_stdlib_carry_the_bytecode_of_what_a_session_imports(site):
    """``tools/precompile.py`` at build time: bytecode of Pyodide's interpreter (CPython 3.12), hash-based and
    unchecked (PEP 552), for the kernel's, the course's and the standard library's modules that a session
    imports, not for the others: beside deconvlib's sources, in place of the others'; and the lock's sha256
    is each served wheel's, or Pyodide refuses it."""
    static = site / "static" / "pyodide"
    lock = json.loads((static / "pyodide-lock.json").read_text())
    assert lock["info"]["python"].startswith("3.12.")
    lock = lock["packages"]
    for key, entry in lock.items():
        assert build_site.sha256(static / entry["file_name"]) == entry["sha256"], key
    expected = {
        "deconvlib": ["deconvlib/__init__.py", "deconvlib/course/explorer.py", "deconvlib/viz/svg.py"],
        "numpy": ["numpy/__init__.py", "numpy/_core/numeric.py"],
        "matplotlib": ["matplotlib/figure.py"],
        "ipython": ["IPython/core/interactiveshell.py"],
        "pyodide-kernel": ["pyodide_kernel/__init__.py"],
        None: ["json/__init__.py", "asyncio/base_events.py", "inspect.py"],  # python_stdlib.zip
    }
    for key, sources in expected.items():
        archive = static / ("python_stdlib.zip" if key is None else lock[key]["file_name"])
        with zipfile.ZipFile(archive) as files:
            names = set(files.namelist())
            for source in sources:
                folder, _, file = source.rpartition("/")
                if key == "deconvlib":
                    pyc = f"{folder}/__pycache__/{file[:-3]}.cpython-312.pyc"
                    assert source in names and pyc in names, pyc
                else:
                    pyc = source + "c"
                    assert source not in names and pyc in names, (archive.name, pyc)
                header = files.read(pyc)[:8]
                assert header[:4] == MAGIC_312 and int.from_bytes(header[4:], "little") == 1, (pyc, header)
    with zipfile.ZipFile(static / lock["pygments"]["file_name"]) as files:  # only what is imported
        compiled = [n for n in files.namelist() if n.endswith(".pyc")]
        sources = [n for n in files.namelist() if n.endswith(".py")]
    assert 0 < len(compiled) < len(sources) / 4
    with zipfile.ZipFile(static / "python_stdlib.zip") as files:
        names = set(files.namelist())
    assert {"smtplib.py", "ftplib.py", "mailbox.py"} <= names and not {"smtplib.pyc", "mailbox.pyc"} & names


# ---------------------------------------------------------------- the real site: offline rebuild, isolation


@pytest.fixture(scope="module")
def site():
    """_site/ as the site test builds it (skipped when up to date; its downloads cached in build/site/)."""
    output = ROOT / "_site"
    try:
        if json.loads((output / build_site.STAMP_NAME).read_text())["mode"] != "offline":
            output = ROOT / "build" / "site" / "_site-offline"
    except (OSError, ValueError, KeyError):
        pass
    code, err = run_build("--pyodide", "offline", "--output", str(output))
    if code != 0:
        pytest.fail("tools/build_site.py failed:\n" + "\n".join(err[-30:]))
    return output


#: The network cut for pip and npm: a proxy that does not exist, no index, no pip configuration
#: (this machine's has local wheel folders), npm offline.
OFFLINE_ENV = {
    **{k: v for k, v in os.environ.items() if not k.upper().startswith(("PIP_", "HTTP_PROXY", "HTTPS_PROXY"))},
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "PIP_NO_INDEX": "1",
    "PIP_CONFIG_FILE": os.devnull,
    "npm_config_offline": "true",
}


@pytest.fixture(scope="module")
def isolated_site(site, tmp_path_factory):
    """A forced rebuild, isolated by default, with the network cut, into a folder of its own: (folder, build result)."""
    output = tmp_path_factory.mktemp("isolated") / "site"
    code, err = run_build("--pyodide", "offline", "--output", str(output), "--force", env=OFFLINE_ENV)
    return output, code, err


@pytest.fixture(scope="module")
def plain_site(site, tmp_path_factory):
    """The offline site built with ``--no-isolate --no-precompress``, in a folder of its own."""
    output = tmp_path_factory.mktemp("plain") / "site"
    code, err = run_build("--pyodide", "offline", "--output", str(output), "--no-isolate", "--no-precompress")
    assert code == 0, "\n".join(err[-30:])
    return output


def test_a_forced_rebuild_needs_no_network_and_carries_the_isolation_fallback(isolated_site):
    output, code, err = isolated_site
    assert code == 0, "\n".join(err[-30:])
    worker = (output / "service-worker.js").read_text()
    assert "self.fetch = async" in worker and '"Cross-Origin-Embedder-Policy", "require-corp"' in worker
    for page, root in [(output / "index.html", "./"), (output / "lab" / "index.html", "../")]:
        text = page.read_text()
        assert f'new URL("{root}service-worker.js?enableCache=false"' in text, page
    assert 'id="deconvlib-cdn-check"' not in (output / "lab" / "index.html").read_text()  # the CDN build's only
    landing = (output / "index.html").read_text()
    assert landing.index("00_index.ipynb") < landing.index("00_warmup_convolution_and_pooling.ipynb")
    assert "stops with <b>Kernel ▸ Interrupt</b>" in landing
    # built beside the output and swapped in: nothing left over
    assert [p.name for p in output.parent.iterdir()] == ["site"]
    assert json.loads((output / build_site.STAMP_NAME).read_text())["isolated"] is True


def test_the_sites_twins_decode_to_their_files_and_its_wheels_are_stored(site):
    """``build_site.precompress``: a ``.br`` and a ``.gz`` beside every file worth it, each decoding to the file
    (brotli decoded by Node.js's zlib, the library Chromium's decoder shares its format with); the wheels
    stored uncompressed (``build_site.store_wheels``), so that their twins are smaller than deflated wheels."""
    files = [
        path
        for path in sorted(site.rglob("*"))
        if build_site.PRECOMPRESSED.search(path.name) and path.stat().st_size >= build_site.PRECOMPRESS_MIN_BYTES
    ]
    assert len(files) > 300 and json.loads((site / build_site.STAMP_NAME).read_text())["precompressed"] is True
    for path in files:
        assert gzip.decompress(path.with_name(path.name + ".gz").read_bytes()) == path.read_bytes(), path
    decode = """
        const { readFileSync } = require("fs"), { brotliDecompressSync } = require("zlib");
        const bad = JSON.parse(readFileSync(0, "utf8")).filter(
            (f) => !brotliDecompressSync(readFileSync(f + ".br")).equals(readFileSync(f)));
        console.log(JSON.stringify(bad));
    """
    node = shutil.which("node") or shutil.which("nodejs")
    result = subprocess.run(
        [node, "-e", decode], input=json.dumps([str(f) for f in files]), capture_output=True, text=True
    )
    assert result.returncode == 0 and json.loads(result.stdout) == [], result.stderr[-2000:]
    static = site / "static" / "pyodide"
    wheels = sorted(static.glob("*.whl"))
    assert len(wheels) > 20
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as members:
            assert {m.compress_type for m in members.infolist()} == {zipfile.ZIP_STORED}, wheel.name
    matplotlib = next(static.glob("matplotlib-*.whl"))
    assert matplotlib.with_name(matplotlib.name + ".br").stat().st_size < 0.7 * 7.5e6  # 7.5 MB deflated


def test_a_site_built_with_no_isolate_has_no_isolation_fallback(plain_site):
    assert "self.fetch = async" not in (plain_site / "service-worker.js").read_text()
    lab = (plain_site / "lab" / "index.html").read_text()
    assert "deconvlib-isolation" not in lab and "deconvlib-interrupt" not in lab
    assert "stops only with <b>Kernel ▸ Restart</b>" in (plain_site / "index.html").read_text()
    assert json.loads((plain_site / build_site.STAMP_NAME).read_text())["isolated"] is False
    assert serve_site.isolated_build(plain_site) is False


def test_a_site_built_with_no_precompress_has_no_twins_and_deflated_wheels(plain_site):
    """For a host that serves no twins (GitHub Pages): the wheels as Pyodide ships them, deflated."""
    assert json.loads((plain_site / build_site.STAMP_NAME).read_text())["precompressed"] is False
    assert [p for p in plain_site.rglob("*") if p.suffix in (".br", ".gz")] == []
    wheel = next((plain_site / "static" / "pyodide").glob("matplotlib-*.whl"))
    with zipfile.ZipFile(wheel) as members:
        assert zipfile.ZIP_DEFLATED in {m.compress_type for m in members.infolist()}


def test_no_file_served_immutable_differs_from_the_plain_sites_file_of_the_same_name(isolated_site, plain_site):
    """A browser that cached the ``--no-isolate`` site (or the same version built before isolation was the
    default) must not keep a chunk the isolated site edits: each edited chunk, and the ``remoteEntry`` that
    names it, has a new name, which ``jupyter-lite.json`` (``no-cache``) leads to."""
    site, code, _ = isolated_site
    assert code == 0
    immutable = {
        path.relative_to(site)
        for path in site.rglob("*")
        if path.is_file() and serve_site.cache_control("/" + path.relative_to(site).as_posix()) == serve_site.IMMUTABLE
    }
    both = {path for path in immutable if (plain_site / path).is_file()}
    assert len(both) > 100  # the web app's chunks and Pyodide's wheels
    changed = [str(path) for path in sorted(both) if (site / path).read_bytes() != (plain_site / path).read_bytes()]
    assert changed == []
    # the edited ones are there under new names, and the app loads them
    static = Path("extensions") / build_site.KERNEL_STATIC
    edited = sorted(path.name for path in immutable - both if path.parent == static)
    assert len(edited) == 3 and [name.split(".")[0] for name in edited][-1] == "remoteEntry", edited
    loads = [
        e["load"]
        for e in json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]["federated_extensions"]
        if e["name"] == "@jupyterlite/pyodide-kernel-extension"
    ]
    assert loads == [f"static/{edited[-1]}"]
    entry = (site / static / edited[-1]).read_text()
    for name in edited[:-1]:
        chunk_id, digest, _ = name.split(".")
        assert entry.count(f'{chunk_id}:"{digest}"') == 2, name


def open_notebook(context, url, notebook="00_index.ipynb"):
    page = context.new_page()
    page.goto(f"{url}/lab/index.html?path={notebook}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook:visible", timeout=60_000)
    return page


def serve(handler):
    server = serve_site.SiteServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@contextlib.contextmanager
def serving(isolated_site, headers):
    """``(site, url)``: the ``--isolate`` build served as ``serve_site.py`` serves it, or plainly (GitHub Pages)."""
    site, code, _ = isolated_site
    if code != 0:
        pytest.skip("the --isolate build failed (its own test says why)")
    handler = (
        serve_site.handler_for(site, quiet=True) if headers else functools.partial(PlainHandler, directory=str(site))
    )
    server, url = serve(handler)
    try:
        yield site, url
    finally:
        server.shutdown()
        server.server_close()


class PlainHandler(http.server.SimpleHTTPRequestHandler):
    """``python -m http.server``: no isolation headers, like GitHub Pages."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

    def log_message(self, *args):
        pass


def test_served_with_the_headers_the_site_is_isolated(site, browser):
    server, url = serve(serve_site.handler_for(site, quiet=True))  # the default: the site is built isolated
    try:
        status, headers, body = get(url + "/static/pyodide/pyodide.asm.wasm", **{"Accept-Encoding": "gzip"})
        assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"
        assert headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == (site / "static" / "pyodide" / "pyodide.asm.wasm").read_bytes()
        context = browser.new_context()
        page = open_notebook(context, url)
        assert page.evaluate("() => window.crossOriginIsolated") is True
        # Chromium takes the brotli twin of a stored wheel and decodes it to the wheel the lock names
        lock = json.loads((site / "static" / "pyodide" / "pyodide-lock.json").read_text())["packages"]["matplotlib"]
        fetched = page.evaluate(
            """async (name) => {
                const response = await fetch("../static/pyodide/" + name, {cache: "no-store"});
                const digest = await crypto.subtle.digest("SHA-256", await response.arrayBuffer());
                const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
                return [response.headers.get("content-encoding"), hex];
            }""",
            lock["file_name"],
        )
        assert fetched == ["br", lock["sha256"]]
        context.close()
    finally:
        server.shutdown()
        server.server_close()


def test_served_without_headers_the_service_worker_isolates_the_notebook_page(isolated_site, browser):
    with serving(isolated_site, headers=False) as (_, url):
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + "/index.html")
        assert page.evaluate("() => window.crossOriginIsolated") is False  # no headers: the landing page is not
        # a notebook opened straight away: the worker takes the page over and it reloads once, isolated
        page = open_notebook(context, url)
        page.wait_for_function("() => window.crossOriginIsolated", timeout=30_000)
        page.wait_for_selector(".jp-Notebook:visible", timeout=60_000)
        context.close()


def test_served_without_headers_a_hard_reload_of_a_notebook_is_isolated_again(isolated_site, browser):
    """Ctrl+Shift+R loads the page past the active service worker, which then never takes it over (nor a page
    loaded while the worker started, claimed just before it could be: CI saw such a page stay not isolated).
    The page reloads itself once, through the worker."""
    with serving(isolated_site, headers=False) as (_, url):
        context = browser.new_context()
        page = open_notebook(context, url)
        page.wait_for_function("() => window.crossOriginIsolated", timeout=30_000)
        page.evaluate("() => { window.__before = true; }")
        documents = []  # (isolated, controlled by the worker) of each document the page loads from here on
        page.expose_function("__document", lambda *seen: documents.append(seen))
        page.add_init_script("window.__document(window.crossOriginIsolated, !!navigator.serviceWorker.controller)")
        context.new_cdp_session(page).send("Page.reload", {"ignoreCache": True})
        isolated = "() => !window.__before && window.crossOriginIsolated && navigator.serviceWorker.controller !== null"
        page.wait_for_function(isolated, timeout=30_000)
        page.wait_for_selector(".jp-Notebook:visible", timeout=60_000)
        assert documents == [(False, False), (True, True)]  # the hard reload, past the worker; the page's reload
        context.close()


#: A service worker like JupyterLite's (it takes the pages over at once and passes every request on), to which the
#: build appends the isolation fallback.
FAKE_WORKER = """self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => event.respondWith(fetch(event.request)));
"""

#: A notebook page that does what JupyterLite's does once it has opened the notebook of ``?path=``: drop it from
#: the address. ``window.opened``: what the page was opened with.
FAKE_LAB = """<!doctype html><html><head><title>lab</title></head><body><script>
window.opened = location.search;
history.pushState({}, "", location.pathname);
</script></body></html>"""


def test_the_fallbacks_reload_opens_the_notebook_the_page_was_opened_with(browser, tmp_path):
    # when the worker took the page over after JupyterLite had dropped ?path= (a worker slow to start on a first
    # visit), the reload opened an empty lab: no notebook, no kernel (benchmarks/probe_first_visit.py --sw-delay)
    (tmp_path / "service-worker.js").write_text(FAKE_WORKER + build_site.ISOLATION_WORKER)
    lab = tmp_path / "lab" / "index.html"
    lab.parent.mkdir()
    lab.write_text(FAKE_LAB)
    build_site.add_to_head(lab, build_site.ISOLATION_PAGE % {"root": "../", "reload": "true"})
    server, url = serve(functools.partial(PlainHandler, directory=str(tmp_path)))
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + "/lab/index.html?path=01_start_here.ipynb")
        page.wait_for_function("() => window.crossOriginIsolated", timeout=30_000)
        assert page.evaluate("() => window.opened") == "?path=01_start_here.ipynb"
        context.close()
    finally:
        server.shutdown()
        server.server_close()


#: JavaScript: run ``code`` in the notebook's kernel; window.__reply becomes [status, error name, ms] when it ends.
EXECUTE = """([path, code]) => {
  window.__reply = null;
  const panel = window.jupyterapp.shell.widgets("main").find((w) => w.context && w.context.path === path);
  let error = "";
  const future = panel.sessionContext.session.kernel.requestExecute({code});
  future.onIOPub = (msg) => { if (msg.header.msg_type === "error") error = msg.content.ename; };
  future.done.then((reply) => { window.__reply = [reply.content.status, error, performance.now()]; });
}"""


def reply(page, timeout):
    """``[status, error name, ms]`` of the code :data:`EXECUTE` ran, once it has ended."""
    page.wait_for_function("() => window.__reply !== null", timeout=timeout)
    return page.evaluate("() => window.__reply")


def test_in_the_isolated_site_interrupt_stops_an_endless_loop_and_the_kernel_keeps_its_state(isolated_site, browser):
    notebook = "00_index.ipynb"
    with serving(isolated_site, headers=True) as (_, url):
        context = browser.new_context()
        page = open_notebook(context, url, notebook)
        assert page.evaluate("() => window.crossOriginIsolated") is True
        assert page.evaluate(KERNEL_READY, notebook) == "python"
        page.evaluate(EXECUTE, [notebook, "x = 42"])
        assert reply(page, 60_000)[:2] == ["ok", ""]
        page.evaluate(EXECUTE, [notebook, "while True: pass"])
        time.sleep(2)
        assert page.evaluate("() => window.__reply") is None  # still running
        pressed = page.evaluate(
            "() => { window.jupyterapp.commands.execute('kernelmenu:interrupt'); return performance.now(); }"
        )
        status, error, ended = reply(page, 10_000)
        assert status == "error" and "KeyboardInterrupt" in error, (status, error)  # pyodide-kernel: "<class '…'>"
        assert ended - pressed < 3000, f"Interrupt took {ended - pressed:.0f} ms"
        page.evaluate(EXECUTE, [notebook, "assert x == 42"])
        assert reply(page, 10_000)[:2] == ["ok", ""]
        # every press counts: before INTERRUPT_GUARD, 1 press in 40 was lost (P = 0.4 that one of 20 is)
        for press in range(20):
            page.evaluate(EXECUTE, [notebook, "while True: pass"])
            time.sleep(0.2 + 0.05 * (press % 5))
            page.evaluate("() => window.jupyterapp.commands.execute('kernelmenu:interrupt')")
            status, error, _ = reply(page, 5_000)
            assert status == "error" and "KeyboardInterrupt" in error, (press, status, error)
        context.close()


def test_the_service_worker_leaves_the_sites_files_to_the_browser(site):
    """``NATIVE_FETCHES`` comes first in the site's service worker (after ``"use strict"``), so its listener runs
    before JupyterLite's, which would answer each file with a ``fetch`` of its own."""
    worker = (site / "service-worker.js").read_text()
    assert worker.startswith('"use strict";' + build_site.NATIVE_FETCHES)
    assert worker.index(build_site.NATIVE_FETCHES) < worker.index(build_site.JUPYTERLITE_FETCH)


#: Python: whether Pyodide has loaded deconvlib's wheel (no cell has imported anything).
PRELOADED = "import pyodide_js\nassert 'deconvlib' in pyodide_js.loadedPackages.object_keys()"


def test_a_second_visit_starts_the_kernels_worker_with_the_page_and_interrupt_still_stops_it(isolated_site, browser):
    """``INTERRUPT_PAGE``: on a first visit the kernel's worker starts when JupyterLab asks for it; on the next
    (same profile), a worker like the last kernel's starts with the page, with Pyodide and then deconvlib's
    packages in it, and the kernel takes it: it runs code, has deconvlib's wheel without a cell importing it,
    and stops on Interrupt (its interrupt buffer reached the Pyodide started early)."""
    notebook = "00_index.ipynb"
    flag = "() => document.documentElement.dataset.deconvlibKernelWorker || null"
    with serving(isolated_site, headers=True) as (site, url):
        context = browser.new_context()
        first = open_notebook(context, url, notebook)
        assert first.evaluate(KERNEL_READY, notebook) == "python"
        assert first.evaluate(flag) is None
        first.close()
        page = context.new_page()
        answered = []  # (url, by the service worker): on a second visit the worker controls the page
        page.on("response", lambda response: answered.append((response.url, response.from_service_worker)))
        page.goto(f"{url}/lab/index.html?path={notebook}")
        page.wait_for_selector(".jp-Notebook:visible", timeout=60_000)
        assert page.evaluate(KERNEL_READY, notebook) == "python"
        assert page.evaluate(flag) == "taken by the kernel"
        # NATIVE_FETCHES: JupyterLite's worker answers the page and the kernel's worker, the browser the site's files
        assert answered[0] == (f"{url}/lab/index.html?path={notebook}", True)
        by_worker = {address.split("?")[0].removeprefix(url): sw for address, sw in answered}
        scripts = [path for path in by_worker if path.endswith(".js") and "/static/" in path]
        static = site / "extensions" / build_site.KERNEL_STATIC
        (kernel_worker,) = [chunk for chunk in static.glob("*.js") if "deconvlibGuardedBuffer" in chunk.read_text()]
        assert len(scripts) > 10
        assert [path for path in scripts if by_worker[path]] == [f"/{kernel_worker.relative_to(site)}"]
        assert by_worker["/static/pyodide/pyodide.asm.wasm"] is False
        deadline = time.monotonic() + 30
        while True:  # the packages load while the kernel starts, and may end after it is idle
            page.evaluate(EXECUTE, [notebook, PRELOADED])
            status, error, _ = reply(page, 10_000)
            if status == "ok" or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert (status, error) == ("ok", ""), "deconvlib's wheel was not loaded with the page"
        page.evaluate(EXECUTE, [notebook, "while True: pass"])
        time.sleep(1)
        page.evaluate("() => window.jupyterapp.commands.execute('kernelmenu:interrupt')")
        status, error, _ = reply(page, 5_000)
        assert status == "error" and "KeyboardInterrupt" in error, (status, error)
        context.close()


#: Node.js: Python's check of the interrupt buffer (read, then write 0) with the page's press between the two,
#: on the buffer as the guard wraps it and on the bare buffer, then a read with no write (``checkInterrupt``).
GUARD_RACE = """
for (const guard of [deconvlibGuardedBuffer, (shared) => shared]) {
  const shared = new Uint8Array(new SharedArrayBuffer(1));
  const buffer = guard(shared), seen = [];
  seen.push(buffer[0]); shared[0] = 2; buffer[0] = 0; seen.push(shared[0]);
  seen.push(buffer[0]); buffer[0] = 0; seen.push(shared[0]);
  shared[0] = 2; seen.push(buffer[0]); seen.push(shared[0]);
  console.log(JSON.stringify(seen));
}
"""


def test_the_interrupt_guard_keeps_a_press_that_lands_between_pythons_read_and_its_reset():
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("Node.js is not installed (the site's build installs it, see .ci/run)")
    run = subprocess.run([node, "-e", build_site.INTERRUPT_GUARD + GUARD_RACE], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    guarded, bare = (json.loads(line) for line in run.stdout.split())
    assert guarded == [0, 2, 2, 0, 2, 2]  # the press waits for the next check, which clears it
    assert bare == [0, 0, 0, 0, 2, 2]  # Pyodide's own buffer: the press is gone


def test_the_cdn_site_says_when_the_cdn_cannot_be_reached(site, browser, tmp_path):
    """``PYODIDE=cdn`` with jsdelivr out of reach (every other origin behind a dead proxy): a message, not "Unknown"."""
    output = tmp_path / "cdn"
    code, err = run_build("--pyodide", "cdn", "--output", str(output))
    assert code == 0, "\n".join(err[-30:])
    server, url = serve(serve_site.handler_for(output, quiet=True))
    try:
        assert json.loads((output / build_site.STAMP_NAME).read_text())["isolated"] is False
        assert serve_site.isolated_build(output) is False  # served without COOP/COEP: its kernel would hang
        assert "self.fetch = async" not in (output / "service-worker.js").read_text()
        dead = browser.new_context(proxy={"server": "http://127.0.0.1:9", "bypass": "127.0.0.1"})
        page = dead.new_page()
        page.goto(f"{url}/lab/index.html?path=00_index.ipynb")
        page.wait_for_selector("#deconvlib-cdn-unreachable", timeout=30_000)
        assert "cdn.jsdelivr.net" in page.inner_text("#deconvlib-cdn-unreachable")
        dead.close()
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- GitHub Pages


def test_the_pages_workflow_deploys_the_book_with_the_site_under_it():
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    assert "main" in triggers["push"]["branches"] and "workflow_dispatch" in triggers
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"
    build, deploy = workflow["jobs"]["build"]["steps"], workflow["jobs"]["deploy"]["steps"]
    runs = [step["run"] for step in build if "run" in step]
    (site,) = [run for run in runs if "tools/build_site.py" in run]
    assert "--output _site" in site and "--isolate" in site.split() and "--no-isolate" not in site, site
    assert "--no-precompress" in site.split()  # Pages sends no .br/.gz twins: the wheels stay deflated
    # the book at the root, the site under it at lite/ (where the book's "Run it live" buttons point)
    (book,) = [run for run in runs if "tools/build_book.py" in run]
    lines = book.strip().splitlines()
    assert "'.[book]'" in lines[0] and "--output _book" in lines[1] and lines[2] == "cp -a _site _book/lite", lines
    sys.path.insert(0, str(ROOT / "book"))
    import conf

    assert conf.LITE == "lite"
    upload = [step for step in build if step.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert len(upload) == 1 and upload[0]["with"]["path"] == "_book"
    cached = next(step for step in build if step.get("uses", "").startswith("actions/cache@"))["with"]["path"]
    assert "build/site/downloads" in cached  # the Pyodide downloads and MathJax (tools/offline_mathjax.py)
    assert workflow["jobs"]["deploy"]["needs"] == "build"
    assert [step["uses"].split("@")[0] for step in deploy] == ["actions/deploy-pages"]
