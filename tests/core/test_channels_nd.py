"""Layer shapes in 1, 2 and 3 spatial dimensions: the same formula on every axis."""

import pytest

from deconvlib import conv_transpose_output_size
from deconvlib.channels import DCGAN_DECODER, UNET3D_DECODER, Layer, decoder_shapes, parameter_count
from deconvlib.errors import ParameterError


@pytest.mark.parametrize(
    "shape", [(2, 9, 16), (2, 9, 7, 16), (2, 9, 7, 5, 16)], ids=["1-D (n, w, c)", "2-D NHWC", "3-D (n, d, h, w, c)"]
)
def test_every_spatial_axis_follows_the_same_formula(shape):
    layer = Layer(8, 3, stride=2, padding=1, output_padding=1, dilation=2)
    out = layer.output_shape(shape)
    assert out[0] == shape[0] and out[-1] == 8 and len(out) == len(shape)
    assert out[1:-1] == tuple(conv_transpose_output_size(i, 3, 2, 1, 1, 2) for i in shape[1:-1])


def test_the_3d_unet_decoder_doubles_every_side():
    shapes = decoder_shapes((1, 8, 8, 8, 256), UNET3D_DECODER)
    assert shapes == [(1, 8, 8, 8, 256), (1, 16, 16, 16, 128), (1, 32, 32, 32, 64), (1, 64, 64, 64, 32)]
    k4 = [Layer(layer.c_out, 4, stride=2, padding=1) for layer in UNET3D_DECODER]
    assert decoder_shapes((1, 8, 8, 8, 256), k4) == shapes  # k4 s2 p1 doubles too


def test_the_2d_decoder_is_unchanged():
    assert decoder_shapes((16, 4, 4, 512))[-1] == (16, 64, 64, 3)
    assert [parameter_count(c, layer) for c, layer in zip((512, 256, 128, 64), DCGAN_DECODER)] == [
        2097408,
        524416,
        131136,
        3075,
    ]


def test_weight_shapes_and_parameters_in_every_dimension():
    layer = Layer(128, 2, stride=2)
    assert layer.weight_shape(256, spatial_dims=1) == (2, 256, 128)
    assert layer.weight_shape(256) == (2, 2, 256, 128)
    assert layer.weight_shape(256, spatial_dims=3) == (2, 2, 2, 256, 128)
    assert parameter_count(256, layer, spatial_dims=3) == 8 * 256 * 128 + 128
    assert Layer(6, 3, groups=3).weight_shape(9, spatial_dims=3) == (3, 3, 3, 9, 2)
    # dims, the library's one word for the number of spatial axes; spatial_dims is its earlier name
    assert layer.weight_shape(256, dims=3) == layer.weight_shape(256, 3) == layer.weight_shape(256, spatial_dims=3)
    assert parameter_count(256, layer, dims=1) == parameter_count(256, layer, spatial_dims=1) == 2 * 256 * 128 + 128
    with pytest.raises(ParameterError) as error:
        layer.weight_shape(256, dims=0)
    assert error.value.parameter == "dims"


def test_a_shape_without_spatial_axes_or_with_too_many_is_refused():
    with pytest.raises(ParameterError, match=r"input_shape must be .* got \(4, 8\)"):
        Layer(8, 3).output_shape((4, 8))
    with pytest.raises(ParameterError, match="input_shape"):
        Layer(8, 3).output_shape((1, 2, 2, 2, 2, 8))
    with pytest.raises(ParameterError, match="groups=3 must divide the input channels, got 8"):
        Layer(9, 3, groups=3).output_shape((1, 4, 4, 4, 8))
