"""Handing work in from anywhere, the JupyterLite site included: download links for the answered notebooks.

``course.hand_in()`` in a cell shows one link per notebook of the current
folder that has exercises (and one for all of them as a zip): a click saves
the notebook as it is on disk, cells, outputs and metadata unchanged, which
is what ``nbgrader autograde`` and ``otter run`` take. The links carry the
files themselves (``data:`` URLs), so they work without a server, in the
site's browser kernel too. Save the notebook first (Ctrl+S): the link holds
what was last saved.

One thing is left out: the output of an earlier ``hand_in()`` saved in the
notebook (Ctrl+S, autosave). Its links carry the notebook as it was then, so
each hand-in would otherwise carry all the ones before it.
"""

import base64
import html
import io
import json
import zipfile
from pathlib import Path

__all__ = ["hand_in", "HandIn"]

#: A cell tagged so holds an exercise.
_EXERCISE_TAG = "exercise:"
#: The class of the HTML that ``hand_in()`` shows: its saved copy is left out of the next hand-in.
_MARK = "deconvlib-hand-in"


def _has_exercises(path):
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return False
    return any(str(tag).startswith(_EXERCISE_TAG) for cell in cells for tag in cell.get("metadata", {}).get("tags", []))


def _without_earlier_hand_ins(data):
    """The notebook ``data`` (bytes) without the saved outputs of ``hand_in()``; unchanged when it has none."""
    if _MARK.encode() not in data:
        return data
    try:
        notebook = json.loads(data)
    except ValueError:
        return data
    dropped = False
    for cell in notebook.get("cells", []):
        outputs = cell.get("outputs") or []
        kept = [out for out in outputs if _MARK not in "".join(out.get("data", {}).get("text/html", ""))]
        if len(kept) < len(outputs):
            cell["outputs"], dropped = kept, True
    return (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode() if dropped else data


def _link(name, data, mime):
    url = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    return f'<a download="{html.escape(name)}" href="{url}">{html.escape(name)}</a>'


class HandIn:
    """What :func:`hand_in` found: ``files`` (name → bytes); shown in a notebook as download links."""

    def __init__(self, files):
        self.files = dict(files)

    def zip(self):
        """All the files in one zip archive (bytes)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.files.items():
                archive.writestr(name, data)
        return buffer.getvalue()

    def __repr__(self):
        if not self.files:
            return "No notebook with exercises in this folder: nothing to hand in."
        return "Notebooks to hand in: " + ", ".join(self.files)

    def _repr_html_(self):
        if not self.files:
            return f"<p>{html.escape(repr(self))}</p>"
        links = [_link(name, data, "application/x-ipynb+json") for name, data in self.files.items()]
        if len(self.files) > 1:
            links.append(_link("hand-in.zip", self.zip(), "application/zip") + " (all of them)")
        items = "".join(f"<li>{link}</li>" for link in links)
        return (
            f'<div class="{_MARK}"><p>Save first (Ctrl+S): each link downloads the notebook as last saved. '
            f"Hand in the file it downloads as it is.</p><ul>{items}</ul></div>"
        )


def hand_in(*names, folder="."):
    """Download links for the answered notebooks of ``folder``, for handing them in.

    Parameters
    ----------
    *names : str
        The notebooks to hand in (``"01_start_here.ipynb"``); none: every
        notebook of ``folder`` that has exercises.
    folder : str or Path
        Where they are; default the notebook's own folder.

    Returns
    -------
    HandIn
        Shown as a cell's value: one download link per notebook (and a zip of
        all when there are several); ``.files`` maps each name to its bytes
        (the file's, but for the saved output of an earlier ``hand_in()``).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "01.ipynb").write_text('{"cells": [{"metadata": {"tags": ["exercise:x"]}}]}')
    >>> _ = (folder / "00_index.ipynb").write_text('{"cells": []}')
    >>> hand_in(folder=folder)
    Notebooks to hand in: 01.ipynb
    """
    folder = Path(folder)
    if names:
        paths = [folder / name for name in names]
        missing = [str(path) for path in paths if not path.is_file()]
        if missing:
            raise FileNotFoundError(f"no notebook {', '.join(missing)}: save it, or check its name")
    else:
        paths = [path for path in sorted(folder.glob("*.ipynb")) if _has_exercises(path)]
    return HandIn({path.name: _without_earlier_hand_ins(path.read_bytes()) for path in paths})
