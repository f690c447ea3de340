"""Generate PyTorch reference fixtures for deconvlib.pooling in 1-D, 2-D and 3-D, with ceil_mode.

How to run (from the repository root; torch is needed ONLY here, never at
runtime or test time)::

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python tests/references/data/make_torch_pooling_nd_fixtures.py

Writes ``torch_pooling_nd.npz`` next to this script: ``cases``, a JSON list of
dicts (``key``, ``dims``, ``op`` "max" or "avg", ``kernel_size``, ``stride``
(None: the window), ``padding``, ``dilation`` (max), ``ceil_mode``,
``count_include_pad`` and ``divisor_override`` (avg), ``dtype``, ``error``:
torch's message when it refused the case, else None), and for each case
``<key>_x`` (n, *spatial, c) and, unless refused, ``<key>_y`` (n, *out, c),
channels last, computed by ``torch.nn.functional.{max,avg}_pool{1,2,3}d`` on
the channels-first permutation. Sizes are small and often odd, so that
``ceil_mode``'s extra window (and PyTorch's rule that drops it when it would
start in the right padding) is met often. Random numbers come from
``numpy.random.default_rng(SEED)``.
"""

import json
import os

import numpy as np

SEED = 20261207
TORCH_VERSION = "2.13.0"
HERE = os.path.dirname(os.path.abspath(__file__))
COUNT = 480


def cases(rng):
    """Random windows, strides, paddings (at most half the window), dilations and flags, per dimension."""
    found = []
    for n in range(COUNT):
        dims = (1, 2, 3)[n % 3]
        op = ("max", "avg")[(n // 3) % 2]
        kernel = [int(k) for k in rng.integers(1, 5, size=dims)]
        stride = None if rng.random() < 0.25 else [int(s) for s in rng.integers(1, 4, size=dims)]
        padding = [int(rng.integers(0, k // 2 + 1)) for k in kernel]
        if rng.random() < 0.05:  # past half the window: torch refuses, and so must deconvlib
            padding[0] = kernel[0] // 2 + 1
        case = dict(
            dims=dims, op=op, kernel_size=kernel, stride=stride, padding=padding, ceil_mode=bool(rng.random() < 0.7)
        )
        if op == "max":
            case["dilation"] = [int(d) for d in rng.integers(1, 3, size=dims)]
        else:
            case["count_include_pad"] = bool(rng.random() < 0.5)
            case["divisor_override"] = int(rng.integers(1, 7)) if dims > 1 and rng.random() < 0.25 else None
        spatial = [int(v) for v in rng.integers(1, 10 if dims < 3 else 7, size=dims)]
        case["spatial"] = spatial
        found.append(case)
    return found


def main():
    import torch  # only here: pytest imports this module for its doctests, where torch is absent
    import torch.nn.functional as F

    assert torch.__version__.split("+")[0] == TORCH_VERSION, torch.__version__
    rng = np.random.default_rng(SEED)
    arrays, meta = {}, []
    for n, case in enumerate(cases(rng)):
        dims = case["dims"]
        dtype = "float32" if n % 5 == 0 else "float64"
        x = rng.standard_normal((2, *case.pop("spatial"), 2)).astype(dtype)
        t = torch.from_numpy(x).movedim(-1, 1)
        stride = case["stride"] if case["stride"] is not None else case["kernel_size"]
        error = None
        try:
            if case["op"] == "max":
                f = getattr(F, f"max_pool{dims}d")
                y = f(t, case["kernel_size"], stride, case["padding"], case["dilation"], ceil_mode=case["ceil_mode"])
            else:
                f = getattr(F, f"avg_pool{dims}d")
                extra = {} if dims == 1 else dict(divisor_override=case["divisor_override"])
                y = f(
                    t,
                    case["kernel_size"],
                    stride,
                    case["padding"],
                    ceil_mode=case["ceil_mode"],
                    count_include_pad=case["count_include_pad"],
                    **extra,
                )
        except RuntimeError as exc:
            error = str(exc).splitlines()[0]
        key = f"p{n:03d}"
        arrays[f"{key}_x"] = x
        if error is None:
            arrays[f"{key}_y"] = y.movedim(1, -1).numpy()
        meta.append(dict(case, key=key, dtype=dtype, error=error))
    np.savez_compressed(
        os.path.join(HERE, "torch_pooling_nd.npz"),
        cases=json.dumps(meta),
        generator="tests/references/data/make_torch_pooling_nd_fixtures.py",
        torch_version=torch.__version__,
        **arrays,
    )
    print(f"{len(meta)} cases written, {sum(c['error'] is not None for c in meta)} refused by torch")


if __name__ == "__main__":
    main()
