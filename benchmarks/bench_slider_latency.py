"""Time a slider move in each notebook explorer: slider change → redrawn SVG.

Run::

    python benchmarks/bench_slider_latency.py [--repeat N]

What is timed is what the browser waits for, minus the websocket: setting
``slider.value`` runs the explorer's ``observe`` callback, which follows the
dependent limits, computes the trace, updates the one ``TraceFigure`` in
place, writes it as SVG (``deconvlib/viz/svg.py``; until 2026-12-07 it rendered a PNG with Agg)
and puts it, base64-encoded in an ``<img>``, into the ``Output`` widget. Each explorer cycles
through a fixed list of moves (stride, padding, step, …) starting from its
default state; the first ``warmup`` moves fill the glyph caches and are not
counted. Times are ``time.perf_counter`` wall-clock in ms; the target is a
median under 50 ms for the default (notebook 1) explorer.
"""

import argparse
import os
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from deconvlib.course.explorers import (  # noqa: E402
    dilation_explorer,
    padding_explorer,
    pipeline_explorer,
    sweep_explorer,
)

#: explorer → moves ``(slider, value)`` cycled through, from its default state.
MOVES = {
    "pipeline (nb 1)": (
        pipeline_explorer,
        [
            ("stride", 1),
            ("stride", 2),
            ("stride", 3),
            ("stride", 2),
            ("padding", 1),
            ("padding", 0),
            ("dilation", 2),
            ("dilation", 1),
            ("step", 10),
            ("step", 11),
            ("step", 49),
            ("kernel_size", 2),
            ("kernel_size", 3),
            ("output_padding", 1),
            ("output_padding", 0),
        ],
    ),
    "dilation (nb 2)": (
        dilation_explorer,
        [
            ("stride", 3),
            ("stride", 4),
            ("stride", 1),
            ("stride", 2),
            ("size", 5),
            ("size", 3),
        ],
    ),
    "padding (nb 3)": (
        padding_explorer,
        [
            ("padding", 0),
            ("padding", 2),
            ("padding", 1),
            ("output_padding", 1),
            ("output_padding", 0),
            ("stride", 3),
            ("stride", 2),
            ("kernel_size", 4),
            ("kernel_size", 3),
        ],
    ),
    "sweep (nb 4)": (
        sweep_explorer,
        [
            ("step", 2),
            ("step", 3),
            ("step", 4),
            ("step", 5),
            ("step", 6),
            ("stride", 1),
            ("stride", 2),
            ("step", 7),
            ("dilation", 2),
            ("dilation", 1),
            ("step", 1),
        ],
    ),
}


def time_moves(builder, moves, repeat, warmup=5):
    explorer = builder()
    times = []
    for k in range(warmup + repeat):
        name, value = moves[k % len(moves)]
        slider = explorer.sliders[name]
        value = min(value, slider.max)
        if slider.value == value:  # no change, no callback: nudge it first (untimed)
            slider.value = slider.min if value != slider.min else slider.max
        start = time.perf_counter()
        slider.value = value
        elapsed = time.perf_counter() - start
        if k >= warmup:
            times.append(elapsed * 1000)
    return times, explorer


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=60, help="timed moves per explorer (default 60)")
    args = parser.parse_args(argv)
    print(f"{'explorer':<18} {'median ms':>10} {'p90 ms':>8} {'max ms':>8} {'shown px':>10} {'SVG KiB':>8}")
    for label, (builder, moves) in MOVES.items():
        times, explorer = time_moves(builder, moves, args.repeat)
        p90 = statistics.quantiles(times, n=10)[-1]
        w, h = explorer.figure.display_size()  # CSS px
        size = len((explorer.svg or "").encode()) / 1024
        pixels = f"{w}×{h}"
        print(f"{label:<18} {statistics.median(times):>10.1f} {p90:>8.1f} {max(times):>8.1f} {pixels:>10} {size:>8.0f}")


if __name__ == "__main__":
    main()
