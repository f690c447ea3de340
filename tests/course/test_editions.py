"""Student and teacher editions of the course, from one source.

The notebooks ship unanswered: each exercise cell (tagged ``exercise:NAME``)
holds a placeholder ``...``, and its checker answers "No answer yet", with no
traceback. The answers live once, in ``tools/solutions.py``; the teacher's
edition (``make teacher``) swaps them in. Here every solution is run after its
notebook's import cell and must pass its checker, and every placeholder must be
reported as unanswered.
"""

import ast
import contextlib
import io
import json
from pathlib import Path

import pytest
from solutions import SOLUTIONS  # tools/, on sys.path from conftest.py
from teacher_edition import exercise_name, write

ROOT = Path(__file__).resolve().parents[2]

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def exercises():
    """``(notebook, name, import cell source, exercise cell source)`` for every exercise cell."""
    found = []
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        setup = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
        for cell in cells:
            name = exercise_name(cell)
            if name:
                found.append((path.name, name, setup, "".join(cell["source"])))
    return found


EXERCISES = exercises()
IDS = [f"{notebook}:{name}" for notebook, name, _, _ in EXERCISES]


def run_cell(setup, source):
    """Run ``setup`` then ``source`` as a notebook would; return what the cell shows (stdout + last value)."""
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(setup, "<setup>", "exec"), namespace)
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown):
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "<cell>", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
            if value is not None:
                print(value)
    return shown.getvalue()


def test_every_exercise_has_one_solution_and_every_solution_an_exercise():
    names = [name for _, name, _, _ in EXERCISES]
    assert len(names) == len(set(names)) >= 11
    assert set(names) == set(SOLUTIONS)


@pytest.mark.parametrize("notebook, name, setup, student", EXERCISES, ids=IDS)
def test_the_student_edition_is_unanswered_and_says_so(notebook, name, setup, student):
    assert "..." in student and student.strip() != SOLUTIONS[name].strip()
    shown = run_cell(setup, student)
    assert shown.startswith("✗ No answer yet"), shown
    assert "✓" not in shown


@pytest.mark.parametrize("notebook, name, setup, student", EXERCISES, ids=IDS)
def test_every_solution_passes_its_checker(notebook, name, setup, student):
    shown = run_cell(setup, SOLUTIONS[name])
    assert shown.startswith("✓"), shown
    assert "✗" not in shown


def test_the_teacher_edition_swaps_in_every_solution(tmp_path):
    written = write(tmp_path, run=False)
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    sources = ["".join(c["source"]) for p in written for c in json.loads(p.read_text())["cells"] if exercise_name(c)]
    assert sorted(sources) == sorted(SOLUTIONS.values())


def test_no_notebook_prints_an_answer_before_its_exercise():
    # The stored outputs above an exercise must not contain its solution's answer line.
    answers = {
        "conv_output_size": ["(i + 2 * p - d * (k - 1) - 1) // s + 1"],
        "max_pool": ["constant_values=-np.inf"],
        "output_size": ["i=4 k=3 s=2 p=1 output_padding=1", "(4, 3, 2, 1, 1, 1)"],
        "padding_for": ["i=10, k=5, s=3", "(10, 5, 30, 3)"],
        "layer_shape": ["(8, 14, 14, 128)"],
        "input_sizes": ["{7, 8}"],
        "uniform_overlap": ["k % s == 0"],
        "torch_weight": ["W.transpose(2, 3, 0, 1)"],
        "overlap_1d": ["count[p : len(count) - p]"],
    }
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for k, cell in enumerate(cells):
            name = exercise_name(cell)
            if name in answers:
                before = json.dumps([c.get("outputs", []) for c in cells[:k]]) + json.dumps(
                    [c["source"] for c in cells[:k]]
                )
                for answer in answers[name]:
                    assert answer not in before, f"{path.name} shows {answer!r}, the answer of {name}, before it"
