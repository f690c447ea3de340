"""The decoder doctor's layer checks, report, PyTorch reader, error table and command line."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import deconvlib as dl
from deconvlib.doctor import explain_error, risk_of
from deconvlib.doctor.layers import parse_layers
from deconvlib.doctor.stack import overlap_map, stages
from deconvlib.doctor.torch_reader import read_torch_module

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "doctor"
UP = {"kind": "conv_transpose", "kernel": 4, "stride": 2, "padding": 1}
DCGAN = [{"kind": "conv_transpose", "kernel": 4, "channels": 512, "name": "project"}] + [
    dict(UP, channels=c, name=f"up{n}") for n, c in enumerate((256, 128, 64, 3))
]


@pytest.mark.parametrize(
    "layer, parameter, words",
    [
        ({"kind": "deconv", "kernel": 3}, "layers[1].kind", "must be one of conv, conv_transpose, pool"),
        ({"kind": "conv", "kernel": 0}, "layers[1].kernel", "must be an integer >= 1, got 0"),
        ({"kind": "conv", "kernel": (3, 3, 3)}, "layers[1].kernel", "one per axis"),
        ({"kind": "conv", "kernel": 3, "stride": 1.5}, "layers[1].stride", "got 1.5"),
        ({"kind": "conv", "kernel": 3, "padding": -1}, "layers[1].padding", "got -1"),
        ({"kind": "conv", "kernel": 3, "output_padding": 1}, "layers[1].output_padding", "conv_transpose only"),
        ({"kind": "conv_transpose", "kernel": 3, "output_padding": 1}, "layers[1].output_padding", "smaller than"),
        ({"kind": "pool", "kernel": 2, "padding": 2}, "layers[1].padding", "at most half the window"),
        ({"kind": "pool", "kernel": 2, "mode": "min"}, "layers[1].mode", "'max' or 'avg'"),
        ({"kind": "conv", "kernel": 3, "ceil_mode": True}, "layers[1].ceil_mode", "a pool only"),
        ({"kind": "conv", "kernel": 3, "channels": 6, "groups": 4}, "layers[1].groups", "must divide"),
        ({"kind": "conv", "kernel": 3, "strides": 2}, "layers[1].strides", "not a field"),
        ({"kind": "conv", "kernel": 3, "skip_from": "nowhere"}, "layers[1].skip_from", "earlier layer"),
        ({"kind": "conv", "kernel": 3, "padding": "half"}, "layers[1].padding", "'valid', 'same' or 'same_lower'"),
        ({"kind": "conv"}, "layers[1].kernel", "is missing"),
        ({"kind": "conv", "kernel": 3, "name": "first"}, "layers[1].name", "names an earlier layer"),
    ],
)
def test_a_bad_layer_is_named_with_its_field(layer, parameter, words):
    layers = [{"kind": "conv", "kernel": 1, "name": "first"}, layer]
    with pytest.raises(dl.ParameterError) as raised:
        dl.doctor(layers, (1, 3, 16, 16))
    assert raised.value.parameter == parameter
    assert str(raised.value).startswith("layer 1") and words in str(raised.value)


def test_a_layer_the_input_cannot_go_through_is_named_and_so_is_its_field():
    layers = [dict(UP, name="a"), {"kind": "conv", "kernel": 9, "name": "squeeze"}]
    with pytest.raises(dl.ParameterError) as raised:
        dl.doctor(layers, (1, 3, 2, 2))
    assert raised.value.parameter == "layers[1].kernel"
    assert "layer 1 ('squeeze'), kernel" in str(raised.value) and "input size 4" in str(raised.value)


@pytest.mark.parametrize(
    "shape, target, parameter",
    [("1x3", None, "input_shape"), ("1x3x4x4x4x4", None, "input_shape"), ("1xax4", None, "input_shape"),
     ((1, 3, 0, 4), None, "input_shape"), ((1, 3, 4, 4), "64", "target"), ((1, 3, 4, 4), "0x8", "target")],
)  # fmt: skip
def test_a_bad_input_shape_or_target_is_named(shape, target, parameter):
    with pytest.raises(dl.ParameterError) as raised:
        dl.doctor([UP], shape, target=target)
    assert raised.value.parameter == parameter


def test_the_dcgan_generator_report():
    report = dl.doctor(DCGAN, "1x100x1x1", target="64x64")
    assert [row["output"] for row in report.layers] == [
        (1, 512, 4, 4), (1, 256, 8, 8), (1, 128, 16, 16), (1, 64, 32, 32), (1, 3, 64, 64)
    ]  # fmt: skip
    assert report.layers[1]["stages"][0] == dict(
        zeros=3, dilated=7, pad=(2, 2), crop=(0, 0), full=10, kept=(1, 9), out=8
    )
    assert report.layers[1]["overlap"] == [[2, 2], [2, 2]] and report.layers[1]["risk"] == "none"
    assert report.map_contrast() == 1.0
    assert report.fix["padding"] == (1, 1) and report.fix["output_padding"] == (0, 0)
    text = str(report)
    assert "1×3×64×64" in text and "(flat)" in text and "padding=1, output_padding=0 gives 64×64" in text
    html = report._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 6 and "up3" in html
    assert json.loads(json.dumps(report.data, default=list))["output_shape"] == [1, 3, 64, 64]
    assert repr(report) == "<doctor report: 5 layers, 1×100×1×1 → 1×3×64×64>"


def test_a_kernel_3_stride_2_stack_compounds_its_checkerboard():
    layers = [dict(kind="conv_transpose", kernel=3, stride=2, name=f"up{n}") for n in range(3)]
    report = dl.doctor(layers, (1, 1, 6, 6))
    assert [row["overlap"] for row in report.layers] == [[[2, 1], [2, 1]]] * 3
    assert report.layers[0]["risk"] == "uneven 2:1"
    counts = report.overlap_map
    # computed, not estimated: the constant input through the stack, with deconvlib's own conv_transpose2d
    X = np.ones((6, 6))
    for _ in range(3):
        X = dl.conv_transpose2d(X, np.ones((3, 3)), stride=2)
    np.testing.assert_array_equal(counts, X)
    one = dl.doctor(layers[:1], (1, 1, 6, 6)).map_contrast()
    assert one == 4.0 and report.map_contrast() > one  # 2:1 per axis, squared in 2-D; three layers compound it
    assert "uneven overlap in layer(s) 0 (uneven 2:1), 1 (uneven 2:1), 2 (uneven 2:1)" in str(report)


def test_holes_when_the_stride_outgrows_the_kernel():
    assert risk_of([[1, 0, 0]]) == "holes"
    report = dl.doctor([{"kind": "conv_transpose", "kernel": 2, "stride": 3}], (1, 1, 5))
    assert report.map_contrast() == float("inf") and "holes" in str(report)


def test_the_overlap_map_follows_pools_and_forward_convolutions():
    layers = [
        {"kind": "conv_transpose", "kernel": 3, "stride": 2, "padding": 1},
        {"kind": "pool", "mode": "avg", "kernel": 2, "ceil_mode": True},
        {"kind": "conv", "kernel": 3, "padding": [[0, 1]]},
    ]
    specs = parse_layers(layers, 1)
    x = dl.conv_transpose1d(np.ones(5), np.ones(3), stride=2, padding=1)
    x = dl.avg_pool1d(x, 2, ceil_mode=True)
    x = dl.conv1d(x, np.ones(3), padding=(0, 1))
    np.testing.assert_array_equal(overlap_map(specs, (5,)), x)


def test_a_u_net_with_an_odd_input_is_told_which_sizes_round_trip():
    layers = [
        {"kind": "conv", "kernel": 3, "padding": 1, "channels": 16, "name": "enc"},
        {"kind": "pool", "kernel": 2, "name": "down"},
        {"kind": "conv", "kernel": 3, "padding": 1, "channels": 32, "name": "mid"},
        {"kind": "conv_transpose", "kernel": 2, "stride": 2, "channels": 16, "name": "up", "skip_from": "down"},
    ]
    report = dl.doctor(layers, (1, 3, 101, 101), target=(101, 101))
    assert report.round_trips == [dict(encoder="down", decoder="up", skip=(101, 101), up=(100, 100), ok=False)]
    assert report.round_trip_sizes[:3] == [2, 4, 6]
    assert "does NOT round-trip" in str(report) and "100, 102" in str(report)
    assert report.fix["padding"] == (0, 0) and report.fix["output_padding"] == (1, 1)
    assert dl.doctor(layers, (1, 3, 100, 100)).round_trips[0]["ok"]
    with pytest.raises(dl.ParameterError) as raised:
        dl.doctor(layers, (1, 3, 8, 8), pairs=[("down", "nope")])
    assert raised.value.parameter == "pairs"


def test_a_target_without_symmetric_padding_gets_an_explicit_crop():
    # kernel 4, stride 1 ("same" for a transposed layer, PyTorch #80301): 3 cells too many, odd
    report = dl.doctor([{"kind": "conv_transpose", "kernel": 4, "name": "t"}], (1, 1, 10), target=(10,))
    assert report.fix["crop"] == ((1, 2),) and report.fix["padding"] is None and report.fix["reached"] == (10,)
    assert "crop the result to [1:11]" in str(report)
    with pytest.raises(dl.ParameterError) as raised:
        dl.doctor([{"kind": "conv_transpose", "kernel": 4, "stride": 2}], (1, 1, 10), target=(40,))
    assert raised.value.parameter == "target"


def test_stages_in_numbers():
    spec = parse_layers([{"kind": "conv_transpose", "kernel": 3, "stride": 1, "padding": 4}], 1)[0]
    assert stages(spec, (9,))[0] == dict(zeros=0, dilated=9, pad=(-2, -2), crop=(2, 2), full=11, kept=(4, 7), out=3)


class _Module:
    """A stand-in for torch.nn.Module: what the reader uses of one (its class name and attributes)."""

    def __init__(self, **attributes):
        self._children = attributes.pop("children", [])
        self.__dict__.update(attributes)

    def children(self):
        return iter([m for _, m in self._children])

    def named_modules(self):
        yield "", self
        for name, child in self._children:
            for sub, module in child.named_modules():
                yield f"{name}.{sub}" if sub else name, module


def _torch_like(cls, **attributes):
    return type(cls, (_Module,), {})(**attributes)


def test_a_pytorch_model_is_read_by_its_modules_without_torch():
    conv_t = dict(kernel_size=(4, 4), stride=(2, 2), padding=(1, 1), output_padding=(0, 0), dilation=(1, 1), groups=1)
    model = _torch_like(
        "Generator",
        children=[
            ("net", _torch_like("Sequential", children=[
                ("0", _torch_like("ConvTranspose2d", out_channels=64, **dict(conv_t, stride=(1, 1), padding=(0, 0)))),
                ("1", _torch_like("BatchNorm2d")),
                ("2", _torch_like("ReLU")),
                ("3", _torch_like("ConvTranspose2d", out_channels=3, **conv_t)),
                ("4", _torch_like("MaxPool2d", kernel_size=2, stride=None, padding=0, dilation=1, ceil_mode=True)),
                ("5", _torch_like("Conv2d", out_channels=3, kernel_size=(3, 3), stride=(1, 1), padding="same",
                                  dilation=(1, 1), groups=1)),
                ("6", _torch_like("Tanh")),
                ("7", _torch_like("MyAttention")),
            ])),
        ],
    )  # fmt: skip
    layers, skipped = read_torch_module(model)
    assert [layer["name"] for layer in layers] == ["net.0", "net.3", "net.4", "net.5"]
    assert layers[2] == dict(kind="pool", name="net.4", mode="max", kernel=[2, 2], stride=[2, 2], padding=[0, 0],
                             ceil_mode=True, dilation=[1, 1])  # fmt: skip
    assert layers[3]["padding"] == [(1, 1), (1, 1)]
    assert skipped == ["net.7 (MyAttention)"]
    report = dl.doctor(model, (1, 100, 1, 1))
    assert report.output_shape == (1, 3, 4, 4) and "net.7 (MyAttention)" in str(report)
    shuffle = _torch_like("Sequential", children=[("0", _torch_like("PixelShuffle"))])
    with pytest.raises(dl.ParameterError, match="module '0' \\(PixelShuffle\\)"):
        dl.doctor(shuffle, (1, 4, 8, 8))


def test_every_recorded_torch_message_is_explained():
    stacks = json.loads((DATA / "torch_stacks.json").read_text(encoding="utf-8"))["stacks"]
    unets = json.loads((DATA / "torch_unets.json").read_text(encoding="utf-8"))["unets"]
    messages = [s["error"]["message"] for s in stacks if "error" in s]
    messages += [r["message"] for u in unets for r in u["torch"] if "message" in r]
    assert len(messages) >= 100
    keys = set()
    for message in messages:
        explained = explain_error(message)
        assert explained is not None, message
        keys.add(explained.key)
    assert {"output_padding", "cat", "too_small", "kernel_too_large", "pool_too_small"} <= keys


def test_the_output_padding_message_with_the_layer_gives_its_fix():
    message = (
        "RuntimeError: output padding must be smaller than either stride or dilation, but got output_padding_height: "
        "1 output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1"
    )
    layer = {"kind": "conv_transpose", "kernel": 4, "stride": 1, "padding": 1, "output_padding": 1}
    explained = explain_error(message, layer, (8, 8))
    assert explained.numbers == dict(output_padding=[1, 1], stride=[1, 1], dilation=[1, 1])
    # 8 + 3 − 2 + 1 = 10 was meant; no symmetric padding gives it with stride 1
    assert "no symmetric padding gives 10" in explained.fix
    layer = dict(layer, kernel=3, stride=1, padding=0, output_padding=1)  # 8 + 2 + 1 = 11: padding 0 cannot
    assert "axis 0" in explain_error(message, layer, (8, 8)).fix
    assert explain_error("CUDA out of memory") is None


@pytest.mark.parametrize(
    "message, framework, key",
    [
        ("ValueError: requested an output size of [10, 10], but valid sizes range from [7, 7] to [8, 8] (for an "
         "input of torch.Size([4, 4]))", "PyTorch", "output_size"),
        ("Given transposed=1, weight of size [4, 2, 3, 3], expected input[1, 3, 4, 4] to have 4 channels, but got 3 "
         "channels instead", "PyTorch", "channels"),
        ("ValueError: A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. "
         "Received: input_shape=[(None, 16, 16, 64), (None, 15, 15, 64)]", "Keras", "concatenate"),
        ("ValueError: `output_padding` must be strictly less than `strides` for all dimensions. At dimension 0, "
         "`output_padding` is 2 but `strides` is 2. Received: output_padding=(2, 2), strides=(2, 2)", "Keras",
         "output_padding"),
        ("Conv2DCustomBackpropInput: Size of out_backprop doesn't match computed: actual = 8, computed = 7 "
         "spatial_dim: 1 input: 14 filter: 3 output: 7 stride: 2 dilation: 1", "TensorFlow", "backprop_input"),
        ("TypeError: Cannot concatenate arrays with shapes that differ in dimensions other than the one being "
         "concatenated: concatenating along dimension 3 for shapes (1, 16, 16, 64), (1, 15, 15, 64).", "JAX",
         "concatenate"),
        ("[ONNXRuntimeError] : 1 : FAIL : Non-zero status code returned while running Concat node. Name:'cat' "
         "Status Message: concat.cc:157 PrepareForCompute Non concat axis dimensions must match: Axis 2 has "
         "mismatched dimensions of 15 and 16", "ONNX Runtime", "concat"),
        ("RuntimeError: pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and "
         "dilation=1", "PyTorch", "pool_padding"),
    ],
)  # fmt: skip
def test_the_message_table(message, framework, key):
    explained = explain_error(message)
    assert (explained.framework, explained.key) == (framework, key)
    assert explained.meaning and explained.fix and str(explained).startswith(framework)


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "deconvlib", *args], capture_output=True, text=True, cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
    )  # fmt: skip


def test_the_command_line(tmp_path):
    path = tmp_path / "dcgan.json"
    path.write_text(json.dumps(DCGAN), encoding="utf-8")
    done = _cli("doctor", str(path), "--input", "1x100x1x1", "--target", "64x64")
    assert done.returncode == 0, done.stderr
    assert "up3" in done.stdout and "padding=1, output_padding=0 gives 64×64" in done.stdout
    data = json.loads(_cli("doctor", str(path), "--input", "1x100x1x1", "--json").stdout)
    assert data["output_shape"] == [1, 3, 64, 64]
    helped = _cli("doctor", "--help")
    assert helped.returncode == 0 and "python -m deconvlib doctor dcgan.json --input 1x100x1x1" in helped.stdout
    assert "doctor" in _cli("--help").stdout


@pytest.mark.parametrize(
    "content, args, words",
    [
        ('[{"kind": "conv_transpose", "kernel": 4, "stride": 2, "output_padding": 2, "name": "up"}]',
         ["--input", "1x3x4x4"], "layer 0 ('up'), output_padding: must be smaller than stride"),
        ('[{"kind": "conv_transpose", "kernel": 4}]', ["--input", "1x3"], "argument --input:"),
        ('[{"kind": "conv_transpose", "kernel": 4}]', ["--input", "1x3x4x4", "--target", "9"], "argument --target:"),
        ('[{"kind": "conv_transpose", "kernel": 4}', ["--input", "1x3x4x4"], "not JSON"),
        ('{"layers": [], "x": 1}', ["--input", "1x3x4x4"], "unknown key 'x'"),
        ('[{"kind": "conv_transpose", "kernel": 4}]', [], "argument --input: the input shape is needed"),
    ],
)  # fmt: skip
def test_bad_input_ends_in_one_line_naming_the_layer_and_field_with_status_2(tmp_path, content, args, words):
    path = tmp_path / "layers.json"
    path.write_text(content, encoding="utf-8")
    done = _cli("doctor", str(path), *args)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert words in done.stderr


def test_a_file_may_carry_its_input_pairs_and_target(tmp_path):
    layers = [
        {"kind": "pool", "kernel": 2, "name": "down"},
        {"kind": "conv_transpose", "kernel": 2, "stride": 2, "name": "up"},
    ]
    path = tmp_path / "unet.json"
    path.write_text(json.dumps(dict(layers=layers, pairs=[["down", "up"]], input="1x3x9x9", target="9x9")), "utf-8")
    done = _cli("doctor", str(path))
    assert done.returncode == 0, done.stderr
    assert "does NOT round-trip" in done.stdout and "output_padding=1 gives 9×9" in done.stdout


def test_a_skip_connection_adds_its_channels_to_the_next_layers_input():
    layers = [
        {"kind": "conv", "kernel": 3, "padding": 1, "channels": 16, "name": "enc"},
        {"kind": "pool", "kernel": 2, "name": "down"},
        {"kind": "conv_transpose", "kernel": 2, "stride": 2, "channels": 8, "name": "up", "skip_from": "down"},
        {"kind": "conv", "kernel": 1, "channels": 2, "name": "head"},
    ]
    report = dl.doctor(layers, (1, 3, 8, 8))
    assert report.layers[2]["output"] == (1, 8, 8, 8)
    assert report.layers[3]["input"] == (1, 24, 8, 8)  # 8 up + 16 from the skip (the pool's input)


def test_an_overlap_map_past_the_budget_is_left_out_and_the_report_says_why():
    layers = [dict(kind="conv_transpose", kernel=4, stride=2, padding=1, name=f"up{n}") for n in range(3)]
    with dl.budget_scope(memory=10_000):
        report = dl.doctor(layers, (1, 3, 32, 32, 32))
    assert report.overlap_map is None and report.layers[-1]["output"] == (1, 3, 256, 256, 256)
    assert "Overlap map not computed:" in str(report)


def test_the_command_line_follows_a_projection_and_names_a_bad_field_of_the_new_kinds(tmp_path):
    layers = [
        {"kind": "linear", "name": "project", "features": 256},
        {"kind": "reshape", "name": "view", "shape": [16, 4, 4]},
        {"kind": "upsample", "name": "up", "scale": 2, "mode": "bilinear"},
        {"kind": "conv_transpose", "name": "deconv", "kernel": 4, "stride": 2, "padding": 1, "channels": 3},
    ]
    path = tmp_path / "dcgan.json"
    path.write_text(json.dumps(layers), "utf-8")
    done = _cli("doctor", str(path), "--input", "1x100", "--target", "17x17")
    assert done.returncode == 0, done.stderr
    assert "1×100" in done.stdout and "1×3×16×16" in done.stdout and "upsample x2 bilinear" in done.stdout
    assert "layer 3 ('deconv'): padding=1, output_padding=1 gives 17×17" in done.stdout
    path.write_text(json.dumps([layers[0], layers[1], dict(layers[2], mode="bicubic")]), "utf-8")
    done = _cli("doctor", str(path), "--input", "1x100")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert "layer 2 ('up'), mode: must be one of nearest, linear, bilinear, trilinear" in done.stderr
