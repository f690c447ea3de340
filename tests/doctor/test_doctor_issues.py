"""The frameworks' issues whose reproducer is a layer list, each with the doctor's diagnosis.

Each test takes the layers and sizes from the issue's own reproducer and
checks what the doctor says about them: the size, the refusal and its field,
the explained message, the fix (checked by the doctor against its own
arithmetic, and the arithmetic against PyTorch in test_doctor_torch_fixtures).

The cited threads without a named test, and why:

=================  ==========================================================  ========================================
thread             why no named test                                           URL
=================  ==========================================================  ========================================
PyTorch PR #904    a patch to ``_output_padding`` (compute ``padding`` too     https://github.com/pytorch/pytorch/pull/904
                   when ``output_size`` is below the smallest size); the
                   thread gives no layer or sizes, only the code
TensorFlow #2118   the reproducer is the size formula ``(i − 1)·s + k − 2p``   https://github.com/tensorflow/tensorflow/issues/2118
                   and questions about ``output_shape``; no layer or input
                   sizes to diagnose
JAX #4592          a feature request (``output_shape`` for                     https://github.com/jax-ml/jax/issues/4592
                   ``lax.conv_transpose``); the answer ("compute the padding
                   that gives that shape") is the doctor's fix, but the thread
                   has no layer or sizes
=================  ==========================================================  ========================================
"""

import numpy as np
import pytest

import deconvlib as dl
from deconvlib.doctor import explain_error
from deconvlib.doctor.layers import parse_layers
from deconvlib.doctor.stack import stages

TORCH_OUTPUT_PADDING = (
    "RuntimeError: output padding must be smaller than either stride or dilation, but got output_padding_height: 0 "
    "output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1"
)


def test_pytorch_8816_output_padding_is_computed_not_zero_padding():
    # ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1) on a 1×1 input gives 2×2, and the
    # added row and column are not zeros: output_padding keeps one more cell of the full result, which the
    # kernel reaches.
    layer = {"kind": "conv_transpose", "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1}
    report = dl.doctor([layer], (1, 1, 1, 1))
    assert report.output_shape == (1, 1, 2, 2)
    (stage, _) = report.layers[0]["stages"]
    assert stage["full"] == 3 and stage["kept"] == (1, 3)  # cells 1 and 2 of the full 3: the last is a real output
    np.testing.assert_array_equal(report.overlap_map, np.ones((2, 2)))  # every cell gets a kernel tap


def test_pytorch_56328_output_padding_without_a_stride():
    # ConvTranspose1d(3, 4, kernel_size=3, output_padding=1) on (2, 3, 3): refused
    layer = {"kind": "conv_transpose", "kernel": 3, "output_padding": 1, "channels": 4}
    with pytest.raises(dl.ParameterError) as raised:
        dl.doctor([layer], (2, 3, 3))
    assert raised.value.parameter == "layers[0].output_padding"
    assert "must be smaller than stride or dilation" in str(raised.value)
    explained = explain_error(TORCH_OUTPUT_PADDING.replace("0 output_padding_width", "0 output_padding_width"))
    assert explained.key == "output_padding" and "smaller than the stride" in explained.meaning
    # with stride 1 output_padding must be 0, which gives 3 + 2 = 5; the 6 that output_padding 1 asked for is
    # more than the full result: no padding gives it (not "no symmetric padding", as if an asymmetric one did)
    fix = explain_error(TORCH_OUTPUT_PADDING, layer, (3,)).fix
    assert "so at most 0: output_padding=0 gives 5" in fix and "6 is more than the full result 5" in fix
    assert "output_padding=1" not in fix and "symmetric" not in fix


def test_pytorch_106450_same_length_with_stride_1_and_an_even_kernel():
    # stride 1, even kernel: the length L comes back only with an asymmetric crop, not with output_padding=1
    for kernel in (2, 4, 6):
        layer = {"kind": "conv_transpose", "kernel": kernel, "stride": 1, "name": "t"}
        report = dl.doctor([layer], (1, 8, 50), target=(50,))
        half = (kernel - 1) // 2
        assert report.fix["crop"] == ((half, kernel - 1 - half),) and report.fix["reached"] == (50,)
    explained = explain_error(TORCH_OUTPUT_PADDING, dict(layer, padding=2, output_padding=1), (50,))
    assert explained.numbers["stride"] == [1, 1]


def test_pytorch_8826_output_padding_below_the_dilation_is_allowed():
    # conv_transpose2d of a (1, 3, 1, 2) input, 3×3 kernel, dilation 2: 5×6; PyTorch also allows
    # output_padding < dilation with stride 1, which gives 6×7
    base = {"kind": "conv_transpose", "kernel": 3, "dilation": 2, "channels": 3}
    assert dl.doctor([base], (1, 3, 1, 2)).output_shape == (1, 3, 5, 6)
    assert dl.doctor([dict(base, output_padding=1)], (1, 3, 1, 2)).output_shape == (1, 3, 6, 7)
    with pytest.raises(dl.ParameterError, match="output_padding"):
        dl.doctor([dict(base, output_padding=2)], (1, 3, 1, 2))


@pytest.mark.parametrize("level, size", list(enumerate([(30, 25), (15, 13), (8, 7), (4, 4), (2, 2)])))
def test_pytorch_75889_output_size_for_an_input_without_a_batch_dimension(level, size):
    # ConvTranspose2d(1, 1, kernel_size=up, stride=up, padding=up // 2 - 1), up = 8·2^level, on an unbatched
    # (1, *size) input with forward(..., output_size=(1, 240, 200)): PyTorch 1.11 returned (1, 232, 200) for
    # level 1 (fixed by PR #76151). The size is reachable at every level: output_size only picks output_padding.
    up = 8 * 2**level
    layer = {"kind": "conv_transpose", "kernel": up, "stride": up, "padding": up // 2 - 1, "channels": 1}
    height, width = dl.doctor([layer], (1, 1, *size), overlap=False).output_shape[2:]
    assert (height, width) == (up * (size[0] - 1) + 2, up * (size[1] - 1) + 2)  # up·(i − 1) + up − 2·padding
    wanted = (240 - height, 200 - width)  # the output_padding that output_size picks, each below the stride
    assert all(0 <= op < up for op in wanted)
    report = dl.doctor([dict(layer, output_padding=list(wanted))], (1, 1, *size), overlap=False)
    assert report.output_shape == (1, 1, 240, 200)
    assert dl.doctor([layer], (1, 1, *size), target=(240, 200), overlap=False).fix["reached"] == (240, 200)
    if level == 1:
        # the reported 232 is 226 + 6: the width's output_padding applied to the height
        assert (height, wanted) == (226, (14, 6)) and height + wanted[1] == 232
    # the unbatched shape itself, (1, 15, 13), reads as (n, c, length): a 1-D input, refused for a 2-D layer
    # (naming the field) rather than given a size
    with pytest.raises(dl.ParameterError, match="one per axis") as raised:
        dl.doctor([dict(layer, kernel=[up, up])], (1, *size))
    assert raised.value.parameter == "layers[0].kernel"


@pytest.mark.parametrize(
    "kernel, stride, padding, output_padding, crop",
    [(4, 2, 1, 0, None), (3, 2, 1, 1, None), (2, 2, 0, 0, None), (5, 1, 2, 0, None), (4, 1, None, 0, (1, 2)),
     (5, 4, 1, 1, None), (3, 3, 0, 0, None), (7, 3, 2, 0, None)],
)  # fmt: skip
def test_pytorch_80301_and_3867_same_for_a_transposed_layer(kernel, stride, padding, output_padding, crop):
    # "same" for a transposed layer means an output of stride · input: the padding, or the crop when none exists
    layer = {"kind": "conv_transpose", "kernel": kernel, "stride": stride}
    fix = dl.doctor([layer], (1, 1, 9), target=(9 * stride,)).fix
    assert fix["reached"] == (9 * stride,)
    if crop is None:
        assert fix["padding"] == (padding,) and fix["output_padding"] == (output_padding,)
    else:
        assert fix["crop"] == (crop,)


def test_keras_13231_stride_8_output_padding_8():
    # Conv2DTranspose, input 46×62, kernel 16, strides 8, wanted 368×489: output_padding (8, 1) is refused
    message = "ValueError: Stride (8, 8) must be greater than output padding (8, 1)"
    explained = explain_error(message)
    assert explained.framework == "Keras" and explained.numbers == dict(output_padding=[8, 1], stride=[8, 8])
    layer = {"kind": "conv_transpose", "kernel": 16, "stride": 8, "name": "up"}
    fix = dl.doctor([layer], (1, 3, 46, 62), target=(368, 489)).fix
    # the full results are 376 and 504: crop 4 at each end of the rows, 8 and 7 of the columns
    assert fix["padding"] == (4, 8) and fix["output_padding"] == (0, 1) and fix["reached"] == (368, 489)


def test_keras_22876_same_with_stride_2_and_kernel_3_shifts_by_one_pixel():
    # Keras 'same' (TensorFlow's, JAX's): 16 → 32 keeps cells 0..31 of the full 33; PyTorch's padding=1,
    # output_padding=1 gives the same size but keeps cells 1..32: the values shift by one pixel
    layer = {"kind": "conv_transpose", "kernel": 3, "stride": 2, "name": "up"}
    fix = dl.doctor([layer], (1, 16, 16, 16), target=(32, 32)).fix
    assert fix["padding"] == (1, 1) and fix["output_padding"] == (1, 1)
    spec = parse_layers([dict(layer, padding=1, output_padding=1)], 2)[0]
    assert stages(spec, (16, 16))[0]["kept"] == (1, 33)  # the crop torch makes: 1 before, 0 after
    rng = np.random.default_rng(22876)
    X, W = rng.standard_normal((16, 16)), rng.standard_normal((3, 3))
    torch_like = dl.conv_transpose2d(X, W, stride=2, padding=1, output_padding=1)
    same = dl.conv_transpose2d(X, W, stride=2, padding=(0, 1, 0, 1))  # crop 0 before, 1 after: kept 0..31
    assert torch_like.shape == same.shape == (32, 32)
    assert not np.allclose(torch_like, same)
    np.testing.assert_allclose(torch_like[:-1, :-1], same[1:, 1:])  # one pixel apart


def _keras(size, channels, *layers):
    first = {"class_name": "InputLayer", "config": {"batch_shape": [None, size, size, channels], "name": "in"}}
    return {"class_name": "Sequential", "config": {"layers": [first, *layers]}}


def _keras_layer(cls, name, **config):
    return {"class_name": cls, "config": {"name": name, "data_format": "channels_last", **config}}


def _keras_up(kernel, padding="same", output_padding=None, filters=1):
    return _keras_layer("Conv2DTranspose", "up", filters=filters, kernel_size=[kernel, kernel], strides=[2, 2],
                        padding=padding, output_padding=output_padding, dilation_rate=[1, 1])  # fmt: skip


def test_keras_9883_23_and_24_both_come_back_as_24():
    # Conv2D(16, 3, strides=2, padding='same') then Conv2DTranspose(1, 3, strides=2, padding='same'): the thread
    # printed 23 → 12 → 24 and 24 → 12 → 24
    conv = _keras_layer("Conv2D", "conv", filters=16, kernel_size=[3, 3], strides=[2, 2], padding="same",
                        dilation_rate=[1, 1])  # fmt: skip
    trips = {}
    for size in (23, 24):
        report = dl.doctor(_keras(size, 1, conv, _keras_up(3)), pairs=[("conv", "up")], target=(size, size))
        assert [row["output"] for row in report.layers] == [(1, 12, 12, 16), (1, 24, 24, 1)]
        trips[size] = report.round_trips[0]["ok"]
        # the fix in Keras's own terms, applied, gives the encoder's size back
        op = {23: (0, 0), 24: None}[size]  # 'same' gives 24 only with output_padding=None
        assert report.fix["text"] == f"layer 1 ('up'): padding='same', output_padding={op} gives {size}×{size}"
        fixed = dl.doctor(_keras(size, 1, conv, _keras_up(3, output_padding=op and list(op))), overlap=False)
        assert fixed.output_shape == (1, size, size, 1)
    assert trips == {23: False, 24: True}
    assert report.round_trip_sizes[:6] == [2, 4, 6, 8, 10, 12]  # only even sizes come back with output_padding=None


@pytest.mark.parametrize("kernel", [2, 3, 4])
def test_keras_10185_39_pools_to_20_and_comes_back_as_40(kernel):
    # "size 39 -> maxpooling 20 -> conv2d_transpose 39, but keras calc auto to 40" (the kernel is not given)
    pool = _keras_layer("MaxPooling2D", "pool", pool_size=[2, 2], strides=[2, 2], padding="same")
    report = dl.doctor(_keras(39, 3, pool, _keras_up(kernel, filters=3)), pairs=[("pool", "up")], target=(39, 39))
    assert [row["output"][1:3] for row in report.layers] == [(20, 20), (40, 40)]
    assert report.round_trips[0]["ok"] is False
    text = report.fix["text"]
    op = eval(text.split("output_padding=")[1].split(" gives")[0])  # noqa: S307
    assert "padding='same'" in text and op == ((kernel + 1) % 2,) * 2  # 'same' with output_padding 0 (odd kernel)
    fixed = dl.doctor(_keras(39, 3, pool, _keras_up(kernel, output_padding=list(op), filters=3)), overlap=False)
    assert fixed.output_shape == (1, 39, 39, 3)
    # the thread's second example, 41: a 2×2 'same' pool gives 21 (not the 22 written there) and the layer 42
    report = dl.doctor(_keras(41, 3, pool, _keras_up(kernel, filters=3)), overlap=False)
    assert [row["output"][1:3] for row in report.layers] == [(21, 21), (42, 42)]


def test_lasagne_711_32_gives_16_and_the_transposed_layer_31():
    # a 32×32 input, 3×3 convolution, stride 2, 'same' padding: 16×16; the matching TransposedConv2DLayer
    # (crop 1): 31×31, "because a 31×31 input would have resulted in a 16×16 output as well"
    layers = [{"kind": "conv", "kernel": 3, "stride": 2, "padding": 1, "name": "conv"},
              {"kind": "conv_transpose", "kernel": 3, "stride": 2, "padding": 1, "name": "up"}]  # fmt: skip
    report = dl.doctor(layers, (1, 1, 32, 32), pairs=[("conv", "up")], target=(32, 32))
    assert [row["output"][2:] for row in report.layers] == [(16, 16), (31, 31)]
    assert report.round_trips[0]["ok"] is False
    assert dl.doctor(layers, (1, 1, 31, 31), pairs=[("conv", "up")]).round_trips[0]["ok"] is True
    # the output_size argument the thread asks for is output_padding 1 here
    assert report.fix["padding"] == (1, 1) and report.fix["output_padding"] == (1, 1)
    assert report.fix["reached"] == (32, 32)


def test_lasagne_746_14_gives_27_not_28():
    # Deconv2DLayer(filter_size=(3, 3), crop='same', stride=2) on 14×14: 27×27, (14 − 1)·2 − 2·1 + 3; the user's
    # hack adds 1 to that formula, "an extra, one-sided" cell at the end: output_padding=1
    layer = {"kind": "conv_transpose", "kernel": 3, "stride": 2, "padding": 1, "name": "deconv"}
    report = dl.doctor([layer], (1, 1, 14, 14), target=(28, 28))
    assert report.output_shape == (1, 1, 27, 27)
    assert report.fix["padding"] == (1, 1) and report.fix["output_padding"] == (1, 1)
    fixed = dl.doctor([dict(layer, output_padding=1)], (1, 1, 14, 14))
    assert fixed.output_shape == (1, 1, 28, 28)
    (stage, _) = fixed.layers[0]["stages"]
    assert stage["full"] == 29 and stage["kept"] == (1, 29)  # one more cell kept at the end only: 1..28 of 0..28
