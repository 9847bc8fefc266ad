"""``exec POD [-c CONTAINER] [-i] [-t] -- COMMAND [ARGS...]``: run a command in
a container of a pod on the server's local node.

* Without ``-i``/``-t``: one request; the command's stdout and stderr are
  printed once it ended (``POST pods/NAME/exec``, the JSON ExecResult).
* With ``-i`` and/or ``-t``: a stream (Kubernetes' ``v5.channel.k8s.io``
  over a WebSocket, :mod:`kubekit.kubectl.execstream_client`): output is
  printed as it comes and ``-i`` copies kubekit's stdin to the command as it
  is read (its EOF closes the command's stdin).  ``-t`` with ``-i`` and a
  terminal on stdin gives the command a terminal: the local one is put in
  raw mode (restored on exit, always: also when SIGHUP, SIGTERM or SIGQUIT
  kill kubekit meanwhile), its size is sent at the start and on
  every SIGWINCH, and stdout carries everything (no separate stderr).  As
  kubectl: ``-t`` without ``-i`` is ignored, and ``-t`` when stdin is not a
  terminal warns "Unable to use a TTY - input is not a terminal or the right
  kind of file" and goes on without one.

kubekit exits with the command's exit code, printing ``command terminated
with exit code N`` as kubectl does."""

from __future__ import annotations

import base64
import os
import sys

from kubekit.kubectl.cmd_logs import _writer, container_for, pod_name_of
from kubekit.kubectl.context import CommandError, Context
from kubekit.kubectl.resources import resolve

__all__ = ["cmd_exec", "split_command", "split_exec_args"]

NO_TTY_WARNING = "Unable to use a TTY - input is not a terminal or the right kind of file"


def split_exec_args(rest: list[str]) -> tuple[list[str], str | None, bool, bool]:
    """What follows POD: ``[-c C] [-i] [-t] -- COMMAND...`` (pure) ->
    (command, container, stdin, tty).  argparse hands flags written after
    POD over with the command; only ``-c``, ``-i`` and ``-t`` (also as
    ``-it``/``-ti``) may stand there."""
    if "--" not in rest:
        return rest, None, False, False
    at = rest.index("--")
    flags, command = rest[:at], rest[at + 1:]
    container, stdin, tty = None, False, False
    i = 0
    while i < len(flags):
        f = flags[i]
        if f in ("-c", "--container") and i + 1 < len(flags):
            container, i = flags[i + 1], i + 2
        elif f.startswith("--container="):
            container, i = f.split("=", 1)[1], i + 1
        elif f in ("-i", "--stdin"):
            stdin, i = True, i + 1
        elif f in ("-t", "--tty"):
            tty, i = True, i + 1
        elif f in ("-it", "-ti"):
            stdin, tty, i = True, True, i + 1
        else:
            raise CommandError(f"exec: {f!r} after POD: only -c and -i may follow POD (and -t); put other flags "
                               "before it (kubekit exec -n NS POD -c C -- COMMAND)")
    return command, container, stdin, tty


def split_command(rest: list[str]) -> tuple[list[str], str | None, bool]:
    """:func:`split_exec_args` without the tty flag: (command, container, stdin)."""
    command, container, stdin, _tty = split_exec_args(rest)
    return command, container, stdin


def cmd_exec(ctx: Context, args) -> int:
    command, container_after, stdin_after, tty_after = split_exec_args(list(args.command or []))
    if container_after:
        args.container = container_after
    args.stdin = args.stdin or stdin_after
    want_tty = bool(getattr(args, "tty", False)) or tty_after
    if not args.pod or not command:
        raise CommandError("expected POD and a command: kubekit exec POD [-c CONTAINER] -- COMMAND [args...]")
    name = pod_name_of(args.pod)
    pods = resolve("pods")
    container = container_for(ctx, pods.path(ctx.namespace, name), args.container)
    if args.stdin or want_tty:
        return _exec_stream(ctx, pods.path(ctx.namespace, name), command, container, args.stdin, want_tty)
    r = ctx.client.exec(pods.path(ctx.namespace, name), command, container=container)
    for data, stream in ((r.get("stdout"), ctx.out), (r.get("stderr"), ctx.err)):
        if data:
            write, finish = _writer(stream)
            write(base64.b64decode(data))
            finish()
    code = int(r.get("exitCode", 1))
    if code:
        ctx.warn(f"command terminated with exit code {code}")
    return code


def _fileno(f) -> int | None:
    try:
        return f.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _exec_stream(ctx: Context, pod_path: str, command: list[str], container: str, stdin: bool,
                 want_tty: bool) -> int:
    from kubekit.kubectl.execstream_client import ExecStream, exit_code_of, interact, raw_terminal

    src = getattr(sys.stdin, "buffer", sys.stdin) if stdin else None
    fd = _fileno(sys.stdin) if stdin else None
    tty = False
    if want_tty and stdin:               # kubectl: -t without -i is quietly no terminal
        if fd is not None and os.isatty(fd):
            tty = True
        else:
            ctx.warn(NO_TTY_WARNING)
    stream = ExecStream.connect(ctx.client, pod_path, command, container=container, stdin=stdin, stdout=True,
                                stderr=not tty, tty=tty)
    write_out, finish_out = _writer(ctx.out)
    write_err, finish_err = _writer(ctx.err)
    try:
        if tty:
            assert fd is not None
            with raw_terminal(fd):
                status = interact(stream, stdin=fd, write_out=write_out, write_err=write_err, resize_fd=fd)
        else:
            status = interact(stream, stdin=fd if fd is not None else src, write_out=write_out, write_err=write_err)
    finally:
        stream.close()
        finish_out()
        finish_err()
    if status is None:
        raise CommandError("the exec stream ended before the command's status came (the connection was lost)")
    code = exit_code_of(status)
    if code is None:
        raise CommandError(str(status.get("message") or "the command failed"))
    if code:
        ctx.warn(f"command terminated with exit code {code}")
    return code
