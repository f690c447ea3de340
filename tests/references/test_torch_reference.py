"""deconvlib against stored PyTorch results.

The fixtures in ``tests/references/data/*.npz`` were computed by PyTorch (see
``tests/references/data/make_torch_fixtures.py`` for how to regenerate them); these tests
need only numpy.  Every case is passed with the 4-tuple
``(top, bottom, left, right)`` padding form.  The one test that calls torch
directly is skipped where torch is not installed.
"""

import json
import os

import numpy as np
import pytest

import deconvlib

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
TCONV_FILE = os.path.join(DATA, "torch_conv_transpose2d.npz")
CONV_FILE = os.path.join(DATA, "torch_conv2d.npz")
METHODS = ("naive", "matrix", "scatter", "fast")
MIN_TCONV_CASES = 200
MIN_CONV_CASES = 60


def _load(path):
    with np.load(path) as z:
        cases = json.loads(str(z["cases"]))
        arrays = {k: z[k] for k in z.files if k not in ("cases", "meta")}
    return cases, arrays


TCONV_CASES, TCONV_ARRAYS = _load(TCONV_FILE)
CONV_CASES, CONV_ARRAYS = _load(CONV_FILE)


def _tolerance(case):
    if case["dtype"] == "float32":
        return dict(rtol=1e-4, atol=1e-5)
    return dict(rtol=1e-10, atol=1e-10)


def _params(case):
    keys = (
        "stride",
        "padding",
        "output_padding",
        "dilation",
        "groups",
        "has_bias",
        "dtype",
        "x_shape",
        "w_shape",
        "y_shape",
    )
    return ", ".join(f"{k}={case[k]}" for k in keys if k in case)


def _check(case, got, want):
    msg = f"{case['name']}: {_params(case)}"
    assert isinstance(got, np.ndarray), msg
    assert got.shape == want.shape, f"shape {got.shape} != {want.shape}; {msg}"
    assert got.dtype == np.dtype(case["dtype"]), f"dtype {got.dtype}; {msg}"
    diff = np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))
    np.testing.assert_allclose(got, want, err_msg=f"max abs diff {diff:.3g}; {msg}", **_tolerance(case))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", TCONV_CASES, ids=[c["name"] for c in TCONV_CASES])
def test_conv_transpose2d_matches_torch(case, method):
    k = case["key"]
    X, W, Y = TCONV_ARRAYS[k + "_x"], TCONV_ARRAYS[k + "_w"], TCONV_ARRAYS[k + "_y"]
    b = TCONV_ARRAYS[k + "_b"] if case["has_bias"] else None
    got = deconvlib.conv_transpose2d(
        X,
        W,
        stride=tuple(case["stride"]),
        padding=tuple(case["padding"]),
        output_padding=tuple(case["output_padding"]),
        dilation=tuple(case["dilation"]),
        groups=case["groups"],
        bias=b,
        method=method,
    )
    _check(case, got, Y)


@pytest.mark.parametrize("case", CONV_CASES, ids=[c["name"] for c in CONV_CASES])
def test_conv2d_matches_torch(case):
    k = case["key"]
    X, W, Y = CONV_ARRAYS[k + "_x"], CONV_ARRAYS[k + "_w"], CONV_ARRAYS[k + "_y"]
    b = CONV_ARRAYS[k + "_b"] if case["has_bias"] else None
    got = deconvlib.conv2d(
        X,
        W,
        stride=tuple(case["stride"]),
        padding=tuple(case["padding"]),
        dilation=tuple(case["dilation"]),
        groups=case["groups"],
        bias=b,
    )
    _check(case, got, Y)


def test_fixtures_have_not_shrunk():
    assert len(TCONV_CASES) >= MIN_TCONV_CASES
    assert len(CONV_CASES) >= MIN_CONV_CASES
    for cases, arrays in ((TCONV_CASES, TCONV_ARRAYS), (CONV_CASES, CONV_ARRAYS)):
        names = [c["name"] for c in cases]
        assert len(set(names)) == len(names)
        for c in cases:
            for suffix in ("_x", "_w", "_y") + (("_b",) if c["has_bias"] else ()):
                assert c["key"] + suffix in arrays
    # the fixture must keep covering what it was made to cover
    assert any(not c["torch_native"] for c in TCONV_CASES)
    assert any(c["dtype"] == "float32" for c in TCONV_CASES)
    assert {c["groups"] for c in TCONV_CASES} >= {1, 2, 3}
    assert any(
        o >= s and o < d for c in TCONV_CASES for o, s, d in zip(c["output_padding"], c["stride"], c["dilation"])
    )


def test_against_live_torch():
    """A few fresh random cases straight against torch, where it is installed."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(7)
    done = 0
    while done < 25:
        g = int(rng.choice([1, 2, 3]))
        c_in, c_out = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
        n, h, w = (int(v) for v in rng.integers(1, 4, size=3))
        kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
        s = tuple(int(v) for v in rng.integers(1, 4, size=2))
        d = tuple(int(v) for v in rng.integers(1, 3, size=2))
        p = tuple(int(v) for v in rng.integers(0, 3, size=2))
        op = tuple(int(rng.integers(0, max(si, di))) for si, di in zip(s, d))
        out = [
            (i - 1) * si - 2 * pi + di * (k - 1) + oi + 1 for i, k, si, pi, di, oi in zip((h, w), (kh, kw), s, p, d, op)
        ]
        if min(out) < 1:
            continue
        x = rng.standard_normal((n, c_in, h, w))
        wt = rng.standard_normal((c_in, c_out // g, kh, kw))
        b = rng.standard_normal(c_out) if rng.random() < 0.5 else None
        want = (
            F.conv_transpose2d(
                torch.from_numpy(x),
                torch.from_numpy(wt),
                None if b is None else torch.from_numpy(b),
                stride=s,
                padding=p,
                output_padding=op,
                groups=g,
                dilation=d,
            )
            .permute(0, 2, 3, 1)
            .numpy()
        )
        X, W = x.transpose(0, 2, 3, 1), wt.transpose(2, 3, 0, 1)
        for method in METHODS:
            got = deconvlib.conv_transpose2d(
                X,
                W,
                stride=s,
                padding=(p[0], p[0], p[1], p[1]),
                output_padding=op,
                dilation=d,
                groups=g,
                bias=b,
                method=method,
            )
            assert got.shape == want.shape
            np.testing.assert_allclose(
                got, want, rtol=1e-10, atol=1e-10, err_msg=f"{method} s={s} p={p} op={op} d={d} g={g}"
            )
        # and the forward convolution, whose adjoint it is
        cw = rng.standard_normal((c_out, c_in // g, kh, kw))
        cx = rng.standard_normal((n, c_in, h + d[0] * (kh - 1), w + d[1] * (kw - 1)))
        cwant = (
            F.conv2d(torch.from_numpy(cx), torch.from_numpy(cw), stride=s, padding=p, dilation=d, groups=g)
            .permute(0, 2, 3, 1)
            .numpy()
        )
        cgot = deconvlib.conv2d(
            cx.transpose(0, 2, 3, 1),
            cw.transpose(2, 3, 1, 0),
            stride=s,
            padding=(p[0], p[0], p[1], p[1]),
            dilation=d,
            groups=g,
        )
        assert cgot.shape == cwant.shape
        np.testing.assert_allclose(cgot, cwant, rtol=1e-10, atol=1e-10)
        done += 1
