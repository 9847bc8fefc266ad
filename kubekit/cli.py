"""The ``kubekit`` command."""

from __future__ import annotations

import argparse
import sys

from kubekit.images.cli import add_image_parser
from kubekit.kubectl.cli import add_kubectl_parsers
from kubekit.replay.cli import add_replay_parser
from kubekit.runtime.cli import add_run_parser
from kubekit.server.cli import add_serve_parser


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.openb:
        from kubekit.demo import run_openb

        return run_openb(sys.stdout, seed=args.seed)
    from kubekit.demo import run

    return run(sys.stdout, simulated_only=args.simulated, live=False if args.no_live else None)


def _load_docs(paths: list[str]) -> list[dict]:
    import yaml

    docs = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            docs += [d for d in yaml.safe_load_all(f) if d]
    return docs


def _cmd_schedule(args: argparse.Namespace) -> int:
    import json

    from kubekit.api import Node
    from kubekit.demo import SCHEDULABLE_KINDS, replicas
    from kubekit.scheduler import Scheduler

    config = None
    if args.config:
        with open(args.config, encoding="utf-8") as f:
            config = f.read()
    nodes = [Node.from_manifest(d) for d in _load_docs(args.nodes) if d.get("kind") == "Node"]
    sched = Scheduler(config, nodes=nodes, seed=args.seed)
    pods = [p for d in _load_docs(args.pods) if d.get("kind") in SCHEDULABLE_KINDS for p in replicas(d)]
    if args.explain:
        for p in pods:
            exp = sched.explain(p)
            print(f"{exp.pod}: {exp.chosen or exp.message}")
            print(exp.table())
        return 0
    result = sched.schedule_batch(pods)
    for r in result.results:
        print(json.dumps({"pod": r.pod, "node": r.node, "message": r.message}) if args.json else str(r))
    return 0 if not result.unschedulable else 1


def _add_image_commands(sub: argparse._SubParsersAction) -> None:
    from kubekit.images.registry.cli import add_pull_arguments, add_push_arguments, cmd_pull, cmd_push

    images = add_image_parser(sub)      # ls, inspect, import, build, tag, rm, prune
    p = images.add_parser("pull", help="pull an image from a registry into the store")
    add_pull_arguments(p)
    p.set_defaults(image_func=cmd_pull)
    p = images.add_parser("push", help="push a stored image to a registry")
    add_push_arguments(p)
    p.set_defaults(image_func=cmd_push)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="kubekit", description="Kubernetes-exact scheduling and container runtime toolkit")
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("demo", help="the whole story in a minute: a Deployment and its HPA on a local cluster "
                                    "with real containers, self-healing, HPA and cluster autoscaling")
    d.add_argument("--simulated", action="store_true", help="simulated nodes only (no root needed)")
    d.add_argument("--no-live", action="store_true", help="print the narrative line by line, no live redraw")
    d.add_argument("--openb", action="store_true",
                   help="instead: schedule a real workload on Alibaba's 1,213-node OpenB cluster and explain it")
    d.add_argument("--seed", type=int, default=0, help="the scheduler's tie-break seed (--openb)")
    d.set_defaults(func=_cmd_demo)
    s = sub.add_parser("schedule", help="schedule pod/workload manifests onto node manifests")
    s.add_argument("--nodes", nargs="+", required=True, help="YAML files with Node documents")
    s.add_argument("--pods", nargs="+", required=True, help="YAML files with Pods or workloads")
    s.add_argument("--config", help="a KubeSchedulerConfiguration YAML file")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--explain", action="store_true", help="print every node's filter status and scores")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=_cmd_schedule)
    add_run_parser(sub)
    add_replay_parser(sub)
    _add_image_commands(sub)
    add_serve_parser(sub)        # kubekit serve: the control plane (and simulated nodes) behind an HTTP API
    add_kubectl_parsers(sub)     # apply get describe delete scale rollout cordon uncordon drain logs top
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
