"""NumPy implementations for testing the `optimizers` check table: correct
versions of every step (in each accepted form) and deliberately wrong ones
that each make one known mistake. Written independently of the helpers in
checks/optimizers.py (one function per variant, plain code).
"""
from __future__ import annotations

import numpy as np

# ============================================================ SGD


def sgd_step(param, grad, learning_rate):
    return param - learning_rate * grad


def sgd_step_ascent(param, grad, learning_rate):
    return param + learning_rate * grad


def sgd_step_no_lr(param, grad, learning_rate):
    return param - grad


def sgd_step_update_only(param, grad, learning_rate):
    return -learning_rate * grad


def sgd_step_in_place(param, grad, learning_rate):
    param -= learning_rate * grad
    return param


# ============================================================ momentum


def momentum_step(param, grad, velocity, learning_rate, momentum):
    velocity = momentum * velocity - learning_rate * grad
    return param + velocity, velocity


def momentum_step_no_lr(param, grad, velocity, learning_rate, momentum):
    velocity = momentum * velocity - grad
    return param + velocity, velocity


def momentum_step_flipped(param, grad, velocity, learning_rate, momentum):
    velocity = momentum * velocity + learning_rate * grad
    return param - velocity, velocity


def momentum_step_old_velocity(param, grad, velocity, learning_rate, momentum):
    new_param = param + velocity
    return new_param, momentum * velocity - learning_rate * grad


def momentum_step_ema(param, grad, velocity, learning_rate, momentum):
    velocity = momentum * velocity + (1 - momentum) * grad
    return param - learning_rate * velocity, velocity


def momentum_step_lr_twice(param, grad, velocity, learning_rate, momentum):
    velocity = momentum * velocity - learning_rate * grad
    return param + learning_rate * velocity, velocity


def momentum_step_in_place(param, grad, velocity, learning_rate, momentum):
    velocity *= momentum
    velocity -= learning_rate * grad
    return param + velocity, velocity


# ============================================================ Adagrad


def adagrad_step(param, grad, accumulator, learning_rate, epsilon=1e-7):
    accumulator = accumulator + grad ** 2
    return param - learning_rate * grad / (np.sqrt(accumulator) + epsilon), accumulator


def adagrad_step_keras(param, grad, accumulator, learning_rate, epsilon=1e-7):
    accumulator = accumulator + grad * grad
    return param - learning_rate * grad / np.sqrt(accumulator + epsilon), accumulator


def adagrad_step_no_accumulation(param, grad, accumulator, learning_rate, epsilon=1e-7):
    new_acc = accumulator + grad ** 2
    return param - learning_rate * grad / (np.sqrt(grad ** 2) + epsilon), new_acc


def adagrad_step_replaces_accumulator(param, grad, accumulator, learning_rate, epsilon=1e-7):
    acc = grad ** 2
    return param - learning_rate * grad / np.sqrt(acc + epsilon), acc


def adagrad_step_no_sqrt(param, grad, accumulator, learning_rate, epsilon=1e-7):
    accumulator = accumulator + grad ** 2
    return param - learning_rate * grad / (accumulator + epsilon), accumulator


def adagrad_step_old_accumulator(param, grad, accumulator, learning_rate, epsilon=1e-7):
    new_param = param - learning_rate * grad / (np.sqrt(accumulator) + epsilon)
    return new_param, accumulator + grad ** 2


def adagrad_step_wrong_default_epsilon(param, grad, accumulator, learning_rate, epsilon=1e-8):
    return adagrad_step(param, grad, accumulator, learning_rate, epsilon)


def adagrad_step_in_place(param, grad, accumulator, learning_rate, epsilon=1e-7):
    accumulator += grad ** 2
    return param - learning_rate * grad / (np.sqrt(accumulator) + epsilon), accumulator


# ============================================================ Adam


def adam_step(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-7):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return param - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def adam_step_keras(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-7):
    m = m + (grad - m) * (1 - beta1)
    v = v + (grad * grad - v) * (1 - beta2)
    alpha = learning_rate * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return param - alpha * m / (np.sqrt(v) + epsilon), m, v


def adam_step_no_bias_correction(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                                 epsilon=1e-7):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return param - learning_rate * m / (np.sqrt(v) + epsilon), m, v


def adam_step_t_from_zero(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                          epsilon=1e-7):
    return adam_step(param, grad, m, v, t + 1, learning_rate, beta1, beta2, epsilon)


def adam_step_t_minus_one(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                          epsilon=1e-7):
    t = t - 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    alpha = learning_rate * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return param - alpha * m / (np.sqrt(v) + epsilon), m, v


def adam_step_hats_returned(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                            epsilon=1e-7):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m, v = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return param - learning_rate * m / (np.sqrt(v) + epsilon), m, v


def adam_step_eps_inside(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                         epsilon=1e-7):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return param - learning_rate * m_hat / np.sqrt(v_hat + epsilon), m, v


def adam_step_power_precedence(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                               epsilon=1e-7):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - (1 - beta1) ** t), v / (1 - (1 - beta2) ** t)
    return param - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def adam_step_wrong_default_epsilon(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                                    epsilon=1e-8):
    return adam_step(param, grad, m, v, t, learning_rate, beta1, beta2, epsilon)


def adam_step_in_place(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-7):
    m *= beta1
    m += (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return param - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def adam_step_float32(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-7):
    out = adam_step(param, grad, m, v, t, learning_rate, beta1, beta2, epsilon)
    return tuple(np.asarray(a, dtype=np.float32) for a in out)


def adam_step_returns_two(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                          epsilon=1e-7):
    return adam_step(param, grad, m, v, t, learning_rate, beta1, beta2, epsilon)[:2]


# ============================================================ hyperparameters ignored (must fail publicly)

def adagrad_step_fixed_epsilon(param, grad, accumulator, learning_rate, epsilon=1e-7):
    accumulator = accumulator + grad ** 2
    return param - learning_rate * grad / (np.sqrt(accumulator) + 1e-7), accumulator


def adam_step_fixed_betas(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-7):
    return adam_step(param, grad, m, v, t, learning_rate, 0.9, 0.999, epsilon)


def adam_step_fixed_epsilon(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-7):
    return adam_step(param, grad, m, v, t, learning_rate, beta1, beta2, 1e-7)


def adam_step_eps_keyword(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999, eps=1e-7):
    # the keyword renamed: a call with epsilon=... raises TypeError
    return adam_step(param, grad, m, v, t, learning_rate, beta1, beta2, eps)


def adagrad_step_returns_old_accumulator(param, grad, accumulator, learning_rate, epsilon=1e-7):
    new = accumulator + grad ** 2
    return param - learning_rate * grad / (np.sqrt(new) + epsilon), accumulator


def adam_step_moments_swapped(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                              epsilon=1e-7):
    # returns (param, v, m): the next call receives the moments swapped
    p, m_new, v_new = adam_step(param, grad, m, v, t, learning_rate, beta1, beta2, epsilon)
    return p, v_new, m_new


# ============================================================ more hinted mistakes

def momentum_step_pytorch(param, grad, velocity, learning_rate, momentum):
    velocity = momentum * velocity + grad
    return param - learning_rate * velocity, velocity


def adagrad_step_no_epsilon(param, grad, accumulator, learning_rate, epsilon=1e-7):
    accumulator = accumulator + grad ** 2
    return param - learning_rate * grad / np.sqrt(accumulator), accumulator


def adagrad_step_accumulates_abs(param, grad, accumulator, learning_rate, epsilon=1e-7):
    accumulator = accumulator + np.abs(grad)
    return param - learning_rate * grad / (np.sqrt(accumulator) + epsilon), accumulator


def adam_step_m_only(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-7):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return param - learning_rate * (m / (1 - beta1 ** t)) / (np.sqrt(v) + epsilon), m, v


def adam_step_powers_swapped(param, grad, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                             epsilon=1e-7):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta2 ** t), v / (1 - beta1 ** t)
    return param - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


# ============================================================ reduce_lr_on_plateau
# Plain loops written from Keras's ReduceLROnPlateau (monitor="val_loss"), one
# per variant; each wrong one makes exactly one mistake.


def reduce_lr_on_plateau(val_losses, learning_rate, factor=0.1, patience=10, min_delta=1e-4,
                         cooldown=0, min_lr=0.0):
    lr, best, wait, cooldown_left, lrs = learning_rate, None, 0, 0, []
    for loss in val_losses:
        lrs.append(lr)
        if cooldown_left > 0:
            cooldown_left -= 1
            wait = 0
        if best is None or loss < best - min_delta:
            best, wait = loss, 0
        elif cooldown_left == 0:
            wait += 1
            if wait >= patience and lr > min_lr:
                lr = max(lr * factor, min_lr)
                cooldown_left, wait = cooldown, 0
    return lrs


def reduce_lr_on_plateau_late(val_losses, learning_rate, factor=0.1, patience=10, min_delta=1e-4,
                              cooldown=0, min_lr=0.0):
    """Reduces when wait > patience: one epoch too late."""
    lr, best, wait, cooldown_left, lrs = learning_rate, None, 0, 0, []
    for loss in val_losses:
        lrs.append(lr)
        if cooldown_left > 0:
            cooldown_left -= 1
            wait = 0
        if best is None or loss < best - min_delta:
            best, wait = loss, 0
        elif cooldown_left == 0:
            wait += 1
            if wait > patience and lr > min_lr:
                lr = max(lr * factor, min_lr)
                cooldown_left, wait = cooldown, 0
    return lrs


def reduce_lr_on_plateau_no_cooldown(val_losses, learning_rate, factor=0.1, patience=10,
                                     min_delta=1e-4, cooldown=0, min_lr=0.0):
    lr, best, wait, lrs = learning_rate, None, 0, []
    for loss in val_losses:
        lrs.append(lr)
        if best is None or loss < best - min_delta:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience and lr > min_lr:
                lr = max(lr * factor, min_lr)
                wait = 0
    return lrs


def reduce_lr_on_plateau_non_strict(val_losses, learning_rate, factor=0.1, patience=10,
                                    min_delta=1e-4, cooldown=0, min_lr=0.0):
    """Counts an improvement of exactly min_delta."""
    lr, best, wait, cooldown_left, lrs = learning_rate, None, 0, 0, []
    for loss in val_losses:
        lrs.append(lr)
        if cooldown_left > 0:
            cooldown_left -= 1
            wait = 0
        if best is None or loss <= best - min_delta:
            best, wait = loss, 0
        elif cooldown_left == 0:
            wait += 1
            if wait >= patience and lr > min_lr:
                lr = max(lr * factor, min_lr)
                cooldown_left, wait = cooldown, 0
    return lrs


def reduce_lr_on_plateau_after_epoch(val_losses, learning_rate, factor=0.1, patience=10,
                                     min_delta=1e-4, cooldown=0, min_lr=0.0):
    """Records the rate set at the end of each epoch instead of the one in effect."""
    lrs = reduce_lr_on_plateau(list(val_losses) + [np.inf], learning_rate, factor, patience,
                               min_delta, cooldown, min_lr)
    return lrs[1:]


def reduce_lr_on_plateau_no_min_lr(val_losses, learning_rate, factor=0.1, patience=10,
                                   min_delta=1e-4, cooldown=0, min_lr=0.0):
    """Forgets the lower bound."""
    return reduce_lr_on_plateau(val_losses, learning_rate, factor, patience, min_delta, cooldown,
                                0.0)
