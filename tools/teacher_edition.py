"""Write the teacher's edition: every notebook with its exercises answered.

    .venv/bin/python tools/teacher_edition.py [OUTDIR] [--no-execute] [--force]

``notebooks/`` is the student's edition (placeholders ``...`` in the cells
tagged ``exercise:NAME``); this copies it to ``OUTDIR`` (default ``teacher/``,
not tracked by git) with each such cell replaced by ``SOLUTIONS[NAME]`` from
``tools/solutions.py``, then executes the copies so every check shows its ✓.

Nothing is lost: ``OUTDIR`` is never the student's ``notebooks/`` nor a folder
inside it, even with ``--force`` (the answers would replace the exercises). A
folder holding files this tool did not write (it lists the ones it wrote, with
their SHA-256, in ``.deconvlib-teacher.json``), or a notebook it wrote and
someone changed since (a teacher's notes), is refused unless ``--force``, which
replaces them. Each notebook is written under a temporary name and renamed
when complete.

Exit status: 0 when every exercise shows its ✓; 1 when a solution fails its
check or a notebook raises (one line each on stderr; the notebooks are written
all the same, showing the ✗), or a solution is missing; 2 for a refused
``OUTDIR`` or a bad argument (one line, nothing written).
"""

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from execute_notebooks import clean, execute  # noqa: E402
from solutions import SOLUTIONS  # noqa: E402

from deconvlib._files import at_risk, atomic_path, record  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: The student's edition, read and never written.
NOTEBOOKS = ROOT / "notebooks"
TAG = "exercise:"
#: The file in ``OUTDIR`` that lists the notebooks this tool wrote there (and their SHA-256).
MANIFEST = ".deconvlib-teacher.json"


class Refused(ValueError):
    """``OUTDIR`` may not be written: the student's notebooks, a file, or a folder holding someone's work."""


class SolutionsFailed(Exception):
    """Some notebooks of the edition do not show ✓: ``problems`` holds one line for each."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(problems))
        self.problems = problems


def exercise_name(cell):
    """``NAME`` of a cell tagged ``exercise:NAME``, or None."""
    names = [tag[len(TAG) :] for tag in cell.get("metadata", {}).get("tags", []) if tag.startswith(TAG)]
    return names[0] if names else None


def answered(nb, solutions=None):
    """``nb`` with every exercise cell's source replaced by its solution (outputs cleared).

    ``solutions``: name → source, default :data:`SOLUTIONS` (``tools/solutions.py``).
    """
    solutions = SOLUTIONS if solutions is None else solutions
    for cell in nb.cells:
        name = exercise_name(cell)
        if name is not None:
            if name not in solutions:
                raise KeyError(f"no solution for exercise {name!r} in tools/solutions.py")
            cell.source = solutions[name]
            cell.outputs, cell.execution_count = [], None
    return nb


def check_outdir(outdir, names, notebooks=None, force=False):
    """Raise :class:`Refused` if writing the notebooks ``names`` into ``outdir`` would lose anything.

    ``outdir`` is refused, ``force`` or not, if it is the student's
    ``notebooks`` or inside it (symbolic links followed); otherwise, without
    ``force``, if it holds files this tool did not write or changed since
    (:func:`deconvlib._files.at_risk`).
    """
    outdir, student = Path(outdir), Path(NOTEBOOKS if notebooks is None else notebooks).resolve()
    where = outdir.resolve()
    if where == student or student in where.parents:
        raise Refused(
            f"{str(outdir)!r} is in the student's edition ({student}): the answers would replace its exercises; "
            "choose another folder (default: teacher/)"
        )
    if outdir.exists() and not outdir.is_dir():
        raise Refused(f"{str(outdir)!r} is a file, not a folder")
    risk = None if force else at_risk(outdir, names, manifest=MANIFEST)
    if risk:
        raise Refused(f"{risk}; choose another folder, or add --force to replace it")


def verdict(cell):
    """What an executed cell shows: its stdout, results (``text/plain``) and errors, joined (not warnings)."""
    shown = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            shown.append(output.get("text", "") if output.get("name") == "stdout" else "")
        elif output.get("output_type") == "error":
            shown.append(f"{output.get('ename')}: {output.get('evalue')}")
        else:
            shown.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(shown).strip()


def failures(path):
    """``(name, first line shown)`` for each exercise of the executed notebook ``path`` whose check is not ✓."""
    found = []
    for cell in nbformat.read(path, as_version=4).cells:
        name = exercise_name(cell)
        shown = verdict(cell) if name is not None else ""
        if name is not None and (not shown.startswith("✓") or "✗" in shown):
            found.append((name, shown.splitlines()[0] if shown else "(the cell shows nothing)"))
    return found


def write(outdir, run=True, force=False, notebooks=None, solutions=None):
    """Write the teacher's edition into ``outdir``; return the notebooks written (Paths).

    ``notebooks``: the student's edition, default :data:`NOTEBOOKS`;
    ``solutions`` as in :func:`answered`.

    Refuses (:class:`Refused`, nothing written) an ``outdir`` that
    :func:`check_outdir` refuses. With ``run``, executes each notebook written
    and raises :class:`SolutionsFailed` at the end if a notebook raised or an
    exercise's check does not show ✓ (every notebook is written all the same).
    """
    outdir = Path(outdir)
    notebooks = NOTEBOOKS if notebooks is None else notebooks
    sources = sorted(Path(notebooks).glob("*.ipynb"))
    check_outdir(outdir, [path.name for path in sources], notebooks, force)
    editions = [(path.name, answered(nbformat.read(path, as_version=4), solutions)) for path in sources]
    outdir.mkdir(parents=True, exist_ok=True)
    written, problems = [], []
    for name, nb in editions:
        target = outdir / name
        with atomic_path(target) as tmp:
            nbformat.write(clean(nb), tmp)
        record(outdir, files=[name], manifest=MANIFEST, writer="tools/teacher_edition.py")
        written.append(target)
        if not run:
            continue
        print(f"executing {target} ...", flush=True)
        try:
            execute(target)
        except CellExecutionError as error:
            problems.append(f"{name}: a cell raised {error.ename}: {error.evalue}")
        else:
            problems += [f"{name}: exercise {exercise}: {shown}" for exercise, shown in failures(target)]
        record(outdir, files=[name], manifest=MANIFEST, writer="tools/teacher_edition.py")
    if problems:
        raise SolutionsFailed(problems)
    return written


def build_parser():
    parser = argparse.ArgumentParser(
        prog="tools/teacher_edition.py",
        description="Write the teacher's edition: every notebook of notebooks/ with its exercises answered "
        "(tools/solutions.py), then executed so that every check shows its ✓.",
    )
    parser.add_argument(
        "outdir",
        nargs="?",
        type=Path,
        default=ROOT / "teacher",
        metavar="OUTDIR",
        help="where to write it (default: teacher/ in the checkout); never notebooks/",
    )
    parser.add_argument("--no-execute", dest="run", action="store_false", help="write the notebooks, do not run them")
    parser.add_argument(
        "--force",
        action="store_true",
        help=f"write into OUTDIR even if it holds files this tool did not write, or changed after writing them "
        f"(see {MANIFEST}): they are replaced",
    )
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        written = write(args.outdir, run=args.run, force=args.force)
    except Refused as error:
        parser.error(f"argument OUTDIR: {error}")
    except KeyError as error:
        print(f"{parser.prog}: {error.args[0]}", file=sys.stderr)
        return 1
    except SolutionsFailed as failed:
        for problem in failed.problems:
            print(f"{parser.prog}: {problem}", file=sys.stderr)
        print(f"{parser.prog}: the edition in {args.outdir} shows these failures (✗ or an error)", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} notebooks to {args.outdir}" + (", every check ✓" if args.run else " (not executed)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
