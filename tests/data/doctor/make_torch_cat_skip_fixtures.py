"""Record U-Nets whose skips are ``torch.cat`` calls in ``forward``, for the decoder doctor's tests.

How to run (from the repository root; torch is needed ONLY here, never at
runtime or test time)::

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python tests/data/doctor/make_torch_cat_skip_fixtures.py

Writes ``torch_cat_skips.json`` next to this script: ``models``, random
U-Nets written as PyTorch users write them (the skip joined in ``forward``
with ``torch.cat``, ``torch.concat`` or a negative ``dim``, skip first or
up first; pools with and without ``ceil_mode`` or strided convolutions down;
transposed convolutions, ``nn.Upsample`` or ``F.interpolate`` up; 1-D, 2-D and
3-D), each run at a few input sizes, most of them odd. Per run (``cases``):

- ``calls``: what :func:`deconvlib.doctor.torch_reader.torch_calls` (the
  deconvlib of this repository, at record time) read from one run on zeros,
  ``"cat"`` calls included;
- ``torch``: what torch itself did with the model on that input: ``ok``
  and the ``output`` shape, or ``ok`` false with ``cat`` (which of the
  model's concatenations refused, counted from 0 in the order torch ran
  them) and ``message`` (the first line of torch's error).

Four families always round-trip or cannot be told by the doctor, on purpose:
``pad_to_skip`` (the skip's size restored with ``F.pad`` in forward, as the
much-copied ``Up`` block does) and ``interpolate_to_skip``
(``F.interpolate(x, size=skip.shape[2:])``), whose sizes always match; and
``crop_skip`` (the skip cropped by slicing, as the original U-Net does) and
``gated_skip`` (a convolution on the skip's branch), which the reader must
refuse with a note rather than guess.

Random numbers come from ``numpy.random.default_rng(SEED)``.
"""

import json
import os
import sys

import numpy as np

SEED = 20261208
TORCH_VERSION = "2.13.0"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
MODELS = 36
FAMILIES = ("classic", "classic", "classic", "strided", "pad_to_skip", "interpolate_to_skip", "crop_skip",
            "gated_skip")  # fmt: skip


def build(torch, spec):
    """A U-Net ``nn.Module`` for ``spec`` (a dict of plain numbers, kept in the fixture)."""
    nn, functional = torch.nn, torch.nn.functional
    d, family, widths = spec["dims"], spec["family"], spec["widths"]
    Conv, ConvT = getattr(nn, f"Conv{d}d"), getattr(nn, f"ConvTranspose{d}d")
    cat = {"cat": torch.cat, "concat": torch.concat, "concatenate": torch.concatenate}[spec["cat"]]
    dim = 1 if spec["dim"] == "positive" else -(d + 1)
    pad = 0 if family == "crop_skip" else 1

    def block(c_in, c_out):
        return nn.Sequential(Conv(c_in, c_out, 3, padding=pad), getattr(nn, f"BatchNorm{d}d")(c_out), nn.ReLU())

    class Up(nn.Module):  # one decoder level: up, join the skip, convolve
        def __init__(self, c_in, c_skip, c_out):
            super().__init__()
            up = spec["up"]
            if up["kind"] == "conv_transpose":
                self.up = ConvT(c_in, c_in, up["kernel"], 2, up["padding"], up["output_padding"])
            elif up["kind"] == "upsample":
                self.up = nn.Upsample(scale_factor=2, mode=up["mode"])
            else:
                self.up = None  # F.interpolate in forward
            self.gate = Conv(c_skip, c_skip, 1) if family == "gated_skip" else None
            self.conv = block(c_in + c_skip, c_out)

        def forward(self, x, skip):
            x = self.up(x) if self.up is not None else functional.interpolate(x, scale_factor=2, mode="nearest")
            if family == "pad_to_skip":
                pads = []
                for axis in range(d, 0, -1):  # F.pad's order: last axis first
                    diff = skip.shape[1 + axis] - x.shape[1 + axis]
                    pads += [diff // 2, diff - diff // 2]
                x = functional.pad(x, pads)
            elif family == "interpolate_to_skip":
                x = functional.interpolate(x, size=skip.shape[2:], mode="nearest")
            elif family == "crop_skip":
                starts = [(s - u) // 2 for s, u in zip(skip.shape[2:], x.shape[2:])]
                skip = skip[(slice(None), slice(None), *(slice(a, a + u) for a, u in zip(starts, x.shape[2:])))]
            elif family == "gated_skip":
                skip = skip * torch.sigmoid(self.gate(skip))
            parts = [skip, x] if spec["skip_first"] else [x, skip]
            return self.conv(cat(parts, dim))

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            down = spec["down"]
            self.encoders = nn.ModuleList([block(c_in, c_out) for c_in, c_out in zip([1, *widths], widths)])
            if down["kind"] == "pool":
                pool = getattr(nn, f"{down['mode']}Pool{d}d")
                self.downs = nn.ModuleList([pool(2, ceil_mode=down["ceil_mode"]) for _ in widths[:-1]])
            else:
                self.downs = nn.ModuleList(
                    [Conv(c, c, down["kernel"], 2, down["padding"]) for c in widths[:-1]]
                )  # fmt: skip
            self.ups = nn.ModuleList(
                [Up(widths[i + 1], widths[i], widths[i]) for i in reversed(range(len(widths) - 1))]
            )  # fmt: skip
            self.head = Conv(widths[0], 1, 1)

        def forward(self, x):
            skips = []
            for level, encoder in enumerate(self.encoders):
                x = encoder(x)
                if level < len(self.downs):
                    skips.append(x)
                    x = self.downs[level](x)
            for up in self.ups:
                x = up(x, skips.pop())
            return self.head(x)

    return UNet()


def random_spec(rng, index):
    family = FAMILIES[index % len(FAMILIES)]
    d = int(rng.choice([1, 2, 2, 2, 3]))
    levels = int(rng.integers(2, 4 if d == 3 else 5))
    widths = [int(2 * (k + 1)) for k in range(levels)]
    if family == "strided":
        kernel = int(rng.choice([2, 3, 4]))
        down = dict(kind="conv", kernel=kernel, padding=int(rng.integers(0, kernel // 2 + 1)))
    else:
        down = dict(kind="pool", mode=str(rng.choice(["Max", "Avg"])), ceil_mode=bool(rng.integers(2)))
    kind = str(rng.choice(["conv_transpose", "conv_transpose", "upsample", "interpolate"]))
    up = dict(kind=kind)
    if kind == "conv_transpose":
        kernel = int(rng.choice([2, 3, 4]))
        padding = int(rng.integers(0, (kernel - 1) // 2 + 1))
        up.update(kernel=kernel, padding=padding, output_padding=int(rng.integers(0, 2)))
    elif kind == "upsample":
        up["mode"] = str(rng.choice(["nearest", {1: "linear", 2: "bilinear", 3: "trilinear"}[d]]))
    if family == "crop_skip":
        up = dict(kind="conv_transpose", kernel=2, padding=0, output_padding=0)  # the original U-Net's up
    spec = dict(key=f"c{index:02d}", family=family, dims=d, widths=widths, down=down, up=up,
                skip_first=bool(rng.integers(2)), cat=str(rng.choice(["cat", "cat", "concat", "concatenate"])),
                dim=str(rng.choice(["positive", "negative"])))  # fmt: skip
    low, high = {1: (40, 200), 2: (17, 70), 3: (12, 26)}[d]
    if family == "crop_skip":
        low = {1: 60, 2: 44, 3: 30}[d]  # valid convolutions: room for two of them per level
        high = low + 40
    step = 2 ** (levels - 1)  # a multiple of it goes down and up whole with most of the layers
    sizes = {int(v) | 1 for v in rng.integers(low, high, size=2)} | {int(rng.integers(low, high))}
    sizes = sorted(sizes | {step * int(rng.integers(low // step + 1, high // step + 1))})
    return spec, [[1, 1, *([size] * d)] for size in sizes]


def torch_verdict(torch, model, input_shape):
    """What torch does with the model: its output shape, or which concatenation refused and torch's message."""
    overrides = torch.overrides
    started = [0]
    cats = {torch.cat, torch.concat, torch.concatenate}

    class Count(overrides.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            if func in cats:
                started[0] += 1
            return func(*args, **(kwargs or {}))

    try:
        with torch.no_grad(), Count():
            output = model(torch.zeros(input_shape))
    except RuntimeError as error:
        message = str(error).splitlines()[0]
        assert "Sizes of tensors must match" in message, message
        return dict(ok=False, cat=started[0] - 1, message=message)
    return dict(ok=True, output=list(output.shape))


def main():
    import torch

    sys.path.insert(0, ROOT)
    from deconvlib.doctor.torch_reader import torch_calls

    assert torch.__version__.split("+")[0] == TORCH_VERSION, torch.__version__
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    models = []
    for index in range(MODELS):
        spec, inputs = random_spec(rng, index)
        model = build(torch, spec).eval()
        cases = []
        for input_shape in inputs:
            verdict = torch_verdict(torch, model, input_shape)
            if verdict["ok"] is False and spec["family"] == "crop_skip":
                continue  # a skip smaller than its up: not what the original U-Net's crop is for
            cases.append(dict(input=input_shape, calls=torch_calls(model, input_shape), torch=verdict))
        models.append(dict(spec, cases=cases))
    meta = dict(generator="tests/data/doctor/make_torch_cat_skip_fixtures.py", torch_version=torch.__version__)
    with open(os.path.join(HERE, "torch_cat_skips.json"), "w", encoding="utf-8") as f:
        json.dump(dict(meta, models=models), f, separators=(",", ":"))
        f.write("\n")
    cases = [case for model in models for case in model["cases"]]
    refused = sum(not case["torch"]["ok"] for case in cases)
    print(f"{len(models)} U-Nets, {len(cases)} runs ({refused} refused by torch's cat)")


if __name__ == "__main__":
    main()
