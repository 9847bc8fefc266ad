"""``kubekit serve``: run the control plane, the local node and the HTTP API
until SIGTERM/SIGINT (which stops every container the local node runs)."""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["add_serve_parser", "cmd_serve", "parse_listen"]


def parse_listen(text: str) -> tuple[str, int]:
    """``127.0.0.1:8080`` → ``("127.0.0.1", 8080)``; only loopback addresses
    are accepted (the API has no authentication)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"--listen {text!r}: expected HOST:PORT, e.g. 127.0.0.1:8080")
    host = host.strip("[]")
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise argparse.ArgumentTypeError(f"--listen {text!r}: only loopback addresses (127.0.0.1, ::1) are allowed: "
                                         "the API has no authentication")
    return host, int(port)


def add_serve_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from kubekit.server.app import DEFAULT_DATA_DIR, DEFAULT_POD_LOG_DIR, DEFAULT_SOCKET

    p = sub.add_parser("serve", help="run the control plane, a local node and the HTTP API",
                       description="Run the store, scheduler, controllers, a local node agent (real containers; "
                                   "--no-local-node to leave it out) and optionally simulated nodes, serving a "
                                   "Kubernetes-style HTTP/JSON API.  The runtime's directories come from "
                                   "$KUBEKIT_STATE_DIR, $KUBEKIT_DATA_DIR and $KUBEKIT_CGROUP_ROOT.  "
                                   "See docs/server.md.")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--socket", default=None,
                       help=f"unix socket to listen on (default: $KUBEKIT_SOCKET or {DEFAULT_SOCKET})")
    where.add_argument("--listen", type=parse_listen, default=None, metavar="HOST:PORT",
                       help="listen on loopback TCP instead of a unix socket")
    p.add_argument("--data-dir", default=DEFAULT_DATA_DIR, help=f"where the store keeps its log (default {DEFAULT_DATA_DIR})")
    p.add_argument("--in-memory", action="store_true", help="keep nothing on disk (state is lost on exit)")
    p.add_argument("--etcd-servers", default=None, metavar="URL[,URL...]",
                   help="keep the objects in this etcd (its members' client URLs, comma-separated, e.g. "
                        "http://127.0.0.1:2379) instead of --data-dir; requests move on to the next member when "
                        "one cannot be reached; servers sharing one etcd elect a leader to run the controllers")
    p.add_argument("--etcd-compaction-interval", type=float, default=300.0, metavar="SECONDS",
                   help="compact the store's history older than this, this often, as kube-apiserver does "
                        "(default 300; 0 turns it off)")
    p.add_argument("--sim-nodes", type=int, default=0, metavar="N", help="register N simulated nodes (sim-node-0...)")
    p.add_argument("--sim-node-cpu", default="8", help="cpu capacity of each simulated node (default 8)")
    p.add_argument("--sim-node-memory", default="32Gi", help="memory capacity of each simulated node (default 32Gi)")
    p.add_argument("--sim-start-delay", type=float, default=1.0, metavar="SECONDS",
                   help="time from binding to Running on a simulated node (default 1)")
    p.add_argument("--graceful-pod-deletion", action="store_true",
                   help="delete bound pods as Kubernetes does: marked until their node confirms (simulated nodes "
                        "confirm at once; pods on nodes without an agent stay Terminating)")
    node = p.add_argument_group("the local node (a node agent running pods as real containers; needs root)")
    node.add_argument("--no-local-node", dest="local_node", action="store_false",
                      help="run the control plane (and simulated nodes) only: no pod runs on this machine")
    node.add_argument("--node-name", default=None, help="the local node's name (default: the hostname)")
    node.add_argument("--image-root", default=None, metavar="DIR",
                      help="the image store (default: $KUBEKIT_IMAGE_ROOT or /var/lib/kubekit/images)")
    node.add_argument("--pod-log-dir", default=DEFAULT_POD_LOG_DIR, metavar="DIR",
                      help=f"where containers' logs are written (default {DEFAULT_POD_LOG_DIR})")
    node.add_argument("--metrics-interval", type=float, default=5.0, metavar="SECONDS",
                      help="seconds between two usage samples: the window of the metrics API (default 5)")
    p.add_argument("--disable-admission-plugins", default="", metavar="NAME[,NAME...]",
                   help="admission plugins to turn off (kubekit has NamespaceLifecycle, on by default)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log more (-v info, -vv debug)")
    p.set_defaults(func=cmd_serve)
    return p


def config_from_args(args: argparse.Namespace):
    from kubekit.server.app import DEFAULT_SOCKET, ServerConfig

    if args.sim_nodes < 0:
        raise SystemExit("error: --sim-nodes must be 0 or more")
    if args.metrics_interval <= 0:
        raise SystemExit("error: --metrics-interval must be positive")
    if not args.etcd_compaction_interval >= 0:
        raise SystemExit("error: --etcd-compaction-interval must be 0 or more")
    if args.node_name is not None and not _dns_label(args.node_name):
        raise SystemExit(f"error: --node-name {args.node_name!r}: expected a DNS subdomain "
                         "(lower-case letters, digits, '-' and '.')")
    if args.etcd_servers is not None:
        from kubekit.store.etcd import parse_endpoints

        try:
            parse_endpoints(args.etcd_servers)
        except ValueError as e:
            raise SystemExit(f"error: --etcd-servers {args.etcd_servers!r}: {e} (a comma-separated list)") from None
    disabled = tuple(n for n in (getattr(args, "disable_admission_plugins", "") or "").split(",") if n)
    from kubekit.server.admission import plugins_by_name

    unknown = sorted(set(disabled) - set(plugins_by_name))
    if unknown:
        raise SystemExit(f"error: --disable-admission-plugins: unknown plugin(s) {', '.join(unknown)} "
                         f"(kubekit has {', '.join(sorted(plugins_by_name))})")
    socket_path = None if args.listen else (args.socket or os.environ.get("KUBEKIT_SOCKET") or DEFAULT_SOCKET)
    return ServerConfig(socket_path=socket_path, listen=args.listen,
                        data_dir=None if args.in_memory else args.data_dir, etcd_servers=args.etcd_servers,
                        compaction_interval=args.etcd_compaction_interval,
                        sim_nodes=args.sim_nodes, sim_node_cpu=args.sim_node_cpu,
                        sim_node_memory=args.sim_node_memory, sim_start_delay=args.sim_start_delay,
                        graceful_pod_deletion=args.graceful_pod_deletion,
                        local_node=args.local_node, node_name=args.node_name, image_root=args.image_root,
                        pod_log_dir=args.pod_log_dir, metrics_interval=args.metrics_interval,
                        disable_admission_plugins=disabled)


def _dns_label(name: str) -> bool:
    import re
    return len(name) <= 253 and re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", name) is not None


def cmd_serve(args: argparse.Namespace) -> int:
    import logging

    from kubekit.gcpolicy import control_plane_gc

    logging.basicConfig(level=(logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    cfg = config_from_args(args)
    with control_plane_gc():          # see kubekit/gcpolicy.py: the informers' caches are a large, long-lived heap
        return _serve(cfg)


def _serve(cfg) -> int:
    import signal

    from kubekit.errors import KubekitError
    from kubekit.server.app import Server

    srv = Server(cfg)
    try:
        srv.start()
    except (OSError, KubekitError) as e:
        print(f"error: kubekit serve: {e}", file=sys.stderr)
        return 1
    stop = lambda _sig, _frame: srv.request_stop()  # noqa: E731 - the main thread does the shutdown below
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    local = srv.local_node.node_name if srv.local_node is not None else "none"
    print(f"kubekit serve: listening on {srv.address} (data: {cfg.data_dir or 'memory only'}, "
          f"simulated nodes: {cfg.sim_nodes}, local node: {local})", flush=True)
    try:
        while not srv.wait(1.0):
            pass
    finally:
        srv.stop()
    print("kubekit serve: stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m kubekit.server.cli serve ...`` (the same as ``kubekit serve ...``)."""
    ap = argparse.ArgumentParser(prog="kubekit")
    sub = ap.add_subparsers(dest="cmd", required=True)
    add_serve_parser(sub)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
