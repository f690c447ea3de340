"""axe-core, the accessibility checker, for the browser tests: fetched once from npm, injected by Playwright.

:func:`axe_source` is the text of ``axe.min.js`` from the npm package :data:`AXE`, packed once with
``npm pack`` into ``build/npm/`` (gitignored) and checked against its npm integrity each time;
:func:`run_axe` injects it into a Playwright page (through the DevTools protocol, so no page's
Content-Security-Policy is in the way) and returns the violations of the part of the page asked for.
"""

import base64
import hashlib
import shutil
import subprocess
import tarfile
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Where ``npm pack`` leaves the package (gitignored, like the site's downloads).
CACHE = ROOT / "build" / "npm"
#: ``(name, version, npm integrity)`` of the axe-core used.
AXE = (
    "axe-core",
    "4.14.1",
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
)
#: The impacts that fail a test ("minor" and "moderate" ones are reported, not failed).
SERIOUS = ("serious", "critical")


def _tarball():
    """The axe-core package, ``npm pack``-ed into :data:`CACHE` once; skips the test where npm cannot fetch it."""
    name, version, integrity = AXE
    path = CACHE / f"{name}-{version}.tgz"
    if not path.exists():
        if shutil.which("npm") is None:
            pytest.skip("npm is needed once to fetch axe-core (apt-get install npm)")
        CACHE.mkdir(parents=True, exist_ok=True)
        command = ["npm", "pack", "--silent", "--pack-destination", str(CACHE), f"{name}@{version}"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not path.exists():
            pytest.skip(f"npm pack {name}@{version} failed (no registry?): {done.stderr.strip()[-300:]}")
    algorithm, digest = integrity.split("-", 1)
    got = base64.b64encode(hashlib.new(algorithm, path.read_bytes()).digest()).decode("ascii")
    if got != digest:
        raise AssertionError(f"{path}: {algorithm} {got}, expected {digest} (npm integrity). Delete it to retry.")
    return path


@lru_cache(maxsize=1)
def axe_source():
    """The text of axe-core's ``axe.min.js`` (:data:`AXE`), fetched once and cached."""
    with tarfile.open(_tarball()) as tar:
        return tar.extractfile("package/axe.min.js").read().decode("utf-8")


#: JavaScript: axe.run on a context, violations only, as plain data.
RUN = """
async ([context, options]) => {
  const results = await window.axe.run(context, options);
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, impact: n.impact, failureSummary: n.failureSummary})),
  }));
}
"""


def run_axe(page, include=None, exclude=None, options=None):
    """axe-core's violations on ``page`` (a Playwright page), as a list of dicts.

    Parameters
    ----------
    page : playwright.sync_api.Page
    include, exclude : list of str, optional
        CSS selectors of the parts of the page to check and to leave out (default: the whole document).
    options : dict, optional
        ``axe.run``'s options (default: every rule axe runs by default; ``resultTypes`` violations).

    Returns
    -------
    list of dict
        One per rule broken: ``id``, ``impact`` (``minor`` … ``critical``), ``help``, ``helpUrl``,
        ``tags`` and ``nodes`` (each with its ``target`` selector, ``html`` and ``failureSummary``).
        Empty when ``include`` matches nothing.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())  # through the DevTools protocol: no page CSP applies
    if include is not None and not any(page.locator(selector).count() for selector in include):
        return []
    context = {}
    if include is not None:
        context["include"] = [[selector] for selector in include]
    if exclude:
        context["exclude"] = [[selector] for selector in exclude]
    options = {"resultTypes": ["violations"], **(options or {})}
    return page.evaluate(RUN, [context or {"exclude": []}, options])


def serious(violations):
    """The violations of impact ``serious`` or ``critical``, as short lines (rule, impact, first nodes)."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s), e.g. {v['nodes'][0]['html'][:160]}"
        for v in violations
        if v["impact"] in SERIOUS
    ]
