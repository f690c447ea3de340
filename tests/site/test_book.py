"""The course book (``make book``): built offline with no warning, read in Chromium with no other origin.

The fixture builds the book as ``make book`` does (``tools/build_book.py``) with the network cut
(a proxy that does not exist, pip without an index, npm offline: the MathJax tarball must come
from the download cache, which the fixture fills first), into a folder laid out as the deploy
publishes it: the book at the root, the JupyterLite site (``_site/``, built by the site tests'
fixture when it is not up to date) under ``lite/``. Chromium then reads every page it can reach
from ``index.html``, every request to another origin aborted and counted: each page's figures
decode, each internal link (and its ``#anchor``) resolves, the formulas are typeset by the local
MathJax and no raw ``$…$`` is left, the "Run it live" button of each notebook's page points at
that notebook in the site (and one, pressed, opens it there), and axe-core finds no serious or
critical violation in the page's content (``main``: the article and its table of contents).
"""

import functools
import http.server
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urldefrag, urlsplit

import pytest
from browser_support import PANEL, only_from, skip_without_browser
from test_hosting import OFFLINE_ENV, site  # noqa: F401  (site: the offline _site/, built unless up to date)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402
import offline_mathjax  # noqa: E402

pytest.importorskip("myst_nb", reason="the book extra is not installed (pip install -e '.[book]')")
pytest.importorskip("sphinx_book_theme", reason="the book extra is not installed (pip install -e '.[book]')")
sync_api = skip_without_browser("the book test")

CHAPTERS = [p.stem for p in build_book.chapters()]
BUILD_BOOK = [sys.executable, str(ROOT / "tools" / "build_book.py")]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """``tools/build_book.py`` (what ``make book`` runs) offline into ``deploy/``: (folder, result, seconds)."""
    offline_mathjax.mathjax_tarball()  # the one download: into the cache before the network is cut
    deploy = tmp_path_factory.mktemp("deploy") / "book"
    start = time.monotonic()
    done = subprocess.run(
        [*BUILD_BOOK, "--output", str(deploy)],
        capture_output=True,
        text=True,
        env=OFFLINE_ENV,
        timeout=900,
    )
    seconds = time.monotonic() - start
    print(f"\n[book] built in {seconds:.0f} s")
    return deploy, done, seconds


def test_make_book_builds_offline_with_no_warning(book):
    deploy, done, _ = book
    assert done.returncode == 0, done.stderr[-5000:]
    assert "WARNING" not in done.stderr and "ERROR" not in done.stderr, done.stderr[-5000:]
    assert "-W" in build_book.sphinx_command(deploy)  # a warning would have failed it
    assert not (ROOT / "jupyter_execute").exists(), "the build left myst-nb's images in the checkout"


def test_every_figure_of_the_book_carries_a_description(book):
    """The stored figures reach the book as the ``<img alt>`` of their HTML output (issue 23), not as a
    PNG that myst-nb would label with its own file name."""
    deploy = book[0]
    images = [
        (page.name, tag)
        for page in sorted((deploy / "notebooks").glob("*.html"))
        for tag in re.findall(r"<img [^>]*>", page.read_text(encoding="utf-8"))
    ]
    assert len(images) >= 30
    for page, tag in images:
        alt = re.search(r'alt="([^"]*)"', tag)
        assert alt and len(alt.group(1)) > 20 and not alt.group(1).endswith(".png"), (page, tag[:300])


def test_make_book_installs_the_book_extra_and_runs_the_build(tmp_path):
    """On a machine without a venv: the `book` extra alone (Sphinx, myst-nb, the theme), then the build above."""
    venv = f"VENV={tmp_path / 'venv'}"
    dry = subprocess.run(["make", "--no-print-directory", "-n", "book", venv], cwd=ROOT, capture_output=True, text=True)
    lines = dry.stdout.strip().splitlines()
    installs = [line for line in lines if " install " in line and "--upgrade pip" not in line]
    assert installs and all(line.endswith("-e '.[book]'") for line in installs), dry.stdout
    assert lines[-1].endswith("python tools/build_book.py"), dry.stdout
    binder = subprocess.run(
        ["make", "--no-print-directory", "-n", "book", "BINDER=me/course", venv],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert binder.stdout.strip().splitlines()[-1].endswith("tools/build_book.py --binder me/course")


def test_the_index_is_home_and_every_notebook_a_chapter_in_order_then_the_pages(book):
    deploy, done, _ = book
    assert done.returncode == 0, done.stderr[-3000:]
    assert CHAPTERS[0] == "00_index" and sorted(CHAPTERS[1:]) == CHAPTERS[1:]
    assert 'url=notebooks/00_index.html"' in (deploy / "index.html").read_text()
    home = (deploy / "notebooks" / "00_index.html").read_text()
    nav = home[home.index('class="bd-sidebar-primary') :]
    order = re.findall(r'class="reference internal" href="([^"]+)"', nav[: nav.index("</nav>")])
    pages = [f"../{Path(page).with_suffix('.html')}" for page in build_book.PAGES]
    assert order == ["#"] + [f"{stem}.html" for stem in CHAPTERS[1:]] + pages  # "#": the home page itself
    for stem in CHAPTERS:
        assert (deploy / "notebooks" / f"{stem}.html").is_file()
    assert "docs/gallery/index.md" in build_book.PAGES


@pytest.mark.parametrize("where", [".", "..", "notebooks", "book", "docs/gallery"])
def test_the_checkout_and_its_sources_are_never_the_output(where):
    done = subprocess.run([*BUILD_BOOK, "--output", str(ROOT / where)], capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "would replace the checkout's own files" in done.stderr, done.stderr
    assert (ROOT / "notebooks" / "01_start_here.ipynb").is_file() and (ROOT / "book" / "conf.py").is_file()


def test_a_folder_it_did_not_build_is_refused_and_left_as_it_was(tmp_path):
    (tmp_path / "thesis.txt").write_text("x")
    done = subprocess.run([*BUILD_BOOK, "--output", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "did not write" in done.stderr, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["thesis.txt"]


def test_a_binder_repository_adds_a_binder_button_to_each_notebook():
    sys.path.insert(0, str(ROOT / "book"))
    import conf

    bar = conf.live_links("notebooks/03_padding", "someone/course")
    assert 'href="../lite/lab/index.html?path=03_padding.ipynb"' in bar
    assert 'href="https://mybinder.org/v2/gh/someone/course/HEAD?urlpath=lab/tree/notebooks/03_padding.ipynb"' in bar
    assert "mybinder" not in conf.live_links("notebooks/03_padding", "")
    assert 'href="../../lite/index.html"' in conf.live_links("docs/gallery/index", "someone/course")


@pytest.fixture(scope="module")
def origin(book, site):  # noqa: F811 (site: the fixture imported above)
    """The book with the site under ``lite/``, as the deploy publishes them, served from a thread."""
    deploy, done, _ = book
    assert done.returncode == 0, done.stderr[-3000:]
    (deploy / "lite").symlink_to(site, target_is_directory=True)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(deploy)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


#: In a page: every image decoded (lazy ones made eager first): [src, naturalWidth, alt].
IMAGES = """async () => Promise.all([...document.images].map((img) => {
  img.loading = "eager";
  return img.decode().then(() => [img.currentSrc, img.naturalWidth, img.alt], () => [img.currentSrc, 0, img.alt]);
}))"""

#: In a page: the content's text without code, where a formula left untypeset would show as ``$…$``.
PROSE = """() => {
  const main = document.querySelector("main").cloneNode(true);
  main.querySelectorAll("pre, code, .highlight, mjx-container, script").forEach((e) => e.remove());
  return main.textContent;
}"""

#: In a page: Sphinx's maths elements and how many of them MathJax typeset.
MATHS = """async () => {
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  const maths = [...document.querySelectorAll("main .math")];
  return [maths.length, maths.filter((m) => m.querySelector("mjx-container")).length,
          [...document.scripts].map((s) => s.src).filter((s) => s.includes("mathjax")),
          [...document.querySelectorAll("mjx-assistive-mml")].map((m) => m.textContent).join(" ")];
}"""


@pytest.fixture(scope="module")
def crawl(origin, browser):
    """Every page reachable from index.html in the book (not into lite/), what it shows and links to."""
    try:
        from axe_support import run_axe  # tests/axe_support.py: axe-core from npm, injected
    except ImportError:
        run_axe = None
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    external = only_from(context, origin + "/")
    page = context.new_page()
    page.goto(origin + "/index.html")  # the book's root sends the reader to the home page
    page.wait_for_url(origin + "/notebooks/00_index.html")
    seen, todo, pages = set(), [page.url], {}
    while todo:
        url = todo.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        page.wait_for_load_state("load")
        path = urlsplit(page.url).path
        info = {
            "status": response.status if response else None,
            "images": page.evaluate(IMAGES),
            "links": page.evaluate("() => [...document.querySelectorAll('main a, nav a')].map(a => a.href)"),
            "live": page.evaluate("() => [...document.querySelectorAll('a.deconvlib-live')].map(a => a.href)"),
            "maths": page.evaluate(MATHS),
            "prose": page.evaluate(PROSE),
            "ids": page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)"),
            "main": page.locator("main").count(),  # what axe checks: the article and its contents
            "axe": run_axe and [v for v in run_axe(page, include=["main"]) if v["impact"] in ("serious", "critical")],
        }
        pages[path] = info
        for link in info["links"]:
            target, _ = urldefrag(link)
            # a book page, not the site under lite/ nor a file offered for download (the formula sheet)
            if target.startswith(origin + "/") and target.endswith(".html") and "/lite/" not in target:
                if "/_downloads/" not in target:
                    todo.append(target)
    context.close()
    return {"pages": pages, "external": external}


def test_the_crawl_reaches_every_chapter_and_page_and_nothing_leaves_the_origin(crawl):
    pages = crawl["pages"]
    for stem in CHAPTERS:
        assert f"/notebooks/{stem}.html" in pages
    for page in build_book.PAGES:
        assert "/" + str(Path(page).with_suffix(".html")) in pages
    assert all(info["status"] == 200 for info in pages.values()), {p: i["status"] for p, i in pages.items()}
    assert crawl["external"] == []


def test_every_figure_of_every_page_loads(crawl):
    figures = 0
    for path, info in crawl["pages"].items():
        broken = [src for src, width, _ in info["images"] if width == 0]
        assert not broken, f"{path}: images that do not load: {broken}"
        figures += len(info["images"])
    assert figures >= 40  # the notebooks' stored figures and the gallery's GIFs


def test_every_internal_link_resolves(book, origin, crawl):
    deploy = book[0]
    checked = 0
    for path, info in crawl["pages"].items():
        for link in info["links"]:
            target, anchor = urldefrag(link)
            if not target.startswith(origin + "/") or "/lite/" in target:
                continue
            file = deploy / urlsplit(target).path.lstrip("/")
            assert file.is_file(), f"{path} links to {link}: no such file in the book"
            if anchor and target.endswith(".html"):
                ids = crawl["pages"].get(urlsplit(target).path, {}).get("ids")
                if ids is None:
                    ids = re.findall(r'\bid="([^"]+)"', file.read_text())
                assert anchor in ids, f"{path} links to {link}: no #{anchor} there"
            checked += 1
    assert checked >= 100


def test_formulas_are_typeset_offline_and_no_raw_dollar_maths_is_left(crawl):
    typeset = 0
    for path, info in crawl["pages"].items():
        count, done, scripts, spoken = info["maths"]
        assert done == count, f"{path}: MathJax typeset {done} of {count} formulas"
        typeset += done
        assert all(urlsplit(src).path.startswith("/_static/mathjax/") for src in scripts), scripts
        assert not re.search(r"\$[^$\s][^$]*\$", info["prose"]), f"{path}: raw $...$ in the text"
        assert "\\(" not in info["prose"] and "\\[" not in info["prose"], f"{path}: raw \\( or \\[ in the text"
        if path.endswith("/01_start_here.html"):  # \text{output\_padding}: an underscore, as LaTeX reads it
            assert "output_padding" in spoken and "\\" not in spoken, spoken
    assert typeset >= 2  # notebook 1's formula and notebook 5's


def test_every_notebook_page_has_a_live_button_to_the_same_notebook_in_the_site(origin, site, crawl):  # noqa: F811
    assert (site / "lab" / "index.html").is_file()
    for stem in CHAPTERS:
        live = crawl["pages"][f"/notebooks/{stem}.html"]["live"]
        assert live, f"{stem}: no Run-it-live button"
        url = urlsplit(live[0])
        assert f"{url.scheme}://{url.netloc}" == origin and url.path == "/lite/lab/index.html", live[0]
        (notebook,) = parse_qs(url.query)["path"]
        assert notebook == f"{stem}.ipynb"
        served = json.loads((site / "files" / notebook).read_text())
        served["metadata"].pop("deconvlib")  # the course version the site stamps in (tools/site_course.js)
        assert served == json.loads((ROOT / "notebooks" / notebook).read_text())
    for page in build_book.PAGES:
        live = crawl["pages"]["/" + str(Path(page).with_suffix(".html"))]["live"]
        assert live and urlsplit(live[0]).path == "/lite/index.html" and (site / "index.html").is_file()


def test_the_live_button_opens_that_notebook_in_the_site(origin, browser):
    context = browser.new_context()
    only_from(context, origin + "/")
    page = context.new_page()
    chapter = CHAPTERS[-1]
    page.goto(f"{origin}/notebooks/{chapter}.html")
    page.click("a.deconvlib-live")
    page.wait_for_url(f"{origin}/lite/lab/index.html*")
    page.wait_for_function(PANEL, arg=f"{chapter}.ipynb", timeout=90_000)  # open in the site's lab
    context.close()


def test_axe_finds_no_serious_or_critical_violation_in_the_book(crawl):
    if any(info["axe"] is None for info in crawl["pages"].values()):
        pytest.skip("tests/axe_support.py is absent")
    assert all(info["main"] == 1 for info in crawl["pages"].values())  # axe had content to check on every page
    found = {
        path: [f"{v['id']} ({v['impact']}): {len(v['nodes'])} × {v['nodes'][0]['target']}" for v in info["axe"]]
        for path, info in crawl["pages"].items()
        if info["axe"]
    }
    assert not found, json.dumps(found, indent=1)
