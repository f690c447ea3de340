"""HTML exports typeset their formulas with no network (issue 23, "Offline maths").

nbconvert's pages load MathJax from a CDN: opened offline, notebook 1's formula shows as
``$$o = s\\,(i-1) + …$$``. ``tools/export_html.py`` (``make html``) writes each notebook's page with
``mathjax/`` beside it, and a teacher's own ``jupyter nbconvert`` does the same with
``--HTMLExporter.mathjax_url=mathjax/nbconvert.js`` and ``tools/offline_mathjax.py``. Here every
notebook is exported with the network cut (MathJax from the download cache), each page is opened
from the disk (``file://``) in Chromium with every other request aborted and counted, and each
formula of the notebook must be typeset, with no raw ``$…$`` left in the text.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import only_from, skip_without_browser
from test_hosting import OFFLINE_ENV

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import offline_mathjax  # noqa: E402

pytest.importorskip("nbconvert")
skip_without_browser("the offline export test")

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Formulas in Markdown: $$…$$ or $…$ (not an escaped \\$).
FORMULA = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$[^$\n]+?\$", re.S)


def formulas(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join("".join(cell["source"]) for cell in nb["cells"] if cell["cell_type"] == "markdown")
    return len(FORMULA.findall(text))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every notebook through ``tools/export_html.py``, and notebook 1 through the documented nbconvert command."""
    offline_mathjax.mathjax_tarball()  # the one download, before the network is cut
    out = tmp_path_factory.mktemp("html")
    tool = [sys.executable, str(ROOT / "tools" / "export_html.py"), "-o", str(out / "tool")]
    done = subprocess.run(tool, capture_output=True, text=True, env=OFFLINE_ENV, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    cli = out / "cli"
    subprocess.run([sys.executable, str(ROOT / "tools" / "offline_mathjax.py"), str(cli)], check=True, env=OFFLINE_ENV)
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--output-dir", str(cli)]
    command += ["--HTMLExporter.mathjax_url=mathjax/nbconvert.js", str(ROOT / "notebooks" / "01_start_here.ipynb")]
    subprocess.run(command, check=True, capture_output=True, env=OFFLINE_ENV, timeout=600)
    return out


#: In a page: wait for MathJax, then the typeset formulas and the Markdown's text without them and without code.
TYPESET = """async () => {
  if (!window.MathJax || !MathJax.startup) return [-1, "", ""];
  await MathJax.startup.promise;
  const text = [...document.querySelectorAll(".jp-RenderedMarkdown")].map((md) => {
    const copy = md.cloneNode(true);
    copy.querySelectorAll("mjx-container, pre, code").forEach((e) => e.remove());
    return copy.textContent;
  }).join("\\n");
  const spoken = [...document.querySelectorAll("mjx-assistive-mml")].map((m) => m.textContent).join(" ");
  return [document.querySelectorAll(".jp-RenderedMarkdown mjx-container").length, text, spoken];
}"""


def open_offline(browser, page_file):
    """The page from the disk, every request that is not a file aborted.

    Returns (formulas typeset, the Markdown's text without them, their MathML text, the aborted URLs).
    """
    context = browser.new_context()
    aborted = only_from(context, "file://")
    page = context.new_page()
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    count, text, spoken = page.evaluate(TYPESET)
    context.close()
    return count, text, spoken, aborted


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_export_shows_every_formula_typeset_with_the_network_cut(exported, browser, path):
    page = exported / "tool" / f"{path.stem}.html"
    assert (exported / "tool" / "mathjax" / "tex-chtml.js").is_file()
    count, text, spoken, aborted = open_offline(browser, page)
    assert aborted == [], f"{page.name} asked another origin for {aborted}"
    assert count == formulas(path), f"{page.name}: {count} formulas typeset, the notebook has {formulas(path)}"
    assert not FORMULA.search(text), f"{page.name}: raw TeX left: {FORMULA.search(text).group(0)!r}"
    if path.stem == "01_start_here":  # \text{output\_padding}: an underscore, as LaTeX reads it
        assert "output_padding" in spoken and "\\" not in spoken, spoken


def test_the_documented_nbconvert_command_typesets_offline_too(exported, browser):
    count, text, spoken, aborted = open_offline(browser, exported / "cli" / "01_start_here.html")
    assert count == formulas(ROOT / "notebooks" / "01_start_here.ipynb") >= 1
    assert not FORMULA.search(text) and "output_padding" in spoken
    # nbconvert's own require.js (for widgets the stored notebooks do not keep) is the one request that leaves
    assert all("require" in url for url in aborted), aborted


def test_nbconvert_alone_would_load_mathjax_from_a_cdn():
    """Why the tool exists: nbconvert's default page asks a CDN for MathJax (and so shows raw TeX offline)."""
    from nbconvert import HTMLExporter

    sys.path.insert(0, str(ROOT / "tools"))
    import export_html

    assert HTMLExporter().mathjax_url.startswith("https://")
    assert export_html.exporter().mathjax_url == "mathjax/nbconvert.js"


def test_a_mathjax_folder_it_did_not_write_is_refused_and_left_as_it_was(tmp_path):
    (tmp_path / "mathjax").mkdir()
    (tmp_path / "mathjax" / "notes.txt").write_text("mine")
    tool = [sys.executable, str(ROOT / "tools" / "export_html.py"), "-o", str(tmp_path), str(NOTEBOOKS[0])]
    done = subprocess.run(tool, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "not a MathJax this tool wrote" in done.stderr, done.stderr
    assert [p.name for p in tmp_path.rglob("*")] == ["mathjax", "notes.txt"]
    done = subprocess.run([*tool[:2], str(tmp_path / "no-such.ipynb")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "no such notebook" in done.stderr
