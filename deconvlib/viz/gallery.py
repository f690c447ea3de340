"""The gallery drawn: every case of :data:`deconvlib.cases.GALLERY` as a GIF, and an index.

The cases (the guide's figures — convolutions, pooling, transposed
convolutions — their transposed twins, cases the guide lacks, and 1-D cases)
are data in :mod:`deconvlib.cases`; their arithmetic is written out by
:func:`deconvlib.explain.explain`. :func:`render` draws one case with
:func:`~deconvlib.viz.animation.animate`; :func:`write_index` lists them all,
each with the guide's relationship that gives its output size.
"""

from html import escape
from pathlib import Path

from .._files import atomic_path, safe_name
from ..cases import GALLERY, GUIDE_FIGURES
from ..explain import animation_alt_text, command, parameter_text, relationship_text
from .animation import animate, save

__all__ = ["render", "write_index"]


def render(case, directory, fps=2, progress=None, scale=1, plain=False):
    """Write ``case`` as ``directory/<name>.gif``; return ``(path, frames, bytes)``.

    ``scale`` and ``plain`` as in :func:`~deconvlib.viz.animation.animate`
    (``scale=2``: GIFs for slides; ``plain``: the guide's style, no text).

    The GIF is written under a temporary name and renamed when complete, so an
    error or a Ctrl-C leaves any old file as it was. ``case.name`` must be a
    plain file name: the file stays inside ``directory``
    (:class:`~deconvlib.ParameterError` naming ``"case"`` otherwise).
    """
    path = Path(directory) / safe_name(f"{case.name}.gif", parameter="case")
    anim = animate(**case.parameters, fps=fps, title=case.title, scale=scale, plain=plain)
    with atomic_path(path) as tmp:
        save(anim, tmp, progress=progress)
    return path, anim.frame_count, path.stat().st_size


def write_index(directory, cases=GALLERY):
    """Write ``index.md`` and ``index.html`` listing every GIF with its parameters; return their paths.

    Sections: the guide's convolutions (its numerical figures 1.1 and 1.2,
    chapters 2 and 5), its pooling (figures 1.5 and 1.6), its transposed convolutions (chapter 4), cases beyond the
    guide, and 1-D cases. Each entry gives the guide's figure it redraws
    (:data:`~deconvlib.cases.GUIDE_FIGURES`), the parameters, the guide's
    relationship (7 for pooling) and the command that draws it alone; each
    GIF's alt text is :func:`~deconvlib.explain.animation_alt_text`. Names
    and titles are HTML-escaped; each file is written under a temporary name
    and renamed when complete. An existing index is replaced: ``python -m
    deconvlib gallery`` calls this only after
    :func:`deconvlib._files.at_risk` found no index the user wrote or edited
    (or with ``--force``).
    """
    directory = Path(directory)
    for c in cases:
        safe_name(f"{c.name}.gif", parameter="case")
    plane = lambda c: c.dims == 2 and not c.pooling  # noqa: E731
    sections = (
        ("Convolutions of the guide", lambda c: plane(c) and c.in_guide and not c.transposed),
        ("Pooling of the guide (figures 1.5 and 1.6; arithmetic: chapter 3)", lambda c: c.pooling is not None),
        ("Transposed convolutions of the guide", lambda c: plane(c) and c.in_guide and c.transposed),
        ("Beyond the guide", lambda c: plane(c) and not c.in_guide),
        ("One dimension (conv1d, conv_transpose1d)", lambda c: c.dims == 1 and not c.pooling),
    )
    md = [
        "# Gallery: convolution arithmetic, drawn by deconvlib",
        "",
        "Regenerate with `python -m deconvlib gallery docs/gallery`. Each case of Dumoulin & Visin's guide",
        "(vdumoulin/conv_arithmetic) with its parameters, its `_transposed` twin (same k, s, p; it maps the",
        "output back to the input), the guide's numerical convolutions and pooling with its numbers, cases the guide",
        "lacks, and 1-D cases drawn as one row (input and kernel all ones: each output cell shows how many",
        "inputs it sums). One frame per output cell: blue input, white inserted zeros, grey padding, orange",
        "kernel (or pooling) window, cyan output, red the cell being written (for max pooling, the max).",
        "",
    ]
    html = [
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>deconvlib gallery</title>",
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
            guide = f"Guide: {relationship_text(c)}"
            figure = f"<br>the guide's figure {GUIDE_FIGURES[c.name]}" if c.name in GUIDE_FIGURES else ""
            alt = animation_alt_text(c)
            md.append(
                f"| ![{alt}]({c.name}.gif) | **{c.title}**<br>`{c.name}`{figure} | {parameter_text(c)}"
                f"<br>{guide}<br>`{command(c)}` | {c.n_frames} |"
            )
            name, title = escape(c.name), escape(c.title)
            html.append(
                f"<figure><img src='{name}.gif' alt='{escape(alt, quote=True)}'><figcaption><b>{title}</b> "
                f"(<code>{name}</code>){figure}<br>{escape(parameter_text(c))}<br>{escape(guide)}<br>"
                f"<code>{escape(command(c))}</code></figcaption></figure>"
            )
        md.append("")
    paths = directory / "index.md", directory / "index.html"
    for path, text in zip(paths, ("\n".join(md), "\n".join(html) + "\n")):
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return paths
