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
        fixes = []
        for axis, i in enumerate(size):
            k, s, d = layer.kernel[axis], layer.stride[axis], layer.dilation[axis]
            b, a = layer.padding[axis]
            meant = s * (i - 1) + effective_kernel(k, d) - b - a + layer.output_padding[axis]
            try:
                p, op = transpose_padding_for(i, k, meant, s, d)
                fixes.append(f"axis {axis}: padding={p}, output_padding={op} gives the {meant} you meant")
            except ParameterError:
                fixes.append(f"axis {axis}: no symmetric padding gives {meant}; pad or crop the result explicitly")
        return meaning, "; ".join(fixes) + "."
    return meaning, (
        "keep output_padding below the stride; to grow the output by more, lower `padding` (each step of "
        "padding removes one cell at each end) or raise the stride."
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
    return _concat_shapes(numbers, "Concatenate")


def _concat_shapes(numbers, what):
    shapes = numbers["shapes"]
    meaning = (
        f"{what} joins maps of shapes {', '.join(shapes)}: they differ in a spatial axis, so the decoder did not "
        "bring the encoder's size back (an odd size halved and doubled loses a cell)."
    )
    fix = (
        "crop (Cropping2D) or pad (ZeroPadding2D) the decoder's output to the skip's shape, or choose input sizes "
        "that round-trip; with padding='same' a stride-s transposed layer gives exactly s·i."
    )
    return meaning, fix


def _jax_concat(numbers, layer, size):
    return _concat_shapes(numbers, "jnp.concatenate")


def _ort_concat(numbers, layer, size):
    meaning = (
        f"ONNX Runtime's Concat got dimensions {numbers['a']} and {numbers['b']} on axis {numbers['axis']}: a skip "
        "connection whose decoder side did not come back to the encoder's size."
    )
    return meaning, _concat({"expected": numbers["a"], "got": numbers["b"]}, layer, size)[1]


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
