"""The doctor's upsample, pad, crop and projection layers, and the PyTorch reader's forward order.

``torch_layer_stacks.json`` was recorded with PyTorch 2.13.0 by
``make_torch_doctor_fixtures.py layers``: random stacks mixing those layers
with convolutions and pools (what torch did with each, and the overlap map:
ones through the spatial layers, every weight 1), and modules whose
``forward`` uses their modules in another order than they were registered in,
with the calls torch made and the shapes it gave. These tests need no torch;
the last ones call torch itself and are skipped where it is absent.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from doctor_support import assert_refused_at

import deconvlib as dl
from deconvlib.doctor.layers import parse_layers
from deconvlib.doctor.stack import overlap_map
from deconvlib.doctor.torch_reader import calls_to_layers

DATA = Path(__file__).resolve().parents[1] / "data" / "doctor"
RECORDED = json.loads((DATA / "torch_layer_stacks.json").read_text(encoding="utf-8"))
STACKS, MODELS = RECORDED["stacks"], RECORDED["models"]
SHAPE_KINDS = ("linear", "flatten", "reshape")


def test_the_recordings_hold_every_new_layer_mode_and_both_ends():
    assert RECORDED["torch_version"].startswith("2.13.0")
    ran = [s for s in STACKS if "error" not in s]
    assert len(ran) >= 150 and len(STACKS) - len(ran) >= 20
    assert {len(s["shapes"][-1]) - 2 for s in ran if len(s["shapes"][-1]) > 2} == {1, 2, 3}
    layers = [layer for s in ran for layer in s["layers"]]
    modes = {(layer["kind"], layer.get("mode")) for layer in layers}
    assert {("upsample", m) for m in ("nearest", "linear", "bilinear", "trilinear")} <= modes
    assert {("pad", m) for m in ("constant", "reflect", "replicate", "circular")} <= modes
    assert ("crop", None) in modes
    upsamples = [layer for layer in layers if layer["kind"] == "upsample"]
    assert any("size" in u for u in upsamples) and any(isinstance(u.get("scale"), list) for u in upsamples)
    assert any(u.get("align_corners") for u in upsamples)
    assert any(layer.get("value") for layer in layers if layer["kind"] == "pad")
    assert sum(s["layers"][0]["kind"] == "linear" for s in ran) >= 20  # a projection leads
    assert sum(s["layers"][-1]["kind"] == "linear" for s in ran) >= 10  # flatten → linear ends
    assert len({s["error"]["message"].split(":")[0][:40] for s in STACKS if "error" in s}) >= 4


def _torch_map(stack):
    """Torch's map, where a max pool's window over padding alone gives −∞: the doctor's map counts 0 there."""
    recorded = stack["overlap_map"]
    values = np.array(recorded["values"], dtype=float).reshape(recorded["shape"])
    return np.where(np.isneginf(values), 0.0, values)


@pytest.mark.parametrize("stack", STACKS, ids=[s["key"] for s in STACKS])
def test_the_doctor_follows_upsample_pad_crop_and_projections_as_torch_does(stack):
    layers, input_shape = stack["layers"], tuple(stack["input"])
    if "error" in stack:
        assert_refused_at(layers, input_shape, stack["error"]["layer"])
        return
    report = dl.doctor(layers, input_shape)
    assert [list(row["output"]) for row in report.layers] == stack["shapes"]
    assert report.overlap_map.shape == tuple(stack["overlap_map"]["shape"])
    np.testing.assert_allclose(report.overlap_map, _torch_map(stack), rtol=1e-12, atol=1e-12)


def test_the_overlap_map_starts_after_the_projection_and_stops_before_the_critics_end():
    stack = next(s for s in STACKS if "error" not in s and s["layers"][0]["kind"] == "linear")
    body = [layer for layer in stack["layers"] if layer["kind"] not in SHAPE_KINDS]
    start = stack["shapes"][1]  # the reshape's output: (n, c, *spatial)
    specs = parse_layers(body, len(start) - 2)
    np.testing.assert_allclose(overlap_map(specs, tuple(start[2:])), _torch_map(stack), rtol=1e-12, atol=1e-12)


def test_nearest_upsampling_repeats_the_map_and_bilinear_softens_its_checkerboard():
    up = {"kind": "conv_transpose", "kernel": 3, "stride": 2, "name": "up"}
    pattern = overlap_map(parse_layers([up], 1), (6,))[2:10]  # 2, 1, 2, 1, … away from the borders
    assert pattern.tolist() == [2, 1, 2, 1, 2, 1, 2, 1]
    nearest = overlap_map(parse_layers([up, {"kind": "upsample", "scale": 2}], 1), (6,))[4:20]
    assert nearest.tolist() == [2, 2, 1, 1] * 4  # the period doubles, the contrast stays 2:1
    linear = overlap_map(parse_layers([up, {"kind": "upsample", "scale": 2, "mode": "linear"}], 1), (6,))[4:20]
    assert linear.tolist() == [1.75, 1.75, 1.25, 1.25] * 4  # 3/4 and 1/4 of the two nearest: contrast 1.4
    corners = dict(kind="upsample", size=[5], mode="linear", align_corners=True)
    assert overlap_map(parse_layers([up, corners], 1), (1,)).tolist() == [1, 1, 1, 1, 1]
    # 1, 1, 2, 1, 1 to 9 cells, the corners kept: output j samples input j/2
    assert overlap_map(parse_layers([up, dict(corners, size=[9])], 1), (2,)).tolist() == [1, 1, 1, 1.5, 2, 1.5, 1, 1, 1]


def test_padding_adds_its_value_or_copies_the_border_and_a_crop_removes_cells():
    up = {"kind": "conv_transpose", "kernel": 3, "stride": 2, "name": "up"}  # 1, 1, 2, 1, 2, 1, 1 from 3 cells
    pads = {
        "constant": [0, 1, 1, 2, 1, 2, 1, 1, 0, 0],
        "reflect": [1, 1, 1, 2, 1, 2, 1, 1, 1, 2],
        "replicate": [1, 1, 1, 2, 1, 2, 1, 1, 1, 1],
        "circular": [1, 1, 1, 2, 1, 2, 1, 1, 1, 1],
    }
    for mode, expected in pads.items():
        pad = {"kind": "pad", "padding": [[1, 2]], "mode": mode}
        assert overlap_map(parse_layers([up, pad], 1), (3,)).tolist() == expected, mode
    valued = {"kind": "pad", "padding": 1, "value": 3}
    assert overlap_map(parse_layers([up, valued], 1), (3,)).tolist() == [3, 1, 1, 2, 1, 2, 1, 1, 3]
    crop = {"kind": "crop", "crop": [[2, 1]]}
    assert overlap_map(parse_layers([up, crop], 1), (3,)).tolist() == [2, 1, 2, 1]


@pytest.mark.parametrize(
    ("layer", "field", "words"),
    [
        ({"kind": "upsample"}, "scale", "either scale or size"),
        ({"kind": "upsample", "scale": 2, "size": 8}, "scale", "not both"),
        ({"kind": "upsample", "scale": 0}, "scale", "positive number"),
        ({"kind": "upsample", "scale": [2, 2, 2]}, "scale", "one per axis"),
        ({"kind": "upsample", "size": [8, 0]}, "size", ">= 1"),
        ({"kind": "upsample", "scale": 2, "mode": "bicubic"}, "mode", "nearest, linear"),
        ({"kind": "upsample", "scale": 2, "mode": "trilinear"}, "mode", "3-D"),
        ({"kind": "upsample", "scale": 2, "align_corners": True}, "align_corners", "linear modes"),
        ({"kind": "upsample", "scale": 2, "kernel": 3}, "kernel", "does not apply to a upsample"),
        ({"kind": "pad", "padding": -1}, "padding", ">= 0"),
        ({"kind": "pad", "padding": "same"}, "padding", "numbers"),
        ({"kind": "pad", "padding": 1, "mode": "reflect", "value": 2}, "value", "'constant' only"),
        ({"kind": "pad", "padding": 1, "value": "x"}, "value", "a number"),
        ({"kind": "crop"}, "crop", "missing"),
        ({"kind": "crop", "crop": [[1, 2, 3], [0, 0]]}, "crop", "[before, after] pairs"),
        ({"kind": "linear"}, "features", "missing"),
        ({"kind": "reshape", "shape": [4, -1, -1]}, "shape", "one -1"),
    ],
)
def test_a_bad_field_of_the_new_kinds_names_the_layer_and_the_field(layer, field, words):
    with pytest.raises(dl.ParameterError) as raised:
        parse_layers([{"kind": "conv", "kernel": 1}, dict(layer, name="bad")], 2)
    assert raised.value.parameter == f"layers[1].{field}"
    assert str(raised.value).startswith(f"layer 1 ('bad'), {field}:") and words in str(raised.value)


def test_sizes_the_framework_refuses_name_the_layer_and_the_field():
    cases = [
        ([{"kind": "pad", "padding": 4, "mode": "reflect"}], (1, 1, 4), "layers[0].padding", "smaller than"),
        ([{"kind": "crop", "crop": [[2, 2]]}], (1, 1, 4), "layers[0].crop", "leaves nothing"),
        ([{"kind": "upsample", "scale": 0.25}], (1, 1, 3), "layers[0].scale", "empty"),
        (
            [
                {"kind": "linear", "features": 8, "in_features": 10},
                {"kind": "reshape", "shape": [2, 4]},
                {"kind": "conv", "kernel": 1},
            ],
            (1, 12),
            "layers[0].in_features",
            "ends in 12",
        ),  # fmt: skip
        (
            [{"kind": "linear", "features": 8}, {"kind": "reshape", "shape": [3, 3]}, {"kind": "conv", "kernel": 1}],
            (1, 12),
            "layers[1].shape",
            "cannot hold the 8",
        ),  # fmt: skip
        (
            [{"kind": "conv", "kernel": 1}, {"kind": "flatten"}, {"kind": "conv", "kernel": 1}],
            (1, 1, 4),
            "layers[1].kind",
            "between spatial layers",
        ),  # fmt: skip
        ([{"kind": "linear", "features": 8}, {"kind": "conv", "kernel": 1}], (1, 12), "layers[0].shape", "spatial"),
    ]
    for layers, shape, parameter, words in cases:
        with pytest.raises(dl.ParameterError) as raised:
            dl.doctor(layers, shape)
        assert raised.value.parameter == parameter and words in str(raised.value), (layers, str(raised.value))


def test_a_dcgan_with_its_projection_reports_every_shape():
    layers = [
        {"kind": "linear", "name": "project", "features": 4 * 4 * 64, "in_features": 100},
        {"kind": "reshape", "name": "view", "shape": [64, 4, 4]},
        {"kind": "conv_transpose", "name": "up1", "kernel": 4, "stride": 2, "padding": 1, "channels": 32},
        {"kind": "upsample", "name": "up2", "scale": 2},
        {"kind": "conv", "name": "rgb", "kernel": 3, "padding": 1, "channels": 3},
    ]
    report = dl.doctor(layers, "1x100", target="18x18")
    assert [row["output"] for row in report.layers] == [
        (1, 1024), (1, 64, 4, 4), (1, 32, 8, 8), (1, 32, 16, 16), (1, 3, 16, 16)
    ]  # fmt: skip
    text = str(report)
    assert "linear 1024" in text and "reshape 64x4x4" in text and "upsample x2 nearest" in text
    assert report.overlap_map.shape == (16, 16)
    assert report.fix["layer"] == 2 and report.fix["name"] == "up1" and report.fix["reached"] == (18, 18)
    assert "layer 2 ('up1')" in report.fix["text"]


@pytest.mark.parametrize("model", MODELS, ids=[m["key"] for m in MODELS])
def test_a_model_is_read_in_the_order_forward_runs_its_modules(model):
    layers, skipped = calls_to_layers(model["calls"])
    assert skipped == []
    report = dl.doctor(layers, tuple(model["input"]))
    given = {c["name"]: c["output"] for c in model["calls"]}
    assert [list(row["output"]) for row in report.layers] == [given[layer["name"]] for layer in layers]
    assert list(report.output_shape) == model["output"]
    # registration order is another order: read that way, the model is misread (refused or another output)
    registered, _ = calls_to_layers(model["registration"])
    followed = [name for name in (layer["name"] for layer in layers) if name in {r["name"] for r in registered}]
    assert [r["name"] for r in registered if r["name"] in followed] != followed or not registered
    try:
        wrong = dl.doctor(registered, tuple(model["input"]), overlap=False).output_shape
    except dl.ParameterError:
        wrong = None
    assert wrong is None or list(wrong) != model["output"]


def test_a_module_used_twice_is_two_layers():
    model = next(m for m in MODELS if m["key"] == "audio_shared_upsampler")
    names = [layer["name"] for layer in calls_to_layers(model["calls"])[0]]
    assert names == ["first", "upsample", "middle", "upsample@2", "forward.pad", "last"]


def test_a_stack_without_torch_is_read_in_registration_order_with_a_note():
    from deconvlib.doctor import torch_reader

    class Stand:  # the surface of an nn.Module the reader uses without torch
        def __init__(self, children=(), **attributes):
            self._children = list(children)
            self.__dict__.update(attributes)

        def children(self):
            return iter([m for _, m in self._children])

        def named_modules(self):
            yield "", self
            yield from self._children

    up = type("Upsample", (Stand,), {})(size=None, scale_factor=2.0, mode="nearest", align_corners=None)
    pad = type("ReplicationPad1d", (Stand,), {})(padding=(1, 2))
    model = Stand([("up", up), ("pad", pad)])
    layers, skipped, note = torch_reader.read_torch_model(model, (1, 1, 5))
    assert [layer["kind"] for layer in layers] == ["upsample", "pad"] and skipped == []
    try:
        import torch  # noqa: F401
    except ModuleNotFoundError:
        assert "registration order" in note
        assert note in str(dl.doctor(model, (1, 1, 5)))
    else:
        assert "did not run" in note  # a stand-in is no module torch can run
    assert dl.doctor(model, (1, 1, 5)).output_shape == (1, 1, 13)


# ---- with torch itself (skipped where it is absent) ----


def test_the_reader_runs_the_model_in_torch_and_follows_forward():
    torch = pytest.importorskip("torch")
    nn, functional = torch.nn, torch.nn.functional

    class Decoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.out = nn.Conv2d(8, 3, 3)  # registered first, runs last
            self.up = nn.ConvTranspose2d(16, 8, 3, 2, 1)
            self.project = nn.Linear(10, 16 * 3 * 5)

        def forward(self, z):
            x = self.project(z).view(-1, 16, 3, 5)
            x = functional.interpolate(self.up(x), size=(9, 12), mode="bilinear")
            return self.out(functional.pad(x, (1, 1, 0, 2), mode="reflect"))

    model = Decoder()
    report = dl.doctor(model, (2, 10))
    assert report.output_shape == tuple(model(torch.zeros(2, 10)).shape)
    assert [row["name"] for row in report.layers] == [
        "project", "forward.view", "up", "forward.interpolate", "forward.pad", "out"
    ]  # fmt: skip
    assert report.reader_note is None
    # the wrong input shape: the model cannot run, the reader says so and falls back to registration order
    from deconvlib.doctor.torch_reader import read_torch_model

    layers, _, note = read_torch_model(model, (2, 11))
    assert "did not run on zeros of shape 2x11" in note and layers[0]["name"] == "out"
    with pytest.raises(dl.ParameterError):  # and in that order a convolution comes before the projection
        dl.doctor(model, (2, 11))


def test_the_run_leaves_the_models_mode_and_running_statistics_as_they_were():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    model = nn.Sequential(
        nn.Linear(8, 32), nn.BatchNorm1d(32), nn.Unflatten(1, (2, 4, 4)), nn.LeakyReLU(0.2),
        nn.Upsample(scale_factor=1.5, recompute_scale_factor=True, mode="bilinear"), nn.Dropout2d(),
        nn.ConvTranspose2d(2, 1, 4, 2, 1), nn.BatchNorm2d(1), nn.Tanh(),
    )  # fmt: skip
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    report = dl.doctor(model, (1, 8))  # batch 1: BatchNorm1d in training mode would refuse it
    assert model.training and all(m.training for m in model.modules())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert report.skipped == [] and report.reader_note is None
    assert [row["kind"] for row in report.layers] == ["linear", "reshape", "upsample", "conv_transpose"]
    assert report.output_shape == tuple(model.eval()(torch.zeros(1, 8)).shape) == (1, 1, 12, 12)
    assert report.layers[2]["layer"] == "upsample to 6 bilinear"  # recomputed: the sizes' ratio, as torch uses


def test_activations_normalisations_and_dropout_are_passed_over_in_every_reader():
    calls = [dict(name=str(i), cls=cls, attributes={}, leaf=True) for i, cls in enumerate(
        ["BatchNorm2d", "InstanceNorm2d", "GroupNorm", "LayerNorm", "ReLU", "LeakyReLU", "PReLU", "Tanh", "Sigmoid",
         "GELU", "SiLU", "ELU", "Dropout", "Dropout2d", "Identity"])]  # fmt: skip
    assert calls_to_layers(calls) == ([], [])
    keras = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 16], "name": "in"}},
        {"class_name": "Dense", "config": {"name": "project", "units": 48}},
        {"class_name": "BatchNormalization", "config": {"name": "bn"}},
        {"class_name": "LeakyReLU", "config": {"name": "act"}},
        {"class_name": "Reshape", "config": {"name": "r", "target_shape": [4, 4, 3]}},
        {"class_name": "UpSampling2D", "config": {"name": "up", "size": [2, 2], "interpolation": "bilinear"}},
        {"class_name": "Dropout", "config": {"name": "drop"}},
        {"class_name": "Activation", "config": {"name": "tanh", "activation": "tanh"}},
    ]}}  # fmt: skip
    report = dl.doctor(keras)
    assert report.skipped == [] and report.output_shape == (1, 8, 8, 3)


def test_functional_convolutions_and_pools_in_forward_are_followed():
    torch = pytest.importorskip("torch")
    nn, functional = torch.nn, torch.nn.functional

    class Functional(nn.Module):  # weights as parameters, the arithmetic in forward
        def __init__(self):
            super().__init__()
            self.down = nn.Parameter(torch.zeros(4, 2, 3, 3))
            self.up = nn.Parameter(torch.zeros(4, 3, 4, 4))

        def forward(self, x):
            x = functional.conv2d(x, self.down, None, 2, 1)
            x = functional.max_pool2d(x, 2, ceil_mode=True)
            x = functional.conv_transpose2d(x, self.up, stride=2, padding=1, output_padding=1)
            return functional.avg_pool2d(x, 3, 1, 1, count_include_pad=False)

    model = Functional()
    report = dl.doctor(model, (1, 2, 13, 11))
    assert [row["name"] for row in report.layers] == [
        "forward.conv2d", "forward.max_pool2d", "forward.conv_transpose2d", "forward.avg_pool2d"
    ]  # fmt: skip
    assert report.output_shape == tuple(model(torch.zeros(1, 2, 13, 11)).shape) == (1, 3, 9, 7)
    assert report.layers[2]["layer"] == "conv_transpose k4 s2 p1 op1" and report.specs[3].count_include_pad is False
