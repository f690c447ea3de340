"""The doctor's layer list: plain dicts in, checked :class:`LayerSpec` records out.

A decoder, whatever framework it came from, is a list of layers, each
described by the numbers of its arithmetic. Three kinds convolve:

``{"kind": "conv_transpose", "kernel": 4, "stride": 2, "padding": 1, "output_padding": 0,
"dilation": 1, "groups": 1, "channels": 64, "name": "up1"}``

- ``kind``: ``"conv"``, ``"conv_transpose"`` or ``"pool"`` (with ``"mode"``:
  ``"max"``, the default, or ``"avg"``; and ``"ceil_mode"``: false or true);
- ``kernel``, ``stride``, ``dilation``, ``output_padding``: an int (every axis)
  or one int per spatial axis; ``stride`` defaults to 1 (to the window for a
  pool);
- ``padding``: an int, one int per axis, or one ``[before, after]`` pair per
  axis (asymmetric padding, as ONNX's ``pads`` give); or a rule resolved for
  each input size as the layer is reached: ``"valid"`` (none), ``"same"``
  (TensorFlow's, Keras's and ONNX's ``SAME_UPPER``: the output is
  ``⌈i / s⌉``, or ``i·s`` for a transposed layer, an odd cell of padding
  going at the end) or ``"same_lower"`` (ONNX's ``SAME_LOWER``: at the start);
- ``output_shape``: a transposed layer's output size per axis (ONNX's
  attribute: the padding is what it leaves, split as ``padding`` says);
- ``count_include_pad``: an average pool's divisor counts the padding (default true);
- ``groups``, ``channels`` (the output channels): optional ints;
- ``name``: optional (default ``"layer<i>"``), used in the report and to name U-Net pairs;
- ``skip_from``: optional, the name of an earlier layer whose *input* this
  layer's *output* is concatenated with (a U-Net's skip connection).

Three kinds change the spatial size without a kernel (``name`` and
``channels`` as above):

- ``"upsample"``: ``scale`` (a positive number, or one per axis: the output
  is ``⌊i·scale⌋``, PyTorch's ``scale_factor``) or ``size`` (the output size,
  an int or one per axis), not both; ``mode`` ``"nearest"`` (the default:
  output cell ``j`` takes input cell ``⌊j / scale⌋``, PyTorch's rule),
  ``"linear"``, ``"bilinear"`` (2-D) or ``"trilinear"`` (3-D), with
  ``align_corners`` (default false: half-pixel centres, as PyTorch's default,
  Keras's ``UpSampling2D(interpolation='bilinear')`` and ONNX's
  ``half_pixel``);
- ``"pad"``: ``padding`` as above (numbers only), ``mode`` ``"constant"``
  (the default, with ``value``, default 0), ``"reflect"``, ``"replicate"`` or
  ``"circular"``;
- ``"crop"``: ``crop``, an int, one per axis, or one ``[before, after]`` pair
  per axis: cells removed at each end.

Three kinds change the whole shape and are followed for their shape only, at
the head of the stack (a DCGAN's projection ``z → Linear → reshape``) or at
its tail, never between spatial layers:

- ``"linear"``: ``features`` (out), optional ``in_features`` (checked against
  the last axis);
- ``"flatten"``: ``(n, c, *spatial)`` to ``(n, c·∏spatial)``;
- ``"reshape"``: ``shape``, the shape without the batch axis, in
  ``(c, *spatial)`` order (one ``-1`` allowed).

Every value goes through the library's validation; a bad one raises
:class:`~deconvlib.ParameterError` whose message names the layer and the
field and whose ``parameter`` is ``"layers[<i>].<field>"``.
"""

from dataclasses import dataclass, field

import numpy as np

from .._validate import as_int
from ..errors import ParameterError

__all__ = [
    "LayerSpec",
    "KINDS",
    "SPATIAL_KINDS",
    "SHAPE_KINDS",
    "FIELDS",
    "PADDING_RULES",
    "parse_layers",
    "parse_shape",
    "layer_name",
    "shape_output",
]

#: The kinds of layer the doctor follows through the spatial axes.
SPATIAL_KINDS = ("conv", "conv_transpose", "pool", "upsample", "pad", "crop")
#: The kinds followed for their shape only, at the head or the tail of the stack.
SHAPE_KINDS = ("linear", "flatten", "reshape")
#: Every kind of layer the doctor follows.
KINDS = SPATIAL_KINDS + SHAPE_KINDS
#: Each kind's modes (the first is the default); ``None``: the kind has none.
MODES = {
    "pool": ("max", "avg"),
    "upsample": ("nearest", "linear", "bilinear", "trilinear"),
    "pad": ("constant", "reflect", "replicate", "circular"),
}
#: Every field a layer dict may have.
FIELDS = (
    "kind",
    "name",
    "kernel",
    "stride",
    "padding",
    "output_padding",
    "dilation",
    "groups",
    "channels",
    "mode",
    "ceil_mode",
    "skip_from",
    "output_shape",
    "count_include_pad",
    "scale",
    "size",
    "align_corners",
    "value",
    "crop",
    "features",
    "in_features",
    "shape",
)
#: The fields each new kind takes, beyond ``kind``, ``name`` and ``channels``.
_OWN_FIELDS = {
    "upsample": ("scale", "size", "mode", "align_corners"),
    "pad": ("padding", "mode", "value"),
    "crop": ("crop",),
    "linear": ("features", "in_features"),
    "flatten": (),
    "reshape": ("shape",),
}
#: The padding rules resolved for each input size.
PADDING_RULES = ("same", "same_lower")


@dataclass(frozen=True)
class LayerSpec:
    """One layer's convolution arithmetic, every field checked, one entry per spatial axis.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    name : str
    kernel, stride, dilation, output_padding : tuple of int
    padding : tuple of (int, int), or "same" or "same_lower"
        ``(before, after)`` per axis, or the rule (:func:`deconvlib.doctor.stack.resolved`).
    groups : int
    channels : int or None
        Output channels (None: as many as come in).
    mode : str or None
        A pool's ("max", "avg"), an upsample's or a pad's (:data:`MODES`).
    ceil_mode : bool
    skip_from : str or None
    framework : str
        Whose terms the suggestions use: ``"torch"`` (also for plain lists), ``"keras"`` or ``"onnx"``.
    scale, size : tuple or None
        An ``upsample``'s factor per axis (int or float) or its output size.
    align_corners : bool
    value : float
        A constant ``pad``'s value.
    crop : tuple of (int, int) or None
    features, in_features, shape
        A ``linear`` layer's output (and input) features; a ``reshape``'s shape without the batch axis.
    """

    kind: str
    name: str
    kernel: tuple
    stride: tuple
    padding: tuple
    output_padding: tuple
    dilation: tuple
    groups: int = 1
    channels: object = None
    mode: object = None
    ceil_mode: bool = False
    skip_from: object = None
    framework: str = "torch"
    output_shape: object = None
    count_include_pad: bool = True
    extra: dict = field(default_factory=dict, compare=False)
    scale: object = None
    size: object = None
    align_corners: bool = False
    value: float = 0.0
    crop: object = None
    features: object = None
    in_features: object = None
    shape: object = None

    @property
    def dims(self):
        """The number of spatial axes (0 for a ``linear``, ``flatten`` or ``reshape`` layer)."""
        return len(self.kernel)

    def describe(self):
        """A short text of the layer's numbers: ``"conv_transpose k4 s2 p1"``.

        Examples
        --------
        >>> parse_layers([{"kind": "conv_transpose", "kernel": 4, "stride": 2, "padding": 1}], 2)[0].describe()
        'conv_transpose k4 s2 p1'
        """
        if self.kind in _OWN_FIELDS:
            return self._describe_other()
        text = self.kind if self.kind != "pool" else f"{self.mode}_pool"
        parts = [text, "k" + _axes(self.kernel), "s" + _axes(self.stride)]
        if isinstance(self.padding, str):
            parts.append(self.padding)
        elif any(b or a for b, a in self.padding):
            symmetric = all(b == a for b, a in self.padding)
            pads = tuple(b for b, _ in self.padding) if symmetric else self.padding
            parts.append("p" + _axes(pads))
        if any(self.output_padding):
            parts.append("op" + _axes(self.output_padding))
        if any(d != 1 for d in self.dilation):
            parts.append("d" + _axes(self.dilation))
        if self.groups != 1:
            parts.append(f"g{self.groups}")
        if self.ceil_mode:
            parts.append("ceil")
        return " ".join(parts)

    def _describe_other(self):
        """``"upsample x2 nearest"``, ``"pad (1,2) reflect"``, ``"crop 1"``, ``"linear 8192"``, ``"flatten"``…"""
        if self.kind == "upsample":
            how = "x" + _axes(self.scale) if self.size is None else "to " + _axes(self.size)
            corners = " align_corners" if self.align_corners else ""
            return f"upsample {how} {self.mode}{corners}"
        if self.kind == "pad":
            symmetric = all(b == a for b, a in self.padding)
            pads = tuple(b for b, _ in self.padding) if symmetric else self.padding
            value = f"={self.value:g}" if self.mode == "constant" and self.value else ""
            return f"pad {_axes(pads)} {self.mode}{value}"
        if self.kind == "crop":
            symmetric = all(b == a for b, a in self.crop)
            return "crop " + _axes(tuple(b for b, _ in self.crop) if symmetric else self.crop)
        if self.kind == "linear":
            return f"linear {self.features}"
        if self.kind == "reshape":
            return "reshape " + "x".join(map(str, self.shape))
        return "flatten"


def _axes(values):
    """``4`` for ``(4, 4)``, ``"4,3"`` for ``(4, 3)``, ``"(1,2)"`` for a pair of pairs."""
    values = tuple(values)
    if all(v == values[0] for v in values):
        values = values[:1]
    return ",".join(f"({v[0]},{v[1]})" if isinstance(v, tuple) else str(v) for v in values)


def layer_name(index, name):
    """How a message names a layer: ``"layer 2 ('up')"``, or ``"layer 2"`` when it has no name of its own.

    >>> layer_name(2, "up"), layer_name(2, "layer2")
    ("layer 2 ('up')", 'layer 2')
    """
    return f"layer {index} ({name!r})" if name != f"layer{index}" else f"layer {index}"


def _error(index, name, field_name, message):
    where = layer_name(index, name)
    return ParameterError(f"{where}, {field_name}: {message}", parameter=f"layers[{index}].{field_name}")


def _per_axis(value, dims, index, name, field_name, minimum):
    """An int or ``dims`` ints as a tuple of ints ``>= minimum``, or the layer's error."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if len(value) != dims:
            raise _error(index, name, field_name, f"must be an int or {dims} ints (one per axis), got {value!r}")
        values = value
    else:
        values = [value] * dims
    try:
        return tuple(as_int(v, field_name, minimum) for v in values)
    except (ParameterError, TypeError) as error:
        raise _error(index, name, field_name, f"must be an integer >= {minimum}, got {value!r}") from error


def _padding(value, dims, index, name, field_name="padding"):
    """An int, ``dims`` ints or ``dims`` ``[before, after]`` pairs as a tuple of pairs."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple)) for v in value):
        if len(value) != dims or any(len(v) != 2 for v in value):
            raise _error(index, name, field_name, f"must be {dims} [before, after] pairs, got {value!r}")
        flat = [_per_axis(list(v), 2, index, name, field_name, 0) for v in value]
        return tuple(tuple(v) for v in flat)
    if isinstance(value, str):
        if value == "valid":
            return ((0, 0),) * dims
        if value in PADDING_RULES:
            return value
        raise _error(index, name, "padding", f"must be numbers, 'valid', 'same' or 'same_lower', got {value!r}")
    return tuple((p, p) for p in _per_axis(value, dims, index, name, field_name, 0))


def parse_layers(layers, dims, framework="torch"):
    """Check a list of layer dicts and return them as :class:`LayerSpec` records.

    Parameters
    ----------
    layers : sequence of dict or LayerSpec
        See the module's docstring for the fields.
    dims : {1, 2, 3}
        Spatial axes (from the input shape).
    framework : str, default "torch"

    Returns
    -------
    list of LayerSpec

    Raises
    ------
    ParameterError
        Naming the layer and the field: ``parameter`` is ``"layers[<i>].<field>"``.

    Examples
    --------
    >>> spec = parse_layers([{"kind": "conv_transpose", "kernel": 3, "stride": 2}], 1)[0]
    >>> spec.kernel, spec.stride, spec.padding, spec.name
    ((3,), (2,), ((0, 0),), 'layer0')
    >>> parse_layers([{"kind": "conv_transpose", "kernel": 3, "stride": 0}], 2)
    Traceback (most recent call last):
    ...
    deconvlib.ParameterError: layer 0, stride: must be an integer >= 1, got 0
    """
    if isinstance(layers, (str, bytes, dict)) or not hasattr(layers, "__iter__"):
        raise ParameterError(f"layers must be a list of layer dicts, got {type(layers).__name__}", "layers")
    specs, names = [], set()
    for index, layer in enumerate(layers):
        if isinstance(layer, LayerSpec):
            if layer.kind not in SHAPE_KINDS and layer.dims != dims:
                raise _error(index, layer.name, "kernel", f"has {layer.dims} axes, the input {dims}")
            specs.append(layer)
            names.add(layer.name)
            continue
        if not isinstance(layer, dict):
            raise ParameterError(f"layer {index} must be a dict, got {type(layer).__name__} {layer!r}", "layers")
        name = layer.get("name", f"layer{index}")
        if not isinstance(name, str) or not name:
            raise _error(index, f"layer{index}", "name", f"must be a non-empty string, got {name!r}")
        if name in names:
            raise _error(index, name, "name", f"{name!r} names an earlier layer too")
        unknown = sorted(set(layer) - set(FIELDS))
        if unknown:
            raise _error(index, name, unknown[0], f"is not a field the doctor knows (fields: {', '.join(FIELDS)})")
        kind = layer.get("kind")
        if kind not in KINDS:
            raise _error(index, name, "kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
        if kind in _OWN_FIELDS:
            specs.append(_parse_other(layer, kind, index, name, dims, framework, names))
            names.add(name)
            continue
        if "kernel" not in layer:
            raise _error(index, name, "kernel", "is missing")
        kernel = _per_axis(layer["kernel"], dims, index, name, "kernel", 1)
        default_stride = kernel if kind == "pool" else 1
        stride_value = layer.get("stride")
        stride = default_stride if stride_value is None else _per_axis(stride_value, dims, index, name, "stride", 1)
        stride = _per_axis(stride, dims, index, name, "stride", 1)
        padding = _padding(layer.get("padding", 0), dims, index, name)
        dilation = _per_axis(layer.get("dilation", 1), dims, index, name, "dilation", 1)
        output_padding = _per_axis(layer.get("output_padding", 0), dims, index, name, "output_padding", 0)
        groups = _per_axis(layer.get("groups", 1), 1, index, name, "groups", 1)[0]
        channels = layer.get("channels")
        if channels is not None:
            channels = _per_axis(channels, 1, index, name, "channels", 1)[0]
            if channels % groups:
                raise _error(index, name, "groups", f"groups={groups} must divide the output channels, got {channels}")
        mode, ceil_mode = layer.get("mode"), layer.get("ceil_mode", False)
        if not isinstance(ceil_mode, (bool, np.bool_)):
            raise _error(index, name, "ceil_mode", f"must be true or false, got {ceil_mode!r}")
        output_shape = layer.get("output_shape")
        if output_shape is not None:
            if kind != "conv_transpose":
                raise _error(index, name, "output_shape", "applies to conv_transpose only")
            output_shape = _per_axis(output_shape, dims, index, name, "output_shape", 1)
        count_include_pad = layer.get("count_include_pad", True)
        if not isinstance(count_include_pad, (bool, np.bool_)):
            raise _error(index, name, "count_include_pad", f"must be true or false, got {count_include_pad!r}")
        if kind == "pool":
            mode = "max" if mode is None else mode
            if mode not in ("max", "avg"):
                raise _error(index, name, "mode", f"must be 'max' or 'avg', got {mode!r}")
            if mode == "avg" and any(d != 1 for d in dilation):
                raise _error(index, name, "dilation", "average pooling has no dilation")
            if framework == "torch" and not isinstance(padding, str):  # PyTorch's rules; ONNX and Keras differ
                if any(b != a for b, a in padding):
                    raise _error(index, name, "padding", f"a pool pads both ends alike, got {padding!r}")
                for k, (p, _) in zip(kernel, padding):
                    if p > k // 2:
                        raise _error(
                            index, name, "padding", f"must be at most half the window (PyTorch's rule), got {p} for {k}"
                        )
        else:
            if mode is not None:
                raise _error(index, name, "mode", f"applies to a pool only, got {mode!r}")
            if ceil_mode:
                raise _error(index, name, "ceil_mode", "applies to a pool only")
        if kind != "conv_transpose" and any(output_padding):
            raise _error(index, name, "output_padding", f"applies to conv_transpose only, got {output_padding!r}")
        for a, s, d in zip(output_padding, stride, dilation):
            if a >= max(s, d):
                raise _error(
                    index,
                    name,
                    "output_padding",
                    f"must be smaller than stride or dilation, got output_padding={_axes(output_padding)} with "
                    f"stride={_axes(stride)}, dilation={_axes(dilation)}",
                )
        skip_from = layer.get("skip_from")
        if skip_from is not None and skip_from not in names:
            raise _error(index, name, "skip_from", f"must name an earlier layer, got {skip_from!r}")
        specs.append(
            LayerSpec(
                kind, name, kernel, stride, padding, output_padding, dilation, groups, channels,
                mode if kind == "pool" else None, bool(ceil_mode), skip_from, framework, output_shape,
                bool(count_include_pad),
            )
        )  # fmt: skip
        names.add(name)
    if not specs:
        raise ParameterError("layers must hold at least one layer, got none", "layers")
    return specs


def _number(value, index, name, field_name):
    """A positive finite number (an int stays an int), or the layer's error."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise _error(index, name, field_name, f"must be a positive number, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise _error(index, name, field_name, f"must be a positive number, got {value!r}")
    return int(value) if float(value).is_integer() else float(value)


def _parse_other(layer, kind, index, name, dims, framework, names):
    """An ``upsample``, ``pad``, ``crop``, ``linear``, ``flatten`` or ``reshape`` layer dict, checked."""
    allowed = set(_OWN_FIELDS[kind]) | {"kind", "name", "channels", "skip_from"}
    other = sorted(set(layer) - allowed)
    if other:
        own = ", ".join(_OWN_FIELDS[kind]) or "none"
        raise _error(index, name, other[0], f"does not apply to a {kind} layer (its fields: {own})")
    channels = layer.get("channels")
    if channels is not None:
        channels = _per_axis(channels, 1, index, name, "channels", 1)[0]
    skip_from = layer.get("skip_from")
    if skip_from is not None and skip_from not in names:
        raise _error(index, name, "skip_from", f"must name an earlier layer, got {skip_from!r}")
    axes = dims if kind in SPATIAL_KINDS else 0
    ones, zeros = (1,) * axes, (0,) * axes
    values = dict(mode=None, padding=((0, 0),) * axes)
    if kind in MODES:
        mode = layer.get("mode", MODES[kind][0])
        if mode not in MODES[kind]:
            raise _error(index, name, "mode", f"must be one of {', '.join(MODES[kind])}, got {mode!r}")
        values["mode"] = mode
    if kind == "upsample":
        mode = values["mode"]
        if mode in ("bilinear", "trilinear") and dims != ("bilinear", "trilinear").index(mode) + 2:
            raise _error(index, name, "mode", f"{mode!r} needs {'2-D' if mode == 'bilinear' else '3-D'} input")
        if ("scale" in layer) == ("size" in layer):
            raise _error(index, name, "scale", "give either scale or size (the output size), not both or neither")
        if "size" in layer:
            values["size"] = _per_axis(layer["size"], dims, index, name, "size", 1)
        else:
            scale = layer["scale"]
            scale = scale.tolist() if isinstance(scale, np.ndarray) else scale
            scale = list(scale) if isinstance(scale, (list, tuple)) else [scale] * dims
            if len(scale) != dims:
                raise _error(index, name, "scale", f"must be a number or {dims} numbers (one per axis), got {scale!r}")
            values["scale"] = tuple(_number(v, index, name, "scale") for v in scale)
        corners = layer.get("align_corners", False)
        if not isinstance(corners, (bool, np.bool_)):
            raise _error(index, name, "align_corners", f"must be true or false, got {corners!r}")
        if corners and mode == "nearest":
            raise _error(index, name, "align_corners", "applies to the linear modes only")
        values["align_corners"] = bool(corners)
    elif kind == "pad":
        padding = _padding(layer.get("padding", 0), dims, index, name)
        if isinstance(padding, str):
            raise _error(index, name, "padding", f"must be numbers for a pad layer, got {padding!r}")
        values["padding"] = padding
        value = layer.get("value", 0)
        if value and values["mode"] != "constant":
            raise _error(index, name, "value", f"applies to mode 'constant' only, got {value!r}")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise _error(index, name, "value", f"must be a number, got {value!r}")
        if not np.isfinite(value):
            raise _error(index, name, "value", f"must be finite, got {value!r}")
        values["value"] = float(value)
    elif kind == "crop":
        if "crop" not in layer:
            raise _error(index, name, "crop", "is missing")
        crop = _padding(layer["crop"], dims, index, name, "crop")
        if isinstance(crop, str):
            raise _error(index, name, "crop", f"must be numbers, got {crop!r}")
        values["crop"] = crop
    elif kind == "linear":
        if "features" not in layer:
            raise _error(index, name, "features", "is missing")
        values["features"] = _per_axis(layer["features"], 1, index, name, "features", 1)[0]
        if layer.get("in_features") is not None:
            values["in_features"] = _per_axis(layer["in_features"], 1, index, name, "in_features", 1)[0]
    elif kind == "reshape":
        shape = layer.get("shape")
        shape = shape.tolist() if isinstance(shape, np.ndarray) else shape
        if not isinstance(shape, (list, tuple)) or not shape:
            raise _error(index, name, "shape", f"must be the shape without the batch axis, got {shape!r}")
        try:
            shape = tuple(as_int(v, "shape", -1) for v in shape)
        except (ParameterError, TypeError):
            raise _error(index, name, "shape", f"must hold positive integers (one -1), got {shape!r}") from None
        if 0 in shape or shape.count(-1) > 1:
            raise _error(index, name, "shape", f"must hold positive integers (one -1 at most), got {shape!r}")
        values["shape"] = shape
    return LayerSpec(
        kind, name, ones, ones, values.pop("padding"), zeros, ones, channels=channels, mode=values.pop("mode"),
        skip_from=skip_from, framework=framework, **values,
    )  # fmt: skip


def shape_output(spec, shape, index=0):
    """The whole shape ``(n, …)`` after a ``linear``, ``flatten`` or ``reshape`` layer.

    Examples
    --------
    >>> head = parse_layers([{"kind": "linear", "features": 8192}, {"kind": "reshape", "shape": [512, 4, 4]}], 0)
    >>> shape_output(head[1], shape_output(head[0], (1, 100)), 1)
    (1, 512, 4, 4)
    """
    shape = tuple(shape)
    if spec.kind == "flatten":
        return (shape[0], int(np.prod(shape[1:])))
    if spec.kind == "linear":
        if spec.in_features is not None and shape[-1] != spec.in_features:
            raise _error(
                index, spec.name, "in_features", f"is {spec.in_features}, but its input {shape} ends in {shape[-1]}"
            )
        return (*shape[:-1], spec.features)
    total, known = int(np.prod(shape[1:])), int(np.prod([v for v in spec.shape if v != -1]))
    wanted = tuple(total // known if v == -1 else v for v in spec.shape)
    if (-1 in spec.shape and total % known) or int(np.prod(wanted)) != total:
        raise _error(index, spec.name, "shape", f"{spec.shape} cannot hold the {total} values of its input {shape}")
    return (shape[0], *wanted)


def parse_shape(shape, name="input_shape"):
    """A shape as a tuple of ints: from ``"1x100x1x1"``, ``"64x64"`` or a sequence of ints.

    Parameters
    ----------
    shape : str or sequence of int
    name : str, default "input_shape"

    Returns
    -------
    tuple of int

    Raises
    ------
    ParameterError
        For anything else, naming ``name``.

    Examples
    --------
    >>> parse_shape("1x100x1x1"), parse_shape((64, 64), "target")
    ((1, 100, 1, 1), (64, 64))
    """
    if isinstance(shape, str):
        parts = shape.lower().replace("×", "x").replace(",", "x").split("x")
        try:
            values = [int(p) for p in parts]
        except ValueError:
            raise ParameterError(f"{name} must be sizes joined by 'x' (1x100x1x1), got {shape!r}", name) from None
    elif isinstance(shape, (list, tuple, np.ndarray)):
        values = list(shape)
    else:
        raise ParameterError(f"{name} must be a tuple of sizes or text such as '1x100x1x1', got {shape!r}", name)
    try:
        return tuple(as_int(v, name, minimum=1) for v in values)
    except (ParameterError, TypeError):
        raise ParameterError(f"{name} must hold positive integers, got {shape!r}", name) from None
