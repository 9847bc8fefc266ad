"""Properties of the scheduler on generated clusters."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from generators import scenario
from kubekit import Node, Pod, Scheduler
from kubekit.scheduler.resource_names import is_tracked

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(scenario(max_pods=25))
def test_no_placement_exceeds_allocatable(sc):
    nodes = {m["metadata"]["name"]: Node.from_manifest(m) for m in sc["nodes"]}
    s = Scheduler(sc["config"], nodes=nodes.values(), seed=sc["seed"])
    pods = {f"default/{m['metadata']['name']}": Pod.from_manifest(m) for m in sc["pods"]}
    placed = s.schedule_batch(list(pods.values())).placements
    ignored = {"example.com/gpu"} if "ignoredResources" in sc["config"]["profiles"][0]["pluginConfig"][0]["args"] else set()
    for name, node in nodes.items():
        mine = [pods[k] for k, n in placed.items() if n == name]
        assert len(mine) <= node.allocatable.get("pods", 0)
        for r in {r for p in mine for r in p.requests if is_tracked(r)} - ignored:
            assert sum(p.requests.get(r, 0) for p in mine) <= node.allocatable.get(r, 0), (name, r)


@SETTINGS
@given(scenario(max_pods=15))
def test_schedule_agrees_with_explain_and_filters(sc):
    for engine in ("fast", "twin"):
        s = Scheduler(sc["config"], nodes=[Node.from_manifest(m) for m in sc["nodes"]], seed=sc["seed"], engine=engine)
        for m in sc["pods"]:
            pod = Pod.from_manifest(m)
            exp = s.explain(pod)
            res = s.schedule(pod)
            feasible = [n for n in exp.nodes if n.feasible]
            # unschedulable exactly when no node passes the filters
            assert (res.node is None) == (not feasible)
            assert res.node == exp.chosen
            if res.node is not None:
                best = max(n.total for n in feasible)
                assert exp.node(res.node).total == best
                s.assume(pod, res.node)
            else:
                assert res.message.startswith(f"0/{len(sc['nodes'])} nodes are available")
