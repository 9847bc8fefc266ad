"""The API server's compactor (``kubekit.store.compactor``): upstream's
``compact()`` rounds on a MemoryKV and a real etcd, two compactors sharing one
store, the clock-driven component, and a control plane that compacts its
history every five minutes."""

from __future__ import annotations

import logging

import pytest

from etcd_server import etcd_server
from kubekit.clock import FakeClock
from kubekit.errors import CompactedError
from kubekit.store import Put
from kubekit.store.compactor import COMPACT_REV_KEY, DEFAULT_COMPACTION_INTERVAL, Compactor, compact_round


def _writes(kv, n: int, key: str = "/registry/things/a") -> int:
    for i in range(n):
        kv.txn([], [Put(key, str(i).encode())])
    return kv.revision


def _rounds_of_upstreams_protocol(kv) -> None:
    start = _writes(kv, 3)
    # the first round (bootstrap): the key is written at compact time 1, nothing compacted
    version, rev, compacted, error = compact_round(kv, 0, 0)
    assert (version, rev, compacted, error) == (1, start + 1, 0, None)
    assert kv.get(COMPACT_REV_KEY).value == b"0" and kv.get(COMPACT_REV_KEY).version == 1
    assert kv.compact_revision < start
    later = _writes(kv, 4)
    # the next round compacts to the revision the last one noted
    version, rev2, compacted, error = compact_round(kv, version, rev)
    assert (version, rev2, compacted, error) == (2, later + 1, rev, None)
    assert kv.compact_revision == rev
    assert kv.get(COMPACT_REV_KEY).value == str(rev).encode() and kv.get(COMPACT_REV_KEY).version == 2
    with pytest.raises(CompactedError):
        kv.range("/registry/things/a", revision=rev - 1)
    assert kv.range("/registry/things/a", revision=rev).kvs      # the compacted revision stays readable
    # a compactor whose compact time is stale loses the compare: it adopts the key's, compacts nothing
    version, rev3, compacted, error = compact_round(kv, 1, 12345)
    assert (version, rev3, compacted, error) == (2, kv.revision, rev, None)
    assert kv.compact_revision == rev and kv.get(COMPACT_REV_KEY).version == 2


def test_upstreams_rounds_on_a_memory_kv(memory_kv):
    _rounds_of_upstreams_protocol(memory_kv)


def test_upstreams_rounds_on_a_real_etcd():
    from kubekit.store.etcd import EtcdKV

    with etcd_server() as url:
        kv = EtcdKV(url)
        try:
            _rounds_of_upstreams_protocol(kv)
        finally:
            kv.close()


def test_a_failed_compaction_is_returned_with_the_new_compact_time(memory_kv):
    kv = memory_kv
    _writes(kv, 5)
    version, rev, _, _ = compact_round(kv, 0, 0)
    _writes(kv, 5)
    kv.compact(kv.revision)                          # someone compacted further meanwhile
    version2, rev2, compacted, error = compact_round(kv, version, rev)
    assert (version2, rev2, compacted) == (2, kv.revision, 0)
    assert isinstance(error, CompactedError)


def test_the_component_compacts_what_is_older_than_one_interval(caplog, clock, memory_kv):
    kv = memory_kv
    c = Compactor(kv, clock)
    assert c.interval == DEFAULT_COMPACTION_INTERVAL == 300.0
    assert c.next_wakeup() == 300.0 and c.run_once() == 0       # the first round comes one interval in
    _writes(kv, 10)
    clock.advance(300)
    assert c.next_wakeup() == 0.0 and c.run_once() == 1
    noted = kv.revision                              # the bootstrap round's put: compacted next time
    assert c.compact_revision == 0 and kv.get(COMPACT_REV_KEY) is not None
    assert c.run_once() == 0 and c.next_wakeup() == 300.0
    _writes(kv, 10)
    clock.advance(300)
    assert c.run_once() == 1
    assert c.compact_revision == kv.compact_revision == noted
    # a store already compacted past the noted revision: logged, counted, the rounds go on
    _writes(kv, 3)
    kv.compact(kv.revision)
    clock.advance(300)
    with caplog.at_level(logging.ERROR, logger="kubekit.store.compactor"):
        assert c.run_once() == 1
    assert c.errors == 1 and "compact failed" in caplog.text
    _writes(kv, 3)
    clock.advance(300)
    failed_round_put = kv.revision - 3          # the failed round noted its own put's revision
    assert c.run_once() == 1 and c.errors == 1 and c.compact_revision == failed_round_put


def test_two_api_servers_compact_once_per_interval(clock, memory_kv):
    kv = memory_kv
    a, b = Compactor(kv, clock), Compactor(kv, clock)
    compactions = []
    for _ in range(4):
        _writes(kv, 5)
        clock.advance(300)
        for c in (a, b):
            before = kv.compact_revision
            c.run_once()
            if kv.compact_revision != before:
                compactions.append(kv.compact_revision)
    assert len(compactions) == 3                      # every interval but the bootstrap one, by one of them
    assert compactions == sorted(set(compactions))
    assert kv.get(COMPACT_REV_KEY).version == 4       # one compact time per interval


def test_an_interval_of_zero_turns_it_off(clock, memory_kv):
    kv = memory_kv
    c = Compactor(kv, clock, 0)
    clock.advance(3600)
    assert c.run_once() == 0 and c.next_wakeup() is None and kv.get(COMPACT_REV_KEY) is None
    for bad in (-1, float("nan")):
        with pytest.raises(ValueError, match="compaction interval"):
            Compactor(kv, clock, bad)


def test_a_control_plane_compacts_its_history_and_keeps_running():
    from kubekit.cluster.local import ControlPlane
    from kubekit.node.simulated import NodeTemplate

    clock = FakeClock()
    cp = ControlPlane(clock, start_delay=1.0)
    cp.fleet.add_nodes(["n0", "n1"], NodeTemplate(cpu="4"))
    labels = {"app": "web"}
    cp.store.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                     "spec": {"replicas": 3, "selector": {"matchLabels": labels},
                              "template": {"metadata": {"labels": labels},
                                           "spec": {"containers": [{"name": "c", "image": "app:v1"}]}}}})
    cp.run_until(lambda: cp.count_pods("default", "Running") == 3)
    _, early_rv = cp.store.list("Pod", "default")
    end = clock.monotonic() + 11 * 60
    cp.run_until(lambda: clock.monotonic() >= end, max_sim_seconds=12 * 60)
    assert cp.compactor.compact_revision > int(early_rv)          # rounds at 5 and 10 minutes: one compaction
    assert cp.store.kv.compact_revision == cp.compactor.compact_revision
    with pytest.raises(CompactedError):                           # a read at a revision before it: 410 Gone
        cp.store.kv.range("/registry/pods/", prefix=True, revision=int(early_rv))
    cp.store.delete("Pod", "default", cp.pods.list()[0]["metadata"]["name"])
    cp.run_until(lambda: cp.count_pods("default", "Running") == 3)   # the informers carry on
