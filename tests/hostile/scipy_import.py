import numpy as np


def minibatch_indices(n_samples, batch_size, rng):
    import scipy.stats
    order = scipy.stats.rankdata(rng.random(n_samples)).astype(int) - 1
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]
