"""Shared property-check step for functions given an `rng` (a Generator).

The contract: all randomness comes from `rng` ("same seed, same result"), and
none from NumPy's global state or a generator the function makes itself. Three
observations test it from outside, with calls in the student's process:

- the same rng seed twice gives the same result (no clock, no unseeded
  default_rng());
- a different global np.random seed changes nothing (no np.random.*);
- rngs with other seeds give other results: a function that ignores its rng
  (reseeds, `rng = np.random.default_rng(42)`, `np.random.seed(0)` then
  np.random.*, or draws nothing at all, e.g. an evenly spaced hold-out) returns
  the same thing for every rng.

The last test could fail a correct function only if two independent draws
coincide exactly. Every case it runs on has a collision probability below 1e-12
(each caller states its own bound next to its cases), so with OTHER_SEEDS = 2
other seeds per case it adds below 2e-12 per case to the false-failure rate.
"""
from __future__ import annotations

from typing import Any, Callable

OTHER_SEEDS = 2  # calls with other rng seeds, each must differ from the first result


def other_rngs(inputs: dict, key: str = "rng", count: int = OTHER_SEEDS) -> list[dict]:
    """Copies of `inputs` whose rng has another seed (fixed offsets of the case's
    own seed, so a grading is reproducible)."""
    seed = int(inputs[key].seed)
    # The same kind of seed object the caller gave (spec.Rng in the grader, the
    # wire's RngSpec in the student kit): this module imports no engine code.
    make = type(inputs[key])
    return [{**inputs, key: make((seed + 7919 * (k + 1)) % 2**31)} for k in range(count)]


def rng_problems(call: Callable[..., Any], inputs: dict, first,
                 same: Callable[[Any, Any], bool], key: str = "rng") -> list[str]:
    """Problems with how the function uses its rng; `first` is the result of
    call(**inputs, _global_seed=1); `same` says whether two results are equal."""
    if not same(first, call(**inputs, _global_seed=1)):
        return ["two calls with the same rng gave different results: draw all randomness "
                "from rng (not from an unseeded default_rng() or the clock)"]
    if not same(first, call(**inputs, _global_seed=2)):
        return ["the result depends on NumPy's global random state (np.random.*): "
                "draw from the rng argument instead"]
    for other in other_rngs(inputs, key):
        if same(first, call(**other, _global_seed=1)):
            return ["rngs with different seeds gave the same result: use the rng you are "
                    "given for every random draw (don't make your own generator with a fixed "
                    "seed, reseed NumPy, or leave the result without randomness)"]
    return []
