"""Export notebooks to HTML that shows its formulas with no network (a USB stick, a room offline).

    python3 tools/export_html.py                          # every notebook into _html/ (make html)
    python3 tools/export_html.py notebooks/01_start_here.ipynb -o DIR

Each notebook becomes ``DIR/NAME.html`` (``jupyter nbconvert --to html``, its stored outputs, nothing
executed), with ``DIR/mathjax/`` beside it (``tools/offline_mathjax.py``: MathJax 3 from npm). The
pages load MathJax from that folder instead of nbconvert's default CDN, so copy the whole folder:
the pages and ``mathjax/`` together. Exit status 2 when a notebook is missing, or when
``DIR/mathjax`` exists and was not written by this tool (it is replaced at every export).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import offline_mathjax  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: The page's MathJax, relative to the page: the loader that configures MathJax 3 like nbconvert's template.
MATHJAX_URL = "mathjax/nbconvert.js"


#: nbconvert's JupyterLab template without its require.js from a CDN: the stored notebooks keep no widget
#: views (tests/test_static_export.py), so nothing on the page uses it, and offline it is a failed request.
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{% block html_head_js_requirejs %}{% endblock html_head_js_requirejs %}
"""


def exporter():
    """nbconvert's HTML exporter (JupyterLab's look), loading MathJax from ``mathjax/`` beside the page."""
    import jinja2
    from nbconvert import HTMLExporter

    loader = jinja2.DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})
    return HTMLExporter(mathjax_url=MATHJAX_URL, extra_loaders=[loader], template_file="offline.html.j2")


def export(notebooks, output):
    """Write ``output/NAME.html`` for each notebook and ``output/mathjax/``; return the pages written."""
    import nbformat

    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    offline_mathjax.install(output / "mathjax")  # refuses a mathjax/ it did not write
    html = exporter()
    pages = []
    for path in notebooks:
        body, _ = html.from_notebook_node(nbformat.read(path, as_version=4))
        page = output / (Path(path).stem + ".html")
        page.write_text(body, encoding="utf-8")
        pages.append(page)
        print(f"[html] {page}", flush=True)
    return pages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook of notebooks/")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "_html", help="default: _html/")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        print(f"[html] no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        export(notebooks, args.output)
    except FileExistsError as error:
        print(f"[html] {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
