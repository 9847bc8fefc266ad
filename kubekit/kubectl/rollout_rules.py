"""``rollout`` decisions, as kubectl makes them.  Pure.

* :func:`deployment_rollout_status` — kubectl's ``DeploymentStatusViewer``
  (``rollout status``);
* :func:`rollback_patch_target` — ``rollout undo``: which ReplicaSet's
  template to restore (kubectl's ``DeploymentRollbacker``), using the
  Deployment controller's own rules (``rollback_target``);
* :func:`restarted_template` — ``rollout restart``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["RolloutFailed", "deployment_rollout_status", "RollbackPlan", "plan_rollback", "restarted_template",
           "RESTARTED_AT", "owned_by"]

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
REVISION = "deployment.kubernetes.io/revision"
#: kubectl copies every annotation of the target ReplicaSet back to the Deployment except these.
_SKIP_ANNOTATIONS = frozenset({
    "kubectl.kubernetes.io/last-applied-configuration", REVISION, "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
})


class RolloutFailed(Exception):
    pass


def _condition(d: Mapping[str, Any], type_: str) -> Mapping[str, Any] | None:
    for c in (d.get("status") or {}).get("conditions") or ():
        if c.get("type") == type_:
            return c
    return None


def deployment_rollout_status(d: Mapping[str, Any], revision: int = 0) -> tuple[str, bool]:
    """``(message, done)``; raises :class:`RolloutFailed` past the progress
    deadline or when ``revision`` is not the current one."""
    m, spec, st = d.get("metadata") or {}, d.get("spec") or {}, d.get("status") or {}
    name = m.get("name", "")
    if revision > 0:
        current = int((m.get("annotations") or {}).get(REVISION) or 0)
        if current != revision:
            raise RolloutFailed(f"desired revision ({revision}) is different from the running revision ({current})")
    if int(m.get("generation") or 0) <= int(st.get("observedGeneration") or 0):
        cond = _condition(d, "Progressing")
        if cond is not None and cond.get("reason") == "ProgressDeadlineExceeded":
            raise RolloutFailed(f'deployment "{name}" exceeded its progress deadline')
        want = spec.get("replicas", 1)
        updated, total = int(st.get("updatedReplicas") or 0), int(st.get("replicas") or 0)
        available = int(st.get("availableReplicas") or 0)
        if updated < want:
            return (f'Waiting for deployment "{name}" rollout to finish: {updated} out of {want} new replicas '
                    "have been updated..."), False
        if total > updated:
            return (f'Waiting for deployment "{name}" rollout to finish: {total - updated} old replicas are '
                    "pending termination..."), False
        if available < updated:
            return (f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} updated '
                    "replicas are available..."), False
        return f'deployment "{name}" successfully rolled out', True
    return "Waiting for deployment spec update to be observed...", False


def owned_by(obj: Mapping[str, Any], owner_uid: str) -> bool:
    return any(r.get("uid") == owner_uid and r.get("controller")
               for r in (obj.get("metadata") or {}).get("ownerReferences") or ())


@dataclass(frozen=True, slots=True)
class RollbackPlan:
    template: dict | None          # None: nothing to do
    annotations: dict
    message: str                   # what kubectl prints: "rolled back" or "skipped rollback (...)"


def plan_rollback(d: Mapping[str, Any], replicasets: Sequence[Mapping[str, Any]], to_revision: int = 0) -> RollbackPlan:
    """The template and annotations ``rollout undo`` writes back (raises
    :class:`RolloutFailed` when there is no such revision)."""
    from kubekit.controllers.deployment_history import rollback_target, template_for_rollback

    name = (d.get("metadata") or {}).get("name", "")
    if (d.get("spec") or {}).get("paused"):
        raise RolloutFailed(f"you cannot rollback a paused deployment; resume it first with 'kubekit rollout "
                            f"resume deployment/{name}' and try again")
    uid = (d.get("metadata") or {}).get("uid", "")
    mine = [rs for rs in replicasets if owned_by(rs, uid)]
    decision = rollback_target(dict(d), [dict(rs) for rs in mine], to_revision)
    if decision.target is None:
        if to_revision:
            raise RolloutFailed(f"unable to find specified revision {to_revision} in history")
        raise RolloutFailed(f'no rollout history found for deployment "{name}"')
    if decision.reason == "DeploymentRollbackTemplateUnchanged":
        return RollbackPlan(None, {}, f"skipped rollback (current template already matches revision "
                                      f"{decision.revision})")
    keep = {k: v for k, v in ((d.get("metadata") or {}).get("annotations") or {}).items() if k in _SKIP_ANNOTATIONS}
    copied = {k: v for k, v in ((decision.target.get("metadata") or {}).get("annotations") or {}).items()
              if k not in _SKIP_ANNOTATIONS}
    return RollbackPlan(template_for_rollback(decision.target), {**keep, **copied}, "rolled back")


def restarted_template(template: Mapping[str, Any], now_rfc3339: str) -> dict:
    """The pod template with ``kubectl.kubernetes.io/restartedAt`` set: a new
    template, hence a new ReplicaSet and a rolling replacement of every pod."""
    t = copy.deepcopy(dict(template))
    meta = t.setdefault("metadata", {})
    meta["annotations"] = dict(meta.get("annotations") or {}, **{RESTARTED_AT: now_rfc3339})
    return t
