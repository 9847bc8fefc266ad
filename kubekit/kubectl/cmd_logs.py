"""``logs POD [-c C] [-f] [-p] [--tail N]``: a container's output, as kubectl prints it."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import Any

from kubekit.kubectl.context import CommandError, Context
from kubekit.kubectl.resources import resolve

__all__ = ["all_container_names", "cmd_logs", "container_for", "default_container", "pod_name_of"]

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"


def pod_name_of(arg: str) -> str:
    """``web-1``, ``pod/web-1``, ``pods/web-1`` → ``web-1``; other types are refused."""
    kind, sep, name = arg.partition("/")
    if not sep:
        return arg
    if kind not in ("pod", "pods", "po") or not name:
        raise CommandError(f"logs: {arg!r}: only pods are supported (POD or pod/POD)")
    return name


def all_container_names(pod: Mapping[str, Any]) -> str:
    """kubectl's ``podcmd.AllContainerNames``: ``app, side, setup (init)``."""
    spec = pod.get("spec") or {}
    names = [c["name"] for c in spec.get("containers") or []]
    names += [f"{c['name']} (ephem)" for c in spec.get("ephemeralContainers") or []]
    names += [f"{c['name']} (init)" for c in spec.get("initContainers") or []]
    return ", ".join(names)


def default_container(pod: Mapping[str, Any]) -> tuple[str | None, bool]:
    """The container kubectl picks when none is given, and whether it says
    so (``Defaulted container ...``): the default-container annotation, else
    the first container; only announced when there is a choice."""
    spec = pod.get("spec") or {}
    containers = [c["name"] for c in spec.get("containers") or []]
    annotated = ((pod.get("metadata") or {}).get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION)
    if annotated and annotated in containers + [c["name"] for c in spec.get("initContainers") or []]:
        return annotated, False
    if not containers:
        return None, False
    return containers[0], len(containers) > 1


def container_for(ctx: Context, pod_path: str, container: str | None) -> str | None:
    """The container named, else kubectl's default for the pod (fetched),
    announced on stderr when there was a choice."""
    if container:
        return container
    pod = ctx.client.get(pod_path)
    container, announce = default_container(pod)
    if announce:
        ctx.warn(f'Defaulted container "{container}" out of: {all_container_names(pod)}')
    return container


def _writer(out):
    buf = getattr(out, "buffer", None)
    if buf is not None:
        def write(data: bytes) -> None:
            out.flush()
            buf.write(data)
            buf.flush()
        return write, lambda: None
    dec = codecs.getincrementaldecoder("utf-8")("replace")

    def write_text(data: bytes) -> None:
        out.write(dec.decode(data))
        out.flush()
    return write_text, lambda: out.write(dec.decode(b"", final=True))


def cmd_logs(ctx: Context, args) -> int:
    if not args.pod:
        raise CommandError("expected POD: kubekit logs POD [-c CONTAINER]")
    name = pod_name_of(args.pod)
    pods = resolve("pods")
    container = container_for(ctx, pods.path(ctx.namespace, name), args.container)
    query = {"container": container, "follow": "true" if args.follow else None,
             "previous": "true" if args.previous else None,
             "tailLines": args.tail if args.tail is not None and args.tail >= 0 else None,
             "limitBytes": args.limit_bytes}
    write, finish = _writer(ctx.out)
    for data in ctx.client.stream(pods.path(ctx.namespace, name) + "/log", **query):
        write(data)
    finish()
    return 0
