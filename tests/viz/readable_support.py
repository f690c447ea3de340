"""What the readability tests share (``test_readable.py``, ``test_gallery_pooling_1d.py``): texts large
enough to project, inside their figure and clear of each other."""

import numpy as np


def overlapping(boxes):
    """Pairs ``(i, j)`` of boxes ``(x0, y0, x1, y1)`` that overlap (touching is fine)."""
    b = np.asarray(boxes, dtype=float).reshape(-1, 4)
    apart = (
        (b[:, None, 2] <= b[None, :, 0] + 0.01)
        | (b[None, :, 2] <= b[:, None, 0] + 0.01)
        | (b[:, None, 3] <= b[None, :, 1] + 0.01)
        | (b[None, :, 3] <= b[:, None, 1] + 0.01)
    )
    i, j = np.nonzero(~apart)
    return [(a, c) for a, c in zip(i, j) if a < c]


def check_readable(texts, size, where, min_px, scale=1.0):
    """Every text at least ``min_px`` tall (size × ``scale``), inside ``size = (width, height)``, clear of others."""
    width, height = size
    for t in texts:
        assert t.size * scale >= min_px, f"{where}: {t.text!r} ({t.kind}) is {t.size * scale:.1f} px"
        x0, y0, x1, y1 = t.box
        assert -0.5 <= x0 and x1 <= width + 0.5 and -0.5 <= y0 and y1 <= height + 0.5, f"{where}: {t.text!r} is cut off"
    clashes = [(texts[i].text, texts[j].text) for i, j in overlapping([t.box for t in texts])]
    assert not clashes, f"{where}: texts overlap: {clashes[:5]}"


def check_svg(svg, texts, size, where, min_px):
    """The SVG an explorer shows draws the same texts as its figure, where the figure draws them.

    ``texts`` are the figure's :class:`~deconvlib.viz.drawing.DrawnText` (boxes in CSS px from the
    bottom-left corner); every ``<text>`` of ``svg`` must be one of them, at least ``min_px`` tall, its
    anchor inside that text's box (horizontally) and its baseline at the box's foot (within 3 px);
    the SVG is ``size`` CSS px.
    """
    from xml.etree import ElementTree

    root = ElementTree.fromstring(svg)
    width, height = size
    assert (root.get("width"), root.get("height")) == (str(width), str(height)), where
    ns = "{http://www.w3.org/2000/svg}"
    drawn = []
    for group in root.iter(ns + "g"):
        px = float(group.get("font-size"))
        for text in group.iter(ns + "text"):
            drawn.append((text.text, px, float(text.get("x")), height - float(text.get("y"))))
    assert sorted(t[0] for t in drawn) == sorted(t.text for t in texts), f"{where}: the SVG's texts differ"
    unmatched = list(texts)
    for string, px, x, baseline in drawn:
        assert px >= min_px, f"{where}: {string!r} is {px:.1f} px in the SVG"
        match = [
            t
            for t in unmatched
            if t.text == string and t.box[0] - 3 <= x <= t.box[2] + 3 and t.box[1] - 3 <= baseline <= t.box[3]
        ]
        assert match, f"{where}: the SVG draws {string!r} at ({x:.0f}, {baseline:.0f}), away from the figure's"
        unmatched.remove(match[0])
