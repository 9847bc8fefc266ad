"""The file operations every driver shares: write a control file with an error
that names the file, the value and the directory; read one; list processes;
remove a cgroup tree bottom-up.

``create_files`` is for fake trees (plain directories in tests): writes create
the file and removal unlinks the plain files first.  On cgroupfs it stays off,
so an unknown control file fails with ENOENT as the kernel reports it.
"""

from __future__ import annotations

import errno
import os
import select
import time

from kubekit.errors import CgroupError

# rmdir of a cgroup whose last process has just exited can briefly fail with
# EBUSY; crun retries too.  These bound the retries (about 2 s in all).
RMDIR_ATTEMPTS = 200
RMDIR_BACKOFF_S = 0.01


def why(e: OSError) -> str:
    """The kernel's words for an OSError (strerror of its errno)."""
    return os.strerror(e.errno) if e.errno else str(e)


def write_file(directory: str, name: str, value: str, *, create: bool = False) -> None:
    """Write ``value`` to ``directory/name`` in one write(2).  Raises
    CgroupError: ``write NAME=VALUE in DIRECTORY: STRERROR``."""
    write_lines(directory, name, [value], create=create)


def write_lines(directory: str, name: str, values: list[str], *, create: bool = False) -> None:
    """Write each value with its own write(2) on one open file: cgroupfs
    parses every write as one command (devices.allow takes one rule each)."""
    path = f"{directory}/{name}"
    flags = os.O_WRONLY | os.O_CLOEXEC | os.O_TRUNC
    if create:
        flags |= os.O_CREAT
    value = values[0] if values else ""
    try:
        fd = os.open(path, flags, 0o644)
        try:
            for value in values:
                os.write(fd, value.encode())
        finally:
            os.close(fd)
    except OSError as e:
        raise CgroupError(e.errno, f"write {name}={value} in {directory}: {why(e)}", path) from None


def read_file(directory: str, name: str) -> str:
    """The content of ``directory/name``, trailing newline stripped.  Raises
    CgroupError naming the file.  (os.open/os.read: three system calls, where
    a buffered text file costs seven.)"""
    path = f"{directory}/{name}"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            chunks = []
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(fd)
    except OSError as e:
        raise CgroupError(e.errno, f"read {name} in {directory}: {why(e)}", path) from None
    return b"".join(chunks).decode("utf-8", "surrogateescape").rstrip("\n")


def read_optional(directory: str, name: str) -> str | None:
    """Like :func:`read_file`, but None when the file does not exist."""
    try:
        return read_file(directory, name)
    except CgroupError as e:
        if e.errno == errno.ENOENT:
            return None
        raise


def subdirs(directory: str) -> list[str]:
    """Names of the immediate sub-directories (child cgroups); [] if missing."""
    try:
        with os.scandir(directory) as it:
            return sorted(e.name for e in it if e.is_dir(follow_symlinks=False))
    except FileNotFoundError:
        return []


def tree_bottom_up(directory: str) -> list[str]:
    """``directory`` and every cgroup below it, deepest first."""
    out: list[str] = []

    def visit(d: str) -> None:
        for name in subdirs(d):
            visit(f"{d}/{name}")
        out.append(d)

    if os.path.isdir(directory):
        visit(directory)
    return out


def procs(directory: str) -> list[int]:
    """Processes listed in ``directory/cgroup.procs`` ([] if it is missing)."""
    try:
        return [int(line) for line in read_file(directory, "cgroup.procs").split()]
    except CgroupError as e:
        if e.errno in (errno.ENOENT, errno.ENODEV):   # missing, or removed while we read
            return []
        raise CgroupError(e.errno, f"read cgroup.procs in {directory}: {why(e)}", directory) from None


def procs_recursive(directory: str) -> set[int]:
    """Processes in ``directory`` and every cgroup below it."""
    out: set[int] = set()
    for d in tree_bottom_up(directory):
        out.update(procs(d))
    return out


def _unlink_plain_files(directory: str) -> None:
    with os.scandir(directory) as it:
        for e in it:
            if e.is_file(follow_symlinks=False):
                os.unlink(e.path)


def rmdir(directory: str, *, plain: bool = False) -> bool:
    """Remove one cgroup directory, retrying EBUSY a bounded number of times.
    True when it is gone (or was never there).  ``plain``: a fake tree."""
    for attempt in range(RMDIR_ATTEMPTS):
        try:
            if plain and os.path.isdir(directory):
                _unlink_plain_files(directory)
            os.rmdir(directory)
            return True
        except FileNotFoundError:
            return True
        except OSError as e:
            if e.errno != errno.EBUSY:
                raise CgroupError(e.errno, f"rmdir {directory}: {why(e)}", directory) from None
            time.sleep(RMDIR_BACKOFF_S * min(attempt + 1, 5) / 5)
    raise CgroupError(errno.EBUSY, f"rmdir {directory}: still busy after {RMDIR_ATTEMPTS} attempts", directory)


def rmdir_tree(directory: str, *, plain: bool = False) -> None:
    """Remove ``directory`` and every cgroup below it, deepest first.  The
    common case, a leaf, costs one rmdir(2); the tree is walked only if the
    kernel says the directory is busy or not empty."""
    if not plain:
        try:
            os.rmdir(directory)
            return
        except FileNotFoundError:
            return
        except OSError as e:
            if e.errno not in (errno.EBUSY, errno.ENOTEMPTY):
                raise CgroupError(e.errno, f"rmdir {directory}: {why(e)}", directory) from None
    for d in tree_bottom_up(directory):
        rmdir(d, plain=plain)


def wait_events(directory: str, key: str, value: str, timeout_s: float) -> bool:
    """Wait until ``directory/cgroup.events`` has the line ``KEY VALUE``
    (``populated 0``, ``frozen 1``).  The kernel signals every change to that
    file with POLLPRI, so this sleeps in poll(2).  False on timeout."""
    path = f"{directory}/cgroup.events"
    want = f"{key} {value}"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        poller = select.poll()
        poller.register(fd, select.POLLPRI | select.POLLERR)
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                lines = os.pread(fd, 4096, 0).decode().splitlines()
            except OSError as e:
                if e.errno == errno.ENODEV:     # removed: nothing left in it
                    return key == "populated" and value == "0"
                raise
            if want in lines:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            poller.poll(max(1, int(min(left, 0.1) * 1000)))
    finally:
        os.close(fd)
