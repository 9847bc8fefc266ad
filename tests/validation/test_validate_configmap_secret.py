"""ConfigMap and Secret validation: the tables of upstream
``pkg/apis/core/validation/validation_test.go`` (TestValidateConfigMap,
TestValidateConfigMapUpdate, TestValidateSecret, TestValidateSecretUpdate,
TestValidateDockerConfigSecret, TestValidateBasicAuthSecret,
TestValidateSSHAuthSecret, TestValidateTLSSecret) transcribed, plus the
defaulting (type Opaque, stringData merged into data)."""

from __future__ import annotations

import base64

import pytest

from kubekit.validation import check, validate
from kubekit.validation.configmap import (
    MAX_SECRET_SIZE,
    validate_config_map,
    validate_config_map_update,
    validate_secret,
    validate_secret_update,
)
from kubekit.validation.field import InvalidError


def b64(b: bytes | str) -> str:
    return base64.b64encode(b.encode() if isinstance(b, str) else b).decode()


def cm(name="validname", ns="validns", data=None, binary=None, version="1", immutable=None):
    out = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns,
                                                                "resourceVersion": version}}
    if data is not None:
        out["data"] = data
    if binary is not None:
        out["binaryData"] = {k: b64(v) for k, v in binary.items()}
    if immutable is not None:
        out["immutable"] = immutable
    return out


@pytest.mark.parametrize("name,obj,valid", [
    ("valid", cm(data={"key": "value"}, binary={"bin": b"value"}), True),
    ("max key length", cm(data={"a" * 253: "value"}), True),
    ("leading dot key", cm(data={".ab": "value"}), True),
    ("empty name", cm(name=""), False),
    ("invalid name", cm(name="NoUppercaseOrSpecialCharsLike=Equals"), False),
    ("invalid key", cm(data={"a*b": "value"}), False),
    ("empty namespace", cm(ns=""), False),
    ("invalid namespace", cm(ns="NoUppercaseOrSpecialCharsLike=Equals"), False),
    ("dot key", cm(data={".": "value"}), False),
    ("double dot key", cm(data={"..": "value"}), False),
    ("over max key length", cm(data={"a" * 254: "value"}), False),
    ("over max size", cm(data={"key": "a" * (MAX_SECRET_SIZE + 1)}), False),
    ("duplicated key", cm(data={"key": "value1"}, binary={"key": b"value2"}), False),
    ("binary data invalid key", cm(binary={"a*b": b"value"}), False),
    ("binary data leading dot key", cm(binary={".ab": b"value"}), True),
    ("binary data dot key", cm(binary={".": b"value"}), False),
    ("binary data double dot key", cm(binary={"..": b"value"}), False),
    ("binary data over max key length", cm(binary={"a" * 254: b"value"}), False),
    ("binary data max size", cm(binary={"bin": b"a" * (MAX_SECRET_SIZE + 1)}), False),
    ("binary data non utf-8 bytes", cm(binary={"key": bytes([0, 0xFE, 0, 0xFF])}), True),
])
def test_validate_config_map(name, obj, valid):
    errs = validate_config_map(obj)
    assert (errs == []) == valid, (name, [str(e) for e in errs])


def test_config_map_messages():
    errs = validate_config_map(cm(data={"key": "v", "a*b": "v"}, binary={"key": b"x"}))
    assert [str(e) for e in errs] == [
        'data[a*b]: Invalid value: "a*b": a valid config key must consist of alphanumeric characters, \'-\', \'_\' '
        "or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        'data[key]: Invalid value: "key": duplicate of key present in binaryData']
    (big,) = validate_config_map(cm(data={"k": "a" * (MAX_SECRET_SIZE + 1)}))
    assert str(big) == "[]: Too long: may not be more than 1048576 bytes"


@pytest.mark.parametrize("name,old,new,valid", [
    ("valid", cm(data={"key": "value"}), cm(data={"key": "value"}), True),
    ("invalid (no resourceVersion)", cm(data={"key": "value"}), cm(data={"key": "value"}, version=""), False),
    ("mark configmap immutable", cm(data={"key": "value"}), cm(data={"key": "value"}, immutable=True), True),
    ("revert immutable configmap", cm(data={"key": "value"}, immutable=True), cm(data={"key": "value"}), False),
    ("mark immutable configmap mutable", cm(data={"key": "value"}, immutable=True),
     cm(data={"key": "value"}, immutable=False), False),
    ("change data in immutable configmap", cm(data={"key": "value"}, immutable=True),
     cm(data={"key": "anothervalue"}, immutable=True), False),
    ("change binaryData in immutable configmap", cm(binary={"bkey": b"value"}, immutable=True),
     cm(binary={"bkey": b"anothervalue"}, immutable=True), False),
    ("add data in immutable configmap", cm(data={"key": "value"}, immutable=True),
     cm(data={"key": "value", "key2": "value2"}, immutable=True), False),
    ("remove data from immutable configmap", cm(data={"key": "value", "key2": "value2"}, immutable=True),
     cm(data={"key": "value"}, immutable=True), False),
    ("change data in mutable configmap", cm(data={"key": "value"}), cm(data={"key": "anothervalue"}), True),
])
def test_validate_config_map_update(name, old, new, valid):
    errs = validate_config_map_update(new, old)
    assert (errs == []) == valid, (name, [str(e) for e in errs])


def sec(name="foo", ns="bar", data=None, kind=None, annotations=None, version="1", immutable=None):
    out = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns, "resourceVersion": version},
           "data": {k: b64(v) for k, v in ({"data-1": "bar"} if data is None else data).items()}}
    if kind is not None:
        out["type"] = kind
    if annotations is not None:
        out["metadata"]["annotations"] = annotations
    if immutable is not None:
        out["immutable"] = immutable
    return out


SA = "kubernetes.io/service-account-token"
DOCKERJSON = "kubernetes.io/dockerconfigjson"


@pytest.mark.parametrize("name,obj,valid", [
    ("valid", sec(), True),
    ("empty name", sec(name=""), False),
    ("invalid name", sec(name="NoUppercaseOrSpecialCharsLike=Equals"), False),
    ("empty namespace", sec(ns=""), False),
    ("invalid namespace", sec(ns="NoUppercaseOrSpecialCharsLike=Equals"), False),
    ("over max size", sec(data={"over": b"\0" * (MAX_SECRET_SIZE + 1)}), False),
    ("invalid key", sec(data={"data-1": "bar", "a*b": "whoops"}), False),
    ("valid service-account-token secret",
     sec(kind=SA, annotations={"kubernetes.io/service-account.name": "sa"}), True),
    ("empty service-account-token annotation", sec(kind=SA, annotations={"kubernetes.io/service-account.name": ""}),
     False),
    ("missing service-account-token annotation", sec(kind=SA, annotations={"kubernetes.io/service-account.uid": "u"}),
     False),
    ("missing service-account-token annotations", sec(kind=SA), False),
    ("leading dot key", sec(data={"data-1": "bar", ".key": "bar"}), True),
    ("dot key", sec(data={"data-1": "bar", ".": "bar"}), False),
    ("double dot key", sec(data={"data-1": "bar", "..": "bar"}), False),
    # TestValidateDockerConfigSecret
    ("valid dockerconfigjson", sec(kind=DOCKERJSON, data={".dockerconfigjson": '{"auths": {}}'}), True),
    ("dockerconfigjson missing key", sec(kind=DOCKERJSON, data={}), False),
    ("dockerconfigjson invalid json", sec(kind=DOCKERJSON, data={".dockerconfigjson": "bad"}), False),
    ("valid dockercfg", sec(kind="kubernetes.io/dockercfg", data={".dockercfg": '{"r": {}}'}), True),
    ("dockercfg missing key", sec(kind="kubernetes.io/dockercfg", data={}), False),
    # TestValidateBasicAuthSecret
    ("valid basic auth", sec(kind="kubernetes.io/basic-auth", data={"username": "u", "password": "p"}), True),
    ("basic auth username only", sec(kind="kubernetes.io/basic-auth", data={"username": "u"}), True),
    ("basic auth missing both", sec(kind="kubernetes.io/basic-auth", data={"foo": "bar"}), False),
    # TestValidateSSHAuth
    ("valid ssh auth", sec(kind="kubernetes.io/ssh-auth", data={"ssh-privatekey": "key"}), True),
    ("ssh auth missing key", sec(kind="kubernetes.io/ssh-auth", data={"foo": "bar"}), False),
    ("ssh auth empty key", sec(kind="kubernetes.io/ssh-auth", data={"ssh-privatekey": ""}), False),
    # TestValidateTLSSecret
    ("valid tls", sec(kind="kubernetes.io/tls", data={"tls.crt": "c", "tls.key": "k"}), True),
    ("tls missing key", sec(kind="kubernetes.io/tls", data={"tls.crt": "c"}), False),
    ("tls missing cert", sec(kind="kubernetes.io/tls", data={"tls.key": "k"}), False),
])
def test_validate_secret(name, obj, valid):
    errs = validate_secret(obj)
    assert (errs == []) == valid, (name, [str(e) for e in errs])


def test_secret_messages_keep_upstreams_paths():
    assert [str(e) for e in validate_secret(sec(kind="kubernetes.io/basic-auth", data={}))] == [
        "data[%s][username]: Required value", "data[%s][password]: Required value"]
    assert [str(e) for e in validate_secret(sec(kind="kubernetes.io/tls", data={}))] == [
        "data[tls.crt]: Required value", "data[tls.key]: Required value"]
    (e,) = validate_secret(sec(kind=DOCKERJSON, data={".dockerconfigjson": "bad"}))
    assert str(e).startswith('data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": ')
    (e,) = validate_secret(sec(kind=SA))
    assert str(e) == "metadata.annotations[kubernetes.io/service-account.name]: Required value"
    bad = sec()
    bad["data"]["data-1"] = "not base64!"
    (e,) = validate_secret(bad)
    assert str(e).startswith('data[data-1]: Invalid value: "<secret contents redacted>": illegal base64 data')


@pytest.mark.parametrize("name,old,new,valid", [
    ("valid", sec(), sec(), True),
    ("change type", sec(), sec(kind="SomethingElse"), False),
    ("mark secret immutable", sec(), sec(immutable=True), True),
    ("revert immutable secret", sec(immutable=True), sec(), False),
    ("mark immutable secret mutable", sec(immutable=True), sec(immutable=False), False),
    ("change data in immutable secret", sec(immutable=True), sec(data={"data-1": "changed"}, immutable=True), False),
    ("add data in immutable secret", sec(immutable=True), sec(data={"data-1": "bar", "x": "y"}, immutable=True),
     False),
    ("change data in mutable secret", sec(), sec(data={"data-1": "changed"}), True),
])
def test_validate_secret_update(name, old, new, valid):
    errs = validate_secret_update(new, old)
    assert (errs == []) == valid, (name, [str(e) for e in errs])


def test_secret_defaults_type_and_merges_string_data():
    out = check({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                 "data": {"a": b64("from-data"), "b": b64("kept")}, "stringData": {"a": "from-stringData", "c": "new"}})
    assert out["type"] == "Opaque" and "stringData" not in out
    assert {k: base64.b64decode(v).decode() for k, v in out["data"].items()} == {
        "a": "from-stringData", "b": "kept", "c": "new"}
    assert out["metadata"]["namespace"] == "default"


def test_registered_kinds_reject_through_check():
    with pytest.raises(InvalidError) as e:
        check(cm(data={"..": "x"}))
    assert str(e.value).startswith('ConfigMap "validname" is invalid: data[..]: Invalid value: "..": must not be')
    assert validate(sec(kind="kubernetes.io/tls", data={})) != []
