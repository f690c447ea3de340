"""Animations of a convolution or a transposed convolution, one frame per kernel position.

For slides and handouts: :func:`animate` draws any case — input size, kernel
size, stride, padding (also asymmetric), ``output_padding``, dilation, in 2-D
or 1-D (a one-row image), or a max or average pooling window — from
:func:`~deconvlib.trace` (transposed), :func:`~deconvlib.trace.trace_conv`
(forward) or :func:`~deconvlib.trace.trace_pool` (pooling), in the visual
language of the notebooks: each frame is a
:class:`SweepFigure`, the explorers' :class:`~deconvlib.viz.drawing.TraceFigure`
sized for a slide, with blue input pixels, dotted white inserted zeros, striped
grey padding, the orange kernel window's thick outline, green-cyan output with the
cell being written dark red in a thick border (the colours and cues of
:data:`~deconvlib.viz.drawing.COLORS` and :data:`~deconvlib.viz.drawing.CUES`).
:func:`save` writes a GIF (Pillow, one shared palette) or an MP4 (only where
ffmpeg is installed).

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
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
from matplotlib.animation import AbstractMovieWriter, FFMpegWriter, HTMLWriter
from PIL import Image

from .._validate import SCALE_RANGE
from ..budget import check_memory, get_budget
from ..errors import ParameterError
from ..explain import describe, format_shape, format_value, relationship
from ..geometry import blame_size
from ..stages import cell_kinds
from ..trace import PoolTrace, Trace, case_geometry, case_trace, input_cells_under
from .drawing import FigureText, Outlines, TraceFigure, render, row_width, text_width

__all__ = ["animate", "save", "ffmpeg_available", "Animation", "SweepFigure"]

#: Side of one grid cell in inches, before shrinking to fit :data:`MAX_WIDTH`.
CELL_INCHES = 0.25
#: Cells of a pooling animation, whose numbers (averages such as ``1.22``) must be readable: larger.
POOL_CELL_INCHES = 0.4
#: Width of a frame in inches: as wide as its panels, within these bounds.
MIN_WIDTH, MAX_WIDTH = 5.0, 9.0
DPI = 72
FONT_SIZE = 8


def _shape(t, array):
    """``rows×cols``, or the width alone for a 1-D trace (one row)."""
    return str(array.shape[1]) if t.dims == 1 else format_shape(array.shape)


def _cell(t, out):
    """``(row, col)`` of an output cell, or ``(col)`` for a 1-D trace."""
    return f"({out[1]})" if t.dims == 1 else str(out)


def _titles(t):
    """Short titles of a sweep's panels (the step is written under the output instead)."""
    transposed = isinstance(t, Trace)
    grid = "zeros inserted, padded" if transposed else "padded" if any(t.padding) else "no padding"
    pool = getattr(t, "mode", None)
    fill = {"max": " with −∞", "avg": " with 0"}.get(pool, "") if any(t.padding) else ""
    return {
        "input": f"input {_shape(t, t.input)}",
        "padded": f"{grid}{fill} {_shape(t, t.padded)}" + ("\nred outline: the max" if pool == "max" else ""),
        "kernel": "kernel, flipped" if transposed else "kernel",
        "products": {"max": "window: its max", "avg": "window: its mean"}.get(pool, "window × kernel"),
        "output": f"output {_shape(t, t.output)}",
    }


def _relationship_line(transposed, sizes, pooling, dims):
    """The guide's relationship for the heading: ``relationship 7 (max pooling): o = ⌊(i − k) / s⌋ + 1``."""
    lines = []
    for number, name, formula in dict.fromkeys(relationship(transposed, **sizes, pooling=pooling, dims=dims)):
        what = f" ({name.split(',')[0]})" if pooling else ""
        lines.append(f"relationship {number}{what}: {formula}")
    return "Guide: " + "; ".join(lines)


class SweepFigure(TraceFigure):
    """The sweep of one trace as a figure updated in place: ``show(step)`` per frame.

    A :class:`~deconvlib.viz.drawing.TraceFigure` of a
    :class:`~deconvlib.Trace`, :class:`~deconvlib.trace.ConvTrace` or
    :class:`~deconvlib.trace.PoolTrace` with the
    panels ``input`` (the pixels under the window outlined: what the current
    output cell sums), ``padded`` (the grid the kernel sweeps: for a
    transposed convolution the input with zeros inserted, then padded; with
    the kernel window), ``kernel`` (only when values are shown; flipped when
    transposed; for pooling, ``products``: the window's values, its max
    outlined in red) and ``output`` (written up to ``step``, the current cell
    in red). A 1-D trace is drawn as one row, its sizes and cells named by
    one number. Short titles that do not change from frame to frame, the step under
    the output, the parameters as a heading, and a figure as wide as its
    panels at :data:`CELL_INCHES` per cell (between :data:`MIN_WIDTH` and
    :data:`MAX_WIDTH`), so every frame has the same layout.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    axes, grids : dict
        By panel name.
    window : drawing.Window
        The kernel's taps on the swept grid.
    source_cells : list of (int, int)
        The input pixels outlined.
    """

    title_size = FONT_SIZE
    max_cell = CELL_INCHES
    fit_height = True
    bottom_room = 0.35  # the step, under the output
    legend_follows = False  # one layout for every frame
    max_height = float("inf")  # a slide's frame is as tall as its grids need

    def __init__(self, t, show_values=False, title=None, dpi=DPI, plain=False, relation=None):
        pooling = isinstance(t, PoolTrace)
        # the guide's pooling figures are numerical: their numbers stay, plain or not
        self.show_values, self.plain = show_values and (pooling or not plain), plain
        weights = "products" if pooling else "kernel"
        if plain:  # the guide's style: the swept grid and the output, no text at all
            panels = ("padded", "output")
            self.bottom_room = 0.05
        else:
            panels = ("input", "padded", weights, "output") if show_values else ("input", "padded", "output")
        if pooling and self.show_values:
            self.max_cell = POOL_CELL_INCHES
        titles = _titles(t)
        shapes = {"input": t.input.shape, "padded": t.padded.shape, weights: t.kernel_shape, "output": t.output.shape}
        width = row_width(
            [shapes[p] for p in panels],
            None if plain else [text_width(titles[p], FONT_SIZE) for p in panels],
            max_width=MAX_WIDTH,
            max_cell=self.max_cell,
        )
        present = set(cell_kinds(t.labels).ravel())
        kinds = [k for k in ("input", "zero", "pad") if k in present]
        kinds += ["product" if pooling else "kernel"] if weights in panels else []
        super().__init__(
            t,
            0,
            figsize=(width if plain else max(width, MIN_WIDTH), 3.0),  # the height follows the panels
            panels=panels,
            legend=() if plain else kinds + ["window", "output", "current"],
            heading=() if plain else ([title] if title else []) + [describe(t)] + ([relation] if relation else []),
        )
        self.figure.set_dpi(dpi)
        self.png_dpi = dpi
        self.sources = Outlines(self.axes["input"]) if "input" in self.axes else None
        self.caption = FigureText(self.figure, FONT_SIZE)
        self.extra_texts = (self.caption,)  # measured by drawn_texts() with the rest
        self.show(0)

    def content(self, trace, step):
        titles = _titles(trace)
        content = {
            name: (kinds, values if self.show_values else None, "" if self.plain else titles[name])
            for name, (kinds, values, _) in super().content(trace, step).items()
        }
        if getattr(trace, "mode", None) == "avg" and content["output"][1] is not None:
            kinds, values, title = content["output"]  # means to 2 decimals, as the guide prints 1: they fit the cells
            content["output"] = kinds, np.round(values, 2), title
        return content

    def show(self, step):
        """Draw the kernel at sweep position ``step`` and the output written so far."""
        t = self.trace
        s = t.step(step)
        self.update(t, step)
        self.source_cells = input_cells_under(t, s.origin)
        if self.plain:
            return
        self.sources.set_cells(self.source_cells)
        x0, y0, w, _ = self.axes["output"].get_position().bounds
        fw, fh = self.figure.get_size_inches()
        x, y, line = (x0 + w / 2) * fw, y0 * fh - 0.05 - 0.75 * FONT_SIZE / 72, self.caption.line
        value = f" = {format_value(s.value)}" if self.show_values else ""
        if self.show_values and getattr(t, "mode", None) == "avg":
            value = f" = {format_value(s.window.sum())} / {s.window.size}{value}"
        lines = [f"step {step + 1}/{t.n_steps}", f"out{_cell(t, s.out)}{value}"]
        half = max(map(self.caption.width, lines)) / 2 + 0.05
        x = min(max(x, half), fw - half)  # centred under the output, but never past the frame's edge
        self.caption.set([(lines[0], x, y), (lines[1], x, y - line)])


class Animation:
    """One frame per kernel position of a traced sweep: :func:`save` it, or show it with :meth:`to_jshtml`.

    Made by :func:`animate`; frame ``n`` is ``view.show(n)``. Nothing is
    drawn until it is saved or shown.

    Attributes
    ----------
    view : SweepFigure
    trace : Trace or ConvTrace
    frame_count : int
        One frame per output cell.
    fps : float
    """

    def __init__(self, view, fps=2):
        self.view, self.trace, self.fps = view, view.trace, fps
        self.frame_count = view.trace.n_steps

    def save(self, path, fps=None, progress=None):
        """:func:`save` this animation to ``path`` (``.gif`` or ``.mp4``); return the path."""
        return save(self, path, fps, progress)

    def to_jshtml(self, fps=None):
        """HTML with JavaScript controls that plays the frames (for ``IPython.display.HTML``).

        Written by matplotlib's ``HTMLWriter``, as ``FuncAnimation.to_jshtml`` does.
        """
        with TemporaryDirectory() as directory:
            path = Path(directory) / "animation.html"
            _write(self, HTMLWriter(fps=fps or self.fps, embed_frames=True, default_mode="loop"), path)
            return path.read_text(encoding="utf-8")

    def __repr__(self):
        return f"Animation({self.frame_count} frames at {self.fps:g} fps of {self.trace!r})"


def animate(
    transposed=False,
    input_size=4,
    kernel_size=3,
    stride=1,
    padding=0,
    output_padding=0,
    dilation=1,
    *,
    pooling=None,
    dims=2,
    values=None,
    seed=None,
    fps=2,
    dpi=DPI,
    title=None,
    scale=1,
    plain=False,
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
    pooling : {None, "max", "avg"}
        Draw a pooling window of ``kernel_size`` instead (forward only): the
        window's values in place of the kernel, the max outlined in red
        (relationship 7 of the guide).
    dims : {2, 1}
        1: a 1-D case (PyTorch's ``conv1d`` / ``conv_transpose1d``), each size
        one integer, drawn as a one-row image.
    values : None, "random" or (X, W)
        ``None`` draws the geometry only; otherwise values are printed in the
        cells (see :func:`case_trace`; for pooling, ``X`` alone).
    seed : int, optional
        Seed of the random values (implies ``values="random"``).
    fps : float
        Frames per second when played or saved.
    dpi : int
        Pixels per inch; the default keeps a GIF at a few tens of kB.
    title : str, optional
        A heading, shown above the line of parameters and output size.
    scale : float
        Draw every frame ``scale`` times larger (pixels per inch ``dpi × scale``):
        ``scale=2`` for a projector or a slide, text and lines included.
    plain : bool
        The guide's own style: only the swept grid (zeros inserted, padded)
        and the output, no titles, legend, numbers or captions.

    Returns
    -------
    Animation
        With ``view`` (the :class:`SweepFigure`), ``trace``, ``frame_count``
        and ``fps``.

    Raises
    ------
    ValueError
        Naming the parameter (``stride``, ``padding``, ``output_padding``, …),
        also when the frames, kept until the file is written, would not fit
        the memory budget (:mod:`deconvlib.budget`): ``scale`` when they
        would at scale 1, otherwise the size that makes them many.

    Examples
    --------
    >>> anim = animate(transposed=True, input_size=3, kernel_size=3, stride=2, padding=1)
    >>> anim.trace.output.shape, anim.frame_count
    ((5, 5), 25)
    >>> anim.view.show(24)
    >>> anim.view.window.cells()[0]       # the last window's top-left tap
    (4, 4)
    >>> animate(input_size=4, kernel_size=2, stride=2, pooling="max", seed=0).trace.output.shape
    (2, 2)
    >>> animate(transposed=True, input_size=5, kernel_size=3, stride=2, dims=1).frame_count
    11
    """
    low, high = SCALE_RANGE  # the command line's --scale and the course's set_scale take the same
    if not low <= float(scale) <= high:
        raise ParameterError(f"scale must be between {low:g} and {high:g}, got {scale!r}", parameter="scale")
    sizes = dict(
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )
    t = case_trace(transposed, **sizes, values=values, seed=seed, pooling=pooling, dims=dims)
    shown = values is not None or seed is not None
    relation = _relationship_line(transposed, sizes, pooling, dims)
    view = SweepFigure(t, show_values=shown, title=title, dpi=round(dpi * scale), plain=plain, relation=relation)
    _check_frames(view, t.n_steps, scale, lambda: blame_size(case_geometry(transposed, **sizes, dims=dims), transposed))
    return Animation(view, fps)


#: Bytes an animation keeps per pixel of each frame until it is written: RGB, and the GIF's palette index.
FRAME_BYTES = 4


def _check_frames(view, frames, scale, blame):
    """Refuse, before a frame is drawn, frames that would not fit the memory budget (:mod:`deconvlib.budget`).

    The frames are kept until the file is written (Pillow writes a GIF at
    the end), so ``frames × width × height`` pixels at :data:`FRAME_BYTES`
    each. Blamed on ``scale`` when the animation would fit at scale 1,
    otherwise on the size that makes the frames many (``blame()``, from the
    case's geometry: ``"X"`` is the ``input_size``).
    """
    width, height = (round(inches * view.png_dpi) for inches in view.figure.get_size_inches())
    pixels = frames * width * height
    unscaled = pixels * FRAME_BYTES / float(scale) ** 2
    parameter = "scale" if unscaled <= get_budget().memory else blame().replace("X", "input_size")
    check_memory(
        pixels,
        parameter,
        f"the animation's {frames} frames of {width}×{height} pixels (kept until the file is written)",
        itemsize=FRAME_BYTES,
    )


class _GifWriter(AbstractMovieWriter):
    """Frames rendered with Agg, written by Pillow with one shared palette.

    Pillow alone picks a palette per frame, so unchanged pixels change colour
    index and every frame is stored almost whole; with one palette (taken from
    the first and last frames, which between them hold every colour of a
    sweep) Pillow stores only the region that changed, and the GIF is about
    three times smaller. ``savefig`` options do not apply.
    """

    def setup(self, fig, outfile, dpi=None):
        super().setup(fig, outfile, dpi)
        self.frames = []

    def grab_frame(self, **savefig_kwargs):
        self.frames.append(render(self.fig, self.dpi))

    def finish(self):
        first, last = self.frames[0], self.frames[-1]
        both = Image.new("RGB", (first.width, 2 * first.height))
        both.paste(first, (0, 0))
        both.paste(last, (0, first.height))
        palette = both.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        frames = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in self.frames]
        frames[0].save(self.outfile, save_all=True, append_images=frames[1:], duration=int(1000 / self.fps), loop=0)


def ffmpeg_available():
    """Whether MP4 can be written (ffmpeg on the PATH)."""
    return shutil.which("ffmpeg") is not None


def save(anim, path, fps=None, progress=None):
    """Write ``anim`` to ``path``: ``.gif`` with Pillow, ``.mp4`` with ffmpeg.

    Parameters
    ----------
    anim : Animation
        From :func:`animate`.
    path : str or Path
    fps : float, optional
        Defaults to the animation's own.
    progress : callable, optional
        Called as ``progress(frame, n_frames)`` after each frame.

    Returns
    -------
    Path

    Raises
    ------
    ValueError
        If ``path`` ends in neither ``.gif`` nor ``.mp4``.
    RuntimeError
        If an MP4 is asked for and ffmpeg is not installed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    fps = fps or anim.fps
    if suffix == ".gif":
        writer = _GifWriter(fps=fps)
    elif suffix == ".mp4":
        if not ffmpeg_available():
            raise RuntimeError(f"writing {path.name} needs ffmpeg, which is not installed; write a .gif instead")
        writer = FFMpegWriter(fps=fps)
    else:
        raise ValueError(f"output must end in .gif or .mp4, got {str(path)!r}")
    _write(anim, writer, path, progress)
    return path


def _write(anim, writer, path, progress=None):
    """Every frame of ``anim`` through ``writer`` (a matplotlib ``AbstractMovieWriter``) to ``path``."""
    view = anim.view
    with writer.saving(view.figure, path, view.figure.dpi):
        for step in range(anim.frame_count):
            view.show(step)
            writer.grab_frame()
            if progress is not None:
                progress(step, anim.frame_count)
