"""The cluster autoscaler's scale-up decision time: pending pods over many
node groups, from parsed pods to the expander's choice.

    python3 bench/ca_scaleup.py [--pods 5000] [--groups 20] [--templates 50] [--existing 100] [--runs 5]

The pods are replicas of ``--templates`` pod templates (cpu 250m-4, memory
256Mi-8Gi, a fifth with a node selector); the groups are node shapes of 2 to
64 cpu, half labelled; ``--existing`` nodes are already full.  Timed: the
whole :func:`kubekit.autoscaling.cluster.scaleup.plan_scale_up` (filter out
schedulable pods on a scheduler snapshot of the existing nodes, the per-group
filter check, the packing estimate, the scheduler's placement on the template
nodes) plus ``Expander("least-waste").best_option``.  The snapshot is built
outside the timed region each run (the autoscaler builds it once per scan for
scale-up and scale-down alike).  Median of ``--runs`` runs, ``time.perf_counter``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def workload(n_pods: int, n_templates: int, seed: int = 1):
    from kubekit.api import Pod

    rng = random.Random(seed)
    shapes = [(rng.choice(["250m", "500m", "1", "2", "4"]), rng.choice(["256Mi", "1Gi", "2Gi", "4Gi", "8Gi"]),
               {"tier": "fast"} if rng.random() < 0.2 else {}) for _ in range(n_templates)]
    pods = []
    for i in range(n_pods):
        cpu, mem, sel = shapes[i % n_templates]
        pods.append(Pod.simple(f"p{i}", cpu, mem, node_selector=sel))
    return pods


def groups(n_groups: int):
    from kubekit.api import Node
    from kubekit.autoscaling.cluster.scaleup import GroupState

    out = []
    for g in range(n_groups):
        cpu = [2, 4, 8, 16, 32, 64][g % 6]
        labels = {"tier": "fast"} if g % 2 else {}
        tmpl = Node.simple(f"template-node-for-g{g}", str(cpu), f"{cpu * 4}Gi", labels=labels)
        out.append(GroupState(f"g{g}", 0, 0, 1000, tmpl, price=0.05 * cpu * (1.1 if g % 2 else 1.0), priority=g))
    return out


def snapshot(n_existing: int):
    from kubekit.api import Node, Pod
    from kubekit.scheduler import Scheduler

    s = Scheduler(nodes=[Node.simple(f"n{i}", "4", "16Gi") for i in range(n_existing)])
    for i in range(n_existing):
        s.assume(Pod.simple(f"full{i}", "4", "1Gi"), f"n{i}")
    return s


def run(args) -> dict:
    from kubekit.autoscaling.cluster.expander import Expander
    from kubekit.autoscaling.cluster.scaleup import plan_scale_up

    pods, gs = workload(args.pods, args.templates), groups(args.groups)
    times, chosen = [], None
    for _ in range(args.runs):
        existing = snapshot(args.existing)
        t0 = time.perf_counter()
        plan = plan_scale_up(pods, existing, gs)
        best = Expander("least-waste").best_option(plan.options)
        times.append(time.perf_counter() - t0)
        chosen = (best.group, best.node_count, len(best.pods), len(plan.options), len(plan.not_helped))
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "chosen": chosen}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=5000)
    ap.add_argument("--groups", type=int, default=20)
    ap.add_argument("--templates", type=int, default=50)
    ap.add_argument("--existing", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    r = run(args)
    group, nodes, helped, n_options, not_helped = r["chosen"]
    print(f"ca scale-up decision: {args.pods} pending pods ({args.templates} templates), {args.groups} node groups, "
          f"{args.existing} full nodes; {platform.python_implementation()} {platform.python_version()}")
    print(f"  median {r['median_s'] * 1000:.1f} ms (min {r['min_s'] * 1000:.1f}, max {r['max_s'] * 1000:.1f}) "
          f"over {args.runs} runs")
    print(f"  {n_options} options; least-waste chose {group}: +{nodes} nodes for {helped} pods; "
          f"{not_helped} pods helped by no group")


if __name__ == "__main__":
    main()
