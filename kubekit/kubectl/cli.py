"""kubectl's verbs as ``kubekit`` subcommands: ``kubekit apply -f web.yaml``,
``kubekit get pods -o wide``, ``kubekit rollout status deployment/web``...

Wiring (in ``kubekit/cli.py``)::

    from kubekit.kubectl.cli import add_kubectl_parsers
    add_kubectl_parsers(sub)

:func:`run` runs one command line with chosen output streams (for tests and
embedding).  Nothing heavy is imported until a command runs, and client
commands never import the scheduler or numpy.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable, TextIO

__all__ = ["add_kubectl_parsers", "run"]



_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration(text: str) -> float:
    """A kubectl duration in seconds: Go's ``time.ParseDuration`` forms
    (``90s``, ``2m30s``, ``1h``, ``500ms``) or a plain number of seconds."""
    import re

    t = text.strip()
    try:
        return float(t)
    except ValueError:
        pass
    parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", t)
    if not parts or "".join(n + u for n, u in parts) != t:
        import argparse

        raise argparse.ArgumentTypeError(f"invalid duration {text!r} (e.g. 90s, 2m30s, 1h)")
    return sum(float(n) * _UNITS[u] for n, u in parts)

def _common() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("connection")
    g.add_argument("-n", "--namespace", default=None, help="namespace (default: $KUBEKIT_NAMESPACE or default)")
    g.add_argument("--socket", default=None, help="the server's unix socket (default: $KUBEKIT_SOCKET or "
                                                  "/run/kubekit/kubekit.sock)")
    g.add_argument("-s", "--server", default=None, help="HOST:PORT of a server started with --listen "
                                                        "(default: $KUBEKIT_SERVER)")
    g.add_argument("--request-timeout", type=duration, default=None, metavar="SECONDS",
                   help="give up on a request (and end a watch) after this long")
    return p


def _context(args: argparse.Namespace, out: TextIO | None, err: TextIO | None):
    from kubekit.kubectl.client import Client, default_address
    from kubekit.kubectl.context import Context

    ns = args.namespace or os.environ.get("KUBEKIT_NAMESPACE") or "default"
    timeout = args.request_timeout if args.request_timeout else 30.0
    client = Client(default_address(args.socket, args.server), timeout=timeout)
    return Context(client, ns, namespace_given=args.namespace is not None, out=out or sys.stdout, err=err or sys.stderr)


def _runner(module: str, func: str) -> Callable[..., int]:
    def run_command(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
        import importlib

        from kubekit.kubectl.client import APIError, ServerUnavailable
        from kubekit.kubectl.context import CommandError, format_error
        from kubekit.kubectl.resources import UnknownResource

        ctx = _context(args, out, err)
        try:
            return getattr(importlib.import_module(f"kubekit.kubectl.{module}"), func)(ctx, args)
        except (APIError, ServerUnavailable, CommandError) as e:
            ctx.warn(format_error(e))
            return 1
        except UnknownResource as e:
            ctx.warn(f"error: {e}")
            return 1
        except KeyboardInterrupt:
            return 0
        except BrokenPipeError:
            return 0
        except TimeoutError:
            ctx.warn("error: the server did not answer in time (--request-timeout)")
            return 1
    return run_command


def _filename_args(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("-f", "--filename", action="append", required=required, default=None if required else [],
                   help="a manifest file, a directory of them, or - for stdin (repeatable)")
    p.add_argument("-R", "--recursive", action="store_true", help="descend into directories given with -f")


def add_kubectl_parsers(sub: argparse._SubParsersAction) -> None:
    """Add ``apply``, ``get``, ``describe``, ``delete``, ``scale``, ``rollout``,
    ``cordon``, ``uncordon``, ``drain``, ``logs`` and ``top`` to the
    ``kubekit`` subcommands."""
    c = _common()

    p = sub.add_parser("apply", parents=[c], help="create or update objects from manifests (client-side apply, "
                                                  "or server-side apply with --server-side)")
    _filename_args(p, True)
    p.add_argument("--server-side", action="store_true",
                   help="server-side apply: the server merges the manifest and tracks field ownership")
    p.add_argument("--force-conflicts", action="store_true",
                   help="with --server-side: take the fields other managers own instead of failing")
    p.add_argument("--field-manager", default=None, metavar="NAME",
                   help="the manager recorded for the applied fields (default kubectl with --server-side, "
                        "kubectl-client-side-apply otherwise)")
    p.set_defaults(func=_runner("cmd_write", "cmd_apply"))

    p = sub.add_parser("get", parents=[c], help="list objects: get pods|nodes|deployments|replicasets|events [NAME]")
    p.add_argument("resources", nargs="+", metavar="TYPE[/NAME] [NAME...]")
    p.add_argument("-o", "--output", default=None, help="wide, yaml, json or name")
    p.add_argument("-A", "--all-namespaces", action="store_true")
    p.add_argument("-l", "--selector", default=None, help="label selector, e.g. app=web,tier!=db")
    p.add_argument("--field-selector", default=None, help="field selector, e.g. spec.nodeName=sim-node-0")
    p.add_argument("-w", "--watch", action="store_true", help="after listing, print every change")
    p.add_argument("--show-managed-fields", action="store_true",
                   help="keep metadata.managedFields in -o yaml/json output (hidden by default, as kubectl)")
    p.set_defaults(func=_runner("cmd_get", "cmd_get"))

    p = sub.add_parser("describe", parents=[c], help="show an object in detail, with its events")
    p.add_argument("resources", nargs="+", metavar="TYPE[/NAME] [NAME...]")
    p.add_argument("-A", "--all-namespaces", action="store_true")
    p.add_argument("-l", "--selector", default=None)
    p.set_defaults(func=_runner("cmd_get", "cmd_describe"))

    p = sub.add_parser("delete", parents=[c], help="delete objects by name, selector or manifest")
    p.add_argument("resources", nargs="*", metavar="TYPE[/NAME] [NAME...]")
    _filename_args(p, False)
    p.add_argument("-l", "--selector", default=None)
    p.add_argument("--all", action="store_true", help="every object of the type in the namespace")
    p.add_argument("--cascade", choices=("background", "foreground", "orphan"), default="background")
    p.add_argument("--grace-period", type=int, default=None)
    p.add_argument("--now", action="store_true", help="grace period 1 s")
    p.add_argument("--force", action="store_true", help="grace period 0: remove at once")
    p.add_argument("--ignore-not-found", action="store_true")
    p.add_argument("--wait", action=argparse.BooleanOptionalAction, default=True,
                   help="wait until the objects are gone (default)")
    p.add_argument("--timeout", type=duration, default=60.0, help="seconds to wait with --wait (default 60)")
    p.set_defaults(func=_runner("cmd_write", "cmd_delete"))

    p = sub.add_parser("scale", parents=[c], help="set the replicas of a deployment or replica set")
    p.add_argument("resources", nargs="+", metavar="deployment/NAME")
    p.add_argument("--replicas", type=int, default=None, required=True)
    p.add_argument("--current-replicas", type=int, default=None, help="only if the current count is this")
    p.set_defaults(func=_runner("cmd_write", "cmd_scale"))

    p = sub.add_parser("rollout", help="manage the rollout of a deployment")
    rsub = p.add_subparsers(dest="rollout_action", required=True)
    r = rsub.add_parser("status", parents=[c], help="wait until the rollout is done")
    r.add_argument("--watch", "-w", action=argparse.BooleanOptionalAction, default=True)
    r.add_argument("--revision", type=int, default=0)
    r.add_argument("--timeout", type=duration, default=0, help="seconds before giving up (0: never)")
    r = rsub.add_parser("undo", parents=[c], help="go back to the previous (or --to-revision) template")
    r.add_argument("--to-revision", type=int, default=0)
    rsub.add_parser("restart", parents=[c], help="replace every pod (a new template annotation)")
    rsub.add_parser("history", parents=[c], help="list the revisions")
    rsub.add_parser("pause", parents=[c], help="stop rolling out template changes")
    rsub.add_parser("resume", parents=[c], help="roll out template changes again")
    for r in rsub.choices.values():
        r.add_argument("resources", nargs="+", metavar="deployment/NAME")
        r.set_defaults(func=_runner("cmd_rollout", "cmd_rollout"))

    for verb, fn, text in (("cordon", "cmd_cordon", "mark nodes unschedulable"),
                           ("uncordon", "cmd_uncordon", "mark nodes schedulable")):
        p = sub.add_parser(verb, parents=[c], help=text)
        p.add_argument("nodes", nargs="+", metavar="NODE")
        p.set_defaults(func=_runner("cmd_node", fn))

    p = sub.add_parser("drain", parents=[c], help="cordon a node and evict its pods")
    p.add_argument("nodes", nargs="+", metavar="NODE")
    p.add_argument("--ignore-daemonsets", action="store_true")
    p.add_argument("--force", action="store_true", help="also delete pods no controller manages")
    p.add_argument("--delete-emptydir-data", action="store_true")
    p.add_argument("--grace-period", type=int, default=None)
    p.add_argument("--timeout", type=duration, default=120.0, help="seconds to wait for each pod to go (default 120)")
    p.set_defaults(func=_runner("cmd_node", "cmd_drain"))

    p = sub.add_parser("logs", parents=[c], help="print a container's logs: logs POD [-c CONTAINER] [-f] [-p]")
    p.add_argument("pod", nargs="?", metavar="POD", help="the pod (NAME or pod/NAME)")
    p.add_argument("-c", "--container", default=None, help="the container (default: the only or first one)")
    p.add_argument("-f", "--follow", action="store_true", help="keep printing new output until the container ends")
    p.add_argument("-p", "--previous", action="store_true", help="the previous instance of a restarted container")
    p.add_argument("--tail", type=int, default=-1, metavar="N", help="only the last N lines (default -1: all)")
    p.add_argument("--limit-bytes", type=int, default=None, metavar="N", help="at most N bytes")
    p.set_defaults(func=_runner("cmd_logs", "cmd_logs"))

    p = sub.add_parser("exec", parents=[c], help="run a command in a container: exec POD [-c C] [-i] [-t] -- CMD...")
    p.add_argument("pod", metavar="POD", help="the pod (NAME or pod/NAME)")
    p.add_argument("-c", "--container", default=None, help="the container (default: the only or first one)")
    p.add_argument("-i", "--stdin", action="store_true", help="stream kubekit's standard input to the command")
    p.add_argument("-t", "--tty", action="store_true", help="with -i and a terminal: give the command a terminal")
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]")
    p.set_defaults(func=_runner("cmd_exec", "cmd_exec"))

    p = sub.add_parser("create", help="create a namespace, a configmap or a generic secret")
    csub = p.add_subparsers(dest="create_what", required=True)
    nsp = csub.add_parser("namespace", aliases=["ns"], parents=[c], help="create namespace NAME")
    nsp.add_argument("name", metavar="NAME")
    nsp.add_argument("--dry-run", choices=("none", "client"), default="none", help="client: only print it")
    nsp.add_argument("-o", "--output", choices=("yaml", "json"), default=None)
    nsp.set_defaults(func=_runner("cmd_create", "cmd_create"), create_what="namespace")
    cm = csub.add_parser("configmap", aliases=["cm"], parents=[c], help="create configmap NAME --from-literal=k=v")
    sec = csub.add_parser("secret", help="create secret generic NAME --from-literal=k=v")
    ssub = sec.add_subparsers(dest="secret_type", required=True)
    gen = ssub.add_parser("generic", parents=[c], help="an Opaque secret (or --type)")
    gen.add_argument("--type", default=None, help="the secret's type (default Opaque)")
    for q, what in ((cm, "configmap"), (gen, "secret")):
        q.add_argument("name", metavar="NAME")
        q.add_argument("--from-literal", action="append", metavar="KEY=VALUE", help="a key and its value (repeatable)")
        q.add_argument("--from-file", action="append", metavar="[KEY=]PATH",
                       help="a file (key: its base name) or a directory of files (repeatable)")
        q.add_argument("--dry-run", choices=("none", "client"), default="none", help="client: only print it")
        q.add_argument("-o", "--output", choices=("yaml", "json"), default=None)
        q.set_defaults(func=_runner("cmd_create", "cmd_create"), create_what=what)

    p = sub.add_parser("top", parents=[c], help="cpu and memory usage: top pods|nodes [NAME]")
    p.add_argument("what", metavar="pods|nodes")
    p.add_argument("name", nargs="?", default=None, metavar="NAME")
    p.add_argument("-A", "--all-namespaces", action="store_true")
    p.add_argument("-l", "--selector", default=None, help="label selector, e.g. app=web")
    p.add_argument("--field-selector", default=None)
    p.add_argument("--containers", action="store_true", help="one line per container (pods)")
    p.add_argument("--sort-by", choices=("cpu", "memory"), default=None)
    p.add_argument("--no-headers", action="store_true")
    p.set_defaults(func=_runner("cmd_top", "cmd_top"))


def run(argv: list[str], *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one kubectl-like command line (``["get", "pods"]``) and return its exit code."""
    ap = argparse.ArgumentParser(prog="kubekit")
    sub = ap.add_subparsers(dest="cmd", required=True)
    add_kubectl_parsers(sub)
    args = ap.parse_args(argv)
    return args.func(args, out, err)
