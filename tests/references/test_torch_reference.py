"""deconvlib's 1-D, 2-D and 3-D convolutions against stored PyTorch results.

The fixtures ``tests/references/data/torch_conv{,_transpose}{1,2,3}d.npz`` were
computed by PyTorch (``tests/references/data/make_torch_fixtures.py`` made the
2-D ones, ``make_torch_nd_fixtures.py`` the 1-D and 3-D ones and holds the recipe
for all three); these tests need only numpy.  Every transposed case is run with
all four methods.  Parameters are passed in every form the API accepts -- an int,
an N-tuple, and padding as ``(before_0, after_0, ...)`` -- chosen by the case's
index, so that each form meets many cases.  The single-channel cases are checked
again unbatched.  The one test that calls torch directly is skipped where torch
is not installed.
"""

import json
import os
import warnings

import numpy as np
import pytest

import deconvlib

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
METHODS = ("naive", "matrix", "scatter", "fast")
DIMS = (1, 2, 3)


def _load(path):
    with np.load(path) as z:
        cases = json.loads(str(z["cases"]))
        arrays = {k: z[k] for k in z.files if k not in ("cases", "meta")}
    return cases, arrays


TCONV = {nd: _load(os.path.join(DATA, f"torch_conv_transpose{nd}d.npz")) for nd in DIMS}
CONV = {nd: _load(os.path.join(DATA, f"torch_conv{nd}d.npz")) for nd in DIMS}

#: What each fixture must keep covering: (transposed cases, forward cases, groups, single-channel cases) at least.
FLOORS = {
    1: dict(tconv=120, conv=60, groups={1, 2, 3, 4}, single=4),
    2: dict(tconv=200, conv=60, groups={1, 2, 3}, single=1),
    3: dict(tconv=120, conv=60, groups={1, 2, 3, 4}, single=4),
}


def _conv_transpose(nd):
    return getattr(deconvlib, f"conv_transpose{nd}d")


def _conv(nd):
    return getattr(deconvlib, f"conv{nd}d")


def _tolerance(case, want):
    """float64: 1e-10 relative to the output's scale; float32: what its rounding leaves."""
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    if case["dtype"] == "float32":
        return dict(rtol=1e-4, atol=1e-5 * scale)
    return dict(rtol=1e-10, atol=1e-10 * scale)


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


def _check(case, got, want, how=""):
    msg = f"{case['name']}: {_params(case)}{how}"
    assert isinstance(got, np.ndarray), msg
    assert got.shape == want.shape, f"shape {got.shape} != {want.shape}; {msg}"
    assert got.dtype == np.dtype(case["dtype"]), f"dtype {got.dtype}; {msg}"
    diff = np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)), initial=0.0)
    np.testing.assert_allclose(got, want, err_msg=f"max abs diff {diff:.3g}; {msg}", **_tolerance(case, want))


def _per_axis(values, index):
    """An int when every axis agrees and the case index is even, else the N-tuple."""
    if len(set(values)) == 1 and index % 2 == 0:
        return values[0]
    return tuple(values)


def _padding(case, index):
    """Symmetric cases alternate int / N-tuple / 2N-tuple; uneven ones need the 2N-tuple."""
    p = case["padding"]
    befores, afters = p[0::2], p[1::2]
    if befores == afters and index % 3 == 0:
        return befores[0] if len(set(befores)) == 1 else tuple(befores)
    if befores == afters and index % 3 == 1:
        return tuple(befores)
    return tuple(p)


def _kwargs(case, transposed):
    index = int(case["key"][1:])
    kw = dict(
        stride=_per_axis(case["stride"], index),
        padding=_padding(case, index),
        dilation=_per_axis(case["dilation"], index + 1),
        groups=case["groups"],
    )
    if transposed:
        kw["output_padding"] = _per_axis(case["output_padding"], index)
    return kw


def _arrays(arrays, case):
    k = case["key"]
    b = arrays[k + "_b"] if case["has_bias"] else None
    return arrays[k + "_x"], arrays[k + "_w"], b, arrays[k + "_y"]


def _is_single_channel(case):
    return case["x_shape"][0] == 1 and case["x_shape"][-1] == 1 and case["y_shape"][-1] == 1


def _cases(table, nd, single=False):
    cases = table[nd][0]
    if single:
        cases = [c for c in cases if _is_single_channel(c)]
    return [pytest.param(nd, c, id=f"{nd}d-{c['name']}") for c in cases]


TCONV_PARAMS = [p for nd in DIMS for p in _cases(TCONV, nd)]
CONV_PARAMS = [p for nd in DIMS for p in _cases(CONV, nd)]
TCONV_SINGLE = [p for nd in DIMS for p in _cases(TCONV, nd, single=True)]
CONV_SINGLE = [p for nd in DIMS for p in _cases(CONV, nd, single=True)]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("nd, case", TCONV_PARAMS)
def test_conv_transpose_matches_torch(nd, case, method):
    X, W, b, Y = _arrays(TCONV[nd][1], case)
    kw = _kwargs(case, transposed=True)
    got = _conv_transpose(nd)(X, W, bias=b, method=method, **kw)
    _check(case, got, Y, f"; called with {kw}, method={method!r}")


@pytest.mark.parametrize("nd, case", CONV_PARAMS)
def test_conv_matches_torch(nd, case):
    X, W, b, Y = _arrays(CONV[nd][1], case)
    kw = _kwargs(case, transposed=False)
    got = _conv(nd)(X, W, bias=b, **kw)
    _check(case, got, Y, f"; called with {kw}")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("nd, case", TCONV_SINGLE)
def test_conv_transpose_unbatched(nd, case, method):
    """One channel, one image: X (w,), (h, w) or (d, h, w), W the kernel alone, the result unbatched too."""
    X, W, b, Y = _arrays(TCONV[nd][1], case)
    kw = _kwargs(case, transposed=True)
    got = _conv_transpose(nd)(X[0, ..., 0], W[..., 0, 0], bias=b, method=method, **kw)
    _check(case, got, Y[0, ..., 0], f"; unbatched, called with {kw}, method={method!r}")


@pytest.mark.parametrize("nd, case", CONV_SINGLE)
def test_conv_unbatched(nd, case):
    X, W, b, Y = _arrays(CONV[nd][1], case)
    kw = _kwargs(case, transposed=False)
    got = _conv(nd)(X[0, ..., 0], W[..., 0, 0], bias=b, **kw)
    _check(case, got, Y[0, ..., 0], f"; unbatched, called with {kw}")


@pytest.mark.parametrize("nd", DIMS)
def test_fixtures_have_not_shrunk(nd):
    floor = FLOORS[nd]
    for table, minimum in ((TCONV, floor["tconv"]), (CONV, floor["conv"])):
        cases, arrays = table[nd]
        assert len(cases) >= minimum
        names = [c["name"] for c in cases]
        assert len(set(names)) == len(names)
        for c in cases:
            assert len(c["stride"]) == len(c["dilation"]) == nd and len(c["padding"]) == 2 * nd
            assert len(c["x_shape"]) == len(c["y_shape"]) == nd + 2 and len(c["w_shape"]) == nd + 2
            for suffix in ("_x", "_w", "_y") + (("_b",) if c["has_bias"] else ()):
                assert c["key"] + suffix in arrays
        # the fixture must keep covering what it was made to cover
        assert {s for c in cases for s in c["stride"]} >= {1, 2, 3, 4}
        assert {d for c in cases for d in c["dilation"]} >= {1, 2, 3}
        assert {c["groups"] for c in cases} >= floor["groups"]
        assert {c["x_shape"][0] for c in cases} == {1, 2, 3}
        assert any(c["groups"] > 1 and c["groups"] == c["x_shape"][-1] for c in cases)  # depthwise
        assert any(c["has_bias"] for c in cases) and not all(c["has_bias"] for c in cases)
        assert any(not c["torch_native"] for c in cases)
        assert any(c["dtype"] == "float32" for c in cases)
        assert sum(_is_single_channel(c) for c in cases) >= floor["single"]
        assert any(k > i for c in cases for k, i in zip(c["w_shape"][:nd], c["x_shape"][1:-1]))
        assert any(
            p > d * (k - 1) for c in cases for p, d, k in zip(c["padding"][0::2], c["dilation"], c["w_shape"][:nd])
        )
    tcases = TCONV[nd][0]
    assert any(0 < o < s for c in tcases for o, s in zip(c["output_padding"], c["stride"]))
    assert any(s <= o < d for c in tcases for o, s, d in zip(c["output_padding"], c["stride"], c["dilation"]))


def test_matrix_method_fits_every_3d_case():
    """The 3-D cases were kept small so that method='matrix' builds its matrix on every one."""
    from deconvlib.transpose import MATRIX_MAX_ENTRIES, MATRIX_MAX_WORK

    for c in TCONV[3][0]:
        entries = int(np.prod(c["x_shape"][1:])) * int(np.prod(c["y_shape"][1:]))
        assert entries <= MATRIX_MAX_ENTRIES and int(np.prod(c["w_shape"][:3])) * entries <= MATRIX_MAX_WORK


#: Fresh random cases per dimension for the live check: (seed, cases, largest input and kernel size).
LIVE = {1: (12, 20, 6), 2: (7, 25, 4), 3: (14, 20, 3)}


def _random_case(rng, nd):
    """Fresh random parameters for conv_transpose{nd}d with a non-empty output, or None."""
    g = int(rng.choice([1, 2, 3, 4]))
    c_in, c_out = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
    hi = LIVE[nd][2]
    size = tuple(int(v) for v in rng.integers(1, hi + 1, size=nd))
    k = tuple(int(v) for v in rng.integers(1, hi, size=nd))
    s = tuple(int(v) for v in rng.integers(1, 4, size=nd))
    d = tuple(int(v) for v in rng.integers(1, 3, size=nd))
    p = tuple(int(v) for v in rng.integers(0, 3, size=nd))
    op = tuple(int(rng.integers(0, max(si, di))) for si, di in zip(s, d))
    out = [(i - 1) * si - 2 * pi + di * (ki - 1) + oi + 1 for i, ki, si, pi, di, oi in zip(size, k, s, p, d, op)]
    if min(out) < 1:
        return None
    n = int(rng.integers(1, 3))
    return dict(g=g, c_in=c_in, c_out=c_out, n=n, size=size, k=k, s=s, d=d, p=p, op=op)


@pytest.mark.parametrize("nd", DIMS)
def test_against_live_torch(nd):
    """Fresh random cases straight against torch, where it is installed; padding passed as the 2N-tuple in 2-D."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    torch_tconv = getattr(F, f"conv_transpose{nd}d")
    torch_conv = getattr(F, f"conv{nd}d")
    last = (0, *range(2, nd + 2), 1)  # (n, c, *spatial) -> (n, *spatial, c)
    w_tconv = (*range(2, nd + 2), 0, 1)  # (c_in, c_out/g, *k) -> (*k, c_in, c_out/g)
    w_conv = (*range(2, nd + 2), 1, 0)  # (c_out, c_in/g, *k) -> (*k, c_in/g, c_out)
    seed, count, _ = LIVE[nd]
    rng = np.random.default_rng(seed)
    done = 0
    while done < count:
        c = _random_case(rng, nd)
        if c is None:
            continue
        g, s, d, p, op = c["g"], c["s"], c["d"], c["p"], c["op"]
        ours_p = tuple(v for pi in p for v in (pi, pi)) if nd == 2 else p
        x = rng.standard_normal((c["n"], c["c_in"], *c["size"]))
        wt = rng.standard_normal((c["c_in"], c["c_out"] // g, *c["k"]))
        b = rng.standard_normal(c["c_out"]) if rng.random() < 0.5 else None
        tb = None if b is None else torch.from_numpy(b)
        want = torch_tconv(
            torch.from_numpy(x), torch.from_numpy(wt), tb, stride=s, padding=p, output_padding=op, groups=g, dilation=d
        )
        want = want.permute(*last).numpy()
        X, W = x.transpose(last), wt.transpose(w_tconv)
        for method in METHODS:
            got = _conv_transpose(nd)(
                X, W, stride=s, padding=ours_p, output_padding=op, dilation=d, groups=g, bias=b, method=method
            )
            assert got.shape == want.shape, (method, c)
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10, err_msg=f"{method} {c}")
        # and the forward convolution, whose adjoint it is
        cw = rng.standard_normal((c["c_out"], c["c_in"] // g, *c["k"]))
        grown = [i + di * (ki - 1) for i, di, ki in zip(c["size"], d, c["k"])]
        cx = rng.standard_normal((c["n"], c["c_in"], *grown))
        cwant = torch_conv(torch.from_numpy(cx), torch.from_numpy(cw), tb, stride=s, padding=p, dilation=d, groups=g)
        cgot = _conv(nd)(
            cx.transpose(last), cw.transpose(w_conv), stride=s, padding=ours_p, dilation=d, groups=g, bias=b
        )
        cwant = cwant.permute(*last).numpy()
        assert cgot.shape == cwant.shape, c
        np.testing.assert_allclose(cgot, cwant, rtol=1e-10, atol=1e-10, err_msg=str(c))
        # padding="same" (torch has it for stride 1 only; both put an odd padding's extra at the end)
        with warnings.catch_warnings():  # torch warns that an even kernel needs a padded copy
            warnings.simplefilter("ignore", UserWarning)
            swant = torch_conv(torch.from_numpy(cx), torch.from_numpy(cw), tb, padding="same", dilation=d, groups=g)
        sgot = _conv(nd)(cx.transpose(last), cw.transpose(w_conv), padding="same", dilation=d, groups=g, bias=b)
        np.testing.assert_allclose(sgot, swant.permute(*last).numpy(), rtol=1e-10, atol=1e-10, err_msg=f"same {c}")
        done += 1
