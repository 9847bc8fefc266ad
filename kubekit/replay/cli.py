"""``kubekit replay TRACE``: replay a cluster trace through the GPU-sharing
placement policies, print a table per policy and write a markdown report
with PNG plots.

Wire it into a parent parser with :func:`add_replay_parser`; the handler
returns the exit status: 0, or 2 for bad input (a malformed trace file,
reported with its line number; an unknown policy; impossible options).

Importing this module is cheap (argparse only): numpy, the trace loaders
and the policies are imported when the command runs, so adding the
subcommand does not slow the other ``kubekit`` commands down.  The choices
below are spelled out here for that reason; a test checks them against the
library's.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import TYPE_CHECKING, Any, TextIO

from kubekit.errors import KubekitError

if TYPE_CHECKING:
    from kubekit.replay.core import ReplayConfig

TRACES = ("openb", "alibaba2017", "alibaba2018", "google2011", "azure_v1")     # kubekit.traces.LOADERS
MODES = ("static", "arrivals", "inflate")                                     # kubekit.replay.workload.MODES
ORDERS = ("trace", "arrival", "shuffle")                                      # kubekit.replay.workload.ORDERS
NODE_SETS = ("auto", "all", "gpu")                                            # kubekit.replay.core.NODE_SETS
SCORINGS = ("exact", "simulator")                                             # kubekit.packing.gpu.SCORINGS
TIE_BREAKS = ("order", "random")                                              # kubekit.packing.gpu.TIE_BREAKS
ENGINES = ("kernel", "python")                                                # kubekit.packing.gpu.ENGINES
DEFAULT_POPULARITY = 95                                                       # kubekit.packing.gpu.DEFAULT_POPULARITY

EPILOG = """\
examples:
  kubekit replay openb                                   # the bundled OpenB sample, static packing, all policies
  kubekit replay openb --mode inflate --repeat 3         # the FGD paper's experiment on the sample
  kubekit replay openb --path DIR --mode inflate --scoring simulator --repeat 10 --out fgd/
  kubekit replay azure_v1 --mode arrivals --node-shape 64,256
  kubekit replay azure_v1 --nodes-from alibaba2018 --nodes-option memory_reference_bytes=549755813888
"""


def add_replay_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``replay`` subcommand to ``sub`` (``ArgumentParser.add_subparsers()``)."""
    p = sub.add_parser("replay", help="replay a cluster trace through GPU-sharing placement policies (FGD...)",
                       description="Replay a cluster trace through placement policies (FGD, BestFit, DotProduct, "
                                   "Packing, Clustering, Random) and report, per policy, pods placed, nodes used "
                                   "and the gap to a lower bound, utilization, unallocated and fragmented GPUs, "
                                   "and pods/s.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("trace", choices=TRACES, help="trace family")
    p.add_argument("--path", help="trace file or directory (default: the sample bundled with kubekit)")
    p.add_argument("--variant", help="OpenB pod list variant (default, gpushare100, multigpu50, gpuspec33, ...)")
    p.add_argument("--trace-option", action="append", default=[], metavar="KEY=VALUE",
                   help="another loader option, e.g. split=dev (azure_v1)")
    p.add_argument("--mode", choices=MODES, default="static",
                   help="static: place every pod once; arrivals: arrivals and departures in time order; "
                        "inflate: the FGD paper's workload inflation (default: static)")
    p.add_argument("--policy", default="all",
                   help="comma-separated policies or 'all' (default: every GPU-sharing score plugin); ffd and bfd "
                        "run the batch first-fit / best-fit decreasing kernel (static and inflate modes only), "
                        "ffd-<order> and bfd-<order>-<fit> with another order (max, sum, product, none) or fit "
                        "(dot, l2, most)")
    p.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    p.add_argument("--repeat", type=int, default=1, help="number of seeds, averaged in the table (default 1)")
    p.add_argument("--ratio", type=float, default=1.3,
                   help="inflate: total GPU request as a multiple of the GPU capacity (default 1.3)")
    p.add_argument("--nodes", choices=NODE_SETS, default="auto",
                   help="node set: all, gpu (GPU nodes only), auto = gpu for inflate, else all")
    p.add_argument("--order", choices=ORDERS, default="trace", help="static: pod order (default: trace)")
    p.add_argument("--scoring", choices=SCORINGS, default="exact",
                   help="exact integer scores, or the simulator's 0-100 truncation (default exact)")
    p.add_argument("--tie-break", choices=TIE_BREAKS, default="order",
                   help="equal scores: first node in a seeded random order (the FGD paper), or uniform")
    p.add_argument("--limit", type=int, help="replay only the first N pods")
    p.add_argument("--lp", action="store_true", help="also compute the LP lower bound (OR-Tools)")
    p.add_argument("--popularity", type=int, default=DEFAULT_POPULARITY,
                   help="target workload: percent of pods its typical shapes cover (default 95)")
    p.add_argument("--node-shape", metavar="CORES,GIB",
                   help="traces without nodes: the node shape to assume (default 64,256)")
    p.add_argument("--node-count", type=int, help="traces without nodes: how many nodes (default: enough)")
    p.add_argument("--nodes-from", choices=TRACES, metavar="NODE_TRACE",
                   help="use the nodes of another trace (e.g. alibaba2018, google2011) as the cluster")
    p.add_argument("--nodes-path", help="--nodes-from: its file or directory (default: its bundled sample)")
    p.add_argument("--nodes-option", action="append", default=[], metavar="KEY=VALUE",
                   help="--nodes-from: a loader option, e.g. memory_reference_bytes=549755813888 (needed when "
                        "its units are normalized)")
    p.add_argument("--timeline", type=int, metavar="N",
                   help="arrivals: report the replay in N windows of trace time (default 12 in the report; "
                        "given, also printed)")
    p.add_argument("--engine", choices=ENGINES, default="kernel",
                   help="FGD's implementation: the Cython index (default) or its Python/numpy twin")
    p.add_argument("--out", help="report directory (default: replay-<trace>-<mode>)")
    p.add_argument("--no-report", action="store_true", help="print the table only, write nothing")
    p.add_argument("--no-plots", action="store_true", help="write the report without PNG plots")
    prog = p.add_mutually_exclusive_group()
    prog.add_argument("--progress", dest="progress", action="store_true", default=None,
                      help="show a progress bar (default: when stderr is a terminal)")
    prog.add_argument("--no-progress", dest="progress", action="store_false")
    p.set_defaults(func=cmd_replay)
    return p


def _value(text: str) -> Any:
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def _options(flag: str, items: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise KubekitError(f"{flag} {item!r}: expected KEY=VALUE")
        options[key.strip()] = _value(value.strip())
    return options


def config_from_args(args: argparse.Namespace) -> "ReplayConfig":
    from kubekit.replay.core import ReplayConfig

    options: dict[str, Any] = {}
    if args.variant:
        options["variant"] = args.variant
    options.update(_options("--trace-option", args.trace_option))
    shape = None
    if args.node_shape:
        try:
            cores, gib = (float(v) for v in args.node_shape.split(","))
        except ValueError:
            raise KubekitError(f"--node-shape {args.node_shape!r}: expected CORES,GIB such as 64,256") from None
        if cores <= 0 or gib <= 0 or cores * 1000 != int(cores * 1000) or gib * 1024 != int(gib * 1024):
            raise KubekitError(f"--node-shape {args.node_shape!r}: expected positive whole millicores and MiB")
        shape = (int(cores * 1000), int(gib * 1024) << 20)
    return ReplayConfig(trace=args.trace, path=args.path, mode=args.mode, policies=tuple(args.policy.split(",")),
                        seed=args.seed, repeat=args.repeat, ratio=args.ratio, nodes=args.nodes, order=args.order,
                        scoring=args.scoring, tie_break=args.tie_break, limit=args.limit, lp=args.lp,
                        popularity=args.popularity, node_shape=shape, node_count=args.node_count,
                        trace_options=options, engine=args.engine,
                        timeline=12 if args.timeline is None else args.timeline,
                        nodes_from=args.nodes_from, nodes_path=args.nodes_path, nodes_options=_options("--nodes-option", args.nodes_option))


def command_line(config: "ReplayConfig", out: str | None) -> str:
    """The canonical ``kubekit replay`` command for a configuration."""
    parts = ["kubekit", "replay", config.trace]
    if config.path:
        parts += ["--path", config.path]
    for k, v in config.trace_options.items():
        parts += ["--variant", str(v)] if k == "variant" else ["--trace-option", f"{k}={v}"]
    if config.nodes_from:
        parts += ["--nodes-from", config.nodes_from]
        if config.nodes_path:
            parts += ["--nodes-path", config.nodes_path]
        parts += [a for k, v in config.nodes_options.items() for a in ("--nodes-option", f"{k}={v}")]
    parts += ["--mode", config.mode, "--policy", ",".join(config.policies).lower(), "--seed", str(config.seed),
              "--repeat", str(config.repeat), "--scoring", config.scoring, "--tie-break", config.tie_break]
    if config.mode == "inflate":
        parts += ["--ratio", f"{config.ratio:g}"]
    if config.mode == "static" and config.order != "trace":
        parts += ["--order", config.order]
    if config.nodes != "auto":
        parts += ["--nodes", config.nodes]
    if config.limit:
        parts += ["--limit", str(config.limit)]
    if config.mode == "arrivals" and config.timeline != 12:
        parts += ["--timeline", str(config.timeline)]
    if config.engine != "kernel":
        parts += ["--engine", config.engine]
    if config.lp:
        parts.append("--lp")
    if out:
        parts += ["--out", out]
    return " ".join(shlex.quote(p) for p in parts)


def cmd_replay(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out_s = stdout or sys.stdout
    err_s = stderr or sys.stderr
    from kubekit.replay.core import replay, write_report
    from kubekit.replay.report import text_table

    try:
        config = config_from_args(args)
        result = replay(config, progress=args.progress)
    except (KubekitError, ValueError) as exc:       # TraceError, GpuPackingError, PackingError: bad input
        print(f"kubekit replay: error: {exc}", file=err_s)
        return 2
    print(text_table(result.summary()), file=out_s)
    if args.timeline and result.timelines:
        from kubekit.replay.report import timeline_markdown

        for name, tls in result.timelines.items():
            print(f"\ntimeline, {name}" + (f" (seed {config.seed})" if config.repeat > 1 else "") + ":", file=out_s)
            print(timeline_markdown(tls[0], result.time_means(name)), file=out_s, end="")
    for note in result.notes:
        print(f"note: {note}", file=out_s)
    if not args.no_report:
        out_dir = args.out or f"replay-{config.trace}-{config.mode}"
        paths = write_report(result, out_dir, command=command_line(config, out_dir), plots=not args.no_plots)
        print(f"report: {paths[0]} (plots: {len(paths) - 2}; data: {paths[1]})", file=out_s)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m kubekit.replay.cli``)."""
    ap = argparse.ArgumentParser(prog="kubekit")
    sub = ap.add_subparsers(dest="cmd", required=True)
    add_replay_parser(sub)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
