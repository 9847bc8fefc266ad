"""ConfigMaps, Secrets and the downward API in real containers run by the
node agent: configMap / secret / downwardAPI / projected volumes (the atomic
writer's layout, secrets on a tmpfs that is unmounted with the pod), env from
them, ``$(VAR)`` expansion, updates reaching the files, and a missing
ConfigMap holding a container back until it is created.  Needs root."""

from __future__ import annotations

import base64
import os
import time

import pytest
from agent_world import agent_world, mounts_under, run_until

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the node agent's tests start real containers (root)")


@pytest.fixture
def world(rootfs):
    with agent_world(rootfs, "kubekit-agent-cfg-") as w:
        yield w


def pod(name, command, volumes=(), **container):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "demo", "tier": "web"}},
            "spec": {"nodeName": "node-a", "restartPolicy": "Always", "volumes": list(volumes),
                     "containers": [{"name": "app", "image": "local/busybox:1", "command": command,
                                     "imagePullPolicy": "Never", **container}]}}


def config_map(name, **data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"},
            "data": data}


def secret(name, **data):
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "default"},
            "type": "Opaque", "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}}


def wait_log(path, lines, timeout=10.0, agent=None):
    end = time.monotonic() + timeout
    text = ""
    while time.monotonic() < end:
        if agent is not None:
            agent.run_once()
        text = open(path).read() if os.path.exists(path) else ""
        if text.count("\n") >= lines:
            return text
        time.sleep(0.05)
    raise AssertionError(f"log {path} has only {text!r}")


def running(p):
    return p.get("status", {}).get("phase") == "Running"


def waiting(p):
    cs = p.get("status", {}).get("containerStatuses") or [{}]
    return cs[0].get("state", {}).get("waiting") or {}


SCRIPT = ("cat /cfg/greeting; echo; cat /cfg/nested/deep; echo; cat /sec/password; echo; "
          "stat -c %a /cfg/..data/greeting; stat -c %a /sec/..data/password; "
          "cat /info/labels; echo; cat /info/cpu; echo; "
          "echo \"$GREETING|$PASSWORD|$POD_NAME|$NODE|$APP|$CPU_M|$MEM_MI|$CFG_colour|$COMBINED\"; "
          "touch /cfg/x 2>/dev/null || echo read-only; exec sleep 300")


def test_config_map_and_secret_volumes_and_env_in_a_real_container(world):
    store, clock, agent, top = world
    store.create(config_map("app", greeting="hello", colour="blue", deep="down"))
    store.create(secret("creds", password="s3cret"))
    volumes = [
        {"name": "cfg", "configMap": {"name": "app", "items": [{"key": "greeting", "path": "greeting"},
                                                               {"key": "deep", "path": "nested/deep", "mode": 0o600}]}},
        {"name": "sec", "secret": {"secretName": "creds", "defaultMode": 0o400}},
        {"name": "info", "downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
            {"path": "cpu", "resourceFieldRef": {"containerName": "app", "resource": "limits.cpu", "divisor": "1m"}}]}},
    ]
    env = [{"name": "GREETING", "valueFrom": {"configMapKeyRef": {"name": "app", "key": "greeting"}}},
           {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}},
           {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
           {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
           {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
           {"name": "CPU_M", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}},
           {"name": "MEM_MI", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
           {"name": "COMBINED", "value": "$(GREETING)-$(POD_NAME)-$$(NOT)-$(UNDEFINED)"},
           {"name": "MISSING_OK", "valueFrom": {"configMapKeyRef": {"name": "nope", "key": "k", "optional": True}}}]
    store.create(pod("cfg", ["/bin/sh", "-c", SCRIPT], volumes, env=env,
                     envFrom=[{"configMapRef": {"name": "app"}, "prefix": "CFG_"}],
                     resources={"limits": {"cpu": "250m", "memory": "64Mi"}},
                     volumeMounts=[{"name": "cfg", "mountPath": "/cfg"}, {"name": "sec", "mountPath": "/sec"},
                                   {"name": "info", "mountPath": "/info"}]))
    p = run_until(agent, store, "cfg", running)
    log = f"{top}/logs/default_cfg_{p['metadata']['uid']}/app/0.log"
    text = wait_log(log, 10)
    assert text.splitlines() == [
        "hello", "down", "s3cret", "644", "400", 'app="demo"', 'tier="web"', "250",
        "hello|s3cret|cfg|node-a|demo|250|64|blue|hello-cfg-$(NOT)-$(UNDEFINED)", "read-only"]

    # on the host: the atomic writer's layout, and the secret on a tmpfs
    vols = agent.volume_dir(p)
    cfg_dir = f"{vols}/kubernetes.io~configmap/cfg"
    assert os.readlink(f"{cfg_dir}/greeting") == "..data/greeting"
    assert os.readlink(f"{cfg_dir}/..data").startswith("..20")
    sec_dir = os.path.realpath(f"{vols}/kubernetes.io~secret/sec")
    assert mounts_under(sec_dir) == [sec_dir]
    assert _fstype(sec_dir) == "tmpfs"

    uid = p["metadata"]["uid"]
    store.delete("Pod", "default", "cfg")
    agent.run_once()
    clock.advance(31)
    agent.run_once()
    assert uid not in agent.workers
    assert mounts_under(sec_dir) == []                       # the tmpfs went with the pod
    assert not os.path.exists(os.path.join(agent.runtime.data_dir, "pods", uid))


def _fstype(path):
    from kubekit.runtime.mountinfo import parse_mountinfo

    with open("/proc/self/mountinfo") as f:
        return next(m.fstype for m in reversed(parse_mountinfo(f.read())) if m.mount_point == path)


def test_a_config_map_update_reaches_the_file_but_not_a_sub_path_mount(world):
    store, clock, agent, top = world
    store.create(config_map("live", greeting="hello"))
    script = ('last=; while :; do v="$(cat /cfg/greeting)|$(cat /one/greeting)"; '
              '[ "$v" != "$last" ] && echo "$v"; last=$v; sleep 0.05; done')
    store.create(pod("live", ["/bin/sh", "-c", script], [{"name": "cfg", "configMap": {"name": "live"}}],
                     volumeMounts=[{"name": "cfg", "mountPath": "/cfg"},
                                   {"name": "cfg", "mountPath": "/one/greeting", "subPath": "greeting"}]))
    p = run_until(agent, store, "live", running)
    log = f"{top}/logs/default_live_{p['metadata']['uid']}/app/0.log"
    assert wait_log(log, 1) == "hello|hello\n"
    store.guaranteed_update("ConfigMap", "default", "live", lambda cm: {**cm, "data": {"greeting": "bonjour"}})
    assert wait_log(log, 2, agent=agent) == "hello|hello\nbonjour|hello\n"     # subPath: never updated


def test_a_missing_config_map_holds_the_container_until_it_exists(world):
    store, clock, agent, top = world
    from kubekit.cluster.events import events_for

    store.create(pod("envwait", ["/bin/sh", "-c", "echo $V; exec sleep 300"],
                     env=[{"name": "V", "valueFrom": {"configMapKeyRef": {"name": "late", "key": "v"}}}]))
    store.create(pod("volwait", ["/bin/sh", "-c", "cat /cfg/v; echo; exec sleep 300"],
                     [{"name": "cfg", "configMap": {"name": "late"}}],
                     volumeMounts=[{"name": "cfg", "mountPath": "/cfg"}]))
    p = run_until(agent, store, "envwait", lambda p: waiting(p).get("reason") == "CreateContainerConfigError")
    assert waiting(p)["message"] == 'configmap "late" not found'
    q = run_until(agent, store, "volwait", lambda p: waiting(p).get("reason") == "ContainerCreating")
    assert any(e["reason"] == "FailedMount" and 'configmap "late" not found' in e["message"]
               for e in events_for(store, q))
    for _ in range(3):
        agent.run_once()                                         # retried, still waiting
    assert waiting(store.get("Pod", "default", "envwait"))["reason"] == "CreateContainerConfigError"
    store.create(config_map("late", v="now"))
    p = run_until(agent, store, "envwait", running)
    q = run_until(agent, store, "volwait", running)
    assert wait_log(f"{top}/logs/default_envwait_{p['metadata']['uid']}/app/0.log", 1) == "now\n"
    assert wait_log(f"{top}/logs/default_volwait_{q['metadata']['uid']}/app/0.log", 1) == "now\n"


def test_projected_volume_is_a_tmpfs_with_all_sources(world):
    store, clock, agent, top = world
    store.create(config_map("pc", a="from-cm"))
    store.create(secret("ps", b="from-secret"))
    vol = {"name": "all", "projected": {"defaultMode": 0o440, "sources": [
        {"configMap": {"name": "pc"}}, {"secret": {"name": "ps", "items": [{"key": "b", "path": "sub/b"}]}},
        {"downwardAPI": {"items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]}}]}}
    store.create(pod("proj", ["/bin/sh", "-c", "cat /p/a /p/sub/b /p/ns; echo; stat -c %a /p/..data/a; exec sleep 300"],
                     [vol], volumeMounts=[{"name": "all", "mountPath": "/p"}]))
    p = run_until(agent, store, "proj", running)
    text = wait_log(f"{top}/logs/default_proj_{p['metadata']['uid']}/app/0.log", 2)
    assert text == "from-cmfrom-secretdefault\n440\n"
    d = os.path.realpath(f"{agent.volume_dir(p)}/kubernetes.io~projected/all")
    assert _fstype(d) == "tmpfs"
