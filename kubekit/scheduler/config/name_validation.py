"""Names and values (k8s.io/apimachinery/pkg/util/validation)."""

from __future__ import annotations

from kubekit.api.resources import is_extended_resource
from kubekit.api.validation import dns1123_subdomain_errors, label_value_errors, qualified_name_errors
from kubekit.scheduler.config.field_errors import _FieldError, _invalid, _Path


# The apimachinery validators live in kubekit.api.validation, shared with the
# manifest readers.
_is_dns1123_subdomain = dns1123_subdomain_errors
_is_qualified_name = qualified_name_errors
_is_valid_label_value = label_value_errors


def _validate_label_name(name: str, p: _Path) -> list[_FieldError]:
    return [_invalid(p, name, m) for m in _is_qualified_name(name)]


_is_extended_resource_name = is_extended_resource
