"""Push an image from an :class:`~kubekit.images.ocidir.OciDir` to a registry.

For each blob of the manifest (config and layers): ``HEAD`` it and skip it if
the repository has it; else, with ``mount_from``, ask the registry to mount it
from that repository (201: done; 202: the registry opened an upload instead);
else upload it, in one ``PUT`` (monolithic) or, with ``chunk_size``, in
``PATCH`` chunks following the ``Location`` the registry gives each time, then
``PUT ?digest=``.  The manifest goes last, so a registry never holds a
manifest whose blobs are missing; for an index, each of its manifests is
pushed (by digest) before the index.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kubekit.images.errors import ImageError
from kubekit.images.layout import Descriptor
from kubekit.images.ocidir import OciDir
from kubekit.images.reference import Reference, parse_reference
from kubekit.images.registry.client import RegistryClient
from kubekit.images.registry.manifests import (
    INDEX_TYPES,
    index_children,
    manifest_blobs,
    media_type_of,
)
from kubekit.images.registry.progress import NullProgress, Progress
from kubekit.images.registry.pull import DEFAULT_JOBS, READ_SIZE, _run_all

__all__ = ["PushOptions", "push", "push_blob", "resolve_source"]


@dataclass(frozen=True, slots=True)
class PushOptions:
    """How blobs travel: ``chunk_size`` (bytes) switches to chunked uploads;
    ``mount_from`` names a repository of the same registry to mount blobs
    from; ``jobs`` blobs move at a time."""
    chunk_size: int | None = None
    mount_from: str | None = None
    jobs: int = DEFAULT_JOBS


def resolve_source(ocidir: OciDir, source: str | Descriptor) -> Descriptor:
    """A descriptor from a reference name in ``ocidir`` (exactly as stored,
    or normalized: ``app:v1`` finds ``docker.io/library/app:v1``), or a
    manifest digest stored there."""
    if isinstance(source, Descriptor):
        return source
    refs = ocidir.refs()
    if source in refs:
        return refs[source]
    if source.startswith("sha256:"):
        hits = [d for d in ocidir.descriptors() if d.digest == source]
        if hits:
            return hits[0]
    else:
        try:
            normalized = str(parse_reference(source))
        except ImageError:
            normalized = source
        if normalized in refs:
            return refs[normalized]
    raise ImageError(f"{ocidir.path}: no image named {source!r} (names: {sorted(refs)})")


def _file_chunks(ocidir: OciDir, desc: Descriptor, progress: Progress) -> Iterator[bytes]:
    done = 0
    with ocidir.open_blob(desc.digest) as f:
        while chunk := f.read(READ_SIZE):
            done += len(chunk)
            progress.blob_progress(desc.digest, done, desc.size)
            yield chunk


def push_blob(client: RegistryClient, repository: str, ocidir: OciDir, desc: Descriptor,
              options: PushOptions = PushOptions(), progress: Progress | None = None) -> str:
    """Make sure ``repository`` holds the blob; the outcome: ``"exists"``,
    ``"mounted"`` or ``"uploaded"``."""
    progress = progress or NullProgress()
    if not ocidir.has_blob(desc.digest):
        raise ImageError(f"{ocidir.path}: blob {desc.digest} is not stored; cannot push it to "
                         f"{client.registry}/{repository}")
    if client.blob_size(repository, desc.digest, client.push_scopes(repository, options.mount_from)) is not None:
        outcome = "exists"
    else:
        location = None
        if options.mount_from and options.mount_from != repository:
            location = client.mount_blob(repository, desc.digest, options.mount_from)   # None: mounted
        if location is None and options.mount_from and options.mount_from != repository:
            outcome = "mounted"
        else:
            _upload(client, repository, location or client.start_upload(repository), ocidir, desc, options, progress)
            outcome = "uploaded"
    progress.blob_done(desc.digest, desc.size, outcome)
    return outcome


def _upload(client: RegistryClient, repository: str, location: str, ocidir: OciDir, desc: Descriptor,
            options: PushOptions, progress: Progress) -> None:
    progress.blob_start(desc.digest, desc.size, "upload")
    if options.chunk_size:
        _upload_chunked(client, repository, location, ocidir, desc, options.chunk_size, progress)
    else:
        client.upload_monolithic(repository, location, desc.digest, desc.size,
                                 lambda: _file_chunks(ocidir, desc, progress))


def _upload_chunked(client: RegistryClient, repository: str, location: str, ocidir: OciDir, desc: Descriptor,
                    chunk_size: int, progress: Progress) -> None:
    offset = 0
    with ocidir.open_blob(desc.digest) as f:
        while chunk := f.read(chunk_size):
            location = client.upload_chunk(repository, location, chunk, offset)
            offset += len(chunk)
            progress.blob_progress(desc.digest, offset, desc.size)
    client.finish_upload(repository, location, desc.digest)


def _push_manifest(client: RegistryClient, repository: str, ocidir: OciDir, desc: Descriptor, reference: str,
                   options: PushOptions, progress: Progress) -> None:
    where = f"{ocidir.path}: {desc.media_type.rsplit('.', 1)[-1]} {desc.digest}"
    if not ocidir.has_blob(desc.digest):
        raise ImageError(f"{where}: not stored (a pull keeps only this machine's manifest of an index); "
                         f"cannot push it to {client.registry}/{repository}")
    with ocidir.open_blob(desc.digest) as f:
        data = f.read(desc.size + 1)
    if len(data) != desc.size:
        raise ImageError(f"{where}: {len(data)} bytes, its descriptor says {desc.size}")
    media_type, doc = media_type_of(data, desc.media_type, where)
    if media_type in INDEX_TYPES:
        for child in index_children(doc, where):
            _push_manifest(client, repository, ocidir, child, child.digest, options, progress)
    else:
        _run_all(lambda d: push_blob(client, repository, ocidir, d, options, progress),
                 manifest_blobs(doc, where), options.jobs)
    client.put_manifest(repository, reference, data, media_type)


def push(ocidir: OciDir, source: str | Descriptor, dest: str | Reference, *, progress: Progress | None = None,
         options: PushOptions = PushOptions(), client: RegistryClient | None = None,
         **client_options: object) -> Descriptor:
    """Push the image ``source`` (a reference name or manifest digest in
    ``ocidir``, or a descriptor) to ``dest`` (``registry/repo:tag``, or
    ``@sha256:...`` to push by digest).  Returns the pushed manifest's
    descriptor: its digest is what ``dest@digest`` now pulls."""
    r = parse_reference(dest) if isinstance(dest, str) else dest
    desc = resolve_source(ocidir, source)
    if r.digest is not None and r.digest != desc.digest:
        raise ImageError(f"cannot push {desc.digest} as {r}: the digest differs")
    own_client = client is None
    client = client or RegistryClient(r.api_host, **client_options)  # type: ignore[arg-type]
    try:
        client.ping()             # learn the challenge first: uploads then carry credentials at once
        _push_manifest(client, r.repository, ocidir, desc, r.tag if r.digest is None else r.digest, options,
                       progress or NullProgress())
        return Descriptor(desc.media_type, desc.digest, desc.size)
    finally:
        if own_client:
            client.close()
