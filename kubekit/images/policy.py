"""Kubernetes' ``imagePullPolicy``, decided as the API server and the kubelet
decide it.

* The default (``SetDefaults_Container`` in ``pkg/apis/core/v1/defaults.go``):
  ``Always`` when the image's tag is ``latest`` (given, or implied because
  neither a tag nor a digest is), else ``IfNotPresent``.  ``busybox@sha256:..``
  has no tag, so ``IfNotPresent``; ``busybox:latest@sha256:..`` keeps its tag,
  so ``Always``.  A reference that does not parse gets ``IfNotPresent`` (the
  defaulter ignores the error; validation refuses the pod).
* Whether to pull (``shouldPullImage`` in ``pkg/kubelet/images``): ``Never``
  never, ``Always`` always, ``IfNotPresent`` when the image is not present.
* :func:`ensure_image` is the kubelet's ``EnsureImageExists``: it fails with
  the kubelet's reasons (``InvalidImageName``, ``ErrImageNeverPull``,
  ``ErrImagePull``), which the runtime reports as the container's waiting
  reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from kubekit.images.errors import ImageError
from kubekit.images.imagestore import ImageStore
from kubekit.images.layout import Image
from kubekit.images.reference import Reference, parse_reference

__all__ = [
    "PULL_ALWAYS",
    "PULL_IF_NOT_PRESENT",
    "PULL_NEVER",
    "PULL_POLICIES",
    "ImageNeverPullError",
    "ImagePullError",
    "ImagePullPolicyError",
    "InvalidImageNameError",
    "default_pull_policy",
    "ensure_image",
    "should_pull",
]

PULL_ALWAYS, PULL_IF_NOT_PRESENT, PULL_NEVER = "Always", "IfNotPresent", "Never"
PULL_POLICIES = (PULL_ALWAYS, PULL_IF_NOT_PRESENT, PULL_NEVER)

Puller = Callable[[Reference, ImageStore], object]


class ImagePullPolicyError(ImageError):
    """Getting a container's image failed; ``reason`` is the kubelet's
    (the container's ``state.waiting.reason``)."""
    reason = "ErrImagePull"


class InvalidImageNameError(ImagePullPolicyError):
    reason = "InvalidImageName"


class ImageNeverPullError(ImagePullPolicyError):
    reason = "ErrImageNeverPull"


class ImagePullError(ImagePullPolicyError):
    reason = "ErrImagePull"


def default_pull_policy(image: str) -> str:
    """The policy a container gets when it gives none."""
    try:
        ref = parse_reference(image)
    except ImageError:
        return PULL_IF_NOT_PRESENT
    return PULL_ALWAYS if ref.tag == "latest" else PULL_IF_NOT_PRESENT


def should_pull(policy: str, present: bool) -> bool:
    """The kubelet's ``shouldPullImage`` (an unknown policy, which validation
    refuses earlier, pulls nothing)."""
    if policy == PULL_ALWAYS:
        return True
    if policy == PULL_IF_NOT_PRESENT:
        return not present
    return False


def ensure_image(store: ImageStore, image: str, policy: str | None = None, pull: Puller | None = None) -> Image:
    """The stored image for a container's ``image`` under ``policy``
    (None: the default), pulled first through ``pull(reference, store)``
    when the policy asks.  ``pull`` stores the image (and names it) or
    raises; what it returns is ignored."""
    if policy is None:
        policy = default_pull_policy(image)
    if policy not in PULL_POLICIES:
        raise ImageError(f"imagePullPolicy {policy!r}: supported values: {', '.join(PULL_POLICIES)}")
    try:
        ref = parse_reference(image)
    except ImageError as e:
        raise InvalidImageNameError(f"Failed to apply default image tag {_q(image)}: {e}") from e
    present = store.has(str(ref))
    if not should_pull(policy, present):
        if present:
            return store.resolve(str(ref))
        raise ImageNeverPullError(f"Container image {_q(image)} is not present with pull policy of Never")
    if pull is None:
        raise ImagePullError(f"Failed to pull image {_q(image)}: no registry client to pull with")
    try:
        pull(ref, store)
        return store.resolve(str(ref))
    except Exception as e:     # any failure of the puller is the pod's ErrImagePull
        raise ImagePullError(f"Failed to pull image {_q(image)}: {e}") from e


def _q(text: str) -> str:
    """Go's ``%q``, which the kubelet's messages use: a double-quoted string."""
    return json.dumps(text)
