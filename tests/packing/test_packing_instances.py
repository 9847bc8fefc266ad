"""The .vbp loader and the summary table: errors name the file and line; the
bundled instances load and solve to their published optimum."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubekit.packing import InstanceFormatError, PackingError, Status, load_summary, load_vbp, lower_bounds, parse_vbp, solve
from kubekit.packing.instances import find_instances, parse_summary

DATA = Path(__file__).parent / "data"


def test_parse_vbp_expands_counts():
    p = parse_vbp("2\n10 20\n2\n3 4 2\n\n5 6 1\n", "x.vbp")
    assert p.demands.tolist() == [[3, 4], [3, 4], [5, 6]]
    assert p.capacities.tolist() == [[10, 20]] * 3 and p.identical_bins()


@pytest.mark.parametrize("text, message", [
    ("", "x.vbp: file ends before the number of resources"),
    ("two\n", "x.vbp:1: number of resources: 'two' is not an integer"),
    ("0\n", "x.vbp:1: expected the number of resources (one integer >= 1), got '0'"),
    ("2\n10\n", "x.vbp:2: expected 2 capacities, got 1"),
    ("2\n10 -1\n", "x.vbp:2: negative capacity in [10, -1]"),
    ("2\n10 10\n", "x.vbp:2: file ends before the number of item types"),
    ("2\n10 10\n2\n1 1 1\n", "x.vbp:4: file ends before item type 2 of 2"),
    ("2\n10 10\n1\n1 1\n", "x.vbp:4: expected 3 integers (2 sizes and a count), got 2"),
    ("2\n10 10\n1\n1 x 1\n", "x.vbp:4: item type: 'x' is not an integer"),
    ("2\n10 10\n1\n1 -1 1\n", "x.vbp:4: negative size -1 in resource 1"),
    ("2\n10 10\n1\n1 11 1\n", "x.vbp:4: size 11 in resource 1 exceeds the bin capacity 10: the item fits no bin"),
    ("2\n10 10\n1\n1 1 -2\n", "x.vbp:4: negative item count -2"),
    ("2\n10 10\n1\n1 1 1\n7\n", "x.vbp:5: unexpected content after the 1 item types: '7'"),
])
def test_parse_vbp_errors_name_file_and_line(text, message):
    with pytest.raises(InstanceFormatError) as exc:
        parse_vbp(text, "x.vbp")
    assert message in str(exc.value)
    assert isinstance(exc.value, PackingError) and isinstance(exc.value, ValueError)


def test_real_file_with_negative_sizes_is_refused_with_its_line():
    path = DATA / "classC_60_3_0.vbp"
    with pytest.raises(InstanceFormatError) as exc:
        load_vbp(path)
    assert exc.value.line == 27 and exc.value.source == str(path)
    assert str(exc.value) == f"{path}:27: negative size -2 in resource 2"


def test_summary():
    known = load_summary(DATA / "summary_known.csv")
    assert set(known) == {"class1_20_3_0", "class7_20_3_1", "class9_20_3_0", "classF_60_3_0", "classC_60_3_0"}
    k = known["class7_20_3_1"]
    assert (k.lb, k.opt, k.best_heuristic) == (9, 10, 10)
    assert parse_summary("instance_name\tLB\tOPT\tbest_overall\na\t1\t-1\t3\n")["a"].opt is None


@pytest.mark.parametrize("text, message", [
    ("", "s.csv: empty file"),
    ("name\tLB\n", "s.csv:1: missing column(s) instance_name, OPT, best_overall in the header"),
    ("instance_name\tLB\tOPT\tbest_overall\na\t1\t2\n", "s.csv:2: expected 4 tab-separated fields, got 3"),
    ("instance_name\tLB\tOPT\tbest_overall\na\t1\tx\t3\n", "s.csv:2: LB, OPT and best_overall must be integers"),
    ("instance_name\tLB\tOPT\tbest_overall\na\t1\t2\t3\na\t1\t2\t3\n", "s.csv:3: duplicate instance 'a'"),
])
def test_summary_errors(text, message):
    with pytest.raises(InstanceFormatError) as exc:
        parse_summary(text, "s.csv")
    assert message in str(exc.value)


def test_find_instances_sorted():
    names = [n for n, _ in find_instances(DATA)]
    assert names == sorted(names) and len(names) == 5


@pytest.mark.parametrize("name", ["class1_20_3_0", "class7_20_3_1", "class9_20_3_0"])
def test_bundled_instances_solve_to_the_published_optimum(name):
    known = load_summary(DATA / "summary_known.csv")[name]
    p = load_vbp(DATA / f"{name}.vbp")
    assert p.n_items == (21 if name.startswith("class9") else 20) and p.capacities[0].tolist() == [
        100 if name.startswith("class9") else (150 if name.startswith("class7") else 1000)] * 3
    b = lower_bounds(p)
    assert b.best <= known.opt
    s = solve(p, time_limit_s=20, workers=2)
    assert s.status == Status.OPTIMAL and s.objective == known.opt


def test_triplet_instance_bounds_and_a_feasible_solution():
    known = load_summary(DATA / "summary_known.csv")["classF_60_3_0"]
    p = load_vbp(DATA / "classF_60_3_0.vbp")
    s = solve(p, time_limit_s=1, workers=1)
    assert s.bound == known.lb == 20 and s.objective >= known.opt
    assert s.status in (Status.OPTIMAL, Status.FEASIBLE)
