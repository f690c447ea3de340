"""What the doctor's recorded-fixture tests share."""

import pytest

import deconvlib as dl


def assert_refused_at(model, input_shape, layer):
    """The doctor refuses the stack at the layer the framework refused, naming it in the message and ``parameter``."""
    with pytest.raises(dl.ParameterError) as raised:
        dl.doctor(model, input_shape, overlap=False)
    assert raised.value.parameter.startswith(f"layers[{layer}].")
    assert f"layer {layer}" in str(raised.value)
