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
