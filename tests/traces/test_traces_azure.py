"""Azure V1 VM-arrival loader."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from kubekit.traces import MISSING, TraceError, load_azure_v1, load_sample, sample_path, uniform_nodes
from kubekit.traces.azure import read_flavors, read_interval_map

GIB = 2**30
FLAVORS = "1,0.75 a\n1,1.75 b\n8,14 m\n"
IMAP = "0 0\n300 1\n600 2\n900 2\n1200 3\n"


@pytest.fixture(scope="module")
def sample():
    return load_sample("azure_v1")


def test_sample_counts(sample):
    p = sample.pods
    assert len(sample.nodes) == 0 and len(p) == 1780
    assert len(set(p.owner.tolist())) == 561 and int(p.extra["batch"].max()) == 560
    assert int(p.extra["censored"].sum()) == 69 and sample.end_s == 2_100_000
    assert (p.departure_s[p.extra["censored"]] == MISSING).all()
    assert (p.departure_s[~p.extra["censored"]] <= sample.end_s).all()
    assert sorted(set(p.arrival_s.tolist())) == [1_800_000 + 30_000 * i for i in range(10)]
    assert "GiB x 2^30" in sample.units_note and "CC BY 4.0" in sample.attribution


def test_sample_rows_by_hand(sample):
    # 1800000 m,|,a,|,g,g,...   and   1800000 U1,|,U4,|,U3,U3,...
    p = sample.pods
    m = p[0]
    assert (m.name, m.cpu_milli, m.memory_bytes) == ("vm-0000", 8000, 14 * GIB)     # m = (8 vCPU, 14 GiB)
    assert (m.arrival_s, m.departure_s, m.owner) == (1_800_000, 1_800_300, "batch-0")  # bin 1 = 300 s
    a = p[1]
    assert (a.cpu_milli, a.memory_bytes) == (1000, 805_306_368)                       # a = (1, 0.75 GiB)
    assert (a.departure_s, a.owner) == (1_801_200, "batch-1")                         # bin 4 = 1,200 s
    g = p[2]
    assert (g.cpu_milli, g.memory_bytes, g.owner) == (2000, 3_758_096_384, "batch-2")  # g = (2, 3.5 GiB)
    assert g.departure_s == 1_800_900                                                 # U3
    assert p.extra["flavor"][:3].tolist() == ["m", "a", "g"]
    assert p.extra["lifetime_bin"][:3].tolist() == [1, 4, 3]
    # bin 0 (under 5 minutes) departs at its arrival second
    zero = np.flatnonzero(p.extra["lifetime_bin"] == 0)
    assert len(zero) and (p.departure_s[zero] == p.arrival_s[zero]).all()


def test_read_flavors_and_interval_map():
    flavors = read_flavors(str(sample_path("azure_v1") / "flav_map.txt"))
    assert len(flavors) == 16 and flavors["d"] == (16_000, 112 * GIB) and flavors["b"] == (1000, 1_879_048_192)
    bins = read_interval_map(str(sample_path("azure_v1") / "v1.interval_map.txt"))
    assert len(bins) == 46 and bins[0] == 0 and bins[12] == 3600 and bins[13] == 3900
    assert bins[36] == 86_700 and bins[45] == 864_300


def _dir(tmp_path, arrivals, lifetimes=None, flavors=FLAVORS, imap=IMAP):
    (tmp_path / "flav_map.txt").write_text(flavors)
    (tmp_path / "v1.dev.txt").write_text(arrivals)
    if lifetimes is not None:
        (tmp_path / "v1.dev.c2000.txt").write_text(lifetimes)
        (tmp_path / "v1.interval_map.txt").write_text(imap)
    return tmp_path


def test_small_trace_by_hand(tmp_path):
    d = _dir(tmp_path, "0 b,b,|,m,|\n300 a,|\n", "0 U2,C3,|,U0,|\n300 U3,|\n")
    tr = load_azure_v1(d)
    p = tr.pods
    assert p.name.tolist() == ["vm-0", "vm-1", "vm-2", "vm-3"] and tr.end_s == 2000
    assert p.owner.tolist() == ["batch-0", "batch-0", "batch-1", "batch-2"]
    assert p.arrival_s.tolist() == [0, 0, 0, 300]
    assert p.departure_s.tolist() == [600, MISSING, 0, 1500]     # bin 2 starts at 600 s, bin 3 at 1,200 s
    assert p.extra["censored"].tolist() == [False, True, False, False]
    assert p.memory_bytes.tolist() == [1_879_048_192, 1_879_048_192, 14 * GIB, 805_306_368]
    # The arrivals file alone: its companions are read next to it.
    assert len(load_azure_v1(d / "v1.dev.txt").pods) == 4
    with pytest.raises(TraceError, match="is a lifetimes file"):
        load_azure_v1(d / "v1.dev.c2000.txt")


def test_without_lifetimes(tmp_path):
    tr = load_azure_v1(_dir(tmp_path, "0 b,|\n"))
    assert tr.pods[0].departure_s is None and tr.end_s is None
    assert int(tr.pods.extra["lifetime_bin"][0]) == MISSING
    assert any("no lifetimes file" in n for n in tr.notes)


@pytest.mark.parametrize("arrivals, lifetimes, file, line, fragment", [
    ("0 b,x,|\n", None, "v1.dev.txt", 1, "unknown VM size 'x': expected one of a, b, m (flav_map.txt) or '|'"),
    ("0 b,|\n0 b,|\n", None, "v1.dev.txt", 2, "bin start 0 is not after the previous line's 0"),
    ("0 b,|\n300 b,b\n", None, "v1.dev.txt", 2, "expected the line to end with '|'"),
    ("0 b,|,|\n", None, "v1.dev.txt", 1, "empty batch"),
    ("0 b,,|\n", None, "v1.dev.txt", 1, "unknown VM size ''"),
    ("5min b,|\n", None, "v1.dev.txt", 1, "expected an integer >= 0 in seconds (bin start)"),
    ("0 b,b,|\n", "0 U1,|\n", "v1.dev.c2000.txt", 1, "2 tokens, but line 1 of v1.dev.txt has 3"),
    ("0 b,|\n", "300 U1,|\n", "v1.dev.c2000.txt", 1, "bin start 300 does not match line 1 of v1.dev.txt (0)"),
    ("0 b,|\n", "0 U9,|\n", "v1.dev.c2000.txt", 1, "lifetime bin 9 is not in the interval map (bins 0-3)"),
    ("0 b,|\n", "0 X1,|\n", "v1.dev.c2000.txt", 1, "expected a lifetime token U<bin> or C<bin>, got 'X1'"),
    ("0 b,b,|\n", "0 U1,|,U1\n", "v1.dev.c2000.txt", 1, "expected the line to end with '|'"),
    ("0 b,|\n", "0 U1,|\n300 U1,|\n", "v1.dev.c2000.txt", 2, "more lines than the arrivals file"),
    ("0 b,|\n300 b,|\n", "0 U1,|\n", "v1.dev.c2000.txt", None, "1 lines, but the arrivals file v1.dev.txt has 2"),
])
def test_malformed_arrivals_and_lifetimes(tmp_path, arrivals, lifetimes, file, line, fragment):
    d = _dir(tmp_path, arrivals, lifetimes)
    with pytest.raises(TraceError) as err:
        load_azure_v1(d)
    assert err.value.path == str(d / file) and err.value.line == line, str(err.value)
    assert fragment in str(err.value)


@pytest.mark.parametrize("flavors, line, fragment", [
    ("1,0.75 a\n1,0.3 z\n", 2, "0.3 GiB is not a whole number of the target unit"),
    ("1,0.75 a\n1,1.75GB b\n", 2, "got '1.75GB' (the value carries its own unit 'GB'; this column holds plain "
                                 "numbers in GiB)"),
    ("1,0.75 a\n1 0.75 b\n", 2, "expected '<vCPUs>,<memory GiB> <letter>'"),
    ("1,0.75 a\n1,1.75 a\n", 2, "VM size 'a' defined twice (first on line 1)"),
    ("1,0.75 a\n0,1 b\n", 2, "expected an integer >= 1 in vCPUs"),
    ("1,0.75 a\n1.5,1 b\n", 2, "expected an integer >= 1 in vCPUs, got '1.5'"),
    ("1,0 a\n", 1, "expected a positive memory size"),
    ("1,1 |\n", 1, "cannot name a VM size"),
])
def test_malformed_flavor_map(tmp_path, flavors, line, fragment):
    d = _dir(tmp_path, "0 a,|\n", flavors=flavors)
    with pytest.raises(TraceError) as err:
        load_azure_v1(d)
    assert err.value.path == str(d / "flav_map.txt") and err.value.line == line and fragment in str(err.value)


@pytest.mark.parametrize("imap, line, fragment", [
    ("0 0\n300 1\n300 2\n", 3, "durations must increase"),
    ("0 0\n300 2\n600 1\n", 3, "bins must not decrease"),
    ("0 0\n300\n", 2, "expected '<duration s> <bin>'"),
])
def test_malformed_interval_map(tmp_path, imap, line, fragment):
    d = _dir(tmp_path, "0 a,|\n", "0 U0,|\n", imap=imap)
    with pytest.raises(TraceError) as err:
        load_azure_v1(d)
    assert err.value.line == line and fragment in str(err.value)


def test_directory_errors(tmp_path):
    with pytest.raises(TraceError, match="no arrivals \\(split 'test'\\) file"):
        load_azure_v1(sample_path("azure_v1"), split="test")
    shutil.copytree(sample_path("azure_v1"), tmp_path / "a")
    shutil.copy(tmp_path / "a" / "v1.dev.c2100000.txt", tmp_path / "a" / "v1.dev.c1.txt")
    with pytest.raises(TraceError, match="several lifetimes files"):
        load_azure_v1(tmp_path / "a")


def test_pairs_with_uniform_nodes(sample):
    nodes = uniform_nodes(10, cpu_milli=48_000, memory_bytes=384 * GIB)
    assert len(nodes) == 10 and int(sample.pods.cpu_milli.max()) <= 48_000
