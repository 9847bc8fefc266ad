"""Persistence: frames, torn tails, corruption, snapshots and recovery."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubekit.clock import FakeClock
from kubekit.errors import WalCorruptError
from kubekit.store import MemoryKV
from kubekit.store.kv import Compare, Put
from kubekit.store.snapshot import list_snapshots
from kubekit.store.wal import list_segments, read_segment, segment_name


def fill(directory: str, n: int, **kw) -> list[int]:
    """n puts; returns the byte offset where each record ends."""
    ends = []
    with MemoryKV(data_dir=directory, **kw) as kv:
        for i in range(n):
            kv.put(f"/k/{i}", b"value-%d" % i)
            ends.append(os.path.getsize(os.path.join(directory, segment_name(kv._wal.segment))))
    return ends


def keys(directory: str) -> list[str]:
    with MemoryKV(data_dir=directory) as kv:
        return [x.key for x in kv.range("/", prefix=True).kvs]


def test_reopen_recovers_everything_including_leases_and_compaction(data_dir):
    clock = FakeClock()
    with MemoryKV(clock, data_dir=data_dir) as kv:
        lid = kv.grant(30)
        kv.put("/a", b"1", lease=lid)
        kv.put("/b", b"1")
        kv.put("/b", b"2")
        kv.delete("/a")
        kv.put("/a", b"3", lease=lid)
        kv.compact(3)
    with MemoryKV(clock, data_dir=data_dir) as kv:
        assert kv.revision == 6 and kv.compact_revision == 3
        assert kv.get("/a").lease == lid and kv.get("/b").version == 2
        assert kv.range("/b", revision=4).kvs[0].value == b"2"
        assert [e.revision for e in kv.watch("/", prefix=True, start_revision=4).poll()] == [4, 5, 6]
        clock.advance(31)                 # a recovered lease restarts its full TTL, then expires
        kv.tick()
        assert kv.get("/a") is None and kv.get("/b") is not None
    with MemoryKV(clock, data_dir=data_dir) as kv:
        assert kv.get("/a") is None and kv.leases() == []


def test_snapshot_truncates_the_log_and_recovery_uses_it(data_dir):
    with MemoryKV(data_dir=data_dir, snapshot_every=10) as kv:
        for i in range(25):
            kv.put(f"/k/{i % 7}", b"%d" % i)
        assert len(list_snapshots(data_dir)) == 1          # older snapshots are removed
        assert list_segments(data_dir) == [list_snapshots(data_dir)[0]]
        kv.snapshot()
        kv.put("/after", b"x")
    with MemoryKV(data_dir=data_dir) as kv:
        assert kv.revision == 27
        assert {x.key: x.value for x in kv.range("/k/", prefix=True).kvs} == {
            f"/k/{k}": b"%d" % max(i for i in range(25) if i % 7 == k) for k in range(7)}
        assert kv.get("/after").mod_revision == 27
        with pytest.raises(Exception, match="compacted"):
            kv.watch("/", prefix=True, start_revision=20)   # history before the snapshot is gone
        assert kv.watch("/", prefix=True, start_revision=27).poll()[0].kv.key == "/after"


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(0, 10_000))
def test_a_log_cut_anywhere_recovers_the_whole_records_before_the_cut(cut):
    d = tempfile.mkdtemp(prefix="kubekit-store-")
    try:
        ends = fill(d, 12)
        path = os.path.join(d, segment_name(1))
        cut %= ends[-1] + 1
        with open(path, "r+b") as f:
            f.truncate(cut)
        whole = sum(1 for e in ends if e <= cut)
        assert keys(d) == sorted(f"/k/{i}" for i in range(whole))
        assert os.path.getsize(path) == (ends[whole - 1] if whole else 0)   # the torn tail was cut off
        with MemoryKV(data_dir=d) as kv:      # and the log is writable again after it
            kv.put("/new", b"")
        assert "/new" in keys(d)
    finally:
        shutil.rmtree(d)


def test_a_damaged_last_record_is_a_torn_write(data_dir):
    ends = fill(data_dir, 5)
    path = os.path.join(data_dir, segment_name(1))
    with open(path, "r+b") as f:
        f.seek(ends[-1] - 2)
        f.write(b"\xff")
    assert keys(data_dir) == [f"/k/{i}" for i in range(4)]


def test_zeros_after_the_last_record_are_discarded(data_dir):
    fill(data_dir, 3)
    with open(os.path.join(data_dir, segment_name(1)), "ab") as f:
        f.write(b"\0" * 4096)
    assert keys(data_dir) == ["/k/0", "/k/1", "/k/2"]


def test_damage_before_the_last_record_is_corruption_not_a_torn_write(data_dir):
    ends = fill(data_dir, 5)
    path = os.path.join(data_dir, segment_name(1))
    with open(path, "r+b") as f:
        f.seek(ends[1] + 12)
        f.write(b"\xff\xfe")
    with pytest.raises(WalCorruptError, match=r"wal-00000001.log: a checksum mismatch at byte \d+ of \d+"):
        MemoryKV(data_dir=data_dir)


def test_a_missing_segment_is_corruption(data_dir):
    with MemoryKV(data_dir=data_dir) as kv:
        kv.put("/a", b"")
        kv.snapshot()
        kv.put("/b", b"")
        kv.snapshot()
        kv.put("/c", b"")
    gap = os.path.join(data_dir, segment_name(5))
    open(gap, "wb").close()
    with pytest.raises(WalCorruptError, match="wal-00000004.log is missing"):
        MemoryKV(data_dir=data_dir)
    os.unlink(gap)
    os.unlink(os.path.join(data_dir, segment_name(3)))     # the log after the newest snapshot
    with pytest.raises(WalCorruptError, match="wal-00000003.log is missing"):
        MemoryKV(data_dir=data_dir)


def test_an_invalid_snapshot_falls_back_to_the_previous_one(data_dir):
    with MemoryKV(data_dir=data_dir) as kv:
        kv.put("/a", b"")
        kv.snapshot()          # snap-2 covers segment 1
    # a newer snapshot that a crash left half written (normally impossible: tmp + rename)
    with open(os.path.join(data_dir, "snap-00000009.snap"), "wb") as f:
        f.write(b"KKSNAP1\n\x10\x00")
    assert keys(data_dir) == ["/a"]


def test_read_segment_reports_valid_payloads(data_dir):
    fill(data_dir, 3)
    payloads, end = read_segment(os.path.join(data_dir, segment_name(1)), last=True)
    assert len(payloads) == 3 and end == os.path.getsize(os.path.join(data_dir, segment_name(1)))


def test_without_fsync_the_log_still_survives_a_reopen(data_dir):
    fill(data_dir, 4, fsync=False)
    assert len(keys(data_dir)) == 4


def test_watchers_and_readers_see_only_durable_writes(data_dir):
    """A watch never delivers a revision before its WAL record is synced."""
    with MemoryKV(data_dir=data_dir) as kv:
        w = kv.watch("/", prefix=True)
        kv.put("/a", b"1")
        [ev] = w.poll()
        assert ev.revision == 2 and kv._durable >= 2


def test_a_failed_fsync_is_fatal_not_retried(data_dir, monkeypatch):
    import errno

    from kubekit.errors import StoreError
    from kubekit.store import wal as wal_module

    kv = MemoryKV(data_dir=data_dir)
    try:
        kv.put("/ok", b"")

        def eio(fd):
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(wal_module.os, "fdatasync", eio)
        with pytest.raises(StoreError, match="fsync failed: .*Input/output error; the store must be reopened"):
            kv.put("/lost", b"")
        monkeypatch.undo()
        with pytest.raises(StoreError, match="an earlier write or fsync failed"):
            kv.put("/after", b"")
    finally:
        monkeypatch.undo()
        try:
            kv.close()
        except Exception:
            pass
    assert "/ok" in keys(data_dir)


def test_a_crash_between_log_roll_and_snapshot_replays_both_segments(data_dir):
    with MemoryKV(data_dir=data_dir) as kv:
        kv.put("/a", b"1")
        with kv._lock:
            kv._wal.roll()           # the first step of a snapshot; the process dies before the rest
        kv.put("/b", b"2")
    with open(os.path.join(data_dir, "snap-00000002.snap.tmp"), "wb") as f:
        f.write(b"KKSNAP1\n")        # the half-written snapshot
    assert list_segments(data_dir) == [1, 2]
    assert keys(data_dir) == ["/a", "/b"]
    assert not any(n.endswith(".tmp") for n in os.listdir(data_dir))


def test_a_crash_after_the_snapshot_before_cleanup_uses_the_snapshot(data_dir):
    with MemoryKV(data_dir=data_dir) as kv:
        kv.put("/a", b"1")
        kv.put("/b", b"1")
    saved = open(os.path.join(data_dir, segment_name(1)), "rb").read()
    with MemoryKV(data_dir=data_dir) as kv:
        kv.snapshot()
        kv.put("/c", b"1")
    with open(os.path.join(data_dir, segment_name(1)), "wb") as f:   # cleanup had not happened yet
        f.write(saved)
    with MemoryKV(data_dir=data_dir) as kv:
        assert kv.revision == 4 and [x.key for x in kv.range("/", prefix=True).kvs] == ["/a", "/b", "/c"]
    assert list_segments(data_dir) == [2]


def test_compare_and_put_writes_are_logged(data_dir):
    """The one-compare-one-put transaction (every object create and update)
    takes its own path in MemoryKV: it logs its change as the general one does."""
    with MemoryKV(data_dir=data_dir) as kv:
        created = kv.txn([Compare("/o", "mod", "=", 0)], [Put("/o", b"1")])
        updated = kv.txn([Compare("/o", "mod", "=", created.revision)], [Put("/o", b"2")])
        refused = kv.txn([Compare("/o", "mod", "=", created.revision)], [Put("/o", b"3")])
        assert created.succeeded and updated.succeeded and not refused.succeeded
    with MemoryKV(data_dir=data_dir) as kv:
        got = kv.get("/o")
        assert (got.value, got.create_revision, got.mod_revision, got.version) == \
            (b"2", created.revision, updated.revision, 2)
        assert kv.revision == updated.revision
