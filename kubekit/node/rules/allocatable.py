"""Node capacity and allocatable.

* capacity: ``cpu`` = cores as ``NewMilliQuantity(cores*1000, DecimalSI)``,
  ``memory``/``ephemeral-storage`` = bytes as ``NewQuantity(n, BinarySI)``,
  ``pods`` = ``maxPods`` (default 110) as ``DecimalSI``
  (``pkg/kubelet/nodestatus/setters.go`` ``MachineInfo``,
  ``pkg/kubelet/cadvisor/util.go`` ``CapacityFromMachineInfo``).
* reservation = kube-reserved + system-reserved + hard-eviction reservation
  (``GetNodeAllocatableReservation`` / ``hardEvictionReservation`` in
  ``pkg/kubelet/cm/node_container_manager_linux.go``).  Only the
  ``memory.available`` (against memory) and ``nodefs.available`` (against
  ephemeral-storage) thresholds reserve anything; ``imagefs.*`` and inode
  thresholds do not.
* allocatable = capacity - reservation, floored at 0, minus hugepages from
  memory (``MachineInfo``).
* ``node_allocatable_absolute`` is ``GetNodeAllocatableAbsolute`` (the cgroup
  limit: capacity - kube-reserved - system-reserved, no eviction).

Percentages follow Go exactly: ``parsePercentage`` yields a ``float32`` and
``GetThresholdQuantity`` computes ``int64(float64(capacity) * float64(pct))``.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Union

from kubekit.api.quantity import Quantity
from kubekit.errors import QuantityError
from kubekit.node.rules.errors import NodeRulesError

DEFAULT_MAX_PODS = 110

#: ``pkg/kubelet/apis/config/v1beta1/defaults_linux.go`` ``DefaultEvictionHard``.
DEFAULT_EVICTION_HARD: Dict[str, str] = {
    "memory.available": "100Mi",
    "nodefs.available": "10%",
    "nodefs.inodesFree": "5%",
    "imagefs.available": "15%",
    "imagefs.inodesFree": "5%",
}

KNOWN_SIGNALS = (
    "memory.available",
    "nodefs.available",
    "nodefs.inodesFree",
    "imagefs.available",
    "imagefs.inodesFree",
    "containerfs.available",
    "containerfs.inodesFree",
    "allocatableMemory.available",
    "pid.available",
)

_SIGNAL_RESOURCE = {"memory.available": "memory", "nodefs.available": "ephemeral-storage"}

QuantityLike = Union[str, int, Quantity]


def float32(x: float) -> float:
    """Round a Python float to the nearest IEEE-754 single."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


@dataclass(frozen=True, slots=True)
class ThresholdValue:
    """``evictionapi.ThresholdValue``: an absolute quantity or a float32 percentage."""

    quantity: Optional[Quantity] = None
    percentage: float = 0.0

    def amount(self, capacity: Quantity) -> Quantity:
        """``GetThresholdQuantity``."""
        if self.quantity is not None:
            return self.quantity
        value = math.trunc(float(capacity.value()) * self.percentage)
        return Quantity.from_scaled(value, 0, Quantity.BINARY_SI)


def parse_threshold_value(signal: str, text: str) -> ThresholdValue:
    """``parseThresholdStatement`` value part: ``N%`` -> ``float32(N)/100``, else a
    quantity.  Percentages must be in (0%, 100%]; quantities must be >= 0."""
    if not isinstance(text, str) or not text:
        raise NodeRulesError(f"eviction threshold {signal!r}: expected a quantity or percentage, got {text!r}")
    if text.endswith("%"):
        try:
            pct = float32(float32(float(text.rstrip("%"))) / 100)
        except ValueError:
            raise NodeRulesError(f"eviction threshold {signal}={text!r}: invalid percentage") from None
        if pct <= 0 or pct > 1:
            raise NodeRulesError(f"eviction threshold {signal}={text!r}: percentage must be in (0%, 100%]")
        return ThresholdValue(percentage=pct)
    try:
        q = Quantity(text)
    except QuantityError as exc:
        raise NodeRulesError(f"eviction threshold {signal}={text!r}: {exc}") from None
    if q.sign() < 0:
        raise NodeRulesError(f"eviction threshold {signal}={text!r}: must be positive")
    return ThresholdValue(quantity=q)


def _q(value: QuantityLike, what: str) -> Quantity:
    if isinstance(value, Quantity):
        return value
    try:
        return Quantity(value)
    except QuantityError as exc:
        raise NodeRulesError(f"{what}: {exc}") from None


def node_capacity(cpu_count: int, memory_bytes: int, ephemeral_bytes: Optional[int], max_pods: int = DEFAULT_MAX_PODS,
                  hugepages: Optional[Mapping[str, int]] = None) -> Dict[str, Quantity]:
    """Capacity as the kubelet reports it.  ``hugepages`` maps a page size such
    as ``2Mi`` to the bytes reserved for it (``hugepages-2Mi``)."""
    for name, value in (("cpu_count", cpu_count), ("memory_bytes", memory_bytes), ("max_pods", max_pods)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise NodeRulesError(f"{name}: expected a non-negative integer, got {value!r}")
    capacity: Dict[str, Quantity] = {
        "cpu": Quantity.from_scaled(cpu_count * 1000, -3, Quantity.DECIMAL_SI),
        "memory": Quantity.from_scaled(memory_bytes, 0, Quantity.BINARY_SI),
        "pods": Quantity.from_scaled(max_pods, 0, Quantity.DECIMAL_SI),
    }
    if ephemeral_bytes is not None:
        if not isinstance(ephemeral_bytes, int) or ephemeral_bytes < 0:
            raise NodeRulesError(f"ephemeral_bytes: expected a non-negative integer, got {ephemeral_bytes!r}")
        capacity["ephemeral-storage"] = Quantity.from_scaled(ephemeral_bytes, 0, Quantity.BINARY_SI)
    for size, nbytes in (hugepages or {}).items():
        capacity[f"hugepages-{size}"] = Quantity.from_scaled(int(nbytes), 0, Quantity.BINARY_SI)
    return capacity


def hard_eviction_reservation(eviction_hard: Mapping[str, str], capacity: Mapping[str, Quantity]) -> Dict[str, Quantity]:
    """``hardEvictionReservation``."""
    out: Dict[str, Quantity] = {}
    for signal, text in eviction_hard.items():
        if signal not in KNOWN_SIGNALS:
            raise NodeRulesError(f"eviction threshold {signal!r}: unknown signal, expected one of {list(KNOWN_SIGNALS)}")
        value = parse_threshold_value(signal, text)
        resource = _SIGNAL_RESOURCE.get(signal)
        if resource is None:
            continue
        cap = capacity.get(resource, Quantity("0"))
        out[resource] = value.amount(cap)
    return out


def allocatable_reservation(
    capacity: Mapping[str, Quantity],
    kube_reserved: Optional[Mapping[str, QuantityLike]] = None,
    system_reserved: Optional[Mapping[str, QuantityLike]] = None,
    eviction_hard: Optional[Mapping[str, str]] = None,
) -> Dict[str, Quantity]:
    """``GetNodeAllocatableReservation``: per capacity resource, the non-zero
    sum of system-reserved, kube-reserved and the hard-eviction reservation."""
    eviction = hard_eviction_reservation(eviction_hard or {}, capacity)
    out: Dict[str, Quantity] = {}
    for name in capacity:
        value = Quantity.from_scaled(0, 0, Quantity.DECIMAL_SI)
        if system_reserved and name in system_reserved:
            value = value + _q(system_reserved[name], f"system-reserved {name}")
        if kube_reserved and name in kube_reserved:
            value = value + _q(kube_reserved[name], f"kube-reserved {name}")
        if name in eviction:
            value = value + eviction[name]
        if not value.is_zero():
            out[name] = value
    return out


def node_allocatable(
    capacity: Mapping[str, Quantity], reservation: Mapping[str, Quantity]
) -> Dict[str, Quantity]:
    """``MachineInfo``: capacity - reservation (floored at 0), then every
    ``hugepages-*`` capacity is taken out of memory."""
    out: Dict[str, Quantity] = {}
    for name, cap in capacity.items():
        value = cap
        if name in reservation:
            value = cap - reservation[name]
        if value.sign() < 0:
            value = Quantity.from_scaled(0, 0, cap.format)
        out[name] = value
    for name, cap in capacity.items():
        if name.startswith("hugepages-") and "memory" in out:
            memory = out["memory"] - cap
            if memory.sign() < 0:
                memory = Quantity.from_scaled(0, 0, out["memory"].format)
            out["memory"] = memory
    return out


def node_allocatable_absolute(
    capacity: Mapping[str, Quantity],
    kube_reserved: Optional[Mapping[str, QuantityLike]] = None,
    system_reserved: Optional[Mapping[str, QuantityLike]] = None,
) -> Dict[str, Quantity]:
    """``getNodeAllocatableAbsoluteImpl``: capacity - system - kube reserved, floored at 0."""
    out: Dict[str, Quantity] = {}
    for name, cap in capacity.items():
        value = cap
        if system_reserved and name in system_reserved:
            value = value - _q(system_reserved[name], f"system-reserved {name}")
        if kube_reserved and name in kube_reserved:
            value = value - _q(kube_reserved[name], f"kube-reserved {name}")
        if value.sign() < 0:
            value = Quantity.from_scaled(0, 0, value.format)
        out[name] = value
    return out


def validate_node_allocatable(capacity: Mapping[str, Quantity], reservation: Mapping[str, Quantity]) -> None:
    """``validateNodeAllocatable``: the reservation must not exceed capacity."""
    errors = []
    for name, reserved in sorted(reservation.items()):
        cap = capacity.get(name, Quantity("0"))
        if (cap - reserved).sign() < 0:
            errors.append(
                f"Resource {name!r} has a reservation of {reserved} but capacity of {cap}. "
                "Expected capacity >= reservation."
            )
    if errors:
        raise NodeRulesError("invalid Node Allocatable configuration. " + " ".join(errors))


def node_capacity_and_allocatable(
    cpu_count: int,
    memory_bytes: int,
    ephemeral_bytes: Optional[int] = None,
    reserved: Optional[Mapping[str, Mapping[str, QuantityLike]]] = None,
    eviction_hard: Optional[Mapping[str, str]] = None,
    max_pods: int = DEFAULT_MAX_PODS,
    *,
    hugepages: Optional[Mapping[str, int]] = None,
    validate: bool = True,
) -> Dict[str, Dict[str, str]]:
    """``{"capacity": {...}, "allocatable": {...}}`` as Kubernetes quantity strings.

    ``reserved`` is ``{"kube": {...}, "system": {...}}`` (kubeReserved /
    systemReserved resource lists).  ``eviction_hard`` defaults to the Linux
    kubelet default (:data:`DEFAULT_EVICTION_HARD`); pass ``{}`` for none."""
    reserved = reserved or {}
    unknown = set(reserved) - {"kube", "system"}
    if unknown:
        raise NodeRulesError(f"reserved: unknown keys {sorted(unknown)}, expected 'kube' and/or 'system'")
    capacity = node_capacity(cpu_count, memory_bytes, ephemeral_bytes, max_pods, hugepages)
    reservation = allocatable_reservation(
        capacity,
        reserved.get("kube"),
        reserved.get("system"),
        DEFAULT_EVICTION_HARD if eviction_hard is None else eviction_hard,
    )
    if validate:
        validate_node_allocatable(capacity, reservation)
    allocatable = node_allocatable(capacity, reservation)
    return {
        "capacity": {k: str(v) for k, v in capacity.items()},
        "allocatable": {k: str(v) for k, v in allocatable.items()},
    }
