"""Record what the seed, numpy-ml 0.1.2's ``deconv2D_naive``, returns on a few cases.

Evidence for the claim in ``deconvlib.deconv2D_naive``'s docstring: numpy-ml is
right for even padding, shifts its result for uneven padding (its own
``"same"`` with an even dilated kernel included) and refuses padding larger
than ``k̂ − 1``. ``tests/test_seed.py`` compares these records with deconvlib
and with the PyTorch-checked crop of the full result.

numpy-ml is not a dependency (GPL-3.0; only its outputs are stored). To regenerate:

    pip download numpy-ml==0.1.2 --no-deps -d /tmp/npml && cd /tmp/npml && unzip -o numpy_ml-*.whl
    NUMPY_ML=/tmp/npml python tests/references/data/make_numpy_ml_fixtures.py

It loads only ``numpy_ml/neural_nets/utils/utils.py`` (needs numpy alone).
"""

import importlib.util
import json
import os
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("numpy_ml_deconv2D_naive.npz")

#: (name, input shape, kernel shape, stride, pad, dilation)
CASES = [
    ("even_pad_1", (1, 5, 5, 1), (3, 3, 1, 1), 1, 1, 0),
    ("even_pad_stride_2", (1, 5, 5, 1), (3, 3, 1, 1), 2, 1, 0),
    ("pair_pad", (2, 4, 5, 2), (3, 2, 2, 3), 1, (1, 0), 0),
    ("same_odd_kernel", (1, 5, 5, 1), (3, 3, 1, 1), 1, "same", 0),
    ("same_odd_kernel_dilated", (1, 5, 5, 1), (3, 3, 1, 1), 1, "same", 1),
    ("uneven_pad_2011", (1, 5, 5, 1), (3, 3, 1, 1), 2, (2, 0, 1, 1), 0),
    ("same_even_kernel", (1, 5, 5, 1), (2, 2, 1, 1), 1, "same", 0),
    ("same_even_kernel_stride_2", (1, 5, 5, 1), (2, 2, 1, 1), 2, "same", 0),
    ("pad_larger_than_kernel", (1, 5, 5, 1), (3, 3, 1, 1), 1, 3, 0),
]


def load_numpy_ml():
    root = Path(os.environ.get("NUMPY_ML", "/tmp/npml"))
    spec = importlib.util.spec_from_file_location("nmlu", root / "numpy_ml/neural_nets/utils/utils.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    seed = load_numpy_ml()
    rng = np.random.default_rng(2016)
    arrays, records = {}, []
    for k, (name, x_shape, w_shape, stride, pad, dilation) in enumerate(CASES):
        X, W = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        arrays[f"c{k}_x"], arrays[f"c{k}_w"] = X, W
        record = dict(name=name, stride=stride, pad=pad, dilation=dilation, error=None)
        try:
            arrays[f"c{k}_y"] = seed.deconv2D_naive(X, W, stride, pad, dilation)
        except Exception as error:  # numpy-ml refuses: record its message
            record["error"] = f"{type(error).__name__}: {error}"
        records.append(record)
    np.savez_compressed(OUT, cases=json.dumps(records), **arrays)
    print(f"wrote {len(records)} cases to {OUT}")


if __name__ == "__main__":
    main()
