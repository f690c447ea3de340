"""deconv2D_naive against the seed, numpy-ml 0.1.2 (its recorded outputs).

Where numpy-ml is right (even padding, its "same" with an odd dilated kernel)
the results are identical; where it is not, ours is the crop the definition
asks for (the adjoint of conv2d with that padding) and numpy-ml's is the same
full result cropped one row/column off; padding beyond k̂ − 1 numpy-ml
refuses and we compute.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import deconvlib as dl

DATA = np.load(Path(__file__).parent / "data" / "numpy_ml_deconv2D_naive.npz")
CASES = json.loads(str(DATA["cases"]))
RIGHT = {"even_pad_1", "even_pad_stride_2", "pair_pad", "same_odd_kernel", "same_odd_kernel_dilated"}
SHIFTED = {"uneven_pad_2011", "same_even_kernel", "same_even_kernel_stride_2"}
REFUSED = {"pad_larger_than_kernel"}


def _case(name):
    k = next(k for k, c in enumerate(CASES) if c["name"] == name)
    c = CASES[k]
    pad = tuple(c["pad"]) if isinstance(c["pad"], list) else c["pad"]
    return c, DATA[f"c{k}_x"], DATA[f"c{k}_w"], pad, DATA.get(f"c{k}_y")


def test_every_recorded_case_is_classified():
    assert {c["name"] for c in CASES} == RIGHT | SHIFTED | REFUSED


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_same_as_the_seed_where_the_seed_is_right(name):
    c, X, W, pad, seed_out = _case(name)
    np.testing.assert_allclose(dl.deconv2D_naive(X, W, c["stride"], pad, c["dilation"]), seed_out, atol=1e-12)


def _crop_offset(full, part):
    """Where ``part`` sits in ``full`` (row, col), or None."""
    H, W = part.shape[1:3]
    for top in range(full.shape[1] - H + 1):
        for left in range(full.shape[2] - W + 1):
            if np.allclose(full[:, top : top + H, left : left + W], part):
                return top, left
    return None


@pytest.mark.parametrize("name", sorted(SHIFTED))
def test_the_seed_crops_at_the_wrong_offset_and_we_do_not(name):
    c, X, W, pad, seed_out = _case(name)
    ours = dl.deconv2D_naive(X, W, c["stride"], pad, c["dilation"])
    assert ours.shape == seed_out.shape
    assert not np.allclose(ours, seed_out)
    full = dl.conv_transpose2d(X, W, c["stride"], dilation=c["dilation"] + 1)
    if pad == "same":
        total = (c["dilation"] + 1) * (W.shape[0] - 1)
        pad = (total // 2, total - total // 2) * 2
    top, _, left, _ = pad
    assert _crop_offset(full, ours) == (top, left)
    assert _crop_offset(full, seed_out) == (1, 1)
    # ours is the adjoint of conv2d with that padding
    y = np.random.default_rng(0).standard_normal(ours.shape)
    forward = dl.conv2d(y, W.swapaxes(2, 3), c["stride"], pad, c["dilation"] + 1)
    assert np.vdot(forward, X) == pytest.approx(np.vdot(y, ours))


def test_the_seed_refuses_large_padding_and_we_match_pytorch_semantics():
    c, X, W, pad, seed_out = _case("pad_larger_than_kernel")
    assert seed_out is None and "Padding cannot be less than 0" in c["error"]
    ours = dl.deconv2D_naive(X, W, c["stride"], pad, c["dilation"])
    full = dl.conv_transpose2d(X, W)
    np.testing.assert_allclose(ours, full[:, 3:-3, 3:-3])
