"""The package's three layers: core (numpy) ← viz (+ matplotlib, Pillow) ← course (+ ipywidgets).

Two checks. Statically, no module imports a layer above its own or a library
its layer does not have (imports inside functions included). Dynamically, the
whole core imports and runs in a Python that can see numpy and nothing else of
the venv, and the command line says which extra to install for a drawing.
"""

import ast
import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "deconvlib"

#: What each layer may import beyond the standard library and the layers below it.
THIRD_PARTY = {
    "core": {"numpy"},
    "viz": {"numpy", "matplotlib", "PIL"},
    "course": {"numpy", "matplotlib", "PIL", "ipywidgets", "IPython"},
}
LAYERS = ("core", "viz", "course")
KNOWN = {"numpy", "matplotlib", "PIL", "ipywidgets", "IPython", "scipy", "torch"}
#: Core modules that reach a layer above on purpose, and only inside a function: the package's
#: lazy ``deconvlib.animate`` and the command line's drawings (which name the missing extra).
ENTRY_POINTS = {"__init__.py", "cli.py"}


def layer_of(path):
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if parts[0] in ("viz", "course") else "core"


def imports_of(source, package, top_level_only=False):
    """``(module, line)`` of every import in ``source``; relative ones resolved from ``package``."""
    tree = ast.parse(source)
    found = []
    for node in tree.body if top_level_only else ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
                if not node.module:  # from . import x: x may be a module
                    found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
                    continue
            else:
                module = node.module
            found.append((module, node.lineno))
    return found


def violations(source, layer, package, entry_point=False):
    """Imports in a module of ``layer`` that point up, or at a library its layer lacks."""
    allowed_layers = LAYERS[: LAYERS.index(layer) + 1]
    wrong = []
    for module, line in imports_of(source, package, top_level_only=entry_point):
        top = module.split(".")[0]
        if top == "deconvlib":
            parts = module.split(".")
            target = parts[1] if len(parts) > 1 and parts[1] in ("viz", "course") else "core"
            if target not in allowed_layers:
                wrong.append(f"line {line}: {module} ({target}) from the {layer} layer")
        elif top in KNOWN and top not in THIRD_PARTY[layer]:
            wrong.append(f"line {line}: {module} in the {layer} layer")
    return wrong


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_layer_has_modules():
    assert {layer_of(p) for p in MODULES} == set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_only(path):
    layer = layer_of(path)
    package = ["deconvlib", *path.relative_to(PACKAGE).parent.parts]
    entry_point = layer == "core" and path.name in ENTRY_POINTS
    wrong = violations(path.read_text(encoding="utf-8"), layer, package, entry_point)
    assert not wrong, "\n".join(wrong)


def test_the_static_check_sees_relative_and_nested_imports():
    # A check that cannot fail proves nothing: a core module importing viz, matplotlib inside a function,
    # a viz module importing the course or ipywidgets.
    core = "from .viz import drawing\n\ndef f():\n    import matplotlib\n"
    assert violations(core, "core", ["deconvlib"]) == [
        "line 1: deconvlib.viz (viz) from the core layer",
        "line 4: matplotlib in the core layer",
    ]
    assert violations(core, "core", ["deconvlib"], entry_point=True) == [
        "line 1: deconvlib.viz (viz) from the core layer"
    ]
    viz = "import ipywidgets as w\nfrom ..course.explorer import Explorer\nfrom ..trace import trace\n"
    assert violations(viz, "viz", ["deconvlib", "viz"]) == [
        "line 1: ipywidgets in the viz layer",
        "line 2: deconvlib.course.explorer (course) from the viz layer",
    ]


NUMPY_ALONE = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    for name in ("matplotlib", "PIL", "ipywidgets", "IPython"):
        try:
            __import__(name)
        except ImportError:
            pass
        else:
            raise SystemExit(f"{name} is importable: the test environment is not numpy alone")
    import numpy as np
    import deconvlib as dl
    core = [m.name for m in pkgutil.iter_modules(dl.__path__) if not m.ispkg]
    for name in core:
        importlib.import_module("deconvlib." + name)
    X, W = np.arange(1.0, 10.0).reshape(3, 3), np.ones((2, 2))
    for method in dl.METHODS:
        assert dl.conv_transpose2d(X, W, stride=2, padding=1, method=method).shape == (4, 4)
    from deconvlib.explain import describe_step, explain
    assert describe_step(dl.trace(X, W, stride=2), 0) == "out(0, 0) = 1·1 = 1"
    assert "relationship 13" in explain(True, 3, 2, stride=2, padding=1)
    assert not any(m.split(".")[0] in ("matplotlib", "PIL", "ipywidgets") for m in sys.modules)
    print(len(core), "core modules")
    """
)


def test_the_core_imports_and_runs_with_numpy_alone(numpy_alone):
    python, env = numpy_alone
    done = subprocess.run([*python, "-c", NUMPY_ALONE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "core modules" in done.stdout


def test_the_cli_explains_with_numpy_alone_and_names_the_extra_for_drawing(numpy_alone, tmp_path):
    python, env = numpy_alone
    run = [*python, "-m", "deconvlib"]
    done = subprocess.run([*run, "explain", "--transposed", "--input", "3"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "Output: 5×5" in done.stdout, done.stderr
    for command in (["animate", "-o", str(tmp_path / "a.gif")], ["gallery", str(tmp_path / "g")]):
        done = subprocess.run([*run, *command], env=env, capture_output=True, text=True)
        assert done.returncode == 1, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert "pip install 'deconvlib[viz]'" in done.stderr
        assert not (tmp_path / "g").exists()  # nothing created before the check


def module_name(path):
    """``deconvlib.viz.drawing`` for ``deconvlib/viz/drawing.py``; a package's ``__init__.py`` is the package."""
    parts = ["deconvlib", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(sources):
    """module → the modules of ``sources`` it imports, anywhere in it (inside functions too).

    ``sources`` maps a module's name to ``(source, package)``; an import of a
    name inside a module (``from .drawing import Window``) is an edge to that module.
    """
    graph = {}
    for name, (source, package) in sources.items():
        targets = set()
        for module, _ in imports_of(source, package):
            while module and module not in sources:
                module = module.rpartition(".")[0]
            if module and module != name:
                targets.add(module)
        graph[name] = targets
    return graph


def import_cycles(graph):
    """Each cycle of ``graph`` once, as ``[a, b, ..., a]`` from its first module in sorted order."""
    found = set()

    def walk(path):
        for target in sorted(graph[path[-1]]):
            if target == path[0]:
                found.add(tuple(path + [target]))
            elif target not in path and target > path[0]:  # start each cycle at its smallest module
                walk(path + [target])

    for start in sorted(graph):
        walk([start])
    return sorted(list(cycle) for cycle in found)


def test_no_module_imports_one_that_imports_it_back():
    # Lazy imports count: a circle hidden in a function still ties the two modules' meanings together.
    sources = {
        module_name(path): (path.read_text(encoding="utf-8"), ["deconvlib", *path.relative_to(PACKAGE).parent.parts])
        for path in MODULES
    }
    cycles = import_cycles(import_graph(sources))
    assert not cycles, "\n".join(" → ".join(cycle) for cycle in cycles)


def test_the_cycle_check_sees_a_circle_through_a_lazy_import():
    # The shim that course/explorer.py kept for a benchmark until issue 19: explorers imports explorer at the top,
    # explorer imports explorers back inside a module __getattr__.
    package = ["deconvlib", "course"]
    sources = {
        "deconvlib.course.explorer": ("def __getattr__(name):\n    from . import explorers\n", package),
        "deconvlib.course.explorers": ("from .explorer import Explorer\n", package),
        "deconvlib.trace": ("import numpy\n", ["deconvlib"]),
    }
    assert import_cycles(import_graph(sources)) == [
        ["deconvlib.course.explorer", "deconvlib.course.explorers", "deconvlib.course.explorer"]
    ]
    sources["deconvlib.course.explorer"] = ("import html\n", package)
    assert import_cycles(import_graph(sources)) == []
