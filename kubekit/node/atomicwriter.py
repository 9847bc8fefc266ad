"""The kubelet's atomic writer (pkg/volume/util/atomic_writer.go): how
configMap, secret, downwardAPI and projected volumes are written so that a
reader inside the container sees either the old set of files or the new one,
never a mix::

    <volume>/..2026_11_26_20_46_03.123456789/   the data, one timestamped dir per version
    <volume>/..data -> ..2026_11_26_20_46_03.123456789
    <volume>/key    -> ..data/key                 user-visible names (top-level only)

:meth:`AtomicWriter.write` validates every path (:func:`validate_path`),
skips the write when the files already hold the payload, otherwise writes a
new timestamped directory, points ``..data_tmp`` at it and renames it over
``..data`` (one atomic ``rename(2)``), creates the missing user-visible
symlinks, removes the ones no longer in the payload and the old data
directory.  Files get exactly their mode (``chmod`` after writing, so the
umask does not apply), directories 0755.
"""

from __future__ import annotations

import logging
import os
import posixpath
import shutil
import time
from collections.abc import Mapping

__all__ = ["AtomicWriter", "DATA_DIR", "PayloadError", "validate_path", "clean_payload"]

log = logging.getLogger(__name__)

DATA_DIR = "..data"
_DATA_TMP = "..data_tmp"
MAX_PATH = 4096
MAX_FILE_NAME = 255


class PayloadError(ValueError):
    """A payload path the writer refuses (``validatePath``'s messages)."""


def validate_path(target: str) -> None:
    """``validatePath``: relative, not empty, at most 4096 characters, no
    ``..`` element, names at most 255 characters, and no first element
    starting with ``..`` (reserved for the writer's own entries)."""
    if target == "":
        raise PayloadError(f'invalid path: must not be empty: "{target}"')
    if target.startswith("/"):
        raise PayloadError(f"invalid path: must be relative path: {target}")
    if len(target) > MAX_PATH:
        raise PayloadError(f"invalid path: must be less than or equal to {MAX_PATH} characters")
    items = target.split("/")
    for item in items:
        if item == "..":
            raise PayloadError(f"invalid path: must not contain '..': {target}")
        if len(item) > MAX_FILE_NAME:
            raise PayloadError(f"invalid path: filenames must be less than or equal to {MAX_FILE_NAME} characters")
    if items[0].startswith("..") and len(items[0]) > 2:
        raise PayloadError(f"invalid path: must not start with '..': {target}")


def clean_payload(payload: Mapping[str, tuple[bytes, int]]) -> dict[str, tuple[bytes, int]]:
    """``validatePayload``: every path validated and cleaned (``filepath.Clean``)."""
    out = {}
    for path, proj in payload.items():
        validate_path(path)
        out[posixpath.normpath(path)] = proj
    return out


def _files_under(root: str) -> set[str]:
    """Every relative path (files and directories) under ``root``."""
    out: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        for n in dirnames + filenames:
            out.add(n if rel == "." else f"{rel}/{n}")
    return out


def _with_parents(paths) -> set[str]:
    out = set()
    for p in paths:
        while p and p != ".":
            out.add(p)
            p = posixpath.dirname(p)
    return out


class AtomicWriter:
    """Writes payloads into ``target_dir`` (which must exist)."""

    def __init__(self, target_dir: str, log_context: str = "") -> None:
        self.target_dir = target_dir
        self.log_context = log_context

    def _holds(self, payload: dict[str, tuple[bytes, int]], old_dir: str) -> bool:
        for path, (data, mode) in payload.items():
            p = os.path.join(old_dir, path)
            try:
                st = os.lstat(p)
                if (st.st_mode & 0o7777) != mode:
                    return False
                with open(p, "rb") as f:
                    if f.read() != data:
                        return False
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                return False
        return True

    def write(self, payload: Mapping[str, tuple[bytes, int]], now: float | None = None) -> bool:
        """Make the directory hold exactly ``payload`` (``{path: (bytes,
        mode)}``).  Returns False when nothing had to change."""
        clean = clean_payload(payload)
        data_link = os.path.join(self.target_dir, DATA_DIR)
        try:
            old_ts = os.readlink(data_link)
        except FileNotFoundError:
            old_ts = ""
        old_path = os.path.join(self.target_dir, old_ts) if old_ts else ""
        remove = (_files_under(old_path) - _with_parents(clean)) if old_ts else set()
        if old_ts and not remove and self._holds(clean, old_path):
            self._create_user_visible(clean)          # idempotent: repairs a removed link
            return False
        ts_dir = self._new_ts_dir(time.time() if now is None else now)
        try:
            self._write_dir(clean, ts_dir)
            tmp = os.path.join(self.target_dir, _DATA_TMP)
            if os.path.lexists(tmp):
                os.unlink(tmp)
            os.symlink(os.path.basename(ts_dir), tmp)
            os.rename(tmp, data_link)                 # the atomic swap
        except BaseException:
            shutil.rmtree(ts_dir, ignore_errors=True)
            raise
        self._create_user_visible(clean)
        for path in remove:
            if "/" not in path:                        # only top-level names are user-visible links
                visible = os.path.join(self.target_dir, path)
                if os.path.islink(visible):
                    os.unlink(visible)
        if old_path and old_path != ts_dir:
            shutil.rmtree(old_path, ignore_errors=True)
        log.debug("%s: wrote %d file(s) to %s", self.log_context, len(clean), ts_dir)
        return True

    def _new_ts_dir(self, now: float) -> str:
        stamp = time.strftime("%Y_%m_%d_%H_%M_%S", time.gmtime(now))
        for _ in range(100):
            path = os.path.join(self.target_dir, f"..{stamp}.{os.urandom(5).hex()}")
            try:
                os.mkdir(path, 0o755)
                os.chmod(path, 0o755)
                return path
            except FileExistsError:
                continue
        raise FileExistsError(f"{self.target_dir}: no free timestamped directory name")

    @staticmethod
    def _write_dir(payload: dict[str, tuple[bytes, int]], ts_dir: str) -> None:
        for path, (data, mode) in payload.items():
            full = os.path.join(ts_dir, path)
            parent = os.path.dirname(full)
            if not os.path.isdir(parent):
                os.makedirs(parent, 0o755)
            fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fchmod(fd, mode)
            finally:
                os.close(fd)

    def _create_user_visible(self, payload: dict[str, tuple[bytes, int]]) -> None:
        for path in payload:
            top = path.split("/", 1)[0]
            visible = os.path.join(self.target_dir, top)
            if not os.path.lexists(visible):
                os.symlink(f"{DATA_DIR}/{top}", visible)
