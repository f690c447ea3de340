"""Record Keras functional U-Nets: their config, and whether Keras joins each skip at odd input sizes.

How to run (from the repository root; TensorFlow is needed ONLY here)::

    /tmp/tfvenv/bin/python tests/data/doctor/make_keras_unet_fixtures.py

Writes ``keras_unets.json`` next to this script: ``unets``, random 1-D and 2-D
functional U-Nets (convolutions with ``padding='same'``, ``MaxPoolingND`` or a
strided ``ConvND`` down, ``ConvNDTranspose`` up, a ``Concatenate`` joining each
skip), each with ``config`` (``model.to_json()`` of the model built at an input
size that round-trips, parsed), ``input`` (that size, ``(n, *spatial, c)``) and
``sizes``: for other input sizes, whether Keras could build the model
(``ok``) or the message of its ``Concatenate`` refusal. Random numbers come
from ``numpy.random.default_rng(SEED)``.
"""

import json
import os

import numpy as np

SEED = 20261210
HERE = os.path.dirname(os.path.abspath(__file__))
UNETS = 16


def build(keras, dims, depth, styles, spatial, channels=2):
    x = inputs = keras.Input((*spatial, channels), batch_size=1)
    skips = []
    for level in range(depth):
        x = getattr(keras.layers, f"Conv{dims}D")(4 * 2**level, 3, padding="same", name=f"enc{level}")(x)
        skips.append(x)
        down, up = styles[level]
        if down == "pool":
            x = getattr(keras.layers, f"MaxPooling{dims}D")(2, name=f"down{level}")(x)
        else:
            x = getattr(keras.layers, f"Conv{dims}D")(4 * 2**level, 3, strides=2, padding="same", name=f"down{level}")(
                x
            )
    x = getattr(keras.layers, f"Conv{dims}D")(4 * 2**depth, 3, padding="same", name="mid")(x)
    for level in reversed(range(depth)):
        kernel, padding = styles[level][1]
        x = getattr(keras.layers, f"Conv{dims}DTranspose")(
            4 * 2**level, kernel, strides=2, padding=padding, name=f"up{level}"
        )(x)
        x = keras.layers.Concatenate(name=f"cat{level}")([skips[level], x])
    return keras.Model(inputs, x)


def main():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras  # only here

    rng = np.random.default_rng(SEED)
    unets = []
    while len(unets) < UNETS:
        dims = 1 + len(unets) % 2
        depth = int(rng.integers(1, 4))
        styles = [
            (str(rng.choice(["pool", "conv"])), [(2, "valid"), (3, "same"), (4, "same"), (2, "same")][rng.integers(4)])
            for _ in range(depth)
        ]
        good = [2**depth * int(rng.integers(2, 6))] * dims
        model = build(keras, dims, depth, styles, good)
        entry = dict(key=f"ku{len(unets):02d}", config=json.loads(model.to_json()), input=[1, *good, 2], sizes=[])
        for size in range(good[0] - 3, good[0] + 4):
            try:
                build(keras, dims, depth, styles, [size] * dims)
                entry["sizes"].append(dict(input=[1, *[size] * dims, 2], ok=True))
            except ValueError as error:
                text = " ".join(str(error).split())
                entry["sizes"].append(dict(input=[1, *[size] * dims, 2], ok=False, message=text[:400]))
        unets.append(entry)
    with open(os.path.join(HERE, "keras_unets.json"), "w", encoding="utf-8") as f:
        json.dump(dict(generator="tests/data/doctor/make_keras_unet_fixtures.py", keras_version=keras.__version__,
                       unets=unets), f, separators=(",", ":"))  # fmt: skip
        f.write("\n")
    print(len(unets), "U-Nets,", sum(not s["ok"] for u in unets for s in u["sizes"]), "sizes refused")


if __name__ == "__main__":
    main()
