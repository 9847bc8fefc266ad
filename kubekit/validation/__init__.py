"""Validation of the cluster's object kinds, with Kubernetes' field errors.

An invalid manifest is rejected exactly the way the API server rejects it::

    >>> from kubekit.validation import check
    >>> check({"apiVersion": "apps/v1", "kind": "Deployment",
    ...        "metadata": {"name": "web", "namespace": "default"},
    ...        "spec": {"replicas": -1, ...}})
    Traceback (most recent call last):
    kubekit.validation.field.InvalidError: Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0

* :func:`validate` / :func:`validate_update` return the list of
  :class:`~kubekit.validation.field.FieldError` (empty when valid);
* :func:`check` / :func:`check_update` raise
  :class:`~kubekit.validation.field.InvalidError` (an
  :class:`~kubekit.errors.InvalidObjectError`) and return the defaulted
  object otherwise;
* :func:`register` adds a kind.

Both run the API server's defaulting first (:mod:`kubekit.validation.defaults`,
including the request namespace ``default`` for namespaced kinds without one)
unless ``defaults=False``.  Kinds nobody registered are not validated
(:func:`validate` returns ``[]``; see :func:`is_registered`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kubekit.validation import apps, autoscaling, configmap, defaults, event, lease, namespace, node, pod, storage
from kubekit.validation.field import FieldError, InvalidError, Path, aggregate, type_invalid
from kubekit.validation.options import DEFAULT_OPTIONS, Options

__all__ = [
    "FieldError",
    "InvalidError",
    "Kind",
    "Options",
    "apply_defaults",
    "check",
    "check_update",
    "is_registered",
    "kind_of",
    "register",
    "registered_kinds",
    "validate",
    "validate_update",
]

Validator = Callable[[Mapping[str, Any], Options], list[FieldError]]
UpdateValidator = Callable[[Mapping[str, Any], Mapping[str, Any], Options], list[FieldError]]
Defaulter = Callable[[Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Kind:
    """A registered kind: its API group (for the ``Kind.group`` in messages),
    scope, defaulting and validation functions."""

    api_version: str
    kind: str
    validate: Validator
    validate_update: UpdateValidator | None = None
    default: Defaulter | None = None
    namespaced: bool = True

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]


_REGISTRY: dict[tuple[str, str], Kind] = {}


def register(
    kind: str,
    validate: Validator,
    *,
    api_version: str = "v1",
    validate_update: UpdateValidator | None = None,
    default: Defaulter | None = None,
    namespaced: bool = True,
) -> Kind:
    """Register (or replace) the validation of ``api_version``/``kind``.
    ``validate(obj, options)`` and ``validate_update(new, old, options)``
    return field errors; without ``validate_update`` an update is validated
    like a create of the new object."""
    entry = Kind(api_version, kind, validate, validate_update, default, namespaced)
    _REGISTRY[(api_version, kind)] = entry
    return entry


def registered_kinds() -> list[tuple[str, str]]:
    return sorted(_REGISTRY)


def kind_of(obj: Mapping[str, Any]) -> Kind | None:
    return _REGISTRY.get((str(obj.get("apiVersion") or ""), str(obj.get("kind") or "")))


def is_registered(obj: Mapping[str, Any]) -> bool:
    return kind_of(obj) is not None


def apply_defaults(
    obj: Mapping[str, Any],
    namespace: str = "default",
    generate_name: Callable[[str], str] = defaults.simple_name_generator,
) -> dict[str, Any]:
    """What the API server does to a created object before validating it (a
    new dict): the request namespace, a name from ``generateName``, and the
    kind's ``SetDefaults_*``."""
    entry = kind_of(obj)
    out = dict(obj)
    if entry is None:
        return out
    out = defaults.with_generated_name(out, generate_name)
    if entry.namespaced:
        out = defaults.with_namespace(out, namespace)
    return entry.default(out) if entry.default else out


def _not_an_object(obj: Any) -> list[FieldError]:
    return [type_invalid(Path(""), obj, "must be an object")]


def validate(obj: Mapping[str, Any], *, defaults: bool = True, options: Options = DEFAULT_OPTIONS) -> list[FieldError]:
    """Field errors of ``obj`` for a create (``[]`` when valid)."""
    if not isinstance(obj, Mapping):
        return _not_an_object(obj)
    entry = kind_of(obj)
    if entry is None:
        return []
    return entry.validate(apply_defaults(obj) if defaults else obj, options)


def validate_update(new: Mapping[str, Any], old: Mapping[str, Any], *, defaults: bool = True,
                    options: Options = DEFAULT_OPTIONS) -> list[FieldError]:
    """Field errors of replacing ``old`` with ``new``.  As in the API server,
    ``new.metadata.resourceVersion`` must be set (a store doing an
    unconditional update copies it from ``old`` first)."""
    if not isinstance(new, Mapping):
        return _not_an_object(new)
    entry = kind_of(new)
    if entry is None:
        return []
    if defaults:
        new, old = apply_defaults(new), apply_defaults(old)
    if entry.validate_update is None:
        return entry.validate(new, options)
    return entry.validate_update(new, old, options)


def _name(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""


def _raise(obj: Mapping[str, Any], errors: list[FieldError]) -> None:
    entry = kind_of(obj)
    kind = entry.kind if entry else str(obj.get("kind") or "")
    group = entry.group if entry else ""
    raise InvalidError(kind, group, _name(obj), errors)


def check(obj: Mapping[str, Any], *, options: Options = DEFAULT_OPTIONS) -> dict[str, Any]:
    """Default and validate ``obj``; return the defaulted object or raise
    :class:`InvalidError`."""
    defaulted = apply_defaults(obj)
    errors = validate(defaulted, defaults=False, options=options)
    if errors:
        _raise(defaulted, errors)
    return defaulted


def check_update(new: Mapping[str, Any], old: Mapping[str, Any], *, options: Options = DEFAULT_OPTIONS) -> dict[str, Any]:
    """Default and validate an update; return the defaulted new object or
    raise :class:`InvalidError`."""
    new_d, old_d = apply_defaults(new), apply_defaults(old)
    errors = validate_update(new_d, old_d, defaults=False, options=options)
    if errors:
        _raise(new_d, errors)
    return new_d


def _ignore_options(fn: Callable[..., list[FieldError]]) -> Callable[..., list[FieldError]]:
    def wrapped(*args: Any) -> list[FieldError]:
        return fn(*args[:-1])

    wrapped.__doc__ = fn.__doc__
    return wrapped


register("Pod", pod.validate_pod, validate_update=pod.validate_pod_update, default=defaults.default_pod)
register("Node", _ignore_options(node.validate_node), validate_update=_ignore_options(node.validate_node_update),
         default=defaults.default_node, namespaced=False)
register("Event", _ignore_options(event.validate_event), validate_update=_ignore_options(event.validate_event_update))
register("Event", _ignore_options(event.validate_event), api_version="events.k8s.io/v1",
         validate_update=_ignore_options(event.validate_event_update))
register("Deployment", apps.validate_deployment, api_version="apps/v1",
         validate_update=apps.validate_deployment_update, default=defaults.default_deployment)
register("ReplicaSet", apps.validate_replica_set, api_version="apps/v1",
         validate_update=apps.validate_replica_set_update, default=defaults.default_replica_set)
register("HorizontalPodAutoscaler", _ignore_options(autoscaling.validate_hpa), api_version="autoscaling/v2",
         validate_update=_ignore_options(autoscaling.validate_hpa_update), default=autoscaling.default_hpa)
register("Lease", _ignore_options(lease.validate_lease), api_version="coordination.k8s.io/v1",
         validate_update=_ignore_options(lease.validate_lease_update))
register("Namespace", namespace.validate_namespace, validate_update=namespace.validate_namespace_update,
         default=namespace.default_namespace, namespaced=False)
register("ConfigMap", configmap.validate_config_map, validate_update=configmap.validate_config_map_update)
register("Secret", configmap.validate_secret, validate_update=configmap.validate_secret_update,
         default=configmap.default_secret)

register("PersistentVolume", storage.validate_persistent_volume,
         validate_update=storage.validate_persistent_volume_update, default=storage.default_persistent_volume,
         namespaced=False)
register("PersistentVolumeClaim", storage.validate_persistent_volume_claim,
         validate_update=storage.validate_persistent_volume_claim_update,
         default=storage.default_persistent_volume_claim)
register("StorageClass", storage.validate_storage_class, api_version="storage.k8s.io/v1",
         validate_update=storage.validate_storage_class_update, default=storage.default_storage_class,
         namespaced=False)

# ``aggregate`` is re-exported for callers formatting errors themselves.
_ = aggregate
