"""Sphinx configuration of the course book (``make book``, ``tools/build_book.py``).

The sources are not here: ``tools/build_book.py`` stages the notebooks (``notebooks/``) and the
book's pages (its ``PAGES``) under ``build/book/src/`` with the repository's layout, adds the table
of contents to the staged index, and runs Sphinx on them with this folder as the configuration.
myst-nb reads each notebook with its stored outputs (nothing is executed); MathJax is the local copy
that the build puts in ``build/book/static/mathjax/`` (no CDN); every page gets a "Run it live"
button into the JupyterLite site, which the deploy publishes under the book (``lite/``).
"""

import os
import posixpath
import sys
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from offline_mathjax import TEXT_MACROS  # noqa: E402

BUILD = Path(os.environ.get("DECONVLIB_BOOK_BUILD", Path(__file__).resolve().parents[1] / "build" / "book"))

project = "deconvlib: transposed convolution, exactly and interactively"
author = "The deconvlib authors"
copyright = "the deconvlib authors (MIT licence)"
root_doc = "notebooks/00_index"
language = "en"

extensions = ["myst_nb"]
# the stored outputs, exactly as committed: a book reads with no kernel
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# MathJax 3 from the build's local copy (tools/offline_mathjax.py), relative to _static/
html_static_path = ["_static", str(BUILD / "static")]
mathjax_path = "mathjax/tex-chtml.js"
# \text{output\_padding} as LaTeX reads it
mathjax3_config = TEXT_MACROS

html_theme = "sphinx_book_theme"
html_title = "deconvlib course"
# the download button gives the notebook (tools/build_book.py puts back the index's own, without the contents)
html_copy_source = True
html_show_sourcelink = False
html_sourcelink_suffix = ""
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    # the pydata theme's icons and fonts are in the theme; nothing is loaded from another origin
    "navigation_with_keys": False,
}
html_css_files = ["book.css"]

#: Where the deploy puts the JupyterLite site, relative to the book's root (.github/workflows/site.yml).
LITE = "lite"


def live_links(docname, binder_repo):
    """The buttons on top of a page: the notebook live in the site (and on Binder when a repository is set).

    ``docname`` is Sphinx's (``notebooks/01_start_here``); links are relative to the page, so the
    book works wherever it is published, with the site beside it under ``lite/``.
    """
    root = "../" * docname.count("/")
    folder, name = posixpath.split(docname)
    if folder == "notebooks":
        notebook = f"{name}.ipynb"
        links = [
            (
                f"{root}{LITE}/lab/index.html?path={notebook}",
                "Run it live",
                f"Run {notebook} in your browser (JupyterLite, nothing to install)",
            )
        ]
        if binder_repo:
            links.append(
                (
                    f"https://mybinder.org/v2/gh/{binder_repo}/HEAD?urlpath=lab/tree/notebooks/{notebook}",
                    "Open on Binder",
                    f"Open {notebook} in JupyterLab on mybinder.org",
                )
            )
    else:
        links = [(f"{root}{LITE}/index.html", "Run the course live", "The notebooks in your browser (JupyterLite)")]
    buttons = "".join(
        f'<a class="deconvlib-live" href="{escape(href)}" title="{escape(title)}">{escape(text)}</a>'
        for href, text, title in links
    )
    return f'<nav class="deconvlib-live-bar" aria-label="Run this page">{buttons}</nav>'


def add_live_links(app, pagename, templatename, context, doctree):
    if doctree is not None and "body" in context:
        context["body"] = live_links(pagename, app.config.deconvlib_binder_repo) + context["body"]


def setup(app):
    # -D deconvlib_binder_repo=OWNER/REPO (tools/build_book.py --binder): Binder buttons
    app.add_config_value("deconvlib_binder_repo", "", "html")
    app.connect("html-page-context", add_live_links)
