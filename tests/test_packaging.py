"""environment.yml (conda, Binder) must list exactly pyproject.toml's dependencies."""

import re
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
    lines = (ROOT / "binder" / "environment.yml").read_text().splitlines()
    lines = lines[lines.index("dependencies:") + 1 :]
    items = [m.group(1).strip() for line in lines if (m := re.match(r"^\s+- (.+)$", line))]
    return {_parse(item) for item in items if not item.startswith("python")}


def test_binder_installs_what_the_notebooks_need_and_no_test_tools():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    notebooks = {_parse(r) for r in project["dependencies"] + project["optional-dependencies"]["notebooks"]}
    assert binder_requirements() == notebooks
    assert not {name for name, _ in binder_requirements()} & {"pytest", "hypothesis", "nbval", "playwright", "ruff"}
    python = [line for line in (ROOT / "binder" / "environment.yml").read_text().splitlines() if "- python" in line]
    assert python == ["  - python=3.11"], "pin the Python version (repo2docker warns otherwise)"
    assert "pip install --no-deps ." in (ROOT / "binder" / "postBuild").read_text()
