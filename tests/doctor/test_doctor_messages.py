"""JAX's, Flax's and ONNX Runtime's recorded messages, each explained with the layer's own numbers.

``tests/data/doctor/make_framework_message_fixtures.py`` ran each case in JAX
0.10, Flax 0.12 and ONNX Runtime 1.32 and recorded the message (and, for the
padding cases, the sizes JAX gives with the padding the fix names); these
tests need none of them.
"""

import json
import re
from pathlib import Path

import pytest

import deconvlib as dl
from deconvlib.doctor import explain_error

DATA = Path(__file__).resolve().parents[1] / "data" / "doctor"
RECORDED = json.loads((DATA / "framework_messages.json").read_text(encoding="utf-8"))
MESSAGES = RECORDED["messages"]

#: Per case: the table's row, and what the explanation must say with the layer's (or the message's) numbers.
EXPECTED = {
    "jax_same_lowercase": ("string_padding", ["'SAME' or 'VALID', in capitals"]),
    "flax_padding_full": ("string_padding", ["'SAME' or 'VALID', in capitals"]),
    "jax_negative_padding": ("negative_padding", ["here 7×7", "axis 0: (-5, -5) crop 10 of 7 cells",
                                                  "full result 9×9"]),
    "flax_negative_padding": ("negative_padding", ["here 13×13", "axis 0: (-14, -14) crop 28 of 13 cells"]),
    "jax_explicit_pads_count": ("explicit_pads", ["2 here, and 1 was given"]),
    "flax_padding_format": ("padding_format", ["2 here, and 1 was given"]),
    "jax_stride_zero": ("dilations", ["got (0, 2) (axis 0: 0)", "strides ≥ 1"]),
    "flax_stride_negative": ("dilations", ["got (-1, 2) (axis 0: -1)"]),
    "jax_strides_count": ("window_dimensions", ["strides has 3 entries for a kernel of 2", "strides=(2, 2)"]),
    "flax_kernel_size_int": ("window_dimensions", ["strides has 2 entries for a kernel of 1", "kernel_size=(3, 3)"]),
    "jax_dilation_count": ("window_dimensions", ["rhs_dilation (the kernel's dilation) has 3", "rhs_dilation=(1, 1)"]),
    "jax_channels": ("channels", ["input has 4 channels", "axis holds 5", "(…, 4, 8)"]),
    "jax_channels_transpose_kernel": ("channels", ["axis holds 8", "(…, 5, 4) with transpose_kernel=True"]),
    "flax_channels": ("param_shape", ["shape (3, 3, 3, 8)", "3 input channels then, 4 now"]),
    "jax_concatenate_skip": ("concatenate", ["axis 1: 15 and 14; axis 2: 15 and 14", "jnp.pad"]),
    "flax_unet_skip": ("concatenate", ["axis 1: 15 and 14; axis 2: 15 and 14"]),
    "ort_output_padding": ("output_padding", ["output_padding 2 on spatial axis 0", "max(stride, dilation) = 2",
                                              "output_padding=1 gives 16", "padding=0, output_padding=0 gives 17"]),
    "ort_output_padding_stride_1": ("output_padding", ["so at most 0: output_padding=0 gives 8",
                                                       "crop the full result 10 by (0, 1)"]),
    "ort_output_too_small": ("output_size", ["input of 2×2", "the full result is 4, and pads (3, 3) leave -2", "≤ 3"]),
    "ort_channels": ("channels", ["holds 4 input channels, and the input has 3", "a weight of (3, 2, …)"]),
    "ort_output_shape": ("output_shape", ["2·(8 − 1) + 3 + 0 = 17", "an input of 14", "at most 17, or stride 4"]),
    "ort_pads_count": ("attribute_size", ["pads has the wrong number", "pads=[1, 1, 1, 1]"]),
    "ort_strides_count": ("attribute_size", ["strides has the wrong number", "strides=[2, 2]"]),
    "ort_stride_zero": ("positive", ["every entry of strides must be ≥ 1"]),
    "ort_kernel_shape": ("kernel_shape", ["[2, 2] does not match the weight's spatial axes [3, 3]",
                                          "kernel_shape=[3, 3]"]),
    "ort_group": ("group", ["group 3 splits 4", "one of [1, 2, 4]"]),
    "ort_same_dilation": ("same_dilation", ["pads=[2, 2, 2, 2]"]),
    "ort_conv_too_small": ("too_small", ["2×2 is smaller", "dilated kernel is 3×3"]),
    "ort_pool_too_small": ("pool_too_small", ["dilated kernel is 4"]),
    "ort_pool_same_negative_padding": ("pool_negative_padding", ["pad [-1, 2] in all", "pads=[0, 1, 0, 1]",
                                                                 "give 2×5"]),
    "ort_concat_skip": ("shape_merge", ["declares size 15 on axis 2", "gives 13"]),
    "ort_concat_skip_run": ("concat", ["found size 13 on axis 2 where its first input has 15"]),
}  # fmt: skip


def _explained(case):
    return explain_error(case["message"], case["layer"], case["input"] if case["layer"] is not None else None)


def test_every_case_is_recorded_and_expected():
    assert [m["key"] for m in MESSAGES] == list(EXPECTED)
    assert set(RECORDED["versions"]) == {"jax", "flax", "onnx", "onnxruntime"}


@pytest.mark.parametrize("case", MESSAGES, ids=[m["key"] for m in MESSAGES])
def test_a_recorded_message_is_explained_with_the_layers_own_numbers(case):
    explained = _explained(case)
    key, says = EXPECTED[case["key"]]
    assert explained is not None, case["message"]
    assert (explained.framework, explained.key) == (case["framework"], key)
    text = f"{explained.meaning} {explained.fix}"
    for words in says:
        assert words in text, (words, text)
    assert explain_error(case["message"]) is not None  # the message alone is explained too, in general terms


@pytest.mark.parametrize("case", [m for m in MESSAGES if "jax_applied" in m], ids=lambda m: m["key"])
def test_the_sizes_a_jax_fix_names_are_the_ones_jax_gave(case):
    applied, fix = case["jax_applied"], _explained(case).fix
    assert f"padding='SAME' gives {'×'.join(map(str, applied['SAME']))}" in fix
    assert f"'VALID' gives {'×'.join(map(str, applied['VALID']))}" in fix
    pads = tuple(tuple(p) for p in applied["pads"])
    assert f"padding={pads} in JAX's terms" in fix
    if isinstance(applied["explicit"], list):  # JAX ran the layer's own padding: the size it gave
        assert f"which gives {'×'.join(map(str, applied['explicit']))}" in fix
    else:  # JAX refused it, and the fix says it gives nothing
        assert "Negative padding" in applied["explicit"] and "nothing: its padding crops more" in fix


def test_the_onnx_runtime_concat_message_names_input_is_size_then_the_first_inputs():
    # ONNX Runtime: "mismatched dimensions of <input i's> and <the first input's>"; the skip came first, 15
    case = next(m for m in MESSAGES if m["key"] == "ort_concat_skip_run")
    explained = _explained(case)
    assert explained.numbers == dict(axis=2, a=13, b=15)
    assert "first input has 15" in explained.meaning


def test_a_fix_never_counts_or_proposes_an_output_padding_at_or_above_max_stride_dilation():
    message = next(m for m in MESSAGES if m["key"] == "ort_output_padding_stride_1")["message"]
    torch = (
        "output padding must be smaller than either stride or dilation, but got output_padding_height: 1 "
        "output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1"
    )
    for text in (message, torch):
        for kernel in (2, 3, 4):
            for padding in (0, 1):
                for output_padding in (1, 2):
                    layer = dict(kind="conv_transpose", kernel=kernel, padding=padding, output_padding=output_padding)
                    fix = explain_error(text, layer, (5, 5)).fix
                    proposed = [int(v) for v in re.findall(r"output_padding=(\d+)", fix)]
                    assert proposed and max(proposed) == 0, fix  # stride 1, dilation 1: output_padding 0 only
                    full = 4 + kernel  # 1·(5 − 1) + kernel
                    assert f"output_padding=0 gives {full - 2 * padding}" in fix  # the layer as it can be
                    meant = full - 2 * padding + output_padding
                    if meant > full:
                        assert f"{meant} is more than the full result {full}" in fix
    # a stride-2 layer's output_padding 1 is valid: it is the one the size was meant with
    layer = dict(kind="conv_transpose", kernel=3, stride=2, padding=1, output_padding=1)
    assert "output_padding=1 gives the 10 you meant" in explain_error(torch, layer, (5,)).fix


def test_the_output_shape_fix_reaches_its_size():
    # "output_shape at most 17, or stride 4": stride 4 reaches 30 with the crop the doctor reads from output_shape
    layer = dict(kind="conv_transpose", kernel=3, stride=4, output_shape=[30, 30])
    assert dl.doctor([layer], (1, 4, 8, 8)).output_shape == (1, 4, 30, 30)
    assert dl.doctor([dict(layer, stride=2, output_shape=[17, 17])], (1, 4, 8, 8)).output_shape == (1, 4, 17, 17)
