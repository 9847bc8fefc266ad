"""Running ``kubekit`` command lines against a test server, for the CLI tests."""

from __future__ import annotations

import io

from kubekit.kubectl.cli import run


def k(srv, *argv: str) -> tuple[int, str, str]:
    """``(exit code, stdout, stderr)`` of ``kubekit ARGV --socket <srv>``."""
    out, err = io.StringIO(), io.StringIO()
    rc = run([*argv, "--socket", srv.address], out=out, err=err)
    return rc, out.getvalue(), err.getvalue()


def ok(srv, *argv: str) -> str:
    """The standard output of a command that must succeed."""
    rc, out, err = k(srv, *argv)
    assert rc == 0, f"kubekit {' '.join(argv)} failed: {err}"
    return out
