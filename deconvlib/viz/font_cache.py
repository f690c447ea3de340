"""matplotlib's font list, shipped for Pyodide: no "Matplotlib is building the font cache" at every start.

In the JupyterLite site every kernel starts with an empty file system, so the
first figure made matplotlib scan its fonts again (~0.3-0.6 s) and print a
warning on stderr, a red box in the first cell of every notebook. The list it
builds there is always the same: the fonts of matplotlib's own ``mpl-data``
(Pyodide has no system fonts), stored with paths relative to that folder.
:func:`install` copies the shipped list (``data/fontlist-v<N>.json``, made
in Pyodide by ``tools/font_cache.py``) to where matplotlib looks for it,
before matplotlib loads its font manager: Pyodide's matplotlib reads
``fontlist.json`` beside its ``font_manager.py`` (Pyodide 0.27.7 ships one there of
font-list version 390, which its matplotlib 3.8.4, version 330, rejects: so
it is replaced when its version is not the shipped list's); matplotlib elsewhere reads
``fontlist-v<N>.json`` in its cache folder. matplotlib uses the list only if
``N`` is its own font-list version, else it builds one as before; outside
Pyodide nothing is done (a real system has fonts of its own).
"""

import json
import shutil
import sys
from pathlib import Path

__all__ = ["SHIPPED", "install"]

#: The font lists shipped, one per matplotlib font-list version.
SHIPPED = sorted((Path(__file__).parent / "data").glob("fontlist-v*.json"))


def install(cache=None, package=None):
    """Copy the shipped font lists where matplotlib reads them, in Pyodide; return the files written.

    ``cache`` and ``package`` (default: matplotlib's cache folder and its package folder) are where
    ``fontlist-v<N>.json`` and Pyodide's ``fontlist.json`` go; given either, it runs on any platform (for
    tests). A list already there is left alone, unless its font-list version is not the shipped one's
    (Pyodide's own ``fontlist.json``). Call before ``matplotlib.font_manager`` is imported.
    """
    if sys.platform != "emscripten" and cache is None and package is None:
        return []
    import matplotlib

    cache = Path(matplotlib.get_cachedir() if cache is None else cache)
    package = Path(matplotlib.__file__).parent if package is None else Path(package)
    targets = [(source, cache / source.name) for source in SHIPPED]
    if SHIPPED:  # Pyodide's patched font manager reads this one (the newest list shipped)
        targets.append((SHIPPED[-1], package / "fontlist.json"))
    copied = []
    for source, target in targets:
        if not target.exists() or _version(target) != _version(source):
            try:
                shutil.copyfile(source, target)
            except OSError:  # a read-only cache: matplotlib builds its list, as without this
                continue
            copied.append(target)
    return copied


def _version(path):
    """The font-list version a list file says it is (``None`` if it cannot be read)."""
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("_version")
    except (OSError, ValueError, AttributeError):
        return None
