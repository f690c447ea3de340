"""course.hand_in(): download links that carry the answered notebooks as they are on disk."""

import base64
import io
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from deconvlib import course

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def links(html):
    return {
        name: base64.b64decode(data)
        for name, data in re.findall(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', html)
    }


def test_every_notebook_with_exercises_gets_a_link_carrying_its_bytes(tmp_path):
    for path in NOTEBOOKS:
        shutil.copy(path, tmp_path)
    handed = course.hand_in(folder=tmp_path)
    with_exercises = [
        p.name
        for p in NOTEBOOKS
        if any(
            c.metadata.get("tags") and any(t.startswith("exercise:") for t in c.metadata.tags)
            for c in nbformat.read(p, 4).cells
        )
    ]
    assert list(handed.files) == with_exercises and len(with_exercises) >= 10
    found = links(handed._repr_html_())
    for name in with_exercises:
        assert found[name] == (tmp_path / name).read_bytes()  # unchanged: what nbgrader autograde takes
        nbformat.validate(nbformat.reads(found[name].decode(), as_version=4))
    archive = zipfile.ZipFile(io.BytesIO(found["hand-in.zip"]))
    assert sorted(archive.namelist()) == sorted(with_exercises)
    assert all(archive.read(name) == (tmp_path / name).read_bytes() for name in with_exercises)


def test_one_notebook_by_name(tmp_path):
    shutil.copy(NOTEBOOKS[1], tmp_path)
    handed = course.hand_in(NOTEBOOKS[1].name, folder=tmp_path)
    assert list(links(handed._repr_html_())) == [NOTEBOOKS[1].name]  # no zip for one
    with pytest.raises(FileNotFoundError, match="no notebook"):
        course.hand_in("missing.ipynb", folder=tmp_path)


def test_an_empty_folder_says_so(tmp_path):
    assert "nothing to hand in" in repr(course.hand_in(folder=tmp_path))
    assert "nothing to hand in" in course.hand_in(folder=tmp_path)._repr_html_()


def test_a_saved_hand_in_output_is_not_handed_in_again(tmp_path):
    """The link's output, once saved in the notebook (Ctrl+S, autosave), is left out of the next hand-in.

    Else each hand-in would carry the one before it, base64 inside base64: a notebook handed in
    three times would weigh about three times its size, and a larger download each time.
    """
    path = tmp_path / NOTEBOOKS[1].name
    shutil.copy(NOTEBOOKS[1], path)
    first = course.hand_in(path.name, folder=tmp_path)
    nb = nbformat.read(path, as_version=4)
    for _ in range(3):  # hand in, save the cell with its output, hand in again
        handed = course.hand_in(path.name, folder=tmp_path)
        cell = nbformat.v4.new_code_cell("course.hand_in()")
        cell.outputs = [
            nbformat.v4.new_output(
                "execute_result", {"text/html": handed._repr_html_(), "text/plain": repr(handed)}, execution_count=1
            )
        ]
        cell.execution_count = 1
        nb.cells = [c for c in nb.cells if c.source != "course.hand_in()"] + [cell]
        nbformat.write(nb, path)
    again = nbformat.reads(course.hand_in(path.name, folder=tmp_path).files[path.name].decode(), as_version=4)
    assert again.cells[-1].source == "course.hand_in()" and again.cells[-1].outputs == []
    assert again.cells[:-1] == nbformat.reads(first.files[path.name].decode(), as_version=4).cells
    nbformat.validate(again)
