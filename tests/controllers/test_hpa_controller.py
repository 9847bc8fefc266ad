"""The HPA controller on a simulated cluster (ControlPlane + SimulatedFleet +
FakeClock): scale-out within the behavior policies, the downscale
stabilization window, no thrash under flapping load, status, conditions and
Events with upstream's texts, failures reported rather than raised."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hpa_cluster_builders import HPACluster, cpu_utilization, deployment, hpa

from kubekit.autoscaling.hpa_types import HPAControllerConfig
from kubekit.autoscaling.metrics_source import CombinedMetrics, FleetMetrics, ObjectRef
from kubekit.controllers.hpa import ScaleError
from kubekit.store.meta import parse_time

ABOVE = "New size: {}; reason: cpu resource utilization (percentage of request) above target"


def started(load: int, replicas: int = 2, **kw) -> HPACluster:
    """web (500m requests) at ``replicas``, with ``load`` milli-cpu in total,
    and an HPA targeting 50% cpu."""
    c = HPACluster(nodes=10)
    c.create(deployment("web", replicas))
    c.load["web"] = load
    c.create(hpa("web", "web", **kw))
    c.settle(20)
    return c


# -- scale-up within the policy ---------------------------------------------------------------

def test_a_load_step_scales_out_at_the_default_behavior_rate():
    c = started(400, max_replicas=40, behavior={})
    assert c.replicas("web") == 2
    c.load["web"] = 12_000                     # 48 pods' worth at 50% of 500m
    history = c.replica_history("web", 90)
    # default scale-up: max(+4 pods, +100%) per 15 s, then the maxReplicas cap
    prev = 2
    for n in history:
        assert n <= min(40, max(prev + 4, 2 * prev))
        prev = n
    assert history == [6, 12, 24, 40, 40, 40]
    limited = c.condition("web", "ScalingLimited")
    assert (limited["status"], limited["reason"]) == ("True", "TooManyReplicas")
    assert limited["message"] == "the desired replica count is more than the maximum replica count"
    rescales = [e["message"] for e in c.events("web") if e["reason"] == "SuccessfulRescale"]
    assert rescales == [ABOVE.format(n) for n in (6, 12, 24, 40)]


def test_a_pods_policy_limits_each_period():
    behavior = {"scaleUp": {"policies": [{"type": "Pods", "value": 3, "periodSeconds": 60}]}}
    c = started(400, max_replicas=40, behavior=behavior)
    c.load["web"] = 12_000
    history = c.replica_history("web", 150)
    # at most 3 pods added within any 60 s
    assert history[:4] == [5, 5, 5, 5] and history[4] == 8
    assert max(history) <= 2 + 3 * (1 + 150 // 60)


def test_legacy_path_without_behavior_doubles_or_goes_to_four():
    c = started(400, max_replicas=40)
    c.load["web"] = 12_000
    assert c.replica_history("web", 60) == [4, 8, 16, 32]


# -- scale-down and stabilization --------------------------------------------------------------

def _first_change_after(c: HPACluster, seconds: float) -> tuple[float, int]:
    before = c.replicas("web")
    t0 = c.clock.monotonic()
    while c.clock.monotonic() - t0 < seconds:
        c.advance(5)
        if c.replicas("web") != before:
            return c.clock.monotonic() - t0, c.replicas("web")
    return float("inf"), before


def test_a_load_drop_waits_for_the_five_minute_window():
    c = started(400, max_replicas=40, behavior={})
    c.load["web"] = 4000
    c.advance(60)
    assert c.replicas("web") == 16
    c.load["web"] = 1000
    waited, replicas = _first_change_after(c, 400)
    # the last high recommendation is at most one sync (15 s) older than the drop
    assert 285 <= waited <= 305
    assert replicas == 4
    last = [e for e in c.events("web") if e["reason"] == "SuccessfulRescale"][-1]
    assert last["message"] == "New size: 4; reason: All metrics below target"


def test_a_custom_scale_down_window_is_honoured():
    behavior = {"scaleDown": {"stabilizationWindowSeconds": 60}}
    c = started(400, max_replicas=40, behavior=behavior)
    c.load["web"] = 4000
    c.advance(60)
    assert c.replicas("web") == 16
    c.load["web"] = 1000
    waited, replicas = _first_change_after(c, 400)
    assert 45 <= waited <= 65 and replicas == 4


def _flap(window: int) -> tuple[int, int]:
    """(scale events counted from the Events, the controller's rescale count)"""
    c = started(1200, replicas=4, max_replicas=20,
                behavior={"scaleDown": {"stabilizationWindowSeconds": window}})
    for i in range(20):                       # 10 minutes, 30 s high then 30 s low
        c.load["web"] = 1200 if i % 2 == 0 else 400
        c.advance(30)
    # repeats of an Event are aggregated into its count (client-go's correlator)
    return sum(e["count"] for e in c.events("web") if e["reason"] == "SuccessfulRescale"), c.hpa.rescales


def test_flapping_load_causes_no_thrash():
    assert _flap(300) == (1, 1)                # one scale-up, then held by the window
    thrash, rescales = _flap(0)                # without a window the same load thrashes
    assert thrash == rescales and rescales >= 15


# -- status, conditions, events ------------------------------------------------------------------

def test_status_fields_and_conditions_after_a_rescale():
    c = started(400, max_replicas=10, behavior={})
    c.load["web"] = 1500                      # 150% of 2 x 250m: 6 pods
    c.advance(15)
    st = c.status("web")
    assert (st["currentReplicas"], st["desiredReplicas"]) == (2, 6)
    assert "observedGeneration" not in st      # upstream's setStatus never sets it (an HPA has no generation)
    assert abs(parse_time(st["lastScaleTime"]) - c.clock.now()) <= 15
    assert st["currentMetrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "current": {"averageUtilization": 150, "averageValue": "750m"}}}]
    conds = {x["type"]: (x["status"], x["reason"], x["message"]) for x in st["conditions"]}
    assert conds["AbleToScale"] == ("True", "SucceededRescale",
                                    "the HPA controller was able to update the target scale to 6")
    assert conds["ScalingActive"] == ("True", "ValidMetricFound", "the HPA was able to successfully calculate a "
                                      "replica count from cpu resource utilization (percentage of request)")
    assert conds["ScalingLimited"][:2] == ("False", "DesiredWithinRange")
    c.advance(15)
    st = c.status("web")
    assert (st["currentReplicas"], st["desiredReplicas"]) == (6, 6)
    assert c.condition("web", "AbleToScale")["reason"] == "ReadyForNewScale"


def test_a_spec_change_is_observed_and_acted_on():
    c = started(1500, max_replicas=4, behavior={})
    c.advance(15)
    assert c.replicas("web") == 4
    c.cp.store.guaranteed_update("HorizontalPodAutoscaler", "default", "web",
                                 lambda h: {**h, "spec": {**h["spec"], "maxReplicas": 8}})
    assert "generation" not in c.cp.store.get("HorizontalPodAutoscaler", "default", "web")["metadata"]
    c.settle(1)                                   # well within the 15 s resync: the spec change itself enqueued it
    assert c.replicas("web") == 6


def test_below_min_replicas_goes_straight_to_the_minimum():
    c = HPACluster(nodes=2)
    c.create(deployment("web", 1))
    c.create(hpa("web", "web", min_replicas=3, max_replicas=10))
    c.cp.step()                                 # one reconcile: no metrics are read below the minimum
    assert c.replicas("web") == 3
    ev = [e for e in c.events("web") if e["reason"] == "SuccessfulRescale"][0]
    assert ev["message"] == "New size: 3; reason: Current number of replicas below Spec.MinReplicas"
    assert c.status("web").get("currentMetrics") is None


def test_min_clamp_sets_scaling_limited():
    c = started(2000, replicas=4, min_replicas=3, max_replicas=10,
                behavior={"scaleDown": {"stabilizationWindowSeconds": 0}})
    c.load["web"] = 10
    c.advance(30)
    assert c.replicas("web") == 3
    limited = c.condition("web", "ScalingLimited")
    assert (limited["status"], limited["reason"]) == ("True", "TooFewReplicas")
    assert limited["message"] == "the desired replica count is less than the minimum replica count"


# -- failures are conditions and events -----------------------------------------------------------

def test_a_missing_target_is_a_condition_and_an_event():
    c = HPACluster(nodes=2)
    c.create(hpa("web", "web"))
    c.settle(1)
    cond = c.condition("web", "AbleToScale")
    assert (cond["status"], cond["reason"]) == ("False", "FailedGetScale")
    assert cond["message"] == ('the HPA controller was unable to get the target\'s current scale: '
                               'deployments.apps "web" not found')
    ev = c.events("web")[0]
    assert (ev["type"], ev["reason"], ev["message"]) == ("Warning", "FailedGetScale", 'deployments.apps "web" not found')
    assert c.hpa.errors == 0                        # reported, not raised
    c.create(deployment("web", 2))
    c.load["web"] = 2000
    c.advance(30)
    assert c.condition("web", "AbleToScale")["status"] == "True"
    assert c.replicas("web") > 2


def test_a_target_kind_without_scale_and_an_unknown_kind():
    c = HPACluster(nodes=1)
    c.create(hpa("a", "x", kind="Pod", api_version="v1"))
    c.create(hpa("b", "x", kind="Widget", api_version="example.com/v1"))
    c.settle(1)
    assert c.condition("a", "AbleToScale")["message"].endswith("the server could not find the requested resource")
    assert c.events("b")[0]["message"] == 'no matches for kind "Widget" in group "example.com"'


def test_an_accepted_target_kind_is_checked_again_when_the_kinds_change():
    """The controller remembers a scaleTargetRef it accepted only while the
    store's kinds map its name to the same Kind; refusals are decided anew."""
    c = HPACluster(nodes=1)
    assert c.hpa._scale_kind("apps/v1", "Deployment") == "Deployment"
    assert c.hpa._scale_kind("apps/v1", "Deployment") == "Deployment"        # remembered
    kinds = c.cp.store.kinds.copy()                # the store's own registry from here on
    kinds.register(replace(kinds.get("Deployment"), api_version="example.com/v1"))
    c.cp.store.kinds = kinds
    for _ in range(2):
        with pytest.raises(ScaleError, match='no matches for kind "Deployment" in group "apps"'):
            c.hpa._scale_kind("apps/v1", "Deployment")
    assert c.hpa._scale_kind("example.com/v1", "Deployment") == "Deployment"
    for _ in range(2):
        with pytest.raises(ScaleError, match="the server could not find the requested resource"):
            c.hpa._scale_kind("v1", "Pod")


def test_target_deleted_then_recreated():
    c = started(1500, max_replicas=10, behavior={})
    c.advance(15)
    assert c.replicas("web") == 6
    c.cp.store.delete("Deployment", "default", "web")
    c.advance(15)
    assert c.condition("web", "AbleToScale")["reason"] == "FailedGetScale"
    c.create(deployment("web", 2))
    c.advance(45)
    assert c.condition("web", "AbleToScale")["status"] == "True"
    assert c.replicas("web") == 6


def test_deleting_the_hpa_forgets_its_memory():
    c = started(1500, max_replicas=10, behavior={})
    assert "default/web" in c.hpa.memory
    c.cp.store.delete("HorizontalPodAutoscaler", "default", "web")
    c.settle(1)
    assert "default/web" not in c.hpa.memory


class _Without(FleetMetrics):
    """The fleet's metrics minus some pods (a metrics-server that has not
    scraped them yet)."""

    def __init__(self, fleet, missing):
        super().__init__(fleet)
        self.missing = missing

    def resource_metrics(self, resource, namespace, selector, container=""):
        values = super().resource_metrics(resource, namespace, selector, container)
        return {k: v for k, v in values.items() if k not in self.missing}


def test_metrics_missing_for_some_pods_damp_a_scale_up():
    c = HPACluster(nodes=4)
    c.create(deployment("web", 4))
    c.load["web"] = 2000                        # 500m a pod: 100% of request, target 50%
    c.settle(1)
    names = sorted(p["metadata"]["name"] for p in c.cp.pods.list())
    source = _Without(c.cp.fleet, set(names[:2]))
    c.hpa.metrics = CombinedMetrics(source, c.custom)
    c.create(hpa("web", "web", max_replicas=20))
    c.advance(30)
    # reported pods are at 2x target, but the missing ones count as 0 on a
    # scale-up: (2 x 500m) / (4 x 500m) = 50%, within tolerance: no change
    assert c.replicas("web") == 4
    source.missing = set()
    c.advance(15)
    assert c.replicas("web") == 8


def test_no_metrics_at_all_is_failed_compute():
    c = HPACluster(nodes=2)
    c.create(deployment("web", 2))
    c.hpa.metrics = CombinedMetrics(c.custom)      # serves no resource metrics
    c.create(hpa("web", "web"))
    c.settle(1)
    active = c.condition("web", "ScalingActive")
    assert (active["status"], active["reason"]) == ("False", "FailedGetResourceMetric")
    assert active["message"] == ("the HPA was unable to compute the replica count: failed to get cpu utilization: "
                                 "unable to get metrics for resource cpu: no metrics returned from resource "
                                 "metrics API")
    by_reason = {e["reason"]: e["message"] for e in c.events("web")}
    assert by_reason["FailedGetResourceMetric"] == ("failed to get cpu utilization: unable to get metrics for "
                                                    "resource cpu: no metrics returned from resource metrics API")
    assert by_reason["FailedComputeMetricsReplicas"].startswith(
        "invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ")
    assert c.status("web")["currentMetrics"] == [{"type": ""}]


def test_a_selectorless_target_is_invalid_selector():
    c = HPACluster(nodes=1)
    d = deployment("web", 1)
    del d["spec"]["selector"]
    c.create(d)
    c.create(hpa("web", "web"))
    c.settle(1)
    active = c.condition("web", "ScalingActive")
    assert (active["reason"], active["message"]) == ("InvalidSelector", "the HPA target's scale is missing a selector")
    assert {"SelectorRequired", "FailedComputeMetricsReplicas"} <= set(c.reasons("web"))


# -- other metric kinds ------------------------------------------------------------------------------

def test_a_memory_average_value_hpa():
    c = HPACluster(nodes=4)
    c.create(deployment("mem", 2))
    c.memory["mem"] = 1000 * 2**20                 # 1000Mi in total
    metric = {"type": "Resource", "resource": {"name": "memory",
                                               "target": {"type": "AverageValue", "averageValue": "100Mi"}}}
    c.create(hpa("mem", "mem", max_replicas=20, metrics=[metric], behavior={}))
    c.advance(45)
    assert c.replicas("mem") == 10
    current = c.status("mem")["currentMetrics"][0]
    assert current == {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "104857600"}}}


def test_a_pods_metric_through_the_settable_source():
    c = HPACluster(nodes=4)
    c.create(deployment("q", 2))
    c.settle(1)
    names = [p["metadata"]["name"] for p in c.cp.pods.list()]
    c.custom.set_pods_metric("default", "qps", {n: 20_000 for n in names})     # 20 qps each
    metric = {"type": "Pods", "pods": {"metric": {"name": "qps"},
                                       "target": {"type": "AverageValue", "averageValue": "10"}}}
    c.create(hpa("q", "q", max_replicas=10, metrics=[metric], behavior={}))
    c.settle(1)
    assert c.replicas("q") == 4
    assert c.status("q")["currentMetrics"][0]["pods"]["current"] == {"averageValue": "20"}
    ev = [e for e in c.events("q") if e["reason"] == "SuccessfulRescale"][0]
    assert ev["message"] == "New size: 4; reason: pods metric qps above target"


def test_an_external_metric_through_the_settable_source():
    c = HPACluster(nodes=4)
    c.create(deployment("w", 2))
    c.settle(1)
    c.custom.set_external_metric("default", "queue_depth", [30_000, 20_000])   # 50 messages in two series
    metric = {"type": "External", "external": {"metric": {"name": "queue_depth"},
                                               "target": {"type": "AverageValue", "averageValue": "10"}}}
    c.create(hpa("w", "w", max_replicas=10, metrics=[metric], behavior={}))
    c.settle(1)
    assert c.replicas("w") == 5
    assert c.status("w")["currentMetrics"][0]["external"]["current"] == {"averageValue": "25"}


def test_an_object_value_metric_and_a_missing_one():
    c = HPACluster(nodes=4)
    c.create(deployment("o", 2))
    c.settle(1)
    ref = ObjectRef("Ingress", "main", "networking.k8s.io/v1")
    metric = {"type": "Object", "object": {"describedObject": {"kind": "Ingress", "name": "main",
                                                               "apiVersion": "networking.k8s.io/v1"},
                                           "metric": {"name": "rps"},
                                           "target": {"type": "Value", "value": "100"}}}
    c.create(hpa("o", "o", max_replicas=10, metrics=[metric], behavior={}))
    c.settle(1)
    assert c.condition("o", "ScalingActive")["reason"] == "FailedGetObjectMetric"
    c.custom.set_object_metric("default", "rps", ref, 300_000)
    c.advance(15)
    assert c.replicas("o") == 6
    assert c.status("o")["currentMetrics"][0]["object"]["current"] == {"value": "300"}


def test_the_controller_config_is_used():
    # a wide tolerance holds a 40% excess
    c = HPACluster(nodes=4, config=HPAControllerConfig(tolerance=0.5))
    c.create(deployment("web", 2))
    c.load["web"] = 700                        # 70% of request, target 50%: ratio 1.4
    c.create(hpa("web", "web", metrics=[cpu_utilization(50)]))
    c.advance(45)
    assert c.replicas("web") == 2


def test_two_hpas_over_the_same_pods_are_ambiguous_until_one_goes():
    """validateAndParseSelector: when the pods of an HPA's selector are also
    selected by another HPA's (as last synced), ScalingActive is False with
    AmbiguousSelector, the Events AmbiguousSelector and
    FailedComputeMetricsReplicas carry upstream's message, and nothing is
    scaled.  (Upstream lists the HPAs in map order; kubekit sorts them.)"""
    c = HPACluster(nodes=4)
    c.create(deployment("web", 2))
    c.create(hpa("web-cpu", "web"))
    c.create(hpa("web-more", "web", metrics=[cpu_utilization(10)]))
    c.load["web"] = 2000                          # 200% of the request: both would scale out
    c.settle(1)
    c.advance(30)
    want = "pods by selector app=web are controlled by multiple HPAs: [default/web-cpu default/web-more]"
    for name in ("web-cpu", "web-more"):
        active = c.condition(name, "ScalingActive")
        assert (active["status"], active["reason"], active["message"]) == ("False", "AmbiguousSelector", want)
        by_reason = {e["reason"]: e["message"] for e in c.events(name)}
        assert by_reason["AmbiguousSelector"] == by_reason["FailedComputeMetricsReplicas"] == want
        assert "currentMetrics" not in c.status(name) or c.status(name)["currentMetrics"] is None
    held = c.replicas("web")
    c.advance(60)
    assert c.replicas("web") == held              # while ambiguous, neither HPA scales
    c.cp.store.delete("HorizontalPodAutoscaler", "default", "web-more")
    c.advance(30)
    assert c.condition("web-cpu", "ScalingActive")["reason"] == "ValidMetricFound"
    assert c.replicas("web") > held


def test_a_broader_selector_over_a_canary_is_ambiguous_for_both_but_not_for_a_bystander():
    c = HPACluster(nodes=4)
    stable, canary, other = deployment("web", 2), deployment("web-canary", 1), deployment("db", 1)
    canary["spec"]["selector"]["matchLabels"] = {"app": "web", "track": "canary"}
    canary["spec"]["template"]["metadata"]["labels"] = {"app": "web", "track": "canary"}
    for d in (stable, canary, other):
        c.create(d)
    for name in ("web", "web-canary", "db"):
        c.create(hpa(name, name))
    c.settle(1)
    c.advance(30)
    assert c.condition("web", "ScalingActive")["reason"] == "AmbiguousSelector"
    assert c.condition("web-canary", "ScalingActive")["message"] == (
        "pods by selector app=web,track=canary are controlled by multiple HPAs: [default/web default/web-canary]")
    assert c.condition("db", "ScalingActive")["reason"] == "ValidMetricFound"
