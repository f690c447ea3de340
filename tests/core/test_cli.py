"""``python -m deconvlib`` end to end, in a subprocess: every subcommand, --help, and bad arguments."""

import os
import re
import shutil
import subprocess
import sys

import pytest

import deconvlib as dl
from deconvlib.cases import GALLERY
from deconvlib.cli import _FLAGS, EPILOG, _library_error, build_parser, main

PIL = pytest.importorskip("PIL.Image")


def run(*args, cwd=None):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "deconvlib", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


def test_help_explains_the_commands_with_examples():
    result = run("--help")
    assert result.returncode == 0
    for word in ("animate", "gallery", "explain", "examples:", "python -m deconvlib animate --transposed"):
        assert word in result.stdout


@pytest.mark.parametrize("command", ["animate", "gallery", "explain"])
def test_each_command_has_help(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert "example" in result.stdout and f"python -m deconvlib {command}" in result.stdout


def test_animate_writes_a_gif_with_one_frame_per_output_cell(tmp_path):
    out = tmp_path / "up.gif"
    result = run("animate", "--transposed", "--input", 3, "--kernel", 3, "--stride", 2, "--padding", 1, "-o", out)
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout and "25 frames" in result.stdout
    assert "25/25 frames" in result.stderr  # the progress bar
    with PIL.open(out) as gif:
        assert gif.n_frames == 25


def test_animate_default_name_and_values(tmp_path):
    result = run(
        "animate", "--input", "6,5", "--kernel", 3, "--stride", 2, "--padding", "0,1,0,1", "--seed", 3, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    (gif,) = tmp_path.glob("*.gif")
    assert gif.name == "conv_i6x5_k3_s2_p0x1x0x1.gif"
    with PIL.open(gif) as image:
        assert image.n_frames == 3 * 2


def test_explain_prints_the_steps_and_the_relationship():
    result = run(
        "explain", "--transposed", "--input", 3, "--kernel", 3, "--stride", 2, "--padding", 1, "--output-padding", 1
    )
    assert result.returncode == 0, result.stderr
    for piece in ("dilated kernel", "zeros inserted", "padded grid", "Output: 6×6", "relationship 14"):
        assert piece in result.stdout
    forward = run("explain", "--input", 4, "--kernel", 3)
    assert "relationship 1," in forward.stdout and "Output: 2×2" in forward.stdout


def test_gallery_writes_every_case_and_the_index(tmp_path):
    result = run("gallery", tmp_path, "--jobs", 2)
    assert result.returncode == 0, result.stderr
    assert f"wrote {len(GALLERY)} GIFs" in result.stdout
    index = (tmp_path / "index.md").read_text(encoding="utf-8")
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    for case in GALLERY:
        with PIL.open(tmp_path / f"{case.name}.gif") as gif:
            assert gif.n_frames == case.n_frames, case.name
        assert f"({case.name}.gif)" in index and f"src='{case.name}.gif'" in html
    assert "output_padding=2" in index  # parameters are listed
    assert "Guide: relationship 7, max pooling" in index and "## One dimension" in index
    total = sum(c.n_frames for c in GALLERY)
    assert f"{total}/{total} frames" in result.stderr


def test_gallery_only_and_list(tmp_path):
    listed = run("gallery", tmp_path, "--list")
    assert listed.returncode == 0 and "padding_strides_odd_transposed" in listed.stdout
    assert not list(tmp_path.iterdir())
    result = run("gallery", tmp_path, "--only", "no_padding_strides", "--jobs", 1)
    assert result.returncode == 0, result.stderr
    names = ["index.html", "index.md", "no_padding_strides.gif"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".deconvlib-gallery.json", *names]


@pytest.mark.parametrize(
    "args, flag",
    [
        (["animate", "--stride", "0"], "--stride"),
        (["animate", "--stride", "two"], "--stride"),
        (["animate", "--transposed", "--stride", "2", "--output-padding", "2"], "--output-padding"),
        (["animate", "--output-padding", "1"], "--output-padding"),  # forward convolutions have none
        (["animate", "--input", "2", "--kernel", "3"], "--input"),  # empty output
        (["animate", "--transposed", "--input", "2", "--kernel", "3", "--padding", "3"], "--padding"),
        (["animate", "--padding", "1,2,3"], "--padding"),
        (["animate", "--dilation", "0"], "--dilation"),
        (["animate", "-o", "out.png"], "--output"),
        (["explain", "--kernel", "0"], "--kernel"),
        (["gallery", "somewhere", "--only", "nope"], "--only"),
        (["gallery", "somewhere", "--jobs", "0"], "--jobs"),
        (["draw"], "COMMAND"),
        ([], "COMMAND"),
    ],
)
def test_bad_arguments_exit_2_with_one_line_naming_the_argument(args, flag, tmp_path):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    error = [line for line in result.stderr.splitlines() if "error:" in line]
    assert len(error) == 1 and flag in error[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.skipif(shutil.which("ffmpeg") is not None, reason="ffmpeg is installed")
def test_mp4_without_ffmpeg_is_a_clear_error(tmp_path):
    result = run("animate", "-o", tmp_path / "a.mp4")
    assert result.returncode == 2 and "ffmpeg" in result.stderr.splitlines()[-1]


@pytest.mark.parametrize(
    "args, flag",
    [
        (["--transposed", "--kernel", "10", "--input", "3", "--padding", "9"], "--padding"),  # crops everything
        (["--kernel", "10", "--input", "3", "--padding", "8,0"], "--input"),  # forward: 3 + 8 < 10, empty
        (["--input", "2", "--kernel", "3"], "--input"),
        (["--kernel", "10"], "--kernel"),  # the default input 4 is fine: the kernel the user chose is too large
        (["--kernel", "10", "--stride", "2"], "--kernel"),
        (["--kernel", "0"], "--kernel"),
        (["--stride", "0"], "--stride"),
        (["--transposed", "--stride", "2", "--output-padding", "2"], "--output-padding"),
        (["--output-padding", "1"], "--output-padding"),  # forward convolutions have none
        (["--dilation", "0"], "--dilation"),
        (["--transposed", "--dilation", "2,0"], "--dilation"),
        (["--padding", "-1"], "--padding"),
    ],
)
def test_explain_blames_the_flag_of_the_parameter(args, flag, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["explain", *args])
    error = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert exit.value.code == 2 and len(error) == 1
    assert f"error: argument {flag}: " in error[0], error[0]


def test_the_flag_comes_from_the_parameter_not_from_the_message(capsys):
    parser = build_parser()
    for parameter, flag in _FLAGS.items():
        with pytest.raises(SystemExit):
            _library_error(parser, dl.ParameterError("stride, padding and input are all named here", parameter))
        assert f"error: argument {flag}: stride, padding and input" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # a parameter without a flag, or a plain ValueError: the message alone
        _library_error(parser, dl.ParameterError("the stride is fine", "index"))
    assert "error: the stride is fine" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _library_error(parser, ValueError("no stride here"))
    assert "error: no stride here" in capsys.readouterr().err


def test_every_flag_of_a_case_has_a_parameter(capsys):
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    flags = set(re.findall(r"--[a-z][a-z-]*", capsys.readouterr().out))
    assert set(_FLAGS.values()) == flags - {"--help", "--transposed"}


def test_scale_draws_larger_gifs_for_slides_and_plain_drops_the_text(tmp_path):
    from PIL import Image

    sizes = {}
    for name, extra in (("one", []), ("two", ["--scale", "2"]), ("plain", ["--plain"])):
        done = run(
            "animate", "--transposed", "--input", "3", "--stride", "2", "-o", f"{name}.gif", *extra, cwd=tmp_path
        )
        assert done.returncode == 0, done.stderr
        with Image.open(tmp_path / f"{name}.gif") as gif:
            sizes[name] = gif.size
            assert gif.n_frames == 49  # 7×7 output cells
    assert all(abs(two - 2 * one) <= 1 for one, two in zip(sizes["one"], sizes["two"]))  # whole pixels
    assert sizes["plain"][1] < sizes["one"][1]  # no title, no legend


@pytest.mark.parametrize("value", ["0", "9", "nan", "big"])
def test_a_bad_scale_names_its_flag(tmp_path, value):
    done = run("animate", "--scale", value, "-o", "x.gif", cwd=tmp_path)
    assert done.returncode == 2 and "argument --scale" in done.stderr
    assert not (tmp_path / "x.gif").exists()


# --- issue 22: the epilog's examples run as written; values that start with '-'; math in --title; --list ---


def epilog_examples(command):
    """The ``python -m deconvlib COMMAND ...`` examples of ``--help``, continuation lines joined, as argv lists."""
    text = re.sub(r"\\\n\s*", "", EPILOG)
    return [line.split()[4:] for line in text.splitlines() if line.strip().startswith(f"python -m deconvlib {command}")]


def test_every_animate_example_of_the_help_works_as_written(tmp_path):
    examples = epilog_examples("animate")
    assert len(examples) >= 4 and ["--values", "-o"] in [e[i : i + 2] for e in examples for i in range(len(e))]
    for example in examples:  # '--values' alone (random numbers) among them
        result = run("animate", *example, cwd=tmp_path)
        assert result.returncode == 0, (example, result.stderr)
        out = tmp_path / example[example.index("-o") + 1]
        assert out.read_bytes()[:3] == b"GIF"
        out.unlink()


@pytest.mark.parametrize(
    "flags",
    [
        ["--values", "-1,2/3,4"],
        ["--values", "-1.5,2/3,-4"],
        ["--values", "1,2/3,4", "--weights", "-1"],
        ["--transposed", "--values", "-.5,1/0,0", "--weights", "-1"],
    ],
)
def test_values_that_start_with_a_minus_are_values_not_flags(flags, tmp_path, capsys):
    status = main(["animate", "--input", "2", "--kernel", "1", *flags, "-o", str(tmp_path / "v.gif")])
    assert status == 0, capsys.readouterr().err
    assert (tmp_path / "v.gif").read_bytes()[:3] == b"GIF"


def test_a_title_matplotlib_cannot_draw_is_one_line_naming_title(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["animate", "--title", r"$\foo$", "-o", str(tmp_path / "t.gif")])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit.value.code == 2 and not list(tmp_path.iterdir())
    assert err[-1].startswith(r"python -m deconvlib animate: error: argument --title: cannot draw the math in ")
    assert r"'$\\foo$': Unknown symbol" in err[-1]
    assert not err[-2].startswith("python -m deconvlib")  # the usage, then this one line
    # a single '$' is not math, and math that parses is drawn
    for title in ("price $5", r"up $\times$ 2"):
        assert main(["animate", "--title", title, "-o", str(tmp_path / "t.gif"), "--force"]) == 0


def test_gallery_list_needs_no_folder_and_no_drawing_extra(numpy_alone, tmp_path):
    python, env = numpy_alone
    done = subprocess.run([*python, "-m", "deconvlib", "gallery", "--list"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == [case.name for case in GALLERY]
    missing = run("gallery", cwd=tmp_path)  # drawing still needs DIR
    assert missing.returncode == 2 and "the following arguments are required: DIR" in missing.stderr
