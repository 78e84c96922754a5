"""The boundary format: round trips, and refusal of anything that isn't plain data."""
import base64

import numpy as np
import pytest

from autograder.student_side import wire


def roundtrip(value):
    frame = wire.dumps({"v": wire.encode(value)})
    return wire.decode(wire.loads(frame[wire.HEADER.size:])["v"])


def test_arrays_scalars_and_containers_survive():
    value = (np.arange(6.0).reshape(2, 3).T, np.int64(4), np.float32(2.5), 3, 1.5, "s", None,
             [np.zeros((0, 3))], {"W1": np.ones(2)}, float("nan"), float("-inf"), True)
    back = roundtrip(value)
    assert isinstance(back, tuple) and len(back) == len(value)
    np.testing.assert_array_equal(back[0], value[0])
    assert back[1] == 4 and isinstance(back[1], np.int64)
    assert back[2] == np.float32(2.5) and isinstance(back[2], np.float32)
    assert back[7][0].shape == (0, 3)
    np.testing.assert_array_equal(back[8]["W1"], np.ones(2))
    assert np.isnan(back[9]) and back[10] == float("-inf") and back[11] is True


def test_unsupported_values_arrive_as_markers_not_objects():
    class Sneaky:
        def __eq__(self, other):
            return True
    back = roundtrip([Sneaky(), np.array([object()], dtype=object), (x for x in [])])
    assert all(isinstance(b, wire.Unsupported) for b in back)
    assert "Sneaky" in back[0].type_name


@pytest.mark.parametrize("body", [
    {"dtype": "|O", "shape": [1], "data": ""},                       # object dtype
    {"dtype": "<f8", "shape": [3], "data": base64.b64encode(b"x" * 8).decode()},  # size mismatch
    {"dtype": "<f8", "shape": [-1], "data": ""},
    {"dtype": "[('a', 'O')]", "shape": [1], "data": ""},
])
def test_malformed_arrays_are_refused(body):
    with pytest.raises(wire.WireError):
        wire.decode({"__ndarray__": body})


def test_unknown_tags_and_deep_nesting_are_refused():
    with pytest.raises(wire.WireError):
        wire.decode({"__pickle__": "gASV"})
    deep = 1
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError):
        wire.decode(deep)
