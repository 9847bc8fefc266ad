"""v1 Pod: ``ValidatePodCreate``, ``ValidatePodUpdate``, ``ValidatePodSpec``
and ``ValidatePodTemplateSpec`` from ``pkg/apis/core/validation/validation.go``
(v1.34), on plain manifest dicts.

Validation expects a defaulted object (see :mod:`kubekit.validation.defaults`):
``imagePullPolicy``, ``terminationMessagePolicy``, ``restartPolicy``,
``dnsPolicy``, ``terminationGracePeriodSeconds``, port protocols and probe
thresholds are *required* here, exactly as in the API server, because the
server defaults them before it validates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubekit.validation import shape
from kubekit.validation.containers import validate_containers, validate_init_containers
from kubekit.validation.field import (
    FieldError,
    Path,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    required,
)
from kubekit.validation.meta import (
    validate_annotations,
    validate_label_name,
    validate_labels,
    validate_object_meta,
    semantic,
    validate_object_meta_update,
)
from kubekit.validation.names import (
    dns1123_label_errors,
    inclusive_range_error,
    name_is_dns_subdomain,
    qualified_name_errors,
)
from kubekit.validation.options import DEFAULT_OPTIONS, Options
from kubekit.validation.resources import (
    aggregate_container_requests,
    parse_resource_list,
    validate_container_resource_requirements,
    validate_pod_resource_requirements,
)
from kubekit.validation.scheduling import (
    normalized_toleration,
    validate_affinity,
    validate_tolerations,
)

__all__ = [
    "UPDATABLE_POD_SPEC_FIELDS",
    "validate_pod",
    "validate_pod_spec",
    "validate_pod_template_spec",
    "validate_pod_update",
]

MAX_INT32 = 2**31 - 1
_RESTART_POLICIES = ("Always", "OnFailure", "Never")
_DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
_PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")
_WHEN_UNSATISFIABLE = ("DoNotSchedule", "ScheduleAnyway")
_VOLUME_SOURCES = (
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi",
    "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs", "quobyte", "downwardAPI", "fc",
    "flexVolume", "configMap", "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume",
    "azureDisk", "storageos", "projected", "scaleIO", "csi", "ephemeral", "image",
)
# validateVolumeSource reports a second source under these names (upstream typos kept).
_VOLUME_SOURCE_ERROR_NAMES = {"downwardAPI": "downwarAPI", "cephfs": "cephFS"}
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
POD_DELETION_COST_ANNOTATION = "controller.kubernetes.io/pod-deletion-cost"

#: ``updatablePodSpecFields``, quoted in the "pod updates may not change" message.
UPDATABLE_POD_SPEC_FIELDS = (
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
)


def _validate_volumes(raw: Any, path: Path, errs: list[FieldError]) -> frozenset[str]:
    """ValidateVolumes: names (DNS labels, unique) and exactly one volume
    source.  The sources' own fields are not validated."""
    names: set[str] = set()
    for i, item in enumerate(shape.sequence(raw, path, errs)):
        p = path.index(i)
        vol = shape.mapping(item, p, errs)
        el: list[FieldError] = []
        count = 0
        for source in _VOLUME_SOURCES:
            if vol.get(source) is None:
                continue
            if count > 0:
                el.append(forbidden(p.child(_VOLUME_SOURCE_ERROR_NAMES.get(source, source)),
                                    "may not specify more than 1 volume type"))
            else:
                count += 1
        if count == 0:
            el.append(required(p, "must specify a volume type"))
        name = shape.string(vol.get("name"), p.child("name"), errs)
        if not name:
            el.append(required(p.child("name")))
        else:
            el += [invalid(p.child("name"), name, m) for m in dns1123_label_errors(name)]
        if name in names:
            el.append(duplicate(p.child("name"), name))
        if not el:
            names.add(name)
        errs += el
    return frozenset(names)


def _validate_host_network_ports(spec: Mapping[str, Any], path: Path, resource_is_pod: bool) -> list[FieldError]:
    """validatePodHostNetworkDeps."""
    errs: list[FieldError] = []
    if spec.get("hostNetwork") is not True:
        return errs
    for i, ctr in enumerate(shape.items(spec.get("containers"))):
        if not isinstance(ctr, dict):
            continue
        for j, port in enumerate(shape.items(ctr.get("ports"))):
            if not isinstance(port, dict):
                continue
            hp, cp = port.get("hostPort") or 0, port.get("containerPort") or 0
            if (resource_is_pod or hp != 0) and hp != cp:
                errs.append(invalid(path.child("containers").index(i).child("ports").index(j).child("hostPort"), hp,
                                    "must match `containerPort` when `hostNetwork` is true"))
    return errs


def _validate_pod_resources(spec: Mapping[str, Any], path: Path) -> list[FieldError]:
    """validatePodResources (PodLevelResources)."""
    errs: list[FieldError] = []
    resources = shape.mapping(spec.get("resources"), path, errs)
    if resources.get("claims") is not None:
        errs.append(forbidden(path.child("claims"), "claims cannot be set for Resources at pod-level"))
    errs += validate_pod_resource_requirements(resources, path)
    pod_requests = parse_resource_list(resources.get("requests"), path.child("requests"), [])
    pod_limits = parse_resource_list(resources.get("limits"), path.child("limits"), [])
    for name, ctr_req in aggregate_container_requests(spec).items():
        pod_req = pod_requests.get(name)
        if pod_req is None:
            from kubekit.api.quantity import Quantity

            pod_req = Quantity(0)
        if ctr_req > pod_req:
            errs.append(invalid(path.child("requests").key(name), str(pod_req),
                                f"must be greater than or equal to aggregate container requests of {ctr_req}"))
    for i, ctr in enumerate(shape.items(spec.get("containers"))):
        if not isinstance(ctr, dict) or not isinstance(ctr.get("resources"), dict):
            continue
        for name, limit in parse_resource_list(ctr["resources"].get("limits"), path, []).items():
            if name in pod_limits and limit > pod_limits[name]:
                errs.append(invalid(path.child("containers").index(i).key(name).child("limits"), str(limit),
                                    f"must be less than or equal to pod limits of {pod_limits[name]}"))
    return errs


def _validate_topology_spread_constraints(raw: Any, path: Path) -> list[FieldError]:
    """validateTopologySpreadConstraints."""
    errs: list[FieldError] = []
    items = shape.sequence(raw, path, errs)
    constraints = [shape.mapping(item, path.index(i), errs) for i, item in enumerate(items)]
    for i, c in enumerate(constraints):
        p = path.index(i)
        max_skew = shape.integer(c.get("maxSkew"), p.child("maxSkew"), errs) or 0
        if max_skew <= 0:
            errs.append(invalid(p.child("maxSkew"), max_skew, "must be greater than zero"))
        key = shape.string(c.get("topologyKey"), p.child("topologyKey"), errs)
        if not key:
            errs.append(required(p.child("topologyKey"), "can not be empty"))
        when = shape.string(c.get("whenUnsatisfiable"), p.child("whenUnsatisfiable"), errs)
        if when not in _WHEN_UNSATISFIABLE:
            errs.append(not_supported(p.child("whenUnsatisfiable"), when, _WHEN_UNSATISFIABLE))
        # ValidateSpreadConstraintNotRepeat: compared with the constraints after it.
        if any((shape.text(r.get("topologyKey")), shape.text(r.get("whenUnsatisfiable"))) == (key, when)
               for r in constraints[i + 1 :]):
            errs.append(duplicate(p.child("{topologyKey, whenUnsatisfiable}"), f"{{{key}, {when}}}"))
        min_domains = shape.integer(c.get("minDomains"), p.child("minDomains"), errs)
        if min_domains is not None:
            if min_domains <= 0:
                errs.append(invalid(p.child("minDomains"), min_domains, "must be greater than zero"))
            if when != "DoNotSchedule":
                errs.append(invalid(p.child("minDomains"), min_domains,
                                    f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {when}"))
        for policy_key in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            if c.get(policy_key) is not None and c[policy_key] not in ("Honor", "Ignore"):
                errs.append(not_supported(p.child(policy_key), c[policy_key], ["Honor", "Ignore"]))
        match_label_keys = [k for k in shape.items(c.get("matchLabelKeys")) if isinstance(k, str)]
        if match_label_keys:
            selector = c.get("labelSelector")
            selector_keys: set[str] = set()
            if isinstance(selector, dict):
                selector_keys |= set(shape.entries(selector.get("matchLabels")))
                selector_keys |= {shape.text(e.get("key")) for e in shape.items(selector.get("matchExpressions"))
                                  if isinstance(e, dict)}
            else:
                errs.append(forbidden(p.child("matchLabelKeys"), "must not be specified when labelSelector is not set"))
            for j, k in enumerate(match_label_keys):
                errs += validate_label_name(k, p.child("matchLabelKeys").index(j))
                if k in selector_keys:
                    errs.append(invalid(p.child("matchLabelKeys").index(j), k, "exists in both matchLabelKeys and labelSelector"))
        errs += _label_selector(c.get("labelSelector"), p.child("labelSelector"))
    return errs


def _label_selector(raw: Any, path: Path) -> list[FieldError]:
    from kubekit.validation.meta import validate_label_selector

    return validate_label_selector(raw, path)


def validate_pod_spec(spec_raw: Any, path: Path, *, resource_is_pod: bool,
                      options: Options = DEFAULT_OPTIONS) -> list[FieldError]:
    """ValidatePodSpec, in upstream's order."""
    errs: list[FieldError] = []
    spec = shape.mapping(spec_raw, path, errs)
    grace = shape.integer(spec.get("terminationGracePeriodSeconds"), path.child("terminationGracePeriodSeconds"), errs)
    if grace is None:
        errs.append(required(path.child("terminationGracePeriodSeconds")))
    volumes = _validate_volumes(spec.get("volumes"), path.child("volumes"), errs)
    errs += validate_containers(spec.get("containers"), volumes, grace, path.child("containers"))
    errs += validate_init_containers(spec.get("initContainers"), spec.get("containers"), volumes, grace,
                                     path.child("initContainers"))
    if options.pod_level_resources and spec.get("resources") is not None:
        errs += _validate_pod_resources(spec, path.child("resources"))
    errs += _validate_host_network_ports(spec, path, resource_is_pod)
    restart = shape.string(spec.get("restartPolicy"), path.child("restartPolicy"), errs)
    if not restart:
        errs.append(required(path.child("restartPolicy")))
    elif restart not in _RESTART_POLICIES:
        errs.append(not_supported(path.child("restartPolicy"), restart, _RESTART_POLICIES))
    dns = shape.string(spec.get("dnsPolicy"), path.child("dnsPolicy"), errs)
    if not dns:
        errs.append(required(path.child("dnsPolicy")))
    elif dns not in _DNS_POLICIES:
        errs.append(not_supported(path.child("dnsPolicy"), dns, _DNS_POLICIES))
    errs += validate_labels(shape.string_map(spec.get("nodeSelector"), path.child("nodeSelector"), errs),
                            path.child("nodeSelector"))
    errs += validate_affinity(spec.get("affinity"), path.child("affinity"))
    if dns == "None":
        dns_config = spec.get("dnsConfig")
        if dns_config is None:
            errs.append(required(path.child("dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"))
        elif not (isinstance(dns_config, dict) and dns_config.get("nameservers")):
            errs.append(required(path.child("dnsConfig").child("nameservers"),
                                 "must provide at least one DNS nameserver when `dnsPolicy` is None"))
    for i, gate in enumerate(shape.sequence(spec.get("readinessGates"), path.child("readinessGates"), errs)):
        p = path.child("readinessGates").index(i).child("conditionType")
        ctype = gate.get("conditionType") if isinstance(gate, dict) else ""
        ctype = shape.text(ctype)
        errs += [invalid(p, ctype, m) for m in qualified_name_errors(ctype)]
    seen_gates: set[str] = set()
    for i, gate in enumerate(shape.sequence(spec.get("schedulingGates"), path.child("schedulingGates"), errs)):
        p = path.child("schedulingGates").index(i)
        gname = shape.text(gate.get("name") if isinstance(gate, dict) else "")
        errs += [invalid(p, gname, m) for m in qualified_name_errors(gname)]
        if gname in seen_gates:
            errs.append(duplicate(p, gname))
        seen_gates.add(gname)
    errs += _validate_topology_spread_constraints(spec.get("topologySpreadConstraints"),
                                                  path.child("topologySpreadConstraints"))
    for key in ("serviceAccountName", "nodeName"):
        value = shape.string(spec.get(key), path.child(key), errs)
        if value:
            errs += [invalid(path.child(key), value, m) for m in name_is_dns_subdomain(value, False)]
    deadline = shape.integer(spec.get("activeDeadlineSeconds"), path.child("activeDeadlineSeconds"), errs)
    if deadline is not None and (deadline < 1 or deadline > MAX_INT32):
        errs.append(invalid(path.child("activeDeadlineSeconds"), deadline, inclusive_range_error(1, MAX_INT32)))
    for key in ("hostname", "subdomain"):
        value = shape.string(spec.get(key), path.child(key), errs)
        if value:
            errs += [invalid(path.child(key), value, m) for m in dns1123_label_errors(value)]
    if spec.get("tolerations"):
        errs += validate_tolerations(spec["tolerations"], path.child("tolerations"), options)
    priority_class = shape.string(spec.get("priorityClassName"), path.child("priorityClassName"), errs)
    if priority_class:
        errs += [invalid(path.child("priorityClassName"), priority_class, m)
                 for m in name_is_dns_subdomain(priority_class, False)]
    if spec.get("runtimeClassName") is not None:
        rc = shape.string(spec["runtimeClassName"], path.child("runtimeClassName"), errs)
        errs += [invalid(path.child("runtimeClassName"), rc, m) for m in name_is_dns_subdomain(rc, False)]
    if spec.get("preemptionPolicy") is not None:
        pp = shape.string(spec["preemptionPolicy"], path.child("preemptionPolicy"), errs)
        if not pp:
            errs.append(required(path.child("preemptionPolicy")))
        elif pp not in _PREEMPTION_POLICIES:
            errs.append(not_supported(path.child("preemptionPolicy"), pp, _PREEMPTION_POLICIES))
    if spec.get("overhead") is not None:
        errs += validate_container_resource_requirements({"limits": spec["overhead"]}, path.child("overhead"))
    if spec.get("os") is not None:
        os_name = shape.text(shape.mapping(spec["os"], path.child("os"), errs).get("name"))
        if not os_name:
            errs.append(required(path.child("os").child("name"), "cannot be empty"))
        elif os_name not in ("linux", "windows"):
            errs.append(not_supported(path.child("os"), os_name, ["linux", "windows"]))
    return errs


def _pod_specific_annotations(annotations: Mapping[str, str], spec: Mapping[str, Any], path: Path) -> list[FieldError]:
    """ValidatePodSpecificAnnotations: mirror-pod and pod-deletion-cost."""
    errs: list[FieldError] = []
    if MIRROR_POD_ANNOTATION in annotations and not spec.get("nodeName"):
        errs.append(invalid(path.key(MIRROR_POD_ANNOTATION), annotations[MIRROR_POD_ANNOTATION],
                            "must set spec.nodeName if mirror pod annotation is set"))
    if POD_DELETION_COST_ANNOTATION in annotations:
        cost = annotations[POD_DELETION_COST_ANNOTATION]
        ok = bool(cost) and (cost[0] == "-" or cost[0].isdigit()) and cost.lstrip("-").isdigit() \
            and -(2**31) <= int(cost) <= MAX_INT32 and (cost == "0" or not cost.lstrip("-").startswith("0"))
        if not ok:
            errs.append(invalid(path.key(POD_DELETION_COST_ANNOTATION), cost, "must be a 32bit integer"))
    return errs


def _metadata_and_spec(pod: Mapping[str, Any], options: Options) -> list[FieldError]:
    """validatePodMetadataAndSpec."""
    meta_path, spec_path = Path("metadata"), Path("spec")
    errs = validate_object_meta(pod.get("metadata"), True, name_is_dns_subdomain, meta_path)
    meta = pod.get("metadata") if isinstance(pod.get("metadata"), dict) else {}
    spec = pod.get("spec") if isinstance(pod.get("spec"), dict) else {}
    annotations = {k: v for k, v in shape.entries(meta.get("annotations")).items() if isinstance(v, str)}
    errs += _pod_specific_annotations(annotations, spec, meta_path.child("annotations"))
    errs += validate_pod_spec(pod.get("spec"), spec_path, resource_is_pod=True, options=options)
    for key in ("containers", "initContainers"):
        for i, ctr in enumerate(shape.items(spec.get(key))):
            image = ctr.get("image") if isinstance(ctr, dict) else None
            if isinstance(image, str) and image != image.strip():
                errs.append(invalid(spec_path.child(key).index(i).child("image"), image,
                                    "must not have leading or trailing whitespace"))
    return errs


def validate_pod(pod: Mapping[str, Any], options: Options = DEFAULT_OPTIONS) -> list[FieldError]:
    """ValidatePodCreate."""
    errs = _metadata_and_spec(pod, options)
    spec = pod.get("spec") if isinstance(pod.get("spec"), dict) else {}
    if spec.get("ephemeralContainers"):
        errs.append(forbidden(Path("spec").child("ephemeralContainers"), "cannot be set on create"))
    if spec.get("nodeName") and spec.get("schedulingGates"):
        errs.append(forbidden(Path("spec").child("nodeName"), "cannot be set until all schedulingGates have been cleared"))
    return errs


def validate_pod_template_spec(raw: Any, path: Path, options: Options = DEFAULT_OPTIONS) -> list[FieldError]:
    """ValidatePodTemplateSpec: labels and annotations are reported at
    ``<path>.labels`` / ``<path>.annotations`` (Go embeds ObjectMeta)."""
    errs: list[FieldError] = []
    template = shape.mapping(raw, path, errs)
    meta = shape.mapping(template.get("metadata"), path.child("metadata"), errs)
    errs += validate_labels(shape.string_map(meta.get("labels"), path.child("labels"), errs), path.child("labels"))
    annotations = shape.string_map(meta.get("annotations"), path.child("annotations"), errs)
    errs += validate_annotations(annotations, path.child("annotations"))
    spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    errs += _pod_specific_annotations(annotations, spec, path.child("annotations"))
    errs += validate_pod_spec(template.get("spec"), path.child("spec"), resource_is_pod=False, options=options)
    if spec.get("ephemeralContainers"):
        errs.append(forbidden(path.child("spec", "ephemeralContainers"), "ephemeral containers not allowed in pod template"))
    return errs


# --- update -------------------------------------------------------------------


def _container_updates(new: Any, old: Any, path: Path) -> tuple[list[FieldError], bool]:
    """ValidateContainerUpdates."""
    new_list = new if isinstance(new, list) else []
    old_list = old if isinstance(old, list) else []
    if len(new_list) != len(old_list):
        return [forbidden(path, "pod updates may not add or remove containers")], True
    errs: list[FieldError] = []
    for i, ctr in enumerate(new_list):
        image = ctr.get("image") if isinstance(ctr, dict) else ""
        image = image if isinstance(image, str) else ""
        if not image:
            errs.append(required(path.index(i).child("image")))
        if image.strip() != image:
            errs.append(invalid(path.index(i).child("image"), image, "must not have leading or trailing whitespace"))
    return errs, False


def _spec_diff(old: Any, new: Any, prefix: str = "") -> list[str]:
    """A short list of changed fields (kubekit's rendering: Go prints cmp.Diff)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for k in sorted(set(old) | set(new), key=str):
            out += _spec_diff(old.get(k), new.get(k), f"{prefix}.{k}" if prefix else k)
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out = []
        for i, (a, b) in enumerate(zip(old, new)):
            out += _spec_diff(a, b, f"{prefix}[{i}]")
        return out
    if old == new:
        return []
    return [f"  {prefix}: {old!r} -> {new!r}"]


def validate_pod_update(new: Mapping[str, Any], old: Mapping[str, Any],
                        options: Options = DEFAULT_OPTIONS) -> list[FieldError]:
    """ValidatePodUpdate: only images, activeDeadlineSeconds (down, or set
    once), tolerations (additions; tolerationSeconds may change),
    schedulingGates (removals) and a negative terminationGracePeriodSeconds
    (to 1) may change in a pod's spec."""
    meta_path, spec_path = Path("metadata"), Path("spec")
    errs = validate_object_meta_update(new.get("metadata"), old.get("metadata"), meta_path)
    errs += _metadata_and_spec(new, options)
    new_spec = new.get("spec") if isinstance(new.get("spec"), dict) else {}
    old_spec = old.get("spec") if isinstance(old.get("spec"), dict) else {}
    for key in ("containers", "initContainers"):
        cerrs, stop = _container_updates(new_spec.get(key), old_spec.get(key), spec_path.child(key))
        errs += cerrs
        if stop:
            return errs
    new_deadline, old_deadline = new_spec.get("activeDeadlineSeconds"), old_spec.get("activeDeadlineSeconds")
    deadline_path = spec_path.child("activeDeadlineSeconds")
    if isinstance(new_deadline, int):
        if new_deadline < 0 or new_deadline > MAX_INT32:
            return errs + [invalid(deadline_path, new_deadline, inclusive_range_error(0, MAX_INT32))]
        if isinstance(old_deadline, int) and old_deadline < new_deadline:
            return errs + [invalid(deadline_path, new_deadline, "must be less than or equal to previous value")]
    elif old_deadline is not None:
        errs.append(invalid(deadline_path, None, "must not update from a positive integer to nil value"))
    old_tols = [normalized_toleration(t) for t in shape.items(old_spec.get("tolerations"))]
    new_tols = [normalized_toleration(t) for t in shape.items(new_spec.get("tolerations"))]
    if any(t not in new_tols for t in old_tols):
        errs.append(forbidden(spec_path.child("tolerations"), "existing toleration can not be modified except its tolerationSeconds"))
    else:
        errs += validate_tolerations(new_spec.get("tolerations"), spec_path.child("tolerations"), options)
    old_gates = {shape.text(g.get("name")) for g in shape.items(old_spec.get("schedulingGates")) if isinstance(g, dict)}
    for i, gate in enumerate(shape.items(new_spec.get("schedulingGates"))):
        gname = shape.text(gate.get("name")) if isinstance(gate, dict) else ""
        if gname not in old_gates:
            errs.append(forbidden(spec_path.child("schedulingGates").index(i).child("name"),
                                  f"only deletion is allowed, but found new scheduling gate '{gname}'"))
    if semantic(new_spec) == semantic(old_spec):
        return errs
    munged = dict(new_spec)
    for key in ("containers", "initContainers"):
        if isinstance(munged.get(key), list):
            munged[key] = [
                {**c, "image": o.get("image")} if isinstance(c, dict) and isinstance(o, dict) else c
                for c, o in zip(munged[key], shape.items(old_spec.get(key)))
            ]
    munged["activeDeadlineSeconds"] = old_deadline
    munged["schedulingGates"] = old_spec.get("schedulingGates")
    munged["tolerations"] = old_spec.get("tolerations")
    old_grace = old_spec.get("terminationGracePeriodSeconds")
    if isinstance(old_grace, int) and old_grace < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if semantic(munged) != semantic(old_spec):
        diff = "\n".join(_spec_diff(semantic(old_spec), semantic(munged)))
        errs.append(forbidden(spec_path, "pod updates may not change fields other than "
                              + ",".join(UPDATABLE_POD_SPEC_FIELDS) + "\n" + diff))
    return errs
