"""``kubekit image pull REF`` and ``kubekit image push REF [DEST]``: the
argument helpers and command functions the image CLI wires in.

Both work on the local image store (:class:`~kubekit.images.imagestore.ImageStore`,
``--root`` or ``$KUBEKIT_IMAGE_ROOT``): a pull names the image by its full
reference there and unpacks its layers into the layer store (unless
``--no-unpack``); a push sends a stored image.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kubekit.images.errors import ImageError
from kubekit.images.reference import parse_reference
from kubekit.images.registry.credentials import Credentials
from kubekit.images.registry.errors import AuthError
from kubekit.images.registry.progress import NullProgress, Progress, TextProgress

__all__ = ["add_pull_arguments", "add_push_arguments", "add_registry_arguments", "client_options", "cmd_pull",
           "cmd_push", "parse_creds", "parse_platform"]


def parse_creds(text: str) -> Credentials:
    """``USER:PASSWORD`` (as skopeo's ``--creds``)."""
    user, sep, password = text.partition(":")
    if not sep or not user:
        raise AuthError("--creds: expected USER:PASSWORD")
    return Credentials(user, password)


def parse_platform(text: str) -> tuple[str, str]:
    """``linux/arm64`` -> ``("linux", "arm64")``."""
    os_, sep, arch = text.partition("/")
    if not sep or not os_ or not arch or "/" in arch:
        raise ImageError(f"--platform {text!r}: expected OS/ARCH, such as linux/amd64")
    return os_, arch


def add_registry_arguments(parser: argparse.ArgumentParser) -> None:
    """How to reach and log in to the registry (the same names as skopeo)."""
    parser.add_argument("--creds", metavar="USER:PASSWORD", help="credentials (default: from the auth files)")
    parser.add_argument("--authfile", metavar="PATH",
                        help="auth file (default: $REGISTRY_AUTH_FILE, then $XDG_RUNTIME_DIR/containers/auth.json, "
                             "then ~/.docker/config.json)")
    parser.add_argument("--tls-verify", default=True, action=argparse.BooleanOptionalAction,
                        help="check the registry's TLS certificate (default: yes)")
    parser.add_argument("--plain-http", default=None, action=argparse.BooleanOptionalAction,
                        help="speak http, not https (default: only to localhost and loopback addresses)")
    parser.add_argument("--root", metavar="DIR", help="image store (default: $KUBEKIT_IMAGE_ROOT or "
                                                      "/var/lib/kubekit/images)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")


def add_pull_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ref", metavar="REF", help="registry/repository[:tag][@digest]")
    parser.add_argument("--platform", metavar="OS/ARCH", help="for an index: which manifest (default: this machine)")
    parser.add_argument("--no-unpack", action="store_true", help="do not unpack the layers into the layer store")
    add_registry_arguments(parser)


def add_push_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ref", metavar="REF", help="a stored image")
    parser.add_argument("dest", metavar="DEST", nargs="?", help="where to push it (default: REF)")
    parser.add_argument("--chunk-size", metavar="BYTES", type=int, help="upload in chunks of this size")
    parser.add_argument("--mount-from", metavar="REPOSITORY",
                        help="try to mount blobs from this repository of the same registry first")
    add_registry_arguments(parser)


def client_options(args: argparse.Namespace) -> dict[str, Any]:
    """:class:`~.client.RegistryClient` keyword arguments from the parsed options."""
    opts: dict[str, Any] = {"auth_file": args.authfile, "tls_verify": args.tls_verify,
                            "plain_http": args.plain_http}
    if args.creds:
        opts["credentials"] = parse_creds(args.creds)
    return opts


def _progress(args: argparse.Namespace) -> Progress:
    return NullProgress() if args.quiet else TextProgress(sys.stderr)


def cmd_pull(args: argparse.Namespace) -> int:
    from kubekit.images.imagestore import (
        ImageStore,  # the store is the image CLI's; imported when used
    )

    from kubekit.images.registry.pull import pull

    store = ImageStore(args.root)
    ref = parse_reference(args.ref)
    platform = parse_platform(args.platform) if args.platform else None
    with store.lease():
        desc = pull(ref, store.oci, platform=platform, progress=_progress(args), **client_options(args))
    if not args.no_unpack:
        store.layers(str(ref))
    print(f"{ref} {desc.digest}")
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from kubekit.images.imagestore import ImageStore
    from kubekit.images.registry.push import PushOptions, push

    store = ImageStore(args.root)
    source = parse_reference(args.ref)
    dest = parse_reference(args.dest) if args.dest else source
    options = PushOptions(chunk_size=args.chunk_size, mount_from=args.mount_from)
    desc = push(store.oci, str(source), dest, progress=_progress(args), options=options, **client_options(args))
    print(f"{dest} {desc.digest}")
    return 0
