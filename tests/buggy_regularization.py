"""NumPy implementations for testing the `regularization` check table: one
correct version of every graded function, and deliberately wrong ones that
each make one known mistake (the ones the hints and property checks are about).

Written independently of the helpers in checks/regularization.py
(the early-stopping loop here counts "epochs since the best", the detectors'
simulator counts a `wait` like Keras), so that a passing test means two
different implementations agree with the TF reference.
"""
from __future__ import annotations

from functools import partial

import numpy as np

# ============================================================ train_val_test_split


def train_val_test_split(n_samples, fractions, rng):
    order = rng.permutation(n_samples)
    cuts = np.round(np.cumsum(fractions)[:2] * n_samples).astype(int)
    train, val, test = np.split(order, cuts)
    return train, val, test


def train_val_test_split_floor_cumsum(n_samples, fractions, rng):
    # Also correct: np.split at floor(cumulative fraction * n) keeps every size within 1.
    order = rng.permutation(n_samples)
    return tuple(np.split(order, (np.cumsum(fractions)[:2] * n_samples).astype(int)))


def train_val_test_split_not_shuffled(n_samples, fractions, rng):
    order = np.arange(n_samples)
    return tuple(np.split(order, np.round(np.cumsum(fractions)[:2] * n_samples).astype(int)))


def train_val_test_split_sorted(n_samples, fractions, rng):
    # A shuffle that is undone: np.sort of the permutation is the identity.
    order = np.sort(rng.permutation(n_samples))
    return tuple(np.split(order, np.round(np.cumsum(fractions)[:2] * n_samples).astype(int)))


def train_val_test_split_truncated(n_samples, fractions, rng):
    order = rng.permutation(n_samples)
    n_train, n_val = int(fractions[0] * n_samples), int(fractions[1] * n_samples)
    return order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]


def train_val_test_split_replacement(n_samples, fractions, rng):
    sizes = np.round(np.array(fractions) * n_samples).astype(int)
    sizes[2] = n_samples - sizes[0] - sizes[1]
    return tuple(rng.choice(n_samples, size=s, replace=True) for s in sizes)


def train_val_test_split_global_state(n_samples, fractions, rng):
    order = np.random.permutation(n_samples)
    return tuple(np.split(order, np.round(np.cumsum(fractions)[:2] * n_samples).astype(int)))


def train_val_test_split_unseeded(n_samples, fractions, rng):
    order = np.random.default_rng().permutation(n_samples)
    return tuple(np.split(order, np.round(np.cumsum(fractions)[:2] * n_samples).astype(int)))


def train_val_test_split_float(n_samples, fractions, rng):
    train, val, test = train_val_test_split(n_samples, fractions, rng)
    return train.astype(float), val.astype(float), test.astype(float)


def train_val_test_split_list(n_samples, fractions, rng):
    return list(train_val_test_split(n_samples, fractions, rng))[:2]


def train_val_test_split_own_generator(n_samples, fractions, rng):
    rng = np.random.default_rng(42)   # ignores the rng it is given
    return train_val_test_split(n_samples, fractions, rng)


def train_val_test_split_np_seed(n_samples, fractions, rng):
    np.random.seed(0)
    order = np.random.permutation(n_samples)
    return tuple(np.split(order, np.round(np.cumsum(fractions)[:2] * n_samples).astype(int)))


def train_val_test_split_evenly_spaced(n_samples, fractions, rng):
    # No randomness at all: evens first, then odds, so no set is one block.
    order = np.concatenate([np.arange(0, n_samples, 2), np.arange(1, n_samples, 2)])
    return tuple(np.split(order, np.round(np.cumsum(fractions)[:2] * n_samples).astype(int)))


def train_val_test_split_rounded_one_by_one(n_samples, fractions, rng):
    order = rng.permutation(n_samples)
    a, b, c = (int(round(f * n_samples)) for f in fractions)
    return order[:a], order[a:a + b], order[a + b:a + b + c]


def train_val_test_split_ceil(n_samples, fractions, rng):
    order = rng.permutation(n_samples)
    a, b = int(np.ceil(fractions[0] * n_samples)), int(np.ceil(fractions[1] * n_samples))
    return order[:a], order[a:a + b], order[a + b:]


# ============================================================ penalties


def l1_penalty(weights, lam):
    total = 0.0
    for w in weights:
        total += np.abs(w).sum()
    return float(lam * total)


def l1_penalty_matrix_norm(weights, lam):
    # np.linalg.norm(w, 1) is a matrix norm for 2-D w (and fails for 4-D kernels)
    return float(lam * sum(np.linalg.norm(w, 1) for w in weights))


def l1_penalty_no_abs(weights, lam):
    return float(lam * sum(w.sum() for w in weights))


def l1_penalty_mean(weights, lam):
    return float(lam * sum(np.abs(w).mean() for w in weights))


def l1_penalty_last_only(weights, lam):
    for w in weights:
        total = lam * np.abs(w).sum()  # overwritten in every iteration
    return float(total)


def l2_penalty(weights, lam):
    return float(lam * sum(np.vdot(w, w) for w in weights))


def l2_penalty_half(weights, lam):
    return 0.5 * l2_penalty(weights, lam)


def l2_penalty_norm(weights, lam):
    return float(lam * np.sqrt(sum(np.sum(w ** 2) for w in weights)))


def l2_penalty_mean(weights, lam):
    return float(lam * sum(np.mean(w ** 2) for w in weights))


def l2_penalty_first_only(weights, lam):
    for w in weights:
        return float(lam * np.sum(w ** 2))  # returns inside the loop


def elastic_net_penalty(weights, l1, l2):
    return l1_penalty(weights, l1) + l2_penalty(weights, l2)


def elastic_net_penalty_swapped(weights, l1, l2):
    return l1_penalty(weights, l2) + l2_penalty(weights, l1)


def elastic_net_penalty_half(weights, l1, l2):
    return l1_penalty(weights, l1) + 0.5 * l2_penalty(weights, l2)


def elastic_net_penalty_l1_only(weights, l1, l2):
    return l1_penalty(weights, l1)


def l1_penalty_grad(w, lam):
    return lam * np.sign(w)


def l1_penalty_grad_abs(w, lam):
    return lam * np.abs(w)


def l1_penalty_grad_identity(w, lam):
    return lam * w


def l1_penalty_grad_no_lam(w, lam):
    return np.sign(w)


def l2_penalty_grad(w, lam):
    return 2.0 * lam * w


def l2_penalty_grad_no_two(w, lam):
    return lam * w


def l2_penalty_grad_sign(w, lam):
    return -2.0 * lam * w


# ============================================================ dropout


def dropout_forward(x, rate, rng, training=True):
    if not training:
        return x, np.ones_like(x)
    mask = rng.random(x.shape) >= rate          # bool mask, kept with probability 1 - rate
    return x * mask / (1.0 - rate), mask


def dropout_forward_exact_count(x, rate, rng, training=True):
    # Wrong: keeps exactly round((1 - rate) * n) units, chosen at random; units
    # must be dropped independently, so the kept count varies.
    if not training:
        return x.copy(), np.ones(x.shape)
    n_keep = int(round((1.0 - rate) * x.size))
    mask = np.zeros(x.size)
    mask[rng.permutation(x.size)[:n_keep]] = 1.0
    mask = mask.reshape(x.shape)
    return x * mask / (1.0 - rate), mask


def dropout_forward_no_scale(x, rate, rng, training=True):
    if not training:
        return x, np.ones_like(x)
    mask = rng.random(x.shape) >= rate
    return x * mask, mask


def dropout_forward_keep_rate(x, rate, rng, training=True):
    if not training:
        return x, np.ones_like(x)
    mask = rng.random(x.shape) < rate            # keeps with probability rate
    return x * mask / (1.0 - rate), mask


def dropout_forward_at_inference(x, rate, rng, training=True):
    mask = rng.random(x.shape) >= rate           # ignores training
    return x * mask / (1.0 - rate), mask


def dropout_forward_scaled_at_inference(x, rate, rng, training=True):
    if not training:                              # old-style dropout's test-time scaling
        return x * (1.0 - rate), np.ones_like(x)
    mask = rng.random(x.shape) >= rate
    return x * mask / (1.0 - rate), mask


def dropout_forward_multiplied(x, rate, rng, training=True):
    if not training:
        return x, np.ones_like(x)
    mask = rng.random(x.shape) >= rate
    return x * mask * (1.0 - rate), mask


def dropout_forward_drop_mask(x, rate, rng, training=True):
    if not training:
        return x, np.ones_like(x)
    dropped = rng.random(x.shape) < rate
    return x * ~dropped / (1.0 - rate), dropped  # returns the mask of dropped units


def dropout_forward_global_state(x, rate, rng, training=True):
    if not training:
        return x, np.ones_like(x)
    mask = np.random.random(x.shape) >= rate
    return x * mask / (1.0 - rate), mask


def dropout_forward_unseeded(x, rate, rng, training=True):
    if not training:
        return x, np.ones_like(x)
    mask = np.random.default_rng().random(x.shape) >= rate
    return x * mask / (1.0 - rate), mask


def dropout_forward_mask_scaled(x, rate, rng, training=True):
    if not training:
        return x, np.ones_like(x)
    mask = (rng.random(x.shape) >= rate) / (1.0 - rate)   # the scaled mask, not 0/1
    return x * mask, mask


def dropout_forward_correlated(x, rate, rng, training=True):
    # Drops the largest activations: right keep rate, right relation, wrong mean.
    if not training:
        return x, np.ones_like(x)
    mask = x <= np.quantile(x, 1.0 - rate)
    return x * mask / (1.0 - rate), mask


def dropout_forward_own_generator(x, rate, rng, training=True):
    return dropout_forward(x, rate, np.random.default_rng(42), training)


def dropout_forward_np_seed(x, rate, rng, training=True):
    if not training:
        return x, np.ones_like(x)
    np.random.seed(0)
    mask = np.random.random(x.shape) >= rate
    return x * mask / (1.0 - rate), mask


def dropout_backward(dout, mask, rate):
    return dout * mask / (1.0 - rate)


def dropout_backward_no_scale(dout, mask, rate):
    return dout * mask


def dropout_backward_multiplied(dout, mask, rate):
    return dout * mask * (1.0 - rate)


def dropout_backward_rate(dout, mask, rate):
    return dout * mask / rate


def dropout_backward_inverted_mask(dout, mask, rate):
    return np.where(mask, 0.0, dout) / (1.0 - rate)


# ============================================================ early stopping


def _early_stopping(val_losses, patience, min_delta=0.0, *, stop_after=None, one_based=False,
                    ties=False, use_min_delta=True, cap=True, global_best=False, previous=False):
    """Epochs since the best one; stop when that reaches max(patience, 1)
    (Keras counts the current epoch before comparing it with patience)."""
    losses = np.asarray(val_losses, dtype=float)
    needed = max(patience, 1) if stop_after is None else stop_after(patience)
    delta = min_delta if use_min_delta else 0.0
    best_epoch, since = 0, 0
    stop = None
    for epoch in range(1, len(losses)):
        reference = losses[epoch - 1] if previous else losses[best_epoch]
        better = losses[epoch] <= reference - delta if ties else losses[epoch] < reference - delta
        if better:
            best_epoch, since = epoch, 0
        else:
            since += 1
            if since >= needed:
                stop = epoch
                break
    if stop is None:
        stop = len(losses) - 1 if cap else best_epoch + patience
    if global_best:
        best_epoch = int(np.argmin(losses))
    if one_based:
        return stop + 1, best_epoch + 1
    return stop, best_epoch


early_stopping = partial(_early_stopping)
early_stopping_late = partial(_early_stopping, stop_after=lambda p: p + 1)
early_stopping_early = partial(_early_stopping, stop_after=lambda p: max(p - 1, 1))
early_stopping_one_based = partial(_early_stopping, one_based=True)
early_stopping_ties = partial(_early_stopping, ties=True)
early_stopping_ignores_min_delta = partial(_early_stopping, use_min_delta=False)
early_stopping_no_cap = partial(_early_stopping, cap=False)
early_stopping_global_best = partial(_early_stopping, global_best=True)
early_stopping_previous = partial(_early_stopping, previous=True)


def early_stopping_best_plus_patience(val_losses, patience, min_delta=0.0):
    # stop_epoch = best_epoch + patience, also when training would have ended first.
    _, best = early_stopping(val_losses, patience, min_delta)
    return best + patience, best


def early_stopping_last_is_best(val_losses, patience, min_delta=0.0):
    # Reports the last epoch as the best one when training never stops.
    stop, best = early_stopping(val_losses, patience, min_delta)
    triggered = stop < len(val_losses) - 1 or (stop - best >= max(patience, 1))
    return (stop, best) if triggered else (stop, stop)
