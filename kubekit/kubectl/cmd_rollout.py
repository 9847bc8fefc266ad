"""``rollout status|undo|restart|history|pause|resume``."""

from __future__ import annotations

import time

from kubekit.kubectl.context import CommandError, Context
from kubekit.kubectl.resources import resolve, split_type_name
from kubekit.kubectl.rollout_rules import (
    REVISION, RolloutFailed, deployment_rollout_status, owned_by, plan_rollback, restarted_template,
)
from kubekit.kubectl.tables import Table, render

__all__ = ["cmd_rollout"]


def _deployment_name(args) -> str:
    try:
        pairs = split_type_name(args.resources)
    except (ValueError, LookupError) as e:
        raise CommandError(str(e)) from None
    if len(pairs) != 1 or pairs[0][1] is None:
        raise CommandError("required resource not specified: give deployment/NAME")
    rt, name = pairs[0]
    if rt.kind != "Deployment":
        raise CommandError(f"no rollout support for {rt.plural}: kubekit rolls out deployments only")
    return name  # type: ignore[return-value]


def _status(ctx: Context, args, name: str) -> int:
    rt = resolve("deployments")
    path = rt.path(ctx.namespace, name)
    d = ctx.client.get(path)
    deadline = ctx.now() + args.timeout if args.timeout else None
    last = None
    while True:
        try:
            msg, done = deployment_rollout_status(d, args.revision)
        except RolloutFailed as e:
            raise CommandError(str(e)) from None
        if msg != last:
            ctx.print(msg)
            last = msg
        if done or not args.watch:
            return 0
        left = None if deadline is None else deadline - ctx.now()
        if left is not None and left <= 0:
            raise CommandError("timed out waiting for the condition")
        # watch this deployment until it changes (or the server ends the stream: then look again)
        changed = None
        for ev in ctx.client.watch(rt.path(ctx.namespace), resource_version=d["metadata"]["resourceVersion"],
                                   timeout_seconds=max(1, int(left)) if left is not None else 60,
                                   fieldSelector=f"metadata.name={name}"):
            if ev.get("type") == "DELETED":
                raise CommandError(f'deployment "{name}" was deleted')
            if ev.get("type") in ("ADDED", "MODIFIED"):
                changed = ev["object"]
                break
            if ev.get("type") == "ERROR":
                break
        d = changed if changed is not None else ctx.client.get(path)


def _replicasets_of(ctx: Context, d: dict) -> list[dict]:
    items = ctx.client.get(resolve("replicasets").path(ctx.namespace)).get("items") or []
    return [rs for rs in items if owned_by(rs, d["metadata"]["uid"])]


def _undo(ctx: Context, args, name: str) -> int:
    path = resolve("deployments").path(ctx.namespace, name)
    d = ctx.client.get(path)
    try:
        plan = plan_rollback(d, _replicasets_of(ctx, d), args.to_revision)
    except RolloutFailed as e:
        raise CommandError(str(e)) from None
    if plan.template is not None:
        new = dict(d, spec=dict(d["spec"], template=plan.template),
                   metadata=dict(d["metadata"], annotations=plan.annotations))
        ctx.client.update(path, new)        # carries the resourceVersion read: a concurrent change is a conflict
    ctx.print(f"deployment.apps/{name} {plan.message}")
    return 0


def _restart(ctx: Context, args, name: str) -> int:
    path = resolve("deployments").path(ctx.namespace, name)
    d = ctx.client.get(path)
    if (d.get("spec") or {}).get("paused"):
        raise CommandError(f"deployments \"{name}\" is paused; resume it first with 'kubekit rollout resume "
                           f"deployment/{name}'")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ctx.now()))
    template = restarted_template(d["spec"]["template"], now)
    ctx.client.patch(path, {"spec": {"template": {"metadata": {"annotations": template["metadata"]["annotations"]}}},
                            "metadata": {"resourceVersion": d["metadata"]["resourceVersion"]}})
    ctx.print(f"deployment.apps/{name} restarted")
    return 0


def _history(ctx: Context, args, name: str) -> int:
    d = ctx.client.get(resolve("deployments").path(ctx.namespace, name))
    rows = []
    for rs in _replicasets_of(ctx, d):
        ann = rs["metadata"].get("annotations") or {}
        if ann.get(REVISION):
            rows.append((int(ann[REVISION]), ann.get("kubernetes.io/change-cause") or "<none>"))
    ctx.print(f"deployment.apps/{name}")
    ctx.print(render(Table(["REVISION", "CHANGE-CAUSE"], [[str(r), c] for r, c in sorted(rows)])))
    return 0


def _pause(ctx: Context, name: str, paused: bool) -> int:
    path = resolve("deployments").path(ctx.namespace, name)
    d = ctx.client.get(path)
    if bool((d.get("spec") or {}).get("paused")) == paused:
        raise CommandError(f"deployments \"{name}\" is {'already paused' if paused else 'not paused'}")
    ctx.client.patch(path, {"spec": {"paused": paused or None}})
    ctx.print(f"deployment.apps/{name} {'paused' if paused else 'resumed'}")
    return 0


def cmd_rollout(ctx: Context, args) -> int:
    name = _deployment_name(args)
    action = args.rollout_action
    if action == "status":
        return _status(ctx, args, name)
    if action == "undo":
        return _undo(ctx, args, name)
    if action == "restart":
        return _restart(ctx, args, name)
    if action == "history":
        return _history(ctx, args, name)
    return _pause(ctx, name, action == "pause")
