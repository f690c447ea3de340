"""The course as graded assignments (tools/grading.py): the nbgrader and otter trees, exercise by exercise.

Every exercise of every notebook, in this process (the real tools run in
test_grading_tools.py): the nbgrader answer cell holds the solution's own
lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` and the student's
cell around them, so that nbgrader's release (its empty stub in place of the
marked lines) is the student's edition of the cell; its locked test cell, run
after the answer, passes the solution, raises on the unanswered release and
raises on the listed
typical wrong answer with the checker's hint in the message, which is what the
tools' feedback shows.
"""

import ast
import re
import types

import grading
import nbformat
import numpy as np
import pytest
from grading import (  # tools/, on sys.path from conftest.py
    NBGRADER_SCHEMA,
    STUDENT_CELL,
    answered,
    delimited,
    nbgrader_notebook,
    otter_graded_student,
    otter_notebook,
    personalise,
    personalise_otter,
    points,
    sources,
    split_check,
    strict_check,
    write_nbgrader,
    write_otter,
)
from solutions import SOLUTIONS, WRONG_ANSWERS
from teacher_edition import exercise_name

import deconvlib as dl
from deconvlib import course
from deconvlib.course.variants import VARIED, graded_student, right_answer, variant

SOURCES = sources()
#: The exercises that ask for a function (the others for a value).
FUNCTIONS = {name for name in SOLUTIONS if split_check(SOLUTIONS[name])[0].startswith("def ")}
EXERCISES = [(path.stem, name) for path, nb in SOURCES for name in map(exercise_name, nb.cells) if name]


STUDENT = {path.stem: nb for path, nb in SOURCES}


def nbgrader_cells(assignment):
    nb = nbgrader_notebook(next(nb for path, nb in SOURCES if path.stem == assignment))
    return nb, {cell.metadata["nbgrader"]["grade_id"]: cell for cell in nb.cells if "nbgrader" in cell.metadata}


def run(*sources):
    """Run cells' code one after the other in a fresh namespace, as a kernel would; return what they printed."""
    namespace = {"np": np, "dl": dl, "course": course}
    for source in sources:
        exec(compile(source, "<cell>", "exec"), namespace)
    return namespace


def stub(source, begin="### BEGIN SOLUTION", end="### END SOLUTION"):
    """What nbgrader's release holds: the lines between the markers replaced by its stub, empty in our config."""
    pattern = re.compile(rf"^(\s*){re.escape(begin)}\n.*?^\s*{re.escape(end)}$", re.S | re.M)
    return pattern.sub(lambda m: m.group(1), source)


def without_markers(source):
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line and "### END" not in line)


def test_every_exercise_has_a_solution_and_a_typical_wrong_answer():
    names = [name for _, name in EXERCISES]
    assert len(names) == len(set(names)) >= 14
    assert set(names) == set(SOLUTIONS) == set(WRONG_ANSWERS)


def test_notebooks_without_exercises_are_no_assignment():
    assert "00_index" not in {path.stem for path, _ in SOURCES}


@pytest.mark.parametrize("assignment, name", EXERCISES)
def test_the_nbgrader_cells_of_an_exercise(assignment, name):
    nb, cells = nbgrader_cells(assignment)
    answer, test = cells[name], cells[f"{name}-check"]
    assert answer.metadata["nbgrader"] == {
        "grade": False,
        "grade_id": name,
        "locked": False,
        "schema_version": NBGRADER_SCHEMA,
        "solution": True,
        "task": False,
    }
    assert test.metadata["nbgrader"] == {
        "grade": True,
        "grade_id": f"{name}-check",
        "locked": True,
        "points": points(name),
        "schema_version": NBGRADER_SCHEMA,
        "solution": False,
        "task": False,
    }
    assert nb.cells.index(test) == nb.cells.index(answer) + 1
    solution, check = split_check(SOLUTIONS[name])
    placeholder, _ = split_check(next(cell.source for cell in STUDENT[assignment].cells if exercise_name(cell) == name))
    marked = re.search(r"### BEGIN SOLUTION\n(.*)\n\s*### END SOLUTION", answer.source, re.S).group(1)
    ours, theirs = [line.strip() for line in solution.splitlines()], [line.strip() for line in marked.splitlines()]
    assert any(ours[n : n + len(theirs)] == theirs for n in range(len(ours)))  # a run of the solution's lines
    # the release, nbgrader's empty stub in place of the marked lines, is the student's cell
    assert "\n".join(line for line in stub(answer.source).splitlines() if line.strip()) == "\n".join(
        line for line in placeholder.splitlines() if line.strip()
    )
    assert test.source == f"print({strict_check(check)})" and strict_check(check).endswith(", strict=True)")
    assert not answer.outputs and not test.outputs


@pytest.mark.parametrize("assignment, name", EXERCISES)
def test_the_test_cell_passes_the_solution_and_fails_the_release_and_the_wrong_answer(assignment, name, capsys):
    _, cells = nbgrader_cells(assignment)
    answer, test = cells[name].source, cells[f"{name}-check"].source
    run(without_markers(answer), test)
    assert capsys.readouterr().out.startswith("✓")
    with pytest.raises(AssertionError) as raised:  # the release: the student's cell, `...` unanswered
        run(stub(answer), test)
    assert str(raised.value).startswith("✗")
    with pytest.raises(AssertionError) as raised:
        run(WRONG_ANSWERS[name], test)
    message = str(raised.value)
    assert message.startswith("✗") and "Hint: " in message
    verdict = eval(split_check(SOLUTIONS[name])[1], run(WRONG_ANSWERS[name]))  # interactive: no exception
    assert not verdict and str(verdict) == message


def test_all_markdown_cells_are_read_only_and_grade_ids_are_unique():
    for path, nb in SOURCES:
        graded = nbgrader_notebook(nb)
        for cell in graded.cells:
            cell.metadata.setdefault("nbgrader", {"grade": False, "grade_id": cell.id})  # code cells have none
        ids = [cell.metadata["nbgrader"]["grade_id"] for cell in graded.cells]
        assert len(ids) == len(set(ids)), path.name
        for cell in graded.cells:
            if cell.cell_type == "markdown":
                assert cell.metadata["nbgrader"]["locked"] and not cell.metadata["nbgrader"]["solution"]
        assert len(graded.cells) == len(nb.cells) + len(exercises_of(nb))  # each exercise: answer + test
        kept = [c.id for c in graded.cells if exercise_name(c) is None and not c.metadata["nbgrader"]["grade"]]
        assert kept == [c.id for c in nb.cells if not exercise_name(c)]  # the other cells as they were


def exercises_of(nb):
    return [name for name in map(exercise_name, nb.cells) if name]


def test_write_nbgrader_writes_the_course_directory(tmp_path):
    written = write_nbgrader(tmp_path)
    assert {path.stem for path, _ in SOURCES} == set(written)
    for assignment, path in written.items():
        assert path == tmp_path / "source" / assignment / f"{assignment}.ipynb"
        nbformat.validate(nbformat.read(path, as_version=4))
    config = (tmp_path / "nbgrader_config.py").read_text()
    c = types.SimpleNamespace(**{name: types.SimpleNamespace() for name in ("CourseDirectory", "ClearSolutions")})
    c.ExecutePreprocessor = types.SimpleNamespace()
    exec(config, {"get_config": lambda: c})
    assert c.ClearSolutions.code_stub == {"python": ""}  # the release keeps the student's `...`
    assert c.CourseDirectory.root == "." and c.ExecutePreprocessor.timeout == 300
    assert ", ".join(written) in config  # the assignments, named in a comment


@pytest.mark.parametrize("path, nb", SOURCES, ids=[path.stem for path, _ in SOURCES])
def test_the_otter_master_notebook(path, nb):
    master = otter_notebook(nb, path.stem)
    raw = [cell.source for cell in master.cells if cell.cell_type == "raw"]
    assert raw[0].startswith("# ASSIGNMENT CONFIG\nname: " + path.stem)
    names = exercises_of(nb)
    questions = [text for text in raw if text.startswith("# BEGIN QUESTION")]
    assert questions == [f"# BEGIN QUESTION\nname: {name}\npoints: {points(name)}" for name in names]
    expected = [
        "# BEGIN QUESTION",
        "# BEGIN SOLUTION",
        "# END SOLUTION",
        "# BEGIN TESTS",
        "# END TESTS",
        "# END QUESTION",
    ]
    assert [text.split("\n")[0] for text in raw[1:]] == expected * len(names)
    for name in names:
        n = next(i for i, cell in enumerate(master.cells) if exercise_name(cell) == name)
        answer, test = master.cells[n].source, master.cells[n + 3].source
        assert answer.endswith(("# SOLUTION", "# END SOLUTION"))
        _, check = split_check(SOLUTIONS[name])
        assert test == f"assert {strict_check(check)}"


def test_write_otter(tmp_path):
    written = write_otter(tmp_path)
    assert sorted(written) == sorted(path.stem for path, _ in SOURCES)


def test_answered_fills_the_exercise_cells_by_tag():
    path, nb = SOURCES[0]
    graded = nbgrader_notebook(nb)
    name = exercises_of(nb)[0]
    filled = answered(graded, {name: "x = 1"})
    assert [c.source for c in filled.cells if exercise_name(c) == name] == ["x = 1"]
    assert [c.source for c in graded.cells if exercise_name(c) == name] != ["x = 1"]  # a copy


def test_delimited_keeps_the_lines_the_placeholder_shares():
    placeholder = "def f(x):\n    # your code\n    return ...\n\n\nprint(1)"
    solution = "def f(x):\n    y = x\n\n    return y\n\n\nprint(1)"
    assert delimited(placeholder, solution, "#B", "#E") == (
        "def f(x):\n    #B\n    y = x\n\n    return y\n    #E\n\n\nprint(1)"
    )


# --- per-student variants (make nbgrader SEEDS=...) ---------------------------------------------------------

VARIED_EXERCISES = [(assignment, name) for assignment, name in EXERCISES if name in VARIED]


def graded_cells(assignment):
    nb = nbgrader_notebook(next(nb for path, nb in SOURCES if path.stem == assignment), varied=True)
    return nb, {cell.metadata["nbgrader"]["grade_id"]: cell for cell in nb.cells if "nbgrader" in cell.metadata}


def variable_of(name):
    """The variable an exercise answered with a value assigns (``answer``, ``sizes``, ...)."""
    return ast.parse(split_check(SOLUTIONS[name])[0]).body[-1].targets[0].id


def visible(test):
    return test.split("### BEGIN HIDDEN TESTS")[0]


@pytest.mark.parametrize("assignment, name", VARIED_EXERCISES)
def test_a_varied_check_uses_the_students_numbers_and_a_hidden_test_the_graded_students(
    assignment, name, tmp_path, monkeypatch
):
    nb, cells = graded_cells(assignment)
    assert sum(STUDENT_CELL == cell.source for cell in nb.cells) == 1
    test = cells[f"{name}-check"].source
    assert "### BEGIN HIDDEN TESTS" in test
    variable = variable_of(name)  # answer, sizes, zeros_each_side
    alice, bob = right_answer(name, variant(name, "alice")), right_answer(name, variant(name, "bob"))
    where = tmp_path / "autograded" / "alice" / assignment
    where.mkdir(parents=True)
    monkeypatch.chdir(where)  # where nbgrader autogrades alice's submission
    run(f"STUDENT = 'alice'\n{variable} = {alice!r}", test)  # her own numbers: both parts pass
    with pytest.raises(AssertionError, match="✗"):  # the notebook's answer, copied
        run(f"STUDENT = 'alice'\n{variable} = {right_answer(name, variant(name))!r}", visible(test))
    with pytest.raises(AssertionError, match="✗"):  # bob's id and bob's answer: the hidden test knows
        run(f"STUDENT = 'bob'\n{variable} = {bob!r}", visible(test))
        run(f"STUDENT = 'bob'\n{variable} = {bob!r}", test)
    run(f"STUDENT = None\n{variable} = {right_answer(name, variant(name))!r}", visible(test))  # not personalised


def test_without_variants_nothing_changes():
    for _, nb in SOURCES:
        assert nbgrader_notebook(nb).cells == nbgrader_notebook(nb, varied=False).cells
        if not set(exercises_of(nb)) & set(VARIED):
            assert nbgrader_notebook(nb, varied=True).cells == nbgrader_notebook(nb).cells


def test_personalise_writes_a_release_per_student(tmp_path):
    assignment = VARIED_EXERCISES[0][0]
    nb, _ = graded_cells(assignment)
    release = tmp_path / "release" / assignment / f"{assignment}.ipynb"
    release.parent.mkdir(parents=True)
    nbformat.write(nb, release)
    written = personalise(tmp_path / "release", tmp_path / "students", ["alice", "bob"])
    assert written == [tmp_path / "students" / s / assignment / f"{assignment}.ipynb" for s in ("alice", "bob")]
    for student, path in zip(("alice", "bob"), written):
        cells = nbformat.read(path, as_version=4).cells
        assert sum(cell.source.startswith(f"STUDENT = {student!r}") for cell in cells) == 1
        names = [name for a, name in VARIED_EXERCISES if a == assignment]
        for name in names:
            n = next(i for i, cell in enumerate(cells) if exercise_name(cell) == name)
            assert cells[n - 1].source.startswith(f"**Your numbers, {student}:**")
            for key, value in variant(name, student).items():
                assert f"`{key}` = {value}" in cells[n - 1].source


def test_the_command_line(tmp_path, capsys):
    assert grading.main(["nbgrader", str(tmp_path / "plain")]) == 0
    assert grading.main(["nbgrader", str(tmp_path / "varied"), "--seeds", "alice,bob"]) == 0
    assert grading.main(["otter", str(tmp_path / "otter")]) == 0
    plain = sorted((tmp_path / "plain" / "source").glob("*/*.ipynb"))
    varied = sorted((tmp_path / "varied" / "source").glob("*/*.ipynb"))
    assert len(plain) == len(varied) == len(SOURCES) == len(list((tmp_path / "otter").glob("*.ipynb")))
    assert sum(STUDENT_CELL in path.read_text() for path in varied) == len({a for a, _ in VARIED_EXERCISES})
    assert not any(STUDENT_CELL in path.read_text() for path in plain)
    assert f"wrote {len(SOURCES)} nbgrader assignments" in capsys.readouterr().out
    for argv in (["nbgrader", str(grading.NOTEBOOKS / "x")], ["personalise", str(tmp_path / "plain")]):
        with pytest.raises(SystemExit) as exited:
            grading.main(argv)
        assert exited.value.code == 2


# --- per-student variants with otter (make otter SEEDS=...) ---------------------------------------------------

ROSTER = ["alice", "bob", "mallory"]


def otter_tests(assignment, name, students=ROSTER):
    """The question config and the test cells of exercise ``name`` in the otter master of ``assignment``."""
    nb = next(nb for path, nb in SOURCES if path.stem == assignment)
    master = otter_notebook(nb, assignment, students=students)
    n = next(i for i, cell in enumerate(master.cells) if cell.source.startswith(f"# BEGIN QUESTION\nname: {name}\n"))
    start = next(i for i in range(n, len(master.cells)) if master.cells[i].source == "# BEGIN TESTS")
    end = next(i for i in range(start, len(master.cells)) if master.cells[i].source == "# END TESTS")
    return master, master.cells[n].source, [cell.source for cell in master.cells[start + 1 : end]]


def handed_in(folder, student):
    """``folder/<student>``: where otter grades a submission saved as ``<student>.ipynb`` (its only notebook)."""
    where = folder / student
    where.mkdir()
    (where / f"{student}.ipynb").write_text("{}")
    return where


@pytest.mark.parametrize("assignment, name", VARIED_EXERCISES)
def test_an_otter_varied_question_checks_the_students_numbers_and_grades_the_files_student(
    assignment, name, tmp_path, monkeypatch
):
    master, question, (public, hidden) = otter_tests(assignment, name)
    assert sum(STUDENT_CELL == cell.source for cell in master.cells) == 1
    assert question.endswith("\nall_or_nothing: true")  # the public test alone does not score
    assert public == f"assert {strict_check(grading.varied_check(split_check(SOLUTIONS[name])[1], name, 'STUDENT'))}"
    assert (
        hidden.startswith("# HIDDEN\n") and otter_graded_student(ROSTER) in hidden
    )  # otter's marker: not in the student's notebook
    variable = variable_of(name)
    alice, mallory = right_answer(name, variant(name, "alice")), right_answer(name, variant(name, "mallory"))
    default = right_answer(name, variant(name))
    monkeypatch.chdir(handed_in(tmp_path, "alice"))  # otter grades alice.ipynb in a folder of its own
    run(f"STUDENT = 'alice'\n{variable} = {alice!r}", public, hidden)  # her own numbers: both pass
    for tests in (public, hidden):  # the notebook's answer, copied
        with pytest.raises(AssertionError, match="✗"):
            run(f"STUDENT = 'alice'\n{variable} = {default!r}", tests)
    monkeypatch.chdir(handed_in(tmp_path, "mallory"))  # alice's notebook and answers, handed in as mallory.ipynb
    run(f"STUDENT = 'alice'\n{variable} = {alice!r}", public)  # her feedback said ✓ ...
    with pytest.raises(AssertionError, match="✗"):  # ... the grade does not
        run(f"STUDENT = 'alice'\n{variable} = {alice!r}", hidden)
    run(f"STUDENT = 'mallory'\n{variable} = {mallory!r}", public, hidden)
    run(f"STUDENT = None\n{variable} = {default!r}", public)  # not personalised: the notebook's numbers


def test_graded_student_is_the_name_of_the_one_notebook_and_one_of_the_students(tmp_path):
    assert graded_student(ROSTER, handed_in(tmp_path, "bob")) == "bob"
    with pytest.raises(
        AssertionError,
        match=r"named 01_start_here.ipynb, and '01_start_here' is not one of the students \(alice, bob, mallory\)",
    ):
        graded_student(ROSTER, handed_in(tmp_path, "01_start_here"))  # not renamed: a clear reason, not bob's 0
    with pytest.raises(AssertionError, match=r"must hold one notebook, <student>.ipynb; it holds \[\]"):
        graded_student(ROSTER, tmp_path / "01_start_here" / "..")
    (tmp_path / "bob" / "alice.ipynb").write_text("{}")  # a second notebook, written by the answer
    with pytest.raises(AssertionError, match=r"it holds \['alice.ipynb', 'bob.ipynb'\]"):
        graded_student(ROSTER, tmp_path / "bob")


def test_otter_without_variants_nothing_changes():
    for path, nb in SOURCES:
        plain = otter_notebook(nb, path.stem)
        assert otter_notebook(nb, path.stem, students=()).cells == plain.cells
        if not set(exercises_of(nb)) & set(VARIED):
            assert otter_notebook(nb, path.stem, students=ROSTER).cells == plain.cells
        else:  # the function exercises of a notebook with variants are as they were
            varied = otter_notebook(nb, path.stem, students=ROSTER)
            for name in set(exercises_of(nb)) - set(VARIED):
                assert otter_tests(path.stem, name)[1:] == otter_tests(path.stem, name, students=())[1:]
            assert len(varied.cells) == len(plain.cells) + 1 + len(set(exercises_of(nb)) & set(VARIED))


def test_personalise_otter_writes_each_students_notebook(tmp_path):
    assignment = VARIED_EXERCISES[0][0]
    nb = next(nb for path, nb in SOURCES if path.stem == assignment)
    student_nb = tmp_path / "dist" / assignment / "student" / f"{assignment}.ipynb"  # as otter assign writes it
    student_nb.parent.mkdir(parents=True)
    nbformat.write(otter_notebook(nb, assignment, students=ROSTER), student_nb)
    written = personalise_otter(tmp_path / "dist", tmp_path / "students", ["alice", "bob"])
    assert written == [tmp_path / "students" / s / f"{assignment}.ipynb" for s in ("alice", "bob")]
    for student, path in zip(("alice", "bob"), written):
        cells = nbformat.read(path, as_version=4).cells
        assert sum(cell.source.startswith(f"STUDENT = {student!r}") for cell in cells) == 1
        for name in [name for a, name in VARIED_EXERCISES if a == assignment]:
            n = next(i for i, cell in enumerate(cells) if exercise_name(cell) == name)
            assert cells[n - 1].source.startswith(f"**Your numbers, {student}:**")


def test_the_command_line_for_otter_variants(tmp_path, capsys):
    out = tmp_path / "otter"
    assert grading.main(["otter", str(out), "--seeds", "alice,bob"]) == 0
    varied = {a for a, _ in VARIED_EXERCISES}
    assert {path.stem for path in out.glob("*.ipynb") if STUDENT_CELL in path.read_text()} == varied
    assert all("graded_student(['alice', 'bob'])" in (out / f"{a}.ipynb").read_text() for a in varied)
    student_nb = out / "dist" / "01_start_here" / "student" / "01_start_here.ipynb"
    student_nb.parent.mkdir(parents=True)
    student_nb.write_bytes((out / "01_start_here.ipynb").read_bytes())
    capsys.readouterr()
    assert grading.main(["personalise", str(out), "--seeds", "alice,bob"]) == 0
    assert capsys.readouterr().out == f"wrote 2 otter notebooks to {out / 'students'}\n"
    assert sorted(p.relative_to(out).as_posix() for p in (out / "students").glob("*/*")) == [
        "students/alice/01_start_here.ipynb",
        "students/bob/01_start_here.ipynb",
    ]
    for bad in ("a/b", ".hidden", "alice.ipynb"):  # not a file's name: otter could never grade them
        with pytest.raises(SystemExit) as exited:
            grading.main(["otter", str(tmp_path / "bad"), "--seeds", f"alice,{bad}"])
        assert exited.value.code == 2
        assert repr(bad) in capsys.readouterr().err
