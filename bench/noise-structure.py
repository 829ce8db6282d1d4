#!/usr/bin/env python3
"""Where the noise of a comparison is (issue #15): is it slower than an iteration, so that
pairing iterations close in time would cut it? Python's standard library only.

  bench/noise-structure.py PAIR_DIR...   pairs of bench/precision.sh --out (PAIR_DIR/a, /b):
      per run the sd of log records/s per iteration and the correlation of neighbouring
      iterations (adjacent in time: gap under twice the median); then the difference of the
      pair by Welch (unpaired) and paired by turns (each block of B's iterations against the
      mean of its neighbouring A blocks), each with its standard error and z.
  bench/noise-structure.py --rounds OUT   a `faultline run --kernel A --kernel B` dir: the
      first two kernels' iterations paired by round (iteration r of both) against unpaired,
      and the correlation within a round.

Case files carry no start time; their modification time (written as the iteration ends) is
used for the order in time. METRIC (default records_per_s) is taken in logs, so differences
are ratios."""
import glob, json, math, os, statistics as st, sys

METRIC = os.environ.get('METRIC', 'records_per_s')

def load(d):
    """[(mtime, iteration, log value)] of the measured ok cases of run dir d, in time order."""
    out = []
    for f in glob.glob(os.path.join(d, 'cases', '*.json')):
        c = json.load(open(f))['case']
        v = c.get('metrics', {}).get(METRIC, {}).get('value')
        if c.get('warmup') or c.get('status') != 'ok' or not isinstance(v, (int, float)) or v <= 0:
            continue
        out.append((os.path.getmtime(f), c['iteration'], math.log(v)))
    return sorted(out)

def neighbours(s):
    """sd of the log values, and the correlation of neighbours from their differences."""
    xs = [x for _, _, x in s]
    gaps = [s[i + 1][0] - s[i][0] for i in range(len(s) - 1)]
    med = st.median(gaps)
    d2 = [(xs[i + 1] - xs[i]) ** 2 for i in range(len(xs) - 1) if gaps[i] < 2 * med]
    var = st.variance(xs)
    return math.sqrt(var), 1 - st.mean(d2) / (2 * var)

def welch(a, b):
    return st.mean(b) - st.mean(a), math.sqrt(st.variance(a) / len(a) + st.variance(b) / len(b))

def blocks(A, B):
    ev = sorted([(t, 'a', x) for t, _, x in A] + [(t, 'b', x) for t, _, x in B])
    bl = []
    for _, w, x in ev:
        if bl and bl[-1][0] == w:
            bl[-1][1].append(x)
        else:
            bl.append((w, [x]))
    d = [st.mean(v) - st.mean([st.mean(bl[j][1]) for j in (i - 1, i + 1) if 0 <= j < len(bl)])
         for i, (w, v) in enumerate(bl) if w == 'b']
    return st.mean(d), st.stdev(d) / math.sqrt(len(d)), len(d)

def pair(p):
    A, B = load(os.path.join(p, 'a')), load(os.path.join(p, 'b'))
    if len(A) < 3 or len(B) < 3:
        print('%s: fewer than 3 measured iterations of %s in a run' % (p, METRIC))
        return
    (sa, ra), (sb, rb) = neighbours(A), neighbours(B)
    d, se = welch([x for *_, x in A], [x for *_, x in B])
    bd, bse, nb = blocks(A, B)
    print('%-12s n %d/%d  sd %.1f/%.1f%%  neighbour corr %.2f/%.2f | Welch %+.2f%% se %.2f%% '
          'z %+.2f | %d blocks %+.2f%% se %.2f%% z %+.2f' %
          (os.path.basename(p.rstrip('/')), len(A), len(B), 100 * sa, 100 * sb, ra, rb,
           100 * d, 100 * se, d / se, nb, 100 * bd, 100 * bse, bd / bse))

def rounds(out):
    ks = json.load(open(os.path.join(out, 'runs.json')))['kernels'][:2]
    A, B = ({i: x for _, i, x in load(os.path.join(out, k['dir']))} for k in ks)
    common = sorted(set(A) & set(B))
    if len(common) < 3:
        sys.exit('%s: fewer than 3 rounds with both kernels' % out)
    d, se = welch(list(A.values()), list(B.values()))
    diffs = [B[i] - A[i] for i in common]
    pse = st.stdev(diffs) / math.sqrt(len(diffs))
    ma, mb = st.mean(A[i] for i in common), st.mean(B[i] for i in common)
    cov = sum((A[i] - ma) * (B[i] - mb) for i in common)
    corr = cov / math.sqrt(sum((A[i] - ma) ** 2 for i in common) *
                           sum((B[i] - mb) ** 2 for i in common))
    print('%s vs %s: %d rounds | unpaired %+.2f%% se %.2f%% | paired by round %+.2f%% se %.2f%% '
          '| within-round corr %.2f' % (ks[0]['kernel'], ks[1]['kernel'], len(common), 100 * d,
          100 * se, 100 * st.mean(diffs), 100 * pse, corr))

if __name__ == '__main__':
    args = sys.argv[1:]
    if not args or args[0] in ('-h', '--help'):
        sys.exit(__doc__)
    if args[0] == '--rounds':
        for o in args[1:]:
            rounds(o)
    else:
        for p in args:
            pair(p)
