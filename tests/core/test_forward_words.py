"""The words of the forward convolution and pooling: relationship 7, the CLI's --pool, step sums."""

import numpy as np
import pytest

import deconvlib as dl
from deconvlib.cases import CASES, FORWARD, GALLERY, POOLING_CASES, Case, find_case
from deconvlib.cli import main
from deconvlib.explain import (
    describe_conv_step,
    describe_pool_step,
    explain,
    relationship,
)
from deconvlib.trace import case_trace, trace_conv2d, trace_pool2d


@pytest.mark.parametrize("pooling", ["max", "avg"])
def test_pooling_without_padding_is_relationship_7_and_with_it_the_convolutions_formula(pooling):
    assert (
        relationship(False, 5, 3, stride=1, pooling=pooling)
        == [(7, f"{'max' if pooling == 'max' else 'average'} pooling", "o = ⌊(i − k) / s⌋ + 1")] * 2
    )
    padded = relationship(False, 5, 3, stride=2, padding=1, pooling=pooling)[0]
    assert padded[0] == 7 and "relationship 6" in padded[1] and padded[2] == relationship(False, 5, 3, 2, 1)[0][2]
    text = explain(input_size=5, kernel_size=3, stride=1, pooling=pooling)
    assert "Output: 3×3" in text and "relationship 7" in text and "Back:" not in text


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        (dict(transposed=True), "transposed"),
        (dict(output_padding=1), "output_padding"),
        (dict(padding=2), "padding"),
        (dict(dilation=2), "dilation"),  # average pooling has none
        (dict(kernel_size=7), "input_size"),  # as explain names it for a convolution
    ],
)
def test_pooling_words_refuse_what_pooling_refuses(kwargs, parameter):
    with pytest.raises(dl.ParameterError) as error:
        explain(**{"input_size": 5, "kernel_size": 3, **kwargs}, pooling="avg")
    assert error.value.parameter == parameter


def test_the_words_of_every_existing_case_are_unchanged_by_the_pooling_keyword():
    for case in CASES:
        assert explain(**case.parameters) == explain(**case.parameters, pooling=None)
        assert case.parameters == case.sizes  # no pooling or values keys: animate(**parameters) still works


def test_cli_explains_pooling_and_refuses_it_transposed(capsys):
    assert main(["explain", "--pool", "max", "--input", "5", "--kernel", "3", "--stride", "1"]) == 0
    out = capsys.readouterr().out
    assert out == explain(input_size=5, kernel_size=3, stride=1, pooling="max") + "\n"
    with pytest.raises(SystemExit) as exit_:
        main(["explain", "--pool", "max", "--transposed"])
    assert exit_.value.code == 2 and "argument --pool" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["explain", "--pool", "avg", "--input", "5", "--kernel", "3", "--padding", "2"])
    assert "argument --padding" in capsys.readouterr().err


def test_a_forward_step_is_written_with_the_kernel_as_it_is():
    X, W = np.arange(1.0, 10.0).reshape(3, 3), np.array([[1.0, 0.0], [0.0, 2.0]])
    t = trace_conv2d(X, W)
    assert describe_conv_step(t, 0) == "out(0, 0) = 1·1 + 5·2 = 11"
    assert describe_conv_step(t, 0).endswith(str(int(dl.conv2d(X, W)[0, 0])))


def test_a_pooling_step_lists_its_window():
    X = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
    assert describe_pool_step(trace_pool2d(X, 3, 1), 7) == "out(2, 1) = max(1, 2, 2, 0, 0, 2, 0, 0, 0) = 2"
    assert describe_pool_step(trace_pool2d(X, 3, 1, mode="avg"), 4) == (
        "out(1, 1) = mean(0, 1, 3, 1, 2, 2, 0, 0, 2) = 11 / 9 = 1.22"
    )
    padded = describe_pool_step(trace_pool2d(np.ones((2, 2)), 3, 1, padding=1, mode="avg"), 0)
    assert padded == "out(0, 0) = mean(0, 0, 0, 0, 1, 1, 0, 1, 1) = 4 / 9 = 0.444"


# --- the guide's pooling figures as data ---


def test_the_pooling_figures_are_in_the_gallery_apart_from_the_convolutions():
    assert {c.name for c in POOLING_CASES} == {"numerical_max_pooling", "numerical_average_pooling"}
    assert not {c.name for c in POOLING_CASES} & {c.name for c in CASES}
    assert all(case in GALLERY for case in POOLING_CASES)
    assert len(CASES) == 2 * len(FORWARD) and all(c.pooling is None and c.values is None for c in CASES)
    X = np.array(POOLING_CASES[0].values)
    for case in POOLING_CASES:
        assert case.output_size == (3, 3) and case.n_frames == 9 and find_case(case.name, POOLING_CASES) == case
        pool = dl.max_pool2d if case.pooling == "max" else dl.avg_pool2d
        np.testing.assert_array_equal(case_trace(**case.parameters).output, pool(X, 3, stride=1))
        with pytest.raises(dl.ParameterError) as error:
            case.twin()
        assert error.value.parameter == "pooling"
    with pytest.raises(dl.ParameterError):
        find_case("numerical_max_pooling")  # the convolutions' table (the explorers' dropdowns) does not hold it


def test_a_pooling_case_is_checked():
    with pytest.raises(dl.ParameterError) as error:
        Case("x", "x", False, 5, 3, pooling="min")
    assert error.value.parameter == "pooling"
    with pytest.raises(dl.ParameterError) as error:
        Case("x", "x", True, 5, 3, pooling="max")
    assert error.value.parameter == "transposed"
    with pytest.raises(dl.ParameterError) as error:
        case_trace(True, 5, 3, pooling="max")
    assert error.value.parameter == "transposed"
    assert case_trace(False, 5, 3, seed=1, pooling="avg").output.shape == (3, 3)
