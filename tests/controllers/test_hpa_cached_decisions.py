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
from kubekit.controllers.informer import Informer


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


def _status_history(remember: bool, monkeypatch) -> tuple[list, list, int]:
    """Every HPA write (in order, as a watch sees it), the statuses and
    replica counts after each step of a scenario, and how many statuses the
    controller built."""
    c = HPACluster(nodes=10, start_delay=5.0)
    c.hpa.remember_unchanged_status = remember
    written: list = []                      # every write of an HPA, as a watch sees it
    watcher = Informer(c.cp.store, "HorizontalPodAutoscaler")
    watcher.add_handler(on_update=lambda old, new: written.append(
        (new["metadata"]["resourceVersion"], new["metadata"]["name"], new.get("status"))))
    build = controller.hpa_status
    built = [0]

    def counting(*a, **kw):
        built[0] += 1
        return build(*a, **kw)

    monkeypatch.setattr(controller, "hpa_status", counting)
    c.create(deployment("web", 3))
    c.create(deployment("api", 2))
    c.load["web"], c.load["api"] = 600, 400
    c.create(hpa("web", "web", max_replicas=30, behavior={}))
    c.create(hpa("api", "api", max_replicas=10))
    after = []
    for load_web, load_api, seconds in ((600, 400, 60), (9_000, 400, 120), (9_000, 2_000, 90), (300, 2_000, 400),
                                        (300, 100, 400)):
        c.load["web"], c.load["api"] = load_web, load_api
        c.advance(seconds)
        watcher.pump()
        after.append((c.status("web"), c.status("api"), c.replicas("web"), c.replicas("api")))
    return written, after, built[0]


def test_an_unchanged_status_is_not_rebuilt_and_nothing_else_changes(monkeypatch):
    with monkeypatch.context() as m:
        written_on, after_on, built_on = _status_history(True, m)
    with monkeypatch.context() as m:
        written_off, after_off, built_off = _status_history(False, m)
    assert written_on == written_off and after_on == after_off
    assert len(written_on) > 10
    assert built_on < built_off // 2              # most syncs found the status they would build unchanged
