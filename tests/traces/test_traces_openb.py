"""OpenB (Alibaba GPU v2023) loader: bundled sample and malformed input."""

from __future__ import annotations

import shutil

import pytest

from kubekit.api.quantity import Quantity
from kubekit.traces import MISSING, TraceError, load_openb, load_sample, sample_path

NODE_HEADER = "sn,cpu_milli,memory_mib,gpu,model\n"
POD_HEADER = ("name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,"
              "scheduled_time\n")
GOOD_POD = "p0,8000,30517,1,230,,BE,Running,9974338,9981274,9974338\n"


@pytest.fixture(scope="module")
def sample():
    return load_sample("openb")


def test_sample_counts(sample):
    assert len(sample.nodes) == 191 and len(sample.pods) == 204 and sample.pods.total == 204
    assert int(sample.nodes.gpu_count.sum()) == 755
    assert sample.name == "openb" and sample.scales == () and sample.end_s is None
    assert "alibaba/clusterdata" in sample.attribution and "7a6c496e" in sample.attribution
    assert "memory_mib x 2^20" in sample.units_note


def test_sample_node_rows_by_hand(sample):
    # openb-node-0464,104000,524288,2,T4 (data row 464 = the 59th row kept)
    node = sample.nodes[58]
    assert node.name == "openb-node-0464"
    assert node.cpu_milli == 104_000
    assert node.memory_bytes == 549_755_813_888 == 512 * 2**30
    assert node.gpu_count == 2 and node.gpu_model == "T4"
    assert node.labels == {"kubernetes.io/hostname": "openb-node-0464", "alibabacloud.com/gpu-card-model": "T4"}
    first = sample.nodes[0]   # openb-node-0000,32000,262144,0,
    assert (first.cpu_milli, first.memory_bytes, first.gpu_count, first.gpu_model) == (32_000, 274_877_906_944, 0, None)
    assert first.pods is None and first.ephemeral_storage_bytes is None


def test_sample_pod_rows_by_hand(sample):
    # openb-pod-0040,8000,30517,1,230,,BE,Running,9974338,9981274,9974338
    pod = sample.pods[1]
    assert pod.name == "openb-pod-0040"
    assert pod.cpu_milli == 8000
    assert pod.memory_bytes == 31_999_393_792 == 30517 * 1_048_576
    assert pod.memory_bytes == Quantity("30517Mi").value()      # kubekit's Kubernetes quantity agrees
    assert (pod.gpu_count, pod.gpu_milli, pod.gpu_models) == (1, 230, None)
    assert (pod.arrival_s, pod.departure_s, pod.owner) == (9_974_338, 9_981_274, None)
    i = 1
    assert sample.pods.extra["qos"][i] == "BE" and sample.pods.extra["pod_phase"][i] == "Running"
    assert int(sample.pods.extra["scheduled_s"][i]) == 9_974_338
    # openb-pod-0520 is Pending: no scheduled_time
    j = sample.pods.name.tolist().index("openb-pod-0520")
    assert sample.pods.extra["pod_phase"][j] == "Pending" and int(sample.pods.extra["scheduled_s"][j]) == MISSING


def test_variants(sample):
    spec = load_sample("openb", variant="gpuspec33")
    constrained = [m for m in spec.pods.gpu_models if m is not None]
    assert len(spec.pods) == 204 and len(constrained) == 54
    i = spec.pods.name.tolist().index("openb-pod-0680")
    assert spec.pods[i].gpu_models == ("P100", "V100M16", "V100M32")
    multi = load_sample("openb", variant="multigpu50")
    assert len(multi.pods) == 227 and int((multi.pods.gpu_count > 1).sum()) == 25
    assert (multi.pods.arrival_s == MISSING).all() and multi.pods[0].arrival_s is None
    assert "qos" not in multi.pods.extra and "scheduled_s" not in multi.pods.extra
    assert any("no creation/deletion times" in n for n in multi.notes)
    share = load_sample("openb", variant="gpushare100")
    assert ((share.pods.gpu_count == 1) <= (share.pods.gpu_milli < 1000)).all()
    sizes = {v: len(load_sample("openb", variant=v).pods) for v in ("cpu050", "cpu300")}
    assert sizes == {"cpu050": 186, "cpu300": 253}
    with pytest.raises(TraceError) as err:
        load_sample("openb", variant="gpushare40")
    assert "no pod list for variant 'gpushare40'" in str(err.value) and "gpuspec33" in str(err.value)


def test_single_files(tmp_path):
    src = sample_path("openb")
    nodes_only = load_openb(src / "openb_node_list_all_node.csv")
    assert len(nodes_only.nodes) == 191 and len(nodes_only.pods) == 0
    paired = load_openb(src / "openb_pod_list_default.csv")
    assert len(paired.nodes) == 191 and len(paired.pods) == 204
    shutil.copy(src / "openb_pod_list_default.csv", tmp_path / "pods.csv")
    alone = load_openb(tmp_path / "pods.csv")
    assert len(alone.nodes) == 0 and len(alone.pods) == 204 and any("pod list only" in n for n in alone.notes)
    explicit = load_openb(tmp_path / "pods.csv", nodes=src / "openb_node_list_all_node.csv")
    assert len(explicit.nodes) == 191


def _pods(tmp_path, body, header=POD_HEADER):
    p = tmp_path / "openb_pod_list_default.csv"
    p.write_text(header + body)
    return p


def _nodes(tmp_path, body, header=NODE_HEADER):
    p = tmp_path / "openb_node_list_all_node.csv"
    p.write_text(header + body)
    return p


@pytest.mark.parametrize("body, line, fragment", [
    (GOOD_POD + "p1,8 cores,1,0,0,,BE,Running,1,2,1\n", 3,
     "column 'cpu_milli': expected an integer >= 0 in millicores, got '8 cores'"),
    (GOOD_POD + "p1,8000,32Gi,0,0,,BE,Running,1,2,1\n", 3,
     "got '32Gi' (the value carries its own unit 'Gi'; this column holds plain numbers in MiB)"),
    (GOOD_POD + "p1,0.5,1,0,0,,BE,Running,1,2,1\n", 3, "column 'cpu_milli'"),
    (GOOD_POD + "p1,8000,1,1,1500,,BE,Running,1,2,1\n", 3,
     "column 'gpu_milli': expected 0-1000 (thousandths of one GPU), got 1500"),
    (GOOD_POD + "p1,8000,1,0,500,,BE,Running,1,2,1\n", 3, "expected 0 for a pod with num_gpu 0, got 500"),
    (GOOD_POD + "p1,8000,1,2,0,,BE,Running,1,2,1\n", 3, "expected 1-1000 for a pod with num_gpu 2, got 0"),
    (GOOD_POD + "p1,8000,1,0,0,T4,BE,Running,1,2,1\n", 3, "GPU models 'T4' given for a pod with num_gpu 0"),
    (GOOD_POD + "p1,8000,1,1,1000,T4||P100,BE,Running,1,2,1\n", 3, "expected GPU models separated by '|'"),
    (GOOD_POD + "p1,8000,1,0,0,,BE,Running,100,50,100\n", 3, "column 'deletion_time': 50 is before creation_time 100"),
    (GOOD_POD + "\n\np0,1,1,0,0,,BE,Running,1,2,1\n", 5, "duplicate pod name 'p0' (first on line 2)"),
    (GOOD_POD + ",1,1,0,0,,BE,Running,1,2,1\n", 3, "column 'name': expected a pod name"),
    (GOOD_POD + "p1,1,1,0,0,,BE\n", 3, "expected 11 comma-separated fields"),
    (GOOD_POD + "p1,1,1,0,0,,BE,Running,1.5,2,1\n", 3, "column 'creation_time': expected an integer in seconds"),
])
def test_malformed_pod_rows(tmp_path, body, line, fragment):
    p = _pods(tmp_path, body)
    with pytest.raises(TraceError) as err:
        load_openb(p)
    assert err.value.path == str(p) and err.value.line == line, str(err.value)
    assert fragment in str(err.value)
    assert f", line {line}: " in str(err.value)


def test_missing_and_wrong_unit_columns(tmp_path):
    p = _pods(tmp_path, "p0,1,1,0,0\n", header="name,cpu_milli,memory_gib,num_gpu,gpu_milli\n")
    with pytest.raises(TraceError) as err:
        load_openb(p)
    assert err.value.line == 1 and "missing column(s) memory_mib" in str(err.value)
    p = _pods(tmp_path, "p0,1,1,0\n", header="name,cpu_milli,memory_mib,num_gpu\n")
    with pytest.raises(TraceError, match="missing column\\(s\\) gpu_milli"):
        load_openb(p)
    q = tmp_path / "other.csv"
    q.write_text("id,cores\n1,2\n")
    with pytest.raises(TraceError, match="not an OpenB node or pod list"):
        load_openb(q)


@pytest.mark.parametrize("body, line, fragment", [
    ("n0,32000,262144,8,\n", 2, "a node with 8 GPUs needs a GPU model"),
    ("n0,32000,262144,0,T4\n", 2, "GPU model 'T4' given for a node with 0 GPUs"),
    ("n0,32000,256Gi,0,\n", 2, "column 'memory_mib'"),
    ("n0,32000,1,0,\nn0,1,1,0,\n", 3, "duplicate node name 'n0' (first on line 2)"),
])
def test_malformed_node_rows(tmp_path, body, line, fragment):
    p = _nodes(tmp_path, body)
    with pytest.raises(TraceError) as err:
        load_openb(p)
    assert err.value.line == line and fragment in str(err.value)


def test_directory_errors(tmp_path):
    with pytest.raises(TraceError, match="no such file or directory"):
        load_openb(tmp_path / "absent")
    _pods(tmp_path, GOOD_POD)
    with pytest.raises(TraceError, match="no node list"):
        load_openb(tmp_path)
    _nodes(tmp_path, "n0,32000,1,0,\n")
    tr = load_openb(tmp_path)
    assert len(tr.nodes) == 1 and len(tr.pods) == 1


def test_crlf_and_blank_lines_keep_physical_line_numbers(tmp_path):
    p = tmp_path / "openb_pod_list_default.csv"
    p.write_bytes((POD_HEADER + GOOD_POD + "\n" + "p1,x,1,0,0,,BE,Running,1,2,1\n").replace("\n", "\r\n").encode())
    with pytest.raises(TraceError) as err:
        load_openb(p)
    assert err.value.line == 4
