"""Pooling in 1-D, 2-D and 3-D, with ceil_mode, against PyTorch 2.13.0's (in data/torch_pooling_nd.npz).

``make_torch_pooling_nd_fixtures.py`` beside the data made them: random
windows 1 to 4, default and explicit strides 1 to 3, padding up to half the
window (and now and then past it), dilation (max), ``ceil_mode`` both ways,
``count_include_pad`` both ways and ``divisor_override`` (avg), small and
often odd sizes, float32 and float64. Where torch refused a case, deconvlib
must refuse it too, with a :class:`~deconvlib.ParameterError`. torch is not
needed here.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import deconvlib as dl
from deconvlib import pooling
from deconvlib.pooling import pool_output_size

DATA = np.load(Path(__file__).parent / "data" / "torch_pooling_nd.npz")
CASES = json.loads(str(DATA["cases"]))


def pool(case, x):
    """The deconvlib call for a recorded case."""
    stride = None if case["stride"] is None else tuple(case["stride"])
    kernel, padding = tuple(case["kernel_size"]), tuple(case["padding"])
    if case["op"] == "max":
        f = getattr(pooling, f"max_pool{case['dims']}d")
        return f(x, kernel, stride, padding, tuple(case["dilation"]), ceil_mode=case["ceil_mode"])
    f = getattr(pooling, f"avg_pool{case['dims']}d")
    return f(
        x,
        kernel,
        stride,
        padding,
        count_include_pad=case["count_include_pad"],
        ceil_mode=case["ceil_mode"],
        divisor_override=case["divisor_override"],
    )


def test_the_fixtures_cover_every_dimension_ceil_mode_and_the_divisor():
    assert len(CASES) >= 400
    done = [c for c in CASES if c["error"] is None]
    assert {(c["dims"], c["op"], c["ceil_mode"]) for c in done} == {
        (d, op, ceil) for d in (1, 2, 3) for op in ("max", "avg") for ceil in (False, True)
    }
    assert sum(c["op"] == "avg" and c["divisor_override"] is not None for c in done) >= 10

    # ceil_mode's extra window is really met: torch's output is larger than the floor size somewhere
    def floor_sizes(c):
        axes = zip(DATA[c["key"] + "_x"].shape[1:-1], c["kernel_size"], c["stride"] or c["kernel_size"], c["padding"])
        dilation = c.get("dilation") or [1] * c["dims"]
        return tuple((i + 2 * p - d * (k - 1) - 1) // s + 1 for (i, k, s, p), d in zip(axes, dilation))

    grown = [c for c in done if c["ceil_mode"] and DATA[c["key"] + "_y"].shape[1:-1] != floor_sizes(c)]
    assert len(grown) >= 50
    assert 20 <= sum(c["error"] is not None for c in CASES) < len(CASES) // 2
    assert str(DATA["torch_version"]).startswith("2.13.0")


@pytest.mark.parametrize("case", CASES, ids=[c["key"] for c in CASES])
def test_pooling_nd_equals_torch(case):
    x = DATA[f"{case['key']}_x"]
    if case["error"] is not None:
        with pytest.raises(dl.ParameterError):
            pool(case, x)
        return
    expected = DATA[f"{case['key']}_y"]
    got = pool(case, x)
    assert got.dtype == x.dtype
    assert got.shape == expected.shape
    sizes = [
        pool_output_size(i, k, s, p, d, case["ceil_mode"])
        for i, k, s, p, d in zip(
            x.shape[1:-1],
            case["kernel_size"],
            case["stride"] or case["kernel_size"],
            case["padding"],
            case.get("dilation") or [1] * case["dims"],
        )
    ]
    assert list(got.shape[1:-1]) == sizes
    tolerance = 1e-6 if x.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)
