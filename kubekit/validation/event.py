"""Events: ``ValidateEventCreate`` / ``ValidateEventUpdate`` and
``legacyValidateEvent`` (``pkg/apis/core/validation/events.go``).

A v1 Event (the core API) only gets the legacy checks, for backwards
compatibility, exactly as upstream.  An ``events.k8s.io/v1`` Event is mapped
onto the internal field names (``note`` -> ``message``, ``regarding`` ->
``involvedObject``, ``deprecatedCount`` -> ``count``...) and also gets the
strict checks; error paths use the internal names, as upstream's do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubekit.validation import shape
from kubekit.validation.field import FieldError, GoStruct, Path, invalid, required
from kubekit.validation.meta import immutable, semantic, validate_object_meta, validate_object_meta_update
from kubekit.validation.names import dns1123_subdomain_errors, name_is_dns_subdomain, qualified_name_errors

__all__ = ["internal_event", "validate_event", "validate_event_update"]

REPORTING_INSTANCE_LENGTH_LIMIT = 128
ACTION_LENGTH_LIMIT = 128
REASON_LENGTH_LIMIT = 128
NOTE_LENGTH_LIMIT = 1024

_EVENTS_V1_NAMES = {
    "note": "message",
    "regarding": "involvedObject",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
}


def internal_event(obj: Mapping[str, Any]) -> dict[str, Any]:
    """An Event with the internal (core) field names."""
    if obj.get("apiVersion") != "events.k8s.io/v1":
        return dict(obj)
    return {_EVENTS_V1_NAMES.get(k, k): v for k, v in obj.items()}


def _s(event: Mapping[str, Any], key: str) -> str:
    v = event.get(key)
    return v if isinstance(v, str) else ""


def _legacy(event: Mapping[str, Any]) -> list[FieldError]:
    errs: list[FieldError] = []
    meta = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
    namespace = meta.get("namespace") if isinstance(meta.get("namespace"), str) else ""
    involved = event.get("involvedObject") if isinstance(event.get("involvedObject"), dict) else {}
    involved_ns = involved.get("namespace") if isinstance(involved.get("namespace"), str) else ""
    ns_path = Path("involvedObject", "namespace")
    if not event.get("eventTime"):
        if not involved_ns:
            if namespace not in ("", "default"):
                errs.append(invalid(ns_path, involved_ns, "does not match event.namespace"))
        elif namespace != involved_ns:
            errs.append(invalid(ns_path, involved_ns, "does not match event.namespace"))
    else:
        if not involved_ns and namespace not in ("default", "kube-system"):
            errs.append(invalid(ns_path, involved_ns, "does not match event.namespace"))
        controller = _s(event, "reportingController")
        if not controller:
            errs.append(required(Path("reportingController")))
        errs += [invalid(Path("reportingController"), controller, m) for m in qualified_name_errors(controller)]
        for key, limit in (("reportingInstance", REPORTING_INSTANCE_LENGTH_LIMIT), ("action", ACTION_LENGTH_LIMIT),
                           ("reason", REASON_LENGTH_LIMIT)):
            if not _s(event, key):
                errs.append(required(Path(key)))
            if len(_s(event, key).encode()) > limit:
                errs.append(invalid(Path(key), "", f"can have at most {limit} characters"))
        if len(_s(event, "message").encode()) > NOTE_LENGTH_LIMIT:
            errs.append(invalid(Path("message"), "", f"can have at most {NOTE_LENGTH_LIMIT} characters"))
    errs += [invalid(Path("namespace"), namespace, m) for m in dns1123_subdomain_errors(namespace)]
    return errs


def _series(event: Mapping[str, Any]) -> list[FieldError]:
    series = event.get("series")
    if not isinstance(series, dict):
        return []
    errs: list[FieldError] = []
    count = series.get("count") or 0
    if not isinstance(count, int) or count < 2:
        errs.append(invalid(Path("series.count"), "", "should be at least 2"))
    if not series.get("lastObservedTime"):
        errs.append(required(Path("series.lastObservedTime")))
    return errs


def validate_event(obj: Mapping[str, Any]) -> list[FieldError]:
    """ValidateEventCreate for the request's API version."""
    event = internal_event(obj)
    errs = _legacy(event)
    if obj.get("apiVersion") != "events.k8s.io/v1":
        return errs
    errs += validate_object_meta(event.get("metadata"), True, name_is_dns_subdomain, Path("metadata"))
    errs += _series(event)
    if not event.get("eventTime"):
        errs.append(required(Path("eventTime")))
    event_type = _s(event, "type")
    if event_type not in ("Normal", "Warning"):
        errs.append(invalid(Path("type"), "", f"has invalid value: {event_type}"))
    for key in ("firstTimestamp", "lastTimestamp", "count"):
        if event.get(key):
            errs.append(invalid(Path(key), "", "needs to be unset"))
    source = event.get("source") if isinstance(event.get("source"), dict) else {}
    if source.get("component") or source.get("host"):
        errs.append(invalid(Path("source"), "", "needs to be unset"))
    return errs


def validate_event_update(new_obj: Mapping[str, Any], old_obj: Mapping[str, Any]) -> list[FieldError]:
    """ValidateEventUpdate: for events.k8s.io/v1, everything but metadata and
    a changed series is immutable."""
    new, old = internal_event(new_obj), internal_event(old_obj)
    errs = _legacy(new)
    if new_obj.get("apiVersion") != "events.k8s.io/v1":
        return errs
    errs += validate_object_meta_update(new.get("metadata"), old.get("metadata"), Path("metadata"))
    if semantic(new.get("series")) != semantic(old.get("series")):
        errs += _series(new)
    for key in ("involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count",
                "reason", "type", "eventTime", "action", "related", "reportingController", "reportingInstance"):
        if semantic(new.get(key)) != semantic(old.get(key)):
            errs += immutable(_go_value(key, new.get(key)), _go_value(key, old.get(key)), Path(key))
    return errs
_REFERENCE_FIELDS = (("Kind", "kind"), ("Namespace", "namespace"), ("Name", "name"), ("UID", "uid"),
                     ("APIVersion", "apiVersion"), ("ResourceVersion", "resourceVersion"), ("FieldPath", "fieldPath"))


def _go_value(key: str, value: Any) -> Any:
    """A field of the internal core.Event as json.Marshal prints it (internal
    types have no json tags, so structs print Go's field names)."""
    if key in _STRING_FIELDS:
        return value if isinstance(value, str) else ""
    if key == "count":
        return value if isinstance(value, int) else 0
    if key in ("involvedObject", "related"):
        if not isinstance(value, dict):
            return None if key == "related" else GoStruct({g: "" for g, _ in _REFERENCE_FIELDS})
        return GoStruct({g: shape.text(value.get(j)) for g, j in _REFERENCE_FIELDS})
    if key == "source":
        value = value if isinstance(value, dict) else {}
        return GoStruct(Component=shape.text(value.get("component")), Host=shape.text(value.get("host")))
    return value


_STRING_FIELDS = frozenset({"reason", "message", "type", "action", "reportingController", "reportingInstance"})
