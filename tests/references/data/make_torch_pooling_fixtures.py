"""Generate PyTorch reference fixtures for deconvlib.pooling (max_pool2d, avg_pool2d).

How to run (from the repository root; torch is needed ONLY here, never at
runtime or test time)::

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python tests/references/data/make_torch_pooling_fixtures.py

Writes ``torch_pooling.npz`` next to this script: ``cases``, a JSON list of dicts
(``key``, ``op`` "max" or "avg", ``kernel_size``, ``stride``, ``padding``,
``dilation`` (max), ``count_include_pad`` (avg), ``dtype``), and for each case
``<key>_x`` (n, h, w, c) and ``<key>_y`` (n, out_h, out_w, c), NHWC, computed by
``torch.nn.functional.max_pool2d`` / ``avg_pool2d`` on the NCHW permutation.
Random numbers come from ``numpy.random.default_rng(SEED)``.
"""

import json
import os

import numpy as np

SEED = 20261125
TORCH_VERSION = "2.13.0"
HERE = os.path.dirname(os.path.abspath(__file__))


def cases(rng):
    """Window, stride, padding and dilation over the ranges PyTorch accepts, with square and non-square sizes."""
    found = []
    for op in ("max", "avg"):
        for k in ((1, 1), (2, 2), (3, 3), (2, 3), (4, 3)):
            for s in (None, (1, 1), (2, 2), (1, 3)):
                for p in {(0, 0), (k[0] // 2, k[1] // 2), (0, k[1] // 2)}:
                    for d in ((1, 1), (2, 1)) if op == "max" else ((1, 1),):
                        extra = (False, True) if op == "avg" and any(p) else (True,)
                        for include in extra:
                            found.append(
                                dict(op=op, kernel_size=k, stride=s, padding=p, dilation=d, count_include_pad=include)
                            )
    return found


def main():
    import torch  # only here: pytest imports this module for its doctests, where torch is absent
    import torch.nn.functional as F

    assert torch.__version__.split("+")[0] == TORCH_VERSION, torch.__version__
    rng = np.random.default_rng(SEED)
    arrays, meta = {}, []
    for n, case in enumerate(cases(rng)):
        h, w = (int(v) for v in rng.integers(7, 10, size=2))
        dtype = "float32" if n % 5 == 0 else "float64"
        x = rng.standard_normal((2, h, w, 2)).astype(dtype)
        if n % 7 == 0:
            x[0, :2, :2, 0] = -np.abs(x[0, :2, :2, 0]) - 5  # a corner where padding must never win the max
        t = torch.from_numpy(x).permute(0, 3, 1, 2)
        stride = case["stride"] if case["stride"] is not None else case["kernel_size"]
        if case["op"] == "max":
            y = F.max_pool2d(t, case["kernel_size"], stride, case["padding"], case["dilation"])
        else:
            y = F.avg_pool2d(
                t, case["kernel_size"], stride, case["padding"], count_include_pad=case["count_include_pad"]
            )
        key = f"c{n:03d}"
        arrays[f"{key}_x"] = x
        arrays[f"{key}_y"] = y.permute(0, 2, 3, 1).numpy()
        meta.append(dict(case, key=key, dtype=dtype, stride=case["stride"]))
    np.savez_compressed(
        os.path.join(HERE, "torch_pooling.npz"),
        cases=json.dumps(meta),
        generator="tests/references/data/make_torch_pooling_fixtures.py",
        torch_version=torch.__version__,
        **arrays,
    )
    print(f"{len(meta)} cases written")


if __name__ == "__main__":
    main()
