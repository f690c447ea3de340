"""Time deconvlib's ``method="fast"`` and ``conv2d`` against PyTorch's CPU kernels, layer by layer.

Run (torch is optional and never a deconvlib dependency; without it only
deconvlib's times are printed)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=/path/to/repo \\
        python benchmarks/bench_conv_transpose.py [--repeat N] [--quick] [--only TEXT]

The fair way, as measured on a shared 2-core VM:

- ``OMP_NUM_THREADS`` is set (default: the number of CPUs) **before** torch is
  imported; torch 2.13's CPU convolutions ran ~7× slower without it, even
  with ``torch.set_num_threads``;
- every layer is checked first (deconvlib against torch, ``allclose`` with
  rtol 1e-3, atol 1e-3 × max|result|), then timed interleaved: each
  repetition runs every call once, in a rotating order; before each timed call
  the script sleeps ``--pause`` s (numpy's OpenBLAS threads busy-wait ~0.1 s
  after a call and would steal a core from the next library) and makes one
  untimed call of the same function;
- glibc is asked to keep freed memory (``keep_freed_memory``), so neither
  library pays page faults for buffers it allocates on every call;
- it prints the CPU model, the load, numpy's BLAS kernel (threadpoolctl, if
  installed) and, per layer, the share of CPU time other processes used while
  it was timed: distrust rows where that is high.

Columns: medians in ms of ``--repeat`` timed calls; ``fast / torch`` against
torch's default NCHW path (contiguous NCHW tensors made before timing) and
``fast / torch CL`` against torch's channels-last path (deconvlib's own
layout, NHWC, given to torch as a channels-last view of the same memory);
``< 1`` means deconvlib is faster. The footer gives the median and the worst
ratio over the transposed layers, and over the ``conv2d`` rows. A second,
small table times issue 12's 1-D and 3-D decoder layers
(``conv_transpose1d``/``conv_transpose3d`` against torch's; a row says
"skipped" while deconvlib lacks the function); they are not in the medians.
"""

import argparse
import ctypes
import ctypes.util
import functools
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count()))  # before torch is imported: see the docstring

import numpy as np  # noqa: E402

import deconvlib  # noqa: E402

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # torch is optional
    torch = None

# name, op, (n, h, w, c_in), c_out, kernel, stride, padding, dilation, groups, dtype
LAYERS = [
    ("DCGAN 1×1×100 → 4×4×512", "transpose", (64, 1, 1, 100), 512, 4, 1, 0, 1, 1, "float32"),
    ("DCGAN 4×4×512 → 8×8×256", "transpose", (64, 4, 4, 512), 256, 4, 2, 1, 1, 1, "float32"),
    ("DCGAN 8×8×256 → 16×16×128", "transpose", (64, 8, 8, 256), 128, 4, 2, 1, 1, 1, "float32"),
    ("DCGAN 16×16×128 → 32×32×64", "transpose", (64, 16, 16, 128), 64, 4, 2, 1, 1, 1, "float32"),
    ("DCGAN 32×32×64 → 64×64×3", "transpose", (64, 32, 32, 64), 3, 4, 2, 1, 1, 1, "float32"),
    ("U-Net 32×32×256 → 64×64×128, k2 s2", "transpose", (8, 32, 32, 256), 128, 2, 2, 0, 1, 1, "float32"),
    ("stride 1, k3 p1, 32×32×64 → 64", "transpose", (8, 32, 32, 64), 64, 3, 1, 1, 1, 1, "float32"),
    ("stride 1, k7 p3, 32×32×64 → 64", "transpose", (8, 32, 32, 64), 64, 7, 1, 3, 1, 1, "float32"),
    ("stride 4, k8 p2, 16×16×64 → 64×64×32", "transpose", (8, 16, 16, 64), 32, 8, 4, 2, 1, 1, "float32"),
    ("dilation 2, k3 s1 p2, 32×32×64 → 64", "transpose", (8, 32, 32, 64), 64, 3, 1, 2, 2, 1, "float32"),
    ("groups 2, k4 s2 p1, 32×32×128 → 128", "transpose", (8, 32, 32, 128), 128, 4, 2, 1, 1, 2, "float32"),
    ("depthwise, groups 64, k4 s2 p1, 32×32×64", "transpose", (8, 32, 32, 64), 64, 4, 2, 1, 1, 64, "float32"),
    ("batch 1, 128×128×64 → 256×256×32, k4 s2 p1", "transpose", (1, 128, 128, 64), 32, 4, 2, 1, 1, 1, "float32"),
    ("float64 DCGAN 8×8×256 → 16×16×128", "transpose", (64, 8, 8, 256), 128, 4, 2, 1, 1, 1, "float64"),
    ("conv2d k3 s1 p1, 32×32×64 → 64, n8", "conv2d", (8, 32, 32, 64), 64, 3, 1, 1, 1, 1, "float32"),
    ("conv2d k4 s2 p1, 32×32×64 → 16×16×128, n64", "conv2d", (64, 32, 32, 64), 128, 4, 2, 1, 1, 1, "float32"),
    ("conv2d k3 s2 p1, 64×64×32 → 32×32×64, n8", "conv2d", (8, 64, 64, 32), 64, 3, 2, 1, 1, 1, "float32"),
]

# Issue 12's layers, in a table of their own (not part of issue 13's median); skipped
# until deconvlib has conv_transpose1d and conv_transpose3d.
LAYERS_ND = [
    ("1-D decoder, n16, 1024×128 → 2048×64, k4 s2 p1", "transpose1d", (16, 1024, 128), 64, 4, 2, 1, 1, 1, "float32"),
    ("3-D decoder, n2, 16³×64 → 32³×32, k4 s2 p1", "transpose3d", (2, 16, 16, 16, 64), 32, 4, 2, 1, 1, 1, "float32"),
]

# op → (deconvlib's function name, torch.nn.functional's name, spatial dimensions)
OPS = {
    "transpose": ("conv_transpose2d", "conv_transpose2d", 2),
    "conv2d": ("conv2d", "conv2d", 2),
    "transpose1d": ("conv_transpose1d", "conv_transpose1d", 1),
    "transpose3d": ("conv_transpose3d", "conv_transpose3d", 3),
}


def make_case(op, shape, c_out, k, groups, dtype, rng):
    """Input channels-last and kernel in deconvlib's layout, scaled so results stay near 1."""
    c_in, ndim = shape[-1], OPS[op][2]
    X = rng.standard_normal(shape).astype(dtype)
    fan_in = k**ndim * (c_in // groups)
    if op == "conv2d":
        W = rng.standard_normal((k, k, c_in // groups, c_out)).astype(dtype)  # (kh, kw, c_in / g, c_out)
    else:
        W = rng.standard_normal((k,) * ndim + (c_in, c_out // groups)).astype(dtype)  # (k…, c_in, c_out / g)
    return X, W / np.asarray(np.sqrt(fan_in), dtype)


def close(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-3, atol=1e-3 * float(np.abs(b).max()))


def timed_calls(op, X, W, params):
    """The calls to time for one layer, by name; each takes no argument.

    torch gets contiguous NCHW copies (``torch``) and channels-last views of
    the same NHWC memory (``torch CL``), both made here, outside the timing.
    """
    ours_name, torch_name, ndim = OPS[op]
    fns = {"fast": functools.partial(getattr(deconvlib, ours_name), X, W, **params)}
    if torch is not None:
        fn = getattr(F, torch_name)
        k_axes = tuple(range(ndim))
        # torch's kernels: (c_in, c_out / g, k…) transposed, (c_out, c_in / g, k…) forward
        Wt = torch.from_numpy(
            np.ascontiguousarray(W.transpose((ndim, ndim + 1)[:: 1 if "transpose" in op else -1] + k_axes))
        )
        X_cl = torch.from_numpy(X).movedim(-1, 1)  # channels-last memory: torch's channels_last(_3d) format
        X_nchw = X_cl.contiguous()
        memory_format = {2: torch.channels_last, 3: torch.channels_last_3d}.get(ndim, torch.contiguous_format)
        W_cl = Wt.contiguous(memory_format=memory_format)

        def run(Xt, Wk):
            with torch.no_grad():
                return fn(Xt, Wk, **params)

        fns["torch"] = functools.partial(run, X_nchw, Wt)
        fns["torch CL"] = functools.partial(run, X_cl, W_cl)
    return fns


def time_layer(name, op, shape, c_out, k, s, p, d, g, dtype, rng, repeat, pause, warmup):
    """Check one layer against torch, time it, print its row; ``{"torch": ratio, "torch CL": ratio}``."""
    X, W = make_case(op, shape, c_out, k, g, dtype, rng)
    fns = timed_calls(op, X, W, dict(stride=s, padding=p, dilation=d, groups=g))
    fast = fns["fast"]()
    for ref_name in fns.keys() - {"fast"}:
        ref = fns[ref_name]().movedim(1, -1).numpy()
        if not close(fast, ref):
            sys.exit(f"{name}: fast disagrees with {ref_name} (max |diff| {np.abs(fast - ref).max()})")
    del fast
    with CpuContention() as contention:
        med = interleaved_medians(fns, repeat, pause, warmup)
    row, ratios = [name, f"{med['fast'] * 1e3:.2f}"], {}
    if torch is not None:
        row += [f"{med['torch'] * 1e3:.2f}", f"{med['torch CL'] * 1e3:.2f}"]
        for ref_name in ("torch", "torch CL"):
            ratios[ref_name] = med["fast"] / med[ref_name]
            row.append(f"{ratios[ref_name]:.2f}")
    row.append("?" if contention.other is None else f"{100 * contention.other:.0f}%")
    print("| " + " | ".join(row) + " |", flush=True)
    return ratios


def interleaved_medians(fns, repeat, pause, warmup):
    """Median seconds per function: rotating order, a pause and ``warmup`` untimed calls before each timed one."""
    times = {name: [] for name in fns}
    names = list(fns)
    for r in range(repeat):
        for name in names[r % len(names) :] + names[: r % len(names)]:
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
    on every call. Steady state, as in a training loop, is fairer to both.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        return bool(libc.mallopt(M_MMAP_THRESHOLD, 32 * 2**20) and libc.mallopt(M_TRIM_THRESHOLD, 2**30))
    except (OSError, AttributeError):
        return False


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def blas_kernel():
    """numpy's BLAS library, version, kernel and threads, from threadpoolctl (if installed)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS kernel unknown (pip install threadpoolctl to see it)"
    found = [
        f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')}, {i.get('num_threads')} threads"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
    return "; ".join(found) or "no BLAS found by threadpoolctl"


def machine_lines():
    cpus = os.cpu_count()
    lines = [
        f"CPU: {cpu_model()}, {cpus} CPU(s); load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}",
        f"numpy {np.__version__} ({blas_kernel()}); Python {sys.version.split()[0]}",
    ]
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            lines.append(f"warning: {var}={os.environ[var]} is set and may slow numpy (unset it for this command)")
    if torch is not None:
        lines.append(
            f"torch {torch.__version__} with OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']} set before import, "
            f"torch.get_num_threads() = {torch.get_num_threads()}"
        )
    else:
        lines.append("torch not importable: deconvlib's times only")
    return lines


def summary(label, ratios):
    if not ratios:
        return f"{label}: -"
    worst = max(ratios, key=ratios.get)
    return f"{label}: median {statistics.median(ratios.values()):.2f}, worst {ratios[worst]:.2f} ({worst})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed calls of each function per layer (default 15)")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds of sleep before each timed call (0.2)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed calls right before each timed one (1)")
    parser.add_argument("--quick", action="store_true", help="3 repetitions, no pause: a smoke test")
    parser.add_argument("--only", default=None, help="only the layers whose name contains this text")
    parser.add_argument("--default-malloc", action="store_true", help="keep glibc's default malloc thresholds")
    args = parser.parse_args(argv)
    repeat, pause = (3, 0.0) if args.quick else (args.repeat, args.pause)
    tuned = False if args.default_malloc else keep_freed_memory()
    if torch is not None:
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    for line in machine_lines():
        print(line)
    print(
        f"median ms of {repeat} interleaved calls; before each a {pause:g} s pause and {args.warmup} untimed call; "
        f"glibc keeps freed memory: {'yes' if tuned else 'no'}\n"
    )
    header = ["layer", "fast ms"] + (["torch ms", "torch CL ms", "fast / torch", "fast / torch CL"] if torch else [])
    header += ["other procs CPU"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|", flush=True)
    rng = np.random.default_rng(0)
    ratios = {
        ("transpose", "torch"): {},
        ("transpose", "torch CL"): {},
        ("conv2d", "torch"): {},
        ("conv2d", "torch CL"): {},
    }
    for name, op, shape, c_out, k, s, p, d, g, dtype in LAYERS:
        if args.only and args.only not in name:
            continue
        ratio = time_layer(name, op, shape, c_out, k, s, p, d, g, dtype, rng, repeat, pause, args.warmup)
        for ref_name, value in ratio.items():
            ratios[op, ref_name][name] = value
    if torch is not None:
        print()
        for op, label in (("transpose", "conv_transpose2d"), ("conv2d", "conv2d")):
            print(summary(f"{label} fast / torch (NCHW)", ratios[op, "torch"]))
            print(summary(f"{label} fast / torch channels-last", ratios[op, "torch CL"]))
    nd_layers = [layer for layer in LAYERS_ND if not args.only or args.only in layer[0]]
    if nd_layers:
        print("\n1-D and 3-D layers (issue 12; not in the medians above)\n")
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|", flush=True)
    for name, op, shape, c_out, k, s, p, d, g, dtype in nd_layers:
        if not hasattr(deconvlib, OPS[op][0]):
            print(f"| {name} | skipped: deconvlib has no {OPS[op][0]} yet |", flush=True)
            continue
        time_layer(name, op, shape, c_out, k, s, p, d, g, dtype, rng, repeat, pause, args.warmup)
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
