"""Hosting the JupyterLite site: ``tools/serve_site.py`` (``make serve-site``), the build's refusals and
its offline rebuild, the isolation fallback it puts in the site, the GitHub Pages workflow.

- The server, with real HTTP requests: the isolation headers (COOP/COEP) and the cache policy on
  every response, gzip bodies that decode to the file, a 304 for an unchanged file.
- ``tools/build_site.py`` refuses, in one line and exit 2, an ``--output`` it did not write (the
  folder is left as it was), the checkout and its source folders even with ``--force``, a file as
  ``--output``, a file where ``build/site/`` should be, and a ``PYODIDE`` that is neither mode.
- With every download cached, a forced rebuild succeeds with the network cut (a dead proxy,
  ``PIP_NO_INDEX=1``, no pip configuration): the wheel of deconvlib is built without pip's
  isolated build environment. The built site carries the isolation fallback (the service
  worker and each page's script) and lists the index first.
- In Chromium: the site served by ``serve_site`` is ``crossOriginIsolated`` and its kernel runs
  deconvlib; served by a plain ``http.server`` (no headers, like GitHub Pages) the fallback makes
  the notebook page isolated too.
"""

import functools
import gzip
import http.server
import json
import os
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_support import CHROMIUM, FLAGS, free_port

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
        "static/pyodide/pyodide-lock.json": json.dumps({"packages": {}}) + " " * 2000,
    }
    for name, content in files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    return site


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
        ("/static/pyodide/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl", "public, max-age=31536000, immutable"),
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
    status, headers, body = get(url + path, **{"Accept-Encoding": "gzip", "If-Modified-Since": headers["Last-Modified"]})
    assert status == 304 and body == b"" and headers["Cache-Control"] == "no-cache"


def test_wheels_and_404s_are_not_gzipped_and_keep_the_headers(served):
    url, _ = served
    wheel = "/static/pyodide/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
    assert get(url + wheel, **{"Accept-Encoding": "gzip"})[1].get("Content-Encoding") is None
    status, headers, _ = get(url + "/nothing-here.js", **{"Accept-Encoding": "gzip"})
    assert status == 404 and headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_make_serve_site_runs_the_server_on_this_machine_only():
    dry = subprocess.run(["make", "-n", "serve-site", "SITE_PORT=8123"], cwd=ROOT, capture_output=True, text=True)
    line = dry.stdout.strip().splitlines()[-1]
    assert "tools/serve_site.py" in line and "--port 8123" in line, dry.stdout
    assert "--bind" not in line  # serve_site's default: 127.0.0.1
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
    assert "--pyodide ofline" in dry.stdout  # the Makefile passes it on, and the script refuses it


def test_the_landing_page_lists_the_index_first():
    names = [p.name for p in build_site.landing_order(build_site.notebooks())]
    assert names[0] == "00_index.ipynb" and sorted(names) == sorted(p.name for p in build_site.notebooks())
    page = build_site.landing_page("offline")
    assert page.index("?path=00_index.ipynb") < page.index("?path=00_convolution_and_pooling.ipynb")


# ---------------------------------------------------------------- the Pyodide wheels' source


def test_a_local_official_distribution_is_checked_against_the_lock(tmp_path):
    """``PYODIDE_DIST``: the wheels come from the folder, each checked against the official lock's sha256."""
    cached = build_site.DOWNLOADS / build_site.WHEEL_SOURCE[1]
    tarball = build_site.DOWNLOADS / "pyodide-{1}.tgz".format(*build_site.PYODIDE_NPM)
    if not (cached.exists() and tarball.exists()):
        pytest.skip("the site's downloads are not cached yet (make site)")
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
