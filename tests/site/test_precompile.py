"""The site's bytecode (``tools/precompile.py``), in CPython: what it does to a wheel, and that Python uses it.

The same functions run inside Pyodide at build time (``tools/precompile.mjs``); here they run in this
interpreter, on a small wheel, so the bytecode is this interpreter's and can be imported.
"""

import base64
import hashlib
import importlib
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import precompile  # noqa: E402

TAG = sys.implementation.cache_tag
WHEN = (2020, 1, 2, 3, 4, 6)
FILES = {
    "pkgx/__init__.py": "VALUE = 1\n",
    "pkgx/unused.py": "UNUSED = 1\n",
    "pkgx-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: pkgx\nVersion: 1.0\n",
}
RECORD = [f"{name},," for name in FILES] + ["pkgx-1.0.dist-info/RECORD,,"]


def make_wheel(folder):
    folder.mkdir(exist_ok=True)
    path = folder / "pkgx-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, text in FILES.items():
            wheel.writestr(zipfile.ZipInfo(name, WHEN), text)
        wheel.writestr(zipfile.ZipInfo("pkgx-1.0.dist-info/RECORD", WHEN), "\n".join(RECORD) + "\n")
    return path


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def check_pyc(pyc, source):
    assert pyc[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(pyc[4:8], "little") == 1  # PEP 552: hash-based, not checked against the source
    assert pyc[8:16] == importlib.util.source_hash(source)


def test_kept_sources_get_their_bytecode_beside_them_and_record_lists_it(tmp_path):
    wheel = make_wheel(tmp_path)
    assert precompile.add_bytecode(wheel, {"pkgx/__init__.py"}, keep_sources=True) == 1
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        pyc = archive.read(f"pkgx/__pycache__/__init__.{TAG}.pyc")
        record = archive.read("pkgx-1.0.dist-info/RECORD").decode().splitlines()
    assert sorted(names) == sorted([*FILES, "pkgx-1.0.dist-info/RECORD", f"pkgx/__pycache__/__init__.{TAG}.pyc"])
    check_pyc(pyc, b"VALUE = 1\n")
    assert record == RECORD + [record_line(f"pkgx/__pycache__/__init__.{TAG}.pyc", pyc)]


def test_other_sources_are_replaced_by_their_bytecode_and_record_says_so(tmp_path):
    wheel = make_wheel(tmp_path)
    assert precompile.add_bytecode(wheel, {"pkgx/__init__.py"}) == 1
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        pyc = archive.read("pkgx/__init__.pyc")
        record = archive.read("pkgx-1.0.dist-info/RECORD").decode().splitlines()
    assert "pkgx/__init__.py" not in names and "pkgx/unused.py" in names  # only what is imported
    check_pyc(pyc, b"VALUE = 1\n")
    assert record == [line for line in RECORD if not line.startswith("pkgx/__init__.py,")] + [
        record_line("pkgx/__init__.pyc", pyc)
    ]


def test_a_wheel_without_an_imported_module_is_left_as_it_was(tmp_path):
    wheel = make_wheel(tmp_path)
    before = wheel.read_bytes()
    assert precompile.add_bytecode(wheel, {"other/__init__.py"}) == 0
    assert wheel.read_bytes() == before


@pytest.mark.parametrize("keep_sources", [True, False])
def test_the_same_wheel_compiles_to_the_same_bytes(tmp_path, keep_sources):
    """A rebuild from the same inputs serves the same wheels: the lock's sha256 does not change."""
    built = [make_wheel(tmp_path / folder) for folder in ("a", "b")]
    for wheel in built:
        precompile.add_bytecode(wheel, {"pkgx/__init__.py"}, keep_sources=keep_sources)
    assert built[0].read_bytes() == built[1].read_bytes()


@pytest.mark.parametrize("keep_sources", [True, False])
def test_python_imports_the_bytecode(tmp_path, monkeypatch, keep_sources):
    """Unpacked as Pyodide installs a wheel, the module comes from the bytecode: a source kept and changed
    afterwards is not read (the compiled value stays), and a module without source imports from its ``.pyc``."""
    wheel = make_wheel(tmp_path)
    precompile.add_bytecode(wheel, {"pkgx/__init__.py"}, keep_sources=keep_sources)
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    if keep_sources:
        (site / "pkgx" / "__init__.py").write_text("VALUE = 2\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "pkgx", raising=False)
    try:
        module = importlib.import_module("pkgx")
        assert module.VALUE == 1
        assert module.__file__ == str(site / "pkgx" / ("__init__.py" if keep_sources else "__init__.pyc"))
        assert importlib.import_module("pkgx.unused").UNUSED == 1  # not compiled: imported from its source
    finally:
        for name in ("pkgx", "pkgx.unused"):
            sys.modules.pop(name, None)


@pytest.mark.parametrize("name", precompile.IMPORTS)
def test_what_a_session_imports_is_importable_here(name):
    """Each of :data:`precompile.IMPORTS` that CPython has: a misspelt name would leave a wheel uncompiled."""
    top = name.split(".")[0]
    if importlib.util.find_spec(top) is None:
        pytest.skip(f"{top} exists only in Pyodide")
    importlib.import_module(name)
