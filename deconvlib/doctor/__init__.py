"""The decoder doctor: point deconvlib at a whole decoder and see its convolution arithmetic.

``dl.doctor(model_or_layers, input_shape, target=..., pairs=...)`` follows a
stack of transposed convolutions, convolutions and pools, with the upsampling,
padding and cropping layers between them and a projection (``linear`` →
``reshape``) before them or a ``flatten`` → ``linear`` after them — a plain
list of layer dicts (:mod:`deconvlib.doctor.layers`), a PyTorch ``nn.Module``
(:mod:`deconvlib.doctor.torch_reader`: read in ``forward`` order from one run
on zeros, with the model's own torch; deconvlib never imports torch on its
own), a Keras config or an ONNX model — and returns a :class:`Report`: per layer the input and output sizes, the
three stages in numbers (inserted zeros, padding, crop), the overlap pattern
per axis and the layer's checkerboard risk; for the stack, the overlap map of
a constant input pushed through every layer (computed); for named U-Net
pairs, whether each encoder size comes back; for a wanted output size, the
``(padding, output_padding)`` of the last transposed layer, or the explicit
crop. :func:`~deconvlib.doctor.messages.explain_error` reads the frameworks'
error messages. The command line: ``python -m deconvlib doctor FILE --input
1x100x1x1 --target 64x64``.

Modules: :mod:`~deconvlib.doctor.layers` (the layer list, checked),
:mod:`~deconvlib.doctor.stack` (the arithmetic of a stack),
:mod:`~deconvlib.doctor.messages` (the error-message table),
:mod:`~deconvlib.doctor.torch_reader` (PyTorch models), and here the report.

>>> import deconvlib as dl
>>> up = {"kind": "conv_transpose", "kernel": 4, "stride": 2, "padding": 1, "channels": 3}
>>> report = dl.doctor([up], (1, 64, 32, 32), target=(64, 64))
>>> report.output_shape, report.layers[0]["overlap"], report.layers[0]["risk"]
((1, 3, 64, 64), [[2, 2], [2, 2]], 'none')
"""

import html
import json
import sys
import types

from ..arithmetic import effective_kernel
from ..errors import ParameterError
from .keras_reader import is_keras_config, keras_layout, read_keras_config
from .layers import SHAPE_KINDS, LayerSpec, parse_layers, parse_shape, shape_output
from .messages import MESSAGES, Explanation, explain_error
from .onnx_reader import is_onnx_model, is_onnx_nodes, read_onnx
from .stack import fix_for_target, overlap_axes, overlap_map, round_trip, round_trip_sizes, stack_shapes, stages
from .torch_reader import is_torch_module, read_torch_model

__all__ = [
    "doctor",
    "Report",
    "LayerSpec",
    "explain_error",
    "Explanation",
    "MESSAGES",
    "load_layers",
    "risk_of",
    "keras_terms",
]


def risk_of(patterns):
    """A layer's checkerboard risk from its overlap patterns: ``"none"``, ``"holes"`` or ``"uneven x:y"``.

    ``"holes"``: some outputs get no kernel tap at all (stride larger than
    the kernel, or a dilation that skips phases); ``"uneven 2:1"``: the
    largest and smallest counts of a period (the contrast of the pattern it
    paints on a flat input).

    Examples
    --------
    >>> risk_of([[2, 1]]), risk_of([[2, 2], [1, 1]]), risk_of([[1, 0]])
    ('uneven 2:1', 'none', 'holes')
    """
    if patterns is None:
        return "-"
    flat = [v for p in patterns for v in p]
    if min(flat) == 0:
        return "holes"
    ratio = max(max(p) / min(p) for p in patterns)
    if ratio == 1:
        return "none"
    high = max(max(p) for p in patterns if max(p) / min(p) == ratio)
    low = min(min(p) for p in patterns if max(p) / min(p) == ratio)
    return f"uneven {high}:{low}"


def load_layers(path):
    """Read a layer list from a JSON file: a list of layer dicts, or ``{"layers": [...], "pairs": [...]}``.

    Returns
    -------
    layers : list of dict
    options : dict
        ``pairs``, ``input``, ``target`` when the file gives them.

    Raises
    ------
    ParameterError
        ``"file"`` for a file that is not such JSON (naming the line).
    """
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except json.JSONDecodeError as error:
        raise ParameterError(f"{path}: not JSON ({error.msg} at line {error.lineno})", "file") from None
    if isinstance(data, list):
        return data, {}
    if is_keras_config(data):
        return data, {}
    if isinstance(data, dict) and isinstance(data.get("layers"), list):
        unknown = sorted(set(data) - {"layers", "pairs", "input", "target"})
        if unknown:
            raise ParameterError(f"{path}: unknown key {unknown[0]!r} (keys: layers, pairs, input, target)", "file")
        return data["layers"], {k: data[k] for k in ("pairs", "input", "target") if k in data}
    raise ParameterError(
        f'{path}: must hold a list of layers or {{"layers": [...]}}, got {type(data).__name__}', "file"
    )


def doctor(model_or_layers, input_shape=None, target=None, pairs=None, overlap=True):
    """Diagnose a decoder: shapes, stages, overlap and checkerboard, U-Net round trips, the fix for a size.

    Parameters
    ----------
    model_or_layers : list of dict, torch.nn.Module, Keras config, or ONNX model
        The layers in order (see :mod:`deconvlib.doctor.layers`); a
        PyTorch model (its layers in the order ``forward`` calls them, from
        one run on zeros of ``input_shape``; in registration order, with a
        note in the report, where it cannot run:
        :mod:`~deconvlib.doctor.torch_reader`); a Keras model's config (``model.to_json()``,
        as text or parsed: :mod:`~deconvlib.doctor.keras_reader`); an ONNX
        model (a path, an ``onnx.ModelProto``, or its nodes as data:
        :mod:`~deconvlib.doctor.onnx_reader`).
    input_shape : tuple of int or str, optional
        ``(n, c, *spatial)``, PyTorch's and ONNX's layout (``"1x100x1x1"``),
        or Keras's ``(n, *spatial, c)`` for a Keras config (``(n, c,
        *spatial)`` for a ``channels_first`` one): 1, 2 or 3 spatial axes;
        ``(n, features)`` for a stack led by a projection. Optional for a
        Keras config or an ONNX model that gives it.
    target : tuple of int or str, optional
        The spatial output size wanted (``"64x64"``).
    pairs : sequence of (str, str), optional
        U-Net pairs ``(encoder layer, decoder layer)``: the decoder layer's
        output should have the encoder layer's input size. Layers with
        ``skip_from`` add their pair.
    overlap : bool, default True
        Compute the stack's overlap map (costs one pass of the stack with one channel).

    Returns
    -------
    Report

    Raises
    ------
    ParameterError
        For a bad layer (``parameter`` ``"layers[<i>].<field>"``), a layer
        the input cannot go through (the same, naming the field), a bad
        ``input_shape``, ``target`` or ``pairs``.
    """
    skipped, layout, framework, reader_note = [], "channels_first", "torch", None
    if is_torch_module(model_or_layers):
        layers, skipped, reader_note = read_torch_model(model_or_layers, input_shape)
        source = "torch"
    elif is_keras_config(model_or_layers):
        layers, keras_input, skipped = read_keras_config(model_or_layers)
        source, layout, framework = "keras", keras_layout(model_or_layers), "keras"
        input_shape = keras_input if input_shape is None else input_shape
    elif is_onnx_nodes(model_or_layers) or is_onnx_model(model_or_layers):
        layers, onnx_input = read_onnx(model_or_layers)
        source, framework = "onnx", "onnx"
        input_shape = onnx_input if input_shape is None else input_shape
    else:
        layers, source = model_or_layers, "layers"
    if input_shape is None:
        raise ParameterError("input_shape is needed: (n, c, *spatial), e.g. (1, 100, 1, 1)", "input_shape")
    input_shape = parse_shape(input_shape)
    head, tail = _head_and_tail(layers)
    if not 3 <= len(input_shape) <= 5 and not (head and len(input_shape) >= 2):
        order = "(n, c, w), (n, c, h, w) or (n, c, d, h, w)"
        if layout == "channels_last":
            order = "(n, w, c), (n, h, w, c) or (n, d, h, w, c)"
        raise ParameterError(f"input_shape must be {order}, got {input_shape}", "input_shape")
    if layout == "channels_last":  # the doctor counts (n, c, *spatial) inside, and shows the framework's layout
        input_shape = (input_shape[0], input_shape[-1], *input_shape[1:-1])
    # the head (a projection: linear, reshape) is followed for its shape, up to the first spatial layer
    shapes = [input_shape]
    for index, spec in enumerate(parse_layers(list(layers)[:head], 0, framework) if head else []):
        shapes.append(shape_output(spec, shapes[-1], index))
    if not 3 <= len(shapes[-1]) <= 5:
        raise ParameterError(
            f"layer {head - 1}, shape: gives {shapes[-1]}, but the layer after it needs (n, c, *spatial) with 1, 2 "
            "or 3 spatial axes",
            f"layers[{head - 1}].shape",
        )
    body_input = shapes[-1]
    dims = len(body_input) - 2
    spatial = body_input[2:]
    all_specs, sizes = _follow(layers, dims, spatial, framework, head, tail)
    specs = all_specs[head : len(all_specs) - tail]
    # channels into each layer and out of it; a skip_from layer's output is joined with its skip's channels
    channels_in, channels_out = [body_input[1]], []
    where = {spec.name: index for index, spec in enumerate(specs)}
    for index, spec in enumerate(specs):
        if spec.skip_from and spec.skip_from not in where:
            raise ParameterError(
                f"layer {head + index}, skip_from: {spec.skip_from!r} is not a spatial layer",
                f"layers[{head + index}].skip_from",
            )
        channels_out.append(spec.channels if spec.channels is not None else channels_in[-1])
        joined = channels_in[where[spec.skip_from]] if spec.skip_from else 0
        channels_in.append(channels_out[-1] + joined)
    rows = [_shape_row(index, spec, shapes[index], shapes[index + 1]) for index, spec in enumerate(all_specs[:head])]
    for index, spec in enumerate(specs):
        patterns = overlap_axes(spec)
        rows.append(
            dict(
                index=head + index,
                name=spec.name,
                layer=spec.describe(),
                kind=spec.kind,
                input=(body_input[0], channels_in[index], *sizes[index]),
                output=(body_input[0], channels_out[index], *sizes[index + 1]),
                stages=stages(spec, sizes[index]),
                overlap=patterns,
                risk=risk_of(patterns),
            )
        )
    shape = rows[-1]["output"]
    for offset, spec in enumerate(all_specs[len(all_specs) - tail :]):
        index = len(all_specs) - tail + offset
        rows.append(_shape_row(index, spec, shape, shape_output(spec, shape, index)))
        shape = rows[-1]["output"]
    pairs = [tuple(p) for p in (pairs or [])] + [(s.skip_from, s.name) for s in specs if s.skip_from]
    for pair in pairs:
        if len(pair) != 2 or not all(isinstance(n, str) for n in pair):
            raise ParameterError(f"pairs must be (encoder, decoder) layer names, got {pair!r}", "pairs")
    trips = round_trip(specs, spatial, pairs) if pairs else []
    trip_sizes = round_trip_sizes(specs, pairs, dims, up_to=max(256, max(spatial))) if pairs else None
    fix = None
    if target is not None:
        target = parse_shape(target, "target")
        fix = fix_for_target(specs, spatial, target)
        fix["layer"] += head
    counts, why = None, None
    if overlap:
        try:
            counts = overlap_map(specs, spatial)
        except ParameterError as error:  # past the budget, or a layer the library's convolutions refuse (ONNX's)
            why = str(error).splitlines()[0]
    return Report(
        specs=all_specs,
        input_shape=input_shape,
        rows=rows,
        target=target,
        fix=fix,
        round_trips=trips,
        round_trip_sizes=trip_sizes,
        overlap_map=counts,
        skipped=skipped,
        source=source,
        layout=layout,
        map_note=why,
        spatial=spatial,
        reader_note=reader_note,
    )


def _kind(layer):
    return layer.kind if isinstance(layer, LayerSpec) else layer.get("kind") if isinstance(layer, dict) else None


def _head_and_tail(layers):
    """How many layers of the shape kinds (linear, flatten, reshape) lead the stack and end it.

    One between two spatial layers is refused, naming it: the doctor follows
    the spatial axes of a single map, which such a layer does not keep.
    """
    if isinstance(layers, (str, bytes, dict)) or not hasattr(layers, "__iter__"):
        return 0, 0
    kinds = [_kind(layer) for layer in layers]
    spatial = [index for index, kind in enumerate(kinds) if kind not in SHAPE_KINDS]
    if not spatial:
        return 0, 0  # parse_layers names what is missing
    first, last = spatial[0], spatial[-1]
    for index in range(first, last):
        if kinds[index] in SHAPE_KINDS:
            raise ParameterError(
                f"layer {index}, kind: a {kinds[index]} layer between spatial layers is not followed (only at the "
                "head of the stack, as a projection, or at its tail)",
                f"layers[{index}].kind",
            )
    return first, len(kinds) - 1 - last


def _shape_row(index, spec, shape_in, shape_out):
    """A report row of a linear, flatten or reshape layer: its shapes only."""
    return dict(
        index=index, name=spec.name, layer=spec.describe(), kind=spec.kind, input=tuple(shape_in),
        output=tuple(shape_out), stages=None, overlap=None, risk="-",
    )  # fmt: skip


def _follow(layers, dims, spatial, framework="torch", head=0, tail=0):
    """Check the layers and follow the input through the spatial ones; the first layer in the stack's order that
    fails is named.

    A layer whose numbers are wrong in themselves (an ``output_padding`` too
    large) is blamed only if the input reaches it: a layer before it that
    cannot take its input is the first error, as in the framework.
    """
    try:
        specs = parse_layers(layers, dims, framework)
    except ParameterError as error:
        bad = error.parameter.split("]")[0].removeprefix("layers[")
        if bad.isdigit() and int(bad) > head:  # an earlier failure wins
            earlier = parse_layers(list(layers)[: int(bad)], dims, framework)[head:]
            stack_shapes([spec for spec in earlier if spec.kind not in SHAPE_KINDS], spatial, head)
        raise
    return specs, stack_shapes(specs[head : len(specs) - tail], spatial, head)


def keras_terms(spec, input_size, size):
    """The Keras arguments that give ``size`` from ``input_size`` for a transposed layer's kernel and strides.

    One ``padding`` for every axis, as Keras has: ``'same'`` (``i·s``), else
    ``'valid'`` or ``'same'`` with an ``output_padding`` per axis, else
    ``'valid'`` followed by a ``CroppingND`` layer.

    Examples
    --------
    >>> spec = parse_layers([{"kind": "conv_transpose", "kernel": 3, "stride": 2}], 2, "keras")[0]
    >>> keras_terms(spec, (16, 16), (32, 32)), keras_terms(spec, (16, 16), (33, 33))
    ("padding='same', output_padding=None", "padding='valid', output_padding=(0, 0)")
    >>> keras_terms(spec, (16, 16), (30, 30))
    "padding='valid', output_padding=None, then Cropping2D(((1, 2), (1, 2)))"
    """
    axes = list(zip(input_size, size, spec.kernel, spec.stride, spec.dilation))
    if all(o == i * s for i, o, k, s, d in axes):
        return "padding='same', output_padding=None"
    valid = [o - (s * (i - 1) + effective_kernel(k, d)) for i, o, k, s, d in axes]
    if all(0 <= v < s for v, (_, _, _, s, _) in zip(valid, axes)):
        return f"padding='valid', output_padding={tuple(valid)}"
    same = [o - (s * (i - 1) + effective_kernel(k, d) % 2) for i, o, k, s, d in axes]
    if all(0 <= v < s for v, (_, _, _, s, _) in zip(same, axes)):
        return f"padding='same', output_padding={tuple(same)}"
    crops = []
    for i, o, k, s, d in axes:
        full = s * (i - 1) + max(effective_kernel(k, d), s)
        if o > full:
            return f"no padding of Keras gives {tuple(size)}: the most 'valid' gives is {full} on an axis"
        crops.append(((full - o) // 2, full - o - (full - o) // 2))
    return f"padding='valid', output_padding=None, then Cropping{spec.dims}D({tuple(crops)})"


def _channels_last(shape):
    return (shape[0], *shape[2:], shape[1])


def _shape_text(shape):
    return "×".join(map(str, shape))


def _stage_text(stage_list):
    parts = []
    for s in stage_list:
        pad = s["pad"]
        pad_text = f"pad {max(pad[0], 0)},{max(pad[1], 0)}"
        crop = s["crop"]
        crop_text = f" crop {crop[0]},{crop[1]}" if any(crop) else ""
        parts.append(f"zeros {s['zeros']}, {pad_text}{crop_text}")
    if all(p == parts[0] for p in parts):
        return parts[0]
    return " | ".join(parts)


def _pattern_text(patterns):
    if patterns is None:
        return "-"
    texts = [",".join(map(str, p * (2 if len(p) < 4 else 1))) for p in patterns]
    if all(t == texts[0] for t in texts):
        return texts[0]
    return " | ".join(texts)


class Report:
    """What :func:`doctor` found: a text table (``str``), an HTML table (``_repr_html_``), and the data.

    Attributes
    ----------
    layers : list of dict
        Per layer: ``index``, ``name``, ``layer`` (its numbers as text),
        ``kind``, ``input`` and ``output`` shapes ``(n, c, *spatial)``,
        ``stages`` (per axis, from :func:`~deconvlib.doctor.stack.stages`;
        None for a ``linear``, ``flatten`` or ``reshape`` layer, whose shapes
        are whole: ``(n, features)``),
        ``overlap`` (one period per axis, None for a layer that is not
        transposed), ``risk`` (:func:`risk_of`).
    output_shape : tuple of int
    overlap_map : ndarray or None
    round_trips : list of dict
    round_trip_sizes : list of int or None
        The sizes (every axis alike) up to 256 for which every pair round-trips.
    fix : dict or None
        From :func:`~deconvlib.doctor.stack.fix_for_target`, with ``text``,
        the change in PyTorch's terms.
    skipped : list of str
    spatial : tuple of int
        The spatial input of the first spatial layer (after a projection).
    reader_note : str or None
        Why a PyTorch model's layers are in registration order (it could not be run).
    """

    def __init__(
        self, specs, input_shape, rows, target, fix, round_trips, round_trip_sizes, overlap_map, skipped, source,
        layout="channels_first", map_note=None, spatial=None, reader_note=None,
    ):  # fmt: skip
        self.specs = specs
        self.spatial = tuple(input_shape[2:]) if spatial is None else tuple(spatial)
        self.reader_note = reader_note
        self.map_note = map_note
        self.layout = layout
        if layout == "channels_last":  # the framework's own layout, (n, *spatial, c)
            input_shape = _channels_last(input_shape)
            for row in rows:
                row["input"], row["output"] = _channels_last(row["input"]), _channels_last(row["output"])
        self.input_shape = input_shape
        self.layers = rows
        self.target = target
        self.fix = fix
        if fix is not None:
            fix["text"] = self._fix_text(fix)
        self.round_trips = round_trips
        self.round_trip_sizes = round_trip_sizes
        self.overlap_map = overlap_map
        self.skipped = skipped
        self.source = source

    @property
    def output_shape(self):
        return self.layers[-1]["output"]

    def map_contrast(self):
        """The overlap map's largest over smallest value in its middle half (per axis); 1.0 means flat.

        ``inf`` when some middle cell gets nothing (holes). None without a map.
        """
        if self.overlap_map is None:
            return None
        middle = tuple(slice(n // 4, n - n // 4) if n >= 4 else slice(None) for n in self.overlap_map.shape)
        window = self.overlap_map[middle]
        low, high = float(window.min()), float(window.max())
        return float("inf") if low == 0 else high / low

    def _fix_text(self, fix):
        spec = self.specs[fix["layer"]]
        where = f"layer {fix['layer']} ({spec.name!r})"
        if spec.framework == "keras":
            return f"{where}: {keras_terms(spec, fix['input'], fix['size'])} gives {_shape_text(fix['size'])}"
        if spec.framework == "onnx":
            if fix["crop"] is None:
                begin, end = fix["padding"], fix["padding"]
            else:
                begin, end = [b for b, _ in fix["crop"]], [a for _, a in fix["crop"]]
            pads = [*begin, *end]
            ops = list(fix["output_padding"])
            return f"{where}: pads={pads}, output_padding={ops} (auto_pad NOTSET) gives {_shape_text(fix['size'])}"
        if fix["crop"] is None:
            p = fix["padding"][0] if len(set(fix["padding"])) == 1 else fix["padding"]
            op = fix["output_padding"][0] if len(set(fix["output_padding"])) == 1 else fix["output_padding"]
            return f"{where}: padding={p}, output_padding={op} gives {_shape_text(fix['size'])}"
        crops = ", ".join(f"[{b}:{b + o}]" for (b, _), o in zip(fix["crop"], fix["size"]))
        op = fix["output_padding"][0] if len(set(fix["output_padding"])) == 1 else fix["output_padding"]
        return (
            f"{where}: no symmetric padding gives {_shape_text(fix['size'])}; use padding=0, output_padding={op} "
            f"and crop the result to {crops}"
        )

    @property
    def data(self):
        """Everything, as plain Python values (the overlap map as nested lists)."""
        return dict(
            input_shape=self.input_shape,
            output_shape=self.output_shape,
            layers=self.layers,
            target=self.target,
            fix=self.fix,
            round_trips=self.round_trips,
            round_trip_sizes=self.round_trip_sizes,
            overlap_map=None if self.overlap_map is None else self.overlap_map.tolist(),
            map_contrast=self.map_contrast(),
            skipped=self.skipped,
            reader_note=self.reader_note,
        )

    def table(self):
        """The per-layer rows as text cells: ``#``, name, layer, in, out, stages, overlap, risk."""
        head = ("#", "name", "layer", "in", "out", "stages", "overlap", "risk")
        body = [
            (
                str(r["index"]),
                r["name"],
                r["layer"],
                _shape_text(r["input"]),
                _shape_text(r["output"]),
                _stage_text(r["stages"]) if r["kind"] == "conv_transpose" else "-",
                _pattern_text(r["overlap"]),
                r["risk"],
            )
            for r in self.layers
        ]
        return head, body

    def notes(self):
        """The report's sentences below the table: checkerboard, round trips, the fix, what was skipped."""
        lines = []
        risky = [r for r in self.layers if r["risk"] not in ("none", "-")]
        contrast = self.map_contrast()
        if risky:
            names = ", ".join(f"{r['index']} ({r['risk']})" for r in risky)
            lines.append(f"Checkerboard: uneven overlap in layer(s) {names}.")
        else:
            lines.append("Checkerboard: every transposed layer's overlap is even (kernel divisible by stride).")
        if self.map_note:
            lines.append(f"Overlap map not computed: {self.map_note}.")
        if contrast is not None:
            shown = "holes (cells no input reaches)" if contrast == float("inf") else f"{contrast:.3g}"
            lines.append(
                f"Overlap map of the stack (ones pushed through, {_shape_text(self.overlap_map.shape)}): "
                f"max/min in its middle = {shown}" + (" (flat)." if contrast == 1 else ".")
            )
        for trip in self.round_trips:
            verdict = "round-trips" if trip["ok"] else "does NOT round-trip"
            lines.append(
                f"U-Net pair {trip['encoder']} → {trip['decoder']}: skip {_shape_text(trip['skip'])}, "
                f"up {_shape_text(trip['up'])}: {verdict}."
            )
        if self.round_trip_sizes is not None and any(not t["ok"] for t in self.round_trips):
            good = self.round_trip_sizes
            size = max(self.spatial)
            near = [g for g in good if g < size][-4:] + [g for g in good if g >= size][:4]
            lines.append(
                f"Input sizes near {size} that round-trip (every axis alike): "
                + (", ".join(map(str, near)) if near else f"none up to {max(256, size)}")
                + "."
            )
        if self.fix is not None:
            lines.append(f"For {_shape_text(self.target)}: {self.fix['text']}.")
        if self.reader_note:
            lines.append(self.reader_note)
        if self.skipped:
            lines.append("Not followed (assumed to keep the size): " + ", ".join(self.skipped) + ".")
        return lines

    def __str__(self):
        head, body = self.table()
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [head, *body]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines + [""] + self.notes())

    def __repr__(self):
        shapes = f"{_shape_text(self.input_shape)} → {_shape_text(self.output_shape)}"
        return f"<doctor report: {len(self.layers)} layers, {shapes}>"

    def _repr_html_(self):
        head, body = self.table()
        cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in body)
        notes = "".join(f"<li>{html.escape(line)}</li>" for line in self.notes())
        return f"<table><thead><tr>{cells}</tr></thead><tbody>{rows}</tbody></table><ul>{notes}</ul>"


class _CallableModule(types.ModuleType):
    """This package, which calling calls :func:`doctor`: ``dl.doctor(layers, (1, 100, 1, 1))``."""

    def __call__(self, *args, **kwargs):
        return doctor(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
