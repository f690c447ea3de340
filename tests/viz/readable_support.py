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
