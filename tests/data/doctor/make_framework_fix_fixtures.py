"""Apply the doctor's suggested fixes in Keras and in ONNX's reference evaluator, and record what they reach.

How to run (from the repository root; Keras/TensorFlow and onnx are needed ONLY here)::

    /tmp/tfvenv/bin/pip install tensorflow-cpu onnx numpy
    /tmp/tfvenv/bin/python tests/data/doctor/make_framework_fix_fixtures.py

Writes ``framework_fixes.json`` next to this script: ``keras`` and ``onnx``,
random transposed layers (kernel 1 to 5, stride 1 to 3, input 3 to 11) and a
target size near ``stride · input``, each with ``model`` (the Keras config or
the ONNX node data the doctor reads), ``target``, ``text`` (the doctor's
suggestion, in the framework's terms, from this repository's deconvlib at
record time; None when it said the target is out of reach) and ``reached``:
the size the framework gives with the suggestion applied (Keras: the layer
rebuilt with that ``padding`` and ``output_padding``, or ``'valid'`` and the
``Cropping2D``; ONNX: the node with those ``pads`` and ``output_padding`` run by
``onnx.reference.ReferenceEvaluator``). Random numbers come from
``numpy.random.default_rng(SEED)``.
"""

import json
import os
import sys

import numpy as np

SEED = 20261211
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
COUNT = 60


def keras_case(keras, dl, rng):
    k, s, i = int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(3, 12))
    up = {"name": "up", "filters": 1, "kernel_size": [k, k], "strides": [s, s], "padding": "valid",
          "output_padding": None, "dilation_rate": [1, 1], "data_format": "channels_last"}  # fmt: skip
    model = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, i, i, 2], "name": "in"}},
        {"class_name": "Conv2DTranspose", "config": up}]}}  # fmt: skip
    target = s * i + int(rng.integers(-3, 3))
    try:
        text = dl.doctor(model, target=(target, target), overlap=False).fix["text"]
    except dl.ParameterError:
        return dict(model=model, target=[target, target], text=None, reached=None)
    x = keras.Input((i, i, 2), batch_size=1)
    if "Cropping2D" in text:
        crop = eval(text.split("Cropping2D(")[1].split(" gives")[0][:-1])  # noqa: S307  the doctor's own tuple
        y = keras.layers.Cropping2D(crop)(keras.layers.Conv2DTranspose(1, k, strides=s, padding="valid")(x))
    else:
        padding = "same" if "padding='same'" in text else "valid"
        op = text.split("output_padding=")[1].split(" gives")[0]
        op = None if op.startswith("None") else eval(op)  # noqa: S307
        y = keras.layers.Conv2DTranspose(1, k, strides=s, padding=padding, output_padding=op)(x)
    return dict(model=model, target=[target, target], text=text, reached=[int(v) for v in y.shape[1:3]])


def onnx_case(dl, rng):
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator

    k, s, i = int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(3, 12))
    node = dict(op_type="ConvTranspose", name="up", attributes=dict(strides=[s, s]), weight_shape=[2, 1, k, k])
    model = {"onnx_nodes": [node], "input": [1, 2, i, i]}
    target = s * i + int(rng.integers(-3, 3))
    try:
        text = dl.doctor(model, target=(target, target), overlap=False).fix["text"]
    except dl.ParameterError:
        return dict(model=model, target=[target, target], text=None, reached=None)
    pads = eval(text.split("pads=")[1].split("]")[0] + "]")  # noqa: S307  the doctor's own list
    ops = eval(text.split("output_padding=")[1].split("]")[0] + "]")  # noqa: S307
    n = helper.make_node("ConvTranspose", ["x", "w"], ["y"], strides=[s, s], pads=pads, output_padding=ops,
                         kernel_shape=[k, k])  # fmt: skip
    weight = numpy_helper.from_array(np.ones((2, 1, k, k), np.float32), "w")
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, i, i])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    graph = helper.make_graph([n], "fix", [x], [y], initializer=[weight])
    y = ReferenceEvaluator(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])).run(
        None, {"x": np.zeros((1, 2, i, i), np.float32)}
    )[0]
    return dict(model=model, target=[target, target], text=text, reached=[int(v) for v in y.shape[2:]])


def main():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras  # only here
    import onnx

    sys.path.insert(0, ROOT)
    import deconvlib as dl  # the repository's own, for the suggestions

    rng = np.random.default_rng(SEED)
    data = dict(
        generator="tests/data/doctor/make_framework_fix_fixtures.py",
        keras_version=keras.__version__,
        onnx_version=onnx.__version__,
        keras=[keras_case(keras, dl, rng) for _ in range(COUNT)],
        onnx=[onnx_case(dl, rng) for _ in range(COUNT)],
    )
    with open(os.path.join(HERE, "framework_fixes.json"), "w", encoding="utf-8") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    for name in ("keras", "onnx"):
        done = [c for c in data[name] if c["text"]]
        print(name, len(done), "fixes,", sum(c["reached"] == c["target"] for c in done), "reached the target")


if __name__ == "__main__":
    main()
