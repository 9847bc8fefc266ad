"""The ``kubekit.dev/hostpath`` dynamic provisioner: a directory per claim
under a base directory, handed out as a ``hostPath`` PersistentVolume (what
minikube's storage-provisioner and rancher's local-path-provisioner do).

* **Provision** (``provisionClaimOperation`` of
  ``pkg/controller/volume/persistentvolume/pv_controller.go`` with an
  in-tree plugin): the volume is named ``pvc-<claim uid>``
  (``GetProvisionedVolumeNameForClaim``), its directory is
  ``<base>/pvc-<uid>_<namespace>_<claim>`` (local-path-provisioner's layout,
  mode 0777 so any container user can write), the PV is pre-bound to the
  claim (``claimRef`` with the claim's uid), carries
  ``pv.kubernetes.io/provisioned-by: kubekit.dev/hostpath``, the class's
  reclaim policy and mount options, the claim's access modes, volumeMode and
  request as capacity.  When the claim was scheduled
  (``volume.kubernetes.io/selected-node``), the PV gets a node affinity
  ``kubernetes.io/hostname In [<node>]`` (local-path-provisioner does the
  same): the data lives on that node.
* **Delete**: the directory is removed, but only if it really is under the
  base directory (a hand-edited PV cannot make kubekit delete ``/``).

Sizes are not enforced: a hostPath directory can grow beyond its claim's
request, as with both upstream provisioners.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import Any

from kubekit.controllers.persistentvolume_rules import ANN_PROVISIONED_BY, ANN_SELECTED_NODE

__all__ = ["HOSTPATH_PROVISIONER", "HostPathProvisioner", "default_storage_class", "provisioned_volume_name"]

HOSTPATH_PROVISIONER = "kubekit.dev/hostpath"
HOSTNAME_LABEL = "kubernetes.io/hostname"


def default_storage_class(name: str = "standard") -> dict:
    """The StorageClass ``kubekit serve`` creates at start, like minikube's
    ``standard``: the default class, this provisioner, Delete, Immediate."""
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": name, "labels": {"addonmanager.kubernetes.io/mode": "EnsureExists"},
                         "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": HOSTPATH_PROVISIONER, "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"}


def provisioned_volume_name(claim: Mapping[str, Any]) -> str:
    """``GetProvisionedVolumeNameForClaim``: ``pvc-<claim uid>``."""
    return "pvc-" + str(claim["metadata"].get("uid") or "")


class HostPathProvisioner:
    """See the module docstring."""

    name = HOSTPATH_PROVISIONER

    def __init__(self, base_dir: str) -> None:
        self.base_dir = os.path.abspath(base_dir)

    def directory(self, claim: Mapping[str, Any]) -> str:
        m = claim["metadata"]
        return os.path.join(self.base_dir, f"{provisioned_volume_name(claim)}_{m.get('namespace') or 'default'}_"
                                           f"{m['name']}")

    def provision(self, claim: Mapping[str, Any], storage_class: Mapping[str, Any]) -> dict:
        """Create the claim's directory; the PV manifest to create."""
        path = self.directory(claim)
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o777)
        m, spec = claim["metadata"], claim.get("spec") or {}
        request = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
        pv_spec: dict[str, Any] = {
            "capacity": {"storage": request},
            "accessModes": list(spec.get("accessModes") or ()),
            "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy") or "Delete",
            "storageClassName": storage_class["metadata"]["name"],
            "volumeMode": spec.get("volumeMode") or "Filesystem",
            "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1", "namespace": m.get("namespace"),
                         "name": m["name"], "uid": m.get("uid"), "resourceVersion": m.get("resourceVersion")},
            "hostPath": {"path": path, "type": "DirectoryOrCreate"},
        }
        if storage_class.get("mountOptions"):
            pv_spec["mountOptions"] = list(storage_class["mountOptions"])
        node = (m.get("annotations") or {}).get(ANN_SELECTED_NODE)
        if node:
            pv_spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": HOSTNAME_LABEL, "operator": "In", "values": [node]}]}]}}
        return {"apiVersion": "v1", "kind": "PersistentVolume",
                "metadata": {"name": provisioned_volume_name(claim),
                             "annotations": {ANN_PROVISIONED_BY: self.name}},
                "spec": pv_spec, "status": {"phase": "Pending"}}

    def owns(self, volume: Mapping[str, Any]) -> bool:
        return ((volume.get("metadata") or {}).get("annotations") or {}).get(ANN_PROVISIONED_BY) == self.name

    def path_of(self, volume: Mapping[str, Any]) -> str | None:
        """The volume's directory if it lies under the base directory."""
        path = ((volume.get("spec") or {}).get("hostPath") or {}).get("path") or ""
        real = os.path.realpath(path) if path else ""
        base = os.path.realpath(self.base_dir)
        if not real or not real.startswith(base + os.sep):
            return None
        return real

    def delete(self, volume: Mapping[str, Any]) -> None:
        """Remove the volume's directory; raises ``OSError`` (or
        ``ValueError`` for a path outside the base directory)."""
        path = self.path_of(volume)
        if path is None:
            raise ValueError(f"hostpath provisioner: refusing to delete {self._raw(volume)!r}: "
                             f"not under {self.base_dir}")
        if os.path.lexists(path):
            shutil.rmtree(path)

    @staticmethod
    def _raw(volume: Mapping[str, Any]) -> str:
        return ((volume.get("spec") or {}).get("hostPath") or {}).get("path") or ""


def scrub(path: str) -> None:
    """The recycler's ``rm -rf /scrub/..?* /scrub/.[!.]* /scrub/*``: empty a
    directory, keeping it.  Refuses (``ValueError``) a path that is or
    resolves to ``/``."""
    if os.path.realpath(path) == "/":
        raise ValueError(f"refusing to scrub {path!r}: it is the root directory")
    for entry in os.listdir(path):
        p = os.path.join(path, entry)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        else:
            os.unlink(p)
