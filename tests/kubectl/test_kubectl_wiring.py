"""The subcommands plug into the ``kubekit`` command next to the existing ones."""

from __future__ import annotations

import argparse
import io

import pytest

from kubekit.kubectl.cli import add_kubectl_parsers
from kubekit.server.cli import add_serve_parser, parse_listen


def kubekit_parser() -> argparse.ArgumentParser:
    from kubekit.images.cli import add_image_parser
    from kubekit.replay.cli import add_replay_parser
    from kubekit.runtime.cli import add_run_parser
    ap = argparse.ArgumentParser(prog="kubekit")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("demo")
    sub.add_parser("schedule")
    add_run_parser(sub)
    add_replay_parser(sub)
    add_image_parser(sub)
    add_serve_parser(sub)
    add_kubectl_parsers(sub)
    return ap


def test_verbs_parse_next_to_the_existing_commands(capsys):
    ap = kubekit_parser()
    for argv in (["serve", "--sim-nodes", "3"], ["apply", "-f", "x.yaml"], ["get", "pods", "-o", "wide", "-w"],
                 ["describe", "pod", "x"], ["delete", "pod", "x"], ["scale", "deploy/web", "--replicas=2"],
                 ["rollout", "status", "deploy/web"], ["rollout", "undo", "deploy/web", "--to-revision=2"],
                 ["rollout", "restart", "deploy/web"], ["cordon", "n"], ["uncordon", "n"],
                 ["drain", "n", "--ignore-daemonsets", "--force"], ["logs", "-f", "x"], ["top", "pods"]):
        assert callable(ap.parse_args(argv).func)
    args = ap.parse_args(["get", "pods", "--socket", "/nonexistent/kubekit.sock"])
    assert args.func(args) == 1          # what kubekit.cli.main does: return args.func(args)
    assert "is kubekit serve running?" in capsys.readouterr().err


def test_listen_accepts_only_loopback():
    assert parse_listen("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert parse_listen("[::1]:0") == ("::1", 0)
    for bad in ("0.0.0.0:80", "8080", "127.0.0.1:x"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_listen(bad)


def test_client_over_loopback_tcp():
    from kubekit.kubectl.cli import run
    from kubekit.kubectl.client import Client
    from kubekit.server.app import Server, ServerConfig
    srv = Server(ServerConfig(socket_path=None, listen=("127.0.0.1", 0), data_dir=None, sim_nodes=1)).start()
    try:
        assert Client(srv.address).healthy()
        out, err = io.StringIO(), io.StringIO()
        assert run(["get", "nodes", "-o", "name", "--server", f"http://{srv.address}"], out=out, err=err) == 0
        assert out.getvalue() == "node/sim-node-0\n"
    finally:
        srv.stop()
