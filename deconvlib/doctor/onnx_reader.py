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

The nodes are taken in the graph's order; a node that changes sizes in a way
the doctor does not follow (``Resize``, ``Reshape``, ``Pad``, ``Concat``, …)
stops the reading with an error naming it; others are passed over.
"""

import importlib
from pathlib import Path

from ..errors import ParameterError

__all__ = ["is_onnx_model", "is_onnx_nodes", "onnx_nodes", "nodes_to_layers", "read_onnx"]

_FOLLOWED = ("Conv", "ConvTranspose", "MaxPool", "AveragePool")
_UNFOLLOWED = ("Resize", "Upsample", "Reshape", "Flatten", "Pad", "Concat", "Slice", "Gemm", "MatMul",
               "GlobalAveragePool", "GlobalMaxPool", "DepthToSpace", "SpaceToDepth", "Transpose", "Squeeze",
               "Unsqueeze", "LpPool", "MaxUnpool")  # fmt: skip
_RULES = {"VALID": "valid", "SAME_UPPER": "same", "SAME_LOWER": "same_lower"}


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
        when it is an initializer); ``input``: the first graph input's shape
        (None where a size is symbolic).
    """
    onnx = _onnx()
    if isinstance(model, (str, Path)):
        model = onnx.load(str(model))
    initializers = {t.name: list(t.dims) for t in model.graph.initializer}
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
        nodes.append(dict(op_type=node.op_type, name=node.name, attributes=attributes, weight_shape=weight))
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


def read_onnx(model):
    """The layer dicts and the input shape of an ONNX model, or of :func:`onnx_nodes`'s data."""
    data = model if is_onnx_nodes(model) else onnx_nodes(model)
    return nodes_to_layers(data["onnx_nodes"]), data.get("input")
