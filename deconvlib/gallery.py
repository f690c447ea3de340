"""The gallery: the guide's animations regenerated from the library, and what it lacks.

One data table drives every animation, as in vdumoulin/conv_arithmetic
(``bin/generate_makefile``): each row of :data:`FORWARD` is a forward
convolution with the guide's parameters, and :data:`CASES` puts its
``_transposed`` twin after it — the transposed convolution with the same
``k``, ``s``, ``p`` whose input is the row's output, so it maps ``o`` back to
``i`` (``output_padding`` is the guide's ``a = (i + 2p − k̂) mod s``). The last
rows are cases the guide does not draw: ``output_padding`` > 1, asymmetric
padding, dilation with strides, and the common exact 2× upsampling.

:func:`relationship` and :func:`explain` name the guide's relationship
(Dumoulin & Visin 2016, arXiv:1603.07285, relationships 1–15) that gives the
output size of a case and write its arithmetic out step by step;
:func:`render` and :func:`write_index` make the GIFs and their index.
"""
from dataclasses import dataclass, replace
from pathlib import Path

from ._validate import as_pair, as_padding
from .arithmetic import conv_output_size, conv_transpose_output_size, effective_kernel

__all__ = ["Case", "FORWARD", "CASES", "find_case", "relationship", "explain", "render", "write_index"]


@dataclass(frozen=True)
class Case:
    """One animation of the gallery: a named, titled set of parameters.

    ``input_size`` and ``kernel_size`` may be ints or ``(rows, cols)``;
    ``padding`` an int, ``(rows, cols)`` or ``(top, bottom, left, right)``.
    """

    name: str
    title: str
    transposed: bool
    input_size: object
    kernel_size: object
    stride: object = 1
    padding: object = 0
    output_padding: object = 0
    dilation: object = 1
    in_guide: bool = True

    @property
    def parameters(self):
        """Keyword arguments for :func:`deconvlib.animate`."""
        return dict(transposed=self.transposed, input_size=self.input_size, kernel_size=self.kernel_size,
                    stride=self.stride, padding=self.padding, output_padding=self.output_padding,
                    dilation=self.dilation)

    @property
    def output_size(self):
        """``(rows, cols)`` of the output.

        >>> find_case("padding_strides_odd").output_size, find_case("padding_strides_odd_transposed").output_size
        ((3, 3), (6, 6))
        """
        return tuple(_axis_output(**axis) for axis in _axes(**self.parameters))

    @property
    def n_frames(self):
        """One frame per kernel position, i.e. per output cell."""
        rows, cols = self.output_size
        return rows * cols

    def twin(self):
        """The transposed convolution that maps this forward case's output back to its input.

        >>> find_case("padding_strides_odd").twin() == find_case("padding_strides_odd_transposed")
        True
        """
        if self.transposed:
            raise ValueError(f"{self.name} is already transposed")
        axes = _axes(**self.parameters)
        size = tuple(_axis_output(**axis) for axis in axes)
        extra = tuple((a["i"] + a["before"] + a["after"] - effective_kernel(a["k"], a["d"])) % a["s"] for a in axes)
        square = lambda pair: pair[0] if pair[0] == pair[1] else pair  # noqa: E731
        return replace(self, name=self.name + "_transposed", title=self.title + ", transposed", transposed=True,
                       input_size=square(size), output_padding=square(extra),
                       in_guide=self.in_guide and self.dilation == 1)

    def command(self):
        """The ``python -m deconvlib animate`` line that draws this case alone."""
        def text(value):
            return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
        parts = ["python -m deconvlib animate"] + (["--transposed"] if self.transposed else [])
        parts += [f"--input {text(self.input_size)}", f"--kernel {text(self.kernel_size)}"]
        for flag, value, default in (("--stride", self.stride, 1), ("--padding", self.padding, 0),
                                     ("--output-padding", self.output_padding, 0),
                                     ("--dilation", self.dilation, 1)):
            if value != default:
                parts.append(f"{flag} {text(value)}")
        return " ".join(parts + [f"-o {self.name}.gif"])


def _axes(transposed, input_size, kernel_size, stride, padding, output_padding, dilation):
    """The parameters split per axis: ``[rows, cols]``, each a dict ``i k s before after a d``."""
    pads = as_padding(padding)
    return [
        dict(transposed=transposed, i=i, k=k, s=s, before=before, after=after, a=a, d=d)
        for i, k, s, (before, after), a, d in zip(
            as_pair(input_size, "input size", minimum=1), as_pair(kernel_size, "kernel size", minimum=1),
            as_pair(stride, "stride", minimum=1), (pads[:2], pads[2:]),
            as_pair(output_padding, "output_padding"), as_pair(dilation, "dilation", minimum=1))
    ]


def _axis_output(transposed, i, k, s, before, after, a, d):
    if transposed:
        return conv_transpose_output_size(i, k, s, (before, after), a, d)
    if a:
        raise ValueError(f"output_padding applies to a transposed convolution only, got output_padding={a}")
    return conv_output_size(i, k, s, (before, after), d)


#: The forward rows: the guide's eight animations with its parameters, then four it lacks.
FORWARD = (
    Case("no_padding_no_strides", "No padding, no strides", False, 4, 3),
    Case("arbitrary_padding_no_strides", "Arbitrary padding, no strides", False, 5, 4, padding=2),
    Case("same_padding_no_strides", "Half (same) padding, no strides", False, 5, 3, padding=1),
    Case("full_padding_no_strides", "Full padding, no strides", False, 5, 3, padding=2),
    Case("no_padding_strides", "No padding, strides", False, 5, 3, stride=2),
    Case("padding_strides", "Padding, strides", False, 5, 3, stride=2, padding=1),
    Case("padding_strides_odd", "Padding, strides (odd)", False, 6, 3, stride=2, padding=1),
    Case("dilation", "Dilation", False, 7, 3, dilation=2),
    Case("output_padding_strides", "Stride 3, two rows and columns left over", False,
         9, 3, stride=3, padding=1, in_guide=False),
    Case("asymmetric_padding_strides", "Asymmetric padding (TensorFlow 'same', stride 2)", False,
         6, 3, stride=2, padding=(0, 1, 0, 1), in_guide=False),
    Case("dilation_strides", "Dilation with strides", False, 7, 3, stride=2, padding=1, dilation=2,
         in_guide=False),
    Case("upsampling_2x", "Kernel 4, stride 2, padding 1: exactly 2x (DCGAN)", False, 6, 4, stride=2, padding=1,
         in_guide=False),
)

#: Every animation: each forward row followed by its ``_transposed`` twin.
CASES = tuple(case for row in FORWARD for case in (row, row.twin()))


def find_case(name):
    """The case called ``name``.

    >>> find_case("dilation").dilation
    2
    """
    for case in CASES:
        if case.name == name:
            return case
    raise ValueError(f"case must be one of {', '.join(c.name for c in CASES)}; got {name!r}")


# --- the guide's relationships ---------------------------------------------------


def _axis_relationship(transposed, i, k, s, before, after, a, d):
    p = (before + after) / 2
    if not transposed:
        if d > 1:
            return 15, "dilated convolution", "o = ⌊(i + 2p − k − (k − 1)(d − 1)) / s⌋ + 1"
        if s == 1:
            if p == 0:
                return 1, "no zero padding, unit strides", "o = (i − k) + 1"
            if k % 2 == 1 and p == k // 2:
                return 3, "half (same) padding, unit strides", "o = i"
            if p == k - 1:
                return 4, "full padding, unit strides", "o = i + (k − 1)"
            return 2, "zero padding, unit strides", "o = (i − k) + 2p + 1"
        if p == 0:
            return 5, "no zero padding, non-unit strides", "o = ⌊(i − k) / s⌋ + 1"
        return 6, "zero padding, non-unit strides", "o = ⌊(i + 2p − k) / s⌋ + 1"
    if d > 1:
        return 14, ("transposed and dilated: the guide covers dilation only forward (relationship 15); "
                    "relationship 14 holds with the dilated kernel k̂ = d(k − 1) + 1 in place of k"), \
            "o′ = s(i′ − 1) + a + k̂ − 2p"
    if s == 1:
        if p == 0:
            return 8, "no zero padding, unit strides, transposed", "o′ = i′ + (k − 1)"
        if k % 2 == 1 and p == k // 2:
            return 10, "half (same) padding, transposed", "o′ = i′"
        if p == k - 1:
            return 11, "full padding, transposed", "o′ = i′ − (k − 1)"
        return 9, "zero padding, unit strides, transposed", "o′ = i′ + (k − 1) − 2p"
    if a:
        return 14, "zero padding, non-unit strides, transposed (the odd case, a = output_padding)", \
            "o′ = s(i′ − 1) + a + k − 2p"
    if p == 0:
        return 12, "no zero padding, non-unit strides, transposed", "o′ = s(i′ − 1) + k"
    return 13, "zero padding, non-unit strides, transposed", "o′ = s(i′ − 1) + k − 2p"


def relationship(transposed=False, input_size=4, kernel_size=3, stride=1, padding=0, output_padding=0,
                 dilation=1):
    """The guide's relationship for each axis: ``[(number, name, formula), ...]`` (rows, cols).

    >>> relationship(True, 2, 3)[0][:2]
    (8, 'no zero padding, unit strides, transposed')
    >>> [r[0] for r in relationship(True, 3, 3, stride=2, padding=1, output_padding=(1, 0))]
    [14, 13]
    """
    axes = _axes(transposed, input_size, kernel_size, stride, padding, output_padding, dilation)
    for axis in axes:
        _axis_output(**axis)  # raises, naming the parameter, if the case is impossible
    return [_axis_relationship(**axis) for axis in axes]


def _explain_axis(transposed, i, k, s, before, after, a, d):
    ek = effective_kernel(k, d)
    lines = [f"1. dilated kernel   k̂ = d·(k − 1) + 1 = {d}·({k} − 1) + 1 = {ek}"
             + ("" if d > 1 else "  (no dilation: k̂ = k)")]
    p_text = f"p = {before}" if before == after else f"p = {before} before, {after} after"
    if not transposed:
        padded = i + before + after
        o = conv_output_size(i, k, s, (before, after), d)
        left = (padded - ek) % s
        lines += [
            f"2. padded input     i + p_before + p_after = {i} + {before} + {after} = {padded}",
            f"3. output           ⌊(padded − k̂) / s⌋ + 1 = ⌊({padded} − {ek}) / {s}⌋ + 1 = {o} kernel positions"
            + (f"  ({left} row(s)/column(s) at the end never covered)" if left else ""),
        ]
        return lines, o, f"i = {i}, k = {k}, s = {s}, {p_text}, d = {d}"
    dilated = s * (i - 1) + 1
    sweep_before, sweep_after = ek - 1 - before, ek - 1 - after
    padded = dilated + sweep_before + sweep_after + a
    o = conv_transpose_output_size(i, k, s, (before, after), a, d)
    crop = " (negative: crops)" if min(sweep_before, sweep_after) < 0 else ""
    lines += [
        f"2. zeros inserted   s·(i′ − 1) + 1 = {s}·({i} − 1) + 1 = {dilated}  ({s - 1} zero(s) between neighbours)",
        f"3. padded grid      + (k̂ − 1 − p) on each side + a at the end = {dilated} + {sweep_before} + "
        f"{sweep_after} + {a} = {padded}{crop}",
        f"4. output           padded − k̂ + 1 = {padded} − {ek} + 1 = {o} positions of a stride-1 sweep",
        f"                    = s·(i′ − 1) + a + k̂ − p_before − p_after = {s}·{i - 1} + {a} + {ek} − {before} − "
        f"{after} = {o}",
    ]
    return lines, o, f"i′ = {i}, k = {k}, s = {s}, {p_text}, output_padding a = {a}, d = {d}"


def explain(transposed=False, input_size=4, kernel_size=3, stride=1, padding=0, output_padding=0, dilation=1):
    """The shape arithmetic of one case, step by step, as text.

    Dilated kernel, (for a transposed convolution) the input with zeros
    inserted, the padded grid, the output size, the guide's relationship
    that gives it, and the twin that maps the output back.

    Raises
    ------
    ValueError
        Naming the parameter, when the case is impossible.

    >>> print(explain(True, 3, 3, stride=2, padding=1, output_padding=1))  # doctest: +ELLIPSIS
    Transposed convolution, rows and columns alike: i′ = 3, k = 3, s = 2, p = 1, output_padding a = 1, d = 1
    1. dilated kernel   k̂ = d·(k − 1) + 1 = 1·(3 − 1) + 1 = 3  (no dilation: k̂ = k)
    2. zeros inserted   s·(i′ − 1) + 1 = 2·(3 − 1) + 1 = 5  (1 zero(s) between neighbours)
    3. padded grid      + (k̂ − 1 − p) on each side + a at the end = 5 + 1 + 1 + 1 = 8
    4. output           padded − k̂ + 1 = 8 − 3 + 1 = 6 positions of a stride-1 sweep
                        = s·(i′ − 1) + a + k̂ − p_before − p_after = 2·2 + 1 + 3 − 1 − 1 = 6
    Output: 6×6
    Guide: relationship 14, zero padding, non-unit strides, transposed (the odd case, a = output_padding): o′ = s(i′ − 1) + a + k − 2p
    Back: the convolution with the same k, s, p, d maps 6×6 to 3×3 (relationship 6).
    """
    params = dict(transposed=transposed, input_size=input_size, kernel_size=kernel_size, stride=stride,
                  padding=padding, output_padding=output_padding, dilation=dilation)
    axes = _axes(**params)
    relations = relationship(**params)
    kind = "Transposed convolution" if transposed else "Convolution"
    explained = [_explain_axis(**axis) for axis in axes]
    out = []
    if explained[0][0] == explained[1][0] and explained[0][2] == explained[1][2]:
        out.append(f"{kind}, rows and columns alike: {explained[0][2]}")
        out += explained[0][0]
    else:
        out.append(f"{kind}, each axis on its own:")
        for label, (lines, _, header) in zip(("Rows", "Columns"), explained):
            out.append(f"{label}: {header}")
            out += ["  " + line for line in lines]
    size = f"{explained[0][1]}×{explained[1][1]}"
    out.append(f"Output: {size}")
    for label, (number, name, formula) in zip(("rows", "columns"), relations):
        where = "" if relations[0] == relations[1] else f" ({label})"
        if where or label == "rows":
            out.append(f"Guide{where}: relationship {number}, {name}: {formula}")
    if any(axis["before"] != axis["after"] for axis in axes):
        out.append("       (the guide pads both sides equally; read 2p as p_before + p_after)")
    given = f"{axes[0]['i']}×{axes[1]['i']}"
    if transposed:
        back = [conv_output_size(o, a["k"], a["s"], (a["before"], a["after"]), a["d"])
                for (_, o, _), a in zip(explained, axes)]
        number = relationship(False, tuple(e[1] for e in explained), kernel_size, stride, padding, 0, dilation)[0][0]
        note = "" if back == [a["i"] for a in axes] else " (not the input: output_padding is not below the stride)"
        out.append(f"Back: the convolution with the same k, s, p, d maps {size} to {back[0]}×{back[1]}"
                   f"{note} (relationship {number}).")
    else:
        twin = Case("", "", False, input_size, kernel_size, stride, padding, 0, dilation).twin()
        extra = twin.output_padding
        note = f" and output_padding {extra}" if extra not in (0, (0, 0)) else ""
        out.append(f"Back: the transposed convolution with the same k, s, p, d{note} maps {size} back to {given}.")
    return "\n".join(out)


# --- rendering ---------------------------------------------------------------------


def render(case, directory, fps=2, progress=None):
    """Write ``case`` as ``directory/<name>.gif``; return ``(path, frames, bytes)``."""
    from .animation import animate, save

    anim = animate(**case.parameters, fps=fps, title=case.title)
    path = save(anim, Path(directory) / f"{case.name}.gif", progress=progress)
    return path, anim.frame_count, path.stat().st_size


def _parameter_text(case):
    def text(value):
        return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
    (rows, cols), parts = case.output_size, [f"i={text(case.input_size)}", f"k={text(case.kernel_size)}",
                                             f"s={text(case.stride)}", f"p={text(case.padding)}"]
    if case.transposed:
        parts.append(f"output_padding={text(case.output_padding)}")
    if case.dilation != 1:
        parts.append(f"d={text(case.dilation)}")
    return ", ".join(parts) + f" → o={rows}×{cols}"


def write_index(directory, cases=CASES):
    """Write ``index.md`` and ``index.html`` listing every GIF with its parameters; return their paths."""
    directory = Path(directory)
    sections = (("Convolutions of the guide", lambda c: c.in_guide and not c.transposed),
                ("Transposed convolutions of the guide", lambda c: c.in_guide and c.transposed),
                ("Beyond the guide", lambda c: not c.in_guide))
    md = ["# Gallery: convolution arithmetic, drawn by deconvlib", "",
          "Regenerate with `python -m deconvlib gallery docs/gallery`. Each case of Dumoulin & Visin's guide",
          "(vdumoulin/conv_arithmetic) with its parameters, its `_transposed` twin (same k, s, p; it maps the",
          "output back to the input), and cases the guide lacks. One frame per output cell: blue input,",
          "white inserted zeros, grey padding, orange kernel window, cyan output, red the cell being written.", ""]
    html = ["<!doctype html><meta charset='utf-8'><title>deconvlib gallery</title>",
            "<style>body{font-family:sans-serif;max-width:70em;margin:auto}figure{display:inline-block;"
            "margin:.5em;vertical-align:top;max-width:32em}figcaption{font-size:.85em}code{font-size:.85em}</style>",
            "<h1>Gallery: convolution arithmetic, drawn by deconvlib</h1>",
            "<p>Regenerate with <code>python -m deconvlib gallery docs/gallery</code>.</p>"]
    for heading, keep in sections:
        chosen = [c for c in cases if keep(c)]
        if not chosen:
            continue
        md += [f"## {heading}", "", "| Animation | Case | Parameters | Frames |", "|---|---|---|---|"]
        html.append(f"<h2>{heading}</h2>")
        for c in chosen:
            md.append(f"| ![{c.name}]({c.name}.gif) | **{c.title}**<br>`{c.name}` | {_parameter_text(c)}"
                      f"<br>`{c.command()}` | {c.n_frames} |")
            html.append(f"<figure><img src='{c.name}.gif' alt='{c.name}'><figcaption><b>{c.title}</b> "
                        f"(<code>{c.name}</code>)<br>{_parameter_text(c)}<br><code>{c.command()}</code>"
                        f"</figcaption></figure>")
        md.append("")
    paths = directory / "index.md", directory / "index.html"
    paths[0].write_text("\n".join(md), encoding="utf-8")
    paths[1].write_text("\n".join(html) + "\n", encoding="utf-8")
    return paths
