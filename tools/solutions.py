"""The solutions of the course's exercises: the teacher's edition, kept in one place.

The notebooks in ``notebooks/`` are the student's edition: each exercise cell
(tagged ``exercise:NAME``) holds a placeholder ``...`` and its checker says
"not answered yet". ``SOLUTIONS[NAME]`` is the same cell answered. Build the
teacher's edition (every exercise answered and executed) with ``make teacher``
(``tools/teacher_edition.py``); ``tests/course/test_editions.py`` checks that
every solution passes its checker and every placeholder is reported as
unanswered.
"""

SOLUTIONS = {
    # notebook 0
    "conv_output_size": """\
def conv_out(i, k, s, p, d):
    # whole steps of s after the first position
    return (i + 2 * p - d * (k - 1) - 1) // s + 1


course.check_conv_output_size(conv_out)""",
    "max_pool": """\
def max_pool(X, k, stride, padding):
    # −∞: padding is never the maximum
    grid = np.pad(X, padding, constant_values=-np.inf)
    rows, cols = (grid.shape[0] - k) // stride + 1, (grid.shape[1] - k) // stride + 1
    out = np.empty((rows, cols))
    for r in range(rows):
        for c in range(cols):
            window = grid[r * stride : r * stride + k, c * stride : c * stride + k]
            out[r, c] = window.max()
    return out


course.check_max_pool(max_pool)""",
    # notebook 1
    "output_size": """\
answer = 8  # s·(i − 1) + d·(k − 1) + 1 − 2p + output_padding = 2·3 + 2 + 1 − 2 + 1
course.check_output_size(
    answer, size=4, kernel_size=3, stride=2, padding=1, output_padding=1
)""",
    # notebook 2
    "dilate": """\
def dilate(X, stride):
    h, w = X.shape
    out = np.zeros((stride * (h - 1) + 1, stride * (w - 1) + 1))
    out[::stride, ::stride] = X
    return out


course.check_dilate(dilate)""",
    # notebook 3
    "sweep_padding": """\
zeros_each_side = 2  # k̂ − 1 − p = 4 − 1 − 1
course.check_sweep_padding(zeros_each_side, kernel_size=4, padding=1, dilation=1)""",
    "input_sizes": """\
# ⌊(i + 2 − 3) / 3⌋ + 1 = 4 for i = 10, 11 and 12: one size per output_padding 0, 1, 2
sizes = {10, 11, 12}
course.check_input_sizes(sizes, output=4, kernel_size=3, stride=3, padding=1)""",
    # notebook 4
    "conv_transpose": """\
def conv_transpose(X, W, stride):
    kh, kw = W.shape
    grid = dl.dilate(X, (stride, stride), axes=(0, 1))  # stage 1
    grid = np.pad(grid, ((kh - 1, kh - 1), (kw - 1, kw - 1)))  # stage 2 (p = 0)
    K = W[::-1, ::-1]  # stage 3: flip ...
    out = np.zeros((grid.shape[0] - kh + 1, grid.shape[1] - kw + 1))
    for r in range(out.shape[0]):  # ... and sweep
        for c in range(out.shape[1]):
            out[r, c] = np.sum(grid[r : r + kh, c : c + kw] * K)
    return out


course.check_conv_transpose(conv_transpose)""",
    # notebook 5
    "transpose_output_size": """\
def out_size(i, k, s, p, op, d):
    return s * (i - 1) + d * (k - 1) + 1 - 2 * p + op


course.check_transpose_output_size(out_size)""",
    "padding_for": """\
# 3·(10 − 1) + 5 = 32 is 2 too many: padding 1 crops one row at each end
answer = (1, 0)
course.check_padding_for(answer, 10, 5, 30, stride=3)""",
    # notebook 6
    "contributions": """\
def contributions(i, k, s, p, r, c):
    found = set()
    for row in range(i):
        for col in range(i):
            # output cell (r, c) is canvas cell (r + p, c + p); a stamp starts at s·row
            a, b = r + p - s * row, c + p - s * col
            if 0 <= a < k and 0 <= b < k:
                found.add(((row, col), (a, b)))
    return found


course.check_contributions(contributions)""",
    # notebook 7
    "uniform_overlap": """\
def uniform(k, s):
    return k % s == 0  # the k taps are dealt out evenly over the s residues


course.check_uniform_overlap(uniform)""",
    # notebook 8
    "torch_weight": """\
def to_torch(W):
    return W.transpose(2, 3, 0, 1)  # (kh, kw, c_in, c_out) → (c_in, c_out, kh, kw)


course.check_torch_weight(to_torch)""",
    "layer_shape": """\
answer = (8, 14, 14, 128)  # o = 2·(7 − 1) + 3 − 2·1 + 1 = 14; channels last
course.check_layer_shape(
    answer,
    (8, 7, 7, 256),
    kernel_size=3,
    c_out=128,
    stride=2,
    padding=1,
    output_padding=1,
)""",
    # notebook 9
    "overlap_1d": """\
def overlap(i, k, s, p):
    count = np.zeros(s * (i - 1) + k, dtype=int)  # the full result
    for n in range(i):
        count[n * s : n * s + k] += 1  # stamp n covers n·s … n·s + k − 1
    return count[p : len(count) - p]  # padding crops p cells at each end


course.check_overlap_1d(overlap)""",
    # notebook 10
    "round_trip_sizes": """\
sizes = {96, 104}  # three poolings by 2 each halve exactly: 2·2·2 = 8 divides the size
course.check_round_trip_sizes(sizes)""",
}


#: A typical wrong answer to each exercise, as a student would write it in the exercise cell (without the
#: check): the grading tools must give it 0 points and show its hint (tools/grading.py,
#: tests/course/test_grading.py and test_grading_tools.py). One per exercise, so one submission per notebook
#: holds them all.
WRONG_ANSWERS = {
    "conv_output_size": """\
def conv_out(i, k, s, p, d):
    return (i + 2 * p - k) // s + 1  # the kernel's k, not its dilated span""",
    "max_pool": """\
def max_pool(X, k, stride, padding):
    grid = np.pad(X, padding)  # zeros: the maximum of a negative border is then 0
    rows, cols = (grid.shape[0] - k) // stride + 1, (grid.shape[1] - k) // stride + 1
    out = np.empty((rows, cols))
    for r in range(rows):
        for c in range(cols):
            out[r, c] = grid[r * stride : r * stride + k, c * stride : c * stride + k].max()
    return out""",
    "output_size": "answer = 7  # output_padding forgotten",
    "dilate": """\
def dilate(X, stride):
    out = np.zeros((stride * X.shape[0], stride * X.shape[1]))  # zeros after the last pixel too
    out[::stride, ::stride] = X
    return out""",
    "sweep_padding": "zeros_each_side = 1  # the forward padding",
    "input_sizes": "sizes = {10}  # only one of them",
    "conv_transpose": """\
def conv_transpose(X, W, stride):
    kh, kw = W.shape
    grid = dl.dilate(X, (stride, stride), axes=(0, 1))
    grid = np.pad(grid, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    out = np.zeros((grid.shape[0] - kh + 1, grid.shape[1] - kw + 1))
    for r in range(out.shape[0]):  # the kernel not flipped
        for c in range(out.shape[1]):
            out[r, c] = np.sum(grid[r : r + kh, c : c + kw] * W)
    return out""",
    "transpose_output_size": """\
def out_size(i, k, s, p, op, d):
    return s * i + d * (k - 1) + 1 - 2 * p + op  # s·i: one gap too many""",
    "padding_for": "answer = (1, 1)  # one row too many",
    "contributions": """\
def contributions(i, k, s, p, r, c):
    found = set()
    for row in range(i):
        for col in range(i):
            a, b = r - s * row, c - s * col  # the crop by padding left out
            if 0 <= a < k and 0 <= b < k:
                found.add(((row, col), (a, b)))
    return found""",
    "uniform_overlap": """\
def uniform(k, s):
    return k >= s  # the stamps touch, but do they overlap evenly?""",
    "torch_weight": """\
def to_torch(W):
    return W.transpose(3, 2, 0, 1)  # nn.Conv2d's layout""",
    "layer_shape": "answer = (8, 128, 14, 14)  # PyTorch's NCHW order",
    "overlap_1d": """\
def overlap(i, k, s, p):
    count = np.zeros(s * (i - 1) + k, dtype=int)
    for n in range(i):
        count[n * s : n * s + k] += 1
    return count  # padding not cropped""",
    "round_trip_sizes": """\
sizes = {92, 96, 100, 104, 108}  # the sizes two poolings give back, not three""",
}
