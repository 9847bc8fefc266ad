"""https: certificates are checked by default; a registry with a
certificate nobody vouches for is refused clearly, reachable with its CA
file or with verification off; loopback defaults to plain http."""

from __future__ import annotations

import os

import pytest
from registry_images import small_layout

from kubekit.images.ocidir import OciDir
from kubekit.images.registry import RegistryClient, RegistryError, pull, push


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_https_registry_with_its_ca_file(tls_registry, repo, scratch):
    src = OciDir(os.path.join(scratch, "src"))
    small_layout(src.path, seed=31)
    opts = {"plain_http": False, "ca_file": tls_registry.ca_file}
    desc = push(src, "latest", f"{tls_registry.addr}/{repo}:v1", **opts)
    assert pull(f"{tls_registry.addr}/{repo}:v1", OciDir(os.path.join(scratch, "a")), **opts).digest == desc.digest
    unverified = pull(f"{tls_registry.addr}/{repo}:v1", OciDir(os.path.join(scratch, "b")), plain_http=False,
                      tls_verify=False)
    assert unverified.digest == desc.digest


def test_unknown_certificate_is_refused(tls_registry, repo, scratch):
    out = OciDir(os.path.join(scratch, "out"))
    with pytest.raises(RegistryError, match=rf"cannot reach registry {tls_registry.addr} \(https://.*"
                                            r"CERTIFICATE_VERIFY_FAILED"):
        pull(f"{tls_registry.addr}/{repo}:v1", out, plain_http=False)
    assert out.refs() == {}


def test_loopback_defaults_to_plain_http_and_others_to_https():
    assert RegistryClient("127.0.0.1:5000").base == "http://127.0.0.1:5000"
    assert RegistryClient("localhost:5000", plain_http=False).base == "https://localhost:5000"
    assert RegistryClient("registry.example:5000").base == "https://registry.example:5000"
