"""The one explorer base: sliders → ``compute`` → ``draw`` → ``describe``.

An :class:`Explorer` is a row of sliders, a caption (HTML that follows the
sliders), one figure kept and updated in place, and a Reset button. A subclass
says what its sliders are and fills in three tested methods:

- :attr:`Explorer.specs`: name → ``(label, min, max, default)``, one slider
  each; :attr:`Explorer.choices`: name → :class:`Choice`, one toggle, dropdown
  or checkbox each; :attr:`Explorer.fixed`: parameters without a control.
- ``compute(values) → data``: the library's answer for the slider values;
  raises ``ValueError`` for a combination the library rejects, which is shown
  as ``⚠ message`` in place of the figure. Only ``ValueError`` is caught:
  anything else is a bug and should be seen.
- ``draw(data, values) → figure``: usually one call of :meth:`Explorer.keep_figure`
  (the figure is made once, then updated in place; it has ``to_png(dpi)``).
- ``describe(values, data) → str``: the caption; ``data`` is ``None`` when
  ``compute`` refused the values.

The figure's ``<img>`` carries :meth:`Explorer.alt_text` (what it is of,
:attr:`Explorer.subject`; the controls' values; the panels' titles; the
caption in plain words), so a screen reader reads the state the figure
shows; the caption is a polite live region, announced after a slider move;
and every control takes the keyboard (Tab, arrows, Enter, Space) with a
visible focus ring (:data:`FOCUS_CSS`).

Each control's ``observe`` callback is one call, :meth:`Explorer.refresh`:
limits that depend on other sliders follow (:meth:`Explorer.follow_limits`),
then :meth:`Explorer.render` draws and encodes the PNG (or the message) for
the ``Output`` widget. The explorers of the notebooks are in
:mod:`deconvlib.course.explorers`.

>>> class Doubler(Explorer):
...     specs = {"n": ("n", 0, 5, 2)}
...     def compute(self, values):
...         if values["n"] == 0:
...             raise ValueError("n must be positive")
...         return 2 * values["n"]
...     def draw(self, data, values):
...         return self.keep_figure(TextFigure, data)
...     def describe(self, values, data):
...         return f"2·{values['n']} = {data}"
>>> class TextFigure:
...     def __init__(self, data, figsize):
...         self.data = data
...     def alt_text(self):
...         return str(self.data)
...     def update(self, data):
...         self.data = data
...     def to_png(self, dpi):
...         return b"\\x89PNG" + str(self.data).encode()
>>> ex = Doubler(n=3)
>>> ex.data, ex.described, ex.png
(6, '2·3 = 6', b'\\x89PNG6')
>>> ex.caption.value.split("<span")[0]
'<div role="status" aria-live="polite" aria-atomic="true">2·3 = 6 '
>>> ex.alt
'Doubler, with n 3. Figure: 6. 2·3 = 6.'

>>> ex.set(n=0)
>>> ex.data, ex.message
(None, '⚠ n must be positive')
>>> ex.reset()
>>> ex.current(), ex.figure.data
({'n': 3}, 6)
>>> ex.set(m=1)
Traceback (most recent call last):
...
ValueError: Doubler has no slider 'm'; its sliders are n
"""

import base64
import html
import operator
from dataclasses import dataclass, field

import ipywidgets as widgets

from ..errors import ParameterError
from ..viz.drawing import DISPLAY, default_figsize, get_scale, img_html, png_html
from .captions import figure_alt_text, live_region, settings_text

__all__ = ["Explorer", "Choice", "svg_image", "FOCUS_CSS", "NAME_CONTROLS_JS"]

#: Keyboard focus made visible on every control of an explorer (slider handles, buttons, toggles, menus):
#: JupyterLab's own theme leaves a focused slider handle and a focused toggle button unmarked.
FOCUS_CSS = (
    ".deconvlib-explorer .noUi-handle:focus, .deconvlib-explorer .noUi-handle:focus-visible, "
    ".deconvlib-explorer button:focus-visible, .deconvlib-explorer select:focus-visible, "
    ".deconvlib-explorer input:focus-visible"
    " {outline: 3px solid #1a5fb4; outline-offset: 2px; box-shadow: 0 0 0 5px rgba(26, 95, 180, 0.35)}"
)

#: JavaScript run once where an explorer is shown (``element``: its output node): ipywidgets 8 gives a
#: slider's handle (``role="slider"``) no accessible name — its label is a separate ``<label>`` — and
#: Play's buttons only an icon, so a screen reader says "slider" and "button". This names each handle
#: by its slider's label and each Play button by its icon (axe-core: aria-input-field-name, button-name),
#: again whenever the widgets redraw (Play's one play/pause button changes its icon).
NAME_CONTROLS_JS = """
(function (element) {
  const BUTTONS = {'fa-play': 'play', 'fa-pause': 'pause', 'fa-stop': 'stop', 'fa-retweet': 'repeat',
                   'fa-repeat': 'repeat'};
  const name = (root) => {
    root.querySelectorAll('.widget-slider').forEach((slider) => {
      const label = slider.querySelector('.widget-label'), handle = slider.querySelector('.noUi-handle');
      const text = label ? label.textContent.trim() : '';
      if (handle && text && handle.getAttribute('aria-label') !== text) handle.setAttribute('aria-label', text);
    });
    root.querySelectorAll('.widget-play button').forEach((button) => {
      const icon = button.querySelector('i');
      const key = icon ? [...icon.classList].find((c) => c in BUTTONS) : null;
      if (key && button.getAttribute('aria-label') !== BUTTONS[key]) {
        button.setAttribute('aria-label', BUTTONS[key]);
        button.title = BUTTONS[key];
      }
    });
  };
  let tries = 0;
  const start = () => {
    const root = element && element.closest ? element.closest('.deconvlib-explorer') : null;
    if (!root) { if (tries++ < 100) setTimeout(start, 100); return; }
    name(root);
    new MutationObserver(() => name(root)).observe(root, {subtree: true, childList: true, attributes: true,
                                                    attributeFilter: ['class']});
  };
  start();
})(typeof element !== 'undefined' ? element : null);
"""


def _scale_class(scale):
    """The CSS class that scopes an explorer's style sheet to it at ``scale``: ``deconvlib-scale-150`` for 1.5."""
    return f"deconvlib-scale-{round(scale * 100)}"


def _slider_width(label, scale=1.0):
    """CSS px for a slider labelled ``label`` at ``scale``: the label (~8 px a character), a track and the readout.

    The track keeps ~85 px, so that three sliders share a row of the ~840-px output area.
    """
    return f"{round((8 * len(label) + 180) * scale)}px"


def svg_image(svg, figure, text, alt=None):
    """An output bundle showing ``svg`` as an ``<img>`` at ``figure``'s display size, shrunk to fit a narrower area.

    HTML rather than ``image/svg+xml``: JupyterLab shows an SVG at its own width however narrow the
    notebook (a PNG it shrinks to fit), and the ``<img>`` carries the figure's description as its alt text
    (``alt``; default the figure's own ``alt_text()``).
    """
    alt = figure.alt_text() if alt is None else alt
    return {"text/html": img_html(svg.encode("utf-8"), "image/svg+xml", figure.display_size(), alt), "text/plain": text}


def rebuild_track_when_it_grows(change):
    """Make the browser rebuild a slider's track when its range grows, so Home and End reach the new limits.

    ipywidgets draws a slider with noUiSlider, whose Home and End keys go to the range the track
    was *built* with: a new ``min``/``max`` moves the track's ends (ipywidgets calls its
    ``updateOptions``), but not those keys. Past a limit that shrank, the key still lands on the
    new limit (noUiSlider clamps it to the track); past one that grew, it stops short (nb 1's
    ``step``: End went to 49 of 324). A new orientation makes ipywidgets build the track again
    from the model's current range, so the slider flips to vertical and straight back.
    """
    grew = change.new > change.old if change.name == "max" else change.new < change.old
    if grew and change.owner.orientation == "horizontal":
        change.owner.orientation = "vertical"
        change.owner.orientation = "horizontal"


@dataclass(frozen=True)
class Choice:
    """One control that is not a slider: a row in :attr:`Explorer.choices`, as ``specs`` is for sliders.

    Parameters
    ----------
    label : str
        The widget's description.
    options : tuple of (str, object)
        ``(text shown, value)`` pairs, as ``ipywidgets.ToggleButtons`` takes
        them; a ``Checkbox`` or ``ToggleButton`` (no options trait) takes its
        values from them too (``False`` and ``True``), not its texts.
    default : object
        One of the values.
    widget : type, default ipywidgets.ToggleButtons
        ``Dropdown``, ``RadioButtons``, ``Checkbox``, ...
    settings : dict, optional
        More keywords for the widget (``style``, ``tooltips``, ``layout``).

    Examples
    --------
    >>> mode = Choice("pooling", (("max pooling", "max"), ("average pooling", "avg")), "max")
    >>> mode.values(), mode.checked("avg", "mode")
    (('max', 'avg'), 'avg')
    >>> mode.checked("min", "mode")
    Traceback (most recent call last):
    ...
    deconvlib.ParameterError: mode must be 'max' or 'avg', got 'min'
    """

    label: str
    options: tuple
    default: object
    widget: type = widgets.ToggleButtons
    settings: dict = field(default_factory=dict)

    def values(self):
        """The values the control can take, in order."""
        return tuple(value for _, value in self.options)

    def checked(self, value, name):
        """The option's own value equal to ``value`` (``1`` gives ``True``); a ``ParameterError`` names the choices."""
        for option in self.values():
            if option == value:
                return option
        names = [repr(option) for option in self.values()]
        listed = " or ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
        raise ParameterError(f"{name} must be {listed}, got {value!r}", name)

    def make(self, value):
        """The widget, showing ``value``."""
        options = {"options": list(self.options)} if self.widget.class_traits().get("options") else {}
        return self.widget(value=value, description=self.label, **options, **self.settings)


class Explorer:
    """Sliders + caption + one figure that follows them; ``.ui`` is the widget to display.

    Parameters
    ----------
    **values
        Start values of the sliders (clamped to their range) and values of the
        parameters without a slider (:attr:`fixed`). An unknown name is a
        ``ValueError``.

    Attributes
    ----------
    ui : ipywidgets.VBox
    sliders : dict of ipywidgets.IntSlider
        By name, in the order of :attr:`specs`.
    choosers : dict of ipywidgets widgets
        The :attr:`choices`' widgets, by name, shown above the sliders.
    start : dict
        The sliders' start values, which :meth:`reset` (and the Reset button)
        restores, with the choices' start values (in :attr:`values`).
    controls : ipywidgets.HBox
        The sliders and buttons, in rows that wrap on a narrow screen.
    reset_button : ipywidgets.Button
    play : ipywidgets.Play or None
        Steps the ``step`` slider, if the explorer has one.
    caption : ipywidgets.HTML
        :attr:`described` in a polite live region (:func:`~deconvlib.course.captions.live_region`).
    described : str
        The caption shown (HTML, what ``describe`` returned).
    alt : str or None
        The figure's alt text (:meth:`alt_text`), ``None`` while a message is shown.
    output : ipywidgets.Output
        Holds the figure (an SVG ``<img>`` in ``text/html``, :func:`svg_image`; ``image/png`` for a
        figure without ``to_svg``) or the message (``text/html``).
    data
        What ``compute`` returned for the values shown, or ``None`` when it refused them.
    figure
        The figure ``draw`` keeps (``None`` until the first successful draw).
    message : str or None
        The explanation shown instead of the figure, if any.
    svg : str or None
        The last SVG shown.
    png : bytes or None
        The figure shown, as PNG (for a static copy of the notebook: see ``_repr_mimebundle_``).
    renders : int
        How many times the output was redrawn.
    """

    #: name → ``(label, min, max, default)``: one slider each, in this order.
    specs = {}
    #: name → :class:`Choice`: one toggle (or dropdown, checkbox) each, above the sliders.
    choices = {}
    #: name → value of the parameters without a control.
    fixed = {}
    #: The figure's size in inches (``None``: the display width, the height its panels need, at most
    #: :attr:`figure_height`); its height is the tallest the figure may become.
    figsize = None
    #: The tallest the figure may be, in CSS px (``None``: :data:`~deconvlib.viz.drawing.DISPLAY`'s
    #: ``max_height``): an explorer with more above its figure (a case menu, rows of sliders, a long
    #: caption) asks for less, so that all of it fits the ~600-px notebook area of a 1280×720 screen.
    #: At a presentation scale (``set_scale``) it grows with the words around the figure, up to ``max_height``.
    figure_height = None
    #: The PNG's dpi (``None``: the figure's own, twice its display size).
    dpi = None
    #: What the figure is of, the first words of its alt text (:meth:`alt_text`; default the class's name).
    subject = None
    #: With ``False``, the alt text leaves out the caption (too long to hear: notebook 5's worked arithmetic).
    alt_caption = True

    def __init__(self, **values):
        defaults = self.defaults()
        unknown = [name for name in values if name not in defaults]
        if unknown:
            raise ValueError(
                f"{type(self).__name__} got an unknown parameter {unknown[0]!r}; "
                f"its parameters are {', '.join(defaults)}"
            )
        for name, value in values.items():
            default = defaults[name]
            if name in self.choices:
                values[name] = self.choices[name].checked(value, name)
            elif isinstance(default, int) and not isinstance(default, bool):
                values[name] = self._integer(name, value)
                bounds = None if name in self.specs else self.bounds(name)
                if bounds is not None and not bounds[0] <= values[name] <= bounds[1]:
                    raise ParameterError(
                        f"{type(self).__name__}'s {name} (no slider here) must be from {bounds[0]} to {bounds[1]}, "
                        f"got {value!r}",
                        name,
                    )
        self.values = {**defaults, **values}
        self.figure = self.data = self.message = self.svg = self._png = self.alt = None
        self.described = ""
        self.renders = 0
        self._busy = False
        self._build()
        self.refresh()
        self.start = {name: slider.value for name, slider in self.sliders.items()}

    def _integer(self, name, value):
        """``value`` as an int (``np.int64`` too), or a ``ParameterError`` naming ``name``: 2.5 is no position."""
        try:
            return operator.index(value)
        except TypeError:
            raise ParameterError(f"{type(self).__name__}'s {name} must be an integer, got {value!r}", name) from None

    def bounds(self, name):
        """``(low, high)`` that a parameter without a control must lie in, or None for any value (none here)."""
        return None

    def defaults(self):
        """Every parameter's default: the :attr:`fixed` ones, the :attr:`choices`' and the sliders' (:attr:`specs`)."""
        choices = {name: choice.default for name, choice in self.choices.items()}
        return {**self.fixed, **choices, **{name: spec[3] for name, spec in self.specs.items()}}

    def header(self):
        """Widgets shown above the sliders (none here)."""
        return []

    def _build(self):
        """The choices, the sliders, a Play button for ``step``, the Reset button and the layout."""
        # A slider never shrinks (its track would vanish on a narrow screen): the row wraps instead.
        # Each is as wide as its label, a ~85-px track and the readout (_slider_width).
        style = {"description_width": "initial"}
        self.sliders = {
            name: widgets.IntSlider(
                value=min(max(self.values[name], low), high),
                min=low,
                max=high,
                description=label,
                style=style,
                layout=widgets.Layout(width=_slider_width(label), flex="0 0 auto"),
                continuous_update=True,
            )
            for name, (label, low, high, _) in self.specs.items()
        }
        self.play = None
        if "step" in self.sliders:
            step = self.sliders["step"]
            self.play = widgets.Play(min=1, max=step.max, value=step.value, interval=700, description="play the sweep")
            widgets.jslink((self.play, "value"), (step, "value"))
            widgets.jslink((self.play, "max"), (step, "max"))
        self.reset_button = widgets.Button(
            description="reset", tooltip="every slider back to its start value", layout=widgets.Layout(width="80px")
        )
        self.reset_button.on_click(lambda button: self.reset())
        # as tall as the tallest figure shown so far, so the page does not jump when the figure shrinks
        self.output = widgets.Output(layout=widgets.Layout(min_height="120px"))
        self._tallest = 0
        self.caption = widgets.HTML()
        buttons = [b for b in (self.play, self.reset_button) if b is not None]
        for button in buttons:
            button.layout.flex = "0 0 auto"
        self.controls = widgets.HBox(
            list(self.sliders.values()) + buttons,
            layout=widgets.Layout(flex_flow="row wrap", align_items="center", width="100%"),
        )
        self.choosers = {name: choice.make(self.values[name]) for name, choice in self.choices.items()}
        # the projector scale (set_scale) for the words around the figure: labels, readouts, caption, buttons
        self.sheet = widgets.HTML(layout=widgets.Layout(height="0px", margin="0px"))
        # names for the slider handles and Play's buttons, which ipywidgets leaves unnamed (NAME_CONTROLS_JS)
        self.names = widgets.Output(layout=widgets.Layout(height="0px", margin="0px", overflow="hidden"))
        self.names.outputs = (
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"application/javascript": NAME_CONTROLS_JS, "text/plain": ""},
            },
        )
        self.ui = widgets.VBox(
            [self.sheet, self.names]
            + self.header()
            + list(self.choosers.values())
            + [self.controls, self.caption, self.output]
        )
        self.ui.add_class("deconvlib-explorer")
        self._scale_shown = None
        self.follow_scale()
        for control in [*self.choosers.values(), *self.sliders.values()]:
            control.observe(self.refresh, "value")
        for slider in self.sliders.values():
            slider.observe(rebuild_track_when_it_grows, ["min", "max"])

    # -- the protocol: subclasses fill these in ---------------------------------------

    def compute(self, values):
        """The data for ``values``; raises ``ValueError`` for a combination the library rejects."""
        raise NotImplementedError

    def draw(self, data, values):
        """Show ``data`` in the one figure (:meth:`keep_figure`); return the figure."""
        raise NotImplementedError

    def describe(self, values, data):
        """The caption (HTML) for ``values``; ``data`` is ``None`` when ``compute`` refused them."""
        return ""

    def alt_sentences(self, values, data):
        """More sentences for the alt text, after the caption (none here; the sweeps add the cell's sum)."""
        return []

    def settings(self, values):
        """``(label, value)`` of every control, as the alt text names them: a choice by its option's text."""
        chosen = [
            (choice.label, next((text for text, value in choice.options if value == values[name]), values[name]))
            for name, choice in self.choices.items()
        ]
        return chosen + [(spec[0], values[name]) for name, spec in self.specs.items()]

    def alt_text(self, values, data, described=None):
        """The figure in words, for its ``<img>``: what it is of, the controls, the panels' titles, the caption.

        Made from the values and the data the figure is drawn from (:func:`~deconvlib.course.captions.figure_alt_text`),
        so it changes with every slider.
        """
        described = self.describe(values, data) if described is None else described
        words = self.figure.alt_text() if self.figure is not None and hasattr(self.figure, "alt_text") else ""
        return figure_alt_text(
            self.subject or type(self).__name__,
            self.settings(values),
            words,
            described if self.alt_caption else "",
            *self.alt_sentences(values, data),
        )

    def follow_limits(self):
        """Set limits that depend on other sliders: here ``output_padding < max(stride, dilation)``.

        Either of stride and dilation may be a slider or a fixed value (1 when absent).
        Subclasses add their own limits after this one.
        """
        if "output_padding" in self.sliders:
            v = self.current()
            self.sliders["output_padding"].max = max(v.get("stride", 1), v.get("dilation", 1)) - 1

    # -- the tested path: values → data → figure or message ----------------------------

    def current(self):
        """All parameter values: the controls' where there is one, the fixed ones otherwise."""
        controls = {**self.choosers, **self.sliders}
        return {**self.values, **{name: control.value for name, control in controls.items()}}

    def step_index(self, data, values):
        """The 0-based step of ``data``'s sweep shown: the ``step`` slider's, clamped to the sweep."""
        return min(max(values["step"], 1), data.n_steps) - 1

    def show(self, values):
        """Compute and draw ``values``; return the figure, or the explanation (``⚠ ...``) of why not.

        Keeps what ``compute`` returned in :attr:`data` (``None`` when it refused).
        """
        try:
            self.data = self.compute(values)
        except ValueError as error:
            self.data = None
            return "⚠ " + str(error)
        return self.draw(self.data, values)

    def keep_figure(self, figure_class, *state, **options):
        """Draw ``state``: the first time as ``figure_class(*state, figsize, **options)``,
        afterwards by ``figure.update(*state)`` in place. Returns the figure."""
        if self.figure is None or getattr(self.figure, "scale", None) not in (None, get_scale()):
            figsize = self.figsize
            if figsize is None and self.figure_height is not None:  # the words above grow with the scale too
                figsize = default_figsize(min(self.figure_height * get_scale(), DISPLAY["max_height"]))
            self.figure = figure_class(*state, figsize, **options)  # first, or after set_scale
        else:
            self.figure.update(*state)
        return self.figure

    def render(self, values):
        """``show`` and encode: an output for the ``Output`` widget (PNG or HTML message)."""
        result = self.show(values)
        self.renders += 1
        self.described = self.describe(values, self.data)
        if isinstance(result, str):
            self.message, self.svg, self._png, self.alt = result, None, None, None
            text = html.escape(result)
            return {
                "output_type": "display_data",
                "metadata": {},
                "data": {
                    "text/plain": result,
                    "text/html": f'<div style="padding:1em;color:#a61c00;font-size:110%">{text}</div>',
                },
            }
        self.message, self._png = None, None
        size = getattr(result, "display_metadata", dict)()
        if size.get("height", 0) > self._tallest:
            self._tallest = size["height"]
            self.output.layout.min_height = f"{self._tallest + 8}px"
        self.alt = self.alt_text(values, self.data, self.described)
        if hasattr(result, "to_svg"):  # drawn as SVG: a few ms of string work, where a PNG took 15-60 ms
            self.svg = result.to_svg()
            bundle = svg_image(self.svg, result, repr(result), self.alt)
            return {"output_type": "display_data", "metadata": {}, "data": bundle}
        self.svg, self._png = None, result.to_png(self.dpi)
        return {
            "output_type": "display_data",
            "metadata": {"image/png": size} if size else {},
            "data": {**self._png_bundle(), "text/plain": repr(result)},
        }

    def _png_bundle(self):
        """The PNG as ``image/png`` and as an ``<img>`` with the alt text (``text/html``, which viewers prefer)."""
        size = getattr(self.figure, "display_size", lambda: None)()
        html_img = png_html(self.png, size, self.alt or "") if size else None
        data = {"image/png": base64.b64encode(self.png).decode("ascii")}
        return {**data, "text/html": html_img} if html_img else data

    @property
    def png(self):
        """The figure shown, as PNG bytes (made when first asked for), or ``None`` when a message is shown."""
        if self._png is None and self.message is None and self.figure is not None:
            self._png = self.figure.to_png(self.dpi)
        return self._png

    # -- wiring ----------------------------------------------------------------------

    def follow_scale(self):
        """Size the words around the figure for the presentation scale (:func:`~deconvlib.viz.drawing.set_scale`).

        The figure follows the scale at its next draw; the slider labels, their readouts, the caption
        and the buttons (13 px at scale 1) follow here, through a style sheet scoped to this explorer,
        and each slider widens with its label.
        """
        scale = get_scale()
        if scale == self._scale_shown:
            return
        focus = f"<style>{FOCUS_CSS}</style>"
        if self._scale_shown is not None:
            self.ui.remove_class(_scale_class(self._scale_shown))
        self._scale_shown = scale
        scoped = _scale_class(scale)
        self.ui.add_class(scoped)
        parts = ("widget-label", "widget-readout", "widget-html-content", "widget-button", "widget-toggle-button")
        selectors = ", ".join(f".{scoped} .{part}" for part in parts)
        size = 13 * scale
        self.sheet.value = focus + (
            ""
            if scale == 1
            else f"<style>{selectors} {{font-size: {size:g}px; line-height: {1.35 * size:g}px}}</style>"
        )
        for name, (label, *_) in self.specs.items():
            self.sliders[name].layout.width = _slider_width(label, scale)

    def refresh(self, change=None):
        """The sliders' one callback: follow limits, then show the new figure or message and caption."""
        if self._busy:  # a limit change moved another slider: one redraw is enough
            return
        self._busy = True
        try:
            self.follow_scale()
            self.follow_limits()
            values = self.current()
            self.output.outputs = (self.render(values),)
            self.caption.value = live_region(self.described, settings_text(self.settings(values)))
        finally:
            self._busy = False

    def set(self, **values):
        """Move several sliders and choices at once (one redraw); limits are re-derived from the new values.

        A name without a control, a slider value that is not an integer, or a
        choice's value not among its options, is a ``ValueError`` naming it
        (nothing moves); an integer outside a slider's range is clamped to it.
        """
        unknown = [name for name in values if name not in self.sliders and name not in self.choosers]
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no slider {unknown[0]!r}; its sliders are {', '.join(self.sliders)}"
                + (f" and its choices {', '.join(self.choosers)}" if self.choosers else "")
            )
        chosen = {name: self.choices[name].checked(values.pop(name), name) for name in self.choosers if name in values}
        values = {name: self._integer(name, value) for name, value in values.items()}  # as the constructor does
        self._busy = True
        try:
            for name, value in chosen.items():
                self.choosers[name].value = value
            for name, slider in self.sliders.items():  # open every limit first, so no value is clamped early
                slider.max = max(slider.max, self.specs[name][2])
            for name, value in values.items():
                self.sliders[name].value = value
        finally:
            self._busy = False
        self.refresh()

    def reset(self):
        """Every slider and choice back to its start value (the Reset button's one callback)."""
        self.set(**{name: self.values[name] for name in self.choosers}, **self.start)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The widgets, with the figure and a plain sentence for where widgets cannot show.

        JupyterLab shows the widget view when its widget manager is ready (it
        is preferred over the rest). A static viewer (GitHub, nbviewer, an HTML
        export) shows the figure; and a page that ran the cell before its
        widget manager had loaded shows the figure and says to run the cell
        again, instead of ``VBox(children=...)`` or "model not found". The
        figure is there twice: ``image/png`` and an ``<img>`` with its alt text
        in ``text/html`` (which an HTML export and JupyterLab show), as
        ``nbconvert --to html`` writes no alt text for an ``image/png``.
        """
        data = dict(self.ui._repr_mimebundle_())
        data["text/plain"] = f"{self!r} (no sliders? run this cell again once the page has loaded)"
        metadata = {}
        if self.png is not None:
            data.update(self._png_bundle())
            size = getattr(self.figure, "display_metadata", dict)()
            if size:
                metadata["image/png"] = size
        return data, metadata

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.current().items())})"
