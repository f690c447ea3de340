"""A local MathJax, so that formulas render with no network: in the course book and in HTML exports.

    python3 tools/offline_mathjax.py DIR     # DIR/mathjax/: MathJax 3 and its fonts (about 7 MB)

MathJax comes from the npm package ``mathjax@3.2.2`` (``npm pack``, checked against its npm
integrity, kept in ``build/site/downloads/`` beside the site's other downloads: the first run
needs the npm registry, later ones nothing). Only what a page that typesets TeX needs is
copied: ``tex-chtml.js`` (TeX in, HTML out, the menu and the screen-reader MathML), the TeX
extensions it loads on demand (``\\boldsymbol``, ``\\color``, …), its fonts, and the
accessibility components with their speech-rule engine (the menu's "Accessibility" items).

Two entry points are in ``mathjax/``:

- ``tex-chtml.js``, for Sphinx (``mathjax_path``), which configures MathJax 3 itself;
- ``nbconvert.js``, for ``jupyter nbconvert --to html``: nbconvert's template writes a MathJax 2
  configuration that MathJax 3 does not read, so this file configures MathJax 3 the same way
  (``$…$`` and ``$$…$$``, ``\\$`` escapes, ``\\begin{…}`` environments, AMS numbering, and
  ``\\_`` inside ``\\text{…}`` as LaTeX reads it) and then
  loads ``tex-chtml.js`` from its own folder. Pass it as
  ``--HTMLExporter.mathjax_url=mathjax/nbconvert.js`` (``tools/export_html.py`` does).
"""

import json
import shutil
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_site import BuildError, npm_pack  # noqa: E402

#: The npm package, its version and npm integrity (sha512).
MATHJAX_NPM = (
    "mathjax",
    "3.2.2",
    "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
)
#: What is copied from the package's ``es5/`` (a file, or a folder with everything under it).
PARTS = ["tex-chtml.js", "input/tex/extensions/", "output/chtml/fonts/woff-v2/", "ui/", "a11y/", "sre/"]

#: What MathJax 3 needs beside its defaults, for the book (Sphinx's ``mathjax3_config``) and the exports:
#: ``\text{output\_padding}`` (notebook 1) shows ``output_padding``, as in LaTeX, not ``output\_padding``.
TEXT_MACROS = {"loader": {"load": ["[tex]/textmacros"]}, "tex": {"packages": {"[+]": ["textmacros"]}}}

#: nbconvert's MathJax 2 block, for MathJax 3 (which does not read it): $...$ and $$...$$, escapes, environments,
#: AMS numbering, plus :data:`TEXT_MACROS`.
NBCONVERT_CONFIG = {
    "loader": TEXT_MACROS["loader"],
    "tex": {
        **TEXT_MACROS["tex"],
        "inlineMath": [["$", "$"], ["\\(", "\\)"]],
        "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
        "processEscapes": True,
        "processEnvironments": True,
        "tags": "ams",
    },
    "chtml": {"displayAlign": "center"},
}

#: ``mathjax/nbconvert.js``: MathJax 3 configured as nbconvert's page asks, then loaded from the same folder.
NBCONVERT_LOADER = f"""// deconvlib (tools/offline_mathjax.py): MathJax 3 from this folder, configured like nbconvert's
// MathJax 2 block (which MathJax 3 does not read).
window.MathJax = {json.dumps(NBCONVERT_CONFIG)};
(function () {{
  var script = document.createElement("script");
  script.src = new URL("tex-chtml.js", document.currentScript.src).href;
  script.async = true;
  document.head.appendChild(script);
}})();
"""


def mathjax_tarball():
    """The npm package's tarball (downloaded once, its integrity checked every time)."""
    return npm_pack(*MATHJAX_NPM)


def install(dest):
    """Write MathJax into ``dest`` (created, or replaced when an earlier install wrote it): the parts above,
    its LICENSE, ``nbconvert.js``. A ``dest`` this did not write is refused (``FileExistsError``)."""
    dest = Path(dest)
    if dest.exists() and not (dest / "nbconvert.js").is_file():
        raise FileExistsError(f"{dest} exists and is not a MathJax this tool wrote: choose another folder")
    tarball = mathjax_tarball()
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    copied = 0
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            name = member.name.removeprefix("package/")
            if name == "LICENSE":
                target = dest / "LICENSE"
            elif name.startswith("es5/") and any(
                name[4:] == part or (part.endswith("/") and name[4:].startswith(part)) for part in PARTS
            ):
                target = dest / name[4:]
            else:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(member).read())
            copied += 1
    if not (dest / "tex-chtml.js").is_file() or not (dest / "LICENSE").is_file():
        raise BuildError(f"{tarball.name} lacks es5/tex-chtml.js or its LICENSE: not the MathJax 3 package")
    (dest / "nbconvert.js").write_text(NBCONVERT_LOADER)
    print(f"[mathjax] MathJax {MATHJAX_NPM[1]} in {dest}: {copied} files", flush=True)
    return dest


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1].strip())
    try:
        install(Path(sys.argv[1]) / "mathjax")
    except FileExistsError as error:
        sys.exit(f"[mathjax] {error}")
