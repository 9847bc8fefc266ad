"""A crash at any instant loses nothing acknowledged: a child process writes
to a durable store and reports each acknowledged write on a pipe; the test
SIGKILLs it at a random moment, reopens the directory and checks that every
acknowledged write is there and that the state is exactly a prefix of the
attempted writes.  The same directory is crashed again and again, so
recovery of a recovered store (and of snapshots taken in between) is
covered too."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from kubekit.store import MemoryKV

sys.path.insert(0, os.path.dirname(__file__))
from store_crash_child import state_after  # noqa: E402

CHILD = os.path.join(os.path.dirname(__file__), "store_crash_child.py")


def run_and_kill(directory: str, args: list[str], rng: random.Random) -> list[str]:
    """Start the child, SIGKILL it at a random moment after its first
    acknowledged write; returns the complete lines it printed."""
    proc = subprocess.Popen([sys.executable, CHILD, directory, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        first = proc.stdout.readline()
        if not first:
            raise AssertionError(f"child wrote nothing: {proc.stderr.read().decode()[-2000:]}")
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        rest = proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    text = (first + rest).decode()
    lines = text.split("\n")
    return lines[:-1]          # the part after the last newline may be torn


def test_sequential_writer_killed_at_random_moments(data_dir):
    rng = random.Random(20261126)
    acked = 1                   # an empty store is at revision 1
    for iteration in range(20):
        lines = run_and_kill(data_dir, ["seq"], rng)
        revs = [int(x) for x in lines]
        assert revs == list(range(acked + 1, acked + 1 + len(revs))), "the child acknowledges in order"
        acked = revs[-1]
        with MemoryKV(data_dir=data_dir) as kv:
            n = kv.revision
            # Everything acknowledged survived; at most the one write in
            # flight when the signal landed is there beyond it.
            assert acked <= n <= acked + 1, (iteration, acked, n)
            got = {x.key: x.value for x in kv.range("/", prefix=True).kvs}
            assert got == state_after(n), iteration
            acked = n     # the next child resumes after what was recovered


@pytest.mark.parametrize("writers", [4])
def test_concurrent_writers_killed_at_random_moments(data_dir, writers):
    """Group commit under a crash: each thread's acknowledged keys survive,
    and each thread's surviving keys are a prefix of what it attempted."""
    rng = random.Random(7)
    acked: dict[int, int] = {j: -1 for j in range(writers)}
    for iteration in range(8):
        for line in run_and_kill(data_dir, ["threads", str(writers)], rng):
            j, i = map(int, line.split())
            acked[j] = max(acked[j], i)
        with MemoryKV(data_dir=data_dir) as kv:
            total = 0
            for j in range(writers):
                keys = [x.key for x in kv.range(f"/t{j}/", prefix=True).kvs]
                assert keys == [f"/t{j}/{i:08d}" for i in range(len(keys))], (iteration, j)
                assert len(keys) - 1 >= acked[j], (iteration, j, len(keys), acked[j])
                assert len(keys) - 1 <= acked[j] + 1            # one write in flight per thread at most
                acked[j] = len(keys) - 1
                total += len(keys)
            assert kv.revision == 1 + total
