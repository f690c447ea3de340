"""The scatter view as data: every input pixel stamps a scaled copy of the kernel.

``conv_transpose2d(X, W, stride)`` adds ``X[i, j] · W`` (its taps ``dilation``
apart) to the full output at ``(i·stride, j·stride)``, one input pixel after
the other; the forward convolution's ``padding`` then crops the full result and
``output_padding`` adds rows at the bottom/right. :func:`scatter_trace` keeps
the canvas after every stamp, so a slider can step through them.
"""
from dataclasses import dataclass

import numpy as np

from .geometry import transpose_geometry

__all__ = ["ScatterTrace", "scatter_trace"]


@dataclass(frozen=True, repr=False)
class ScatterTrace:
    """Every stamp of a transposed convolution on a 2-D image; see :func:`scatter_trace`.

    Attributes
    ----------
    input : ndarray, shape (h, w)
    kernel : ndarray, shape (kh, kw)
    stride, dilation : (int, int)
    origins : ndarray of int, shape (h·w, 2)
        Top-left cell of each pixel's stamp on the canvas, row-major over the input.
    stamps : ndarray, shape (h·w, H, W)
        Each pixel's contribution alone, on the canvas.
    canvases : ndarray, shape (h·w, H, W)
        The canvas after stamps ``0 .. n``: cumulative sums of ``stamps``.
    crop : (int, int, int, int)
        ``(top, left, out_h, out_w)``: where the output sits on the canvas.
    output : ndarray, shape (out_h, out_w)
        Equal to ``conv_transpose2d(input, kernel, ...)``.
    """

    input: np.ndarray
    kernel: np.ndarray
    stride: tuple
    dilation: tuple
    origins: np.ndarray
    stamps: np.ndarray
    canvases: np.ndarray
    crop: tuple
    output: np.ndarray

    @property
    def n_stamps(self):
        return len(self.origins)

    def canvas(self, upto):
        """The canvas once pixels ``0 .. upto`` (row-major) have stamped."""
        if not 0 <= upto < self.n_stamps:
            raise ValueError(f"upto must be in [0, {self.n_stamps}), got {upto!r}")
        return self.canvases[upto]

    def taps(self, index):
        """``(row, col)`` canvas cells of the kernel taps stamped by pixel ``index``."""
        (r, c), (kh, kw), (dr, dc) = self.origins[index], self.kernel.shape, self.dilation
        return [(int(r + a * dr), int(c + b * dc)) for a in range(kh) for b in range(kw)]

    def __repr__(self):
        top, left, oh, ow = self.crop
        return (
            f"ScatterTrace({self.n_stamps} stamps of a {self.kernel.shape[0]}×{self.kernel.shape[1]} kernel "
            f"on a {self.canvases.shape[1]}×{self.canvases.shape[2]} canvas; output {oh}×{ow} at ({top}, {left}))"
        )


def scatter_trace(X, W, stride=1, padding=0, output_padding=0, dilation=1):
    """Run the scatter view of a transposed convolution and keep every stamp.

    Parameters are those of :func:`deconvlib.conv_transpose2d`, for a 2-D image
    ``X`` ``(h, w)`` and kernel ``W`` ``(kh, kw)``. The canvas is the full
    result ``s·(i − 1) + k̂`` extended by ``output_padding`` (and by any padding
    cropped beyond it), so the output is always a window of it.

    Returns
    -------
    ScatterTrace

    >>> t = scatter_trace(np.array([[1., 2.], [3., 4.]]), np.ones((2, 2)), stride=2, padding=1)
    >>> t
    ScatterTrace(4 stamps of a 2×2 kernel on a 4×4 canvas; output 2×2 at (1, 1))
    >>> t.origins.tolist()
    [[0, 0], [0, 2], [2, 0], [2, 2]]
    >>> t.output
    array([[1., 2.],
           [3., 4.]])
    """
    if np.ndim(X) != 2 or np.ndim(W) != 2:
        raise ValueError(
            f"scatter_trace takes a 2-D (h, w) image and a 2-D (kh, kw) kernel, got shapes {np.shape(X)} and {np.shape(W)}"
        )
    X4, W4, _, _, geo = transpose_geometry(X, W, stride, padding, output_padding, dilation, 1, None)
    X, W = X4[0, :, :, 0], W4[:, :, 0, 0]
    (sr, sc), (dr, dc), (ekh, ekw) = geo.stride, geo.dilation, geo.effective_kernel
    top, _, left, _ = geo.padding
    full_h, full_w = geo.full_size
    H = max(full_h + geo.output_padding[0], top + geo.out_h)
    Wd = max(full_w + geo.output_padding[1], left + geo.out_w)
    rows, cols = np.meshgrid(np.arange(geo.h), np.arange(geo.w), indexing="ij")
    origins = np.stack([rows.ravel() * sr, cols.ravel() * sc], axis=1)
    stamps = np.zeros((len(origins), H, Wd), X.dtype)
    for n, (r, c) in enumerate(origins):
        stamps[n, r : r + ekh : dr, c : c + ekw : dc] = X.flat[n] * W
    canvases = np.cumsum(stamps, axis=0)
    output = canvases[-1, top : top + geo.out_h, left : left + geo.out_w]
    return ScatterTrace(X, W, geo.stride, geo.dilation, origins, stamps, canvases,
                        (top, left, geo.out_h, geo.out_w), output)
