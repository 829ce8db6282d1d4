#!/usr/bin/env python3
"""How often faultline compare cries wolf, and how often it sees a real change.

Drives bin/faultline compare over resamples of real case documents:
  A/A within a run  : two disjoint sets of ITER iterations drawn from one real run
  A/A across runs   : ITER iterations from run 1 against ITER from run 2 (same kernel)
  shift S%          : as across runs, with run 2's records_per_s (and the per-thread rates)
                      lowered by S% -- an injected regression of known size
For each it prints the rate of records_per_s flagged by the raw test (p < alpha) and after the
multiple-testing correction over the workload's metrics (what compare reports), and for A/A
the rate of comparisons where any workload metric was flagged.

  bench/compare-stats.py [--trials N] [--iter N] [--test welch|mwu] [RUN_DIR RUN_DIR]
Without run directories it makes two real runs with the agent (ebizzy -mT, 1 thread, 0.3 s,
25 iterations each; about 25 s).
"""
import argparse, json, os, random, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FL = os.path.join(ROOT, "bin", "faultline")
AGENT = os.path.join(ROOT, "bin", "faultline-agent")
RATES = ("records_per_s", "thread_min_records_per_s", "thread_max_records_per_s")


def make_run(d, n):
    os.makedirs(d + "/cases")
    for i in range(n):
        subprocess.run([AGENT, "ebizzy", "--threads=1", "--seconds=0.3", "--mmap", "--touch_only",
                        "--chunks=4", "--probes=sw,interrupts", "--quiet", f"--iteration={i}",
                        f"--json={d}/cases/{i:04d}-ebizzy-i{i}.json"], check=True,
                       stdout=subprocess.DEVNULL)


def pool(d):
    out = []
    for n in sorted(os.listdir(d + "/cases")):
        doc = json.load(open(f"{d}/cases/{n}"))
        if doc["case"]["status"] == "ok" and not doc["case"]["warmup"]:
            out.append(doc)
    return out


def write(d, docs, shift=0.0):
    os.makedirs(d + "/cases")
    for i, doc in enumerate(docs):
        if shift:
            doc = json.loads(json.dumps(doc))
            for m in RATES:
                if m in doc["case"]["metrics"]:
                    doc["case"]["metrics"][m]["value"] *= 1 - shift
        doc["case"]["iteration"] = i
        with open(f"{d}/cases/{i:04d}.json", "w") as f:
            json.dump(doc, f)


def compare(tmp, a, b, shift, test):
    shutil.rmtree(tmp + "/a", ignore_errors=True)
    shutil.rmtree(tmp + "/b", ignore_errors=True)
    write(tmp + "/a", a)
    write(tmp + "/b", b, shift)
    out = subprocess.run([FL, "compare", tmp + "/a", tmp + "/b", "--format", "json", "--test",
                          test], check=True, capture_output=True, text=True).stdout
    d = json.loads(out)
    ms = [m for g in d["groups"] for m in g["metrics"] if m["kind"] == "metric"]
    rec = [m for m in ms if m["name"] == "records_per_s"][0]["comparisons"][0]
    anyflag = any(m["comparisons"][0].get("significant") for m in ms)
    return (rec.get("p_value", 1) < d["alpha"], bool(rec.get("significant")),
            rec.get("verdict") == "worse", anyflag)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--iter", type=int, default=10)
    ap.add_argument("--test", default="welch")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("runs", nargs="*")
    o = ap.parse_args()
    random.seed(o.seed)
    tmp = tempfile.mkdtemp(prefix="faultline-stats.")
    try:
        runs = o.runs
        if not runs:
            runs = [tmp + "/run1", tmp + "/run2"]
            for r in runs:
                make_run(r, 25)
        p1, p2 = pool(runs[0]), pool(runs[1])
        if len(p1) < 2 * o.iter or len(p2) < o.iter:
            sys.exit(f"need at least {2 * o.iter} and {o.iter} measured iterations in the runs")
        def cv(p):
            v = [d["case"]["metrics"]["records_per_s"]["value"] for d in p]
            m = sum(v) / len(v)
            return m, (sum((x - m) ** 2 for x in v) / (len(v) - 1)) ** 0.5 / m
        (m1, c1), (m2, c2) = cv(p1), cv(p2)
        print(f"pools: run 1 {len(p1)} iterations, records_per_s {m1:.0f} (CoV {100*c1:.1f}%); "
              f"run 2 {len(p2)}, {m2:.0f} (CoV {100*c2:.1f}%); offset {100*(m2-m1)/m1:+.2f}%")
        print(f"{o.trials} resamples per row, {o.iter} iterations per side, test {o.test}, "
              f"alpha 0.05, correction Holm over the workload metrics\n")
        print(f"{'condition':<22} {'raw p<.05':>10} {'flagged':>9} {'flagged worse':>14} "
              f"{'any metric':>11}")
        rows = [("A/A within a run", "within", 0), ("A/A across runs", "across", 0),
                ("shift -2%", "across", .02), ("shift -5%", "across", .05),
                ("shift -10%", "across", .10)]
        for name, kind, s in rows:
            n = [0, 0, 0, 0]
            for _ in range(o.trials):
                if kind == "within":
                    pick = random.sample(p1, 2 * o.iter)
                    a, b = pick[:o.iter], pick[o.iter:]
                else:
                    a, b = random.sample(p1, o.iter), random.sample(p2, o.iter)
                for k, v in enumerate(compare(tmp, a, b, s, o.test)):
                    n[k] += v
            r = [100.0 * x / o.trials for x in n]
            print(f"{name:<22} {r[0]:>9.1f}% {r[1]:>8.1f}% {r[2]:>13.1f}% {r[3]:>10.1f}%")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
