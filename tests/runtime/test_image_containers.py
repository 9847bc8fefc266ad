"""Containers started from real image layers (issue 4 §2): an OCI layout is
unpacked into the layer store, its layers become the overlay's lower
directories, and the image config supplies argv, env, workdir and user."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "images"))
from images_helpers import dir_tar as _dir_tar, entry, make_tar, write_oci_layout  # noqa: E402
from runtime_helpers import run_capture  # noqa: E402

from kubekit.images import LayerStore, read_oci_layout  # noqa: E402
from kubekit.runtime.fromimage import spec_from_image  # noqa: E402


@pytest.fixture
def layer_store(world_tmp):
    return LayerStore(os.path.join(world_tmp, "layers"))


def _image(world_tmp, layers, config):
    layout = os.path.join(world_tmp, "layout")
    write_oci_layout(layout, layers, config_extra={"config": config})
    return read_oci_layout(layout, "latest")


def test_container_from_a_three_layer_image(runtime, rootfs, world_tmp, layer_store):
    app = make_tar([
        entry("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n"),
        entry("etc/group", data=b"root:x:0:\napp:x:1000:\nstaff:x:50:app\n"),
        entry("app", "dir"),
        entry("app/hello", data=b"hello from layer 2\n"),
        entry("app/old", data=b"replaced\n"),
        entry("bin/.wh.vi"),                      # the app layer deletes an applet
    ])
    patch = make_tar([
        entry("app/.wh..wh..opq"),                # layer 3 replaces /app wholesale
        entry("app/hello", data=b"hello from layer 3\n"),
    ])
    config = {"Entrypoint": ["/bin/sh", "-c"],
              "Cmd": ['echo "$MODE $HOME"; id -u; id -g; id -G; pwd; cat /app/hello; ls /app; '
                      'test -e /bin/vi || echo vi-gone; touch /tmp/new'],
              "Env": ["MODE=image"], "WorkingDir": "/work/dir", "User": "app"}
    img = _image(world_tmp, [_dir_tar(rootfs), app, patch], config)
    dirs = layer_store.ensure_image(img)
    spec = spec_from_image(img.config, dirs, env=["EXTRA=1"])
    status, out = run_capture(runtime, {f: getattr(spec, f) for f in
                                        ("command", "rootfs_layers", "env", "cwd", "uid", "gid", "additional_gids")})
    assert status.code == 0, out
    assert out.splitlines() == ["image /home/app", "1000", "1000", "1000 50", "/work/dir",
                                "hello from layer 3", "hello", "vi-gone"]
    # The image's layers are untouched by the container's writes (its upper layer took them) ...
    assert not any(os.path.exists(os.path.join(d, "tmp", "new")) for d in dirs)
    # ... and the upper layer went with the container.
    assert os.listdir(runtime.containers_dir) == []


def test_k8s_command_and_args_override_the_image(runtime, rootfs, world_tmp, layer_store):
    img = _image(world_tmp, [_dir_tar(rootfs)], {"Entrypoint": ["/bin/false"], "Cmd": ["ignored"]})
    dirs = layer_store.ensure_image(img)
    spec = spec_from_image(img.config, dirs, command=["/bin/echo"], args=["from", "args"])
    status, out = run_capture(runtime, {"command": spec.command, "rootfs_layers": spec.rootfs_layers, "env": spec.env})
    assert (status.code, out) == (0, "from args\n")


def test_sixty_layers_overflow_the_mount_page_and_still_mount(runtime, rootfs, world_tmp):
    # Long layer paths: 60 of them cannot be named absolutely in one page.
    store = LayerStore(os.path.join(world_tmp, "a-rather-long-layer-store-directory-name", "layers"))
    layers = [_dir_tar(rootfs)] + [make_tar([entry(f"layers/{i:02d}", data=f"{i}\n".encode())]) for i in range(1, 60)]
    img = _image(world_tmp, layers, {"Cmd": ["/bin/sh", "-c", "cat /layers/01 /layers/59; ls /layers | wc -l"]})
    dirs = store.ensure_image(img)
    assert len(":".join(dirs)) > 4096
    spec = spec_from_image(img.config, dirs)
    status, out = run_capture(runtime, {"command": spec.command, "rootfs_layers": spec.rootfs_layers, "env": spec.env})
    assert status.code == 0, out
    assert out.split() == ["1", "59", "59"]


def test_opaque_directories_hold_in_a_user_namespace(runtime, rootfs, world_tmp, layer_store):
    # With a user namespace the overlay is mounted with userxattr and reads
    # user.overlay.opaque, not trusted.overlay.opaque: the store writes both.
    from kubekit.runtime.spec import DEFAULT_NAMESPACES, IdMapping

    lower = make_tar([entry("data", "dir"), entry("data/old", data=b"old\n")])
    upper = make_tar([entry("data/.wh..wh..opq"), entry("data/new", data=b"new\n")])
    img = _image(world_tmp, [_dir_tar(rootfs), lower, upper], {"Cmd": ["/bin/ls", "/data"]})
    dirs = layer_store.ensure_image(img)
    maps = (IdMapping(0, 200000, 65536),)
    for userns in (False, True):
        extra = dict(namespaces=DEFAULT_NAMESPACES | {"user"}, uid_mappings=maps, gid_mappings=maps) if userns else {}
        spec = spec_from_image(img.config, dirs)
        status, out = run_capture(runtime, {"command": spec.command, "rootfs_layers": dirs, **extra})
        assert (status.code, out) == (0, "new\n"), f"user namespace: {userns}"


def test_layers_in_use_are_recorded_until_the_container_goes(runtime, rootfs, world_tmp, layer_store):
    from kubekit.runtime import ContainerSpec

    img = _image(world_tmp, [_dir_tar(rootfs)], {"Cmd": ["/bin/sleep", "30"]})
    dirs = layer_store.ensure_image(img)
    assert runtime.layers_in_use() == set()
    c = runtime.create(ContainerSpec(command=("/bin/sleep", "30"), rootfs_layers=dirs))
    try:
        assert runtime.layers_in_use() == set(dirs)
        assert runtime.state.load(c.id).layers == tuple(dirs)
    finally:
        c.delete()
    assert runtime.layers_in_use() == set()
