"""The bin-packing check on the vectorpack_cor2024 instances (issue 7, §2):

    OPENBLAS_NUM_THREADS=1 python bench/packing_instances.py [--limit N] [--time-limit S] [--jobs J]

For every ``.vbp`` instance under ``--data`` (by default the 620 copied in
``bench/data/binpacking``): the lower bounds, every reference heuristic
(timed), then CP-SAT warm-started by the best decreasing heuristic.  Every
placement goes through the independent checker.  Against the published
``LB``/``OPT`` it reports how many instances are proven optimal, the mean gap
on the rest, and any disagreement — a solution below a known optimum, a
bound above it, or an OPTIMAL status whose objective differs from it (each
is a bug).

Results go to ``--out`` (markdown) and, one JSON line per instance, to
``--jsonl`` as they arrive; ``--resume`` skips the instances already there.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from kubekit.packing import (  # noqa: E402
    DECREASING, HEURISTICS, PackingError, Status, check_assignment, lower_bounds, run_heuristic, solve,
)
from kubekit.packing.instances import KnownResult, find_instances, load_summary, load_vbp  # noqa: E402

DATA = HERE / "data" / "binpacking" / "vectorpack_cor2024"


def family(name: str) -> str:
    """``class4_120_3_3`` -> ``P4``, ``classF_60_3_0`` -> ``TF``, ``classC_..`` -> ``TC``."""
    cls = name.split("_")[0][len("class"):]
    return f"T{cls}" if cls in ("F", "C") else f"P{cls}"


def run_one(args: tuple[str, str, dict | None, float, int, int]) -> dict:
    name, path, known, time_limit, workers, seed = args
    rec: dict = {"name": name, "family": family(name), "n": int(name.split("_")[1]), "known": known}
    try:
        problem = load_vbp(path)
    except PackingError as exc:
        rec["refused"] = str(exc)
        return rec
    rec["items"] = problem.n_items
    t0 = time.perf_counter()
    bounds = lower_bounds(problem)
    rec["bounds_s"] = time.perf_counter() - t0
    rec["bounds"] = bounds.as_dict()
    rec["lb"] = bounds.best
    heur = {}
    placements = {}
    for h in HEURISTICS:
        t0 = time.perf_counter()
        p = run_heuristic(problem, h)
        dt = time.perf_counter() - t0
        check_assignment(problem, p.assignment)
        heur[h] = {"bins": p.bins_used, "s": dt}
        placements[h] = p
    rec["heuristics"] = heur
    warm = min((placements[h] for h in DECREASING), key=lambda p: p.bins_used)
    rec["warm_start"] = {"name": warm.name, "bins": warm.bins_used}
    t0 = time.perf_counter()
    sol = solve(problem, "bins", time_limit_s=time_limit, workers=workers, warm_start=warm, bounds=bounds, seed=seed)
    rec["solve_s"] = time.perf_counter() - t0
    check_assignment(problem, sol.assignment)
    rec.update(status=sol.status.value, objective=sol.objective, bound=sol.bound, source=sol.source,
               proof=sol.proof, cp_sat_status=sol.cp_sat_status, build_s=sol.build_time_s, cp_s=sol.solve_time_s)
    problems = []
    if sol.objective > warm.bins_used:
        problems.append(f"CP-SAT result {sol.objective} worse than its warm start {warm.bins_used}")
    if known is not None:
        opt, lb = known["opt"], known["lb"]
        if opt is not None:
            if sol.objective < opt:
                problems.append(f"objective {sol.objective} below the published optimum {opt}")
            if sol.bound > opt:
                problems.append(f"bound {sol.bound} above the published optimum {opt}")
            if sol.status == Status.OPTIMAL and sol.objective != opt:
                problems.append(f"OPTIMAL with {sol.objective} but the published optimum is {opt}")
        if lb is not None and sol.objective < lb:
            problems.append(f"objective {sol.objective} below the published lower bound {lb}")
    rec["disagreements"] = problems
    return rec


def pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def summarize(records: list[dict], cmd: str, wall: float | None, args) -> str:
    loaded = [r for r in records if "refused" not in r]
    refused = [r for r in records if "refused" in r]
    opt = [r for r in loaded if r["status"] == "OPTIMAL"]
    by_bounds = [r for r in opt if r["proof"] == "bounds"]
    rest = [r for r in loaded if r["status"] != "OPTIMAL"]
    gaps = [(r["objective"] - r["bound"]) / r["bound"] for r in rest]
    known_opt = [r for r in loaded if r["known"] and r["known"]["opt"] is not None]
    dis = [r for r in loaded if r["disagreements"]]
    out = []
    w = out.append
    w("# Bin packing: CP-SAT and the reference heuristics on vectorpack_cor2024 (d = 3)\n")
    w(f"Command: `{cmd}`  ")
    w(f"CP-SAT time limit {args.time_limit:g} s per instance, {args.workers} worker(s) per job, {args.jobs} job(s)"
      + (f"; wall time {wall / 60:.1f} min" if wall is not None else "") + ".\n")
    w("## Summary\n")
    w("| | count |\n|---|---:|")
    w(f"| instances | {len(records)} |")
    w(f"| refused by the loader | {len(refused)} |")
    w(f"| solved to proven optimality | {len(opt)} |")
    w(f"| … proven by the bounds alone (warm start = lower bound, CP-SAT not run) | {len(by_bounds)} |")
    w(f"| … proven by CP-SAT | {len(opt) - len(by_bounds)} |")
    w(f"| not proven (FEASIBLE) | {len(rest)} |")
    w(f"| mean gap (objective − bound) / bound on those | {pct(statistics.fmean(gaps)) if gaps else '–'} |")
    if rest:
        w(f"| max gap on those | {pct(max(gaps))} |")
    w(f"| with a published optimum | {len(known_opt)} |")
    w(f"| … our objective equals it | {sum(r['objective'] == r['known']['opt'] for r in known_opt)} |")
    w(f"| … proven optimal here | {sum(r['status'] == 'OPTIMAL' for r in known_opt)} |")
    if known_opt:
        w(f"| mean gap to the published optimum | "
          f"{pct(statistics.fmean((r['objective'] - r['known']['opt']) / r['known']['opt'] for r in known_opt))} |")
    w(f"| disagreements with the published LB/OPT | {len(dis)} |")
    w("")
    for r in dis:
        w(f"- **{r['name']}**: " + "; ".join(r["disagreements"]))
    if refused:
        w("\nRefused instances (the loader's message):\n")
        for r in refused:
            w(f"- `{r['refused'].replace(str(HERE.parent) + os.sep, '')}`")
    w("\n## By family and size\n")
    w("P1–P9: Panigrahy classes; TF/TC: Falkenauer/Caprara triplets.  `bound` is ours (max of volume, L2, clique, "
      "LP and CP-SAT's); `pub. LB`/`OPT` are the published ones.\n")
    w("| family | n | inst. | optimal | mean gap (rest) | obj = pub. OPT / known | our LB < pub. LB | "
      "our LB > pub. LB | mean objective | mean pub. best heuristic | mean CP-SAT s |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in loaded:
        groups[(r["family"], r["n"])].append(r)
    for (fam, n), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        o = [r for r in rs if r["status"] == "OPTIMAL"]
        g = [(r["objective"] - r["bound"]) / r["bound"] for r in rs if r["status"] != "OPTIMAL"]
        ko = [r for r in rs if r["known"] and r["known"]["opt"] is not None]
        w(f"| {fam} | {n} | {len(rs)} | {len(o)} | {pct(statistics.fmean(g)) if g else '–'} | "
          f"{sum(r['objective'] == r['known']['opt'] for r in ko)}/{len(ko)} | "
          f"{sum(r['lb'] < r['known']['lb'] for r in rs if r['known'])} | "
          f"{sum(r['lb'] > r['known']['lb'] for r in rs if r['known'])} | "
          f"{statistics.fmean(r['objective'] for r in rs):.1f} | "
          f"{statistics.fmean(r['known']['best_heuristic'] for r in rs if r['known']):.1f} | "
          f"{statistics.fmean(r['cp_s'] for r in rs):.2f} |")
    w("\n## Lower bounds\n")
    w("How often each bound is the best one (ties count for each), and how often our best bound is below, equal to "
      "or above the published LB.\n")
    w("| bound | best on | mean time (all bounds) |\n|---|---:|---:|")
    for k in ("volume", "l2", "clique", "lp", "spread"):
        w(f"| {k} | {sum(r['bounds'][k] == r['lb'] for r in loaded)} | |")
    w(f"| all | {len(loaded)} | {statistics.fmean(r['bounds_s'] for r in loaded) * 1000:.1f} ms |")
    pub = [r for r in loaded if r["known"]]
    w(f"\nOur best bound vs the published LB: below on {sum(r['lb'] < r['known']['lb'] for r in pub)}, "
      f"equal on {sum(r['lb'] == r['known']['lb'] for r in pub)}, above on "
      f"{sum(r['lb'] > r['known']['lb'] for r in pub)} (never above a published optimum: "
      f"{all(r['lb'] <= r['known']['opt'] for r in pub if r['known']['opt'] is not None)}).\n")
    w("## Reference heuristics (plain Python)\n")
    w("Gap = (bins − best bound) / best bound, where the best bound also includes CP-SAT's.  "
      "`= bound`: instances where the heuristic is proven optimal.  Speed is the plain-Python reference "
      "(items placed per second, mean over instances).\n")
    w("| heuristic | mean gap | max gap | = bound | mean bins − pub. best | mean ms | items/s |")
    w("|---|---:|---:|---:|---:|---:|---:|")
    for h in HEURISTICS:
        gs = [(r["heuristics"][h]["bins"] - r["bound"]) / r["bound"] for r in loaded]
        hit = sum(r["heuristics"][h]["bins"] == r["bound"] for r in loaded)
        vs = [r["heuristics"][h]["bins"] - r["known"]["best_heuristic"] for r in loaded if r["known"]]
        ms = [r["heuristics"][h]["s"] * 1000 for r in loaded]
        ips = sum(r["items"] for r in loaded) / sum(r["heuristics"][h]["s"] for r in loaded)
        w(f"| {h} | {pct(statistics.fmean(gs))} | {pct(max(gs))} | {hit} | {statistics.fmean(vs):+.2f} | "
          f"{statistics.fmean(ms):.1f} | {ips:,.0f} |")
    ws = [r["warm_start"]["bins"] for r in loaded]
    improved = sum(r["objective"] < r["warm_start"]["bins"] for r in loaded)
    w(f"\nCP-SAT improved on its warm start on {improved} of {len(ws)} instances.")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--limit", type=int, default=None, help="only the first N instances (sorted by path)")
    ap.add_argument("--filter", default="", help="only instances whose name contains this")
    ap.add_argument("--time-limit", type=float, default=10.0, help="CP-SAT seconds per instance (default 10)")
    ap.add_argument("--jobs", type=int, default=1, help="parallel processes, at most 2 (default 1)")
    ap.add_argument("--workers", type=int, default=None,
                    help="CP-SAT workers per job (default: 8 with one job, 1 with two)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=HERE / "results" / "packing_instances.md")
    ap.add_argument("--jsonl", type=Path, default=None, help="per-instance records (default: --out with .jsonl)")
    ap.add_argument("--resume", action="store_true", help="keep the records already in --jsonl")
    args = ap.parse_args(argv)
    if not 1 <= args.jobs <= 2:
        ap.error("--jobs must be 1 or 2 (the machine has 2 cores)")
    if args.workers is None:
        args.workers = 8 if args.jobs == 1 else 1
    jsonl = args.jsonl or args.out.with_suffix(".jsonl")
    args.out.parent.mkdir(parents=True, exist_ok=True)

    known: dict[str, KnownResult] = {}
    for csv in sorted(args.data.glob("*_summary_known.csv")):
        known.update(load_summary(csv))
    todo = [(n, p) for n, p in find_instances(args.data) if args.filter in n]
    if args.limit is not None:
        todo = todo[:args.limit]
    records: list[dict] = []
    if args.resume and jsonl.exists():
        done = {json.loads(ln)["name"]: json.loads(ln) for ln in jsonl.read_text().splitlines() if ln.strip()}
        records = [done[n] for n, _ in todo if n in done]
        todo = [(n, p) for n, p in todo if n not in done]
    mode = "a" if args.resume else "w"
    tasks = [(n, str(p), None if n not in known else
              {"lb": known[n].lb, "opt": known[n].opt, "best_heuristic": known[n].best_heuristic},
              args.time_limit, args.workers, args.seed) for n, p in todo]
    cmd = "OPENBLAS_NUM_THREADS=1 python bench/packing_instances.py " + " ".join(argv if argv is not None else sys.argv[1:])
    t0 = time.perf_counter()
    total = len(records) + len(tasks)
    with open(jsonl, mode) as fh, ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for rec in pool.map(run_one, tasks):
            records.append(rec)
            fh.write(json.dumps(rec) + "\n")
            fh.flush()
            state = rec.get("status", "REFUSED")
            extra = "" if "refused" in rec else f" {rec['objective']} (bound {rec['bound']}, warm {rec['warm_start']['bins']})"
            flag = "  DISAGREEMENT: " + "; ".join(rec["disagreements"]) if rec.get("disagreements") else ""
            print(f"[{len(records)}/{total}] {rec['name']}: {state}{extra}{flag}", file=sys.stderr, flush=True)
    wall = time.perf_counter() - t0 if not args.resume else None
    order = {n: k for k, (n, _) in enumerate(find_instances(args.data))}
    records.sort(key=lambda r: order.get(r["name"], math.inf))
    text = summarize(records, cmd, wall, args)
    args.out.write_text(text)
    print(text)
    return 1 if any(r.get("disagreements") for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
