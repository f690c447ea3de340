"""benchmarks/bench_site.py without a browser: its arguments and its server (the benchmark itself is not a test)."""

import asyncio
import gzip
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import bench_site  # noqa: E402


def test_notebooks_are_chosen_by_name_or_prefix_and_an_unknown_one_is_refused(capsys):
    args = bench_site.parse_args(["--notebooks", "01,07_checkerboard_artifacts.ipynb"])
    assert args.notebooks == ["01_start_here.ipynb", "07_checkerboard_artifacts.ipynb"]
    assert bench_site.parse_args(["--notebooks", "none"]).notebooks == []
    assert len(bench_site.parse_args([]).notebooks) == len(list((bench_site.ROOT / "notebooks").glob("*.ipynb")))
    with pytest.raises(SystemExit):
        bench_site.parse_args(["--notebooks", "99"])
    assert "--notebooks" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench_site.parse_args(["--runs", "0"])
    assert "--runs" in capsys.readouterr().err


def fetch(url):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        return response.headers, response.read()


@pytest.mark.parametrize("compress", [False, True])
def test_the_server_sends_wasm_as_wasm_and_gzips_only_what_shrinks(tmp_path, compress):
    cache_control = "max-age=600" if compress else ""
    text = b"import deconvlib\n" * 1000
    noise = bytes(range(256)) * 4
    (tmp_path / "kernel.wasm").write_bytes(text)
    (tmp_path / "wheel.whl").write_bytes(gzip.compress(noise))
    server = bench_site.Server(tmp_path, compress, cache_control)
    try:
        headers, body = fetch(server.origin + "/kernel.wasm")
        assert headers["Content-Type"] == "application/wasm"
        assert headers.get("Cache-Control") == (cache_control or None)
        assert headers.get("Content-Encoding") == ("gzip" if compress else None)
        assert (gzip.decompress(body) if compress else body) == text
        headers, body = fetch(server.origin + "/wheel.whl")
        assert headers.get("Content-Encoding") is None and body == gzip.compress(noise)
        requests, sent = server.take_counts()
        assert requests == 2 and sent == len(body) + (len(gzip.compress(text, mtime=0)) if compress else len(text))
    finally:
        server.close()


def test_with_compression_the_server_sends_the_builds_brotli_twin_to_a_browser_that_accepts_it(tmp_path):
    (tmp_path / "numpy.whl").write_bytes(b"a stored wheel " * 100)
    (tmp_path / "numpy.whl.br").write_bytes(b"its brotli twin")
    server = bench_site.Server(tmp_path, True)
    try:
        stored = b"a stored wheel " * 100
        for accept, coding, body in [("gzip, br", "br", b"its brotli twin"), ("gzip", "gzip", stored)]:
            request = urllib.request.Request(server.origin + "/numpy.whl", headers={"Accept-Encoding": accept})
            with urllib.request.urlopen(request) as response:
                assert response.headers["Content-Encoding"] == coding
                assert (gzip.decompress(response.read()) if coding == "gzip" else response.read()) == body
    finally:
        server.close()


class FinishedRequest:
    """A finished request as Playwright's sync API gives it; ``body_size`` None: Chromium never sends its sizes."""

    def __init__(self, url, body_size, loop):
        self.url, self.body_size, self.loop = url, body_size, loop
        self._impl_obj = self.Async(body_size)

    def sizes(self):
        if self.body_size is None:  # Playwright's sizes() waits forever here: stand in for it, without the wait
            raise AssertionError(f"sizes() of {self.url} never returns")
        return {"responseBodySize": self.body_size}

    def _sync(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    class Async:
        def __init__(self, body_size):
            self.body_size = body_size

        async def sizes(self):
            if self.body_size is None:
                await asyncio.Event().wait()
            return {"responseBodySize": self.body_size}


def test_a_request_whose_sizes_never_come_is_left_out_of_the_bytes_instead_of_hanging_the_visit(monkeypatch):
    # the service worker's fetch of the notebook page on a second visit: Chromium never sends its "ExtraInfo"
    # events, and the first run of `bench_site.py --isolate` sat idle after Run All, waiting for its sizes
    monkeypatch.setattr(bench_site, "SIZES_HANG", 0.2, raising=False)
    origin = "http://127.0.0.1:8000"
    loop = asyncio.new_event_loop()
    browser = bench_site.Browser(playwright=None)
    try:
        browser.failed = []
        browser.finished = [
            FinishedRequest(origin + "/lab/index.html?path=01_start_here.ipynb", None, loop),
            FinishedRequest(origin + "/build/bootstrap.js", 1000, loop),
            FinishedRequest(origin + "/api/drive", -1, loop),  # answered by the worker: no body on the wire
            FinishedRequest("http://elsewhere.example/x.js", 50, loop),
        ]
        start = time.monotonic()
        assert browser.traffic(origin) == (1000, 3, 1, 1)
        assert time.monotonic() - start < 2
    finally:
        browser.remove()
        loop.close()
