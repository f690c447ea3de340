"""One road from arguments to per-axis sizes: ``geometry`` resolves a case's sizes as it resolves a call's arrays,
the trace and the tables read it, and one input guard (finite values included) serves every array function."""

import ast
import itertools
from functools import partial
from pathlib import Path

import numpy as np
import pytest

import deconvlib as dl
from deconvlib.cases import GALLERY
from deconvlib.geometry import case_axes, conv_geometry, sizes_geometry, transpose_geometry
from deconvlib.stages import flip_kernel
from deconvlib.trace import case_geometry, case_trace, trace, trace_conv, trace_conv2d, trace_pool, trace_pool2d

PACKAGE = Path(dl.__file__).parent
RNG = np.random.default_rng(19)

#: (input, kernel, stride, padding, output_padding, dilation) per axis; some have no output (refused alike).
AXES = list(itertools.product((1, 3, 4), (1, 2, 3), (1, 2, 3), (0, 1, 2), (0, 1), (1, 2)))


def _refusal(call):
    """What ``call`` raises, as ``(type, parameter, message)``; None when it returns."""
    try:
        call()
    except (ValueError, TypeError) as error:
        return type(error), getattr(error, "parameter", None), str(error)
    return None


@pytest.mark.parametrize("transposed", [True, False])
def test_a_case_resolves_as_its_arrays_do(transposed):
    for i, k, s, p, a, d in AXES:
        sizes = dict(stride=(s, 1), padding=(p, 0), dilation=(d, 1), groups=1, bias=None)
        X, W = np.ones((i, 2)), np.ones((k, 2))
        if transposed:
            call = partial(transpose_geometry, X, W, output_padding=(a, 0), **sizes)
        else:
            a, call = 0, partial(conv_geometry, X, W, **sizes)
        by_size = partial(
            sizes_geometry, transposed, (i, 2), (k, 2), (s, 1), padding=(p, 0), output_padding=(a, 0), dilation=(d, 1)
        )
        if _refusal(call) is not None:  # the same refusal, word for word
            assert _refusal(by_size) == _refusal(call)
            continue
        assert by_size() == call().geometry


def test_a_1d_case_is_its_one_row_image():
    for i, k, s, p, a, d in AXES:
        sizes = dict(stride=s, padding=p, output_padding=a, dilation=d)
        call = partial(transpose_geometry, np.ones(i), np.ones(k), **sizes, groups=1, bias=None, dims=1)
        if _refusal(call) is not None:
            assert case_geometry(True, i, k, **sizes, dims=1) is None
            continue
        one_d = sizes_geometry(True, i, k, **sizes, dims=1)
        assert one_d == call().geometry
        assert one_d.plane() == case_geometry(True, i, k, **sizes, dims=1)
        assert one_d.plane() == sizes_geometry(True, (1, i), (1, k), (1, s), (0, 0, p, p), (0, a), (1, d))
        assert case_trace(True, i, k, **sizes, dims=1).output.shape == one_d.plane().out


def test_the_gallery_reads_its_sizes_from_geometry():
    for case in GALLERY:
        geo = sizes_geometry(**case.sizes)
        assert case.output_size == geo.out and geo.dims == case.dims
        assert [axis.i for axis in case_axes(**{k: v for k, v in case.sizes.items() if k != "transposed"})] == list(
            geo.size
        )
        if not case.transposed and not case.pooling:
            twin = case.twin()
            assert sizes_geometry(**twin.sizes).out == geo.size  # the twin maps the output back to the input


@pytest.mark.parametrize("dims", [2, 3])
def test_the_trace_keeps_the_uncropped_result_of_the_public_call(dims):
    X, W = RNG.standard_normal((3,) * dims), RNG.standard_normal((2,) * dims)
    t = trace(X, W, stride=2, padding=1, output_padding=1, dilation=2)
    public = dl.conv_transpose2d if dims == 2 else dl.conv_transpose3d
    assert np.array_equal(t.full, public(X, W, stride=2, padding=0, output_padding=0, dilation=2))


def test_the_traces_are_named_for_what_they_take():
    assert trace_conv2d is trace_conv and trace_pool2d is trace_pool
    assert trace_conv(np.ones((3, 3, 3)), np.ones((2, 2, 2))).dims == 3
    assert trace_pool(np.arange(5.0), 2).output.tolist() == [[1.0, 3.0]]


def test_flip_kernel_takes_dims_and_its_earlier_name():
    W = np.arange(8.0).reshape(2, 2, 2)
    assert np.array_equal(flip_kernel(W, dims=3), W[::-1, ::-1, ::-1])
    assert np.array_equal(flip_kernel(W, ndim=3), flip_kernel(W, 3))
    assert np.array_equal(flip_kernel(W, ndim=1), W[::-1])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("batched", [False, True])
def test_pooling_refuses_non_finite_input_as_the_convolutions_do(bad, batched):
    X = np.ones((4, 4))
    X[1, 2] = bad
    if batched:
        X = X[None, :, :, None]
    expected = _refusal(lambda: dl.conv2d(X, np.ones((2, 2) if not batched else (2, 2, 1, 1))))
    assert expected[1] == "X" and "finite" in expected[2]
    pools = [lambda: dl.max_pool2d(X, 2), lambda: dl.avg_pool2d(X, 2)]
    if not batched:  # the trace takes one image
        pools.append(lambda: trace_pool(X, 2))
    for pool in pools:
        assert _refusal(pool) == expected


def _imported_names(path):
    """``(module, name)`` for every ``from .module import name`` in the file at ``path``, nested ones too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level and node.module:
            for alias in node.names:
                yield node.module, alias.name


def test_no_core_module_imports_a_private_name_and_trace_no_cases():
    wrong = []
    for path in sorted(PACKAGE.glob("*.py")):
        for module, name in _imported_names(path):
            if name.startswith("_") and not name.startswith("__"):
                wrong.append(f"{path.name}: from .{module} import {name}")
    assert wrong == []
    assert "cases" not in {module for module, _ in _imported_names(PACKAGE / "trace.py")}


def test_the_inner_modules_do_not_climb_back_to_the_public_doors():
    """geometry checks a call's integers once; the modules behind it call the unchecked twins, not the checked formulas
    or the public convolutions (which would check everything again)."""
    doors = {"conv_output_size", "conv_transpose_output_size", "effective_kernel", "pool_output_size"}
    doors |= {f"conv{kind}{n}d" for kind in ("", "_transpose") for n in (1, 2, 3)}
    for module in ("geometry", "trace", "cases", "transpose", "folding", "conv"):
        imported = {name for _, name in _imported_names(PACKAGE / f"{module}.py")}
        assert imported & doors == set(), module
