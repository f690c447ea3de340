"""Channels, batches, groups and layouts: from one grid to a real decoder layer.

deconvlib stores images NHWC ``(n, h, w, c)`` and transposed-convolution
kernels ``(kh, kw, c_in, c_out // groups)`` (in 1-D ``(n, w, c)`` and
``(k, c_in, c_out // groups)``, in 3-D ``(n, d, h, w, c)`` and
``(kd, kh, kw, c_in, c_out // groups)``: channels last in every dimension); PyTorch stores images NCHW and
``nn.ConvTranspose2d.weight`` as ``(c_in, c_out // groups, kh, kw)`` (and
``nn.Conv2d.weight`` as ``(c_out, c_in // groups, kh, kw)``). The functions
here are the permutations between the two, the shapes through a stack of
layers, and which input channel reaches which output channel with ``groups``.
"""

import math
from dataclasses import dataclass

import numpy as np

from ._validate import as_int
from .arithmetic import conv_transpose_output_size
from .budget import check_memory
from .errors import ParameterError

__all__ = [
    "to_nchw",
    "from_nchw",
    "to_torch_weight",
    "from_torch_weight",
    "Layer",
    "decoder_shapes",
    "DCGAN_DECODER",
    "UNET3D_DECODER",
    "group_connections",
    "parameter_count",
]


def _four_d(array, name, layout):
    """``array`` as an ndarray with four axes, or a :class:`ParameterError` naming ``name`` and its ``layout``."""
    array = np.asarray(array)
    if array.ndim != 4:
        raise ParameterError(f"{name} must be 4-D {layout}, got shape {array.shape}", parameter=name)
    return array


def to_nchw(X):
    """NHWC ``(n, h, w, c)`` → NCHW ``(n, c, h, w)``: ``X.transpose(0, 3, 1, 2)``.

    Parameters
    ----------
    X : array_like, shape (n, h, w, c)

    Returns
    -------
    ndarray, shape (n, c, h, w)
        A view when ``X`` is an array.

    Raises
    ------
    ParameterError
        For ``X`` that does not have four axes (``parameter`` ``"X"``).

    See Also
    --------
    from_nchw : The inverse.

    Examples
    --------
    >>> to_nchw(np.zeros((16, 8, 8, 3))).shape
    (16, 3, 8, 8)
    """
    return _four_d(X, "X", "(n, h, w, c)").transpose(0, 3, 1, 2)


def from_nchw(X):
    """NCHW ``(n, c, h, w)`` → NHWC ``(n, h, w, c)``: ``X.transpose(0, 2, 3, 1)``.

    Parameters
    ----------
    X : array_like, shape (n, c, h, w)

    Returns
    -------
    ndarray, shape (n, h, w, c)

    Raises
    ------
    ParameterError
        For ``X`` that does not have four axes (``parameter`` ``"X"``).

    See Also
    --------
    to_nchw : The inverse.

    Examples
    --------
    >>> from_nchw(np.zeros((16, 3, 8, 8))).shape
    (16, 8, 8, 3)
    """
    return _four_d(X, "X", "(n, c, h, w)").transpose(0, 2, 3, 1)


def to_torch_weight(W, transposed=True):
    """A deconvlib kernel in PyTorch's weight layout.

    Transposed: ``(kh, kw, c_in, c_out // g)`` → ``(c_in, c_out // g, kh, kw)``,
    ``W.transpose(2, 3, 0, 1)``. Forward (``transposed=False``):
    ``(kh, kw, c_in // g, c_out)`` → ``(c_out, c_in // g, kh, kw)``,
    ``W.transpose(3, 2, 0, 1)``.

    Parameters
    ----------
    W : array_like, shape (kh, kw, ·, ·)
    transposed : bool, default True
        A kernel of :func:`deconvlib.conv_transpose2d`, or of :func:`deconvlib.conv2d`.

    Returns
    -------
    ndarray, shape (·, ·, kh, kw)

    Raises
    ------
    ParameterError
        For ``W`` that does not have four axes (``parameter`` ``"W"``).

    See Also
    --------
    from_torch_weight : The inverse.

    Examples
    --------
    >>> to_torch_weight(np.zeros((4, 4, 512, 256))).shape
    (512, 256, 4, 4)
    >>> to_torch_weight(np.zeros((3, 3, 64, 128)), transposed=False).shape
    (128, 64, 3, 3)
    """
    return _four_d(W, "W", "(kh, kw, ·, ·)").transpose((2, 3, 0, 1) if transposed else (3, 2, 0, 1))


def from_torch_weight(weight, transposed=True):
    """PyTorch's weight layout → deconvlib's; the inverse of :func:`to_torch_weight`.

    Parameters
    ----------
    weight : array_like, shape (·, ·, kh, kw)
        ``nn.ConvTranspose2d.weight`` ``(c_in, c_out // g, kh, kw)``, or with
        ``transposed=False`` ``nn.Conv2d.weight`` ``(c_out, c_in // g, kh, kw)``.
    transposed : bool, default True

    Returns
    -------
    ndarray, shape (kh, kw, ·, ·)

    Raises
    ------
    ParameterError
        For ``weight`` that does not have four axes (``parameter`` ``"weight"``).

    See Also
    --------
    to_torch_weight : The inverse.

    Examples
    --------
    >>> from_torch_weight(np.zeros((512, 256, 4, 4))).shape
    (4, 4, 512, 256)
    """
    return _four_d(weight, "weight", "(·, ·, kh, kw)").transpose((2, 3, 0, 1) if transposed else (2, 3, 1, 0))


@dataclass(frozen=True)
class Layer:
    """One transposed-convolution layer: ``c_out`` channels, square kernel, stride, padding.

    The same layer in 1, 2 or 3 spatial dimensions: the kernel has
    ``kernel_size`` taps along every spatial axis of the input it is given
    (a 1-D, 2-D or 3-D U-Net uses the same numbers on every axis).

    Parameters
    ----------
    c_out : int
        Output channels.
    kernel_size : int
        A ``kernel_size`` wide kernel along every spatial axis (``k × k`` in 2-D, ``k × k × k`` in 3-D).
    stride, padding, output_padding, dilation, groups : int
        As in :func:`deconvlib.conv_transpose2d`, on every spatial axis.

    See Also
    --------
    decoder_shapes : Shapes through a stack of layers.
    parameter_count : Its weights and biases.

    Examples
    --------
    >>> Layer(256, 4, stride=2, padding=1)
    Layer(c_out=256, kernel_size=4, stride=2, padding=1, output_padding=0, dilation=1, groups=1)
    """

    c_out: int
    kernel_size: int
    stride: int = 1
    padding: int = 0
    output_padding: int = 0
    dilation: int = 1
    groups: int = 1

    def output_shape(self, input_shape):
        """Channels-last shape after this layer for a channels-last ``input_shape``.

        Parameters
        ----------
        input_shape : (n, *spatial, c_in)
            ``(n, w, c)``, ``(n, h, w, c)`` or ``(n, d, h, w, c)``: any number of spatial axes.

        Returns
        -------
        (n, *out_spatial, c_out)
            ``out = s·(i − 1) + d·(k − 1) + 1 − 2p + output_padding`` per spatial axis.

        Raises
        ------
        ParameterError
            If ``groups`` does not divide both channel counts, or for a bad
            parameter.

        Examples
        --------
        >>> Layer(256, 4, stride=2, padding=1).output_shape((16, 4, 4, 512))
        (16, 8, 8, 256)
        >>> Layer(128, 2, stride=2).output_shape((2, 8, 8, 8, 256))
        (2, 16, 16, 16, 128)
        """
        if not 3 <= len(input_shape) <= 5:
            raise ParameterError(
                f"input_shape must be (n, w, c), (n, h, w, c) or (n, d, h, w, c), got {tuple(input_shape)}",
                parameter="input_shape",
            )
        n, *spatial, c_in = input_shape
        for c, what in ((c_in, "input"), (self.c_out, "output")):
            if c % as_int(self.groups, "groups", minimum=1):
                raise ParameterError(
                    f"groups={self.groups} must divide the {what} channels, got {c}", parameter="groups"
                )
        out = tuple(
            conv_transpose_output_size(
                i,
                self.kernel_size,
                stride=self.stride,
                padding=self.padding,
                output_padding=self.output_padding,
                dilation=self.dilation,
            )
            for i in spatial
        )
        return (n, *out, self.c_out)

    def weight_shape(self, c_in, dims=2, *, spatial_dims=None):
        """deconvlib's kernel shape ``(k, …, k, c_in, c_out // groups)`` for ``c_in`` input channels.

        ``dims`` kernel axes: ``(kh, kw, c_in, c_out // groups)`` in 2-D,
        ``(k, c_in, ·)`` in 1-D, ``(kd, kh, kw, c_in, ·)`` in 3-D
        (``spatial_dims``: the same, by its earlier name).

        >>> Layer(256, 4, stride=2, padding=1).weight_shape(512)
        (4, 4, 512, 256)
        >>> Layer(128, 2, stride=2).weight_shape(256, dims=3)
        (2, 2, 2, 256, 128)
        """
        name = "dims" if spatial_dims is None else "spatial_dims"
        dims = as_int(dims if spatial_dims is None else spatial_dims, name, minimum=1)
        if dims > 3:
            raise ParameterError(f"{name} must be 1, 2 or 3, got {dims}", parameter=name)
        return (self.kernel_size,) * dims + (c_in, self.c_out // self.groups)


#: The generator of DCGAN (Radford, Metz & Chintala 2016) after its first
#: projection: 4×4×512 doubled four times to a 64×64 RGB image.
DCGAN_DECODER = (
    Layer(256, 4, stride=2, padding=1),
    Layer(128, 4, stride=2, padding=1),
    Layer(64, 4, stride=2, padding=1),
    Layer(3, 4, stride=2, padding=1),
)


#: A volumetric decoder in the style of the 3-D U-Net (Çiçek et al. 2016, arXiv:1606.06650):
#: ``2×2×2`` transposed convolutions of stride 2, each doubling every side; from
#: ``(n, 8, 8, 8, 256)`` to ``(n, 64, 64, 64, 32)`` (the channel counts are illustrative).
UNET3D_DECODER = (
    Layer(128, 2, stride=2),
    Layer(64, 2, stride=2),
    Layer(32, 2, stride=2),
)


def decoder_shapes(input_shape, layers=DCGAN_DECODER):
    """Channels-last shapes through a stack of transposed-convolution layers, input first.

    Parameters
    ----------
    input_shape : (n, *spatial, c)
        NHWC ``(n, h, w, c)``, or ``(n, w, c)`` / ``(n, d, h, w, c)`` for a
        1-D / 3-D decoder: every spatial axis follows the same formula.
    layers : sequence of Layer, default DCGAN_DECODER

    Returns
    -------
    list of tuple
        ``len(layers) + 1`` shapes.

    Raises
    ------
    ParameterError
        From the first layer that cannot take its input.

    References
    ----------
    Radford, Metz & Chintala (2016), "Unsupervised Representation Learning
    with Deep Convolutional Generative Adversarial Networks", arXiv:1511.06434.

    Examples
    --------
    >>> for shape in decoder_shapes((16, 4, 4, 512)):
    ...     print(shape)
    (16, 4, 4, 512)
    (16, 8, 8, 256)
    (16, 16, 16, 128)
    (16, 32, 32, 64)
    (16, 64, 64, 3)
    >>> decoder_shapes((1, 8, 8, 8, 256), UNET3D_DECODER)[-1]
    (1, 64, 64, 64, 32)
    """
    shapes = [tuple(input_shape)]
    for layer in layers:
        shapes.append(layer.output_shape(shapes[-1]))
    return shapes


def group_connections(c_in, c_out, groups=1):
    """Which input channel reaches which output channel: a boolean ``(c_in, c_out)`` matrix.

    With ``groups=g`` the channels split into ``g`` blocks and input block
    ``b`` only feeds output block ``b``: the matrix is block diagonal.

    Parameters
    ----------
    c_in, c_out : int
    groups : int, default 1
        Must divide both ``c_in`` and ``c_out``.

    Returns
    -------
    ndarray of bool, shape (c_in, c_out)

    Raises
    ------
    ParameterError
        If ``groups`` divides only one of them, for a bad parameter, or for
        a map past the memory budget (naming the larger of ``c_in`` and ``c_out``).

    Notes
    -----
    ``connected[i, o] = ⌊i / (c_in / g)⌋ == ⌊o / (c_out / g)⌋``.

    Examples
    --------
    >>> group_connections(4, 2, groups=2).astype(int)
    array([[1, 0],
           [1, 0],
           [0, 1],
           [0, 1]])
    """
    c_in = as_int(c_in, "c_in", minimum=1)
    c_out = as_int(c_out, "c_out", minimum=1)
    g = as_int(groups, "groups", minimum=1)
    if c_in % g or c_out % g:
        raise ParameterError(
            f"groups={g} must divide both c_in and c_out, got c_in={c_in}, c_out={c_out}", parameter="groups"
        )
    check_memory(c_in * c_out, "c_in" if c_in >= c_out else "c_out", f"the {c_in}×{c_out} connections")
    return (np.arange(c_in)[:, None] // (c_in // g)) == (np.arange(c_out)[None, :] // (c_out // g))


def parameter_count(c_in, layer, dims=2, *, spatial_dims=None):
    """Weights plus biases of a layer fed ``c_in`` channels: ``kᴰ·c_in·c_out/g + c_out``.

    Parameters
    ----------
    c_in : int
    layer : Layer
    dims : int, default 2
        ``D``: 1, 2 or 3 spatial axes (``k``, ``k²`` or ``k³`` taps per kernel).
    spatial_dims : int, optional
        The same as ``dims``, by its earlier name.

    Returns
    -------
    int

    Examples
    --------
    >>> parameter_count(512, Layer(256, 4, stride=2, padding=1))
    2097408
    >>> parameter_count(256, Layer(128, 2, stride=2), dims=3)
    262272
    """
    return math.prod(layer.weight_shape(c_in, dims, spatial_dims=spatial_dims)) + layer.c_out  # exact, never wraps
