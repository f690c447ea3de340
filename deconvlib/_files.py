"""Writing files without losing any: a temporary name then a rename, and a gallery's manifest.

Everything the command line and :mod:`deconvlib.viz.gallery` write goes through
:func:`atomic_path`: the file is written under a temporary name in the same
directory and renamed (``os.replace``) only once complete, so an error or a
Ctrl-C leaves the old file, never a shorter one. A gallery directory keeps a
manifest, :data:`MANIFEST`, of the files deconvlib wrote there and of their
contents (a SHA-256 each), so that a later run replaces those and nothing else:
:func:`at_risk` names a file deconvlib did not write, or one changed since it
wrote it (an ``index.html`` the user edited). ``tools/teacher_edition.py`` keeps
one too, under another name.
"""

import contextlib
import hashlib
import json
import os
import secrets
from pathlib import Path

from .errors import ParameterError

__all__ = [
    "MANIFEST",
    "PARTIAL",
    "at_risk",
    "atomic_path",
    "partial_files",
    "safe_name",
    "read_manifest",
    "record",
]

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


def read_manifest(directory, manifest=MANIFEST):
    """``{"files": [...], "cases": [...], "sha256": {file: digest}}`` recorded in ``directory``, or None.

    ``"sha256"`` holds the files whose contents were recorded (a manifest written
    before deconvlib recorded them has none).
    """
    try:
        data = json.loads((Path(directory) / manifest).read_text(encoding="utf-8"))
        digests = data.get("sha256", {})
        return {
            "files": [str(f) for f in data["files"]],
            "cases": [str(c) for c in data.get("cases", [])],
            "sha256": {str(f): str(d) for f, d in digests.items()} if isinstance(digests, dict) else {},
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _digest(path):
    """The SHA-256 of the file at ``path`` (hex), or None if it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def record(directory, files=(), cases=(), manifest=MANIFEST, writer="python -m deconvlib gallery"):
    """Add ``files`` (with their contents' SHA-256, as they are now) and ``cases`` to the manifest of ``directory``.

    The manifest is written atomically; ``writer`` says which command wrote the folder.
    """
    directory = Path(directory)
    old = read_manifest(directory, manifest) or {"files": [], "cases": [], "sha256": {}}
    digests = {**old["sha256"], **{str(f): _digest(directory / f) for f in files}}
    data = {
        "written by": writer,
        "files": sorted(set(old["files"]) | set(map(str, files))),
        "cases": sorted(set(old["cases"]) | set(cases)),
        "sha256": {f: d for f, d in sorted(digests.items()) if d is not None},
    }
    with atomic_path(directory / manifest) as tmp:
        tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def at_risk(directory, targets, manifest=MANIFEST):
    """What writing the files ``targets`` into ``directory`` would lose: a sentence, or None if nothing.

    Nothing is at risk in a folder that does not exist or is empty, nor in a
    target that does not exist or that deconvlib wrote there (listed in
    ``manifest``) and nobody changed since. Otherwise the sentence names the
    folder (not empty, no manifest), the file deconvlib did not write, or the
    files changed since deconvlib wrote them (their SHA-256 differs).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as directory:
    ...     index = Path(directory) / "index.html"
    ...     _ = index.write_text("made by deconvlib")
    ...     record(directory, files=["index.html"])
    ...     before = at_risk(directory, ["index.html"])
    ...     _ = index.write_text("edited by hand")
    ...     after = at_risk(directory, ["index.html"])
    >>> before is None, after.endswith("index.html' was changed after deconvlib wrote it")
    (True, True)
    """
    directory = Path(directory)
    if not directory.is_dir() or not any(directory.iterdir()):
        return None
    found = read_manifest(directory, manifest)
    if found is None:
        return f"{str(directory)!r} is not empty and deconvlib did not write it (no {manifest})"
    present = [name for name in targets if os.path.lexists(directory / name)]
    foreign = [name for name in present if name not in found["files"]]
    if foreign:
        return f"{str(directory / foreign[0])!r} was not written by deconvlib"
    recorded = found["sha256"]
    changed = [name for name in present if name in recorded and recorded[name] != _digest(directory / name)]
    if changed:
        verb = (
            "was changed after deconvlib wrote it" if len(changed) == 1 else "were changed after deconvlib wrote them"
        )
        return f"{', '.join(repr(str(directory / name)) for name in changed)} {verb}"
    return None
