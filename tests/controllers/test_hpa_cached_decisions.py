"""The controller's cached inputs decide as fresh ones would.

The controller hands ``hpa_decide`` one :class:`SelectedPods` per pod
selection (facts derived from it are kept in it) and cpu samples as the
metrics source's ResourceValues.  Under scale-ups, scale-downs, pods starting
(inside the cpu initialization period) and pods leaving, every decision is
recomputed from a plain list and fresh PodMetrics and must be equal."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hpa_cluster_builders import HPACluster, deployment, hpa

import kubekit.controllers.hpa as controller
from kubekit.autoscaling.hpa_pods import SelectedPods
from kubekit.autoscaling.hpa_errors import HPAError
from kubekit.autoscaling.hpa_proposals import MetricInput
from kubekit.autoscaling.hpa_types import PodMetric


def _err(e):
    return (type(e), str(e), getattr(e, "reason", None)) if isinstance(e, HPAError) else e


def _comparable(decision):
    """Errors compare by type, text and reason (exceptions compare by identity)."""
    return replace(decision, metric_results=tuple(_err(r) for r in decision.metric_results),
                   error=_err(decision.error))


@pytest.fixture
def checked(monkeypatch):
    decide = controller.hpa_decide
    seen = []
    mismatches = []         # the runner catches what reconcile raises: collect instead

    def both(spec, current, pods, inputs, now, **kw):
        got = decide(spec, current, pods, inputs, now, **kw)
        fresh = [MetricInput(pod_metrics={n: PodMetric(*v) for n, v in i.pod_metrics.items()})
                 if isinstance(i.pod_metrics, dict) else i for i in inputs]
        again = decide(spec, current, list(pods), fresh, now, **kw)
        if _comparable(again) != _comparable(got):
            mismatches.append((now, got, again))
        seen.append((type(pods), got.desired_replicas))
        return got

    monkeypatch.setattr(controller, "hpa_decide", both)
    yield seen
    assert mismatches == []


def test_cached_and_fresh_inputs_decide_alike(checked):
    c = HPACluster(nodes=10, start_delay=5.0)
    c.create(deployment("web", 3))
    c.load["web"] = 600
    c.create(hpa("web", "web", max_replicas=30, behavior={}))
    c.settle(30)
    c.load["web"] = 9_000                    # scale out: new pods inside the cpu initialization period
    c.advance(120)
    c.load["web"] = 300                      # scale in after the stabilization window
    c.advance(420)
    assert len(checked) > 30
    assert {t for t, _ in checked} == {SelectedPods}
    assert len({n for _, n in checked}) > 2      # it scaled both ways
