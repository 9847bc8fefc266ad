"""``kubekit exec -it POD -- sh`` as a user runs it: the CLI is a separate
process whose terminal is a pty this test holds the master of
(``pty.fork()``: the pty is its controlling terminal, so a window change
sends it SIGWINCH).  It must put the terminal in raw mode, carry keystrokes
and output both ways, forward resizes, exit with the remote exit code
(printing kubectl's ``command terminated with exit code N``) and leave the
terminal as it found it.  ``-t`` on a pipe warns as kubectl does and runs
without a terminal.  A real ``kubekit serve`` with a local node runs a real
busybox container.  Needs root."""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time

import pytest

from kubekit.kubectl.client import Client
from kubekit.server.testing import local_node_dirs, running_server, wait_for

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the local node starts real containers (root)")

PODS = "/api/v1/namespaces/default/pods"
GUARD = 30.0


@pytest.fixture(scope="module")
def server(rootfs):
    with local_node_dirs(rootfs) as kw, running_server(sim_nodes=0, **kw) as srv:
        c = Client(srv.address)
        c.create(PODS, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "term"},
                        "spec": {"nodeName": "node-a", "terminationGracePeriodSeconds": 0,
                                 "containers": [{"name": "app", "image": "local/busybox:1",
                                                 "imagePullPolicy": "Never", "command": ["/bin/sleep", "300"]}]}})

        def running():
            st = c.get(f"{PODS}/term").get("status") or {}
            return any("running" in (s.get("state") or {}) for s in st.get("containerStatuses") or [])
        wait_for(running, "the pod to run")
        try:
            yield srv
        finally:
            c.delete(f"{PODS}/term", grace_period=0)
            wait_for(lambda: not srv.local_node.agent.workers, "the local node to tear its pods down")


def kubekit_argv(server, *args: str) -> list[str]:
    return [sys.executable, "-m", "kubekit", "exec", "--socket", server.address, *args]


def set_size(fd: int, width: int, height: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))


class Terminal:
    """The user's side of the CLI's terminal (the pty's master)."""

    def __init__(self, master: int) -> None:
        self.master, self.seen = master, bytearray()

    def read_until(self, needle: bytes) -> bytes:
        deadline = time.monotonic() + GUARD
        while needle not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0 and select.select([self.master], [], [], left)[0], f"no {needle!r} in {self.seen!r}"
            data = self._read()
            assert data, f"the CLI ended before {needle!r}: {bytes(self.seen)!r}"
        return bytes(self.seen)

    def read_to_end(self) -> bytes:
        deadline = time.monotonic() + GUARD
        while True:
            left = deadline - time.monotonic()
            assert left > 0 and select.select([self.master], [], [], left)[0], "the CLI did not end"
            if not self._read():
                return bytes(self.seen)

    def poll(self, needle: bytes, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while needle not in self.seen and time.monotonic() < deadline:
            if select.select([self.master], [], [], 0.05)[0] and not self._read():
                break
        return needle in self.seen

    def _read(self) -> bytes:
        try:
            data = os.read(self.master, 65536)
        except OSError as e:                       # EIO: the CLI, the slave's last holder, exited
            assert e.errno == errno.EIO
            return b""
        self.seen += data
        return data


def fresh_pty_attrs():
    m, s = os.openpty()
    try:
        return termios.tcgetattr(s)
    finally:
        os.close(m)
        os.close(s)


def test_exec_it_drives_a_remote_shell_through_a_real_terminal(server):
    pid, master = pty.fork()
    if pid == 0:                                   # the child: exec at once (the test process has threads)
        try:
            os.execv(sys.executable, kubekit_argv(server, "-it", "term", "--", "/bin/sh"))
        finally:
            os._exit(127)
    term = Terminal(master)
    try:
        set_size(master, 90, 30)
        # the remote shell echoes what it is sent: the CLI put the local terminal in raw mode (no local echo)
        os.write(master, b"echo $((6*7)); tty\r")
        out = term.read_until(b"/dev/pts/")
        assert b"\r\n42\r\n" in out
        attrs = termios.tcgetattr(master)        # the slave's settings, seen from the master
        assert not attrs[3] & (termios.ICANON | termios.ECHO), "the CLI's terminal is not raw"
        # a window change: the kernel sends the CLI SIGWINCH, it sends a resize; retried until seen
        set_size(master, 120, 40)
        for _ in range(100):
            os.write(master, b"stty size | sed 's/^/size=/'\r")
            if term.poll(b"size=40 120", 0.3):
                break
        assert b"size=40 120" in term.seen
        os.write(master, b"exit 3\r")
        out = term.read_to_end()
        _, status = os.waitpid(pid, 0)
        pid = 0
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3
    assert out.rstrip().endswith(b"command terminated with exit code 3")
    final = termios.tcgetattr(master)
    os.close(master)
    assert final[3] == fresh_pty_attrs()[3], "the terminal was not restored"


def test_exec_t_without_a_terminal_warns_and_runs_without_one(server):
    r = subprocess.run(kubekit_argv(server, "-it", "term", "--", "/bin/sh"), input=b"tty; echo end\nexit 0\n",
                       capture_output=True, timeout=GUARD, check=False)
    assert (r.returncode, r.stdout) == (0, b"not a tty\nend\n")
    assert r.stderr.decode() == "Unable to use a TTY - input is not a terminal or the right kind of file\n"


def test_exec_i_streams_stdin_and_reports_the_exit_code(server):
    r = subprocess.run(kubekit_argv(server, "-i", "term", "--", "/bin/sh", "-c", "cat; echo err >&2; exit 6"),
                       input=b"streamed\n", capture_output=True, timeout=GUARD, check=False)
    assert (r.returncode, r.stdout, r.stderr) == (6, b"streamed\n", b"err\ncommand terminated with exit code 6\n")


@pytest.mark.parametrize("rest,want", [
    (["-it", "--", "sh"], (["sh"], None, True, True)),
    (["-t", "-c", "app", "--", "sh"], (["sh"], "app", False, True)),
    (["--stdin", "--tty", "--", "sh", "-t"], (["sh", "-t"], None, True, True)),
    (["-i", "--", "cat"], (["cat"], None, True, False)),
])
def test_split_exec_args(rest, want):
    from kubekit.kubectl.cmd_exec import split_command, split_exec_args

    assert split_exec_args(rest) == want
    assert split_command(rest) == want[:3]


_RAW_CHILD = """
import os, signal, sys, time
from kubekit.kubectl.execstream_client import raw_terminal
# A program with default dispositions (and without Python's SIGINT handler),
# whatever the launcher of this suite ignored or blocked (nohup, a background job):
FATAL = (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGINT)
for s in FATAL:
    signal.signal(s, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_UNBLOCK, FATAL)
with raw_terminal(0):
    os.write(1, b"RAW\\n")
    time.sleep(60)
os._exit(0)
"""


def _fork_on_a_pty(argv: list[str]) -> tuple[int, int]:
    pid, master = pty.fork()
    if pid == 0:                                   # exec at once (the test process has threads)
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    return pid, master


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGINT])
def test_a_fatal_signal_while_raw_restores_the_terminal(sig):
    """The terminal is restored when a signal ends the process in raw mode
    (``kill``, a hung-up session...): the default action still happens
    (the process is killed by that signal)."""
    pid, master = _fork_on_a_pty([sys.executable, "-c", _RAW_CHILD])
    try:
        Terminal(master).read_until(b"RAW")
        assert not termios.tcgetattr(master)[3] & (termios.ICANON | termios.ECHO), "not raw"
        os.kill(pid, sig)
        _, status = os.waitpid(pid, 0)
        pid = 0
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == sig
    final = termios.tcgetattr(master)
    os.close(master)
    assert final[3] & termios.ICANON and final[3] & termios.ECHO, "the terminal was left raw"


def test_raw_terminal_puts_the_previous_handlers_back():
    from kubekit.kubectl.execstream_client import raw_terminal

    m, s = os.openpty()
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGINT)}
    try:
        with raw_terminal(s):
            assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]
            assert not termios.tcgetattr(s)[3] & termios.ICANON
        assert {sig: signal.getsignal(sig) for sig in before} == before
        assert termios.tcgetattr(s)[3] & termios.ICANON
    finally:
        os.close(m)
        os.close(s)


def test_sigterm_to_exec_it_restores_the_terminal(server):
    """``kubekit exec -it`` killed with SIGTERM while the remote shell runs:
    the local terminal is not left raw."""
    pid, master = _fork_on_a_pty(kubekit_argv(server, "-it", "term", "--", "/bin/sh"))
    term = Terminal(master)
    try:
        os.write(master, b"echo $((6*7))\r")
        term.read_until(b"42\r\n")
        assert not termios.tcgetattr(master)[3] & (termios.ICANON | termios.ECHO), "the CLI's terminal is not raw"
        os.kill(pid, signal.SIGTERM)
        _, status = os.waitpid(pid, 0)
        pid = 0
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM
    final = termios.tcgetattr(master)
    os.close(master)
    assert final[3] == fresh_pty_attrs()[3], "the terminal was left raw"
