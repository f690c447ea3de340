"""Record JAX's, Flax's and ONNX Runtime's real error messages about transposed-convolution shapes.

How to run (from the repository root; JAX, Flax, onnx and ONNX Runtime are
needed ONLY here, never at runtime or test time)::

    python3 -m venv /tmp/jaxvenv
    /tmp/jaxvenv/bin/pip install "jax[cpu]" flax onnx onnxruntime numpy
    /tmp/jaxvenv/bin/python tests/data/doctor/make_framework_message_fixtures.py

(recorded with jax 0.10.2, flax 0.12.8, onnx 1.23.2 and onnxruntime 1.32.0, CPU).

Writes ``framework_messages.json`` next to this script: ``messages``, each
``key`` (the case), ``framework``, ``call`` (what was run), ``layer`` (the
same layer as the doctor reads it: PyTorch's padding, the crop of the full
result, and ``output_padding``; None where the doctor cannot read the layer,
a stride of 0 say), ``input`` (the spatial input size) and ``message`` (the
exception's type and text as a traceback's last line prints it; JAX's
verifier messages keep their first two lines, not the source location after
them, which names this script's path); for the padding cases, ``jax_applied``:
what ``lax.conv_transpose`` gives for the layer with ``'SAME'``, ``'VALID'``
and its own padding in JAX's terms (``pads``), the sizes the fix names. Each
case runs the framework call that
the layer describes; tests/doctor/test_doctor_messages.py checks that
``deconvlib.doctor.explain_error`` explains every message with the layer's
own numbers.
"""

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
NHWC = ("NHWC", "HWIO", "NHWC")


def _message(error):
    """The exception's type and text, without the source location JAX appends to its verifier's errors."""
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    if lines and lines[0].startswith("Cannot lower jaxpr with verifier errors"):
        lines = lines[:2]
    text = " ".join(line.strip() for line in lines) if len(lines) > 1 else (lines[0] if lines else "")
    return f"{type(error).__name__}: {text}"


def _jax_cases():
    import jax
    import jax.numpy as jnp
    from flax import linen as nn
    from jax import lax

    x = jnp.zeros((1, 7, 7, 4))  # NHWC: 7×7, 4 channels
    kernel = jnp.zeros((3, 3, 4, 8))  # HWIO: 3×3, 4 in, 8 out

    def flax_apply(module, inputs=x):
        variables = module.init(jax.random.PRNGKey(0), inputs)
        return module.apply(variables, inputs)

    def flax_channels():
        module = nn.ConvTranspose(8, (3, 3), strides=(2, 2), padding="SAME")
        variables = module.init(jax.random.PRNGKey(0), jnp.zeros((1, 7, 7, 3)))  # made for 3 channels
        return module.apply(variables, x)

    class UNet(nn.Module):  # a one-level U-Net: 15 → 7 → 14, and the skip joins 15 with 14
        @nn.compact
        def __call__(self, inputs):
            down = nn.Conv(4, (3, 3), strides=(2, 2), padding="VALID")(inputs)
            up = nn.ConvTranspose(4, (3, 3), strides=(2, 2), padding="SAME")(down)
            return jnp.concatenate([inputs, up], axis=-1)

    t = "conv_transpose"
    return [
        ("jax_same_lowercase", "JAX", 'lax.conv_transpose(x, kernel, (2, 2), "same")',
         dict(kind=t, kernel=3, stride=2), (7, 7),
         lambda: lax.conv_transpose(x, kernel, (2, 2), "same", dimension_numbers=NHWC)),
        ("flax_padding_full", "JAX", 'nn.ConvTranspose(8, (3, 3), strides=(2, 2), padding="FULL")',
         dict(kind=t, kernel=3, stride=2), (7, 7),
         lambda: flax_apply(nn.ConvTranspose(8, (3, 3), strides=(2, 2), padding="FULL"))),
        # JAX's explicit pads pad the stride-dilated input: −5 is PyTorch's padding k − 1 + 5 = 7
        ("jax_negative_padding", "JAX", "lax.conv_transpose(x, kernel, (1, 1), ((-5, -5), (0, 0)))",
         dict(kind=t, kernel=3, stride=1, padding=[7, 2]), (7, 7),
         lambda: lax.conv_transpose(x, kernel, (1, 1), ((-5, -5), (0, 0)), dimension_numbers=NHWC)),
        ("flax_negative_padding", "JAX", "nn.ConvTranspose(8, (3, 3), strides=(2, 2), padding=((-14, -14), (1, 1)))",
         dict(kind=t, kernel=3, stride=2, padding=[16, 1]), (7, 7),
         lambda: flax_apply(nn.ConvTranspose(8, (3, 3), strides=(2, 2), padding=((-14, -14), (1, 1))))),
        ("jax_explicit_pads_count", "JAX", "lax.conv_transpose(x, kernel, (2, 2), ((1, 1),))",
         dict(kind=t, kernel=3, stride=2, padding=1), (7, 7),
         lambda: lax.conv_transpose(x, kernel, (2, 2), ((1, 1),), dimension_numbers=NHWC)),
        ("flax_padding_format", "Flax", "nn.ConvTranspose(8, (3, 3), strides=(2, 2), padding=((1, 1),))",
         dict(kind=t, kernel=3, stride=2, padding=1), (7, 7),
         lambda: flax_apply(nn.ConvTranspose(8, (3, 3), strides=(2, 2), padding=((1, 1),)))),
        ("jax_stride_zero", "JAX", 'lax.conv_transpose(x, kernel, (0, 2), "SAME")', None, (7, 7),
         lambda: lax.conv_transpose(x, kernel, (0, 2), "SAME", dimension_numbers=NHWC)),
        ("flax_stride_negative", "JAX", 'nn.ConvTranspose(8, (3, 3), strides=(-1, 2), padding="SAME")', None, (7, 7),
         lambda: flax_apply(nn.ConvTranspose(8, (3, 3), strides=(-1, 2), padding="SAME"))),
        ("jax_strides_count", "JAX", 'lax.conv_transpose(x, kernel, (2, 2, 2), "SAME")',
         dict(kind=t, kernel=3, stride=2), (7, 7),
         lambda: lax.conv_transpose(x, kernel, (2, 2, 2), "SAME", dimension_numbers=NHWC)),
        ("flax_kernel_size_int", "JAX", 'nn.ConvTranspose(8, 3, strides=(2, 2), padding="SAME")',
         dict(kind=t, kernel=3, stride=2), (7, 7),
         lambda: flax_apply(nn.ConvTranspose(8, 3, strides=(2, 2), padding="SAME"))),
        ("jax_dilation_count", "JAX", 'lax.conv_transpose(x, kernel, (2, 2), "SAME", rhs_dilation=(1, 1, 1))',
         dict(kind=t, kernel=3, stride=2), (7, 7),
         lambda: lax.conv_transpose(x, kernel, (2, 2), "SAME", rhs_dilation=(1, 1, 1), dimension_numbers=NHWC)),
        ("jax_channels", "JAX", 'lax.conv_transpose(x, jnp.zeros((3, 3, 5, 8)), (2, 2), "SAME")',
         dict(kind=t, kernel=3, stride=2, channels=8), (7, 7),
         lambda: lax.conv_transpose(x, jnp.zeros((3, 3, 5, 8)), (2, 2), "SAME", dimension_numbers=NHWC)),
        ("jax_channels_transpose_kernel", "JAX",
         'lax.conv_transpose(x, jnp.zeros((3, 3, 5, 8)), (2, 2), "SAME", transpose_kernel=True)',
         dict(kind=t, kernel=3, stride=2, channels=5), (7, 7),
         lambda: lax.conv_transpose(x, jnp.zeros((3, 3, 5, 8)), (2, 2), "SAME", dimension_numbers=NHWC,
                                    transpose_kernel=True)),
        ("flax_channels", "Flax", "nn.ConvTranspose(8, (3, 3), strides=(2, 2)) made for 3 channels, given 4",
         dict(kind=t, kernel=3, stride=2, channels=8), (7, 7), flax_channels),
        ("jax_concatenate_skip", "JAX", "jnp.concatenate([encoder (1, 15, 15, 4), decoder (1, 14, 14, 4)], axis=-1)",
         None, (15, 15),
         lambda: jnp.concatenate([jnp.zeros((1, 15, 15, 4)), jnp.zeros((1, 14, 14, 4))], axis=-1)),
        ("flax_unet_skip", "JAX", "a Flax U-Net: Conv 3×3 stride 2 VALID, ConvTranspose 3×3 stride 2 SAME, concatenate",
         None, (15, 15), lambda: flax_apply(UNet(), jnp.zeros((1, 15, 15, 4)))),
    ]  # fmt: skip


def _jax_applied(layer, size):
    """What lax.conv_transpose gives for the layer with 'SAME', 'VALID' and its own padding in JAX's terms
    (dilated kernel − 1 − PyTorch's padding at each end, output_padding added at the end): the fix's sizes."""
    import jax.numpy as jnp
    from jax import lax

    dims = len(size)
    per_axis = {key: layer.get(key, default) for key, default in (("stride", 1), ("padding", 0), ("output_padding", 0))}
    per_axis = {key: v if isinstance(v, list) else [v] * dims for key, v in per_axis.items()}
    x, kernel = jnp.zeros((1, *size, 4)), jnp.zeros((layer["kernel"],) * dims + (4, 8))
    pads = tuple((layer["kernel"] - 1 - p, layer["kernel"] - 1 - p + op)
                 for p, op in zip(per_axis["padding"], per_axis["output_padding"]))  # fmt: skip
    applied = {}
    for name, padding in (("SAME", "SAME"), ("VALID", "VALID"), ("explicit", pads)):
        try:
            applied[name] = list(lax.conv_transpose(x, kernel, tuple(per_axis["stride"]), padding,
                                                    dimension_numbers=NHWC).shape[1:-1])  # fmt: skip
        except Exception as error:  # noqa: BLE001
            applied[name] = _message(error)
    applied["pads"] = [list(p) for p in pads]
    return applied


def _onnx_cases():
    from onnx import TensorProto, helper, numpy_helper

    def run(op, attributes, x_shape, w_shape=None, concat=None, declared=True):
        import onnxruntime

        def model():
            initializers, inputs = [], ["x"]
            if w_shape is not None:
                initializers.append(numpy_helper.from_array(np.ones(w_shape, np.float32), "w"))
                inputs.append("w")
            nodes = [helper.make_node(op, inputs, ["y"], name="up", **attributes)]
            graph_inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)]
            output = "y"
            if concat is not None:  # a skip: the encoder's map joined with the node's output
                # declared, shape inference refuses the model; symbolic, the Concat kernel refuses it when run
                skip_shape = concat if declared else ["n", "c", "h", "w"]
                graph_inputs.append(helper.make_tensor_value_info("skip", TensorProto.FLOAT, skip_shape))
                nodes.append(helper.make_node("Concat", ["skip", "y"], ["z"], name="cat", axis=1))
                output = "z"
            graph = helper.make_graph(nodes, "g", graph_inputs, [helper.make_tensor_value_info(output, 1, None)],
                                      initializer=initializers)  # fmt: skip
            return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])

        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        options.log_severity_level = 4
        session = onnxruntime.InferenceSession(model().SerializeToString(), options, providers=["CPUExecutionProvider"])
        feeds = {"x": np.zeros(x_shape, np.float32)}
        if concat is not None:
            feeds["skip"] = np.zeros(concat, np.float32)
        return session.run(None, feeds)

    t, c = "conv_transpose", "conv"
    a = dict(kernel_shape=[3, 3], strides=[2, 2])
    return [
        ("ort_output_padding", "ONNX Runtime", "ConvTranspose strides 2, pads 1, output_padding 2 on 8×8",
         dict(kind=t, kernel=3, stride=2, padding=1, output_padding=2), (8, 8),
         lambda: run("ConvTranspose", dict(a, pads=[1, 1, 1, 1], output_padding=[2, 2]), [1, 4, 8, 8], [4, 2, 3, 3])),
        ("ort_output_padding_stride_1", "ONNX Runtime", "ConvTranspose strides 1, pads 1, output_padding 1 on 8×8",
         dict(kind=t, kernel=3, stride=1, padding=1, output_padding=1), (8, 8),
         lambda: run("ConvTranspose", dict(a, strides=[1, 1], pads=[1, 1, 1, 1], output_padding=[1, 1]), [1, 4, 8, 8],
                     [4, 2, 3, 3])),
        ("ort_output_too_small", "ONNX Runtime", "ConvTranspose 3×3 strides 1, pads 3 on 2×2",
         dict(kind=t, kernel=3, stride=1, padding=3), (2, 2),
         lambda: run("ConvTranspose", dict(a, strides=[1, 1], pads=[3, 3, 3, 3]), [1, 4, 2, 2], [4, 2, 3, 3])),
        ("ort_channels", "ONNX Runtime", "ConvTranspose with a weight (4, 2, 3, 3) on 3 channels",
         dict(kind=t, kernel=3, stride=2, padding=1, channels=2), (8, 8),
         lambda: run("ConvTranspose", dict(a, pads=[1, 1, 1, 1]), [1, 3, 8, 8], [4, 2, 3, 3])),
        ("ort_output_shape", "ONNX Runtime", "ConvTranspose 3×3 strides 2, output_shape 30×30 on 8×8",
         dict(kind=t, kernel=3, stride=2, output_shape=[30, 30]), (8, 8),
         lambda: run("ConvTranspose", dict(a, output_shape=[30, 30]), [1, 4, 8, 8], [4, 2, 3, 3])),
        ("ort_pads_count", "ONNX Runtime", "ConvTranspose pads [1, 1] on a 2-D input",
         dict(kind=t, kernel=3, stride=2, padding=1), (8, 8),
         lambda: run("ConvTranspose", dict(a, pads=[1, 1]), [1, 4, 8, 8], [4, 2, 3, 3])),
        ("ort_strides_count", "ONNX Runtime", "ConvTranspose strides [2, 2, 2] on a 2-D input",
         dict(kind=t, kernel=3, stride=2, padding=1), (8, 8),
         lambda: run("ConvTranspose", dict(a, strides=[2, 2, 2], pads=[1, 1, 1, 1]), [1, 4, 8, 8], [4, 2, 3, 3])),
        ("ort_stride_zero", "ONNX Runtime", "ConvTranspose strides [0, 2]", None, (8, 8),
         lambda: run("ConvTranspose", dict(a, strides=[0, 2], pads=[1, 1, 1, 1]), [1, 4, 8, 8], [4, 2, 3, 3])),
        ("ort_kernel_shape", "ONNX Runtime", "ConvTranspose kernel_shape [2, 2] with a 3×3 weight",
         dict(kind=t, kernel=3, stride=2), (8, 8),
         lambda: run("ConvTranspose", dict(a, kernel_shape=[2, 2]), [1, 4, 8, 8], [4, 2, 3, 3])),
        ("ort_group", "ONNX Runtime", "ConvTranspose group 3 on 4 channels", None, (8, 8),
         lambda: run("ConvTranspose", dict(a, group=3), [1, 4, 8, 8], [4, 2, 3, 3])),
        ("ort_same_dilation", "ONNX Runtime", "Conv 3×3 dilations 2, auto_pad SAME_UPPER on 8×8",
         dict(kind=c, kernel=3, dilation=2, padding="same"), (8, 8),
         lambda: run("Conv", dict(kernel_shape=[3, 3], dilations=[2, 2], auto_pad="SAME_UPPER"), [1, 4, 8, 8],
                     [2, 4, 3, 3])),
        ("ort_conv_too_small", "ONNX Runtime", "Conv 3×3 on 2×2", dict(kind=c, kernel=3), (2, 2),
         lambda: run("Conv", dict(kernel_shape=[3, 3]), [1, 4, 2, 2], [2, 4, 3, 3])),
        ("ort_pool_too_small", "ONNX Runtime", "MaxPool 4, auto_pad VALID on 2",
         dict(kind="pool", kernel=4, stride=1), (2,),
         lambda: run("MaxPool", dict(kernel_shape=[4], strides=[1], auto_pad="VALID"), [1, 1, 2])),
        ("ort_pool_same_negative_padding", "ONNX Runtime", "MaxPool 2×3 strides (3, 1), auto_pad SAME_UPPER on 6×5",
         dict(kind="pool", kernel=[2, 3], stride=[3, 1], padding="same"), (6, 5),
         lambda: run("MaxPool", dict(kernel_shape=[2, 3], strides=[3, 1], auto_pad="SAME_UPPER"), [1, 2, 6, 5])),
        ("ort_concat_skip", "ONNX Runtime", "ConvTranspose 3×3 strides 2 pads 1 on 7×7 (13×13), Concat with 15×15",
         dict(kind=t, kernel=3, stride=2, padding=1), (7, 7),
         lambda: run("ConvTranspose", dict(a, pads=[1, 1, 1, 1]), [1, 4, 7, 7], [4, 2, 3, 3], concat=[1, 2, 15, 15])),
        ("ort_concat_skip_run", "ONNX Runtime", "the same, the skip's shape symbolic in the graph",
         dict(kind=t, kernel=3, stride=2, padding=1), (7, 7),
         lambda: run("ConvTranspose", dict(a, pads=[1, 1, 1, 1]), [1, 4, 7, 7], [4, 2, 3, 3], concat=[1, 2, 15, 15],
                     declared=False)),
    ]  # fmt: skip


def _jax_padding_cases(key):
    """The cases whose fix gives the layer's padding in JAX's terms (their sizes are recorded as JAX gives them)."""
    return "padding" if key.split("_", 1)[1] in {"same_lowercase", "padding_full", "negative_padding",
                                                 "explicit_pads_count", "padding_format"} else ""  # fmt: skip


def main():
    import flax
    import jax
    import onnx
    import onnxruntime

    messages = []
    for key, framework, call, layer, size, run in _jax_cases() + _onnx_cases():
        try:
            run()
        except Exception as error:  # noqa: BLE001  each framework raises its own kinds
            messages.append(dict(key=key, framework=framework, call=call, layer=layer, input=list(size),
                                 message=_message(error)))  # fmt: skip
            if framework != "ONNX Runtime" and layer is not None and "padding" in _jax_padding_cases(key):
                messages[-1]["jax_applied"] = _jax_applied(layer, size)
            continue
        sys.exit(f"{key}: {call} ran; the case no longer records a message")
    versions = dict(jax=jax.__version__, flax=flax.__version__, onnx=onnx.__version__,
                    onnxruntime=onnxruntime.__version__)  # fmt: skip
    meta = dict(generator="tests/data/doctor/make_framework_message_fixtures.py", versions=versions)
    with open(os.path.join(HERE, "framework_messages.json"), "w", encoding="utf-8") as f:
        json.dump(dict(meta, messages=messages), f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(messages)} messages")


if __name__ == "__main__":
    main()
