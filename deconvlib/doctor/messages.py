"""The frameworks' error messages about transposed-convolution shapes, and what they mean.

A table of patterns: each row is one message of PyTorch, Keras/TensorFlow,
JAX or ONNX Runtime (as those libraries word it), a regular expression that
reads its numbers, and a function that says, with those numbers (and the
layer's, when the user gives it), what went wrong and what fixes it. The
fixes come from the library's arithmetic, never from a guess.

>>> print(explain_error("output padding must be smaller than either stride or dilation, but got "
...     "output_padding_height: 1 output_padding_width: 1 stride_height: 1 stride_width: 1 "
...     "dilation_height: 1 dilation_width: 1").meaning)  # doctest: +ELLIPSIS
output_padding picks one of the `stride` output sizes ...
"""

import re
from dataclasses import dataclass, replace

from .._validate import as_int
from ..arithmetic import effective_kernel, transpose_padding_for
from ..errors import ParameterError

__all__ = ["Explanation", "MESSAGES", "explain_error"]


@dataclass(frozen=True)
class Explanation:
    """What a framework's message means and how to fix it.

    Attributes
    ----------
    framework : str
    key : str
        The row of :data:`MESSAGES` that matched.
    meaning, fix : str
    numbers : dict
        What the pattern read from the message.
    """

    framework: str
    key: str
    meaning: str
    fix: str
    numbers: dict

    def __str__(self):
        return f"{self.framework}: {self.meaning}\nFix: {self.fix}"


def _ints(text):
    return [int(v) for v in re.findall(r"-?\d+", text)]


def _output_padding(numbers, layer, size):
    """PyTorch's and Keras's output_padding ≥ stride: the size meant, and the padding that gives it."""
    ops, strides = numbers["output_padding"], numbers["stride"]
    dilations = numbers.get("dilation") or [1] * len(strides)
    meaning = (
        "output_padding picks one of the `stride` output sizes that a forward convolution would map back to the "
        "same input size, so it must be smaller than the stride (or the dilation): here output_padding "
        f"{ops} with stride {strides} and dilation {dilations}."
    )
    if layer is not None and size is not None:
        fixes = [_output_padding_axis(layer, axis, i) for axis, i in enumerate(size)]
        return meaning, "; ".join(fixes) + "."
    return meaning, (
        "keep output_padding below the stride; to grow the output by more, lower `padding` (each step of "
        "padding removes one cell at each end) or raise the stride."
    )


def _output_padding_axis(layer, axis, i):
    """One axis of the fix: never an output_padding ≥ max(stride, dilation), counted or proposed."""
    k, s, d = layer.kernel[axis], layer.stride[axis], layer.dilation[axis]
    (b, a), op, top = layer.padding[axis], layer.output_padding[axis], max(s, d)
    full = s * (i - 1) + effective_kernel(k, d)
    meant = full - b - a + op  # what the output_padding asked for
    try:
        p, fixed = transpose_padding_for(i, k, meant, s, d)
        found = f"padding={p}, output_padding={fixed} gives {meant}"
    except ParameterError:
        if meant > full:
            found = (
                f"{meant} is more than the full result {full} (stride·(input − 1) + dilated kernel): no padding "
                "gives it; use a larger kernel or stride, or pad the output"
            )
        else:
            crop = full - meant
            found = (
                f"no symmetric padding gives {meant}; crop the full result {full} by ({crop // 2}, {crop - crop // 2}) "
                "(before, after) explicitly"
            )
    if op < top:
        return f"axis {axis}: {found.replace(f'gives {meant}', f'gives the {meant} you meant')}"
    allowed = top - 1
    return (
        f"axis {axis}: output_padding must be below max(stride, dilation) = {top}, so at most {allowed}: "
        f"output_padding={allowed} gives {full - b - a + allowed}; for the {meant} that output_padding {op} asked "
        f"for, {found}"
    )


def _concat(numbers, layer, size):
    expected, got = numbers["expected"], numbers["got"]
    meaning = (
        f"a skip connection joins an encoder map of size {expected} with a decoder map of size {got}: the "
        "decoder did not bring the size back. With an odd size, a stride-2 encoder (floor division) loses a "
        f"cell that a stride-2 transposed layer cannot return: {expected} → {expected // 2} → {2 * (expected // 2)}."
    )
    fix = (
        "pool with ceil_mode=True and crop the decoder's output to the skip's size, or give the transposed "
        "layer output_padding=1 where the size was odd (output_size= in PyTorch's forward does it per call), or "
        "feed input sizes that round-trip (a multiple of 2 to the number of poolings); "
        "`deconvlib.doctor(..., pairs=[(encoder, decoder)])` lists them."
    )
    return meaning, fix


def _output_size_range(numbers, layer, size):
    wanted, low, high = numbers["requested"], numbers["low"], numbers["high"]
    meaning = (
        f"output_size asks for {wanted}, but this layer can only give {low} to {high}: output_size only picks "
        "the output_padding (0 to stride − 1), it cannot change the padding or the stride."
    )
    if layer is not None and size is not None:
        fixes = []
        for axis, (i, t) in enumerate(zip(size, wanted)):
            k, s, d = layer.kernel[axis], layer.stride[axis], layer.dilation[axis]
            try:
                p, op = transpose_padding_for(i, k, t, s, d)
                fixes.append(f"axis {axis}: padding={p}, output_padding={op}")
            except ParameterError as error:
                fixes.append(f"axis {axis}: {error}")
        return meaning, "; ".join(fixes) + "."
    return meaning, "change the layer's padding (or stride); `deconvlib.transpose_padding_for(i, k, target, stride)`."


def _too_small(numbers, layer, size):
    meaning = (
        f"the layer's output would be {numbers['output']} for an input of {numbers['input']}: the kernel (dilated) "
        "does not fit the padded input, or a transposed layer's padding crops more than it makes."
    )
    return meaning, "lower the padding, the kernel or the dilation, or give the layer a larger input."


def _channels(numbers, layer, size):
    meaning = (
        f"the layer's weight {numbers['weight']} expects {numbers['expected']} input channels and got "
        f"{numbers['got']}. A transposed layer's weight is (c_in, c_out / groups, k, …), the reverse of a "
        "forward convolution's; after a skip connection, the channels add up."
    )
    return meaning, f"set the layer's in_channels to {numbers['got']} (or fix the layer before it)."


def _tf_backprop(numbers, layer, size):
    n = numbers
    full = n["stride"] * (n["actual"] - 1) + effective_kernel(n["filter"], n["dilation"])
    meaning = (
        f"tf.nn.conv2d_transpose was given output_shape {n['output']} on axis {n['spatial_dim']}, but the forward "
        f"convolution of that size gives {n['computed']}, not the input's {n['actual']}."
    )
    fix = (
        f"with padding='SAME' the output must be in ({n['stride']}·({n['actual']}−1), {n['stride']}·{n['actual']}]; "
        f"with 'VALID', in [{full - n['stride'] + 1}, {full}] (up to the stride's choice); pick output_shape "
        f"{n['stride'] * n['actual']} for 'SAME'."
    )
    return meaning, fix


def _keras_concat(numbers, layer, size):
    return _concat_shapes(numbers, "Concatenate", "crop (Cropping2D) or pad (ZeroPadding2D)")


def _concat_shapes(numbers, what, crop_or_pad):
    shapes = numbers["shapes"]
    sizes = [_ints(shape.replace("None", "-1")) for shape in shapes]
    differ = [
        f"axis {axis}: {' and '.join(str(v) for v in values)}"
        for axis, values in enumerate(zip(*sizes))
        if len(set(values)) > 1
    ]
    meaning = (
        f"{what} joins maps of shapes {', '.join(shapes)}: they differ in a spatial axis ({'; '.join(differ)}), so "
        "the decoder did not bring the encoder's size back (an odd size halved and doubled loses a cell)."
    )
    fix = (
        f"{crop_or_pad} the decoder's output to the skip's shape, or choose input sizes that round-trip; with "
        "padding='same' a stride-s transposed layer gives exactly s·i."
    )
    return meaning, fix


def _jax_concat(numbers, layer, size):
    return _concat_shapes(numbers, "jnp.concatenate", "crop (slice it, x[:, :h, :w]) or pad (jnp.pad)")


def _ort_concat(numbers, layer, size):
    # ONNX Runtime (concatbase.h) words it "mismatched dimensions of <input i's> and <the first input's>"
    meaning = (
        f"ONNX Runtime's Concat found size {numbers['a']} on axis {numbers['axis']} where its first input has "
        f"{numbers['b']}: a skip connection whose decoder side did not come back to the encoder's size."
    )
    return meaning, _concat({"expected": numbers["b"], "got": numbers["a"]}, layer, size)[1]


def _ort_shape_merge(numbers, layer, size):
    meaning = (
        f"the graph declares size {numbers['declared']} on axis {numbers['dim']} where the operators' arithmetic "
        f"(ONNX shape inference, run when the session loads) gives {numbers['inferred']}: at a Concat, a skip "
        "connection whose decoder side did not come back to the encoder's size."
    )
    return meaning, _concat({"expected": numbers["declared"], "got": numbers["inferred"]}, layer, size)[1]


def _keras_output_padding(numbers, layer, size):
    return _output_padding(numbers, layer, size)


def _pool_padding(numbers, layer, size):
    meaning = (
        f"a pooling window of {numbers['kernel']} may be padded by at most half of it ({numbers['kernel'] // 2}), "
        f"got {numbers['pad']}: more would let a window see only padding."
    )
    return meaning, f"set padding ≤ {numbers['kernel'] // 2}, or use ceil_mode=True to keep the last cells."


def _onednn(numbers, layer, size):
    meaning = (
        "TensorFlow's oneDNN CPU kernel for a transposed convolution (the gradient of a convolution with respect to "
        "its input) refused this layer's configuration, although Keras computed its shape: the arithmetic is not "
        "at fault, the kernel is."
    )
    fix = (
        "set TF_ENABLE_ONEDNN_OPTS=0 before importing TensorFlow to use its own kernel (which takes a dilation of 1 "
        "only), or change the kernel or stride (a kernel smaller than the stride is the usual case)."
    )
    return meaning, fix


def _x(values):
    return "×".join(str(v) for v in values)


def _transposed_sizes(layer, size):
    """This layer's padding in numbers (its "same" rule resolved), per axis ``(s, k̂, (b, a), op, i)``."""
    from .stack import resolved

    spec = resolved(layer, size)
    return [
        (spec.stride[axis], effective_kernel(spec.kernel[axis], spec.dilation[axis]), spec.padding[axis],
         spec.output_padding[axis], i)
        for axis, i in enumerate(size)
    ]  # fmt: skip


def _jax_choices(layer, size):
    """What 'SAME', 'VALID' and this layer's own padding give in lax.conv_transpose (and Flax's ConvTranspose)."""
    axes = _transposed_sizes(layer, size)
    pads = tuple((kk - 1 - b, kk - 1 - a + op) for s, kk, (b, a), op, i in axes)
    own = [s * (i - 1) + kk - b - a + op for s, kk, (b, a), op, i in axes]
    same = [s * i for s, kk, _, _, i in axes]
    valid = [s * (i - 1) + max(kk, s) for s, kk, _, _, i in axes]
    gives = f"which gives {_x(own)}"
    if min(own) < 1:
        fulls = [s * (i - 1) + kk + op for s, kk, _, op, i in axes]
        gives = f"which would give {_x(own)}, nothing: its padding crops more than the full result {_x(fulls)}"
    return (
        f"padding='SAME' gives {_x(same)}, 'VALID' gives {_x(valid)}; this layer (PyTorch's padding "
        f"{[list(p) for _, _, p, _, _ in axes]}, output_padding {[op for _, _, _, op, _ in axes]}) is "
        f"padding={pads} in JAX's terms (dilated kernel − 1 − PyTorch's padding at each end, the output_padding "
        f"added at the end), {gives}"
    )


def _jax_string_padding(numbers, layer, size):
    meaning = (
        "lax.conv_transpose (and Flax's ConvTranspose, which calls it) takes padding 'SAME' or 'VALID', in "
        "capitals, or one explicit (low, high) pair per spatial axis; another string ('same', 'FULL') is passed on "
        "to conv_general_dilated, which has no string padding for an input dilated by the stride."
    )
    if layer is not None and size is not None:
        return meaning, _jax_choices(layer, size) + "."
    return meaning, "write 'SAME' (output stride·input) or 'VALID', or give explicit (low, high) pairs."


def _jax_negative_padding(numbers, layer, size):
    pads, sizes = numbers["padding"], numbers["sizes"]
    bad = [
        f"axis {axis}: ({lo}, {hi}) crop {-(lo + hi)} of {n} cells"
        for axis, ((lo, hi), n) in enumerate(zip(pads, sizes))
        if lo + hi < -n
    ]
    meaning = (
        "lax.conv_transpose's explicit padding pads the input after the stride's zeros are inserted (size "
        f"stride·(input − 1) + 1: here {_x(sizes)}); a negative pad crops it, and these crop more than there is "
        f"({'; '.join(bad)}). JAX's pad is the dilated kernel − 1 − PyTorch's padding: a PyTorch padding passed as "
        "it is, or negated, crops far too much."
    )
    if layer is not None and size is not None:
        return meaning, _jax_choices(layer, size) + "."
    return meaning, "pass dilated kernel − 1 − p for PyTorch's padding p (at each end), or 'SAME' / 'VALID'."


def _jax_pads_count(numbers, layer, size):
    meaning = (
        f"explicit padding needs one (low, high) pair per spatial axis: {numbers['expected']} here, and "
        f"{numbers['got']} {'was' if numbers['got'] == 1 else 'were'} given."
    )
    if layer is not None and size is not None:
        return meaning, _jax_choices(layer, size) + "."
    return meaning, "repeat the pair for every spatial axis, or give an int (Flax) for the same padding everywhere."


def _flax_padding_format(numbers, layer, size):
    got = len(re.findall(r"\([^()]*\)", numbers["padding"])) or len(_ints(numbers["padding"]))
    return _jax_pads_count(dict(numbers, got=got), layer, size)


def _jax_dilations(numbers, layer, size):
    values = numbers["dilations"]
    meaning = (
        "lax.conv_transpose makes its stride an input dilation (stride − 1 zeros inserted between input cells, "
        "lhs_dilation); the kernel's dilation (rhs_dilation) is the other one. Both must be ≥ 1 on every axis: "
        f"got {tuple(values)} ({', '.join(f'axis {a}: {v}' for a, v in enumerate(values) if v < 1)})."
    )
    fix = (
        "strides ≥ 1 on every axis (1 leaves the size alone); to shrink a map use a forward convolution with a "
        "stride, not a transposed one."
    )
    if layer is not None:
        fix = f"strides={tuple(layer.stride)}, kernel dilation {tuple(layer.dilation)}: " + fix
    return meaning, fix


def _jax_window_count(numbers, layer, size):
    what = "strides" if numbers["which"] == "base" else "rhs_dilation (the kernel's dilation)"
    meaning = (
        f"{what} has {numbers['got']} entries for a kernel of {numbers['dims']} spatial axes: JAX wants one per "
        "axis (in Flax, kernel_size=3 is a 1-D kernel: write (3, 3) for 2-D)."
    )
    if layer is not None:
        dilation = f", rhs_dilation={tuple(layer.dilation)}" if numbers["which"] == "window" else ""
        return meaning, f"kernel_size={tuple(layer.kernel)}, strides={tuple(layer.stride)}{dilation}: one per axis."
    return meaning, f"give {what} and the kernel size the same number of entries as the input has spatial axes."


def _jax_channels(numbers, layer, size):
    c, g, k = numbers["c_in"], numbers["groups"], numbers["kernel_in"]
    meaning = (
        f"the input has {c} channels ({g} group{'s' if g > 1 else ''}), and the kernel's input-feature axis holds "
        f"{k}. lax.conv_transpose reads the kernel as its dimension_numbers say ('HWIO': (…, in, out)); with "
        "transpose_kernel=True it is a forward convolution's kernel, whose O axis is this layer's input: "
        "(…, out, in). PyTorch's ConvTranspose weight is (in, out, …)."
    )
    out = layer.channels if layer is not None and layer.channels is not None else "out"
    fix = (
        f"give the kernel {c // g} input features: (…, {c // g}, {out}), or (…, {out}, {c // g}) with "
        "transpose_kernel=True; after a skip connection's concatenate the channels add up."
    )
    return meaning, fix


def _flax_param_shape(numbers, layer, size):
    expected, got = _ints(numbers["expected"]), _ints(numbers["got"])
    meaning = (
        f"the module's {numbers['param']!r} was made (by init) for another input: it has shape {tuple(got)}, and "
        f"this input needs {tuple(expected)}"
        + (f": {got[-2]} input channels then, {expected[-2]} now." if len(got) == len(expected) >= 2 else ".")
    )
    fix = (
        "init the module with an input of the shape it is applied to, or bring the input back to the channels it "
        "was made for (a skip connection's concatenate adds the channels of both sides)."
    )
    return meaning, fix


def _ort_output_padding(numbers, layer, size):
    meaning = (
        f"output_padding {numbers['op']} on spatial axis {numbers['axis']} is not below max(stride, dilation) = "
        f"{numbers['top']}. output_padding picks one of the `stride` output sizes that a forward convolution maps "
        "back to the same input size, so it must be smaller than the stride (or the dilation)."
    )
    if layer is not None and size is not None:
        return meaning, "; ".join(_output_padding_axis(layer, axis, i) for axis, i in enumerate(size)) + "."
    return meaning, "keep output_padding below the stride; to grow the output by more, lower the pads."


def _ort_output_size(numbers, layer, size):
    meaning = (
        f"the output would be zero or negative on spatial axis {numbers['dim']} for an input of "
        f"{_x(_ints(numbers['input']))}: the pads crop more than the full result stride·(input − 1) + dilated kernel."
    )
    if layer is not None and size is not None:
        axes = _transposed_sizes(layer, size)
        s, kk, (b, a), op, i = axes[numbers["dim"]]
        full = s * (i - 1) + kk
        return meaning, (
            f"axis {numbers['dim']}: the full result is {full}, and pads ({b}, {a}) leave {full - b - a + op}; keep "
            f"begin + end ≤ {full + op - 1}."
        )
    return meaning, "lower the pads, or give the layer a larger input, kernel or stride."


def _ort_channels(numbers, layer, size):
    w, c = numbers["weight_in"], numbers["got"]
    meaning = (
        f"ConvTranspose's weight W is (C_in, C_out / group, k, …), the reverse of Conv's: its first axis holds {w} "
        f"input channels, and the input has {c}."
    )
    out = layer.channels if layer is not None and layer.channels is not None else "C_out"
    return (
        meaning,
        f"a weight of ({c}, {out}, …), or an input of {w} channels (check the node before, or a skip's Concat).",
    )


def _ort_output_shape(numbers, layer, size):
    n = numbers
    kk = effective_kernel(n["kernel"], n["dilation"])
    full = n["stride"] * (n["got"] - 1) + kk + n["op"]
    meaning = (
        f"output_shape {n['output']} is more than the full result of this input, stride·(input − 1) + dilated "
        f"kernel + output_padding = {n['stride']}·({n['got']} − 1) + {kk} + {n['op']} = {full}: the padding would be "
        f"negative. ONNX's specification allows it; ONNX Runtime refuses it (an input of {n['expected']} would give "
        "it)."
    )
    try:
        p, op = transpose_padding_for(n["got"], n["kernel"], n["output"], n["stride"], n["dilation"])
        fix = f"pads [{p}, {p}] (begin, end), output_padding {op} give {n['output']}"
    except ParameterError:
        stride = next(s for s in range(n["stride"] + 1, n["output"] + 2) if s * (n["got"] - 1) + kk >= n["output"])
        fix = f"output_shape at most {full}, or stride {stride} (then the pads crop the rest)"
    return meaning, fix + "."


def _ort_attribute_size(numbers, layer, size):
    meaning = (
        f"{numbers['attribute']} has the wrong number of entries: ONNX wants one per spatial axis (strides, "
        "dilations, kernel_shape, output_padding, output_shape) and twice that for pads, all the begins then all the "
        "ends: [x1_begin, x2_begin, …, x1_end, x2_end]."
    )
    if layer is not None and size is not None:
        axes = _transposed_sizes(layer, size) if layer.kind == "conv_transpose" else None
        pads = [p for p in layer.padding] if axes is None else [p for _, _, p, _, _ in axes]
        return meaning, (
            f"this layer: kernel_shape={list(layer.kernel)}, strides={list(layer.stride)}, "
            f"pads={[b for b, _ in pads] + [a for _, a in pads]}."
        )
    return meaning, "give each attribute one entry per spatial axis, pads two."


def _ort_positive(numbers, layer, size):
    meaning = f"every entry of {numbers['attribute']} must be ≥ 1 (a stride of 1 leaves the size alone)."
    return meaning, "to shrink a map use a Conv or a pool with a stride, not a ConvTranspose."


def _ort_kernel_shape(numbers, layer, size):
    kernel, weight = _ints(numbers["kernel"]), _ints(numbers["weight"])
    meaning = f"kernel_shape {kernel} does not match the weight's spatial axes {weight[2:]} (W is {tuple(weight)})."
    return meaning, f"leave kernel_shape out (ONNX reads it from W) or set kernel_shape={weight[2:]}."


def _ort_group(numbers, layer, size):
    c, g = numbers["c"], numbers["group"]
    divisors = [d for d in range(1, c + 1) if c % d == 0]
    meaning = f"group {g} splits {c} input channels into groups that are not whole: C must be a multiple of group."
    return meaning, f"group one of {divisors} for {c} channels, or an input with a multiple of {g} channels."


def _ort_same_dilation(numbers, layer, size):
    meaning = (
        "ONNX Runtime's CPU Conv does not compute auto_pad SAME_UPPER/SAME_LOWER with a dilation above 1 (ONNX's "
        "specification allows it): the padding must be written out."
    )
    if layer is not None and size is not None:
        from .stack import resolved

        spec = resolved(layer, size)
        pads = [b for b, _ in spec.padding] + [a for _, a in spec.padding]
        return meaning, f"auto_pad NOTSET and pads={pads} (begin…, end…), which 'same' means for this layer."
    return meaning, "write pads out: (⌈i / s⌉ − 1)·s + dilation·(k − 1) + 1 − i in all, the odd cell at the end."


def _ort_too_small(numbers, layer, size):
    shape = _x(_ints(numbers["input"])) if numbers.get("input") else "the input"
    meaning = f"{shape} is smaller than the dilated kernel (with the pads): the output would be empty or negative."
    if layer is not None:
        kernels = [effective_kernel(k, d) for k, d in zip(layer.kernel, layer.dilation)]
        return meaning, f"the dilated kernel is {_x(kernels)}: pad the input to at least that, or use a smaller kernel."
    return meaning, "lower the kernel or the dilation, pad more, or give the node a larger input."


def _ort_negative_pool_padding(numbers, layer, size):
    meaning = (
        "auto_pad SAME asks for (⌈input / stride⌉ − 1)·stride + window − input of padding in all, which is negative "
        "when the window is smaller than the stride and the last window ends past the input: ONNX Runtime refuses "
        "a negative pad, although the output size, ⌈input / stride⌉, is well defined."
    )
    if layer is not None and size is not None:
        totals = []
        for axis, i in enumerate(size):
            s, kk = layer.stride[axis], effective_kernel(layer.kernel[axis], layer.dilation[axis])
            totals.append((-(-i // s) - 1) * s + kk - i)
        pads = [max(t, 0) // 2 for t in totals] + [max(t, 0) - max(t, 0) // 2 for t in totals]
        outs = [-(-i // s) for i, s in zip(size, layer.stride)]
        return meaning, (
            f"SAME would pad {totals} in all; write auto_pad NOTSET and pads={pads}, which give {_x(outs)}."
        )
    return meaning, "write the pads out (0 where SAME's would be negative), or use a window at least the stride."


def _read_op_torch(m):
    values = _ints(m.group(0).split("but got", 1)[1])
    dims = len(values) // 3
    return dict(output_padding=values[:dims], stride=values[dims : 2 * dims], dilation=values[2 * dims :])


def _read_op_keras(m):
    if m.group("op13231") is not None:
        return dict(output_padding=_ints(m.group("op13231")), stride=_ints(m.group("s13231")))
    return dict(output_padding=_ints(m.group("op")), stride=_ints(m.group("s")))


#: ``(framework, key, pattern, reader, explain)``: the reader turns a match into numbers.
MESSAGES = (
    (
        "PyTorch",
        "output_padding",
        r"output padding must be smaller than either stride or dilation, but got .*",
        _read_op_torch,
        _output_padding,
    ),
    (
        "PyTorch",
        "cat",
        r"Sizes of tensors must match except in dimension (?P<dim>\d+)\. Expected size (?P<expected>\d+) "
        r"but got size (?P<got>\d+)",
        lambda m: {k: int(v) for k, v in m.groupdict().items()},
        _concat,
    ),
    (
        "PyTorch",
        "output_size",
        r"requested an output size of (?P<requested>.*?), but valid sizes range from (?P<low>.*?) to (?P<high>.*?) "
        r"\(for an input of",
        lambda m: {k: _ints(v) for k, v in m.groupdict().items()},
        _output_size_range,
    ),
    (
        "PyTorch",
        "too_small",
        r"Given input size(?: per channel)?: \((?P<input>[^)]*)\)\. Calculated output size(?: per channel)?: "
        r"\((?P<output>[^)]*)\)\. Output size is too small",
        lambda m: dict(m.groupdict()),
        _too_small,
    ),
    (
        "PyTorch",
        "kernel_too_large",
        r"Calculated padded input size per channel: \((?P<input>[^)]*)\)\. Kernel size: \((?P<output>[^)]*)\)\. "
        r"Kernel size can't be greater than actual input size",
        lambda m: dict(m.groupdict()),
        _too_small,
    ),
    (
        "PyTorch",
        "pool_too_small",
        r"(?:input image \((?P<input>T: \d+ H: \d+ W: \d+)\) smaller than kernel size \((?P<output>[^)]*)\))"
        r"|(?:max_pool1d\(\) Invalid computed output size: (?P<size>-?\d+))",
        lambda m: dict(
            input=m.group("input") or "the input",
            output=m.group("output") and f"empty (window {m.group('output')})" or m.group("size"),
        ),
        _too_small,
    ),
    (
        "PyTorch",
        "channels",
        r"weight of size (?P<weight>\[[^\]]*\]), expected input\[[^\]]*\] to have (?P<expected>\d+) channels, "
        r"but got (?P<got>\d+) channels",
        lambda m: m.groupdict(),
        _channels,
    ),
    (
        "PyTorch",
        "pool_padding",
        r"pad should be (?:at most|smaller than or equal to) half of (?:effective )?kernel size, but got "
        r"pad=(?P<pad>\d+), kernel_size=(?P<kernel>\d+)",
        lambda m: {k: int(v) for k, v in m.groupdict().items()},
        _pool_padding,
    ),
    (
        "Keras",
        "output_padding",
        r"(?:Stride \((?P<s13231>[^)]*)\) must be greater than output padding \((?P<op13231>[^)]*)\))"
        r"|(?:`output_padding` must be strictly less than `strides`.*?Received: output_padding=(?P<op>\([^)]*\)), "
        r"strides=(?P<s>\([^)]*\)))",
        _read_op_keras,
        _keras_output_padding,
    ),
    (
        "Keras",
        "too_small",
        r"Computed output size would be zero or negative\. Received:? `inputs[ .]shape=(?P<input>[^`]*)`",
        lambda m: dict(input=m.group("input"), output="zero or negative"),
        _too_small,
    ),
    (
        "TensorFlow",
        "onednn",
        r"MklNativeConv\dDBackpropInput\w*.*could not create a primitive descriptor",
        lambda m: {},
        _onednn,
    ),
    (
        "Keras",
        "concatenate",
        r"A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis\. "
        r"Received: input_shape=\[(?P<shapes>.*)\]",
        lambda m: dict(shapes=re.findall(r"\([^)]*\)", m.group("shapes"))),
        _keras_concat,
    ),
    (
        "TensorFlow",
        "backprop_input",
        r"Size of out_backprop doesn't match computed: actual = (?P<actual>\d+), computed = (?P<computed>\d+) "
        r"spatial_dim: (?P<spatial_dim>\d+) input: (?P<output>\d+) filter: (?P<filter>\d+) output: \d+ "
        r"stride: (?P<stride>\d+) dilation: (?P<dilation>\d+)",
        lambda m: {k: int(v) for k, v in m.groupdict().items()},
        _tf_backprop,
    ),
    (
        "JAX",
        "concatenate",
        r"Cannot concatenate arrays with shapes that differ in dimensions other than the one being concatenated: "
        r"concatenating along dimension \d+ for shapes (?P<shapes>.*?)\.?$",
        lambda m: dict(shapes=re.findall(r"\([^)]*\)", m.group("shapes"))),
        _jax_concat,
    ),
    (
        "JAX",
        "string_padding",
        r"String padding is not implemented for transposed convolution using this op",
        lambda m: {},
        _jax_string_padding,
    ),
    (
        "JAX",
        "negative_padding",
        r"Negative padding is larger than the size of the corresponding dimension: got padding=(?P<padding>.*?) "
        r"for lhs_shape\[2:\]=(?P<sizes>\((?:[^()]|\([^()]*\))*\))",
        lambda m: dict(
            padding=[tuple(_ints(pair)) for pair in re.findall(r"\([^()]*\)", m.group("padding"))],
            sizes=_ints(re.sub(r"np\.\w+\((-?\d+)\)", r"\1", m.group("sizes"))),
        ),
        _jax_negative_padding,
    ),
    (
        "JAX",
        "explicit_pads",
        r"Wrong number of explicit pads for convolution: expected (?P<expected>\d+), got (?P<got>\d+)",
        lambda m: {k: int(v) for k, v in m.groupdict().items()},
        _jax_pads_count,
    ),
    (
        "Flax",
        "padding_format",
        r"Invalid padding format: (?P<padding>.*?), should be str, int, or a sequence of len (?P<expected>\d+) "
        r"where each element is an int or pair of ints",
        lambda m: dict(padding=m.group("padding"), expected=int(m.group("expected"))),
        _flax_padding_format,
    ),
    (
        "JAX",
        "dilations",
        r"All dilations must be positive, got (?P<dilations>\([^)]*\))",
        lambda m: dict(dilations=_ints(m.group("dilations"))),
        _jax_dilations,
    ),
    (
        "JAX",
        "window_dimensions",
        r"expects (?P<which>base|window)-dilation factors to have same dimension-size as size of window dimensions "
        r"\((?P<dims>\d+)\), but got: (?P<got>\d+)",
        lambda m: dict(which=m.group("which"), dims=int(m.group("dims")), got=int(m.group("got"))),
        _jax_window_count,
    ),
    (
        "JAX",
        "channels",
        r"lhs feature dimension size divided by feature_group_count must equal the rhs input feature dimension "
        r"size, but (?P<c_in>\d+) // (?P<groups>\d+) != (?P<kernel_in>\d+)",
        lambda m: {k: int(v) for k, v in m.groupdict().items()},
        _jax_channels,
    ),
    (
        "Flax",
        "param_shape",
        r'For parameter "(?P<param>\w+)" in "[^"]*", the given initializer is expected to generate shape '
        r"(?P<expected>\([^)]*\)), but the existing parameter it received has shape (?P<got>\([^)]*\))",
        lambda m: m.groupdict(),
        _flax_param_shape,
    ),
    (
        "ONNX Runtime",
        "output_padding",
        r"output_padding\[(?P<axis>\d+)\] \((?P<op>\d+)\) must be less than max\(stride, dilation\) "
        r"\((?P<top>\d+)\)",
        lambda m: {k: int(v) for k, v in m.groupdict().items()},
        _ort_output_padding,
    ),
    (
        "ONNX Runtime",
        "output_size",
        r"Computed output dimension is <= 0 for dim (?P<dim>\d+)\. Input shape: \{(?P<input>[^}]*)\}",
        lambda m: dict(dim=int(m.group("dim")), input=m.group("input")),
        _ort_output_size,
    ),
    (
        "ONNX Runtime",
        "channels",
        r"filter number not equal to input channel number\. filter_number: (?P<weight_in>\d+) "
        r"num_input_channels: (?P<got>\d+)",
        lambda m: {k: int(v) for k, v in m.groupdict().items()},
        _ort_channels,
    ),
    (
        "ONNX Runtime",
        "output_shape",
        r"Explicit output_shape is inconsistent with input spatial dimensions and convolution parameters\. "
        r"Expected input size (?P<expected>\d+) but got (?P<got>\d+) \(output_size=(?P<output>\d+), "
        r"kernel=(?P<kernel>\d+), stride=(?P<stride>\d+), dilation=(?P<dilation>\d+), "
        r"output_padding=(?P<op>\d+)\)",
        lambda m: {k: int(v) for k, v in m.groupdict().items()},
        _ort_output_shape,
    ),
    (
        "ONNX Runtime",
        "attribute_size",
        r"Attribute (?P<attribute>\w+) has incorrect size",
        lambda m: m.groupdict(),
        _ort_attribute_size,
    ),
    (
        "ONNX Runtime",
        "positive",
        r"Attribute (?P<attribute>\w+) must only contain positive values",
        lambda m: m.groupdict(),
        _ort_positive,
    ),
    (
        "ONNX Runtime",
        "kernel_shape",
        r"kernel_shape is not compatible with W shape\. kernel_shape: \{(?P<kernel>[^}]*)\} W: \{(?P<weight>[^}]*)\}",
        lambda m: m.groupdict(),
        _ort_kernel_shape,
    ),
    (
        "ONNX Runtime",
        "group",
        r"Input channels C must be divisible by group for ConvTranspose\. C=(?P<c>\d+) group=(?P<group>\d+)",
        lambda m: {k: int(v) for k, v in m.groupdict().items()},
        _ort_group,
    ),
    (
        "ONNX Runtime",
        "same_dilation",
        r"Dilation not supported for AutoPadType::SAME_UPPER or AutoPadType::SAME_LOWER",
        lambda m: {},
        _ort_same_dilation,
    ),
    (
        "ONNX Runtime",
        "too_small",
        r"Status Message: Invalid input shape: \{(?P<input>[^}]*)\}",
        lambda m: m.groupdict(),
        _ort_too_small,
    ),
    (
        "ONNX Runtime",
        "pool_too_small",
        r"Calculated output dimension is negative\. Check kernel_shape, pads, strides and dilations",
        lambda m: dict(input=None),
        _ort_too_small,
    ),
    (
        "ONNX Runtime",
        "pool_negative_padding",
        r"padding values must be non-negative",
        lambda m: {},
        _ort_negative_pool_padding,
    ),
    (
        "ONNX Runtime",
        "shape_merge",
        r"Can't merge shape info\. Both inferred and declared dimension have values but they differ\. "
        r"Inferred=(?P<inferred>\d+) Declared=(?P<declared>\d+) Dimension=(?P<dim>\d+)",
        lambda m: {k: int(v) for k, v in m.groupdict().items()},
        _ort_shape_merge,
    ),
    (
        "ONNX Runtime",
        "concat",
        r"Non concat axis dimensions must match: Axis (?P<axis>\d+) has mismatched dimensions of (?P<a>\d+) and "
        r"(?P<b>\d+)",
        lambda m: {k: int(v) for k, v in m.groupdict().items()},
        _ort_concat,
    ),
)


def explain_error(message, layer=None, input_size=None):
    """What a framework's error message about a transposed convolution's shapes means, and the fix.

    Parameters
    ----------
    message : str
        The message as the framework printed it (a traceback's last line will do).
    layer : dict or LayerSpec, optional
        The layer it is about, as the doctor reads layers; with ``input_size``
        the fix gives this layer's numbers.
    input_size : tuple of int, optional
        The layer's spatial input size.

    Returns
    -------
    Explanation or None
        None when no pattern of :data:`MESSAGES` matches.

    Examples
    --------
    >>> e = explain_error("RuntimeError: Sizes of tensors must match except in dimension 1. Expected size 16 "
    ...                   "but got size 14 for tensor number 1 in the list.")
    >>> e.framework, e.key, e.numbers["expected"], e.numbers["got"]
    ('PyTorch', 'cat', 16, 14)
    """
    from .layers import LayerSpec, parse_layers

    if not isinstance(message, str):
        raise TypeError(f"message must be a string, got {type(message).__name__}")
    if layer is not None and not isinstance(layer, LayerSpec):
        # read with output_padding 0 (the layer is broken: that may be why), then put back what it holds
        dims = len(input_size) if input_size is not None else 2
        checked = parse_layers([dict(layer, output_padding=0)], dims)[0]
        raw = layer.get("output_padding", 0)
        raw = list(raw) if isinstance(raw, (list, tuple)) else [raw] * dims
        layer = replace(checked, output_padding=tuple(as_int(v, "output_padding") for v in raw))
    for framework, key, pattern, read, explain in MESSAGES:
        match = re.search(pattern, message, flags=re.DOTALL)
        if match:
            numbers = read(match)
            meaning, fix = explain(numbers, layer, tuple(input_size) if input_size is not None else None)
            return Explanation(framework, key, meaning, fix, numbers)
    return None
