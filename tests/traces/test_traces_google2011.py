"""Google 2011 host-sample loader."""

from __future__ import annotations

import pytest

from kubekit.api.validation import label_value_errors
from kubekit.traces import TraceError, attribute_label, load_google2011, load_sample, sample_path

GIB = 2**30
LINE = '{317808272,"Host_317808272",0.5,0.2493,[{"9e","2"},{"o/","0"},{"rs","+4"}]}.\n'


def test_sample():
    tr = load_sample("google2011")
    assert len(tr.nodes) == 208 and len(tr.pods) == 0
    h = tr.nodes[0]   # {317808272,"Host_317808272",0.5,0.2493,[...]}
    assert h.name == "Host_317808272"
    assert h.cpu_milli == 16_000                  # 0.5 x 32 cores
    assert h.memory_bytes == 34_263_531_101       # 0.2493 x 128 GiB = 34,263,531,100.57, rounded half up
    assert h.labels["google.kubekit.io/9e"] == "2" and h.labels["google.kubekit.io/x-6f2f"] == "0"
    assert int(tr.nodes.extra["machine_id"][0]) == 317808272
    assert tr.nodes.extra["attributes"][0][-2:] == (("o/", "0"), ("P8", "0"))
    assert {s.column for s in tr.scales} == {"cpu_milli", "memory_bytes"}
    assert tr.scale("cpu_milli").to_raw(h.cpu_milli) == 0.5
    for labels in tr.nodes.labels:      # every label value is valid Kubernetes syntax
        for v in labels.values():
            assert label_value_errors(v) == [], v


@pytest.mark.parametrize("key, value, expected", [
    ("9e", "2", ("google.kubekit.io/9e", "2")),
    ("GK", "Ff", ("google.kubekit.io/GK", "Ff")),
    ("o/", "0", ("google.kubekit.io/x-6f2f", "0")),
    ("rs", "+4", ("google.kubekit.io/rs", "x-2b34")),
    ("rs", "0/", ("google.kubekit.io/rs", "x-302f")),
    ("rs", "", ("google.kubekit.io/rs", "")),
])
def test_attribute_label(key, value, expected):
    assert attribute_label(key, value) == expected


def test_references_are_parameters(tmp_path):
    p = tmp_path / "hosts.txt"
    p.write_text(LINE)
    tr = load_google2011(p, cpu_reference_milli=48_000, memory_reference_bytes=256 * GIB)
    assert tr.nodes[0].cpu_milli == 24_000 and tr.nodes[0].memory_bytes == round(0.2493 * 256 * GIB)
    assert tr.nodes[0].labels["google.kubekit.io/rs"] == "x-2b34"
    with pytest.raises(ValueError, match="cpu_reference_milli"):
        load_google2011(p, cpu_reference_milli=0)


@pytest.mark.parametrize("text, line, fragment", [
    (LINE + '{1,"Host_1",0.5,0.5,[]\n', 2, "expected a host as {<machine_id>"),
    (LINE + '{1,"Host_1",1.5,0.5,[]}.\n', 2, "expected a number <= 1 in normalized CPU"),
    (LINE + '{1,"Host_1",0.5,half,[]}.\n', 2, "expected a decimal number in normalized memory"),
    (LINE + '{x1,"Host_1",0.5,0.5,[]}.\n', 2, "expected an integer >= 0 in machine id"),
    (LINE + '\n{317808272,"Host_2",0.5,0.5,[]}.\n', 3, "duplicate machine id 317808272 (first on line 1)"),
    (LINE + '{1,"Host_1",0.5,0.5,[{"a"}]}.\n', 2, "expected an attribute"),
    (LINE + '{1,"Host_1",0.5,0.5,[{"a","1"},{"a","2"}]}.\n', 2, "attribute 'a' given twice"),
    (LINE + '{1,"Host_1",0.5,0.5,[{"a","1"]}.\n', 2, "unbalanced braces"),
    ("", None, "the file is empty"),
])
def test_malformed_lines(tmp_path, text, line, fragment):
    p = tmp_path / "google-workload-sample1-infra-N.txt"
    p.write_text(text)
    with pytest.raises(TraceError) as err:
        load_google2011(tmp_path)
    assert err.value.path == str(p) and err.value.line == line and fragment in str(err.value)


def test_hosts_without_attributes(tmp_path):
    p = tmp_path / "h.txt"
    p.write_text('{5,"Host_5",0.25,0.1241,[]}.\n')
    n = load_google2011(p).nodes[0]
    assert n.labels == {"kubernetes.io/hostname": "Host_5"} and n.cpu_milli == 8_000
    assert len(load_google2011(sample_path("google2011")).nodes) == 208
