"""``kubekit run`` and ``kubekit gc``: docker-run-like commands over the
runtime.  Nothing here imports numpy or the scheduler."""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys

from kubekit.errors import ContainerError, KubekitError, QuantityError, RuntimeSpecError

FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)
# docker run's own exit codes: 125 the runtime failed, 126 cannot execute, 127 not found.
EXIT_RUNTIME, EXIT_CANNOT_EXEC, EXIT_NOT_FOUND = 125, 126, 127


def add_run_parser(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("run", help="run a command in a container (namespaces, cgroups, overlay rootfs)",
                       usage="kubekit run [OPTIONS] (IMAGE [CMD...] | --rootfs DIR -- CMD... | --host-rootfs -- CMD...)",
                       description="Run a container and exit with its status, as `docker run` does: from IMAGE in "
                                   "kubekit's image store (CMD replaces the image's Cmd; --entrypoint its "
                                   "Entrypoint), or from a root filesystem directory or the host's /.")
    root = r.add_mutually_exclusive_group()
    root.add_argument("--rootfs", metavar="DIR", help="a root filesystem directory (read-only lower layer)")
    root.add_argument("--host-rootfs", action="store_true", help="use the host's / read-only as the lower layer")
    r.add_argument("--entrypoint", metavar="CMD", help="with IMAGE: replace the image's Entrypoint (and drop its Cmd)")
    r.add_argument("--pull", choices=("always", "missing", "never", "Always", "IfNotPresent", "Never"),
                   default="missing", help="with IMAGE: when to pull it from its registry (docker's words or "
                                           "Kubernetes' imagePullPolicy; default: missing)")
    r.add_argument("--image-root", metavar="DIR", help="the image store (default: $KUBEKIT_IMAGE_ROOT or "
                                                       "/var/lib/kubekit/images)")
    r.add_argument("--memory", metavar="QTY", help="memory limit, a Kubernetes quantity (64Mi)")
    r.add_argument("--cpus", metavar="QTY", help="cpu limit as a quantity (500m = half a cpu)")
    r.add_argument("--pids", type=int, metavar="N", help="maximum number of processes")
    r.add_argument("--hostname", metavar="H")
    r.add_argument("--net", choices=("none", "host"), default="none",
                   help="none: a new network namespace with only lo (default); host: share the host's")
    r.add_argument("-v", "--volume", action="append", default=[], metavar="SRC:DST[:ro]")
    r.add_argument("-e", "--env", action="append", default=[], metavar="K=V")
    r.add_argument("-w", "--workdir", metavar="DIR", help="working directory (default: the image's, or /)")
    r.add_argument("-u", "--user", metavar="USER[:GROUP]",
                   help="uid[:gid]; with IMAGE also names from the image's /etc/passwd and /etc/group")
    r.add_argument("--name", help="container id (default: random)")
    r.add_argument("--rm", action="store_true", help="also remove the container's upper layer on exit")
    r.add_argument("command", nargs=argparse.REMAINDER, metavar="IMAGE [CMD...] | -- CMD...")
    r.set_defaults(func=cmd_run)
    g = sub.add_parser("gc", help="remove containers left behind by crashed runtimes, and kept upper layers")
    g.set_defaults(func=cmd_gc)
    c = sub.add_parser("cgroups", help="show the cgroup layout kubekit detected (v1, v2 or hybrid)")
    c.add_argument("--favordynmods", action="store_true",
                   help="remount the cgroup tree with favordynmods: migrations never wait for an RCU grace "
                        "period (host-wide; see docs/runtime-cgroups.md)")
    c.set_defaults(func=cmd_cgroups)


def _quantity(flag: str, text: str, milli: bool):
    from kubekit.api.quantity import Quantity

    try:
        q = Quantity(text)
    except (QuantityError, ValueError) as e:
        raise RuntimeSpecError(f"{flag}: {e}") from None
    return q.milli_value() if milli else q.value()


PULL_POLICIES = {"always": "Always", "missing": "IfNotPresent", "never": "Never"}


def split_image(args: argparse.Namespace) -> tuple[str | None, list[str]]:
    """``(IMAGE or None, CMD...)`` from the positional words: without
    --rootfs/--host-rootfs the first word names an image."""
    words = list(args.command)
    image = None
    if not args.rootfs and not args.host_rootfs:
        if not words or words[0] == "--":
            raise RuntimeSpecError("run: give an IMAGE, or --rootfs DIR / --host-rootfs and the command after --")
        image, words = words[0], words[1:]
    if words[:1] == ["--"]:
        words = words[1:]
    return image, words


def _common(args: argparse.Namespace) -> dict:
    """The ContainerSpec fields that do not depend on where the rootfs comes from."""
    from kubekit.runtime.spec import DEFAULT_NAMESPACES, Mount, Resources

    res = {}
    if args.memory is not None:
        res["memory_limit"] = _quantity("--memory", args.memory, milli=False)
        if res["memory_limit"] <= 0:
            raise RuntimeSpecError(f"--memory: {args.memory!r} must be positive")
    if args.cpus is not None:
        milli = _quantity("--cpus", args.cpus, milli=True)
        if milli <= 0:
            raise RuntimeSpecError(f"--cpus: {args.cpus!r} must be positive")
        # kubelet's MilliCPUToQuota: period 100ms, quota = milli * period / 1000, at least 1ms.
        res["cpu_period"] = 100_000
        res["cpu_quota"] = max(milli * 100_000 // 1000, 1000)
    if args.pids is not None:
        if args.pids <= 0:
            raise RuntimeSpecError(f"--pids: {args.pids} must be positive")
        res["pids_limit"] = args.pids
    mounts = []
    for v in args.volume:
        parts = v.split(":")
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ("ro", "rw")) or not all(parts[:2]):
            raise RuntimeSpecError(f"--volume: {v!r} is not SRC:DST[:ro]")
        mounts.append(Mount(destination=parts[1], source=os.path.abspath(parts[0]),
                            options=(parts[2],) if len(parts) == 3 else ()))
    for kv in args.env:
        if "=" not in kv:
            raise RuntimeSpecError(f"--env: {kv!r} is not K=V")
    namespaces = DEFAULT_NAMESPACES if args.net == "none" else DEFAULT_NAMESPACES - {"net"}
    return dict(hostname=args.hostname, namespaces=namespaces, mounts=tuple(mounts), resources=Resources(**res),
                die_with_parent=True, stdin=0, stdout=1, stderr=2)


def spec_from_args(args: argparse.Namespace, image_config=None, layers: tuple[str, ...] = ()):
    """The ContainerSpec ``kubekit run`` asks for (pure apart from Quantity
    and, for an image, reading its /etc/passwd and /etc/group).  With an
    image, ``image_config`` is its config JSON and ``layers`` its unpacked
    layer directories, bottom first."""
    from kubekit.runtime.spec import DEFAULT_ENV, ContainerSpec

    image, command = split_image(args)
    common = _common(args)
    if image is not None:
        from kubekit.runtime.fromimage import spec_from_image

        if args.entrypoint is not None and args.entrypoint == "":
            entry = None     # docker: --entrypoint "" clears it; Cmd still goes
        else:
            entry = [args.entrypoint] if args.entrypoint else None
        return spec_from_image(image_config or {}, layers, command=entry, args=command or None, env=args.env,
                               workdir=args.workdir, user=args.user, **common)
    if not command:
        raise RuntimeSpecError("run: give the command after --, e.g. kubekit run --host-rootfs -- /bin/true")
    uid = gid = 0
    if args.user:
        try:
            uid_s, _, gid_s = args.user.partition(":")
            uid, gid = int(uid_s), int(gid_s or uid_s)
        except ValueError:
            raise RuntimeSpecError(f"--user: {args.user!r} is not UID[:GID] (names need an image)") from None
    return ContainerSpec(command=tuple(command), rootfs=args.rootfs, host_rootfs=args.host_rootfs,
                         env=DEFAULT_ENV + tuple(args.env), cwd=args.workdir or "/", uid=uid, gid=gid, **common)


def resolve_image(args: argparse.Namespace, image: str):
    """The image's config and unpacked layers, through the image store and
    the pull policy (pulling from its registry if the policy says so)."""
    from kubekit.images.imagestore import ImageStore
    from kubekit.images.policy import ensure_image

    store = ImageStore(args.image_root)
    policy = PULL_POLICIES.get(args.pull, args.pull)
    img = ensure_image(store, image, policy, pull=_puller())
    return img.config, store.layers(image)


def _puller():
    def pull_into(ref, store):
        from kubekit.images.registry.pull import pull

        with store.lease():          # a concurrent gc must not take blobs not yet named
            return pull(ref, store.oci)

    return pull_into


def cmd_run(args: argparse.Namespace) -> int:
    from kubekit.runtime.runtime import Runtime

    try:
        image, _ = split_image(args)
        if image is not None:
            config, layers = resolve_image(args, image)
            spec = spec_from_args(args, config, layers)
        else:
            spec = spec_from_args(args)
        rt = Runtime()
        container = rt.create(spec, name=args.name)
    except RuntimeSpecError as e:
        print(f"kubekit run: {e}", file=sys.stderr)
        return EXIT_RUNTIME
    except (ContainerError, KubekitError, OSError) as e:
        print(f"kubekit run: {e}", file=sys.stderr)
        return EXIT_RUNTIME
    try:
        try:
            container.start()
        except ContainerError as e:
            print(f"kubekit run: {e}", file=sys.stderr)
            return EXIT_NOT_FOUND if e.errno == errno.ENOENT else EXIT_CANNOT_EXEC if e.errno == errno.EACCES else EXIT_RUNTIME
        previous = {s: signal.signal(s, lambda sig, _frame: container.signal(sig)) for s in FORWARDED_SIGNALS}
        try:
            status = container.wait()
        finally:
            for s, h in previous.items():
                signal.signal(s, h)
        assert status is not None
        if status.reason == "OOMKilled":
            print("kubekit run: container was OOMKilled", file=sys.stderr)
        return status.code
    finally:
        container.delete(keep_upper=not args.rm)
        rt.driver.remove_if_empty(rt.cgroup_root)  # the last container out leaves no empty root behind


def cmd_gc(args: argparse.Namespace) -> int:
    from kubekit.runtime.runtime import Runtime

    rt = Runtime(sweep=False)
    removed = rt.sweep(include_exited=True)
    rt.driver.remove_if_empty(rt.cgroup_root)
    for cid in removed:
        print(cid)
    return 0


def cmd_cgroups(args: argparse.Namespace) -> int:
    from kubekit.runtime.cgroups import open_driver
    from kubekit.runtime.cgroups.tune import enable_favordynmods, favordynmods_mounts, read_mountinfo

    if args.favordynmods:
        try:
            print(f"favordynmods enabled on {enable_favordynmods()}")
        except OSError as e:
            print(f"kubekit cgroups: cannot enable favordynmods: {e}", file=sys.stderr)
            return 1
    driver = open_driver()
    print(f"mode: {driver.mode}")
    for h in driver.hierarchies:
        print(f"  {h.mount}  v{h.version}  {','.join(sorted(h.controllers)) or '-'}")
    for mount, on in favordynmods_mounts(read_mountinfo()).items():
        if on:
            print(f"favordynmods: on ({mount})")
            break
    else:
        print("favordynmods: off in the mount options (on v1/hybrid the first cgroup.procs write after a quiet "
              "spell may wait ~8 ms)")
    return 0
