"""Zone-aware NoExecute tainting in a simulated cluster on a fake clock: one
node per 10 s in a healthy zone, none in a small zone that is mostly down,
none anywhere when every zone is down (master disruption), and normal
tainting again when a zone comes back."""

from __future__ import annotations

from kubekit.clock import FakeClock
from kubekit.cluster.local import ControlPlane
from kubekit.controllers.nodelifecycle_rules import UNREACHABLE_TAINT
from kubekit.controllers.nodelifecycle_zones import FULL_DISRUPTION, NORMAL, PARTIAL_DISRUPTION
from kubekit.node.simulated import NodeTemplate


def zone(name: str) -> NodeTemplate:
    return NodeTemplate(cpu="4", labels={"topology.kubernetes.io/region": "r", "topology.kubernetes.io/zone": name})


def cluster(zones: dict[str, int]) -> ControlPlane:
    cp = ControlPlane(FakeClock())
    for z, n in zones.items():
        cp.fleet.add_nodes([f"{z}-{i}" for i in range(n)], zone(z))
    cp.run_until(lambda: cp.clock.monotonic() >= 6)       # registered, one periodic pass done
    return cp


def settle(cp: ControlPlane, max_steps: int = 10_000) -> None:
    """Let every component do what is due at this instant."""
    for _ in range(max_steps):
        if not cp.step():
            return
    raise AssertionError(f"the cluster was still busy after {max_steps} steps")


def no_execute(cp, node: str) -> bool:
    return any(t["key"] == UNREACHABLE_TAINT and t["effect"] == "NoExecute"
               for t in cp.store.get("Node", None, node)["spec"].get("taints") or ())


def unknown(cp, node: str) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "Unknown"
               for c in cp.store.get("Node", None, node)["status"]["conditions"])


def states(cp) -> dict[str, str]:
    return {z.split(":\x00:")[1]: s for z, s in cp.node_lifecycle.zone_states.items()}


def test_a_healthy_zone_taints_one_node_per_ten_seconds():
    cp = cluster({"a": 6})
    for n in ("a-0", "a-1"):
        cp.fleet.stop_node(n)
    cp.run_until(lambda: unknown(cp, "a-0") and unknown(cp, "a-1"), max_sim_seconds=120)
    assert states(cp) == {"a": NORMAL}                 # 2 of 6 down
    cp.run_until(lambda: no_execute(cp, "a-0") or no_execute(cp, "a-1"), max_sim_seconds=1)
    first = cp.clock.monotonic()
    assert not (no_execute(cp, "a-0") and no_execute(cp, "a-1"))
    cp.run_until(lambda: no_execute(cp, "a-0") and no_execute(cp, "a-1"), max_sim_seconds=60)
    assert 10.0 <= cp.clock.monotonic() - first <= 10.1 + 1e-6       # --node-eviction-rate 0.1


def test_a_small_zone_mostly_down_stops_tainting_while_another_zone_goes_on():
    cp = cluster({"a": 5, "b": 4})
    for n in ("a-0", "a-1", "a-2", "b-0"):
        cp.fleet.stop_node(n)
    cp.run_until(lambda: all(unknown(cp, n) for n in ("a-0", "a-1", "a-2", "b-0")), max_sim_seconds=120)
    cp.run_until(lambda: no_execute(cp, "b-0"), max_sim_seconds=1)
    assert states(cp) == {"a": PARTIAL_DISRUPTION, "b": NORMAL}
    cp.clock.advance(400)
    settle(cp)
    assert not any(no_execute(cp, n) for n in ("a-0", "a-1", "a-2"))   # 3 of 5 down, 5 <= 50 nodes: rate 0
    for n in ("a-0", "a-1", "a-2"):
        cp.fleet.restart_node(n)
    cp.run_until(lambda: states(cp)["a"] == NORMAL, max_sim_seconds=30)


def test_every_zone_down_is_master_disruption_and_a_zone_coming_back_resumes():
    cp = cluster({"a": 3, "b": 2})
    nodes = ["a-0", "a-1", "a-2", "b-0", "b-1"]
    cp.fleet.stop_node("b-0")
    cp.run_until(lambda: no_execute(cp, "b-0"), max_sim_seconds=120)
    for n in nodes:
        cp.fleet.stop_node(n)
    cp.run_until(lambda: all(unknown(cp, n) for n in nodes), max_sim_seconds=120)
    cp.run_until(lambda: states(cp) == {"a": FULL_DISRUPTION, "b": FULL_DISRUPTION}, max_sim_seconds=10)
    cp.run_until(lambda: not any(no_execute(cp, n) for n in nodes), max_sim_seconds=10)   # even b-0's went
    cp.clock.advance(600)
    settle(cp)
    assert not any(no_execute(cp, n) for n in nodes)
    # b-1 comes back: zone b is Normal, a stays in full disruption and is tainted at the normal rate
    cp.fleet.restart_node("b-1")
    cp.run_until(lambda: states(cp) == {"a": FULL_DISRUPTION, "b": NORMAL}, max_sim_seconds=30)
    start = cp.clock.monotonic()
    cp.run_until(lambda: all(no_execute(cp, n) for n in ("a-0", "a-1", "a-2", "b-0")), max_sim_seconds=120)
    assert cp.clock.monotonic() - start >= 20          # a zone's three nodes, one per 10 s



def test_the_remembered_disruption_decision_is_the_one_made_afresh():
    """Each periodic pass ends with the zone states a decision made from every
    node's Ready status would give, though most passes reuse the last one."""
    cp = cluster({"a": 4, "b": 3})
    nlc = cp.node_lifecycle
    decide, handle = nlc._decide_disruption, nlc._handle_disruption
    made, passes = [], []

    def counted(states_now, statuses):
        made.append(1)
        return decide(states_now, statuses)

    def checked():
        before = dict(nlc.zone_states)
        statuses: dict[str, list[str]] = {}
        for name, z in nlc.zone_of.items():
            statuses.setdefault(z, []).append(nlc.ready_of.get(name, "Unknown"))
        handle()
        passes.append(before)
        assert nlc.zone_states == dict(decide(before, statuses).states)
    nlc._decide_disruption, nlc._handle_disruption = counted, checked
    for n in ("a-0", "a-1", "a-2", "a-3"):
        cp.fleet.stop_node(n)
    cp.run_until(lambda: states(cp) == {"a": FULL_DISRUPTION, "b": NORMAL}, max_sim_seconds=120)
    for n in ("a-0", "a-1"):
        cp.fleet.restart_node(n)
    cp.run_until(lambda: states(cp)["a"] != FULL_DISRUPTION, max_sim_seconds=120)
    cp.run_until(lambda: cp.clock.monotonic() >= 300)
    assert 2 < len(made) < len(passes) / 2
