"""The Keras reader's UpSampling, ZeroPadding, Cropping, Dense, Flatten and Reshape, and channels_first.

``keras_layer_models.json`` was recorded by ``make_keras_doctor_fixtures.py
layers`` with TensorFlow's CPU wheel: random Sequential models mixing those
layers with convolutions and pools, a fifth of the 2-D and 3-D ones in
``channels_first``, and the shapes Keras computes for every layer (checked
against TensorFlow's kernels run eagerly where they take the layer). No Keras
is needed here.
"""

import json
from pathlib import Path

import pytest
from doctor_support import assert_refused_at

import deconvlib as dl
from deconvlib.doctor.keras_reader import keras_layout, read_keras_config

DATA = Path(__file__).resolve().parents[1] / "data" / "doctor"
RECORDED = json.loads((DATA / "keras_layer_models.json").read_text(encoding="utf-8"))
MODELS = RECORDED["models"]


def _classes(model):
    return [layer["class_name"] for layer in model["config"]["config"]["layers"]]


def test_the_recordings_hold_every_new_layer_both_layouts_and_both_ends():
    ran = [m for m in MODELS if "error" not in m]
    assert len(ran) >= 50 and len(MODELS) - len(ran) >= 10
    classes = {c for m in ran for c in _classes(m)}
    for dims in (1, 2, 3):
        assert {f"UpSampling{dims}D", f"ZeroPadding{dims}D", f"Cropping{dims}D"} <= classes
    assert {"Dense", "Reshape", "Flatten"} <= classes
    interpolations = {
        layer["config"].get("interpolation")
        for m in ran
        for layer in m["config"]["config"]["layers"]
        if layer["class_name"] == "UpSampling2D"
    }
    assert {"nearest", "bilinear"} <= interpolations
    first = [m for m in ran if m["data_format"] == "channels_first"]
    assert len(first) >= 8 and {len(m["input"]) for m in first} >= {4, 5}
    assert sum(_classes(m)[1] == "Dense" for m in ran) >= 10  # InputLayer, then the projection


@pytest.mark.parametrize("model", MODELS, ids=[m["key"] for m in MODELS])
def test_keras_shapes_through_the_new_layers_equal_kerass(model):
    if "error" in model:
        assert_refused_at(model["config"], tuple(model["input"]), model["error"]["layer"])
        return
    report = dl.doctor(model["config"])  # the input shape from the config, in the model's own layout
    assert report.layout == model["data_format"] == keras_layout(model["config"])
    assert report.input_shape == tuple(model["input"])
    assert [list(row["output"]) for row in report.layers] == model["shapes"]


def test_a_generators_projection_is_read_in_the_models_layout():
    model = next(m for m in MODELS if "error" not in m and _classes(m)[1] == "Dense")
    layers, input_shape, _ = read_keras_config(model["config"])
    assert [layer["kind"] for layer in layers[:2]] == ["linear", "reshape"]
    target = next(layer for layer in model["config"]["config"]["layers"] if layer["class_name"] == "Reshape")
    shape = target["config"]["target_shape"]
    inside = shape if model["data_format"] == "channels_first" else [shape[-1], *shape[:-1]]
    assert layers[1]["shape"] == inside  # the doctor's (c, *spatial)
    assert dl.doctor(model["config"]).layers[1]["output"] == (1, *shape)  # shown as Keras has it


def test_a_model_that_mixes_the_layouts_is_refused_naming_both():
    config = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 3, 8, 8], "name": "in"}},
        {"class_name": "UpSampling2D", "config": {"name": "up", "size": [2, 2], "data_format": "channels_first"}},
        {"class_name": "ZeroPadding2D", "config": {"name": "pad", "padding": 1, "data_format": "channels_last"}},
    ]}}  # fmt: skip
    with pytest.raises(dl.ParameterError, match="'up' is channels_first, 'pad' is channels_last"):
        dl.doctor(config)
    config["config"]["layers"][2]["config"]["data_format"] = "channels_first"
    assert dl.doctor(config).output_shape == (1, 3, 18, 18)


def test_upsampling_with_an_interpolation_the_doctor_does_not_follow_is_named():
    config = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 8, 8, 3], "name": "in"}},
        {"class_name": "UpSampling2D", "config": {"name": "up", "size": [2, 2], "interpolation": "bicubic"}},
    ]}}  # fmt: skip
    with pytest.raises(dl.ParameterError, match="'up' \\(UpSampling2D\\) interpolates with 'bicubic'"):
        dl.doctor(config)
