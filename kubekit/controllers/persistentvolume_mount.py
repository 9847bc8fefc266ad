"""Where the node agent finds a pod's ``persistentVolumeClaim`` volume: the
kubelet's ``getPVCExtractPV`` (``pkg/kubelet/volumemanager/populator/
desired_state_of_world_populator.go``) for the volume types kubekit mounts.

The claim must exist, not be being deleted, be ``Bound`` to a volume whose
``claimRef`` carries the claim's uid (``getPVSpec``: a missing claimRef or
another uid, even none, is refused); the volume's ``hostPath`` (created when its type
is ``DirectoryOrCreate``, as the provisioner's are) or ``local`` path is the
bind-mount source.  Anything else raises :class:`ClaimNotReady` with the
kubelet's message; the agent then keeps the pod's containers waiting
(``ContainerCreating``, a ``FailedMount`` event) and tries again.
"""

from __future__ import annotations

import os

from kubekit.errors import KubekitError, NotFoundError

__all__ = ["ClaimNotReady", "claim_mount_path"]


class ClaimNotReady(KubekitError):
    """The claim cannot be mounted (yet)."""


def claim_mount_path(store, namespace: str, claim_name: str) -> str:
    """The host path to bind-mount for claim ``namespace/claim_name``."""
    key = f"{namespace}/{claim_name}"
    try:
        claim = store.get("PersistentVolumeClaim", namespace, claim_name)
    except NotFoundError:
        raise ClaimNotReady(f"error processing PVC {key}: failed to fetch PVC from API server: "
                            f'persistentvolumeclaims "{claim_name}" not found') from None
    if claim["metadata"].get("deletionTimestamp"):
        raise ClaimNotReady(f"can't start pod because PVC {key} is being deleted")
    phase = (claim.get("status") or {}).get("phase") or ""
    volume_name = (claim.get("spec") or {}).get("volumeName") or ""
    if phase != "Bound" or not volume_name:
        raise ClaimNotReady(f"error processing PVC {key}: PVC {key} has non-bound phase ({phase!r}) or empty "
                            f"pvc.Spec.VolumeName ({volume_name!r})".replace("'", '"'))
    try:
        volume = store.get("PersistentVolume", None, volume_name)
    except NotFoundError:
        raise ClaimNotReady(f"error processing PVC {key}: failed to fetch PV {volume_name!r} from API server: "
                            f'persistentvolumes "{volume_name}" not found'.replace("'", '"')) from None
    # getPVSpec: the volume must be bound to this very claim (its uid), not merely name it
    ref = (volume.get("spec") or {}).get("claimRef")
    if not ref:
        raise ClaimNotReady(f"error processing PVC {key}: found PV object {volume_name} but it has a nil "
                            "pv.Spec.ClaimRef indicating it is not yet bound to the claim")
    claim_uid = claim["metadata"].get("uid") or ""
    if (ref.get("uid") or "") != claim_uid:
        raise ClaimNotReady(f"error processing PVC {key}: found PV object {volume_name} but its "
                            f"pv.Spec.ClaimRef.UID {ref.get('uid') or ''} does not point to claim.UID {claim_uid}")
    spec = volume.get("spec") or {}
    if spec.get("hostPath"):
        path = spec["hostPath"].get("path") or ""
        if spec["hostPath"].get("type") == "DirectoryOrCreate" and path and not os.path.exists(path):
            os.makedirs(path, 0o755, exist_ok=True)
    elif spec.get("local"):
        path = spec["local"].get("path") or ""
    else:
        kind = next((k for k in spec if k not in ("capacity", "accessModes", "claimRef", "nodeAffinity",
                                                  "persistentVolumeReclaimPolicy", "storageClassName",
                                                  "volumeMode", "mountOptions")), "?")
        raise ClaimNotReady(f"PV {volume_name}: volume type {kind} is not supported by kubekit's node agent "
                            "(hostPath and local are)")
    if not path or not os.path.exists(path):
        raise ClaimNotReady(f"PV {volume_name}: path {path!r} does not exist on this node")
    return path
