"""Read a PyTorch ``nn.Module`` as the doctor's layer list, without importing torch.

The modules are walked in the order they were registered (``named_modules``,
which is the order of a ``nn.Sequential`` and, in most models, of
``forward``), and recognised by their class name and attributes: torch is
never imported here (it is the model's own), so deconvlib never depends on
it. A module that changes sizes in a way the doctor does not follow
(``Upsample``, ``Linear``, …) stops the reading with an error naming it;
modules that keep the size (normalisations, activations, dropout) are passed
over; any other leaf module is listed as not followed.
"""

from ..errors import ParameterError

__all__ = ["is_torch_module", "read_torch_module"]

_CONVS = {f"{kind}{d}d": (kind, d) for kind in ("Conv", "ConvTranspose") for d in (1, 2, 3)}
_POOLS = {f"{mode}Pool{d}d": (mode, d) for mode in ("Max", "Avg") for d in (1, 2, 3)}
#: Leaf modules that change sizes in a way the doctor does not follow.
_UNFOLLOWED = ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "Linear", "Flatten", "Unflatten",
               "PixelShuffle", "PixelUnshuffle", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
               "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "Fold", "Unfold",
               "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
               "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
               "ReplicationPad3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "LPPool1d", "LPPool2d")  # fmt: skip
#: Name fragments of leaf modules that keep the size.
_KEEP = ("Norm", "ReLU", "ReLU6", "LeakyReLU", "Tanh", "Sigmoid", "GELU", "SiLU", "ELU", "SELU", "CELU", "PReLU",
         "Mish", "Softplus", "Hardtanh", "Hardswish", "Hardsigmoid", "Dropout", "Identity", "Softmax", "LogSoftmax",
         "GLU")  # fmt: skip


def is_torch_module(obj):
    """Whether ``obj`` looks like a ``torch.nn.Module`` (without importing torch).

    >>> is_torch_module([{"kind": "conv"}])
    False
    """
    return callable(getattr(obj, "named_modules", None)) and callable(getattr(obj, "children", None))


def _tuple(value, dims):
    if isinstance(value, (tuple, list)):
        return tuple(int(v) for v in value)
    return (int(value),) * dims


def _conv_padding(module, kernel, dilation, dims, name):
    padding = module.padding
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


def read_torch_module(model):
    """The doctor's layer dicts for a PyTorch model, and the modules it passed over.

    Parameters
    ----------
    model : torch.nn.Module

    Returns
    -------
    layers : list of dict
        One per convolution, transposed convolution or pooling module, named
        by its path in the model (``"decoder.0"``).
    skipped : list of str
        ``"name (Class)"`` of the leaf modules neither followed nor known to keep the size.

    Raises
    ------
    ParameterError
        For a module that changes sizes in a way the doctor does not follow
        (``parameter`` ``"model"``), naming it.
    """
    layers, skipped = [], []
    for name, module in model.named_modules():
        cls = type(module).__name__
        if cls in _CONVS:
            kind, dims = _CONVS[cls]
            kernel, dilation = _tuple(module.kernel_size, dims), _tuple(module.dilation, dims)
            layer = dict(
                kind="conv" if kind == "Conv" else "conv_transpose",
                name=name,
                kernel=list(kernel),
                stride=list(_tuple(module.stride, dims)),
                padding=_conv_padding(module, kernel, dilation, dims, name),
                dilation=list(dilation),
                groups=int(module.groups),
                channels=int(module.out_channels),
            )
            if kind == "ConvTranspose":
                layer["output_padding"] = list(_tuple(module.output_padding, dims))
            layers.append(layer)
        elif cls in _POOLS:
            mode, dims = _POOLS[cls]
            kernel = _tuple(module.kernel_size, dims)
            stride = kernel if module.stride is None else _tuple(module.stride, dims)
            layer = dict(
                kind="pool",
                name=name,
                mode=mode.lower(),
                kernel=list(kernel),
                stride=list(stride),
                padding=list(_tuple(module.padding, dims)),
                ceil_mode=bool(module.ceil_mode),
            )
            if mode == "Max":
                layer["dilation"] = list(_tuple(module.dilation, dims))
            layers.append(layer)
        elif cls in _UNFOLLOWED:
            raise ParameterError(
                f"model: module {name!r} ({cls}) changes the size in a way the doctor does not follow yet; "
                "give the doctor the layers around it as a list",
                "model",
            )
        elif name and not any(True for _ in module.children()) and not any(k in cls for k in _KEEP):
            skipped.append(f"{name} ({cls})")
    return layers, skipped
