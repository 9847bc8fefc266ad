"""Full-file checks of the trace loaders, and the generator of the bundled samples.

    python bench/traces_check.py [--data DIR] [--repeat N]
    python bench/traces_check.py --write-samples [--data DIR]

``DIR`` holds the full traces (default ``../shared/data/traces`` next to the
repository), one folder per trace as in the research notes.  The check
loads every full file, reports the load time (best and median of ``N``
runs), compares counts and totals with the figures published in the
folders' READMEs, cross-checks the Azure lifetimes against the cut-off, and
verifies that each bundled sample in ``kubekit/data/traces`` is exactly the
documented row selection of the full file.  ``--write-samples`` (re)writes
those samples.  The test suite never reads ``DIR``; this script is the only
place that does.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kubekit.traces import (  # noqa: E402
    MISSING, load_alibaba2017, load_alibaba2018, load_azure_v1, load_google2011, load_openb, sample_path,
)
from kubekit.traces.azure import read_interval_map  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "traces"

# Folder of each trace under DIR.
FOLDERS = {
    "openb": "alibaba_gpu_v2023_openb",
    "alibaba2017": "alibaba_v2017",
    "alibaba2018": "alibaba_v2018_machines",
    "google2011": "google_2011",
    "azure_v1": "azure_v1_vm_flavor_arrivals",
}
OPENB_VARIANTS = ("default", "cpu050", "cpu300", "gpushare100", "gpuspec33", "multigpu50")


# --- sample selection (documented in each sample's README) ---------------------

def every_kth_row(lines: list[str], k: int, header: bool = True) -> list[str]:
    """The header (if any) and data rows 0, k, 2k, ... (0-based)."""
    head, body = (lines[:1], lines[1:]) if header else ([], lines)
    return head + body[::k]


def every_kth_group(lines: list[str], k: int, key: Callable[[str], str]) -> list[str]:
    """Header plus every row of the groups (machines) numbered 0, k, 2k, ... in
    order of first appearance; rows keep their file order."""
    order: dict[str, int] = {}
    for line in lines[1:]:
        order.setdefault(key(line), len(order))
    return lines[:1] + [line for line in lines[1:] if order[key(line)] % k == 0]


def first_line_per_bin(lines: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for line in lines:
        b = line.split()[1]
        if b not in seen:
            seen.add(b)
            out.append(line)
    return out


def _read(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def sample_files(data: Path) -> dict[str, dict[str, list[str]]]:
    """{sample name: {file name: lines}} selected from the full files."""
    d = {name: data / folder for name, folder in FOLDERS.items()}
    out: dict[str, dict[str, list[str]]] = {}
    openb = {"openb_node_list_all_node.csv": every_kth_row(_read(d["openb"] / "openb_node_list_all_node.csv"), 8)}
    for v in OPENB_VARIANTS:
        f = f"openb_pod_list_{v}.csv"
        openb[f] = every_kth_row(_read(d["openb"] / f), 40)
    out["openb"] = openb
    out["alibaba2017"] = {
        "server_event.csv": every_kth_group(_read(d["alibaba2017"] / "server_event.csv"), 6,
                                            key=lambda s: s.split(",")[1]),
        "batch_task_first12h.csv": every_kth_row(_read(d["alibaba2017"] / "batch_task_first12h.csv"), 150),
    }
    out["alibaba2018"] = {
        "machine_meta.csv": every_kth_group(_read(d["alibaba2018"] / "machine_meta.csv"), 40,
                                            key=lambda s: s.split(",")[0]),
    }
    out["google2011"] = {
        "google-workload-sample1-infra-N.txt": every_kth_row(
            _read(d["google2011"] / "google-workload-sample1-infra-N.txt"), 7, header=False),
    }
    out["azure_v1"] = {
        "flav_map.txt": _read(d["azure_v1"] / "flav_map.txt"),
        "v1.dev.txt": every_kth_row(_read(d["azure_v1"] / "v1.dev.txt"), 100, header=False),
        "v1.dev.c2100000.txt": every_kth_row(_read(d["azure_v1"] / "v1.dev.c2100000.txt"), 100, header=False),
        "v1.interval_map.txt": first_line_per_bin(_read(d["azure_v1"] / "v1.interval_map.txt")),
    }
    return out


def write_samples(data: Path) -> None:
    for name, files in sample_files(data).items():
        target = sample_path(name)
        target.mkdir(parents=True, exist_ok=True)
        for fname, lines in files.items():
            (target / fname).write_text("\n".join(lines) + "\n", encoding="utf-8")
            print(f"wrote {target / fname}: {len(lines)} lines")


def check_samples(data: Path) -> list[str]:
    problems = []
    for name, files in sample_files(data).items():
        for fname, lines in files.items():
            path = sample_path(name) / fname
            if not path.is_file():
                problems.append(f"sample {name}: {fname} missing")
            elif path.read_text(encoding="utf-8") != "\n".join(lines) + "\n":
                problems.append(f"sample {name}: {fname} differs from the documented selection")
    return problems


# --- full-file checks ----------------------------------------------------------

def timed(fn: Callable[[], object], repeat: int) -> tuple[object, float, float]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, min(times), statistics.median(times)


def expect(problems: list[str], what: str, got: object, want: object) -> None:
    ok = got == want
    print(f"    {'ok ' if ok else 'BAD'} {what}: {got!r}" + ("" if ok else f" (expected {want!r})"))
    if not ok:
        problems.append(f"{what}: got {got!r}, expected {want!r}")


def check_full(data: Path, repeat: int) -> list[str]:
    problems: list[str] = []
    rows = []

    def run(label: str, fn: Callable[[], object]):
        result, best, med = timed(fn, repeat)
        tr = result
        rows.append((label, len(tr.nodes), len(tr.pods), tr.pods.total, best, med))
        print(f"{label}: {len(tr.nodes):,} nodes, {len(tr.pods):,} pod rows ({tr.pods.total:,} pods); "
              f"load best {best:.3f} s, median {med:.3f} s")
        return tr

    d = {name: data / folder for name, folder in FOLDERS.items()}
    for v in OPENB_VARIANTS:
        tr = run(f"openb/{v}", lambda v=v: load_openb(d["openb"], variant=v))
        if v == "default":
            n, p = tr.nodes, tr.pods
            expect(problems, "openb nodes", len(n), 1523)
            expect(problems, "openb node GPUs", int(n.gpu_count.sum()), 6212)
            expect(problems, "openb node cores", int(n.cpu_milli.sum()) // 1000, 125514)
            expect(problems, "openb node GiB", int(n.memory_bytes.sum()) // 2**30, 597684)
            expect(problems, "openb pods", len(p), 8152)
            expect(problems, "openb pod cores (README 85,436)", int(p.cpu_milli.sum()) // 1000, 85436)
            expect(problems, "openb pod GiB (rounded)", round(int(p.memory_bytes.sum()) / 2**30), 296432)
            expect(problems, "openb pod GPU-milli", int((p.gpu_count * p.gpu_milli).sum()), 6086800)
            expect(problems, "openb pods with 0 / 1 / 2+ GPUs",
                   (int((p.gpu_count == 0).sum()), int((p.gpu_count == 1).sum()), int((p.gpu_count > 1).sum())),
                   (1088, 6989, 75))
            expect(problems, "openb sharing pods (1 GPU, <1000 milli)",
                   int(((p.gpu_count == 1) & (p.gpu_milli < 1000)).sum()), 3078)
        if v == "default":
            # Alibaba's Node YAML of the GPU nodes (renumbered 0..1212, so compare shapes, not names).
            from kubekit.api.node import Node
            from kubekit.data import load_manifests

            yaml_nodes = [Node.from_manifest(m) for m in load_manifests("alibaba-openb/openb_node_list_gpu_node.yaml")]
            csv_shapes = Counter((n.capacity["cpu"], n.capacity["memory"], n.capacity["alibabacloud.com/gpu-count"],
                                  n.labels["alibabacloud.com/gpu-card-model"])
                                 for n in tr.nodes.to_nodes() if "alibabacloud.com/gpu-count" in n.capacity)
            yaml_shapes = Counter((n.capacity["cpu"], n.capacity["memory"], n.capacity["alibabacloud.com/gpu-count"],
                                   n.labels["alibabacloud.com/gpu-card-model"]) for n in yaml_nodes)
            expect(problems, "openb GPU-node shapes = Alibaba's Node YAML (1,213 nodes)", csv_shapes == yaml_shapes,
                   True)
        if v == "gpuspec33":
            expect(problems, "gpuspec33 constrained pods",
                   sum(1 for m in tr.pods.gpu_models if m is not None), 2388)
        if v == "multigpu50":
            expect(problems, "multigpu50 multi-GPU pods", int((tr.pods.gpu_count > 1).sum()), 984)
            expect(problems, "multigpu50 has no times", bool((tr.pods.arrival_s == MISSING).all()), True)

    tr = run("alibaba2017", lambda: load_alibaba2017(d["alibaba2017"]))
    expect(problems, "2017 machines", len(tr.nodes), 1313)
    expect(problems, "2017 machines with error events", int((tr.nodes.extra["error_events"] > 0).sum()),
           len({line.split(",")[1] for line in _read(d["alibaba2017"] / "server_event.csv")[1:]
                if line.split(",")[2] != "add"}))
    expect(problems, "2017 tasks kept + skipped", len(tr.pods) + 3191, 46587)
    raw = _read(d["alibaba2017"] / "batch_task_first12h.csv")[1:]
    kept = [r.split(",") for r in raw if r.split(",")[6] and r.split(",")[7]]
    expect(problems, "2017 instances (tasks with requests)", tr.pods.total, sum(int(r[4]) for r in kept))
    expect(problems, "2017 instances (all tasks, README 7,371,114)", sum(int(r.split(",")[4]) for r in raw),
           7371114)
    sc = tr.scale("memory_bytes")
    back = sc.to_raw(tr.nodes.memory_bytes)
    first = [line.split(",") for line in _read(d["alibaba2017"] / "server_event.csv")[1:]
             if line.split(",")[2] == "add"]
    expect(problems, "2017 memory round trip (max abs error < 1e-11)",
           bool(np.max(np.abs(back - np.array([float(r[5]) for r in first]))) < 1e-11), True)
    e, best, med = timed(lambda: tr.pods.expand(), 1)
    print(f"  alibaba2017 pods.expand(): {len(e):,} rows in {best:.2f} s")
    expect(problems, "2017 expanded rows", len(e), tr.pods.total)
    del e

    tr = run("alibaba2018", lambda: load_alibaba2018(d["alibaba2018"]))
    expect(problems, "2018 machines", len(tr.nodes), 4034)
    expect(problems, "2018 event rows", int(tr.nodes.extra["events"].sum()), 17592)
    expect(problems, "2018 distinct failure_domain_1",
           len({lb.get("kubekit.io/failure-domain-1") for lb in tr.nodes.labels} - {None}), 292)
    # The README's 21 values of failure_domain_2 count the empty cell of 34 rows; 20 are real domains.
    expect(problems, "2018 distinct failure_domain_2 (non-empty)",
           len({lb.get("kubekit.io/failure-domain-2") for lb in tr.nodes.labels} - {None}), 20)
    expect(problems, "2018 cpu per machine", set(tr.nodes.cpu_milli.tolist()), {96000})

    tr = run("google2011", lambda: load_google2011(d["google2011"]))
    expect(problems, "google hosts", len(tr.nodes), 1452)
    raw_shapes = Counter((line.split(",")[2], line.split(",")[3])
                         for line in _read(d["google2011"] / "google-workload-sample1-infra-N.txt"))
    cpu_sc, mem_sc = tr.scale("cpu_milli"), tr.scale("memory_bytes")
    want = Counter({(cpu_sc.to_units(c), mem_sc.to_units(m)): k for (c, m), k in raw_shapes.items()})
    expect(problems, "google shapes", Counter(zip(tr.nodes.cpu_milli.tolist(), tr.nodes.memory_bytes.tolist())),
           want)

    tr = run("azure_v1", lambda: load_azure_v1(d["azure_v1"]))
    p = tr.pods
    expect(problems, "azure VMs", len(p), 259159)
    expect(problems, "azure batches", len(set(p.owner.tolist())), 53109)
    mix = Counter(p.extra["flavor"].tolist())
    expect(problems, "azure flavor mix (b g k m a o)", [mix[x] for x in "bgkmao"],
           [156437, 48008, 25700, 23315, 4108, 1427])
    cens = p.extra["censored"]
    expect(problems, "azure censored + finished", (int(cens.sum()), int((~cens).sum())), (14317, 244842))
    lower = read_interval_map(str(d["azure_v1"] / "v1.interval_map.txt"))
    imap = {int(a): int(b) for a, b in (line.split() for line in _read(d["azure_v1"] / "v1.interval_map.txt"))}
    ages = tr.end_s - p.arrival_s
    expect(problems, "azure C<k> bin = bin(cut-off - arrival)",
           all(imap[int(a)] == int(b) for a, b in zip(ages[cens], p.extra["lifetime_bin"][cens])), True)
    done = ~cens
    expect(problems, "azure finished VMs depart by the cut-off (lower edge)",
           bool((p.departure_s[done] <= tr.end_s).all()), True)
    expect(problems, "azure bin-0 VMs (README 7,029)", int((p.extra["lifetime_bin"] == 0).sum()), 7029)
    expect(problems, "azure interval map bins", (min(lower), max(lower)), (0, 45))

    print("\n| trace | nodes | pod rows | pods | load best (s) | median (s) |\n|---|---:|---:|---:|---:|---:|")
    for label, n, r, t, best, med in rows:
        print(f"| {label} | {n:,} | {r:,} | {t:,} | {best:.3f} | {med:.3f} |")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding the full traces")
    ap.add_argument("--repeat", type=int, default=5, help="load each trace this many times (default 5)")
    ap.add_argument("--write-samples", action="store_true", help="(re)write kubekit/data/traces from --data")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"{args.data}: no such directory (pass --data)", file=sys.stderr)
        return 2
    if args.write_samples:
        write_samples(args.data)
        return 0
    problems = check_full(args.data, args.repeat)
    problems += check_samples(args.data)
    print("\nsamples: " + ("identical to the documented selection" if not any("sample" in p for p in problems)
                           else "DIFFER"))
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
