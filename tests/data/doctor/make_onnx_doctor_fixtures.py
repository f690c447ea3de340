"""Record random ONNX models and the shapes ONNX's reference evaluator computes, for the doctor's ONNX reader.

How to run (from the repository root; onnx is needed ONLY here, never at
runtime or test time)::

    python3 -m venv /tmp/onnxvenv
    /tmp/onnxvenv/bin/pip install onnx onnxruntime numpy
    /tmp/onnxvenv/bin/python tests/data/doctor/make_onnx_doctor_fixtures.py

(recorded with onnx 1.23.2 and onnxruntime 1.32.0, CPU).

Writes ``onnx_models.json`` next to this script: ``models``, chains of
``Conv``, ``ConvTranspose``, ``MaxPool`` and ``AveragePool`` nodes in 1-D,
2-D and 3-D built with ``onnx.helper`` (explicit ``pads``, asymmetric ones
included, ``auto_pad`` ``SAME_UPPER``/``SAME_LOWER``/``VALID``,
``ConvTranspose``'s ``output_padding`` and ``output_shape``, pools'
``ceil_mode``), each with ``nodes`` (what deconvlib's
``deconvlib.doctor.onnx_reader.onnx_nodes`` reads from the model, recorded so
that the tests need no onnx), ``input`` (``(n, c, *spatial)``) and ``shapes``:
every node's output shape from ``onnx.reference.ReferenceEvaluator`` run on
zeros (or ``error``: the node the evaluator refused, and its message) and
``inferred``: the same from ``onnx.shape_inference`` (the specification's
arithmetic; the reference evaluator's pools read asymmetric ``pads`` their own
way, so where the two differ the specification is the reference). Every
model, the ones the evaluator refused included, is also run by ONNX Runtime
(``onnxruntime.InferenceSession`` on the CPU, graph optimizations off):
``ort`` holds its ``shapes``, or its ``error`` (the node it refused and its
message), and ``inferred`` is recorded for every model. A few
models are also written as ``.onnx`` files in ``onnx/``, for the reader's
test with onnx installed. Random numbers come from
``numpy.random.default_rng(SEED)``.
"""

import json
import os
import sys

import numpy as np

SEED = 20261209
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
MODELS = 100
FILES = 6


def random_node(helper, rng, dims, index, c_in, initializers):
    """One node and its weight (an initializer), attributes in the ranges ONNX accepts (mostly)."""
    from onnx import numpy_helper

    op = str(rng.choice(["ConvTranspose", "ConvTranspose", "Conv", "MaxPool", "AveragePool"]))
    kernel = [int(v) for v in rng.integers(1, 5, size=dims)]
    strides = [int(v) for v in rng.integers(1, 4, size=dims)]
    attributes = dict(kernel_shape=kernel, strides=strides)
    style = rng.choice(["pads", "pads", "SAME_UPPER", "SAME_LOWER", "VALID"])
    if style == "pads":
        attributes["pads"] = [int(rng.integers(0, k)) for k in kernel] + [int(rng.integers(0, k)) for k in kernel]
    else:
        attributes["auto_pad"] = str(style)
    inputs, c_out = [f"x{index}"], c_in
    if op in ("Conv", "ConvTranspose"):
        if rng.random() < 0.25:
            attributes["dilations"] = [int(v) for v in rng.integers(1, 3, size=dims)]
        c_out = int(rng.integers(1, 4))
        shape = [c_out, c_in, *kernel] if op == "Conv" else [c_in, c_out, *kernel]
        weight = f"w{index}"
        initializers.append(numpy_helper.from_array(np.ones(shape, np.float32), weight))
        inputs.append(weight)
        if op == "ConvTranspose":
            dilations = attributes.get("dilations", [1] * dims)
            if rng.random() < 0.4:
                attributes["output_padding"] = [int(rng.integers(0, max(s, d))) for s, d in zip(strides, dilations)]
    else:
        # the reference evaluator refuses ceil_mode with auto_pad (or computes it its own way): not there
        attributes["ceil_mode"] = int(rng.random() < 0.5) if style == "pads" else 0
        if op == "AveragePool":
            attributes["count_include_pad"] = int(rng.random() < 0.5)
    return op, inputs, attributes, c_out


def main():
    import onnx  # only here: pytest imports this module for its doctests, where onnx is absent
    from onnx import TensorProto, helper
    from onnx.reference import ReferenceEvaluator

    sys.path.insert(0, ROOT)
    from deconvlib.doctor.onnx_reader import onnx_nodes  # the repository's own reader of a model

    rng = np.random.default_rng(SEED)
    models = []
    # onnx_files/, not onnx/: pytest imports this script (doctests) with its folder first on sys.path,
    # where a folder named onnx would shadow the onnx package
    os.makedirs(os.path.join(HERE, "onnx_files"), exist_ok=True)
    while len(models) < MODELS:
        dims = (1, 2, 3)[len(models) % 3]
        spatial = [int(v) for v in rng.integers(2, (12, 10, 6)[dims - 1], size=dims)]
        c = int(rng.integers(1, 3))
        input_shape = [1, c, *spatial]
        nodes, initializers, outputs = [], [], []
        c_in = c
        for index in range(int(rng.integers(2, 5))):
            op, inputs, attributes, c_in = random_node(helper, rng, dims, index, c_in, initializers)
            nodes.append(helper.make_node(op, inputs, [f"x{index + 1}"], name=f"n{index}", **attributes))
            outputs.append(f"x{index + 1}")
        # one model in six asks ConvTranspose for an output_shape near its own
        entry = dict(key=f"o{len(models):03d}", input=input_shape)
        graph = helper.make_graph(
            nodes,
            "doctor",
            [helper.make_tensor_value_info("x0", TensorProto.FLOAT, input_shape)],
            [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in outputs],
            initializer=initializers,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
        shapes = []
        try:
            results = ReferenceEvaluator(model).run(None, {"x0": np.zeros(input_shape, np.float32)})
            shapes = [list(r.shape) for r in results]
        except Exception as error:  # noqa: BLE001  the evaluator raises several kinds for a bad shape
            # which node: run the chain one node at a time
            entry["error"] = dict(layer=_failing(helper, ReferenceEvaluator, TensorProto, model, nodes, input_shape),
                                  message=str(error).splitlines()[0][:300])  # fmt: skip
        if "error" not in entry and any(min(s[2:]) < 1 for s in shapes):
            first = next(i for i, s in enumerate(shapes) if min(s[2:]) < 1)
            entry["error"] = dict(layer=first, message=f"empty output {shapes[first]}")
        if "error" not in entry:
            for node_index, node in enumerate(model.graph.node):  # the graph's copies of the nodes
                if node.op_type == "ConvTranspose" and rng.random() < 0.5:
                    wanted = [max(1, v + int(rng.integers(-2, 1))) for v in shapes[node_index][2:]]
                    node.attribute.append(helper.make_attribute("output_shape", wanted))
                    if rng.random() < 0.5:
                        node.attribute.append(helper.make_attribute("auto_pad", "SAME_UPPER"))
                        for attribute in list(node.attribute)[:-1]:  # one auto_pad: a node holding two is invalid
                            if attribute.name in ("pads", "auto_pad"):
                                node.attribute.remove(attribute)
                    try:
                        results = ReferenceEvaluator(model).run(None, {"x0": np.zeros(input_shape, np.float32)})
                        shapes = [list(r.shape) for r in results]
                    except Exception as error:  # noqa: BLE001
                        entry["error"] = dict(layer=node_index, message=str(error).splitlines()[0][:300])
                    break
        if "error" not in entry and any(min(s[2:]) < 1 for s in shapes):
            first = next(i for i, s in enumerate(shapes) if min(s[2:]) < 1)
            entry["error"] = dict(layer=first, message=f"empty output {shapes[first]}")
        if "error" not in entry:
            entry["shapes"] = shapes
        entry["inferred"] = _inferred(onnx, model, outputs)
        entry["ort"] = _onnxruntime(helper, TensorProto, model, input_shape)
        entry["nodes"] = onnx_nodes(model)
        if len(models) < FILES:
            onnx.save(model, os.path.join(HERE, "onnx_files", f"{entry['key']}.onnx"))
        models.append(entry)
    import onnxruntime

    meta = dict(
        generator="tests/data/doctor/make_onnx_doctor_fixtures.py",
        onnx_version=onnx.__version__,
        onnxruntime_version=onnxruntime.__version__,
    )
    with open(os.path.join(HERE, "onnx_models.json"), "w", encoding="utf-8") as f:
        json.dump(dict(meta, models=models), f, separators=(",", ":"))
        f.write("\n")
    print(f"{len(models)} ONNX models ({sum('error' in m for m in models)} refused by the reference evaluator, "
          f"{sum('error' in m['ort'] for m in models)} by ONNX Runtime)")  # fmt: skip


def _inferred(onnx, model, outputs):
    """Every node's output shape from onnx.shape_inference (the operators' specification, in C++), or None."""
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False)
    found = {}
    for value in list(inferred.graph.value_info) + list(inferred.graph.output):
        dims = value.type.tensor_type.shape.dim
        if dims and all(d.HasField("dim_value") for d in dims):
            found[value.name] = [d.dim_value for d in dims]
    return [found.get(name) for name in outputs]


_ORT_RUN = """
import json, sys
import numpy as np
import onnxruntime
options = onnxruntime.SessionOptions()
options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
options.log_severity_level = 4
try:
    with open(sys.argv[1], "rb") as f:  # as bytes: its messages then name no temporary path
        model = f.read()
    session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    results = session.run(None, {"x0": np.zeros(json.loads(sys.argv[2]), np.float32)})
    print(json.dumps(dict(shapes=[list(r.shape) for r in results])))
except Exception as error:  # ONNX Runtime raises its own kinds (Fail, InvalidArgument, ...)
    print(json.dumps(dict(message=str(error))))
"""


def _run_onnxruntime(model, input_shape):
    """The outputs' shapes ONNX Runtime computes for ``model`` on zeros (CPU, no graph rewriting), or its error.

    In a child process: ONNX Runtime 1.32 crashes (a segmentation fault) on some of these models, and a crash is
    recorded as its own message.
    """
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.onnx")
        with open(path, "wb") as f:
            f.write(model.SerializeToString())
        done = subprocess.run(
            [sys.executable, "-c", _ORT_RUN, path, json.dumps(input_shape)], capture_output=True, text=True
        )
    if done.returncode != 0:
        return dict(message=f"onnxruntime crashed (exit status {done.returncode})")
    return json.loads(done.stdout)


def _onnxruntime(helper, TensorProto, model, input_shape):
    """``{"shapes": [...]}`` from ONNX Runtime, or ``{"error": {"layer", "message"}}``: the first node it refuses
    (found by running the chain's prefixes) or whose output is empty, and its message (an empty output is not
    an error to ONNX Runtime: the node after it may refuse it, or crash)."""
    result = _run_onnxruntime(model, input_shape)
    if "message" in result:
        nodes = list(model.graph.node)
        for count in range(1, len(nodes) + 1):
            prefix_result = _run_onnxruntime(
                _prefix(helper, TensorProto, model, nodes, count, input_shape), input_shape
            )
            if "message" in prefix_result:
                return dict(error=dict(layer=count - 1, message=prefix_result["message"][:400]))
            if min(prefix_result["shapes"][-1][2:]) < 1:  # ran, to an empty map that a later node refuses
                return dict(error=dict(layer=count - 1, message=f"empty output {prefix_result['shapes'][-1]}"))
        return dict(error=dict(layer=len(nodes) - 1, message=result["message"][:400]))
    shapes = result["shapes"]
    empty = [i for i, s in enumerate(shapes) if min(s[2:]) < 1]
    if empty:
        return dict(error=dict(layer=empty[0], message=f"empty output {shapes[empty[0]]}"), shapes=shapes)
    return dict(shapes=shapes)


def _prefix(helper, TensorProto, model, nodes, count, input_shape):
    """The model of the chain's first ``count`` nodes, its last output the graph's."""
    graph = helper.make_graph(
        nodes[:count],
        "prefix",
        [helper.make_tensor_value_info("x0", TensorProto.FLOAT, input_shape)],
        [helper.make_tensor_value_info(f"x{count}", TensorProto.FLOAT, None)],
        initializer=list(model.graph.initializer),
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])


def _failing(helper, ReferenceEvaluator, TensorProto, model, nodes, input_shape):
    """The index of the first node the reference evaluator refuses, running the chain's prefixes."""
    for count in range(1, len(nodes) + 1):
        prefix = _prefix(helper, TensorProto, model, nodes, count, input_shape)
        try:
            result = ReferenceEvaluator(prefix).run(None, {"x0": np.zeros(input_shape, np.float32)})[0]
            if min(result.shape[2:]) < 1:
                return count - 1
        except Exception:  # noqa: BLE001
            return count - 1
    return len(nodes) - 1


if __name__ == "__main__":
    main()
