"""Build the course book: the notebooks as a static book that reads with no kernel (``make book``).

    python3 tools/build_book.py                          # _book/, then open _book/index.html
    python3 tools/build_book.py --binder OWNER/REPO      # with "Open on Binder" buttons
    python3 tools/build_book.py --output DIR

The index notebook is the home page, every other notebook a chapter in the order of their
names, then the pages listed in :data:`PAGES` (the gallery, …). The notebooks are read with
their stored outputs, nothing is executed: the book shows the figures that are committed.
Sphinx with myst-nb and the Jupyter Book theme (``deconvlib[book]``, ``book/conf.py``), run with
``-W``: a warning fails the build. Formulas are typeset by a local MathJax
(``tools/offline_mathjax.py``), so the book makes no request to another origin.

Each page has a "Run it live" button into the JupyterLite site (``make site``), relative to the
book: ``lite/lab/index.html?path=NAME.ipynb``. The deploy (``.github/workflows/site.yml``)
publishes the book at the root and the site under ``lite/``; ``make serve-book`` shows the same
layout on this machine.

Once MathJax is in the download cache (``build/site/downloads/``), a build needs no network.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import offline_mathjax  # noqa: E402
from build_site import SOURCE_FOLDERS, landing_order  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "book"
SOURCE = BUILD / "src"
OUTPUT = ROOT / "_book"
CONF = ROOT / "book"

#: The book's pages after the chapters, in this order: Markdown files of the repository, one line each.
#: The images and files a page links to are taken along (the gallery's GIFs); its links to a notebook
#: or to another page are links inside the book (to a Markdown file that is not a page: a warning).
PAGES = [
    "docs/gallery/index.md",
    "docs/teaching.md",
    "docs/grading.md",
]

#: ``[text](target)`` and ``src="target"`` in a page: what it needs beside it.
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|\bsrc=\"([^\"]+)\"")

#: The book's home page, with the site's landing page's name for the index notebook.
HOME = "00_index"


def chapters():
    """The notebooks in the book's order: the index first, then by name."""
    return landing_order(sorted((ROOT / "notebooks").glob("*.ipynb")))


def toctree(caption, entries):
    """A hidden MyST toctree: the sidebar's list (the index notebook's own links stay the reader's way in)."""
    lines = "\n".join(f"/{entry}" for entry in entries)
    return f"```{{toctree}}\n:hidden:\n:caption: {caption}\n\n{lines}\n```\n"


def stage_index(path, target):
    """The index notebook with one more Markdown cell: the table of contents (hidden; the sidebar shows it)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    chapters_ = [f"notebooks/{p.stem}" for p in chapters() if p.stem != HOME]
    pages = [str(Path(page).with_suffix("")) for page in PAGES]
    source = toctree("Chapters", chapters_) + ("\n" + toctree("More", pages) if pages else "")
    cell = {"cell_type": "markdown", "id": "deconvlib-book-toc", "metadata": {}, "source": source}
    nb["cells"].append(cell)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


#: Documents: a page's link to one is a link inside the book (a notebook, another page), never a file taken along.
DOCUMENTS = {".md", ".ipynb", ".rst"}


def local_targets(page):
    """The repository files a Markdown page links to or shows (relative paths that exist), but documents."""
    found = []
    for match in LINK.finditer(page.read_text(encoding="utf-8")):
        target = (match.group(1) or match.group(2)).split("#")[0]
        if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("/"):
            continue
        path = (page.parent / target).resolve()
        if path.is_file() and path.is_relative_to(ROOT) and path.suffix not in DOCUMENTS:
            found.append(path)
    return found


def stage():
    """``build/book/src/``: the notebooks and the pages, where they are in the repository."""
    if SOURCE.exists():
        shutil.rmtree(SOURCE)
    (SOURCE / "notebooks").mkdir(parents=True)
    for path in chapters():
        target = SOURCE / "notebooks" / path.name
        if path.stem == HOME:
            stage_index(path, target)
        else:
            shutil.copy2(path, target)
    for page in PAGES:
        source = ROOT / page
        if not source.is_file():
            raise SystemExit(f"[book] {page} (in PAGES of tools/build_book.py) does not exist")
        for path in [source, *local_targets(source)]:
            target = SOURCE / path.relative_to(ROOT)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)


#: ``index.html`` at the book's root: the home page is the index notebook's.
REDIRECT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=notebooks/{home}.html">
<title>deconvlib course</title></head>
<body><p><a href="notebooks/{home}.html">The course book starts here.</a></p></body></html>
"""


def sphinx_command(output, binder=""):
    """The Sphinx build (warnings are errors), as ``make book`` runs it and the book's test repeats it."""
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-E"]
    command += ["-c", CONF, "-d", BUILD / "doctrees", SOURCE, output]
    if binder:
        command += ["-D", f"deconvlib_binder_repo={binder}"]
    return [str(part) for part in command]


#: The first line of the ``.gitignore`` the build leaves in the book: a folder with it may be replaced.
MARK = "# built by tools/build_book.py"


def check_output(output):
    """Refuse the checkout, a parent of it, a source folder, or a non-empty folder this tool did not build."""
    protected = [ROOT, Path.home().resolve(), *ROOT.parents] + [ROOT / name for name in SOURCE_FOLDERS + ["book"]]
    if output in protected or any(output.is_relative_to(ROOT / name) for name in SOURCE_FOLDERS + ["book"]):
        raise SystemExit(f"[book] refusing to build the book into {output}: it would replace the checkout's own files")
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        mark = output / ".gitignore"
        if not (mark.is_file() and mark.read_text().startswith(MARK)):
            raise SystemExit(f"[book] {output} holds files that tools/build_book.py did not write: choose another")


def build(output=OUTPUT, binder=""):
    """Stage, fetch MathJax, run Sphinx into ``output``; return Sphinx's result (stderr holds its warnings)."""
    start = time.monotonic()
    output = Path(output).resolve()
    check_output(output)
    stage()
    offline_mathjax.install(BUILD / "static" / "mathjax")
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    (output / ".gitignore").write_text(MARK + "\n*\n")  # first: a failed build can be replaced too
    # Sphinx writes into build/book/html: myst-nb puts the notebooks' images in a jupyter_execute/
    # beside Sphinx's output folder, which for _book/ would be the checkout itself.
    html = BUILD / "html"
    if html.exists():
        shutil.rmtree(html)
    done = subprocess.run(sphinx_command(html, binder), capture_output=True, text=True)
    if done.returncode == 0:
        shutil.copytree(html, output, dirs_exist_ok=True)
        (output / "index.html").write_text(REDIRECT.format(home=HOME), encoding="utf-8")
        # the download button's file: the index as it is in the course, without the staged table of contents
        shutil.copy2(ROOT / "notebooks" / f"{HOME}.ipynb", output / "_sources" / "notebooks" / f"{HOME}.ipynb")
        print(f"[book] built {output} in {time.monotonic() - start:.0f} s, 0 warnings", flush=True)
    return done


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where the book goes (default: _book/)")
    parser.add_argument("--binder", default="", help="OWNER/REPO on GitHub: an 'Open on Binder' button per notebook")
    args = parser.parse_args(argv)
    if args.binder and not re.fullmatch(r"[\w.-]+/[\w.-]+", args.binder):
        parser.error(f"--binder wants OWNER/REPO, got {args.binder!r}")
    done = build(args.output, args.binder)
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        warnings = sum("WARNING" in line or "ERROR" in line for line in done.stderr.splitlines())
        print(f"[book] BUILD FAILED ({warnings} warnings or errors above)", file=sys.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
