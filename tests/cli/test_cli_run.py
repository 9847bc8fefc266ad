"""`kubekit run` and `kubekit gc`, as a user runs them (a real process)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest



@pytest.fixture
def env(tmp_path):
    """Run the CLI against private state, data and cgroup roots."""
    e = dict(os.environ)
    e["KUBEKIT_STATE_DIR"] = str(tmp_path / "state")
    e["KUBEKIT_DATA_DIR"] = str(tmp_path / "data")
    e["KUBEKIT_CGROUP_ROOT"] = f"/kubekit-clitest-{secrets.token_hex(4)}"
    yield e
    from kubekit.runtime import Runtime
    rt = Runtime(state_dir=e["KUBEKIT_STATE_DIR"], data_dir=e["KUBEKIT_DATA_DIR"], cgroup_root=e["KUBEKIT_CGROUP_ROOT"])
    assert rt.state.ids() == [] or all(rt.state.load(i).status == "exited" for i in rt.state.ids())
    rt.sweep(include_exited=True)
    rt.driver.remove_if_empty(e["KUBEKIT_CGROUP_ROOT"])


def kubekit(env, *args, timeout=60):
    return subprocess.run([sys.executable, "-m", "kubekit", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_run_exits_with_the_commands_status(env, rootfs):
    p = kubekit(env, "run", "--rm", "--rootfs", rootfs, "--hostname", "box", "-e", "X=42", "--",
                "/bin/sh", "-c", "echo $(hostname) $X; exit 3")
    assert (p.returncode, p.stdout) == (3, "box 42\n"), p.stderr
    # Nothing is left, not even the empty cgroup root.
    assert not os.path.exists("/sys/fs/cgroup/memory" + env["KUBEKIT_CGROUP_ROOT"])


def test_run_limits_apply(env, rootfs):
    p = kubekit(env, "run", "--rm", "--rootfs", rootfs, "--memory", "32Mi", "--cpus", "500m", "--pids", "64", "--",
                "/bin/tail", "/dev/zero")
    assert p.returncode == 137 and "OOMKilled" in p.stderr


def test_run_host_rootfs_and_volume(env, tmp_path):
    (tmp_path / "in.txt").write_text("hello\n")
    p = kubekit(env, "run", "--rm", "--host-rootfs", "-v", f"{tmp_path}:/mnt/data:ro", "--",
                "/bin/sh", "-c", "cat /mnt/data/in.txt; ls /sys/class/net")
    assert (p.returncode, p.stdout) == (0, "hello\nlo\n"), p.stderr


def test_run_net_host_sees_host_interfaces(env, rootfs):
    p = kubekit(env, "run", "--rm", "--rootfs", rootfs, "--net", "host", "--", "/bin/ls", "/sys/class/net")
    assert p.returncode == 0 and sorted(p.stdout.split()) == sorted(os.listdir("/sys/class/net"))


def test_run_without_rm_keeps_the_upper_layer_until_gc(env, rootfs):
    p = kubekit(env, "run", "--name", "keepme", "--rootfs", rootfs, "--", "/bin/sh", "-c", "echo x > /new")
    assert p.returncode == 0, p.stderr
    upper = os.path.join(env["KUBEKIT_DATA_DIR"], "containers", "keepme", "upper")
    assert open(os.path.join(upper, "new")).read() == "x\n"
    g = kubekit(env, "gc")
    assert g.stdout.split() == ["keepme"] and not os.path.exists(upper)


@pytest.mark.parametrize("args,message", [
    (["--rootfs", "/nonexistent-kubekit", "--", "/bin/true"], "is not a directory"),
    (["--rootfs", "{rootfs}", "--memory", "12Qi", "--", "/bin/true"], "--memory: .*12Qi"),
    (["--rootfs", "{rootfs}", "--cpus", "-1", "--", "/bin/true"], "--cpus: '-1' must be positive"),
    (["--rootfs", "{rootfs}", "-v", "nocolon", "--", "/bin/true"], "is not SRC:DST"),
    (["--rootfs", "{rootfs}", "--cpus", "1000000000", "--", "/bin/true"], "cfs_quota_us|cpu.max"),
    (["--rootfs", "{rootfs}"], "give the command after --"),
])
def test_bad_input_is_a_clear_error_and_leaves_nothing(env, rootfs, args, message):
    import re
    p = kubekit(env, "run", *[a.replace("{rootfs}", rootfs) for a in args])
    assert p.returncode == 125 and re.search(message, p.stderr), p.stderr
    assert not os.path.isdir(os.path.join(env["KUBEKIT_DATA_DIR"], "containers")) or \
        os.listdir(os.path.join(env["KUBEKIT_DATA_DIR"], "containers")) == []


def test_command_not_found_is_127(env, rootfs):
    p = kubekit(env, "run", "--rm", "--rootfs", rootfs, "--", "/no/such")
    assert p.returncode == 127 and "exec(/no/such): No such file or directory" in p.stderr


def test_run_path_imports_neither_numpy_nor_the_scheduler(env, rootfs):
    code = ("import sys; from kubekit.cli import main; rc = main(['run', '--rm', '--rootfs', sys.argv[1], '--', "
            "'/bin/true']); print(rc, 'numpy' in sys.modules, any(m.startswith('kubekit.scheduler') for m in sys.modules))")
    p = subprocess.run([sys.executable, "-c", code, rootfs], env=env, capture_output=True, text=True, timeout=60)
    assert p.stdout.split() == ["0", "False", "False"], p.stderr


@pytest.fixture
def image_env(env, rootfs, tmp_path):
    """A private image store holding local/busybox:1 (the busybox rootfs) and
    local/app:1 (a layer on top with a user, a workdir and an entrypoint)."""
    from kubekit.images import ImageStore, build_image

    env["KUBEKIT_IMAGE_ROOT"] = str(tmp_path / "images")
    store = ImageStore(env["KUBEKIT_IMAGE_ROOT"])
    build_image(store, rootfs, tag="local/busybox:1", cmd=["/bin/echo", "from-cmd"], created=1_700_000_000)
    app = tmp_path / "app"
    (app / "etc").mkdir(parents=True)
    (app / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nsvc:x:4000:4001:svc:/home/svc:/bin/sh\n")
    (app / "etc" / "group").write_text("root:x:0:\nsvc:x:4001:\n")
    build_image(store, str(app), base="local/busybox:1", tag="local/app:1", entrypoint=["/bin/sh", "-c"],
                cmd=['echo "$(id -u):$(id -g) $HOME $(pwd) $MODE"'], env=["MODE=image"], workdir="/srv",
                user="svc", created=1_700_000_000)
    return env


def test_run_image_uses_its_config_and_overrides(image_env):
    p = kubekit(image_env, "run", "--rm", "--pull", "never", "local/busybox:1")
    assert (p.returncode, p.stdout) == (0, "from-cmd\n"), p.stderr
    p = kubekit(image_env, "run", "--rm", "--pull", "never", "local/busybox:1", "/bin/echo", "replaced")
    assert (p.returncode, p.stdout) == (0, "replaced\n"), p.stderr
    p = kubekit(image_env, "run", "--rm", "--pull", "Never", "-e", "MODE=cli", "local/app:1")
    assert (p.returncode, p.stdout) == (0, "4000:4001 /home/svc /srv cli\n"), p.stderr
    p = kubekit(image_env, "run", "--rm", "--pull", "never", "-u", "root", "-w", "/tmp", "--entrypoint", "/bin/pwd",
                "local/app:1")
    assert (p.returncode, p.stdout) == (0, "/tmp\n"), p.stderr


def test_run_image_that_is_missing_with_pull_never_is_a_clear_error(image_env):
    p = kubekit(image_env, "run", "--rm", "--pull", "never", "local/absent:1")
    assert p.returncode == 125
    assert 'Container image "local/absent:1" is not present with pull policy of Never' in p.stderr, p.stderr


def test_run_image_user_must_exist_in_the_image(image_env):
    p = kubekit(image_env, "run", "--rm", "--pull", "never", "-u", "nosuchuser", "local/app:1")
    assert p.returncode == 125 and "unable to find user nosuchuser" in p.stderr, p.stderr


def test_image_gc_keeps_the_layers_a_running_container_stacks(image_env):
    from kubekit.images import ImageStore
    from kubekit.runtime import ContainerSpec, Runtime

    store = ImageStore(image_env["KUBEKIT_IMAGE_ROOT"])
    layers = store.layers("local/app:1")
    rt = Runtime(state_dir=image_env["KUBEKIT_STATE_DIR"], data_dir=image_env["KUBEKIT_DATA_DIR"],
                 cgroup_root=image_env["KUBEKIT_CGROUP_ROOT"])
    c = rt.create(ContainerSpec(command=("/bin/sleep", "30"), rootfs_layers=layers))
    try:
        c.start()
        for ref in ("local/app:1", "local/busybox:1"):
            p = kubekit(image_env, "image", "rm", ref)
            assert p.returncode == 0 and f"Untagged: docker.io/{ref}" in p.stdout, p.stdout + p.stderr
        assert all(os.path.isdir(d) for d in layers)      # the container still stacks them
        assert "Deleted layer" not in p.stdout
    finally:
        c.delete()
    p = kubekit(image_env, "image", "prune")
    assert p.returncode == 0 and p.stdout.count("Deleted layer") == len(layers), p.stdout
    assert not any(os.path.exists(d) for d in layers)


def test_run_image_pulls_it_from_a_registry_when_missing(env, rootfs, tmp_path):
    here = os.path.dirname(__file__)
    for d in ("images", os.path.join("images", "registry")):
        sys.path.insert(0, os.path.join(here, "..", d))
    from registry_images import busybox_layout
    from registry_server import REGISTRY_BIN, run_registry

    from kubekit.images.ocidir import OciDir
    from kubekit.images.registry import push

    if not os.access(REGISTRY_BIN, os.X_OK):
        pytest.skip(f"{REGISTRY_BIN} not installed (apt-get install docker-registry)")
    env["KUBEKIT_IMAGE_ROOT"] = str(tmp_path / "images")
    with run_registry() as reg:
        layout = str(tmp_path / "layout")
        busybox_layout(layout, rootfs)
        image = f"{reg.addr}/busybox:e2e"
        push(OciDir(layout), "latest", image)
        p = kubekit(env, "run", "--rm", "--pull", "never", image, "/bin/cat", "/etc/motd")
        assert p.returncode == 125 and "is not present with pull policy of Never" in p.stderr, p.stderr
        p = kubekit(env, "run", "--rm", image, "/bin/cat", "/etc/motd")       # --pull missing: pulls it
        assert (p.returncode, p.stdout) == (0, "hello from the registry tests\n"), p.stderr
    p = kubekit(env, "run", "--rm", image, "/bin/cat", "/etc/motd")           # registry gone: the store has it
    assert (p.returncode, p.stdout) == (0, "hello from the registry tests\n"), p.stderr
    p = kubekit(env, "run", "--rm", "--pull", "always", image, "/bin/true")   # and Always must reach it
    assert p.returncode == 125 and reg.addr in p.stderr, p.stderr
