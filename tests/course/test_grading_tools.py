"""The graded editions through the real tools: nbgrader and otter-grader, installed from PyPI in a venv.

The venv (build/grading/, pinned by ``grading.TOOL_PINS`` and reused while the
pins and the Python are the same; ``tests/grading_support.py``, which the site's
hand-in test shares) sees this checkout's deconvlib and, after its own packages,
this interpreter's (numpy, matplotlib, ipywidgets, ...) by a ``.pth`` file, so
nothing but the two tools is installed. Three submissions per
notebook, made from what a student receives (nbgrader's release, otter's
student notebook): left blank, answered with the teacher's solutions, and
answered with each exercise's typical wrong answer (``WRONG_ANSWERS``), and
handed in to nbgrader through ``course.hand_in()``. They must score 0, full
marks, and 0 with the checker's hint in the feedback.

Each submission runs its whole notebook (explorers and figures too, 10-30 s on
a busy machine), so by default the test grades two notebooks: the first (by
name) with a value exercise and the first with a function exercise; every
exercise's cells are also run in-process by test_grading.py. Set
``DECONVLIB_GRADING_NOTEBOOKS=all`` (or a comma-separated list of names) to
grade more.
"""

import ast
import html
import json
import os
import re
import shutil

import nbformat
import numpy as np
import pytest
from grading import (
    answered,
    personalise,
    personalise_otter,
    points,
    sources,
    split_check,
    write_nbgrader,
    write_otter,
)
from grading_support import gradebook, grading_tools, run
from solutions import SOLUTIONS, WRONG_ANSWERS
from teacher_edition import exercise_name

import deconvlib as dl
from deconvlib import course
from deconvlib.course.variants import VARIED, right_answer, variant


def chosen():
    """The notebooks to grade: ``DECONVLIB_GRADING_NOTEBOOKS``, or one with a value and one with a function exercise."""
    every = sources()
    wanted = os.environ.get("DECONVLIB_GRADING_NOTEBOOKS", "")
    if wanted == "all":
        return every
    if wanted:
        names = wanted.split(",")
        return [(path, nb) for path, nb in every if path.stem in names]
    functions = [path for path, nb in every if any(asks_function(name) for name in exercises(nb))]
    values = [path for path, nb in every if not all(asks_function(name) for name in exercises(nb))]
    return [(path, nb) for path, nb in every if path in (functions[0], values[0])]


def exercises(nb):
    return [name for name in map(exercise_name, nb.cells) if name]


def asks_function(name):
    return split_check(SOLUTIONS[name])[0].startswith("def ")


def hint_of(name):
    """The hint the checker gives the typical wrong answer of exercise ``name`` (the part after ``Hint:``)."""
    namespace = {"np": np, "dl": dl, "course": course}
    exec(WRONG_ANSWERS[name], namespace)
    verdict = eval(split_check(SOLUTIONS[name])[1], namespace)
    assert not verdict and "Hint: " in verdict.message
    return " ".join(verdict.message.split("Hint: ", 1)[1].split())


SUBMISSIONS = {
    "blank": {},
    "teacher": {name: split_check(source)[0] for name, source in SOLUTIONS.items()},
    "wrong": WRONG_ANSWERS,
}


@pytest.fixture(scope="module")
def tools():
    """The venv's ``bin`` folder, with nbgrader and otter-grader (``grading_support.grading_tools``)."""
    return grading_tools()


def copied(notebooks, folder):
    """``folder`` holding copies of ``notebooks`` (``(path, nb)`` pairs), for the tools to read."""
    folder.mkdir()
    for path, _ in notebooks:
        shutil.copy(path, folder)
    return folder


def expected_scores(notebooks):
    """``{(student, assignment, exercise): (score, points)}`` that both tools must give."""
    expected = {}
    for path, nb in notebooks:
        for name in exercises(nb):
            for student in SUBMISSIONS:
                expected[student, path.stem, name] = (points(name) if student == "teacher" else 0, points(name))
    return expected


def table(scores, columns=tuple(SUBMISSIONS)):
    """The scores as a table: one row per exercise, one column per submission (``columns``)."""
    wide = max([len("assignment")] + [len(assignment) for _, assignment, _ in scores])
    widths = [max(len(column), 5) + 1 for column in columns]
    lines = [f"{'assignment':{wide}} {'exercise':22} " + " ".join(c.rjust(w) for c, w in zip(columns, widths))]
    for (student, assignment, name), (_, top) in sorted(scores.items()):
        if student == columns[0]:
            row = [scores[s, assignment, name][0] for s in columns]
            lines.append(
                f"{assignment:{wide}} {name:22} " + " ".join(f"{x:g}/{top:g}".rjust(w) for x, w in zip(row, widths))
            )
    return "\n".join(lines)


def test_nbgrader_grades_blank_teacher_and_wrong_submissions(tools, tmp_path):
    notebooks = chosen()
    picked = copied(notebooks, tmp_path / "notebooks")
    written = write_nbgrader(tmp_path / "course", notebooks=picked)
    course_dir = tmp_path / "course"
    for assignment, path in written.items():
        run(tools, "nbgrader", "generate_assignment", assignment, "--force", cwd=course_dir)
        release = nbformat.read(course_dir / "release" / assignment / path.name, as_version=4)
        assert "### BEGIN SOLUTION" not in json.dumps(release)
        edition = nbformat.read(picked / path.name, as_version=4)
        shown = {c.metadata["nbgrader"]["grade_id"]: c.source for c in release.cells if "nbgrader" in c.metadata}
        for cell in edition.cells:  # nbgrader's release shows the student's edition of each answer cell
            if exercise_name(cell):
                shown_lines = shown[exercise_name(cell)].splitlines()
                assert [line for line in shown_lines if line.strip()] == [
                    line for line in split_check(cell.source)[0].splitlines() if line.strip()
                ]
        for student, answers in SUBMISSIONS.items():
            work = tmp_path / "work" / student  # the student's folder; course.hand_in() gives the file to hand in
            work.mkdir(parents=True, exist_ok=True)
            nbformat.write(answered(release, answers), work / path.name)
            target = course_dir / "submitted" / student / assignment / path.name
            target.parent.mkdir(parents=True)
            target.write_bytes(course.hand_in(path.name, folder=work).files[path.name])
        run(tools, "nbgrader", "autograde", assignment, "--force", cwd=course_dir)
        run(tools, "nbgrader", "generate_feedback", assignment, "--force", cwd=course_dir)
    scores = gradebook(tools, course_dir, written)
    print("nbgrader\n" + table(scores))
    assert scores == expected_scores(notebooks)
    for assignment, path in written.items():
        feedback = (course_dir / "feedback" / "wrong" / assignment / path.with_suffix(".html").name).read_text()
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", feedback)).split())
        for name in exercises(nbformat.read(path, as_version=4)):
            assert hint_of(name) in text, f"{assignment}: the hint of {name} is not in nbgrader's feedback"


def otter_run(tools, autograder, submission, results):
    """``{question: (score, points, output)}``: ``otter run`` (no Docker) of ``submission``, into ``results``."""
    results.mkdir(parents=True)
    run(tools, "otter", "run", "-a", autograder, "-o", results, submission, cwd=submission.parent)
    tests = json.loads((results / "results.json").read_text())["tests"]
    return {t["name"]: (t["score"], t["max_score"], t.get("output", "")) for t in tests if t["name"] != "Public Tests"}


def test_otter_grades_blank_teacher_and_wrong_submissions(tools, tmp_path):
    notebooks = chosen()
    picked = copied(notebooks, tmp_path / "notebooks")
    masters = write_otter(tmp_path / "otter", notebooks=picked)
    scores, outputs = {}, {}
    for assignment, master in masters.items():
        dist = tmp_path / "dist" / assignment
        run(tools, "otter", "assign", master, dist, cwd=master.parent)
        (autograder,) = (dist / "autograder").glob("*.zip")
        student = nbformat.read(dist / "student" / master.name, as_version=4)
        for who, answers in SUBMISSIONS.items():
            submission = tmp_path / "submissions" / who / master.name
            submission.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(answered(student, answers), submission)
            graded = otter_run(tools, autograder, submission, tmp_path / "results" / who / assignment)
            for name, (score, top, output) in graded.items():
                scores[who, assignment, name], outputs[who, assignment, name] = (score, top), output
    print("otter\n" + table(scores))
    assert scores == expected_scores(notebooks)
    for (who, assignment, name), output in outputs.items():
        if who == "wrong":
            assert hint_of(name) in " ".join(output.split()), (
                f"{assignment}: the hint of {name} is not in otter's output"
            )


def test_nbgrader_grades_each_student_on_their_own_variant(tools, tmp_path):
    """SEEDS: alice's answers score for her; the notebook's answers, or hers under another name, do not."""
    notebooks = [(path, nb) for path, nb in chosen() if set(exercises(nb)) & set(VARIED)]
    picked = copied(notebooks, tmp_path / "notebooks")
    course_dir = tmp_path / "course"
    written = write_nbgrader(course_dir, notebooks=picked, varied=True)
    own = {name: f"{variable_of(name)} = {right_answer(name, variant(name, 'alice'))!r}" for name in VARIED}
    submissions = {  # student: (the release of, answers)
        "alice": ("alice", {**SUBMISSIONS["teacher"], **own}),
        "bob": ("bob", SUBMISSIONS["teacher"]),  # the notebook's own numbers' answers
        "mallory": ("alice", {**SUBMISSIONS["teacher"], **own}),  # alice's notebook, handed in as mallory
    }
    expected = {}
    for assignment, path in written.items():
        run(tools, "nbgrader", "generate_assignment", assignment, "--force", cwd=course_dir)
        personalise(course_dir / "release", course_dir / "release-students", ["alice", "bob"])
        for student, (release_of, answers) in submissions.items():
            release = nbformat.read(course_dir / "release-students" / release_of / assignment / path.name, as_version=4)
            target = course_dir / "submitted" / student / assignment / path.name
            target.parent.mkdir(parents=True)
            nbformat.write(answered(release, answers), target)
            for name in exercises(nbformat.read(path, as_version=4)):
                full = student == "alice" or name not in VARIED
                expected[student, assignment, name] = (points(name) if full else 0, points(name))
        run(tools, "nbgrader", "autograde", assignment, "--force", cwd=course_dir)
    scores = gradebook(tools, course_dir, written)
    print("nbgrader, per-student variants\n" + "\n".join(f"{k}: {v}" for k, v in sorted(scores.items())))
    assert scores == expected


def test_otter_grades_each_student_on_their_own_variant(tools, tmp_path):
    """SEEDS: alice's answers score for her; the notebook's answers, or hers handed in as mallory.ipynb, do not.

    otter grades a submission for the student its file is named after (the
    teacher saves each hand-in as ``<student>.ipynb``), whatever ``STUDENT`` in
    the notebook says.
    """
    notebooks = [(path, nb) for path, nb in chosen() if set(exercises(nb)) & set(VARIED)]
    picked = copied(notebooks, tmp_path / "notebooks")
    out = tmp_path / "otter"
    masters = write_otter(out, notebooks=picked, students=["alice", "bob", "mallory"])
    for assignment, master in masters.items():
        run(tools, "otter", "assign", master, out / "dist" / assignment, cwd=out)
    personalise_otter(out / "dist", out / "students", ["alice", "bob"])
    own = {name: f"{variable_of(name)} = {right_answer(name, variant(name, 'alice'))!r}" for name in VARIED}
    submissions = {  # the file's name: (the notebook of, answers)
        "alice": ("alice", {**SUBMISSIONS["teacher"], **own}),
        "bob": ("bob", SUBMISSIONS["teacher"]),  # the notebook's own numbers' answers
        "mallory": ("alice", {**SUBMISSIONS["teacher"], **own}),  # alice's notebook, handed in as mallory's
    }
    scores, expected = {}, {}
    for assignment, master in masters.items():
        (autograder,) = (out / "dist" / assignment / "autograder").glob("*.zip")
        for student, (notebook_of, answers) in submissions.items():
            given = nbformat.read(out / "students" / notebook_of / master.name, as_version=4)
            submission = tmp_path / "submissions" / assignment / f"{student}.ipynb"  # as the teacher saves it
            submission.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(answered(given, answers), submission)
            graded = otter_run(tools, autograder, submission, tmp_path / "results" / student / assignment)
            scores.update({(student, assignment, name): (score, top) for name, (score, top, _) in graded.items()})
            for name in exercises(nbformat.read(master, as_version=4)):
                full = student == "alice" or name not in VARIED
                expected[student, assignment, name] = (points(name) if full else 0, points(name))
    print("otter, per-student variants\n" + table(scores, columns=tuple(submissions)))
    assert scores == expected


def variable_of(name):
    """The variable an exercise answered with a value assigns (``answer``, ``sizes``, ...)."""
    return ast.parse(split_check(SOLUTIONS[name])[0]).body[-1].targets[0].id
