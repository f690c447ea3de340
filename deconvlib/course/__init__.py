"""The course: what the notebooks import (needs ipywidgets, matplotlib and Pillow).

``from deconvlib import course`` gives the explorers of the notebooks
and the checkers of their exercises, in notebook order:

- :mod:`~deconvlib.course.explorer`: the one explorer base (sliders and
  toggles → compute → draw → caption).
- :mod:`~deconvlib.course.explorers`: the explorers of notebooks 0–9.
- :mod:`~deconvlib.course.captions`: their captions, which read the numbers of
  the trace the figure draws.
- :mod:`~deconvlib.course.checking`: the one way to check an answer
  (:class:`Verdict`, :func:`check_value`, :func:`check_function`).
- :mod:`~deconvlib.course.exercises`: the checkers of the exercises (each takes
  ``strict=True``, or follows :class:`~deconvlib.course.checking.strict`, for grading).
- :mod:`~deconvlib.course.variants`: per-student numbers for the exercises answered
  with a value (:func:`~deconvlib.course.variants.variant`).
- :mod:`~deconvlib.course.handin`: :func:`~deconvlib.course.handin.hand_in`, download
  links for the answered notebooks (for handing them in from the site).

It also re-exports the figures the notebooks draw directly (from
:mod:`deconvlib.viz`), so a notebook needs two imports: ``import deconvlib as
dl`` for the core and ``from deconvlib import course`` for the rest; and
:func:`set_scale`, the presentation scale of every figure (``set_scale(1.5)``
before a lecture on a projector).
"""

try:  # without the extra, say which one to install (before deconvlib.viz names its own)
    import ipywidgets  # noqa: F401
    import matplotlib  # noqa: F401
    import PIL  # noqa: F401
except ModuleNotFoundError as error:
    raise ModuleNotFoundError(
        f"deconvlib.course needs ipywidgets, matplotlib and Pillow ({error.name} is missing): "
        "pip install 'deconvlib[course]'",
        name=error.name,
    ) from None

from ..viz.course_figures import (
    ArtifactFigure,
    GroupsFigure,
    MatrixFigure,
    OverlapFigure,
    ScatterFigure,
    StampsFigure,
)
from ..viz.drawing import TraceFigure, get_scale, set_scale
from .checking import Verdict, check_function, check_value, strict
from .exercises import *  # noqa: F401,F403
from .exercises import __all__ as _exercises
from .explorers import (
    FORWARD_CASES,
    GUIDE_CASES,
    ArtifactExplorer,
    DecoderExplorer,
    DoctorExplorer,
    ForwardExplorer,
    GroupsExplorer,
    GuideExplorer,
    MatrixExplorer,
    OverlapExplorer,
    PaddingSolver,
    PoolingExplorer,
    ScatterExplorer,
    StampsExplorer,
    dilation_explorer,
    padding_explorer,
    photo,
    pipeline_explorer,
    sweep_explorer,
)
from .handin import hand_in
from .variants import variant

__all__ = [
    "ForwardExplorer",
    "PoolingExplorer",
    "FORWARD_CASES",
    "pipeline_explorer",
    "dilation_explorer",
    "padding_explorer",
    "sweep_explorer",
    "GuideExplorer",
    "PaddingSolver",
    "MatrixExplorer",
    "ScatterExplorer",
    "OverlapExplorer",
    "photo",
    "ArtifactExplorer",
    "DecoderExplorer",
    "GroupsExplorer",
    "StampsExplorer",
    "DoctorExplorer",
    "GUIDE_CASES",
    "TraceFigure",
    "MatrixFigure",
    "ScatterFigure",
    "OverlapFigure",
    "ArtifactFigure",
    "GroupsFigure",
    "StampsFigure",
    "set_scale",
    "get_scale",
    "Verdict",
    "check_value",
    "check_function",
    "strict",
    "variant",
    "hand_in",
    *_exercises,
]
