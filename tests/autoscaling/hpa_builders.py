"""Builders that turn upstream test fixtures into kubekit's plain values.

Two upstream fixtures are reproduced:

* ``replica_calculator_test.go`` (``calcScenario`` / ``replicaCalcTestCase``):
  pods ``test-pod-<i>`` with two containers each requesting ``requests[i]``;
  resource metrics with one entry per container (``levels[i][j]`` is container
  ``j+1``), timestamp ``timestamp`` (Go zero by default), window 1 minute; the
  Ready condition has no transition time (Go zero).
* ``horizontal_test.go`` (``testCase``): pods whose two containers each request
  half of ``reportedCPURequests[i]`` (integer halves); resource metrics giving
  each container half of ``reportedLevels[i]``; samples taken at ``now``; the
  Ready transition time equals the pod start time; the controller runs with
  tolerance 0.1, cpu-init 2 min, readiness delay 10 s, downscale window 5 min
  and ``scaleUpLimitFactor = 8`` (set by the test file's ``init()``).

Hot / cool pods: upstream uses ``time.Now()`` and ``time.Now() - 3 min``; here
:data:`NOW` and ``NOW - 180``.
"""

from __future__ import annotations

from collections.abc import Sequence

from kubekit.autoscaling import (
    GO_ZERO_TIME,
    ContainerSpec,
    ContainerUsage,
    HPABehavior,
    HPAControllerConfig,
    HPAScalingPolicy,
    HPAScalingRules,
    HPASpec,
    HPAState,
    MetricInput,
    MetricSpec,
    MetricTarget,
    PodInfo,
    PodMetric,
    PodMetricsSample,
    hpa_decide,
)

NOW = 1_700_000_000.0
HOT = NOW  # hotCPUCreationTime()
COOL = NOW - 180.0  # coolCPUCreationTime()
ZERO = GO_ZERO_TIME

#: replica_calculator.go's defaultTestingCPUInitializationPeriod / ...DelayOfInitialReadinessStatus
TEST_CPU_INIT = 120.0
TEST_READINESS_DELAY = 10.0


def milli(q: str) -> int:
    """``resource.MustParse(q).MilliValue()`` for the plain forms the tests use."""
    if q.endswith("m"):
        return int(q[:-1])
    whole, _, frac = q.partition(".")
    frac = (frac + "000")[:3]
    return int(whole or "0") * 1000 + int(frac)


def pod_levels(*values: int) -> list[list[int]]:
    """``makePodMetricLevels``: every container of pod i reports ``values[i]``."""
    return [[v, v] for v in values]


# -- replica_calculator_test.go ------------------------------------------------


def calc_pods(
    current_replicas: int,
    requests: Sequence[str] = (),
    readiness: Sequence[str] | None = None,
    start_times: Sequence[float] | None = None,
    phases: Sequence[str] | None = None,
    deleted: Sequence[bool] | None = None,
    resource: str = "cpu",
) -> list[PodInfo]:
    """The pod list of ``newFakePodClient`` / ``prepareTestClientSet``."""
    count = current_replicas
    if phases is not None and len(phases) > count:
        count = len(phases)
    pods = []
    for i in range(count):
        ready = readiness[i] if readiness is not None and i < len(readiness) else "True"
        start = start_times[i] if start_times is not None else ZERO
        phase = phases[i] if phases is not None else "Running"
        gone = deleted[i] if deleted is not None else False
        reqs = {resource: milli(requests[i])} if i < len(requests) else {}
        pods.append(
            PodInfo(
                name=f"test-pod-{i}",
                phase=phase,
                ready=ready,
                ready_transition_time=ZERO,
                start_time=start,
                deleted=gone,
                containers=(ContainerSpec("container1", reqs), ContainerSpec("container2", reqs)),
            )
        )
    return pods


def calc_samples(
    levels: Sequence[Sequence[int]],
    pod_names: Sequence[str] = (),
    timestamp: float = ZERO,
    resource: str = "cpu",
) -> list[PodMetricsSample]:
    """The ``PodMetricsList`` of ``newFakeResourceMetricsClient``: two container
    entries per pod, the ones without a level left empty (no name, no usage)."""
    out = []
    for i, values in enumerate(levels):
        name = pod_names[i] if i < len(pod_names) else f"test-pod-{i}"
        containers = [ContainerUsage("", {}), ContainerUsage("", {})]
        for j, m in enumerate(values):
            containers[j] = ContainerUsage(f"container{j + 1}", {resource: m})
        out.append(PodMetricsSample(name, tuple(containers), timestamp, 60.0))
    return out


def calc_pod_metrics(levels: Sequence[int], timestamp: float = ZERO) -> dict[str, PodMetric]:
    """Custom-metrics values per pod (``GetRawMetric`` of the fake CM client)."""
    return {f"test-pod-{i}": PodMetric(v, timestamp, 60.0) for i, v in enumerate(levels)}


# -- horizontal_test.go ----------------------------------------------------------


def rules(pods: int, pods_period: int, percent: int, percent_period: int, window: int) -> HPAScalingRules:
    """``generateScalingRules``: select Max, the Pods and Percent policies that
    are non-zero, the given stabilization window."""
    policies: list[HPAScalingPolicy] = []
    if pods != 0:
        policies.append(HPAScalingPolicy("Pods", pods, pods_period))
    if percent != 0:
        policies.append(HPAScalingPolicy("Percent", percent, percent_period))
    return HPAScalingRules(
        stabilization_window_seconds=window,
        select_policy="Max",
        policies=tuple(policies) if policies else None,
    )


def uniform_events(raw: Sequence[int], period_seconds: int):
    """``generateEventsUniformDistribution``: event i sits in the middle of the
    i-th of ``len(raw)`` equal segments of the last ``period_seconds``
    (``time.Duration(float)`` truncates to whole seconds here)."""
    from kubekit.autoscaling import ScaleEvent

    seg = float(period_seconds) / float(len(raw))
    out = []
    for idx, change in enumerate(raw):
        boundary = int(float(period_seconds) - seg * float(idx + 1) + seg / 2.0)
        out.append(ScaleEvent(change, NOW - boundary))
    return tuple(out)


CONTROLLER_TEST_CONFIG = HPAControllerConfig(
    tolerance=0.1,
    cpu_initialization_period=TEST_CPU_INIT,
    initial_readiness_delay=TEST_READINESS_DELAY,
    downscale_stabilization_window=300.0,
    scale_up_limit_factor=8.0,
    scale_up_limit_minimum=4.0,
)


def status_ok(*overrides: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    """``statusOkWithOverrides``: (type, status, reason) triples."""
    conds = {
        "AbleToScale": ("AbleToScale", "True", "SucceededRescale"),
        "ScalingActive": ("ScalingActive", "True", "ValidMetricFound"),
        "ScalingLimited": ("ScalingLimited", "False", "DesiredWithinRange"),
    }
    for o in overrides:
        conds[o[0]] = o
    return list(conds.values())


def reconcile(
    *,
    min_replicas: int,
    max_replicas: int,
    spec_replicas: int,
    status_replicas: int,
    cpu_target: int = 0,
    metrics: Sequence[tuple[MetricSpec, str]] = (),
    levels: Sequence[int] = (),
    cpu_requests: Sequence[str] | None = None,
    readiness: Sequence[str] | None = None,
    start_times: Sequence[float] | None = None,
    phases: Sequence[str] | None = None,
    deleted: Sequence[bool] | None = None,
    scale_up_rules: HPAScalingRules | None = None,
    scale_down_rules: HPAScalingRules | None = None,
    recommendations=None,
    fetch_error: str | None = None,
):
    """Run one :func:`hpa_decide` step on a ``horizontal_test.go`` ``testCase``.

    ``metrics`` are extra metric specs with how they are fed: ``"pods"`` (the
    levels per pod), ``"object"`` (``levels[0]``), ``"external"`` (all levels),
    ``"none"`` (an unknown type).  ``fetch_error`` makes every metrics API
    fail with that text (``TestConditionFailedGetMetrics``)."""
    n = len(cpu_requests) if cpu_requests is not None else status_replicas
    pods = []
    for i in range(n):
        ready = readiness[i] if readiness is not None else "True"
        start = start_times[i] if start_times is not None else ZERO
        phase = phases[i] if phases is not None else "Running"
        gone = deleted[i] if deleted is not None else False
        request = milli(cpu_requests[i]) if cpu_requests is not None else 1000
        half = {"cpu": request // 2}
        pods.append(
            PodInfo(
                name=f"test-pod-{i}",
                phase=phase,
                ready=ready,
                ready_transition_time=start,
                start_time=start,
                deleted=gone,
                containers=(ContainerSpec("container1", half), ContainerSpec("container2", half)),
            )
        )
    samples = [
        PodMetricsSample(
            f"test-pod-{i}",
            (
                ContainerUsage("container1", {"cpu": level // 2}),
                ContainerUsage("container2", {"cpu": level // 2}),
            ),
            NOW,
            60.0,
        )
        for i, level in enumerate(levels)
    ]
    specs: list[MetricSpec] = []
    inputs: list[MetricInput] = []
    if cpu_target > 0:
        specs.append(MetricSpec("Resource", "cpu", MetricTarget.utilization(cpu_target)))
        inputs.append(MetricInput(pod_metrics=samples, error=fetch_error))
    for spec, feed in metrics:
        specs.append(spec)
        if feed in ("resource",):
            inputs.append(MetricInput(pod_metrics=samples, error=fetch_error))
        elif feed == "pods":
            inputs.append(
                MetricInput(
                    pod_metrics={f"test-pod-{i}": PodMetric(v, NOW, 60.0) for i, v in enumerate(levels)},
                    error=fetch_error,
                )
            )
        elif feed == "object":
            inputs.append(MetricInput(value=levels[0] if levels else None, timestamp=NOW, error=fetch_error))
        elif feed == "external":
            inputs.append(MetricInput(values=list(levels), timestamp=NOW, error=fetch_error))
        elif feed == "external-error":
            inputs.append(MetricInput(error="something went wrong"))
        else:
            inputs.append(MetricInput())
    if not specs:  # the test's "manually add in the defaulting logic": cpu, no target
        specs.append(MetricSpec("Resource", "cpu", MetricTarget("Utilization")))
        inputs.append(MetricInput(pod_metrics=samples))
    behavior = None
    if scale_up_rules is not None or scale_down_rules is not None:
        behavior = HPABehavior(scale_up_rules, scale_down_rules)
    spec = HPASpec(
        max_replicas=max_replicas, metrics=tuple(specs), min_replicas=min_replicas, behavior=behavior
    )
    state = HPAState(recommendations=None if recommendations is None else tuple(recommendations))
    return hpa_decide(
        spec,
        spec_replicas,
        pods,
        inputs,
        NOW,
        status_replicas=status_replicas,
        state=state,
        config=CONTROLLER_TEST_CONFIG,
        namespace="test-namespace",
    )


def conditions_of(decision) -> list[tuple[str, str, str]]:
    return [(c.type, c.status, c.reason) for c in decision.conditions]
