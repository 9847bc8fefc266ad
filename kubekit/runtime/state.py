"""On-disk records of containers, so a crash never leaks them.

A record is written under ``<state_dir>/containers/<id>.json`` *before* any
cgroup, directory or process exists, and names its owner (pid and start
time).  If the owner dies mid-start, the next :meth:`Runtime.sweep` (run when
a Runtime is created, and by ``kubekit gc``) finds the record, sees the owner
is gone and removes whatever exists.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

# Overridable from the environment so tools and tests can run side by side.
DEFAULT_STATE_DIR = os.environ.get("KUBEKIT_STATE_DIR", "/run/kubekit")


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    owner_pid: int
    owner_start: int
    cgroup: str
    bundle: str
    pod_cgroup: str | None    # remove this pod cgroup with the container (implicit pods)
    pid: int | None = None
    status: str = "creating"   # creating | created | running | exited
    layers: tuple[str, ...] = ()   # image layer dirs the overlay stacks: image GC must keep them


def process_start_time(pid: int) -> int | None:
    """Field 22 of /proc/PID/stat (clock ticks since boot), or None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # comm (field 2) may contain spaces and parentheses: split after the last ')'.
    fields = data[data.rindex(b")") + 2:].split()
    return int(fields[19])


def owner_alive(rec: Record) -> bool:
    return process_start_time(rec.owner_pid) == rec.owner_start


class StateDir:
    def __init__(self, root: str) -> None:
        self.dir = os.path.join(root, "containers")
        os.makedirs(self.dir, mode=0o700, exist_ok=True)

    def path(self, cid: str) -> str:
        return os.path.join(self.dir, cid + ".json")

    def save(self, rec: Record) -> None:
        tmp = self.path(rec.id) + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(asdict(rec), f)
        os.replace(tmp, self.path(rec.id))

    def load(self, cid: str) -> Record:
        with open(self.path(cid), encoding="utf-8") as f:
            raw = json.load(f)
        raw["layers"] = tuple(raw.get("layers") or ())
        return Record(**raw)

    def remove(self, cid: str) -> None:
        try:
            os.unlink(self.path(cid))
        except FileNotFoundError:
            pass

    def layers_in_use(self) -> set[str]:
        """The image layer directories that recorded containers stack
        (running, starting, or exited with a kept upper layer): an image
        store's garbage collection must keep them."""
        out: set[str] = set()
        for cid in self.ids():
            try:
                out.update(self.load(cid).layers)
            except (OSError, ValueError, TypeError):
                continue
        return out

    def ids(self) -> list[str]:
        return sorted(n[:-5] for n in os.listdir(self.dir) if n.endswith(".json"))
