"""Property tests of the convolutions in every dimension, 1, 2 and 3 (hypothesis).

In each dimension: the transposed convolution is the exact adjoint of the
forward one; shapes equal the per-axis size functions; the four methods agree;
an unbatched single channel is the batch of one; ``"same"`` and ``"valid"``
padding give the sizes they promise, and transposed ``"same"`` is the adjoint
of forward ``"same"``.  Across dimensions: a 1-D case is the 2-D
op on a one-row (or one-column) image, a 2-D case is the 3-D op on a volume of
depth 1 with kernel depth 1, and the same bad parameter is named by the same
:class:`~deconvlib.ParameterError` in 1-D, 2-D and 3-D.

The 3-D cases are kept small (sizes up to 4, kernels up to 3) so that the
plain ``naive`` and ``matrix`` methods stay quick; the whole file runs in
seconds.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import deconvlib as dl
from deconvlib import conv_output_size, conv_transpose_output_size

DIMS = (1, 2, 3)
# per dimension: the largest size, kernel, stride, dilation, padding (per side) and groups drawn
LIMITS = {
    1: dict(size=8, kernel=5, stride=4, dilation=3, padding=6, groups=4),
    2: dict(size=5, kernel=4, stride=3, dilation=3, padding=5, groups=3),
    3: dict(size=4, kernel=3, stride=3, dilation=3, padding=4, groups=3),
}
# method="matrix" builds a (prod(in)·c_in) x (prod(out)·c_out) matrix; these caps, a quarter of
# deconvlib.transpose.MATRIX_MAX_ENTRIES / MATRIX_MAX_WORK, keep it quick (they bind only in 3-D)
MATRIX_ENTRIES = 2**20
MATRIX_WORK = 2**24
SEEDS = st.integers(0, 2**32 - 1)

# each test runs once per dimension; these keep the file's run time modest
FEW = settings(max_examples=150, deadline=None)
SOME = settings(max_examples=200, deadline=None)


def conv_transpose(nd):
    return getattr(dl, f"conv_transpose{nd}d")


def conv(nd):
    return getattr(dl, f"conv{nd}d")


def _axes(draw, nd, lo, hi):
    return tuple(draw(st.integers(lo, hi)) for _ in range(nd))


def _channels(draw, nd):
    groups = draw(st.integers(1, LIMITS[nd]["groups"]))
    return groups, groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))


@st.composite
def transposed_cases(draw, nd):
    """Random parameters of a conv_transpose{nd}d with a non-empty output, and arrays for it.

    Padding is drawn per side below the full (uncropped) size, so the output
    is never empty; it still often exceeds the dilated kernel's ``k̂ − 1``.
    Only a 3-D case whose ``method="matrix"`` matrix would be large is thrown
    away.
    """
    lim = LIMITS[nd]
    stride, dilation = _axes(draw, nd, 1, lim["stride"]), _axes(draw, nd, 1, lim["dilation"])
    kernel, size = _axes(draw, nd, 1, lim["kernel"]), _axes(draw, nd, 1, lim["size"])
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    padding, fulls = [], []
    for i, k, s, d, op in zip(size, kernel, stride, dilation, output_padding):
        full = (i - 1) * s + d * (k - 1) + 1 + op
        fulls.append(full)
        before = draw(st.integers(0, min(lim["padding"], full - 1)))
        padding += [before, draw(st.integers(0, min(lim["padding"], full - 1 - before)))]
    groups, c_in, c_out = _channels(draw, nd)
    out = [full - before - after for full, before, after in zip(fulls, padding[0::2], padding[1::2])]
    entries = int(np.prod(size)) * c_in * int(np.prod(out)) * c_out
    assume(entries <= MATRIX_ENTRIES and int(np.prod(kernel)) * entries <= MATRIX_WORK)
    n = draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(SEEDS))
    X = rng.standard_normal((n, *size, c_in))
    W = rng.standard_normal((*kernel, c_in, c_out // groups))
    params = dict(
        stride=stride, padding=tuple(padding), output_padding=output_padding, dilation=dilation, groups=groups
    )
    return X, W, params, rng


@st.composite
def forward_cases(draw, nd):
    """Random parameters of a conv{nd}d with a non-empty output, and arrays for it."""
    lim = LIMITS[nd]
    stride, dilation = _axes(draw, nd, 1, lim["stride"]), _axes(draw, nd, 1, lim["dilation"])
    kernel = _axes(draw, nd, 1, lim["kernel"])
    padding, size = [], []
    for k, d in zip(kernel, dilation):
        before, after = draw(st.integers(0, lim["padding"])), draw(st.integers(0, lim["padding"]))
        smallest = max(1, d * (k - 1) + 1 - before - after)  # the padded input covers the dilated kernel
        padding += [before, after]
        size.append(draw(st.integers(smallest, smallest + lim["size"])))
    groups, c_in, c_out = _channels(draw, nd)
    n = draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(SEEDS))
    X = rng.standard_normal((n, *size, c_in))
    W = rng.standard_normal((*kernel, c_in // groups, c_out))
    params = dict(stride=stride, padding=tuple(padding), dilation=dilation, groups=groups)
    return X, W, params, rng


def _transposed_sizes(X, W, params):
    nd, p = W.ndim - 2, params["padding"]
    return tuple(
        conv_transpose_output_size(
            X.shape[1 + a],
            W.shape[a],
            params["stride"][a],
            p[2 * a : 2 * a + 2],
            params["output_padding"][a],
            params["dilation"][a],
        )
        for a in range(nd)
    )


def _forward_sizes(X, W, params):
    nd, p = W.ndim - 2, params["padding"]
    return tuple(
        conv_output_size(X.shape[1 + a], W.shape[a], params["stride"][a], p[2 * a : 2 * a + 2], params["dilation"][a])
        for a in range(nd)
    )


# --------------------------------------------------------------------------
# in every dimension
# --------------------------------------------------------------------------
@pytest.mark.parametrize("nd", DIMS)
@FEW
@given(data=st.data())
def test_the_four_methods_agree(nd, data):
    X, W, params, _ = data.draw(transposed_cases(nd))
    reference = conv_transpose(nd)(X, W, method="naive", **params)
    for method in ("matrix", "scatter", "fast"):
        got = conv_transpose(nd)(X, W, method=method, **params)
        np.testing.assert_allclose(got, reference, rtol=1e-12, atol=1e-12, err_msg=f"{method} {params}")


@pytest.mark.parametrize("nd", DIMS)
@SOME
@given(data=st.data())
def test_transposed_output_shape_equals_the_size_functions(nd, data):
    X, W, params, _ = data.draw(transposed_cases(nd))
    out = conv_transpose(nd)(X, W, **params)
    assert out.shape == (X.shape[0], *_transposed_sizes(X, W, params), W.shape[-1] * params["groups"])


@pytest.mark.parametrize("nd", DIMS)
@SOME
@given(data=st.data())
def test_forward_output_shape_equals_the_size_functions(nd, data):
    X, W, params, _ = data.draw(forward_cases(nd))
    out = conv(nd)(X, W, **params)
    assert out.shape == (X.shape[0], *_forward_sizes(X, W, params), W.shape[-1])


@pytest.mark.parametrize("nd", DIMS)
@SOME
@given(data=st.data())
def test_adjoint_of_the_forward_convolution(nd, data):
    """<conv(x, W), y> = <x, conv_transpose(y, W.swapaxes(-1, -2))>.

    The forward convolution floors: sizes ``i`` and ``i + 1`` can give the same
    output. The transposed one picks ``x``'s size back with
    ``output_padding = (i + before + after − k̂) mod stride`` on each axis,
    which is always below the stride; its result must then have ``x``'s
    shape exactly.  Any of the four methods (``matrix`` where its matrix is
    small).
    """
    x, W, params, rng = data.draw(forward_cases(nd))
    forward = conv(nd)(x, W, **params)
    y = rng.standard_normal(forward.shape)
    p = params["padding"]
    output_padding = tuple(
        (x.shape[1 + a] + p[2 * a] + p[2 * a + 1] - params["dilation"][a] * (W.shape[a] - 1) - 1) % params["stride"][a]
        for a in range(nd)
    )
    entries = y.size * x.size // x.shape[0] ** 2
    small = entries <= MATRIX_ENTRIES and np.prod(W.shape[:-2]) * entries <= MATRIX_WORK
    method = data.draw(st.sampled_from(dl.METHODS if small else ("naive", "scatter", "fast")))
    back = conv_transpose(nd)(y, W.swapaxes(-1, -2), output_padding=output_padding, method=method, **params)
    assert back.shape == x.shape
    lhs, rhs = np.vdot(forward, y), np.vdot(x, back)
    scale = np.linalg.norm(forward) * np.linalg.norm(y) + 1.0
    assert abs(lhs - rhs) <= 1e-12 * scale, (lhs, rhs, method, params, output_padding)


@pytest.mark.parametrize("nd", DIMS)
@SOME
@given(data=st.data())
def test_unbatched_is_the_single_channel_batch(nd, data):
    X, W, params, _ = data.draw(transposed_cases(nd))
    X, W = X[:1, ..., :1], W[..., :1, :1]
    params["groups"] = 1
    expected = conv_transpose(nd)(X, W, **params)[0, ..., 0]
    got = conv_transpose(nd)(X[0, ..., 0], W[..., 0, 0], **params)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("nd", DIMS)
@SOME
@given(
    size=st.integers(1, 5),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
)
def test_same_and_valid_padding(nd, size, kernel, stride, dilation):
    """Transposed 'same' multiplies the size by the stride (Keras); forward 'same' gives ⌈i / s⌉ (TensorFlow)."""
    X, W = np.ones((1, *[size] * nd, 2)), np.ones((*[kernel] * nd, 2, 2))
    kw = dict(stride=stride, dilation=dilation)
    assert conv_transpose(nd)(X, W, padding="same", **kw).shape == (1, *[size * stride] * nd, 2)
    np.testing.assert_array_equal(conv_transpose(nd)(X, W, padding="valid", **kw), conv_transpose(nd)(X, W, **kw))
    assert conv(nd)(X, W, padding="same", **kw).shape == (1, *[-(-size // stride)] * nd, 2)
    if size >= dilation * (kernel - 1) + 1:
        np.testing.assert_array_equal(conv(nd)(X, W, padding="valid", **kw), conv(nd)(X, W, **kw))


@pytest.mark.parametrize("nd", DIMS)
@SOME
@given(data=st.data())
def test_same_transposed_is_the_adjoint_of_same_forward(nd, data):
    """Transposed 'same' maps ``i`` to ``i·s``; it is the adjoint of forward 'same' from ``i·s`` back to ``i``.

    Both split the padding as TensorFlow does, the odd one at the end.
    """
    lim = LIMITS[nd]
    size = _axes(data.draw, nd, 1, min(lim["size"], 4))
    stride, dilation = _axes(data.draw, nd, 1, 3), _axes(data.draw, nd, 1, lim["dilation"])
    kernel = _axes(data.draw, nd, 1, lim["kernel"])
    groups, c_in, c_out = _channels(data.draw, nd)
    rng = np.random.default_rng(data.draw(SEEDS))
    W = rng.standard_normal((*kernel, c_in // groups, c_out))
    x = rng.standard_normal((1, *[i * s for i, s in zip(size, stride)], c_in))
    kw = dict(stride=stride, dilation=dilation, groups=groups, padding="same")
    forward = conv(nd)(x, W, **kw)
    assert forward.shape == (1, *size, c_out)
    y = rng.standard_normal(forward.shape)
    back = conv_transpose(nd)(y, W.swapaxes(-1, -2), **kw)
    assert back.shape == x.shape
    scale = np.linalg.norm(forward) * np.linalg.norm(y) + 1.0
    assert abs(np.vdot(forward, y) - np.vdot(x, back)) <= 1e-12 * scale


# --------------------------------------------------------------------------
# across dimensions
# --------------------------------------------------------------------------
LIFTS = ((1, 2), (2, 3), (1, 3))


@st.composite
def unit_axes(draw, low, high):
    """Where, among ``high`` axes, the ``high - low`` added axes of size 1 go, and their stride and dilation."""
    where = draw(st.lists(st.integers(0, high - 1), min_size=high - low, max_size=high - low, unique=True))
    return {a: (draw(st.integers(1, 3)), draw(st.integers(1, 3))) for a in sorted(where)}


def _lift(X, W, params, units):
    """Insert axes of size 1 with kernel 1 at ``units``: no padding or output_padding, any stride and dilation.

    Such an axis has one output position, so the result is the lower-dimensional
    one with that axis inserted.
    """
    X = np.expand_dims(X, tuple(1 + a for a in units))
    W = np.expand_dims(W, tuple(units))
    nd = W.ndim - 2
    per_axis = {name: list(params[name]) for name in ("stride", "dilation", "output_padding") if name in params}
    padding = [tuple(params["padding"][2 * a : 2 * a + 2]) for a in range(nd - len(units))]
    for a in range(nd):  # in increasing order, so each insert lands where it belongs
        if a in units:
            stride, dilation = units[a]
            per_axis["stride"].insert(a, stride)
            per_axis["dilation"].insert(a, dilation)
            if "output_padding" in per_axis:
                per_axis["output_padding"].insert(a, 0)
            padding.insert(a, (0, 0))
    lifted = {name: tuple(v) for name, v in per_axis.items()}
    lifted["padding"] = tuple(p for pair in padding for p in pair)
    lifted["groups"] = params["groups"]
    return X, W, lifted


@pytest.mark.parametrize("low, high", LIFTS)
@SOME
@given(data=st.data())
def test_axes_of_size_one_change_nothing_transposed(low, high, data):
    """conv_transpose1d is conv_transpose2d on a (1, w) or (w, 1) image with kernel (1, k) or (k, 1); 2-D is 3-D
    of depth 1 and kernel depth 1; and so on, wherever the axes of size 1 go."""
    X, W, params, _ = data.draw(transposed_cases(low))
    units = data.draw(unit_axes(low, high))
    X_high, W_high, lifted = _lift(X, W, params, units)
    for method in dl.METHODS:
        expected = np.expand_dims(conv_transpose(low)(X, W, method=method, **params), tuple(1 + a for a in units))
        got = conv_transpose(high)(X_high, W_high, method=method, **lifted)
        assert got.shape == expected.shape, (method, lifted)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=f"{method} {lifted}")


@pytest.mark.parametrize("low, high", LIFTS)
@SOME
@given(data=st.data())
def test_axes_of_size_one_change_nothing_forward(low, high, data):
    """conv1d is conv2d on a (1, w) image with kernel (1, k); conv2d is conv3d of depth 1, kernel depth 1; ..."""
    X, W, params, _ = data.draw(forward_cases(low))
    units = data.draw(unit_axes(low, high))
    X_high, W_high, lifted = _lift(X, W, params, units)
    expected = np.expand_dims(conv(low)(X, W, **params), tuple(1 + a for a in units))
    got = conv(high)(X_high, W_high, **lifted)
    assert got.shape == expected.shape, lifted
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=str(lifted))


# --------------------------------------------------------------------------
# the same bad parameter, the same error, in every dimension
# --------------------------------------------------------------------------
def _good_transposed(nd):
    """X (1, 3, ..., 3, 2), W (2, ..., 2, 2, 2) and valid keywords."""
    return np.ones((1, *[3] * nd, 2)), np.ones((*[2] * nd, 2, 2)), dict(stride=2, padding=0, output_padding=1)


def _good_forward(nd):
    return np.ones((1, *[4] * nd, 2)), np.ones((*[2] * nd, 2, 2)), dict(stride=2, padding=0)


def _nonfinite(A, value):
    A = A.copy()
    A.flat[0] = value
    return A


# (description, how to break a good call, the parameter the error must name)
TRANSPOSED_ERRORS = [
    ("stride 0", lambda nd, X, W, kw: (X, W, dict(kw, stride=0)), "stride"),
    ("stride 1.5", lambda nd, X, W, kw: (X, W, dict(kw, stride=1.5)), "stride"),
    ("stride of N+1 axes", lambda nd, X, W, kw: (X, W, dict(kw, stride=(2,) * (nd + 1))), "stride"),
    ("dilation 0", lambda nd, X, W, kw: (X, W, dict(kw, dilation=0)), "dilation"),
    ("negative padding", lambda nd, X, W, kw: (X, W, dict(kw, padding=-1)), "padding"),
    ("padding of 2N+1 entries", lambda nd, X, W, kw: (X, W, dict(kw, padding=(1,) * (2 * nd + 1))), "padding"),
    ("padding 'bogus'", lambda nd, X, W, kw: (X, W, dict(kw, padding="bogus")), "padding"),
    ("padding emptying the output", lambda nd, X, W, kw: (X, W, dict(kw, padding=10)), "padding"),
    ("output_padding = stride", lambda nd, X, W, kw: (X, W, dict(kw, output_padding=2)), "output_padding"),
    ("negative output_padding", lambda nd, X, W, kw: (X, W, dict(kw, output_padding=-1)), "output_padding"),
    ("groups 0", lambda nd, X, W, kw: (X, W, dict(kw, groups=0)), "groups"),
    ("groups not dividing c_in", lambda nd, X, W, kw: (X, W, dict(kw, groups=3)), "groups"),
    ("W of the wrong rank", lambda nd, X, W, kw: (X, W[..., 0], kw), "W"),
    ("W with other input channels", lambda nd, X, W, kw: (X, np.ones((*W.shape[:-2], 3, 2)), kw), "W"),
    ("X of the wrong rank", lambda nd, X, W, kw: (X[..., None], W, kw), "X"),
    ("a bare kernel with a batch", lambda nd, X, W, kw: (X, W[..., 0, 0], kw), "W"),
    ("a full W with a bare X", lambda nd, X, W, kw: (X[0, ..., 0], W[..., :1, :1], kw), "W"),
    ("an empty batch", lambda nd, X, W, kw: (X[:0], W, kw), "X"),
    ("non-finite X", lambda nd, X, W, kw: (_nonfinite(X, np.nan), W, kw), "X"),
    ("non-finite W", lambda nd, X, W, kw: (X, _nonfinite(W, np.inf), kw), "W"),
    ("bias of the wrong shape", lambda nd, X, W, kw: (X, W, dict(kw, bias=np.ones(3))), "bias"),
    ("unknown method", lambda nd, X, W, kw: (X, W, dict(kw, method="bogus")), "method"),
    ("'same' with output_padding", lambda nd, X, W, kw: (X, W, dict(kw, padding="same")), "output_padding"),
]

FORWARD_ERRORS = [
    ("stride 0", lambda nd, X, W, kw: (X, W, dict(kw, stride=0)), "stride"),
    ("stride of N+1 axes", lambda nd, X, W, kw: (X, W, dict(kw, stride=(2,) * (nd + 1))), "stride"),
    ("dilation 0", lambda nd, X, W, kw: (X, W, dict(kw, dilation=0)), "dilation"),
    ("negative padding", lambda nd, X, W, kw: (X, W, dict(kw, padding=-1)), "padding"),
    ("padding of 2N+1 entries", lambda nd, X, W, kw: (X, W, dict(kw, padding=(1,) * (2 * nd + 1))), "padding"),
    ("groups 0", lambda nd, X, W, kw: (X, W, dict(kw, groups=0)), "groups"),
    ("groups not dividing c_in", lambda nd, X, W, kw: (X, W, dict(kw, groups=3)), "groups"),
    ("W's c_in // groups wrong", lambda nd, X, W, kw: (X, np.ones((*W.shape[:-2], 2, 3)), dict(kw, groups=2)), "W"),
    ("W of the wrong rank", lambda nd, X, W, kw: (X, W[..., 0], kw), "W"),
    ("X of the wrong rank", lambda nd, X, W, kw: (X[..., None], W, kw), "X"),
    ("a bare kernel with a batch", lambda nd, X, W, kw: (X, W[..., 0, 0], kw), "W"),
    ("a full W with a bare X", lambda nd, X, W, kw: (X[0, ..., 0], W[..., :1, :1], kw), "W"),
    ("an empty batch", lambda nd, X, W, kw: (X[:0], W, kw), "X"),
    ("non-finite X", lambda nd, X, W, kw: (_nonfinite(X, np.inf), W, kw), "X"),
    ("bias of the wrong shape", lambda nd, X, W, kw: (X, W, dict(kw, bias=np.ones(3))), "bias"),
    ("kernel larger than the input", lambda nd, X, W, kw: (X, np.ones((*[6] * nd, 2, 2)), kw), "input_size"),
]


def _error(call):
    with pytest.raises(dl.ParameterError) as info:
        call()
    return info.value


@pytest.mark.parametrize("what, breaks, parameter", TRANSPOSED_ERRORS, ids=[e[0] for e in TRANSPOSED_ERRORS])
def test_transposed_errors_name_the_same_parameter_in_every_dimension(what, breaks, parameter):
    errors = {}
    for nd in DIMS:
        X, W, kw = breaks(nd, *_good_transposed(nd))
        errors[nd] = _error(lambda nd=nd, X=X, W=W, kw=kw: conv_transpose(nd)(X, W, **kw))
    assert {nd: e.parameter for nd, e in errors.items()} == dict.fromkeys(DIMS, parameter), errors
    assert all(isinstance(e, ValueError) for e in errors.values())


@pytest.mark.parametrize("what, breaks, parameter", FORWARD_ERRORS, ids=[e[0] for e in FORWARD_ERRORS])
def test_forward_errors_name_the_same_parameter_in_every_dimension(what, breaks, parameter):
    errors = {}
    for nd in DIMS:
        X, W, kw = breaks(nd, *_good_forward(nd))
        errors[nd] = _error(lambda nd=nd, X=X, W=W, kw=kw: conv(nd)(X, W, **kw))
    assert {nd: e.parameter for nd, e in errors.items()} == dict.fromkeys(DIMS, parameter), errors


@pytest.mark.parametrize("bad", (dict(stride=0), dict(dilation=0), dict(padding=-1), dict(groups=0)))
def test_a_bad_scalar_gets_the_same_message_in_every_dimension(bad):
    """The message quotes the value received, and does not depend on the dimension."""
    messages = set()
    for nd in DIMS:
        X, W, kw = _good_transposed(nd)
        messages.add(str(_error(lambda nd=nd, X=X, W=W, kw=kw: conv_transpose(nd)(X, W, **dict(kw, **bad)))))
        X, W, kw = _good_forward(nd)
        messages.add(str(_error(lambda nd=nd, X=X, W=W, kw=kw: conv(nd)(X, W, **dict(kw, **bad)))))
    assert len(messages) == 1, messages
    assert str(next(iter(bad.values()))) in messages.pop()
