"""Data and metrics of the `cnn_physics` assignment: electron or pion in a calorimeter?

Pure NumPy, seeded, fast (about 0.1 s per 1000 showers), no downloads. The
same code is used by the grader (`checks/cnn_physics.py`) and,
verbatim, by the student notebook: everything between the two marker lines
below is copied into a locked notebook cell, and a test asserts that the cell
and this block are identical. Inside the grading sandbox there is no course
package, so the notebook must carry its own copy.

The model of the detector is deliberately simple but keeps the physics that
decides electron/pion separation in a single calorimeter layer:

* 16 x 16 cells, each about half a Molière radius wide; the image is the
  energy (GeV) per cell summed over depth; the particle hits a random point
  up to 3.5 cells from the centre (so showers near the edge leak out).
* Electrons: a compact electromagnetic shower, a narrow core plus a wider
  halo (radial profile 2 r R^2 / (r^2 + R^2)^2), sampling fluctuations
  12 % / sqrt(E) and a 1 % constant term.
* Pions: a hadronic shower. A fraction f_em of the energy goes into
  neutral pions (pi0 -> two photons), i.e. one to four compact
  electromagnetic sub-showers displaced from the axis; f_em fluctuates
  from shower to shower around Groom's mean 1 - (E / 1 GeV)^(k - 1), k = 0.82.
  The rest is a broad, clumpy hadronic component seen with a lower
  response (h/e = 0.6) and larger fluctuations (45 % / sqrt(E)). A pion
  that puts most of its energy into one pi0 looks like an electron: this
  is why perfect separation is impossible.
* Pile-up: a Poisson number (mean 2) of soft deposits (exponential, mean
  0.5 GeV) anywhere in the image; electronic noise: Gaussian, 50 MeV per cell.
"""
from __future__ import annotations

import numpy as np

# ----- BEGIN NOTEBOOK CELL: cnn_physics data -----
# The data set and the metric of this exercise (the grader uses exactly this code).
IMAGE_SHAPE = (16, 16, 1)      # calorimeter cells (rows, columns) x 1 channel, energy in GeV
N_OUTPUTS = 1                  # one score per shower: larger means "more electron-like"
TRAIN_SEED, N_TRAIN = 2024, 4000   # the public training set the grader trains on
EPOCHS, BATCH_SIZE = 15, 64    # the grader's training budget: model.fit(x, y, EPOCHS, BATCH_SIZE)
MAX_PARAMS = 50_000            # parameter budget (trainable and non-trainable)
TIME_LIMIT = 60.0              # seconds of training on the grader's machine (one CPU thread)
EFFICIENCY = 0.90              # electron efficiency at which the pion rejection is measured
REJECTION_ZERO, REJECTION_FULL = 5.0, 10.0   # no points up to the first, full marks from the second


def generate_showers(n, seed, image_size=IMAGE_SHAPE[0]):
    """Simulated calorimeter images of electrons (label 1) and pions (label 0).

    Returns images (n, image_size, image_size, 1) float32 in GeV, labels (n,)
    int64 (half of them 1, in random order) and the true energies (n,) in GeV.
    The same (n, seed) always gives the same showers.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 2).astype(np.int64)
    energy = np.exp(rng.uniform(np.log(10.0), np.log(100.0), n))
    centre = (image_size - 1) / 2 + rng.uniform(-3.5, 3.5, (n, 2))

    def ring(scale, shape):  # positions around 0 with radial profile 2 r R^2 / (r^2 + R^2)^2
        u = rng.uniform(0.0, 0.98, shape)
        r, phi = scale * np.sqrt(u / (1 - u)), rng.uniform(0, 2 * np.pi, shape)
        return np.stack([r * np.cos(phi), r * np.sin(phi)], axis=-1)

    def shares(k, shape):  # random energy shares that add up to 1; small k: clumpy
        w = rng.gamma(k, size=shape)
        return w / w.sum(axis=1, keepdims=True)

    n_spots = 96                                   # energy deposits per shower
    # Electrons: a narrow core (85 % of the deposits) and a wider halo.
    core = rng.uniform(size=(n, n_spots)) < 0.85
    em_xy = centre[:, None] + np.where(core[..., None], ring(0.45, (n, n_spots)),
                                       ring(1.5, (n, n_spots)))
    em_vis = energy * (1 + 0.12 / np.sqrt(energy) * rng.standard_normal(n)
                       + 0.01 * rng.standard_normal(n))
    em_e = shares(4.0, (n, n_spots)) * em_vis[:, None]

    # Pions: pi0 sub-showers (fraction f_em of the energy) + a broad hadronic part.
    mean_fem = 1 - energy ** (0.82 - 1)
    f_em = rng.beta(6 * mean_fem, 6 * (1 - mean_fem))
    h_over_e = 0.6
    had_vis = energy * (f_em + h_over_e * (1 - f_em)) * (1 + 0.45 / np.sqrt(energy)
                                                        * rng.standard_normal(n))
    em_part = f_em / (f_em + h_over_e * (1 - f_em))          # visible share of the pi0s
    half = n_spots // 2
    n_pi0 = 1 + np.minimum(rng.poisson(1.0, n), 3)           # 1 to 4 pi0 sub-showers
    which = rng.integers(0, 12, (n, half)) % n_pi0[:, None]  # sub-shower of each deposit
    pi0_axis = centre[:, None] + rng.normal(0.0, 1.2, (n, 4, 2))
    pi0_xy = np.take_along_axis(pi0_axis, which[..., None].repeat(2, axis=-1), axis=1) \
        + ring(0.45, (n, half))
    had_xy = centre[:, None] + ring(1.8, (n, n_spots - half))
    pi_xy = np.concatenate([pi0_xy, had_xy], axis=1)
    pi_e = np.concatenate([shares(4.0, (n, half)) * em_part[:, None],
                           shares(0.7, (n, n_spots - half)) * (1 - em_part)[:, None]],
                          axis=1) * had_vis[:, None]

    is_electron = labels[:, None] == 1
    xy = np.where(is_electron[..., None], em_xy, pi_xy)
    deposit = np.where(is_electron, em_e, pi_e)

    # Pile-up: soft deposits from other collisions, anywhere in the image.
    n_pu = 8
    pu_xy = rng.uniform(-0.5, image_size - 0.5, (n, n_pu, 2))
    pu_e = rng.exponential(0.5, (n, n_pu)) * (np.arange(n_pu) < rng.poisson(2.0, (n, 1)))
    xy, deposit = np.concatenate([xy, pu_xy], axis=1), np.concatenate([deposit, pu_e], axis=1)

    # Sum the deposits per cell (what leaves the image is lost), add noise.
    cell = np.floor(xy + 0.5).astype(np.int64)
    inside = np.all((cell >= 0) & (cell < image_size), axis=-1)
    index = (np.arange(n)[:, None] * image_size + cell[..., 0]) * image_size + cell[..., 1]
    images = np.bincount(index[inside], weights=deposit[inside], minlength=n * image_size ** 2)
    images = images.reshape(n, image_size, image_size)
    images += 0.05 * rng.standard_normal(images.shape)
    return images[..., None].astype(np.float32), labels, energy


def roc_auc(labels, scores):
    """Area under the ROC curve: the probability that a random electron gets a
    higher score than a random pion (ties count one half)."""
    labels, scores = np.asarray(labels).reshape(-1), np.asarray(scores, dtype=np.float64).reshape(-1)
    order = np.argsort(scores, kind="stable")
    _, first, counts = np.unique(scores[order], return_index=True, return_counts=True)
    ranks = np.empty(len(scores))
    ranks[order] = np.repeat(first + (counts + 1) / 2, counts)   # mean rank of tied scores
    n_pos = np.count_nonzero(labels == 1)
    n_neg = len(labels) - n_pos
    return float((ranks[labels == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def pion_rejection(labels, scores, efficiency=EFFICIENCY):
    """1 / (fraction of pions accepted) by the cut on the score that keeps the
    fraction `efficiency` of the electrons. Larger is better; a model that
    cannot tell the two apart has rejection 1 / efficiency."""
    labels, scores = np.asarray(labels).reshape(-1), np.asarray(scores, dtype=np.float64).reshape(-1)
    electrons = np.sort(scores[labels == 1])
    n_keep = int(np.ceil(efficiency * len(electrons) - 1e-9))   # electrons the cut must keep
    cut = electrons[len(electrons) - n_keep]                     # (ties at the cut: kept too)
    pions_accepted = np.count_nonzero(scores[labels == 0] >= cut)
    return float(np.count_nonzero(labels == 0) / max(pions_accepted, 1))


def performance_score(rejection):
    """Fraction of the performance points: 0 up to REJECTION_ZERO, 1 from
    REJECTION_FULL on, linear in log(rejection) in between."""
    if not rejection > REJECTION_ZERO:      # also catches NaN
        return 0.0
    return float(min(1.0, np.log(rejection / REJECTION_ZERO) / np.log(REJECTION_FULL / REJECTION_ZERO)))
# ----- END NOTEBOOK CELL -----


def notebook_cell_source() -> str:
    """The block between the markers, exactly as it must appear in the notebook."""
    from pathlib import Path

    text = Path(__file__).read_text()
    begin = text.index("# ----- BEGIN NOTEBOOK CELL")
    begin = text.index("\n", begin) + 1
    end = text.index("# ----- END NOTEBOOK CELL")
    return text[begin:end].rstrip("\n")
