"""The transposed-convolution figures of Dumoulin & Visin's guide, as one data table.

Each row of :data:`CASES` is one figure of "A guide to convolution arithmetic
for deep learning" (arXiv:1603.07285), named after its animation in
vdumoulin/conv_arithmetic (``padding_strides_odd_transposed.gif`` and so on),
with the parameters in PyTorch's convention: ``input_size`` is the transposed
convolution's input ``i′`` (the forward convolution's output), ``padding`` the
forward convolution's padding ``p``, ``dilation=1`` means no gaps.

>>> case = CASES["padding_strides_odd"]
>>> case.output_size, case.equivalent()
(6, {'dilated_input': 5, 'padding': 1, 'extra': 1, 'stride': 1})
"""
from dataclasses import asdict, dataclass

from .arithmetic import conv_output_size, conv_transpose_output_size, effective_kernel

__all__ = ["GuideCase", "CASES", "case_for"]


@dataclass(frozen=True)
class GuideCase:
    """One transposed-convolution figure of the guide.

    ``relationship`` is the guide's numbered formula for ``o′``; ``formula``
    writes it out.
    """

    name: str
    title: str
    figure: str
    relationship: int
    formula: str
    input_size: int
    kernel_size: int
    stride: int = 1
    padding: int = 0
    output_padding: int = 0
    dilation: int = 1

    @property
    def parameters(self):
        """The keyword arguments of the case: input_size, kernel_size, stride, padding, output_padding, dilation."""
        fields = asdict(self)
        return {k: fields[k] for k in ("input_size", "kernel_size", "stride", "padding", "output_padding", "dilation")}

    @property
    def output_size(self):
        """``o′``: the transposed convolution's output size (the forward convolution's input ``i``)."""
        return conv_transpose_output_size(
            self.input_size, self.kernel_size, self.stride, self.padding, self.output_padding, self.dilation
        )

    def forward(self):
        """The forward convolution this one transposes: ``i``, ``k``, ``s``, ``p``, ``d`` and its output ``o = i′``."""
        i = self.output_size
        o = conv_output_size(i, self.kernel_size, self.stride, self.padding, self.dilation)
        return {"i": i, "k": self.kernel_size, "s": self.stride, "p": self.padding, "d": self.dilation, "o": o}

    def equivalent(self):
        """The direct convolution it equals: a stride-1 sweep over the dilated, padded input.

        ``dilated_input`` is ``ĩ′ = s·(i′ − 1) + 1``; ``padding`` is
        ``p′ = k̂ − 1 − p`` on each side; ``extra`` is the guide's ``a``
        (``output_padding``) added at the bottom/right.
        """
        return {
            "dilated_input": self.stride * (self.input_size - 1) + 1,
            "padding": effective_kernel(self.kernel_size, self.dilation) - 1 - self.padding,
            "extra": self.output_padding,
            "stride": 1,
        }

    def __str__(self):
        return f"{self.title} (figure {self.figure}): i′={self.input_size} → o′={self.output_size}"


CASES = {
    case.name: case
    for case in (
        GuideCase("no_padding_no_strides", "No padding, no strides", "4.1", 8,
                  "o′ = i′ + (k − 1)", input_size=2, kernel_size=3),
        GuideCase("arbitrary_padding_no_strides", "Zero padding, no strides", "4.2", 9,
                  "o′ = i′ + (k − 1) − 2p", input_size=6, kernel_size=4, padding=2),
        GuideCase("same_padding_no_strides", "Half (same) padding", "4.3", 10,
                  "o′ = i′", input_size=5, kernel_size=3, padding=1),
        GuideCase("full_padding_no_strides", "Full padding", "4.4", 11,
                  "o′ = i′ − (k − 1)", input_size=7, kernel_size=3, padding=2),
        GuideCase("no_padding_strides", "No padding, strides", "4.5", 12,
                  "o′ = s(i′ − 1) + k", input_size=2, kernel_size=3, stride=2),
        GuideCase("padding_strides", "Padding and strides", "4.6", 13,
                  "o′ = s(i′ − 1) + k − 2p", input_size=3, kernel_size=3, stride=2, padding=1),
        GuideCase("padding_strides_odd", "Padding and strides, the odd case", "4.7", 14,
                  "o′ = s(i′ − 1) + a + k − 2p", input_size=3, kernel_size=3, stride=2, padding=1,
                  output_padding=1),
        GuideCase("dilation", "Dilation", "5.1", 15,
                  "o′ = s(i′ − 1) + d(k − 1) + 1 − 2p", input_size=3, kernel_size=3, dilation=2),
    )
}


def case_for(input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    """The name of the guide's figure with exactly these parameters, or ``None``.

    >>> case_for(3, 3, stride=2, padding=1, output_padding=1)
    'padding_strides_odd'
    >>> case_for(3, 3, stride=3) is None
    True
    """
    wanted = dict(input_size=input_size, kernel_size=kernel_size, stride=stride, padding=padding,
                  output_padding=output_padding, dilation=dilation)
    return next((name for name, case in CASES.items() if case.parameters == wanted), None)
