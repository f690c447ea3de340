"""Record ONNX models with Resize, Pad, Gemm, Flatten and Reshape nodes, for the doctor's ONNX reader.

How to run (from the repository root; onnx is needed ONLY here, never at
runtime or test time)::

    python3 -m venv /tmp/onnxvenv
    /tmp/onnxvenv/bin/pip install onnx numpy
    /tmp/onnxvenv/bin/python tests/data/doctor/make_onnx_layer_fixtures.py

Writes ``onnx_layer_models.json`` next to this script: ``models``, chains of
1-D, 2-D and 3-D nodes built with ``onnx.helper`` (opset 19): ``Conv``,
``ConvTranspose`` and ``MaxPool`` mixed with ``Resize`` (``scales`` or
``sizes``; ``linear`` with ``half_pixel``, ``pytorch_half_pixel`` or
``align_corners``; ``nearest`` with ``asymmetric``/``floor`` or, at whole
scales, ``half_pixel``/``round_prefer_floor``) and ``Pad`` (``constant`` with
and without a ``constant_value``, ``reflect``, ``edge``, ``wrap``), some led
by ``Gemm → Reshape`` (a projection) or ended by ``Flatten → Gemm``. Each with
``nodes`` (what ``deconvlib.doctor.onnx_reader.onnx_nodes`` reads from the
model), ``input``, and ``shapes``: every node's output shape from
``onnx.reference.ReferenceEvaluator`` run on zeros, or ``error`` (the first
node it refused, found by running the chain's prefixes); and for the models it
ran, ``overlap_map``: the spatial nodes again with one channel and every
weight 1, run by the evaluator on ones (the doctor's map, computed by ONNX).
Random numbers come from ``numpy.random.default_rng(SEED)``.
"""

import json
import os
import sys

import numpy as np

SEED = 20261210
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
MODELS = 120


def random_spec(rng, dims, index):
    """One node as plain data: ``op``, ``attributes``, and what its constant inputs hold."""
    op = str(rng.choice(["Resize", "Resize", "Pad", "Pad", "ConvTranspose", "Conv", "MaxPool"]))
    if op == "Resize":
        mode = str(rng.choice(["linear", "nearest"]))
        if mode == "linear":
            transform = str(rng.choice(["half_pixel", "pytorch_half_pixel", "align_corners"]))
            attributes = dict(mode="linear", coordinate_transformation_mode=transform)
            whole = transform == "align_corners" and rng.random() < 0.6  # else sizes (fractional: not followed)
        elif rng.random() < 0.5:
            attributes = dict(mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor")
            whole = False
        else:
            attributes = dict(mode="nearest", coordinate_transformation_mode="half_pixel")
            whole = True
        spec = dict(op="Resize", attributes=attributes)
        aligned = attributes.get("coordinate_transformation_mode") == "align_corners"
        if not whole and (aligned or rng.random() < 0.35):
            spec["sizes"] = [int(v) for v in rng.integers(2, 13, size=dims)]
        elif whole or rng.random() < 0.5:
            spec["scales"] = [float(v) for v in rng.integers(1, 4, size=dims)]
        else:
            spec["scales"] = [float(rng.choice([0.5, 1.5, 2.0, 2.5])) for _ in range(dims)]
        return spec
    if op == "Pad":
        mode = str(rng.choice(["constant", "constant", "reflect", "edge", "wrap"]))
        pads = [int(v) for v in rng.integers(0, 3, size=2 * dims)]
        spec = dict(op="Pad", attributes=dict(mode=mode), pads=pads)
        if mode == "constant" and rng.random() < 0.4:
            spec["value"] = float(rng.choice([0.5, 2.0]))
        return spec
    kernel = [int(v) for v in rng.integers(1 if op == "Conv" else 2, 4, size=dims)]
    strides = [int(v) for v in rng.integers(1, 3 if op != "ConvTranspose" else 4, size=dims)]
    pads = [int(rng.integers(0, k)) for k in kernel] * 2 if op != "MaxPool" else [0] * (2 * dims)
    attributes = dict(kernel_shape=kernel, strides=strides, pads=pads)
    if op == "ConvTranspose" and rng.random() < 0.4:
        attributes["output_padding"] = [int(rng.integers(0, s)) for s in strides]
    return dict(op=op, attributes=attributes, channels=int(rng.integers(1, 4)))


def build(helper, numpy_helper, TensorProto, specs, input_shape, ones=False):
    """The chain as an ONNX model (``ones``: one channel, every weight 1), every node's output a graph output."""
    nodes, initializers, outputs = [], [], []
    c = 1 if ones else input_shape[1] if len(input_shape) > 2 else None
    for index, spec in enumerate(specs):
        x, y, name = f"x{index}", f"x{index + 1}", f"n{index}"
        op, attributes = spec["op"], dict(spec.get("attributes", {}))
        inputs = [x]
        if op in ("Conv", "ConvTranspose"):
            c_out = 1 if ones else spec["channels"]
            kernel = attributes["kernel_shape"]
            shape = [c_out, c, *kernel] if op == "Conv" else [c, c_out, *kernel]
            initializers.append(numpy_helper.from_array(np.ones(shape, np.float32), f"w{index}"))
            inputs.append(f"w{index}")
            c = c_out
        elif op == "Resize":
            inputs.append("")
            if "scales" in spec:
                initializers.append(numpy_helper.from_array(np.array([1, 1, *spec["scales"]], np.float32), f"s{index}"))
                inputs.append(f"s{index}")
            else:
                inputs.append("")
                initializers.append(numpy_helper.from_array(np.array([1, c, *spec["sizes"]], np.int64), f"z{index}"))
                inputs.append(f"z{index}")
        elif op == "Pad":
            d = len(spec["pads"]) // 2
            pads = [0, 0, *spec["pads"][:d], 0, 0, *spec["pads"][d:]]
            initializers.append(numpy_helper.from_array(np.array(pads, np.int64), f"p{index}"))
            inputs.append(f"p{index}")
            if "value" in spec:
                initializers.append(numpy_helper.from_array(np.array(spec["value"], np.float32), f"v{index}"))
                inputs.append(f"v{index}")
        elif op == "Gemm":
            weight = np.ones((spec["features"], spec["in_features"]), np.float32)
            initializers.append(numpy_helper.from_array(weight, f"g{index}"))
            inputs.append(f"g{index}")
            attributes["transB"] = 1
        elif op == "Reshape":
            initializers.append(numpy_helper.from_array(np.array(spec["shape"], np.int64), f"r{index}"))
            inputs.append(f"r{index}")
            c = spec["shape"][1]
        elif op == "Flatten":
            attributes["axis"] = 1
        nodes.append(helper.make_node(op, inputs, [y], name=name, **attributes))
        outputs.append(y)
    graph = helper.make_graph(
        nodes,
        "doctor_layers",
        [helper.make_tensor_value_info("x0", TensorProto.FLOAT, list(input_shape))],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in outputs],
        initializer=initializers,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])


def random_model(rng, n):
    dims = (1, 2, 3)[n % 3]
    spatial = [int(v) for v in rng.integers(2, (12, 9, 5)[dims - 1], size=dims)]
    c = int(rng.integers(1, 3))
    specs = [random_spec(rng, dims, i) for i in range(int(rng.integers(2, 5)))]
    input_shape = [1, c, *spatial]
    if rng.random() < 0.25:
        latent = int(rng.integers(2, 9))
        project = dict(op="Gemm", features=c * int(np.prod(spatial)), in_features=latent)
        specs = [project, dict(op="Reshape", shape=[-1, c, *spatial])] + specs
        input_shape = [1, latent]
    tail = rng.random() < 0.15
    return specs, input_shape, tail


def main():
    import onnx  # only here: pytest imports this module for its doctests, where onnx is absent
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator

    sys.path.insert(0, ROOT)
    from deconvlib.doctor.onnx_reader import onnx_nodes  # the repository's own reader of a model

    rng = np.random.default_rng(SEED)
    models = []
    while len(models) < MODELS:
        specs, input_shape, tail = random_model(rng, len(models))
        entry = dict(key=f"ol{len(models):03d}", input=input_shape)
        shapes, error = _run(helper, numpy_helper, TensorProto, ReferenceEvaluator, specs, input_shape)
        if error is None and tail:  # Flatten → Gemm on what the chain gave
            flat = int(np.prod(shapes[-1][1:]))
            specs = specs + [dict(op="Flatten"), dict(op="Gemm", features=1, in_features=flat)]
            shapes, error = _run(helper, numpy_helper, TensorProto, ReferenceEvaluator, specs, input_shape)
        if error is None and max(int(np.prod(s[2:])) if len(s) > 2 else 1 for s in shapes) > 40000:
            continue
        model = build(helper, numpy_helper, TensorProto, specs, input_shape)
        entry["nodes"] = onnx_nodes(model)
        if error is not None:
            entry["error"] = error
        else:
            entry["shapes"] = shapes
            body = [i for i, s in enumerate(specs) if s["op"] not in ("Gemm", "Reshape", "Flatten")]
            start = shapes[body[0] - 1] if body[0] > 0 else input_shape
            ones = build(helper, numpy_helper, TensorProto, specs[body[0] : body[-1] + 1], [1, 1, *start[2:]], True)
            y = ReferenceEvaluator(ones).run(None, {"x0": np.ones([1, 1, *start[2:]], np.float32)})[-1]
            entry["overlap_map"] = dict(shape=list(y.shape[2:]), values=[float(v) for v in y.ravel()])
        models.append(entry)
    meta = dict(generator="tests/data/doctor/make_onnx_layer_fixtures.py", onnx_version=onnx.__version__)
    with open(os.path.join(HERE, "onnx_layer_models.json"), "w", encoding="utf-8") as f:
        json.dump(dict(meta, models=models), f, separators=(",", ":"))
        f.write("\n")
    print(f"{len(models)} ONNX models with the other nodes ({sum('error' in m for m in models)} refused)")


def _run(helper, numpy_helper, TensorProto, ReferenceEvaluator, specs, input_shape):
    """Every node's output shape, or the first node the evaluator refused (running the chain's prefixes)."""
    try:
        model = build(helper, numpy_helper, TensorProto, specs, input_shape)
        results = ReferenceEvaluator(model).run(None, {"x0": np.zeros(input_shape, np.float32)})
        shapes = [list(r.shape) for r in results]
        empty = [i for i, s in enumerate(shapes) if len(s) > 2 and min(s[2:]) < 1]
        if not empty:
            return shapes, None
        return None, dict(layer=empty[0], message=f"empty output {shapes[empty[0]]}")
    except Exception as error:  # noqa: BLE001  the evaluator raises several kinds for a bad shape
        message = str(error).splitlines()[0][:300]
    for count in range(1, len(specs) + 1):
        try:
            prefix = build(helper, numpy_helper, TensorProto, specs[:count], input_shape)
            result = ReferenceEvaluator(prefix).run(None, {"x0": np.zeros(input_shape, np.float32)})[-1]
            if result.ndim > 2 and min(result.shape[2:]) < 1:
                return None, dict(layer=count - 1, message=f"empty output {list(result.shape)}")
        except Exception:  # noqa: BLE001
            return None, dict(layer=count - 1, message=message)
    return None, dict(layer=len(specs) - 1, message=message)


if __name__ == "__main__":
    main()
