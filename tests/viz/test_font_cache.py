"""The font list shipped for Pyodide: portable, and written where matplotlib reads it.

That it removes the "building the font cache" warning is checked where it matters, in the
JupyterLite site (``tests/site/test_site.py`` fails on any stderr output).
"""

import json
from pathlib import Path

import matplotlib

from deconvlib.viz import font_cache


def test_the_shipped_list_names_only_matplotlibs_own_fonts_by_relative_path():
    assert font_cache.SHIPPED, "no font list is shipped"
    data = Path(matplotlib.get_data_path())
    for path in font_cache.SHIPPED:
        fonts = json.loads(path.read_text())
        assert path.name == f"fontlist-v{fonts['_version']}.json"
        entries = fonts["ttflist"] + fonts["afmlist"]
        assert len(fonts["ttflist"]) > 30 and any(e["name"] == "DejaVu Sans" for e in fonts["ttflist"])
        for entry in entries:
            assert not Path(entry["fname"]).is_absolute(), entry["fname"]
            assert entry["fname"].startswith("fonts/"), entry["fname"]
        shipped_here = sum((data / e["fname"]).exists() for e in fonts["ttflist"])
        assert shipped_here >= 0.9 * len(fonts["ttflist"]), "the list no longer matches matplotlib's mpl-data fonts"


def test_install_writes_both_places_and_replaces_only_a_list_of_another_version(tmp_path):
    cache, package = tmp_path / "cache", tmp_path / "matplotlib"
    cache.mkdir()
    package.mkdir()
    (package / "fontlist.json").write_text(json.dumps({"_version": 390}))  # what Pyodide 0.27.7 ships
    written = font_cache.install(cache=cache, package=package)
    newest = font_cache.SHIPPED[-1]
    assert set(written) == {cache / p.name for p in font_cache.SHIPPED} | {package / "fontlist.json"}
    assert (package / "fontlist.json").read_bytes() == newest.read_bytes()
    assert font_cache.install(cache=cache, package=package) == []  # the right version stays


def test_outside_pyodide_nothing_is_written(monkeypatch):
    monkeypatch.setattr(font_cache.sys, "platform", "linux")
    assert font_cache.install() == []
