"""The one exception the library raises for a bad argument: :class:`ParameterError`.

Every ``ValueError`` the core raises for a bad parameter is a
:class:`ParameterError` that names the parameter in :attr:`~ParameterError.parameter`,
so a caller (the command line, an explorer) can point at the right flag or
slider without reading the message. A value of the wrong *type* (a string for
a stride, a complex array) stays a plain ``TypeError``.
"""

__all__ = ["ParameterError"]


class ParameterError(ValueError):
    """A parameter's value is invalid; :attr:`parameter` says which one.

    A ``ValueError``, so ``except ValueError`` still catches it, and its
    message is the library's usual one, quoting the value received.

    Parameters
    ----------
    message : str
        What is wrong, with the value received, e.g.
        ``"stride must be an integer >= 1, got 0"``.
    parameter : str
        The parameter's name as the public functions spell it: ``"stride"``,
        ``"padding"``, ``"output_padding"``, ``"dilation"``, ``"groups"``,
        ``"input_size"``, ``"kernel_size"``, ``"X"``, ``"W"``, ``"bias"``,
        ``"method"``, ...

    Attributes
    ----------
    parameter : str
        The name of the offending parameter.

    See Also
    --------
    deconvlib.conv_transpose2d, deconvlib.conv2d : Raise it for any bad parameter.

    Notes
    -----
    When several parameters are wrong, the first one checked is named:
    ``method``, the arrays ``X`` and ``W``, ``stride``, ``dilation``,
    ``output_padding``, ``groups`` (with the channels), ``bias``, and last
    ``padding`` with the output size it leaves.

    Examples
    --------
    >>> import numpy as np, deconvlib as dl
    >>> try:
    ...     dl.conv_transpose2d(np.ones((3, 3)), np.ones((3, 3)), stride=0)
    ... except ValueError as error:  # a ParameterError is a ValueError
    ...     print(type(error).__name__, error.parameter, "|", error)
    ParameterError stride | stride must be an integer >= 1, got 0
    """

    def __init__(self, message, parameter):
        super().__init__(message)
        self.parameter = parameter

    def __reduce__(self):  # pickle (e.g. from a worker process) with both arguments
        return type(self), (str(self), self.parameter)


# Tracebacks and reprs show the public name ``deconvlib.ParameterError``.
ParameterError.__module__ = "deconvlib"
