"""The command line with a standard output or error that is closed, full or cannot show a character (issue 22).

Each run ends in one line (on whichever stream is left) and an exit status that says what happened,
never a traceback: stdout closed (``>&-``) or full (``>/dev/full``) is status 1 with one line on stderr,
naming the file when one was written; stderr closed or full only silences the progress bar, the GIF is
written and the status is 0; a file name the output's encoding cannot show is escaped in the report.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PIL.Image")

FULL = Path("/dev/full")


def run(*args, closed=(), cwd=None, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **env):
    """``python -m deconvlib ARGS``, with the file descriptors ``closed`` (1: stdout, 2: stderr) closed in the child."""
    return subprocess.run(
        [sys.executable, "-m", "deconvlib", *map(str, args)],
        stdout=stdout,
        stderr=stderr,
        text=True,
        cwd=cwd,
        env={**os.environ, "MPLBACKEND": "Agg", **env},
        preexec_fn=(lambda: [os.close(fd) for fd in closed]) if closed else None,
        timeout=300,
    )


def one_line(stderr):
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("python -m deconvlib")]
    assert len(lines) == 1, stderr
    return lines[0]


def is_gif(path):
    from PIL import Image

    with Image.open(path) as gif:
        return gif.format == "GIF" and gif.n_frames == 4


@pytest.mark.parametrize("args", [["explain", "--transposed"], ["--help"], ["gallery", "--list"]])
def test_a_closed_stdout_is_one_line_and_status_1(args):
    done = run(*args, closed=[1])
    assert done.returncode == 1
    assert one_line(done.stderr) == "python -m deconvlib: cannot print on the standard output (it is closed)"


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["explain", "--transposed"], ["--help"], ["animate", "--help"]])
def test_a_full_stdout_is_one_line_and_status_1(args):
    with FULL.open("w") as full:
        done = run(*args, stdout=full)
    assert done.returncode == 1
    assert one_line(done.stderr).endswith("cannot print on the standard output (No space left on device)")


def test_animate_with_stdout_closed_writes_the_gif_and_says_so(tmp_path):
    done = run("animate", "-o", "x.gif", closed=[1], cwd=tmp_path)
    assert done.returncode == 1
    assert one_line(done.stderr).endswith("(it is closed); wrote x.gif")
    assert is_gif(tmp_path / "x.gif")  # whole: nothing meant for stdout landed in it


@pytest.mark.parametrize("stream", ["closed", "full"])
def test_animate_with_stderr_closed_or_full_writes_the_gif_and_exits_0(stream, tmp_path):
    if stream == "full" and not FULL.exists():
        pytest.skip("needs /dev/full")
    with FULL.open("w") if stream == "full" else open(os.devnull, "w") as sink:
        done = run("animate", "-o", "x.gif", cwd=tmp_path, closed=[2] if stream == "closed" else (), stderr=sink)
    assert done.returncode == 0
    assert done.stdout.startswith("wrote x.gif (4 frames")
    assert is_gif(tmp_path / "x.gif")


def test_a_file_name_an_ascii_output_cannot_show_is_escaped_in_the_report(tmp_path):
    done = run("animate", "-o", "é.gif", cwd=tmp_path, PYTHONIOENCODING="ascii")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote \\xe9.gif (4 frames")
    assert is_gif(tmp_path / "é.gif")
