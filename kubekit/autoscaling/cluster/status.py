"""The status ConfigMap (``kube-system/cluster-autoscaler-status``), as
cluster-autoscaler writes it: the last scan's status as YAML under
``data.status``.  Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

__all__ = ["status_configmap", "status_text"]


def status_text(status: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(status), sort_keys=False, default_flow_style=False)


def status_configmap(status: Mapping[str, Any], namespace: str, name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": namespace,
                         "annotations": {"cluster-autoscaler.kubernetes.io/last-updated": str(status.get("time", ""))}},
            "data": {"status": status_text(status)}}
