"""Time the whole gallery: every case of ``deconvlib.cases.CASES`` rendered to GIF.

Run::

    python benchmarks/bench_gallery.py [--jobs N] [--repeat R] [--dir DIR]

It runs ``python -m deconvlib gallery DIR`` in a fresh subprocess (so the time
includes starting Python and importing matplotlib, as a teacher would see it),
``--repeat`` times with ``--jobs`` processes and once with one process, and
prints the wall-clock time of each, the frames per second, and the total size
of the GIFs. The budget is 60 s for the whole set on a 2-core machine; the
script exits 1 if the median exceeds ``--budget``.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deconvlib.cases import CASES


def render(directory, jobs):
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "deconvlib", "gallery", str(directory), "--jobs", str(jobs)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds allowed for the median run")
    parser.add_argument("--dir", type=Path, default=None, help="keep the GIFs here (default: a temporary folder)")
    args = parser.parse_args()

    frames = sum(case.n_frames for case in CASES)
    print(f"{len(CASES)} cases, {frames} frames, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as scratch:
        directory = args.dir or Path(scratch)
        times = [render(directory, args.jobs) for _ in range(args.repeat)]
        serial = render(directory, 1)
        size = sum(p.stat().st_size for p in Path(directory).glob("*.gif"))
    median = statistics.median(times)
    print(
        f"--jobs {args.jobs}: median {median:.1f} s over {args.repeat} runs "
        f"({', '.join(f'{t:.1f}' for t in times)}), {frames / median:.0f} frames/s"
    )
    print(f"--jobs 1: {serial:.1f} s, {frames / serial:.0f} frames/s")
    print(f"GIFs: {size / 1e6:.2f} MB in all, {size / len(CASES) / 1e3:.0f} kB on average")
    print(f"budget {args.budget:.0f} s: {'ok' if median <= args.budget else 'EXCEEDED'}")
    return 0 if median <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
