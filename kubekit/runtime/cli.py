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
                       description="Run CMD in a new container and exit with its status, as `docker run` does.")
    root = r.add_mutually_exclusive_group(required=True)
    root.add_argument("--rootfs", metavar="DIR", help="a root filesystem directory (read-only lower layer)")
    root.add_argument("--host-rootfs", action="store_true", help="use the host's / read-only as the lower layer")
    r.add_argument("--memory", metavar="QTY", help="memory limit, a Kubernetes quantity (64Mi)")
    r.add_argument("--cpus", metavar="QTY", help="cpu limit as a quantity (500m = half a cpu)")
    r.add_argument("--pids", type=int, metavar="N", help="maximum number of processes")
    r.add_argument("--hostname", metavar="H")
    r.add_argument("--net", choices=("none", "host"), default="none",
                   help="none: a new network namespace with only lo (default); host: share the host's")
    r.add_argument("-v", "--volume", action="append", default=[], metavar="SRC:DST[:ro]")
    r.add_argument("-e", "--env", action="append", default=[], metavar="K=V")
    r.add_argument("-w", "--workdir", default="/", metavar="DIR")
    r.add_argument("-u", "--user", metavar="UID[:GID]")
    r.add_argument("--name", help="container id (default: random)")
    r.add_argument("--rm", action="store_true", help="also remove the container's upper layer on exit")
    r.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD...")
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


def spec_from_args(args: argparse.Namespace):
    """The ContainerSpec ``kubekit run`` asks for (pure apart from Quantity)."""
    from kubekit.runtime.spec import (
        DEFAULT_ENV,
        DEFAULT_NAMESPACES,
        ContainerSpec,
        Mount,
        Resources,
    )

    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        raise RuntimeSpecError("run: give the command after --, e.g. kubekit run --host-rootfs -- /bin/true")
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
    uid = gid = 0
    if args.user:
        try:
            uid_s, _, gid_s = args.user.partition(":")
            uid, gid = int(uid_s), int(gid_s or uid_s)
        except ValueError:
            raise RuntimeSpecError(f"--user: {args.user!r} is not UID[:GID]") from None
    namespaces = DEFAULT_NAMESPACES if args.net == "none" else DEFAULT_NAMESPACES - {"net"}
    return ContainerSpec(
        command=tuple(command), rootfs=args.rootfs, host_rootfs=args.host_rootfs,
        env=DEFAULT_ENV + tuple(args.env), cwd=args.workdir, uid=uid, gid=gid, hostname=args.hostname,
        namespaces=namespaces, mounts=tuple(mounts), resources=Resources(**res), die_with_parent=True,
        stdin=0, stdout=1, stderr=2,
    )


def cmd_run(args: argparse.Namespace) -> int:
    from kubekit.runtime.runtime import Runtime

    try:
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
