"""The comparison's verdicts and messages."""
import numpy as np

from autograder.student_side.compare import compare
from autograder.student_side.wire import Unsupported

TOL = dict(rtol=1e-6, atol=1e-9)


def test_right_values_pass_and_wrong_ones_name_the_worst_entry():
    e = np.arange(6.0).reshape(2, 3)
    assert compare(e.copy(), e, hidden=False, **TOL) is None
    g = e.copy()
    g[1, 2] += 1
    bad = compare(g, e, hidden=False, **TOL)
    assert "1 of 6 entries differ" in bad.message and "(1, 2)" in bad.message


def test_hidden_messages_carry_no_shapes_indices_or_values():
    e = np.arange(6.0).reshape(2, 3)
    g = e + 1
    assert not any(c.isdigit() for c in compare(g, e, hidden=True, **TOL).message)
    msg = compare(np.zeros((3, 2)), e, hidden=True, **TOL).message
    assert "wrong sizes" in msg and "(3, 2)" not in msg and "(2, 3)" not in msg


def test_type_shape_and_dtype_come_before_values():
    e = np.ones((2, 2))
    assert "expected a NumPy array" in compare([[1.0, 1.0], [1.0, 1.0]], e, hidden=False, **TOL).message
    assert "shape (2,), expected (2, 2)" in compare(np.ones(2), e, hidden=False, **TOL).message
    assert "dtype int64" in compare(np.ones((2, 2), dtype=np.int64), e, hidden=False, **TOL).message
    assert "NaN" in compare(np.full((2, 2), np.nan), e, hidden=False, **TOL).message
    assert "Unsupported" not in compare(Unsupported("x.AlwaysEqual"), e, hidden=False, **TOL).message


def test_a_flat_list_is_accepted_for_a_1d_array():
    assert compare([1.0, 2.0], np.array([1.0, 2.0]), hidden=False, **TOL) is None


def test_tuples_name_their_parts():
    e = (np.ones((2, 2)), np.zeros(2))
    bad = compare((np.ones((2, 2)), np.ones(2)), e, hidden=False, names=("dW", "db"), **TOL)
    assert bad.path == "db" and bad.message.startswith("db:")
    assert "tuple of 2" in compare(np.ones(2), e, hidden=False, **TOL).message


def test_scalars_and_ints():
    assert compare(np.float64(2.0), 2.0, hidden=False, returns="scalar", **TOL) is None
    assert "single number" in compare(np.array([2.0]), 2.0, hidden=False, returns="scalar", **TOL).message
    assert compare(56, 56, hidden=False, returns="int", **TOL) is None
    assert "expected 56, got 20" in compare(20, 56, hidden=False, returns="int", **TOL).message
    assert "whole number" in compare(5.5, 5, hidden=False, returns="int", **TOL).message


def test_dicts_compare_key_by_key_inside_tuples():
    e = (1.5, {"W1": np.ones((2, 2)), "b1": np.zeros(2)})
    assert compare((1.5, {"W1": np.ones((2, 2)), "b1": np.zeros(2)}), e, hidden=False, **TOL) is None
    bad = compare((1.5, {"W1": np.ones((2, 2)), "b1": np.ones(2)}), e, hidden=False,
                  names=("loss", "grads"), **TOL)
    assert bad.path == "grads['b1']"
    assert "missing ['b1']" in compare((1.5, {"W1": np.ones((2, 2))}), e, hidden=False, **TOL).message


def test_every_wrong_part_of_a_dict_is_named():
    e = {"W1": np.ones((2, 2)), "b1": np.ones(2), "W2": np.ones(3)}
    bad = compare({"W1": np.ones((2, 2)), "b1": np.zeros(2), "W2": np.zeros(3)}, e,
                  hidden=False, **TOL)
    assert bad.path == "b1"
    assert bad.message.startswith("2 of 3 parts are wrong") and "(W1 right)" in bad.message
    assert "b1:" in bad.message and "W2:" in bad.message
    assert "same factor" not in bad.message


def test_all_parts_off_by_one_factor_is_said_and_hidden_cases_hide_it():
    e = (1.5, {"W1": np.array([[1.0, -2.0]]), "b1": np.array([0.5])})
    got = (6.0, {"W1": np.array([[4.0, -8.0]]), "b1": np.array([2.0])})
    bad = compare(got, e, hidden=False, names=("loss", "grads"), **TOL)
    assert "all by the same factor: each is 4 times the expected value" in bad.message
    assert "loss:" in bad.message and "W1" in bad.message and "b1" in bad.message
    hidden = compare(got, e, hidden=True, names=("loss", "grads"), **TOL)
    assert "all by the same factor" in hidden.message and "4" not in hidden.message


def test_a_single_wrong_part_keeps_its_own_message():
    e = {"W1": np.ones(2), "b1": np.ones(2)}
    bad = compare({"W1": np.ones(2), "b1": np.zeros(2)}, e, hidden=False, **TOL)
    assert bad.message.startswith("b1:")
