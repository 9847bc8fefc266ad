"""``kubekit image``: the local image store from the command line, with
docker-like output.

    kubekit image ls
    kubekit image import ./layout:v1 --name me/app:v1      # or a `docker save` tar
    kubekit image build ./app -t me/app:v2 --from me/app:v1 --cmd '["/app"]'
    kubekit image tag me/app:v2 me/app:latest
    kubekit image inspect me/app:v2
    kubekit image rm me/app:v1
    kubekit image prune

``--root`` (or ``$KUBEKIT_IMAGE_ROOT``) picks the store.  :func:`add_image_parser`
returns the ``image`` subcommands so more (``pull``, ``push``) can be added
next to these.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import json
import os
import sys
from collections.abc import Sequence

from kubekit.errors import KubekitError

__all__ = ["add_image_parser", "human_duration", "human_size", "main", "split_source"]


# ---------------------------------------------------------------- pure helpers

def human_size(n: int) -> str:
    """Docker's sizes (go-units ``HumanSizeWithPrecision(n, 3)``): decimal
    units, three significant digits: ``999B``, ``1kB``, ``1.23MB``."""
    units = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")
    size, i = float(n), 0
    while size >= 1000 and i < len(units) - 1:
        size /= 1000
        i += 1
    return f"{size:.3g}{units[i]}"


def human_duration(seconds: float) -> str:
    """go-units ``HumanDuration``, as ``docker images`` shows ages (without
    the trailing "ago")."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = s // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(s / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{s // 3600 // 24 // 365} years"


def _age(created: str | None, now: _dt.datetime) -> str:
    if not created:
        return "N/A"
    try:
        when = _dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return "N/A"
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return human_duration((now - when).total_seconds()) + " ago"


def split_source(text: str) -> tuple[str, str | None]:
    """``import``'s argument: a path, or ``DIR:REF`` for one image of an OCI
    layout directory (``./layout:v1``, ``./layout:docker.io/me/app:v1``)."""
    if os.path.exists(text):
        return text, None
    path, sep, ref = text.partition(":")
    if sep and ref and os.path.isdir(path):
        return path, ref
    raise FileNotFoundError(f"{text}: no such OCI layout directory or docker archive")


def _key_values(items: Sequence[str], flag: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise ValueError(f"{flag} {item!r}: expected KEY=VALUE")
        out[key] = value
    return out


# ---------------------------------------------------------------- commands

def _store(args: argparse.Namespace):
    from kubekit.images.imagestore import ImageStore

    return ImageStore(args.root)


def cmd_ls(args: argparse.Namespace) -> int:
    now = _dt.datetime.now(_dt.timezone.utc)
    rows = [("REPOSITORY", "TAG", "DIGEST", "CREATED", "SIZE")]
    records = _store(args).list()
    tagged = {(r.reference.name, r.manifest_digest) for r in records if r.reference.tag is not None}
    for rec in records:
        if rec.reference.tag is None and (rec.reference.name, rec.manifest_digest) in tagged:
            continue                            # a pull's digest name: docker shows the tag row only
        repo = dataclasses.replace(rec.reference, tag=None, digest=None).familiar()
        rows.append((repo, rec.reference.tag or "<none>", rec.manifest_digest.split(":")[1][:12],
                     _age(rec.created, now), human_size(rec.size)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("   ".join(c.ljust(w) for c, w in zip(r, widths)) + "   " + r[4])
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from kubekit.images.reference import parse_reference

    store = _store(args)
    out = []
    for ref in args.refs:
        img = store.resolve(ref)
        out.append({
            "Reference": str(parse_reference(ref)),
            "ManifestDigest": img.manifest_digest,
            "ConfigDigest": img.config_digest,
            "Names": store.names(img.manifest_digest) if img.manifest_digest else [],
            "Config": img.config,
            "Layers": [{"Digest": layer.digest, "DiffID": layer.diff_id, "MediaType": layer.media_type,
                        "Size": layer.size} for layer in img.layers],
        })
    print(json.dumps(out, indent=2))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    path, ref = split_source(args.source)
    for r in _store(args).import_image(path, ref, args.name):
        print(f"Loaded image: {r.familiar()}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from kubekit.images.build import build_image, shell_form

    store = _store(args)
    base = None if args.base in (None, "scratch") else args.base
    ref = build_image(
        store, args.context, tag=args.tag, base=base,
        entrypoint=shell_form(args.entrypoint) if args.entrypoint is not None else None,
        cmd=shell_form(args.cmd) if args.cmd is not None else None,
        env=args.env, workdir=args.workdir, user=args.user, labels=_key_values(args.label, "--label"),
        exposed_ports=args.expose, created=args.created)
    print(f"Successfully built {ref.familiar()} {store.resolve(str(ref)).manifest_digest}")
    return 0


def cmd_tag(args: argparse.Namespace) -> int:
    _store(args).tag(args.src, args.dst)
    return 0


def _print_gc(report) -> None:
    for d in report.blobs:
        print(f"Deleted: {d}")
    for d in report.layers:
        print(f"Deleted layer: {d}")


def _layers_in_use() -> set[str]:
    """Layers that containers of this machine's runtime still stack."""
    from kubekit.runtime.state import DEFAULT_STATE_DIR, StateDir

    if not os.path.isdir(os.path.join(DEFAULT_STATE_DIR, "containers")):
        return set()
    return StateDir(DEFAULT_STATE_DIR).layers_in_use()


def cmd_rm(args: argparse.Namespace) -> int:
    store, status = _store(args), 0
    in_use = _layers_in_use()
    for ref in args.refs:
        try:
            removed = store.remove(ref, prune=not args.no_prune, in_use=in_use)
        except KubekitError as e:
            print(f"kubekit image rm: {e}", file=sys.stderr)
            status = 1
            continue
        for name in removed.untagged:
            print(f"Untagged: {name}")
        if removed.collected is not None:
            _print_gc(removed.collected)
    return status


def cmd_prune(args: argparse.Namespace) -> int:
    report = _store(args).gc(_layers_in_use())
    _print_gc(report)
    print(f"Total: {len(report.blobs)} blobs, {len(report.layers)} layers removed")
    return 0


# ---------------------------------------------------------------- parser

def _run(args: argparse.Namespace) -> int:
    if getattr(args, "root", None) is None:      # a subcommand's own --root, if it has one and it was given, wins
        args.root = args.image_root
    try:
        return args.image_func(args)
    except (KubekitError, OSError, ValueError) as e:
        print(f"kubekit image {args.image_cmd}: {e}", file=sys.stderr)
        return 1


def add_image_parser(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """Add ``image`` and its subcommands to ``sub``; returns the ``image``
    subcommands, so more can join: ``.add_parser("pull")`` then
    ``set_defaults(image_func=cmd_pull)``.  Every subcommand gets
    ``args.root`` (``kubekit image --root DIR ...``; a subcommand that
    defines its own ``--root`` may take it after its name too) and the
    group's error handling (an ImageError, OSError or ValueError prints
    ``kubekit image CMD: message`` and exits 1)."""
    img = sub.add_parser("image", help="the local image store: ls, import, build, tag, inspect, rm, prune",
                         description="Manage the local image store (docs/images-store.md).")
    img.add_argument("--root", dest="image_root", metavar="DIR", default=None,
                     help="the image store (default: $KUBEKIT_IMAGE_ROOT or /var/lib/kubekit/images)")
    img.set_defaults(func=_run)
    cmds = img.add_subparsers(dest="image_cmd", required=True, metavar="COMMAND")

    cmds.add_parser("ls", help="list images").set_defaults(image_func=cmd_ls)
    p = cmds.add_parser("inspect", help="print images' manifest digest, config and layers as JSON")
    p.add_argument("refs", nargs="+", metavar="REF")
    p.set_defaults(image_func=cmd_inspect)
    p = cmds.add_parser("import", help="copy images from an OCI layout (DIR or DIR:REF) or a docker archive")
    p.add_argument("source", metavar="PATH[:REF]")
    p.add_argument("--name", metavar="REF", help="store the image under this name")
    p.set_defaults(image_func=cmd_import)
    p = cmds.add_parser("build", help="build an image: a directory as a layer on a base, with a config")
    p.add_argument("context", metavar="CONTEXT", help="a directory; its files become the new layer at /")
    p.add_argument("-t", "--tag", required=True, metavar="REF")
    p.add_argument("--from", dest="base", metavar="BASE", help="a stored image (default: scratch)")
    p.add_argument("--entrypoint", metavar="JSON|STR", help='["/app","--flag"], or a shell command')
    p.add_argument("--cmd", metavar="JSON|STR", help="as --entrypoint")
    p.add_argument("-e", "--env", action="append", default=[], metavar="K=V")
    p.add_argument("-w", "--workdir", metavar="DIR")
    p.add_argument("-u", "--user", metavar="USER[:GROUP]")
    p.add_argument("--label", action="append", default=[], metavar="K=V")
    p.add_argument("--expose", action="append", default=[], metavar="PORT[/PROTO]")
    p.add_argument("--created", type=int, metavar="UNIX_SECONDS",
                   help="creation time, and the latest mtime kept (default: $SOURCE_DATE_EPOCH, else now)")
    p.set_defaults(image_func=cmd_build)
    p = cmds.add_parser("tag", help="give an image another name")
    p.add_argument("src", metavar="SOURCE")
    p.add_argument("dst", metavar="TARGET")
    p.set_defaults(image_func=cmd_tag)
    p = cmds.add_parser("rm", help="untag images and collect what nothing uses any more")
    p.add_argument("refs", nargs="+", metavar="REF")
    p.add_argument("--no-prune", action="store_true", help="only untag")
    p.set_defaults(image_func=cmd_rm)
    cmds.add_parser("prune", help="remove unreferenced blobs and unused layers").set_defaults(image_func=cmd_prune)
    return cmds


def main(argv: list[str] | None = None) -> int:
    """``kubekit image ...`` on its own (``argv`` starts with ``image``)."""
    ap = argparse.ArgumentParser(prog="kubekit")
    add_image_parser(ap.add_subparsers(dest="cmd", required=True))
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
