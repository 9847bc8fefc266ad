"""``create namespace NAME``, ``create configmap NAME`` and ``create secret
generic NAME`` (with ``--from-literal`` / ``--from-file``), printing
``namespace/NAME created``, ``configmap/NAME created`` as kubectl does;
``--dry-run=client -o yaml|json`` prints the manifest."""

from __future__ import annotations

import json

from kubekit.kubectl.context import Context
from kubekit.kubectl.create_rules import config_map_manifest, file_sources, namespace_manifest, secret_manifest
from kubekit.kubectl.resources import resolve

__all__ = ["cmd_create"]


def cmd_create(ctx: Context, args) -> int:
    files = file_sources(getattr(args, "from_file", None) or [])
    if args.create_what == "namespace":
        obj = namespace_manifest(args.name)
    elif args.create_what == "configmap":
        obj = config_map_manifest(args.name, ctx.namespace, args.from_literal or [], files)
    else:
        obj = secret_manifest(args.name, ctx.namespace, args.from_literal or [], files, args.type or "")
    rt = resolve(obj["kind"])
    if args.dry_run == "client":
        if args.output == "json":
            ctx.print(json.dumps(obj, indent=4))
        elif args.output == "yaml":
            import yaml

            ctx.print(yaml.safe_dump(obj, sort_keys=False).rstrip())
        else:
            ctx.print(f"{rt.singular}/{args.name} created (dry run)")
        return 0
    ctx.client.create(rt.path(ctx.namespace), obj)
    ctx.print(f"{rt.singular}/{args.name} created")
    return 0
