"""Alibaba 2018 machine_meta loader."""

from __future__ import annotations

import pytest

from kubekit.traces import TraceError, load_alibaba2018, load_sample, sample_path

HEADER = "machine_id,time_stamp,failure_domain_1,failure_domain_2,cpu_num,mem_size,status\n"
GIB = 2**30
FD1, FD2 = "kubekit.io/failure-domain-1", "kubekit.io/failure-domain-2"


def test_sample():
    tr = load_sample("alibaba2018")
    assert len(tr.nodes) == 101 and len(tr.pods) == 0
    assert int(tr.nodes.extra["events"].sum()) == 449
    # m_1: 8 rows, all "219,17,96,100,USING"
    m = tr.nodes[0]
    assert m.name == "m_1" and m.cpu_milli == 96_000 and m.memory_bytes == 512 * GIB
    assert m.labels == {"kubernetes.io/hostname": "m_1", FD1: "219", FD2: "17"}
    assert int(tr.nodes.extra["events"][0]) == 8 and int(tr.nodes.extra["first_seen_s"][0]) == 0
    assert set(tr.nodes.cpu_milli.tolist()) == {96_000}
    sc = tr.scale("memory_bytes")
    assert sc.raw_full_scale == 100 and sc.reference == 512 * GIB and sc.to_raw(m.memory_bytes) == 100
    assert "100 = 549,755,813,888 bytes (512 GiB" in tr.units_note


def test_latest_row_wins_and_empty_domains_are_not_changes(tmp_path):
    p = tmp_path / "machine_meta.csv"
    p.write_text(
        "m_7,500,3,9,96,100,USING\n"            # headerless, as published
        "m_7,100,3,8,96,100,IMPORT_INSTALLING\n"
        "m_7,900,3,,96,100,USING\n"             # empty failure_domain_2: not stated
        "m_2,50,4,,96,50,USING\n")
    tr = load_alibaba2018(p)
    assert tr.nodes.name.tolist() == ["m_7", "m_2"]
    a, b = tr.nodes[0], tr.nodes[1]
    assert a.labels[FD1] == "3" and a.labels[FD2] == "9"     # 9 from t=500 is the latest stated value
    assert tr.nodes.extra["status"].tolist() == ["USING", "USING"]
    assert tr.nodes.extra["first_seen_s"].tolist() == [100, 50] and tr.nodes.extra["events"].tolist() == [3, 1]
    assert FD2 not in b.labels and b.memory_bytes == 256 * GIB
    assert any("8 -> " in n or "change failure domain" in n for n in tr.notes)
    assert any("1 failure domains are never given" in n for n in tr.notes)
    tr = load_alibaba2018(p, memory_reference_bytes=400 * GIB)
    assert tr.nodes[1].memory_bytes == 200 * GIB


@pytest.mark.parametrize("body, line, fragment", [
    ("m_1,0,1,1,96.0,100,USING\n", 2, "column 'cpu_num': expected an integer >= 1 in cores, got '96.0'"),
    ("m_1,0,1,1,96,150,USING\n", 2, "column 'mem_size': expected a number <= 100"),
    ("m_1,0,1,1,96,100GB,USING\n", 2, "carries its own unit 'GB'"),
    ("m_1,-1,1,1,96,100,USING\n", 2, "column 'time_stamp'"),
    ("m_1,0,1,1,96,100,\n", 2, "column 'status': expected a machine status"),
    (",0,1,1,96,100,USING\n", 2, "column 'machine_id'"),
    ("m_1,0,1,1,96,100\n", 2, "expected 7 comma-separated fields"),
])
def test_malformed_rows(tmp_path, body, line, fragment):
    p = tmp_path / "machine_meta.csv"
    p.write_text(HEADER + body)
    with pytest.raises(TraceError) as err:
        load_alibaba2018(tmp_path)
    assert err.value.path == str(p) and err.value.line == line and fragment in str(err.value)


def test_paths(tmp_path):
    assert len(load_alibaba2018(sample_path("alibaba2018") / "machine_meta.csv").nodes) == 101
    with pytest.raises(TraceError, match="no machine_meta file"):
        load_alibaba2018(tmp_path)
    with pytest.raises(TraceError, match="no such file or directory"):
        load_alibaba2018(tmp_path / "x.csv")
    with pytest.raises(ValueError):
        load_alibaba2018(sample_path("alibaba2018"), memory_reference_bytes=-1)
