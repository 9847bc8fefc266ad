"""The spec -> child program compiler (pure apart from reading the rootfs)."""

import os

import pytest

from kubekit.errors import RuntimeSpecError
from kubekit.runtime import plan
from kubekit.runtime.ops import Code
from kubekit.runtime.spec import DEFAULT_NAMESPACES, ContainerSpec, Mount


@pytest.fixture
def root(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "usr" / "lib").mkdir(parents=True)
    (tmp_path / "lib").symlink_to("usr/lib")
    (tmp_path / "abs").symlink_to("/etc")
    (tmp_path / "up").symlink_to("../../../../etc")
    (tmp_path / "loop").symlink_to("loop")
    return str(tmp_path)


@pytest.mark.parametrize("path,expected", [
    ("/etc", "/etc"),
    ("etc/passwd", "/etc/passwd"),
    ("/lib/x", "/usr/lib/x"),          # relative link inside the root
    ("/abs/passwd", "/etc/passwd"),    # absolute link re-rooted, never the host's /etc
    ("/up", "/etc"),                   # .. cannot climb above the root
    ("/../../etc", "/etc"),
    ("/usr/./lib/../lib", "/usr/lib"),
    ("/", "/"),
    ("/missing/dir", "/missing/dir"),
])
def test_secure_join(root, path, expected):
    assert plan.secure_join(root, path) == expected


def test_secure_join_symlink_loop(root):
    with pytest.raises(RuntimeSpecError, match="too many levels"):
        plan.secure_join(root, "/loop/x")


def _spec(tmp_path, **kw):
    return ContainerSpec(command=("/bin/true",), rootfs=str(tmp_path), **kw)


@pytest.mark.parametrize("kw,message", [
    (dict(command=()), "command: must not be empty"),
    (dict(rootfs=None), "give exactly one"),
    (dict(host_rootfs=True), "give exactly one"),
    (dict(rootfs="/nonexistent-kubekit"), "is not a directory"),
    (dict(namespaces=frozenset({"mnt", "bogus"})), "unknown \\['bogus'\\]"),
    (dict(namespaces=frozenset({"pid"})), "mount namespace is required"),
    (dict(namespaces=frozenset({"mnt"}), hostname="h"), "without a private UTS namespace"),
    (dict(hostname="h", join_namespaces={"uts": "/proc/self/ns/uts"}), "without a private UTS namespace"),
    (dict(join_namespaces={"pid": "/proc/self/ns/pid"}), "joining 'pid' is not supported"),
    (dict(join_namespaces={"net": "/proc/999999999/ns/net"}), "does not exist"),
    (dict(namespaces=DEFAULT_NAMESPACES | {"user"}), "needs both maps"),
    (dict(cwd="relative"), "must be an absolute path"),
    (dict(capabilities=("CAP_NOPE",)), "CAP_NOPE"),
    (dict(mounts=(Mount("rel", "/tmp"),)), "destination must be absolute"),
    (dict(mounts=(Mount("/x", "/nonexistent-kubekit"),)), "does not exist"),
    (dict(mounts=(Mount("/x", "", kind="nfs"),)), "kind 'nfs' is not supported"),
    (dict(mounts=(Mount("/x", "/tmp", options=("bogus",)),)), "unknown option 'bogus'"),
])
def test_validate_refuses(tmp_path, kw, message):
    args = dict(command=("/bin/true",), rootfs=str(tmp_path))
    args.update(kw)
    with pytest.raises(RuntimeSpecError, match=message):
        plan.validate(ContainerSpec(**args))


@pytest.mark.parametrize("namespaces,join,born,expected", [
    (DEFAULT_NAMESPACES, {}, True, 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x20000000 | 0x40000000),
    (DEFAULT_NAMESPACES, {}, False, 0x00020000 | 0x04000000 | 0x08000000 | 0x20000000 | 0x40000000),
    (DEFAULT_NAMESPACES, {"net": "/proc/1/ns/net"}, True, 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x20000000),
    (frozenset({"mnt", "user"}), {}, True, 0x00020000 | 0x10000000),
])
def test_clone_flags(tmp_path, namespaces, join, born, expected):
    spec = _spec(tmp_path, namespaces=namespaces, join_namespaces=join)
    assert plan.clone_flags(spec, born) == expected


def _setup(tmp_path, born=True, ns_fds=None):
    lay = plan.Layout(rootfs="/k/rootfs", upper="/k/upper", work="/k/work", lowers=(str(tmp_path),))
    return plan.Setup(lay, ns_fds or {}, (10, 11, 12), born, 40)


def codes(program):
    return [op.code for op in program.ops]


def test_program_order(tmp_path):
    prog = plan.build(_spec(tmp_path, hostname="h"), _setup(tmp_path))
    c = codes(prog)
    # rprivate before the first mount; overlay next; pivot_root before masks; the start
    # barrier before anything that changes identity; exec last.
    assert prog.ops[0].label == "make / rprivate" and c[1] == Code.MOUNT and prog.ops[1].c == b"overlay"
    assert c.index(Code.PIVOT_ROOT) < c.index(Code.MASK) < c.index(Code.SETHOSTNAME)
    assert c.index(Code.WAIT) < c.index(Code.DUP2) < c.index(Code.CLOEXEC_FROM) < c.index(Code.DROP_BOUNDING)
    assert c.index(Code.SETRESUID) < c.index(Code.CAPSET) and c[-1] == Code.EXEC
    assert c.count(Code.WAIT) == 1 and Code.CHROOT not in c
    assert prog.ops[1].d == f"lowerdir={tmp_path},upperdir=/k/upper,workdir=/k/work".encode()
    assert prog.argv == (b"/bin/true",) and prog.envp[0].startswith(b"PATH=")


def test_user_namespace_waits_for_maps_and_binds_devices(tmp_path):
    from kubekit.runtime.spec import IdMapping
    spec = _spec(tmp_path, namespaces=DEFAULT_NAMESPACES | {"user"}, uid_mappings=(IdMapping(0, 100000, 65536),),
                 gid_mappings=(IdMapping(0, 100000, 65536),))
    prog = plan.build(spec, _setup(tmp_path))
    c = codes(prog)
    assert c.count(Code.WAIT) == 2 and c.index(Code.WAIT) < c.index(Code.MOUNT)
    assert Code.MKNOD not in c   # mknod is refused in a user namespace: the host's nodes are bound instead
    assert any(op.a == b"/dev/null" and op.flags & plan.MS_BIND for op in prog.ops)


def test_cgroup_namespace_after_attach_on_v1(tmp_path):
    c = codes(plan.build(_spec(tmp_path), _setup(tmp_path, born=False)))
    assert c.index(Code.WAIT) < c.index(Code.UNSHARE)
    assert Code.UNSHARE not in codes(plan.build(_spec(tmp_path), _setup(tmp_path, born=True)))


def test_joined_namespaces_setns_first_and_no_lo(tmp_path):
    spec = _spec(tmp_path, join_namespaces={"net": "/proc/self/ns/net"})
    prog = plan.build(spec, _setup(tmp_path, ns_fds={"net": 7}))
    assert prog.ops[0].code == Code.SETNS and prog.ops[0].arg == 7 and prog.ops[0].flags == plan.CLONE_FLAGS["net"]
    assert Code.LO_UP not in codes(prog)


def test_volume_targets_resolved_inside_the_rootfs(tmp_path, root):
    src = tmp_path / "vol"
    src.mkdir()
    (tmp_path / "file").write_text("x")
    spec = ContainerSpec(command=("/bin/true",), rootfs=root,
                         mounts=(Mount("/abs/data", str(src), options=("ro",)), Mount("/etc/f", str(tmp_path / "file")),
                                 Mount("/scratch", kind="tmpfs", options=("size=1m", "noexec"))))
    prog = plan.build(spec, plan.Setup(plan.Layout("/k/rootfs", "/k/u", "/k/w", (root,)), {}, (0, 1, 2), True, 40))
    binds = [op for op in prog.ops if op.code == Code.MOUNT and op.flags & plan.MS_BIND and op.a == str(src).encode()]
    assert binds[0].b == b"/k/rootfs/etc/data"       # /abs -> /etc re-rooted, not the host's /etc
    assert any(op.code == Code.READONLY and op.a == b"/k/rootfs/etc/data" for op in prog.ops)
    assert any(op.code == Code.TOUCH and op.a == b"/k/rootfs/etc/f" for op in prog.ops)
    tmpfs = [op for op in prog.ops if op.code == Code.MOUNT and op.b == b"/k/rootfs/scratch"][0]
    assert tmpfs.d == b"size=1m" and tmpfs.flags == plan.MS_NOEXEC
    assert any(op.code == Code.MKDIR and op.a == b"/k/rootfs/scratch" for op in prog.ops)


def test_non_root_user_keeps_caps_across_setuid(tmp_path):
    prog = plan.build(_spec(tmp_path, uid=1000, gid=1000, additional_gids=(5, 6)), _setup(tmp_path))
    labels = [op.label for op in prog.ops]
    i = labels.index("prctl(PR_SET_KEEPCAPS)")
    assert i < labels.index("setresuid(1000)") < labels.index("prctl(PR_SET_KEEPCAPS, 0)") < labels.index(
        next(lb for lb in labels if lb.startswith("capset")))
    groups = next(op for op in prog.ops if op.code == Code.SETGROUPS)
    assert len(groups.a) == 2 * 4


def test_pause_program_ends_in_pause(tmp_path):
    prog = plan.build(_spec(tmp_path), _setup(tmp_path), pause=True)
    assert prog.ops[-1].code == Code.PAUSE and prog.argv == ()


def test_exec_path_from_env():
    assert plan.exec_path(("A=1", "PATH=/x:/y")) == b"/x:/y"
    assert plan.exec_path(()).startswith(b"/usr/local/sbin")


def test_labels_name_the_step_and_path(tmp_path):
    prog = plan.build(_spec(tmp_path), _setup(tmp_path))
    assert "pivot_root(/k/rootfs)" in [op.label for op in prog.ops]
    assert all(op.label for op in prog.ops)
    assert os.path.isabs(prog.ops[1].b.decode())
