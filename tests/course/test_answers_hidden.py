"""Exercises that need the idea, not the page (issue 24, items 1 and 2).

No exercise's answer (its lines in ``tools/solutions.py``, the one place the
solutions live) nor a near-answer listed here is shown before the exercise,
in a cell or a stored output, nor in the exercise's own "typical wrong
answer" cell after it; and an exercise that asks the student to write
something gets a ✗ for an answer that calls the library's own version.
"""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from solutions import SOLUTIONS  # tools/, on sys.path from conftest.py
from teacher_edition import exercise_name

import deconvlib as dl
from deconvlib.course import GroupsExplorer, checking, exercises

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: Answers in other words than the solution's code: the answer as the notebook would print or say it.
NEAR_ANSWERS = {
    "dilate": [
        "out[s * r, s * c] = X[r, c]",
        "out[::s, ::s] = X",
        "np.zeros((stride * X.shape[0], stride * X.shape[1]))",  # two edits from the answer
    ],
    "input_sizes": ["{10, 11, 12}", "10: 4, 11: 4, 12: 4", "10, 11 and 12", "[10, 11, 12]"],
    "uniform_overlap": [
        "s divides k",
        "k % s == 0",
        "stride divides the kernel",
        "divisible by the stride",
        "kernel size divisible",
    ],
    "torch_weight": ["transpose(2, 3, 0, 1)", "permute(2, 3, 0, 1)"],
    "overlap_1d": ["[n * s : n * s + k] += 1", "[pixel * s : pixel * s + k] += 1", "[p : len(count) - p]"],
    "conv_output_size": [
        "(i + 2 * p - d * (k - 1) - 1) // s + 1",
        "⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1",
        "⌊(i + 2p − k̂) / s⌋ + 1",
    ],
    "transpose_output_size": [
        "s * (i - 1) + d * (k - 1) + 1 - 2 * p + op",
        "s·(i′ − 1) + d·(k − 1) + 1 − 2p + a",
        "s·(i − 1) + k̂ − 2p + output_padding",
        "s\\,(i' - 1) + d\\,(k - 1) + 1 - 2p + a",
    ],
    "max_pool": ["constant_values=-np.inf"],
    "round_trip_sizes": [
        "96, 104",
        "96 and 104",
        "% 8 == 0",
        "multiples of 8",
        "2·2·2 = 8",
        "a multiple of 2 to the number of poolings",  # explain_error's fix for the "cat" message
    ],
    "layer_shape": ["(8, 14, 14, 128)"],
    "padding_for": ["(10, 5, 30, 3)", "i=10, k=5, s=3"],
    "output_size": ["i=4 k=3 s=2 p=1 output_padding=1", "(4, 3, 2, 1, 1, 1)"],
}

#: What the answer is assigned to in a value exercise (``answer = 8``): its right-hand side is the answer.
VALUE = re.compile(r"^(answer|sizes|zeros_each_side)\s*=\s*(.+)$")


def squash(text):
    """``text`` without white space, so a reformatted copy of a line still matches."""
    return re.sub(r"\s+", "", text)


def answer_lines(solution):
    """The lines of a solution that give it away: its code, without comments, the ``def`` line and the check."""
    found = []
    solution = re.split(r"^course\.check_", solution, flags=re.M)[0]  # the check, on one line or several
    for line in solution.splitlines():
        code = line.split("#")[0].strip()
        if not code or code.startswith("def "):
            continue  # a loop's header stays: nb 4 once showed the sweep's whole loop above its exercise
        value = VALUE.match(code)
        if value:
            code = value.group(2)
        elif code.startswith("return "):
            code = code[len("return ") :]
        if len(squash(code)) >= 5 and not code.isidentifier():  # not a bare name returned, as `found`
            found.append(code)
    return found


def test_answer_lines_take_the_code_and_the_value_of_a_solution():
    assert answer_lines(SOLUTIONS["layer_shape"]) == ["(8, 14, 14, 128)"]
    assert "W.transpose(2, 3, 0, 1)" in answer_lines(SOLUTIONS["torch_weight"])
    assert "count[p : len(count) - p]" in answer_lines(SOLUTIONS["overlap_1d"])
    assert "for r in range(out.shape[0]):" in answer_lines(SOLUTIONS["conv_transpose"])
    assert not any("def " in line or "check_" in line for name in SOLUTIONS for line in answer_lines(SOLUTIONS[name]))


def shown(cell):
    """What a cell shows: its source and its stored text outputs."""
    text = "".join(cell["source"])
    for output in cell.get("outputs", []):
        text += "".join(output.get("text", ""))
        for kind in ("text/plain", "text/markdown", "text/html"):
            text += "".join(output.get("data", {}).get(kind, ""))
    return text


def typical_wrong_answers(cells, k, checker):
    """The cells after exercise ``k`` that call its ``checker`` with a typical wrong answer, up to the next heading."""
    found = []
    for cell in cells[k + 1 :]:
        source = "".join(cell["source"])
        if exercise_name(cell) or (cell["cell_type"] == "markdown" and re.search(r"^#", source, re.M)):
            break
        if cell["cell_type"] == "code" and checker in source:
            found.append(cell)
    return found


def exercises_in(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(cells, k, exercise_name(cell)) for k, cell in enumerate(cells) if exercise_name(cell)]


EXERCISES = [(path, k, name) for path in NOTEBOOKS for _, k, name in exercises_in(path)]


def test_every_exercise_is_scanned_and_every_near_answer_is_an_exercise():
    assert {name for _, _, name in EXERCISES} == set(SOLUTIONS)
    assert set(NEAR_ANSWERS) <= set(SOLUTIONS)


@pytest.mark.parametrize("path, k, name", EXERCISES, ids=[f"{p.name}:{name}" for p, _, name in EXERCISES])
def test_no_answer_is_shown_before_an_exercise_nor_in_its_typical_wrong_answer(path, k, name):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    checker = re.search(r"course\.(check_\w+)", SOLUTIONS[name]).group(1)
    wrong = typical_wrong_answers(cells, k, checker)
    places = [(f"cell {n} (before the exercise, cell {k})", cells[n]) for n in range(k)]
    places += [(f"cell {cells.index(cell)} (its typical wrong answer)", cell) for cell in wrong]
    needles = answer_lines(SOLUTIONS[name]) + NEAR_ANSWERS.get(name, [])
    for where, cell in places:
        text = squash(shown(cell))
        for needle in needles:
            assert squash(needle) not in text, f"{path.name} shows {needle!r}, the answer of {name}, in {where}"


@pytest.mark.parametrize("path, k, name", EXERCISES, ids=[f"{p.name}:{name}" for p, _, name in EXERCISES])
def test_each_typical_wrong_answer_shown_in_a_notebook_gets_a_hint_naming_its_stage(path, k, name):
    from test_course_exercises import STAGE_WORDS, names_a_stage

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    checker = re.search(r"course\.(check_\w+)", SOLUTIONS[name]).group(1)
    for cell in typical_wrong_answers(cells, k, checker):
        verdicts = [line for line in shown(cell).splitlines() if "Hint:" in line and not line.startswith("<")]
        assert verdicts, f"{path.name}: the typical wrong answer of {name} shows no hint: {shown(cell)[:300]}"
        for verdict in verdicts:
            hint = verdict.split("Hint:")[-1]
            assert names_a_stage(name, hint), f"{path.name}: {name}'s hint names none of {STAGE_WORDS[name]}: {hint}"


def test_the_scan_finds_an_answer_put_back_above_its_exercise(tmp_path):
    # The notebook 7 of issue 24: the verdict "→ even (s divides k)" printed above the exercise.
    path = next(p for p in NOTEBOOKS if p.name.startswith("07_"))
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    k = next(n for n, cell in enumerate(cells) if exercise_name(cell) == "uniform_overlap")
    needles = [squash(n) for n in answer_lines(SOLUTIONS["uniform_overlap"]) + NEAR_ANSWERS["uniform_overlap"]]
    leak = {"cell_type": "code", "source": ["print(verdict)"], "outputs": [{"text": ["k=4, s=2 → even (s divides k)"]}]}
    assert not any(n in squash(shown(c)) for c in cells[:k] for n in needles)
    assert any(n in squash(shown(c)) for c in [*cells[:k], leak] for n in needles)


# --- item 2: an answer that calls the library's own implementation gets ✗ -----------------------------

#: ``(exercise, the shortcut, the library function it calls)``: right answers that are not the student's own.
SHORTCUTS = [
    ("dilate", lambda X, s: dl.dilate(X, (s, s), axes=(0, 1)), "dl.dilate"),
    ("dilate", lambda X, s: dl.trace(X, np.ones((1, 1)), stride=s).dilated, "dl.trace"),
    ("conv_transpose", lambda X, W, s: dl.conv_transpose2d(X, W, stride=s), "dl.conv_transpose2d"),
    ("conv_transpose", lambda X, W, s: dl.deconv2D_naive(X, W, s, 0), "dl.conv_transpose2d"),
    ("conv_transpose", lambda X, W, s: dl.trace(X, W, stride=s).output, "dl.trace"),
    ("uniform_overlap", lambda k, s: dl.overlap.is_uniform(k, s), "dl.overlap.is_uniform"),
    ("torch_weight", lambda W: dl.channels.to_torch_weight(W), "dl.channels.to_torch_weight"),
    ("overlap_1d", lambda i, k, s, p: dl.overlap.overlap_count_1d(i, k, stride=s, padding=p), "overlap_count_1d"),
    ("overlap_1d", lambda i, k, s, p: dl.conv_transpose1d(np.ones(i), np.ones(k), s, p), "dl.conv_transpose1d"),
    ("max_pool", lambda X, k, s, p: dl.max_pool2d(X, k, stride=s, padding=p), "dl.max_pool2d"),
]

CHECKERS = {
    "dilate": exercises.check_dilate,
    "conv_transpose": exercises.check_conv_transpose,
    "uniform_overlap": exercises.check_uniform_overlap,
    "torch_weight": exercises.check_torch_weight,
    "overlap_1d": exercises.check_overlap_1d,
    "max_pool": exercises.check_max_pool,
}


@pytest.fixture(params=["process", "trace"])
def limiter(request, monkeypatch):
    """Linux's forked child, and the in-process run of the browser (Pyodide: no fork, threads or signals)."""
    if request.param == "process" and "process" not in checking._limiters():
        pytest.skip("no fork here")
    if request.param == "trace":
        monkeypatch.setattr(checking, "_limiters", frozenset)
    return request.param


@pytest.mark.parametrize("name, shortcut, called", SHORTCUTS, ids=[f"{n}:{c}" for n, _, c in SHORTCUTS])
def test_a_shortcut_through_the_library_gets_a_friendly_cross(name, shortcut, called, limiter):
    verdict = CHECKERS[name](shortcut)
    assert not verdict, verdict
    assert called in verdict.message and "write it yourself" in verdict.message
    assert str(verdict).startswith("✗")


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_the_solution_still_passes_and_a_wrong_library_call_keeps_its_slip_hint(name, limiter):
    namespace = {"np": np, "dl": dl, "course": exercises}
    source = SOLUTIONS[name].replace("course.check_", "verdict = course.check_")
    exec(source, namespace)
    assert namespace["verdict"], namespace["verdict"]
    # a wrong answer that borrows the library (the notebooks' own demonstrations) still gets its slip's hint
    if name == "conv_transpose":
        verdict = exercises.check_conv_transpose(lambda X, W, s: dl.conv_transpose2d(X, W[::-1, ::-1], stride=s))
        assert "flip the kernel" in verdict.message


def test_the_profile_hook_is_gone_after_a_check_and_a_debugger_s_stays():
    def mine(frame, event, arg):
        return None

    checking.sys.setprofile(mine)
    try:
        exercises.check_max_pool(lambda X, k, s, p: dl.max_pool2d(X, k, stride=s, padding=p))
        assert checking.sys.getprofile() is mine
    finally:
        checking.sys.setprofile(None)


def test_the_groups_explorer_caption_names_the_function_not_the_permutation():
    # Notebook 8's exercise 1 asks for the permutation; the explorer above it may show the shapes only.
    ex = GroupsExplorer()
    for groups in (1, 2, 4):
        ex.set(c_in=8, c_out=4, groups=groups)
        caption = squash(ex.caption.value)
        assert "to_torch_weight(W)" in ex.caption.value
        assert not any(squash(n) in caption for n in NEAR_ANSWERS["torch_weight"]), ex.caption.value
