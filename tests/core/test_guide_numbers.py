"""The guide's numerical figures, redrawn by the gallery, give the guide's own numbers.

Dumoulin & Visin (arXiv:1603.07285v2) print the outputs of figures 1.1 and 1.2
(a 3×3 kernel over a 5×5 input; then with padding 1 and stride 2) and of the
pooling figures 1.5 and 1.6: these are independent references for the cases,
the trace the animations draw, and the command line that redraws them.
"""

import numpy as np
import pytest

from deconvlib.cases import GALLERY, GUIDE_FIGURES, find_case
from deconvlib.cli import main
from deconvlib.explain import command
from deconvlib.trace import case_trace

#: The output printed in each figure of the guide (read from the text of its last frame,
#: vdumoulin/conv_arithmetic pdf/<name>_08.pdf: the figures of arXiv:1603.07285v2).
PRINTED = {
    "numerical_no_padding_no_strides": [[12, 12, 17], [10, 17, 19], [9, 6, 14]],
    "numerical_padding_strides": [[6, 17, 3], [8, 17, 13], [6, 4, 4]],
    "numerical_max_pooling": [[3, 3, 3], [3, 3, 3], [3, 2, 3]],
    "numerical_average_pooling": [[1.7, 1.7, 1.7], [1.0, 1.2, 1.8], [1.1, 0.8, 1.3]],
}


@pytest.mark.parametrize("name", PRINTED)
def test_each_numerical_figure_gives_the_numbers_the_guide_prints(name):
    case = find_case(name, GALLERY)
    t = case_trace(**case.parameters)
    np.testing.assert_allclose(t.output, PRINTED[name], atol=0.05)  # the guide rounds averages to one decimal
    assert GUIDE_FIGURES[name] in {"1.1", "1.2", "1.5", "1.6"}


@pytest.mark.parametrize("name", ["numerical_no_padding_no_strides", "numerical_padding_strides"])
def test_the_command_of_a_numerical_figure_redraws_it(name, tmp_path, capsys):
    line = command(find_case(name, GALLERY))
    assert "--weights 0,1,2/2,2,0/0,1,2" in line
    argv = line.split()[3:]
    argv[argv.index("-o") + 1] = str(tmp_path / f"{name}.gif")
    assert main(argv) == 0
    assert f"{name}.gif (9 frames" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra",
    [
        ["--weights", "0,1,2/2,2,0/0,1,2"],  # no input numbers to go with them
        ["--values", "1,2,3,4,5/1,2,3,4,5/1,2,3,4,5/1,2,3,4,5/1,2,3,4,5", "--weights", "1,2/3,4"],  # not 3×3
        [
            "--pool",
            "max",
            "--values",
            "1,2,3,4,5/1,2,3,4,5/1,2,3,4,5/1,2,3,4,5/1,2,3,4,5",
            "--weights",
            "1,1,1/1,1,1/1,1,1",
        ],
    ],
)
def test_bad_weights_are_named_by_their_flag_in_one_line(extra, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["animate", "--input", "5", "--kernel", "3", *extra, "-o", str(tmp_path / "x.gif")])
    assert stop.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "argument --weights:" in last and not (tmp_path / "x.gif").exists()
