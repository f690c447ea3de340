"""Record PyTorch's view of random decoder stacks and U-Nets, for the decoder doctor's tests.

How to run (from the repository root; torch is needed ONLY here, never at
runtime or test time)::

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python tests/data/doctor/make_torch_doctor_fixtures.py
    /tmp/torchvenv/bin/python tests/data/doctor/make_torch_doctor_fixtures.py layers

(the second line writes ``torch_layer_stacks.json`` only: see ``main_layers``).

Writes two files next to this script:

``torch_stacks.json``
    ``stacks``: random stacks of 1-D, 2-D and 3-D layers (transposed
    convolutions, convolutions, max and average pools with and without
    ``ceil_mode``; odd sizes), each with ``layers`` (the doctor's layer
    dicts), ``input`` (``(n, c, *spatial)``), and what torch did with them:
    ``shapes`` (every layer's output shape) or ``error`` (``{"layer": i,
    "message": ...}``: the layer torch refused, and its message); for the
    stacks torch ran, ``overlap_map`` (``shape`` and ``values``): a constant
    input of ones pushed through the same stack with one channel and every
    weight 1 (no bias), and, for the stacks with a transposed layer, ``fix``:
    a ``target`` size near the stack's, the doctor's suggestion for it (made
    by the deconvlib of this repository at record time), and ``reached``: the
    size torch gives with that suggestion applied (padding and output_padding
    set on that layer, or padding 0 and the layer's output cropped).

``torch_unets.json``
    ``unets``: random encoder–decoder stacks (pools or strided convolutions
    down, transposed convolutions up, ``skip_from`` on each up layer) on odd
    input sizes, each with ``pairs`` and what torch did when it concatenated
    each skip with its up layer's output (``torch.cat`` on the channel
    axis, as a U-Net does): per pair, ``skip`` and ``up`` sizes and ``ok``,
    until the first pair torch refused (with its message).

Random numbers come from ``numpy.random.default_rng(SEED)``.
"""

import json
import os
import sys

import numpy as np

SEED = 20261207
TORCH_VERSION = "2.13.0"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
STACKS, UNETS = 440, 64


def _ints(rng, low, high, dims):
    return [int(v) for v in rng.integers(low, high + 1, size=dims)]


def random_layer(rng, dims, index):
    """One random layer dict, in the ranges PyTorch accepts (most of the time)."""
    kind = rng.choice(["conv_transpose", "conv_transpose", "conv", "pool"])
    name = f"l{index}"
    if kind == "pool":
        kernel = _ints(rng, 1, 3, dims)
        layer = dict(kind="pool", name=name, mode=str(rng.choice(["max", "avg"])), kernel=kernel)
        if rng.random() < 0.7:
            layer["stride"] = _ints(rng, 1, 3, dims)
        layer["padding"] = [int(rng.integers(0, k // 2 + 1)) for k in kernel]
        layer["ceil_mode"] = bool(rng.random() < 0.5)
        if layer["mode"] == "max" and rng.random() < 0.3:
            layer["dilation"] = _ints(rng, 1, 2, dims)
        return layer
    kernel = _ints(rng, 1, 5 if kind == "conv_transpose" else 4, dims)
    stride = _ints(rng, 1, 3 if kind == "conv_transpose" else 2, dims)
    dilation = _ints(rng, 1, 2, dims) if rng.random() < 0.25 else [1] * dims
    padding = [int(rng.integers(0, k // 2 + 1)) if rng.random() < 0.85 else int(rng.integers(0, k)) for k in kernel]
    layer = dict(kind=str(kind), name=name, kernel=kernel, stride=stride, padding=padding, dilation=dilation)
    if kind == "conv_transpose":
        layer["output_padding"] = [int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation)]
        if rng.random() < 0.04:  # one PyTorch refuses (issue #56328): output_padding not below stride
            layer["output_padding"][0] = max(stride[0], dilation[0])
    layer["channels"] = int(rng.integers(1, 5))
    return layer


def module(nn, layer, dims, c_in, ones=False):
    """The torch module of a layer dict (``ones``: one channel, every weight 1)."""
    c_out = 1 if ones else layer.get("channels", c_in)
    c_in = 1 if ones else c_in
    pad = layer.get("padding", 0)
    if layer["kind"] == "pool":
        stride = layer.get("stride") or layer["kernel"]
        if layer["mode"] == "max":
            return getattr(nn, f"MaxPool{dims}d")(
                layer["kernel"], stride, pad, layer.get("dilation", 1), ceil_mode=layer["ceil_mode"]
            )
        return getattr(nn, f"AvgPool{dims}d")(layer["kernel"], stride, pad, ceil_mode=layer["ceil_mode"])
    if layer["kind"] == "conv":
        m = getattr(nn, f"Conv{dims}d")(
            c_in, c_out, layer["kernel"], layer.get("stride", 1), pad, layer.get("dilation", 1), bias=False
        )
    else:
        m = getattr(nn, f"ConvTranspose{dims}d")(
            c_in,
            c_out,
            layer["kernel"],
            layer["stride"],
            pad,
            layer.get("output_padding", 0),
            bias=False,
            dilation=layer.get("dilation", 1),
        )
    if ones:
        m.weight.data.fill_(1.0)
    return m


def run(torch, nn, layers, input_shape, ones=False, crop=None):
    """Every layer's output shape in torch (or the layer it refused); ``crop``: ``(index, slices)``."""
    dims = len(input_shape) - 2
    shape = (1, 1, *input_shape[2:]) if ones else tuple(input_shape)
    x = torch.ones(shape, dtype=torch.float64) if ones else torch.randn(shape, dtype=torch.float64)
    shapes, c = [], input_shape[1]
    for index, layer in enumerate(layers):
        m = module(nn, layer, dims, c, ones).double()
        try:
            with torch.no_grad():
                x = m(x)
        except (RuntimeError, ValueError) as error:
            return shapes, dict(layer=index, message=str(error).splitlines()[0]), None
        if crop is not None and crop[0] == index:
            x = x[(slice(None), slice(None), *[slice(b, b + o) for b, o in crop[1]])]
        shapes.append(list(x.shape))
        c = x.shape[1]
    return shapes, None, x


def random_stack(rng, n):
    dims = (1, 2, 3)[n % 3]
    count = int(rng.integers(2, (7, 6, 4)[dims - 1]))
    layers = [random_layer(rng, dims, i) for i in range(count)]
    spatial = _ints(rng, 1, (9, 9, 5)[dims - 1], dims)
    spatial = [v | 1 if rng.random() < 0.7 else v for v in spatial]  # odd sizes, mostly
    return layers, [1, int(rng.integers(1, 4)), *spatial]


def fix_stack(torch, nn, doctor_module, layers, input_shape, shapes, rng):
    """Ask the doctor for a target near the stack's output, apply its fix in torch, record what torch reached."""
    from deconvlib.doctor.layers import parse_layers
    from deconvlib.doctor.stack import fix_for_target

    dims = len(input_shape) - 2
    out = shapes[-1][2:]
    target = [max(1, o + int(rng.integers(-3, 4))) for o in out]
    specs = parse_layers(layers, dims)
    try:
        fix = fix_for_target(specs, tuple(input_shape[2:]), tuple(target))
    except doctor_module.ParameterError as error:
        return dict(target=target, fix=None, refused=str(error))
    changed = [dict(layer) for layer in layers]
    index = fix["layer"]
    crop = None
    if fix["crop"] is None:
        changed[index]["padding"] = list(fix["padding"])
        changed[index]["output_padding"] = list(fix["output_padding"])
    else:
        changed[index]["padding"] = 0
        changed[index]["output_padding"] = list(fix["output_padding"])
        crop = (index, [(b, o) for (b, _), o in zip(fix["crop"], fix["size"])])
    got, error, _ = run(torch, nn, changed, input_shape, crop=crop)
    plain = {k: (list(v) if isinstance(v, tuple) else v) for k, v in fix.items() if k != "text"}
    plain["crop"] = None if fix["crop"] is None else [list(c) for c in fix["crop"]]
    return dict(target=target, fix=plain, reached=None if error else got[-1][2:], torch_error=error)


def random_unet(rng, n):
    """An encoder of ``depth`` downsamplings and the mirror decoder, each up layer joined to its skip."""
    dims = (1, 2, 3)[n % 3]
    depth = int(rng.integers(1, (5, 4, 3)[dims - 1]))
    layers, pairs, channels = [], [], 2
    down_names = []
    for level in range(depth):
        layers.append(dict(kind="conv", name=f"enc{level}", kernel=3, padding=1, channels=channels))
        style = rng.choice(["maxpool", "maxpool_ceil", "avgpool", "conv_s2"])
        name = f"down{level}"
        if style == "conv_s2":
            k = int(rng.choice([3, 4]))
            layers.append(dict(kind="conv", name=name, kernel=k, stride=2, padding=1, channels=channels))
        else:
            mode = "avg" if style == "avgpool" else "max"
            layers.append(dict(kind="pool", name=name, mode=mode, kernel=2, ceil_mode=style == "maxpool_ceil"))
        down_names.append(name)
        channels *= 2
    layers.append(dict(kind="conv", name="mid", kernel=3, padding=1, channels=channels))
    for level in reversed(range(depth)):
        channels //= 2
        style = rng.choice(["k2s2", "k4s2p1", "k3s2p1", "k3s2p1op1"])
        k, p, op = dict(k2s2=(2, 0, 0), k4s2p1=(4, 1, 0), k3s2p1=(3, 1, 0), k3s2p1op1=(3, 1, 1))[str(style)]
        name = f"up{level}"
        layers.append(
            dict(
                kind="conv_transpose",
                name=name,
                kernel=k,
                stride=2,
                padding=p,
                output_padding=op,
                channels=channels,
                skip_from=down_names[level],
            )
        )
        pairs.append([down_names[level], name])
    spatial = [int(v) * 2 + 1 for v in rng.integers(2, (24, 12, 5)[dims - 1], size=dims)]  # odd
    if rng.random() < 0.3:
        spatial = [v + 1 for v in spatial]  # some even ones, which often round-trip
    return layers, pairs, [1, 2, *spatial]


def run_unet(torch, nn, layers, input_shape):
    """Run the U-Net in torch, concatenating every skip: per pair the sizes, and whether torch.cat took them."""
    dims = len(input_shape) - 2
    x = torch.randn(tuple(input_shape), dtype=torch.float64)
    inputs, results = {}, []
    for layer in layers:
        inputs[layer["name"]] = x
        m = module(nn, layer, dims, x.shape[1]).double()
        with torch.no_grad():
            x = m(x)
        if layer.get("skip_from"):
            skip = inputs[layer["skip_from"]]
            entry = dict(
                encoder=layer["skip_from"], decoder=layer["name"], skip=list(skip.shape[2:]), up=list(x.shape[2:])
            )
            try:
                x = torch.cat([skip, x], dim=1)
                entry["ok"] = True
            except RuntimeError as error:
                entry["ok"] = False
                entry["message"] = str(error).splitlines()[0]
                results.append(entry)
                return results
            results.append(entry)
    return results


def main():
    import torch  # only here: pytest imports this module for its doctests, where torch is absent
    from torch import nn

    sys.path.insert(0, ROOT)
    import deconvlib  # the repository's own, for the doctor's suggestions

    assert torch.__version__.split("+")[0] == TORCH_VERSION, torch.__version__
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    stacks = []
    while len(stacks) < STACKS:
        layers, input_shape = random_stack(rng, len(stacks))
        shapes, error, _ = run(torch, nn, layers, input_shape)
        if error is None and (max(max(s[2:]) for s in shapes) > 160 or max(np.prod(s[2:]) for s in shapes) > 40000):
            continue  # too large to push through quickly in the tests
        entry = dict(key=f"s{len(stacks):03d}", layers=layers, input=input_shape)
        if error is not None:
            entry["error"] = error
        else:
            entry["shapes"] = shapes
            _, _, y = run(torch, nn, layers, input_shape, ones=True)
            entry["overlap_map"] = dict(shape=list(y.shape[2:]), values=y.flatten().tolist())
            if any(layer["kind"] == "conv_transpose" for layer in layers):
                entry["fix"] = fix_stack(torch, nn, deconvlib, layers, input_shape, shapes, rng)
        stacks.append(entry)
    unets = []
    while len(unets) < UNETS:
        layers, pairs, input_shape = random_unet(rng, len(unets))
        try:
            results = run_unet(torch, nn, layers, input_shape)
        except RuntimeError:  # the encoder went down to nothing: not a U-Net to diagnose
            continue
        unets.append(dict(key=f"u{len(unets):03d}", layers=layers, pairs=pairs, input=input_shape, torch=results))
    meta = dict(generator="tests/data/doctor/make_torch_doctor_fixtures.py", torch_version=torch.__version__)
    with open(os.path.join(HERE, "torch_stacks.json"), "w", encoding="utf-8") as f:
        json.dump(dict(meta, stacks=stacks), f, separators=(",", ":"))
        f.write("\n")
    with open(os.path.join(HERE, "torch_unets.json"), "w", encoding="utf-8") as f:
        json.dump(dict(meta, unets=unets), f, indent=0)
        f.write("\n")
    refused = sum("error" in s for s in stacks)
    fixes = sum(1 for s in stacks if s.get("fix", {}).get("fix"))
    trips = sum(all(r["ok"] for r in u["torch"]) for u in unets)
    print(f"{len(stacks)} stacks ({refused} refused by torch, {fixes} fixes), {len(unets)} U-Nets ({trips} round-trip)")


# ---- the layers that only resample, pad, crop or project (``python make_torch_doctor_fixtures.py layers``) ----
#
# Writes ``torch_layer_stacks.json`` (the files above are not rewritten): ``stacks``, random 1-D, 2-D and 3-D
# stacks that mix the layers above with ``upsample`` (nn.Upsample: nearest, linear/bilinear/trilinear with and
# without align_corners, an integer or fractional scale_factor, or a size), ``pad`` (ConstantPadNd with a value,
# ZeroPadNd, ReflectionPadNd, ReplicationPadNd, CircularPadNd) and ``crop`` (a slice), some led by a projection
# (Linear then Unflatten) or ended by Flatten then Linear; each with what torch did (``shapes`` or ``error``) and
# the overlap map of its spatial layers (ones through them, one channel, every weight 1); and ``models``: hand-made
# modules whose ``forward`` uses its modules in another order than they were registered in (a module used twice,
# F.interpolate, F.pad, x.view, functional convolutions and pools on the module's own weights), each with
# ``calls`` (deconvlib's torch_calls of it: the calls in forward order, the shapes torch gave), ``registration``
# (module_calls: registration order) and ``output`` (the model's output shape).

LAYER_STACKS = 240
_LINEAR = {1: "linear", 2: "bilinear", 3: "trilinear"}


def random_other_layer(rng, dims, index):
    """An upsample, pad or crop layer dict."""
    kind = str(rng.choice(["upsample", "upsample", "pad", "pad", "crop"]))
    name = f"l{index}"
    if kind == "upsample":
        mode = "nearest" if rng.random() < 0.5 else _LINEAR[dims]
        layer = dict(kind="upsample", name=name, mode=mode)
        draw = rng.random()
        if draw < 0.45:
            layer["scale"] = int(rng.integers(1, 4))
        elif draw < 0.7:
            layer["scale"] = [float(rng.choice([0.5, 1.25, 1.5, 1.7, 2.5])) for _ in range(dims)]
        else:
            layer["size"] = _ints(rng, 1, 12, dims)
        if mode != "nearest" and rng.random() < 0.4:
            layer["align_corners"] = True
        return layer
    pairs = [_ints(rng, 0, 2, 2) for _ in range(dims)]
    if kind == "crop":
        return dict(kind="crop", name=name, crop=pairs)
    mode = str(rng.choice(["constant", "constant", "reflect", "replicate", "circular"]))
    layer = dict(kind="pad", name=name, padding=pairs, mode=mode)
    if mode == "constant" and rng.random() < 0.4:
        layer["value"] = float(rng.choice([0.5, 1.0, 2.0]))
    return layer


class _Crop:
    """A crop by slicing (torch has no module for it), refusing an empty result as a layer would."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __call__(self, x):
        spatial = x.shape[2:]
        if any(b + a >= n for (b, a), n in zip(self.pairs, spatial)):
            raise ValueError(f"crop {self.pairs} leaves nothing of {tuple(spatial)}")
        return x[(slice(None), slice(None), *[slice(b, n - a) for (b, a), n in zip(self.pairs, spatial)])]


def other_module(nn, layer, dims, shape):
    """The torch module of an upsample, pad, crop, linear, flatten or reshape layer dict."""
    kind = layer["kind"]
    if kind == "upsample":
        corners = layer.get("align_corners", False) if layer["mode"] != "nearest" else None
        scale = layer.get("scale")
        scale = tuple(scale) if isinstance(scale, list) else scale
        size = tuple(layer["size"]) if "size" in layer else None
        return nn.Upsample(size=size, scale_factor=scale, mode=layer["mode"], align_corners=corners)
    if kind == "pad":
        flat = tuple(p for pair in reversed(layer["padding"]) for p in pair)  # F.pad's order: the last axis first
        mode = layer.get("mode", "constant")
        if mode == "constant":
            value = layer.get("value", 0.0)
            return getattr(nn, f"ConstantPad{dims}d")(flat, value) if value else getattr(nn, f"ZeroPad{dims}d")(flat)
        cls = dict(reflect="Reflection", replicate="Replication", circular="Circular")[mode]
        return getattr(nn, f"{cls}Pad{dims}d")(flat)
    if kind == "crop":
        return _Crop(layer["crop"])
    if kind == "linear":
        return nn.Linear(shape[-1], layer["features"], bias=False)
    if kind == "flatten":
        return nn.Flatten()
    return nn.Unflatten(1, tuple(layer["shape"]))


def run_layers(torch, nn, layers, input_shape, ones=False):
    """Every layer's output shape in torch (or the layer it refused); ``ones``: the spatial layers only, on ones."""
    spatial = [i for i, layer in enumerate(layers) if layer["kind"] not in ("linear", "flatten", "reshape")]
    if ones:
        head = spatial[0]
        shape = [1, 1, *body_input(layers[:head], input_shape)[2:]]
        layers = layers[head : spatial[-1] + 1]
        x = torch.ones(shape, dtype=torch.float64)
    else:
        x = torch.randn(tuple(input_shape), dtype=torch.float64)
    shapes = []
    for index, layer in enumerate(layers):
        dims = x.dim() - 2
        try:
            if layer["kind"] in ("conv", "conv_transpose", "pool"):
                m = module(nn, layer, dims, x.shape[1], ones).double()
            else:
                m = other_module(nn, layer, dims, list(x.shape))
                m = m.double() if hasattr(m, "double") else m
            with torch.no_grad():
                x = m(x)
        except (RuntimeError, ValueError, NotImplementedError) as error:
            return shapes, dict(layer=index, message=str(error).splitlines()[0]), None
        shapes.append(list(x.shape))
    return shapes, None, x


def body_input(head, input_shape):
    """The shape after the head's linear and reshape layers (computed as torch would)."""
    shape = list(input_shape)
    for layer in head:
        shape = shape[:-1] + [layer["features"]] if layer["kind"] == "linear" else [shape[0], *layer["shape"]]
    return shape


def random_layer_stack(rng, n):
    dims = (1, 2, 3)[n % 3]
    count = int(rng.integers(2, (7, 6, 4)[dims - 1]))
    layers = []
    for index in range(count):
        layer = random_other_layer(rng, dims, index) if rng.random() < 0.55 else random_layer(rng, dims, index)
        layers.append(layer)
    spatial = _ints(rng, 1, (9, 9, 5)[dims - 1], dims)
    spatial = [v | 1 if rng.random() < 0.7 else v for v in spatial]
    channels = int(rng.integers(1, 4))
    input_shape = [1, channels, *spatial]
    if rng.random() < 0.25:  # a projection: z → Linear → Unflatten
        latent = int(rng.integers(2, 9))
        head = [dict(kind="linear", name="project", features=channels * int(np.prod(spatial))),
                dict(kind="reshape", name="unflatten", shape=[channels, *spatial])]  # fmt: skip
        layers, input_shape = head + layers, [1, latent]
    if rng.random() < 0.15:  # a critic's end: Flatten → Linear
        layers += [dict(kind="flatten", name="flatten"), dict(kind="linear", name="score", features=1)]
    return layers, input_shape


def order_models(torch, nn):
    """Modules whose forward order is not their registration order, with their input shapes."""
    functional = torch.nn.functional

    class Generator(nn.Module):  # a DCGAN generator whose layers were declared last-first
        def __init__(self):
            super().__init__()
            self.to_rgb = nn.ConvTranspose2d(32, 3, 4, 2, 1)
            self.up2 = nn.ConvTranspose2d(64, 32, 4, 2, 1)
            self.up1 = nn.ConvTranspose2d(128, 64, 3, 2, 1)
            self.project = nn.Linear(16, 128 * 4 * 4)
            self.norm = nn.BatchNorm2d(64)

        def forward(self, z):
            x = self.project(z).view(-1, 128, 4, 4)
            x = torch.relu(self.norm(self.up1(x)))
            x = torch.relu(self.up2(x))
            return torch.tanh(self.to_rgb(x))

    class Decoder(nn.Module):  # F.interpolate and F.pad in forward, a padding module declared first
        def __init__(self):
            super().__init__()
            self.pad = nn.ReflectionPad2d((1, 1, 1, 1))
            self.out = nn.Conv2d(16, 3, 3)
            self.fuse = nn.Conv2d(32, 16, 3, padding=1)
            self.up = nn.ConvTranspose2d(32, 32, 3, 2)

        def forward(self, x):
            x = self.up(x)
            x = functional.pad(x, (0, 1, 0, 1))
            x = functional.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
            x = self.fuse(x)
            return self.out(self.pad(x))

    class Shared(nn.Module):  # one upsampler used twice, between convolutions declared in reverse
        def __init__(self):
            super().__init__()
            self.last = nn.Conv1d(8, 1, 5, padding=2)
            self.middle = nn.ConvTranspose1d(8, 8, 4, 2, 1)
            self.first = nn.Conv1d(4, 8, 3)
            self.upsample = nn.Upsample(scale_factor=3, mode="linear")

        def forward(self, x):
            x = self.upsample(self.first(x))
            x = self.upsample(self.middle(x))
            return self.last(nn.functional.pad(x, (2, 0), mode="replicate"))

    class Volume(nn.Module):  # 3-D: a nearest upsampling to a size, a crop of the transposed layer's border
        def __init__(self):
            super().__init__()
            self.head = nn.Conv3d(4, 2, 1)
            self.up = nn.Upsample(size=(6, 9, 9), mode="nearest")
            self.deconv = nn.ConvTranspose3d(2, 4, 3, 2, output_padding=1)
            self.pad = nn.ConstantPad3d((0, 1, 0, 1, 1, 0), 0.5)

        def forward(self, x):
            x = self.deconv(x)
            x = self.pad(x)
            return self.head(self.up(x))

    class Weights(nn.Module):  # weights as parameters, every layer a functional call: no module to register
        def __init__(self):
            super().__init__()
            self.down = nn.Parameter(torch.ones(4, 2, 3, 3))
            self.up = nn.Parameter(torch.ones(4, 3, 4, 4))

        def forward(self, x):
            x = functional.max_pool2d(functional.conv2d(x, self.down, None, 2, 1), 2, ceil_mode=True)
            x = functional.conv_transpose2d(x, self.up, stride=2, padding=1, output_padding=1)
            return functional.avg_pool2d(x, 3, 1, 1, count_include_pad=False)

    return [("dcgan_declared_backwards", Generator(), [1, 16]), ("decoder_functional", Decoder(), [1, 32, 5, 5]),
            ("audio_shared_upsampler", Shared(), [1, 4, 11]), ("volume", Volume(), [1, 2, 3, 4, 4]),
            ("functional_weights", Weights(), [1, 2, 13, 11])]  # fmt: skip


def main_layers():
    import torch
    from torch import nn

    sys.path.insert(0, ROOT)
    from deconvlib.doctor.torch_reader import module_calls, torch_calls

    assert torch.__version__.split("+")[0] == TORCH_VERSION, torch.__version__
    torch.manual_seed(SEED + 1)
    rng = np.random.default_rng(SEED + 1)
    stacks = []
    while len(stacks) < LAYER_STACKS:
        layers, input_shape = random_layer_stack(rng, len(stacks))
        shapes, error, _ = run_layers(torch, nn, layers, input_shape)
        if error is None and max(np.prod(s[2:]) if len(s) > 2 else 1 for s in shapes) > 40000:
            continue
        entry = dict(key=f"t{len(stacks):03d}", layers=layers, input=input_shape)
        if error is not None:
            entry["error"] = error
        else:
            entry["shapes"] = shapes
            _, map_error, y = run_layers(torch, nn, layers, input_shape, ones=True)
            assert map_error is None, map_error
            entry["overlap_map"] = dict(shape=list(y.shape[2:]), values=y.flatten().tolist())
        stacks.append(entry)
    models = []
    for key, model, input_shape in order_models(torch, nn):
        model.eval()
        with torch.no_grad():
            output = list(model(torch.zeros(input_shape)).shape)
        models.append(dict(key=key, input=input_shape, calls=torch_calls(model, input_shape),
                           registration=module_calls(model), output=output))  # fmt: skip
    meta = dict(generator="tests/data/doctor/make_torch_doctor_fixtures.py layers", torch_version=torch.__version__)
    with open(os.path.join(HERE, "torch_layer_stacks.json"), "w", encoding="utf-8") as f:
        json.dump(dict(meta, stacks=stacks, models=models), f, separators=(",", ":"))
        f.write("\n")
    refused = sum("error" in s for s in stacks)
    print(f"{len(stacks)} stacks with the other layers ({refused} refused by torch), {len(models)} order models")


if __name__ == "__main__":
    main_layers() if sys.argv[1:] == ["layers"] else main()
