"""The command line and the user's files: it overwrites nothing it did not write, writes every file under a
temporary name, stops on Ctrl-C leaving no partial file, and ends every bad value or environment problem in
one line without a traceback, before anything is drawn.

Nothing here times a command: the tests wait for events (a process's exit, a file's appearance) with
limits that only guard against a hang, and assert what the user sees (exit status, files, stderr).
"""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deconvlib import cli
from deconvlib._files import MANIFEST, PARTIAL, atomic_path
from deconvlib.cases import GALLERY, Case, find_case
from deconvlib.cli import main

pytest.importorskip("PIL.Image")
gallery = pytest.importorskip("deconvlib.viz.gallery")


def start(*args, cwd=None):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.Popen(
        [sys.executable, "-m", "deconvlib", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
    )


def run(*args, cwd=None, closed=(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, **env):
    """``python -m deconvlib ARGS``; ``closed``: file descriptors closed in the child (1: stdout, 2: stderr)."""
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


def one_error_line(result, status=2):
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("python -m deconvlib")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def partials(directory):
    return [p.name for p in Path(directory).rglob(f"*{PARTIAL}*")]


# --- nothing of the user's is overwritten; --only merges; names are escaped and confined ---


def test_gallery_refuses_a_foreign_directory_and_the_users_files(tmp_path):
    (tmp_path / "index.html").write_text("mine")
    line = one_error_line(run("gallery", tmp_path, "--only", "dilation"))
    assert "argument DIR" in line and "--force" in line
    assert (tmp_path / "index.html").read_text() == "mine"
    # a gallery deconvlib wrote, where the user then put a GIF of a case's name
    gallery_dir = tmp_path / "g"
    assert run("gallery", gallery_dir, "--only", "dilation").returncode == 0
    (gallery_dir / "no_padding_no_strides.gif").write_text("mine")
    line = one_error_line(run("gallery", gallery_dir, "--only", "no_padding_no_strides"))
    assert "no_padding_no_strides.gif" in line and "--force" in line
    assert (gallery_dir / "no_padding_no_strides.gif").read_text() == "mine"
    assert run("gallery", gallery_dir, "--only", "no_padding_no_strides", "--force").returncode == 0


def test_animate_refuses_to_replace_a_file_without_force(tmp_path):
    out = tmp_path / "a.gif"
    out.write_text("mine")
    line = one_error_line(run("animate", "-o", out))
    assert "--force" in line and out.read_text() == "mine"
    assert run("animate", "-o", out, "--force").returncode == 0 and out.read_bytes()[:3] == b"GIF"


def test_only_into_a_gallery_keeps_the_index_whole_and_duplicates_count_once(tmp_path):
    result = run("gallery", tmp_path, "--only", "dilation", "--only", "no_padding_no_strides", "--only", "dilation")
    assert result.returncode == 0, result.stderr
    assert "wrote 2 GIFs" in result.stdout
    assert (tmp_path / MANIFEST).exists()
    assert run("gallery", tmp_path, "--only", "dilation", "--jobs", 1).returncode == 0
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert html.count("<figure>") == 2 and "no_padding_no_strides.gif" in html


def test_render_keeps_files_inside_the_directory_and_the_index_escapes_names(tmp_path):
    evil = Case(name="../x", title="t", transposed=False, input_size=3, kernel_size=2)
    with pytest.raises(ValueError) as error:
        gallery.render(evil, tmp_path / "d")
    assert error.value.parameter == "case"
    assert not (tmp_path / "x.gif").exists()
    odd = Case(name="a<b>'c", title="<script>alert(1)</script>", transposed=False, input_size=3, kernel_size=2)
    md, html = gallery.write_index(tmp_path, [odd])
    text = html.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;" in text and "a&lt;b&gt;&#x27;c.gif" in text


# --- every file is written under a temporary name and renamed when complete ---


def test_a_failed_write_leaves_the_old_file_and_no_partial(tmp_path):
    path = tmp_path / "a.gif"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".gif" and tmp.name != path.name
        tmp.write_text("half")
        raise RuntimeError("the writer failed")
    assert path.read_text() == "old" and partials(tmp_path) == []


def test_render_writes_through_a_temporary_name(tmp_path, monkeypatch):
    seen = []

    def save(anim, path, progress=None):
        seen.append(Path(path).name)
        Path(path).write_bytes(b"GIF89a")
        return Path(path)

    monkeypatch.setattr(gallery, "save", save)
    path, frames, size = gallery.render(find_case("no_padding_no_strides"), tmp_path)
    assert PARTIAL in seen[0] and seen[0].endswith(".gif")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["no_padding_no_strides.gif"]


# --- Ctrl-C stops the work, leaves no partial file, exits 130 in one line ---


def children(pid):
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] not in ("Z", "X")
    except OSError:
        return False


#: Limit on every wait below: long enough for a machine under any load, there only so that a hang fails the test.
HANG = 120


def wait_for(condition, what):
    """Poll ``condition()`` until it is true; fail naming ``what`` after :data:`HANG` seconds."""
    deadline = time.monotonic() + HANG
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {HANG} s for {what}")
        time.sleep(0.05)


@pytest.fixture
def ctrl_c_reaches_children():
    """Let a child started in the test take Ctrl-C as a terminal user's would.

    A process that ignores SIGINT passes ``SIG_IGN`` on to its children, and a test run
    started in the background of a shell without job control (``cmd &`` in a script) does:
    its deconvlib would then finish its work instead of stopping. A handler, unlike
    ``SIG_IGN``, is reset to the default when the child starts, so the child takes Ctrl-C.
    """
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, old)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_ctrl_c_stops_the_gallerys_workers_and_leaves_no_partial_file(tmp_path, ctrl_c_reaches_children):
    process = start("gallery", tmp_path, "--jobs", 2)
    wait_for(lambda: list(tmp_path.glob(f".*{PARTIAL}*")) or process.poll() is not None, "a worker to write a GIF")
    workers = children(process.pid)
    assert process.poll() is None and workers, "the gallery ended before a worker started writing"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=HANG)
    assert process.returncode == 130
    assert (
        "Traceback" not in err and err.splitlines()[-1] == "python -m deconvlib: interrupted; no partial file was left"
    )
    assert partials(tmp_path) == []
    # it stopped: no index, and not every GIF of the gallery
    assert not (tmp_path / "index.html").exists()
    assert len(list(tmp_path.glob("*.gif"))) < len(GALLERY)
    wait_for(lambda: not any(alive(pid) for pid in workers), "the workers to exit")


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc")
def test_ctrl_c_while_animating_keeps_the_old_file(tmp_path, ctrl_c_reaches_children):
    out = tmp_path / "a.gif"
    out.write_text("old")
    process = start("animate", "--input", 21, "-o", out, "--force")  # 361 frames, kept in memory until the end
    maps = Path(f"/proc/{process.pid}/maps")
    wait_for(lambda: process.poll() is not None or "_imaging" in maps.read_text(), "Pillow to load (main is running)")
    time.sleep(1)  # into the drawing (not a limit: the process is checked to be still at work)
    assert process.poll() is None
    process.send_signal(signal.SIGINT)
    out_text, err = process.communicate(timeout=HANG)
    assert process.returncode == 130, (process.returncode, out_text, err)
    assert "Traceback" not in err
    assert out.read_text() == "old" and partials(tmp_path) == []


# --- bad values name their flag, in one line, exit 2; checked before drawing ---


@pytest.mark.parametrize(
    "args, flag",
    [
        (["animate", "--fps", "0"], "--fps"),
        (["animate", "--fps", "inf"], "--fps"),
        (["animate", "--fps", "-2"], "--fps"),
        (["animate", "--fps", "0.001"], "--fps"),
        (["animate", "--fps", "nan"], "--fps"),
        (["gallery", "g", "--fps", "nan"], "--fps"),
        (["animate", "--seed", "-1"], "--seed"),
        (["gallery", "g", "--jobs", "0"], "--jobs"),
        (["animate", "-o", "nosuchdir/x.gif"], "-o/--output"),
        (["animate", "-o", "somedir.gif"], "-o/--output"),
        (["animate", "-o", "afile/x.gif"], "-o/--output"),
        (["gallery", "afile"], "DIR"),
        (["gallery", "afile/sub"], "DIR"),
        (["gallery", "x" * 300], "DIR"),  # a name too long for the file system
        (["animate", "-o", "x" * 300 + ".gif"], "-o/--output"),
        (["animate", "--input", "100000"], "--input"),
        (["animate", "--input", "40"], "--input"),
        (["animate", "--transposed", "--input", "2", "--stride", "1000000"], "--stride"),
    ],
)
def test_bad_values_name_their_flag_in_one_line_before_drawing(args, flag, tmp_path, monkeypatch, capsys):
    (tmp_path / "somedir.gif").mkdir()
    (tmp_path / "afile").write_text("")
    before = sorted(p.name for p in tmp_path.iterdir())
    monkeypatch.chdir(tmp_path)
    animation = pytest.importorskip("deconvlib.viz.animation")

    def drawing(*args, **kwargs):
        raise AssertionError("drawing started before the arguments were checked")

    for module, name in ((animation, "animate"), (animation, "save"), (gallery, "render"), (gallery, "write_index")):
        monkeypatch.setattr(module, name, drawing)
    with pytest.raises(SystemExit) as exit:
        main(args)
    err = capsys.readouterr().err
    assert exit.value.code == 2
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1 and f"argument {flag}" in lines[0], err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_unwritable_folder_is_refused_before_drawing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli.os, "access", lambda path, mode: False)
    for args, flag in ((["animate", "-o", tmp_path / "a.gif"], "-o/--output"), (["gallery", tmp_path / "g"], "DIR")):
        with pytest.raises(SystemExit) as exit:
            main([str(a) for a in args])
        err = capsys.readouterr().err
        assert exit.value.code == 2 and f"argument {flag}: cannot write" in err and "read-only" in err
    assert list(tmp_path.iterdir()) == []


def test_a_gif_named_dot_gif_is_a_gif(tmp_path):
    result = run("animate", "--input", 3, "-o", ".gif", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".gif").read_bytes()[:3] == b"GIF" and partials(tmp_path) == []


def test_a_write_that_fails_is_one_line_and_status_1(tmp_path, monkeypatch, capsys):
    import deconvlib.viz.animation as animation

    def full_disk(anim, path, progress=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(animation, "save", full_disk)
    with pytest.raises(SystemExit) as exit:
        main(["animate", "--input", "3", "-o", str(tmp_path / "a.gif")])
    err = capsys.readouterr().err.splitlines()
    assert exit.value.code == 1 and err[-1].startswith("python -m deconvlib: cannot write") and "No space" in err[-1]
    assert list(tmp_path.iterdir()) == []


class ClosedPipe(io.StringIO):
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_is_one_line(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    with pytest.raises(SystemExit) as exit:
        main(["gallery", "x", "--list"])
    assert exit.value.code == 1
    assert capsys.readouterr().err == "python -m deconvlib: the output was closed before the end (broken pipe)\n"


def test_an_ascii_terminal_is_not_blamed_on_the_arguments():
    result = run("explain", "--transposed", "--input", 3, "--stride", 2, PYTHONIOENCODING="ascii")
    line = one_error_line(result, status=1)
    assert "PYTHONIOENCODING=utf-8" in line and "argument" not in line


# --- issue 22: a file the user edited after deconvlib wrote it, and a dangling link, are the user's ---


def test_gallery_refuses_an_index_the_user_edited_and_force_replaces_it(tmp_path):
    assert run("gallery", tmp_path, "--only", "dilation").returncode == 0
    assert run("gallery", tmp_path, "--only", "dilation").returncode == 0  # its own files: replaced freely
    index = tmp_path / "index.html"
    index.write_text(index.read_text(encoding="utf-8") + "<p>my notes</p>\n", encoding="utf-8")
    edited = index.read_text(encoding="utf-8")
    line = one_error_line(run("gallery", tmp_path, "--only", "dilation"))
    assert f"{str(index)!r} was changed after deconvlib wrote it" in line and "--force" in line
    assert index.read_text(encoding="utf-8") == edited
    assert run("gallery", tmp_path, "--only", "dilation", "--force").returncode == 0  # --force: replace it
    assert "my notes" not in index.read_text(encoding="utf-8")
    assert run("gallery", tmp_path, "--only", "dilation").returncode == 0  # and it is deconvlib's again


def test_an_index_edited_while_the_gifs_are_drawn_is_kept(tmp_path, monkeypatch, capsys):
    assert main(["gallery", str(tmp_path), "--only", "dilation", "--jobs", "1"]) == 0
    render = gallery.render

    def render_then_edit(case, directory, *args, **kwargs):
        drawn = render(case, directory, *args, **kwargs)
        (tmp_path / "index.md").write_text("my own index\n")
        return drawn

    monkeypatch.setattr(gallery, "render", render_then_edit)
    with pytest.raises(SystemExit) as exit:
        main(["gallery", str(tmp_path), "--only", "dilation", "--jobs", "1"])
    err = capsys.readouterr().err.splitlines()
    assert exit.value.code == 1 and "index.md' was changed after deconvlib wrote it" in err[-1]
    assert "the index was not" in err[-1] and (tmp_path / "index.md").read_text() == "my own index\n"


def test_animate_refuses_to_replace_a_dangling_link_without_force(tmp_path):
    link = tmp_path / "link.gif"
    link.symlink_to(tmp_path / "nowhere.gif")
    line = one_error_line(run("animate", "-o", link))
    assert f"{str(link)!r} is a link" in line and "--force" in line
    assert link.is_symlink() and not (tmp_path / "nowhere.gif").exists()
    assert run("animate", "-o", link, "--force").returncode == 0
    assert not link.is_symlink() and link.read_bytes()[:3] == b"GIF"


def test_gallery_counts_a_dangling_link_as_a_file_it_did_not_write(tmp_path):
    assert run("gallery", tmp_path, "--only", "dilation").returncode == 0
    link = tmp_path / "no_padding_no_strides.gif"
    link.symlink_to(tmp_path / "nowhere")
    line = one_error_line(run("gallery", tmp_path, "--only", "no_padding_no_strides"))
    assert "no_padding_no_strides.gif' was not written by deconvlib" in line
    assert link.is_symlink()


# --- issue 22: stdout closed (>&-) or full (>/dev/full) is one line on stderr and status 1, naming the GIF if one
# was written; stderr closed or full only silences the progress bar (the GIF is written, status 0); a file name
# the output's encoding cannot show is escaped in the report ---

FULL = Path("/dev/full")


def is_gif(path):
    from PIL import Image

    with Image.open(path) as gif:
        return gif.format == "GIF" and gif.n_frames == 4


@pytest.mark.parametrize("args", [["explain", "--transposed"], ["--help"], ["gallery", "--list"]])
def test_a_closed_stdout_is_one_line_and_status_1(args):
    done = run(*args, closed=[1])
    assert one_error_line(done, status=1) == "python -m deconvlib: cannot print on the standard output (it is closed)"


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["explain", "--transposed"], ["--help"], ["animate", "--help"]])
def test_a_full_stdout_is_one_line_and_status_1(args):
    with FULL.open("w") as full:
        done = run(*args, stdout=full)
    assert one_error_line(done, status=1).endswith("cannot print on the standard output (No space left on device)")


def test_animate_with_stdout_closed_writes_the_gif_and_says_so(tmp_path):
    done = run("animate", "-o", "x.gif", closed=[1], cwd=tmp_path)
    assert one_error_line(done, status=1).endswith("(it is closed); wrote x.gif")
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
