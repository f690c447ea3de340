"""The ONNX reader's Resize, Pad, Gemm, Flatten and Reshape against ONNX's reference evaluator (no onnx needed).

``onnx_layer_models.json`` was recorded by ``make_onnx_layer_fixtures.py``:
chains of nodes built with ``onnx.helper`` mixing those nodes with
convolutions and pools, as the plain data the reader's first step makes, with
every node's output shape from ``onnx.reference.ReferenceEvaluator`` (or the
first node it refused) and the overlap map it computes: ones through the
spatial nodes, one channel, every weight 1.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from doctor_support import assert_refused_at

import deconvlib as dl
from deconvlib.doctor.onnx_reader import nodes_to_layers

DATA = Path(__file__).resolve().parents[1] / "data" / "doctor"
RECORDED = json.loads((DATA / "onnx_layer_models.json").read_text(encoding="utf-8"))
MODELS = RECORDED["models"]


def _nodes(model):
    return model["nodes"]["onnx_nodes"]


def test_the_recordings_hold_every_resize_and_pad_mode_and_both_ends():
    ran = [m for m in MODELS if "error" not in m]
    assert len(ran) >= 50 and len(MODELS) - len(ran) >= 10
    assert {len(m["shapes"][-1]) for m in ran} >= {3, 4, 5}
    nodes = [n for m in ran for n in _nodes(m)]
    resizes = {
        (n["attributes"]["mode"], n["attributes"].get("coordinate_transformation_mode"), n["inputs"][2] is None)
        for n in nodes
        if n["op_type"] == "Resize"
    }
    for transform in ("half_pixel", "pytorch_half_pixel", "align_corners"):
        assert ("linear", transform, True) in resizes  # by sizes
    assert ("linear", "half_pixel", False) in resizes and ("nearest", "asymmetric", False) in resizes  # by scales
    assert ("nearest", "half_pixel", False) in resizes
    assert {n["attributes"]["mode"] for n in nodes if n["op_type"] == "Pad"} == {"constant", "reflect", "edge", "wrap"}
    assert any(n["op_type"] == "Pad" and len(n["inputs"]) > 2 for n in nodes)  # a constant_value
    assert sum(_nodes(m)[0]["op_type"] == "Gemm" for m in ran) >= 10
    assert sum(_nodes(m)[-1]["op_type"] == "Gemm" for m in ran) >= 5


@pytest.mark.parametrize("model", MODELS, ids=[m["key"] for m in MODELS])
def test_onnx_shapes_and_overlap_maps_equal_the_reference_evaluators(model):
    if "error" in model:
        assert_refused_at(model["nodes"], tuple(model["input"]), model["error"]["layer"])
        return
    report = dl.doctor(model["nodes"])  # the input shape from the graph
    assert [list(row["output"]) for row in report.layers] == model["shapes"]
    recorded = model["overlap_map"]
    assert list(report.overlap_map.shape) == recorded["shape"]
    np.testing.assert_allclose(report.overlap_map.ravel(), recorded["values"], rtol=1e-5, atol=1e-5)  # float32


def _resize(attributes, scales=None, sizes=None):
    return dict(
        op_type="Resize", name="r", attributes=attributes, weight_shape=None, inputs=[None, None, scales, sizes]
    )


@pytest.mark.parametrize(
    ("node", "words"),
    [
        (_resize(dict(mode="cubic"), scales=[1, 1, 2, 2]), "mode 'cubic'"),
        (_resize(dict(mode="linear", coordinate_transformation_mode="align_corners"), [1, 1, 1.5]), "fractional"),
        (_resize(dict(mode="nearest"), scales=[1, 1, 1.5]), "'half_pixel' and 'round_prefer_floor' at a fractional"),
        (_resize(dict(mode="nearest", coordinate_transformation_mode="asymmetric"), [1, 1, 2]), "'round_prefer_floor'"),
        (_resize(dict(mode="linear"), scales=[1, 2, 2]), "batch or channel"),
        (_resize(dict(mode="linear")), "computed tensor"),
        (dict(op_type="Pad", name="r", attributes={}, inputs=[None, [0, 1, 0, 0, 0, 0]]), "batch or channel"),
        (dict(op_type="Reshape", name="r", attributes={}, inputs=[None, None]), "computed tensor"),
        (dict(op_type="Flatten", name="r", attributes=dict(axis=2)), "from axis 2"),
        (dict(op_type="Gemm", name="r", attributes={}, weight_shape=None), "2-D constant weight"),
    ],
)
def test_a_node_the_reader_cannot_follow_exactly_is_named_with_its_reason(node, words):
    with pytest.raises(dl.ParameterError, match="node 'r'") as raised:
        nodes_to_layers([node])
    assert words in str(raised.value) and raised.value.parameter == "model"


def test_gemm_and_matmul_read_their_weights_either_way():
    gemm = dict(op_type="Gemm", name="g", attributes=dict(transB=1), weight_shape=[64, 10])
    matmul = dict(op_type="MatMul", name="m", attributes={}, weight_shape=[10, 64])
    for node in (gemm, matmul):
        assert nodes_to_layers([node])[0] == dict(kind="linear", name=node["name"], features=64, in_features=10)
    reshape = dict(op_type="Reshape", name="v", attributes={}, inputs=[None, [-1, 4, 4, 4]])
    report = dl.doctor({"onnx_nodes": [gemm, reshape, _resize(dict(mode="nearest"), [1, 1, 2, 2])], "input": [1, 10]})
    assert report.output_shape == (1, 4, 8, 8) and report.layers[0]["layer"] == "linear 64"


def test_an_onnx_model_with_constant_nodes_reads_its_scales_and_pads():
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator

    def constant(name, values, dtype):
        return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.array(values, dtype)))

    weight = numpy_helper.from_array(np.ones((2, 3, 4, 4), np.float32), "w")
    nodes = [
        helper.make_node("ConvTranspose", ["x", "w"], ["a"], name="up", strides=[2, 2], pads=[1, 1, 1, 1]),
        constant("scales", [1, 1, 2, 1.5], np.float32),
        helper.make_node("Resize", ["a", "", "scales"], ["b"], name="resize", mode="linear"),
        constant("pads", [0, 0, 1, 0, 0, 0, 2, 1], np.int64),
        helper.make_node("Pad", ["b", "pads"], ["y"], name="pad", mode="edge"),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 5, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=[weight],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    report = dl.doctor(model)
    expected = ReferenceEvaluator(model).run(None, {"x": np.zeros((1, 2, 5, 5), np.float32)})[0].shape
    assert report.output_shape == expected == (1, 3, 23, 16)
    assert [row["layer"] for row in report.layers[1:]] == ["upsample x2,1.5 linear", "pad (1,2),(0,1) replicate"]
