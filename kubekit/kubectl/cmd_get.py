"""``get`` and ``describe``."""

from __future__ import annotations

import json
from typing import Any

from kubekit.kubectl.client import APIError
from kubekit.kubectl.context import CommandError, Context
from kubekit.kubectl.resources import ResourceType, split_type_name
from kubekit.kubectl.tables import render, table_for

__all__ = ["cmd_get", "cmd_describe", "format_objects", "events_about"]

OUTPUTS = ("wide", "yaml", "json", "name")


def _to_yaml(obj: Any) -> str:
    import yaml
    return yaml.safe_dump(obj, default_flow_style=False, sort_keys=False, allow_unicode=True).rstrip("\n")


def _without_managed_fields(o: dict) -> dict:
    meta = o.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        return dict(o, metadata={k: v for k, v in meta.items() if k != "managedFields"})
    return o


def format_objects(rt: ResourceType, objs: list[dict], output: str | None, now: float, *, all_namespaces: bool,
                   single: bool, header: bool = True, show_managed_fields: bool = False) -> str:
    """Objects as ``get`` prints them for ``-o`` (None: the table);
    ``metadata.managedFields`` only with ``show_managed_fields``, as kubectl
    since 1.21."""
    if output == "name":
        return "\n".join(f"{rt.display}/{o['metadata']['name']}" for o in objs)
    if output in ("yaml", "json"):
        if not show_managed_fields:
            objs = [_without_managed_fields(o) for o in objs]
        doc: Any = objs[0] if single and len(objs) == 1 else {
            "apiVersion": "v1", "kind": "List", "items": objs, "metadata": {"resourceVersion": ""}}
        return _to_yaml(doc) if output == "yaml" else json.dumps(doc, indent=4, ensure_ascii=False)
    return render(table_for(rt.kind, objs, now, wide=output == "wide", all_namespaces=all_namespaces), header=header)


def _show_mf(args) -> bool:
    return bool(getattr(args, "show_managed_fields", False))


def _list_query(args) -> dict[str, str]:
    return {"labelSelector": args.selector or "", "fieldSelector": args.field_selector or ""}


def cmd_get(ctx: Context, args) -> int:
    if args.output and args.output not in OUTPUTS:
        raise CommandError(f"unable to match a printer suitable for the output format \"{args.output}\", "
                           f"allowed formats are: {','.join(OUTPUTS)}")
    try:
        pairs = split_type_name(args.resources)
    except (ValueError, LookupError) as e:
        raise CommandError(str(e)) from None
    if args.watch and len({rt for rt, _ in pairs}) > 1:
        raise CommandError("you may only specify a single resource type when watching")
    named = [(rt, n) for rt, n in pairs if n]
    failed = False
    blocks: list[str] = []
    if named:
        by_type: dict[ResourceType, list[dict]] = {}
        for rt, name in named:
            try:
                by_type.setdefault(rt, []).append(ctx.client.get(rt.path(ctx.namespace, name)))
            except APIError as e:
                if e.code != 404:
                    raise
                from kubekit.kubectl.context import format_error
                ctx.warn(format_error(e))
                failed = True
        for rt, objs in by_type.items():
            if not objs:
                continue
            blocks.append(format_objects(rt, objs, args.output, ctx.now(), all_namespaces=False,
                                         single=len(named) == 1, show_managed_fields=_show_mf(args)))
        if blocks:
            ctx.print("\n\n".join(blocks) if args.output not in ("yaml", "json") else "\n".join(blocks))
        if args.watch and not failed:
            rt, name = named[0]
            obj = by_type[rt][0]
            _watch(ctx, rt, args, obj["metadata"]["resourceVersion"], name=name)
        return 1 if failed else 0
    rv = None
    empty_where: str | None = None
    for rt, _ in pairs:
        ns = None if (args.all_namespaces or not rt.namespaced) else ctx.namespace
        lst = ctx.client.get(rt.path(ns), **_list_query(args))
        items = lst.get("items") or []
        rv = (lst.get("metadata") or {}).get("resourceVersion")
        if not items:
            if args.output in ("yaml", "json"):
                blocks.append(format_objects(rt, [], args.output, ctx.now(), all_namespaces=False, single=False,
                                             show_managed_fields=_show_mf(args)))
            else:
                empty_where = f" in {ns} namespace" if ns else ""
            continue
        blocks.append(format_objects(rt, items, args.output, ctx.now(),
                                     all_namespaces=bool(args.all_namespaces and rt.namespaced), single=False,
                                     show_managed_fields=_show_mf(args)))
    if blocks:
        ctx.print("\n\n".join(blocks))
    elif empty_where is not None:
        ctx.warn(f"No resources found{empty_where}.")
    if args.watch:
        _watch(ctx, pairs[0][0], args, rv)
    return 0


def _watch(ctx: Context, rt: ResourceType, args, rv: str | None, name: str | None = None) -> None:
    """Print each change after ``rv`` as ``get`` would print the object (rows without a header)."""
    ns = None if (args.all_namespaces or not rt.namespaced) else ctx.namespace
    query = _list_query(args)
    if name:
        query["fieldSelector"] = ",".join(f for f in (query["fieldSelector"], f"metadata.name={name}") if f)
    timeout = int(args.request_timeout) if args.request_timeout else None
    for ev in ctx.client.watch(rt.path(ns), resource_version=rv, timeout_seconds=timeout, **query):
        if ev.get("type") == "ERROR":
            st = ev.get("object") or {}
            raise CommandError(f"watch ended: {st.get('message', st)}")
        if ev.get("type") == "BOOKMARK":
            continue
        ctx.print(format_objects(rt, [ev["object"]], args.output, ctx.now(),
                                 all_namespaces=bool(args.all_namespaces and rt.namespaced), single=True,
                                 header=False, show_managed_fields=_show_mf(args)))


def events_about(ctx: Context, obj: dict) -> list[dict]:
    m = obj["metadata"]
    fields = f"involvedObject.kind={obj.get('kind')},involvedObject.name={m['name']}"
    if m.get("uid"):
        fields += f",involvedObject.uid={m['uid']}"
    from kubekit.kubectl.resources import resolve
    path = resolve("events").path(m.get("namespace"))      # cluster-scoped objects: events of every namespace
    items = ctx.client.get(path, fieldSelector=fields).get("items") or []
    return sorted(items, key=lambda e: (e.get("firstTimestamp") or e.get("eventTime") or "", e["metadata"]["name"]))


def cmd_describe(ctx: Context, args) -> int:
    from kubekit.kubectl.describe import describe_object, describe_pod

    try:
        pairs = split_type_name(args.resources)
    except (ValueError, LookupError) as e:
        raise CommandError(str(e)) from None
    objs: list[dict] = []
    for rt, name in pairs:
        if name:
            objs.append(ctx.client.get(rt.path(ctx.namespace, name)))
        else:
            ns = None if (args.all_namespaces or not rt.namespaced) else ctx.namespace
            objs += ctx.client.get(rt.path(ns), labelSelector=args.selector or "").get("items") or []
    if not objs:
        ctx.warn(f"No resources found in {ctx.namespace} namespace.")
        return 0
    texts = []
    for o in objs:
        evs = events_about(ctx, o)
        texts.append(describe_pod(o, evs, ctx.now()) if o.get("kind") == "Pod" else describe_object(o, evs, ctx.now()))
    ctx.print("\n\n\n".join(texts))
    return 0
