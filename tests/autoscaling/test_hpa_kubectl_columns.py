"""``kubekit get hpa``: kubectl's columns (NAME, REFERENCE, TARGETS, MINPODS,
MAXPODS, REPLICAS, AGE) and ``formatHPAMetrics``'s TARGETS text (the
resource-name prefix of kubectl 1.27+)."""

from __future__ import annotations

from kubekit.kubectl.resources import resolve
from kubekit.kubectl.tables import columns, hpa_targets, render, table_for


def hpa(metrics, current=None, min_replicas=2):
    spec = {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 10, "metrics": metrics}
    if min_replicas is not None:
        spec["minReplicas"] = min_replicas
    return {"metadata": {"name": "web", "creationTimestamp": "2026-01-01T00:00:00Z"}, "spec": spec,
            "status": {"currentReplicas": 4, **({"currentMetrics": current} if current is not None else {})}}


CPU = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}
MEM = {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}}
QPS = {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}}
EXT = {"type": "External", "external": {"metric": {"name": "q"}, "target": {"type": "AverageValue", "averageValue": "1k"}}}


def test_resolve_and_columns():
    assert resolve("hpa").kind == "HorizontalPodAutoscaler"
    assert columns("HorizontalPodAutoscaler") == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS",
                                                   "AGE"]


def test_targets_text():
    assert hpa_targets(hpa([CPU])) == "cpu: <unknown>/50%"
    assert hpa_targets(hpa([CPU], [{"type": "Resource", "resource": {"name": "cpu", "current": {
        "averageUtilization": 40, "averageValue": "200m"}}}])) == "cpu: 40%/50%"
    assert hpa_targets(hpa([MEM], [{"type": "Resource", "resource": {"name": "memory", "current": {
        "averageValue": "104857600"}}}])) == "memory: 104857600/100Mi"
    assert hpa_targets(hpa([QPS], [{"type": ""}])) == "<unknown>/10"
    assert hpa_targets(hpa([CPU, QPS, EXT])) == "cpu: <unknown>/50%, <unknown>/10 + 1 more..."
    assert hpa_targets(hpa([EXT], [{"type": "External", "external": {"current": {"averageValue": "1500"}}}])) == \
        "1500/1k (avg)"
    assert hpa_targets(hpa([])) == "<none>"


def test_row():
    t = table_for("HorizontalPodAutoscaler", [hpa([CPU], min_replicas=None)], now=1767225600.0 + 300)
    out = render(t)
    assert out.splitlines()[1].split() == ["web", "Deployment/web", "cpu:", "<unknown>/50%", "<unset>", "10", "4",
                                           "5m"]
