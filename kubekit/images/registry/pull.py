"""Pull an image from a registry into an :class:`~kubekit.images.ocidir.OciDir`.

Order of work, so that a failure leaves nothing half-done: the manifest (and
for an index, this machine's manifest from it) is fetched and checked
against its digest; the config and layers are streamed into
:meth:`OciDir.blob_writer` (which publishes a blob only once its digest and
size are right); then the manifests are stored; only then is the reference
set.  Blobs the layout already holds are not fetched, and blobs being
fetched by another thread of this process for the same layout are waited for
rather than fetched again (:class:`~.inflight.InFlight`).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
from collections.abc import Callable, Iterable
from typing import TypeVar

import urllib3

from kubekit.images.errors import DigestMismatchError, ImageError
from kubekit.images.layout import Descriptor, _pick_platform, host_platform
from kubekit.images.ocidir import OciDir
from kubekit.images.reference import Reference, parse_reference
from kubekit.images.registry.client import RegistryClient, _reason
from kubekit.images.registry.errors import RegistryError
from kubekit.images.registry.inflight import InFlight
from kubekit.images.registry.manifests import (
    INDEX_TYPES,
    MANIFEST_TYPES,
    index_children,
    manifest_blobs,
    media_type_of,
)
from kubekit.images.registry.progress import NullProgress, Progress

__all__ = ["fetch_blob", "fetch_manifest", "pull"]

READ_SIZE = 1 << 20
DEFAULT_JOBS = 3

_downloads: InFlight[str] = InFlight()      # (layout path, digest) -> outcome, for this process

T = TypeVar("T")


def fetch_manifest(client: RegistryClient, repository: str, reference: str,
                   expected: str | None = None) -> tuple[bytes, Descriptor, dict]:
    """GET a manifest or index by tag or digest and check it: against
    ``expected`` (the digest it was asked by) and the registry's
    ``Docker-Content-Digest``.  Returns (bytes, descriptor, parsed JSON)."""
    data, ctype, header_digest = client.get_manifest(repository, reference)
    where = f"manifest {client.registry}/{repository}{'@' if reference.startswith('sha256:') else ':'}{reference}"
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    if expected is not None and digest != expected:
        raise DigestMismatchError(f"{where}: content hashes to {digest}, expected {expected}")
    if header_digest and header_digest.startswith("sha256:") and header_digest != digest:
        raise DigestMismatchError(f"{where}: content hashes to {digest}, the registry's Docker-Content-Digest "
                                  f"says {header_digest}")
    media_type, doc = media_type_of(data, ctype, where)
    return data, Descriptor(media_type, digest, len(data)), doc


def fetch_blob(client: RegistryClient, repository: str, desc: Descriptor, ocidir: OciDir,
               progress: Progress | None = None) -> str:
    """Store one blob in ``ocidir`` unless it is there; the outcome
    (``"downloaded"``, ``"exists"`` or ``"shared"``: another thread of this
    process fetched it meanwhile).  A broken transfer or wrong content raises
    and leaves no blob."""
    progress = progress or NullProgress()
    if ocidir.has_blob(desc.digest):
        progress.blob_done(desc.digest, desc.size, "exists")
        return "exists"
    key = (os.path.realpath(ocidir.path), desc.digest)
    outcome, shared = _downloads.run(key, lambda: _download(client, repository, desc, ocidir, progress))
    outcome = "shared" if shared else outcome
    progress.blob_done(desc.digest, desc.size, outcome)
    return outcome


def _download(client: RegistryClient, repository: str, desc: Descriptor, ocidir: OciDir, progress: Progress) -> str:
    if ocidir.has_blob(desc.digest):                  # finished just before we asked
        return "exists"
    where = f"blob {client.registry}/{repository}@{desc.digest}"
    progress.blob_start(desc.digest, desc.size, "download")
    resp = client.open_blob(repository, desc.digest)
    done = 0
    try:
        with ocidir.blob_writer(desc.digest, desc.size) as w:
            for chunk in resp.stream(READ_SIZE, decode_content=False):
                w.write(chunk)
                done += len(chunk)
                if done > desc.size:
                    raise DigestMismatchError(f"{where}: more than the {desc.size} bytes its descriptor says")
                progress.blob_progress(desc.digest, done, desc.size)
    except urllib3.exceptions.HTTPError as e:
        resp.close()
        raise RegistryError(f"{where}: transfer broken after {done} of {desc.size} bytes: {_reason(e)}") from None
    except DigestMismatchError as e:
        resp.close()
        msg = str(e) if str(e).startswith(where) else f"{where}: {e}"
        raise DigestMismatchError(msg) from None
    finally:
        resp.release_conn()
    return "downloaded"


def _run_all(fn: Callable[[T], object], items: Iterable[T], jobs: int) -> None:
    """``fn`` on every item, ``jobs`` at a time; the first error raises once
    every started call has ended (so no download outlives the pull)."""
    items = list(items)
    if jobs <= 1 or len(items) <= 1:
        for item in items:
            fn(item)
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="kubekit-registry") as pool:
        futures = [pool.submit(fn, item) for item in items]
        concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_EXCEPTION)
        for f in futures:
            f.cancel()
        for f in futures:
            if not f.cancelled() and f.exception() is not None:
                raise f.exception()  # type: ignore[misc]


def pull(ref: str | Reference, ocidir: OciDir, *, platform: tuple[str, str] | None = None,
         progress: Progress | None = None, tag_as: str | None = None, client: RegistryClient | None = None,
         jobs: int = DEFAULT_JOBS, **client_options: object) -> Descriptor:
    """Pull ``ref`` (``registry/repo:tag`` or ``...@sha256:...``) into
    ``ocidir`` and name it ``tag_as`` (default: the normalized reference,
    ``127.0.0.1:5000/app:v1``).  For an index, the index and the manifest
    for ``platform`` (default: this machine's) are stored, and the name
    points at the index.  Returns the named descriptor.

    ``client`` is made from ``client_options`` (see :class:`RegistryClient`)
    when not given.  Raises :class:`~.errors.RegistryError` (unreachable,
    refused, broken transfer), :class:`~kubekit.images.errors.DigestMismatchError`
    or :class:`~kubekit.images.errors.ImageError`; then no reference was set
    and no partial blob is left (whole blobs fetched before the failure stay,
    as a later pull would fetch them again)."""
    r = parse_reference(ref) if isinstance(ref, str) else ref
    own_client = client is None
    client = client or RegistryClient(r.api_host, **client_options)  # type: ignore[arg-type]
    progress = progress or NullProgress()
    try:
        ocidir.init()
        data, top, doc = fetch_manifest(client, r.repository, r.digest or r.tag or "latest", r.digest)
        manifests = [(data, top)]
        if top.media_type in INDEX_TYPES:
            where = f"index {client.registry}/{r.repository}@{top.digest}"
            want = platform or host_platform()
            child = _pick_platform(index_children(doc, where), where, want)
            if child.media_type not in MANIFEST_TYPES:
                raise ImageError(f"{where}: the {want[0]}/{want[1]} entry is a {child.media_type!r}, "
                                 f"expected an image manifest")
            data, mdesc, doc = fetch_manifest(client, r.repository, child.digest, child.digest)
            manifests.insert(0, (data, mdesc))
        where = f"manifest {client.registry}/{r.repository}@{manifests[0][1].digest}"
        blobs = manifest_blobs(doc, where)
        _run_all(lambda d: fetch_blob(client, r.repository, d, ocidir, progress), blobs, jobs)
        for data, desc in manifests:                  # the image manifest before the index naming it
            ocidir.write_blob(data, desc.digest)
        ocidir.set_ref(tag_as or str(r), top)
        return top
    finally:
        if own_client:
            client.close()
