"""The stored notebooks hold nothing that changes from run to run but what the code prints.

No memory addresses in outputs (``<... at 0x7f…>``), no execution timestamps,
one kernel name, no interpreter patch version: ``tools/execute_notebooks.py``
writes them so, and a re-run then changes only real outputs.
"""

import ast
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


#: The one import cell of every notebook: the core as ``dl`` (its modules are attributes:
#: ``dl.overlap``, ``dl.channels``, ...) and the course (explorers, figures, checkers).
IMPORTS = {"import numpy as np", "import deconvlib as dl", "from deconvlib import course"}
#: Notebooks that draw with pyplot themselves may add this line (none does today).
PYPLOT = "import matplotlib.pyplot as plt"
DRAWS_WITH_PYPLOT = set()


def import_problems(cells, pyplot=False):
    """What breaks the one-import rule in a notebook's ``cells`` (its JSON list): a list of sentences."""
    allowed = IMPORTS | ({PYPLOT} if pyplot else set())
    code = [(k, "".join(c["source"])) for k, c in enumerate(cells) if c["cell_type"] == "code"]
    importing = []
    for k, source in code:
        statements = [n for n in ast.walk(ast.parse(source)) if isinstance(n, (ast.Import, ast.ImportFrom))]
        if statements:
            importing.append(k)
        problems = [ast.unparse(n) for n in statements if ast.unparse(n) not in allowed]
        if problems:
            return [f"cell {k} imports {', '.join(problems)}"]
    if len(importing) != 1:
        return [f"{len(importing)} code cells import (cells {importing}), not one"]
    if importing[0] != code[0][0]:
        return [f"the import cell is cell {importing[0]}, not the first code cell {code[0][0]}"]
    return []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_one_import_cell(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert import_problems(cells, pyplot=path.name in DRAWS_WITH_PYPLOT) == []


def test_the_import_check_sees_other_modules_and_a_second_import_cell():
    def cells(*sources):
        return [{"cell_type": "code", "source": s} for s in sources]

    one = "import numpy as np\n\nimport deconvlib as dl\nfrom deconvlib import course\n"
    assert import_problems(cells(one, "x = dl.overlap.overlap_count(4, 3, 2)")) == []
    assert import_problems(cells(one + "from deconvlib.overlap import interior\n")) == [
        "cell 0 imports from deconvlib.overlap import interior"
    ]
    assert import_problems(cells(one, "def f():\n    from deconvlib import conv2d\n")) == [
        "cell 1 imports from deconvlib import conv2d"
    ]
    assert import_problems(cells(one, "import numpy as np")) == ["2 code cells import (cells [0, 1]), not one"]
    assert import_problems(cells("x = 1", one)) == ["the import cell is cell 1, not the first code cell 0"]
    assert import_problems(cells(one + PYPLOT)) == ["cell 0 imports import matplotlib.pyplot as plt"]
    assert import_problems(cells(one + PYPLOT), pyplot=True) == []


#: The longest code line a notebook may show: at 1280 px, with the file browser open, a
#: JupyterLab code cell shows about 88 characters before it scrolls sideways.
CODE_WIDTH = 88


def long_code_lines(cells):
    """``(cell, line number, length)`` of every code line longer than :data:`CODE_WIDTH` characters."""
    return [
        (k, n, len(line))
        for k, cell in enumerate(cells)
        if cell["cell_type"] == "code"
        for n, line in enumerate("".join(cell["source"]).splitlines(), 1)
        if len(line) > CODE_WIDTH
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_code_line_scrolls_sideways(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert long_code_lines(cells) == [], f"{path.name}: (cell, line, characters) over {CODE_WIDTH}"


def test_no_solution_line_scrolls_sideways_in_the_teachers_edition():
    from solutions import SOLUTIONS  # tools/, on sys.path from conftest.py

    cells = [{"cell_type": "code", "source": source} for source in SOLUTIONS.values()]
    assert long_code_lines(cells) == []
    assert long_code_lines([{"cell_type": "code", "source": "x = 1  # " + "·" * 79}]) == []  # characters, not bytes
    assert long_code_lines([{"cell_type": "code", "source": "x\n" + "y" * 89}]) == [(0, 2, 89)]


def test_the_index_comes_first_in_the_file_browser_and_the_warm_up_before_notebook_1():
    # JupyterLab's file browser sorts by name: "00_convolution_…" once came above "00_index"
    names = sorted((p.name for p in NOTEBOOKS), key=str.lower)
    assert names[0] == "00_index.ipynb", names
    assert names[1].startswith("00_") and names[2].startswith("01_"), names
