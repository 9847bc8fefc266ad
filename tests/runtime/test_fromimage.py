"""Image config + container overrides -> process, against the tables of
Kubernetes' docs, containerd's CRI and moby/sys/user (what runc uses)."""

from __future__ import annotations

import os

import pytest

from kubekit.errors import RuntimeSpecError
from kubekit.runtime.fromimage import ExecUser, merge_command, merge_env, resolve_user, spec_from_image
from kubekit.runtime.spec import DEFAULT_ENV

# kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#notes
K8S_TABLE = [
    (["/ep-1"], ["foo", "bar"], None, None, ("/ep-1", "foo", "bar")),
    (["/ep-1"], ["foo", "bar"], ["/ep-2"], None, ("/ep-2",)),
    (["/ep-1"], ["foo", "bar"], None, ["zoo", "boo"], ("/ep-1", "zoo", "boo")),
    (["/ep-1"], ["foo", "bar"], ["/ep-2"], ["zoo", "boo"], ("/ep-2", "zoo", "boo")),
    # containerd: an Entrypoint of [""] is "no entrypoint"; Cmd alone runs.
    ([""], ["sh"], None, None, ("sh",)),
    (None, ["sh", "-c", "x"], None, None, ("sh", "-c", "x")),
    (["/ep"], None, None, None, ("/ep",)),
    (None, ["cmd"], None, ["a"], ("a",)),
    (["/ep"], ["cmd"], [], [], ("/ep", "cmd")),          # empty lists count as "not set"
]


@pytest.mark.parametrize("entrypoint,cmd,command,args,expected", K8S_TABLE)
def test_merge_command_follows_kubernetes(entrypoint, cmd, command, args, expected):
    assert merge_command(entrypoint, cmd, command, args) == expected


def test_merge_command_without_anything_is_refused():
    with pytest.raises(RuntimeSpecError, match="no command specified"):
        merge_command(None, None)
    with pytest.raises(RuntimeSpecError, match="no command specified"):
        merge_command([""], None)


def test_merge_env_replaces_in_place_and_appends():
    assert merge_env(DEFAULT_ENV, ["A=1", "PATH=/app/bin"], ["B=2", "A=3"]) == ("PATH=/app/bin", "A=3", "B=2")
    assert merge_env(["A=1"], ["A="]) == ("A=",)
    with pytest.raises(RuntimeSpecError, match="'NOEQ' is not KEY=VALUE"):
        merge_env(["NOEQ"])


# moby/sys/user user_test.go: TestValidGetExecUser (defaults 8888, /8888).
PASSWD = """
root:x:0:0:root user:/root:/bin/bash
adm:x:42:43:adm:/var/adm:/bin/false
111:x:222:333::/var/garbage
odd:x:111:112::/home/odd:::::
user7456:x:7456:100:Vasya:/home/user7456
this is just some garbage data
"""
GROUP = """
root:x:0:root
adm:x:43:
grp:x:1234:root,adm,user7456
444:x:555:111
odd:x:444:
this is just some garbage data
largegroup:x:1000:""" + ",".join(f"user{i}" for i in range(1, 7501))

D = ExecUser(8888, 8888, (8888,), "/8888")
VALID = [
    ("root", ExecUser(0, 0, (0, 1234), "/root")),
    ("adm", ExecUser(42, 43, (1234,), "/var/adm")),
    ("root:adm", ExecUser(0, 43, D.additional_gids, "/root")),
    ("adm:1234", ExecUser(42, 1234, D.additional_gids, "/var/adm")),
    ("42:1234", ExecUser(42, 1234, D.additional_gids, "/var/adm")),
    ("1337:1234", ExecUser(1337, 1234, D.additional_gids, D.home)),
    ("1337", ExecUser(1337, D.gid, D.additional_gids, D.home)),
    ("", D),
    ("111", ExecUser(111, 112, D.additional_gids, "/home/odd")),
    ("111:444", ExecUser(111, 444, D.additional_gids, "/home/odd")),
    ("7456", ExecUser(7456, 100, (1234, 1000), "/home/user7456")),
]


@pytest.mark.parametrize("ref,expected", VALID)
def test_resolve_user_valid(ref, expected):
    assert resolve_user(ref, PASSWD, GROUP, D) == expected


INVALID_PASSWD = """
root:x:0:0:root user:/root:/bin/bash
adm:x:42:43:adm:/var/adm:/bin/false
-42:x:12:13:broken:/very/broken
this is just some garbage data
"""
INVALID_GROUP = """
root:x:0:root
adm:x:43:
grp:x:1234:root,adm
this is just some garbage data
"""


@pytest.mark.parametrize("ref", ["notuser", "notuser:notgroup", "root:notgroup", "notuser:adm", "8888:notgroup",
                                 "notuser:8888", "-1:0", "0:-3", "-5:-2", "-42", "-43"])
def test_resolve_user_invalid(ref):
    with pytest.raises(RuntimeSpecError, match="user: "):
        resolve_user(ref, INVALID_PASSWD, INVALID_GROUP)


# TestGetExecUserNilSources: an image without /etc/passwd or /etc/group.
@pytest.mark.parametrize("ref,has_passwd,expected", [
    ("", False, D),
    ("root", True, ExecUser(0, 0, (8888,), "/root")),
    ("0", False, ExecUser(0, 8888, (8888,), "/8888")),
    ("0:0", False, ExecUser(0, 0, (8888,), "/8888")),
])
def test_resolve_user_without_files(ref, has_passwd, expected):
    assert resolve_user(ref, INVALID_PASSWD if has_passwd else None, None, D) == expected


def test_runc_defaults_are_root_with_home_slash():
    assert resolve_user("", None, None) == ExecUser(0, 0, (), "/")
    assert resolve_user("1000", None, None) == ExecUser(1000, 0, (), "/")


def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def test_spec_from_image_reads_the_merged_layers(tmp_path):
    base, top = str(tmp_path / "base"), str(tmp_path / "top")
    _write(f"{base}/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n")
    _write(f"{base}/etc/group", "root:x:0:\n")
    # The top layer adds a user: the merged view must see its passwd, not the base's.
    _write(f"{top}/etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n")
    _write(f"{top}/etc/group", "root:x:0:\napp:x:1000:\nextra:x:2000:app\n")
    config = {"config": {"Entrypoint": ["/bin/app"], "Cmd": ["--serve"], "Env": ["PATH=/opt/bin", "MODE=image"],
                         "WorkingDir": "/srv", "User": "app"}}
    spec = spec_from_image(config, (base, top), env=["MODE=pod"])
    assert spec.command == ("/bin/app", "--serve")
    assert spec.env == ("PATH=/opt/bin", "MODE=pod", "HOME=/home/app")
    assert (spec.uid, spec.gid, spec.additional_gids, spec.cwd) == (1000, 1000, (2000,), "/srv")
    assert spec.rootfs_layers == (base, top) and spec.rootfs is None

    # Kubernetes overrides: command drops Cmd; runAsUser/runAsGroup replace the image's User.
    spec = spec_from_image(config, (base, top), command=["/bin/sh"], workdir="/tmp", run_as_user=5, run_as_group=6,
                           supplemental_groups=[7])
    assert spec.command == ("/bin/sh",)
    assert (spec.uid, spec.gid, spec.additional_gids, spec.cwd) == (5, 6, (7,), "/tmp")
    with pytest.raises(RuntimeSpecError, match="runAsGroup: user group 6 is specified without user"):
        spec_from_image(config, (base, top), run_as_group=6)
    # Only the base layer: "app" does not exist there.
    with pytest.raises(RuntimeSpecError, match="unable to find user app"):
        spec_from_image(config, (base,))
