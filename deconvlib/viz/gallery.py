"""The gallery drawn: every case of :data:`deconvlib.cases.CASES` as a GIF, and an index.

The cases (the guide's figures, their transposed twins, and cases the guide
lacks) are data in :mod:`deconvlib.cases`; their arithmetic is written out by
:func:`deconvlib.explain.explain`. :func:`render` draws one case with
:func:`~deconvlib.viz.animation.animate`; :func:`write_index` lists them all.
"""

from pathlib import Path

from ..cases import CASES
from ..explain import command, parameter_text
from .animation import animate, save

__all__ = ["render", "write_index"]


def render(case, directory, fps=2, progress=None):
    """Write ``case`` as ``directory/<name>.gif``; return ``(path, frames, bytes)``."""
    anim = animate(**case.parameters, fps=fps, title=case.title)
    path = save(anim, Path(directory) / f"{case.name}.gif", progress=progress)
    return path, anim.frame_count, path.stat().st_size


def write_index(directory, cases=CASES):
    """Write ``index.md`` and ``index.html`` listing every GIF with its parameters; return their paths."""
    directory = Path(directory)
    sections = (
        ("Convolutions of the guide", lambda c: c.in_guide and not c.transposed),
        ("Transposed convolutions of the guide", lambda c: c.in_guide and c.transposed),
        ("Beyond the guide", lambda c: not c.in_guide),
    )
    md = [
        "# Gallery: convolution arithmetic, drawn by deconvlib",
        "",
        "Regenerate with `python -m deconvlib gallery docs/gallery`. Each case of Dumoulin & Visin's guide",
        "(vdumoulin/conv_arithmetic) with its parameters, its `_transposed` twin (same k, s, p; it maps the",
        "output back to the input), and cases the guide lacks. One frame per output cell: blue input,",
        "white inserted zeros, grey padding, orange kernel window, cyan output, red the cell being written.",
        "",
    ]
    html = [
        "<!doctype html><meta charset='utf-8'><title>deconvlib gallery</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:auto}figure{display:inline-block;"
        "margin:.5em;vertical-align:top;max-width:32em}figcaption{font-size:.85em}code{font-size:.85em}</style>",
        "<h1>Gallery: convolution arithmetic, drawn by deconvlib</h1>",
        "<p>Regenerate with <code>python -m deconvlib gallery docs/gallery</code>.</p>",
    ]
    for heading, keep in sections:
        chosen = [c for c in cases if keep(c)]
        if not chosen:
            continue
        md += [f"## {heading}", "", "| Animation | Case | Parameters | Frames |", "|---|---|---|---|"]
        html.append(f"<h2>{heading}</h2>")
        for c in chosen:
            md.append(
                f"| ![{c.name}]({c.name}.gif) | **{c.title}**<br>`{c.name}` | {parameter_text(c)}"
                f"<br>`{command(c)}` | {c.n_frames} |"
            )
            html.append(
                f"<figure><img src='{c.name}.gif' alt='{c.name}'><figcaption><b>{c.title}</b> "
                f"(<code>{c.name}</code>)<br>{parameter_text(c)}<br><code>{command(c)}</code>"
                f"</figcaption></figure>"
            )
        md.append("")
    paths = directory / "index.md", directory / "index.html"
    paths[0].write_text("\n".join(md), encoding="utf-8")
    paths[1].write_text("\n".join(html) + "\n", encoding="utf-8")
    return paths
