"""``python -m deconvlib`` for 1-D cases and pooling: explain's words, animate's GIFs, bad flags named,
and every gallery case's printed command drawing that very case again."""

import shlex
from pathlib import Path

import numpy as np
import pytest

from deconvlib import cli
from deconvlib.cases import GALLERY, GUIDE_POOLING_INPUT, find_case
from deconvlib.explain import command, explain, format_values
from deconvlib.trace import case_trace

PIL = pytest.importorskip("PIL.Image")


def printed(capsys, argv):
    assert cli.main(argv) == 0
    return capsys.readouterr().out


def test_explain_dims_1_prints_one_axis(capsys):
    out = printed(capsys, ["explain", "--dims", "1", "--transposed", "--input", "5", "--kernel", "3", "--stride", "2"])
    assert out == explain(True, 5, 3, stride=2, dims=1) + "\n"
    for piece in (
        "Transposed convolution in 1-D: i′ = 5, k = 3, s = 2",
        "zeros inserted   s·(i′ − 1) + 1 = 2·(5 − 1) + 1 = 9",
        "Output: 11\n",
        "relationship 12",
        "maps 11 to 5 (relationship 5)",
    ):
        assert piece in out
    assert "×" not in out.split("Output")[1]  # one axis: no rows×cols
    forward = printed(
        capsys, ["explain", "--dims", "1", "--input", "11", "--kernel", "3", "--stride", "2", "--padding", "0,1"]
    )
    assert "Convolution in 1-D: i = 11, k = 3, s = 2, p = 0 before, 1 after" in forward
    assert "Output: 5\n" in forward and "output_padding 1 maps 5 back to 11" in forward
    pooled = printed(
        capsys, ["explain", "--dims", "1", "--pool", "max", "--input", "7", "--kernel", "3", "--stride", "2"]
    )
    assert "Max pooling in 1-D" in pooled and "relationship 7" in pooled and "largest of the 3 input cells" in pooled


def test_explain_pool_avg_is_the_guides_figure(capsys):
    out = printed(capsys, ["explain", "--pool", "avg", "--input", "5", "--kernel", "3", "--stride", "1"])
    assert out.startswith("Average pooling, rows and columns alike: i = 5, k = 3, s = 1, p = 0, d = 1")
    assert "Output: 3×3" in out and "Guide: relationship 7, average pooling: o = ⌊(i − k) / s⌋ + 1" in out
    assert "mean of the 3×3 cells under its window" in out


def parsed(case):
    words = shlex.split(command(case))
    assert words[:4] == ["python", "-m", "deconvlib", "animate"]
    parser = cli.build_parser()
    return parser, parser.parse_args(words[3:])


@pytest.mark.parametrize("case", GALLERY, ids=lambda c: c.name)
def test_the_command_printed_for_a_gallery_case_draws_that_case(case):
    parser, args = parsed(case)
    assert args.output == Path(f"{case.name}.gif")
    expected = {**case.sizes, "pooling": case.pooling, "dims": case.dims}
    assert cli._case(args) == expected
    values = cli._values(parser, args)
    if case.values is None:
        assert values is None
    elif case.pooling:
        np.testing.assert_array_equal(values, case.values)
    else:
        X, W = values
        np.testing.assert_array_equal(X, case.values)
        if case.weights is None:
            assert W is None  # a kernel of ones, as the case's
            np.testing.assert_array_equal(case.parameters["values"][1], np.ones(np.shape(case.parameters["values"][1])))
        else:
            np.testing.assert_array_equal(W, case.weights)  # the guide's kernel (figures 1.1 and 1.2)
    again = case_trace(**cli._case(args), values=values)
    original = case_trace(**case.parameters)
    assert type(again) is type(original) and again.dims == original.dims
    np.testing.assert_array_equal(again.output, original.output)
    np.testing.assert_array_equal(again.padded, original.padded)


def test_the_pooling_commands_name_the_pool_and_the_guides_numbers():
    for name, pool in (("numerical_max_pooling", "max"), ("numerical_average_pooling", "avg")):
        line = command(find_case(name, GALLERY))
        assert f"--pool {pool}" in line and "--stride 1" in line
        assert f"--values {format_values(GUIDE_POOLING_INPUT)}" in line
    assert "--dims 1" in command(find_case("1d_kernel3_stride2", GALLERY))
    assert "--dims" not in command(find_case("dilation")) and "--pool" not in command(find_case("dilation"))


def test_animate_draws_pooling_and_1d_cases(tmp_path, capsys):
    out = tmp_path / "max.gif"
    argv = ["animate", "--pool", "max", "--input", "5", "--kernel", "3", "--stride", "1"]
    assert cli.main([*argv, "--values", format_values(GUIDE_POOLING_INPUT), "-o", str(out)]) == 0
    with PIL.open(out) as gif:
        assert gif.n_frames == 9
    one_d = tmp_path / "up1d.gif"
    assert cli.main(["animate", "--dims", "1", "--transposed", "--input", "5", "--stride", "2", "-o", str(one_d)]) == 0
    with PIL.open(one_d) as gif:
        assert gif.n_frames == 11 and gif.size[0] > 3 * gif.size[1]  # one row: wide and low
    assert "wrote" in capsys.readouterr().out
    names = {
        ("--pool", "avg", "--input", "4", "--kernel", "2", "--stride", "2"): "avgpool_i4_k2_s2_p0.gif",
        ("--dims", "1", "--input", "6", "--kernel", "3"): "conv1d_i6_k3_s1_p0.gif",
    }
    for flags, name in names.items():
        assert cli._default_name(cli._case(cli.build_parser().parse_args(["animate", *flags]))) == name


@pytest.mark.parametrize(
    "argv, flag",
    [
        (["explain", "--dims", "1", "--input", "3,4"], "--input"),
        (["explain", "--dims", "1", "--stride", "2,2"], "--stride"),
        (["explain", "--dims", "1", "--padding", "1,1,1,1"], "--padding"),
        (["explain", "--dims", "1", "--output-padding", "1"], "--output-padding"),
        (["explain", "--dims", "3"], "--dims"),
        (["animate", "--pool", "max", "--transposed"], "--pool"),
        (["animate", "--pool", "avg", "--dilation", "2", "--input", "7"], "--dilation"),
        (["animate", "--values", "1,2/3"], "--values"),
        (["animate", "--values", "1,x"], "--values"),
        (["animate", "--input", "3", "--values", "1,2/3,4"], "--values"),
        (["animate", "--dims", "1", "--input", "4", "--values", "1,2/3,4"], "--values"),
        (["animate", "--values", "1,2", "--seed", "1"], "--seed"),
        (["animate", "--dims", "1", "--transposed", "--input", "500", "--stride", "2"], "--input"),
    ],
)
def test_bad_1d_and_pooling_flags_are_named_in_one_line(argv, flag, tmp_path, capsys):
    if argv[0] == "animate":
        argv = [*argv, "-o", str(tmp_path / "x.gif")]
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert exit_.value.code == 2 and len(errors) == 1 and f"argument {flag}" in errors[0], errors
    assert not list(tmp_path.iterdir())
