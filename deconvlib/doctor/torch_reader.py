"""Read a PyTorch ``nn.Module`` as the doctor's layer list; torch is never imported by deconvlib on its own.

Two steps, as for ONNX, so that only the first needs torch:

1. the model's calls as plain data, one dict per module call
   (``name``, ``cls``, ``attributes``: the numbers the doctor reads, and for a
   run the ``output`` shape):

   - :func:`torch_calls` runs the model once on zeros of the input shape
     (forward hooks on every module, no gradient) and lists the calls in the
     order ``forward`` makes them (in ``eval`` mode, each module's mode
     restored after: zeros change no running statistics) — a decoder whose ``forward`` uses its
     modules in another order than ``__init__`` registered them is read as it
     runs; a module called twice is listed twice (``"name@2"``). Calls of
     ``F.interpolate``, ``F.pad`` and the functional convolutions,
     transposed convolutions and pools (``F.conv_transpose2d(x, self.weight,
     …)``) outside any module are listed too (``"forward.interpolate"``), as are ``view``/``reshape``/``flatten``
     at the head of the stack (a DCGAN's ``x.view(-1, 512, 4, 4)``). Each
     ``torch.cat`` on the channel axis is listed with where its inputs come
     from, so that a U-Net's skips written in ``forward`` are checked (a
     concatenation torch would refuse lets the run go on with its up path's
     size, so that the report can say which skip fails and why). It
     imports torch, the model's own framework: the user has it;
   - :func:`module_calls` walks ``named_modules`` (registration order, which
     is the order of a ``nn.Sequential`` and, in most models, of
     ``forward``) without torch;

   :func:`read_torch_model` tries the first and falls back to the second with
   a note for the report (no torch importable, or the model did not run on
   zeros of that shape, e.g. a ``forward`` that takes two inputs);

2. :func:`calls_to_layers` turns the calls into layer dicts, by class name:
   convolutions, transposed convolutions and pools; ``Upsample``
   (``UpsamplingNearest2d``, ``UpsamplingBilinear2d``; modes ``nearest``,
   ``linear``, ``bilinear``, ``trilinear``) and ``F.interpolate`` as
   ``upsample``; ``ZeroPad*d``, ``ConstantPad*d``, ``ReflectionPad*d``,
   ``ReplicationPad*d``, ``CircularPad*d`` and ``F.pad`` as ``pad``
   (``F.pad``'s order, last axis first, turned into one pair per axis; an
   ``F.pad`` by negative amounts only, as ``crop``);
   ``Linear``, ``Flatten`` (from axis 1) and ``Unflatten`` (of axis 1) as
   ``linear``, ``flatten`` and ``reshape``, for their shape. Modules that
   keep the size (normalisations, activations, dropout) are passed over; a
   module that changes sizes in a way the doctor does not follow
   (``PixelShuffle``, adaptive pools, ``bicubic`` interpolation, …) stops the
   reading with an error naming it; any other leaf module is listed as not
   followed.
"""

import importlib

from ..errors import ParameterError

__all__ = ["is_torch_module", "read_torch_module", "read_torch_model", "torch_calls", "module_calls", "calls_to_layers"]

_CONVS = {f"{kind}{d}d": (kind, d) for kind in ("Conv", "ConvTranspose") for d in (1, 2, 3)}
_POOLS = {f"{mode}Pool{d}d": (mode, d) for mode in ("Max", "Avg") for d in (1, 2, 3)}
_UPSAMPLES = ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d")
_PAD_MODES = (("Zero", "constant"), ("Constant", "constant"), ("Reflection", "reflect"), ("Replication", "replicate"),
              ("Circular", "circular"))  # fmt: skip
_PADS = {f"{kind}Pad{d}d": (mode, d) for kind, mode in _PAD_MODES for d in (1, 2, 3)}
_SHAPES = ("Linear", "Flatten", "Unflatten")
#: Leaf modules that change sizes in a way the doctor does not follow.
_UNFOLLOWED = ("PixelShuffle", "PixelUnshuffle", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
               "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "Fold", "Unfold", "MaxUnpool1d",
               "MaxUnpool2d", "MaxUnpool3d", "LPPool1d", "LPPool2d", "LPPool3d", "Bilinear",
               "LazyLinear")  # fmt: skip
#: Name fragments of leaf modules that keep the size.
_KEEP = ("Norm", "ReLU", "ReLU6", "LeakyReLU", "Tanh", "Sigmoid", "GELU", "SiLU", "ELU", "SELU", "CELU", "PReLU",
         "Mish", "Softplus", "Hardtanh", "Hardswish", "Hardsigmoid", "Dropout", "Identity", "Softmax", "LogSoftmax",
         "GLU")  # fmt: skip
#: The attributes read from a module (those it has).
_ATTRIBUTES = ("kernel_size", "stride", "padding", "output_padding", "dilation", "groups", "out_channels", "ceil_mode",
               "count_include_pad", "size", "scale_factor", "mode", "align_corners", "value", "start_dim", "end_dim",
               "dim", "unflattened_size", "in_features", "out_features", "recompute_scale_factor",
               "divisor_override")  # fmt: skip
_LINEAR_MODES = ("linear", "bilinear", "trilinear")


def is_torch_module(obj):
    """Whether ``obj`` looks like a ``torch.nn.Module`` (without importing torch).

    >>> is_torch_module([{"kind": "conv"}])
    False
    """
    return callable(getattr(obj, "named_modules", None)) and callable(getattr(obj, "children", None))


def _plain(value):
    """An attribute as JSON-able data: tuples as lists, torch.Size as a list, anything else by its text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)) or type(value).__name__ == "Size":
        return [_plain(v) for v in value]
    return str(value)


def _attributes(module):
    return {a: _plain(getattr(module, a)) for a in _ATTRIBUTES if hasattr(module, a)}


def _is_leaf(module):
    return not any(True for _ in module.children())


def module_calls(model):
    """The model's modules in registration order, as :func:`calls_to_layers` reads them (no torch needed).

    Returns
    -------
    list of dict
        ``name`` (its path, ``"decoder.0"``), ``cls``, ``attributes``, ``leaf``.
    """
    return [
        dict(name=name, cls=type(module).__name__, attributes=_attributes(module), leaf=_is_leaf(module))
        for name, module in model.named_modules()
    ]


def _followed_class(cls):
    return cls in _CONVS or cls in _POOLS or cls in _UPSAMPLES or cls in _PADS or cls in _SHAPES or cls in _UNFOLLOWED


#: The model's input, as the call whose output it is.
_INPUT = dict(name=None)


def _tensors(args, kwargs):
    """The arguments of a torch function, lists and tuples opened one level."""
    for value in (*args, *kwargs.values()):
        yield from value if isinstance(value, (list, tuple)) else (value,)


class _Skips:
    """Where each tensor of the run comes from, to read each ``torch.cat`` on the channel axis as U-Net skips.

    Each tensor is tagged with the call whose output it is (the model's
    input: ``_INPUT``). The result of any other torch function takes the tag of
    its latest tagged argument, marked as changed when its spatial size is not
    that argument's (a crop by slicing, a mean over the axes). Each call the
    doctor follows should take the latest call's output, as a stack does: the
    first that does not (a convolution on a skip's branch) is kept as ``off``,
    and the skips after it are not read, since the doctor's sizes are no longer
    the tensors'. A concatenation torch would refuse (the spatial sizes differ)
    gives zeros of the size of its latest input instead, so that the run goes on
    and the doctor can say why.
    """

    def __init__(self, torch, weakref):
        self.torch, self.weakref = torch, weakref
        self.tags, self.order = {}, {id(_INPUT): -1}
        self.latest, self.off = _INPUT, None

    def tag(self, tensor):
        """``(call, spatial size, changed)`` of a tagged tensor, else None."""
        entry = self.tags.get(id(tensor))
        return entry[1:] if entry is not None and entry[0]() is tensor else None

    def _set(self, tensor, call, changed):
        if isinstance(tensor, self.torch.Tensor):
            self.tags[id(tensor)] = (self.weakref.ref(tensor), call, tuple(tensor.shape[2:]), changed)

    def called(self, call, tensor):
        """A call the doctor reads takes ``tensor``: it should be the latest call's output."""
        tag = self.tag(tensor)
        if self.off is None and (tag is None or tag[0] is not self.latest or tag[2]):
            self.off = call["name"]

    def made(self, call, tensor, source=None):
        """``call`` gave ``tensor``; ``source``: the input of a call the doctor assumes keeps the size."""
        if source is not None and hasattr(source, "shape") and tuple(source.shape[2:]) != tuple(tensor.shape[2:]):
            self.off = self.off or call["name"]
        self.order[id(call)] = len(self.order)
        self.latest = call
        self._set(tensor, call, False)

    def inherit(self, result, args, kwargs):
        tags = [tag for tag in map(self.tag, _tensors(args, kwargs)) if tag is not None]
        if tags:
            call, spatial, changed = max(tags, key=lambda tag: self.order.get(id(tag[0]), -1))
            for tensor in result if isinstance(result, (list, tuple)) else (result,):
                if hasattr(tensor, "shape"):
                    self._set(tensor, call, changed or tuple(tensor.shape[2:]) != spatial)

    def cat(self, func, args, kwargs):
        """Run a concatenation; for one on the channel axis, also its record: where each input comes from."""
        tensors = list(args[0] if args else kwargs.get("tensors", ()))
        args = (tensors, *args[1:]) if args else args  # a sequence read once, passed on as read
        dim = args[1] if len(args) > 1 else kwargs.get("dim", kwargs.get("axis", 0))
        ranks = {t.dim() if isinstance(t, self.torch.Tensor) else 0 for t in tensors}
        if len(tensors) < 2 or len(ranks) != 1 or min(ranks) < 3 or dim not in (1, 1 - min(ranks)):
            result = func(*args, **kwargs)
            self.inherit(result, args, kwargs)
            return result, None
        tags = [self.tag(t) for t in tensors]
        inputs = []
        for tensor, tag in zip(tensors, tags):
            inputs.append(dict(size=[int(v) for v in tensor.shape[2:]]))
            if tag is not None:
                inputs[-1].update({"from": tag[0]["name"]}, **({"changed": True} if tag[2] else {}))
        main = max(range(len(tensors)), key=lambda i: -2 if tags[i] is None else self.order.get(id(tags[i][0]), -1))
        same = len({tuple(t.shape[2:]) for t in tensors}) == 1
        if not same and len({int(t.shape[0]) for t in tensors}) == 1:  # torch would refuse: go on with zeros
            shape = (tensors[main].shape[0], sum(int(t.shape[1]) for t in tensors), *tensors[main].shape[2:])
            result = self.torch.zeros(shape, dtype=tensors[main].dtype, device=tensors[main].device)
        else:
            result = func(*args, **kwargs)
        if tags[main] is not None:
            self._set(result, tags[main][0], tags[main][2])
        record = dict(cls="cat", attributes=dict(inputs=inputs), output=[int(v) for v in result.shape])
        if self.off is not None:
            record["attributes"]["off"] = self.off
        return result, record


def torch_calls(model, input_shape):
    """The model's module calls in the order ``forward`` makes them, from one run on zeros (needs torch).

    Parameters
    ----------
    model : torch.nn.Module
    input_shape : tuple of int
        ``(n, c, *spatial)``, or ``(n, features)`` for a model that starts with a projection.

    Returns
    -------
    list of dict
        As :func:`module_calls`, each with ``output`` (the shape torch gave), in call order. The calls of
        followed modules and of leaf modules; ``F.interpolate`` and ``F.pad`` outside them (``cls``
        ``"interpolate"``, ``"pad"``), and ``view``, ``reshape``, ``flatten`` outside them (``"reshape"``,
        with the shapes); each ``torch.cat`` on the channel axis (``"cat"``, with ``inputs``: each input's
        ``size`` and the call whose output it is, ``from``; read by :func:`calls_to_layers` as a U-Net skip).

    Raises
    ------
    Exception
        Whatever the model's ``forward`` raises on zeros of that shape.
    """
    torch = importlib.import_module("torch")
    overrides = importlib.import_module("torch.overrides")
    functional = importlib.import_module("torch.nn.functional")
    names = {id(module): name for name, module in model.named_modules()}
    seen, calls, depth, handles = {}, [], [0], []
    reshapes = {torch.Tensor.view, torch.Tensor.reshape, torch.reshape, torch.flatten, torch.Tensor.flatten}
    pads = {functional.pad, getattr(getattr(torch._C, "_nn", None), "pad", functional.pad)}  # F.pad is the builtin
    cats = {getattr(torch, name) for name in ("cat", "concat", "concatenate") if hasattr(torch, name)}
    weakref = importlib.import_module("weakref")

    skips = _Skips(torch, weakref)

    def before(module, args):
        cls = type(module).__name__
        if depth[0] == 0 and (_followed_class(cls) or _is_leaf(module)):
            call = dict(name=unique(names[id(module)]), cls=cls, attributes=_attributes(module), leaf=True)
            skips.called(call, args[0] if args else None)
            calls.append(call)
            module._doctor_call = call
            # a module of the user's own (no child modules) is looked into: the functional calls of its forward
            # are followed, and it is listed as not followed only if it made none
            module._doctor_depth = _followed_class(cls) or any(k in cls for k in _KEEP)
            depth[0] += module._doctor_depth

    def after(module, args, output):
        call = getattr(module, "_doctor_call", None)
        if call is None:
            return
        module._doctor_call = None
        depth[0] -= module._doctor_depth
        if not module._doctor_depth and calls[-1] is not call:
            calls.remove(call)
        elif hasattr(output, "shape"):
            call["output"] = [int(v) for v in output.shape]
            skips.made(call, output, args[0] if args and not _followed_class(call["cls"]) else None)

    def unique(name):
        seen[name] = seen.get(name, 0) + 1
        return name if seen[name] == 1 else f"{name}@{seen[name]}"

    class Functions(overrides.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            if func in cats:
                result, record = skips.cat(func, args, kwargs)
                if record is not None:
                    calls.append(dict(record, name=unique("forward.cat")))
                return result
            result = func(*args, **kwargs)
            skips.inherit(result, args, kwargs)
            if depth[0] == 0 and hasattr(result, "shape"):
                if func is functional.interpolate:
                    names_ = ("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor", "antialias")
                    values = dict(zip(names_, args[1:]), **{k: v for k, v in kwargs.items() if k in names_})
                    values.setdefault("mode", "nearest")
                    calls.append(dict(name=unique("forward.interpolate"), cls="interpolate",
                                      attributes={k: _plain(v) for k, v in values.items()}))  # fmt: skip
                elif func in pads:
                    values = dict(zip(("pad", "mode", "value"), args[1:]), **kwargs)
                    calls.append(dict(name=unique("forward.pad"), cls="pad",
                                      attributes={k: _plain(v) for k, v in values.items()}))  # fmt: skip
                elif getattr(func, "__name__", "") in _FUNCTIONAL:
                    cls, attributes = _functional(func.__name__, args, kwargs)
                    calls.append(dict(name=unique(f"forward.{func.__name__}"), cls=cls, attributes=attributes))
                elif func in reshapes and hasattr(args[0], "shape"):
                    calls.append(dict(name=unique(f"forward.{func.__name__}"), cls="reshape",
                                      attributes=dict(input=_plain(args[0].shape))))  # fmt: skip
                else:
                    return result
                calls[-1]["output"] = [int(v) for v in result.shape]
                skips.called(calls[-1], args[0] if args else None)
                skips.made(calls[-1], result)
            return result

    modes = [(module, module.training) for module in model.modules()]
    model.eval()  # no batch statistics from zeros, and no running statistics changed by them
    for module in model.modules():
        handles.append(module.register_forward_pre_hook(before))
        handles.append(module.register_forward_hook(after))
    try:
        parameter = next(iter(model.parameters()), None)
        options = dict(dtype=parameter.dtype, device=parameter.device) if parameter is not None else {}
        with torch.no_grad(), Functions():
            x = torch.zeros(tuple(input_shape), **options)
            skips.made(_INPUT, x)
            model(x)
    finally:
        for module, training in modes:
            module.training = training
        for handle in handles:
            handle.remove()
        for module in model.modules():
            for attribute in ("_doctor_call", "_doctor_depth"):
                module.__dict__.pop(attribute, None)
    return calls


#: Functional convolutions and pools (``F.conv_transpose2d(x, w, …)`` in forward), with their arguments' order.
_FUNCTIONAL_ARGUMENTS = {
    "conv": ("weight", "bias", "stride", "padding", "dilation", "groups"),
    "conv_transpose": ("weight", "bias", "stride", "padding", "output_padding", "groups", "dilation"),
    "max_pool": ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"),
    "avg_pool": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
}
_FUNCTIONAL = {f"{kind}{d}d": kind for kind in _FUNCTIONAL_ARGUMENTS for d in (1, 2, 3)}
_DEFAULTS = dict(stride=1, padding=0, dilation=1, groups=1, output_padding=0, ceil_mode=False, count_include_pad=True)


def _functional(function, args, kwargs):
    """A functional convolution's or pool's call as a module's class name and attributes."""
    kind, dims = _FUNCTIONAL[function], function[-2]
    values = dict(zip(_FUNCTIONAL_ARGUMENTS[kind], args[1:]), **kwargs)
    if kind.endswith("pool"):
        values.setdefault("stride", None)
    values = {**_DEFAULTS, **{k: v for k, v in values.items() if v is not None or k == "stride"}}
    if kind in ("conv", "conv_transpose"):
        weight = values.pop("weight").shape
        values["kernel_size"] = list(weight[2:])
        values["out_channels"] = int(weight[0] if kind == "conv" else weight[1] * values["groups"])
        values.pop("bias", None)
    cls = {"conv": "Conv", "conv_transpose": "ConvTranspose", "max_pool": "MaxPool", "avg_pool": "AvgPool"}[kind]
    return f"{cls}{dims}d", {k: _plain(v) for k, v in values.items() if k != "return_indices"}


def read_torch_model(model, input_shape=None):
    """The doctor's layer dicts for a PyTorch model, in ``forward`` order where the model can be run.

    Returns
    -------
    layers : list of dict
    skipped : list of str
    note : str or None
        Why the layers are in registration order, or why a ``torch.cat`` was not read as a U-Net skip
        (None when they follow a run of the model and every skip was read).
    """
    if input_shape is None:
        return (*calls_to_layers(module_calls(model)), None)
    from .layers import parse_shape

    shape = parse_shape(input_shape)
    try:
        calls = torch_calls(model, shape)
    except ModuleNotFoundError:
        note = "Order: torch could not be imported, so the layers are read in registration order."
        return (*calls_to_layers(module_calls(model)), note)
    except Exception as error:  # the model's own forward refused zeros of that shape: say so, read what is there
        first = (str(error).splitlines() or [type(error).__name__])[0]
        note = (
            f"Order: the model did not run on zeros of shape {'x'.join(map(str, shape))} ({type(error).__name__}: "
            f"{first}), so the layers are read in registration order, which may not be forward's."
        )
        return (*calls_to_layers(module_calls(model)), note)
    notes = []
    layers, skipped = calls_to_layers(calls, notes)
    return layers, skipped, " ".join(notes) or None


def read_torch_module(model):
    """The doctor's layer dicts for a PyTorch model in registration order, and the modules it passed over.

    Parameters
    ----------
    model : torch.nn.Module

    Returns
    -------
    layers : list of dict
        Named by each module's path in the model (``"decoder.0"``).
    skipped : list of str
        ``"name (Class)"`` of the leaf modules neither followed nor known to keep the size.

    Raises
    ------
    ParameterError
        For a module that changes sizes in a way the doctor does not follow
        (``parameter`` ``"model"``), naming it.
    """
    return calls_to_layers(module_calls(model))


def _tuple(value, dims):
    if isinstance(value, (tuple, list)):
        return tuple(int(v) for v in value)
    return (int(value),) * dims


def _conv_padding(padding, kernel, dilation, dims):
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * dims
        # 'same' (stride 1 only, as torch insists): d·(k − 1) in all, the extra one at the end
        pads = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            pads.append((total // 2, total - total // 2))
        return pads
    return [(p, p) for p in _tuple(padding, dims)]


def _unfollowed(name, cls, why="changes the size in a way the doctor does not follow yet"):
    return ParameterError(
        f"model: module {name!r} ({cls}) {why}; give the doctor the layers around it as a list", "model"
    )


def _upsample(name, cls, a, dims, output=None):
    mode = a.get("mode", "nearest")
    if a.get("antialias"):
        raise _unfollowed(name, cls, "interpolates with antialias, which the doctor does not follow")
    if a.get("recompute_scale_factor") and a.get("size") is None and output:
        a = dict(a, size=output[2:], scale_factor=None)  # the scale torch then uses is the sizes' ratio
    if cls == "UpsamplingBilinear2d":
        mode, a = "bilinear", dict(a, align_corners=True)
    if mode not in ("nearest",) + _LINEAR_MODES:
        raise _unfollowed(name, cls, f"interpolates with mode {mode!r}, which the doctor does not follow")
    layer = dict(kind="upsample", name=name, mode=mode)
    if a.get("size") is not None:
        layer["size"] = list(_tuple(a["size"], dims)) if dims else a["size"]
    elif a.get("scale_factor") is None:
        raise _unfollowed(name, cls, "gives neither size nor scale_factor")
    else:
        scale = a.get("scale_factor")
        layer["scale"] = [_number(v) for v in scale] if isinstance(scale, list) else _number(scale)
        whole = all(isinstance(v, int) for v in (layer["scale"] if isinstance(scale, list) else [layer["scale"]]))
        if a.get("recompute_scale_factor") and not whole:
            raise _unfollowed(name, cls, "recomputes a fractional scale_factor from sizes not known without a run")
    if mode != "nearest" and a.get("align_corners"):
        layer["align_corners"] = True
    return layer


def _number(value):
    """A scale factor: ``2.0`` as ``2``."""
    return int(value) if float(value).is_integer() else float(value)


def _pad(name, cls, pad, mode, value):
    """``F.pad``'s list (last axis first: ``(left, right, top, bottom, …)``) as one pair per axis, first axis first."""
    pad = [int(p) for p in pad]
    pairs = [[pad[2 * k], pad[2 * k + 1]] for k in range(len(pad) // 2)][::-1]
    if pad and all(p <= 0 for p in pad) and mode == "constant":  # negative amounts only: a crop
        return dict(kind="crop", name=name, crop=[[-before, -after] for before, after in pairs])
    if any(p < 0 for p in pad):
        raise _unfollowed(name, cls, f"pads by a negative amount {pad}, which the doctor does not follow")
    layer = dict(kind="pad", name=name, padding=pairs, mode=mode)
    if mode == "constant" and value:
        layer["value"] = float(value)
    return layer


def _spatial_dims(call, dims_seen):
    """The spatial axes a call works on: from its output shape, else from the layers before it."""
    if call.get("output"):
        return len(call["output"]) - 2
    return dims_seen


def calls_to_layers(calls, notes=None):
    """The doctor's layer dicts for :func:`module_calls`' or :func:`torch_calls`' data (no torch needed).

    A ``torch.cat`` on the channel axis (a ``"cat"`` call of :func:`torch_calls`)
    is read as a U-Net skip: its latest input is the output of a layer, the
    decoder; each earlier one is the input of another, the encoder; the decoder
    gets ``skip_from`` the encoder, so the report checks that the two sizes
    are equal, as torch's ``cat`` needs. Where the reader cannot tell (an input
    whose size changed through something it does not follow, a layer called on
    a skip's branch, a third input), the skip is not read and ``notes`` says why.

    Parameters
    ----------
    calls : list of dict
    notes : list, optional
        Gets one sentence per concatenation not read as a skip.

    Returns
    -------
    layers : list of dict
    skipped : list of str

    Examples
    --------
    >>> calls = [dict(name="up", cls="Upsample", attributes=dict(scale_factor=2.0, mode="nearest", size=None)),
    ...          dict(name="pad", cls="ZeroPad2d", attributes=dict(padding=[1, 2, 0, 0], value=0.0))]
    >>> up, pad = calls_to_layers(calls)[0]
    >>> up
    {'kind': 'upsample', 'name': 'up', 'mode': 'nearest', 'scale': 2}
    >>> pad
    {'kind': 'pad', 'name': 'pad', 'padding': [[0, 0], [1, 2]], 'mode': 'constant'}
    """
    layers, skipped, dims, between = [], [], None, []
    spatial_seen, produced, cats = False, {None: -1}, []
    for call in calls:
        name, cls, a = call["name"], call["cls"], call.get("attributes", {})
        count = len(layers)
        if cls in _CONVS:
            kind, dims = _CONVS[cls]
            kernel, dilation = _tuple(a["kernel_size"], dims), _tuple(a["dilation"], dims)
            layer = dict(
                kind="conv" if kind == "Conv" else "conv_transpose",
                name=name,
                kernel=list(kernel),
                stride=list(_tuple(a["stride"], dims)),
                padding=_conv_padding(a["padding"], kernel, dilation, dims),
                dilation=list(dilation),
                groups=int(a["groups"]),
                channels=int(a["out_channels"]),
            )
            if kind == "ConvTranspose":
                layer["output_padding"] = list(_tuple(a["output_padding"], dims))
            layers.append(layer)
        elif cls in _POOLS:
            mode, dims = _POOLS[cls]
            if a.get("divisor_override") is not None:
                raise _unfollowed(name, cls, "divides by divisor_override, which the doctor does not follow")
            kernel = _tuple(a["kernel_size"], dims)
            stride = kernel if a.get("stride") in (None, []) else _tuple(a["stride"], dims)
            layer = dict(kind="pool", name=name, mode=mode.lower(), kernel=list(kernel), stride=list(stride),
                         padding=list(_tuple(a["padding"], dims)), ceil_mode=bool(a["ceil_mode"]))  # fmt: skip
            if mode == "Max":
                layer["dilation"] = list(_tuple(a["dilation"], dims))
            elif not a.get("count_include_pad", True):
                layer["count_include_pad"] = False
            layers.append(layer)
        elif cls in _UPSAMPLES or cls == "interpolate":
            dims = _spatial_dims(call, dims)
            layers.append(_upsample(name, cls, a, dims, call.get("output")))
        elif cls in _PADS:
            mode, dims = _PADS[cls]
            layers.append(_pad(name, cls, a["padding"], mode, a.get("value", 0)))
        elif cls == "pad":
            mode = a.get("mode") or "constant"
            if mode not in ("constant", "reflect", "replicate", "circular"):
                raise _unfollowed(name, cls, f"pads with mode {mode!r}")
            layers.append(_pad(name, "F.pad", a["pad"], mode, a.get("value") or 0))
        elif cls == "Linear":
            layers.append(dict(kind="linear", name=name, features=int(a["out_features"]),
                               in_features=int(a["in_features"])))  # fmt: skip
        elif cls == "Flatten":
            if a.get("start_dim", 1) != 1 or a.get("end_dim", -1) != -1:
                raise _unfollowed(name, cls, "flattens other axes than all but the batch")
            layers.append(dict(kind="flatten", name=name))
        elif cls == "Unflatten":
            if a.get("dim") not in (1, -1):
                raise _unfollowed(name, cls, "unflattens another axis than axis 1")
            layers.append(dict(kind="reshape", name=name, shape=[int(v) for v in a["unflattened_size"]]))
        elif cls == "reshape":  # a view/reshape/flatten in forward: followed at the head or the tail only
            layers.append(dict(kind="reshape", name=_unique(name, layers), shape=call["output"][1:]))
            between.append((len(layers) - 1, f"{name} ({_x(a['input'])} → {_x(call['output'])})", spatial_seen))
        elif cls in _UNFOLLOWED:
            raise _unfollowed(name, cls)
        elif cls == "cat":
            cats.append(call)
        elif call.get("leaf", True) and name and not any(k in cls for k in _KEEP):
            skipped.append(f"{name} ({cls})")
        produced[name] = len(layers) - 1  # the tensor this call gave has the size after that layer
        if len(layers) > count and layers[-1]["kind"] not in ("linear", "flatten", "reshape"):
            spatial_seen = True
    # a reshape of forward's between spatial layers (an attention block's) is passed over: the map keeps its size
    last = max([i for i, layer in enumerate(layers) if layer["kind"] not in ("linear", "flatten", "reshape")],
               default=-1)  # fmt: skip
    dropped = [(index, text) for index, text, after in between if after and index < last]
    every = list(layers)
    for index, _ in reversed(dropped):
        del layers[index]
    skipped += [text for _, text in dropped]
    kept = [index for index in range(len(every)) if index not in {i for i, _ in dropped}]
    for call in cats:
        note = _read_cat(call, produced, every, kept)
        if note and notes is not None:
            notes.append(note)
    return layers, skipped


def _read_cat(call, produced, layers, kept):
    """Give the decoder layer of a channel-axis ``torch.cat`` its ``skip_from``; else the sentence saying why not."""
    inputs, off = call["attributes"]["inputs"], call["attributes"].get("off")
    sizes = " and ".join("×".join(map(str, entry["size"])) for entry in inputs)
    where = f"Skip {call['name']} ({sizes}) not checked"
    if off:
        return f"{where}: {off} is called on a branch, off the single path of layers the doctor follows."
    if any("from" not in entry or entry["from"] not in produced for entry in inputs):
        return f"{where}: an input is not made from the model's input by the layers read (a tensor made in forward)."
    if any(entry.get("changed") for entry in inputs):
        return f"{where}: an input's size was changed by an operation the doctor does not follow."
    points = sorted({produced[entry["from"]] for entry in inputs})
    if len(points) < 2:
        return None  # the inputs are the same point of the stack: the same size
    decoder = max((i for i in kept if i <= points[-1]), default=None)
    encoders = [min((i for i in kept if i > point), default=None) for point in points[:-1]]
    if len(encoders) > 1:
        return f"{where}: it joins {len(inputs)} tensors, and the doctor checks one skip per layer."
    encoder = encoders[0]
    spatial = [i for i in (encoder, decoder) if i is not None and layers[i]["kind"] not in ("linear", "flatten",
                                                                                            "reshape")]  # fmt: skip
    if len(spatial) < 2 or encoder > decoder:
        return f"{where}: its inputs are not the input and the output of spatial layers."
    if encoder == decoder:  # skip_from names an earlier layer: a layer joined with its own input is not a pair
        return f"{where}: it joins the input and the output of layer {layers[decoder]['name']!r}, not a U-Net pair."
    if "skip_from" in layers[decoder]:
        return f"{where}: layer {layers[decoder]['name']!r} already has a skip, and the doctor checks one per layer."
    layers[decoder]["skip_from"] = layers[encoder]["name"]
    return None


def _x(shape):
    return "x".join(map(str, shape))


def _unique(name, layers):
    """``name``, or ``name@2``, ``name@3``… when an earlier layer has it."""
    taken = {layer["name"] for layer in layers}
    if name not in taken:
        return name
    return next(f"{name}@{n}" for n in range(2, len(layers) + 2) if f"{name}@{n}" not in taken)
