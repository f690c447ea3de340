"""Read an ONNX model's convolutions and pools as the doctor's layer list.

Two steps, so that only the first needs the ``onnx`` package (optional:
``pip install onnx``): :func:`onnx_nodes` turns a model (a path or an
``onnx.ModelProto``) into plain data, ``{"onnx_nodes": [...], "input": [...]}``,
each node its ``op_type``, ``name`` and attributes (with the weight's shape,
which gives ``kernel_shape`` and the channels when the node leaves them out);
:func:`nodes_to_layers` turns that data into layer dicts, in ONNX's semantics:

- ``pads`` ``[x1_begin, x2_begin, …, x1_end, x2_end]``, asymmetric allowed;
- ``auto_pad``: ``VALID`` none, ``SAME_UPPER`` the doctor's ``"same"`` (an
  odd cell of padding at the end), ``SAME_LOWER`` ``"same_lower"``;
- ``ConvTranspose``'s ``output_shape`` and ``output_padding``: with
  ``output_shape`` the padding is what it leaves, split at its start as
  ``SAME_LOWER`` does unless ``auto_pad`` is ``SAME_UPPER`` (the operator's
  specification);
- pools stride 1 by default (not the window, as PyTorch), ``ceil_mode``,
  ``AveragePool``'s ``count_include_pad`` (default 0).

- ``Resize`` (and the older ``Upsample``) as ``upsample``, from its
  ``scales`` or ``sizes`` input (the batch and channel axes kept): mode
  ``linear`` with ``coordinate_transformation_mode`` ``half_pixel`` or
  ``pytorch_half_pixel`` (PyTorch's ``align_corners=False``; the two differ
  only where an axis is resized to one cell, which the doctor reads as
  ``half_pixel``) or ``align_corners`` (at whole scales or given ``sizes``:
  at a fractional scale ONNX's reference stretches by ``input·scale``, not by
  the output's size); mode ``nearest`` with
  ``asymmetric`` and ``nearest_mode`` ``floor`` (PyTorch's rule), or with
  ``half_pixel``/``pytorch_half_pixel`` and ``round_prefer_floor``/
  ``round_prefer_ceil`` when every scale is a whole number (then both repeat
  each cell);
- ``Pad`` as ``pad`` (``pads`` from its input, or the attribute before opset
  11; modes ``constant`` with its ``constant_value``, ``reflect``, ``edge``,
  ``wrap``; the batch and channel axes unpadded; a ``reflect`` or ``wrap``
  pad as large as the input or larger is followed as the reference evaluator
  does, as ``numpy.pad``: a runtime may refuse it);
- ``Gemm`` (its weight's shape and ``transB``), ``MatMul`` with a weight,
  ``Flatten`` (``axis`` 1) and ``Reshape`` (its ``shape`` input, ``0`` copying
  an axis) for their shape, at the head or the tail of the stack.

The nodes are taken in the graph's order; a node that changes sizes in a way
the doctor does not follow (``Concat``, ``Slice``, ``DepthToSpace``, a cubic
``Resize``, …) stops the reading with an error naming it; others are passed
over.
"""

import importlib
from pathlib import Path

import numpy as np

from ..errors import ParameterError

__all__ = ["is_onnx_model", "is_onnx_nodes", "onnx_nodes", "nodes_to_layers", "read_onnx"]

_FOLLOWED = ("Conv", "ConvTranspose", "MaxPool", "AveragePool", "Resize", "Upsample", "Pad", "Gemm", "MatMul",
             "Flatten", "Reshape")  # fmt: skip
_UNFOLLOWED = ("Concat", "Slice", "GlobalAveragePool", "GlobalMaxPool", "DepthToSpace", "SpaceToDepth", "Transpose",
               "Squeeze", "Unsqueeze", "LpPool", "MaxUnpool")  # fmt: skip
_RULES = {"VALID": "valid", "SAME_UPPER": "same", "SAME_LOWER": "same_lower"}
#: The nodes whose small constant inputs :func:`onnx_nodes` keeps (``inputs``).
_CONSTANT_INPUTS = ("Resize", "Upsample", "Pad", "Reshape")
_PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "replicate", "wrap": "circular"}


def is_onnx_model(obj):
    """Whether ``obj`` is an ONNX model: a path to a ``.onnx`` file, or an object with a ``graph``.

    >>> is_onnx_model("generator.onnx"), is_onnx_model([{"kind": "conv"}])
    (True, False)
    """
    if isinstance(obj, (str, Path)):
        return str(obj).endswith(".onnx")
    return hasattr(getattr(obj, "graph", None), "node")


def is_onnx_nodes(obj):
    """Whether ``obj`` is the plain data :func:`onnx_nodes` makes.

    >>> is_onnx_nodes({"onnx_nodes": [], "input": None})
    True
    """
    return isinstance(obj, dict) and isinstance(obj.get("onnx_nodes"), list)


def _onnx():
    try:
        return importlib.import_module("onnx")
    except ModuleNotFoundError:
        raise ParameterError("model: reading an ONNX file needs the onnx package: pip install onnx", "model") from None


def onnx_nodes(model):
    """An ONNX model's nodes and input shape as plain data (needs ``onnx``).

    Parameters
    ----------
    model : str, Path or onnx.ModelProto

    Returns
    -------
    dict
        ``onnx_nodes``: per node ``op_type``, ``name``, ``attributes`` (ints and
        lists of ints, strings) and ``weight_shape`` (the second input's shape,
        when it is an initializer); for ``Resize``, ``Upsample``, ``Pad`` and
        ``Reshape``, ``inputs``: each input's values where it is a small
        constant (an initializer or a ``Constant`` node), else None; ``input``: the first graph input's shape
        (None where a size is symbolic).
    """
    onnx = _onnx()
    if isinstance(model, (str, Path)):
        model = onnx.load(str(model))
    initializers = {t.name: list(t.dims) for t in model.graph.initializer}
    constants = {
        t.name: onnx.numpy_helper.to_array(t).ravel().tolist()
        for t in model.graph.initializer
        if int(np.prod(t.dims)) <= 64 and t.data_type != onnx.TensorProto.STRING
    }
    nodes = []
    for node in model.graph.node:
        attributes = {}
        for attribute in node.attribute:
            value = onnx.helper.get_attribute_value(attribute)
            if isinstance(value, bytes):
                value = value.decode()
            elif isinstance(value, (list, tuple)):
                value = [int(v) for v in value]
            elif isinstance(value, int):
                value = int(value)
            else:
                continue
            attributes[attribute.name] = value
        weight = initializers.get(node.input[1]) if len(node.input) > 1 else None
        entry = dict(op_type=node.op_type, name=node.name, attributes=attributes, weight_shape=weight)
        if node.op_type in _CONSTANT_INPUTS:  # Resize's scales and sizes, Pad's pads, Reshape's shape
            entry["inputs"] = [constants.get(name) for name in node.input]
        nodes.append(entry)
        if node.op_type == "Constant" and node.output:
            for attribute in node.attribute:
                if attribute.name == "value":
                    values = onnx.numpy_helper.to_array(attribute.t)
                    if values.size <= 64:
                        constants[node.output[0]] = values.ravel().tolist()
    shape = None
    inputs = [i for i in model.graph.input if i.name not in initializers]
    if inputs:
        dims = inputs[0].type.tensor_type.shape.dim
        shape = [d.dim_value if d.HasField("dim_value") else None for d in dims]
        shape = None if None in shape else shape
    return dict(onnx_nodes=nodes, input=shape)


def nodes_to_layers(nodes):
    """The doctor's layer dicts for :func:`onnx_nodes`'s ``onnx_nodes`` (no ``onnx`` needed).

    Examples
    --------
    >>> node = dict(op_type="ConvTranspose", name="up", weight_shape=[8, 4, 3, 3],
    ...             attributes=dict(strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1]))
    >>> layer = nodes_to_layers([node])[0]
    >>> layer["kernel"], layer["padding"], layer["output_padding"], layer["channels"]
    ([3, 3], [[1, 1], [1, 1]], [1, 1], 4)
    """
    layers = []
    for index, node in enumerate(nodes):
        op, a = node["op_type"], node.get("attributes", {})
        name = node.get("name") or f"{op.lower()}{index}"
        if op in _UNFOLLOWED:
            raise ParameterError(
                f"model: node {name!r} ({op}) changes the size in a way the doctor does not follow yet", "model"
            )
        if op not in _FOLLOWED:
            continue
        if op in ("Resize", "Upsample", "Pad", "Gemm", "MatMul", "Flatten", "Reshape"):
            layers.append(_other_layer(op, name, a, node))
            continue
        weight = node.get("weight_shape")
        kernel = a.get("kernel_shape") or (weight[2:] if weight else None)
        if kernel is None:
            raise ParameterError(f"model: node {name!r} ({op}) gives no kernel_shape and no weight", "model")
        dims = len(kernel)
        auto_pad = a.get("auto_pad", "NOTSET")
        if auto_pad in _RULES:
            padding = _RULES[auto_pad]
        else:
            pads = a.get("pads", [0] * (2 * dims))
            padding = [[pads[axis], pads[axis + dims]] for axis in range(dims)]
        layer = dict(name=name, kernel=list(kernel), stride=list(a.get("strides", [1] * dims)))
        if op in ("Conv", "ConvTranspose"):
            layer.update(
                kind="conv" if op == "Conv" else "conv_transpose", dilation=list(a.get("dilations", [1] * dims))
            )
            layer["groups"] = int(a.get("group", 1))
            if weight:
                layer["channels"] = weight[0] if op == "Conv" else weight[1] * layer["groups"]
            if op == "ConvTranspose":
                layer["output_padding"] = list(a.get("output_padding", [0] * dims))
                if "output_shape" in a:
                    layer["output_shape"] = list(a["output_shape"][-dims:])
                    padding = "same" if auto_pad == "SAME_UPPER" else "same_lower"
        else:
            layer.update(kind="pool", mode="max" if op == "MaxPool" else "avg", ceil_mode=bool(a.get("ceil_mode", 0)))
            if op == "MaxPool":
                layer["dilation"] = list(a.get("dilations", [1] * dims))
            else:
                layer["count_include_pad"] = bool(a.get("count_include_pad", 0))
        layer["padding"] = padding
        layers.append(layer)
    return layers


def _refuse(name, op, why):
    return ParameterError(f"model: node {name!r} ({op}) {why}, which the doctor does not follow", "model")


def _constant(node, position, name, op, what):
    inputs = node.get("inputs") or []
    values = inputs[position] if position < len(inputs) else None
    if values is None:
        raise _refuse(name, op, f"takes its {what} from a computed tensor, not a constant")
    return values


def _other_layer(op, name, a, node):
    """A ``Resize``/``Upsample``, ``Pad``, ``Gemm``/``MatMul``, ``Flatten`` or ``Reshape`` node as a layer dict."""
    if op in ("Resize", "Upsample"):
        return _resize(op, name, a, node)
    if op == "Pad":
        pads = a.get("pads") if "pads" in a else _constant(node, 1, name, op, "pads")
        inputs = node.get("inputs") or []
        if len(inputs) > 3 and inputs[3] is not None:
            raise _refuse(name, op, "pads only some axes (its axes input)")
        pads = [int(p) for p in pads]
        half = len(pads) // 2
        if any(pads[:2]) or any(pads[half : half + 2]) or any(p < 0 for p in pads):
            raise _refuse(name, op, f"pads the batch or channel axis, or by a negative amount ({pads})")
        mode = a.get("mode", "constant")
        if mode not in _PAD_MODES:
            raise _refuse(name, op, f"pads with mode {mode!r}")
        layer = dict(kind="pad", name=name, mode=_PAD_MODES[mode],
                     padding=[[pads[axis], pads[half + axis]] for axis in range(2, half)])  # fmt: skip
        value = inputs[2] if len(inputs) > 2 and inputs[2] is not None else [a.get("value", 0)]
        if mode == "constant" and value and float(value[0]):
            layer["value"] = float(value[0])
        return layer
    if op in ("Gemm", "MatMul"):
        weight = node.get("weight_shape")
        if not weight or len(weight) != 2 or a.get("transA", 0):
            raise _refuse(name, op, "has no 2-D constant weight as its second input (or transposes its input)")
        transposed = a.get("transB", 0) if op == "Gemm" else 0
        out, into = (weight[0], weight[1]) if transposed else (weight[1], weight[0])
        return dict(kind="linear", name=name, features=int(out), in_features=int(into))
    if op == "Flatten":
        if a.get("axis", 1) != 1:
            raise _refuse(name, op, f"flattens from axis {a.get('axis')}")
        return dict(kind="flatten", name=name)
    shape = [int(v) for v in _constant(node, 1, name, op, "shape")]
    if len(shape) < 2 or shape[0] not in (0, 1, -1) or (0 in shape[1:] and not a.get("allowzero", 0)):
        if 0 in shape[1:]:
            raise _refuse(name, op, f"copies an axis other than the batch (shape {shape})")
        raise _refuse(name, op, f"reshapes the batch axis (shape {shape})")
    if shape[0] == -1 and -1 in shape[1:]:
        raise _refuse(name, op, f"leaves two axes to infer (shape {shape})")
    return dict(kind="reshape", name=name, shape=shape[1:])


def _resize(op, name, a, node):
    mode = a.get("mode", "nearest")
    transform = a.get("coordinate_transformation_mode", "half_pixel" if op == "Resize" else "asymmetric")
    if op == "Upsample":
        scales, sizes = (a["scales"] if "scales" in a else _constant(node, 1, name, op, "scales")), None
    else:
        if (
            a.get("axes") is not None
            or a.get("antialias", 0)
            or a.get("keep_aspect_ratio_policy", "stretch") != "stretch"
        ):
            raise _refuse(name, op, "resizes with axes, antialias or keep_aspect_ratio_policy")
        inputs = node.get("inputs") or []
        scales = inputs[2] if len(inputs) > 2 and inputs[2] else None
        sizes = inputs[3] if len(inputs) > 3 and inputs[3] else None
        if scales is None and sizes is None:
            raise _refuse(name, op, "takes its scales or sizes from a computed tensor, not a constant")
    if scales is not None and [float(v) for v in scales[:2]] != [1.0, 1.0]:
        raise _refuse(name, op, f"scales the batch or channel axis ({scales})")
    layer = dict(kind="upsample", name=name, mode="linear" if mode in ("linear", "bilinear") else mode)
    if sizes is not None:
        layer["size"] = [int(v) for v in sizes[2:]]
    else:
        layer["scale"] = [int(v) if float(v).is_integer() else float(v) for v in scales[2:]]
    whole = "scale" in layer and all(isinstance(v, int) for v in layer["scale"])
    if mode in ("linear", "bilinear"):
        if transform == "align_corners" and "scale" in layer and not whole:
            # the reference evaluator then stretches by input·scale, not by the output's whole size as PyTorch
            raise _refuse(name, op, "aligns corners at a fractional scale")
        if transform == "align_corners":
            layer["align_corners"] = True
        elif transform not in ("half_pixel", "pytorch_half_pixel"):
            raise _refuse(name, op, f"interpolates with coordinate_transformation_mode {transform!r}")
        return layer
    if mode != "nearest":
        raise _refuse(name, op, f"interpolates with mode {mode!r}")
    rounding = a.get("nearest_mode", "round_prefer_floor")
    if transform == "asymmetric" and rounding == "floor":
        return layer  # PyTorch's rule
    if transform in ("half_pixel", "pytorch_half_pixel") and rounding.startswith("round_prefer") and whole:
        return layer  # whole scales: every cell repeated, as PyTorch's rule does
    raise _refuse(
        name,
        op,
        f"picks the nearest cell by {transform!r} and {rounding!r}" + ("" if whole else " at a fractional scale"),
    )


def read_onnx(model):
    """The layer dicts and the input shape of an ONNX model, or of :func:`onnx_nodes`'s data."""
    data = model if is_onnx_nodes(model) else onnx_nodes(model)
    return nodes_to_layers(data["onnx_nodes"]), data.get("input")
