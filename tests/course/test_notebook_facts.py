"""What the notebooks show, checked here instead of by ``assert``s in the students' cells.

Each test computes, on the notebook's own numbers, a property a notebook cell
used to assert without telling the reader (the printed output already shows it,
or it guards the library rather than teaching). The asserts that stay in the
notebooks compare a computation the student reads (a loop, a formula, a hand
crop) with the library, or back a sentence the notebook states.
"""

import numpy as np
import pytest

import deconvlib as dl

course = pytest.importorskip("deconvlib.course")


def test_index_the_first_figure_is_a_png():
    # 00_index: the start-up check draws a figure of a 2×2 input, stride 2, padding 1.
    t = dl.trace(np.ones((2, 2)), np.ones((3, 3)), stride=2, padding=1)
    assert course.TraceFigure(t).to_png().startswith(b"\x89PNG\r\n\x1a\n")
    assert t.output.shape == (3, 3)


def test_nb1_stride_1_is_the_sum_of_overlapping_stamps():
    # 01: "With stride 1 the stamps overlap and add".
    X = np.array([[1.0, 2.0], [3.0, 4.0]])
    W = np.array([[1.0, 1.0], [1.0, 2.0]])
    stamps = np.zeros((3, 3))
    for r in range(2):
        for c in range(2):
            stamps[r : r + 2, c : c + 2] += X[r, c] * W
    assert np.array_equal(dl.conv_transpose2d(X, W, stride=1), stamps)
    # the middle cell collects a contribution from all four pixels
    assert stamps[1, 1] == X[0, 0] * W[1, 1] + X[0, 1] * W[1, 0] + X[1, 0] * W[0, 1] + X[1, 1] * W[0, 0]


def test_nb3_same_padding_multiplies_the_size_by_the_stride():
    X, W = np.arange(1.0, 10.0).reshape(3, 3), np.ones((3, 3))
    for stride in (1, 2, 3):
        assert dl.conv_transpose2d(X, W, stride=stride, padding="same").shape == (3 * stride, 3 * stride)


def test_nb5_every_guide_case_stores_the_size_the_formula_gives():
    assert len(course.GUIDE_CASES) >= 8
    for case in course.GUIDE_CASES.values():
        o = dl.conv_transpose_output_size(
            case.input_size, case.kernel_size, case.stride, case.padding, case.output_padding, case.dilation
        )
        assert (o, o) == case.output_size, case.name


def test_nb5_both_output_paddings_map_back_to_the_same_forward_size():
    for a in (0, 1):
        o = dl.conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=a)
        assert dl.conv_output_size(o, 3, stride=2, padding=1) == 3


@pytest.mark.parametrize("i, k, target, s", [(4, 4, 8, 2), (32, 3, 64, 2), (32, 5, 64, 2), (7, 3, 7, 1)])
def test_nb5_the_padding_solver_answer_gives_the_target_on_a_real_layer(i, k, target, s):
    p, a = dl.transpose_padding_for(i, k, target, stride=s)
    Y = dl.conv_transpose2d(np.ones((1, i, i, 1)), np.ones((k, k, 1, 1)), stride=s, padding=p, output_padding=a)
    assert Y.shape == (1, target, target, 1)


def test_nb5_the_padding_solver_refuses_an_unreachable_target():
    with pytest.raises(dl.ParameterError, match="the largest output for input 4, kernel 3, stride 2"):
        dl.transpose_padding_for(4, 3, 20, stride=2)


def test_nb6_the_adjoint_identity_with_channels():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(1, 7, 7, 2))
    Wf = rng.normal(size=(3, 3, 2, 4))
    y = rng.normal(size=dl.conv2d(x, Wf, stride=2, padding=1).shape)
    lhs = np.vdot(dl.conv2d(x, Wf, stride=2, padding=1), y)
    rhs = np.vdot(x, dl.conv_transpose2d(y, Wf.swapaxes(2, 3), stride=2, padding=1))
    assert np.isclose(lhs, rhs)


def test_nb7_the_overlap_map_is_even_inside_exactly_when_the_rule_says():
    for k in range(1, 9):
        for s in range(1, 5):
            inner = dl.overlap.interior(dl.overlap.overlap_count(3 * k + 2, k, s), k)
            assert (inner.min() == inner.max()) == dl.overlap.is_uniform(k, s), (k, s)


def test_nb7_resize_conv_and_transposed_conv_give_the_same_shapes():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(2, 8, 8, 16))
    Z = dl.overlap.resize_conv2d(X, rng.normal(size=(3, 3, 16, 8)), scale=2)
    T = dl.conv_transpose2d(X, rng.normal(size=(4, 4, 16, 8)), stride=2, padding=1)
    assert Z.shape == T.shape == (2, 16, 16, 8)


def test_nb7_resize_keeps_a_flat_grey_flat_inside():
    resized = dl.overlap.upsample_image(np.full((8, 8), 0.5), 3, 2, "resize")
    assert resized.shape == (16, 16) and np.allclose(resized[3:-3, 3:-3], 0.5)


def test_nb8_the_dcgan_decoder_doubles_to_64_by_64_rgb():
    shapes = dl.channels.decoder_shapes((2, 4, 4, 512))
    assert [s[1:] for s in shapes] == [(4, 4, 512), (8, 8, 256), (16, 16, 128), (32, 32, 64), (64, 64, 3)]
    rng = np.random.default_rng(8)
    h = rng.normal(size=(2, 4, 4, 512))
    for layer in dl.channels.DCGAN_DECODER:
        weights = rng.normal(size=layer.weight_shape(h.shape[3])) * 0.02
        h = dl.conv_transpose2d(h, weights, layer.stride, layer.padding, bias=np.zeros(layer.c_out))
    assert h.shape == shapes[-1] == (2, 64, 64, 3)


def test_nb9_kernel_3_stride_2_counts_run_1_1_2_1_to_2_1_1():
    assert dl.overlap.overlap_count_1d(6, 3, stride=2).tolist() == [1, 1] + [2, 1] * 4 + [2, 1, 1]


def test_nb9_a_1d_layer_doubles_the_sequences():
    rng = np.random.default_rng(9)
    Y = dl.conv_transpose1d(rng.normal(size=(8, 100, 64)), rng.normal(size=(4, 64, 32)), stride=2, padding=1)
    assert Y.shape == (8, 200, 32)
    assert Y.shape[1] == dl.conv_transpose_output_size(100, 4, stride=2, padding=1)


def _nb10_dcgan(uneven=None):
    """Notebook 10's DCGAN generator as the doctor reads it, with layer ``uneven`` made kernel 3, output_padding 1."""
    up = {"kind": "conv_transpose", "kernel": 4, "stride": 2, "padding": 1}
    layers = [{"kind": "conv_transpose", "name": "project", "kernel": 4, "channels": 512}]
    layers += [dict(up, name=f"up{n}", channels=c) for n, c in enumerate((256, 128, 64, 3), 1)]
    if uneven is not None:
        layers[uneven] = dict(layers[uneven], kernel=3, output_padding=1)
    return layers


def test_nb10_an_uneven_last_layer_shows_4_to_1_and_an_early_one_is_summed_away():
    # "the map's middle varies by a factor of 4"; "make layer 2 uneven instead: the map comes out flat ...
    # a ripple 2, 1, 2, 1 sums to 3 everywhere"
    flat, last, early = (dl.doctor(_nb10_dcgan(u), (1, 100, 1, 1)) for u in (None, 4, 2))
    assert flat.map_contrast() == 1 and last.map_contrast() == 4 and early.map_contrast() == 1
    assert last.output_shape == early.output_shape == (1, 3, 64, 64)
    assert early.layers[2]["risk"] == "uneven 2:1"
    ripple = np.tile([2.0, 1.0], 8)
    assert set(dl.conv_transpose1d(ripple, np.ones(4), stride=2, padding=1)[2:-2]) == {3.0}


def test_nb10_the_explorers_stacks_are_the_notebooks():
    # the explorer's DCGAN, U-Net and audio decoder are the stacks the notebook diagnoses
    stacks = course.explorers.DOCTOR_STACKS
    assert dl.doctor(stacks["dcgan"][1], (1, 100, 1, 1)).output_shape == (1, 3, 64, 64)
    unet = dl.doctor(stacks["unet"][1], stacks["unet"][2], pairs=stacks["unet"][3], target=(45, 45))
    assert [t["ok"] for t in unet.round_trips] == [True, False]
    assert unet.fix["padding"] == (0, 0) and unet.fix["output_padding"] == (0, 0)
    audio = dl.doctor(stacks["audio"][1], stacks["audio"][2])
    assert audio.output_shape == (1, 1, 512) and audio.overlap_map[248:252].tolist() == [44, 40, 44, 40]
