"""Volume binding for the scheduling loop: kube-scheduler's ``VolumeBinding``
plugin (``pkg/scheduler/framework/plugins/volumebinding``: ``PreFilter``,
``Filter`` and ``PreBind`` over ``SchedulerVolumeBinder.FindPodVolumes``),
reduced to what the loop needs, without touching the scheduler's kernels.

For a pod that names PersistentVolumeClaims, :meth:`VolumeBinder.plan`:

* refuses it outright (PreFilter, ``UnschedulableAndUnresolvable``) when a
  claim does not exist (``persistentvolumeclaim "x" not found``), is being
  deleted (``persistentvolumeclaim "x" is being deleted``), or is unbound in
  ``Immediate`` mode (``pod has unbound immediate PersistentVolumeClaims``);
* turns a bound claim's (``isPVCFullyBound``: ``spec.volumeName`` and the
  ``pv.kubernetes.io/bind-completed`` annotation; a claim with only the
  volume name is still unbound) volume ``nodeAffinity`` into node selector terms that
  are ANDed into the pod's required node affinity (terms ORed, expressions
  ANDed: the intersection is the cross product of the terms), so the
  scheduler's own filters place the pod (``checkBoundClaims``); a claim bound
  to a missing volume fails every node (``node(s) unavailable due to one or
  more pvc(s) bound to non-existent pv(s)``);
* for an unbound ``WaitForFirstConsumer`` claim (``findMatchingVolumes`` /
  ``checkVolumeProvisions``): a class with a provisioner can provision on any
  node; with ``kubernetes.io/no-provisioner`` the pod is restricted to the
  nodes some matching Available volume reaches (``node(s) didn't find
  available persistent volumes to bind`` when none does); a claim that already
  carries ``volume.kubernetes.io/selected-node`` (another pod using it was
  placed) restricts the pod to that node (same reason elsewhere); after the pod is
  bound the loop writes ``volume.kubernetes.io/selected-node`` on the claim
  (:meth:`VolumeBinder.select_node`) and the PV controller binds or
  provisions for that node.

When the scheduler then finds no node, :meth:`VolumePlan.failure_message`
attributes the nodes the volume terms excluded to the volume reason
(``node(s) had volume node affinity conflict``), the others to the reasons
the scheduler gives for the pod without them (upstream's filter order puts
NodeAffinity, taints and resources before VolumeBinding).

The informers (claims, volumes, classes) start the first time a pod with a
claim is scheduled: clusters without volumes pay nothing.  Their changes
move parked pods back to the active queue.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from kubekit.controllers.informer import Informer
from kubekit.controllers.persistentvolume_rules import (
    ANN_BIND_COMPLETED, ANN_SELECTED_NODE, NO_PROVISIONER, check_access_modes, check_node_affinity, claim_class, claim_names_of_pod,
    find_matching_volume, volume_class,
)
from kubekit.errors import NotFoundError

__all__ = ["VolumeBinder", "VolumePlan", "uses_claims"]

ERR_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"
ERR_NODE_CONFLICT = "node(s) had volume node affinity conflict"
ERR_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind"
ERR_PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"


def uses_claims(pod: dict) -> bool:
    """The fast-path test: does any volume of the pod name a claim?"""
    for v in (pod.get("spec") or {}).get("volumes") or ():
        if "persistentVolumeClaim" in v:
            return True
    return False


@dataclass
class VolumePlan:
    """What :meth:`VolumeBinder.plan` decided for one pod."""

    pod: dict                                             # the manifest to schedule (volume terms ANDed in)
    error: str | None = None                              # the pod fits no node: the FitError's message
    # (node selector terms, reason) the pod's node must satisfy
    constraints: list[tuple[list[dict], str]] = field(default_factory=list)
    delayed: list[str] = field(default_factory=list)      # WaitForFirstConsumer claims to give the node

    def failure_message(self, explain, nodes: Informer) -> str:
        """kube-scheduler's FitError message when no node fit: per node, the
        scheduler's reasons for the pod without the volume terms
        (``explain``: its :class:`~kubekit.scheduler.results.Explanation`),
        else the first volume constraint it fails."""
        if not explain.nodes:
            return explain.message
        counts: Counter[str] = Counter()
        for n in explain.nodes:
            if not n.feasible:
                for r in n.reasons:
                    counts[r] += 1
                continue
            node = nodes.get(n.node) or {"metadata": {"name": n.node}}
            labels = node["metadata"].get("labels") or {}
            for terms, reason in self.constraints:
                if not check_node_affinity({"spec": {"nodeAffinity": {"required": {"nodeSelectorTerms": terms}}}},
                                           labels, n.node):
                    counts[reason] += 1
                    break
        from kubekit.scheduler.results import fit_error_message

        return fit_error_message(len(explain.nodes), counts)


class VolumeBinder:
    """See the module docstring.  ``on_change`` is called on every claim,
    volume or class change (the loop requeues its unschedulable pods)."""

    def __init__(self, store, on_change: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.on_change = on_change or (lambda _event: None)
        self.claims = Informer(store, "PersistentVolumeClaim")
        self.volumes = Informer(store, "PersistentVolume")
        self.classes = Informer(store, "StorageClass")
        for inf, name in ((self.claims, "PersistentVolumeClaim"), (self.volumes, "PersistentVolume"),
                          (self.classes, "StorageClass")):
            inf.add_handler(lambda _o, n=name: self.on_change(n + "Add"),
                            lambda _o, _n, n=name: self.on_change(n + "Update"), None)
        self.started = False

    def start(self) -> "VolumeBinder":
        if not self.started:
            for inf in (self.classes, self.volumes, self.claims):
                inf.start()
            self.started = True
        return self

    def sync(self) -> int:
        if not self.started:
            return 0
        return self.classes.pump() + self.volumes.pump() + self.claims.pump()

    # -- planning -----------------------------------------------------------------------
    def plan(self, pod: dict, n_nodes: int) -> VolumePlan:
        self.start()
        self.sync()
        ns = pod["metadata"].get("namespace") or "default"
        out = VolumePlan(pod)
        terms_to_and: list[list[dict]] = []
        for name in claim_names_of_pod(pod):
            claim = self.claims.get(f"{ns}/{name}")
            if claim is None:
                return self._prefilter(out, n_nodes, f'persistentvolumeclaim "{name}" not found')
            if claim["metadata"].get("deletionTimestamp"):
                return self._prefilter(out, n_nodes, f'persistentvolumeclaim "{name}" is being deleted')
            volume_name = (claim.get("spec") or {}).get("volumeName")
            if volume_name and ANN_BIND_COMPLETED in (claim["metadata"].get("annotations") or {}):
                # isPVCFullyBound: spec.volumeName and pv.kubernetes.io/bind-completed; a claim with
                # only the volume name is not bound yet (the PV controller has not finished)
                volume = self.volumes.get(volume_name)
                if volume is None:
                    return self._all_nodes(out, n_nodes, ERR_PV_NOT_EXIST)
                terms = ((((volume.get("spec") or {}).get("nodeAffinity") or {}).get("required") or {})
                         .get("nodeSelectorTerms"))
                if terms:
                    terms_to_and.append(list(terms))
                    out.constraints.append((list(terms), ERR_NODE_CONFLICT))
                continue
            class_name = claim_class(claim)
            sc = self.classes.get(class_name) if class_name else None
            if sc is None or sc.get("volumeBindingMode") != "WaitForFirstConsumer":
                return self._prefilter(out, n_nodes, ERR_UNBOUND_IMMEDIATE)
            selected = (claim["metadata"].get("annotations") or {}).get(ANN_SELECTED_NODE)
            if selected is not None:
                # FindPodVolumes: a delayed claim with a selected node fits that node only
                # (unboundVolumesSatisfied = false elsewhere: ErrReasonBindConflict)
                terms = [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [selected]}]}]
                terms_to_and.append(terms)
                out.constraints.append((terms, ERR_BIND_CONFLICT))
            pre = find_matching_volume(claim, self.volumes.list(), delay_binding=True)
            if pre is not None:                          # pre-bound to a volume: that volume's nodes
                terms = (((pre["spec"].get("nodeAffinity") or {}).get("required") or {}).get("nodeSelectorTerms"))
                if terms:
                    terms_to_and.append(list(terms))
                    out.constraints.append((list(terms), ERR_NODE_CONFLICT))
                out.delayed.append(name)
                continue
            if (sc.get("provisioner") or NO_PROVISIONER) != NO_PROVISIONER:
                out.delayed.append(name)                 # can be provisioned wherever the pod goes
                continue
            reach = self._static_reach(claim)
            if reach == []:
                return self._all_nodes(out, n_nodes, ERR_BIND_CONFLICT)
            if reach is not None:
                terms_to_and.append(reach)
                out.constraints.append((reach, ERR_BIND_CONFLICT))
            out.delayed.append(name)
        if terms_to_and:
            out.pod = _with_required_terms(pod, terms_to_and)
        return out

    @staticmethod
    def _prefilter(out: VolumePlan, n_nodes: int, message: str) -> VolumePlan:
        from kubekit.scheduler.results import fit_error_message

        out.error = fit_error_message(n_nodes, {}, message)
        return out

    @staticmethod
    def _all_nodes(out: VolumePlan, n_nodes: int, reason: str) -> VolumePlan:
        from kubekit.scheduler.results import fit_error_message

        out.error = fit_error_message(n_nodes, {reason: n_nodes})
        return out

    def _static_reach(self, claim: dict) -> list[dict] | None:
        """The nodes free static volumes matching ``claim`` reach, as node
        selector terms (ORed); None: some volume reaches every node; []: no
        volume matches."""
        terms: list[dict] = []
        for v in self.volumes.list():
            if (v.get("status") or {}).get("phase") != "Available" or (v.get("spec") or {}).get("claimRef"):
                continue
            if volume_class(v) != claim_class(claim) or not check_access_modes(claim, v):
                continue
            if find_matching_volume(claim, [v]) is None:   # size, volumeMode, selector, deletion
                continue
            required = ((v.get("spec") or {}).get("nodeAffinity") or {}).get("required")
            if not required:
                return None
            terms.extend(required.get("nodeSelectorTerms") or ())
        return terms

    # -- after binding ------------------------------------------------------------------
    def select_node(self, pod: dict, claims: list[str], node: str) -> None:
        """PreBind for delayed claims: ``volume.kubernetes.io/selected-node``
        on each still-unbound claim that has none yet, the PV controller's
        signal to bind or provision for ``node``.  An existing value is kept
        (:meth:`plan` restricted the pod to that node)."""
        ns = pod["metadata"].get("namespace") or "default"

        def put(cur: dict) -> dict | None:
            if (cur.get("spec") or {}).get("volumeName"):
                return None
            ann = cur["metadata"].setdefault("annotations", {})
            if ANN_SELECTED_NODE in ann:
                return None                              # chosen already (by another pod): never moved
            ann[ANN_SELECTED_NODE] = node
            return cur
        for name in claims:
            try:
                self.store.guaranteed_update("PersistentVolumeClaim", ns, name, put)
            except NotFoundError:
                pass


def _with_required_terms(pod: dict, extra: list[list[dict]]) -> dict:
    """A copy of ``pod`` whose required node affinity is ANDed with each
    list of terms in ``extra``."""
    from kubekit.controllers.persistentvolume_rules import intersect_node_selector_terms

    out = dict(pod)
    spec = out["spec"] = dict(pod.get("spec") or {})
    affinity = spec["affinity"] = copy.deepcopy(spec.get("affinity") or {})
    na = affinity.setdefault("nodeAffinity", {})
    current = (na.get(REQUIRED) or {}).get("nodeSelectorTerms")
    for terms in extra:
        current = intersect_node_selector_terms(current, terms)
    na[REQUIRED] = {**(na.get(REQUIRED) or {}), "nodeSelectorTerms": current}
    return out
