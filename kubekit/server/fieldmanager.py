"""Field management for the HTTP API: ``metadata.managedFields`` on every
write, and server-side apply.  A port of apiserver's
``pkg/endpoints/handlers/fieldmanager`` and apimachinery's
``pkg/util/managedfields/internal`` over :mod:`kubekit.api.serversideapply`.

:class:`FieldManager` (upstream ``FieldManager``) wraps the managers
upstream chains in ``NewDefaultFieldManager``:

* ``versionCheckManager``: an applied configuration of another kind or
  version is a 400 "invalid object type: apps/v1, Kind=Deployment";
* ``capManagersManager``: at most 10 Update entries, the oldest merged into
  ``ancient-changes``;
* ``buildManagerInfoManager``: a manager is identified by its name,
  operation (``Apply``/``Update``), API version (Update only) and
  subresource (``BuildManagerIdentifier``);
* ``managedFieldsUpdater``: an Update is recorded as ``current-operation``
  and merged into the manager's entry, whose ``time`` changes only when the
  operation changed something; an Apply's ``time`` changes when the object
  changed;
* ``stripMetaManager``: nobody owns ``apiVersion``, ``kind``, ``metadata``,
  ``metadata.name``, ``namespace``, ``creationTimestamp``, ``selfLink``,
  ``uid``, ``clusterName``, ``generation``, ``managedFields`` or
  ``resourceVersion``;
* ``structuredMergeManager``: :class:`~kubekit.api.serversideapply.Updater`
  with the kind's SSA schema; the reset fields of the registry strategies
  (``ResetFieldsStrategy``) are ignored: ``status`` on the main resource of a
  kind with a status subresource, ``spec`` and ``metadata`` on ``/status``,
  and a kind's own (:data:`KIND_RESET_FIELDS`: a Namespace's
  ``spec.finalizers``, which only ``/finalize`` writes).

Not chained here: ``lastAppliedManager`` / ``lastAppliedUpdater`` (the
client-side apply annotation is neither read to resolve conflicts nor
rewritten by a server-side apply), ``skipNonAppliedManager``
(``DefaultTrackOnCreateProbability`` is 1 upstream: always tracked).

Only writes through the HTTP API are tracked (as upstream tracks every API
write): kubekit's controllers, scheduler and nodes write through the store
in-process and leave ``managedFields`` as they find them.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import time
from collections.abc import Mapping
from typing import Any

from kubekit.api import fieldpath
from kubekit.api.serversideapply import ApplyError, Conflicts, Updater, VersionedSet, schema_for

__all__ = ["FieldManager", "manager_from_user_agent", "field_manager_errors", "decode_managed_fields",
           "encode_managed_fields", "conflict_status", "empty_object", "APPLY_PATCH", "KIND_RESET_FIELDS",
           "MAX_UPDATE_MANAGERS"]

APPLY_PATCH = "application/apply-patch+yaml"
#: reset fields of a kind's main resource besides ``status`` (``namespaceStrategy.GetResetFields``)
KIND_RESET_FIELDS: dict[str, frozenset[tuple]] = {
    "Namespace": frozenset({(("f", "spec"), ("f", "finalizers"))}),
}
MAX_UPDATE_MANAGERS = 10                       # DefaultMaxUpdateManagers
ANCIENT_CHANGES = "ancient-changes"
FIELD_MANAGER_MAX_LENGTH = 128                  # validation.FieldManagerMaxLength
_CURRENT_OPERATION = "current-operation"

_STRIP = frozenset({(("f", "apiVersion"),), (("f", "kind"),), (("f", "metadata"),)} | {
    (("f", "metadata"), ("f", k)) for k in ("name", "namespace", "creationTimestamp", "selfLink", "uid",
                                            "clusterName", "generation", "managedFields", "resourceVersion")})


# -- manager names ----------------------------------------------------------------------------------
def manager_from_user_agent(user_agent: str | None) -> str:
    """``prefixFromUserAgent``: what precedes the first ``/``, printable
    characters only, at most 128 bytes (``kubectl/v1.34.0 (linux/amd64)`` ->
    ``kubectl``)."""
    out = ""
    size = 0
    for ch in (user_agent or "").split("/")[0]:
        if not ch.isprintable():
            continue
        n = len(ch.encode())
        if size + n > FIELD_MANAGER_MAX_LENGTH:
            break
        out += ch
        size += n
    return out


def field_manager_errors(name: str) -> list[str]:
    """``ValidateFieldManager``."""
    errs = []
    if len(name.encode()) > FIELD_MANAGER_MAX_LENGTH:
        errs.append(f"fieldManager: Too long: may not be more than {FIELD_MANAGER_MAX_LENGTH} bytes")
    if any(not ch.isprintable() for ch in name):      # Go's unicode.IsPrint: graphic characters and ' ' 
        errs.append(f'fieldManager: Invalid value: "{name}": must only contain printable characters')
    return errs


def _identifier(manager: str, operation: str, api_version: str, subresource: str | None) -> str:
    """``BuildManagerIdentifier``: the entry's JSON without time, fields and
    (for Apply) API version."""
    d: dict[str, Any] = {"manager": manager, "operation": operation}
    if operation == "Update" and api_version:
        d["apiVersion"] = api_version
    if subresource:
        d["subresource"] = subresource
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


def _print_manager(ident: str) -> str:
    """``printManager``: ``"name"``, ``"name" with subresource "status"``,
    ``"name" using apps/v1`` for an Update manager."""
    try:
        d = json.loads(ident)
        if not isinstance(d, dict):
            raise ValueError
    except ValueError:
        return json.dumps(ident, ensure_ascii=False)
    out = json.dumps(d.get("manager", ""), ensure_ascii=False)
    if d.get("subresource"):
        out += f" with subresource {json.dumps(d['subresource'], ensure_ascii=False)}"
    if d.get("operation") == "Update":
        out += f" using {d.get('apiVersion', '')}"
        if d.get("time"):
            out += f" at {d['time']}"
    return out


# -- managedFields encoding -------------------------------------------------------------------------
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\Z")


def _parse_time(v: Any) -> str | None:
    """A ``metav1.Time`` as upstream serves it: RFC 3339 in UTC, seconds
    (``2025-01-01T00:00:00+05:00`` -> ``2024-12-31T19:00:00Z``).  Anything
    else is a ValueError (upstream could not decode the entry)."""
    if v is None:
        return None
    if not isinstance(v, str) or not _RFC3339.match(v):
        raise ValueError(f"invalid managedFields time {v!r}: expected an RFC 3339 date-time")
    t = v.upper()
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    try:
        d = datetime.datetime.fromisoformat(t)
    except ValueError:
        raise ValueError(f"invalid managedFields time {v!r}: expected an RFC 3339 date-time") from None
    return d.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _opt_str(e: Mapping[str, Any], k: str) -> str:
    v = e.get(k)
    if v is None:
        return ""
    if not isinstance(v, str):
        raise ValueError(f"invalid managedFields entry: {k} must be a string, got {v!r}")
    return v


def decode_managed_fields(entries: Any) -> tuple[dict[str, VersionedSet], dict[str, str | None]]:
    """``DecodeManagedFields``: (sets, times) by manager identifier; times
    normalised to UTC RFC 3339.  An entry upstream could not decode (not an
    object, a non-string name, an invalid time, a fieldsType other than
    FieldsV1, unreadable fieldsV1), or ``entries`` not a list, is a
    ValueError."""
    managers: dict[str, VersionedSet] = {}
    times: dict[str, str | None] = {}
    if entries is None:
        return managers, times
    if not isinstance(entries, list):
        raise ValueError("metadata.managedFields must be a list")
    for e in entries:
        if not isinstance(e, dict):
            raise ValueError("a managedFields entry must be an object")
        if e.get("fieldsType", "FieldsV1") != "FieldsV1":
            raise ValueError(f"invalid fieldsType {e.get('fieldsType')!r}: only FieldsV1 is supported")
        op = _opt_str(e, "operation")
        api_version = _opt_str(e, "apiVersion")
        ident = _identifier(_opt_str(e, "manager"), op, api_version, _opt_str(e, "subresource") or None)
        managers[ident] = VersionedSet(fieldpath.from_fields_v1(e.get("fieldsV1")), api_version, op == "Apply")
        times[ident] = _parse_time(e.get("time"))
    return managers, times


def _decode_or_empty(entries: Any) -> tuple[dict[str, VersionedSet], dict[str, str | None]]:
    """``emptyManagedFieldsOnErr(DecodeManagedFields(...))``."""
    try:
        return decode_managed_fields(entries)
    except ValueError:
        return {}, {}


def encode_managed_fields(managers: Mapping[str, VersionedSet], times: Mapping[str, str | None]) -> list[dict]:
    """``encodeManagedFields``, sorted as ``sortEncodedManagedFields``:
    Apply before Update, then by time, manager, API version, subresource."""
    out = []
    for ident, vs in managers.items():
        d = json.loads(ident)
        e: dict[str, Any] = {"manager": d.get("manager", ""), "operation": d.get("operation", "")}
        if vs.api_version:
            e["apiVersion"] = vs.api_version
        if times.get(ident):
            e["time"] = times[ident]
        e["fieldsType"] = "FieldsV1"
        e["fieldsV1"] = fieldpath.to_fields_v1(vs.set)
        if d.get("subresource"):
            e["subresource"] = d["subresource"]
        out.append(e)
    out.sort(key=lambda e: (e["operation"], e.get("time") or "", e["manager"], e.get("apiVersion", ""),
                            e.get("subresource", "")))
    return out


def _is_reset(entries: Any) -> bool:
    """``isResetManagedFields``: ``[]`` or ``[{}]``."""
    if isinstance(entries, list):
        return len(entries) == 0 or (len(entries) == 1 and entries[0] == {})
    return False


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _without_managed_fields(obj: Mapping[str, Any]) -> dict:
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        return dict(obj, metadata={k: v for k, v in meta.items() if k != "managedFields"})
    return dict(obj)


def _with_managed_fields(obj: dict, entries: list[dict]) -> dict:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "managedFields"}
    if entries:
        meta["managedFields"] = entries
    return dict(obj, metadata=meta)


def _cap_update_managers(managers: dict[str, VersionedSet], times: dict[str, str | None]) -> None:
    """``capManagersManager.capUpdateManagers``."""
    updaters = [m for m, vs in managers.items() if not vs.applied]
    if len(updaters) <= MAX_UPDATE_MANAGERS:
        return
    updaters.sort(key=lambda m: (times.get(m) or "", m))
    first_by_version: dict[str, str] = {}
    length = len(updaters)
    for m in updaters:
        if length <= MAX_UPDATE_MANAGERS:
            break
        vs = managers[m]
        bucket = _identifier(ANCIENT_CHANGES, "Update", vs.api_version, None)
        first = first_by_version.get(vs.api_version)
        if first is None:
            first_by_version[vs.api_version] = m
            continue
        if bucket not in managers:
            managers[bucket] = managers.pop(first)
        managers[bucket] = VersionedSet(vs.set | managers[bucket].set, vs.api_version, vs.applied)
        del managers[m]
        length -= 1
        times[bucket] = times.pop(m, None)


# -- the empty object (the typed zero value upstream compares a create against) -----------------------
_TEMPLATE = {"metadata": {"creationTimestamp": None}, "spec": {"containers": None}}
_EMPTY: Mapping[str, dict] = {
    "Pod": {"spec": {"containers": None}, "status": {}},
    "Deployment": {"spec": {"selector": None, "template": _TEMPLATE, "strategy": {}}, "status": {}},
    "ReplicaSet": {"spec": {"selector": None, "template": _TEMPLATE}, "status": {}},
    "Node": {"spec": {}, "status": {"daemonEndpoints": {"kubeletEndpoint": {}}, "nodeInfo": {}}},
    "Namespace": {"spec": {}, "status": {}},
    "Lease": {"spec": {}},
    "HorizontalPodAutoscaler": {"spec": {"scaleTargetRef": {}}, "status": {}},
    "PodDisruptionBudget": {"spec": {}, "status": {}},
    "Event": {"involvedObject": {}, "source": {}},
    "PersistentVolume": {"spec": {}, "status": {}},
    "PersistentVolumeClaim": {"spec": {}, "status": {}},
}


def empty_object(kind: str) -> dict:
    """The JSON of a new, empty object of ``kind`` as Go serializes it
    (``Creater.New``): non-pointer structs present, ``creationTimestamp:
    null``; what a create is compared against, so a create's Update entry
    owns ``.spec`` children but not ``.spec`` itself, as upstream."""
    out = {"metadata": {"creationTimestamp": None}}
    out.update(copy.deepcopy(_EMPTY.get(kind, {})))
    return out


# -- conflicts ---------------------------------------------------------------------------------------
def conflict_status(conflicts: Conflicts) -> dict:
    """``NewConflictError``: the 409 Status of an apply that conflicts."""
    from kubekit.server.status import status

    cs = conflicts.conflicts
    causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {_print_manager(c.manager)}",
               "field": fieldpath.path_string(c.path)} for c in cs]
    if len(cs) == 1:
        msg = (f"Apply failed with 1 conflict: conflict with {_print_manager(cs[0].manager)}: "
               f"{fieldpath.path_string(cs[0].path)}")
    else:
        by: dict[str, list] = {}
        for c in cs:
            by.setdefault(c.manager, []).append(c.path)
        lines = []
        for m in sorted(by):
            lines.append(f"conflicts with {_print_manager(m)}:")
            lines += [f"- {fieldpath.path_string(p)}" for p in by[m]]
        msg = f"Apply failed with {len(cs)} conflicts: " + "\n".join(lines)
    return status(409, "Conflict", msg, {"causes": causes})


# -- the field manager -------------------------------------------------------------------------------
class FieldManager:
    """Managed fields of one kind (``api_version``/``kind``) for the main
    resource or ``subresource`` (``status``, ``scale``);
    ``status_subresource``: the kind has a status subresource (its status is
    then a reset field of the main resource)."""

    def __init__(self, kind: str, api_version: str, *, subresource: str | None = None,
                 status_subresource: bool = False) -> None:
        self.kind, self.api_version, self.subresource = kind, api_version, subresource
        if subresource == "status":
            ignored = {(("f", "spec"),), (("f", "metadata"),)}
        elif status_subresource:
            ignored = {(("f", "status"),)}
        else:
            ignored = set()
        if subresource is None:
            ignored |= KIND_RESET_FIELDS.get(kind, frozenset())
        self.updater = Updater(schema_for(kind), ignored)

    def _strip(self, managers: dict[str, VersionedSet], ident: str) -> None:
        vs = managers.get(ident)
        if vs is None:
            return
        s = vs.set - _STRIP
        if s:
            managers[ident] = VersionedSet(s, vs.api_version, vs.applied)
        else:
            del managers[ident]

    def update(self, live: Mapping[str, Any] | None, new: dict, manager: str) -> dict:
        """``FieldManager.UpdateNoErrors``: ``new`` (to be written over
        ``live``; None: a create) with its managedFields: ``manager``'s
        Update entry takes what this write changed.  Managed fields sent in
        ``new`` are kept (``[]`` or ``[{}]`` resets them); when they are
        missing or cannot be decoded the live ones are used, and when those
        cannot be decoded either none (``decodeLiveOrNew``); on a
        subresource the live ones are always used.  Should the update itself
        fail, the live managedFields are kept."""
        live_obj = live if live is not None else empty_object(self.kind)
        live_entries = (live_obj.get("metadata") or {}).get("managedFields")
        new_meta = new.get("metadata")
        new_entries = new_meta.get("managedFields") if isinstance(new_meta, dict) else None
        if self.subresource is not None:
            managers, times = _decode_or_empty(live_entries)
        elif _is_reset(new_entries):
            managers, times = {}, {}
        else:
            managers, times = _decode_or_empty(new_entries)
            if not managers:
                managers, times = _decode_or_empty(live_entries)
        try:
            ident = _identifier(manager, "Update", self.api_version, self.subresource)
            managers = self.updater.update(_without_managed_fields(live_obj), _without_managed_fields(new),
                                           self.api_version, managers, _CURRENT_OPERATION)
            self._strip(managers, _CURRENT_OPERATION)
            vs = managers.pop(_CURRENT_OPERATION, None)
            if vs is not None:
                prev = managers.get(ident)
                managers[ident] = VersionedSet(vs.set | (prev.set if prev else frozenset()), vs.api_version, False)
                times[ident] = _now()
            _cap_update_managers(managers, times)
            return _with_managed_fields(new, encode_managed_fields(managers, times))
        except (ValueError, ApplyError, fieldpath.FieldPathError):
            # upstream: "[SHOULD NOT HAPPEN] failed to update managedFields (restored previous
            # managedFields from live object)"
            return _with_managed_fields(new, live_entries if isinstance(live_entries, list) else [])

    def apply(self, live: Mapping[str, Any] | None, config: Mapping[str, Any], manager: str, force: bool) -> dict:
        """``FieldManager.Apply``: ``config`` applied by ``manager`` over
        ``live`` (None: apply creates).  Returns the object to write, with
        managedFields.  Raises :class:`~kubekit.api.serversideapply.Conflicts`
        (unless ``force``), :class:`ApplyError` or ValueError (both 400s)."""
        gv = str(config.get("apiVersion") or "")
        k = str(config.get("kind") or "")
        if gv != self.api_version or k != self.kind:
            group, _, version = gv.rpartition("/")
            raise ValueError(f"invalid object type: {group}/{version}, Kind={k}")
        if (config.get("metadata") or {}).get("managedFields") is not None:
            raise ValueError("metadata.managedFields must be nil")
        live_obj = live if live is not None else empty_object(self.kind)
        managers, times = decode_managed_fields((live_obj.get("metadata") or {}).get("managedFields"))
        ident = _identifier(manager, "Apply", self.api_version, self.subresource)
        live_c = _without_managed_fields(live_obj)
        new, managers = self.updater.apply(live_c, dict(config), self.api_version, managers, ident, force)
        if new is not None:
            times[ident] = _now()
        else:
            new = live_c
        self._strip(managers, ident)
        _cap_update_managers(managers, times)
        return _with_managed_fields(new, encode_managed_fields(managers, times))
