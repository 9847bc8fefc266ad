"""Capability names, numbers and masks (kubekit/runtime/caps.py): table tests."""

from __future__ import annotations

import re

import pytest

from kubekit.errors import RuntimeSpecError
from kubekit.runtime import caps
from kubekit.runtime.spec import DEFAULT_CAPABILITIES


def test_table_matches_linux_capability_h():
    try:
        with open("/usr/include/linux/capability.h", encoding="ascii") as f:
            header = f.read()
    except FileNotFoundError:
        pytest.skip("linux/capability.h not installed")
    defined = {m.group(1): int(m.group(2)) for m in re.finditer(r"#define (CAP_[A-Z_]+)\s+(\d+)\s*\n", header)}
    defined.pop("CAP_LAST_CAP", None)
    assert defined == caps.CAPS


@pytest.mark.parametrize(("name", "number"), [
    ("CAP_CHOWN", 0),
    ("CAP_DAC_OVERRIDE", 1),
    ("CAP_KILL", 5),
    ("CAP_SETPCAP", 8),
    ("CAP_NET_BIND_SERVICE", 10),
    ("CAP_NET_ADMIN", 12),
    ("CAP_NET_RAW", 13),
    ("CAP_SYS_CHROOT", 18),
    ("CAP_SYS_ADMIN", 21),
    ("CAP_MKNOD", 27),
    ("CAP_AUDIT_WRITE", 29),
    ("CAP_SETFCAP", 31),
    ("CAP_MAC_OVERRIDE", 32),
    ("CAP_BPF", 39),
    ("CAP_CHECKPOINT_RESTORE", 40),
    # Kubernetes' form, and any case.
    ("NET_ADMIN", 12),
    ("net_admin", 12),
    ("cap_sys_admin", 21),
    (" CAP_CHOWN ", 0),
])
def test_number(name, number):
    assert caps.number(name) == number


def test_extremes():
    assert caps.CAP_NAMES[0] == "CAP_CHOWN"
    assert caps.CAP_NAMES[caps.LAST_CAP] == "CAP_CHECKPOINT_RESTORE"
    assert caps.LAST_CAP == 40
    assert caps.ALL_MASK == 0x1FFFFFFFFFF


@pytest.mark.parametrize(("names", "mask"), [
    ((), 0),
    (("CAP_CHOWN",), 0x1),
    (("CAP_CHOWN", "CAP_CHOWN"), 0x1),
    (("CAP_SYS_ADMIN", "NET_ADMIN"), (1 << 21) | (1 << 12)),
    (("CAP_CHECKPOINT_RESTORE",), 1 << 40),
    (("ALL",), 0x1FFFFFFFFFF),
    (("all", "CAP_CHOWN"), 0x1FFFFFFFFFF),
    # Docker's default set is the well-known CapEff of a docker container.
    (DEFAULT_CAPABILITIES, 0xA80425FB),
])
def test_mask(names, mask):
    assert caps.mask(names) == mask


@pytest.mark.parametrize(("mask", "names"), [
    (0, ()),
    (0x1, ("CAP_CHOWN",)),
    ((1 << 21) | (1 << 12), ("CAP_NET_ADMIN", "CAP_SYS_ADMIN")),
    (1 << 40, ("CAP_CHECKPOINT_RESTORE",)),
    # A newer kernel's capability beyond the table.
    ((1 << 41) | 1, ("CAP_CHOWN", "CAP_41")),
    (0xA80425FB, tuple(sorted(DEFAULT_CAPABILITIES, key=caps.number))),
])
def test_names(mask, names):
    assert caps.names(mask) == names


def test_names_and_mask_round_trip():
    for n in range(caps.LAST_CAP + 1):
        assert caps.mask(caps.names(1 << n)) == 1 << n
    assert caps.names(caps.ALL_MASK) == caps.CAP_NAMES
    assert caps.mask(caps.CAP_NAMES) == caps.ALL_MASK


@pytest.mark.parametrize("bad", ["CAP_FOO", "foo", "", "CAP_", "CAP_41", "SYS-ADMIN"])
def test_unknown_name_is_a_spec_error_naming_it(bad):
    with pytest.raises(RuntimeSpecError) as info:
        caps.mask(["CAP_CHOWN", bad])
    message = str(info.value)
    assert f"unknown capability {bad!r}" in message
    assert "expected CAP_<NAME>" in message and "NET_ADMIN" in message and "CHECKPOINT_RESTORE" in message
    assert isinstance(info.value, ValueError)


def test_mask_refuses_a_bare_string():
    with pytest.raises(TypeError, match="iterable"):
        caps.mask("CAP_CHOWN")


def test_names_refuses_negative():
    with pytest.raises(ValueError):
        caps.names(-1)


STATUS = """\
Name:\tcat
Umask:\t0022
State:\tR (running)
Pid:\t4242
NoNewPrivs:\t1
CapInh:\t0000000000000000
CapPrm:\t00000000a80425fb
CapEff:\t00000000a80425fb
CapBnd:\t000001fffeffffff
CapAmb:\t0000000000000001
Seccomp:\t0
"""


def test_parse_status():
    got = caps.parse_status(STATUS)
    assert got == caps.ProcCaps(inheritable=0, permitted=0xA80425FB, effective=0xA80425FB,
                                bounding=0x1FFFEFFFFFF, ambient=1)
    assert "CAP_SYS_RESOURCE" not in caps.names(got.bounding)
    assert len(caps.names(got.bounding)) == 40


def test_parse_status_errors():
    with pytest.raises(ValueError, match="CapAmb"):
        caps.parse_status(STATUS.replace("CapAmb:\t0000000000000001\n", ""))
    with pytest.raises(ValueError, match="bad CapEff line"):
        caps.parse_status(STATUS.replace("CapEff:\t00000000a80425fb", "CapEff:\tzz"))


def test_read_proc_caps_of_self():
    with open("/proc/self/status", encoding="ascii") as f:
        text = f.read()
    assert caps.read_proc_caps() == caps.parse_status(text)
