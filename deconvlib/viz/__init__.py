"""Drawing: every figure of the course, the animations and the gallery (needs matplotlib and Pillow).

- :mod:`~deconvlib.viz.drawing`: the visual language (colours, cell grids,
  kernel windows, titles and legends as cached glyph outlines, fast PNG), the
  one layout (:func:`~deconvlib.viz.drawing.layout_row`), the base of every
  figure (:class:`~deconvlib.viz.drawing.PanelFigure`: ``update``, ``to_png``,
  ``_repr_png_``) and :class:`~deconvlib.viz.drawing.TraceFigure`, the stages
  of a :class:`~deconvlib.Trace` at one step of the sweep.
- :mod:`~deconvlib.viz.course_figures`: the matrices ``C``/``Cᵀ``, the scatter
  view, overlap maps, group connections, decoder shapes.
- :mod:`~deconvlib.viz.animation`: one frame per kernel position (a
  ``TraceFigure`` sized for a slide), GIF or MP4.
- :mod:`~deconvlib.viz.gallery`: every case of :data:`deconvlib.cases.GALLERY` drawn (the guide's
  convolution and pooling figures, twins, 1-D cases), and an index.

Everything drawn is computed by the core (numpy only); the words come from
:mod:`deconvlib.explain`.
"""

try:  # without the extra, say which one to install
    import matplotlib  # noqa: F401
    import PIL  # noqa: F401
except ModuleNotFoundError as error:
    raise ModuleNotFoundError(
        f"deconvlib.viz draws with matplotlib and Pillow ({error.name} is missing): pip install 'deconvlib[viz]'",
        name=error.name,
    ) from None

from . import font_cache  # noqa: E402

font_cache.install()  # in Pyodide, before matplotlib's font manager loads: no font scan, no warning on stderr
