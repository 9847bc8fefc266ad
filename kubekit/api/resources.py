"""Resource lists in exact integer units, and how a pod's requests add up.

A resource list is a ``Mapping[str, int]`` from resource name to amount in the
unit the scheduler compares: ``cpu`` in millicores (``Quantity.milli_value()``),
every other resource (``memory`` and ``ephemeral-storage`` in bytes, ``pods``,
``hugepages-*``, extended resources such as ``nvidia.com/gpu``) in
``Quantity.value()`` units.  Both round up, as the Go methods do.

:func:`pod_requests` is a line-by-line port of ``PodRequests`` in
``k8s.io/component-helpers/resource/helpers.go`` (kubernetes/kubernetes,
read at commit ``0085214e563468088672cf8c50849884198a18cc``) for the
spec-only case the scheduler uses when a pod is first placed: no
``UseStatusResources``, no DRA node-allocatable claims.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol, TypeVar

from kubekit.api.quantity import Quantity
from kubekit.api.validation import is_qualified_name
from kubekit.errors import ManifestError, QuantityError

__all__ = [
    "CPU",
    "MEMORY",
    "EPHEMERAL_STORAGE",
    "PODS",
    "HUGEPAGES_PREFIX",
    "DEFAULT_MILLI_CPU_REQUEST",
    "DEFAULT_MEMORY_REQUEST",
    "FrozenMap",
    "parse_resource_list",
    "format_quantity",
    "resource_list_to_manifest",
    "pod_requests",
    "nonzero_requests",
    "is_supported_pod_level_resource",
    "is_native_resource",
    "is_extended_resource",
    "is_hugepages_resource",
    "is_overcommit_allowed",
    "is_integer_resource",
    "field_key",
]

CPU = "cpu"
MEMORY = "memory"
EPHEMERAL_STORAGE = "ephemeral-storage"
PODS = "pods"
HUGEPAGES_PREFIX = "hugepages-"

# pkg/scheduler/util/pod_resources.go: DefaultMilliCPURequest / DefaultMemoryRequest,
# what scoring assumes for a container that requests nothing.
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

_K = TypeVar("_K")
_V = TypeVar("_V")


class FrozenMap(Mapping[_K, _V]):
    """An immutable, hashable mapping; compares equal to any mapping with the
    same items (so ``pod.requests == {"cpu": 100}`` holds)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[_K, _V] | Iterable[tuple[_K, _V]] = ()) -> None:
        self._data: dict[_K, _V] = dict(data)
        self._hash: int | None = None

    def __getitem__(self, key: _K) -> _V:
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[_K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: _K, default: Any = None) -> Any:
        return self._data.get(key, default)

    # Views of the private dict: read-only, and much faster than Mapping's.
    def items(self):  # type: ignore[override]
        return self._data.items()

    def keys(self):  # type: ignore[override]
        return self._data.keys()

    def values(self):  # type: ignore[override]
        return self._data.values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._data,))

    def to_dict(self) -> dict[_K, _V]:
        """A fresh mutable copy."""
        return dict(self._data)


# --- resource name classes (pkg/apis/core/v1/helper/helpers.go) -------------

_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def field_key(path: str, key: str) -> str:
    """``path.key`` for plain keys, ``path[key]`` for keys with dots or slashes
    (``spec.containers[0].resources.requests[example.com/dongle]``)."""
    if _SIMPLE_KEY.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{key}]"


def is_hugepages_resource(name: str) -> bool:
    return name.startswith(HUGEPAGES_PREFIX)


def is_native_resource(name: str) -> bool:
    """IsNativeResource: no domain, or in the ``kubernetes.io/`` domain."""
    return "/" not in name or "kubernetes.io/" in name  # strings.Contains, as IsPrefixedNativeResource


def is_extended_resource(name: str) -> bool:
    """IsExtendedResourceName: outside the kubernetes.io domain, not a quota
    ``requests.`` name, and ``requests.<name>`` is a qualified name."""
    if is_native_resource(name) or name.startswith("requests."):
        return False
    return is_qualified_name("requests." + name)


def is_overcommit_allowed(name: str) -> bool:
    """IsOvercommitAllowed: native and not hugepages (so not extended resources)."""
    return is_native_resource(name) and not is_hugepages_resource(name)


_INTEGER_RESOURCES = frozenset(
    {
        "pods",
        "services",
        "replicationcontrollers",
        "resourcequotas",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "services.nodeports",
        "services.loadbalancers",
    }
)


def is_integer_resource(name: str) -> bool:
    """IsIntegerResourceName: counted objects and extended resources, whose
    quantities the API server rejects unless they are whole numbers."""
    return name in _INTEGER_RESOURCES or is_extended_resource(name)


def is_supported_pod_level_resource(name: str) -> bool:
    """IsSupportedPodLevelResource: cpu, memory and hugepages-*."""
    return name in (CPU, MEMORY) or is_hugepages_resource(name)


# --- parsing ------------------------------------------------------------------


def _show(raw: object) -> str:
    return raw if isinstance(raw, str) else str(raw)


def parse_resource_list(raw: object, path: str) -> dict[str, int]:
    """Parse a manifest ResourceList (``{cpu: "100m", memory: 1Gi}``) into
    canonical integers.  ``path`` is the field path of the list itself, used
    in every error (``spec.containers[1].resources.requests.cpu: invalid value
    '-1': must be non-negative``).  ``None`` is an empty list."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ManifestError(
            path, f"must be a mapping of resource name to quantity, got {type(raw).__name__} {raw!r}"
        )
    out: dict[str, int] = {}
    for name, value in raw.items():
        if not isinstance(name, str) or not name:
            raise ManifestError(path, f"invalid resource name {name!r}: must be a non-empty string")
        fpath = field_key(path, name)
        if value is None or isinstance(value, bool):
            raise ManifestError(fpath, f"invalid quantity {value!r}: must be a string or a number")
        try:
            q = Quantity.from_manifest(value)
        except QuantityError as e:
            raise ManifestError(fpath, str(e)) from e
        except (TypeError, ValueError) as e:
            raise ManifestError(fpath, f"invalid quantity {_show(value)!r}: {e}") from e
        if q.sign() < 0:
            raise ManifestError(fpath, f"invalid value '{_show(value)}': must be non-negative")
        try:
            milli = q.milli_value()
        except OverflowError as e:
            raise ManifestError(fpath, f"invalid value '{_show(value)}': {e}") from e
        if is_integer_resource(name) and milli % 1000 != 0:
            raise ManifestError(fpath, f"invalid value '{_show(value)}': must be an integer")
        out[name] = milli if name == CPU else q.value()
    return out


_BINARY = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10))
_DECIMAL = (("E", 10**18), ("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3))


def format_quantity(name: str, amount: int) -> str:
    """The shortest manifest string that parses back to ``amount`` for resource
    ``name``: ``cpu`` 1500 -> ``"1500m"``, 2000 -> ``"2"``; ``memory``
    524288000 -> ``"500Mi"``, 256000000 -> ``"256M"``."""
    if name == CPU:
        return str(amount // 1000) if amount % 1000 == 0 else f"{amount}m"
    best = str(amount)
    if amount == 0:
        return best
    for table in (_BINARY, _DECIMAL):
        for suffix, factor in table:
            if amount % factor == 0:
                cand = f"{amount // factor}{suffix}"
                if len(cand) < len(best):
                    best = cand
                break
    return best


def resource_list_to_manifest(resources: Mapping[str, int]) -> dict[str, str]:
    return {name: format_quantity(name, amount) for name, amount in resources.items()}


# --- aggregation (k8s.io/component-helpers/resource/helpers.go) ---------------


class _HasRequests(Protocol):
    @property
    def requests(self) -> Mapping[str, int]: ...

    @property
    def restart_policy(self) -> str | None: ...


def _add(into: dict[str, int], more: Mapping[str, int]) -> None:
    """addResourceList."""
    for name, amount in more.items():
        into[name] = into.get(name, 0) + amount


def _max(into: dict[str, int], other: Mapping[str, int]) -> None:
    """maxResourceList: for every resource in ``other``, keep the larger."""
    for name, amount in other.items():
        if name not in into or amount > into[name]:
            into[name] = amount


def _apply_non_missing(reqs: Mapping[str, int], non_missing: Mapping[str, int]) -> dict[str, int]:
    """applyNonMissing: a copy with absent resources set to the default; an
    explicit request (even 0) is kept."""
    out = dict(reqs)
    for name, amount in non_missing.items():
        if name not in reqs:
            out[name] = amount
    return out


def pod_requests(
    containers: Iterable[_HasRequests],
    init_containers: Iterable[_HasRequests],
    overhead: Mapping[str, int] | None,
    pod_level: Mapping[str, int] | None = None,
    non_missing: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """PodRequests: the amount of each resource the scheduler reserves.

    1. Regular containers are summed.
    2. Init containers run in order.  A restartable one (``restartPolicy:
       Always``, a sidecar) keeps running: it is added to the sum and to the
       running total of sidecars.  A regular one needs its own request plus
       every sidecar started before it.  The pod needs, per resource, the
       larger of the sum and the largest of these init-time needs.
    3. Pod-level requests (``spec.resources.requests``), if any of cpu, memory
       or hugepages-* is set, replace the aggregate for those resources.
    4. ``overhead`` is added.

    ``non_missing`` (NonMissingContainerRequests) is applied to each container,
    init containers included, for resources its requests omit.
    """
    result: dict[str, int] = {}
    for c in containers:
        reqs = c.requests
        if non_missing:
            reqs = _apply_non_missing(reqs, non_missing)
        _add(result, reqs)

    sidecars: dict[str, int] = {}
    init_peak: dict[str, int] = {}
    for c in init_containers:
        reqs = c.requests
        if non_missing:
            reqs = _apply_non_missing(reqs, non_missing)
        if c.restart_policy == "Always":
            _add(result, reqs)
            _add(sidecars, reqs)
            during: Mapping[str, int] = sidecars
        else:
            combined: dict[str, int] = {}
            _add(combined, reqs)
            _add(combined, sidecars)
            during = combined
        _max(init_peak, during)
    _max(result, init_peak)

    if pod_level and any(is_supported_pod_level_resource(n) for n in pod_level):
        for name, amount in pod_level.items():
            if is_supported_pod_level_resource(name):
                result[name] = amount

    if overhead:
        _add(result, overhead)
    return result


NONZERO_DEFAULTS: Mapping[str, int] = FrozenMap(
    {CPU: DEFAULT_MILLI_CPU_REQUEST, MEMORY: DEFAULT_MEMORY_REQUEST}
)


def nonzero_requests(
    containers: Iterable[_HasRequests],
    init_containers: Iterable[_HasRequests],
    overhead: Mapping[str, int] | None,
    pod_level: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """The scoring variant (resource_allocation.go calculatePodResourceRequest
    when not ``useRequested``): a container that omits cpu or memory counts
    as 100m / 200Mi.  An explicit ``0`` stays ``0``."""
    return pod_requests(containers, init_containers, overhead, pod_level, NONZERO_DEFAULTS)
