"""U-Net skips written in ``forward`` with ``torch.cat``: the doctor's verdict against torch's.

``tests/data/doctor/make_torch_cat_skip_fixtures.py`` recorded random U-Nets
(torch 2.13.0) at odd input sizes: the reader's calls from one run on zeros,
and what torch did when it ran the model (its output, or the concatenation
that refused and its message). These tests read that file and need no torch;
the last one runs torch itself and is skipped where torch is absent.
"""

import json
import re
from pathlib import Path

import pytest

import deconvlib as dl
from deconvlib.doctor.torch_reader import calls_to_layers, read_torch_model

DATA = json.loads((Path(__file__).parents[1] / "data" / "doctor" / "torch_cat_skips.json").read_text(encoding="utf-8"))
MODELS = DATA["models"]
CASES = [(model, case) for model in MODELS for case in model["cases"]]
#: The families whose skips the reader must refuse with a note: a crop by slicing, a convolution on the branch.
REFUSED = ("crop_skip", "gated_skip")


def _read(case):
    notes = []
    layers, skipped = calls_to_layers(case["calls"], notes)
    return layers, skipped, notes


def test_the_fixture_has_enough_u_nets_of_every_kind():
    assert DATA["torch_version"].split("+")[0] == "2.13.0"
    read = [(model, case) for model, case in CASES if model["family"] not in REFUSED]
    assert len({model["key"] for model, _ in read}) >= 20
    assert sum(not case["torch"]["ok"] for _, case in read) >= 40 and sum(case["torch"]["ok"] for _, case in read) >= 40
    assert {model["dims"] for model, _ in read} == {1, 2, 3}
    odd = [case for _, case in read if any(size % 2 for size in case["input"][2:])]
    assert len(odd) >= 50


@pytest.mark.parametrize("model, case", [pytest.param(m, c, id=f"{m['key']}-{c['input'][2]}") for m, c in CASES
                                         if m["family"] not in REFUSED])  # fmt: skip
def test_the_doctors_verdict_is_torchs(model, case):
    layers, skipped, notes = _read(case)
    assert notes == [] and skipped == []
    cats = [call for call in case["calls"] if call["cls"] == "cat"]
    report = dl.doctor(layers, case["input"], overlap=False)
    trips = report.round_trips
    assert len(trips) == len(cats) == len(model["widths"]) - 1  # every cat read as one skip, in forward's order
    decoders = [layer["name"] for layer in layers if "skip_from" in layer]
    assert [trip["decoder"] for trip in trips] == decoders
    # the sizes the doctor compares are the ones torch joined (the run goes on past a refused cat with its up size)
    for trip, cat in zip(trips, cats):
        sizes = [tuple(entry["size"]) for entry in cat["attributes"]["inputs"]]
        assert sorted([trip["skip"], trip["up"]]) == sorted(sizes)
    verdict = case["torch"]
    assert all(trip["ok"] for trip in trips) == verdict["ok"]
    if verdict["ok"]:
        assert list(report.output_shape) == verdict["output"]
        return
    first = next(index for index, trip in enumerate(trips) if not trip["ok"])
    assert first == verdict["cat"]
    # torch names the first axis that differs: "Expected size 22 but got size 23 for tensor number 1 in the list"
    expected, got = map(int, re.search(r"Expected size (\d+) but got size (\d+)", verdict["message"]).groups())
    skip, up = trips[first]["skip"], trips[first]["up"]
    axis = next(a for a in range(len(skip)) if skip[a] != up[a])
    assert sorted([skip[axis], up[axis]]) == sorted([expected, got])
    assert any(f"U-Net pair {trips[first]['encoder']} → {trips[first]['decoder']}" in line for line in report.notes())


@pytest.mark.parametrize("model, case", [pytest.param(m, c, id=f"{m['key']}-{c['input'][2]}") for m, c in CASES
                                         if m["family"] in REFUSED])  # fmt: skip
def test_a_skip_the_reader_cannot_tell_is_refused_with_a_note(model, case):
    layers, _, notes = _read(case)
    cats = [call for call in case["calls"] if call["cls"] == "cat"]
    assert len(notes) == len(cats) and not any("skip_from" in layer for layer in layers)
    why = "changed by an operation" if model["family"] == "crop_skip" else "is called on a branch"
    assert all(note.startswith("Skip forward.cat") and why in note for note in notes)
    report = dl.doctor(layers, case["input"], overlap=False)  # the rest of the report as before: no crash
    assert report.round_trips == []


def test_read_order_and_sizes_of_a_three_level_cat_u_net_from_calls():
    # the first recorded classic U-Net torch refused: its pairs are pool → up layers, each encoder's input the skip
    model, case = next((m, c) for m, c in CASES if m["family"] == "classic" and not c["torch"]["ok"])
    layers, _, _ = _read(case)
    names = [layer["name"] for layer in layers]
    for layer in layers:
        if "skip_from" in layer:
            encoder = names.index(layer["skip_from"])
            assert layers[encoder]["kind"] == "pool" and names.index(layer["name"]) > encoder
            assert layer["name"].startswith("ups.") and layer["kind"] in ("conv_transpose", "upsample")


def test_calls_without_a_run_keep_their_old_reading():
    calls = [dict(name="a", cls="Conv2d", attributes=dict(kernel_size=[3, 3], stride=[1, 1], padding=[1, 1],
                                                          dilation=[1, 1], groups=1, out_channels=2))]  # fmt: skip
    assert calls_to_layers(calls) == calls_to_layers(calls, [])
    # a cat of the same point (the map and itself) is no skip, and says nothing
    cat = dict(name="forward.cat", cls="cat", attributes=dict(inputs=[dict(size=[5, 5], **{"from": "a"})] * 2))
    notes = []
    layers, _ = calls_to_layers(calls + [cat], notes)
    assert notes == [] and "skip_from" not in layers[0]
    # a layer's input joined with its output (a dense block's cat([x, conv(x)])): no pair skip_from can name
    dense = dict(cat, attributes=dict(inputs=[dict(size=[5, 5], **{"from": None}), dict(size=[5, 5], **{"from": "a"})]))
    layers, _ = calls_to_layers(calls + [dense], notes)
    assert notes == ["Skip forward.cat (5×5 and 5×5) not checked: it joins the input and the output of layer 'a', not "
                     "a U-Net pair."] and "skip_from" not in layers[0]  # fmt: skip
    # a tensor made in forward (torch.ones(...)) has no layer behind it
    made = dict(cat, attributes=dict(inputs=[dict(size=[5, 5]), dict(size=[5, 5], **{"from": "a"})]))
    notes = []
    calls_to_layers(calls + [made], notes)
    assert "an input is not made from the model's input" in notes[0]


def test_f_pad_by_negative_amounts_is_a_crop():
    # the Up block that pads the up path to its skip's size crops it when the up path is the larger
    calls = [dict(name="forward.pad", cls="pad", attributes=dict(pad=[-1, 0, -2, -1]))]
    (crop,), _ = calls_to_layers(calls)
    assert crop == {"kind": "crop", "name": "forward.pad", "crop": [[2, 1], [1, 0]]}
    assert dl.doctor([crop], (1, 3, 12, 9)).output_shape == (1, 3, 9, 8)
    with pytest.raises(dl.ParameterError, match="negative amount"):  # pad one end, crop the other: not followed
        calls_to_layers([dict(name="p", cls="pad", attributes=dict(pad=[-1, 1]))])


def test_a_model_read_with_torch_checks_its_own_cat_skips():
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc1, self.pool1 = nn.Conv2d(1, 4, 3, padding=1), nn.MaxPool2d(2)
            self.enc2, self.pool2 = nn.Conv2d(4, 8, 3, padding=1), nn.MaxPool2d(2)
            self.up2, self.dec2 = nn.ConvTranspose2d(8, 8, 2, 2), nn.Conv2d(16, 4, 3, padding=1)
            self.up1, self.dec1 = nn.ConvTranspose2d(4, 4, 2, 2), nn.Conv2d(8, 1, 1)

        def forward(self, x):
            e1 = torch.relu(self.enc1(x))
            e2 = torch.relu(self.enc2(self.pool1(e1)))
            x = self.dec2(torch.cat([self.up2(self.pool2(e2)), e2], dim=1))
            return self.dec1(torch.cat([e1, self.up1(x)], 1))

    model = UNet()
    for size in (44, 45, 46):
        report = dl.doctor(model, (1, 1, size, size))
        assert report.reader_note is None
        assert [(t["encoder"], t["decoder"]) for t in report.round_trips] == [("pool2", "up2"), ("pool1", "up1")]
        assert report.layers[5]["input"][1] == 16  # dec2 takes the up's 8 channels and the skip's 8
        try:
            model(torch.zeros(1, 1, size, size))
            refused = None
        except RuntimeError as error:
            refused = str(error)
        first = next((i for i, t in enumerate(report.round_trips) if not t["ok"]), None)
        assert (refused is None) == (first is None)
        if size == 45:  # 45 → 22 → 11 → 22 → 44: the outer skip, 45 against 44
            assert first == 1 and "Expected size 45 but got size 44" in refused
        if size == 46:  # 46 → 23 → 11 → 22: the inner skip already, 22 against 23
            assert first == 0 and "Expected size 22 but got size 23" in refused
    # a skip through a convolution on its own branch cannot be told: a note, and the rest of the report
    gated = UNet()
    gated.gate = nn.Conv2d(8, 8, 1)

    def forward(x):
        e1 = torch.relu(gated.enc1(x))
        e2 = torch.relu(gated.enc2(gated.pool1(e1)))
        x = gated.dec2(torch.cat([gated.up2(gated.pool2(e2)), gated.gate(e2)], dim=1))
        return gated.dec1(torch.cat([e1, gated.up1(x)], 1))

    gated.forward = forward
    layers, _, note = read_torch_model(gated, (1, 1, 44, 44))
    assert note.startswith("Skip forward.cat (22×22 and 22×22) not checked: gate is called on a branch")
