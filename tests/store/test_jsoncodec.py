"""The store's codec: compact JSON, and bytes that hold only their own size."""

import json
import tracemalloc

from kubekit.store import jsoncodec

LEASE = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
         "metadata": {"name": "node-0001", "namespace": "kube-node-lease", "generation": 1},
         "spec": {"holderIdentity": "node-0001", "leaseDurationSeconds": 40,
                  "renewTime": "2026-01-01T00:00:00.000000Z"}}


def test_dumps_is_compact_json_and_loads_reads_it_back():
    data = jsoncodec.dumps(LEASE)
    assert type(data) is bytes
    assert data == json.dumps(LEASE, separators=(",", ":")).encode()
    assert jsoncodec.loads(data) == LEASE


def test_kept_values_hold_about_their_own_size():
    """The store keeps every value it writes; orjson's bytes come with its
    whole working buffer (4 KiB for a 300-byte Lease), so the codec copies
    them into an object of their size."""
    size = len(jsoncodec.dumps(LEASE))
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        kept = [jsoncodec.dumps(LEASE) for _ in range(1000)]
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    assert len(kept) == 1000
    assert grown / 1000 < size + 200, f"{grown / 1000:.0f} bytes held per {size}-byte value"
