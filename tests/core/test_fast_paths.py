"""``method="fast"``'s strategies, its cost following the output, and ``matrix``'s work limit.

Each strategy is selected on purpose by a shape (``choose_strategy``) and
checked against ``method="naive"``; tests/properties/test_fast_strategies.py
forces every strategy on random cases.
"""

import dataclasses
import itertools
import os
import time
import tracemalloc
import warnings

import numpy as np
import pytest

import deconvlib as dl
from deconvlib import fast as tr
from deconvlib.geometry import conv_geometry, transpose_geometry

# (X shape, W shape, params, the strategy the shape selects)
SELECTED = [
    ((5, 5), (3, 3), dict(stride=2, padding=1), "small"),
    ((2, 12, 12, 6), (4, 4, 6, 1), dict(stride=2, padding=1, groups=6), "depthwise"),
    ((2, 12, 12, 6), (4, 4, 6, 3), dict(stride=2, padding=1, groups=6), "depthwise"),  # channel multiplier 3
    ((2, 14, 11, 6), (3, 2, 6, 1), dict(stride=(1, 3), padding=(1, 0, 0, 1), dilation=(2, 1), groups=6), "depthwise"),
    ((2, 5, 5, 3), (3, 3, 3, 1), dict(stride=10, padding=1, groups=3), "depthwise"),  # beyond DEPTHWISE_MAX_STRIDE
    ((16, 12, 12, 8), (3, 3, 8, 3), dict(stride=2, padding=1, output_padding=1), "planes"),  # few output channels
    ((12, 10, 9, 6), (4, 3, 6, 2), dict(stride=(2, 1), padding=(1, 2, 0, 1), dilation=(1, 2), groups=2), "planes"),
    ((1, 24, 24, 8), (3, 3, 8, 3), dict(stride=2, padding=1), "tap"),  # ... but a batch too small for "planes"
    ((4, 16, 16, 16), (3, 3, 16, 12), dict(stride=1, padding=1), "rows"),  # c_in >= c_out, 3 column taps
    ((2, 11, 9, 24), (4, 7, 24, 10), dict(stride=(2, 3), padding=(1, 2, 0, 2), dilation=(1, 2), groups=2), "rows"),
    ((1, 40, 40, 32), (3, 3, 32, 16), dict(stride=1, padding=1), "rows"),  # blocks of an image's rows
    ((4, 12, 12, 16), (4, 4, 16, 12), dict(stride=2, padding=1), "tap"),  # 2 column taps per phase, small images
    ((8, 16, 16, 32), (8, 8, 32, 16), dict(stride=4, padding=2), "shuffle"),  # every phase in one product
    ((1, 40, 40, 16), (4, 4, 16, 8), dict(stride=2, padding=1), "shuffle"),  # blocks of an image's grid rows
    ((2, 20, 18, 12), (6, 4, 12, 10), dict(stride=(3, 2), padding=(2, 1, 1, 1), output_padding=(1, 0)), "shuffle"),
    ((8, 2, 2, 64), (2, 2, 64, 64), dict(stride=2), "tap"),  # "shuffle"'s weights would outweigh the output
    ((1, 1, 2048, 32), (1, 4, 32, 16), dict(stride=(1, 2), padding=(0, 0, 1, 1)), "tap"),  # ... or one grid row
    ((16, 1, 1, 10), (4, 4, 10, 20), dict(stride=1), "tap"),  # DCGAN's first layer: output 16× the input
    ((2, 12, 12, 4), (4, 4, 4, 16), dict(stride=2, padding=1), "gemm"),
    ((2, 12, 12, 4), (3, 3, 4, 16), dict(stride=1, padding=2, dilation=2), "gemm"),
    ((2, 12, 12, 8), (4, 4, 8, 16), dict(stride=2, padding=1, groups=2), "grouped"),
    ((2, 12, 12, 8), (3, 3, 8, 16), dict(stride=(1, 2), padding=(1, 0, 2, 1), groups=4), "grouped"),
]


DEFAULTS = dict(stride=1, padding=0, output_padding=0, dilation=1, groups=1)


def geometry(X, W, **params):
    return transpose_geometry(X, W, bias=None, **dict(DEFAULTS, **params)).geometry


@pytest.mark.parametrize("x_shape, w_shape, params, strategy", SELECTED)
def test_shape_selects_strategy_and_equals_naive(x_shape, w_shape, params, strategy):
    rng = np.random.default_rng(0)
    X, W = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    assert tr.choose_strategy(geometry(X, W, **params)).strategy == strategy
    expected = dl.conv_transpose2d(X, W, method="naive", **params)
    np.testing.assert_allclose(dl.conv_transpose2d(X, W, **params), expected, atol=1e-12)


@pytest.mark.parametrize("x_shape, w_shape, params, strategy", SELECTED)
def test_blocks_of_a_few_rows_give_the_same_result(x_shape, w_shape, params, strategy, monkeypatch):
    rng = np.random.default_rng(1)
    X, W = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    expected = dl.conv_transpose2d(X, W, **params)
    geo = geometry(X, W, **params)
    for name in ("CHUNK_BYTES", "DEPTHWISE_CHUNK_BYTES", "SMALL_INPUT_BYTES"):
        monkeypatch.setattr(tr, name, 256)
    got = tr.conv_transpose_fast(*transpose_geometry(X, W, bias=None, **dict(DEFAULTS, **params))[:2], geo, strategy)
    np.testing.assert_allclose(got.reshape(expected.shape), expected, atol=1e-12)


# The rule pinned: every layer of a grid (batch × input size × channels per group × kernel, stride,
# padding, dilation, output padding; 1300 valid layers) and the benchmark's layers get the strategy
# that fast.py's rule picked before it became a table (commit 4722ca6), one letter per layer in
# the grid's order: changing the rule changes these on purpose, or not at all.
RULE_GRID = dict(
    batch=[1, 8],
    size=[(1, 1), (4, 4), (16, 16), (32, 32), (1, 512)],
    channels=[
        (1, 1, 8),
        (1, 3, 4),
        (64, 3, 1),
        (3, 64, 1),
        (32, 32, 1),
        (64, 32, 1),
        (16, 12, 2),
        (16, 64, 1),
        (8, 8, 1),
        (4, 16, 2),
    ],  # (c_in, c_out) per group, groups
    kernel=[  # kernel, stride, padding, dilation, output padding
        ((1, 1), 1, 0, 1, 0),
        ((3, 3), 1, 1, 1, 0),
        ((3, 3), 2, 1, 1, 1),
        ((4, 4), 2, 1, 1, 0),
        ((2, 2), 2, 0, 1, 0),
        ((8, 8), 4, 2, 1, 0),
        ((3, 3), 1, 2, 2, 0),
        ((7, 7), 1, 3, 1, 0),
        ((3, 3), 10, 1, 1, 0),
        ((4, 3), (2, 3), (1, 2, 0, 1), (1, 2), 0),
        ((4, 4), 1, 0, 1, 0),
        ((1, 4), (1, 2), (0, 0, 1, 1), 1, 0),
        ((6, 4), (3, 2), (2, 1, 1, 1), 1, (1, 0)),
    ],
)
LETTERS = dict(small="s", depthwise="d", planes="p", shuffle="x", rows="r", tap="t", gemm="g", grouped="G")
RULE_GRID_STRATEGIES = (
    "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss"
    "ssssssssssssssssssssssssssssssssssssssdsssssssssdssdsssssssssssssssssssggsgstggssgssssstssttsstsssss"
    "tssttsstssssstsstssssssggsgstggssgsssssssspsssssssssGssGGssGssddddssddsddssdddddddddddssssstssptsstg"
    "ggggggggggggtrttxtrrttrxttrttxtrrttrtttrttttrrttrttgggggggggggggsstxxxssptsxxGGGGGGGGGGGGGdddddddddd"
    "ddddddddddddddddssttxxsrptstxgggggggggggggtrtxxxrrttrxxtrtxxxrrttrxxtrttttrrttrttgggggggggggggtrtxxx"
    "rrptrxxGGGGGGGGGGGGGsdddddddddddddddddddddddddsrttttrrpttstggggggggggtgttrttttrrttttttrttttrrttttttr"
    "ttttrrtttttggggggggggtgtsrttttrrpttttGGGGGGGGGGtGtssssssssssssssssssdsdsssssssssssssssssssgggsgggggt"
    "sgssssstttstsstssssstttstsstssssstttsssstsgggsgggggtsgssssssssssssssssssGGGsGssGssddsdsdddssdssddddd"
    "ddddsdssssstsspssssggggggttggtggsrttxttttttttsrtttttttttttsrtttttttttttggggggttggtggssptststppsspsGG"
    "GGGttGGtGGddddddddddddddddddddddddddprpxpxrrpprpxgggggggggggggtrtxxxrrttrxxtrtxxxrrttrxxtrttttrrttrt"
    "tgggggggggggggprpxpxrrpprpxGGGGGGGGGGGGGddddddddddddddddddddddddddprpxpxrrpprpxgggggggggggggtrtxxxrr"
    "ttrxxtrtxxxrrttrxxtrttttrrttrttgggggggggggggprpxpxrrpprpxGGGGGGGGGGGGGddddddddddddddddddddddddddpppp"
    "ppprpptppggggggggggtgttrtxxxrrtttxttrtxxxrrtttxttrttttrrtttttggggggggggtgtppppppprpptppGGGGGGGGGGtGt"
)
# benchmarks/bench_conv_transpose.py's transposed layers: (n, h, w, c_in), c_out, k, s, p, d, groups, strategy
BENCHMARK_STRATEGIES = [
    ((64, 1, 1, 100), 512, 4, 1, 0, 1, 1, "tap"),
    ((64, 4, 4, 512), 256, 4, 2, 1, 1, 1, "tap"),
    ((64, 8, 8, 256), 128, 4, 2, 1, 1, 1, "tap"),
    ((64, 16, 16, 128), 64, 4, 2, 1, 1, 1, "shuffle"),
    ((64, 32, 32, 64), 3, 4, 2, 1, 1, 1, "planes"),
    ((8, 32, 32, 256), 128, 2, 2, 0, 1, 1, "shuffle"),
    ((8, 32, 32, 64), 64, 3, 1, 1, 1, 1, "rows"),
    ((8, 32, 32, 64), 64, 7, 1, 3, 1, 1, "rows"),
    ((8, 16, 16, 64), 32, 8, 4, 2, 1, 1, "shuffle"),
    ((8, 32, 32, 64), 64, 3, 1, 2, 2, 1, "rows"),
    ((8, 32, 32, 128), 128, 4, 2, 1, 1, 2, "tap"),
    ((8, 32, 32, 64), 64, 4, 2, 1, 1, 64, "depthwise"),
    ((1, 128, 128, 64), 32, 4, 2, 1, 1, 1, "shuffle"),
]


def rule_grid():
    """The geometry of every valid layer of ``RULE_GRID``, in order (arrays of zeros: only shapes matter)."""
    for n, size, (gi, go, groups), (kernel, stride, padding, dilation, output_padding) in itertools.product(
        *RULE_GRID.values()
    ):
        X, W = np.zeros((n, *size, gi * groups)), np.zeros((*kernel, gi * groups, go))
        params = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups)
        try:
            yield transpose_geometry(X, W, bias=None, **params).geometry
        except dl.ParameterError:
            pass


def test_the_rule_picks_what_it_picked_before_it_was_a_table():
    got = "".join(LETTERS[tr.choose_strategy(geo).strategy] for geo in rule_grid())
    expected = "".join(RULE_GRID_STRATEGIES)
    assert len(got) == len(expected) == 1300
    wrong = [i for i, (a, b) in enumerate(zip(got, expected)) if a != b]
    assert not wrong, f"{len(wrong)} layers changed strategy, the first at grid layer {wrong[0]}"
    assert set(got) == set(LETTERS.values())  # the grid reaches every row of the rule


@pytest.mark.parametrize("x_shape, c_out, k, s, p, d, groups, strategy", BENCHMARK_STRATEGIES)
def test_the_benchmark_layers_keep_their_strategy(x_shape, c_out, k, s, p, d, groups, strategy):
    X, W = np.zeros(x_shape, np.float32), np.zeros((k, k, x_shape[-1], c_out // groups), np.float32)
    assert tr.choose_strategy(geometry(X, W, stride=s, padding=p, dilation=d, groups=groups)).strategy == strategy


def test_a_plan_is_what_the_dispatcher_runs(monkeypatch):
    # conv_transpose_fast runs choose_strategy's plan as it is: the strategy's function gets that very plan
    X, W = np.ones((8, 16, 16, 64), np.float32), np.ones((8, 8, 64, 32), np.float32)
    geo = geometry(X, W, stride=4, padding=2)
    plans, made = [], []
    choose = tr.choose_strategy
    monkeypatch.setattr(tr, "choose_strategy", lambda *args: made.append(choose(*args)) or made[-1])
    monkeypatch.setitem(tr.STRATEGIES, "shuffle", lambda X, Wg, plan, budget: plans.append(plan) or "ran")
    assert tr.conv_transpose_fast(X, W, geo) == "ran"
    assert plans == made and plans[0] is made[0] and plans[0].shuffle is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        plans[0].strategy = "tap"


def test_every_rule_row_names_a_strategy_once():
    for rules in (tr.RULES, tr.CONV_RULES):
        names = [rule.strategy for rule in rules]
        assert len(set(names)) == len(names)
        assert rules[-1].when(None)  # the last row always applies: the rule picks for every layer
        assert all(rule.when.__doc__ and rule.run.__doc__ for rule in rules)
    assert tr.STRATEGIES == {rule.strategy: rule.run for rule in tr.RULES}
    assert f"{len(tr.RULES)}. ``{tr.RULES[-1].strategy}`` when" in tr.__doc__  # the docstring lists the table
    with pytest.raises(ValueError, match="strategy must be one of"):
        tr.choose_strategy(geometry(np.ones((1, 4, 4, 2)), np.ones((3, 3, 2, 2))), "fastest")


def test_shuffle_refuses_groups():
    # one product for every phase needs every input channel to reach every output channel
    X, W = np.ones((2, 6, 6, 4)), np.ones((4, 4, 4, 3))
    params = dict(DEFAULTS, stride=2, padding=1, groups=2)
    with pytest.raises(ValueError, match="'shuffle' needs groups=1, got 2"):
        tr.conv_transpose_fast(*transpose_geometry(X, W, bias=None, **params)[:2], geometry(X, W, **params), "shuffle")


@pytest.mark.parametrize("threads", [1, 3])
def test_depthwise_blocks_on_threads_give_the_same_result(threads, monkeypatch):
    rng = np.random.default_rng(4)
    X, W = rng.standard_normal((5, 9, 11, 4)), rng.standard_normal((4, 3, 4, 2))
    params = dict(stride=2, padding=(1, 2, 0, 1), groups=4)
    expected = dl.conv_transpose2d(X, W, method="naive", **params)
    monkeypatch.setattr(tr, "THREADS", threads)
    for budget in (None, 256):
        monkeypatch.setattr(tr, "DEPTHWISE_CHUNK_BYTES", budget or tr.DEPTHWISE_CHUNK_BYTES)
        np.testing.assert_allclose(dl.conv_transpose2d(X, W, **params), expected, atol=1e-12)


@pytest.mark.parametrize(
    "x_shape, w_shape, params",
    [
        ((3, 9, 8, 8), (3, 3, 8, 4), dict(padding=1)),
        ((2, 9, 8, 6), (3, 2, 3, 4), dict(padding=(2, 0, 1, 3), dilation=(2, 1), groups=2)),
        ((2, 5, 5, 4), (3, 3, 4, 2), dict(padding=4, dilation=3)),  # taps that reach no output
    ],
)
def test_conv2d_with_stride_1_per_tap_equals_gathered(x_shape, w_shape, params, monkeypatch):
    rng = np.random.default_rng(5)
    X, W = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    per_tap = dl.conv2d(X, W, **params)  # stride 1, c_in / groups >= c_out / groups: the "tap" strategy
    calls = []
    monkeypatch.setattr(tr, "_tap", lambda *args: calls.append(args))
    dl.conv2d(X, W, **params)
    assert calls, "conv2d did not go per tap"
    monkeypatch.undo()
    geo = conv_geometry(X, W, bias=None, **dict(dict(stride=1, padding=0, dilation=1, groups=1), **params)).geometry
    taps = [
        (a * geo.dilation[0] - geo.padding[0], b * geo.dilation[1] - geo.padding[2])
        for a in range(geo.kh)
        for b in range(geo.kw)
    ]
    gi, go = geo.c_in // geo.groups, geo.c_out // geo.groups
    weights = W.reshape(geo.kh * geo.kw, gi, geo.groups, go).transpose(0, 2, 1, 3)
    gathered = tr._correlate(X, weights, taps, np.empty_like(per_tap), "gemm" if geo.groups == 1 else "grouped")
    np.testing.assert_allclose(per_tap, gathered, atol=1e-12)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_depthwise_threads_work_in_a_forked_child(monkeypatch):
    # a child forked after the thread pool was made must not wait on the parent's threads
    monkeypatch.setattr(tr, "THREADS", 2)
    X, W = np.ones((4, 9, 9, 3)), np.ones((4, 4, 3, 1))
    expected = dl.conv_transpose2d(X, W, stride=2, padding=1, groups=3)  # makes the pool
    read, write = os.pipe()
    with warnings.catch_warnings():  # Python 3.12+ warns about forking a process with threads: that is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child
        try:
            ok = np.array_equal(dl.conv_transpose2d(X, W, stride=2, padding=1, groups=3), expected)
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    start = time.perf_counter()
    while not os.waitpid(pid, os.WNOHANG)[0]:
        if time.perf_counter() - start > 20:
            os.kill(pid, 9)
            pytest.fail("the forked child hung")
        time.sleep(0.01)
    assert os.read(read, 1) == b"1"


def test_conv2d_in_blocks_equals_one_block(monkeypatch):
    rng = np.random.default_rng(2)
    for W_shape, groups in (((3, 3, 8, 16), 1), ((3, 3, 4, 16), 2), ((3, 3, 1, 8), 8)):
        X, W = rng.standard_normal((3, 13, 11, 8)), rng.standard_normal(W_shape)
        expected = dl.conv2d(X, W, stride=2, padding=1, groups=groups)
        with monkeypatch.context() as m:
            for name in ("CHUNK_BYTES", "DEPTHWISE_CHUNK_BYTES", "SMALL_INPUT_BYTES"):
                m.setattr(tr, name, 256)
            np.testing.assert_allclose(dl.conv2d(X, W, stride=2, padding=1, groups=groups), expected, atol=1e-12)


def seconds(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


@pytest.mark.parametrize("stride", [10**4, 10**6, 10**18])
def test_fast_cost_follows_the_output_not_the_stride(stride):
    # issue 11 item 4: stride 10**6 took > 40 s (one Python iteration per phase), 10**18 hung
    elapsed, Y = seconds(lambda: dl.conv_transpose2d(np.ones((1, 1)), np.ones((3, 3)), stride=stride))
    np.testing.assert_array_equal(Y, np.ones((3, 3)))  # the output of a 1×1 input is k̂ whatever the stride
    assert elapsed < 0.5


def test_fast_with_a_large_stride_and_two_pixels_costs_their_taps_only():
    X, W = np.array([[1.0, 2.0]]), np.arange(4.0).reshape(2, 2)
    elapsed, Y = seconds(lambda: dl.conv_transpose2d(X, W, stride=(1, 10**6), padding=(0, 0, 0, 10**6 - 2)))
    np.testing.assert_array_equal(
        Y, dl.conv_transpose2d(X, W, stride=(1, 10**6), padding=(0, 0, 0, 10**6 - 2), method="scatter")
    )
    assert elapsed < 0.5


@pytest.mark.parametrize(
    "call",
    [
        lambda: dl.conv_transpose2d(np.ones((8, 8)), np.ones((200, 200)), method="matrix"),
        lambda: dl.convolution_matrix((8, 8), np.ones((100, 100))),
    ],
    ids=["conv_transpose2d", "convolution_matrix"],
)
def test_matrix_refuses_by_work_quickly(call):
    # issue 11 item 5: these took 90 s and 30 s; their matrices are small, their kernels not
    start = time.perf_counter()
    with pytest.raises(dl.ParameterError, match="MATRIX_MAX_WORK") as error:
        call()
    assert error.value.parameter == "method" and "method='matrix'" in str(error.value)
    assert time.perf_counter() - start < 1.0


def test_matrix_within_its_limits_still_works():
    X, W = np.random.default_rng(3).standard_normal((6, 6)), np.ones((5, 5))
    np.testing.assert_allclose(dl.conv_transpose2d(X, W, method="matrix"), dl.conv_transpose2d(X, W), atol=1e-12)


@pytest.mark.parametrize(
    "x_shape, w_shape, params",
    [
        ((8, 16, 16, 32), (4, 4, 32, 16), dict(stride=2, padding=1)),  # shuffle
        ((8, 16, 16, 32), (3, 3, 32, 16), dict(stride=2, padding=1)),  # tap
        ((8, 16, 16, 32), (5, 5, 32, 16), dict(stride=1, padding=2)),  # rows
        ((8, 16, 16, 16), (4, 4, 16, 32), dict(stride=2, padding=1)),  # gemm
        ((8, 16, 16, 32), (4, 4, 32, 1), dict(stride=2, padding=1, groups=32)),  # depthwise
        ((16, 8, 8, 16), (4, 4, 16, 2), dict(stride=2, padding=1)),  # planes
    ],
)
def test_peak_memory_stays_below_the_dilated_input(x_shape, w_shape, params):
    X = np.ones(x_shape, np.float32)
    W = np.ones(w_shape, np.float32)
    s, k, p = params["stride"], w_shape[0], params["padding"]
    dilated = [s * (i - 1) + 1 + 2 * (k - 1 - p) for i in x_shape[1:3]]  # what naive builds
    dilated_bytes = x_shape[0] * dilated[0] * dilated[1] * x_shape[3] * 4
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        Y = dl.conv_transpose2d(X, W, **params)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    scratch = peak - before - Y.nbytes
    assert scratch < dilated_bytes, (scratch, dilated_bytes)
    assert scratch < Y.nbytes  # no second copy of the output
