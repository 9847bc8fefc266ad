"""Pure functions of the registry client, table-tested: challenges, scopes,
token requests and answers, auth files, error bodies, plain-http defaults,
and the in-flight deduplication primitive."""

from __future__ import annotations

import base64
import json
import threading

import pytest

from kubekit.images.registry.auth import Authenticator, parse_token_response, token_url
from kubekit.images.registry.challenge import (
    Challenge,
    merge_scopes,
    parse_www_authenticate,
    repository_scope,
)
from kubekit.images.registry.client import default_plain_http
from kubekit.images.registry.credentials import (
    Credentials,
    auth_file_paths,
    credentials_from_config,
    load_credentials,
)
from kubekit.images.registry.errors import AuthError, describe_error_body
from kubekit.images.registry.inflight import InFlight


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize("header, expected", [
    ('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
     [Challenge("bearer", {"realm": "https://auth.docker.io/token", "service": "registry.docker.io",
                           "scope": "repository:library/busybox:pull"})]),
    ('Basic realm="Registry Realm"', [Challenge("basic", {"realm": "Registry Realm"})]),
    ('basic REALM=plain', [Challenge("basic", {"realm": "plain"})]),
    ('Basic realm="a", Bearer realm="https://t/token",service=reg',
     [Challenge("basic", {"realm": "a"}), Challenge("bearer", {"realm": "https://t/token", "service": "reg"})]),
    ('Bearer realm="a,b", error="insufficient_scope"',
     [Challenge("bearer", {"realm": "a,b", "error": "insufficient_scope"})]),
    ('Basic realm="say \\"hi\\""', [Challenge("basic", {"realm": 'say "hi"'})]),
    ('Negotiate abc==, Basic realm="x"', [Challenge("negotiate", {}), Challenge("basic", {"realm": "x"})]),
    ('Negotiate, Basic realm=x', [Challenge("negotiate", {}), Challenge("basic", {"realm": "x"})]),
    ('Bearer', [Challenge("bearer", {})]),
    ('', []),
    ('   ', []),
    ('=garbage', []),
])
def test_parse_www_authenticate(header, expected):
    assert parse_www_authenticate(header) == expected


@pytest.mark.parametrize("repo, actions, expected", [
    ("app", ["pull"], "repository:app:pull"),
    ("team/app", ["push", "pull"], "repository:team/app:pull,push"),
    ("a", ["pull", "pull"], "repository:a:pull"),
])
def test_repository_scope(repo, actions, expected):
    assert repository_scope(repo, actions) == expected


@pytest.mark.parametrize("scopes, expected", [
    ([], []),
    (["repository:a:pull", "repository:a:push"], ["repository:a:pull,push"]),
    (["repository:b:pull", "repository:a:pull,push"], ["repository:a:pull,push", "repository:b:pull"]),
    (["repository:a:pull repository:b:push"], ["repository:a:pull", "repository:b:push"]),
    (["registry:catalog:*"], ["registry:catalog:*"]),
    (["repository:host:5000/x:pull"], ["repository:host:5000/x:pull"]),
    (["nonsense"], []),
])
def test_merge_scopes(scopes, expected):
    assert merge_scopes(scopes) == expected


@pytest.mark.parametrize("params, scopes, expected", [
    ({"realm": "https://t/token", "service": "reg"}, ["repository:a:pull"],
     "https://t/token?service=reg&scope=repository%3Aa%3Apull"),
    ({"realm": "https://t/token?x=1", "scope": "repository:a:pull"}, ["repository:a:push"],
     "https://t/token?x=1&scope=repository%3Aa%3Apull%2Cpush"),
    ({"realm": "https://t/token"}, [], "https://t/token"),
    ({"realm": "https://t/token", "service": "s"}, ["repository:b:pull", "repository:a:pull,push"],
     "https://t/token?service=s&scope=repository%3Aa%3Apull%2Cpush&scope=repository%3Ab%3Apull"),
])
def test_token_url(params, scopes, expected):
    assert token_url(Challenge("bearer", params), scopes) == expected


def test_token_url_needs_a_realm():
    with pytest.raises(AuthError, match="without a realm"):
        token_url(Challenge("bearer", {"service": "s"}), [])


@pytest.mark.parametrize("body, token, expires", [
    (b'{"token": "t1", "expires_in": 300}', "t1", 1000 + 290),
    (b'{"access_token": "t2"}', "t2", 1000 + 50),
    (b'{"token": "t3", "access_token": "ignored", "expires_in": 5}', "t3", 1000 + 1),
    (b'{"token": "t4", "expires_in": "soon"}', "t4", 1000 + 50),
])
def test_parse_token_response(body, token, expires):
    assert parse_token_response(body, 1000.0, "t") == (token, expires)


@pytest.mark.parametrize("body, message", [
    (b"not json", "not JSON"),
    (b"[1]", "expected a JSON object"),
    (b'{"expires_in": 3}', "no 'token' or 'access_token'"),
    (b'{"token": ""}', "no 'token'"),
])
def test_parse_token_response_errors(body, message):
    with pytest.raises(AuthError, match=message):
        parse_token_response(body, 0.0, "https://t/token")


def test_authenticator_caches_tokens_per_scope_until_expiry():
    calls = []
    now = [0.0]

    def fetch(url, headers):
        calls.append((url, dict(headers)))
        return 200, json.dumps({"token": f"tok{len(calls)}", "expires_in": 100}).encode()

    auth = Authenticator("reg", Credentials("u", "p"), fetch, clock=lambda: now[0])
    assert auth.header(["repository:a:pull"]) is None                # no challenge seen yet
    auth.learn('Bearer realm="https://t/token",service="reg"', ["repository:a:pull"])
    assert auth.header(["repository:a:pull"]) == "Bearer tok1"
    assert auth.header(["repository:a:pull"]) == "Bearer tok1"       # cached
    assert auth.header(["repository:a:pull,push"]) == "Bearer tok2"  # another scope, another token
    assert calls[0][1] == {"Authorization": "Basic " + b64("u:p")}
    now[0] = 95.0                                                    # within the renewal margin
    assert auth.header(["repository:a:pull"]) == "Bearer tok3"
    assert len(calls) == 3


def test_authenticator_answers_basic_and_refuses_without_credentials():
    auth = Authenticator("reg", Credentials("u", "p:x"), lambda u, h: (500, b""))
    auth.learn('Basic realm="r"', [])
    assert auth.header([]) == "Basic " + b64("u:p:x")
    anonymous = Authenticator("reg", lambda: None, lambda u, h: (500, b""))
    anonymous.learn('Basic realm="r"', [])
    with pytest.raises(AuthError, match="wants Basic credentials and none were given"):
        anonymous.header([])
    with pytest.raises(AuthError, match="no Basic or Bearer challenge"):
        anonymous.learn('Negotiate abc', [])


@pytest.mark.parametrize("status, body, message", [
    (401, b'{"errors":[{"code":"UNAUTHORIZED","message":"bad password"}]}',
     "refused user 'u': 401: UNAUTHORIZED: bad password"),
    (500, b"oops", "answered 500: oops"),
])
def test_authenticator_token_errors_name_the_server(status, body, message):
    auth = Authenticator("reg:5000", Credentials("u", "p"), lambda u, h: (status, body))
    auth.learn('Bearer realm="https://t/token"', [])
    with pytest.raises(AuthError, match=message) as e:
        auth.header(["repository:a:pull"])
    assert "https://t/token" in str(e.value) and "reg:5000" in str(e.value)


@pytest.mark.parametrize("config, registry, expected", [
    ({"auths": {"127.0.0.1:5000": {"auth": b64("u:p")}}}, "127.0.0.1:5000", Credentials("u", "p")),
    ({"auths": {"https://127.0.0.1:5000": {"auth": b64("u:p")}}}, "127.0.0.1:5000", Credentials("u", "p")),
    ({"auths": {"https://index.docker.io/v1/": {"auth": b64("hub:pw:with:colons")}}}, "docker.io",
     Credentials("hub", "pw:with:colons")),
    ({"auths": {"docker.io": {"auth": b64("hub:pw")}}}, "registry-1.docker.io", Credentials("hub", "pw")),
    ({"auths": {"Quay.IO": {"auth": b64("q:w")}}}, "quay.io", Credentials("q", "w")),
    ({"auths": {"r.example": {"username": "n", "password": "s"}}}, "r.example", Credentials("n", "s")),
    ({"auths": {"other:5000": {"auth": b64("u:p")}}}, "127.0.0.1:5000", None),
    ({"auths": {"127.0.0.1:5000": {}}}, "127.0.0.1:5000", None),
    ({"credsStore": "desktop"}, "docker.io", None),
    ({}, "x", None),
])
def test_credentials_from_config(config, registry, expected):
    assert credentials_from_config(config, registry) == expected


@pytest.mark.parametrize("auth, message", [
    ("!!!", "not base64"),
    (b64("nocolon"), "does not decode to 'user:password'"),
    (b64(":password"), "does not decode"),
])
def test_credentials_from_config_errors(auth, message):
    with pytest.raises(AuthError, match=message):
        credentials_from_config({"auths": {"r": {"auth": auth}}}, "r", "/x/config.json")


def test_credentials_repr_hides_the_password():
    assert "secret" not in repr(Credentials("u", "secret"))


@pytest.mark.parametrize("env, expected", [
    ({"REGISTRY_AUTH_FILE": "/a.json", "HOME": "/h"}, ["/a.json"]),
    ({"XDG_RUNTIME_DIR": "/run/u", "HOME": "/h"}, ["/run/u/containers/auth.json", "/h/.docker/config.json"]),
    ({"DOCKER_CONFIG": "/d", "HOME": "/h"}, ["/d/config.json"]),
    ({"HOME": "/h"}, ["/h/.docker/config.json"]),
])
def test_auth_file_paths(env, expected):
    assert auth_file_paths(env) == expected


def test_load_credentials_first_file_naming_the_registry_wins(tmp_path):
    run = tmp_path / "run" / "containers"
    run.mkdir(parents=True)
    (run / "auth.json").write_text(json.dumps({"auths": {"other": {"auth": b64("o:o")}}}))
    (tmp_path / ".docker").mkdir()
    (tmp_path / ".docker" / "config.json").write_text(json.dumps({"auths": {"reg:1": {"auth": b64("d:pw")}}}))
    env = {"XDG_RUNTIME_DIR": str(tmp_path / "run"), "HOME": str(tmp_path)}
    assert load_credentials("reg:1", env=env) == Credentials("d", "pw")
    assert load_credentials("other", env=env) == Credentials("o", "o")
    assert load_credentials("none", env=env) is None
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(AuthError, match=f"auth file {bad}: cannot read it as JSON"):
        load_credentials("reg:1", auth_file=str(bad))
    with pytest.raises(AuthError, match="does not exist"):
        load_credentials("reg:1", auth_file=str(tmp_path / "missing.json"))


@pytest.mark.parametrize("body, text, codes", [
    (b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"v9"}}]}',
     "MANIFEST_UNKNOWN: manifest unknown", ("MANIFEST_UNKNOWN",)),
    (b'{"errors":[{"code":"DENIED"},{"code":"UNAUTHORIZED","message":"no"}]}', "DENIED; UNAUTHORIZED: no",
     ("DENIED", "UNAUTHORIZED")),
    (b"<html>Bad Gateway</html>", "<html>Bad Gateway</html>", ()),
    (b"", "(empty body)", ()),
    (b'{"errors": []}', '{"errors": []}', ()),
])
def test_describe_error_body(body, text, codes):
    assert describe_error_body(body) == (text, codes)


@pytest.mark.parametrize("registry, plain", [
    ("localhost", True), ("localhost:5000", True), ("127.0.0.1:5000", True), ("127.1.2.3", True),
    ("[::1]:5000", True), ("registry-1.docker.io", False), ("10.0.0.1:5000", False), ("quay.io", False),
])
def test_default_plain_http(registry, plain):
    assert default_plain_http(registry) is plain


def test_inflight_merges_overlapping_calls_and_shares_errors():
    flight: InFlight[str] = InFlight()
    started, release = threading.Event(), threading.Event()
    runs, results = [], []

    def slow():
        runs.append(1)
        started.set()
        release.wait(30)
        return "value"

    leader = threading.Thread(target=lambda: results.append(flight.run("k", slow)))
    leader.start()
    assert started.wait(30)
    follower = threading.Thread(target=lambda: results.append(flight.run("k", slow)))
    follower.start()
    while flight.waiters("k") < 1 and follower.is_alive():
        follower.join(0.01)
    release.set()
    leader.join()
    follower.join()
    assert sorted(results) == [("value", False), ("value", True)] and len(runs) == 1
    assert flight.run("k", lambda: "again") == ("again", False)      # forgotten once done

    def boom():
        raise ValueError("broken")
    with pytest.raises(ValueError, match="broken"):
        flight.run("k", boom)
