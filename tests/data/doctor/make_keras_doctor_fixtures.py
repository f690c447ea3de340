"""Record Keras model configs and the shapes TensorFlow computes for them, for the doctor's Keras reader.

How to run (from the repository root; TensorFlow is needed ONLY here, never at
runtime or test time)::

    python3 -m venv /tmp/tfvenv
    /tmp/tfvenv/bin/pip install tensorflow-cpu numpy
    /tmp/tfvenv/bin/python tests/data/doctor/make_keras_doctor_fixtures.py
    /tmp/tfvenv/bin/python tests/data/doctor/make_keras_doctor_fixtures.py layers   # keras_layer_models.json

Writes ``keras_configs.json`` next to this script: ``models``, random
``keras.Sequential`` models of 1-D, 2-D and 3-D layers (``ConvNDTranspose``
with ``padding`` 'valid' or 'same' and ``output_padding`` None or a number,
``ConvND``, ``MaxPoolingND``, ``AveragePoolingND``), each with ``config``
(``model.to_json()``, parsed), ``input`` (``(n, *spatial, c)``, Keras's
channels-last layout) and ``shapes``: every layer's output shape as Keras
computes it (the layers applied to a symbolic input), or ``error``: the layer
Keras refused and its message. The layers are then run eagerly on zeros with
the TensorFlow backend: the shapes are checked to be the same, or TensorFlow's
kernel refuses the layer (``tensorflow_error``: its CPU kernels do not take
every configuration Keras computes a shape for, e.g. a dilation above 1 with
oneDNN off, or a 'same' layer whose output_padding TensorFlow's own SAME
arithmetic does not reach). Random numbers come from ``numpy.random.default_rng(SEED)``.
"""

import json
import os

import numpy as np

SEED = 20261208
HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = 100


def message(error):
    """The line of a Keras error that says what is wrong (Keras wraps a layer's error in a line of its own)."""
    lines = [line.strip().replace("\x1b[1m", "").replace("\x1b[0m", "") for line in str(error).splitlines()]
    lines = [line for line in lines if line]
    if lines and lines[0].startswith("Exception encountered when calling") and len(lines) > 1:
        return lines[1]
    return lines[0] if lines else type(error).__name__


def random_layer(keras, rng, dims, index):
    """One random Keras layer (its constructor may refuse it: that is recorded too)."""
    kind = rng.choice(["transpose", "transpose", "conv", "maxpool", "avgpool"])
    name = f"l{index}"
    padding = str(rng.choice(["valid", "same"]))
    if kind in ("maxpool", "avgpool"):
        pool = [int(v) for v in rng.integers(1, 4, size=dims)]
        strides = None if rng.random() < 0.4 else [int(v) for v in rng.integers(1, 4, size=dims)]
        cls = getattr(keras.layers, f"{'Max' if kind == 'maxpool' else 'Average'}Pooling{dims}D")
        return cls(pool_size=pool, strides=strides, padding=padding, name=name)
    kernel = [int(v) for v in rng.integers(1, 6, size=dims)]
    strides = [int(v) for v in rng.integers(1, 4, size=dims)]
    dilation = [1] * dims
    if rng.random() < 0.2:
        strides, dilation = [1] * dims, [int(v) for v in rng.integers(1, 3, size=dims)]
    filters = int(rng.integers(1, 4))
    if kind == "conv":
        cls = getattr(keras.layers, f"Conv{dims}D")
        return cls(filters, kernel, strides=strides, padding=padding, dilation_rate=dilation, name=name)
    output_padding = None
    if rng.random() < 0.5:
        output_padding = [int(rng.integers(0, s)) if rng.random() < 0.95 else int(s) for s in strides]
    cls = getattr(keras.layers, f"Conv{dims}DTranspose")
    return cls(
        filters,
        kernel,
        strides=strides,
        padding=padding,
        output_padding=output_padding,
        dilation_rate=dilation,
        name=name,
    )


def record(keras, tf, layers, input_shape, entry):
    """Keras's shapes for the layers (``shapes``, or ``error``), the ``config``, and TensorFlow's run on zeros."""
    # Keras's own arithmetic: the layers applied to a symbolic input (what model.summary() shows)
    x = keras.Input(shape=tuple(input_shape), batch_size=1)
    shapes = []
    for index, layer in enumerate(layers):
        try:
            x = layer(x)
        except Exception as error:  # noqa: BLE001
            entry["error"] = dict(layer=index, message=message(error), stage="build")
            break
        shapes.append([int(v) for v in x.shape])
        if len(shapes[-1]) > 2 and min(shapes[-1][1:]) < 1:  # Keras computes an empty output without a word
            entry["error"] = dict(layer=index, message=f"empty output {shapes[-1]}", stage="build")
            break
    if "error" in entry:
        entry["config"] = json.loads(keras.Sequential(layers).to_json())  # the layers as they are, unbuilt
        return
    entry["shapes"] = shapes
    entry["config"] = json.loads(
        keras.Sequential([keras.Input(shape=tuple(input_shape), batch_size=1), *layers]).to_json()
    )
    # and TensorFlow's kernels, eagerly on zeros: the same shapes, or the kernel's refusal
    x = tf.zeros((1, *input_shape))
    for index, layer in enumerate(layers):
        try:
            x = layer(x)
        except Exception as error:  # noqa: BLE001
            entry["tensorflow_error"] = dict(layer=index, message=message(error))
            break
        assert [int(v) for v in x.shape] == shapes[index], (x.shape, shapes[index])


def write(keras, tf, models, filename, argument):
    meta = dict(
        generator=f"tests/data/doctor/make_keras_doctor_fixtures.py{argument}",
        keras_version=keras.__version__,
        tensorflow_version=tf.__version__,
    )
    with open(os.path.join(HERE, filename), "w", encoding="utf-8") as f:
        json.dump(dict(meta, models=models), f, separators=(",", ":"))
        f.write("\n")


def main():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras  # only here: pytest imports this module for its doctests, where Keras is absent
    import tensorflow as tf

    rng = np.random.default_rng(SEED)
    models = []
    while len(models) < MODELS:
        dims = (1, 2, 3)[len(models) % 3]
        spatial = [int(v) for v in rng.integers(2, (12, 10, 6)[dims - 1], size=dims)]
        channels = int(rng.integers(1, 4))
        entry = dict(key=f"k{len(models):03d}", input=[1, *spatial, channels])
        layers = []
        try:
            for index in range(int(rng.integers(2, 5))):
                layers.append(random_layer(keras, rng, dims, index))
        except ValueError as error:  # a constructor refused it (output_padding >= strides, ...)
            entry["error"] = dict(layer=len(layers), message=message(error), stage="constructor")
            entry["config"] = None
            models.append(entry)
            continue
        record(keras, tf, layers, [*spatial, channels], entry)
        models.append(entry)
    write(keras, tf, models, "keras_configs.json", "")
    refused = sum("error" in m for m in models)
    print(f"{len(models)} Keras models ({refused} refused)")


# ---- the layers that resample, pad, crop or project (``python make_keras_doctor_fixtures.py layers``) ----
#
# Writes ``keras_layer_models.json`` (``keras_configs.json`` is not rewritten): ``models``, random Sequential
# models mixing the layers above with ``UpSamplingND`` (UpSampling2D nearest or bilinear), ``ZeroPaddingND`` and
# ``CroppingND`` (an int, one per axis, or pairs), some led by ``Dense → Reshape`` or ended by ``Flatten → Dense``,
# a fifth of the 2-D and 3-D ones in ``data_format='channels_first'``; recorded as above (``config``, ``input`` in
# the model's layout, ``shapes`` or ``error``, and ``tensorflow_error`` where TensorFlow's CPU kernels refuse a
# layer run eagerly, as they refuse channels_first convolutions).

LAYER_MODELS = 120


def random_other_layer(keras, rng, dims, index, data_format):
    """An UpSamplingND, ZeroPaddingND or CroppingND layer in one of the forms Keras takes."""
    kind = str(rng.choice(["upsampling", "upsampling", "padding", "cropping"]))
    name = f"l{index}"
    extra = {} if dims == 1 else dict(data_format=data_format)
    if kind == "upsampling":
        size = [int(v) for v in rng.integers(1, 4, size=dims)]
        if dims == 1:
            return keras.layers.UpSampling1D(size=size[0], name=name)
        if dims == 2:
            interpolation = str(rng.choice(["nearest", "bilinear"]))
            return keras.layers.UpSampling2D(size=size, interpolation=interpolation, name=name, **extra)
        return keras.layers.UpSampling3D(size=size, name=name, **extra)
    draw = rng.random()
    if draw < 0.3:
        amount = int(rng.integers(0, 3))
    elif draw < 0.6 and dims > 1:
        amount = [int(v) for v in rng.integers(0, 3, size=dims)]
    else:
        amount = [[int(v) for v in rng.integers(0, 3, size=2)] for _ in range(dims)]
        amount = amount[0] if dims == 1 else amount
    if kind == "padding":
        return getattr(keras.layers, f"ZeroPadding{dims}D")(padding=amount, name=name, **extra)
    return getattr(keras.layers, f"Cropping{dims}D")(cropping=amount, name=name, **extra)


def main_layers():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(SEED + 1)
    models = []
    while len(models) < LAYER_MODELS:
        dims = (1, 2, 3)[len(models) % 3]
        data_format = "channels_first" if dims > 1 and rng.random() < 0.2 else "channels_last"
        spatial = [int(v) for v in rng.integers(2, (12, 10, 6)[dims - 1], size=dims)]
        channels = int(rng.integers(1, 4))
        shape = [channels, *spatial] if data_format == "channels_first" else [*spatial, channels]
        layers = []
        if rng.random() < 0.25:  # a generator's projection
            latent = int(rng.integers(2, 9))
            layers += [keras.layers.Dense(int(np.prod(shape)), name="project"),
                       keras.layers.Reshape(shape, name="reshape")]  # fmt: skip
            input_shape = [latent]
        else:
            input_shape = shape
        try:
            for index in range(int(rng.integers(2, 5))):
                if rng.random() < 0.55:
                    layer = random_other_layer(keras, rng, dims, index, data_format)
                else:
                    layer = random_layer(keras, rng, dims, index)
                    if data_format == "channels_first":
                        layer = layer.__class__.from_config(dict(layer.get_config(), data_format=data_format))
                layers.append(layer)
        except ValueError:
            continue  # a constructor's refusal: recorded in keras_configs.json already
        if rng.random() < 0.15:
            layers += [keras.layers.Flatten(name="flatten"), keras.layers.Dense(1, name="score")]
        entry = dict(key=f"kl{len(models):03d}", input=[1, *input_shape], data_format=data_format)
        record(keras, tf, layers, input_shape, entry)
        models.append(entry)
    write(keras, tf, models, "keras_layer_models.json", " layers")
    refused = sum("error" in m for m in models)
    print(f"{len(models)} Keras models with the other layers ({refused} refused)")


if __name__ == "__main__":
    import sys

    main_layers() if sys.argv[1:] == ["layers"] else main()
