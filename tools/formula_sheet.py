"""Write the one-page printable formula sheet: ``docs/formula_sheet.html``.

    python tools/formula_sheet.py [OUTPUT] [--check]

Everything a student needs on paper beside the notebooks: the output sizes of
a convolution, a transposed convolution and pooling; the three stages; "same"
padding; the overlap (checkerboard) rule; the two dilation conventions; and
one worked example whose numbers, figure and sums the library computes here,
when the sheet is written (``make formula-sheet``).

The page is self-contained: no script, no web font, no MathJax (formulas are
Unicode text), the figure is inline SVG drawn by deconvlib's own drawing path
(:meth:`deconvlib.viz.drawing.PanelFigure.to_svg`). It prints on one A4 or
Letter page (its print style sheet leaves a 190 × 259 mm area, the smaller of
the two), and it reads in greyscale: the figure's cells get a texture per kind
(:data:`PATTERNS`) over their colour, so kernel, output and padding stay apart
whatever the palette (:data:`deconvlib.viz.drawing.COLORS`) and however the
printer maps colours to grey.

``--check`` writes nothing and exits 1 when ``OUTPUT`` differs from what
would be written (the sheet is stale: the library or its drawing changed).
"""

import argparse
import html
import re
import sys
from pathlib import Path

import numpy as np

import deconvlib as dl
from deconvlib.course.explorers import example_input, example_kernel
from deconvlib.viz.drawing import COLORS, KIND_NAMES, TraceFigure

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "formula_sheet.html"

#: The worked example: the guide's "padding, strides (odd), transposed" (figure 4.7).
EXAMPLE = dict(size=3, kernel_size=3, stride=2, padding=1, output_padding=1, dilation=1)
#: The output cell whose sum the sheet writes out (and the figure's window shows).
EXAMPLE_CELL = (1, 1)

#: One texture per cell kind, drawn over its colour in the figures (SVG pattern content in a 6-px
#: tile). ``None``: plain colour. Only the inserted zeros (white, the lightest) stay plain: every
#: other kind differs from every other by its texture, so no two kinds can print as the same grey.
_LINE = 'stroke="#000" stroke-opacity="0.5" stroke-width="0.9"'
PATTERNS = {
    "zero": None,
    "input": '<circle cx="3" cy="3" r="1" fill="#000" fill-opacity="0.55"/>',
    "pad": None,  # the palette's own cue: white stripes (drawing.HATCHES)
    "kernel": f'<path d="M-1 7L7 -1M-1 1L1 -1M5 7L7 5M-1 -1L7 7M5 -1L7 1M-1 5L1 7" {_LINE}/>',  # crossed ×
    "output": f'<path d="M0 3H6" {_LINE}/>',  # horizontal lines
    "cropped": None,  # the palette's own cue: a dashed square in each cell (drawing.OUTLINES)
    "current": f'<path d="M-1 -1L7 7M5 -1L7 1M-1 5L1 7" {_LINE}/>',  # diagonal \
    "product": f'<path d="M0 3H6M3 0V6" {_LINE}/>',  # grid +
    "window": '<circle cx="3" cy="3" r="1.6" fill="none" stroke="#000" stroke-opacity="0.5" stroke-width="0.8"/>',
    "empty": '<circle cx="1.5" cy="1.5" r="0.6" fill="#000" fill-opacity="0.4"/>',
}

#: ``<path d=… fill="#rrggbb" …/>``: a run of same-coloured cells, or a legend swatch.
_FILLED_PATH = re.compile(r'<path d="([^"]*)" fill="(#[0-9a-f]{6})"[^>]*/>')


def kind_of_colour():
    """``{"#rrggbb": kind}`` for the kinds of :data:`COLORS` (the first kind wins a shared colour)."""
    found = {}
    for kind, colour in COLORS.items():
        found.setdefault(colour.lower(), kind)
    return found


def textured_svg(svg, prefix):
    """``svg`` with each cell kind's texture (:data:`PATTERNS`) laid over its colour; ids start with ``prefix``."""
    kinds = kind_of_colour()
    used = set()

    def overlay(match):
        kind = kinds.get(match.group(2))
        if kind is None or PATTERNS.get(kind) is None:
            return match.group(0)
        used.add(kind)
        return f'{match.group(0)}<path d="{match.group(1)}" fill="url(#{prefix}-{kind})" data-kind="{kind}"/>'

    body = _FILLED_PATH.sub(overlay, svg)
    defs = "".join(
        f'<pattern id="{prefix}-{kind}" width="6" height="6" patternUnits="userSpaceOnUse">{PATTERNS[kind]}</pattern>'
        for kind in sorted(used)
    )
    head_end = body.index(">") + 1  # after the opening <svg …>
    return f"{body[:head_end]}<defs>{defs}</defs>{body[head_end:]}"


def example_trace():
    """The worked example's :class:`~deconvlib.Trace`: the explorers' input ``1…9`` and kernel."""
    e = EXAMPLE
    return dl.trace(
        example_input(e["size"]),
        example_kernel(e["kernel_size"]),
        stride=e["stride"],
        padding=e["padding"],
        output_padding=e["output_padding"],
        dilation=e["dilation"],
    )


def example_numbers():
    """Every number the worked example prints, computed by the library (what the test compares)."""
    e, t = EXAMPLE, example_trace()
    i, k, s, p, a, d = (e[n] for n in ("size", "kernel_size", "stride", "padding", "output_padding", "dilation"))
    k_hat = dl.effective_kernel(k, d)
    o = dl.conv_transpose_output_size(i, k, stride=s, padding=p, output_padding=a, dilation=d)
    row, col = EXAMPLE_CELL
    step = row * t.output.shape[1] + col
    return {
        "k_hat": k_hat,
        "dilated": t.dilated.shape[0],
        "pads": t.pads,
        "padded": t.padded.shape[0],
        "output": o,
        "trace_output": t.output.shape[0],
        "full": t.full.shape[0],
        "forward_back": dl.conv_output_size(o, k, stride=s, padding=p, dilation=d),
        "forward_sizes": [j for j in range(1, 3 * o) if dl.conv_output_size(j, k, stride=s, padding=p) == i],
        "step": step,
        "cell_sum": dl.explain.describe_step(t, step),
        "cell_value": t.output[row, col],
    }


def _formula(text):
    return f'<span class="f">{html.escape(text)}</span>'


def overlap_rows(strides=(2, 3), kernels=range(1, 7)):
    """The overlap table: per stride, the copies per residue of each kernel size (even ones marked)."""
    rows = []
    for s in strides:
        cells = []
        for k in kernels:
            pattern = ",".join(str(int(c)) for c in dl.overlap.overlap_pattern(k, s))
            even = dl.overlap.is_uniform(k, s)
            cells.append(f'<td class="{"even" if even else "uneven"}">k={k}: {pattern}{" ✓" if even else ""}</td>')
        rows.append(f"<tr><th>s={s}</th>{''.join(cells)}</tr>")
    return "".join(rows)


def dilation_rows():
    """PyTorch's and numpy-ml's dilation for the same kernel, with the span of a 3-tap kernel (computed)."""
    rows = []
    for d in (1, 2, 3):
        gaps = d - 1
        rows.append(
            f"<tr><td>{d}</td><td>{gaps}</td><td>{gaps} zero{'' if gaps == 1 else 's'} between taps</td>"
            f"<td>{dl.effective_kernel(3, d)} cells</td></tr>"
        )
    return "".join(rows)


STYLE = """
@page { margin: 10mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 8.4pt/1.28 'DejaVu Sans', Verdana, Arial, sans-serif; color: #000; width: 190mm; margin: 8mm auto; }
h1 { font-size: 12.5pt; margin: 0 0 1mm; }
.sub { margin: 0 0 2mm; color: #333; }
h2 { font-size: 9.2pt; margin: 0 0 0.8mm; padding-bottom: 0.3mm; border-bottom: 0.5pt solid #000; }
.cols { column-count: 2; column-gap: 6mm; }
section { break-inside: avoid; margin: 0 0 2mm; }
p, ol, ul { margin: 0.5mm 0; }
ol, ul { padding-left: 4.5mm; }
.f { font-family: 'DejaVu Serif', Georgia, 'Times New Roman', serif; font-size: 9.4pt; white-space: nowrap; }
.big { display: block; text-align: center; font-size: 10.5pt; margin: 1mm 0; padding: 1mm;
       border: 0.8pt solid #000; }
table { border-collapse: collapse; font-size: 8pt; }
td, th { border: 0.5pt solid #777; padding: 0.3mm 1.2mm; text-align: left; }
td.even { font-weight: bold; }
.example { break-inside: avoid; border-top: 1pt solid #000; padding-top: 1mm; }
.example .row { display: flex; gap: 4mm; align-items: flex-start; }
.example .row p { flex: 1 1 0; }
.example svg.fig { flex: 0 0 64%; width: 64%; height: auto; }
.key { white-space: nowrap; margin-right: 2.5mm; }
.key svg { vertical-align: middle; }
.foot { font-size: 7.2pt; color: #333; margin-top: 1mm; }
@media print { body { margin: 0; } }
code { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 8pt; }
"""


def build():
    """The sheet's HTML (a ``str``): deterministic, so a rebuild of an unchanged library gives the same bytes."""
    e, n, t = EXAMPLE, example_numbers(), example_trace()
    i, k, s, p, a, d = (e[m] for m in ("size", "kernel_size", "stride", "padding", "output_padding", "dilation"))
    top, bottom, left, right = n["pads"]
    figure = TraceFigure(t, step=n["step"], panels=("input", "padded", "kernel", "full"), figsize=(7.4, 3.0))
    svg = textured_svg(figure.to_svg(title=figure.alt_text()), "fig").replace("<svg ", '<svg class="fig" ', 1)
    shown = [kind for kind in COLORS if f'fill="{COLORS[kind].lower()}"' in svg and kind != "window"]
    row, col = EXAMPLE_CELL
    *others, last = n["forward_sizes"]
    sizes = f"{', '.join(map(str, others))} and {last}"
    same = dl.conv_transpose2d(np.ones((4, 4)), np.ones((k, k)), stride=s, padding="same").shape[0]
    body = f"""
<h1>Convolution and transposed convolution — formula sheet</h1>
<p class=sub>deconvlib {html.escape(dl.__version__)} · PyTorch's conventions · one axis at a time (rows and columns
alike) · ⌊x⌋ rounds down.
Symbols: input size <i>i</i>, kernel size <i>k</i>, stride <i>s</i>, padding <i>p</i> (always the <em>forward</em>
convolution's), output_padding <i>a</i>, dilation <i>d</i> (1 = no gaps), and the dilated kernel's extent
{_formula("k̂ = d·(k − 1) + 1")}.</p>
<div class=cols>
<section><h2>Convolution: output size</h2>
<span class="f big">o = ⌊(i + 2p − k̂) / s⌋ + 1</span>
<p>The window starts at every <i>s</i>-th cell of the padded input where it still fits. Because of the floor,
<i>s</i> input sizes share one output size (here {sizes} give {i}).</p></section>

<section><h2>Transposed convolution: output size</h2>
<span class="f big">o′ = s·(i′ − 1) + k̂ − 2p + a,&nbsp; 0 ≤ a &lt; max(s, d)</span>
<p>It maps the convolution's output size back: the convolution with the same <i>k, s, p, d</i> takes
<i>o′</i> to <i>i′</i>. <i>a</i> (output_padding) picks which of the <i>s</i> sizes, adding rows at the
<b>bottom/right</b> only. It restores the <em>shape</em>, not the numbers: it is not an inverse.</p></section>

<section><h2>The three stages (a gather)</h2>
<ol>
<li><b>Insert zeros</b>: <i>s − 1</i> zeros between neighbouring pixels, none outside:
{_formula("i′ → s·(i′ − 1) + 1")}.</li>
<li><b>Pad</b> by {_formula("k̂ − 1 − p")} zeros on each side (+ <i>a</i> at the bottom/right); a negative
amount crops.</li>
<li><b>Sweep</b> the kernel <b>flipped by 180°</b> (taps <i>d</i> apart) with stride 1: size − k̂ + 1 cells.</li>
</ol>
<p>Same numbers as a <b>scatter</b>: each input pixel adds <i>x·W</i> (not flipped) at <i>s</i>·its position;
the full result {_formula("s·(i′ − 1) + k̂")} is then cropped by <i>p</i> on each side. As a matrix: the
convolution is <i>C</i>, the transposed one <i>Cᵀ</i> (and the gradient of <i>conv2d</i>).</p></section>

<section><h2>Valid, same, full</h2>
<p>Forward, stride 1: <b>valid</b> <i>p</i> = 0 (o = i − k̂ + 1), <b>same</b>
{_formula("p = (k̂ − 1)/2")} for odd k̂ (o = i), <b>full</b> {_formula("p = k̂ − 1")} (o = i + k̂ − 1).
The transpose of a valid convolution is a full one, and back.
Forward <code>padding="same"</code> with a stride: {_formula("o = ⌈i / s⌉")}, total padding
{_formula("max((⌈i/s⌉ − 1)·s + k̂ − i, 0)")}, the odd one at the bottom/right.
Transposed <code>padding="same"</code>: {_formula("o′ = s·i′")} (a 4-input with k = {k}, s = {s} gives {same}):
crop {_formula("k̂ − s")} in all (odd one at the bottom/right), or, when k̂ &lt; s, output_padding
{_formula("s − k̂")}.</p></section>

<section><h2>Overlap and checkerboards</h2>
<p>Each output pixel sums one kernel copy per input pixel that covers it. Away from the borders the count
repeats with period <i>s</i>: tap <i>j</i> lands on residue {_formula("j·d mod s")}. It is even exactly when
every residue gets as many taps: for <i>d</i> = 1, <b>when s divides k</b>; otherwise a checkerboard (dilation
can leave holes). In 2-D the counts multiply (1, 2, 4); even overlap is necessary, not sufficient (the taps
must also sum alike). Remedy: resize (nearest ×<i>s</i>), then a stride-1 convolution.
Copies per residue:</p>
<table>{overlap_rows()}</table></section>

<section><h2>Pooling</h2>
<span class="f big">o = ⌊(i + 2p − k) / s⌋ + 1</span>
<p>The stride is <i>k</i> by default (windows side by side); the padding is at most ⌊k/2⌋.
Max pooling pads with −∞ (padding is never the max); average pooling pads with 0 and counts it in the
mean (PyTorch's default). Without padding: the guide's relationship 7, {_formula("⌊(i − k)/s⌋ + 1")}.</p>
</section>

<section><h2>Two dilation conventions</h2>
<table><tr><th>PyTorch</th><th>numpy-ml</th><th>the kernel has</th><th>3 taps span</th></tr>{dilation_rows()}</table>
<p>PyTorch counts the step between taps (1 = none), numpy-ml the zeros inserted between them (0 = none):
numpy-ml's = PyTorch's − 1. Stage 1's inserted zeros come from the <b>stride</b>, not from dilation.</p>
</section>

<section><h2>Layouts (deconvlib → PyTorch)</h2>
<p>Images NHWC → NCHW: <code>X.transpose(0, 3, 1, 2)</code>. Transposed kernel
<i>(kh, kw, c_in, c_out/g)</i> → <code>ConvTranspose2d.weight</code> <i>(c_in, c_out/g, kh, kw)</i>; forward
kernel <i>(kh, kw, c_in/g, c_out)</i> → <code>Conv2d.weight</code> <i>(c_out, c_in/g, kh, kw)</i>.</p></section>
</div>

<section class=example><h2>Worked example (computed by the library when this sheet was made)</h2>
<div class=row><p>i′ = {i}, k = {k}, s = {s}, p = {p}, a = {a}, d = {d} (the guide's figure 4.7); input 1…{i * i}, the
explorers' kernel. k̂ = {d}·({k} − 1) + 1 = {n["k_hat"]}.
<b>1.</b> {s}·({i} − 1) + 1 = <b>{n["dilated"]}</b>.
<b>2.</b> pad k̂ − 1 − p = {n["k_hat"] - 1 - p}: {top} above, {bottom} below (+ a = {a}), {left} left,
{right} right → <b>{n["padded"]}</b>.
<b>3.</b> {n["padded"]} − {n["k_hat"]} + 1 = <b>{n["trace_output"]}</b>
= {s}·({i} − 1) + {n["k_hat"]} − 2·{p} + {a} = <b>{n["output"]}</b> (the full result {n["full"]} cropped by
{p}, plus {a}).
Output cell {(row, col)}, the window drawn: {html.escape(n["cell_sum"])}.
Check: the convolution with the same k, s, p takes {n["output"]} back to {n["forward_back"]}.
In grey print the textures tell the kinds of cell apart: {", ".join(html.escape(KIND_NAMES[kind]) for kind in shown)}
each have their own (the legend under the figure).</p>
{svg}</div>
<p class=foot>Made by <code>tools/formula_sheet.py</code> (<code>make formula-sheet</code>) from deconvlib's own
arithmetic and drawing; the course's notebooks derive every line. Reference: V. Dumoulin and F. Visin, A guide to
convolution arithmetic for deep learning, arXiv:1603.07285.</p>
</section>
"""
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>deconvlib formula sheet: convolution and transposed convolution</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>{body}</body>\n</html>\n"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", nargs="?", type=Path, default=OUTPUT, help="default: docs/formula_sheet.html")
    parser.add_argument("--check", action="store_true", help="exit 1 if OUTPUT is not what would be written")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != text:
            print(f"{args.output} is stale: run make formula-sheet", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
