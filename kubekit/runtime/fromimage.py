"""A container from an image: the image config's defaults under the
container's overrides, decided exactly as Kubernetes and its runtimes do.

* **argv** (Kubernetes "Define a command and arguments"; containerd's CRI
  ``WithProcessArgs``, from moby's ``daemon/commit.go``): ``command`` replaces
  the image's Entrypoint *and* drops its Cmd; ``args`` alone replace Cmd and
  keep Entrypoint; an Entrypoint of ``[""]`` counts as none.
* **env**: the runtime's default ``PATH``, then the image's Env, then the
  container's, each ``KEY=`` replacing an earlier one in place (containerd's
  ``replaceOrAppendEnvValues``); ``HOME`` from the user's passwd entry when
  nothing set it (runc).
* **workdir**: the container's, else the image's WorkingDir, else ``/``.
* **user**: ``name``, ``uid``, ``name:group`` or ``uid:gid``, resolved through
  the image's own ``/etc/passwd`` and ``/etc/group`` as runc resolves it
  (moby/sys/user ``GetExecUser``): a numeric id with no entry is used as is;
  a name with no entry is an error; supplementary groups come from
  ``/etc/group`` only when no group was given.

Everything here is pure apart from reading the image's two files through a
:class:`~kubekit.runtime.lowerview.LowerView`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubekit.errors import RuntimeSpecError
from kubekit.runtime.lowerview import LowerView
from kubekit.runtime.spec import DEFAULT_ENV, ContainerSpec

__all__ = ["ExecUser", "merge_command", "merge_env", "resolve_user", "spec_from_image"]

MAX_ID = 2**31 - 1


def merge_command(entrypoint: Sequence[str] | None, cmd: Sequence[str] | None,
                  command: Sequence[str] | None = None, args: Sequence[str] | None = None) -> tuple[str, ...]:
    """The process argv from the image's Entrypoint/Cmd and the container's
    command/args (``None`` or empty = not given)."""
    run_command = list(command or ())
    run_args = list(args or ())
    if not run_command:
        if not run_args:
            run_args = list(cmd or ())
        if command is None or not command:
            ep = list(entrypoint or ())
            if ep != [""]:
                run_command = ep
    argv = tuple(run_command + run_args)
    if not argv:
        raise RuntimeSpecError("command: no command specified (the image has no Entrypoint or Cmd, and none was given)")
    return argv


def merge_env(*layers: Iterable[str]) -> tuple[str, ...]:
    """``KEY=VALUE`` lists merged left to right; a later key replaces an
    earlier one where it stood.  An entry without ``=`` is refused."""
    out: list[str] = []
    where: dict[str, int] = {}
    for layer in layers:
        for kv in layer:
            key, eq, _ = kv.partition("=")
            if not eq or not key:
                raise RuntimeSpecError(f"env: {kv!r} is not KEY=VALUE")
            if key in where:
                out[where[key]] = kv
            else:
                where[key] = len(out)
                out.append(kv)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ExecUser:
    uid: int = 0
    gid: int = 0
    additional_gids: tuple[int, ...] = ()
    home: str = "/"


def _records(text: str | None, fields: int) -> list[list[str]]:
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        parts = line.split(":")
        out.append(parts + [""] * (fields - len(parts)))
    return out


def _atoi(text: str) -> int | None:
    """Go's ``strconv.Atoi``: an int, or None if ``text`` is not one."""
    t = text[1:] if text[:1] in "+-" else text
    return int(text) if t.isdigit() and t.isascii() else None


def _check_range(v: int, what: str) -> int:
    if not 0 <= v <= MAX_ID:
        raise RuntimeSpecError(f"user: {what} {v} is out of range 0-{MAX_ID}")
    return v


def resolve_user(user: str, passwd: str | None, group: str | None, defaults: ExecUser = ExecUser()) -> ExecUser:
    """``user`` (``""``, ``name``, ``uid``, with ``:group`` or ``:gid``)
    against the text of ``/etc/passwd`` and ``/etc/group`` (None = absent),
    as moby/sys/user's ``GetExecUser``; runc's defaults are root with home ``/``."""
    user_arg, _, group_arg = (user or "").partition(":")
    uid_arg, gid_arg = _atoi(user_arg), _atoi(group_arg)
    uid, gid, sgids, home = defaults.uid, defaults.gid, defaults.additional_gids, defaults.home
    matched = ""
    for rec in _records(passwd, 7):
        r_uid, r_gid = _atoi(rec[2]) or 0, _atoi(rec[3]) or 0     # Go's parser leaves bad numbers 0
        hit = (r_uid == defaults.uid if not user_arg else r_uid == uid_arg if uid_arg is not None
               else rec[0] == user_arg)
        if hit:
            matched, uid, gid, home = rec[0], r_uid, r_gid, rec[5]
            break
    else:
        if user_arg:
            if uid_arg is None:
                raise RuntimeSpecError(f"user: unable to find user {user_arg}: no matching entries in passwd file")
            uid = _check_range(uid_arg, "uid")
    if group_arg or matched:
        hits = []
        for rec in _records(group, 4):
            g = _atoi(rec[2]) or 0
            if not group_arg:
                if matched in rec[3].split(","):
                    hits.append(g)
            elif (g == gid_arg) if gid_arg is not None else rec[0] == group_arg:
                hits.append(g)
        if group_arg:
            if hits:
                gid = hits[0]
            elif gid_arg is not None:
                gid = _check_range(gid_arg, "gid")
            else:
                raise RuntimeSpecError(f"user: unable to find group {group_arg}: no matching entries in group file")
        elif hits:
            sgids = tuple(hits)
    return ExecUser(uid, gid, sgids, home)


def _etc_file(view: LowerView, path: str) -> str | None:
    from kubekit.runtime.plan import secure_join

    return view.read_text(secure_join(view, path))


def spec_from_image(image_config: Mapping[str, Any], layers: Sequence[str], *,
                    command: Sequence[str] | None = None, args: Sequence[str] | None = None,
                    env: Iterable[str] = (), workdir: str | None = None, user: str | None = None,
                    run_as_user: int | None = None, run_as_group: int | None = None,
                    supplemental_groups: Iterable[int] = (), **fields: Any) -> ContainerSpec:
    """The spec of a container of the image whose config JSON is
    ``image_config`` and whose unpacked layers are ``layers`` (bottom first).

    ``command``/``args`` are Kubernetes' container fields; ``user`` replaces
    the image's User (``docker run -u``); ``run_as_user``/``run_as_group``
    are the securityContext's numeric overrides and ``supplemental_groups``
    the pod's.  Other ``ContainerSpec`` fields pass through ``fields``."""
    cfg = image_config.get("config") or {}
    if not isinstance(cfg, Mapping):
        raise RuntimeSpecError("image config: 'config' must be an object")
    argv = merge_command(cfg.get("Entrypoint"), cfg.get("Cmd"), command, args)
    view = LowerView(tuple(layers))
    if run_as_user is not None or run_as_group is not None:   # containerd's generateUserString
        if run_as_user is None:
            raise RuntimeSpecError(f"securityContext.runAsGroup: user group {run_as_group} is specified without user")
        who = str(run_as_user) + (f":{run_as_group}" if run_as_group is not None else "")
    else:
        who = user if user is not None else str(cfg.get("User") or "")
    eu = resolve_user(who, _etc_file(view, "/etc/passwd"), _etc_file(view, "/etc/group"))
    merged = merge_env(DEFAULT_ENV, cfg.get("Env") or (), env)
    if not any(kv.startswith("HOME=") for kv in merged):
        merged += (f"HOME={eu.home}",)
    gids = tuple(dict.fromkeys((*eu.additional_gids, *supplemental_groups)))
    cwd = workdir or cfg.get("WorkingDir") or "/"
    spec = ContainerSpec(command=argv, rootfs_layers=tuple(layers), env=merged, cwd=cwd, uid=eu.uid, gid=eu.gid,
                         additional_gids=gids)
    return dataclasses.replace(spec, **fields) if fields else spec
