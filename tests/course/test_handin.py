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
