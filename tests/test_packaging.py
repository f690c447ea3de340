"""What a newcomer installs: environment.yml (conda, Binder) lists exactly pyproject.toml's dependencies,
pyproject says who wrote the package and for whom, the sdist holds the library and no half of its tests,
and a layer imported without its extra names the extra.
"""

import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*$")


def _parse(requirement):
    name, spec = REQUIREMENT.match(requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    return {_parse(r) for r in requirements}


def environment_requirements():
    """The list items of environment.yml's dependencies (conda and pip), without python, pip, -e ."""
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = lines.index("dependencies:")
    items = []
    for line in lines[start + 1 :]:
        match = re.match(r"^\s+- (.+)$", line)
        if match and not match.group(1).endswith(":"):
            items.append(match.group(1).split("#")[0].strip())
    skip = {"python", "pip", "-e"}
    return {_parse(item) for item in items if _parse(item.replace(" .", ""))[0] not in skip}


def test_environment_yml_lists_the_same_requirements_as_pyproject():
    assert environment_requirements() == pyproject_requirements()


def test_parsers_see_the_core_dependency():
    assert ("numpy", ">=1.24") in pyproject_requirements()
    assert len(environment_requirements()) >= 9


def binder_requirements():
    """binder/environment.yml's packages and their pins (conda and pip items), without python and pip."""
    lines = (ROOT / "binder" / "environment.yml").read_text().splitlines()
    lines = lines[lines.index("dependencies:") + 1 :]
    items = [m.group(1).strip() for line in lines if (m := re.match(r"^\s+- (.+)$", line))]
    return {_parse(item) for item in items if not item.startswith(("python", "pip"))}


def version_tuple(text):
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_binder_installs_what_the_notebooks_need_and_no_test_tools():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    notebooks = dict(_parse(r) for r in project["dependencies"] + project["optional-dependencies"]["notebooks"])
    pins = dict(binder_requirements())
    assert set(pins) == set(notebooks)
    assert not set(pins) & {"pytest", "hypothesis", "nbval", "playwright", "ruff"}
    python = [line for line in (ROOT / "binder" / "environment.yml").read_text().splitlines() if "- python" in line]
    assert python == ["  - python=3.11"], "pin the Python version (repo2docker warns otherwise)"
    assert "pip install --no-deps ." in (ROOT / "binder" / "postBuild").read_text()
    for name, pin in pins.items():
        assert pin.startswith("=="), f"binder pins {name} to an exact version, not {pin!r}"
        below = f"{name}{pin} is below pyproject's {notebooks[name]}"
        assert version_tuple(pin) >= version_tuple(notebooks[name]), below


def test_binder_pins_the_versions_the_tests_run_with():
    """Binder gets what was tested: each pin is the version installed here (bump the pin when the tests move on)."""
    from importlib import metadata

    installed = {}
    for name in dict(binder_requirements()):
        try:
            installed[name] = "==" + metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    if not installed:
        pytest.skip("none of the notebooks' packages is installed here")
    assert {name: pin for name, pin in binder_requirements() if name in installed} == installed


# --- a newcomer's install: metadata, the sdist, and what a layer says without its extra ---


def citation():
    """CITATION.cff's authors' names and keywords (read as text: two flat lists)."""
    text = (ROOT / "CITATION.cff").read_text()
    block = re.search(r"^authors:\n((?:  .*\n)+)", text, re.M).group(1)
    authors = re.findall(r'name: "?([^"\n]+)"?', block)
    keywords = re.findall(r"^  - (.+)$", re.search(r"^keywords:\n((?:  - .*\n)+)", text, re.M).group(1), re.M)
    return authors, keywords


def test_pyproject_names_the_authors_and_keywords_of_citation_cff_and_says_who_it_is_for():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    authors, keywords = citation()
    assert authors and [a["name"] for a in project["authors"]] == authors
    assert keywords and project["keywords"] == keywords
    assert {"Framework :: Jupyter", "Intended Audience :: Education"} <= set(project["classifiers"])
    # setuptools refuses a license classifier beside an SPDX license string
    assert project["license"] == "MIT" and not any(c.startswith("License ::") for c in project["classifiers"])


def test_the_sdist_is_the_library_without_tests(tmp_path):
    """The tests read notebooks/, tools/ and the rest of the checkout: they stay out of the sdist, all of them."""
    setuptools = pytest.importorskip("setuptools")
    if int(setuptools.__version__.split(".")[0]) < 77:
        pytest.skip(f"setuptools {setuptools.__version__} < 77 cannot read pyproject's license (the test extra has it)")
    source = tmp_path / "source"
    for name in ("pyproject.toml", "MANIFEST.in", "README.md", "LICENSE", "CITATION.cff"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "deconvlib", source / "deconvlib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", source / "tests", ignore=shutil.ignore_patterns("__pycache__", "artifacts"))
    build = "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", build, str(tmp_path)], cwd=source, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    with tarfile.open(tmp_path / done.stdout.split()[-1]) as sdist:
        names = [name.split("/", 1)[1] for name in sdist.getnames() if "/" in name]
    assert "deconvlib/__init__.py" in names and "deconvlib/course/__init__.py" in names and "LICENSE" in names
    assert not [name for name in names if name.startswith("tests")]


#: In a Python with numpy alone: each layer above the core, asked for, names the extra that brings it.
WITHOUT_EXTRAS = textwrap.dedent(
    """
    import deconvlib as dl
    for what in ("import deconvlib.viz", "import deconvlib.course", "dl.animate", "import deconvlib.viz.animation"):
        try:
            exec(what)
        except ImportError as error:
            print(f"{what} | {type(error).__name__} | {error}")
        else:
            raise SystemExit(f"{what} worked without matplotlib")
    """
)


def test_a_layer_imported_without_its_extra_names_the_extra(numpy_alone):
    python, env = numpy_alone
    done = subprocess.run([*python, "-c", WITHOUT_EXTRAS], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    said = dict(line.split(" | ", 1) for line in done.stdout.splitlines())
    extras = {
        "import deconvlib.viz": "viz",
        "import deconvlib.course": "course",
        "dl.animate": "viz",
        "import deconvlib.viz.animation": "viz",
    }
    for what, extra in extras.items():
        assert said[what].startswith("ModuleNotFoundError | "), said[what]  # an ImportError, as before
        assert f"pip install 'deconvlib[{extra}]'" in said[what] and "is missing)" in said[what]


def test_the_course_without_ipywidgets_names_the_course_extra():
    """matplotlib and Pillow there, ipywidgets not (a None in sys.modules stops its import)."""
    code = "import sys; sys.modules['ipywidgets'] = None\nimport deconvlib.course"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: ") and "ipywidgets is missing" in last, done.stderr
    assert "pip install 'deconvlib[course]'" in last


def test_make_present_installs_only_what_presenting_needs(tmp_path):
    """On a machine without a venv, ``make present`` installs the `present` extra alone: Voilà and what the
    explorers' kernel needs, no test tools and no JupyterLab (a 396 MB venv, measured 2026-12-07)."""
    if shutil.which("make") is None:
        pytest.skip("make is absent")
    dry = subprocess.run(
        ["make", "-n", "present", f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    installs = [line for line in dry.stdout.splitlines() if " install " in line and "--upgrade pip" not in line]
    assert installs and all(line.endswith("-e '.[present]'") for line in installs), dry.stdout
    present = {
        name
        for name, _ in (
            _parse(r)
            for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["present"]
        )
    }
    assert "voila" in present and not present & {"pytest", "hypothesis", "nbval", "playwright", "ruff", "jupyterlab"}
