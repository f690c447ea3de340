"""The course as graded assignments: an nbgrader source tree and otter-grader master notebooks.

    .venv/bin/python tools/grading.py nbgrader OUT  # OUT/source/<assignment>/<notebook>.ipynb, nbgrader_config.py
    .venv/bin/python tools/grading.py otter OUT     # OUT/<notebook>.ipynb, otter's master notebooks
    .venv/bin/python tools/grading.py nbgrader OUT --seeds alice,bob     # per-student variants, then after
    .venv/bin/python tools/grading.py personalise OUT --seeds alice,bob  # nbgrader generate_assignment:
                                                   # OUT/release-students/<student>/<assignment>/<notebook>.ipynb
    .venv/bin/python tools/grading.py otter OUT --seeds alice,bob        # the same for otter, then after
    .venv/bin/python tools/grading.py personalise OUT --seeds alice,bob  # otter assign X.ipynb OUT/dist/X:
                                                   # OUT/students/<student>/<notebook>.ipynb

One source for every edition. ``notebooks/`` is the student's edition; each
exercise cell (tagged ``exercise:NAME``) ends with its check,
``course.check_...(answer)``, and ``SOLUTIONS[NAME]`` (``tools/solutions.py``)
is the same cell answered. From the two this tool writes, for every notebook
that has exercises (one assignment per notebook, named after it):

- **nbgrader**: each exercise becomes an autograded-answer cell (the lines the
  student's cell and the solution share, around the solution between ``###
  BEGIN SOLUTION`` and ``### END SOLUTION``) and a locked autograder-test cell
  worth :func:`points` points, which runs the check in strict mode
  (``strict=True``: a wrong answer raises ``AssertionError`` with its hint,
  which nbgrader's feedback shows); every Markdown cell is read-only.
  ``OUT/nbgrader_config.py`` lists the assignments.
- **otter**: a master notebook in otter-grader's raw-cell format (``#
  ASSIGNMENT CONFIG``, ``# BEGIN QUESTION``, ``# BEGIN SOLUTION``, ``# BEGIN
  TESTS``, ...) whose test cell is the same strict check, for ``otter
  assign``.

With ``--seeds`` the exercises answered with a value check each student's own
numbers (:func:`deconvlib.course.variant`, docs/grading.md): the student's
feedback those of ``STUDENT``, which each student's copy sets; the grade those
of the student the tool grades, nbgrader's ``autograded/<student>/`` folder or
the name of the file otter grades (:func:`deconvlib.course.variants.graded_student`). The other cells
(text, explorers, figures) are the student's edition's, with their outputs
cleared. ``tests/course/test_grading.py`` checks the trees;
``tests/course/test_grading_tools.py`` runs nbgrader and otter-grader on them.
"""

import argparse
import ast
import copy
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from solutions import SOLUTIONS  # noqa: E402
from teacher_edition import exercise_name  # noqa: E402

from deconvlib.course.variants import VARIED, variant  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: The student's edition, read and never written.
NOTEBOOKS = ROOT / "notebooks"
NBGRADER_SCHEMA = 3
#: The grading tools the course is tested with (tests/course/test_grading_tools.py installs them in a venv).
TOOL_PINS = ["nbgrader==0.9.6", "otter-grader==7.0.0"]


def split_check(source):
    """``(answer, check)``: a cell's code before its last statement, and that statement, ``course.check_...(...)``.

    >>> split_check("answer = 8  # why\\ncourse.check_output_size(answer, size=4)")
    ('answer = 8  # why', 'course.check_output_size(answer, size=4)')
    """
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body else None
    call = last.value if isinstance(last, ast.Expr) else None
    if not (isinstance(call, ast.Call) and ast.unparse(call.func).startswith("course.check_")):
        raise ValueError(f"an exercise cell must end with its check, course.check_...(...); got {source[-80:]!r}")
    lines = source.splitlines()
    return "\n".join(lines[: last.lineno - 1]).rstrip(), "\n".join(lines[last.lineno - 1 : last.end_lineno])


def strict_check(check):
    """The check with ``strict=True``: a wrong answer raises (for a grading tool's test cell).

    >>> strict_check("course.check_dilate(dilate)")
    'course.check_dilate(dilate, strict=True)'
    """
    call = ast.parse(check).body[0].value
    call.keywords.append(ast.keyword("strict", ast.Constant(True)))
    return ast.unparse(call)


def answer_parts(placeholder, solution):
    """``(before, indent, middle, after)``: the solution's lines split by what the student's cell shares with it.

    ``before`` and ``after`` are the lines both have at the start and the end
    (a function's ``def`` line); ``middle`` is the solution's own, which a
    grading tool hides from the student, indented by ``indent``.

    >>> answer_parts("def f(x):\\n    return ...  # yours", "def f(x):\\n    y = x + 1\\n    return y")
    (['def f(x):'], '    ', ['y = x + 1', 'return y'], [])
    """
    student, answer = placeholder.splitlines(), solution.splitlines()
    start = 0
    while start < min(len(student), len(answer)) - 1 and student[start] == answer[start]:
        start += 1
    end = 0
    while end < min(len(student), len(answer)) - start - 1 and student[-1 - end] == answer[-1 - end]:
        end += 1
    middle = answer[start : len(answer) - end]
    indent = re.match(r"\s*", middle[0]).group()
    middle = [line[len(indent) :] if line.strip() else "" for line in middle]
    return answer[:start], indent, middle, answer[len(answer) - end :]


def delimited(placeholder, solution, begin, end):
    """The solution with its own lines between the comments ``begin`` and ``end`` (each at the lines' indent)."""
    before, indent, middle, after = answer_parts(placeholder, solution)
    body = [indent + begin, *[indent + line if line else "" for line in middle], indent + end]
    return "\n".join([*before, *body, *after])


def nbgrader_answer(placeholder, solution):
    """nbgrader's answer cell: the solution's own lines between its markers, the student's own lines beside them.

    nbgrader's release replaces the marked lines with an empty stub
    (:data:`NBGRADER_CONFIG`'s ``code_stub``), so what is left is the student's
    edition of the cell: ``answer = ...`` for a value, the ``# your code``
    comment and ``return ...`` of a function. The student's lines go before a
    value's solution (which then replaces the ``...``) and after a function's
    body (where the solution's ``return`` has already returned).

    >>> print(nbgrader_answer("answer = ...  # yours", "answer = 8"))
    answer = ...  # yours
    ### BEGIN SOLUTION
    answer = 8
    ### END SOLUTION
    >>> print(nbgrader_answer("def f(x):\\n    return ...  # yours", "def f(x):\\n    return x + 1"))
    def f(x):
        ### BEGIN SOLUTION
        return x + 1
        ### END SOLUTION
        return ...  # yours
    """
    before, indent, middle, after = answer_parts(placeholder, solution)
    student = placeholder.splitlines()[len(before) : len(placeholder.splitlines()) - len(after)]
    marked = [indent + "### BEGIN SOLUTION", *[indent + line if line else "" for line in middle]]
    marked.append(indent + "### END SOLUTION")
    functions = [node for node in ast.parse(solution).body if isinstance(node, ast.FunctionDef)]
    if not functions:
        return "\n".join([*before, *student, *marked, *after])
    if not isinstance(functions[-1].body[-1], ast.Return):
        raise ValueError(f"a function exercise's solution must end with its return: {solution[-80:]!r}")
    return "\n".join([*before, *marked, *student, *after])


def points(name, solutions=None):
    """Points of an exercise: 2 for writing a function, 1 for a value worked out by hand."""
    code, _ = split_check((SOLUTIONS if solutions is None else solutions)[name])
    return 2 if any(isinstance(node, ast.FunctionDef) for node in ast.parse(code).body) else 1


def exercises(nb):
    """The names of the exercises of ``nb``, in order."""
    return [name for name in map(exercise_name, nb.cells) if name is not None]


def sources(notebooks=None):
    """``(path, notebook)`` for every notebook of the student's edition that has exercises, by name."""
    paths = sorted(Path(NOTEBOOKS if notebooks is None else notebooks).glob("*.ipynb"))
    read = [(path, nbformat.read(path, as_version=4)) for path in paths]
    return [(path, nb) for path, nb in read if exercises(nb)]


def _new_cell(kind, source, id, **metadata):
    """A new cell; its ``id`` is given, so that each build writes the same notebook."""
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_raw_cell
    cell = make(source, id=id)
    cell.metadata.update(metadata)
    return cell


def _cleared(nb):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def _nbgrader(grade_id, solution=False, grade=False, locked=False, points_=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": NBGRADER_SCHEMA}
    meta.update({"solution": solution, "task": False})
    if points_ is not None:
        meta["points"] = points_
    return {"nbgrader": meta}


def varied_check(check, name, student):
    """The check with the numbers of ``student``'s variant (an expression) instead of the notebook's.

    >>> varied_check("course.check_padding_for(answer, 10, 5, 30, stride=3)", "padding_for", "STUDENT")
    "course.check_padding_for(answer, **course.variant('padding_for', STUDENT))"
    """
    call = ast.parse(check).body[0].value
    numbers = ast.parse(f"course.variant({name!r}, {student})").body[0].value
    call.args, call.keywords = call.args[:1], [ast.keyword(None, numbers)]
    return ast.unparse(call)


#: The cell a per-student release sets (:func:`personalise`); the checks of the varied exercises read it.
STUDENT_CELL = "STUDENT = None  # your student id: the notebook your teacher gave you sets it"
#: Where nbgrader autogrades a submission: ``autograded/<student>/<assignment>/``, the kernel's working folder.
GRADED_STUDENT = "__import__('pathlib').Path.cwd().parent.name"


def nbgrader_notebook(nb, solutions=None, varied=False):
    """``nb`` (the student's edition) as an nbgrader source notebook: answers, locked tests, read-only text.

    With ``varied``, the exercises that have per-student variants
    (:data:`deconvlib.course.variants.VARIED`) are checked with the numbers of
    the variable ``STUDENT`` (a cell after the first code cell, which
    :func:`personalise` sets per student), and a hidden test checks them with
    the numbers of the student nbgrader grades, whatever ``STUDENT`` says.
    """
    solutions = SOLUTIONS if solutions is None else solutions
    nb, cells = _cleared(nb), []
    varies = varied and any(exercise_name(cell) in VARIED for cell in nb.cells)
    for n, cell in enumerate(nb.cells):
        name = exercise_name(cell)
        if name is None:
            if cell.cell_type == "markdown":
                cell.metadata.update(_nbgrader(f"text-{n:02d}-{cell.get('id', n)}", locked=True))
            cells.append(cell)
            continue
        placeholder, check = split_check(cell.source)
        solution, _ = split_check(solutions[name])
        answer = copy.deepcopy(cell)
        answer.source = nbgrader_answer(placeholder, solution)
        answer.metadata = {"tags": [f"exercise:{name}"], **_nbgrader(name, solution=True)}
        # printed, not the cell's value: nbgrader reads a number there as partial points
        test = _new_cell("code", f"print({strict_check(check)})", f"check-{name}")
        if varies and name in VARIED:
            hidden = strict_check(varied_check(check, name, GRADED_STUDENT))
            test.source = f"print({strict_check(varied_check(check, name, 'STUDENT'))})\n"
            test.source += f"### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS"
        test.metadata.update({"tags": [f"check:{name}"], **_nbgrader(f"{name}-check", grade=True, locked=True)})
        test.metadata["nbgrader"]["points"] = points(name, solutions)
        cells += [answer, test]
    if varies:
        first_code = next(n for n, cell in enumerate(cells) if cell.cell_type == "code")
        cells.insert(first_code + 1, _new_cell("code", STUDENT_CELL, "student", tags=["student"]))
    nb.cells = cells
    return nb


def personalised(nb, student):
    """``student``'s copy of a release ``nb``: ``STUDENT`` set, each varied exercise preceded by their numbers."""
    nb, cells = copy.deepcopy(nb), []
    for cell in nb.cells:
        if "student" in cell.metadata.get("tags", []):
            cell.source = f"STUDENT = {student!r}  # your student id: your numbers depend on it"
        name = exercise_name(cell)
        if name in VARIED:
            numbers = ", ".join(f"`{key}` = {value}" for key, value in variant(name, student).items())
            text = f"**Your numbers, {student}:** {numbers}. They replace the numbers above; the check uses them."
            cells.append(nbformat.v4.new_markdown_cell(text))
        cells.append(cell)
    nb.cells = cells
    return nb


def personalise(release, out, students):
    """Per-student copies of an nbgrader release: ``out/<student>/<assignment>/<notebook>.ipynb``.

    In each, ``STUDENT`` is set and each varied exercise is preceded by a
    cell that gives the student's numbers (:func:`personalised`). Returns the
    notebooks written.
    """
    written = []
    for path in sorted(Path(release).glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for student in students:
            target = Path(out) / student / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(personalised(nb, student), target)
            written.append(target)
    return written


def personalise_otter(dist, out, students):
    """Per-student copies of otter's student notebooks ``dist/<assignment>/student/*.ipynb``: ``out/<student>/``.

    As :func:`personalise` for nbgrader; ``dist/<assignment>/`` is where
    ``otter assign`` wrote the assignment. Returns the notebooks written.
    """
    written = []
    for path in sorted(Path(dist).glob("*/student/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for student in students:
            target = Path(out) / student / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(personalised(nb, student), target)
            written.append(target)
    return written


NBGRADER_CONFIG = """\
# nbgrader's configuration for the course, written by tools/grading.py (docs/grading.md).
c = get_config()  # noqa: F821
c.CourseDirectory.root = "."
# the assignments, {assignments}, go into the gradebook with `nbgrader generate_assignment NAME`
# the release keeps the student's own lines of an answer cell (`answer = ...`), with nothing in place of the solution
c.ClearSolutions.code_stub = {{"python": ""}}
c.ExecutePreprocessor.timeout = 300
"""


def write_nbgrader(out, notebooks=None, solutions=None, varied=False):
    """Write the nbgrader course directory ``out``: ``source/<assignment>/<notebook>.ipynb`` and its config.

    ``varied``: per-student variants (:func:`nbgrader_notebook`). Returns the
    assignments written, ``{assignment: Path of its notebook}``.
    """
    out, written = Path(out), {}
    for path, nb in sources(notebooks):
        target = out / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbgrader_notebook(nb, solutions, varied), target)
        written[path.stem] = target
    (out / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(assignments=", ".join(written)))
    return written


def otter_answer(placeholder, solution):
    """The solution for otter: a value as ``x = 8  # SOLUTION`` (otter leaves ``x = ...``), else a block.

    Comment lines above the value (the reasoning) go in a block otter removes without a trace.

    >>> print(otter_answer("answer = ...  # yours", "# why\\nanswer = 8"))
    # BEGIN SOLUTION NO PROMPT
    # why
    # END SOLUTION
    answer = 8  # SOLUTION
    >>> print(otter_answer("def f(x):\\n    return ...", "def f(x):\\n    return x + 1"))
    def f(x):
        # BEGIN SOLUTION
        return x + 1
        # END SOLUTION
    """
    tree, lines = ast.parse(solution), solution.splitlines()
    last = tree.body[-1] if len(tree.body) == 1 else None
    if isinstance(last, ast.Assign) and last.lineno == last.end_lineno == len(lines):
        above = lines[:-1]
        hidden = ["# BEGIN SOLUTION NO PROMPT", *above, "# END SOLUTION"] if above else []
        return "\n".join([*hidden, f"{lines[-1]}  # SOLUTION"])
    return delimited(placeholder, solution, "# BEGIN SOLUTION", "# END SOLUTION")


def _assignment_config(name):
    config = [
        "# ASSIGNMENT CONFIG",
        f"name: {name}",
        "init_cell: true",
        "check_all_cell: false",
        "export_cell: false",
        "run_tests: false",
        "solutions_pdf: false",
        "template_pdf: false",
        "generate: true",
        "tests:",
        "    files: false",
    ]
    return "\n".join(config)


def otter_graded_student(students):
    """The student otter grades, as an expression for a hidden test: the submission's file name, one of ``students``.

    >>> otter_graded_student(["alice", "bob"])
    "course.variants.graded_student(['alice', 'bob'])"
    """
    return f"course.variants.graded_student({list(students)!r})"


def otter_notebook(nb, name, solutions=None, students=()):
    """``nb`` (the student's edition) as an otter-grader master notebook: one question per exercise.

    With ``students`` (their ids), the exercises that have per-student
    variants are all-or-nothing questions with two tests: a public one with
    the numbers of ``STUDENT`` (a cell after the first code cell, which
    :func:`personalise_otter` sets per student), the student's feedback, and a
    hidden one with the numbers of the student otter grades, named by the
    submission's file (:func:`otter_graded_student`), whatever ``STUDENT`` says.
    """
    solutions = SOLUTIONS if solutions is None else solutions
    nb, cells = _cleared(nb), [_new_cell("raw", _assignment_config(name), "assignment-config")]
    varies = bool(students) and any(exercise_name(cell) in VARIED for cell in nb.cells)
    for cell in nb.cells:
        exercise = exercise_name(cell)
        if exercise is None:
            cells.append(cell)
            continue
        placeholder, check = split_check(cell.source)
        solution, _ = split_check(solutions[exercise])
        answer = copy.deepcopy(cell)
        answer.source = otter_answer(placeholder, solution)
        answer.metadata = {"tags": [f"exercise:{exercise}"]}
        tests = [_new_cell("code", f"assert {strict_check(check)}", f"check-{exercise}")]
        question = f"# BEGIN QUESTION\nname: {exercise}\npoints: {points(exercise, solutions)}"
        if varies and exercise in VARIED:
            tests[0].source = f"assert {strict_check(varied_check(check, exercise, 'STUDENT'))}"
            hidden = strict_check(varied_check(check, exercise, otter_graded_student(students)))
            tests.append(_new_cell("code", f"# HIDDEN\nassert {hidden}", f"hidden-check-{exercise}"))
            question += "\nall_or_nothing: true"  # the public test alone, passed with another's numbers, scores 0
        cells += [_new_cell("raw", question, f"question-{exercise}")]
        cells += [_new_cell("raw", "# BEGIN SOLUTION", f"solution-{exercise}"), answer]
        cells += [_new_cell("raw", "# END SOLUTION", f"end-solution-{exercise}")]
        cells += [_new_cell("raw", "# BEGIN TESTS", f"tests-{exercise}"), *tests]
        cells += [_new_cell("raw", "# END TESTS", f"end-tests-{exercise}")]
        cells += [_new_cell("raw", "# END QUESTION", f"end-question-{exercise}")]
    if varies:
        first_code = next(n for n, cell in enumerate(cells) if cell.cell_type == "code")
        cells.insert(first_code + 1, _new_cell("code", STUDENT_CELL, "student", tags=["student"]))
    nb.cells = cells
    return nb


def write_otter(out, notebooks=None, solutions=None, students=()):
    """Write an otter master notebook per notebook with exercises into ``out``; return ``{name: Path}``.

    ``students``: their ids, for per-student variants (:func:`otter_notebook`).
    """
    out, written = Path(out), {}
    out.mkdir(parents=True, exist_ok=True)
    for path, nb in sources(notebooks):
        target = out / path.name
        nbformat.write(otter_notebook(nb, path.stem, solutions, students), target)
        written[path.stem] = target
    return written


def answered(nb, answers):
    """A copy of a student's notebook ``nb`` (an nbgrader release, an otter student notebook) with answers filled in.

    ``answers`` maps an exercise's name to the code of its answer cell (a
    solution, or a wrong answer, without the check); the cell is found by its
    tag ``exercise:NAME``. What a student hands in, for the tests of the tools.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        name = exercise_name(cell)
        if name in answers:
            cell.source = answers[name]
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="tools/grading.py",
        description="Write the course as graded assignments from notebooks/ and tools/solutions.py.",
    )
    parser.add_argument(
        "tool",
        choices=["nbgrader", "otter", "personalise"],
        help="nbgrader: the course directory; otter: master notebooks; personalise: per-student copies of "
        "OUT/release/ (after nbgrader generate_assignment) in OUT/release-students/, and of OUT/dist/*/student/ "
        "(after otter assign) in OUT/students/",
    )
    parser.add_argument("out", type=Path, metavar="OUT", help="the folder to write (created if missing)")
    parser.add_argument(
        "--seeds",
        default="",
        metavar="IDS",
        help="comma-separated student ids: nbgrader and otter check each student's own numbers (per-student "
        "variants; otter grades a submission for the student it is named after, <student>.ipynb); personalise "
        "writes a copy for each",
    )
    args = parser.parse_args(argv)
    if args.out.resolve() == NOTEBOOKS.resolve() or NOTEBOOKS.resolve() in args.out.resolve().parents:
        parser.error("argument OUT: not inside notebooks/, the student's edition")
    students = [seed.strip() for seed in args.seeds.split(",") if seed.strip()]
    if args.tool == "personalise":
        if not students:
            parser.error("personalise needs --seeds")
        written = personalise(args.out / "release", args.out / "release-students", students)
        otter = personalise_otter(args.out / "dist", args.out / "students", students)
        if written or not otter:
            print(f"wrote {len(written)} notebooks to {args.out / 'release-students'}")
        if otter:
            print(f"wrote {len(otter)} otter notebooks to {args.out / 'students'}")
        return 0
    if args.tool == "nbgrader":
        written = write_nbgrader(args.out, varied=bool(students))
    else:
        named = [s for s in students if s != Path(s).name or s.startswith(".") or s.endswith(".ipynb")]
        if named:  # otter reads the student from the submission's file name, <student>.ipynb
            parser.error(f"argument --seeds: otter needs ids that are file names, <id>.ipynb; got {named}")
        written = write_otter(args.out, students=students)
    print(f"wrote {len(written)} {args.tool} assignments to {args.out}: {', '.join(written)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
