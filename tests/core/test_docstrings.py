"""Every public function and class of the core has a numpydoc docstring.

Parameters (or Attributes, for a data class), Returns for a function that
returns something, and an example; the guide is cited where the core computes
one of its relationships. The examples themselves run as doctests.
"""

import importlib
import inspect
import re

import pytest

CORE = [
    "_validate",
    "adjoint",
    "arithmetic",
    "budget",
    "cases",
    "channels",
    "cli",
    "conv",
    "errors",
    "explain",
    "folding",
    "geometry",
    "overlap",
    "pooling",
    "stages",
    "tables",
    "trace",
    "transpose",
]
#: Functions that return nothing: they raise or print.
RETURN_NOTHING = {"check_output_padding", "check_memory", "check_work", "check_steps"}
#: Modules whose public functions compute one of the guide's relationships: they cite it.
CITE_THE_GUIDE = {"arithmetic", "geometry", "transpose", "conv"}


def public_objects():
    for name in CORE:
        module = importlib.import_module(f"deconvlib.{name}")
        for attribute in module.__all__:
            obj = getattr(module, attribute)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield pytest.param(name, attribute, obj, id=f"{name}.{attribute}")


def sections(doc):
    """Names of the numpydoc sections in ``doc``: a title line underlined with dashes."""
    return set(re.findall(r"^\s*([A-Z][A-Za-z ]+)\n\s*-{3,}$", doc, flags=re.MULTILINE))


@pytest.mark.parametrize("module, name, obj", list(public_objects()))
def test_public_objects_have_numpydoc_sections(module, name, obj):
    doc = inspect.getdoc(obj)
    assert doc, f"{module}.{name} has no docstring"
    found = sections(doc)
    takes = [p for p in inspect.signature(obj).parameters if p != "self"]
    if takes:
        assert found & {"Parameters", "Attributes"}, f"{module}.{name}: no Parameters section"
    if inspect.isfunction(obj) and name not in RETURN_NOTHING:
        assert "Returns" in found, f"{module}.{name}: no Returns section"
    assert ">>>" in doc, f"{module}.{name}: no example"
    if module in CITE_THE_GUIDE and inspect.isfunction(obj) and name != "dense_weight":
        assert "arXiv:1603.07285" in doc, f"{module}.{name}: does not cite the guide"


def test_the_section_reader_reads_sections():
    doc = "Summary.\n\nParameters\n----------\nx : int\n\nReturns\n-------\nint\n"
    assert sections(doc) == {"Parameters", "Returns"}
