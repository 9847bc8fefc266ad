"""The HorizontalPodAutoscaler controller (``autoscaling/v2``), as
``pkg/controller/podautoscaler/horizontal.go`` runs it, on an injected clock.

``reconcile("ns/name")`` is level-triggered; every ``sync_period`` (15 s,
kube-controller-manager's ``--horizontal-pod-autoscaler-sync-period``) it:

1. reads the HPA from its informer (gone: forgets the HPA's memory);
2. reads the target's **scale** (``scale_of`` of the Deployment or
   ReplicaSet, fresh from the store).  An unparsable ``apiVersion``, an
   unknown kind, a kind without a scale subresource or a missing target is
   ``AbleToScale=False FailedGetScale`` plus a ``FailedGetScale`` Event;
3. selects the pods of the scale's ``status.selector`` from the pod
   informer and reads each metric from the :class:`~kubekit.autoscaling.metrics_source.MetricsSource`;
4. calls the pure :func:`~kubekit.autoscaling.hpa_decide` with its memory
   of the HPA (recommendations, scale events);
5. on a change writes ``spec.replicas`` of the target (optimistic
   concurrency: the scale carries the resourceVersion it was read at), and
   records ``SuccessfulRescale`` or ``FailedRescale``;
6. writes the status when it changed (``currentReplicas``,
   ``desiredReplicas``, ``currentMetrics``, ``lastScaleTime``, the
   ``AbleToScale``/``ScalingActive``/``ScalingLimited`` conditions; as
   upstream's ``setStatus``, no ``observedGeneration``: an HPA has no
   generation).

Texts of Events and conditions are upstream's (:mod:`kubekit.controllers.hpa_status`).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from kubekit._fast._records import new_slots
from kubekit.autoscaling.hpa_decide import HPAState, hpa_decide
from kubekit.autoscaling.hpa_errors import HPAError, HPASpecError
from kubekit.autoscaling.hpa_pods import SelectedPods
from kubekit.autoscaling.hpa_proposals import MetricInput
from kubekit.autoscaling.hpa_types import (
    ABLE_TO_SCALE,
    CONDITION_FALSE,
    CONTAINER_RESOURCE,
    EXTERNAL,
    OBJECT,
    PODS,
    RESOURCE,
    SCALING_ACTIVE,
    Condition,
    HPAControllerConfig,
    HPASpec,
    MetricProposal,
    MetricSpec,
    PodInfo,
    PodMetric,
    TimestampedRecommendation,
)
from kubekit.autoscaling.metrics_source import MetricsSource, MetricsUnavailable, ObjectRef
from kubekit.controllers.hpa_inputs import hpa_spec_of, metric_source_of, pod_info_of
from kubekit.controllers.hpa_status import hpa_status, metric_error_text, metric_status, set_condition
from kubekit.controllers.informer import Informer, object_key
from kubekit.controllers.runner import Controller, Result
from kubekit.errors import KubekitError, NotFoundError
from kubekit.store.meta import rfc3339
from kubekit.store.selectors import EVERYTHING, LabelSelector, from_label_selector, parse_labels

__all__ = ["HPAController", "ScaleError"]

log = logging.getLogger(__name__)

#: the ``ScalingActive`` reason of a failed metric, per source type
_FAILED_REASON = {RESOURCE: "FailedGetResourceMetric", CONTAINER_RESOURCE: "FailedGetContainerResourceMetric",
                  PODS: "FailedGetPodsMetric", OBJECT: "FailedGetObjectMetric", EXTERNAL: "FailedGetExternalMetric"}

#: the window upstream's custom-metrics client reports (``metricServerDefaultMetricWindow``)
_CUSTOM_WINDOW = 60.0


class ScaleError(KubekitError):
    """The target's scale could not be read; the message is the API's."""


class HPAController(Controller):
    """See the module docstring.  ``metrics`` is any
    :class:`~kubekit.autoscaling.metrics_source.MetricsSource`; ``pods`` and
    ``hpas`` may be shared informers (an empty informer is falsy: they are
    tested with ``is not None``).  ``config`` carries the tolerance, the cpu
    initialization period, the readiness delay and the downscale window."""

    name = "horizontal-pod-autoscaler"

    def __init__(self, store, clock, metrics: MetricsSource, *, pods: Informer | None = None,
                 hpas: Informer | None = None, sync_period: float = 15.0,
                 config: HPAControllerConfig | None = None, events=None) -> None:
        super().__init__(store, clock)
        from kubekit.cluster.events import EventRecorder
        from kubekit.server.routes import SUBRESOURCES
        from kubekit.server.scale import scale_of

        self._subresources, self._scale_from = SUBRESOURCES, scale_of      # imported here: no import cycle

        self.metrics = metrics
        self.sync_period = sync_period
        self.config = config if config is not None else HPAControllerConfig(sync_period=sync_period)
        self.events = events if events is not None else EventRecorder(store, clock, "horizontal-pod-autoscaler")
        self.pods = pods if pods is not None else Informer(store, "Pod")
        self.hpas = hpas if hpas is not None else Informer(store, "HorizontalPodAutoscaler")
        self.informers = [self.hpas, self.pods]
        self.memory: dict[str, HPAState] = {}
        self.rescales = 0                     # successful scale writes (for simulations and benchmarks)
        self.decisions = 0                    # hpa_decide calls
        self._by_ns: dict[str, dict[str, dict]] = {}
        self._ns_changes: dict[str, int] = {}                 # namespace -> pod changes seen (a version)
        # key -> (namespace version, selector, selected pods, their PodInfos): a
        # namespace whose pods did not change since the last sync is not re-read
        self._selections: dict[str, tuple[int, LabelSelector, list[dict], SelectedPods]] = {}
        self._infos: dict[str, tuple[str, PodInfo]] = {}
        self._specs: dict[str, tuple[tuple, HPASpec]] = {}     # key -> ((uid, spec), its HPASpec)
        self._scales: dict[str, tuple[tuple, dict]] = {}      # key -> ((target uid, resourceVersion), its scale)
        self._parsed_selectors: dict[str, LabelSelector] = {}  # a scale's selector text -> parsed
        # (scaleTargetRef apiVersion, kind) -> (the registered Kind, its name):
        # a ref the last check accepted, while the store's kinds still map the
        # name to that very Kind (what _scale_kind decides depends on nothing else)
        self._scale_kinds: dict[tuple[str, str], tuple[object, str]] = {}
        # key -> (the stored status, the inputs of the status a sync built from
        # it): the last sync found that status unchanged (the end of _reconcile)
        self._unchanged_status: dict[str, tuple[dict, tuple]] = {}
        self.remember_unchanged_status = True   # False: build and compare the status at every sync (tests)
        # Every HPA's scale selector as last parsed (None until its first sync:
        # upstream's hpaSelectors registers a new HPA with labels.Nothing()),
        # by namespace: two HPAs whose selectors take the same pod are ambiguous.
        self._hpa_selectors: dict[str, dict[str, LabelSelector | None]] = {}
        self.pods.add_handler(self._pod_put, lambda _old, new: self._pod_put(new), self._pod_gone)
        self.hpas.add_handler(self._hpa_added, self._hpa_updated, self._hpa_deleted)

    # -- informer handlers ------------------------------------------------------------------
    def _pod_put(self, pod: dict) -> None:
        ns = pod["metadata"].get("namespace", "default")
        self._by_ns.setdefault(ns, {})[object_key(pod)] = pod
        self._ns_changes[ns] = self._ns_changes.get(ns, 0) + 1

    def _pod_gone(self, pod: dict) -> None:
        key = object_key(pod)
        ns = pod["metadata"].get("namespace", "default")
        self._by_ns.get(ns, {}).pop(key, None)
        self._ns_changes[ns] = self._ns_changes.get(ns, 0) + 1
        self._infos.pop(key, None)

    def _register(self, hpa: dict) -> None:
        ns = hpa["metadata"].get("namespace", "default")
        self._hpa_selectors.setdefault(ns, {}).setdefault(object_key(hpa), None)

    def _hpa_added(self, hpa: dict) -> None:
        self._register(hpa)
        self.enqueue(object_key(hpa))

    def _hpa_updated(self, old: dict, new: dict) -> None:
        self._register(new)
        # our own status writes must not trigger a decision; a spec change
        # does (an HPA has no metadata.generation to tell them apart)
        if old.get("spec") != new.get("spec"):
            self.enqueue(object_key(new))

    def _hpa_deleted(self, hpa: dict) -> None:
        key = object_key(hpa)
        self._forget(key)
        ns = hpa["metadata"].get("namespace", "default")
        registered = self._hpa_selectors.get(ns, {})
        registered.pop(key, None)
        if not registered:
            self._hpa_selectors.pop(ns, None)

    def _forget(self, key: str) -> None:
        """Drop what the controller remembers of a deleted HPA."""
        for memo in (self.memory, self._specs, self._selections, self._scales, self._unchanged_status):
            memo.pop(key, None)

    def _controlling(self, namespace: str, pods: list[dict]) -> list[str]:
        """``hpasControllingPodsUnderSelector``: the keys of the HPAs (their
        selectors as last parsed) that select any of ``pods``, sorted."""
        registered = [(k, sel) for k, sel in self._hpa_selectors.get(namespace, {}).items() if sel is not None]
        if len(registered) < 2:
            return [k for k, _ in registered]
        found: set[str] = set()
        for pod in pods:
            labels = pod["metadata"].get("labels")
            for k, sel in registered:
                if k not in found and sel.matches(labels):
                    found.add(k)
        return sorted(found)

    # -- reads -------------------------------------------------------------------------------
    def _scale_target(self, namespace: str, ref: dict) -> dict:
        """The target object (``scale_of`` gives its scale); raises
        :class:`ScaleError` with the API's message."""
        kind = self._scale_kind(str(ref.get("apiVersion") or ""), str(ref.get("kind") or ""))
        try:       # read-only here (with_replicas copies): the store's shared object when it has one
            return getattr(self.store, "get_shared", self.store.get)(kind, namespace, str(ref.get("name") or ""))
        except NotFoundError as e:
            raise ScaleError(str(e)) from None

    def _scale_kind(self, api_version: str, kind_name: str) -> str:
        """The kind a scaleTargetRef names, if it is served with a scale
        subresource; raises :class:`ScaleError` with the API's message."""
        try:
            kind = self.store.kinds.get(kind_name)
        except (KeyError, KubekitError):
            kind = None
        hit = self._scale_kinds.get((api_version, kind_name))
        if hit is not None and hit[0] is kind:
            return hit[1]
        if api_version.count("/") > 1:
            raise ScaleError(f"unexpected GroupVersion string: {api_version}")
        group = api_version.rpartition("/")[0] if "/" in api_version else ""
        if kind is None or kind.kind != kind_name or kind.api_version.rpartition("/")[0] != group:
            raise ScaleError(f'no matches for kind "{kind_name}" in group "{group}"')
        if "scale" not in self._subresources.get(kind.kind, ()):
            raise ScaleError("the server could not find the requested resource")
        if len(self._scale_kinds) >= 4096:
            self._scale_kinds.clear()
        self._scale_kinds[(api_version, kind_name)] = (kind, kind.kind)
        return kind.kind

    def _scale_of(self, key: str, target: dict) -> dict:
        """The target's scale (read-only: writes build new dicts from it),
        made once per (uid, resourceVersion) of the target: the same stored
        object gives the same scale."""
        m = target.get("metadata") or {}
        version = (m.get("uid"), m.get("resourceVersion"))
        if version[1] is None:
            return self._scale_from(target)
        return _versioned(self._scales, key, version, lambda: self._scale_from(target))

    def _selected_pods(self, namespace: str, selector: LabelSelector) -> list[dict]:
        return [p for p in self._by_ns.get(namespace, {}).values()
                if selector.matches(p["metadata"].get("labels"))]

    def _info(self, pod: dict) -> PodInfo:
        """The pod's PodInfo, converted once per resourceVersion."""
        return _versioned(self._infos, object_key(pod), pod["metadata"].get("resourceVersion", ""),
                          lambda: pod_info_of(pod))

    def _spec(self, key: str, hpa: dict) -> HPASpec:
        """The decision's spec, converted once per version of the HPA's spec
        (an HPA has no metadata.generation: the spec itself is compared, the
        same object while only the status is written)."""
        return _versioned(self._specs, key, (hpa["metadata"].get("uid"), hpa.get("spec")), lambda: hpa_spec_of(hpa))

    def _observe(self, metric: dict, spec: MetricSpec, namespace: str, selector: LabelSelector,
                 names: set[str]) -> MetricInput:
        """What the metrics source says for one metric spec (errors as text)."""
        src = metric_source_of(metric)
        ident = src.get("metric") or {}
        try:
            metric_selector = from_label_selector(ident["selector"]) if ident.get("selector") else EVERYTHING
            if spec.type in (RESOURCE, CONTAINER_RESOURCE):
                values = self.metrics.resource_metrics(spec.name, namespace, selector, spec.container)
                if spec.name == "cpu":         # cpu is milli already: a ResourceValue is a PodMetric's fields
                    return new_slots(MetricInput, (values, None, None, None, None))   # MetricInput(pod_metrics=values)
                return MetricInput(pod_metrics={n: PodMetric(v.value * 1000, v.timestamp, v.window)  # bytes -> milli
                                                for n, v in values.items()})
            if spec.type == PODS:
                raw, ts = self.metrics.pods_metric(spec.name, namespace, selector, metric_selector)
                return MetricInput(pod_metrics={n: PodMetric(v, ts, _CUSTOM_WINDOW) for n, v in raw.items()
                                                if n in names}, timestamp=ts)
            if spec.type == OBJECT:
                d = src.get("describedObject") or {}
                ref = ObjectRef(str(d.get("kind") or ""), str(d.get("name") or ""), str(d.get("apiVersion") or ""))
                value, ts = self.metrics.object_metric(spec.name, namespace, ref, metric_selector)
                return MetricInput(value=value, timestamp=ts)
            if spec.type == EXTERNAL:
                values, ts = self.metrics.external_metric(spec.name, namespace, metric_selector)
                return MetricInput(values=values, timestamp=ts)
        except MetricsUnavailable as e:
            return MetricInput(error=str(e))
        except (KubekitError, ValueError) as e:          # a bad metric selector
            return MetricInput(error=str(e))
        return MetricInput()

    # -- reconcile ---------------------------------------------------------------------------
    def reconcile(self, key: str) -> Result:
        hpa = self.hpas.get(key)
        if hpa is None:
            self._forget(key)
            return Result()
        try:
            self._reconcile(key, hpa)
        except KubekitError as e:          # upstream logs the error and syncs again next period
            self.errors += 1
            log.info("%s: %s: %s", self.name, key, e)
        return new_slots(Result, (self.sync_period,))         # Result(self.sync_period), built in C

    def _reconcile(self, key: str, hpa: dict) -> None:
        namespace = hpa["metadata"].get("namespace", "default")
        now = self.clock.now()
        stamp = rfc3339(now)
        spec_raw = hpa.get("spec") or {}
        old = hpa.get("status") or {}
        try:
            target = self._scale_target(namespace, spec_raw.get("scaleTargetRef") or {})
        except ScaleError as e:
            self.events.warning(hpa, "FailedGetScale", str(e))
            cond = Condition(ABLE_TO_SCALE, CONDITION_FALSE, "FailedGetScale",
                             f"the HPA controller was unable to get the target's current scale: {e}")
            self._write_status(hpa, {**old, "conditions": set_condition(old.get("conditions") or (), cond, stamp)})
            return
        scale = self._scale_of(key, target)
        current = scale["spec"]["replicas"]
        spec = self._spec(key, hpa)
        state = self.memory.get(key)
        if state is None:
            state = HPAState()
        if state.recommendations is None:                  # recordInitialRecommendation
            state = replace(state, recommendations=(TimestampedRecommendation(current, now),))
            self.memory[key] = state
        metrics_raw = spec_raw.get("metrics") or [{"type": m.type} for m in spec.metrics]
        pods: SelectedPods | tuple[()] = ()
        if _reads_metrics(spec, current):
            selector = self._selector(hpa, scale["status"]["selector"], current, stamp)
            if selector is None:
                return
            registered = self._hpa_selectors.get(namespace, {})
            if key in registered:          # only an HPA registered by the informer, as upstream
                registered[key] = selector
            version = self._ns_changes.get(namespace, 0)
            hit = self._selections.get(key)
            if hit is not None and hit[0] == version and (hit[1] is selector or hit[1] == selector):
                selected, pods = hit[2], hit[3]
            else:
                selected = self._selected_pods(namespace, selector)
                pods = SelectedPods([self._info(p) for p in selected])    # its facts live with it
                self._selections[key] = (version, selector, selected, pods)
            controlling = self._controlling(namespace, selected)
            if len(controlling) > 1:
                message = (f"pods by selector {scale['status']['selector']} are controlled by multiple HPAs: "
                           f"[{' '.join(controlling)}]")
                self._refuse_selector(hpa, "AmbiguousSelector", message, "AmbiguousSelector", message, current,
                                      stamp)
                return
            names = {p.name for p in pods} if any(s.type == PODS for s in spec.metrics) else set()
            inputs = [self._observe(m, s, namespace, selector, names) for m, s in zip(metrics_raw, spec.metrics)]
        else:
            inputs = [MetricInput() for _ in spec.metrics]
        try:
            decision = hpa_decide(spec, current, pods, inputs, now, status_replicas=scale["status"]["replicas"],
                                  state=state, config=self.config, namespace=namespace)
        except HPASpecError as e:                           # a spec validation would have refused
            self.events.warning(hpa, "FailedComputeMetricsReplicas", str(e))
            return
        self.decisions += 1
        conditions = list(decision.conditions)
        first_failed: tuple[MetricSpec, HPAError] | None = None
        if decision.metric_results:
            for s, r in zip(spec.metrics, decision.metric_results):
                if isinstance(r, HPAError):
                    self.events.warning(hpa, getattr(r, "reason", "") or _FAILED_REASON.get(s.type, ""),
                                        metric_error_text(s, r))
                    first_failed = first_failed or (s, r)
        active = decision.condition(SCALING_ACTIVE)
        if decision.error is not None and active is not None and active.status == CONDITION_FALSE:
            if first_failed is not None:                    # upstream's message is the unwrapped error
                conditions = [replace(c, message="the HPA was unable to compute the replica count: "
                                                 f"{metric_error_text(*first_failed)}") if c is active else c
                              for c in conditions]
            self.memory[key] = decision.state
            self._write_status(hpa, hpa_status(old, current_replicas=current, desired_replicas=None,
                                               current_metrics=_current_metrics(metrics_raw, decision),
                                               conditions=conditions, now=stamp, rescaled=False))
            self.events.warning(hpa, "FailedComputeMetricsReplicas", str(decision.error))
            return
        desired = decision.desired_replicas
        if decision.rescale:
            try:
                self._write_replicas(target, scale, desired)
            except KubekitError as e:
                self.events.warning(hpa, "FailedRescale",
                                    f"New size: {desired}; reason: {decision.rescale_reason}; error: {e}")
                self.memory[key] = replace(decision.state, scale_up_events=state.scale_up_events,
                                           scale_down_events=state.scale_down_events)
                failed = Condition(ABLE_TO_SCALE, CONDITION_FALSE, "FailedUpdateScale",
                                   f"the HPA controller was unable to update the target scale: {e}")
                self._write_status(hpa, hpa_status(old, current_replicas=current, desired_replicas=None,
                                                   current_metrics=_current_metrics(metrics_raw, decision),
                                                   conditions=[*conditions, failed], now=stamp, rescaled=False))
                raise
            self.rescales += 1
            self.events.normal(hpa, "SuccessfulRescale", f"New size: {desired}; reason: {decision.rescale_reason}")
        self.memory[key] = decision.state
        inputs_of_status = None
        if not decision.rescale and self.remember_unchanged_status:
            inputs_of_status = (current, desired, decision.conditions,
                                tuple([(m, r.result.utilization, r.result.value) if type(r) is MetricProposal else (m, r)
                                       for m, r in zip(metrics_raw, decision.metric_results)]))
            last = self._unchanged_status.get(key)
            if last is not None and last[0] is old and last[1] == inputs_of_status:
                return                                      # the status it would build is `old` again
        status = hpa_status(old, current_replicas=current, desired_replicas=desired,
                            current_metrics=_current_metrics(metrics_raw, decision), conditions=conditions, now=stamp,
                            rescaled=decision.rescale)
        if inputs_of_status is not None and status == old:
            self._unchanged_status[key] = (old, inputs_of_status)
        self._write_status(hpa, status)

    def _selector(self, hpa: dict, text: str, current: int, stamp: str) -> LabelSelector | None:
        """``validateAndParseSelector``: the scale's selector, or None after
        reporting it missing or unparsable."""
        if text:
            parsed = self._parsed_selectors.get(text)
            if parsed is not None:
                return parsed
            try:
                parsed = parse_labels(text)
                if len(self._parsed_selectors) < 4096:
                    self._parsed_selectors[text] = parsed
                return parsed
            except (KubekitError, ValueError) as e:
                message = f"couldn't convert selector into a corresponding internal selector object: {e}"
                reason, cond_message = "InvalidSelector", message
        else:
            message, reason = "selector is required", "SelectorRequired"
            cond_message = "the HPA target's scale is missing a selector"
        self._refuse_selector(hpa, reason, message, "InvalidSelector", cond_message, current, stamp)
        return None

    def _refuse_selector(self, hpa: dict, reason: str, message: str, cond_reason: str, cond_message: str,
                         current: int, stamp: str) -> None:
        """A selector that cannot be used: an Event, ScalingActive False with
        the reason, status with no metrics, and FailedComputeMetricsReplicas."""
        self.events.warning(hpa, reason, message)
        cond = Condition(SCALING_ACTIVE, CONDITION_FALSE, cond_reason, cond_message)
        self._write_status(hpa, hpa_status(hpa.get("status"), current_replicas=current, desired_replicas=None,
                                           current_metrics=None, conditions=[cond], now=stamp, rescaled=False))
        self.events.warning(hpa, "FailedComputeMetricsReplicas", message)

    # -- writes ------------------------------------------------------------------------------
    def _write_replicas(self, target: dict, scale: dict, desired: int) -> None:
        """``Scales().Update``: the scale as read (its resourceVersion is the
        precondition) with the new ``spec.replicas``."""
        from kubekit.server.scale import with_replicas

        new_scale = {**scale, "spec": {**scale["spec"], "replicas": desired}}
        self.store.update(with_replicas(target, new_scale))

    def _write_status(self, hpa: dict, status: dict) -> None:
        """``updateStatusIfNeeded``: only a changed status is written."""
        if (hpa.get("status") or {}) == status:
            return
        try:
            self.store.update_status({**hpa, "status": status}, handoff=True)    # built for this write
        except KubekitError as e:                 # conflict or gone: the next sync writes it
            log.info("%s: status of %s not written: %s", self.name, object_key(hpa), e)


def _current_metrics(metrics_raw: list[dict], decision) -> list[dict] | None:
    """``status.currentMetrics`` of a decision: one entry per metric spec."""
    if not decision.metric_results:
        return None
    return [metric_status(m, r) for m, r in zip(metrics_raw, decision.metric_results)]


def _versioned(cache: dict, key: str, version, make):
    """``cache[key]``'s value if it was made from ``version``, else a fresh ``make()``."""
    hit = cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    value = make()
    cache[key] = (version, value)
    return value


def _reads_metrics(spec: HPASpec, current: int) -> bool:
    """Whether ``reconcileAutoscaler`` reaches ``computeReplicasForMetrics``:
    not at 0 replicas (scaling disabled) nor outside [min, max]."""
    min_replicas = spec.min_replicas if spec.min_replicas is not None else 1
    if current == 0 and min_replicas != 0:
        return False
    return min_replicas <= current <= spec.max_replicas
