"""Writing files without losing any: a temporary name then a rename, and a gallery's manifest.

Everything the command line and :mod:`deconvlib.viz.gallery` write goes through
:func:`atomic_path`: the file is written under a temporary name in the same
directory and renamed (``os.replace``) only once complete, so an error or a
Ctrl-C leaves the old file, never a shorter one. A gallery directory keeps a
manifest, :data:`MANIFEST`, of the files deconvlib wrote there, so that a later
run replaces those and nothing else.
"""

import contextlib
import json
import os
import secrets
from pathlib import Path

from .errors import ParameterError

__all__ = ["MANIFEST", "PARTIAL", "atomic_path", "partial_files", "safe_name", "read_manifest", "record"]

#: The file in a gallery directory that lists what deconvlib wrote there.
MANIFEST = ".deconvlib-gallery.json"
#: What the temporary name of a file being written contains: ``.<name>.partial-<random><ext>``.
PARTIAL = ".partial-"


def _extension(name):
    """``".gif"`` for ``"a.gif"`` and for ``".gif"`` (a file named ``.gif``), ``""`` without one."""
    stem, dot, ext = name.rpartition(".")
    return dot + ext if dot else ""


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block completes.

    Parameters
    ----------
    path : str or Path

    Yields
    ------
    Path
        ``.<name>.partial-<random><ext>`` in the same directory, with the same
        extension (so a writer that picks its format from it still can).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as directory:
    ...     with atomic_path(Path(directory) / "a.txt") as tmp:
    ...         _ = tmp.write_text("done")
    ...     sorted(p.name for p in Path(directory).iterdir())
    ['a.txt']
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}{PARTIAL}{secrets.token_hex(4)}{_extension(path.name)}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def partial_files(directory, names):
    """The temporary files of ``names`` left in ``directory`` (by a process that was killed)."""
    return [p for name in names for p in Path(directory).glob(f".{name}{PARTIAL}*")]


def safe_name(name, parameter="name"):
    """Return ``name`` if it is a plain file name (no directory, not hidden); raise otherwise.

    Examples
    --------
    >>> safe_name("up.gif")
    'up.gif'
    >>> safe_name("../x.gif")
    Traceback (most recent call last):
    ...
    deconvlib.ParameterError: name must be a plain file name (no folders, not starting with '.'), got '../x.gif'
    """
    text = str(name)
    if not text or text.startswith(".") or any(c in text for c in "/\\\0") or Path(text).name != text:
        raise ParameterError(
            f"{parameter} must be a plain file name (no folders, not starting with '.'), got {text!r}",
            parameter=parameter,
        )
    return text


def read_manifest(directory):
    """``{"files": [...], "cases": [...]}`` that deconvlib recorded in ``directory``, or None."""
    try:
        data = json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
        return {"files": [str(f) for f in data["files"]], "cases": [str(c) for c in data["cases"]]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(directory, files=(), cases=()):
    """Add ``files`` and ``cases`` to the manifest of ``directory`` (written atomically)."""
    old = read_manifest(directory) or {"files": [], "cases": []}
    data = {
        "written by": "python -m deconvlib gallery",
        "files": sorted(set(old["files"]) | set(files)),
        "cases": sorted(set(old["cases"]) | set(cases)),
    }
    with atomic_path(Path(directory) / MANIFEST) as tmp:
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
