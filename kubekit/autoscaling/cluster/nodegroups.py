"""Node groups and the providers that grow and shrink them (the cluster
autoscaler's ``cloudprovider.NodeGroup``).

A :class:`NodeGroup` is a node shape (a :class:`~kubekit.node.simulated.NodeTemplate`:
capacity, labels, taints), a price per node-hour, a priority (for the
``priority`` expander) and min/max sizes.  Its ``provider`` owns the nodes:

* :class:`FleetProvider` backs groups with simulated nodes of a
  :class:`~kubekit.node.simulated.SimulatedFleet`, named ``<group>-<n>`` and
  labelled ``autoscaling.kubekit.io/node-group: <group>`` (so membership is
  read back from the fleet, never remembered apart from it).  A new node
  registers ``boot_seconds`` after the scale-up (the group's VM boot time);
  until then it is *upcoming*: part of the group's target size, not of the
  cluster.  :meth:`FleetProvider.limit` makes the simulated cloud run out of
  a group's machines (a stockout or a quota): the instances asked for beyond
  what is left are created in error (:class:`InstanceError`, as a cloud
  reports ``InstanceErrorInfo``) and never register.  With ``silent=True``
  the cloud instead accepts the new target size and creates nothing,
  reporting no error (a resize stuck on a quota the cloud does not report):
  the group's target size then exceeds its instances until the autoscaler
  decreases it (:meth:`NodeGroup.decrease_target_size`, upstream's
  ``DecreaseTargetSize``, which drops such requests only);
* :class:`FixedProvider` is a group of existing nodes that cannot grow or
  shrink, e.g. the local node a kubelet registered: ``NodeGroup.fixed("local",
  ["my-host"])``.  Its size is the number of those nodes that exist; it
  takes part in utilisation and scale-down simulation (pods may move *onto*
  it) but is never scaled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from kubekit.autoscaling.cluster.options import AutoscalerOptions, NodeGroupAutoscalingOptions
from kubekit.node.simulated import NodeTemplate

__all__ = ["GROUP_LABEL", "FixedProvider", "FleetProvider", "InstanceError", "NodeGroup", "NodeGroupProvider"]

GROUP_LABEL = "autoscaling.kubekit.io/node-group"

ERROR_CLASSES = ("OutOfResource", "Other")
"""cloudprovider's ``InstanceErrorClass`` names (``OutOfResourcesErrorClass``, ``OtherErrorClass``)."""


@dataclass(frozen=True, slots=True)
class InstanceError:
    """Why the cloud could not create an instance a scale-up asked for
    (cloudprovider's ``InstanceErrorInfo``): ``error_class``
    ``OutOfResource`` (a stockout or a quota) or ``Other``, a provider's
    ``code`` and a human ``message``."""

    error_class: str
    code: str
    message: str

    def __post_init__(self) -> None:
        if self.error_class not in ERROR_CLASSES:
            raise ValueError(f"instance error class {self.error_class!r}: expected one of {', '.join(ERROR_CLASSES)}")


class NodeGroupProvider(Protocol):
    """What a cloud provider does for the autoscaler."""

    def node_names(self, group: NodeGroup) -> list[str]: ...

    def upcoming(self, group: NodeGroup) -> list[str]: ...

    def instance_errors(self, group: NodeGroup) -> dict[str, InstanceError]: ...

    def target_size(self, group: NodeGroup) -> int: ...

    def increase_size(self, group: NodeGroup, delta: int) -> list[str]: ...

    def decrease_target_size(self, group: NodeGroup, delta: int) -> None: ...

    def delete_nodes(self, group: NodeGroup, names: Sequence[str]) -> int: ...


@dataclass(frozen=True, slots=True)
class NodeGroup:
    """A node group (see the module docstring).  ``template`` None: the
    group cannot make nodes (a fixed group).  ``options``: the group's own
    values of the options a group may override (upstream's
    ``NodeGroup.GetOptions``); None or a None field: the global value."""

    name: str
    min_size: int
    max_size: int
    template: NodeTemplate | None = None
    price: float = 1.0                      # per node-hour, for the price expander
    priority: int = 0                       # for the priority expander: higher wins
    provider: Any = field(default=None, compare=False)
    boot_seconds: float = 0.0               # scale-up to the new node registering (a VM's boot)
    options: NodeGroupAutoscalingOptions | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", self.name or ""):
            raise ValueError(f"node group name {self.name!r}: expected a DNS label (lowercase letters, digits, '-')")
        if not 0 <= self.min_size <= self.max_size:
            raise ValueError(f"node group {self.name}: min size {self.min_size} and max size {self.max_size}: "
                             f"expected 0 <= min <= max")
        if self.price <= 0:
            raise ValueError(f"node group {self.name}: price {self.price}: expected a positive price")
        if self.boot_seconds < 0:
            raise ValueError(f"node group {self.name}: boot_seconds {self.boot_seconds}: expected a "
                             f"non-negative number of seconds")

    @classmethod
    def fixed(cls, name: str, node_names: Iterable[str], **kw: Any) -> NodeGroup:
        """A group of existing nodes that never grows or shrinks."""
        names = tuple(node_names)
        return cls(name, len(names), len(names), None, provider=FixedProvider(names), **kw)

    @property
    def can_grow(self) -> bool:
        return self.template is not None and not isinstance(self.provider, FixedProvider)

    def labelled_template(self) -> NodeTemplate:
        """The template the provider creates nodes from (with the group label)."""
        if self.template is None:
            raise ValueError(f"node group {self.name} has no template: it cannot make nodes")
        return replace(self.template, labels={**self.template.labels, GROUP_LABEL: self.name})

    def template_manifest(self, now: str) -> dict:
        """The Node a scale-up of this group would add (for simulations)."""
        return self.labelled_template().manifest(f"template-node-for-{self.name}", now)

    def get_options(self, defaults: AutoscalerOptions) -> NodeGroupAutoscalingOptions:
        """The options this group is autoscaled with: its own where it gives
        one, else ``defaults``' (``GetOptions`` and the node group config
        processor's fallback)."""
        return (self.options or NodeGroupAutoscalingOptions()).resolve(defaults)

    def target_size(self) -> int:
        """The size the cloud is asked to hold (``TargetSize``): nodes,
        upcoming ones, instances in error and requests not yet fulfilled."""
        return self.provider.target_size(self)

    def decrease_target_size(self, delta: int) -> None:
        """``DecreaseTargetSize``: drop ``-delta`` requests the cloud has not
        fulfilled; never deletes an existing node or instance."""
        self.provider.decrease_target_size(self, delta)

    def node_names(self) -> list[str]:
        """The group's registered nodes."""
        return self.provider.node_names(self)

    def upcoming(self) -> list[str]:
        """Nodes a scale-up asked for that have not registered yet."""
        return self.provider.upcoming(self)

    def instance_errors(self) -> dict[str, InstanceError]:
        """Instances a scale-up asked for that the cloud failed to create."""
        return self.provider.instance_errors(self)


class FleetProvider:
    """Groups of simulated nodes in ``fleet`` (see the module docstring)."""

    def __init__(self, fleet) -> None:
        self.fleet = fleet
        self._next: dict[str, int] = {}
        self._left: dict[str, tuple[int, InstanceError, bool]] = {}  # group -> machines left, error, silent
        self._failed: dict[str, dict[str, InstanceError]] = {}      # group -> instance -> its error
        self._requested: dict[str, int] = {}                        # group -> target size with no instance

    def limit(self, group_name: str, available: int | None, error: InstanceError | None = None, *,
              silent: bool = False) -> None:
        """From now on only ``available`` more machines of the group can be
        created (None: no limit); an instance asked for beyond them fails
        with ``error`` (default: an ``OutOfResource`` stockout) or, with
        ``silent``, is never created and no error is reported: the target
        size holds it (see the module docstring)."""
        if available is None:
            self._left.pop(group_name, None)
            return
        if available < 0:
            raise ValueError(f"node group {group_name}: {available} machines available: expected >= 0")
        self._left[group_name] = (available, error or InstanceError(
            "OutOfResource", "STOCKOUT", f"no capacity left for node group {group_name}"), silent)

    def requested(self, group: NodeGroup) -> int:
        """Target size the cloud accepted but holds no instance for."""
        return self._requested.get(group.name, 0)

    def target_size(self, group: NodeGroup) -> int:
        return (len(self.node_names(group)) + len(self.upcoming(group)) + len(self._failed.get(group.name, {}))
                + self.requested(group))

    def instance_errors(self, group: NodeGroup) -> dict[str, InstanceError]:
        return dict(self._failed.get(group.name, {}))

    def node_names(self, group: NodeGroup) -> list[str]:
        return sorted(n for n, t in self.fleet.nodes.items() if t.labels.get(GROUP_LABEL) == group.name)

    def upcoming(self, group: NodeGroup) -> list[str]:
        return sorted(n for n, t in self.fleet.provisioning.items() if t.labels.get(GROUP_LABEL) == group.name)

    def _fresh_names(self, group: NodeGroup, count: int) -> list[str]:
        taken = set(self.fleet.nodes) | set(self.fleet.provisioning) | set(self._failed.get(group.name, ()))
        suffix = re.compile(re.escape(group.name) + r"-(\d+)\Z")
        n = max([self._next.get(group.name, 0)] +
                [int(m.group(1)) + 1 for m in map(suffix.match, taken) if m])
        names = [f"{group.name}-{i}" for i in range(n, n + count)]
        self._next[group.name] = n + count
        return names

    def increase_size(self, group: NodeGroup, delta: int) -> list[str]:
        if delta <= 0:
            raise ValueError(f"node group {group.name}: size increase {delta}: expected a positive number")
        failed = self._failed.setdefault(group.name, {})
        size = self.target_size(group)
        if size + delta > group.max_size:
            raise ValueError(f"node group {group.name}: size increase too large: desired {size + delta}, "
                             f"max {group.max_size}")
        made_count, silent, error = delta, False, None
        if group.name in self._left:
            left, error, silent = self._left[group.name]
            made_count = min(left, delta)
            self._left[group.name] = (left - made_count, error, silent)
        names = self._fresh_names(group, made_count if silent else delta)
        made = names[:made_count]
        if silent:
            self._requested[group.name] = self.requested(group) + delta - made_count
        else:
            failed.update((n, error) for n in names[made_count:])
        if made:
            self.fleet.add_nodes(made, group.labelled_template(), boot_seconds=group.boot_seconds)
        return names

    def delete_nodes(self, group: NodeGroup, names: Sequence[str]) -> int:
        """Delete nodes (registered or booting) or instances in error; the
        group's min size bounds its real nodes only (an instance in error
        never was one)."""
        failed = self._failed.get(group.name, {})
        real = set(self.node_names(group)) | set(self.upcoming(group))
        alien = [n for n in names if n not in real and n not in failed]
        if alien:
            raise ValueError(f"node group {group.name}: nodes {', '.join(alien)} do not belong to it")
        nodes = [n for n in names if n in real]
        if nodes and len(real) - len(nodes) < group.min_size:
            raise ValueError(f"node group {group.name}: deleting {len(nodes)} nodes would go below min size "
                             f"{group.min_size}")
        removed = self.fleet.remove_nodes(nodes) if nodes else 0
        for n in names:
            failed.pop(n, None)
        return len(names) - len(nodes) + removed

    def decrease_target_size(self, group: NodeGroup, delta: int) -> None:
        """Drop ``-delta`` unfulfilled requests (a cloud's
        ``DecreaseTargetSize`` refuses to go below the instances it has)."""
        if delta >= 0:
            raise ValueError(f"node group {group.name}: size decrease {delta}: expected a negative number")
        pending = self.requested(group)
        if -delta > pending:
            size = self.target_size(group)
            raise ValueError(f"node group {group.name}: attempt to delete existing nodes: target size {size}, "
                             f"delta {delta}, existing nodes {size - pending}")
        self._requested[group.name] = pending + delta


class FixedProvider:
    """Existing nodes that cannot be added to or removed (the local node)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = tuple(names)

    def node_names(self, group: NodeGroup) -> list[str]:
        return list(self.names)

    def upcoming(self, group: NodeGroup) -> list[str]:
        return []

    def instance_errors(self, group: NodeGroup) -> dict[str, InstanceError]:
        return {}

    def target_size(self, group: NodeGroup) -> int:
        return len(self.names)

    def increase_size(self, group: NodeGroup, delta: int) -> list[str]:
        raise ValueError(f"node group {group.name} is fixed: it cannot grow")

    def decrease_target_size(self, group: NodeGroup, delta: int) -> None:
        raise ValueError(f"node group {group.name} is fixed: its target size cannot change")

    def delete_nodes(self, group: NodeGroup, names: Sequence[str]) -> int:
        raise ValueError(f"node group {group.name} is fixed: it cannot shrink")
