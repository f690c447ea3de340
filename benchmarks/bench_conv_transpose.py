"""Time deconvlib's ``method="fast"`` against PyTorch and against ``method="naive"``.

Run (torch is optional and never a deconvlib dependency; without it the torch
columns are skipped)::

    PYTHONPATH=/path/to/repo python benchmarks/bench_conv_transpose.py [--repeat N] [--quick]

For every shape the script first checks that fast, naive and torch agree
(``allclose``, rtol 1e-3, atol 1e-3 × max|result|), then times them in one
run, interleaved: each repetition runs every method once, in an order that
rotates, so drift in the machine's speed hits all of them alike. Before each
timed call it sleeps ``--pause`` s (another library's worker threads busy-wait
after their own call and would steal a core) and makes ``--warmup`` untimed
calls of the same method. glibc is asked to keep freed memory (see
``keep_freed_memory``; ``--default-malloc`` to not). Times are medians of
``time.perf_counter`` wall-clock in ms. float32, inputs NHWC, kernels
``(kh, kw, c_in, c_out)``; torch gets the same arrays as contiguous NCHW and
``(c_in, c_out, kh, kw)`` tensors, made outside the timed region, and runs
under ``torch.no_grad()`` with ``torch.set_num_threads(os.cpu_count())``
unless ``--torch-threads`` says otherwise; numpy's BLAS keeps its default.

Columns:
  matmul ms        one numpy matmul X(n·h·w, c_in) @ W(c_in, kh·kw·c_out): the
                   same FLOPs as fast, without the accumulation, so a floor
  fast / torch     ratio of medians (< 1: deconvlib faster)
  naive / fast     speed-up of fast over naive (fewer repetitions: --naive-repeat)
  fast GFLOP/s     2·n·h·w·c_in·kh·kw·c_out over fast's median (every kernel
                   tap counted, even those the padding crops away)
  fast peak MiB    tracemalloc's peak during one fast call above what was
                   allocated before it; numpy reports its buffers to
                   tracemalloc, so this counts the output (next column) and
                   every temporary
  dilated MiB      the zero-dilated, padded input that ``naive`` builds, for scale
  other procs CPU  share of the machine's busy CPU time that other processes
                   used while the shape was timed; high means unreliable medians
"""

import argparse
import ctypes
import ctypes.util
import functools
import os
import statistics
import sys
import time
import tracemalloc

import numpy as np

import deconvlib

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # torch is optional
    torch = None

# (n, h, w, c_in, kernel, stride, padding, output_padding, dilation, c_out)
SHAPES = [
    (16, 8, 8, 256, 4, 2, 1, 0, 1, 128),  # -> 16×16×128
    (16, 16, 16, 128, 4, 2, 1, 0, 1, 64),  # -> 32×32×64
    (8, 32, 32, 64, 3, 2, 1, 1, 1, 32),  # -> 64×64×32
    (8, 16, 16, 64, 3, 2, 2, 1, 2, 32),  # dilated: 2·15 + 2·2 + 1 − 2·2 + 1 = 32 -> 32×32×32
]

MIB = 2.0**20


def make_case(n, h, w, c_in, k, c_out, rng):
    X = rng.standard_normal((n, h, w, c_in), dtype=np.float32)
    W = rng.standard_normal((k, k, c_in, c_out), dtype=np.float32) / np.float32(np.sqrt(k * k * c_in))
    return X, W


def close(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-3, atol=1e-3 * float(np.abs(b).max()))


def peak_extra_bytes(fn):
    """Peak bytes allocated during one call of ``fn`` beyond what was there before."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak - before


def interleaved_medians(fns, repeat, limits, pause, warmup):
    """Median seconds per function.

    Repetition ``r`` runs every function whose limit allows, in an order that
    rotates with ``r``. Before each timed call: ``pause`` seconds of sleep, so
    that the other library's worker threads, which busy-wait for a while after
    their own call (OpenBLAS ~0.1 s, OpenMP less), are idle again and do not
    steal a core; then ``warmup`` untimed calls of the same function, so that
    its own threads are awake and its caches and allocator are in their steady
    state, as in a loop over batches.
    """
    times = {name: [] for name in fns}
    names = list(fns)
    for r in range(repeat):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            if r >= limits.get(name, repeat):
                continue
            time.sleep(pause)
            for _ in range(warmup):
                fns[name]()
            t0 = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(t) for name, t in times.items()}


class CpuContention:
    """Share of the machine's busy CPU time that other processes used (Linux only, else None)."""

    @staticmethod
    def _sample():
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]  # user … steal (guest is inside user)
        busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
        t = os.times()
        return busy / os.sysconf("SC_CLK_TCK"), t.user + t.system

    def __enter__(self):
        try:
            self.start = self._sample()
        except (OSError, ValueError, IndexError):
            self.start = None
        self.other = None
        return self

    def __exit__(self, *exc):
        if self.start is not None:
            (busy0, own0), (busy1, own1) = self.start, self._sample()
            self.other = max(0.0, (busy1 - busy0) - (own1 - own0)) / max(busy1 - busy0, 1e-9)


def keep_freed_memory():
    """Ask glibc to reuse freed memory instead of returning it to the kernel; True if it agreed.

    By default glibc serves big blocks with mmap and unmaps them on free, so a
    function that allocates a few MiB per call pays a page fault per 4 KiB page
    on every call (about 1.5 µs each on this VM: several ms for torch here,
    which allocates its buffers anew on each call, and an amount that depends on
    what ran before). Steady state, as in a training loop, is fairer to both.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        return bool(libc.mallopt(M_MMAP_THRESHOLD, 32 * 2**20) and libc.mallopt(M_TRIM_THRESHOLD, 2**30))
    except (OSError, AttributeError):
        return False


def timed_calls(X, W, params, naive=True):
    """The calls to time for one case, by method name; each takes no argument.

    ``params`` are the keyword arguments shared by ``conv_transpose2d`` and
    ``F.conv_transpose2d`` (stride, padding, output_padding, dilation); torch
    gets its own NCHW copies of ``X`` and ``W``, made here, outside the timing.
    """
    c_in = X.shape[3]
    X2, W2 = X.reshape(-1, c_in), np.ascontiguousarray(W.transpose(2, 0, 1, 3).reshape(c_in, -1))
    fns = {
        "fast": functools.partial(deconvlib.conv_transpose2d, X, W, method="fast", **params),
        "matmul": functools.partial(np.matmul, X2, W2),  # the same FLOPs in one numpy matmul: a floor for fast
    }
    if torch is not None:
        Xt = torch.from_numpy(X).permute(0, 3, 1, 2).contiguous()
        Wt = torch.from_numpy(W.transpose(2, 3, 0, 1).copy())  # (c_in, c_out, kh, kw)

        def torch_fn():
            with torch.no_grad():
                return F.conv_transpose2d(Xt, Wt, **params)

        fns["torch"] = torch_fn
    if naive:
        fns["naive"] = functools.partial(deconvlib.conv_transpose2d, X, W, method="naive", **params)
    return fns


def describe(n, h, w, c_in, k, s, p, op, d, c_out, out_h, out_w):
    extra = (f" d{d}" if d > 1 else "") + (f" op{op}" if op else "")
    return f"{n}×{h}×{w}×{c_in} → {out_h}×{out_w}×{c_out} (k{k} s{s} p{p}{extra})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed repetitions of fast and torch (default 15)")
    parser.add_argument("--naive-repeat", type=int, default=5, help="timed repetitions of naive (default 5)")
    parser.add_argument("--quick", action="store_true", help="3 repetitions (1 of naive), no pause: a smoke test")
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=None,
        help="torch.set_num_threads value (default: the number of CPUs, os.cpu_count())",
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=0.2,
        help="seconds to sleep before each timed call (default 0.2; see interleaved_medians)",
    )
    parser.add_argument(
        "--warmup", type=int, default=1, help="untimed calls of the same method right before each timed one (default 1)"
    )
    parser.add_argument(
        "--default-malloc", action="store_true", help="keep glibc's default malloc thresholds (see keep_freed_memory)"
    )
    parser.add_argument("--no-naive", action="store_true", help="skip method='naive'")
    args = parser.parse_args(argv)
    if args.quick:
        repeat, naive_repeat, pause = 3, 1, 0.0
    else:
        repeat, naive_repeat, pause = args.repeat, min(args.naive_repeat, args.repeat), args.pause

    tuned = False if args.default_malloc else keep_freed_memory()
    rng = np.random.default_rng(0)
    cpus = os.cpu_count()
    print(
        f"numpy {np.__version__}, Python {sys.version.split()[0]}, {cpus} CPU(s); "
        "numpy's BLAS with its default thread count"
    )
    if torch is not None:
        torch.set_num_threads(args.torch_threads or cpus)
        print(f"torch {torch.__version__} (CPU) with torch.set_num_threads({torch.get_num_threads()})")
    else:
        print("torch not importable: torch columns skipped")
    print(
        "glibc malloc: "
        + (
            "mmap threshold 32 MiB, trim threshold 1 GiB, so freed memory is reused (no page faults per call)"
            if tuned
            else "default settings"
        )
    )
    print(
        f"float32; median ms of {repeat} interleaved repetitions"
        + ("" if args.no_naive else f" ({naive_repeat} for naive, which is slow)")
        + f"; before each timed call a {pause:g} s pause and {args.warmup} untimed call(s) of the same method\n"
    )

    header = ["shape (n×h×w×c_in → out)", "fast ms", "matmul ms"]
    if torch is not None:
        header += ["torch ms", "fast / torch"]
    if not args.no_naive:
        header += ["naive ms", "naive / fast"]
    header += ["fast GFLOP/s", "fast peak MiB", "output MiB", "dilated MiB", "other procs CPU"]
    rows = []
    for n, h, w, c_in, k, s, p, op, d, c_out in SHAPES:
        X, W = make_case(n, h, w, c_in, k, c_out, rng)
        fns = timed_calls(X, W, dict(stride=s, padding=p, output_padding=op, dilation=d), naive=not args.no_naive)

        # correctness before timing
        fast = fns["fast"]()
        assert fast.dtype == np.float32, fast.dtype
        label = describe(n, h, w, c_in, k, s, p, op, d, c_out, *fast.shape[1:3])
        for name in fns.keys() - {"fast", "matmul"}:
            ref = fns[name]()
            if name == "torch":
                ref = ref.permute(0, 2, 3, 1).numpy()
            if not close(fast, ref):
                diff = np.abs(fast - ref).max() if fast.shape == ref.shape else "-"
                sys.exit(f"{label}: fast disagrees with {name} (shapes {fast.shape}, {ref.shape}, max |diff| {diff})")
            del ref

        with CpuContention() as contention:
            medians = interleaved_medians(fns, repeat, {"naive": naive_repeat}, pause, args.warmup)
        flops = 2.0 * n * h * w * c_in * k * k * c_out
        peak = peak_extra_bytes(fns["fast"])
        dilated = [s * (size - 1) + 1 + 2 * (d * (k - 1) - p) + op for size in (h, w)]  # naive's padded input
        row = [label, f"{medians['fast'] * 1e3:.2f}", f"{medians['matmul'] * 1e3:.2f}"]
        if torch is not None:
            row += [f"{medians['torch'] * 1e3:.2f}", f"{medians['fast'] / medians['torch']:.2f}"]
        if "naive" in fns:
            row += [f"{medians['naive'] * 1e3:.1f}", f"{medians['naive'] / medians['fast']:.1f}×"]
        row += [
            f"{flops / medians['fast'] / 1e9:.0f}",
            f"{peak / MIB:.2f}",
            f"{fast.nbytes / MIB:.2f}",
            f"{n * dilated[0] * dilated[1] * c_in * X.itemsize / MIB:.2f}",
            "?" if contention.other is None else f"{100 * contention.other:.0f}%",
        ]
        rows.append(row)

    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(
        "\nother procs CPU: share of the machine's busy CPU time used by other processes while timing "
        "(high: medians unreliable)"
    )


if __name__ == "__main__":
    main()
