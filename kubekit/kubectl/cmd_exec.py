"""``exec POD [-c CONTAINER] [-i] -- COMMAND [ARGS...]``: run a command in a
container of a pod on the server's local node.  Not interactive (no
terminal): the command's stdout and stderr are printed once it ended, ``-i``
sends kubekit's whole stdin to it, and kubekit exits with the command's exit
code (printing ``command terminated with exit code N`` as kubectl does)."""

from __future__ import annotations

import base64
import sys

from kubekit.kubectl.cmd_logs import _writer, container_for, pod_name_of
from kubekit.kubectl.context import CommandError, Context
from kubekit.kubectl.resources import resolve

__all__ = ["cmd_exec", "split_command"]


def split_command(rest: list[str]) -> tuple[list[str], str | None, bool]:
    """What follows POD: ``[-c C] [-i] -- COMMAND...`` (pure) -> (command,
    container, stdin).  argparse hands flags written after POD over with the
    command; only ``-c`` and ``-i`` may stand there."""
    if "--" not in rest:
        return rest, None, False
    at = rest.index("--")
    flags, command = rest[:at], rest[at + 1:]
    container, stdin = None, False
    i = 0
    while i < len(flags):
        f = flags[i]
        if f in ("-c", "--container") and i + 1 < len(flags):
            container, i = flags[i + 1], i + 2
        elif f.startswith("--container="):
            container, i = f.split("=", 1)[1], i + 1
        elif f in ("-i", "--stdin"):
            stdin, i = True, i + 1
        else:
            raise CommandError(f"exec: {f!r} after POD: only -c and -i may follow POD; put other flags "
                               "before it (kubekit exec -n NS POD -c C -- COMMAND)")
    return command, container, stdin


def cmd_exec(ctx: Context, args) -> int:
    command, container_after, stdin_after = split_command(list(args.command or []))
    if container_after:
        args.container = container_after
    args.stdin = args.stdin or stdin_after
    if not args.pod or not command:
        raise CommandError("expected POD and a command: kubekit exec POD [-c CONTAINER] -- COMMAND [args...]")
    name = pod_name_of(args.pod)
    pods = resolve("pods")
    container = container_for(ctx, pods.path(ctx.namespace, name), args.container)
    stdin = None
    if args.stdin:
        stdin = sys.stdin.buffer.read()
    r = ctx.client.exec(pods.path(ctx.namespace, name), command, container=container, stdin=stdin)
    for data, stream in ((r.get("stdout"), ctx.out), (r.get("stderr"), ctx.err)):
        if data:
            write, finish = _writer(stream)
            write(base64.b64decode(data))
            finish()
    code = int(r.get("exitCode", 1))
    if code:
        ctx.warn(f"command terminated with exit code {code}")
    return code
