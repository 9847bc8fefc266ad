"""Registry credentials: given explicitly, or read from the auth files that
Docker, podman and skopeo write.

The files are JSON with an ``auths`` map from a registry host (sometimes a
URL, such as Docker Hub's ``https://index.docker.io/v1/``) to an entry whose
``auth`` field is ``base64("user:password")``.  Looked up in this order, as
containers-auth.json(5) does: ``$REGISTRY_AUTH_FILE``;
``$XDG_RUNTIME_DIR/containers/auth.json``; ``$DOCKER_CONFIG/config.json``
(default ``~/.docker/config.json``).  The first file with an entry for the
registry wins.  Credential helpers (``credHelpers``, ``credsStore``) are not
run; an ``identitytoken`` is not used.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kubekit.images.registry.errors import AuthError

__all__ = ["Credentials", "auth_file_paths", "credentials_from_config", "load_credentials"]

_DOCKER_HUB_KEYS = ("docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1/")


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user name and password (or token used as a password)."""
    username: str
    password: str

    def __repr__(self) -> str:                 # never print the password
        return f"Credentials(username={self.username!r}, password=***)"

    def basic_header(self) -> str:
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")


def _host_of(key: str) -> str:
    """``https://host:5000/v1/`` -> ``host:5000``; a plain host stays."""
    host = key.split("://", 1)[1] if "://" in key else key
    return host.split("/", 1)[0].lower()


def decode_auth_field(value: str, where: str) -> Credentials:
    """``base64("user:password")`` -> :class:`Credentials`."""
    try:
        raw = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as e:
        raise AuthError(f"{where}: 'auth' is not base64 of 'user:password': {e}") from None
    user, sep, password = raw.partition(":")
    if not sep or not user:
        raise AuthError(f"{where}: 'auth' does not decode to 'user:password'")
    return Credentials(user, password)


def credentials_from_config(config: Mapping[str, Any], registry: str, where: str = "auth file") -> Credentials | None:
    """The credentials an auth file's ``auths`` holds for ``registry`` (a
    host, ``docker.io`` for Docker Hub), or None.  Keys match by host, so
    ``https://127.0.0.1:5000`` serves ``127.0.0.1:5000``."""
    auths = config.get("auths") if isinstance(config, Mapping) else None
    if not isinstance(auths, Mapping):
        return None
    wanted = {registry.lower()}
    if registry.lower() in _DOCKER_HUB_KEYS:
        wanted |= {_host_of(k) for k in _DOCKER_HUB_KEYS}
    for key, entry in auths.items():
        if _host_of(str(key)) not in wanted or not isinstance(entry, Mapping):
            continue
        if entry.get("auth"):
            return decode_auth_field(str(entry["auth"]), f"{where}: auths[{key!r}]")
        if entry.get("username") and "password" in entry:
            return Credentials(str(entry["username"]), str(entry["password"]))
    return None


def auth_file_paths(env: Mapping[str, str] | None = None) -> list[str]:
    """The auth files to look in, in order (whether or not they exist)."""
    env = os.environ if env is None else env
    if env.get("REGISTRY_AUTH_FILE"):
        return [env["REGISTRY_AUTH_FILE"]]
    out = []
    if env.get("XDG_RUNTIME_DIR"):
        out.append(os.path.join(env["XDG_RUNTIME_DIR"], "containers", "auth.json"))
    docker_dir = env.get("DOCKER_CONFIG") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".docker")
    out.append(os.path.join(docker_dir, "config.json"))
    return out


def load_credentials(registry: str, auth_file: str | None = None,
                     env: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials for ``registry`` from ``auth_file`` (if given) or the
    usual files; None when no file names the registry.  A file that exists
    but is not JSON is an :class:`AuthError` naming it."""
    for path in [auth_file] if auth_file else auth_file_paths(env):
        try:
            with open(path, "rb") as f:
                config = json.loads(f.read(1 << 20))
        except FileNotFoundError:
            if auth_file:
                raise AuthError(f"auth file {path}: does not exist") from None
            continue
        except (OSError, ValueError) as e:
            raise AuthError(f"auth file {path}: cannot read it as JSON: {e}") from None
        creds = credentials_from_config(config, registry, path)
        if creds is not None:
            return creds
    return None
