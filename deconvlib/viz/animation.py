"""Animations of a convolution or a transposed convolution, one frame per kernel position.

For slides and handouts: :func:`animate` draws any case — input size, kernel
size, stride, padding (also asymmetric), ``output_padding``, dilation — from
:func:`~deconvlib.trace` (transposed) or :func:`~deconvlib.trace.trace_conv2d`
(forward), in the visual language of the notebooks (``drawing.py``): blue
input pixels, white inserted zeros, grey padding, the orange kernel window,
cyan output with the cell being written in red. :func:`save` writes a GIF
(Pillow) or an MP4 (only where ffmpeg is installed).

Like vdumoulin/conv_arithmetic, a transposed convolution is shown as the
direct convolution it equals: the kernel sweeps the input with ``stride − 1``
zeros inserted and ``k̂ − 1 − p`` padding (Dumoulin & Visin, relationships
8–14).

``deconvlib.animate`` is :func:`animate`, imported on first use so that
``import deconvlib`` needs numpy only; the other names come from here: ``from deconvlib.viz.animation import save``.

>>> anim = animate(transposed=True, input_size=2, kernel_size=3)
>>> save(anim, "slide.gif")          # doctest: +SKIP
"""

import shutil
import textwrap
from pathlib import Path

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image

from ..explain import describe, format_shape
from ..stages import cell_kinds
from ..trace import case_trace, input_cells_under, written_mask
from .drawing import COLORS, Grid, Window, legend_handles

__all__ = ["animate", "save", "ffmpeg_available", "SweepFigure"]

#: Side of one grid cell in inches, before shrinking to fit :data:`MAX_WIDTH`.
CELL_INCHES = 0.25
#: Panels narrower than this many cells are centred in a slot this wide (room for titles).
MIN_SLOT = 5
GAP = 0.3
MAX_WIDTH = 9.0
MIN_WIDTH = 5.0
DPI = 72
FONT_SIZE = 8


def _square(y, x, half=0.45):
    return [
        (x - half, y - half),
        (x + half, y - half),
        (x + half, y + half),
        (x - half, y + half),
        (x - half, y - half),
    ]


class SweepFigure:
    """The sweep of one trace as a figure updated in place: ``show(step)`` per frame.

    Panels left to right, top-aligned, all at one cell size (a 3×3 input is a
    third as wide as a 9×9 grid): the input, the pixels under the window
    outlined (what the current output cell sums); the grid the kernel sweeps (for a
    transposed convolution the input with zeros inserted, then padded) with
    the kernel window; the kernel (only when values are shown; flipped when
    transposed); the output, written up to ``step``, the current cell in red.
    Laid out once by hand, so a frame only moves the window and recolours the
    output.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    axes, grids : dict
        By panel name: ``"input"``, ``"grid"``, ``"kernel"``, ``"output"``.
    window : drawing.Window
        The kernel's taps on the swept grid.
    """

    def __init__(self, t, show_values=False, title=None, dpi=DPI):

        self.trace, self.show_values = t, show_values
        self.transposed = hasattr(t, "output_padding")
        kernel = t.flipped if self.transposed else t.kernel
        panels = {"input": t.input, "grid": t.padded}
        if show_values:
            panels["kernel"] = kernel
        panels["output"] = t.output
        titles = {
            "input": f"input {format_shape(t.input.shape)}",
            "grid": f"{'zeros inserted, padded' if self.transposed else 'padded' if any(t.padding) else 'no padding'}"
            f" {format_shape(t.padded.shape)}",
            "kernel": "kernel, flipped" if self.transposed else "kernel",
            "output": f"output {format_shape(t.output.shape)}",
        }
        present = set(cell_kinds(t.labels).ravel())
        kinds = [k for k in ("input", "zero", "pad") if k in present] + ["window", "output", "current"]

        # Layout in inches: one cell size; each panel gets at least MIN_SLOT cells of width for its title.
        slots = [max(a.shape[1], MIN_SLOT) for a in panels.values()]
        rows = max(a.shape[0] for a in panels.values())
        cell = min(CELL_INCHES, (MAX_WIDTH - 0.4 - GAP * (len(slots) - 1)) / sum(slots))
        width = max(cell * sum(slots) + GAP * (len(slots) - 1) + 0.4, MIN_WIDTH)
        lines = ([title] if title else []) + [describe(t)]
        title = "\n".join(textwrap.fill(line, int(width * 13)) for line in lines)
        ncols = min(len(kinds), max(2, int(width / 1.55)))
        top = 0.2 + 0.17 * (title.count("\n") + 1) + 0.25
        bottom = 0.45 + 0.2 * -(-len(kinds) // ncols)
        height = top + cell * rows + bottom
        self.figure = Figure(figsize=(width, height), dpi=dpi)
        self.figure.text(0.5, 1 - 0.1 / height, title, ha="center", va="top", fontsize=FONT_SIZE + 1)
        self.figure.legend(
            handles=legend_handles(kinds),
            loc="lower center",
            ncols=ncols,
            fontsize=FONT_SIZE,
            frameon=False,
            borderaxespad=0.2,
            handlelength=1,
            columnspacing=1,
        )
        x = (width - cell * sum(slots) - GAP * (len(slots) - 1)) / 2
        self.axes, self.grids = {}, {}
        for (name, array), slot in zip(panels.items(), slots):
            h, w = array.shape
            left = x + (slot - w) * cell / 2
            ax = self.figure.add_axes(
                ((left) / width, (height - top - h * cell) / height, w * cell / width, h * cell / height)
            )
            kinds = cell_kinds(t.labels) if name == "grid" else np.full(array.shape, name, dtype=object)
            self.grids[name] = grid = Grid(ax, kinds)
            grid.cell_points = cell * 72
            grid.update(kinds, array if show_values and name != "output" else None)
            ax.set_title(titles[name], fontsize=FONT_SIZE, pad=3)
            self.axes[name] = ax
            x += slot * cell + GAP
        out = self.axes["output"].get_position()
        self.caption = self.figure.text(
            out.x0 + out.width / 2, out.y0 - 0.05 / height, "", ha="center", va="top", fontsize=FONT_SIZE
        )
        self.window = Window(self.axes["grid"], t.kernel.shape, t.dilation)
        # The input pixels under the window, outlined on the input panel: what this output cell sums.
        self.sources = LineCollection([], colors=COLORS["window"], linewidths=2.2, zorder=3)
        self.axes["input"].add_collection(self.sources, autolim=False)
        self.show(0)

    def show(self, step):
        """Draw the kernel at sweep position ``step`` and the output written so far."""
        t = self.trace
        s = t.step(step)
        self.window.update(s.origin)
        self.source_cells = input_cells_under(t, s.origin)
        self.sources.set_segments([_square(y, x) for y, x in self.source_cells])
        kinds = np.full(t.output.shape, "output", dtype=object)
        written = written_mask(t, step)
        kinds[~written] = "empty"
        kinds[s.out] = "current"
        self.grids["output"].update(kinds, np.where(written, t.output, np.nan) if self.show_values else None)
        value = f" = {s.value:g}" if self.show_values else ""
        self.caption.set_text(f"step {step + 1}/{t.n_steps}\nout{s.out}{value}")
        self.step = step


def animate(
    transposed=False,
    input_size=4,
    kernel_size=3,
    stride=1,
    padding=0,
    output_padding=0,
    dilation=1,
    *,
    values=None,
    seed=None,
    fps=2,
    dpi=DPI,
    title=None,
):
    """An animation of one (transposed) convolution: one frame per kernel position.

    Frame ``n`` shows the kernel window where ``trace(...).step(n)`` puts it
    and the output cell it writes, row by row over the output. Save it with
    :func:`save` (GIF or MP4), or show it in a notebook with
    ``IPython.display.HTML(anim.to_jshtml())``.

    Parameters
    ----------
    transposed : bool
        ``False``: ``conv2d``; ``True``: ``conv_transpose2d``, drawn as the
        direct convolution of the dilated, padded input (the guide's view).
    input_size, kernel_size : int or (int, int)
    stride, padding, output_padding, dilation
        As in :func:`~deconvlib.conv_transpose2d` / :func:`~deconvlib.conv2d`;
        ``padding`` may be ``(top, bottom, left, right)``.
    values : None, "random" or (X, W)
        ``None`` draws the geometry only; otherwise values are printed in the
        cells (see :func:`case_trace`).
    seed : int, optional
        Seed of the random values (implies ``values="random"``).
    fps : float
        Frames per second when played or saved.
    dpi : int
        Pixels per inch; the default keeps a GIF at a few tens of kB.
    title : str, optional
        A heading, shown above the line of parameters and output size.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With two extra attributes: ``view`` (the :class:`SweepFigure`) and
        ``trace``.

    Raises
    ------
    ValueError
        Naming the parameter (``stride``, ``padding``, ``output_padding``, …).

    Examples
    --------
    >>> anim = animate(transposed=True, input_size=3, kernel_size=3, stride=2, padding=1)
    >>> anim.trace.output.shape, anim.frame_count
    ((5, 5), 25)
    >>> anim.view.show(24)
    >>> anim.view.window.cells()[0]       # the last window's top-left tap
    (4, 4)
    """
    t = case_trace(transposed, input_size, kernel_size, stride, padding, output_padding, dilation, values, seed)

    view = SweepFigure(t, show_values=values is not None or seed is not None, title=title, dpi=dpi)
    anim = FuncAnimation(view.figure, view.show, frames=t.n_steps, interval=1000 / fps, cache_frame_data=False)
    anim.view, anim.trace, anim.frame_count, anim.fps = view, t, t.n_steps, fps
    # The figure is not pyplot's and is already drawn at step 0, so matplotlib's
    # "deleted without rendering" warning (meant for plt.show) does not apply.
    anim._draw_was_started = True
    return anim


def _gif_writer(fps):
    """matplotlib's Pillow writer, writing every frame with one shared palette.

    The stock writer lets Pillow choose a palette per frame, so unchanged
    pixels change colour index and every frame is stored almost whole; with
    one palette (taken from the first and last frames, which between them hold
    every colour of the animation) Pillow stores only the region that changed,
    and the GIF is about three times smaller.
    """

    class SharedPaletteWriter(PillowWriter):
        def finish(self):
            frames = [frame.convert("RGB") for frame in self._frames]
            first, last = frames[0], frames[-1]
            both = Image.new("RGB", (first.width, 2 * first.height))
            both.paste(first, (0, 0))
            both.paste(last, (0, first.height))
            palette = both.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            frames = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames]
            frames[0].save(self.outfile, save_all=True, append_images=frames[1:], duration=int(1000 / self.fps), loop=0)

    return SharedPaletteWriter(fps=fps)


def ffmpeg_available():
    """Whether MP4 can be written (ffmpeg on the PATH)."""
    return shutil.which("ffmpeg") is not None


def save(anim, path, fps=None, progress=None):
    """Write ``anim`` to ``path``: ``.gif`` with Pillow, ``.mp4`` with ffmpeg.

    Parameters
    ----------
    anim : matplotlib.animation.FuncAnimation
        From :func:`animate`.
    path : str or Path
    fps : float, optional
        Defaults to the animation's own.
    progress : callable, optional
        Called as ``progress(frame, n_frames)`` after each frame.

    Raises
    ------
    ValueError
        If ``path`` ends in neither ``.gif`` nor ``.mp4``.
    RuntimeError
        If an MP4 is asked for and ffmpeg is not installed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    fps = fps or getattr(anim, "fps", 2)
    if suffix == ".gif":
        anim.save(path, writer=_gif_writer(fps), dpi=anim.view.figure.dpi, progress_callback=progress)
    elif suffix == ".mp4":
        if not ffmpeg_available():
            raise RuntimeError(f"writing {path.name} needs ffmpeg, which is not installed; write a .gif instead")
        anim.save(path, writer="ffmpeg", fps=fps, dpi=anim.view.figure.dpi, progress_callback=progress)
    else:
        raise ValueError(f"output must end in .gif or .mp4, got {str(path)!r}")
    return path
