"""The Cython stat kernel (kubekit/_fast/_cgstats.pyx) against its plain-Python
twin (kubekit/runtime/cgroups/stats.py) on generated inputs, and both on a
real cgroup."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubekit._fast import _cgstats
from kubekit.runtime.cgroups import stats as twin
from kubekit.runtime.cgroups.stats import CgroupStats, PyStatFiles, stats_from_values
from kubekit.runtime.spec import Resources

KEYS = [b"usage_usec", b"inactive_file", b"total_inactive_file", b"oom_kill", b"oom", b"max", b"low"]
INT64_MAX = (1 << 63) - 1

# Pieces that make cgroup-like text, plus the edges of the grammar.
TOKENS = st.one_of(
    st.sampled_from(KEYS + [b" ", b"\t", b"\n", b"  ", b"max", b"-", b"x", b"\0", b"9223372036854775807",
                            b"9223372036854775808", b"18446744073709551615", b"007"]),
    st.integers(0, 2**64).map(lambda n: str(n).encode()),
    st.binary(max_size=3),
)
DATA = st.lists(TOKENS, max_size=40).map(b"".join)


def test_constants_match_the_twin():
    assert (_cgstats.BUF_SIZE, _cgstats.MAX_FILES, _cgstats.MAX_FIELDS, _cgstats.MAX_KEY) == (
        twin.BUF_SIZE, twin.MAX_FILES, twin.MAX_FIELDS, twin.MAX_KEY)


@pytest.mark.parametrize("data, value", [
    (b"12\n", 12), (b" \t12", 12), (b"12 34", 12), (b"0", 0), (b"", None), (b"\n12", None), (b"max\n", None),
    (b"-1", None), (b"12x", None), (b"9223372036854775807", INT64_MAX), (b"9223372036854775808", None),
    (b"00000000000000000000000000042\n", 42),
])
def test_parse_value_table(data, value):
    assert _cgstats.parse_value(data) == twin.parse_value(data) == value


@pytest.mark.parametrize("data, key, value", [
    (b"usage_usec 55\nuser_usec 3\n", b"usage_usec", 55),
    (b"user_usec 3\nusage_usec 55", b"usage_usec", 55),
    (b"low 0\nhigh 0\nmax 0\noom 1\noom_kill 2\noom_group_kill 0\n", b"oom_kill", 2),
    (b"low 0\nhigh 0\nmax 0\noom 1\noom_kill 2\n", b"oom", 1),
    (b"inactive_file 5\ntotal_inactive_file 9\n", b"total_inactive_file", 9),
    (b"xinactive_file 5\n", b"inactive_file", None),
    (b"inactive_file\t7\n", b"inactive_file", 7),
    (b"inactive_file max\ninactive_file 3\n", b"inactive_file", None),     # the first match decides
    (b"inactive_file", b"inactive_file", None),
    (b"inactive_file ", b"inactive_file", None),
    (b"", b"oom_kill", None),
])
def test_parse_key_table(data, key, value):
    assert _cgstats.parse_key(data, key) == twin.parse_key(data, key) == value


@settings(max_examples=2000, deadline=None)
@given(DATA)
def test_parse_value_matches_twin(data):
    assert _cgstats.parse_value(data) == twin.parse_value(data)


@settings(max_examples=2000, deadline=None)
@given(DATA, st.sampled_from(KEYS))
def test_parse_key_matches_twin(data, key):
    assert _cgstats.parse_key(data, key) == twin.parse_key(data, key)


@pytest.mark.parametrize("key", [b"", b"a b", b"a\n", b"\tb"])
def test_parse_key_rejects_bad_keys(key):
    with pytest.raises(ValueError):
        _cgstats.parse_key(b"a 1", key)
    with pytest.raises(ValueError):
        twin.parse_key(b"a 1", key)


FIELD = st.tuples(st.sampled_from([b""] + KEYS), st.sampled_from([1, 1, 1000, 10**12]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), DATA), min_size=1, max_size=6), st.data())
def test_stat_files_match_twin(tmp_path_factory, contents, data):
    d = tmp_path_factory.mktemp("stat")
    paths = []
    for i, c in enumerate(contents):
        p = str(d / f"f{i}")
        if c is not None:            # None: a file that does not exist
            with open(p, "wb") as f:
                f.write(c)
        paths.append(p)
    fields = data.draw(st.lists(st.tuples(st.integers(0, len(paths) - 1), FIELD), min_size=1, max_size=12))
    fields = [(i, k, s) for i, (k, s) in fields]
    c, p = _cgstats.StatFiles(paths, fields), PyStatFiles(paths, fields)
    try:
        assert c.open_count() == p.open_count() == sum(x is not None for x in contents)
        assert c.read() == p.read()
    finally:
        c.close()
        p.close()


def test_stat_files_see_only_the_first_64k(tmp_path):
    body = b"pad 1\n" * 11000 + b"late 5\n"          # 'late' starts past 64 KiB
    head = b"x" * (65536 - 4) + b"1234567"           # an integer cut at the buffer's end
    (tmp_path / "big").write_bytes(body)
    (tmp_path / "cut").write_bytes(b"key " + head[4:])
    paths = [str(tmp_path / "big"), str(tmp_path / "cut")]
    fields = [(0, b"pad", 1), (0, b"late", 1), (1, b"key", 1)]
    c, p = _cgstats.StatFiles(paths, fields), PyStatFiles(paths, fields)
    assert c.read() == p.read() == (1, None, None)
    c.close()
    p.close()


def test_stat_files_reread_sees_new_content(tmp_path):
    path = tmp_path / "v"
    path.write_bytes(b"1\n")
    c = _cgstats.StatFiles([str(path)], [(0, b"", 1)])
    assert c.read() == (1,)
    path.write_bytes(b"22\n")            # same inode, rewritten: pread at 0 sees it
    assert c.read() == (22,)
    c.close()


@pytest.mark.parametrize("paths, fields, message", [
    (["a"] * 17, [], "at most 16"),
    (["a"], [(0, b"", 1)] * 33, "at most 32"),
    (["a"], [(1, b"", 1)], "names file 1"),
    (["a"], [(0, b"x y", 1)], "bad key"),
    (["a"], [(0, b"k" * 64, 1)], "bad key"),
    (["a"], [(0, b"k", 0)], "scale 0"),
])
@pytest.mark.parametrize("cls", [_cgstats.StatFiles, PyStatFiles])
def test_stat_files_validation(cls, paths, fields, message):
    with pytest.raises(ValueError, match=message):
        cls(paths, fields)


@pytest.mark.parametrize("cls", [_cgstats.StatFiles, PyStatFiles])
def test_stat_files_close(tmp_path, cls):
    (tmp_path / "v").write_bytes(b"3")
    sf = cls([str(tmp_path / "v"), None], [(0, b"", 1), (1, b"", 1)])
    assert sf.read() == (3, None) and sf.open_count() == 1 and not sf.closed
    sf.close()
    sf.close()
    assert sf.closed and sf.open_count() == 0
    with pytest.raises(ValueError, match="closed"):
        sf.read()


@pytest.mark.parametrize("cls", [_cgstats.StatFiles, PyStatFiles])
def test_stat_files_other_open_errors_raise(tmp_path, cls):
    with pytest.raises(NotADirectoryError):
        (tmp_path / "f").write_bytes(b"")
        cls([str(tmp_path / "f" / "x")], [(0, b"", 1)])


def test_stats_from_values():
    assert stats_from_values((1, 100, 200, 30, 2, 0)) == CgroupStats(1, 100, 200, 70, 2, 0)
    assert stats_from_values((1, 100, 200, 300, 2, 0)).memory_working_set == 0
    assert stats_from_values((1, 100, None, None, None, None)).memory_working_set == 100
    assert stats_from_values((None,) * 6) == CgroupStats(None, None, None, None, None, None)


def test_kernel_and_twin_agree_on_a_frozen_cgroup(prefix, procs):
    """A frozen cgroup's counters stand still, so both readers must agree."""
    from kubekit.runtime.cgroups import open_driver

    driver = open_driver()
    cg = driver.create(prefix + "/c", Resources())
    p = procs.python("b = bytearray(8 << 20)\nimport time\ntime.sleep(100)")
    cg.attach(p.pid)
    cg.freeze()
    plan = cg._stat_plan()
    c, t = _cgstats.StatFiles(plan.paths, plan.fields), PyStatFiles(plan.paths, plan.fields)
    try:
        assert c.read() == t.read()
        assert c.read()[4] in (1, None)       # pids.current (None: no pids controller in this tree)
    finally:
        c.close()
        t.close()
        cg.destroy()
    assert not os.path.exists(cg.dirs[0][1])
