"""Fuzz the command line (issue 11): random argv from the real flags and nasty values, run in-process.

Whatever the values, ``main`` ends with status 0, 2 (a bad value, one line naming it) or 1 (the
environment), never a traceback. ``animate`` runs with drawing replaced by a stub that writes a few bytes,
so the fuzz exercises every check and the file handling, not matplotlib.
"""

import contextlib
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconvlib import cli
from deconvlib.trace import case_trace

animation = pytest.importorskip("deconvlib.viz.animation")

NUMBERS = st.one_of(
    st.integers(-3, 12),
    st.sampled_from([0, -1, 10**6, 10**18, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
).map(str)
VALUES = st.one_of(
    NUMBERS,
    st.lists(st.integers(-2, 9), min_size=1, max_size=5).map(lambda v: ",".join(map(str, v))),
    st.sampled_from(["", ",", "1,,2", "two", "nan", "1e3", "0x10", " 3", "3 ", "٣", "1_0"]),
    st.sampled_from(["max", "avg", "1", "2", "1,2/3,4", "1/2", "1,2/3", "/", "1e400,1"]),
    st.lists(st.integers(-2, 9), min_size=1, max_size=9).map(lambda v: "/".join(map(str, v))),
    st.text(max_size=6),
)
CASE_FLAGS = ["--input", "--kernel", "--stride", "--padding", "--output-padding", "--dilation", "--dims", "--pool"]


def argv(command, extra_flags):
    flags = st.lists(st.tuples(st.sampled_from(CASE_FLAGS + extra_flags), VALUES), max_size=4)
    switches = st.lists(st.sampled_from(["--transposed", "--values", "--force"][: 1 if command == "explain" else 3]))
    return st.tuples(flags, switches).map(lambda fs: [command, *[x for pair in fs[0] for x in pair], *fs[1]])


def run(args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(args)
        except SystemExit as exit:
            status = exit.code
    return status, out.getvalue(), err.getvalue()


def check(status, err):
    assert status in (0, 1, 2), (status, err)
    assert "Traceback" not in err
    if status:
        assert len(err.strip().splitlines()) == 1 or "usage:" in err, err  # argparse adds its usage line
        assert len([line for line in err.splitlines() if not line.startswith(("usage:", " "))]) == 1, err


@settings(max_examples=300, deadline=None)
@given(argv("explain", []))
def test_explain_never_tracebacks(args):
    status, out, err = run(args)
    check(status, err)
    assert (status == 0) == bool(out)


class FakeAnimation:
    def __init__(self, trace):
        self.trace, self.frame_count = trace, trace.n_steps


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=argv("animate", ["--fps", "--seed", "-o", "--title", "--values"]))
def test_animate_never_tracebacks(args, monkeypatch):
    def animate(transposed, input_size, kernel_size, stride, padding, output_padding, dilation, **options):
        sizes = (transposed, input_size, kernel_size, stride, padding, output_padding, dilation)
        chosen = {name: options[name] for name in ("pooling", "dims", "values", "seed")}
        return FakeAnimation(case_trace(*sizes, **chosen))

    def save(anim, path, fps=None, progress=None):
        Path(path).write_bytes(b"GIF89a")
        for i in range(anim.frame_count):
            progress(i, anim.frame_count)
        return Path(path)

    monkeypatch.setattr(animation, "animate", animate)
    monkeypatch.setattr(animation, "save", save)
    with tempfile.TemporaryDirectory() as directory:
        monkeypatch.chdir(directory)
        status, out, err = run(args)
        check(status, err)
        if status == 0:
            assert out.startswith("wrote ")
        assert not [p for p in Path(directory).rglob("*") if ".partial-" in p.name]
