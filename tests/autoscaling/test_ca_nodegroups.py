"""Node groups and their providers: simulated nodes named ``<group>-<n>``
and found again by their label; a fixed group (the local node) that never
changes; sizes checked."""

from __future__ import annotations

import pytest

from kubekit.autoscaling.cluster import GROUP_LABEL, FixedProvider, FleetProvider, NodeGroup
from kubekit.clock import FakeClock
from kubekit.node.simulated import NodeTemplate, SimulatedFleet
from kubekit.store import APIStore

T = NodeTemplate(cpu="4", memory="16Gi", labels={"tier": "web"})


def fleet_and_groups():
    clock = FakeClock()
    store = APIStore(clock=clock)
    fleet = SimulatedFleet(store, clock)
    provider = FleetProvider(fleet)
    return store, fleet, NodeGroup("a", 1, 3, T, provider=provider), NodeGroup("b", 0, 2, T, provider=provider)


def test_a_fleet_group_grows_with_named_labelled_nodes_and_finds_them_again():
    store, fleet, a, b = fleet_and_groups()
    assert a.provider.increase_size(a, 2) == ["a-0", "a-1"]
    assert b.provider.increase_size(b, 1) == ["b-0"]
    assert a.node_names() == ["a-0", "a-1"] and b.node_names() == ["b-0"]
    node = store.get("Node", None, "a-1")
    assert node["metadata"]["labels"][GROUP_LABEL] == "a" and node["metadata"]["labels"]["tier"] == "web"
    assert FleetProvider(fleet).node_names(a) == ["a-0", "a-1"]      # membership lives in the fleet
    a.provider.delete_nodes(a, ["a-0"])
    assert a.node_names() == ["a-1"]
    assert a.provider.increase_size(a, 1) == ["a-2"]                 # names are never reused


@pytest.mark.parametrize("action, message", [
    (lambda g: g.provider.increase_size(g, 4), "size increase too large: desired 4, max 3"),
    (lambda g: g.provider.increase_size(g, 0), "expected a positive number"),
    (lambda g: g.provider.delete_nodes(g, ["b-0"]), "do not belong to it"),
])
def test_a_fleet_group_refuses_to_leave_its_bounds(action, message):
    _, _, a, _ = fleet_and_groups()
    with pytest.raises(ValueError, match=message):
        action(a)


def test_a_fleet_group_does_not_go_below_min_size():
    _, _, a, _ = fleet_and_groups()
    a.provider.increase_size(a, 1)
    with pytest.raises(ValueError, match="below min size 1"):
        a.provider.delete_nodes(a, ["a-0"])


def test_a_fixed_group_is_the_nodes_it_names_and_never_changes():
    local = NodeGroup.fixed("local", ["my-host"])
    assert (local.min_size, local.max_size, local.template, local.can_grow) == (1, 1, None, False)
    assert local.node_names() == ["my-host"] and isinstance(local.provider, FixedProvider)
    with pytest.raises(ValueError, match="cannot grow"):
        local.provider.increase_size(local, 1)
    with pytest.raises(ValueError, match="cannot shrink"):
        local.provider.delete_nodes(local, ["my-host"])
    with pytest.raises(ValueError, match="no template"):
        local.template_manifest("2023-01-01T00:00:00Z")


@pytest.mark.parametrize("kw, message", [
    (dict(name="Bad_Name", min_size=0, max_size=1), "expected a DNS label"),
    (dict(name="g", min_size=2, max_size=1), "expected 0 <= min <= max"),
    (dict(name="g", min_size=-1, max_size=1), "expected 0 <= min <= max"),
    (dict(name="g", min_size=0, max_size=1, price=0), "expected a positive price"),
])
def test_node_groups_are_validated(kw, message):
    with pytest.raises(ValueError, match=message):
        NodeGroup(**kw)


def test_the_template_node_is_what_a_scale_up_would_add():
    _, _, a, _ = fleet_and_groups()
    m = a.template_manifest("2023-01-01T00:00:00Z")
    assert m["metadata"]["name"] == "template-node-for-a"
    assert m["metadata"]["labels"][GROUP_LABEL] == "a" and m["status"]["allocatable"]["cpu"] == "4"
