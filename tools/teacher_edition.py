"""Write the teacher's edition: every notebook with its exercises answered.

    .venv/bin/python tools/teacher_edition.py [OUTDIR] [--no-execute]

``notebooks/`` is the student's edition (placeholders ``...`` in the cells
tagged ``exercise:NAME``); this copies it to ``OUTDIR`` (default ``teacher/``,
not tracked by git) with each such cell replaced by ``SOLUTIONS[NAME]`` from
``tools/solutions.py``, then executes the copies so every check shows its ✓.
"""

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from execute_notebooks import clean, execute  # noqa: E402
from solutions import SOLUTIONS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TAG = "exercise:"


def exercise_name(cell):
    """``NAME`` of a cell tagged ``exercise:NAME``, or None."""
    names = [tag[len(TAG) :] for tag in cell.get("metadata", {}).get("tags", []) if tag.startswith(TAG)]
    return names[0] if names else None


def answered(nb):
    """``nb`` with every exercise cell's source replaced by its solution (outputs cleared)."""
    for cell in nb.cells:
        name = exercise_name(cell)
        if name is not None:
            if name not in SOLUTIONS:
                raise KeyError(f"no solution for exercise {name!r} in tools/solutions.py")
            cell.source = SOLUTIONS[name]
            cell.outputs, cell.execution_count = [], None
    return nb


def write(outdir, run=True):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        target = outdir / path.name
        nbformat.write(clean(answered(nbformat.read(path, as_version=4))), target)
        if run:
            print(f"executing {target} ...", flush=True)
            execute(target)
        written.append(target)
    return written


def main(argv):
    run = "--no-execute" not in argv
    args = [a for a in argv if a != "--no-execute"]
    write(args[0] if args else ROOT / "teacher", run=run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
