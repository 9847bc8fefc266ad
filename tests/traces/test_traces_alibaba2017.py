"""Alibaba 2017 loader: machines + batch tasks, normalized memory."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from kubekit.traces import MISSING, TraceError, load_alibaba2017, load_sample, sample_path

MACHINES = "timestamp,machine_id,event_type,event_detail,capacity_cpu,capacity_memory,capacity_disk\n"
TASKS = "create_timestamp,modify_timestamp,job_id,task_id,instance_num,status,plan_cpu,plan_mem\n"
GIB = 2**30


@pytest.fixture(scope="module")
def sample():
    return load_sample("alibaba2017")


def test_sample_counts(sample):
    assert len(sample.nodes) == 219
    assert len(sample.pods) == 289 and sample.pods.total == 54_461
    assert any("skipped 22 tasks without plan_cpu/plan_mem (lines 10, 12, 22" in n for n in sample.notes)
    sc = sample.scale("memory_bytes")
    assert sc is not None and sc.reference == 256 * GIB and sc.raw_full_scale == 1
    assert "256 GiB" in sample.units_note and "100 = 1 core" in sample.units_note


def test_sample_rows_by_hand(sample):
    # 0,1148,add,,64,0.6900059534594777,1
    m = sample.nodes[0]
    assert m.name == "1148" and m.cpu_milli == 64_000
    # 0.6900059534594777 * 2^38 = 189,667,392,265.84 -> 189,667,392,266 bytes
    assert m.memory_bytes == 189_667_392_266
    # 6459,6524,3,4,15740,Terminated,50,0.007956928
    t = sample.pods[0]
    assert (t.name, t.owner, t.count) == ("task-4", "job-3", 15_740)
    assert t.cpu_milli == 500                      # 50 hundredths of a core
    assert t.memory_bytes == 2_187_183_714         # 0.007956928 * 2^38 = 2,187,183,714.34
    assert (t.arrival_s, t.departure_s) == (6459, 6524)
    # 25837,25906,1042,5798,29,Running,50,0.005736029: still running, no departure
    r = sample.pods[sample.pods.name.tolist().index("task-5798")]
    assert r.departure_s is None and r.arrival_s == 25_837 and r.count == 29


def test_reference_is_a_parameter_and_reversible():
    tr = load_alibaba2017(sample_path("alibaba2017"), memory_reference_bytes=100 * GIB)
    assert tr.nodes[0].memory_bytes == round(Fraction("0.6900059534594777") * 100 * GIB)
    sc = tr.scale("memory_bytes")
    assert abs(sc.to_raw(tr.pods[0].memory_bytes) - Fraction("0.007956928")) <= Fraction(1, 2 * 100 * GIB)
    with pytest.raises(ValueError, match="memory_reference_bytes"):
        load_alibaba2017(sample_path("alibaba2017"), memory_reference_bytes=0)


def test_expand_sample(sample):
    e = sample.pods.expand()
    assert len(e) == 54_461
    assert e.replica[:3].tolist() == [0, 1, 2] and int(e.replica[15_739]) == 15_739
    assert e.name[15_740] == sample.pods.name[1] and int(e.replica[15_740]) == 0
    expanded = load_alibaba2017(sample_path("alibaba2017"), expand=True)
    assert len(expanded.pods) == 54_461 and np.array_equal(expanded.pods.replica, e.replica)


def _dir(tmp_path, machines=None, tasks=None):
    if machines is not None:
        (tmp_path / "server_event.csv").write_text(machines)
    if tasks is not None:
        (tmp_path / "batch_task.csv").write_text(tasks)
    return tmp_path


GOOD_MACHINE = "0,1,add,,64,0.69,1\n"
GOOD_TASK = "10,20,1,1,3,Terminated,100,0.01\n"


def test_headerless_official_files(tmp_path):
    d = _dir(tmp_path, GOOD_MACHINE + "100,1,softerror,agent_check,0,0,0\n",
             GOOD_TASK + "-5,0,2,2,1,Running,50,0.5\n15,0,2,3,4,Waiting,,\n")
    tr = load_alibaba2017(d)
    assert len(tr.nodes) == 1 and int(tr.nodes.extra["error_events"][0]) == 1
    assert tr.nodes[0].memory_bytes == round(Fraction("0.69") * 256 * GIB)
    assert tr.pods.name.tolist() == ["task-1", "task-2"]
    assert tr.pods[0].departure_s == 20 and tr.pods[0].cpu_milli == 1000
    assert tr.pods[1].arrival_s == -5 and tr.pods[1].departure_s is None      # modify 0 = not set
    assert tr.pods[1].memory_bytes == 128 * GIB and tr.pods[1].cpu_milli == 500
    assert tr.pods.extra["status"].tolist() == ["Terminated", "Running"]
    with pytest.raises(TraceError) as err:
        load_alibaba2017(d, missing_requests="error")
    assert err.value.line == 3 and "column 'plan_cpu': expected a request, got an empty cell" in str(err.value)


def test_single_files(tmp_path):
    d = _dir(tmp_path, MACHINES + GOOD_MACHINE, TASKS + GOOD_TASK)
    assert len(load_alibaba2017(d / "server_event.csv").pods) == 0
    tr = load_alibaba2017(d / "batch_task.csv")
    assert len(tr.nodes) == 1 and len(tr.pods) == 1     # server_event.csv next to it
    (d / "x.csv").write_text("1,2,3,4,5,6,7,8,9\n")
    with pytest.raises(TraceError, match="neither server_event"):
        load_alibaba2017(d / "x.csv")


@pytest.mark.parametrize("tasks, line, fragment", [
    (GOOD_TASK + "10,20,1,2,3,Terminated,100,1.5\n", 3, "column 'plan_mem': expected a number <= 1"),
    (GOOD_TASK + "10,20,1,2,3,Terminated,0.05,0.1\n", 3, "'0.05' hundredths of a core is not a whole number"),
    (GOOD_TASK + "10,20,1,2,3,Terminated,1 core,0.1\n", 3, "carries its own unit 'core'"),
    (GOOD_TASK + "10,20,1,2,3,Done,100,0.1\n", 3, "column 'status': expected one of"),
    (GOOD_TASK + "30,20,1,2,3,Terminated,100,0.1\n", 3, "a Terminated task ends at 20, before it was created at 30"),
    (GOOD_TASK + "10,20,1,2,-3,Terminated,100,0.1\n", 3, "column 'instance_num'"),
    (GOOD_TASK + "10,20,,2,3,Terminated,100,0.1\n", 3, "column 'job_id': expected an id"),
    (GOOD_TASK + "10,20,1,2,3,Terminated,100\n", 3, "expected 8 comma-separated fields"),
    (GOOD_TASK + "1e3,20,1,2,3,Terminated,100,0.1\n", 3, "column 'create_timestamp'"),
])
def test_malformed_tasks(tmp_path, tasks, line, fragment):
    d = _dir(tmp_path, GOOD_MACHINE, TASKS + tasks)
    with pytest.raises(TraceError) as err:
        load_alibaba2017(d)
    assert err.value.path == str(d / "batch_task.csv") and err.value.line == line, str(err.value)
    assert fragment in str(err.value)


@pytest.mark.parametrize("machines, line, fragment", [   # headerless, like the official file
    (GOOD_MACHINE + "0,2,boot,,64,0.69,1\n", 2, "column 'event_type': expected one of add, harderror, softerror"),
    (GOOD_MACHINE + "0,2,add,,0.5,0.69,1\n", 2, "column 'capacity_cpu': expected an integer >= 1 in cores"),
    (GOOD_MACHINE + "0,2,add,,64,1.2,1\n", 2, "column 'capacity_memory': expected a number <= 1"),
    (GOOD_MACHINE + "0,1,add,,32,0.69,1\n", 2, "machine '1' added again with a different capacity (first added on "
                                                "line 1)"),
    (GOOD_MACHINE + "5,9,softerror,x,0,0,0\n", None, "machine(s) 9 have error events but no 'add' event"),
    (MACHINES + GOOD_MACHINE + "0,2,add,,64\n", 3, "expected 7 comma-separated fields"),
])
def test_malformed_machines(tmp_path, machines, line, fragment):
    d = _dir(tmp_path, machines, GOOD_TASK)
    with pytest.raises(TraceError) as err:
        load_alibaba2017(d)
    assert err.value.line == line and fragment in str(err.value)


def test_zero_instance_tasks_are_skipped_with_a_note(tmp_path):
    d = _dir(tmp_path, GOOD_MACHINE, GOOD_TASK + "10,20,1,2,0,Terminated,100,0.1\n")
    tr = load_alibaba2017(d)
    assert len(tr.pods) == 1 and any("instance_num 0 (lines 2)" in n for n in tr.notes)


def test_options_are_checked(tmp_path):
    with pytest.raises(ValueError, match="missing_requests"):
        load_alibaba2017(sample_path("alibaba2017"), missing_requests="keep")
    with pytest.raises(TraceError, match="no such file or directory"):
        load_alibaba2017(tmp_path / "nope")
    with pytest.raises(TraceError, match="no server_event file"):
        load_alibaba2017(tmp_path)
    assert MISSING < 0
