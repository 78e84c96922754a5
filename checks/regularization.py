"""Checks for `regularization`: data splits, weight penalties, dropout and
early stopping.

Inputs are chosen so that the classic mistakes change the answer:
- splits: sizes where truncating f * n with int() leaves the test set more
  than one sample too large; every data set is large enough that a correct
  shuffle practically never comes out as three contiguous blocks;
- penalties: lists of several arrays of different shapes (a forgotten array
  or a mean instead of a sum shows), l1 != l2 in the elastic net;
- dropout: 20000 cells per call, so the keep rate and the mean are measured
  to better than a few per cent; rates never 0.5, where keeping with
  probability `rate` instead of `1 - rate` would be invisible;
- early stopping: validation curves rounded to 3 decimals and min_delta an
  odd multiple of 0.0005, so no comparison Keras makes is closer than 5e-4
  (Keras compares in floatx; float32 near-ties can't flip a decision), and
  hidden curves are drawn until they tell the listed mistakes apart.

The NumPy helpers below recompute what a *mistaken* implementation returns,
so that hint detectors can recognise it, and draw the inputs. They never run
in the student's process.
"""
from __future__ import annotations

import math

import numpy as np

from autograder import hints
from checks.student_side import regularization as student_side
from checks.student_side.regularization import (  # noqa: F401  (the cases use them)
    _SPLIT_NAMES, _rounding_fails, _truncation_fails)
from autograder.spec import Assignment, Case, Check, Hint, Rng

REF = "reference_impl.regularization:"


# ================================================================ inputs

def _rng_seed(rng) -> Rng:
    return Rng(int(rng.integers(2**31)))


# ---------------------------------------------------------------- splits

def _split_inputs(n_samples, fractions, truncation_fails=False, rounding_fails=False):
    """n_samples: an int or (low, high) to draw from; with truncation_fails the
    drawn n is one where int(f * n) sizes break the within-1 rule, with
    rounding_fails one where the sizes of _rounding_fails do."""
    def make(rng):
        if isinstance(n_samples, int):
            n = n_samples
        else:
            while True:
                n = int(rng.integers(*n_samples))
                if (not truncation_fails or _truncation_fails(n, fractions)) and \
                        (not rounding_fails or _rounding_fails(n, fractions)):
                    break
        return {"n_samples": n, "fractions": tuple(float(f) for f in fractions),
                "rng": _rng_seed(rng)}
    return make


# ---------------------------------------------------------------- penalties

# Shapes of the arrays in `weights`: kernels and biases of small networks.
_DENSE_NET = [(4, 3), (3,), (3, 2), (2,)]
_CONV_NET = [(3, 3, 2, 4), (4,), (36, 5), (5,)]


def _weights(rng, shapes, scale=1.0):
    return [scale * rng.standard_normal(s) for s in shapes]


def _penalty_inputs(shapes, lam=None, scale=1.0):
    """lam: a number, or None for a random one on a log scale."""
    def make(rng):
        shape_list = shapes(rng) if callable(shapes) else shapes
        value = lam if lam is not None else float(10 ** rng.uniform(-4, -1))
        return {"weights": _weights(rng, shape_list, scale), "lam": float(value)}
    return make


def _elastic_inputs(shapes, l1=None, l2=None, scale=1.0):
    def make(rng):
        a = l1 if l1 is not None else float(10 ** rng.uniform(-4, -1))
        b = l2 if l2 is not None else float(10 ** rng.uniform(-4, -1))
        return {"weights": _weights(rng, shapes, scale), "l1": float(a), "l2": float(b)}
    return make


def _random_shapes(rng):
    """Two to five arrays of random shapes (kernels and biases)."""
    shapes = []
    n_in = int(rng.integers(2, 7))
    for _ in range(int(rng.integers(1, 3))):
        n_out = int(rng.integers(2, 7))
        shapes += [(n_in, n_out), (n_out,)]
        n_in = n_out
    return shapes


def _grad_inputs(shape, lam=None, scale=1.0):
    def make(rng):
        # Standard normal draws are never exactly 0, where sign(0) = 0 would
        # be a convention rather than a gradient.
        value = lam if lam is not None else float(10 ** rng.uniform(-4, -1))
        return {"w": scale * rng.standard_normal(shape), "lam": float(value)}
    return make


# ---------------------------------------------------------------- dropout

def _activations(rng, shape, kind):
    """Layer activations with a clearly non-zero mean (so that forgetting the
    1 / (1 - rate) shows in the mean): after a ReLU, or around 1."""
    z = rng.standard_normal(shape)
    return np.abs(z) if kind == "relu" else 1.0 + z


def _dropout_inputs(shape, rate, kind="relu", training=None):
    """training None: leave it out (the default, True, applies)."""
    def make(rng):
        inputs = {"x": _activations(rng, shape, kind), "rate": float(rate), "rng": _rng_seed(rng)}
        if training is not None:
            inputs["training"] = bool(training)
        return inputs
    return make


def _dropout_backward_inputs(shape, rate, as_bool=False):
    def make(rng):
        keep = rng.random(shape) >= rate
        return {"dout": rng.standard_normal(shape),
                "mask": keep if as_bool else keep.astype(np.float64), "rate": float(rate)}
    return make


# ---------------------------------------------------------------- early stopping

def _es(losses, patience, min_delta=0.0, *, need=None, le=False, prev=False):
    """Keras EarlyStopping semantics in NumPy, plus the mistakes:
    `need` non-improving epochs in a row stop training (Keras: max(patience, 1),
    because it counts the current epoch before comparing with patience);
    `le`: an equal loss counts as an improvement; `prev`: compare with the
    previous epoch instead of the best so far.
    Returns (stop_epoch, best_epoch, triggered)."""
    losses = [float(v) for v in np.asarray(losses, dtype=np.float64).reshape(-1)]
    need = max(int(patience), 1) if need is None else need
    md = abs(float(min_delta))
    best, best_epoch, wait = None, 0, 0
    for epoch, value in enumerate(losses):
        ref = losses[epoch - 1] if prev and epoch > 0 else best
        improved = ref is None or (value <= ref - md if le else value < ref - md)
        if improved:
            best, best_epoch, wait = value, epoch, 0
            continue
        wait += 1
        if wait >= need:
            return epoch, best_epoch, True
    return len(losses) - 1, best_epoch, False


def _es_pair(inputs, **kw):
    stop, best, _ = _es(inputs["val_losses"], inputs["patience"], inputs.get("min_delta", 0.0), **kw)
    return stop, best


def _val_curve(rng, n_epochs, noise):
    """A validation-loss curve: fast initial drop, then overfitting sets in
    and the loss creeps up again; noisy, rounded to 3 decimals."""
    e = np.arange(n_epochs, dtype=np.float64)
    floor, amp, tau = rng.uniform(0.15, 0.35), rng.uniform(0.5, 1.0), rng.uniform(1.5, 4.0)
    onset, rise = rng.uniform(0.3, 0.6) * n_epochs, rng.uniform(0.003, 0.012)
    curve = floor + amp * np.exp(-e / tau) + rise * np.maximum(e - onset, 0.0) ** 1.3
    return np.round(curve + noise * rng.standard_normal(n_epochs), 3)


def _with_ties(rng, losses, count):
    """Repeat the value of `count` epochs that set a new minimum in the next
    epoch: an exact tie with the best so far (exact in any precision)."""
    losses = losses.copy()
    running = np.minimum.accumulate(losses)
    new_best = [k for k in range(len(losses) - 1) if losses[k] == running[k]]
    for k in rng.permutation(new_best)[:count]:
        losses[k + 1] = losses[k]
    return losses


# Predicates a drawn case must satisfy: the listed mistakes give a different
# answer on it (so they fail with certainty, not by luck of the draw).
def _stops(i):
    return _es(i["val_losses"], i["patience"], i.get("min_delta", 0.0))[2]


def _never_stops(i):
    stop, best, triggered = _es(i["val_losses"], i["patience"], i.get("min_delta", 0.0))
    return not triggered and best + i["patience"] > stop


def _off_by_one_shows(i):
    need = max(i["patience"], 1)
    right = _es_pair(i)
    return _es_pair(i, need=need + 1) != right and (need < 2 or _es_pair(i, need=need - 1) != right)


def _best_not_last(i):
    # a "last epoch is the best" mistake then shows when training never stops
    return _es_pair(i)[1] != len(i["val_losses"]) - 1


def _later_minimum(i):
    return int(np.argmin(i["val_losses"])) != _es_pair(i)[1]


def _ties_show(i):
    return _es_pair(i, le=True) != _es_pair(i)


def _min_delta_shows(i):
    return _es_pair({**i, "min_delta": 0.0}) != _es_pair(i)


def _previous_shows(i):
    return _es_pair(i, prev=True) != _es_pair(i)


# min_delta: odd multiples of 0.0005 on losses with 3 decimals, so that
# loss + min_delta is never within 5e-4 of another loss.
_MIN_DELTAS = (0.0025, 0.0055, 0.0105, 0.0155)


def _fixed_es(val_losses, patience, min_delta=None, as_array=False):
    def make(rng):
        losses = np.array(val_losses, dtype=np.float64)
        inputs = {"val_losses": losses if as_array else [float(v) for v in losses],
                  "patience": int(patience)}
        if min_delta is not None:
            inputs["min_delta"] = float(min_delta)
        return inputs
    return make


def _random_es(n_epochs, patience, noise=0.01, min_delta=False, ties=0, want=(), as_array=False):
    """A drawn validation curve; patience an int or (low, high); redrawn until
    every predicate in `want` holds (a few draws at most: see the tests)."""
    def make(rng):
        for _ in range(5000):
            n = int(rng.integers(*n_epochs)) if isinstance(n_epochs, tuple) else n_epochs
            losses = _val_curve(rng, n, noise)
            if ties:
                losses = _with_ties(rng, losses, ties)
            p = int(rng.integers(*patience)) if isinstance(patience, tuple) else patience
            inputs = {"val_losses": losses if as_array else [float(v) for v in losses],
                      "patience": p}
            if min_delta:
                inputs["min_delta"] = float(rng.choice(_MIN_DELTAS))
            if all(pred(inputs) for pred in want):
                return inputs
        raise RuntimeError("no validation curve with the wanted properties")
    return make


# ================================================================ hints

def _lam(i):
    return float(i["lam"])


def _arrays(i):
    return [np.asarray(w, dtype=np.float64) for w in i["weights"]]


def _only_if(condition, alternative):
    """An alternative that only counts when `condition(inputs)` holds."""
    def alt(i):
        return alternative(i) if condition(i) else None
    return alt


def _several(i):
    return len(i["weights"]) > 1


# ---------------------------------------------------------------- l1 / l2 penalties

L1_NO_ABS = Hint(
    "Your penalty equals lam * sum(w): the L1 penalty sums the absolute values "
    "|w|, so negative weights add to it too.",
    hints.matches(lambda i: _lam(i) * sum(float(np.sum(w)) for w in _arrays(i))))

L1_MEAN = Hint(
    "Your penalty uses a mean where Keras sums: L1(lam) is lam * sum(|w|) over every "
    "entry of every array, not an average.",
    hints.matches(lambda i: _lam(i) * sum(float(np.mean(np.abs(w))) for w in _arrays(i)),
                  lambda i: _lam(i) * float(np.mean(np.abs(np.concatenate(
                      [w.ravel() for w in _arrays(i)]))))))

def _matrix_norm_l1(i):
    """lam * sum of np.linalg.norm(w, 1): the largest column sum of |w| for a
    matrix (sum |w| for a vector); None when no array is a matrix."""
    arrays = _arrays(i)
    if not any(np.ndim(w) == 2 for w in arrays):
        return None
    return _lam(i) * sum(float(np.max(np.sum(np.abs(w), axis=0))) if np.ndim(w) == 2
                         else float(np.sum(np.abs(w))) for w in arrays)


L1_MATRIX_NORM = Hint(
    "np.linalg.norm(w, 1) of a matrix is a matrix norm (the largest column sum of |w|), "
    "not the sum of all |w|: use np.sum(np.abs(w)).",
    hints.matches(_matrix_norm_l1))

L1_ONE_ARRAY = Hint(
    "Your penalty covers only one array of the list: add up the penalties of all "
    "arrays in weights (e.g. total += ... in the loop, return after it).",
    hints.matches(_only_if(_several, lambda i: _lam(i) * float(np.sum(np.abs(_arrays(i)[0])))),
                  _only_if(_several, lambda i: _lam(i) * float(np.sum(np.abs(_arrays(i)[-1]))))))

L2_HALF = Hint(
    "Your penalty is half the expected one: Keras's L2(lam) is lam * sum(w**2), "
    "without the factor 1/2 some textbooks use.",
    hints.scaled(lambda i: [0.5]))

L2_NORM = Hint(
    "Your penalty uses the norm sqrt(sum(w**2)); the L2 penalty is the squared norm, "
    "lam * sum(w**2).",
    hints.matches(lambda i: _lam(i) * math.sqrt(sum(float(np.sum(w ** 2)) for w in _arrays(i))),
                  lambda i: _lam(i) * sum(math.sqrt(float(np.sum(w ** 2))) for w in _arrays(i))))

L2_MEAN = Hint(
    "Your penalty uses a mean where Keras sums: L2(lam) is lam * sum(w**2) over every "
    "entry of every array, not an average.",
    hints.matches(lambda i: _lam(i) * sum(float(np.mean(w ** 2)) for w in _arrays(i)),
                  lambda i: _lam(i) * float(np.mean(np.concatenate(
                      [w.ravel() for w in _arrays(i)]) ** 2))))

L2_ONE_ARRAY = Hint(
    "Your penalty covers only one array of the list: add up the penalties of all "
    "arrays in weights.",
    hints.matches(_only_if(_several, lambda i: _lam(i) * float(np.sum(_arrays(i)[0] ** 2))),
                  _only_if(_several, lambda i: _lam(i) * float(np.sum(_arrays(i)[-1] ** 2)))))


def _sums(i):
    ws = _arrays(i)
    return sum(float(np.sum(np.abs(w))) for w in ws), sum(float(np.sum(w ** 2)) for w in ws)


EN_SWAPPED = Hint(
    "Your l1 and l2 factors are swapped: l1 multiplies sum(|w|) and l2 multiplies "
    "sum(w**2).",
    hints.matches(lambda i: i["l2"] * _sums(i)[0] + i["l1"] * _sums(i)[1]))

EN_HALF = Hint(
    "Your L2 part carries a factor 1/2: Keras's L1L2(l1, l2) is "
    "l1 * sum(|w|) + l2 * sum(w**2), no 1/2.",
    hints.matches(lambda i: i["l1"] * _sums(i)[0] + 0.5 * i["l2"] * _sums(i)[1]))

EN_ONE_TERM = Hint(
    "Your penalty has only one of the two terms: the elastic net adds the L1 "
    "penalty l1 * sum(|w|) and the L2 penalty l2 * sum(w**2).",
    hints.matches(lambda i: i["l1"] * _sums(i)[0], lambda i: i["l2"] * _sums(i)[1]))

# ---------------------------------------------------------------- penalty gradients


def _w(i):
    return np.asarray(i["w"], dtype=np.float64)


L1G_NOT_SIGN = Hint(
    "The derivative of |w| is sign(w) (+1 or -1), not |w| or w: "
    "the gradient is lam * np.sign(w).",
    hints.matches(lambda i: _lam(i) * np.abs(_w(i)), lambda i: _lam(i) * _w(i),
                  lambda i: 2 * _lam(i) * _w(i)))

L1G_NO_LAM = Hint(
    "You forgot the factor lam: the gradient of lam * sum(|w|) is lam * sign(w).",
    hints.matches(lambda i: np.sign(_w(i))))

L2G_NO_TWO = Hint(
    "Your gradient is half the expected one: d/dw of lam * w**2 is 2 * lam * w "
    "(Keras's L2 has no 1/2 to cancel the 2).",
    hints.scaled(lambda i: [0.5]))

L2G_SIGN = Hint(
    "Your gradient has the wrong sign: the penalty grows with |w|, so its gradient "
    "2 * lam * w points away from 0 (the update w - lr * grad then shrinks w).",
    hints.scaled(lambda i: [-1.0, -0.5]))

# ---------------------------------------------------------------- dropout


DO_NO_SCALE = Hint(
    "Your out equals x * mask: inverted dropout also divides the kept units by "
    "(1 - rate), so that the expected value of out stays x.",
    hints.local(student_side.out_not_rescaled))

DO_MULTIPLIED = Hint(
    "Your out equals x * mask * (1 - rate): divide by (1 - rate) instead. The kept "
    "units are scaled *up*, to make up for the dropped ones.",
    hints.local(student_side.out_multiplied))


DO_MASK_INVERTED = Hint(
    "Your mask marks the dropped units: it must be 1 (True) where a unit is kept "
    "and 0 where it is dropped, so that out = x * mask / (1 - rate).",
    hints.local(student_side.mask_inverted))


DO_KEEP_SWAPPED = Hint(
    "About a fraction `rate` of your units is kept: rate is the probability of "
    "*dropping* a unit, so keep each one with probability 1 - rate "
    "(e.g. mask = rng.random(x.shape) >= rate).",
    hints.local(student_side.keep_swapped))


DO_AT_INFERENCE = Hint(
    "With training=False dropout is switched off: return x unchanged and a mask of "
    "ones. Inverted dropout did its rescaling during training, so nothing is scaled "
    "at inference.",
    hints.local(student_side.active_at_inference))


def _mask_f(i):
    return np.asarray(i["mask"]).astype(np.float64)


DB_NO_SCALE = Hint(
    "Your gradient equals dout * mask: the forward pass divided the kept units by "
    "(1 - rate), so the backward pass divides by (1 - rate) too.",
    hints.matches(lambda i: i["dout"] * _mask_f(i)))

DB_MULTIPLIED = Hint(
    "Your gradient equals dout * mask * (1 - rate): the forward pass *divides* by "
    "(1 - rate), and so does its derivative.",
    hints.matches(lambda i: i["dout"] * _mask_f(i) * (1.0 - i["rate"])))

DB_RATE = Hint(
    "You divide by rate: the kept units were scaled by 1 / (1 - rate), where rate is "
    "the probability of dropping a unit.",
    hints.matches(lambda i: i["dout"] * _mask_f(i) / i["rate"]))

DB_MASK_INVERTED = Hint(
    "Your gradient flows through the dropped units: it must pass where mask is 1 "
    "(kept) and be 0 where mask is 0.",
    hints.matches(lambda i: i["dout"] * (1.0 - _mask_f(i)) / (1.0 - i["rate"])))

# ---------------------------------------------------------------- early stopping


def _off_by_one_answers(i):
    """What stopping one non-improving epoch later or earlier gives (`wait >
    patience`, `wait == patience` checked before counting, ...): training may
    then run on and find a new best, so both epochs can change."""
    need = max(int(i["patience"]), 1)
    answers = [_es_pair(i, need=need + 1)]
    if need > 1:
        answers.append(_es_pair(i, need=need - 1))
    return answers


def _unless_off_by_one(alternative):
    """An alternative that says nothing where it equals an off-by-one answer
    (that mistake is the likelier one, and ES_OFF_BY_ONE says it)."""
    def alt(i):
        value = alternative(i)
        return None if value is None or tuple(value) in _off_by_one_answers(i) else value
    return alt


ES_OFF_BY_ONE = Hint(
    "You stop one epoch too early or too late (and may then see another best epoch). Keras "
    "counts the non-improving epochs since the best one and stops at the epoch where "
    "that count reaches patience (the first such epoch when patience is 0 or 1).",
    hints.any_of(
        hints.local(student_side.stop_off_by_one),
        hints.matches(lambda i: _off_by_one_answers(i)[0],
                      lambda i: _off_by_one_answers(i)[-1])))

ES_ONE_BASED = Hint(
    "Both your epochs are one too large: epochs are counted from 0 here "
    "(the first validation loss is epoch 0), not from 1 as Keras prints them.",
    hints.local(student_side.one_based))

ES_TIES = Hint(
    "You count an equal loss as an improvement. Keras needs a strictly better one: "
    "loss < best - min_delta, so a tie with the best so far is no improvement.",
    hints.matches(_unless_off_by_one(lambda i: _es_pair(i, le=True))))

ES_MIN_DELTA = Hint(
    "You ignore min_delta: an epoch only counts as an improvement if it beats the best "
    "loss so far by more than min_delta, i.e. loss < best - min_delta.",
    hints.matches(_unless_off_by_one(_only_if(lambda i: i.get("min_delta", 0.0) > 0,
                                              lambda i: _es_pair({**i, "min_delta": 0.0})))))

ES_PAST_THE_END = Hint(
    "Your stop_epoch lies beyond the last epoch. If patience never runs out, training "
    "simply ends: stop_epoch is then the last epoch, len(val_losses) - 1.",
    hints.local(student_side.past_the_end))

ES_GLOBAL_MINIMUM = Hint(
    "Your best_epoch is the minimum of the whole sequence, but training never sees "
    "the epochs after it stops: best_epoch is the best epoch up to stop_epoch.",
    hints.local(student_side.global_minimum,
                make_args=lambda i: {"off_by_one": [list(a) for a in _off_by_one_answers(i)]}))

ES_PREVIOUS_EPOCH = Hint(
    "You compare each loss with the previous epoch's. Keras compares with the best "
    "loss so far: a small dip after a bad epoch is not an improvement.",
    hints.matches(_unless_off_by_one(lambda i: _es_pair(i, prev=True))))


SPLIT_NOT_SHUFFLED = Hint(
    "Your sets are contiguous blocks (0, 1, 2, ... in order): shuffle first, e.g. "
    "order = rng.permutation(n_samples), then cut order into the three sets.",
    hints.local(student_side.split_not_shuffled))

SPLIT_TRUNCATED = Hint(
    "Your sizes come from int(f * n), which always rounds down: the rounding errors pile "
    "up in the last set. Round instead (e.g. cut at round(cumulative fraction * n)).",
    hints.local(student_side.split_truncated))

SPLIT_REPLACEMENT = Hint(
    "Some indices are drawn more than once: draw one permutation of range(n_samples) "
    "(rng.permutation) and cut it, rather than drawing each set separately or "
    "with replacement.",
    hints.local(student_side.split_with_replacement))


_SPLIT_TRAIN_HEAVY = (0.8, 0.1, 0.1)

ASSIGNMENT = Assignment(
    id="regularization",
    title="Generalization and regularization",
    checks=[
        Check(
            function="train_val_test_split", points=12, reference=REF + "train_val_test_split",
            returns="tuple", outputs=_SPLIT_NAMES, verify=student_side.verify_split,
            cases=[
                Case("100 samples, fractions (0.7, 0.15, 0.15)", _split_inputs(100, (0.7, 0.15, 0.15))),
                Case("43 samples, fractions (0.6, 0.2, 0.2): 0.6 * 43 = 25.8 is not whole",
                     _split_inputs(43, (0.6, 0.2, 0.2))),
                Case("70 samples, fractions (0.62, 0.19, 0.19): the three rounded sizes sum to 69",
                     _split_inputs(70, (0.62, 0.19, 0.19))),
                Case("hidden: fractions (0.8, 0.1, 0.1)",
                     _split_inputs((200, 1000), _SPLIT_TRAIN_HEAVY, truncation_fails=True), hidden=True),
                Case("hidden: uneven fractions (0.5, 0.3, 0.2)",
                     _split_inputs((40, 120), (0.5, 0.3, 0.2), truncation_fails=True), hidden=True),
                Case("hidden: a large data set", _split_inputs((10000, 20000), (0.7, 0.2, 0.1)),
                     hidden=True),
                Case("hidden: a small data set, fractions (0.6, 0.2, 0.2)",
                     _split_inputs((40, 70), (0.6, 0.2, 0.2), truncation_fails=True), hidden=True),
                Case("hidden: sizes that don't round to n_samples",
                     _split_inputs((40, 400), (0.62, 0.19, 0.19), rounding_fails=True), hidden=True),
            ],
            hints=[SPLIT_NOT_SHUFFLED, SPLIT_TRUNCATED, SPLIT_REPLACEMENT],
        ),
        Check(
            function="l1_penalty", points=8, reference=REF + "l1_penalty", returns="scalar",
            cases=[
                Case("one (3, 4) kernel, lam = 0.01", _penalty_inputs([(3, 4)], lam=0.01)),
                Case("a small network: kernels and biases of different shapes, lam = 0.001",
                     _penalty_inputs(_DENSE_NET, lam=0.001)),
                Case("hidden: random shapes, random lam", _penalty_inputs(_random_shapes), hidden=True),
                Case("hidden: a conv kernel and a dense kernel", _penalty_inputs(_CONV_NET), hidden=True),
                Case("hidden: large weights, small lam", _penalty_inputs(_DENSE_NET, lam=1e-4,
                                                                        scale=50.0), hidden=True),
            ],
            hints=[L1_NO_ABS, L1_MEAN, L1_ONE_ARRAY, L1_MATRIX_NORM],
        ),
        Check(
            function="l2_penalty", points=8, reference=REF + "l2_penalty", returns="scalar",
            cases=[
                Case("one (3, 4) kernel, lam = 0.01", _penalty_inputs([(3, 4)], lam=0.01)),
                Case("a small network: kernels and biases of different shapes, lam = 0.001",
                     _penalty_inputs(_DENSE_NET, lam=0.001)),
                Case("hidden: random shapes, random lam", _penalty_inputs(_random_shapes), hidden=True),
                Case("hidden: a conv kernel and a dense kernel", _penalty_inputs(_CONV_NET), hidden=True),
                Case("hidden: large weights, small lam", _penalty_inputs(_DENSE_NET, lam=1e-4,
                                                                        scale=50.0), hidden=True),
            ],
            hints=[L2_HALF, L2_NORM, L2_MEAN, L2_ONE_ARRAY],
        ),
        Check(
            function="elastic_net_penalty", points=8, reference=REF + "elastic_net_penalty",
            returns="scalar",
            cases=[
                Case("one (3, 4) kernel, l1 = 0.01, l2 = 0.003",
                     _elastic_inputs([(3, 4)], l1=0.01, l2=0.003)),
                Case("a small network, l1 = 0.001, l2 = 0.02",
                     _elastic_inputs(_DENSE_NET, l1=0.001, l2=0.02)),
                Case("hidden: a conv kernel and a dense kernel, random factors",
                     _elastic_inputs(_CONV_NET), hidden=True),
                Case("hidden: l1 = 0 (pure L2)", _elastic_inputs(_DENSE_NET, l1=0.0), hidden=True),
                Case("hidden: large weights", _elastic_inputs(_DENSE_NET, scale=30.0), hidden=True),
            ],
            hints=[EN_SWAPPED, EN_HALF, EN_ONE_TERM],
        ),
        Check(
            function="l1_penalty_grad", points=8, reference=REF + "l1_penalty_grad",
            cases=[
                Case("(3, 4) kernel, lam = 0.01", _grad_inputs((3, 4), lam=0.01)),
                Case("a bias vector, lam = 0.5", _grad_inputs((6,), lam=0.5)),
                Case("hidden: 4-D conv kernel", _grad_inputs((3, 3, 2, 4)), hidden=True),
                Case("hidden: large weights", _grad_inputs((5, 3), scale=100.0), hidden=True),
                Case("hidden: tiny weights", _grad_inputs((4, 4), scale=1e-3), hidden=True),
            ],
            hints=[L1G_NOT_SIGN, L1G_NO_LAM],
        ),
        Check(
            function="l2_penalty_grad", points=8, reference=REF + "l2_penalty_grad",
            cases=[
                Case("(3, 4) kernel, lam = 0.01", _grad_inputs((3, 4), lam=0.01)),
                Case("a bias vector, lam = 0.5", _grad_inputs((6,), lam=0.5)),
                Case("hidden: 4-D conv kernel", _grad_inputs((3, 3, 2, 4)), hidden=True),
                Case("hidden: large weights", _grad_inputs((5, 3), scale=100.0), hidden=True),
                Case("hidden: tiny weights", _grad_inputs((4, 4), scale=1e-3), hidden=True),
            ],
            hints=[L2G_NO_TWO, L2G_SIGN],
        ),
        Check(
            function="dropout_forward", points=18, reference=REF + "dropout_forward",
            returns="tuple", outputs=("out", "mask"), verify=student_side.verify_dropout,
            cases=[
                Case("(200, 100) ReLU activations, rate 0.3", _dropout_inputs((200, 100), 0.3)),
                Case("(50, 20, 20) activations around 1, rate 0.1",
                     _dropout_inputs((50, 20, 20), 0.1, kind="around_one")),
                Case("training=False: out is x and the mask is all ones",
                     _dropout_inputs((4, 6), 0.3, training=False)),
                Case("hidden: NHWC feature maps, rate 0.75 (most units dropped)",
                     _dropout_inputs((4, 10, 10, 50), 0.75), hidden=True),
                Case("hidden: 1-D input, rate 0.2, training=True",
                     _dropout_inputs((20000,), 0.2, kind="around_one", training=True), hidden=True),
                Case("hidden: rate 0.6", _dropout_inputs((100, 200), 0.6), hidden=True),
                Case("hidden: training=False", _dropout_inputs((100, 200), 0.6, training=False),
                     hidden=True),
            ],
            hints=[DO_NO_SCALE, DO_MULTIPLIED, DO_MASK_INVERTED, DO_KEEP_SWAPPED, DO_AT_INFERENCE],
        ),
        Check(
            function="dropout_backward", points=8, reference=REF + "dropout_backward",
            cases=[
                Case("(4, 5) gradient, 0/1 float mask, rate 0.25",
                     _dropout_backward_inputs((4, 5), 0.25)),
                Case("boolean mask, rate 0.4", _dropout_backward_inputs((6, 3), 0.4, as_bool=True)),
                Case("hidden: NHWC, float mask, rate 0.1",
                     _dropout_backward_inputs((2, 4, 4, 3), 0.1), hidden=True),
                Case("hidden: boolean mask, rate 0.8",
                     _dropout_backward_inputs((10, 7), 0.8, as_bool=True), hidden=True),
                Case("hidden: 1-D, rate 0.3", _dropout_backward_inputs((30,), 0.3), hidden=True),
            ],
            hints=[DB_NO_SCALE, DB_MULTIPLIED, DB_RATE, DB_MASK_INVERTED],
        ),
        Check(
            function="early_stopping", points=22, reference=REF + "early_stopping",
            returns="tuple", outputs=("stop_epoch", "best_epoch"),
            cases=[
                Case("stops: best at epoch 4, patience 3 (min_delta left at its default)",
                     _fixed_es([0.912, 0.634, 0.488, 0.421, 0.397, 0.405, 0.399, 0.412, 0.430,
                                0.455, 0.390], patience=3)),
                Case("never stops: patience 2 and an improvement every other epoch",
                     _fixed_es([1.204, 0.951, 0.962, 0.813, 0.825, 0.702, 0.715, 0.651, 0.660],
                               patience=2, min_delta=0.0)),
                Case("plateau: with min_delta = 0.0075 the small gains after epoch 2 don't count",
                     _fixed_es([0.800, 0.600, 0.500, 0.497, 0.494, 0.496, 0.490, 0.470],
                               patience=3, min_delta=0.0075)),
                Case("patience 0 and a tie (an equal loss is no improvement), NumPy array input",
                     _fixed_es([0.700, 0.550, 0.550, 0.480, 0.460], patience=0, as_array=True)),
                Case("hidden: noisy curve, patience 2 to 6",
                     _random_es((25, 40), (2, 7), noise=0.02,
                                want=(_stops, _off_by_one_shows, _later_minimum)), hidden=True),
                Case("hidden: plateau with min_delta",
                     _random_es((20, 35), (2, 5), noise=0.004, min_delta=True,
                                want=(_stops, _min_delta_shows)), hidden=True),
                Case("hidden: patience 1 with ties",
                     _random_es((15, 30), 1, noise=0.01, ties=3, want=(_stops, _ties_show)),
                     hidden=True),
                Case("hidden: never stops",
                     _random_es((12, 20), (3, 6), noise=0.003, want=(_never_stops, _best_not_last)), hidden=True),
                Case("hidden: a dip after a bad epoch is not an improvement",
                     _random_es((25, 40), (2, 5), noise=0.03,
                                want=(_stops, _previous_shows, _off_by_one_shows)), hidden=True),
                Case("hidden: NumPy array input, min_delta and patience 0",
                     _random_es((15, 30), 0, noise=0.01, min_delta=True, as_array=True,
                                want=(_stops,)), hidden=True),
            ],
            hints=[ES_OFF_BY_ONE, ES_ONE_BASED, ES_TIES, ES_MIN_DELTA, ES_PAST_THE_END,
                   ES_GLOBAL_MINIMUM, ES_PREVIOUS_EPOCH],
        ),
    ],
)
