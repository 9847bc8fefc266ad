"""Reading manifests for apply/delete -f, and describe's event ages (pure)."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from kubekit.kubectl.describe import event_age, events_section
from kubekit.kubectl.manifests import ManifestReadError, load_manifests


@pytest.fixture
def d():
    top = tempfile.mkdtemp(prefix="kk-man-")
    yield top
    shutil.rmtree(top)


def put(d, name, text):
    path = os.path.join(d, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_a_directory_yields_its_manifests_in_name_order_and_lists_flatten(d):
    put(d, "b.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p2}\n---\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p3}\n")
    put(d, "a.json", '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p1"}}]}')
    put(d, "notes.txt", "not a manifest")
    put(d, "sub/c.yml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p4}\n")
    names = [o["metadata"]["name"] for _, o in load_manifests([d])]
    assert names == ["p1", "p2", "p3"]
    assert [o["metadata"]["name"] for _, o in load_manifests([d], recursive=True)] == ["p1", "p2", "p3", "p4"]
    assert load_manifests([d])[0][0] == os.path.join(d, "a.json")


def test_bad_manifests_name_the_file(d):
    with pytest.raises(ManifestReadError, match='the path ".*missing.yaml" does not exist'):
        load_manifests([os.path.join(d, "missing.yaml")])
    bad = put(d, "bad.yaml", "kind: Pod\nmetadata: {name: x}\n")
    with pytest.raises(ManifestReadError, match=f"error validating {bad}: apiVersion not set"):
        load_manifests([bad])
    broken = put(d, "broken.yaml", "a: [1, 2\n")
    with pytest.raises(ManifestReadError, match=f"error parsing {broken}"):
        load_manifests([broken])
    empty = tempfile.mkdtemp(dir=d)
    with pytest.raises(ManifestReadError, match="no manifests"):
        load_manifests([empty])


def test_event_ages_show_repeats():
    from kubekit.kubectl.age import parse_time
    now = parse_time("2027-01-01T00:10:00Z")
    once = {"firstTimestamp": "2027-01-01T00:09:50Z", "lastTimestamp": "2027-01-01T00:09:50Z", "count": 1}
    again = {"firstTimestamp": "2027-01-01T00:00:00Z", "lastTimestamp": "2027-01-01T00:07:00Z", "count": 5}
    assert event_age(once, now) == "10s"
    assert event_age(again, now) == "3m (x5 over 10m)"
    assert events_section([], now) == ["Events:  <none>"]
    lines = events_section([dict(again, type="Warning", reason="FailedScheduling", source={"component": "default-scheduler"},
                                 message="0/3 nodes are available")], now)
    assert lines[1].split() == ["Type", "Reason", "Age", "From", "Message"]
    assert lines[3].split()[:2] == ["Warning", "FailedScheduling"] and "3m (x5 over 10m)" in lines[3]
