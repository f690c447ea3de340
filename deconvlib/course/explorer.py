"""Sliders wired to the drawing: ready-made explorers for the notebooks.

An :class:`Explorer` is a row of sliders, a caption (a formula that updates
with the sliders) and a figure. Each slider's ``observe`` callback is one
call, :meth:`Explorer.refresh`, which asks the tested :meth:`Explorer.render`
for the new output: a PNG of the one :class:`~deconvlib.drawing.TraceFigure`
(updated in place) or, when the sliders reach a combination the library
rejects, a short explanation in its place. Only ``ValueError`` from the
computation is caught; anything else is a bug and should be seen.

Slider limits follow the other sliders: ``output_padding < max(stride,
dilation)``, and the sweep ``step`` runs over the output's cells (a Play
button steps it). The builders :func:`pipeline_explorer`,
:func:`dilation_explorer`, :func:`padding_explorer` and
:func:`sweep_explorer` are the explorers of notebooks 1–4.

>>> ex = pipeline_explorer()
>>> ex.set(stride=1, padding=1)
>>> ex.message is None, ex.figure.trace.output.shape
(True, (3, 3))
>>> ex.set(size=1, kernel_size=1, padding=3)
>>> ex.message
'⚠ padding (3, 3) would leave an empty output (size -5): it crops more than the full result of size 1'
"""

import base64
import html

import ipywidgets as widgets
import numpy as np

from ..arithmetic import conv_transpose_output_size
from ..explain import dilated_size_caption, output_size_caption, padding_caption, step_caption
from ..trace import trace
from ..viz.drawing import TraceFigure

__all__ = [
    "SLIDERS",
    "example_input",
    "example_kernel",
    "Explorer",
    "pipeline_explorer",
    "dilation_explorer",
    "padding_explorer",
    "sweep_explorer",
]

#: name → (label, min, max, default). ``output_padding`` and ``step`` maxima follow other sliders.
SLIDERS = {
    "size": ("input size", 1, 5, 3),
    "kernel_size": ("kernel size", 1, 4, 3),
    "stride": ("stride", 1, 3, 2),
    "padding": ("padding", 0, 3, 0),
    "output_padding": ("output_padding", 0, 2, 0),
    "dilation": ("dilation", 1, 3, 1),
    "step": ("step", 1, 49, 49),
}


def example_input(size):
    """The explorers' input: ``1, 2, …, size²`` in a ``(size, size)`` grid, easy to follow.

    >>> example_input(2)
    array([[1., 2.],
           [3., 4.]])
    """
    return np.arange(1.0, size * size + 1).reshape(size, size)


def example_kernel(size):
    """The explorers' kernel: small integers ``1, 2, …`` (mod 7), no two rows alike, so the flip shows.

    >>> example_kernel(3)
    array([[1., 2., 3.],
           [4., 5., 6.],
           [0., 1., 2.]])
    """
    return (np.arange(1, size * size + 1) % 7).reshape(size, size).astype(float)


class Explorer:
    """Sliders + caption + one figure that follows them; ``.ui`` is the widget to display.

    Parameters
    ----------
    sliders : sequence of str
        Names from :data:`SLIDERS`; parameters without a slider keep ``values``'
        (or :data:`SLIDERS`') default. With ``"step"`` a Play button steps the sweep.
    panels : sequence of str
        The :class:`~deconvlib.drawing.TraceFigure` panels.
    caption : callable ``(values, trace or None) → str`` (HTML), optional
    values : dict, optional
        Start values (and fixed values of parameters without a slider).
    limits : dict, optional
        ``name → (min, max)`` overriding :data:`SLIDERS`' range.
    figsize, dpi
        Of the figure; the PNG is ``figsize × dpi`` pixels.

    Attributes
    ----------
    ui : ipywidgets.VBox
    sliders : dict of ipywidgets.IntSlider
    output : ipywidgets.Output
        Holds the PNG (``image/png``) or the message (``text/html``).
    figure : TraceFigure or None
    message : str or None
        The explanation shown instead of the figure, if any.
    """

    def __init__(self, sliders, panels, caption=None, values=None, limits=None, figsize=(11, 3.4), dpi=80):
        unknown = [s for s in sliders if s not in SLIDERS]
        if unknown:
            raise ValueError(f"sliders must be names from {sorted(SLIDERS)}, got {unknown}")
        specs = {}
        for name in sliders:
            label, low, high, default = SLIDERS[name]
            low, high = (limits or {}).get(name, (low, high))
            specs[name] = (label, low, high, default)
        self.values = {name: spec[3] for name, spec in SLIDERS.items()}
        self.values.update(values or {})
        self.panels, self.caption_fn, self.figsize, self.dpi = tuple(panels), caption, figsize, dpi
        self._build(specs)

    def _build(self, specs, header=()):
        """Sliders from ``specs`` (name → ``(label, min, max, default)``), a Play button
        for ``step``, the layout (``header`` widgets first); then the first draw."""
        self.figure, self.message, self.png = None, None, None
        self.renders = 0
        self._busy = False
        style, layout = {"description_width": "initial"}, widgets.Layout(width="230px")
        self.sliders = {
            name: widgets.IntSlider(
                value=min(max(self.values[name], low), high),
                min=low,
                max=high,
                description=label,
                style=style,
                layout=layout,
                continuous_update=True,
            )
            for name, (label, low, high, _) in specs.items()
        }
        self.play = None
        if "step" in self.sliders:
            step = self.sliders["step"]
            self.play = widgets.Play(min=1, max=step.max, value=step.value, interval=700, description="play the sweep")
            widgets.jslink((self.play, "value"), (step, "value"))
            widgets.jslink((self.play, "max"), (step, "max"))
        self.output = widgets.Output(layout=widgets.Layout(min_height=f"{int(self.figsize[1] * self.dpi) + 10}px"))
        self.caption = widgets.HTML()
        rows = [list(self.sliders.values())[i : i + 4] for i in range(0, len(self.sliders), 4)]
        if self.play is not None:
            rows[-1] = rows[-1] + [self.play]
        self.ui = widgets.VBox(list(header) + [widgets.HBox(row) for row in rows] + [self.caption, self.output])
        for slider in self.sliders.values():
            slider.observe(self.refresh, "value")
        self.refresh()

    # -- the tested path: values → trace → figure or message -------------------------

    def current(self):
        """All parameter values: the sliders' where there is one, the fixed ones otherwise."""
        values = dict(self.values)
        values.update({name: s.value for name, s in self.sliders.items()})
        return values

    def compute(self, values):
        """The :class:`~deconvlib.Trace` for ``values``; raises ``ValueError`` for a bad combination."""
        return trace(
            example_input(values["size"]),
            example_kernel(values["kernel_size"]),
            stride=values["stride"],
            padding=values["padding"],
            output_padding=values["output_padding"],
            dilation=values["dilation"],
        )

    def show(self, values):
        """Update the figure for ``values``; return the :class:`TraceFigure`, or the message why not."""
        try:
            t = self.compute(values)
        except ValueError as error:
            return "⚠ " + str(error)
        step = None
        if "step" in self.sliders:
            step = min(max(values["step"], 1), t.n_steps) - 1
        return self.keep_figure(TraceFigure, t, step, panels=self.panels)

    def keep_figure(self, figure_class, *state, **options):
        """Draw ``state``: the first time as ``figure_class(*state, figsize, **options)``,
        afterwards by ``figure.update(*state)`` in place. Returns the figure."""
        if self.figure is None:
            self.figure = figure_class(*state, self.figsize, **options)
        else:
            self.figure.update(*state)
        return self.figure

    def render(self, values):
        """``show`` and encode: an output for the ``Output`` widget (PNG or HTML message)."""
        result = self.show(values)
        self.renders += 1
        if isinstance(result, str):
            self.message, self.png = result, None
            text = html.escape(result)
            return {
                "output_type": "display_data",
                "metadata": {},
                "data": {
                    "text/plain": result,
                    "text/html": f'<div style="padding:1em;color:#a61c00;font-size:110%">{text}</div>',
                },
            }
        self.message, self.png = None, result.to_png(self.dpi)
        return {
            "output_type": "display_data",
            "metadata": {},
            "data": {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": repr(result)},
        }

    def follow_limits(self):
        """Set limits that depend on other sliders: ``output_padding`` and ``step`` maxima."""
        v = self.current()
        if "output_padding" in self.sliders:
            self.sliders["output_padding"].max = max(v["stride"], v["dilation"]) - 1
        if "step" in self.sliders:
            step = self.sliders["step"]
            try:  # square input and kernel: a square output
                o = conv_transpose_output_size(
                    v["size"],
                    v["kernel_size"],
                    v["stride"],
                    v["padding"],
                    self.current()["output_padding"],
                    v["dilation"],
                )
            except ValueError:
                return  # render() explains; keep the step where it is
            at_end = step.value >= step.max
            step.max = o * o
            if at_end:
                step.value = step.max

    def refresh(self, change=None):
        """The sliders' one callback: follow limits, then show the new figure or message."""
        if self._busy:  # a limit change moved another slider: one redraw is enough
            return
        self._busy = True
        try:
            self.follow_limits()
            values = self.current()
            self.output.outputs = (self.render(values),)
            t = self.figure.trace if self.message is None else None
            self.caption.value = self.caption_fn(values, t) if self.caption_fn else ""
        finally:
            self._busy = False

    def set(self, **values):
        """Move several sliders at once (one redraw), as a student would one by one."""
        self._busy = True
        try:
            for name, value in values.items():
                self.sliders[name].value = value
        finally:
            self._busy = False
        self.refresh()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.ui)

    def __repr__(self):
        return f"Explorer(sliders={list(self.sliders)}, panels={list(self.panels)}, values={self.current()})"


def pipeline_explorer(**values):
    """Notebook 1: every slider, the whole pipeline, and the output-size formula."""
    return Explorer(
        ["size", "kernel_size", "stride", "padding", "output_padding", "dilation", "step"],
        ("input", "padded", "kernel", "output"),
        output_size_caption,
        values,
    )


def dilation_explorer(**values):
    """Notebook 2: stage 1 alone; sliders for input size and stride."""
    values = {"kernel_size": 1, **values}
    return Explorer(
        ["size", "stride"],
        ("input", "dilated"),
        dilated_size_caption,
        values,
        limits={"size": (1, 6), "stride": (1, 4)},
        figsize=(8, 3.6),
    )


def padding_explorer(**values):
    """Notebook 3: stage 2; padding becomes a crop, output_padding adds a row."""
    return Explorer(
        ["size", "kernel_size", "stride", "padding", "output_padding"],
        ("dilated", "padded", "full"),
        padding_caption,
        {"padding": 1, **values},
        figsize=(11, 3.8),
    )


def sweep_explorer(**values):
    """Notebook 4: stage 3; the flipped kernel sweeps the padded grid, step by step."""
    return Explorer(
        ["size", "kernel_size", "stride", "padding", "dilation", "step"],
        ("padded", "kernel", "products", "output"),
        step_caption,
        {"size": 2, "step": 1, **values},
    )
