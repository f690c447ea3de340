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
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import teacher_edition
from solutions import SOLUTIONS  # tools/, on sys.path from conftest.py
from teacher_edition import MANIFEST, exercise_name, main, write

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


# tests/course/test_answers_hidden.py scans every notebook for answers shown before their exercise.


# --- issue 22: the teacher's edition never writes into notebooks/ nor over a teacher's work; failures exit 1 ---


@pytest.fixture
def student(tmp_path, monkeypatch):
    """A copy of the student's edition, standing in for ``notebooks/`` (the real one is never at risk here)."""
    copy = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", copy)
    monkeypatch.setattr(teacher_edition, "NOTEBOOKS", copy)
    return copy


def contents(folder):
    return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}


def refusal(argv, capsys):
    with pytest.raises(SystemExit) as exit:
        main([str(a) for a in argv])
    lines = capsys.readouterr().err.strip().splitlines()
    assert exit.value.code == 2 and lines[-1].startswith("tools/teacher_edition.py: error: argument OUTDIR: ")
    return lines[-1]


def test_help_prints_the_usage_and_creates_nothing(tmp_path):
    done = subprocess.run(
        [sys.executable, ROOT / "tools" / "teacher_edition.py", "--help", "--no-execute"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.startswith("usage: tools/teacher_edition.py"), done.stderr
    assert "--force" in done.stdout and list(tmp_path.iterdir()) == []


def test_it_never_writes_into_the_students_notebooks(student, tmp_path, capsys):
    before = contents(student)
    (tmp_path / "link").symlink_to(student)
    for outdir in (student, tmp_path / "link", student / "teacher"):
        for force in ([], ["--force"]):
            line = refusal([outdir, "--no-execute", *force], capsys)
            assert "student's edition" in line
    assert contents(student) == before


def test_it_refuses_a_folder_it_did_not_write_and_a_notebook_changed_since(student, tmp_path, capsys):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "thesis.txt").write_text("x")
    assert "no .deconvlib-teacher.json" in refusal([theirs, "--no-execute"], capsys)
    assert contents(theirs) == {"thesis.txt": b"x"}
    mine = tmp_path / "teacher"
    assert main([str(mine), "--no-execute"]) == 0 and (mine / MANIFEST).exists()
    assert main([str(mine), "--no-execute"]) == 0  # its own notebooks: replaced freely
    notes = mine / "01_start_here.ipynb"
    notes.write_text(notes.read_text(encoding="utf-8").replace("Start here", "Start here (my notes)"))
    line = refusal([mine, "--no-execute"], capsys)
    assert f"{str(notes)!r} was changed after deconvlib wrote it" in line and "--force" in line
    assert "my notes" in notes.read_text(encoding="utf-8")
    assert main([str(mine), "--no-execute", "--force"]) == 0 and "my notes" not in notes.read_text(encoding="utf-8")
    assert main([str(theirs), "--no-execute", "--force"]) == 0 and (theirs / "thesis.txt").read_text() == "x"


def tiny_course(folder):
    """One notebook: a check that prints ✓ for 42 and ✗ otherwise, and an exercise cell ``tiny``."""
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("def check(answer):\n    print('✓ right' if answer == 42 else '✗ wrong')"),
        nbformat.v4.new_code_cell("check(...)", metadata={"tags": ["exercise:tiny"]}),
    ]
    nbformat.write(nb, folder / "tiny.ipynb")
    return folder


@pytest.mark.parametrize(
    "solution, status, shown",
    [
        ("check(42)", 0, None),
        ("check(41)", 1, "tiny.ipynb: exercise tiny: ✗ wrong"),
        ("check(1 / 0)", 1, "tiny.ipynb: a cell raised ZeroDivisionError: division by zero"),
        ("x = 42", 1, "tiny.ipynb: exercise tiny: (the cell shows nothing)"),
    ],
)
def test_a_solution_that_fails_its_check_exits_1_naming_it(solution, status, shown, tmp_path, monkeypatch, capsys):
    course = tiny_course(tmp_path / "course")
    monkeypatch.setattr(teacher_edition, "NOTEBOOKS", course)
    monkeypatch.setattr(teacher_edition, "SOLUTIONS", {"tiny": solution})
    assert main([str(tmp_path / "out")]) == status
    err = capsys.readouterr().err.splitlines()
    if shown:
        assert err[0] == f"tools/teacher_edition.py: {shown}" and "shows these failures" in err[-1]
    assert (tmp_path / "out" / "tiny.ipynb").exists()  # written all the same
