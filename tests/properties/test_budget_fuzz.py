"""Issue 22: every public function of the core, called with random sizes up to 10**12, either answers within
the budget or refuses at once: no exception but ParameterError or TypeError, no allocation past the memory
budget (measured with tracemalloc, which numpy reports its arrays to), and the whole run in well under a minute.

The budget is lowered for the run (16 MiB, 2**27 operations, 2**12 loop steps), so that a call the budget
admits is quick and its peak is measurable against the budget; sizes are half small (1 to 6, so calls get
through) and half log-uniform up to 10**12.
"""

import math
import time
import tracemalloc

import numpy as np
import pytest

import deconvlib as dl
from deconvlib import (
    adjoint,
    arithmetic,
    cases,
    channels,
    explain,
    fast,
    folding,
    geometry,
    overlap,
    pooling,
    stages,
    tables,
    trace,
)
from deconvlib.budget import budget_scope

MEMORY = 2**24
#: What a call may hold beyond the arrays the budget counts: Python objects, small index arrays, a trace's lists.
SLACK = 2**20
CALLS = 40  # per function
SEED = 22


class Draw:
    """Random arguments: sizes half small, half up to 10**12; small arrays of random values."""

    def __init__(self, rng):
        self.rng = rng

    def size(self, low=1):
        if self.rng.random() < 0.5:
            return int(self.rng.integers(low, 7))
        return max(low, int(10 ** self.rng.uniform(0, 12)))

    def pad(self):
        return self.size(low=0) if self.rng.random() < 0.7 else 0

    def sizes(self, n, low=1):
        return tuple(self.size(low) for _ in range(n))

    def array(self, shape):
        return self.rng.standard_normal(shape)

    def signal(self, dims, batched=False, channels=1):
        shape = tuple(int(self.rng.integers(1, 6)) for _ in range(dims))
        return self.array((1, *shape, channels) if batched else shape)

    def choice(self, options):
        return options[int(self.rng.integers(len(options)))]


def _layer(d, dims):
    return dict(stride=d.size(), padding=d.pad(), output_padding=0, dilation=d.size())


def _conv_transpose(dims):
    function = {1: dl.conv_transpose1d, 2: dl.conv_transpose2d, 3: dl.conv_transpose3d}[dims]

    def call(d):
        return function(d.signal(dims), d.signal(dims), method=d.choice(dl.METHODS), **_layer(d, dims))

    return call


def _conv(dims):
    function = {1: dl.conv1d, 2: dl.conv2d, 3: dl.conv3d}[dims]
    return lambda d: function(d.signal(dims), d.signal(dims), stride=d.size(), padding=d.pad(), dilation=d.size())


def _geometry_then(function, transposed):
    def call(d):
        X, W = d.signal(2, batched=True), d.signal(2)[..., None, None]
        if transposed:
            checked = geometry.transpose_geometry(X, W, d.size(), d.pad(), 0, d.size(), 1, None)
        else:
            checked = geometry.conv_geometry(X, W, d.size(), d.pad(), d.size(), 1, None)
        return function(checked.X, checked.W, checked.geometry)

    return call


def _case(d):
    return dict(
        transposed=d.choice([True, False]),
        input_size=d.size(),
        kernel_size=d.size(),
        stride=d.size(),
        padding=d.pad(),
        dilation=d.size(),
    )


def _gallery_case(d):
    return cases.Case("fuzz", "fuzz", **_case(d))


def _small_trace(d):
    return dl.trace(d.signal(2), d.signal(2), stride=int(d.rng.integers(1, 4)))


#: Every public function of the core (each module's ``__all__``), with a maker of random arguments.
CALLS_BY_NAME = {
    "conv_transpose1d": _conv_transpose(1),
    "conv_transpose2d": _conv_transpose(2),
    "conv_transpose3d": _conv_transpose(3),
    "conv1d": _conv(1),
    "conv2d": _conv(2),
    "conv3d": _conv(3),
    "deconv2D_naive": lambda d: dl.deconv2D_naive(d.signal(2), d.signal(2), d.size(), d.pad(), d.size(low=0)),
    "convolution_matrix": lambda d: dl.convolution_matrix(d.sizes(2), d.signal(2), stride=d.size(), dilation=d.size()),
    "max_pool2d": lambda d: dl.max_pool2d(d.signal(2), (k := d.size()), d.size(), d.choice([0, k // 2]), d.size()),
    "avg_pool2d": lambda d: dl.avg_pool2d(
        d.signal(2), (k := d.size()), d.size(), d.choice([0, k // 2]), d.choice([True, False])
    ),
    "max_pool1d": lambda d: dl.max_pool1d(
        d.signal(1), (k := d.size()), d.size(), k // 2, d.size(), d.choice([True, False])
    ),
    "max_pool3d": lambda d: dl.max_pool3d(
        d.signal(3), (k := d.size()), d.size(), k // 2, d.size(), d.choice([True, False])
    ),
    "avg_pool1d": lambda d: dl.avg_pool1d(
        d.signal(1), (k := d.size()), d.size(), k // 2, ceil_mode=d.choice([True, False])
    ),
    "avg_pool3d": lambda d: dl.avg_pool3d(
        d.signal(3), (k := d.size()), d.size(), k // 2, ceil_mode=d.choice([True, False]), divisor_override=d.size()
    ),
    "pool_output_size": lambda d: pooling.pool_output_size(
        d.size(), d.size(), d.size(), d.pad(), d.size(), d.choice([True, False])
    ),
    "pooling_arguments": lambda d: pooling.pooling_arguments(d.signal(2), (k := d.size()), d.size(), k // 2, 1),
    "conv_output_size": lambda d: arithmetic.conv_output_size(d.size(), d.size(), d.size(), d.pad(), d.size()),
    "conv_transpose_output_size": lambda d: arithmetic.conv_transpose_output_size(
        d.size(), d.size(), d.size(), d.pad(), 0, d.size()
    ),
    "effective_kernel": lambda d: arithmetic.effective_kernel(d.size(), d.size()),
    "transpose_padding_for": lambda d: arithmetic.transpose_padding_for(d.size(), d.size(), d.size(), d.size()),
    "check_output_padding": lambda d: arithmetic.check_output_padding(d.size(low=0), d.size(), d.size()),
    "transpose_geometry": lambda d: geometry.transpose_geometry(
        d.signal(2), d.signal(2), d.size(), d.pad(), 0, d.size(), 1, None
    ),
    "conv_geometry": lambda d: geometry.conv_geometry(d.signal(2), d.signal(2), d.size(), d.pad(), d.size(), 1, None),
    "sizes_geometry": lambda d: geometry.sizes_geometry(**_case(d)),
    "plane_sizes": lambda d: geometry.plane_sizes(1, d.size(), d.size(), d.size(), d.pad(), 0, d.size()),
    "resolve_padding": lambda d: geometry.resolve_padding(
        d.choice(["same", "valid", d.pad()]), d.sizes(2), d.sizes(2), d.sizes(2)
    ),
    "case_axes": lambda d: cases.case_axes(False, d.size(), d.size(), d.size(), d.pad(), 0, d.size()),
    "find_case": lambda d: cases.find_case(d.choice([c.name for c in cases.CASES] + ["nope"])),
    "axis_output": lambda d: cases.axis_output(True, d.size(), d.size(), d.size(), d.pad(), d.pad(), 0, d.size()),
    "conv_transpose_fast": _geometry_then(fast.conv_transpose_fast, transposed=True),
    "conv_fast": _geometry_then(fast.conv_fast, transposed=False),
    "conv_transpose_nd": _geometry_then(folding.conv_transpose_nd, transposed=True),
    "conv_nd": _geometry_then(folding.conv_nd, transposed=False),
    "choose_strategy": lambda d: fast.choose_strategy(
        geometry.transpose_geometry(
            d.signal(2, True), d.signal(2)[..., None, None], d.size(), d.pad(), 0, 1, 1, None
        ).geometry
    ),
    "phase_length": lambda d: fast.phase_length(d.size(low=0), d.size(), d.size()),
    "span": lambda d: fast.span(d.size(), d.size(), d.size(low=0), d.size()),
    "phases": lambda d: fast.phases(d.size(), d.size(), d.size(), d.size(low=0), d.size(), d.size()),
    "to_nchw": lambda d: channels.to_nchw(d.array(d.choice([(1, 2, 3, 4), (2, 3), ()]))),
    "from_nchw": lambda d: channels.from_nchw(d.array((1, 2, 3, 4))),
    "to_torch_weight": lambda d: channels.to_torch_weight(d.array((1, 2, 3, 4)), d.choice([True, False])),
    "from_torch_weight": lambda d: channels.from_torch_weight(d.array((1, 2, 3, 4)), d.choice([True, False])),
    "Layer.output_shape": lambda d: channels.Layer(d.size(), d.size(), d.size(), d.pad(), 0, d.size()).output_shape(
        (1, *d.sizes(2), 3)
    ),
    "decoder_shapes": lambda d: channels.decoder_shapes((d.size(), 4, 4, 512)),
    "group_connections": lambda d: channels.group_connections(d.size(), d.size(), d.choice([1, 2, d.size()])),
    "parameter_count": lambda d: channels.parameter_count(d.size(), channels.Layer(d.size(), d.size()), d.size()),
    "overlap_count": lambda d: overlap.overlap_count(d.size(), d.size(), d.size(), d.pad(), 0, d.size()),
    "overlap_count_1d": lambda d: overlap.overlap_count_1d(d.size(), d.size(), d.size(), d.pad(), 0, d.size()),
    "stamps_1d": lambda d: overlap.stamps_1d(d.signal(1), d.signal(1), d.size(), d.pad(), 0, d.size()),
    "overlap_pattern": lambda d: overlap.overlap_pattern(d.size(), d.size(), d.size()),
    "is_uniform": lambda d: overlap.is_uniform(d.size(), d.size(), d.size()),
    "interior": lambda d: overlap.interior(d.array(d.choice([(9, 9), (3,), ()])), d.size(), d.size()),
    "upsample_nearest": lambda d: overlap.upsample_nearest(d.signal(2), d.size()),
    "resize_conv2d": lambda d: overlap.resize_conv2d(d.signal(2), d.signal(2), d.size(), d.choice(["same", 0])),
    "resize_conv_count": lambda d: overlap.resize_conv_count(d.size(), d.size(), d.size(), d.choice(["same", 0])),
    "upsample_image": lambda d: overlap.upsample_image(
        d.signal(2), d.size(), d.size(), d.choice(["transposed", "resize"])
    ),
    "dilate": lambda d: stages.dilate(d.signal(2), d.size()),
    "pad_or_crop": lambda d: stages.pad_or_crop(
        d.signal(2), tuple(d.size(low=0) * d.choice([1, -1]) for _ in range(4))
    ),
    "flip_kernel": lambda d: stages.flip_kernel(d.signal(2)),
    "cell_labels": lambda d: stages.cell_labels(
        d.sizes(2), d.sizes(2), d.choice([(0, 0, 0, 0), (1, 2, 0, 1), tuple(d.size(low=0) for _ in range(4))])
    ),
    "cell_kinds": lambda d: stages.cell_kinds(stages.cell_labels((3, 3), (2, 2), (1, 1, 1, 1))),
    "table": lambda d: tables.table([[d.size(), d.size()], [1, 2]], header=["a", "b"]),
    "pattern_table": lambda d: tables.pattern_table(d.sizes(2), d.sizes(2), dilation=d.size()),
    "trace": lambda d: dl.trace(d.signal(2), d.signal(2), stride=d.size(), padding=d.pad(), dilation=d.size()),
    "trace_conv": lambda d: trace.trace_conv(d.signal(2), d.signal(2), stride=d.size(), padding=d.pad()),
    "trace_pool": lambda d: trace.trace_pool(d.signal(2), (k := d.size()), d.size(), d.choice([0, k // 2])),
    "scatter_trace": lambda d: trace.scatter_trace(d.signal(2), d.signal(2), stride=d.size(), dilation=d.size()),
    "case_trace": lambda d: trace.case_trace(**_case(d), values=d.choice([None, "random"])),
    "case_geometry": lambda d: trace.case_geometry(**_case(d)),
    "written_mask": lambda d: trace.written_mask((t := _small_trace(d)), d.size(low=0) % t.n_steps),
    "input_cells_under": lambda d: trace.input_cells_under(_small_trace(d), d.sizes(2, low=0)),
    "explain": lambda d: explain.explain(**_case(d)),
    "relationship": lambda d: explain.relationship(**_case(d)),
    "solve_padding_text": lambda d: explain.solve_padding_text(d.size(), d.size(), d.size(), d.size(), d.size()),
    "overlap_verdict": lambda d: explain.overlap_verdict(d.size(), d.size(), d.size()),
    "overlap_sentence": lambda d: explain.overlap_sentence(d.size(), d.size(), d.size()),
    "stamps_caption": lambda d: explain.stamps_caption(d.size(), d.size(), d.size(), d.pad(), d.size()),
    "format_runs": lambda d: explain.format_runs(list(range(min(d.size(), 50))), d.size()),
    "describe_step": lambda d: explain.describe_step((t := _small_trace(d)), d.size(low=0) % t.n_steps),
    "describe": lambda d: explain.describe(_small_trace(d)),
    "describe_conv_step": lambda d: explain.describe_conv_step(
        (t := trace.trace_conv(d.signal(2), d.signal(2))), d.size(low=0) % t.n_steps, d.size()
    ),
    "describe_pool_step": lambda d: explain.describe_pool_step(
        (t := trace.trace_pool(d.signal(2), 1)), d.size(low=0) % t.n_steps, d.size()
    ),
    "describe_pads": lambda d: explain.describe_pads(tuple(d.size(low=0) for _ in range(4))),
    "format_pair": lambda d: explain.format_pair(d.sizes(2)),
    "format_shape": lambda d: explain.format_shape(d.sizes(d.choice([1, 2, 3]))),
    "format_value": lambda d: explain.format_value(d.size() * d.rng.standard_normal()),
    "format_values": lambda d: explain.format_values(d.array((3,))),
    "command": lambda d: explain.command(_gallery_case(d)),
    "parameter_text": lambda d: explain.parameter_text(_gallery_case(d)),
    "relationship_text": lambda d: explain.relationship_text(_gallery_case(d)),
    "trace_conv2d": lambda d: trace.trace_conv2d(d.signal(2), d.signal(2), stride=d.size(), dilation=d.size()),
    "trace_pool2d": lambda d: trace.trace_pool2d(d.signal(2), d.size(), d.size()),
    "conv2d_jacobian": lambda d: adjoint.conv2d_jacobian(d.sizes(2), d.signal(2), d.size(), d.pad(), d.size()),
    "numerical_gradient": lambda d: adjoint.numerical_gradient(np.sum, d.signal(2)),
}

REFUSALS = (dl.ParameterError, TypeError)


@pytest.fixture(scope="module")
def budget():
    with budget_scope(memory=MEMORY, work=2**27, steps=2**12) as scoped:
        yield scoped


@pytest.mark.parametrize("name", sorted(CALLS_BY_NAME))
def test_random_sizes_are_answered_within_the_budget_or_refused_by_name(name, budget):
    call = CALLS_BY_NAME[name]
    draw = Draw(np.random.default_rng([SEED, sum(map(ord, name))]))
    answered = 0
    start = time.perf_counter()
    tracemalloc.start()
    try:
        for _ in range(CALLS):
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            try:
                call(draw)
                answered += 1
            except REFUSALS:
                pass
            peak = tracemalloc.get_traced_memory()[1] - before
            assert peak <= budget.memory + SLACK, f"{name} allocated {peak:,} bytes"
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 20, name  # alone, the slowest takes 2 s
    assert answered or name in ("find_case",), f"{name}: every call refused, the fuzz tests nothing"


def test_the_fuzz_covers_every_public_function_of_the_core():
    modules = [adjoint, arithmetic, cases, channels, explain, fast, folding, geometry, overlap, pooling, stages]
    modules += [tables, trace, dl.transpose, dl.conv]
    public = {
        name
        for module in modules
        for name in module.__all__
        if callable(getattr(module, name)) and not isinstance(getattr(module, name), type)
    }
    tested = {name.split(".")[0] for name in CALLS_BY_NAME}
    assert public - tested <= set(), sorted(public - tested)
    assert math.isfinite(MEMORY)
