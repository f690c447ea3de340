"""What the tests of the real grading tools share: a venv with nbgrader and otter-grader, and how to run them.

``tests/course/test_grading_tools.py`` (the graded editions) and
``tests/site/test_site_hand_in.py`` (a notebook handed in from the site) grade
with the same venv, ``build/grading/venv``: created once per ``grading.TOOL_PINS``
and Python, from PyPI, and reused while they are the same. It sees this
checkout's deconvlib and, after its own packages, this interpreter's (numpy,
matplotlib, ipywidgets, ...) by a ``.pth`` file, so nothing but the two tools is
installed.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from grading import TOOL_PINS

try:
    import fcntl
except ImportError:  # Windows: no lock
    fcntl = None

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "grading"
#: Seconds any one command of the tools may take (an install, an autograde of one assignment).
TIMEOUT = 900


def grading_tools():
    """The venv's ``bin`` folder, with nbgrader and otter-grader; created once per pins and Python.

    Two test files use it, maybe at once (``pytest -n``): the first creates it, the other waits for it.
    """
    key = "\n".join([*TOOL_PINS, sys.version])
    env_dir = BUILD / "venv"
    stamp, python = env_dir / "pins.txt", env_dir / "bin" / "python"
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / ".venv.lock", "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (stamp.exists() and stamp.read_text() == key and python.exists()):
            shutil.rmtree(env_dir, ignore_errors=True)
            venv.create(env_dir, with_pip=True)
            subprocess.run([python, "-m", "pip", "install", "--quiet", *TOOL_PINS], check=True, timeout=TIMEOUT)
            stamp.write_text(key)
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = dict.fromkeys([str(ROOT), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(site) / "deconvlib-checkout.pth").write_text("\n".join(ours) + "\n")
    return env_dir / "bin"


def run(tools, *command, cwd):
    """Run ``command`` with the venv's ``bin`` (``tools``) first on the PATH, in ``cwd``; its stdout."""
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "MPLBACKEND": "Agg"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


GRADEBOOK = """
import json, sys
from nbgrader.api import Gradebook
scores = {}
with Gradebook("sqlite:///gradebook.db") as gradebook:
    for assignment in sys.argv[1:]:
        for submission in gradebook.assignment_submissions(assignment):
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores[f"{submission.student.id} {assignment} {grade.name}"] = [grade.score, grade.max_score]
print(json.dumps(scores))
"""


def gradebook(tools, course_dir, assignments):
    """``{(student, assignment, exercise): (score, points)}`` from nbgrader's gradebook."""
    raw = json.loads(run(tools, "python", "-c", GRADEBOOK, *assignments, cwd=course_dir))
    return {tuple(key.removesuffix("-check").split(" ")): tuple(value) for key, value in raw.items()}
