"""Basic and token authentication against real registries: right
credentials work, wrong or missing ones fail with messages naming who was
refused and by whom, credentials come from auth files, tokens are cached."""

from __future__ import annotations

import base64
import json
import os

import pytest
from registry_images import small_layout

from kubekit.images.ocidir import OciDir
from kubekit.images.registry import AuthError, Credentials, RegistryClient, pull, push


def _image(scratch: str) -> OciDir:
    src = OciDir(os.path.join(scratch, "src"))
    small_layout(src.path)
    return src


def test_basic_auth_with_right_credentials(basic_registry, repo, scratch):
    creds = Credentials("alice", basic_registry.users["alice"])
    src = _image(scratch)
    desc = push(src, "latest", f"{basic_registry.addr}/{repo}:v1", credentials=creds)
    out = OciDir(os.path.join(scratch, "out"))
    assert pull(f"{basic_registry.addr}/{repo}:v1", out, credentials=creds).digest == desc.digest


@pytest.mark.parametrize("creds, message", [
    (Credentials("alice", "wrong"), r"answered 401 Unauthorized: UNAUTHORIZED: .*user 'alice', basic auth"),
    (None, "wants Basic credentials and none were given"),
])
def test_basic_auth_refusals_are_clear(basic_registry, repo, scratch, creds, message, monkeypatch):
    monkeypatch.delenv("REGISTRY_AUTH_FILE", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.delenv("DOCKER_CONFIG", raising=False)
    monkeypatch.setenv("HOME", scratch)             # no ~/.docker/config.json there
    out = OciDir(os.path.join(scratch, "out"))
    with pytest.raises(AuthError, match=message) as e:
        pull(f"{basic_registry.addr}/{repo}:v1", out, credentials=creds)
    assert basic_registry.addr in str(e.value)
    assert out.refs() == {}


def test_credentials_come_from_the_docker_config(basic_registry, repo, scratch, monkeypatch):
    auth = base64.b64encode(f"alice:{basic_registry.users['alice']}".encode()).decode()
    path = os.path.join(scratch, "config.json")
    with open(path, "w") as f:
        json.dump({"auths": {f"http://{basic_registry.addr}": {"auth": auth}}}, f)
    monkeypatch.setenv("REGISTRY_AUTH_FILE", path)
    src = _image(scratch)
    desc = push(src, "latest", f"{basic_registry.addr}/{repo}:v1")
    assert pull(f"{basic_registry.addr}/{repo}:v1", OciDir(os.path.join(scratch, "out"))).digest == desc.digest


def test_token_auth_with_right_credentials_and_cached_tokens(token_registry, repo, scratch):
    reg, server = token_registry
    creds = Credentials("alice", reg.users["alice"])
    src = _image(scratch)
    before = len(server.requests)
    with RegistryClient(reg.addr, credentials=creds) as client:
        desc = push(src, "latest", f"{reg.addr}/{repo}:v1", client=client)
        out = OciDir(os.path.join(scratch, "out"))
        assert pull(f"{reg.addr}/{repo}:v1", out, client=client).digest == desc.digest
    asked = server.requests[before:]
    assert {r["user"] for r in asked} == {"alice"} and {r["service"] for r in asked} == {"kubekit-test-registry"}
    scopes = [tuple(r["scope"]) for r in asked]
    # one token per set of scopes: pull-only (ping, HEAD...), pull+push; not one per request
    assert len(scopes) == len(set(scopes)) and (f"repository:{repo}:pull,push",) in scopes


def test_token_auth_wrong_password_names_the_token_server(token_registry, repo, scratch):
    reg, _ = token_registry
    out = OciDir(os.path.join(scratch, "out"))
    with pytest.raises(AuthError, match=r"token server http://127\.0\.0\.1:\d+/token \(for registry .*\) refused "
                                        r"user 'alice': 401: UNAUTHORIZED: wrong user name or password"):
        pull(f"{reg.addr}/{repo}:v1", out, credentials=Credentials("alice", "nope"))
    assert out.refs() == {}


def test_token_auth_without_push_right_fails_clearly(token_registry, repo, scratch):
    reg, _ = token_registry
    with pytest.raises(AuthError, match=rf"{reg.addr} answered 401 Unauthorized: UNAUTHORIZED: .*user 'bob', "
                                        r"bearer auth"):
        push(_image(scratch), "latest", f"{reg.addr}/{repo}:v1", credentials=Credentials("bob", reg.users["bob"]))


def test_token_auth_anonymous_is_refused(token_registry, repo, scratch, monkeypatch):
    reg, _ = token_registry
    monkeypatch.setenv("REGISTRY_AUTH_FILE", os.path.join(scratch, "none.json"))
    with open(os.path.join(scratch, "none.json"), "w") as f:
        json.dump({"auths": {}}, f)
    with pytest.raises(AuthError, match=r"answered 401 .*no credentials \(anonymous\), bearer auth"):
        pull(f"{reg.addr}/{repo}:v1", OciDir(os.path.join(scratch, "out")))
