"""Node slots: the order every engine iterates nodes in.

Both engines (Cython and twin) must visit nodes in the same order for ties
to break the same way, so slot assignment lives here, once.  A removed
node's slot is reused by the next node added (lowest free slot first).
"""

from __future__ import annotations

import heapq

from kubekit.errors import SchedulerError


class SlotTable:
    __slots__ = ("slot_of", "names", "_free")

    def __init__(self) -> None:
        self.slot_of: dict[str, int] = {}
        self.names: list[str | None] = []
        self._free: list[int] = []

    def __len__(self) -> int:
        return len(self.slot_of)

    def __contains__(self, name: object) -> bool:
        return name in self.slot_of

    def add(self, name: str) -> int:
        if name in self.slot_of:
            raise SchedulerError(f"duplicate node name {name!r}: a node of that name is already in the cluster")
        slot = heapq.heappop(self._free) if self._free else len(self.names)
        if slot == len(self.names):
            self.names.append(name)
        else:
            self.names[slot] = name
        self.slot_of[name] = slot
        return slot

    def get(self, name: str) -> int:
        try:
            return self.slot_of[name]
        except KeyError:
            raise SchedulerError(f"unknown node {name!r}") from None

    def remove(self, name: str) -> int:
        slot = self.get(name)
        del self.slot_of[name]
        self.names[slot] = None
        heapq.heappush(self._free, slot)
        return slot
