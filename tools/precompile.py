"""Run by ``tools/precompile.mjs`` inside Pyodide (Node.js): bytecode for the modules a course session imports.

Pyodide's package wheels and its standard library (``python_stdlib.zip``) hold ``.py`` sources
only, and its file system is in memory, so every visit to the site compiled every module it
imported again, in WebAssembly: about 3 s of notebook 1's first figure (benchmarks/README.md).
This compiles, in the same Pyodide the site runs, each module that the kernel's start and the
course's imports load (:data:`IMPORTS`, found by importing them here), unchecked hash-based
(PEP 552: Python takes it without comparing timestamps):

- deconvlib's modules keep their source, for the tracebacks and the ``??`` that students read:
  the bytecode goes beside it, ``__pycache__/NAME.cpython-312.pyc``;
- the other packages' and the standard library's modules are replaced by their bytecode,
  ``NAME.pyc`` where ``NAME.py`` was (Python imports a module without source from there, and
  ``zipimport`` from the zip): half the download and a sixth of the memory that keeping both
  costs (4.2 MB more to download instead of 8.9; 2.7 MB more in each kernel's files instead of 15.5),
  at the price of no source lines in a traceback through numpy, matplotlib or IPython.

A wheel's RECORD says what it holds. A module left out is compiled at import, as before: slower,
never wrong.
"""

import base64
import hashlib
import importlib
import importlib.util
import io
import os
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

#: Where Pyodide installs wheels, and the standard library's zip on ``sys.path``.
SITE = "/lib/python3.12/site-packages/"
STDLIB = "/lib/python312.zip/"
#: What a course session imports: the kernel (pyodide_kernel imports IPython, jedi, …) and the course.
IMPORTS = [
    "micropip",
    "piplite.piplite",
    "pyodide_kernel",
    "deconvlib",
    "deconvlib.course",
    "deconvlib.viz.animation",
    "deconvlib.viz.gallery",
]


def imported_sources(prefix, names=IMPORTS):
    """The paths under ``prefix`` (relative to it) of every ``.py`` module loaded by importing ``names``."""
    for name in names:
        importlib.import_module(name)
    files = (getattr(module, "__file__", None) for module in list(sys.modules.values()))
    return {f[len(prefix) :] for f in files if f and f.startswith(prefix) and f.endswith(".py")}


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


#: The wheels whose modules keep their source beside the bytecode (by file name).
KEEP_SOURCES = ("deconvlib-",)


def cached_pyc(source):
    """``pkg/mod.py`` → ``pkg/__pycache__/mod.cpython-312.pyc``: the bytecode of a module that keeps its source."""
    folder, _, file = source.rpartition("/")
    return f"{folder}/" * bool(folder) + f"__pycache__/{file[:-3]}.{sys.implementation.cache_tag}.pyc"


def add_bytecode(path, sources, prefix=SITE, keep_sources=False):
    """Compile the modules of the zip (or wheel) at ``path`` that are in ``sources``; return how many.

    ``prefix`` is where the archive's files are imported from (the code's file names). With
    ``keep_sources`` each bytecode file goes beside its source (:func:`cached_pyc`), otherwise it
    replaces it (``mod.pyc`` for ``mod.py``). A ``.dist-info/RECORD`` says so. Deterministic: each
    ``.pyc`` gets its source's date and place in the archive.
    """
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if not any(info.filename in sources for info in infos):
            return 0
        out = io.BytesIO()
        compiled, record = {}, None
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
            for info in infos:
                data = archive.read(info)
                if info.filename.endswith(".dist-info/RECORD"):
                    record = (info, data)
                    continue
                if info.filename not in sources:
                    new.writestr(info, data)
                    continue
                code = compile(data, prefix + info.filename, "exec", dont_inherit=True)
                pyc = _code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False)
                if keep_sources:
                    new.writestr(info, data)
                name = cached_pyc(info.filename) if keep_sources else info.filename + "c"
                entry = zipfile.ZipInfo(name, info.date_time)
                entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
                new.writestr(entry, pyc)
                compiled[info.filename] = _record_line(entry.filename, pyc)
            if record is not None:
                info, data = record
                lines = data.decode().rstrip("\n").split("\n")
                if not keep_sources:  # the sources replaced are no longer there
                    lines = [line for line in lines if line.split(",")[0] not in compiled]
                new.writestr(info, "\n".join(lines + list(compiled.values())) + "\n")
    with open(path, "wb") as f:
        f.write(out.getvalue())
    return len(compiled)


def compile_site(folder):
    """Compile, in the wheels of ``folder`` (a site's ``static/pyodide/``) and its ``python_stdlib.zip``, what a
    session imports (:func:`imported_sources`); return ``{file name: modules compiled}`` of those changed."""
    wheels, stdlib = imported_sources(SITE), imported_sources(STDLIB)
    changed = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".whl"):
            changed[name] = add_bytecode(f"{folder}/{name}", wheels, keep_sources=name.startswith(KEEP_SOURCES))
    changed["python_stdlib.zip"] = add_bytecode(f"{folder}/python_stdlib.zip", stdlib, STDLIB)
    return {name: count for name, count in changed.items() if count}
