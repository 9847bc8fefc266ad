"""Properties of the whole autoscaler on random clusters (hypothesis):

* it never adds a node that would not help a pending pod: every node a
  scale-up adds receives a pending pod, and pods that fit no node template
  (by plain arithmetic: requests within allocatable, selector within the
  template's labels) never trigger a scale-up;
* it never removes a node whose pods cannot move: after scale-downs every
  Deployment's pods run again on the remaining nodes, and a node holding a
  pod whose budget allows no disruption is never removed.
"""

from __future__ import annotations

from ca_builders import cluster, deployment, live_pods, pdb, scale, settle
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kubekit.autoscaling.cluster import AutoscalerOptions
from kubekit.node.simulated import NodeTemplate

GI = 1 << 30
# The clock moves in 7 s steps (scans every 10 s fall between them).  Not a
# divisor of the scheduling queue's 300 s unschedulable timeout: landing
# exactly on it makes SchedulingLoop.run_once spin (queue.flush uses `>`,
# next_ready_in returns 0 at equality), a bug reported to the scheduler's owners.
STEP = 7.0
SETTINGS = settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

templates = st.builds(lambda cpu, mem, arm: (cpu, mem, arm),
                      st.sampled_from([1, 2, 4, 8]), st.sampled_from([2, 4, 16]), st.booleans())
workloads = st.builds(lambda n, cpu, mem, sel: (n, cpu, mem, sel),
                      st.integers(1, 6), st.sampled_from([250, 500, 1000, 1500, 3000, 6000, 12000]),
                      st.sampled_from([1, 2, 3, 8, 32]), st.sampled_from([None, "arm", "sparc"]))


def fits(w, t) -> bool:
    _, cpu, mem, sel = w
    tcpu, tmem, arm = t
    return cpu <= tcpu * 1000 and mem <= tmem and (sel is None or (sel == "arm" and arm))


def node_template(t):
    cpu, mem, arm = t
    return NodeTemplate(cpu=str(cpu), memory=f"{mem}Gi", labels={"arch": "arm"} if arm else {})


def make(d, w, **kw):
    n, cpu, mem, sel = w
    return deployment(d, n, cpu=f"{cpu}m", memory=f"{mem}Gi", node_selector={"arch": sel} if sel else None, **kw)


@SETTINGS
@given(st.lists(templates, min_size=1, max_size=3), st.lists(workloads, min_size=1, max_size=4),
       st.sampled_from(["random", "least-waste", "price", "priority"]), st.integers(1, 6))
def test_never_adds_a_node_that_helps_no_pending_pod(tmpls, loads, expander, max_size):
    spec = [(f"g{i}", 0, max_size, node_template(t), {"price": 1.0 + t[0], "priority": i})
            for i, t in enumerate(tmpls)]
    cp, ca, _, groups = cluster(spec, options=AutoscalerOptions(expander=expander))
    for i, w in enumerate(loads):
        cp.store.create(make(f"d{i}", w))
    for _ in range(40):            # ~280 s: many scans, well under the unneeded time
        settle(cp)
        cp.clock.advance(STEP)
    settle(cp)
    used = {p["spec"].get("nodeName") for p in live_pods(cp)}
    for d in ca.decisions:
        assert d["action"] == "ScaleUp"
        assert set(d["nodes"]) <= used, f"scale-up {d} added a node no pod landed on"
        assert d["to"] <= max_size
    group_fit = {f"g{i}": t for i, t in enumerate(tmpls)}
    triggered = {(p, d["group"]) for d in ca.decisions for p in d["pods"]}
    for pod_key, grp in triggered:
        dep = int(pod_key.split("/")[1].split("-")[0][1:])
        assert fits(loads[dep], group_fit[grp]), f"{pod_key} fits no node of {grp} but scaled it up"
    if not any(fits(w, t) for w in loads for t in tmpls):
        assert ca.decisions == []
    for g in groups:
        assert len(g.node_names()) <= max_size


@SETTINGS
@given(st.lists(st.builds(lambda n, cpu, keep: (n, cpu, keep), st.integers(1, 8),
                          st.sampled_from([250, 500, 1000, 1500]), st.integers(0, 8)), min_size=1, max_size=3),
       st.integers(1, 4), st.booleans(), st.integers(0, 2))
def test_never_removes_a_node_whose_pods_cannot_move(loads, initial, protect_first, min_size):
    opts = AutoscalerOptions(scale_down_delay_after_add=0.0, expander="least-waste")
    cp, ca, _, groups = cluster([("g", min_size, 30, NodeTemplate(cpu="2", memory="8Gi"), {})], options=opts,
                                initial={"g": max(initial, min_size)})
    for i, (n, cpu, _) in enumerate(loads):
        cp.store.create(make(f"d{i}", (n, cpu, 1, None)))
    if protect_first:
        cp.store.create(pdb("d0", selector={"app": "d0"}, min_available=loads[0][0]))
    total = sum(n for n, _, _ in loads)
    cp.run_until(lambda: sum(1 for p in live_pods(cp) if p["status"].get("phase") == "Running") == total,
                 max_sim_seconds=300)
    peak = len(groups[0].node_names())
    protected_nodes = {p["spec"]["nodeName"] for p in live_pods(cp) if p["metadata"]["labels"].get("app") == "d0"}
    for i, (n, _, keep) in enumerate(loads):
        if not (protect_first and i == 0):
            scale(cp, f"d{i}", min(n, keep))
    for _ in range(400):           # ~2800 s: past the unneeded time several times over
        cp.clock.advance(STEP)
        settle(cp)
    cp.run_until(lambda: not any(not p["spec"].get("nodeName") for p in live_pods(cp)), max_sim_seconds=120)
    nodes = set(groups[0].node_names())
    for i, (n, _, keep) in enumerate(loads):
        want = n if (protect_first and i == 0) else min(n, keep)
        mine = [p for p in live_pods(cp) if p["metadata"]["labels"].get("app") == f"d{i}"]
        running = [p for p in mine if p["status"].get("phase") == "Running" and p["spec"].get("nodeName") in nodes]
        assert len(running) == want, f"d{i}: {len(running)} of {want} running after scale-down"
    if protect_first:
        assert protected_nodes <= nodes, "a node with an undisruptable pod was removed"
    assert len(nodes) >= min_size
    removed = [d for d in ca.decisions if d["action"] == "ScaleDown"]
    assert not [d for d in ca.decisions if d["action"] == "ScaleDownFailed"]
    if not protect_first and all(keep == 0 for _, _, keep in loads):
        assert len(nodes) == min_size                     # no load left: down to min size
        assert len(removed) == peak - min_size


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(templates, min_size=1, max_size=4), st.lists(workloads, min_size=1, max_size=5),
       st.integers(0, 3), st.integers(1, 8))
# found by CI: with other node names the scheduler breaks its score ties otherwise
@example(tmpls=[(1, 16, False)], loads=[(2, 250, 8, None), (1, 250, 1, None), (1, 250, 1, None), (1, 250, 8, None)],
         size=0, max_size=2)
def test_the_planner_offers_only_nodes_the_pods_need(tmpls, loads, size, max_size):
    """On the planner alone (many more examples): every option's pods fit its
    template by plain arithmetic, its node count is within the headroom and
    at most one node per pod, each pod is helped by an option or given a
    reason, and the option's pods fit on that many template nodes (checked
    by the exact CP-SAT packing, not by a second scheduler run: the
    scheduler breaks ties between equally scored nodes with a seeded draw
    whose state the planner's earlier tries have moved on, so a fresh
    scheduler can spread the same pods so that a big one is left out —
    then the node the next scan adds takes it, as upstream's simulation
    and reality can also differ)."""
    from kubekit.api import Node, Pod
    from kubekit.autoscaling.cluster.scaleup import GroupState, plan_scale_up
    from kubekit.packing import PackingProblem, solve
    from kubekit.scheduler import Scheduler

    pods, owner = [], {}
    for i, (n, cpu, mem, sel) in enumerate(loads):
        for j in range(n):
            p = Pod.simple(f"d{i}-{j}", f"{cpu}m", f"{mem}Gi", node_selector={"arch": sel} if sel else {})
            pods.append(p)
            owner[f"default/d{i}-{j}"] = i
    groups = [GroupState(f"g{k}", min(size, max_size), 0, max_size,
                         Node.simple(f"template-node-for-g{k}", str(c), f"{m}Gi", labels={"arch": "arm"} if arm else {}))
              for k, (c, m, arm) in enumerate(tmpls)]
    plan = plan_scale_up(pods, Scheduler(), groups)
    by_group = {g.name: (tmpls[k], g) for k, g in enumerate(groups)}
    for o in plan.options:
        t, g = by_group[o.group]
        assert 1 <= o.node_count <= min(len(o.pods), g.max_size - g.size)
        assert all(fits(loads[owner[k]], t) for k in o.pods)
        mine = [loads[owner[k]] for k in o.pods]
        packing = PackingProblem.identical([[cpu, mem << 30] for _, cpu, mem, _ in mine], [1000 * t[0], t[1] << 30])
        best = solve(packing, time_limit_s=20)
        assert best.objective is not None and best.objective <= o.node_count, (best, o)
    helped = {k for o in plan.options for k in o.pods}
    for k in owner:
        assert k in helped or plan.not_helped.get(k), f"{k}: neither helped nor told why"
        if not any(fits(loads[owner[k]], t) for t in tmpls):
            assert k not in helped


def test_a_big_pod_the_spreading_leaves_out_gets_another_node():
    # found by the property above: 4 x (250m, 1Gi) + 1 x (250m, 3Gi) on 1-cpu 4Gi
    # templates: the packing bound says 2 nodes, but the scheduler spreads the
    # small pods 2 + 2 and the big one fits neither; upstream's estimator adds
    # a node, and so must the plan (it used to leave the pod with no reason)
    from kubekit.api import Node, Pod
    from kubekit.autoscaling.cluster.scaleup import GroupState, plan_scale_up
    from kubekit.scheduler import Scheduler

    pods = [Pod.simple(f"d0-{j}", "250m", "1Gi") for j in range(4)] + [Pod.simple("d1-0", "250m", "3Gi")]
    group = GroupState("g0", 0, 0, 3, Node.simple("template-node-for-g0", "1", "4Gi"))
    plan = plan_scale_up(pods, Scheduler(), [group])
    assert [(o.group, o.node_count, len(o.pods)) for o in plan.options] == [("g0", 3, 5)]
    assert not plan.not_helped
