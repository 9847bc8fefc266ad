"""Resource lists and request aggregation.

The aggregation tables are ported from kubernetes/kubernetes
``staging/src/k8s.io/component-helpers/resource/helpers_test.go`` at commit
``0085214e563468088672cf8c50849884198a18cc`` (TestPodRequestsAndLimits,
TestPodRequestsAndLimitsWithoutOverhead, TestPodResourceRequests,
TestPodLevelResourceRequests -- the cases that use only the pod spec, which is
what the scheduler sees for a pending pod) and, for NonMissingContainerRequests,
TestPodRequestsAndLimitsVerticalScalingWrappers from a later stored version of
the same file.  ``resource.MustParse("5")`` for memory is 5 bytes, for cpu
5000 millicores.
"""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubekit.api import Container, FrozenMap, format_quantity, nonzero_requests, parse_resource_list, pod_requests
from kubekit.api.resources import (
    DEFAULT_MEMORY_REQUEST,
    DEFAULT_MILLI_CPU_REQUEST,
    is_extended_resource,
    is_integer_resource,
    is_overcommit_allowed,
    is_supported_pod_level_resource,
)
from kubekit.errors import ManifestError

Mi = 1024 * 1024
Gi = 1024 * Mi


def rl(**kw: str | int) -> dict[str, int]:
    """A resource list from quantity strings; ``_`` in a keyword is ``-``,
    ``hp2Mi``/``hp1Gi`` are hugepages-2Mi / hugepages-1Gi."""
    alias = {"hp2Mi": "hugepages-2Mi", "hp1Gi": "hugepages-1Gi"}
    return parse_resource_list({alias.get(k, k.replace("_", "-")): v for k, v in kw.items()}, "test")


def C(name: str = "c", restart: str | None = None, **req: str | int) -> Container:
    return Container(name, rl(**req), {}, restart)


def S(name: str = "sidecar", **req: str | int) -> Container:
    return C(name, "Always", **req)


# --- parse_resource_list -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"cpu": "100m", "memory": "500Mi"}, {"cpu": 100, "memory": 500 * Mi}),
        ({"cpu": 0.15}, {"cpu": 150}),  # newrelic daemonset: a YAML float
        ({"cpu": "0.5", "memory": "1Gi"}, {"cpu": 500, "memory": Gi}),
        ({"memory": "256M"}, {"memory": 256_000_000}),  # SI suffix
        ({"cpu": 1}, {"cpu": 1000}),
        ({"cpu": 9}, {"cpu": 9000}),
        ({"example.com/dongle": 3}, {"example.com/dongle": 3}),
        ({"nvidia.com/gpu": "1", "ephemeral-storage": "10Gi"}, {"nvidia.com/gpu": 1, "ephemeral-storage": 10 * Gi}),
        ({"pods": "110"}, {"pods": 110}),
        ({"cpu": "64000m", "memory": "262144Mi"}, {"cpu": 64000, "memory": 262144 * Mi}),
        ({"cpu": "1m"}, {"cpu": 1}),
        ({"memory": "1.5"}, {"memory": 2}),  # Value() rounds up
        ({"cpu": "0"}, {"cpu": 0}),
        (None, {}),
        ({}, {}),
    ],
)
def test_parse_resource_list(raw: object, expected: dict[str, int]) -> None:
    assert parse_resource_list(raw, "spec.x") == expected


def test_negative_quantity_names_path_and_input() -> None:
    with pytest.raises(ManifestError) as ei:
        parse_resource_list({"memory": "1Gi", "cpu": "-1"}, "spec.containers[1].resources.requests")
    assert ei.value.path == "spec.containers[1].resources.requests.cpu"
    assert str(ei.value) == "spec.containers[1].resources.requests.cpu: invalid value '-1': must be non-negative"


def test_negative_int_quantity() -> None:
    with pytest.raises(ManifestError) as ei:
        parse_resource_list({"memory": -5}, "status.capacity")
    assert str(ei.value) == "status.capacity.memory: invalid value '-5': must be non-negative"


def test_invalid_quantity_carries_quantity_error_text() -> None:
    with pytest.raises(ManifestError) as ei:
        parse_resource_list({"memory": "12Qi"}, "spec.containers[0].resources.limits")
    assert ei.value.path == "spec.containers[0].resources.limits.memory"
    assert "12Qi" in ei.value.message
    assert isinstance(ei.value.__cause__, ValueError)


def test_extended_resource_path_uses_brackets() -> None:
    with pytest.raises(ManifestError) as ei:
        parse_resource_list({"example.com/dongle": "x"}, "spec.containers[0].resources.requests")
    assert ei.value.path == "spec.containers[0].resources.requests[example.com/dongle]"


@pytest.mark.parametrize("value", ["500m", "1.5", 0.5])
def test_extended_resources_must_be_integers(value: object) -> None:
    # ValidateResourceQuantityValue: IsIntegerResourceName -> "must be an integer".
    with pytest.raises(ManifestError) as ei:
        parse_resource_list({"nvidia.com/gpu": value}, "r")
    assert ei.value.path == "r[nvidia.com/gpu]"
    assert ei.value.message == f"invalid value '{value}': must be an integer"


@pytest.mark.parametrize(
    ("raw", "path", "fragment"),
    [
        ("4", "r", "must be a mapping"),
        ([1, 2], "r", "must be a mapping"),
        ({"": "1"}, "r", "resource name ''"),
        ({3: "1"}, "r", "resource name 3"),
        ({"cpu": None}, "r.cpu", "invalid quantity None"),
        ({"cpu": True}, "r.cpu", "invalid quantity True"),
        ({"cpu": [1]}, "r.cpu", "[1]"),
    ],
)
def test_parse_resource_list_type_errors(raw: object, path: str, fragment: str) -> None:
    with pytest.raises(ManifestError) as ei:
        parse_resource_list(raw, "r")
    assert ei.value.path == path
    assert fragment in ei.value.message


def test_resource_name_classes() -> None:
    assert is_extended_resource("example.com/dongle")
    assert is_extended_resource("nvidia.com/gpu")
    assert not is_extended_resource("cpu")
    assert not is_extended_resource("kubernetes.io/foo")
    assert not is_extended_resource("requests.example.com/x")
    assert is_integer_resource("pods") and is_integer_resource("alibabacloud.com/gpu-milli")
    assert not is_integer_resource("memory")
    assert is_overcommit_allowed("cpu") and is_overcommit_allowed("ephemeral-storage")
    assert not is_overcommit_allowed("hugepages-2Mi") and not is_overcommit_allowed("nvidia.com/gpu")
    assert [n for n in ("cpu", "memory", "hugepages-1Gi", "ephemeral-storage", "storage") if is_supported_pod_level_resource(n)] == [
        "cpu",
        "memory",
        "hugepages-1Gi",
    ]


@pytest.mark.parametrize(
    ("name", "amount", "text"),
    [
        ("cpu", 100, "100m"),
        ("cpu", 2000, "2"),
        ("cpu", 1500, "1500m"),
        ("cpu", 0, "0"),
        ("memory", 500 * Mi, "500Mi"),
        ("memory", 256_000_000, "256M"),
        ("memory", 10 * Gi, "10Gi"),
        ("memory", 1024, "1Ki"),
        ("memory", 1000, "1k"),
        ("memory", 1023, "1023"),
        ("pods", 110, "110"),
        ("nvidia.com/gpu", 1, "1"),
    ],
)
def test_format_quantity(name: str, amount: int, text: str) -> None:
    assert format_quantity(name, amount) == text


@given(st.sampled_from(["cpu", "memory", "pods", "ephemeral-storage"]), st.integers(0, 2**62))
def test_format_quantity_round_trips(name: str, amount: int) -> None:
    assert parse_resource_list({name: format_quantity(name, amount)}, "r") == {name: amount}


# --- FrozenMap ------------------------------------------------------------------------


def test_frozen_map() -> None:
    m = FrozenMap({"cpu": 1, "memory": 2})
    assert m == {"cpu": 1, "memory": 2} and {"cpu": 1, "memory": 2} == m
    assert m != {"cpu": 1}
    assert hash(m) == hash(FrozenMap({"memory": 2, "cpu": 1}))
    assert m.get("gpu", 7) == 7 and "cpu" in m and len(m) == 2
    with pytest.raises(TypeError):
        m["cpu"] = 3  # type: ignore[index]
    assert pickle.loads(pickle.dumps(m)) == m
    d = m.to_dict()
    d["cpu"] = 9
    assert m["cpu"] == 1


# --- pod_requests: the fit.go example ---------------------------------------------------


def test_fit_go_example() -> None:
    # pkg/scheduler/framework/plugins/noderesources/fit.go @ 007f7ae7dc217d27dad994dce003cfe1c5bc6706,
    # computePodResourceRequest's comment: "Result: CPU: 3, Memory: 3G".
    inits = [C("IC1", cpu="2", memory="1G"), C("IC2", cpu="2", memory="3G")]
    containers = [C("C1", cpu="2", memory="1G"), C("C2", cpu="1", memory="1G")]
    assert pod_requests(containers, inits, None) == {"cpu": 3000, "memory": 3_000_000_000}


# --- helpers_test.go TestPodRequestsAndLimits (requests; overhead included) -------------


def _get_pod(**req: str) -> tuple[list[Container], list[Container]]:
    """getPod(): one container and one init container with the same requests."""
    r = rl(**req)
    return [Container("foo", r)], [Container("init-foo", r)]


@pytest.mark.parametrize(
    ("name", "req", "overhead", "expected"),
    [
        ("just-limit-no-overhead", {}, {}, {}),
        ("just-overhead", {}, {"cpu": "5", "memory": "5"}, {"cpu": 5000, "memory": 5}),
        ("req-and-overhead", {"cpu": "1", "memory": "10"}, {"cpu": "5", "memory": "5"}, {"cpu": 6000, "memory": 15}),
        ("all-req-lim-and-overhead", {"cpu": "1", "memory": "10"}, {"cpu": "5", "memory": "5"}, {"cpu": 6000, "memory": 15}),
        ("req-some-lim-and-overhead", {"cpu": "1", "memory": "10"}, {"cpu": "5", "memory": "5"}, {"cpu": 6000, "memory": 15}),
    ],
)
def test_pod_requests_and_limits(name: str, req: dict, overhead: dict, expected: dict) -> None:
    containers, inits = _get_pod(**req)
    assert pod_requests(containers, inits, rl(**overhead)) == expected, name


# --- TestPodRequestsAndLimitsWithoutOverhead (ExcludeOverhead: overhead not passed) -------


def test_two_containers_no_overhead() -> None:
    cs = [C("foobar", cpu="1", memory="5"), C("foobar2", cpu="4", memory="12")]
    assert pod_requests(cs, [], None) == {"cpu": 5000, "memory": 17}


def test_two_containers_massive_init_is_largest_init() -> None:
    cs = [C("foobar", cpu="1", memory="5"), C("foobar2", cpu="4", memory="12")]
    inits = [C("small-init", cpu="1", memory="5"), C("big-init", cpu="40", memory="120")]
    assert pod_requests(cs, inits, None) == {"cpu": 40000, "memory": 120}


# --- TestPodResourceRequests (spec-only cases) -----------------------------------------


@pytest.mark.parametrize(
    ("description", "inits", "containers", "overhead", "expected"),
    [
        ("nil options, larger init container", [C(cpu="4")], [C(cpu="1")], None, {"cpu": 4000}),
        ("nil options, larger containers", [C(cpu="2")], [C("a", cpu="2"), C("b", cpu="3")], None, {"cpu": 5000}),
        ("pod overhead excluded", [C(cpu="2")], [C("a", cpu="2"), C("b", cpu="3")], None, {"cpu": 5000}),
        (
            "pod overhead included",
            [C(cpu="2")],
            [C("a", cpu="2"), C("b", cpu="3")],
            {"cpu": "1", "memory": "1Gi"},
            {"cpu": 6000, "memory": Gi},
        ),
        ("resized, infeasible, but don't use status", [], [C("container-1", cpu="4")], None, {"cpu": 4000}),
        (
            "resized, restartable init container, infeasible, but don't use status",
            [S("restartable-init-1", cpu="4")],
            [],
            None,
            {"cpu": 4000},
        ),
        ("restartable init container", [S("restartable-init-1", cpu="1")], [C("container-1", cpu="1")], None, {"cpu": 2000}),
        (
            # max(5, restartable init containers(3+2+1) + regular(1)) = 7
            "multiple restartable init containers",
            [C("init-1", cpu="5"), S("r1", cpu="1"), S("r2", cpu="2"), S("r3", cpu="3")],
            [C("container-1", cpu="1")],
            None,
            {"cpu": 7000},
        ),
        (
            # init-2 requires 5 + the previously running sidecars (1+2) = 8;
            # the sidecar that starts after it doesn't count
            "multiple restartable and regular init containers",
            [C("init-1", cpu="5"), S("r1", cpu="1"), S("r2", cpu="2"), C("init-2", cpu="5"), S("r3", cpu="3")],
            [C("container-1", cpu="1")],
            None,
            {"cpu": 8000},
        ),
        (
            "restartable-init, init and regular",
            [S("r1", cpu="10"), C("init-1", cpu="200")],
            [C("container-1", cpu="100")],
            None,
            {"cpu": 210000},
        ),
    ],
)
def test_pod_resource_requests(description: str, inits, containers, overhead, expected) -> None:
    assert pod_requests(containers, inits, rl(**overhead) if overhead else None) == expected, description


# --- TestPodLevelResourceRequests (spec-only cases) -----------------------------------


@pytest.mark.parametrize(
    ("name", "pod_level", "inits", "containers", "expected"),
    [
        ("nil", None, [], [], {}),
        ("pod level memory resource", {"memory": "2Mi"}, [], [], {"memory": 2 * Mi}),
        (
            "pod level memory and container level cpu resources",
            {"memory": "2Mi"},
            [],
            [C(cpu="2m")],
            {"memory": 2 * Mi, "cpu": 2},
        ),
        (
            "pod level unsupported resources set at both pod-level and container-level",
            {"storage": "2Mi"},
            [],
            [C(storage="3Mi")],
            {"storage": 3 * Mi},
        ),
        (
            "pod level unsupported resources set at pod-level",
            {"storage": "2Mi"},
            [],
            [C(memory="3Mi")],
            {"memory": 3 * Mi},
        ),
        ("only container level resources set", None, [], [C(memory="3Mi", cpu="2m")], {"memory": 3 * Mi, "cpu": 2}),
        (
            "both container-level and pod-level resources set",
            {"memory": "6Mi", "cpu": "8m"},
            [],
            [C(memory="3Mi", cpu="2m")],
            {"memory": 6 * Mi, "cpu": 8},
        ),
        (
            "container-level resources and init container set",
            None,
            [C("i", memory="5Mi", cpu="4m")],
            [C(memory="3Mi", cpu="2m")],
            {"memory": 5 * Mi, "cpu": 4},
        ),
        (
            "container-level resources and sidecar container set",
            None,
            [S(memory="5Mi", cpu="4m")],
            [C(memory="3Mi", cpu="2m")],
            {"memory": 8 * Mi, "cpu": 6},
        ),
        (
            "container-level resources, init and sidecar container set",
            None,
            [S(memory="5Mi", cpu="4m"), C("i", memory="6Mi", cpu="8m")],
            [C(memory="3Mi", cpu="2m")],
            {"memory": 11 * Mi, "cpu": 12},
        ),
        (
            "pod-level resources, container-level resources, init and sidecar container set",
            {"memory": "15Mi", "cpu": "18m"},
            [S(memory="5Mi", cpu="4m"), C("i", memory="6Mi", cpu="8m")],
            [C(memory="3Mi", cpu="2m")],
            {"memory": 15 * Mi, "cpu": 18},
        ),
        (
            "pod-level resources, hugepage request/limit single page size",
            {"memory": "10Mi", "hp2Mi": "2Mi"},
            [],
            [],
            {"memory": 10 * Mi, "hugepages-2Mi": 2 * Mi},
        ),
        (
            "pod-level resources, hugepage request/limit multiple page sizes",
            {"cpu": "1", "hp2Mi": "2Mi", "hp1Gi": "1Gi"},
            [],
            [],
            {"cpu": 1000, "hugepages-2Mi": 2 * Mi, "hugepages-1Gi": Gi},
        ),
        (
            "pod-level resources, container-level resources, hugepage request/limit single page size",
            {"cpu": "1", "hp2Mi": "10Mi"},
            [],
            [C(hp2Mi="6Mi")],
            {"cpu": 1000, "hugepages-2Mi": 10 * Mi},
        ),
        (
            "pod-level resources, container-level resources, hugepage request/limit multiple page sizes",
            {"cpu": "1", "hp2Mi": "10Mi", "hp1Gi": "2Gi"},
            [],
            [C(cpu="1", hp1Gi="2Gi")],
            {"cpu": 1000, "hugepages-2Mi": 10 * Mi, "hugepages-1Gi": 2 * Gi},
        ),
        (
            "pod-level resources, container-level resources, hugepage multiple page sizes between pod-level and container-level",
            {"cpu": "1", "hp2Mi": "10Mi"},
            [],
            [C(memory="4Mi", hp1Gi="1Gi")],
            {"cpu": 1000, "memory": 4 * Mi, "hugepages-2Mi": 10 * Mi, "hugepages-1Gi": Gi},
        ),
    ],
)
def test_pod_level_resource_requests(name: str, pod_level, inits, containers, expected) -> None:
    assert pod_requests(containers, inits, None, rl(**pod_level) if pod_level is not None else None) == expected, name


def test_pod_level_requests_then_overhead() -> None:
    # PodRequests: pod-level values replace the aggregate, then overhead is added.
    got = pod_requests([C(cpu="1")], [], rl(cpu="100m", memory="10Mi"), rl(cpu="2", memory="100Mi"))
    assert got == {"cpu": 2100, "memory": 110 * Mi}


# --- NonMissingContainerRequests ----------------------------------------------------


def test_non_missing_applied_to_init_container() -> None:
    got = pod_requests([], [C("i1", cpu="1")], None, non_missing=rl(memory="100Mi"))
    assert got == {"cpu": 1000, "memory": 100 * Mi}


def test_non_missing_applied_to_regular_container() -> None:
    got = pod_requests([C("c1", cpu="1")], [], None, non_missing=rl(memory="100Mi"))
    assert got == {"cpu": 1000, "memory": 100 * Mi}


def test_nonzero_requests_defaults_and_explicit_zero() -> None:
    assert (DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST) == (100, 209715200)
    assert nonzero_requests([C("empty")], [], None) == {"cpu": 100, "memory": 200 * Mi}
    assert nonzero_requests([C("a"), C("b")], [], None) == {"cpu": 200, "memory": 400 * Mi}
    # An explicit 0 stays 0: it is not "missing".
    assert nonzero_requests([C("z", cpu="0", memory="0")], [], None) == {"cpu": 0, "memory": 0}
    # Each init container gets the defaults too: max(sum=100m, init 100m+...)
    assert nonzero_requests([C("c", cpu="50m")], [C("i", memory="1Gi")], None) == {"cpu": 100, "memory": Gi}
    # A sidecar counts in the sum, with its defaults.
    assert nonzero_requests([C("c", cpu="1")], [S(memory="1Gi")], None) == {"cpu": 1100, "memory": Gi + 200 * Mi}
    # Pod-level requests still replace the aggregate.
    assert nonzero_requests([C("c")], [], None, rl(cpu="2")) == {"cpu": 2000, "memory": 200 * Mi}


def test_pod_requests_keeps_zero_and_absent_distinct() -> None:
    assert pod_requests([C("c", cpu="0")], [], None) == {"cpu": 0}
    assert pod_requests([C("c")], [], None) == {}


# --- properties ----------------------------------------------------------------------

_amounts = st.dictionaries(st.sampled_from(["cpu", "memory", "nvidia.com/gpu"]), st.integers(0, 10**6), max_size=3)
_containers = st.lists(
    st.builds(lambda r, pol: Container("x", r, {}, pol), _amounts, st.sampled_from([None, "Always"])), max_size=5
)


@given(_containers, _containers, _amounts)
def test_requests_cover_every_phase(containers, inits, overhead) -> None:
    """The pod request covers the steady state (containers + sidecars) and
    every init-time peak (a regular init container + the sidecars before it)."""
    got = pod_requests(containers, inits, overhead)
    steady: dict[str, int] = {}
    for c in [*containers, *[i for i in inits if i.restart_policy == "Always"]]:
        for k, v in c.requests.items():
            steady[k] = steady.get(k, 0) + v
    for k, v in steady.items():
        assert got[k] >= v + overhead.get(k, 0)
    sidecars: dict[str, int] = {}
    for i in inits:
        if i.restart_policy == "Always":
            for k, v in i.requests.items():
                sidecars[k] = sidecars.get(k, 0) + v
            continue
        for k in set(i.requests) | set(sidecars):
            assert got[k] >= i.requests.get(k, 0) + sidecars.get(k, 0) + overhead.get(k, 0)


@given(_containers, _containers)
def test_nonzero_requests_dominate_requests(containers, inits) -> None:
    req = pod_requests(containers, inits, None)
    nz = nonzero_requests(containers, inits, None)
    for k, v in req.items():
        assert nz[k] >= v
