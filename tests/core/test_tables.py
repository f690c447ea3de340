"""deconvlib.tables: the plain-text tables the notebooks print."""

import numpy as np
import pytest

import deconvlib as dl


def test_columns_are_as_wide_as_their_widest_cell_and_numbers_align_right():
    text = dl.tables.table([("a", 1234567, (1, 2)), ("bbb", 5, (10, 20, 30))], header=("name", "n", "shape"))
    assert text.splitlines() == [
        "name          n  shape",
        "a     1,234,567  (1, 2)",
        "bbb           5  (10, 20, 30)",
    ]
    assert dl.tables.table([(True, "x")]) == "True  x"  # a bool is not a number column
    assert dl.tables.table([(np.int64(2000), 1)], gap=1) == "2,000 1"  # numpy integers are integers


def test_rows_of_another_length_are_refused_naming_them():
    with pytest.raises(dl.ParameterError, match=r"must have 2 values, got rows of \[1, 2\]") as error:
        dl.tables.table([("a", 1), ("b",)])
    assert error.value.parameter == "rows"
    with pytest.raises(dl.ParameterError, match="must have 3 values"):
        dl.tables.table([("a", 1)], header=("x", "y", "z"))


def test_the_pattern_table_lists_overlap_pattern_and_marks_the_even_ones():
    lines = dl.tables.pattern_table((2, 3), range(1, 7), sep=",", mark_even=True).splitlines()
    assert lines[0].startswith("s=2 | k=1: 1,0   k=2: 1,1 even   k=3: 2,1")
    for s, line in zip((2, 3), lines):
        entries = line.split(" | ")[1].split("   ")
        for k, entry in enumerate(entries, 1):
            pattern = dl.overlap.overlap_pattern(k, s)
            assert entry.startswith(f"k={k}: {','.join(map(str, pattern))}")
            assert entry.endswith(" even") == dl.overlap.is_uniform(k, s)
    assert dl.tables.pattern_table([2], [3], dilation=2) == "s=2 | k=3: 3 0"
