"""Read a Keras model's config (``model.to_json()``) as the doctor's layer list, without Keras.

The JSON is read as data: no Keras, no TensorFlow. Each ``ConvND``,
``ConvNDTranspose``, ``MaxPoolingND`` and ``AveragePoolingND`` becomes a layer
dict in Keras's own padding semantics:

- a forward layer's ``'same'`` is TensorFlow's ``SAME``: ``⌈i / s⌉`` out, the
  padding split with its odd cell at the end (the doctor's ``"same"`` rule,
  resolved for each input size); ``'valid'`` is none; ``Conv1D``'s
  ``'causal'`` pads ``k̂ − 1`` at the start;
- a transposed layer's ``'valid'``/``'same'`` and ``output_padding`` (``None``
  included) become the crop at each end of the full result and the cells added
  at the end, exactly as Keras hands them to its backends (the padding JAX is
  given, the same for TensorFlow): ``'same'`` with ``output_padding=None`` gives
  ``i·s``, ``'valid'`` with None gives ``s·(i − 1) + max(k̂, s)``;
- Keras's average pooling leaves the padding out of the divisor.

- ``UpSamplingND(size)`` repeats each cell (``UpSampling2D``'s
  ``interpolation='bilinear'``: half-pixel centres, the doctor's ``"bilinear"``);
  ``ZeroPaddingND`` and ``CroppingND`` pad and crop each end (an int, one per
  axis, or a pair per axis);
- ``Dense``, ``Flatten`` and ``Reshape`` are followed for their shape at the
  head or the tail of the stack (a generator's projection
  ``Dense(4·4·256) → Reshape((4, 4, 256))``); a ``Reshape``'s
  ``target_shape`` is in the model's layout.

A model whose layers say ``data_format='channels_first'`` is read in that
layout (:func:`keras_layout`): its input shape and the report's shapes are
``(n, c, *spatial)``. A model that mixes the two layouts is refused.

In a functional model, a ``Concatenate`` of the decoder's latest output with
an encoder tensor is a U-Net's skip connection: the decoder layer gets
``skip_from`` the layer that took that encoder tensor (whose input size it
must give back). A layer that changes sizes in a way the doctor does not
follow (``Permute``, ``SeparableConvND``, ``GlobalAveragePoolingND``, an
``UpSampling2D`` with ``'bicubic'``, …) stops the reading with an error naming
it.
"""

import json

from ..arithmetic import effective_kernel
from ..errors import ParameterError

__all__ = ["is_keras_config", "read_keras_config", "keras_transpose_padding", "keras_layout"]

_KEEP = ("Normalization", "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax", "Dropout", "GaussianNoise",
         "Identity", "ActivityRegularization", "Masking")  # fmt: skip
_UNFOLLOWED = ("Permute", "RepeatVector", "Concatenate", "Add", "Multiply", "Average", "Maximum",
               "GlobalAveragePooling", "GlobalMaxPooling",
               "SeparableConv", "DepthwiseConv", "Lambda", "Embedding", "LSTM", "GRU", "Attention")  # fmt: skip


def is_keras_config(obj):
    """Whether ``obj`` is a Keras model config: a dict (or its JSON text) with ``class_name`` and ``config``.

    >>> is_keras_config({"class_name": "Sequential", "config": {"layers": []}}), is_keras_config([])
    (True, False)
    """
    if isinstance(obj, str) and obj.lstrip().startswith("{"):
        try:
            obj = json.loads(obj)
        except json.JSONDecodeError:
            return False
    return isinstance(obj, dict) and "class_name" in obj and isinstance(obj.get("config"), dict)


def keras_layout(config):
    """``"channels_last"`` or ``"channels_first"``: the ``data_format`` of a Keras config's layers.

    Raises
    ------
    ParameterError
        ``"model"``, for a model whose layers mix the two.

    >>> keras_layout({"class_name": "Sequential", "config": {"layers": [
    ...     {"class_name": "Conv2DTranspose", "config": {"data_format": "channels_first"}}]}})
    'channels_first'
    """
    if isinstance(config, str):
        config = json.loads(config)
    formats = {}
    for entry in config.get("config", {}).get("layers") or []:
        if entry.get("class_name") == "Flatten":  # its data_format orders the values, not the shape
            continue
        value = (entry.get("config") or {}).get("data_format")
        if value is not None:
            formats.setdefault(value, (entry.get("config") or {}).get("name", entry.get("class_name")))
    if len(formats) > 1:
        names = ", ".join(f"{name!r} is {value}" for value, name in formats.items())
        raise ParameterError(f"model: its layers mix data formats ({names}); the doctor reads one layout", "model")
    return next(iter(formats), "channels_last")


def _pairs(value, dims):
    """Keras's padding or cropping: an int, one int per axis, or one pair per axis, as one pair per axis."""
    if isinstance(value, (list, tuple)):
        if dims == 1 and len(value) == 2 and not isinstance(value[0], (list, tuple)):
            return [[int(value[0]), int(value[1])]]
        return [[int(v[0]), int(v[1])] if isinstance(v, (list, tuple)) else [int(v), int(v)] for v in value]
    return [[int(value), int(value)] for _ in range(dims)]


def _tuple(value, dims):
    return tuple(int(v) for v in value) if isinstance(value, (list, tuple)) else (int(value),) * dims


def keras_transpose_padding(kernel, stride, dilation, padding, output_padding):
    """One axis of a Keras transposed layer as the doctor's ``(before, after)`` crop and ``output_padding``.

    Keras gives its backends the padding of the dilated input (JAX's
    convention): ``'valid'`` pads ``k̂ − 1`` at the start and ``k̂ − 1 +
    output_padding`` at the end (``output_padding`` None: ``max(k̂, s) − k̂``);
    ``'same'`` pads ``s + k̂ − 2`` in all (None) or ``k̂ + k̂ mod 2 − 2 +
    output_padding``, the larger half first but at most ``k̂ − 1``. A pad
    ``k̂ − 1 − c`` at an end crops ``c`` there (a negative ``c`` at the end:
    cells added, the doctor's ``output_padding``).

    Returns
    -------
    (before, after), output_padding : (int, int), int

    Examples
    --------
    >>> keras_transpose_padding(3, 2, 1, "same", None)     # 16 → 32: keeps cells 0..31 of the full 33
    ((0, 1), 0)
    >>> keras_transpose_padding(4, 2, 1, "same", None), keras_transpose_padding(1, 3, 1, "valid", None)
    (((1, 1), 0), ((0, 0), 2))
    """
    kk = effective_kernel(kernel, dilation)
    if padding == "valid":
        extra = max(kk, stride) - kk if output_padding is None else output_padding
        left, right = kk - 1, kk - 1 + extra
    else:
        total = stride + kk - 2 if output_padding is None else kk + kk % 2 - 2 + output_padding
        left = min(total // 2 + total % 2, kk - 1)
        right = total - left
    before, after = kk - 1 - left, kk - 1 - right
    return (before, max(after, 0)), max(-after, 0)


def read_keras_config(config):
    """The doctor's layer dicts for a Keras model config, its input shape, and the layers passed over.

    Parameters
    ----------
    config : dict or str
        ``json.loads(model.to_json())``, or the JSON text.

    Returns
    -------
    layers : list of dict
        Named by the Keras layers' names, with ``framework`` ``"keras"`` terms kept in
        ``keras`` (padding and output_padding as Keras had them).
    input_shape : tuple of int or None
        ``(n, *spatial, c)`` (``(n, c, *spatial)`` for ``channels_first``) from the ``InputLayer`` (or the first layer's
        ``build_config``), a batch of None read as 1.
    skipped : list of str

    Raises
    ------
    ParameterError
        ``"model"``: a layer the doctor does not follow, mixed data formats, or not a Keras config.
    """
    if isinstance(config, str):
        config = json.loads(config)
    if not is_keras_config(config) or not isinstance(config["config"].get("layers"), list):
        raise ParameterError("model: not a Keras model config (model.to_json()) with a list of layers", "model")
    layers, skipped, input_shape, layout = [], [], None, keras_layout(config)
    # A functional model's tensors, named by the layer that made them: ``made_by`` the followed layer behind
    # each (through the layers that keep the size), ``parent`` the input of a size-keeping layer, ``feeds``
    # the first followed layer that takes it (whose input size it has).
    made_by, parent, feeds = {}, {}, {}
    for entry in config["config"]["layers"]:
        cls, cfg = entry.get("class_name", ""), entry.get("config", {})
        name = cfg.get("name", cls)
        inbound = _inbound(entry)
        count = len(layers)
        if cls == "Concatenate" and len(inbound) == 2 and layers:
            # a U-Net's skip: one input comes from the latest decoder layer, the other from the encoder; the
            # layer that took that encoder tensor has its size as input: the decoder layer must give it back
            encoder = [t for t in inbound if made_by.get(t) != layers[-1]["name"]]
            if len(encoder) != 1 or feeds.get(encoder[0]) is None:
                raise ParameterError(f"model: Concatenate {name!r} joins tensors the doctor cannot place", "model")
            layers[-1]["skip_from"] = feeds[encoder[0]]
            made_by[name], parent[name] = layers[-1]["name"], inbound[0]
            continue
        if cls == "InputLayer":
            shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
            input_shape = tuple(1 if v is None else int(v) for v in shape) if shape else None
            continue
        if input_shape is None and entry.get("build_config", {}).get("input_shape"):
            input_shape = tuple(1 if v is None else int(v) for v in entry["build_config"]["input_shape"])
        dims = cls[-2] if cls.endswith("D") and cls[-2:-1].isdigit() else None
        base = cls[:-2] if dims else cls
        if cls.endswith("DTranspose") and cls.startswith("Conv"):
            d = int(cls[4])
            kernel, stride = _tuple(cfg["kernel_size"], d), _tuple(cfg["strides"], d)
            dilation = _tuple(cfg.get("dilation_rate", 1), d)
            op = cfg.get("output_padding")
            op = None if op is None else _tuple(op, d)
            pads, ops = [], []
            for axis in range(d):
                pair, extra = keras_transpose_padding(
                    kernel[axis], stride[axis], dilation[axis], cfg["padding"], None if op is None else op[axis]
                )
                pads.append(list(pair))
                ops.append(extra)
            layers.append(
                dict(kind="conv_transpose", name=name, kernel=list(kernel), stride=list(stride), padding=pads,
                     output_padding=ops, dilation=list(dilation), channels=int(cfg["filters"]))
            )  # fmt: skip
        elif base == "Conv" and dims:
            d = int(dims)
            kernel, stride = _tuple(cfg["kernel_size"], d), _tuple(cfg["strides"], d)
            dilation = _tuple(cfg.get("dilation_rate", 1), d)
            padding = cfg["padding"]
            if padding == "causal":
                padding = [[effective_kernel(kernel[0], dilation[0]) - 1, 0]]
            layers.append(
                dict(kind="conv", name=name, kernel=list(kernel), stride=list(stride), padding=padding,
                     dilation=list(dilation), groups=int(cfg.get("groups", 1)), channels=int(cfg["filters"]))
            )  # fmt: skip
        elif base in ("MaxPooling", "AveragePooling") and dims:
            d = int(dims)
            kernel = _tuple(cfg["pool_size"], d)
            stride = kernel if cfg.get("strides") is None else _tuple(cfg["strides"], d)
            layer = dict(kind="pool", name=name, mode="max" if base == "MaxPooling" else "avg", kernel=list(kernel),
                         stride=list(stride), padding=cfg["padding"])  # fmt: skip
            if base == "AveragePooling":
                layer["count_include_pad"] = False
            layers.append(layer)
        elif base == "UpSampling" and dims:
            d = int(dims)
            mode = cfg.get("interpolation", "nearest")
            if mode not in ("nearest", "bilinear"):
                raise ParameterError(f"model: layer {name!r} ({cls}) interpolates with {mode!r}, which the doctor "
                                     "does not follow", "model")  # fmt: skip
            layers.append(dict(kind="upsample", name=name, scale=list(_tuple(cfg["size"], d)), mode=mode))
        elif base == "ZeroPadding" and dims:
            layers.append(dict(kind="pad", name=name, padding=_pairs(cfg["padding"], int(dims))))
        elif base == "Cropping" and dims:
            layers.append(dict(kind="crop", name=name, crop=_pairs(cfg["cropping"], int(dims))))
        elif cls == "Dense":
            layers.append(dict(kind="linear", name=name, features=int(cfg["units"])))
        elif cls == "Flatten":
            layers.append(dict(kind="flatten", name=name))
        elif cls == "Reshape":
            shape = [int(v) for v in cfg["target_shape"]]
            if len(shape) > 1 and layout == "channels_last":  # the doctor's (c, *spatial) inside
                shape = [shape[-1], *shape[:-1]]
            layers.append(dict(kind="reshape", name=name, shape=shape))
        elif any(cls.startswith(u) for u in _UNFOLLOWED) and cls != "Concatenate":
            raise ParameterError(
                f"model: layer {name!r} ({cls}) changes the size in a way the doctor does not follow yet; "
                "give the doctor the layers around it as a list",
                "model",
            )
        elif not any(k in cls for k in _KEEP):
            skipped.append(f"{name} ({cls})")
        if len(layers) > count:  # a followed layer takes its input tensor, and the tensors that tensor stands for
            made_by[name] = name
            tensor = inbound[0] if inbound else None
            while tensor is not None and tensor not in feeds:
                feeds[tensor] = name
                tensor = parent.get(tensor)
        elif inbound:  # a layer that keeps the size: its output stands for its input
            made_by[name], parent[name] = made_by.get(inbound[0]), inbound[0]
    return layers, input_shape, skipped


def _inbound(entry):
    """The names of the layers whose outputs a layer of a functional model takes (Keras 3's ``inbound_nodes``)."""
    names, stack = [], []
    for node in entry.get("inbound_nodes") or []:
        stack += list(node.get("args", [])) if isinstance(node, dict) else []
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack = item + stack
        elif isinstance(item, dict) and item.get("class_name") == "__keras_tensor__":
            names.append(item["config"]["keras_history"][0])
    return names
