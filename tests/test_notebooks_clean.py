"""The stored notebooks hold nothing that changes from run to run but what the code prints.

No memory addresses in outputs (``<... at 0x7f…>``), no execution timestamps,
one kernel name, no interpreter patch version: ``tools/execute_notebooks.py``
writes them so, and a re-run then changes only real outputs.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]{6,}")


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 8


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_stores_nothing_run_specific(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    kernel = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    assert nb["metadata"]["kernelspec"] == kernel
    assert "version" not in nb["metadata"].get("language_info", {})
    for number, cell in enumerate(nb["cells"]):
        assert "execution" not in cell.get("metadata", {}), f"cell {number} stores execution timestamps"
        for output in cell.get("outputs", []):
            text = json.dumps(output.get("data", {}).get("text/plain", "")) + json.dumps(output.get("text", ""))
            assert not ADDRESS.search(text), f"cell {number} stores a memory address: {ADDRESS.search(text).group()}"
