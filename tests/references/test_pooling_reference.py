"""max_pool2d and avg_pool2d against PyTorch 2.13.0's, recorded in tests/references/data/torch_pooling.npz.

``make_torch_pooling_fixtures.py`` beside the data made them: windows 1×1 to 4×3,
default and explicit strides, padding up to half the window, dilation (max),
``count_include_pad`` both ways (avg), float32 and float64. torch is not needed here.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from deconvlib.pooling import avg_pool2d, max_pool2d, pool_output_size

DATA = np.load(Path(__file__).parent / "data" / "torch_pooling.npz")
CASES = json.loads(str(DATA["cases"]))


def test_the_fixtures_cover_both_ops_padding_dilation_and_dtypes():
    assert len(CASES) >= 150
    assert {c["op"] for c in CASES} == {"max", "avg"}
    assert any(c["op"] == "max" and c["dilation"] != [1, 1] and any(c["padding"]) for c in CASES)
    assert any(c["op"] == "avg" and not c["count_include_pad"] for c in CASES)
    assert {c["dtype"] for c in CASES} == {"float32", "float64"}
    assert str(DATA["torch_version"]).startswith("2.13.0")


@pytest.mark.parametrize("case", CASES, ids=[c["key"] for c in CASES])
def test_pooling_equals_torch(case):
    x, expected = DATA[f"{case['key']}_x"], DATA[f"{case['key']}_y"]
    stride = None if case["stride"] is None else tuple(case["stride"])
    kernel, padding = tuple(case["kernel_size"]), tuple(case["padding"])
    if case["op"] == "max":
        got = max_pool2d(x, kernel, stride, padding, tuple(case["dilation"]))
    else:
        got = avg_pool2d(x, kernel, stride, padding, count_include_pad=case["count_include_pad"])
    assert got.dtype == x.dtype
    assert got.shape == expected.shape
    sizes = [
        pool_output_size(i, k, s, p, d)
        for i, k, s, p, d in zip(x.shape[1:3], kernel, stride or kernel, padding, case.get("dilation", (1, 1)))
    ]
    assert list(got.shape[1:3]) == sizes
    tolerance = 1e-6 if x.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)
