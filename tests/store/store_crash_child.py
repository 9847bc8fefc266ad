"""The process the crash tests kill: it writes to a durable store and prints
each write's revision once the write is acknowledged (returned).

    python store_crash_child.py DIR seq            # one writer, op i is ops(i)
    python store_crash_child.py DIR threads N      # N writers, thread j writes /t<j>/<i>

It resumes after whatever the store recovered, so one directory can be
crashed again and again.
"""

from __future__ import annotations

import sys
import threading

from kubekit.store import Delete, MemoryKV, Put

NKEYS = 37


def ops(i: int) -> list:
    """The write that makes revision i (the first write of an empty store
    is revision 2, as in etcd): always changes something."""
    if i % 10 == 0:
        return [Put(f"/k/{i % NKEYS}", b"txn%d" % i), Put("/counter", b"%d" % i), Delete(f"/k/{(i + 1) % NKEYS}")]
    return [Put(f"/k/{i % NKEYS}", b"v%d" % i + b"x" * (i % 300))]


def state_after(n: int) -> dict[str, bytes]:
    """The key space at revision n."""
    s: dict[str, bytes] = {}
    for i in range(2, n + 1):
        for op in ops(i):
            if isinstance(op, Put):
                s[op.key] = op.value
            else:
                s.pop(op.key, None)
    return s


def main() -> None:
    directory, mode = sys.argv[1], sys.argv[2]
    kv = MemoryKV(data_dir=directory, snapshot_every=150)
    out = sys.stdout
    if mode == "seq":
        i = kv.revision
        while True:
            i += 1
            rev = kv.txn((), ops(i)).revision
            out.write(f"{rev}\n")
            out.flush()
    n = int(sys.argv[3])
    lock = threading.Lock()
    start = {j: len(kv.range(f"/t{j}/", prefix=True).kvs) for j in range(n)}

    def writer(j: int) -> None:
        i = start[j]
        while True:
            kv.put(f"/t{j}/{i:08d}", b"%d" % i)
            with lock:
                out.write(f"{j} {i}\n")
                out.flush()
            i += 1

    for j in range(n):
        threading.Thread(target=writer, args=(j,), daemon=True).start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
