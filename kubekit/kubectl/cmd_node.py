"""``cordon``, ``uncordon``, ``drain``."""

from __future__ import annotations

from kubekit.kubectl.client import APIError
from kubekit.kubectl.cmd_write import wait_deleted
from kubekit.kubectl.context import CommandError, Context, format_error
from kubekit.kubectl.drain_rules import ignorable_eviction_error, plan_drain
from kubekit.kubectl.resources import resolve

__all__ = ["cmd_cordon", "cmd_uncordon", "cmd_drain", "set_unschedulable"]


def set_unschedulable(ctx: Context, node: str, value: bool) -> bool:
    """Cordon (True) or uncordon a node; False if it already was."""
    path = resolve("nodes").path(None, node)
    cur = ctx.client.get(path)
    if bool((cur.get("spec") or {}).get("unschedulable")) == value:
        return False
    ctx.client.patch(path, {"spec": {"unschedulable": True if value else None}})
    return True


def cmd_cordon(ctx: Context, args) -> int:
    for node in args.nodes:
        changed = set_unschedulable(ctx, node, True)
        ctx.print(f"node/{node} {'cordoned' if changed else 'already cordoned'}")
    return 0


def cmd_uncordon(ctx: Context, args) -> int:
    for node in args.nodes:
        changed = set_unschedulable(ctx, node, False)
        ctx.print(f"node/{node} {'uncordoned' if changed else 'already uncordoned'}")
    return 0


def cmd_drain(ctx: Context, args) -> int:
    pods_rt = resolve("pods")
    pending: list[str] = []
    for node in args.nodes:
        failed = False
        changed = set_unschedulable(ctx, node, True)
        ctx.print(f"node/{node} {'cordoned' if changed else 'already cordoned'}")
        pods = ctx.client.get(pods_rt.path(None), fieldSelector=f"spec.nodeName={node}").get("items") or []
        plan = plan_drain(pods, ignore_daemonsets=args.ignore_daemonsets, force=args.force,
                          delete_emptydir_data=args.delete_emptydir_data)
        if plan.errors:
            ctx.warn(f'error: unable to drain node "{node}" due to error: {plan.error_text()}, continuing command...')
            pending.append(node)
            continue
        if plan.warnings:
            ctx.warn(f"Warning: {plan.warning_text()}")
        evicted = []
        for pod in plan.evict:
            m = pod["metadata"]
            ctx.print(f"evicting pod {m['namespace']}/{m['name']}")
            body = {"apiVersion": "policy/v1", "kind": "Eviction",
                    "metadata": {"name": m["name"], "namespace": m["namespace"]}}
            if args.grace_period is not None and args.grace_period >= 0:
                body["deleteOptions"] = {"gracePeriodSeconds": args.grace_period}
            try:
                ctx.client.post(pods_rt.path(m["namespace"], m["name"], "eviction"), body)
            except APIError as e:
                if e.code == 404:
                    continue
                if ignorable_eviction_error(e.code, e.status):      # the namespace controller deletes it
                    evicted.append(pod)
                    continue
                ctx.warn(format_error(e))
                failed = True
                continue
            evicted.append(pod)
        for pod in evicted:
            m = pod["metadata"]
            if not wait_deleted(ctx, pods_rt, m["namespace"], m["name"], m["uid"], args.timeout):
                raise CommandError(f'unable to drain node "{node}": timed out waiting for pod '
                                   f'{m["namespace"]}/{m["name"]} to be deleted')
            ctx.print(f"pod/{m['name']} evicted")
        if failed:
            pending.append(node)
        else:
            ctx.print(f"node/{node} drained")
    if pending:
        ctx.warn("There are pending nodes to be drained:\n " + "\n ".join(pending))
    return 1 if pending else 0
