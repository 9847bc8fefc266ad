"""Runs a Kubernetes test-table case (``k8s_tables``) through kubekit's
public API: a Scheduler built from a KubeSchedulerConfiguration holding the
case's plugin args, the case's nodes and existing pods, then ``explain``."""

from __future__ import annotations

import copy
import dataclasses

from kubekit import Node, Pod, Scheduler

ENGINES = ("fast", "twin")


UNNAMED = "unnamed"  # Go test objects may have empty names; the API requires one


def config_for(plugin: str, args: dict | None, *, filters: bool = True, score_only: str | None = None,
               filter_only: str | None = None) -> dict:
    profile: dict = {"schedulerName": "default-scheduler", "plugins": {}}
    if not filters:
        profile["plugins"]["filter"] = {"disabled": [{"name": "*"}]}
    if filter_only:
        profile["plugins"]["filter"] = {"disabled": [{"name": "*"}], "enabled": [{"name": filter_only}]}
    if score_only:
        profile["plugins"]["score"] = {"disabled": [{"name": "*"}], "enabled": [{"name": score_only, "weight": 1}]}
    if args:
        profile["pluginConfig"] = [{"name": plugin, "args": args}]
    return {
        "apiVersion": "kubescheduler.config.k8s.io/v1",
        "kind": "KubeSchedulerConfiguration",
        "profiles": [profile],
    }


def pod_from_go(m: dict) -> Pod:
    """Kubernetes' unit tests build Go objects the API server would reject
    (no containers, empty names); parse the rest and restore those."""
    m = copy.deepcopy(m)
    spec = m.setdefault("spec", {})
    name = m.setdefault("metadata", {}).get("name") or ""
    m["metadata"]["name"] = name or "unnamed"
    # The API server requires limits equal to requests for extended and
    # hugepages resources; the scheduler reads only requests.
    for c in spec.get("containers", []) + spec.get("initContainers", []) + [spec]:
        if c is spec and "resources" not in spec:
            continue
        res = c.setdefault("resources", {})
        for k, v in (res.get("requests") or {}).items():
            if "/" in k or k.startswith("hugepages-"):
                res.setdefault("limits", {}).setdefault(k, v)
    empty = not spec.get("containers")
    if empty:
        spec["containers"] = [{"name": "placeholder"}]
    pod = Pod.from_manifest(m)
    return dataclasses.replace(pod, name=name, containers=() if empty else pod.containers)


def node_from_go(m: dict) -> Node:
    m = copy.deepcopy(m)
    name = m.setdefault("metadata", {}).get("name") or ""
    m["metadata"]["name"] = name or UNNAMED
    return Node.from_manifest(m)


def build(case: dict, plugin: str, engine: str, *, filters: bool = True, score_only: str | None = None,
          filter_only: str | None = None) -> tuple[Scheduler, Pod]:
    cfg = config_for(plugin, case.get("args"), filters=filters, score_only=score_only, filter_only=filter_only)
    sched = Scheduler(cfg, engine=engine)
    for n in case["nodes"]:
        sched.add_node(node_from_go(n))
    for i, m in enumerate(case.get("existing_pods", ())):
        p = dataclasses.replace(pod_from_go(m), name=f"existing-{i}")
        sched.assume(p, m["spec"]["nodeName"])
    pod = pod_from_go(case["pod"])
    return sched, pod
