"""A client for OCI distribution registries: pull images into an OCI
layout, push them from one (see docs/images-registry.md).

```python
from kubekit.images.ocidir import OciDir
from kubekit.images.registry import pull, push, RegistryClient, TextProgress

desc = pull("127.0.0.1:5000/app:v1", OciDir("/tmp/layout"), progress=TextProgress())
push(OciDir("/tmp/layout"), "127.0.0.1:5000/app:v1", "registry.example/team/app:v1")
```
"""

from kubekit._lazy import lazy_names

# Loaded on first use: the CLI builds its parser without importing urllib3.
_NAMES = {
    "AuthError": "kubekit.images.registry.errors",
    "Challenge": "kubekit.images.registry.challenge",
    "Credentials": "kubekit.images.registry.credentials",
    "NullProgress": "kubekit.images.registry.progress",
    "Progress": "kubekit.images.registry.progress",
    "PushOptions": "kubekit.images.registry.push",
    "RegistryClient": "kubekit.images.registry.client",
    "RegistryError": "kubekit.images.registry.errors",
    "TextProgress": "kubekit.images.registry.progress",
    "credentials_from_config": "kubekit.images.registry.credentials",
    "default_plain_http": "kubekit.images.registry.client",
    "fetch_blob": "kubekit.images.registry.pull",
    "fetch_manifest": "kubekit.images.registry.pull",
    "load_credentials": "kubekit.images.registry.credentials",
    "merge_scopes": "kubekit.images.registry.challenge",
    "parse_www_authenticate": "kubekit.images.registry.challenge",
    "pull": "kubekit.images.registry.pull",
    "push": "kubekit.images.registry.push",
    "push_blob": "kubekit.images.registry.push",
    "repository_scope": "kubekit.images.registry.challenge",
    "resolve_source": "kubekit.images.registry.push",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_names(__name__, globals(), _NAMES)
