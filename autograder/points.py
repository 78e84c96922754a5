"""Rounded scores that still add up: a largest-remainder split.

Rounding every part on its own makes three tests worth 10/3 read 3.3333 each,
9.9999 in all. Here the parts are counted in units of 10**-places: each part
gets the floor of its share, and the units the floors miss go to the parts
with the largest remainders, never above a part's cap. So the rounded parts
sum exactly to the rounded whole, at every level: tests to functions,
functions to the total.
"""
from __future__ import annotations

import math

PLACES = 4


def units(value: float, places: int = PLACES) -> float:
    # the round() drops float noise such as 0.3 * 1e4 == 2999.9999999999995
    return round(value * 10 ** places, 6)


def apportion(shares: list[float], target: int, caps: list[int] | None = None) -> list[int]:
    """Integers close to `shares` (all in units) that sum to `target`, none above its cap."""
    caps = caps if caps is not None else [math.inf] * len(shares)
    out = [min(max(math.floor(s), 0), cap) for s, cap in zip(shares, caps)]
    remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] - math.floor(shares[i])), i))
    missing = target - sum(out)
    while missing > 0:
        open_ = [i for i in remainder if out[i] < caps[i]]
        if not open_:
            break
        for i in open_[:missing]:
            out[i] += 1
        missing = target - sum(out)
    while missing < 0 and any(out):
        for i in reversed(remainder):
            if out[i] > 0 and missing < 0:
                out[i] -= 1
                missing += 1
    return out


def split(values: list[float], total: float | None = None, caps: list[float] | None = None,
          places: int = PLACES) -> list[float]:
    """`values` rounded to `places` decimals so that they sum exactly (in those
    units) to `total` rounded the same way (default: their own sum), each at
    most its cap."""
    target = round(units(sum(values) if total is None else total, places))
    cap_units = None if caps is None else [round(units(c, places)) for c in caps]
    return [u / 10 ** places for u in apportion([units(v, places) for v in values], target, cap_units)]


def split_tests(functions: list[str], scores: list[float], maxes: list[float],
                places: int = PLACES) -> tuple[list[float], list[float]]:
    """Per-test (scores, max scores), rounded so that the tests of a function sum
    to that function's rounded score and maximum, and the functions to the
    rounded total. `functions[i]` names the function of test i."""
    order = list(dict.fromkeys(functions))
    members = {f: [i for i, g in enumerate(functions) if g == f] for f in order}
    f_max = split([sum(maxes[i] for i in members[f]) for f in order], places=places)
    f_score = split([sum(scores[i] for i in members[f]) for f in order], caps=f_max, places=places)
    out_scores, out_maxes = [0.0] * len(scores), [0.0] * len(maxes)
    for f, got, top in zip(order, f_score, f_max):
        idx = members[f]
        test_max = split([maxes[i] for i in idx], total=top, places=places)
        test_score = split([scores[i] for i in idx], total=got, caps=test_max, places=places)
        for i, s, m in zip(idx, test_score, test_max):
            out_scores[i], out_maxes[i] = s, m
    return out_scores, out_maxes


def function_points(report, places: int = 2) -> dict[str, tuple[float, float]]:
    """function -> (score, max) of a GradeReport, rounded to `places` so that the
    functions add up to the rounded total (what a table on screen should show)."""
    by_function = report.function_scores()
    names = list(by_function)
    tops = split([by_function[f][1] for f in names], places=places)
    got = split([by_function[f][0] for f in names], caps=tops, places=places)
    return {f: (g, t) for f, g, t in zip(names, got, tops)}
