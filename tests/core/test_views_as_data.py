"""The computations of notebooks 6 and 8: the scatter view, the gradient view, layouts and groups."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconvlib import conv2d, conv_output_size, conv_transpose2d, convolution_matrix
from deconvlib.adjoint import conv2d_jacobian, numerical_gradient
from deconvlib.channels import (
    DCGAN_DECODER,
    Layer,
    decoder_shapes,
    from_nchw,
    from_torch_weight,
    group_connections,
    parameter_count,
    to_nchw,
    to_torch_weight,
)
from deconvlib.trace import scatter_trace


@given(
    h=st.integers(1, 4),
    w=st.integers(1, 4),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    s=st.integers(1, 3),
    d=st.integers(1, 2),
    p=st.integers(0, 3),
    op=st.integers(0, 2),
    seed=st.integers(0, 99),
)
@settings(max_examples=150, deadline=None)
def test_scatter_trace_agrees_with_conv_transpose2d(h, w, kh, kw, s, d, p, op, seed):
    rng = np.random.default_rng(seed)
    X, W = rng.integers(-3, 4, (h, w)).astype(float), rng.integers(-3, 4, (kh, kw)).astype(float)
    try:
        expected = conv_transpose2d(X, W, s, p, op, d)
    except ValueError:
        with pytest.raises(ValueError):
            scatter_trace(X, W, s, p, op, d)
        return
    t = scatter_trace(X, W, s, p, op, d)
    assert np.array_equal(t.output, expected)
    assert t.n_stamps == h * w and np.array_equal(t.canvases[-1], t.stamps.sum(0))
    last = t.n_stamps - 1
    assert len(t.taps(last)) == kh * kw
    assert all(t.stamps[last][cell] == X[-1, -1] * W.flat[n] for n, cell in enumerate(t.taps(last)))


def test_scatter_trace_rejects_batches_and_bad_steps():
    with pytest.raises(ValueError, match="2-D"):
        scatter_trace(np.ones((1, 2, 2, 1)), np.ones((2, 2, 1, 1)))
    with pytest.raises(ValueError, match="upto"):
        scatter_trace(np.ones((2, 2)), np.ones((2, 2))).canvas(4)


@pytest.mark.parametrize("s, p, d", [(1, 0, 1), (2, 1, 1), (2, 0, 2), (3, 1, 1)])
def test_the_jacobian_of_conv2d_is_the_convolution_matrix(s, p, d):
    rng = np.random.default_rng(s + 10 * p + 100 * d)
    W = rng.normal(size=(3, 3))
    big = 7
    small = conv_output_size(big, 3, s, p, d)
    op = big - conv_transpose2d(np.ones((small, small)), W, s, p, 0, d).shape[0]
    J = conv2d_jacobian((big, big), W, s, p, d)
    C = convolution_matrix((small, small), W, s, p, op, d)
    assert np.allclose(J, C)
    g = rng.normal(size=(small, small))
    assert np.allclose(J.T @ g.ravel(), conv_transpose2d(g, W, s, p, op, d).ravel())
    x = rng.normal(size=(big, big))
    grad = numerical_gradient(lambda v: np.vdot(conv2d(v, W, s, p, d), g), x)
    assert np.allclose(grad, conv_transpose2d(g, W, s, p, op, d), atol=1e-6)


def test_the_jacobian_with_channels_and_groups():
    rng = np.random.default_rng(1)
    W = rng.normal(size=(2, 2, 2, 4))  # forward kernel, c_in=4, groups=2
    J = conv2d_jacobian((1, 3, 3, 4), W, stride=1, groups=2)
    g = rng.normal(size=(1, 2, 2, 4))
    assert np.allclose(J.T @ g.ravel(), conv_transpose2d(g, W.swapaxes(2, 3), groups=2).ravel())


def test_layout_permutations_round_trip():
    X = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    assert np.array_equal(from_nchw(to_nchw(X)), X) and to_nchw(X)[1, 4, 2, 3] == X[1, 2, 3, 4]
    W = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    assert np.array_equal(from_torch_weight(to_torch_weight(W)), W)
    assert np.array_equal(from_torch_weight(to_torch_weight(W, False), False), W)
    assert to_torch_weight(W)[3, 4, 1, 2] == W[1, 2, 3, 4]


def test_decoder_shapes_and_parameters():
    shapes = decoder_shapes((16, 4, 4, 512))
    assert shapes[-1] == (16, 64, 64, 3) and len(shapes) == len(DCGAN_DECODER) + 1
    for layer, (before, after) in zip(DCGAN_DECODER, zip(shapes, shapes[1:])):
        W = np.zeros(layer.weight_shape(before[3]))
        out = conv_transpose2d(np.zeros((1, 4, 4, before[3])), W, layer.stride, layer.padding)
        assert out.shape[1] == 8 and out.shape[3] == after[3]
    assert parameter_count(8, Layer(4, 3, groups=2)) == 3 * 3 * 8 * 2 + 4
    with pytest.raises(ValueError, match="groups=3"):
        Layer(6, 3, groups=3).output_shape((1, 4, 4, 4))


def test_group_connections_are_block_diagonal():
    M = group_connections(6, 4, groups=2)
    assert M.shape == (6, 4) and M.sum() == 6 * 4 // 2
    assert M[:3, :2].all() and not M[:3, 2:].any()
    assert group_connections(3, 5).all()
    with pytest.raises(ValueError, match="divide"):
        group_connections(4, 6, groups=4)
