"""Accessibility of the offline JupyterLite site (issue 23): axe-core on every notebook after Run All, and its pages.

The site, its server and the browser (every other origin behind a dead proxy) are
``tests/site/test_site.py``'s fixtures; axe-core comes from ``tests/axe_support.py`` (npm, injected
by Playwright). For each notebook, after Run All in Pyodide: no ``serious`` or ``critical``
violation in the notebook's outputs and rendered Markdown (JupyterLite's chrome is left out, as in
``tests/course/test_browser_a11y.py``), and every explorer's ``<img>`` has a non-empty alt text. The
landing page and the gallery are checked whole. Figures go to ``tests/artifacts/a11y_figures.txt``.
"""

import json

import pytest
import test_site
from axe_support import run_axe, serious
from test_site import ARTIFACTS, KERNEL_READY, NOTEBOOKS, RUN_ALL, wait_for_notebook

#: test_site.py's fixtures: the site built offline, served from a thread, one browser context.
site, origin, requests_seen, context = test_site.site, test_site.origin, test_site.requests_seen, test_site.context

#: The notebook's content, as in the JupyterLab test.
CONTENT = [
    ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea",
    ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownOutput",
]


def record(line):
    ARTIFACTS.mkdir(exist_ok=True)
    print(line)
    with open(ARTIFACTS / "a11y_figures.txt", "a") as out:
        out.write(line + "\n")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_axe_finds_no_serious_violation_in_a_site_notebook(context, origin, requests_seen, notebook):
    page = context.new_page()
    try:
        page.goto(f"{origin}/lab/index.html?path={notebook}")
        wait_for_notebook(page, notebook)
        assert page.evaluate(KERNEL_READY, notebook) == "python"
        ok, _ = page.evaluate(RUN_ALL)
        assert ok, f"{notebook}: Run All Cells reports a failed cell"
        if not notebook.startswith("00_index"):
            page.wait_for_selector(".deconvlib-explorer .widget-output img", timeout=60_000)
        violations = run_axe(page, include=CONTENT)
        found = {v["id"]: (v["impact"], len(v["nodes"])) for v in violations}
        record(f"site {notebook}: axe in the content: {json.dumps(found) if found else 'no violation'}")
        assert not serious(violations), f"{notebook}:\n" + "\n".join(serious(violations))
        alts = page.eval_on_selector_all(
            ".jp-NotebookPanel:not(.lm-mod-hidden) .deconvlib-explorer .widget-output img",
            "els => els.map(e => e.getAttribute('alt'))",
        )
        assert all(alt and alt.strip() for alt in alts), f"{notebook}: explorer images without alt: {alts}"
        assert alts or notebook.startswith("00_index"), f"{notebook}: no explorer image"
    finally:
        page.close()
    assert requests_seen.external == []


@pytest.mark.parametrize("path", ["", "gallery/index.html"])
def test_axe_finds_no_serious_violation_on_the_sites_pages(context, origin, path):
    page = context.new_page()
    try:
        page.goto(f"{origin}/{path}")
        page.wait_for_load_state("load")
        violations = run_axe(page)
        found = {v["id"]: (v["impact"], len(v["nodes"])) for v in violations}
        record(f"site /{path}: axe: {json.dumps(found) if found else 'no violation'}")
        assert not serious(violations), f"/{path}:\n" + "\n".join(serious(violations))
        alts = page.eval_on_selector_all("img", "els => els.map(e => e.getAttribute('alt'))")
        assert all(alt and alt.strip() for alt in alts), f"/{path}: images without alt"
    finally:
        page.close()
