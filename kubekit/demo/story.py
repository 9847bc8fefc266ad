"""``kubekit demo``: the whole story on one machine, in about a minute.

An embedded control plane runs the scheduler, the ReplicaSet, Deployment and
node lifecycle controllers, the HPA controller and the cluster autoscaler;
the local node runs real containers (busybox workers in namespaces and
cgroups) beside an autoscaled group of simulated nodes.  Then:

1. apply a Deployment and its HPA (``kubekit/demo/web.yaml``);
2. show where the scheduler put the pods, and its ``explain`` view;
3. kill a container's process and watch the node agent restart it;
4. delete a pod and watch the ReplicaSet replace it;
5. put cpu load on the workers and watch the HPA scale out;
6. watch the pods that do not fit make the cluster autoscaler add a node;
7. remove the load and watch everything scale back.

Each step waits, level-triggered, for the state it narrates; a step that
does not get there in time fails the demo (exit status 1) with what was
missing.  Everything is taken down at the end.
"""

from __future__ import annotations

import copy
import os
import signal
import time
from collections.abc import Callable
from importlib import resources
from typing import TextIO

import yaml

from kubekit.controllers.informer import Informer
from kubekit.store.selectors import parse_labels
from kubekit.demo.setting import COMPRESSED, LOCAL_LABEL, SIM_GROUP, Setting, label_local_node, open_setting
from kubekit.demo.view import LiveView, event_line, hpa_lines, node_lines, pod_lines

__all__ = ["DemoError", "Story", "run"]

NS = "default"
SELECTOR = "app=web"


class DemoError(RuntimeError):
    """A step did not reach its state in time."""


def workload(load_dir: str) -> list[dict]:
    """The Deployment and HPA of ``web.yaml``, the load volume pointing at ``load_dir``."""
    text = resources.files("kubekit.demo").joinpath("web.yaml").read_text(encoding="utf-8")
    docs = [d for d in yaml.safe_load_all(text) if d]
    for d in docs:
        for v in (d.get("spec", {}).get("template", {}).get("spec", {}).get("volumes") or ()):
            if "hostPath" in v:
                v["hostPath"]["path"] = load_dir
    return docs


class Story:
    def __init__(self, setting: Setting, view: LiveView, *, timeout_scale: float = 1.0) -> None:
        self.s, self.view = setting, view
        self.clock = setting.clock
        self.t0 = self.clock.monotonic()
        self.timeout_scale = timeout_scale
        self.fake = hasattr(self.clock, "advance")
        self.events = Informer(setting.store, "Event")
        self.events.add_handler(self._event, lambda _old, _new: None, lambda _e: None)
        self.hpas = Informer(setting.store, "HorizontalPodAutoscaler", NS)
        self.selector = parse_labels(SELECTOR)
        self._next_frame = 0.0
        self.counts = {"restarts": 0, "rescales": 0, "nodes_added": 0, "nodes_removed": 0}
        self.scale_ups: list[float] = []          # when the cluster autoscaler grew a group (story seconds)
        self.initial_group = len(self.group_nodes())

    # -- driving --------------------------------------------------------------------------
    def _event(self, ev: dict) -> None:
        line = event_line(self.clock.monotonic() - self.t0, ev)
        if line is not None:
            self.view.say(line)
        reason = ev.get("reason")
        if reason == "SuccessfulRescale":
            self.counts["rescales"] += 1
        elif reason == "ScaledUpGroup":
            self.scale_ups.append(self.clock.monotonic() - self.t0)

    def tick(self) -> int:
        did = self.s.cp.step()
        self.events.pump()
        self.hpas.pump()
        now = time.monotonic()
        if now >= self._next_frame:
            self._next_frame = now + 0.4
            self.view.frame(self.tables())
        return did

    def wait_for(self, what: str, done: Callable[[], bool], timeout: float) -> float:
        """Drive the cluster until ``done()``; the seconds it took.  On a fake
        clock, idle time is skipped; on the real clock the loop sleeps until
        the next thing is due (at most 0.1 s)."""
        start = self.clock.monotonic()
        deadline = start + timeout * self.timeout_scale
        while True:
            did = self.tick()
            if done():
                return self.clock.monotonic() - start
            if self.clock.monotonic() > deadline:
                self.view.snapshot(self.tables())
                raise DemoError(f"{what}: not reached within {timeout * self.timeout_scale:.0f} s")
            if did:
                continue
            wait = self.s.cp.next_wakeup()
            wait = 0.1 if wait is None else min(max(wait, 0.001), 0.1 if not self.fake else 1.0)
            if self.fake:
                self.clock.advance(wait)
            else:
                time.sleep(wait)

    # -- reading the state -------------------------------------------------------------------
    def pods(self) -> list[dict]:
        return [p for p in self.s.cp.pods.list() if p["metadata"].get("namespace") == NS
                and (p["metadata"].get("labels") or {}).get("app") == "web"]

    def live_pods(self) -> list[dict]:
        return [p for p in self.pods() if not p["metadata"].get("deletionTimestamp")]

    def ready_pods(self) -> list[dict]:
        return [p for p in self.live_pods() if (p.get("status") or {}).get("phase") == "Running" and any(
            c.get("type") == "Ready" and c.get("status") == "True" for c in p["status"].get("conditions") or ())]

    def hpa(self) -> dict:
        return self.hpas.get(f"{NS}/web") or {}

    def group_nodes(self) -> list[str]:
        return sorted(n for n in self.s.cp.fleet.nodes if n.startswith(SIM_GROUP + "-"))

    def cpu_now(self) -> dict[str, int]:
        """Each web pod's cpu in millicores, as the HPA reads it (the setting's
        metrics source: the local node's cgroup samples, the simulated nodes'
        reports); ``ns/name`` keys."""
        from kubekit.autoscaling.metrics_source import MetricsUnavailable

        try:
            values = self.s.metrics.resource_metrics("cpu", NS, self.selector)
        except MetricsUnavailable:
            return {}
        return {f"{NS}/{name}": v.value for name, v in values.items()}

    def tables(self) -> list[list[str]]:
        self.s.cp.sync()
        self.hpas.pump()
        real = {self.s.local_node_name} if self.s.real else set()
        return [node_lines(self.s.cp.nodes.list(), self.s.cp.pods.list(), real),
                pod_lines(self.pods(), self.cpu_now()),
                hpa_lines([h for h in (self.hpa(),) if h])]

    # -- the story ---------------------------------------------------------------------------
    def tell(self) -> None:
        v, s = self.view, self.s
        v.say("kubekit demo: a control plane, a node agent and two autoscalers, on this machine")
        if s.real:
            v.say(f"  local node {s.local_node_name!r}: real containers (namespaces, cgroups, overlayfs), "
                  "600m cpu offered to pods")
        else:
            v.say(f"  local node: SIMULATED, because {s.fallback}")
        v.say(f"  node group {SIM_GROUP!r}: simulated 1-cpu nodes, min 1, max 3 (the cluster autoscaler's)")
        v.say("  shortened so the story takes about a minute (demo value / Kubernetes default):")
        for what, ours, theirs in COMPRESSED:
            v.say(f"    {what}: {ours} / {theirs}")
        self.wait_for("the local node registers", lambda: self.s.cp.nodes.get(s.local_node_name) is not None, 30)
        if s.real:
            label_local_node(s)
            v.say(f"  kubectl label node {s.local_node_name} {LOCAL_LABEL[0]}={LOCAL_LABEL[1]}")
        self.step_apply()
        self.step_explain()
        self.step_kill()
        self.step_delete()
        self.step_load()
        self.step_cluster_autoscaler()
        self.step_unload()
        self.finish()

    def step_apply(self) -> None:
        from kubekit.validation import check

        self.view.step("1. apply a Deployment and its HorizontalPodAutoscaler (kubekit/demo/web.yaml)")
        for doc in workload(self.s.load.directory):
            obj = self.s.store.create(check(doc))
            self.view.say(f"  {obj['kind'].lower()}/{obj['metadata']['name']} created")
        took = self.wait_for("2 web pods Running and Ready", lambda: len(self.ready_pods()) >= 2, 60)
        self.view.say(f"  2 pods Running and Ready after {took:.1f}s")
        self.view.snapshot(self.tables())

    def step_explain(self) -> None:
        from kubekit.api import Pod

        self.view.step("2. the scheduling decisions, and kube-scheduler's view of the next replica")
        for p in sorted(self.live_pods(), key=lambda p: p["metadata"]["name"]):
            self.view.say(f"  {p['metadata']['name']} -> {p['spec'].get('nodeName')}")
        dep = self.s.store.get("Deployment", NS, "web")
        tmpl = copy.deepcopy(dep["spec"]["template"])
        manifest = {"apiVersion": "v1", "kind": "Pod",
                    "metadata": {**tmpl.get("metadata", {}), "name": "web-next", "namespace": NS},
                    "spec": tmpl["spec"]}
        exp = self.s.cp.scheduler.scheduler.explain(Pod.from_manifest(manifest))
        self.view.say(f"  explain web-next: would go to {exp.chosen or exp.message}")
        for line in exp.table().splitlines():
            self.view.say("    " + line)

    def step_kill(self) -> None:
        self.view.step("3. kill a container's process and watch the node agent restart it")
        if not self.s.real:
            self.view.say(f"  skipped: no real containers ({self.s.fallback})")
            return
        agent = self.s.local.agent
        pod = next(p for p in self.ready_pods() if p["spec"].get("nodeName") == self.s.local_node_name)
        name, uid = pod["metadata"]["name"], pod["metadata"]["uid"]
        container = agent.workers[uid].containers["worker"].running
        self.view.say(f"  kill -KILL {container.pid}   (the worker of {name}, pid {container.pid} on the host)")
        os.kill(container.pid, signal.SIGKILL)

        def restarted() -> bool:
            p = self.s.cp.pods.get(f"{NS}/{name}")
            st = (p or {}).get("status") or {}
            cs = (st.get("containerStatuses") or [{}])[0]
            return cs.get("restartCount", 0) >= 1 and cs.get("ready") is True

        took = self.wait_for(f"{name} restarted", restarted, 40)
        p = self.s.cp.pods.get(f"{NS}/{name}")
        last = p["status"]["containerStatuses"][0].get("lastState", {}).get("terminated", {})
        self.counts["restarts"] += 1
        self.view.say(f"  restarted after {took:.1f}s: restartCount 1, last state terminated "
                      f"(reason {last.get('reason')}, exit code {last.get('exitCode')}, signal {last.get('signal')})")

    def step_delete(self) -> None:
        self.view.step("4. delete a pod and watch its ReplicaSet replace it")
        victim = sorted(self.ready_pods(), key=lambda p: p["metadata"]["name"])[-1]
        name = victim["metadata"]["name"]
        self.s.store.delete("Pod", NS, name)
        self.view.say(f"  kubectl delete pod {name}")
        took = self.wait_for("a replacement pod Ready", lambda: len(self.ready_pods()) >= 2 and all(
            p["metadata"]["name"] != name for p in self.ready_pods()), 60)
        self.view.say(f"  replaced after {took:.1f}s")

    def step_load(self) -> None:
        self.view.step("5. put cpu load on the workers and watch the HPA scale out")
        self.s.load.set(True)
        self.view.say(f"  touch {self.s.load.directory}/on   (each worker now burns up to its 300m cpu limit)")
        took = self.wait_for("the HPA scaling out to 12", lambda: (self.hpa().get("status") or {}).get(
            "desiredReplicas", 0) >= 12, 120)
        self.view.say(f"  the HPA wants 12 replicas after {took:.1f}s")
        self.view.snapshot(self.tables())

    def step_cluster_autoscaler(self) -> None:
        self.view.step("6. pods that fit nowhere make the cluster autoscaler add a node")
        took = self.wait_for("12 web pods Ready on a grown node group", lambda: len(self.ready_pods()) >= 12
                             and len(self.group_nodes()) > self.initial_group, 120)
        added = len(self.group_nodes()) - self.initial_group
        self.counts["nodes_added"] += added
        when = ", ".join(f"{t:.1f}s" for t in self.scale_ups) or "?"
        self.view.say(f"  all 12 pods Ready {took:.1f}s after the HPA's decision; the cluster autoscaler grew the "
                      f"{SIM_GROUP!r} group from {self.initial_group} to {len(self.group_nodes())} node(s) "
                      f"(scale-up at {when})")
        self.view.snapshot(self.tables())

    def step_unload(self) -> None:
        self.view.step("7. remove the load and watch everything scale back")
        before = len(self.group_nodes())
        self.s.load.set(False)
        self.view.say(f"  rm {self.s.load.directory}/on")
        took = self.wait_for("the web pods back to 2", lambda: len(self.live_pods()) == 2, 180)
        self.view.say(f"  back to 2 pods after {took:.1f}s (the HPA waited out its 20s stabilization window)")
        took = self.wait_for(f"the {SIM_GROUP!r} group back to 1 node", lambda: len(self.group_nodes()) == 1, 180)
        self.counts["nodes_removed"] += before - len(self.group_nodes())
        self.view.say(f"  the cluster autoscaler removed {before - 1} node(s) after {took:.1f}s more")
        self.view.snapshot(self.tables())

    def finish(self) -> None:
        self.view.step("done: deleting the workload")
        self.s.store.delete("HorizontalPodAutoscaler", NS, "web")
        self.s.store.delete("Deployment", NS, "web")
        self.wait_for("every web pod gone", lambda: not self.pods(), 60)
        c = self.counts
        self.view.say(f"  {self.clock.monotonic() - self.t0:.0f}s in all: {c['restarts']} container restart(s), "
                      f"{c['rescales']} HPA rescale(s), {c['nodes_added']} node(s) added and "
                      f"{c['nodes_removed']} removed by the cluster autoscaler")


def run(out: TextIO, *, clock=None, simulated_only: bool = False, live: bool | None = None,
        timeout_scale: float = 1.0) -> int:
    """Tell the story on ``out``; 0 on success, 1 if a step failed.  Leaves
    nothing behind either way."""
    view = LiveView(out, live=live)
    setting = open_setting(clock, simulated_only=simulated_only)
    story = None
    try:
        story = Story(setting, view, timeout_scale=timeout_scale)
        story.tell()
        return 0
    except DemoError as e:
        view.close(story.tables() if story is not None else [])
        view.say(f"demo failed: {e}")
        return 1
    finally:
        if story is not None:
            view.close(story.tables())
        setting.close()
        view.say("cleaned up: containers, cgroups, mounts and files removed")
