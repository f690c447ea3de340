"""The explorers' captions: HTML that writes a formula with the numbers on screen.

A caption reads its numbers from the trace its explorer computed: the checked
values the figure draws (``t.stride``, ``t.padding``, the output's shape), so
a parameter reaches the screen by one road and a caption cannot disagree with
its figure. Only when the library refused the sliders' values (``t`` is
``None``; the figure gives way to the library's message) does a caption write
the formula with the values it was given, to show where the size falls below 1.

An explorer's figure is described in words by :func:`figure_alt_text` (its
``<img>``'s alt text, for a screen reader), from the same values and trace,
and its caption is a polite live region (:func:`live_region`), announced
after a slider move.

The traces are those of the explorers: a square input and kernel, so the
caption's one axis (the columns) stands for both. The plain sentences behind
the captions (a step's sum, the padding solver's answer, the overlap verdicts)
are :mod:`deconvlib.explain`'s.
"""

import html
import re

from ..explain import describe_conv_step, describe_pads, describe_pool_step, describe_step, relationship

__all__ = [
    "transposed_numbers",
    "forward_numbers",
    "output_size_caption",
    "dilated_size_caption",
    "padding_caption",
    "step_caption",
    "conv_output_size_caption",
    "forward_caption",
    "pooling_caption",
    "plain_text",
    "settings_text",
    "figure_alt_text",
    "live_region",
]


def transposed_numbers(t, values=None):
    """``(i, k, s, p, output_padding, d, o)`` of a transposed convolution, as a caption writes them.

    Parameters
    ----------
    t : Trace or None
        The explorer's trace: every number is read from it (the output size
        from its output).
    values : dict, optional
        Read only when ``t`` is ``None`` (the library refused them): ``size``,
        ``kernel_size``, ``stride``, ``padding``, ``output_padding`` (default 0)
        and ``dilation`` (default 1); ``o`` is then the formula's value, below 1.

    Returns
    -------
    tuple of int

    Examples
    --------
    >>> import numpy as np
    >>> from deconvlib import trace
    >>> transposed_numbers(trace(np.ones((3, 3)), np.ones((3, 3)), stride=2, padding=1, output_padding=1))
    (3, 3, 2, 1, 1, 1, 6)
    >>> transposed_numbers(None, dict(size=1, kernel_size=1, stride=1, padding=3))
    (1, 1, 1, 3, 0, 1, -5)
    """
    if t is not None:
        i, k, o = t.input.shape[-1], t.kernel.shape[-1], t.output.shape[-1]
        return i, k, t.stride[-1], t.padding[-2], t.output_padding[-1], t.dilation[-1], o
    i, k, s, p = (values[name] for name in ("size", "kernel_size", "stride", "padding"))
    op, d = values.get("output_padding", 0), values.get("dilation", 1)
    return i, k, s, p, op, d, s * (i - 1) + d * (k - 1) + 1 - 2 * p + op


def forward_numbers(t, values=None):
    """``(i, k, s, p, d, o)`` of a forward convolution, as a caption writes them.

    Parameters
    ----------
    t : ConvTrace or None
        The explorer's trace: every number is read from it.
    values : dict, optional
        Read only when ``t`` is ``None``: ``size``, ``kernel_size``, ``stride``,
        ``padding`` and ``dilation`` (default 1); ``o`` is then the formula's
        value, below 1.

    Returns
    -------
    tuple of int

    Examples
    --------
    >>> forward_numbers(None, dict(size=2, kernel_size=5, stride=1, padding=0))
    (2, 5, 1, 0, 1, -2)
    """
    if t is not None:
        return t.input.shape[-1], t.kernel.shape[-1], t.stride[-1], t.padding[-2], t.dilation[-1], t.output.shape[-1]
    i, k, s, p = (values[name] for name in ("size", "kernel_size", "stride", "padding"))
    d = values.get("dilation", 1)
    return i, k, s, p, d, (i + 2 * p - d * (k - 1) - 1) // s + 1


def output_size_caption(t, values=None):
    """The output-size formula with the trace's numbers in it.

    Parameters
    ----------
    t : Trace or None
    values : dict, optional
        As in :func:`transposed_numbers`: read only when ``t`` is ``None``.

    Returns
    -------
    str
        HTML: the result in ``<b>``, marked "(empty!)" when it is below 1.

    See Also
    --------
    deconvlib.conv_transpose_output_size : The same number, checked.

    Notes
    -----
    ``o = s·(i − 1) + d·(k − 1) + 1 − 2p + output_padding``.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 13 and 14.

    Examples
    --------
    >>> import numpy as np
    >>> from deconvlib import trace
    >>> output_size_caption(trace(np.ones((3, 3)), np.ones((3, 3)), stride=2, padding=1, output_padding=1))
    'output size = s·(i − 1) + d·(k − 1) + 1 − 2p + output_padding = 2·(3 − 1) + 1·(3 − 1) + 1 − 2·1 + 1 = <b>6</b>'
    >>> output_size_caption(None, dict(size=1, kernel_size=1, stride=1, padding=3)).split(" = ")[-1]
    '<b>-5</b> (empty!)'
    """
    i, k, s, p, op, d, o = transposed_numbers(t, values)
    result = f"<b>{o}</b>" if o >= 1 else f"<b>{o}</b> (empty!)"
    return (
        "output size = s·(i − 1) + d·(k − 1) + 1 − 2p + output_padding = "
        f"{s}·({i} − 1) + {d}·({k} − 1) + 1 − 2·{p} + {op} = {result}"
    )


def dilated_size_caption(t, values=None):
    """Stage 1's size, ``s·(i − 1) + 1``, read from the trace's dilated grid.

    Parameters
    ----------
    t : Trace or None
    values : dict, optional
        ``size`` and ``stride``, read only when ``t`` is ``None``.

    Returns
    -------
    str
        HTML: the result in ``<b>``.

    See Also
    --------
    deconvlib.dilate : Stage 1 itself.

    Notes
    -----
    ``s − 1`` zeros between neighbours turn ``i`` pixels into ``s·(i − 1) + 1``
    cells; in 2-D, ``(s·(i − 1) + 1)² − i²`` of them are zeros.

    Examples
    --------
    >>> import numpy as np
    >>> from deconvlib import trace
    >>> dilated_size_caption(trace(np.ones((3, 3)), np.ones((1, 1)), stride=2))
    'dilated size = s·(i − 1) + 1 = 2·(3 − 1) + 1 = <b>5</b>: 1 zero between neighbours, 16 zeros in all'
    """
    if t is not None:
        i, s, size, zeros = t.input.shape[-1], t.stride[-1], t.dilated.shape[-1], t.dilated.size - t.input.size
    else:
        i, s = values["size"], values["stride"]
        size = s * (i - 1) + 1
        zeros = size**2 - i * i
    return (
        f"dilated size = s·(i − 1) + 1 = {s}·({i} − 1) + 1 = <b>{size}</b>: "
        f"{s - 1} zero{'' if s - 1 == 1 else 's'} between neighbours, {zeros} zeros in all"
    )


def padding_caption(t, values=None):
    """Stage 2's amounts, ``d·(k − 1) − p`` per side plus ``output_padding`` at the bottom/right.

    Parameters
    ----------
    t : Trace or None
        The amounts are its ``pads``.
    values : dict, optional
        As in :func:`transposed_numbers`: read only when ``t`` is ``None``.

    Returns
    -------
    str
        HTML: the result in ``<b>``.

    See Also
    --------
    deconvlib.explain.describe_pads : The amounts in words.
    deconvlib.pad_or_crop : Stage 2 itself.

    Notes
    -----
    ``k̂ − 1 − p = d·(k − 1) − p``: a negative amount crops.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 9 and 13.

    Examples
    --------
    >>> import numpy as np
    >>> from deconvlib import trace
    >>> print(padding_caption(trace(np.ones((3, 3)), np.ones((3, 3)), stride=2, padding=1, output_padding=1)))
    pad each side by d·(k − 1) − p = 1·(3 − 1) − 1 = <b>1</b>, plus output_padding <b>1</b> at the bottom/right
    → padded by 1 (+1 bottom/right)
    """
    _, k, _, p, op, d, _ = transposed_numbers(t, values)
    pads = t.pads if t is not None else (d * (k - 1) - p, d * (k - 1) - p + op) * 2  # (top, bottom, left, right)
    a = pads[-2]  # the left side's amount (the columns' first)
    word = "" if a >= 0 else " (negative: a crop)"
    text = f"pad each side by d·(k − 1) − p = {d}·({k} − 1) − {p} = <b>{a}</b>{word}"
    if op:
        text += f", plus output_padding <b>{op}</b> at the bottom/right"
    return text + f" → {describe_pads(pads)}"


def step_caption(t, step, values=None):
    """The sum behind the output cell being written (:func:`~deconvlib.explain.describe_step`), as HTML.

    Parameters
    ----------
    t : Trace or None
        ``None`` when the library refused the values: the caption is then
        :func:`output_size_caption`'s.
    step : int or None
        The 0-based step shown (ignored without a trace).
    values : dict, optional
        Read only when ``t`` is ``None``.

    Returns
    -------
    str

    Examples
    --------
    >>> import numpy as np
    >>> from deconvlib import trace
    >>> step_caption(trace(np.ones((2, 2)), np.ones((2, 2))), 0)
    'out(0, 0) = 1·1 = 1'
    """
    if t is None:
        return output_size_caption(None, values)
    return html.escape(describe_step(t, step))


def conv_output_size_caption(t, values=None):
    """The forward convolution's output-size formula with the trace's numbers in it.

    Parameters
    ----------
    t : ConvTrace or None
    values : dict, optional
        As in :func:`forward_numbers`: read only when ``t`` is ``None``.

    Returns
    -------
    str
        HTML: the result in ``<b>``.

    See Also
    --------
    deconvlib.conv_output_size : The same number, checked.
    output_size_caption : The transposed convolution's.

    Notes
    -----
    ``o = ⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1``, with ``d·(k − 1) + 1 = k̂``
    the dilated kernel; when the window is wider than the padded input the
    output is empty (and there is no trace).

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285, relationships 1–6 and 15.

    Examples
    --------
    >>> import numpy as np
    >>> from deconvlib.trace import trace_conv
    >>> conv_output_size_caption(trace_conv(np.ones((5, 5)), np.ones((3, 3)), stride=2, padding=1))
    'o = ⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1 = ⌊(5 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1 = <b>3</b>'
    >>> conv_output_size_caption(None, dict(size=2, kernel_size=5, stride=1, padding=0)).split(" = ")[-1]
    '<b>-2</b> (empty: the kernel is wider than the padded input)'
    """
    i, k, s, p, d, o = forward_numbers(t, values)
    result = f"<b>{o}</b>" if o >= 1 else f"<b>{o}</b> (empty: the kernel is wider than the padded input)"
    return f"o = ⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1 = ⌊({i} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {result}"


def forward_caption(t, step, values=None):
    """The forward explorer's caption: the guide's relationship by name, the size formula, the step's sum.

    Parameters
    ----------
    t : ConvTrace or None
        Without a trace, the caption is :func:`conv_output_size_caption`'s alone.
    step : int
        The 0-based output cell shown.
    values : dict, optional
        Read only when ``t`` is ``None``.

    Returns
    -------
    str
        HTML.

    Examples
    --------
    >>> import numpy as np
    >>> from deconvlib.trace import trace_conv
    >>> caption = forward_caption(trace_conv(np.ones((4, 4)), np.ones((3, 3))), 0)
    >>> for line in caption.split("<br>"):
    ...     print(line.replace(" = ", "\\n  = ", 1))
    relationship 1 (no zero padding, unit strides): o
      = ⌊(i + 2p − d·(k − 1) − 1) / s⌋ + 1 = ⌊(4 + 2·0 − 1·(3 − 1) − 1) / 1⌋ + 1 = <b>2</b>
    out(0, 0)
      = 1·1 + 1·1 + 1·1 + 1·1 + 1·1 + 1·1 + 1·1 + 1·1 + 1·1 = 9
    """
    formula = conv_output_size_caption(t, values)
    if t is None:
        return formula
    i, k, s, p, d, _ = forward_numbers(t)
    number, name, _ = relationship(False, i, k, s, p, 0, d)[0]
    return f"relationship {number} ({html.escape(name)}): {formula}<br>{html.escape(describe_conv_step(t, step))}"


def pooling_caption(t, step):
    """The pooling explorer's caption: relationship 7 by name, the size formula, the window's max or mean.

    Parameters
    ----------
    t : PoolTrace
        Every number is read from it (its ``mode`` names the pooling).
    step : int
        The 0-based output cell shown.

    Returns
    -------
    str
        HTML: the size in ``<b>``.

    Examples
    --------
    >>> import numpy as np
    >>> from deconvlib.trace import trace_pool
    >>> print(pooling_caption(trace_pool(np.arange(16.0).reshape(4, 4), 2, stride=2), 3).replace("<br>", "\\n"))
    relationship 7 (max pooling): o = ⌊(i + 2p − k) / s⌋ + 1 = ⌊(4 + 2·0 − 2) / 2⌋ + 1 = <b>2</b>
    out(1, 1) = max(10, 11, 14, 15) = 15
    """
    i, k, s, p, o = t.input.shape[-1], t.kernel_shape[-1], t.stride[-1], t.padding[-2], t.output.shape[-1]
    number, name, _ = relationship(False, i, k, s, p, pooling=t.mode)[0]
    formula = f"o = ⌊(i + 2p − k) / s⌋ + 1 = ⌊({i} + 2·{p} − {k}) / {s}⌋ + 1 = <b>{o}</b>"
    return f"relationship {number} ({html.escape(name)}): {formula}<br>{html.escape(describe_pool_step(t, step))}"


def plain_text(caption):
    """A caption's HTML as plain words: line breaks as "; ", tags dropped, entities decoded, spaces squeezed.

    Examples
    --------
    >>> plain_text("o = <b>3</b><br>out(0, 0) = 1&nbsp;&lt; 2")
    'o = 3; out(0, 0) = 1 < 2'
    """
    text = re.sub(r"<br\s*/?>|\n", "; ", caption)
    text = html.unescape(re.sub(r"<[^>]*>", "", text))
    return re.sub(r"\s+", " ", text).strip(" ;")


def settings_text(settings):
    """``(label, value)`` pairs, as a screen reader should hear the controls: ``"stride 2, padding 0"``.

    Examples
    --------
    >>> settings_text([("input size", 3), ("stride", 2), ("pooling", "max pooling")])
    'input size 3, stride 2, pooling: max pooling'
    """
    return ", ".join(f"{label}: {value}" if isinstance(value, str) else f"{label} {value}" for label, value in settings)


def figure_alt_text(subject, settings, figure_words, *sentences):
    """An explorer figure's alt text: what it shows, the controls' values, the panels' titles, then ``sentences``.

    Parameters
    ----------
    subject : str
        What the figure is of, in a few words.
    settings : sequence of (str, object)
        The controls' labels and values (:func:`settings_text`).
    figure_words : str
        The figure's own words in reading order (its panels' titles: the
        stages, the sizes, the cell being written and its value).
    *sentences : str
        HTML or text, in :func:`plain_text`; empty ones and repeats are left out.

    Returns
    -------
    str

    Examples
    --------
    >>> import numpy as np
    >>> from deconvlib import trace
    >>> from deconvlib.explain import describe_step
    >>> t = trace(np.ones((2, 2)), np.ones((2, 2)))
    >>> figure_alt_text("Stage 3", [("stride", 1)], "output 3×3 step 1/9: out(0, 0) = 1",
    ...                 step_caption(t, 0), describe_step(t, 0))
    'Stage 3, with stride 1. Figure: output 3×3 step 1/9: out(0, 0) = 1. out(0, 0) = 1·1 = 1.'
    """
    parts = [f"{subject}, with {settings_text(settings)}" if settings else subject]
    if figure_words:
        parts.append(f"Figure: {figure_words}")
    for sentence in map(plain_text, sentences):
        if sentence and sentence not in parts:
            parts.append(sentence)
    return " ".join(part if part.endswith(".") else part + "." for part in parts)


def live_region(caption, state=""):
    """``caption`` (HTML) in a polite live region: a screen reader announces it when it changes.

    ``state`` (plain text: the controls' values, :func:`settings_text`) is in the region too, for
    the screen reader only, so a slider move that leaves the caption's words as they were (the input
    size, in a formula without it) is announced as well.

    Examples
    --------
    >>> print(live_region("o = <b>3</b>", "stride 2").replace("><", ">\\n<"))
    <div role="status" aria-live="polite" aria-atomic="true">o = <b>3</b> <span style="position:absolute;width:1px;\
height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap">(stride 2)</span>
    </div>
    >>> live_region("o = <b>3</b>")
    '<div role="status" aria-live="polite" aria-atomic="true">o = <b>3</b></div>'
    """
    hidden = (
        ' <span style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap">'
        f"({html.escape(state)})</span>"
        if state
        else ""
    )
    return f'<div role="status" aria-live="polite" aria-atomic="true">{caption}{hidden}</div>'
