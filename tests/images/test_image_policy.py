"""imagePullPolicy: the API default, the kubelet's shouldPullImage, and
ensure_image with its kubelet reasons.  The puller is a real one: it imports
from a local OCI layout, as a registry pull would store into the store."""

from __future__ import annotations

import os

import pytest
from images_helpers import entry, make_tar, write_oci_layout

from kubekit.images import ImageError
from kubekit.images.imagestore import ImageStore
from kubekit.images.policy import (
    PULL_ALWAYS,
    PULL_IF_NOT_PRESENT,
    PULL_NEVER,
    ImageNeverPullError,
    ImagePullError,
    InvalidImageNameError,
    default_pull_policy,
    ensure_image,
    should_pull,
)

D = "sha256:" + "e" * 64


# SetDefaults_Container: ParseImageName's tag ("latest" when neither tag nor digest) decides
@pytest.mark.parametrize("image,policy", [
    ("busybox", PULL_ALWAYS),
    ("busybox:latest", PULL_ALWAYS),
    ("docker.io/library/busybox:latest", PULL_ALWAYS),
    ("localhost:5000/app", PULL_ALWAYS),
    ("busybox:1.36", PULL_IF_NOT_PRESENT),
    ("busybox:Latest", PULL_IF_NOT_PRESENT),           # tags are case-sensitive
    (f"busybox@{D}", PULL_IF_NOT_PRESENT),             # a digest and no tag
    (f"busybox:latest@{D}", PULL_ALWAYS),              # the tag is still "latest"
    (f"busybox:1@{D}", PULL_IF_NOT_PRESENT),
    ("Invalid Image", PULL_IF_NOT_PRESENT),            # the defaulter ignores the parse error
    ("", PULL_IF_NOT_PRESENT),
])
def test_default_pull_policy(image, policy):
    assert default_pull_policy(image) == policy


@pytest.mark.parametrize("policy,present,pull", [
    (PULL_ALWAYS, True, True), (PULL_ALWAYS, False, True),
    (PULL_IF_NOT_PRESENT, True, False), (PULL_IF_NOT_PRESENT, False, True),
    (PULL_NEVER, True, False), (PULL_NEVER, False, False),
    ("Sometimes", False, False), ("", True, False),   # unknown: the kubelet's switch falls through to false
])
def test_should_pull(policy, present, pull):
    assert should_pull(policy, present) is pull


LAYER = make_tar([entry("hello", data=b"hi")])


@pytest.fixture
def world(scratch):
    """A store, and a 'registry' (an OCI layout) the puller copies from."""
    registry = os.path.join(scratch, "registry")
    write_oci_layout(registry, [LAYER], tag="docker.io/library/app:1")
    write_oci_layout(registry, [LAYER], tag="docker.io/library/app:latest")
    pulls = []

    def pull(ref, store):
        pulls.append(str(ref))
        store.import_image(registry, str(ref))          # ImageError when the registry lacks it

    return ImageStore(os.path.join(scratch, "store")), registry, pull, pulls


# (image, policy, already stored?) -> pulls made, or the error reason and message
ENSURE = [
    ("app:1", None, True, [], None),
    ("app:1", None, False, ["docker.io/library/app:1"], None),
    ("app", None, True, ["docker.io/library/app:latest"], None),
    ("app:1", PULL_ALWAYS, True, ["docker.io/library/app:1"], None),
    ("app:1", PULL_IF_NOT_PRESENT, True, [], None),
    ("app:1", PULL_NEVER, True, [], None),
    ("app:1", PULL_NEVER, False, [], ("ErrImageNeverPull",
                                      'Container image "app:1" is not present with pull policy of Never')),
    ("app:2", PULL_IF_NOT_PRESENT, False, ["docker.io/library/app:2"], ("ErrImagePull",
                                                                        'Failed to pull image "app:2": .*no manifest')),
    ("App:1", PULL_ALWAYS, False, [], ("InvalidImageName", 'Failed to apply default image tag "App:1": .*lowercase')),
]


@pytest.mark.parametrize("image,policy,stored,want_pulls,error", ENSURE)
def test_ensure_image(world, image, policy, stored, want_pulls, error):
    store, registry, pull, pulls = world
    if stored:
        store.import_image(registry)
    if error is None:
        img = ensure_image(store, image, policy, pull)
        assert img.diff_ids == store.resolve(image).diff_ids
    else:
        reason, message = error
        with pytest.raises(ImageError, match=message) as caught:
            ensure_image(store, image, policy, pull)
        assert caught.value.reason == reason
    assert pulls == want_pulls


def test_ensure_image_error_classes(world):
    store, _, _, _ = world
    with pytest.raises(ImageNeverPullError):
        ensure_image(store, "x:1", PULL_NEVER)
    with pytest.raises(InvalidImageNameError):
        ensure_image(store, "-x", PULL_NEVER)
    with pytest.raises(ImagePullError, match='Failed to pull image "x:1": no registry client to pull with'):
        ensure_image(store, "x:1")
    with pytest.raises(ImageError, match="imagePullPolicy 'Sometimes': supported values: Always, IfNotPresent, Never"):
        ensure_image(store, "x:1", "Sometimes")


def test_a_puller_that_stores_nothing_is_a_pull_error(world):
    store, _, _, _ = world
    with pytest.raises(ImagePullError, match='Failed to pull image "app:1": image .* is not in the image store'):
        ensure_image(store, "app:1", PULL_ALWAYS, lambda ref, s: None)
