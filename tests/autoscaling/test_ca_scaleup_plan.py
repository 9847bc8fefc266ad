"""The scale-up planner on scheduler snapshots: schedulable pods filtered
out, per-group fit with the scheduler's filters, node counts from the
packing kernels, and the reasons given for pods no group helps."""

from __future__ import annotations

from kubekit.api import Node, Pod
from kubekit.api.affinity import Taint
from kubekit.autoscaling.cluster.scaleup import (
    GroupState, estimate_node_count, not_triggered_message, plan_scale_up, triggered_message,
)
from kubekit.scheduler import Scheduler


def tmpl(name="t", cpu="4", memory="16Gi", **kw):
    return Node.simple(f"template-node-for-{name}", cpu, memory, **kw)


def pods(n, cpu="1", memory="1Gi", prefix="p", **kw):
    return [Pod.simple(f"{prefix}{i}", cpu, memory, **kw) for i in range(n)]


def group(name, template, size=0, lo=0, hi=10, **kw):
    return GroupState(name, size, lo, hi, template, **kw)


def test_estimate_node_count_packs_first_fit_decreasing():
    assert estimate_node_count(pods(8), tmpl(), 100) == 2
    assert estimate_node_count(pods(9), tmpl(), 100) == 3
    assert estimate_node_count(pods(3, cpu="3") + pods(3, prefix="s"), tmpl(), 100) == 3
    assert estimate_node_count(pods(9), tmpl(), 2) == 2          # capped by the group's headroom
    assert estimate_node_count([], tmpl(), 5) == 0


def test_pods_that_fit_existing_nodes_trigger_nothing():
    existing = Scheduler(nodes=[Node.simple("n1", "4", "16Gi")])
    plan = plan_scale_up(pods(6), existing, [group("g", tmpl("g"))])
    assert len(plan.schedulable) == 4
    assert [(o.group, o.node_count, len(o.pods)) for o in plan.options] == [("g", 1, 2)]


def test_each_group_offers_the_nodes_its_template_needs():
    plan = plan_scale_up(pods(10), Scheduler(), [group("small", tmpl("small")), group("big", tmpl("big", "16"))])
    got = {o.group: (o.node_count, len(o.pods)) for o in plan.options}
    assert got == {"small": (3, 10), "big": (1, 10)}
    assert not plan.not_helped


def test_pods_fitting_no_template_get_reasons_and_no_option():
    huge = pods(2, cpu="64", prefix="huge")
    plan = plan_scale_up(huge, Scheduler(), [group("a", tmpl("a")), group("b", tmpl("b", "8"))])
    assert plan.options == ()
    assert plan.not_helped["default/huge0"] == {"Insufficient cpu": 2}
    assert not_triggered_message(plan.not_helped["default/huge0"]) == \
        "pod didn't trigger scale-up: 2 Insufficient cpu"


def test_taints_and_selectors_are_the_schedulers_filters():
    tainted = tmpl("gpu", taints=[Taint("gpu", "true", "NoSchedule")])
    labelled = tmpl("arm", labels={"arch": "arm"})
    plain = pods(1, prefix="plain")
    picky = pods(1, prefix="picky", node_selector={"arch": "arm"})
    plan = plan_scale_up(plain + picky, Scheduler(), [group("gpu", tainted), group("arm", labelled)])
    opts = {o.group: o.pods for o in plan.options}
    assert opts == {"arm": ("default/picky0", "default/plain0")}
    plan = plan_scale_up(picky, Scheduler(), [group("gpu", tainted)])
    (reason,) = plan.not_helped["default/picky0"]        # the scheduler's first failing filter
    assert "taint" in reason


def test_a_group_at_max_size_is_skipped_with_cas_reason():
    plan = plan_scale_up(pods(1), Scheduler(), [group("g", tmpl("g"), size=3, hi=3)])
    assert plan.options == ()
    assert not_triggered_message(plan.not_helped["default/p0"]) == \
        "pod didn't trigger scale-up: 1 max node group size reached"


def test_pods_beyond_a_groups_headroom_are_told_so():
    plan = plan_scale_up(pods(12), Scheduler(), [group("g", tmpl("g"), size=1, hi=2)])
    (o,) = plan.options
    assert (o.node_count, len(o.pods)) == (1, 4)
    assert len(plan.not_helped) == 8
    assert all(r == {"max node group size reached": 1} for r in plan.not_helped.values())


def test_max_nodes_total_caps_every_group():
    plan = plan_scale_up(pods(12), Scheduler(), [group("g", tmpl("g"))], total_nodes=9, max_nodes_total=10)
    assert [o.node_count for o in plan.options] == [1]
    plan = plan_scale_up(pods(1), Scheduler(), [group("g", tmpl("g"))], total_nodes=10, max_nodes_total=10)
    assert plan.options == () and plan.not_helped["default/p0"] == {"max total nodes in cluster reached": 1}


def test_fixed_groups_are_never_options():
    plan = plan_scale_up(pods(1), Scheduler(), [GroupState("local", 1, 1, 1, None)])
    assert plan.options == ()


def test_option_requests_and_template_shape_feed_the_expanders():
    (o,) = plan_scale_up(pods(3, cpu="1", memory="2Gi"), Scheduler(), [group("g", tmpl("g"), price=0.5)]).options
    assert (o.requested_cpu_milli, o.requested_memory_bytes, o.node_cpu_milli, o.node_memory_bytes, o.price) == \
        (3000, 6 << 30, 4000, 16 << 30, 0.5)


def test_messages_are_cas():
    assert triggered_message([("g", 1, 3, 10)]) == "pod triggered scale-up: [{g 1->3 (max: 10)}]"
    assert not_triggered_message({"Insufficient cpu": 1, "max node group size reached": 2}) == \
        "pod didn't trigger scale-up: 1 Insufficient cpu, 2 max node group size reached"
