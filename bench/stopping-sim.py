#!/usr/bin/env python3
"""Why --precision waits for 10 iterations before it calls a precision reached.

A simulation, not a measurement: each run draws iterations from a normal distribution (mean
100, the CoV given) and stops, as `faultline run --precision` does, at the first n >= its floor
whose 95% CI half-width (Student t) is within the target, or at the cap. Two such runs are
compared as `faultline compare` does for one metric: a Welch t-test at 5% and a change beyond
the 1% floor. An A/A pair (the same distribution) flagged is a false alarm; a pair whose second
run is 3% lower and is flagged is a detection.

Stopping at the first n that fits favours samples whose spread came out low, and the test then
trusts that low spread. The smaller the floor, the more often that happens.

  bench/stopping-sim.py [--pairs N] [--cov 1,1.5,2.8] [--floors 5,10] [--target 1] [--seed S]

Prints one line per CoV and floor: A/A pairs flagged, 3% slowdowns detected, mean n per run,
and A/A pairs flagged when both runs take that many iterations, fixed (no stopping rule): what
the test gives without the rule's selection. Python's standard library only; a few seconds for
the defaults.
"""
import argparse
import math
import random
import statistics


def betacf(a, b, x):
    """Continued fraction of the incomplete beta function (Numerical Recipes, 6.4)."""
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > 1e-300 else 1e-300)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / (d if abs(d) > 1e-300 else 1e-300)
            c = 1 + aa / c
            c = c if abs(c) > 1e-300 else 1e-300
            h *= d * c
        if abs(d * c - 1) < 1e-12:
            break
    return h


def ibeta(a, b, x):
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0 or x >= 1:
        return 0.0 if x <= 0 else 1.0
    lnf = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) +
           a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(lnf) * betacf(a, b, x) / a
    return 1 - math.exp(lnf) * betacf(b, a, 1 - x) / b


def t_two_sided_p(t, df):
    return ibeta(df / 2, 0.5, df / (df + t * t))


def t_quantile(p, df):
    """The t with P(T <= t) = p (p > 0.5), by bisection."""
    lo, hi = 0.0, 1000.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if 1 - t_two_sided_p(mid, df) / 2 < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


T975 = {}


def t975(df):
    if df not in T975:
        T975[df] = t_quantile(0.975, df)
    return T975[df]


def run(rng, cov, floor, target, cap, scale=1.0):
    x = [rng.gauss(100, cov) for _ in range(floor)]
    while len(x) < cap:
        n = len(x)
        hw = t975(n - 1) * statistics.stdev(x) / math.sqrt(n)
        if 100 * hw / statistics.mean(x) <= target:
            break
        x.append(rng.gauss(100, cov))
    return [v * scale for v in x]


def flagged(a, b, floor_pct):
    ma, mb = statistics.mean(a), statistics.mean(b)
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    t = (mb - ma) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    change = 100 * (mb - ma) / ma
    return t_two_sided_p(t, df) < 0.05 and abs(change) > floor_pct, change


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=2000, help="A/A pairs per line (default 2000)")
    ap.add_argument("--cov", default="1,1.5,2.8", help="CoVs in %% (default 1,1.5,2.8)")
    ap.add_argument("--floors", default="5,10", help="first n a precision may be called (5,10)")
    ap.add_argument("--target", type=float, default=1.0, help="--precision in %% (default 1)")
    ap.add_argument("--cap", type=int, default=300, help="most iterations per run (300)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print(f"# {args.pairs} A/A pairs and {args.pairs // 2} pairs with a 3% slowdown per line; "
          f"target ±{args.target:g}%, compare: Welch 5% and beyond 1%")
    print(f"{'CoV %':>6} {'floor':>5} {'A/A flagged':>12} {'3% detected':>12} {'mean n':>7} "
          f"{'fixed n: A/A':>13}")
    for cov in (float(c) for c in args.cov.split(",")):
        for floor in (int(f) for f in args.floors.split(",")):
            fa, det, ns = 0, 0, []
            for _ in range(args.pairs):
                a = run(rng, cov, floor, args.target, args.cap)
                b = run(rng, cov, floor, args.target, args.cap)
                fa += flagged(a, b, 1.0)[0]
                ns += [len(a), len(b)]
            for _ in range(args.pairs // 2):
                a = run(rng, cov, floor, args.target, args.cap)
                b = run(rng, cov, floor, args.target, args.cap, 0.97)
                hit, change = flagged(a, b, 1.0)
                det += hit and change < 0
            n = max(2, round(statistics.mean(ns)))
            fixed = sum(flagged([rng.gauss(100, cov) for _ in range(n)],
                                [rng.gauss(100, cov) for _ in range(n)], 1.0)[0]
                        for _ in range(args.pairs))
            print(f"{cov:6g} {floor:5d} {100 * fa / args.pairs:11.1f}% "
                  f"{100 * det / (args.pairs // 2):11.1f}% {statistics.mean(ns):7.1f} "
                  f"{100 * fixed / args.pairs:12.1f}%")


if __name__ == "__main__":
    main()
