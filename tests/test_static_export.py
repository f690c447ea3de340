"""Static readers see the figures: an HTML export (opened offline) or GitHub's notebook view.

The stored notebooks keep no widget views (a widget needs a live kernel, or scripts
from a CDN), and each explorer displays its figure as a PNG beside its widgets. So
``jupyter nbconvert --to html`` of every notebook shows, at each explorer's position,
an ``<img>`` holding a PNG that decodes — checked here cell by cell.
"""

import base64
import copy
import io
import json
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbconvert = pytest.importorskip("nbconvert")
Image = pytest.importorskip("PIL.Image")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IMG = re.compile(r'<img[^>]*src="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')


def figure_cells(nb):
    """Indices of the code cells that display a figure or an explorer (their stored output has a PNG)."""
    return [
        k
        for k, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
    ]


def exported_images(nb):
    """The PNGs an offline HTML export of ``nb`` shows, decoded."""
    html, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    return [base64.b64decode(re.sub(r"\s", "", data)) for data in IMG.findall(html)]


def test_the_stored_notebooks_keep_no_widget_views_or_state():
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget-view+json" not in text, path.name
        assert "application/vnd.jupyter.widget-state+json" not in text, path.name


def test_every_explorer_is_stored_with_its_figure():
    explorers = 0
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                plain = "".join(out.get("data", {}).get("text/plain", ""))
                if re.match(r"(\w+Explorer|PaddingSolver)\(", plain):
                    explorers += 1
                    assert "image/png" in out["data"], f"{path.name}: {plain[:60]} is stored without its figure"
    assert explorers >= 14


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_an_html_export_shows_each_figure_at_its_place(path):
    nb = nbformat.read(path, as_version=4)
    cells = figure_cells(nb)
    if not cells:
        pytest.skip(f"{path.name} has no figure")
    for k in cells:
        alone = copy.deepcopy(nb)
        alone.cells = [nb.cells[k]]
        images = exported_images(alone)
        stored = [
            base64.b64decode(out["data"]["image/png"])
            for out in nb.cells[k].outputs
            if "image/png" in out.get("data", {})
        ]
        assert images == stored, f"{path.name}, cell {k}: the export does not show the stored figure"
        for png in images:
            with Image.open(io.BytesIO(png)) as image:
                image.load()
                assert image.width >= 200 and image.height >= 100
    assert len(exported_images(nb)) >= len(cells)
