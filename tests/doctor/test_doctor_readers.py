"""The doctor's Keras and ONNX readers against recorded configs and shapes (neither framework needed here).

``tests/data/doctor/make_keras_doctor_fixtures.py`` recorded Keras models'
``to_json()`` and the shapes Keras computes layer by layer (checked against
TensorFlow's kernels run eagerly where they take the layer);
``make_onnx_doctor_fixtures.py`` recorded ONNX models built with
``onnx.helper`` (as the plain data the reader's first step makes) and the
shapes of ``onnx.reference.ReferenceEvaluator``, ``onnx.shape_inference`` and
ONNX Runtime.
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


#: Where the doctor differs from ONNX Runtime (1.32, CPU; recorded for every model), per model, and why. The
#: doctor follows the operators' specification; each reason is checked on its model below.
ONNX_RUNTIME_DIFFERS = {
    # a ConvTranspose with auto_pad SAME_UPPER/SAME_LOWER whose dilated kernel is smaller than its stride: the
    # specification's output is input·stride, which needs a negative total padding (the doctor and the reference
    # evaluator give it); ONNX Runtime (and onnx.shape_inference) clamp the padding at 0 and give the full size
    # stride·(input − 1) + dilation·(kernel − 1) + 1 + output_padding
    **dict.fromkeys(["o017", "o034", "o037", "o040", "o067", "o077", "o082"], "same_needs_negative_padding"),
    # a pool with auto_pad VALID whose window is larger than its input: the specification's output,
    # ceil((input − window + 1) / stride), is 0 and the doctor and the reference evaluator refuse the layer;
    # ONNX Runtime divides the negative input − window by the stride truncating toward zero and gives 1
    **dict.fromkeys(["o020", "o047", "o052", "o093"], "valid_window_larger_than_input"),
    # an explicit output_shape that needs a negative total padding: ONNX Runtime refuses it ("Explicit
    # output_shape is inconsistent"), the doctor follows the specification; the reference evaluator reads the
    # asymmetric pads of the MaxPool before it its own way, so the doctor is checked against shape inference
    "o061": "output_shape_needs_negative_padding",
}


def _doctor_shapes(model):
    """The doctor's output shape per node, or the index of the node it refuses."""
    try:
        return [list(row["output"]) for row in dl.doctor(model["nodes"], overlap=False).layers]
    except dl.ParameterError as error:
        return int(error.parameter.split("[", 1)[1].split("]", 1)[0])


def _refused(model):
    """The first node the reference evaluator or ONNX Runtime refuses (or leaves empty), None if both ran."""
    layers = [m["error"]["layer"] for m in (model, model["ort"]) if "error" in m]
    return min(layers) if len(layers) == 2 else None


@pytest.mark.parametrize("model", ONNX["models"], ids=[m["key"] for m in ONNX["models"]])
def test_onnx_shapes_equal_onnx_runtimes_or_the_reference_evaluators(model):
    doctor, ort = _doctor_shapes(model), model["ort"]
    nodes = [n["attributes"] | {"op": n["op_type"]} for n in model["nodes"]["onnx_nodes"]]
    reason = ONNX_RUNTIME_DIFFERS.get(model["key"])
    if reason == "same_needs_negative_padding":
        assert isinstance(doctor, list) and "error" not in ort and doctor != ort["shapes"]
        assert "error" in model or doctor == model["shapes"]  # as the reference evaluator, where it ran
        at = next(i for i, (d, o) in enumerate(zip(doctor, ort["shapes"])) if d != o)
        node, before = nodes[at], [model["input"], *doctor][at]
        assert node["op"] == "ConvTranspose" and node["auto_pad"] in ("SAME_UPPER", "SAME_LOWER")
        for axis, (d, o) in enumerate(zip(doctor[at][2:], ort["shapes"][at][2:])):
            i, s, k = before[2 + axis], node["strides"][axis], node["kernel_shape"][axis]
            dilation = node["dilations"][axis] if "dilations" in node else 1
            op = node["output_padding"][axis] if "output_padding" in node else 0
            full = s * (i - 1) + dilation * (k - 1) + 1 + op
            assert d == i * s and o == min(i * s, full), (axis, d, o)
    elif reason == "valid_window_larger_than_input":
        assert doctor == model["error"]["layer"] and "error" not in ort  # refused where the evaluator refused
        node, before = nodes[doctor], ([model["input"]] + ort["shapes"])[doctor]
        assert node["op"].endswith("Pool") and node["auto_pad"] == "VALID"
        assert any(i < k and o == 1 for i, k, o in zip(before[2:], node["kernel_shape"], ort["shapes"][doctor][2:]))
    elif reason == "output_shape_needs_negative_padding":
        assert doctor == model["inferred"] and ort["error"]["layer"] == 1
        assert "Explicit output_shape is inconsistent" in ort["error"]["message"]
    elif "error" not in ort:
        assert doctor == ort["shapes"]
    elif "error" not in model:  # ONNX Runtime refused a node the specification allows: the evaluator ran it
        assert doctor == model["shapes"], ort["error"]["message"]
    else:  # both refuse: the doctor refuses the first node either refuses
        assert doctor == _refused(model), (model["error"], ort["error"])


def test_the_onnx_runtime_recordings_are_compared():
    compared = [m for m in ONNX["models"] if "error" not in m["ort"] or "error" not in m]
    both_refuse = [m for m in ONNX["models"] if _refused(m) is not None]
    assert len(compared) + len(both_refuse) == len(ONNX["models"]) == 100
    assert len(compared) >= 85 and len(both_refuse) >= 10
    assert len(ONNX_RUNTIME_DIFFERS) <= 12 and set(ONNX_RUNTIME_DIFFERS) <= {m["key"] for m in compared}


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
        {"class_name": "Permute", "config": {"name": "swap", "dims": [2, 1, 3]}},
    ]}}  # fmt: skip
    with pytest.raises(dl.ParameterError, match="'swap' \\(Permute\\)"):
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
        dl.doctor(DATA / "onnx_files" / "o000.onnx")


@pytest.mark.skipif(importlib.util.find_spec("onnx") is None, reason="needs onnx")
def test_an_onnx_file_reads_as_its_recorded_nodes():
    for path in sorted((DATA / "onnx_files").glob("*.onnx")):
        recorded = next(m for m in ONNX["models"] if m["key"] == path.stem)
        assert onnx_nodes(path) == recorded["nodes"]


def _keras_up(kernel, stride, padding="valid", output_padding=None, size=16):
    layer = {"class_name": "Conv2DTranspose", "config": {"name": "up", "filters": 3, "kernel_size": [kernel, kernel],
             "strides": [stride, stride], "padding": padding, "output_padding": output_padding,
             "dilation_rate": [1, 1], "data_format": "channels_last"}}  # fmt: skip
    first = {"class_name": "InputLayer", "config": {"batch_shape": [None, size, size, 8], "name": "in"}}
    return {"class_name": "Sequential", "config": {"layers": [first, layer]}}


@pytest.mark.parametrize("kernel, stride", [(3, 2), (4, 2), (5, 3), (2, 2), (1, 3), (4, 1)])
@pytest.mark.parametrize("delta", [-3, -1, 0, 1, 2])
def test_the_fix_in_kerass_terms_reaches_the_target(kernel, stride, delta):
    target = 16 * stride + delta
    try:
        report = dl.doctor(_keras_up(kernel, stride), target=(target, target))
    except dl.ParameterError as error:  # out of reach: past 'valid' with the largest output_padding
        assert error.parameter == "target" and target > stride * 15 + kernel + stride - 1
        return
    text = report.fix["text"]
    if "Cropping2D" in text or "no padding" in text:
        (b, a), op = keras_transpose_padding(kernel, stride, 1, "valid", None)
        full = stride * 15 + kernel - b - a + op
        if "no padding" in text:
            assert target > full
            return
        crop = eval(text.split("Cropping2D(")[1].split(" gives")[0][:-1])  # noqa: S307  the text's own tuple
        assert full - sum(crop[0]) == target
        return
    padding = "same" if "padding='same'" in text else "valid"
    op = text.split("output_padding=")[1].split(" gives")[0]
    op = None if op.startswith("None") else eval(op)[0]  # noqa: S307
    checked = dl.doctor(_keras_up(kernel, stride, padding, None if op is None else [op, op]), overlap=False)
    assert checked.output_shape[1:3] == (target, target), text


def test_the_fix_in_onnxs_terms_reaches_the_target():
    node = dict(op_type="ConvTranspose", name="up", attributes=dict(strides=[2, 2]), weight_shape=[3, 2, 4, 4])
    for target in (30, 31, 32, 33, 34):
        report = dl.doctor({"onnx_nodes": [node], "input": [1, 3, 16, 16]}, target=(target, target))
        text = report.fix["text"]
        pads = eval(text.split("pads=")[1].split("]")[0] + "]")  # noqa: S307  the text's own list
        ops = eval(text.split("output_padding=")[1].split("]")[0] + "]")  # noqa: S307
        fixed = dict(node, attributes=dict(strides=[2, 2], pads=pads, output_padding=ops))
        assert dl.doctor({"onnx_nodes": [fixed], "input": [1, 3, 16, 16]}).output_shape == (1, 2, target, target)


def test_the_command_line_reads_keras_and_onnx_files(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    run = [sys.executable, "-m", "deconvlib", "doctor"]
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(_keras_up(3, 2)), encoding="utf-8")
    done = subprocess.run([*run, str(path), "--target", "32x32"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "1×16×16×8" in done.stdout and "padding='same', output_padding=None gives 32×32" in done.stdout
    done = subprocess.run([*run, str(DATA / "onnx_files" / "o000.onnx")], capture_output=True, text=True, env=env)
    if importlib.util.find_spec("onnx") is None:
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "pip install onnx" in done.stderr
    else:
        assert done.returncode in (0, 2)


def test_every_recorded_keras_and_tensorflow_message_is_explained():
    messages = [m["error"]["message"] for m in KERAS["models"] if "error" in m]
    messages += [m["tensorflow_error"]["message"] for m in KERAS["models"] if "tensorflow_error" in m]
    messages = [text for text in messages if not text.startswith("empty output")]  # the recorder's own words
    assert len(messages) >= 20
    keys = set()
    for text in messages:
        explained = dl.doctor.explain_error(text)
        assert explained is not None, text
        keys.add((explained.framework, explained.key))
    assert {("Keras", "too_small"), ("Keras", "output_padding"), ("TensorFlow", "onednn")} <= keys


KERAS_UNETS = json.loads((DATA / "keras_unets.json").read_text(encoding="utf-8"))["unets"]


@pytest.mark.parametrize("unet", KERAS_UNETS, ids=[u["key"] for u in KERAS_UNETS])
def test_a_keras_u_nets_skips_are_found_and_its_verdict_is_kerass(unet):
    layers, _, _ = read_keras_config(unet["config"])
    depth = sum(layer["name"].startswith("up") for layer in layers)
    assert [layer.get("skip_from") for layer in layers if layer["name"].startswith("up")] == [
        f"down{level}" for level in reversed(range(depth))
    ]
    assert all(t["ok"] for t in dl.doctor(unet["config"], overlap=False).round_trips)
    for size in unet["sizes"]:
        try:
            report = dl.doctor(unet["config"], tuple(size["input"]), overlap=False)
        except dl.ParameterError:  # an encoder that goes down to nothing: Keras refused it too
            assert not size["ok"] and dl.doctor.explain_error(size["message"]).key == "too_small"
            continue
        assert all(t["ok"] for t in report.round_trips) == size["ok"], size
        if not size["ok"]:
            assert "does NOT round-trip" in str(report)
            assert dl.doctor.explain_error(size["message"]).key == "concatenate"


def test_the_keras_u_net_recordings_hold_both_verdicts():
    verdicts = [s["ok"] for u in KERAS_UNETS for s in u["sizes"]]
    assert len(KERAS_UNETS) >= 12 and 20 <= sum(verdicts) <= len(verdicts) - 20


FIXES = json.loads((DATA / "framework_fixes.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("framework", ["keras", "onnx"])
def test_the_fix_in_the_frameworks_terms_reached_the_target_in_the_framework(framework):
    cases = FIXES[framework]
    assert sum(c["text"] is not None for c in cases) >= 50
    for case in cases:
        if case["text"] is None:  # out of reach then, and now
            with pytest.raises(dl.ParameterError):
                dl.doctor(case["model"], target=tuple(case["target"]), overlap=False)
            continue
        assert case["reached"] == case["target"], case["text"]  # applied in Keras / ONNX's evaluator
        assert dl.doctor(case["model"], target=tuple(case["target"]), overlap=False).fix["text"] == case["text"]
