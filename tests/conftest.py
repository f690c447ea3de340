"""What the tests share: the repository's paths, Chromium for the browser tests, a Python with numpy alone.

pytest reads this file before any test module. With pytest's default import mode
and no ``__init__.py`` in ``tests/``, the folder of this file and of each test
module is on ``sys.path``, so the helpers beside them (``browser_support``,
``viz/readable_support``) import by name. ``tools/`` is added here, once, for the
tests of the course's editions (``tools/solutions.py``, ``tools/teacher_edition.py``).
"""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

from browser_support import CHROMIUM, FLAGS  # noqa: E402


def pytest_addoption(parser):
    parser.addoption(
        "--latency",
        action="store_true",
        help="browser test: open every lesson in JupyterLab and time each explorer's slider "
        "(keydown to new figure, 12 moves; figures for the README, not assertions)",
    )


def pytest_collection_modifyitems(config, items):
    """The longest file first: the site's notebooks in Pyodide (about 4 of the suite's 5 minutes on one
    worker), so that under ``-n`` (pyproject's addopts) the other worker runs the rest meanwhile."""
    items.sort(key=lambda item: not item.nodeid.startswith("tests/site/test_site.py"))


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright; one per test module.

    Module-scoped: Playwright runs an event loop of its own while it is open, and
    the notebooks' nbval tests, which come later in the run, start theirs.
    """
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def numpy_alone(tmp_path_factory):
    """Command and environment for a Python that sees the standard library, numpy and the checkout only.

    Returns ``([python, "-S", "-s"], env)``: what a newcomer who installed
    ``deconvlib`` without an extra has, to run the core and meet the messages
    that name the extra a layer needs.
    """
    import numpy as np

    site = tmp_path_factory.mktemp("numpy_alone")
    numpy_dir = Path(np.__file__).parent
    (site / "numpy").symlink_to(numpy_dir)
    libs = numpy_dir.parent / "numpy.libs"
    if libs.exists():
        (site / "numpy.libs").symlink_to(libs)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(site)])
    # -S: no site-packages (so no matplotlib, no editable-install hook); -s: no user site.
    return [sys.executable, "-S", "-s"], env
