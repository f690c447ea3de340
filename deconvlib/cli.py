"""``python -m deconvlib``: animations for slides, the gallery, and the shape arithmetic.

Four subcommands, each a thin layer over a tested function:

``animate``  → :func:`deconvlib.viz.animation.animate` and :func:`~deconvlib.viz.animation.save`
``gallery``  → :func:`deconvlib.viz.gallery.render` for every case, then
               :func:`~deconvlib.viz.gallery.write_index`
``explain``  → :func:`deconvlib.explain.explain`
``doctor``   → :func:`deconvlib.doctor.doctor` on a JSON layer list

Bad arguments, including the library's own :class:`~deconvlib.ParameterError`
(an empty output, an ``output_padding`` too large for the stride), end in one
line on stderr naming the flag of the parameter it names, and exit status 2,
as argparse does; so does an output path that cannot be written, checked
before anything is drawn. A problem of the environment (a missing extra, a
failed write, a closed pipe, a terminal that cannot show ``×``) ends in one
line and status 1; Ctrl-C in one line and status 130. A standard output that
is closed or full ends in one line on stderr and status 1 (naming the file, if
one was written); a closed or full stderr does not stop the work, it only
silences the progress bar.

Files are never lost: every file is written under a temporary name and
renamed when complete; an existing file (or a symbolic link, even a dangling
one) is replaced only with ``--force``, except, in a gallery directory, the
files deconvlib wrote there and nobody changed since (listed with their
SHA-256 in its manifest, ``.deconvlib-gallery.json``): an ``index.html``
edited by hand is refused, naming it, unless ``--force`` (which replaces it).
"""

import argparse
import math
import os
import re
import sys
import time
from pathlib import Path

from ._files import MANIFEST, at_risk, atomic_path, partial_files, read_manifest, record
from ._validate import SCALE_RANGE

__all__ = ["main", "build_parser", "ProgressBar"]

EPILOG = """\
examples:
  python -m deconvlib explain --transposed --input 3 --kernel 3 --stride 2 --padding 1
      how a 3×3 input becomes a 5×5 output, step by step, and which relationship
      of Dumoulin & Visin's guide gives the size
  python -m deconvlib animate --transposed --input 3 --kernel 3 --stride 2 --padding 1 -o up.gif
      a GIF for a slide: one frame per output cell
  python -m deconvlib animate --input 5 --kernel 3 --stride 2 --padding 1 --values -o conv.gif
      a forward convolution, with (random, small integer) values in the cells
  python -m deconvlib gallery docs/gallery
      every case of the guide and its transposed twin, plus more, with an index
  python -m deconvlib explain --pool max --input 5 --kernel 3 --stride 1
      max pooling's output size (relationship 7 of the guide)
  python -m deconvlib animate --pool max --input 5 --kernel 3 --stride 1 \\
      --values 3,3,2,1,0/0,0,1,3,1/3,1,2,2,3/2,0,0,2,2/2,0,0,0,1 -o max.gif
      the guide's max pooling figure (1.6), with its numbers
  python -m deconvlib animate --input 5 --kernel 3 --values 3,3,2,1,0/0,0,1,3,1/3,1,2,2,3/2,0,0,2,2/2,0,0,0,1 \\
      --weights 0,1,2/2,2,0/0,1,2 -o conv.gif
      the guide's figure 1.1: its kernel over its input, each output's value as it is written
  python -m deconvlib explain --dims 1 --transposed --input 5 --kernel 3 --stride 2
      a 1-D transposed convolution (PyTorch's conv_transpose1d), one axis
  python -m deconvlib doctor dcgan.json --input 1x100x1x1 --target 64x64
      a whole decoder (a JSON layer list): shapes, checkerboard risk, the fix for a size

Parameters follow PyTorch: --padding is the forward convolution's padding (for a
transposed convolution, what it crops), --dilation 1 means no gaps. Sizes may be
one number or ROWS,COLS; --padding may also be TOP,BOTTOM,LEFT,RIGHT. With
--dims 1 every size is one number (--padding P or LEFT,RIGHT).
Run 'python -m deconvlib COMMAND --help' for the options of one command.
"""

#: The sizes of a case, as the library names them (and as ``args`` holds them) → their flags.
_SIZE_FLAGS = {
    "input_size": "--input",
    "kernel_size": "--kernel",
    "stride": "--stride",
    "padding": "--padding",
    "output_padding": "--output-padding",
    "dilation": "--dilation",
}
#: Every parameter of a case (``animate`` and ``explain`` take them all) → its flag.
#: A :class:`~deconvlib.ParameterError` names one of these, so the error can name its flag.
_FLAGS = {**_SIZE_FLAGS, "pooling": "--pool", "dims": "--dims"}
#: Parameters of ``animate`` alone → their flags.
_ANIMATE_FLAGS = {"values": "--values", "weights": "--weights", "scale": "--scale"}


def _ints(text, allowed=(1, 2)):
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or integers separated by commas, got {text!r}") from None
    if len(values) not in allowed:
        shapes = " or ".join({1: "N", 2: "ROWS,COLS", 4: "TOP,BOTTOM,LEFT,RIGHT"}[n] for n in allowed)
        raise argparse.ArgumentTypeError(f"expected {shapes}, got {text!r}")
    return values[0] if len(values) == 1 else values


def _size(text):
    return _ints(text)


def _numbers(text):
    """``--values``: numbers separated by commas, rows by ``/`` (a tuple of rows)."""
    try:
        rows = tuple(tuple(float(part) for part in row.split(",")) for row in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas, rows by '/' (such as 1,2/3,4), got {text!r}"
        ) from None
    if len({len(row) for row in rows}) != 1:
        raise argparse.ArgumentTypeError(f"every row must have as many numbers, got {text!r}")
    if not all(math.isfinite(v) for row in rows for v in row):
        raise argparse.ArgumentTypeError(f"expected finite numbers, got {text!r}")
    return tuple(tuple(int(v) if v.is_integer() else v for v in row) for row in rows)


#: ``--values`` without numbers: small random integers. Not a string, so that argparse does not
#: pass it through ``_numbers`` as it does a string ``const``.
_RANDOM = object()

#: The most frames ``animate`` draws (about a minute of rendering); a larger case is refused at once.
MAX_FRAMES = 400
#: Frames per second a GIF can play: at most one frame per 10 ms, at least one per 10 s.
FPS_RANGE = (0.1, 100.0)


def _fps(text):
    try:
        fps = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of frames per second, got {text!r}") from None
    low, high = FPS_RANGE
    if not (math.isfinite(fps) and low <= fps <= high):
        raise argparse.ArgumentTypeError(f"must be a number from {low:g} to {high:g}, got {text!r}")
    return fps


def _scale(text):
    try:
        scale = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    low, high = SCALE_RANGE  # the course's set_scale takes the same
    if not (math.isfinite(scale) and low <= scale <= high):
        raise argparse.ArgumentTypeError(f"must be a number from {low:g} to {high:g}, got {text!r}")
    return scale


def _style_arguments(group):
    """--scale and --plain, for animate and gallery alike."""
    group.add_argument(
        "--scale",
        type=_scale,
        default=1,
        metavar="X",
        help="draw X times larger: 2 for slides and projectors (default: 1)",
    )
    group.add_argument(
        "--plain", action="store_true", help="the guide's style: the swept grid and the output, no numbers or text"
    )


def _int_at_least(minimum, what):
    """An argparse type: an integer ``>= minimum`` (``what`` describes it in the message)."""

    def parse(text):
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}")
        return number

    return parse


_seed = _int_at_least(0, "a non-negative integer")
_jobs = _int_at_least(1, "a number of processes, at least 1")


def _padding(text):
    return _ints(text, allowed=(1, 2, 4))


def _case_arguments(parser):
    group = parser.add_argument_group("the case (PyTorch's conventions)")
    group.add_argument(
        "--transposed", action="store_true", help="a transposed convolution (default: a forward convolution)"
    )
    group.add_argument(
        "--pool",
        dest="pooling",
        choices=("max", "avg"),
        help="a max or average pooling window of --kernel instead (relationship 7); PyTorch's stride defaults to "
        "the window, here give --stride",
    )
    group.add_argument(
        "--dims",
        type=int,
        choices=(1, 2),
        default=2,
        help="spatial dimensions: 1 for conv1d / conv_transpose1d (every size one number), drawn as one row "
        "(default: 2)",
    )
    group.add_argument(
        "--input", dest="input_size", type=_size, default=4, metavar="N", help="input size: N or ROWS,COLS (default: 4)"
    )
    group.add_argument(
        "--kernel",
        dest="kernel_size",
        type=_size,
        default=3,
        metavar="K",
        help="kernel size: K or ROWS,COLS (default: 3)",
    )
    group.add_argument("--stride", type=_size, default=1, metavar="S", help="stride (default: 1)")
    group.add_argument(
        "--padding",
        type=_padding,
        default=0,
        metavar="P",
        help="the forward convolution's zero padding: P, ROWS,COLS or TOP,BOTTOM,LEFT,RIGHT (default: 0)",
    )
    group.add_argument(
        "--output-padding",
        type=_size,
        default=0,
        metavar="A",
        help="transposed only: extra rows/columns at the bottom/right, less than the stride (default: 0)",
    )
    group.add_argument(
        "--dilation", type=_size, default=1, metavar="D", help="spacing of the kernel taps; 1 = no gaps (default: 1)"
    )


def _case(args):
    """The case's keyword arguments (``transposed``, ``input_size``, ..., ``pooling``, ``dims``) from the flags."""
    return {name: getattr(args, name) for name in ("transposed", *_FLAGS)}


def _sizes(case):
    """A case's sizes and ``dims`` alone (what :func:`deconvlib.trace.case_geometry` takes)."""
    return {name: value for name, value in case.items() if name != "pooling"}


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose ``--help`` says so when stdout is closed or full (argparse keeps quiet)."""

    def print_help(self, file=None):
        if file is not None:
            return super().print_help(file)
        _print(self.format_help().rstrip("\n"))


def build_parser():
    """The argument parser of ``python -m deconvlib``.

    Returns
    -------
    argparse.ArgumentParser
        Subcommands ``animate``, ``gallery``, ``explain`` and ``doctor``; each sets
        ``run`` and ``command_parser`` on the parsed arguments.

    See Also
    --------
    main : Parses and runs.

    Examples
    --------
    >>> args = build_parser().parse_args(["explain", "--transposed", "--input", "3", "--padding", "0,1,0,1"])
    >>> args.command, args.input_size, args.padding
    ('explain', 3, (0, 1, 0, 1))
    """
    parser = _Parser(
        prog="python -m deconvlib",
        description="Transposed convolution, drawn and explained: GIF animations of any case "
        "(one frame per kernel position), the convolution-arithmetic gallery, and the "
        "shape arithmetic of a case step by step.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    animate = commands.add_parser(
        "animate",
        help="draw one case as a GIF (or MP4, where ffmpeg is installed)",
        description="Draw one convolution or transposed convolution as an animation: one frame per "
        "kernel position, i.e. per output cell. A transposed convolution is drawn as the "
        "guide draws it: the kernel sweeps the input with zeros inserted and padding added.",
        epilog="example:\n  python -m deconvlib animate --transposed --input 3 --kernel 3 --stride 2 "
        "--padding 1 -o up.gif",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _case_arguments(animate)
    out = animate.add_argument_group("output")
    out.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="a .gif or .mp4 file (default: a name made from the parameters, in the current folder)",
    )
    out.add_argument(
        "--values",
        nargs="?",
        const=_RANDOM,
        type=_numbers,
        metavar="NUMBERS",
        help="print values in the cells: small random integers, or the input's NUMBERS (commas between numbers, "
        "'/' between rows; a convolution's kernel is then all ones)",
    )
    out.add_argument(
        "--weights",
        type=_numbers,
        metavar="NUMBERS",
        help="the kernel's NUMBERS, as --values (a convolution with --values NUMBERS; default: all ones)",
    )
    out.add_argument("--seed", type=_seed, default=None, help="seed of the random values, >= 0 (implies --values)")
    out.add_argument("--fps", type=_fps, default=2, help="frames per second, 0.1 to 100 (default: 2)")
    out.add_argument("--title", default=None, help="a heading above the parameters")
    out.add_argument("--force", action="store_true", help="replace FILE if it exists")
    _style_arguments(out)

    gallery = commands.add_parser(
        "gallery",
        help="regenerate the whole gallery (GIFs and an index) into DIR",
        description="Regenerate every case of Dumoulin & Visin's guide with the guide's parameters, "
        "each with its transposed twin, the guide's max and average pooling with its numbers, "
        "plus cases the guide lacks (output_padding, asymmetric padding, dilation with strides, "
        "exact 2x upsampling) and 1-D cases drawn as one row; then write DIR/index.md and "
        "DIR/index.html listing every GIF with its parameters and the guide's relationship.",
        epilog="example:\n  python -m deconvlib gallery docs/gallery",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gallery.add_argument(
        "directory",
        type=Path,
        nargs="?",
        metavar="DIR",
        help="where to write the GIFs (created if missing; not needed with --list)",
    )
    gallery.add_argument(
        "--only", action="append", metavar="NAME", help="render only this case (repeatable); see --list"
    )
    gallery.add_argument("--list", action="store_true", help="list the cases and their parameters, render nothing")
    gallery.add_argument(
        "--jobs",
        type=_jobs,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes rendering in parallel (default: the number of CPUs)",
    )
    gallery.add_argument("--fps", type=_fps, default=2, help="frames per second, 0.1 to 100 (default: 2)")
    _style_arguments(gallery)
    gallery.add_argument(
        "--force",
        action="store_true",
        help=f"write into DIR even if it holds files deconvlib did not write, or changed after writing them "
        f"(an edited index.html; see {MANIFEST}): they are replaced",
    )

    explain = commands.add_parser(
        "explain",
        help="print the shape arithmetic of one case, step by step",
        description="Print the shape arithmetic of one case: the dilated kernel, the input with zeros "
        "inserted (transposed), the padded grid, the output size, and which relationship of "
        "Dumoulin & Visin's guide (1-15) gives it.",
        epilog="example:\n  python -m deconvlib explain --transposed --input 3 --kernel 3 --stride 2 "
        "--padding 1 --output-padding 1",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _case_arguments(explain)

    doctor = commands.add_parser(
        "doctor",
        help="diagnose a decoder given as a JSON layer list: shapes, checkerboard, U-Net round trips, fixes",
        description="Follow a stack of transposed convolutions, convolutions and pools (a JSON file: a list of "
        'layer objects, or {"layers": [...], "pairs": [[encoder, decoder], ...]}) and print, per layer, the '
        "input and output shapes, the three stages in numbers (inserted zeros, padding, crop), the overlap "
        "pattern per axis and the checkerboard risk; then the stack's overlap map, the U-Net round trips and, "
        "with --target, the padding and output_padding (or the crop) that give that size.",
        epilog="example:\n  python -m deconvlib doctor dcgan.json --input 1x100x1x1 --target 64x64\n"
        "with dcgan.json:\n"
        '  [{"kind": "conv_transpose", "kernel": 4, "stride": 1, "channels": 512},\n'
        '   {"kind": "conv_transpose", "kernel": 4, "stride": 2, "padding": 1, "channels": 256},\n'
        '   {"kind": "conv_transpose", "kernel": 4, "stride": 2, "padding": 1, "channels": 128},\n'
        '   {"kind": "conv_transpose", "kernel": 4, "stride": 2, "padding": 1, "channels": 64},\n'
        '   {"kind": "conv_transpose", "kernel": 4, "stride": 2, "padding": 1, "channels": 3}]\n'
        "layer fields: kind (conv, conv_transpose, pool), name, kernel, stride, padding (an int, one per axis, "
        "or [before, after] per axis), output_padding, dilation, groups, channels, mode (max, avg), "
        "ceil_mode, skip_from (the encoder layer whose input this layer's output joins).\n"
        "other kinds: upsample (scale or size, mode nearest/linear/bilinear/trilinear, align_corners), "
        "pad (padding, mode constant/reflect/replicate/circular, value), crop (crop); and at the head or tail "
        "only, for their shape: linear (features), flatten, reshape (shape without the batch axis).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    doctor.add_argument(
        "file",
        metavar="FILE",
        help="the layer list (JSON), a Keras model.to_json() file, or an .onnx file (needs onnx)",
    )
    doctor.add_argument(
        "--input", dest="input_shape", metavar="NxCxH[xW[xD]]", help="the input shape, PyTorch's layout: 1x100x1x1"
    )
    doctor.add_argument("--target", metavar="HxW", help="the spatial output size wanted: 64x64")
    doctor.add_argument("--json", action="store_true", help="print the report's data as JSON instead of the table")
    for command, run in (
        (animate, _run_animate),
        (gallery, _run_gallery),
        (explain, _run_explain),
        (doctor, _run_doctor),
    ):
        command.set_defaults(run=run, command_parser=command)
    return parser


class ProgressBar:
    """A plain-text progress bar on ``stream`` (stderr): redrawn in place on a terminal, one line per item otherwise.

    Parameters
    ----------
    total : int
        Frames to come.
    stream : file, optional
        Default ``sys.stderr``.
    width : int, default 30
        Characters of the bar.

    Examples
    --------
    >>> import io
    >>> bar = ProgressBar(4, stream=io.StringIO())
    >>> bar.advance(2, "a.gif")
    >>> bar.stream.getvalue()[:43]
    '[###############...............] 2/4 frames'
    """

    def __init__(self, total, stream=None, width=30):
        self.total, self.stream, self.width = total, stream or sys.stderr, width
        self.done, self.start = 0, time.perf_counter()
        try:
            self.live = self.stream.isatty()
        except (AttributeError, OSError, ValueError):  # no stderr (closed), or not a file
            self.live = False

    def advance(self, amount, label=""):
        """Count ``amount`` more frames; off a terminal, write a line only when there is a ``label``."""
        self.done += amount
        filled = round(self.width * self.done / self.total) if self.total else self.width
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} frames "
            f"{time.perf_counter() - self.start:5.1f}s {label}"
        )
        if self.live:
            self._write("\r" + line.ljust(100))
        elif label:
            self._write(line + "\n")

    def close(self):
        """End the line of a live bar."""
        if self.live:
            self._write("\n")

    def _write(self, text):
        """Write ``text``; a closed or full stream silences the bar, the work goes on (it is only a courtesy)."""
        if self.stream is None:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self.stream = None


#: Flags the user typed (set by :func:`main`): an empty output is the input's or the kernel's fault,
#: and the one to name is the one the user chose.
_GIVEN = set()


def _library_error(parser, error):
    """``parser.error`` for a ``ValueError`` of the library, naming the flag of the parameter it blames.

    An output left empty by a kernel larger than the (padded) input is blamed on
    ``--input`` by the library; when the user typed ``--kernel`` and not
    ``--input``, the kernel is what they changed, so ``--kernel`` is named.
    """
    flag = {**_FLAGS, **_ANIMATE_FLAGS}.get(getattr(error, "parameter", None))
    if flag == "--input" and "--kernel" in _GIVEN and "--input" not in _GIVEN:
        flag = "--kernel"
    prefix = f"argument {flag}: " if flag else ""
    parser.error(prefix + str(error))


def _viz(module):
    """Import ``deconvlib.viz.<module>``, or end with one line naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(f".viz.{module}", __package__)
    except ModuleNotFoundError as error:
        if error.name not in ("matplotlib", "PIL"):
            raise
        _fail(f"drawing needs matplotlib and Pillow ({error.name} is missing): pip install 'deconvlib[viz]'")


def _fail(message, status=1):
    """End with one line on stderr (a problem of the environment, not of the arguments), if there is a stderr."""
    try:
        sys.stderr.write(f"python -m deconvlib: {message}\n")
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):  # stderr closed or full: the status alone tells
        pass
    raise SystemExit(status) from None


class _StdoutLost(Exception):
    """The standard output is closed or full: what was printed is lost. ``main`` ends in one line, status 1."""

    def __init__(self, reason, done=""):
        super().__init__(reason)
        self.reason, self.done = reason, done


def _print(text, done="", safe=False):
    """Print ``text`` on stdout now; a closed or full stdout raises :class:`_StdoutLost`.

    ``done`` says what was done all the same (``"wrote a.gif"``), for the line
    that ``main`` then writes on stderr. ``safe``: a character that the output's
    encoding cannot show is written as an escape (``\\xe9``) instead of failing;
    for a report naming a file (its name is the user's), not for the text asked for.
    """
    if sys.stdout is None:
        raise _StdoutLost("it is closed", done)
    if safe:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        text = text.encode(encoding, "backslashreplace").decode(encoding)
    try:
        print(text, flush=True)
    except BrokenPipeError:
        raise
    except OSError as error:  # a full disk, /dev/full, an I/O error
        raise _StdoutLost(error.strerror or str(error), done) from None


def _writable_file(parser, path, force):
    """Check, before anything is drawn, that ``path`` can be written (and may be replaced)."""
    flag = "argument -o/--output"
    parent = path.parent
    try:
        if path.is_dir():
            parser.error(f"{flag}: {str(path)!r} is a directory; give a file name such as {str(path / 'out.gif')!r}")
        if not parent.exists():
            parser.error(f"{flag}: the folder {str(parent)!r} does not exist")
        if not parent.is_dir():
            parser.error(f"{flag}: {str(parent)!r} is not a folder")
        if not os.access(parent, os.W_OK | os.X_OK):
            parser.error(f"{flag}: cannot write in the folder {str(parent)!r} (read-only or permission denied)")
        if (path.exists() or path.is_symlink()) and not force:  # a dangling link too: it is the user's
            kind = "is a link" if path.is_symlink() else "exists"
            parser.error(f"{flag}: {str(path)!r} {kind}; add --force to replace it")
    except OSError as error:  # a name too long, a loop of links, ...
        parser.error(f"{flag}: cannot write {str(path)[:80]!r}: {error.strerror or error}")


def _frames(parser, case):
    """Refuse, before drawing, a case of more than :data:`MAX_FRAMES` frames, naming the flag to change."""
    from .geometry import blame_size
    from .trace import case_geometry

    geo = case_geometry(**_sizes(case))
    if geo is not None and geo.out_h * geo.out_w > MAX_FRAMES:
        parameter = blame_size(geo, case["transposed"])
        flag = _FLAGS["input_size" if parameter == "X" else parameter]
        parser.error(
            f"argument {flag}: the animation would have {geo.out_h * geo.out_w:,} frames "
            f"({geo.out_h}×{geo.out_w} output cells), more than {MAX_FRAMES}; draw a smaller case"
        )


def _run_animate(args, parser):
    animation = _viz("animation")
    case = _case(args)
    path = args.output or Path(_default_name(case))
    if not path.name.lower().endswith((".gif", ".mp4")):
        parser.error(f"argument -o/--output: must end in .gif or .mp4, got {str(path)!r}")
    if path.name.lower().endswith(".mp4") and not animation.ffmpeg_available():
        parser.error(f"argument -o/--output: writing {path.name} needs ffmpeg, which is not installed; write a .gif")
    _writable_file(parser, path, args.force)
    _pooling_alone(parser, args)
    if args.title is not None and not args.plain:
        _drawable_title(parser, args.title)
    try:
        _frames(parser, case)
        anim = animation.animate(
            **case,
            values=_values(parser, args),
            seed=args.seed,
            fps=args.fps,
            title=args.title,
            scale=args.scale,
            plain=args.plain,
        )
    except ValueError as error:
        _library_error(parser, error)
    bar = ProgressBar(anim.frame_count)
    try:
        with atomic_path(path) as tmp:
            animation.save(anim, tmp, progress=lambda i, n: bar.advance(1, path.name if i == n - 1 else ""))
    except OSError as error:
        bar.close()
        _fail(f"cannot write {str(path)!r}: {error.strerror or error}")
    bar.close()
    _print(f"wrote {path} ({anim.frame_count} frames, {path.stat().st_size // 1024} kB)", f"wrote {path}", safe=True)
    return 0


def _drawable_title(parser, title):
    """Refuse, naming ``--title``, a title with math (between ``$`` signs) that matplotlib cannot draw.

    matplotlib reads a text with an even number of ``$`` as mathtext, and its
    error spans four lines without naming the text's origin.
    """
    from matplotlib import cbook, mathtext

    if not cbook.is_math_text(title):
        return
    try:
        mathtext.MathTextParser("path").parse(title)
    except ValueError as error:
        reason = re.sub(r"^\w+: |,? *\(line:.*\)$", "", str(error).strip().splitlines()[-1])
        parser.error(f"argument --title: cannot draw the math in {title!r}: {reason} (write \\$ for a dollar sign)")


def _values(parser, args):
    """``animate``'s ``values``: None, ``"random"``, the input's numbers (pooling) or them and a kernel of ones."""
    if isinstance(args.values, tuple) and args.seed is not None:
        parser.error("argument --seed: not allowed with --values NUMBERS (the numbers are given)")
    if args.weights is not None and not isinstance(args.values, tuple):
        parser.error("argument --weights: needs --values NUMBERS (the input's numbers)")
    if args.values is None:
        return "random" if args.seed is not None else None
    if args.values is _RANDOM:
        return "random"
    numbers = _filling(parser, "--values", args.values, args.dims, args.input_size, "input (--input)")
    if args.pooling:
        if args.weights is not None:
            parser.error("argument --weights: not allowed with argument --pool (a pooling window has no weights)")
        return numbers
    if args.weights is None:
        return numbers, None  # None: a kernel of ones
    return numbers, _filling(parser, "--weights", args.weights, args.dims, args.kernel_size, "kernel (--kernel)")


def _filling(parser, flag, numbers, dims, size, what):
    """``numbers`` (rows, from ``--values`` or ``--weights``) checked to fill ``size``: one row in 1-D."""
    if dims == 1:
        if len(numbers) != 1:
            parser.error(f"argument {flag}: with --dims 1, one row of numbers, got {len(numbers)} rows")
        numbers = numbers[0]
        shape, given = (size,), (len(numbers),)
    else:
        shape, given = _pair(size), (len(numbers), len(numbers[0]))
    if shape != given and all(isinstance(n, int) for n in shape):  # a bad size is named by the library
        wanted, got = ("×".join(map(str, v)) for v in (shape, given))
        parser.error(f"argument {flag}: the numbers must fill the {wanted} {what}, got {got} numbers")
    return numbers


def _pair(size):
    return size if isinstance(size, tuple) else (size, size)


def _pooling_alone(parser, args):
    """Refuse, naming ``--pool``, what pooling has not: a transposed form."""
    if args.pooling and args.transposed:
        parser.error("argument --pool: not allowed with argument --transposed (pooling has no transposed form)")


def _default_name(case):
    def text(value):
        return "x".join(map(str, value)) if isinstance(value, tuple) else str(value)

    name = "transposed" if case["transposed"] else "conv"
    name = f"{case['pooling']}pool" if case["pooling"] else name
    name += "1d" if case["dims"] == 1 else ""
    name += f"_i{text(case['input_size'])}_k{text(case['kernel_size'])}_s{text(case['stride'])}"
    name += f"_p{text(case['padding'])}"
    if case["output_padding"] not in (0, (0, 0)):
        name += f"_a{text(case['output_padding'])}"
    if case["dilation"] not in (1, (1, 1)):
        name += f"_d{text(case['dilation'])}"
    return name + ".gif"


def _render_one(job):
    case, directory, fps, scale, plain = job
    path, frames, size = _viz("gallery").render(case, directory, fps=fps, scale=scale, plain=plain)
    return case.name, frames, size


def _worker_start():
    """In a gallery worker: Ctrl-C is the parent's to handle; SIGTERM (from the parent) exits cleanly."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


#: The index files the gallery writes beside its GIFs.
_INDEX = ("index.md", "index.html")


def _gallery_directory(parser, directory, cases, force):
    """Check DIR before drawing: a folder (or creatable), writable, and holding no file deconvlib did not write.

    Nor one it wrote and someone changed since (an edited ``index.html``): without
    ``--force`` it is refused, naming it (:func:`deconvlib._files.at_risk`).
    """
    flag = "argument DIR"
    if directory.exists() and not directory.is_dir():
        parser.error(f"{flag}: {str(directory)!r} is a file, not a folder")
    existing = directory
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        parser.error(f"{flag}: {str(existing)!r} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        parser.error(f"{flag}: cannot write in {str(existing)!r} (read-only or permission denied)")
    if existing != directory or force:
        return
    risk = at_risk(directory, [f"{case.name}.gif" for case in cases] + list(_INDEX))
    if risk:
        parser.error(f"{flag}: {risk}; choose another folder, or add --force to replace it")


def _render_all(args, cases, bar):
    """Render ``cases`` into DIR (in ``--jobs`` processes); record each GIF in the manifest when complete."""
    render = _viz("gallery").render
    sizes = []

    def done(name, frames, size):
        record(args.directory, files=[f"{name}.gif"], cases=[name])
        bar.advance(frames, name)
        sizes.append(size)

    if args.jobs == 1 or len(cases) == 1:
        for case in cases:
            path, frames, size = render(
                case,
                args.directory,
                args.fps,
                progress=lambda i, n, name=case.name: bar.advance(1, "") if i < n - 1 else None,
                scale=args.scale,
                plain=args.plain,
            )
            done(case.name, 1, size)
        return sizes
    import multiprocessing

    # Largest first, so the last process to finish does not start late on a long case.
    jobs = [
        (case, args.directory, args.fps, args.scale, args.plain) for case in sorted(cases, key=lambda c: -c.n_frames)
    ]
    context = multiprocessing.get_context("spawn")  # no fork of a process that may hold threads
    pool = context.Pool(min(args.jobs, len(cases)), initializer=_worker_start)
    try:
        for name, frames, size in pool.imap_unordered(_render_one, jobs):
            done(name, frames, size)
        pool.close()
    except BaseException:  # Ctrl-C or a worker's error: stop every worker now, leave no partial file
        pool.terminate()
        raise
    finally:
        pool.join()
        for leftover in partial_files(args.directory, [f"{case.name}.gif" for case in cases]):
            leftover.unlink(missing_ok=True)
    return sizes


def _run_gallery(args, parser):
    from .cases import GALLERY, find_case
    from .explain import command

    try:
        cases = [find_case(name, GALLERY) for name in dict.fromkeys(args.only)] if args.only else list(GALLERY)
    except ValueError as error:
        parser.error(f"argument --only: {error}")
    if args.list:  # nothing is drawn: no DIR, no matplotlib needed
        _print("\n".join(f"{case.name:40s} {command(case)}" for case in cases))
        return 0
    if args.directory is None:
        parser.error("the following arguments are required: DIR")
    write_index = _viz("gallery").write_index
    try:
        _gallery_directory(parser, args.directory, cases, args.force)
    except OSError as error:  # a name too long, a loop of links, ...
        parser.error(f"argument DIR: cannot write {str(args.directory)[:80]!r}: {error.strerror or error}")
    try:
        args.directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        _fail(f"cannot create {str(args.directory)!r}: {error.strerror or error}")
    bar = ProgressBar(sum(c.n_frames for c in cases))
    start = time.perf_counter()
    try:
        sizes = _render_all(args, cases, bar)
        bar.close()
        # --only into an existing gallery: the index still lists every case drawn there
        drawn = set((read_manifest(args.directory) or {"cases": []})["cases"]) | {c.name for c in cases}
        listed = [c for c in GALLERY if c.name in drawn and (args.directory / f"{c.name}.gif").exists()]
        listed += [c for c in cases if c not in listed]
        risk = None if args.force else at_risk(args.directory, _INDEX)
        if risk:  # edited while the GIFs were drawn
            _fail(f"{risk}; the GIFs were written, the index was not (add --force to replace it)")
        index = write_index(args.directory, listed)
        record(args.directory, files=[p.name for p in index])
    except OSError as error:
        bar.close()
        _fail(f"cannot write into {str(args.directory)!r}: {error.strerror or error}")
    _print(
        f"wrote {len(cases)} GIFs ({sum(sizes) / 1e6:.1f} MB) and {index[0].name}, {index[1].name} "
        f"to {args.directory} in {time.perf_counter() - start:.1f} s",
        f"wrote the gallery to {args.directory}",
        safe=True,
    )
    return 0


def _run_explain(args, parser):
    from .explain import explain

    _pooling_alone(parser, args)
    try:
        text = explain(**_case(args))
    except ValueError as error:
        _library_error(parser, error)
    _print(text)
    return 0


def _run_doctor(args, parser):
    import json

    from .doctor import doctor, load_layers

    try:
        layers, options = (args.file, {}) if args.file.endswith(".onnx") else load_layers(args.file)
    except OSError as error:
        _fail(f"argument FILE: cannot read {args.file}: {error.strerror or error}", status=2)
    except ValueError as error:
        _fail(f"argument FILE: {error}", status=2)
    input_shape = args.input_shape or options.get("input")  # a Keras or ONNX model may give its own
    target = args.target or options.get("target")
    try:
        report = doctor(layers, input_shape, target=target, pairs=options.get("pairs"))
    except (ValueError, TypeError) as error:  # one line, naming the layer and the field (or the flag), status 2
        flag = {"input_shape": "--input", "target": "--target"}.get(getattr(error, "parameter", None))
        if flag == "--input" and input_shape is None:
            error = 'the input shape is needed (or an "input" in the file), e.g. 1x100x1x1'
        _fail((f"argument {flag}: " if flag else f"{args.file}: ") + " ".join(str(error).split()), status=2)
    if args.json:
        _print(json.dumps(report.data, default=list))
    else:
        _print(str(report))
    return 0


def main(argv=None):
    """Run the command line; return the exit status (argument errors exit 2 via argparse).

    Parameters
    ----------
    argv : list of str, optional
        Default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success. A bad argument, or a :class:`~deconvlib.ParameterError`
        from the library, exits with status 2 and one line on stderr naming
        the flag (``SystemExit``); a missing drawing extra, a failed write, a
        closed pipe, a closed or full standard output or an output encoding
        that cannot show the text exit with 1, Ctrl-C with 130, each with one
        line and no traceback.

    See Also
    --------
    deconvlib.explain.explain : What ``explain`` prints.

    References
    ----------
    Dumoulin & Visin (2016), "A guide to convolution arithmetic for deep
    learning", arXiv:1603.07285: ``gallery`` draws its figures' cases.

    Examples
    --------
    >>> main(["explain", "--transposed", "--input", "3", "--kernel", "3", "--stride", "2"])  # doctest: +ELLIPSIS
    Transposed convolution, rows and columns alike: i′ = 3, k = 3, s = 2, p = 0, output_padding a = 0, d = 1
    ...
    Output: 7×7
    ...
    0
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    _hold_closed_descriptors()
    try:
        parser = build_parser()
        argv = _glue_negative_values(argv, _value_options(parser))
        args = parser.parse_args(argv)
        _GIVEN.clear()
        _GIVEN.update(arg.split("=")[0] for arg in argv if arg.startswith("--"))
        status = args.run(args, args.command_parser)
        _flush()
        return status
    except _StdoutLost as lost:
        _quiet_stdout()
        _fail(f"cannot print on the standard output ({lost.reason})" + (f"; {lost.done}" if lost.done else ""))
    except KeyboardInterrupt:
        _fail("interrupted; no partial file was left", 130)
    except BrokenPipeError:
        _quiet_stdout()
        _fail("the output was closed before the end (broken pipe)")
    except UnicodeEncodeError as error:
        _quiet_stdout()
        _fail(
            f"the output's encoding ({error.encoding}) cannot show {error.object[error.start : error.end]!r}; "
            "set PYTHONIOENCODING=utf-8"
        )


def _flush():
    """Flush stdout; a full one raises :class:`_StdoutLost` (a closed one, None, has nothing to flush)."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _StdoutLost(error.strerror or str(error)) from None


def _hold_closed_descriptors():
    """Open the null device on a closed stdin, stdout or stderr (file descriptors 0 to 2).

    Else the next file opened takes the closed one's number: with stdout
    closed (``>&-``), a GIF being written would be descriptor 1, and whatever a
    library or a gallery worker writes on its stdout would land in the GIF.
    ``sys.stdout`` stays None, so that :func:`_print` still says it is closed.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)


def _value_options(parser):
    """Every option of ``parser`` and of its subcommands that takes a value (``--values``, ``-o``, ...)."""
    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                found |= _value_options(command)
        elif action.option_strings and action.nargs != 0:
            found.update(action.option_strings)
    return found


def _glue_negative_values(argv, options):
    """``--values -1,2/3,4`` → ``--values=-1,2/3,4`` (``-o -1.gif`` → ``-o-1.gif``).

    argparse reads a word that starts with ``-`` as a flag unless it is a
    single number, so the value ``-1,2/3,4`` was taken for an unknown flag. No
    flag of deconvlib starts with ``-`` and a digit, so such a word after an
    option that takes a value is that value.
    """
    glued, i = [], 0
    while i < len(argv):
        word, value = argv[i], argv[i + 1] if i + 1 < len(argv) else ""
        if word == "--":
            return glued + argv[i:]
        if word in options and re.match(r"-\.?\d", value):
            glued.append(f"{word}={value}" if word.startswith("--") else word + value)
            i += 2
        else:
            glued.append(word)
            i += 1
    return glued


def _quiet_stdout():
    """Point stdout at /dev/null, so that nothing more is written to a closed pipe at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (a test's capture)
        pass
