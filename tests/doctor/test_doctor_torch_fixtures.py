"""The decoder doctor against PyTorch 2.13.0, recorded in tests/data/doctor/ (torch is not needed here).

``make_torch_doctor_fixtures.py`` beside the data recorded, for random 1-D,
2-D and 3-D stacks of transposed convolutions, convolutions and pools on odd
sizes: every layer's output shape (or the layer torch refused), the overlap
map (ones pushed through the stack, one channel, every weight 1), and for a
target near the stack's output the doctor's suggestion of the time with the
size torch reached once it was applied; for random U-Nets on odd inputs,
whether ``torch.cat`` took each skip with its up layer's output.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from doctor_support import assert_refused_at

import deconvlib as dl
from deconvlib.doctor.layers import parse_layers
from deconvlib.doctor.stack import fix_for_target, overlap_map, round_trip, stack_shapes

DATA = Path(__file__).resolve().parents[1] / "data" / "doctor"
STACKS = json.loads((DATA / "torch_stacks.json").read_text(encoding="utf-8"))
UNETS = json.loads((DATA / "torch_unets.json").read_text(encoding="utf-8"))


def test_the_fixtures_cover_every_dimension_kind_fix_and_verdict():
    assert STACKS["torch_version"].startswith("2.13.0") and UNETS["torch_version"].startswith("2.13.0")
    ran = [s for s in STACKS["stacks"] if "error" not in s]
    assert len(ran) >= 300
    assert {len(s["input"]) - 2 for s in ran} == {1, 2, 3}
    kinds = {(layer["kind"], layer.get("mode"), layer.get("ceil_mode", False)) for s in ran for layer in s["layers"]}
    assert {("conv_transpose", None, False), ("conv", None, False)} <= kinds
    assert {("pool", m, c) for m in ("max", "avg") for c in (False, True)} <= kinds
    assert sum(any(v % 2 for v in s["input"][2:]) for s in ran) >= 200  # odd sizes
    fixes = [s["fix"] for s in ran if s.get("fix", {}).get("fix")]
    assert len(fixes) >= 100
    assert sum(f["fix"]["crop"] is not None for f in fixes) >= 10  # no symmetric padding: the explicit crop
    refused = [s for s in STACKS["stacks"] if "error" in s]
    assert any("output padding must be smaller" in s["error"]["message"] for s in refused)
    unets = UNETS["unets"]
    assert len(unets) >= 50
    verdicts = [all(r["ok"] for r in u["torch"]) for u in unets]
    assert 5 <= sum(verdicts) <= len(unets) - 20
    assert sum(any(v % 2 for v in u["input"][2:]) for u in unets) >= 40


def _check(stack):
    layers, input_shape = stack["layers"], tuple(stack["input"])
    if "error" in stack:
        assert_refused_at(layers, input_shape, stack["error"]["layer"])
        return
    report = dl.doctor(layers, input_shape, overlap=False)
    assert [list(row["output"]) for row in report.layers] == stack["shapes"]
    specs = parse_layers(layers, len(input_shape) - 2)
    recorded = stack["overlap_map"]
    got = overlap_map(specs, input_shape[2:])
    assert list(got.shape) == recorded["shape"]
    np.testing.assert_allclose(got.ravel(), recorded["values"], rtol=1e-12, atol=1e-9)
    if "fix" in stack:
        fix = stack["fix"]
        if fix["fix"] is None:
            with pytest.raises(dl.ParameterError) as raised:
                fix_for_target(specs, input_shape[2:], tuple(fix["target"]))
            assert raised.value.parameter == "target"
        else:
            assert fix["reached"] == fix["target"]  # torch reached the target with the suggestion applied
            now = fix_for_target(specs, input_shape[2:], tuple(fix["target"]))
            now = {k: v for k, v in now.items() if k != "text"}
            as_lists = json.loads(json.dumps(now))
            assert as_lists == fix["fix"]
    return specs


@pytest.mark.parametrize("stack", STACKS["stacks"], ids=[s["key"] for s in STACKS["stacks"]])
def test_the_doctor_follows_every_layer_as_torch_does(stack):
    _check(stack)


def test_a_refused_layer_comes_after_layers_whose_shapes_equal_torchs():
    # the shapes before the layer torch refused are the doctor's too
    for stack in (s for s in STACKS["stacks"] if "error" in s):
        bad = stack["error"]["layer"]
        dims = len(stack["input"]) - 2
        try:
            specs = parse_layers(stack["layers"][:bad], dims)
        except dl.ParameterError:
            continue
        if specs:
            assert len(stack_shapes(specs, tuple(stack["input"][2:]))) == bad + 1


@pytest.mark.parametrize("unet", UNETS["unets"], ids=[u["key"] for u in UNETS["unets"]])
def test_the_round_trip_verdict_equals_torchs(unet):
    specs = parse_layers(unet["layers"], len(unet["input"]) - 2)
    spatial = tuple(unet["input"][2:])
    pairs = [tuple(p) for p in unet["pairs"]]
    found = round_trip(specs, spatial, pairs)
    for recorded, got in zip(unet["torch"], found):
        assert (recorded["encoder"], recorded["decoder"]) == (got["encoder"], got["decoder"])
        assert list(got["skip"]) == recorded["skip"] and list(got["up"]) == recorded["up"]
        assert got["ok"] == recorded["ok"]
    # the report says the same, the skip_from of each up layer making the pairs
    report = dl.doctor(unet["layers"], tuple(unet["input"]), overlap=False)
    assert [t["ok"] for t in report.round_trips][: len(unet["torch"])] == [r["ok"] for r in unet["torch"]]
    if not all(r["ok"] for r in unet["torch"]):
        assert "does NOT round-trip" in str(report)
        # and the sizes it lists do round-trip
        assert all(
            all(t["ok"] for t in round_trip(specs, (n,) * len(spatial), pairs)) for n in report.round_trip_sizes[:5]
        )
