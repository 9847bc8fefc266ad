"""``apply``, ``delete``, ``scale``.

``apply`` is client-side apply (kubectl's three-way strategic patch against
the ``last-applied-configuration`` annotation, as field manager
``kubectl-client-side-apply``) or, with ``--server-side``, server-side apply:
each object is sent whole as an ``application/apply-patch+yaml`` PATCH with
``fieldManager`` (default ``kubectl``, as kubectl) and ``force`` for
``--force-conflicts``; the server merges it and records ownership
(:mod:`kubekit.server.fieldmanager`, ``docs/server-side-apply.md``).
"""

from __future__ import annotations

from kubekit.api.strategicpatch import StrategicPatchError
from kubekit.kubectl.client import APIError
from kubekit.kubectl.context import CommandError, Context, format_error
from kubekit.kubectl.manifests import ManifestReadError, load_manifests
from kubekit.kubectl.resources import ResourceType, UnknownResource, resource_for_kind, split_type_name
from kubekit.kubectl.threeway import last_applied_of, patch_content_type, three_way_patch, with_last_applied

__all__ = ["cmd_apply", "cmd_delete", "cmd_scale", "apply_one", "server_side_apply_one", "wait_deleted"]

_CONFLICT_RETRIES = 5
#: kubectl's field managers: client-side apply's writes, server-side apply's default
CSA_FIELD_MANAGER = "kubectl-client-side-apply"
SSA_FIELD_MANAGER = "kubectl"
#: what kubectl adds to an apply conflict (``cmd/apply/apply.go``)
_CONFLICT_HELP = """Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts"""


def _namespace_for(ctx: Context, rt: ResourceType, obj: dict) -> str | None:
    if not rt.namespaced:
        return None
    ns = (obj.get("metadata") or {}).get("namespace")
    if ns and ctx.namespace_given and ns != ctx.namespace:
        raise CommandError(f'the namespace from the provided object "{ns}" does not match the namespace '
                           f'"{ctx.namespace}". You must pass \'--namespace={ns}\' to perform this operation.')
    return ns or ctx.namespace


def _locate(ctx: Context, obj: dict) -> tuple[ResourceType, str | None, str]:
    try:
        rt = resource_for_kind(str(obj.get("apiVersion")), str(obj.get("kind")))
    except UnknownResource:
        raise CommandError(f'resource mapping not found for kind "{obj.get("kind")}" in version '
                           f'"{obj.get("apiVersion")}": kubekit serve has no such kind') from None
    name = (obj.get("metadata") or {}).get("name")
    if not name:
        raise CommandError(f"error when retrieving current configuration of {rt.kind}: metadata.name is required "
                           "(generateName is not supported by apply)")
    return rt, _namespace_for(ctx, rt, obj), name


def apply_one(ctx: Context, obj: dict, field_manager: str = CSA_FIELD_MANAGER) -> str:
    """Create or update one object; returns ``created``, ``configured`` or ``unchanged``."""
    rt, ns, name = _locate(ctx, obj)
    desired = dict(obj, metadata=dict(obj.get("metadata") or {}, **({"namespace": ns} if ns else {})))
    modified = with_last_applied(desired)
    for _ in range(_CONFLICT_RETRIES):
        try:
            live = ctx.client.get(rt.path(ns, name))
        except APIError as e:
            if e.code != 404:
                raise
            try:
                ctx.client.create(rt.path(ns), modified, field_manager=field_manager)
                return "created"
            except APIError as e2:
                if e2.reason == "AlreadyExists":
                    continue
                raise
        try:
            patch = three_way_patch(last_applied_of(live), modified, live, rt.kind)
        except StrategicPatchError as e:
            raise CommandError(f"{rt.display}/{name}: cannot compute the patch: {e}") from None
        if not patch:
            return "unchanged"
        patch.setdefault("metadata", {})["resourceVersion"] = live["metadata"]["resourceVersion"]
        try:
            ctx.client.patch(rt.path(ns, name), patch, content_type=patch_content_type(rt.kind),
                             field_manager=field_manager)
            return "configured"
        except APIError as e:
            if e.reason == "Conflict":
                continue
            raise
    raise CommandError(f"{rt.display}/{name}: gave up after {_CONFLICT_RETRIES} conflicting updates")


def server_side_apply_one(ctx: Context, obj: dict, field_manager: str, force: bool) -> str:
    """Server-side apply one object; returns ``serverside-applied``."""
    rt, ns, name = _locate(ctx, obj)
    desired = dict(obj, metadata=dict(obj.get("metadata") or {}, **({"namespace": ns} if ns else {})))
    ctx.client.apply(rt.path(ns, name), desired, field_manager=field_manager, force=force)
    return "serverside-applied"


def cmd_apply(ctx: Context, args) -> int:
    server_side = bool(getattr(args, "server_side", False))
    force = bool(getattr(args, "force_conflicts", False))
    manager = getattr(args, "field_manager", None)
    if force and not server_side:
        raise CommandError("--force-conflicts only works with --server-side")
    try:
        docs = load_manifests(args.filename, recursive=args.recursive)
    except (ManifestReadError, OSError) as e:
        raise CommandError(str(e)) from None
    failed = False
    for source, obj in docs:
        try:
            rt = resource_for_kind(str(obj.get("apiVersion")), str(obj.get("kind")))
            if server_side:
                result = server_side_apply_one(ctx, obj, manager or SSA_FIELD_MANAGER, force)
            else:
                result = apply_one(ctx, obj, manager or CSA_FIELD_MANAGER)
        except APIError as e:
            failed = True
            if server_side and e.code == 409 and e.reason == "Conflict":
                ctx.warn(f"error: {e}\n{_CONFLICT_HELP}")
            elif e.reason == "Invalid":
                ctx.warn(format_error(e))
            else:
                ctx.warn(f'{format_error(e)} (applying "{source}")')
            continue
        except (CommandError, UnknownResource) as e:
            failed = True
            ctx.warn(f'error: {e} (applying "{source}")')
            continue
        ctx.print(f"{rt.display}/{obj['metadata']['name']} {result}")
    return 1 if failed else 0


def wait_deleted(ctx: Context, rt: ResourceType, ns: str | None, name: str, uid: str, timeout: float) -> bool:
    """Poll until the object with ``uid`` is gone; False on timeout."""
    deadline = ctx.now() + timeout
    while True:
        try:
            cur = ctx.client.get(rt.path(ns, name))
        except APIError as e:
            if e.code == 404:
                return True
            raise
        if cur["metadata"].get("uid") != uid:
            return True
        if ctx.now() >= deadline:
            return False
        ctx.sleep(0.1)


def _targets(ctx: Context, args) -> list[tuple[ResourceType, str | None, str]]:
    if args.filename:
        try:
            docs = load_manifests(args.filename, recursive=args.recursive)
        except (ManifestReadError, OSError) as e:
            raise CommandError(str(e)) from None
        return [_locate(ctx, obj) for _, obj in docs]
    if not args.resources:
        raise CommandError("You must provide one or more resources by argument or filename.")
    try:
        pairs = split_type_name(args.resources)
    except (ValueError, LookupError) as e:
        raise CommandError(str(e)) from None
    out = []
    for rt, name in pairs:
        ns = ctx.namespace if rt.namespaced else None
        if name:
            out.append((rt, ns, name))
        elif args.all or args.selector:
            items = ctx.client.get(rt.path(ns), labelSelector=args.selector or "").get("items") or []
            out += [(rt, ns, o["metadata"]["name"]) for o in items]
        else:
            raise CommandError("resource(s) were provided, but no name was specified "
                               "(give names, -l SELECTOR or --all)")
    return out


def cmd_delete(ctx: Context, args) -> int:
    targets = _targets(ctx, args)
    grace = args.grace_period
    if args.now:
        grace = 1
    if args.force:
        grace = 0
        ctx.warn("Warning: Immediate deletion does not wait for confirmation that the running resource has been "
                 "terminated. The resource may continue to run on the cluster indefinitely.")
    propagation = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan"}[args.cascade]
    failed = False
    if not targets and (args.all or args.selector):
        ctx.warn("No resources found")
    for rt, ns, name in targets:
        try:
            obj = ctx.client.delete(rt.path(ns, name), propagation=propagation,
                                    grace_period=None if grace is None or grace < 0 else grace)
        except APIError as e:
            if e.code == 404 and args.ignore_not_found:
                continue
            ctx.warn(format_error(e))
            failed = True
            continue
        ctx.print(f'{rt.display} "{name}" deleted')
        uid = (obj or {}).get("metadata", {}).get("uid")
        if args.wait and uid and not wait_deleted(ctx, rt, ns, name, uid, args.timeout):
            ctx.warn(f'error: timed out waiting for {rt.display} "{name}" to be deleted')
            failed = True
    return 1 if failed else 0


def cmd_scale(ctx: Context, args) -> int:
    if args.replicas is None or args.replicas < 0:
        raise CommandError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    try:
        pairs = split_type_name(args.resources)
    except (ValueError, LookupError) as e:
        raise CommandError(str(e)) from None
    for rt, name in pairs:
        if rt.kind not in ("Deployment", "ReplicaSet") or not name:
            raise CommandError(f"cannot scale {rt.plural}{'/' + name if name else ''}: only deployments and "
                               "replicasets, by name, can be scaled")
        path = rt.path(ctx.namespace, name, "scale")
        patch: dict = {"spec": {"replicas": args.replicas}}
        if args.current_replicas is not None:
            scale = ctx.client.get(path)
            if scale["spec"]["replicas"] != args.current_replicas:
                raise CommandError(f"Expected replicas to be {args.current_replicas}, was {scale['spec']['replicas']}")
            patch["metadata"] = {"resourceVersion": scale["metadata"]["resourceVersion"]}
        ctx.client.patch(path, patch)
        ctx.print(f"{rt.display}/{name} scaled")
    return 0


