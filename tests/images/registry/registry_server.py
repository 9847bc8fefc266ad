"""Run a real registry (CNCF distribution, Debian's ``docker-registry``) for
tests: open, with htpasswd Basic auth, or with token auth backed by a tiny
token server in a thread that issues RS256 JWTs signed with ``openssl``."""

from __future__ import annotations

import base64
import contextlib
import ctypes
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

from stop_process import stop_process

REGISTRY_BIN = shutil.which("docker-registry") or "/usr/bin/docker-registry"
SERVICE = "kubekit-test-registry"
ISSUER = "kubekit-test-issuer"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bcrypt_hash(password: str) -> str:
    """A bcrypt hash (``$2b$``) from libcrypt (libxcrypt, part of every
    Debian 12 system): the only scheme distribution's htpasswd accepts."""
    lib = ctypes.CDLL("libcrypt.so.1")
    lib.crypt_gensalt.restype = ctypes.c_char_p
    lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    salt = lib.crypt_gensalt(b"$2b$", 5, None, 0)
    out = lib.crypt(password.encode(), salt) if salt else None
    if not out or not out.startswith(b"$2b$"):
        raise RuntimeError("libcrypt cannot make bcrypt hashes here")
    return out.decode()


def _wait_ready(proc: subprocess.Popen, url: str, log_path: str) -> None:
    deadline = time.monotonic() + 30
    unverified = ssl._create_unverified_context()
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(url, timeout=2, context=unverified).close()
            return
        except urllib.error.HTTPError as e:
            if e.code == 401:
                return
        except OSError:
            pass
        time.sleep(0.05)
    with open(log_path, errors="replace") as f:
        log = f.read()[-4000:]
    raise RuntimeError(f"docker-registry at {url} did not answer (exit code {proc.poll()}):\n{log}")


@dataclass
class Registry:
    """A running registry: ``addr`` (``127.0.0.1:PORT``), its storage and log."""
    addr: str
    root: str
    log_path: str
    users: dict[str, str] = field(default_factory=dict)
    ca_file: str | None = None

    def log(self) -> str:
        with open(self.log_path, errors="replace") as f:
            return f.read()


@contextlib.contextmanager
def run_registry(auth: dict | None = None, users: dict[str, str] | None = None,
                 tls: bool = False) -> Iterator[Registry]:
    """Start ``docker-registry serve`` on a free loopback port with its own
    storage (and, with ``tls``, https with a self-signed certificate for
    127.0.0.1, ``Registry.ca_file``); stop it and remove everything when the
    block ends, however."""
    top = tempfile.mkdtemp(prefix="kubekit-registry-")
    proc = None
    try:
        addr = f"127.0.0.1:{free_port()}"
        config = {
            "version": "0.1",
            "log": {"level": "info", "accesslog": {"disabled": False}},
            "storage": {"filesystem": {"rootdirectory": os.path.join(top, "data")}, "delete": {"enabled": True},
                        "maintenance": {"uploadpurging": {"enabled": False}}},
            "http": {"addr": addr, "secret": "kubekit-test-secret"},
        }
        if auth:
            config["auth"] = auth
        ca_file = None
        if tls:
            ca_file, key = os.path.join(top, "tls.crt"), os.path.join(top, "tls.key")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
                            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                            "-keyout", key, "-out", ca_file], check=True, capture_output=True)
            config["http"]["tls"] = {"certificate": ca_file, "key": key}
        cfg = os.path.join(top, "config.yml")
        with open(cfg, "w") as f:
            json.dump(config, f)          # JSON is YAML
        log_path = os.path.join(top, "registry.log")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen([REGISTRY_BIN, "serve", cfg], stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        _wait_ready(proc, f"{'https' if tls else 'http'}://{addr}/v2/", log_path)
        yield Registry(addr, top, log_path, dict(users or {}), ca_file)
    finally:
        if proc is not None:
            stop_process(proc)
        shutil.rmtree(top, ignore_errors=True)


@contextlib.contextmanager
def run_basic_registry(users: dict[str, str]) -> Iterator[Registry]:
    with tempfile.TemporaryDirectory(prefix="kubekit-htpasswd-") as d:
        path = os.path.join(d, "htpasswd")
        with open(path, "w") as f:
            f.writelines(f"{u}:{bcrypt_hash(p)}\n" for u, p in users.items())
        with run_registry({"htpasswd": {"realm": "kubekit-test", "path": path}}, users) as reg:
            yield reg


# ---------------------------------------------------------------- token auth

def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    """Makes the JWTs distribution's token auth accepts: RS256, the signing
    certificate in the ``x5c`` header (checked against ``rootcertbundle``)."""

    def __init__(self, workdir: str) -> None:
        self.key = os.path.join(workdir, "token.key")
        self.cert = os.path.join(workdir, "token.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
                        "-subj", "/CN=kubekit-test-token-issuer", "-keyout", self.key, "-out", self.cert],
                       check=True, capture_output=True)
        der = subprocess.run(["openssl", "x509", "-in", self.cert, "-outform", "DER"], check=True,
                             capture_output=True).stdout
        self._x5c = base64.b64encode(der).decode()

    def token(self, subject: str, access: list[dict], lifetime: int = 300) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self._x5c]}
        claims = {"iss": ISSUER, "sub": subject, "aud": SERVICE, "exp": now + lifetime, "nbf": now - 30,
                  "iat": now, "jti": _b64url(os.urandom(12)), "access": access}
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key], input=signing_input.encode(),
                             check=True, capture_output=True).stdout
        return f"{signing_input}.{_b64url(sig)}"


class TokenServer(http.server.ThreadingHTTPServer):
    """``GET /token?service=&scope=...`` with Basic credentials: grants each
    user the actions listed for it (``grants[user]``, e.g. ``{"pull", "push"}``)
    on every repository; 401 for a wrong password; nothing for anonymous."""

    daemon_threads = True

    def __init__(self, issuer: TokenIssuer, users: dict[str, str], grants: dict[str, set[str]]) -> None:
        super().__init__(("127.0.0.1", 0), _TokenHandler)
        self.issuer, self.users, self.grants = issuer, users, grants
        self.requests: list[dict] = []

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/token"


class _TokenHandler(http.server.BaseHTTPRequestHandler):
    server: TokenServer

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, doc: dict) -> None:
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        user = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if self.server.users.get(user) != password:
                self._answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "wrong user name or password"}]})
                return
        self.server.requests.append({"user": user, "scope": query.get("scope", []),
                                     "service": query.get("service", [None])[0]})
        allowed = self.server.grants.get(user or "", set())
        access = []
        for scope in query.get("scope", []):
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            granted = sorted(set(actions.split(",")) & allowed)
            if kind == "repository" and granted:
                access.append({"type": "repository", "name": name, "actions": granted})
        token = self.server.issuer.token(user or "anonymous", access)
        self._answer(200, {"access_token": token, "expires_in": 300})


@contextlib.contextmanager
def run_token_registry(users: dict[str, str], grants: dict[str, set[str]]) -> Iterator[tuple[Registry, TokenServer]]:
    with tempfile.TemporaryDirectory(prefix="kubekit-token-") as d:
        server = TokenServer(TokenIssuer(d), users, grants)
        thread = threading.Thread(target=server.serve_forever, name="token-server", daemon=True)
        thread.start()
        try:
            auth = {"token": {"realm": server.realm, "service": SERVICE, "issuer": ISSUER,
                              "rootcertbundle": server.issuer.cert}}
            with run_registry(auth, users) as reg:
                yield reg, server
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
