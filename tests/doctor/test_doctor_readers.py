"""The doctor's Keras and ONNX readers against recorded configs and shapes (neither framework needed here).

``tests/data/doctor/make_keras_doctor_fixtures.py`` recorded Keras models'
``to_json()`` and the shapes Keras computes layer by layer (checked against
TensorFlow's kernels run eagerly where they take the layer);
``make_onnx_doctor_fixtures.py`` recorded ONNX models built with
``onnx.helper`` (as the plain data the reader's first step makes) and the
shapes of ``onnx.reference.ReferenceEvaluator`` and ``onnx.shape_inference``.
"""

import importlib.util
import json
from pathlib import Path

import pytest

import deconvlib as dl
from deconvlib.doctor.keras_reader import keras_transpose_padding, read_keras_config
from deconvlib.doctor.onnx_reader import nodes_to_layers, onnx_nodes

DATA = Path(__file__).resolve().parents[1] / "data" / "doctor"
KERAS = json.loads((DATA / "keras_configs.json").read_text(encoding="utf-8"))
ONNX = json.loads((DATA / "onnx_models.json").read_text(encoding="utf-8"))
#: The models the reference evaluator ran and onnx.shape_inference gives the same shapes for. (Where the two
#: differ, the evaluator's pools read asymmetric pads their own way; the models it refused are recorded, not
#: compared: it refuses some that the operators' specification allows.)
ONNX_AGREED = [m for m in ONNX["models"] if "error" not in m and m["inferred"] == m["shapes"]]


def test_the_recordings_cover_both_readers():
    keras_ran = [m for m in KERAS["models"] if "error" not in m]
    assert len(keras_ran) >= 50 and len(ONNX_AGREED) >= 50
    classes = {layer["class_name"] for m in keras_ran for layer in m["config"]["config"]["layers"]}
    for dims in (1, 2, 3):
        assert {f"Conv{dims}D", f"Conv{dims}DTranspose"} <= classes
    configs = [
        layer["config"] | {"class": layer["class_name"]} for m in keras_ran for layer in m["config"]["config"]["layers"]
    ]
    paddings = {(c["class"][-9:], c.get("padding"), c.get("output_padding") is None) for c in configs}
    assert {("Transpose", "same", True), ("Transpose", "valid", True), ("Transpose", "same", False)} <= paddings
    attributes = [n["attributes"] for m in ONNX_AGREED for n in m["nodes"]["onnx_nodes"]]
    assert {a.get("auto_pad") for a in attributes} >= {"SAME_UPPER", "SAME_LOWER", "VALID", None}
    assert sum("output_shape" in a for a in attributes) >= 5 and sum("output_padding" in a for a in attributes) >= 10
    assert any("pads" in a and a["pads"][: len(a["pads"]) // 2] != a["pads"][len(a["pads"]) // 2 :] for a in attributes)


@pytest.mark.parametrize("model", KERAS["models"], ids=[m["key"] for m in KERAS["models"]])
def test_keras_shapes_equal_kerass(model):
    error = model.get("error")
    if error is not None and error["stage"] == "constructor":  # Keras refused the layer: the message is explained
        explained = dl.doctor.explain_error(error["message"])
        assert explained is not None and explained.framework == "Keras", error["message"]
        return
    if error is not None:
        with pytest.raises(dl.ParameterError) as raised:
            dl.doctor(model["config"], tuple(model["input"]), overlap=False)
        assert raised.value.parameter.startswith(f"layers[{error['layer']}].")
        return
    report = dl.doctor(model["config"], overlap=False)  # the input shape from the config's InputLayer
    assert report.input_shape == tuple(model["input"])
    assert [list(row["output"]) for row in report.layers] == model["shapes"]
    layers, _, _ = read_keras_config(json.dumps(model["config"]))  # the JSON text reads the same
    assert len(layers) == len(model["shapes"])


@pytest.mark.parametrize("model", ONNX_AGREED, ids=[m["key"] for m in ONNX_AGREED])
def test_onnx_shapes_equal_the_reference_evaluators_and_shape_inferences(model):
    report = dl.doctor(model["nodes"], overlap=False)
    assert [list(row["output"]) for row in report.layers] == model["shapes"]


def test_the_overlap_map_follows_keras_and_onnx_padding():
    keras = [m for m in KERAS["models"] if "error" not in m][:15]
    for model in keras:
        report = dl.doctor(model["config"])
        assert report.overlap_map.shape == report.output_shape[1:-1]
    for model in ONNX_AGREED[:15]:
        report = dl.doctor(model["nodes"])
        assert report.overlap_map is None or report.overlap_map.shape == report.output_shape[2:]


def test_keras_transposed_padding_is_what_its_backends_get():
    # 'same', output_padding None: i·s; 'valid', None: s·(i − 1) + max(k, s)
    for kernel in range(1, 6):
        for stride in range(1, 4):
            for size in (1, 4, 7):
                (b, a), op = keras_transpose_padding(kernel, stride, 1, "same", None)
                assert stride * (size - 1) + kernel - b - a + op == size * stride
                (b, a), op = keras_transpose_padding(kernel, stride, 1, "valid", None)
                assert stride * (size - 1) + kernel - b - a + op == stride * (size - 1) + max(kernel, stride)


def test_a_keras_layer_the_doctor_does_not_follow_is_named():
    config = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 8, 8, 3], "name": "in"}},
        {"class_name": "UpSampling2D", "config": {"name": "up", "size": [2, 2]}},
    ]}}  # fmt: skip
    with pytest.raises(dl.ParameterError, match="'up' \\(UpSampling2D\\)"):
        dl.doctor(config)


def test_an_onnx_node_the_doctor_does_not_follow_is_named():
    nodes = {"onnx_nodes": [dict(op_type="Resize", name="r", attributes={})], "input": [1, 3, 8, 8]}
    with pytest.raises(dl.ParameterError, match="'r' \\(Resize\\)"):
        dl.doctor(nodes)
    node = dict(
        op_type="ConvTranspose", name="up", attributes=dict(strides=[2], auto_pad="SAME_LOWER"), weight_shape=[3, 2, 3]
    )
    assert nodes_to_layers([node])[0]["padding"] == "same_lower"
    assert dl.doctor({"onnx_nodes": [node], "input": [1, 3, 5]}).output_shape == (1, 2, 10)


@pytest.mark.skipif(importlib.util.find_spec("onnx") is not None, reason="onnx is installed")
def test_an_onnx_file_without_onnx_names_the_package():
    with pytest.raises(dl.ParameterError, match="pip install onnx"):
        dl.doctor(DATA / "onnx" / "o000.onnx")


@pytest.mark.skipif(importlib.util.find_spec("onnx") is None, reason="needs onnx")
def test_an_onnx_file_reads_as_its_recorded_nodes():
    for path in sorted((DATA / "onnx").glob("*.onnx")):
        recorded = next(m for m in ONNX["models"] if m["key"] == path.stem)
        assert onnx_nodes(path) == recorded["nodes"]
