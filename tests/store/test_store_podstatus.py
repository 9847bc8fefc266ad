"""A new pod's status: Pending with its QoS class (GetPodQOS; rows after
pkg/apis/core/helper/qos/qos_test.go TestGetPodQOS)."""

from __future__ import annotations

import pytest

from kubekit.clock import FakeClock
from kubekit.store import APIStore
from kubekit.store.podstatus import pod_qos_class


def c(requests=None, limits=None):
    return {"name": "c", "image": "x", "resources": {k: v for k, v in (("requests", requests), ("limits", limits)) if v}}


@pytest.mark.parametrize("containers,inits,want", [
    ([c()], [], "BestEffort"),                                                    # no resources
    ([c(), c()], [], "BestEffort"),
    ([c(limits={"cpu": "100m", "memory": "100Mi"})], [], "Guaranteed"),          # requests default to limits
    ([c({"cpu": "100m", "memory": "100Mi"}, {"cpu": "100m", "memory": "100Mi"})], [], "Guaranteed"),
    ([c({"cpu": "100m", "memory": "100Mi"}, {"cpu": "200m", "memory": "100Mi"})], [], "Burstable"),
    ([c({"cpu": "100m"})], [], "Burstable"),
    ([c(limits={"cpu": "100m"})], [], "Burstable"),                              # memory not limited
    ([c(limits={"cpu": "100m", "memory": "100Mi"}), c()], [], "Burstable"),      # one container unlimited
    ([c(limits={"cpu": "1", "memory": "1Gi"})], [c({"cpu": "500m"})], "Burstable"),
    ([c({"nvidia.com/gpu": "1"}, {"nvidia.com/gpu": "1"})], [], "BestEffort"),    # only cpu and memory count
    ([c({"cpu": "0"})], [], "BestEffort"),                                        # zero requests do not count
])
def test_pod_qos_class(containers, inits, want):
    assert pod_qos_class({"containers": containers, "initContainers": inits}) == want


def test_create_resets_a_pods_status_to_pending():
    api = APIStore(clock=FakeClock())
    p = api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
                    "spec": {"containers": [c(limits={"cpu": "1", "memory": "1Gi"})]},
                    "status": {"phase": "Running", "podIP": "10.0.0.1"}})
    assert p["status"] == {"phase": "Pending", "qosClass": "Guaranteed"}
    assert api.get("Pod", "default", "p")["status"] == p["status"]
