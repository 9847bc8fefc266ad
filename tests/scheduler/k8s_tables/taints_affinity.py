"""Kubernetes' own scheduler test tables (taints, node affinity, node name, unschedulable,
normalize-score, FitError messages, feasible-node count, host selection) as plain data.

Data only: no kubekit imports, no logic. Sources, commits and licence are listed in
README-taints-affinity.md next to this file. Every case carries its exact Kubernetes case name
and a "source" of the form "<path in kubernetes/kubernetes>@<commit sha>".

Copyright The Kubernetes Authors. Transcribed from Apache-2.0 licensed test files.

Conventions
-----------
* "pod" / "nodes" are v1 manifests as the Go test builds them. Go nil values are omitted; empty
  Go slices/maps are kept as [] / {} (this matters: NodeAffinity's PreFilter checks
  ``nodeSelector == nil`` and its PreScore checks ``preferredDuringScheduling... == nil``).
  A name the Go test leaves unset is "" (the case's status dict is then keyed by "").
* Status dicts are {"code": <fwk.Code name>, "reasons": [...]}; "reasons" is Status.Reasons(),
  i.e. an attached error (WithError) comes first, and Message() == ", ".join(reasons).
* "args" are plugin args in v1 JSON form (NodeAffinityArgs: {"addedAffinity": {...}}).
* "feature_gates" is present only when the case depends on a non-default gate value.
  TaintTolerationComparisonOperators is alpha, default false, in v1.35.
* Plugin-level tables reproduce the Go test harness, which sometimes calls Filter after PreFilter
  returned Skip or a rejection; those cases carry a "note" saying what a full cycle would do.
* NODE_AFFINITY_FILTER_CASES: "run_prefilter" mirrors the Go field; "expected_prefilter" is
  {"code", "node_names" (sorted list, or None when PreFilterResult is nil = all nodes), "reasons"}.
* NODE_AFFINITY_SCORE_CASES: "run_prescore" mirrors the Go field; "expected_prescore" is a status;
  "expected_scores" is None when the Go test stops after PreScore (Skip or Error).
* NUM_FEASIBLE_NODES_CASES: "percentage" is the effective value (profile if set, else global if
  non-zero, else None = adaptive 50 - N/125 with floor 5); the raw Go fields are kept too
  ("global_percentage" 0 means unset, "profile_percentage" None means unset).
* SELECT_HOST_RESERVOIR_CASES: pre-v1.35 selectHost(list, count): the chosen host must be in
  "possible_hosts" and the returned top-`count` list must equal one of "possible_node_lists".
* SELECT_HOST_SORTED_CASES: v1.35+ sortedNodeScores: popping the heap yields "expected_order"
  (TotalScore desc, then Randomizer desc; a missing "randomizer" is 0).

Skipped Kubernetes cases (and why)
----------------------------------
taint_toleration_test.go@04c0d74f:
  * TestIsSchedulableAfterNodeChange (6 cases: backoff-wrong-new-object, backoff-wrong-old-object,
    skip-queue-on-untoleratedtaint-node-added, queue-on-toleratedtaint-node-added,
    skip-unrelated-change, queue-on-taint-change) and Test_isSchedulableAfterTargetPodTolerationChange
    (queue-on-toleration-added): scheduling-queue hints; kubekit does not model the queue/events.
node_affinity_test.go@17bae91f:
  * Test_isSchedulableAfterNodeChange (10 cases: backoff-wrong-new-object, backoff-wrong-old-object,
    skip-queue-on-add, queue-on-add, skip-unrelated-changes, skip-unrelated-changes-on-labels,
    skip-labels-changes-on-node-from-suitable-to-unsuitable, queue-on-labels-change-makes-pod-schedulable,
    skip-queue-on-add-scheduler-enforced-node-affinity, queue-on-add-scheduler-enforced-node-affinity):
    queueing hints, not modelled.
node_unschedulable_test.go@b574b11f:
  * TestIsSchedulableAfterNodeChange (6 cases): queueing hints, not modelled.
node_name_test.go (newest master, index id 55877085303, after v1.35):
  * TestNodeName_PreFilter ("assigned pod with nodeName set, prefilter restricts to assigned node",
    "unassigned pod without nodeName set, prefilter returns nil"): NodeName has no PreFilter in
    v1.34/v1.35; the PreFilter exists only on post-v1.35 master.
schedule_one_test.go@008b3652:
  * TestSchedulerSchedulePod, TestFindFitAllError, TestFindFitSomeError, TestFindFitPredicateCallCounts,
    TestPreferNominatedNodeFilterCallCounts, TestFindNodesThatPassExtenders, Test_prioritizeNodes:
    built on fake plugins (FalseFilter, MatchFilter, NumericMap, ...) or extenders, or count plugin
    calls; kubekit does not model fake plugins or extenders.
  * TestFairEvaluationForNodes: needs the TrueFilter fake plugin. Its property is plain arithmetic:
    500 nodes, percentageOfNodesToScore 30 -> 150 nodes to find, and after the i-th cycle
    nextStartNodeIndex == ((i + 1) * 150) % 500.
types_test.go@98be7dfc: nothing skipped (all 8 TestFitError_Error cases are below).
"""

# TestTaintTolerationFilter
# 14 cases.
TAINT_FILTER_CASES = [
    {
        "name": "A pod having no tolerations can't be scheduled onto a node with nonempty taints",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pod1"}, "spec": {"tolerations": []}},
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "dedicated", "value": "user1", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "UnschedulableAndUnresolvable", "reasons": ["node(s) had untolerated taint(s)"]}},
    },
    {
        "name": "A pod which can be scheduled on a dedicated node assigned to user1 with effect NoSchedule",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {"tolerations": [{"key": "dedicated", "value": "user1", "effect": "NoSchedule"}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "dedicated", "value": "user1", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "Success", "reasons": []}},
    },
    {
        "name": "A pod which can't be scheduled on a dedicated node assigned to user2 with effect NoSchedule",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "user2", "effect": "NoSchedule"}],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "dedicated", "value": "user1", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "UnschedulableAndUnresolvable", "reasons": ["node(s) had untolerated taint(s)"]}},
    },
    {
        "name": "A pod can be scheduled onto the node, with a toleration uses operator Exists that tolerates the taints on the node",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {"tolerations": [{"key": "foo", "operator": "Exists", "effect": "NoSchedule"}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "foo", "value": "bar", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "Success", "reasons": []}},
    },
    {
        "name": "A pod has multiple tolerations, node has multiple taints, all the taints are tolerated, pod can be scheduled onto the node",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {"key": "dedicated", "operator": "Equal", "value": "user2", "effect": "NoSchedule"},
                    {"key": "foo", "operator": "Exists", "effect": "NoSchedule"},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {
                    "taints": [
                        {"key": "dedicated", "value": "user2", "effect": "NoSchedule"},
                        {"key": "foo", "value": "bar", "effect": "NoSchedule"},
                    ],
                },
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "Success", "reasons": []}},
    },
    {
        "name": "A pod has a toleration that keys and values match the taint on the node, but (non-empty) effect doesn't match, can't be scheduled onto the node",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [{"key": "foo", "operator": "Equal", "value": "bar", "effect": "PreferNoSchedule"}],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "foo", "value": "bar", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "UnschedulableAndUnresolvable", "reasons": ["node(s) had untolerated taint(s)"]}},
    },
    {
        "name": "The pod has a toleration that keys and values match the taint on the node, the effect of toleration is empty, and the effect of taint is NoSchedule. Pod can be scheduled onto the node",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {"tolerations": [{"key": "foo", "operator": "Equal", "value": "bar"}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "foo", "value": "bar", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "Success", "reasons": []}},
    },
    {
        "name": "The pod has a toleration that key and value don't match the taint on the node, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "user2", "effect": "NoSchedule"}],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "dedicated", "value": "user1", "effect": "PreferNoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "Success", "reasons": []}},
    },
    {
        "name": "The pod has no toleration, but the effect of taint on node is PreferNoSchedule. Pod can be scheduled onto the node",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pod1"}, "spec": {"tolerations": []}},
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "dedicated", "value": "user1", "effect": "PreferNoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Pod with Gt toleration cannot be scheduled on node when taint value is lower than threshold",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {
                        "key": "node.example.com/priority-level",
                        "operator": "Gt",
                        "value": "950",
                        "effect": "NoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {
                    "taints": [{"key": "node.example.com/priority-level", "value": "800", "effect": "NoSchedule"}],
                },
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "UnschedulableAndUnresolvable", "reasons": ["node(s) had untolerated taint(s)"]}},
        "feature_gates": {"TaintTolerationComparisonOperators": True},
    },
    {
        "name": "Pod with Gt toleration can be scheduled on node when taint value is higher than threshold",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/sla",
                        "operator": "Gt",
                        "value": "750",
                        "effect": "NoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "node.kubernetes.io/sla", "value": "950", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "Success", "reasons": []}},
        "feature_gates": {"TaintTolerationComparisonOperators": True},
    },
    {
        "name": "Pod with Lt toleration cannot be scheduled on node when taint value is higher than threshold",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {
                        "key": "node.example.com/priority-level",
                        "operator": "Lt",
                        "value": "800",
                        "effect": "NoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {
                    "taints": [{"key": "node.example.com/priority-level", "value": "950", "effect": "NoSchedule"}],
                },
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "UnschedulableAndUnresolvable", "reasons": ["node(s) had untolerated taint(s)"]}},
        "feature_gates": {"TaintTolerationComparisonOperators": True},
    },
    {
        "name": "Pod with Lt toleration can be scheduled on node when taint value is lower than threshold",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/sla",
                        "operator": "Lt",
                        "value": "950",
                        "effect": "NoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "node.kubernetes.io/sla", "value": "800", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "Success", "reasons": []}},
        "feature_gates": {"TaintTolerationComparisonOperators": True},
    },
    {
        "name": "Pod with Gt toleration cannot be scheduled on node with non-numeric taint value",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/sla",
                        "operator": "Gt",
                        "value": "950",
                        "effect": "NoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "node.kubernetes.io/sla", "value": "high", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {
            "nodeA": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": [
                    "failed to parse taint value \"high\" as int64: must be a valid decimal integer in canonical form",
                ],
            },
        },
        "feature_gates": {"TaintTolerationComparisonOperators": True},
        "note": "Go expects NewStatus(UnschedulableAndUnresolvable).WithError(err); the test compares Code() and Message() only, and Message() is the error text. This is post-v1.35 master behaviour: the v1.35 Filter returns the generic 'node(s) had untolerated taint(s)' for every untolerated taint.",
    },
]

# TestTaintTolerationFilterWithFeatureGate
# 6 cases.
TAINT_FILTER_FEATURE_GATE_CASES = [
    {
        "name": "Pod with Gt toleration can be scheduled when feature gate is enabled and taint value is higher",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/sla",
                        "operator": "Gt",
                        "value": "750",
                        "effect": "NoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "node.kubernetes.io/sla", "value": "950", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "Success", "reasons": []}},
        "feature_gates": {"TaintTolerationComparisonOperators": True},
    },
    {
        "name": "Pod with Gt toleration cannot be scheduled when feature gate is disabled",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/sla",
                        "operator": "Gt",
                        "value": "750",
                        "effect": "NoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "node.kubernetes.io/sla", "value": "950", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "UnschedulableAndUnresolvable", "reasons": ["node(s) had untolerated taint(s)"]}},
        "feature_gates": {"TaintTolerationComparisonOperators": False},
    },
    {
        "name": "Pod with Lt toleration can be scheduled when feature gate is enabled and taint value is lower",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/sla",
                        "operator": "Lt",
                        "value": "950",
                        "effect": "NoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "node.kubernetes.io/sla", "value": "800", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "Success", "reasons": []}},
        "feature_gates": {"TaintTolerationComparisonOperators": True},
    },
    {
        "name": "Pod with Lt toleration cannot be scheduled when feature gate is disabled",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/sla",
                        "operator": "Lt",
                        "value": "950",
                        "effect": "NoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "node.kubernetes.io/sla", "value": "800", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "UnschedulableAndUnresolvable", "reasons": ["node(s) had untolerated taint(s)"]}},
        "feature_gates": {"TaintTolerationComparisonOperators": False},
    },
    {
        "name": "Pod with mixed tolerations (Equal and Gt) when feature gate is disabled - only Equal is honored",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {"key": "dedicated", "operator": "Equal", "value": "user1", "effect": "NoSchedule"},
                    {
                        "key": "node.kubernetes.io/sla",
                        "operator": "Gt",
                        "value": "750",
                        "effect": "NoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "dedicated", "value": "user1", "effect": "NoSchedule"}]},
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "Success", "reasons": []}},
        "feature_gates": {"TaintTolerationComparisonOperators": False},
    },
    {
        "name": "Pod with mixed tolerations, Gt toleration needed but filtered out when feature gate is disabled",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {"key": "dedicated", "operator": "Equal", "value": "user1", "effect": "NoSchedule"},
                    {
                        "key": "node.kubernetes.io/sla",
                        "operator": "Gt",
                        "value": "750",
                        "effect": "NoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {
                    "taints": [
                        {"key": "dedicated", "value": "user1", "effect": "NoSchedule"},
                        {"key": "node.kubernetes.io/sla", "value": "950", "effect": "NoSchedule"},
                    ],
                },
            },
        ],
        "args": {},
        "expected_status": {"nodeA": {"code": "UnschedulableAndUnresolvable", "reasons": ["node(s) had untolerated taint(s)"]}},
        "feature_gates": {"TaintTolerationComparisonOperators": False},
    },
]

# TestTaintTolerationScore (PreScore + Score + NormalizeScore)
# 8 cases.
TAINT_SCORE_CASES = [
    {
        "name": "node with taints tolerated by the pod, gets a higher score than those node with intolerable taints",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [{"key": "foo", "operator": "Equal", "value": "bar", "effect": "PreferNoSchedule"}],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {"taints": [{"key": "foo", "value": "bar", "effect": "PreferNoSchedule"}]},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeB"},
                "spec": {"taints": [{"key": "foo", "value": "blah", "effect": "PreferNoSchedule"}]},
            },
        ],
        "args": {},
        "expected_scores": {"nodeA": 100, "nodeB": 0},
    },
    {
        "name": "the nodes that all of their taints are tolerated by the pod, get the same score, no matter how many tolerable taints a node has",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {"key": "cpu-type", "operator": "Equal", "value": "arm64", "effect": "PreferNoSchedule"},
                    {"key": "disk-type", "operator": "Equal", "value": "ssd", "effect": "PreferNoSchedule"},
                ],
            },
        },
        "nodes": [
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "nodeA"}, "spec": {"taints": []}},
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeB"},
                "spec": {"taints": [{"key": "cpu-type", "value": "arm64", "effect": "PreferNoSchedule"}]},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeC"},
                "spec": {
                    "taints": [
                        {"key": "cpu-type", "value": "arm64", "effect": "PreferNoSchedule"},
                        {"key": "disk-type", "value": "ssd", "effect": "PreferNoSchedule"},
                    ],
                },
            },
        ],
        "args": {},
        "expected_scores": {"nodeA": 100, "nodeB": 100, "nodeC": 100},
    },
    {
        "name": "the more intolerable taints a node has, the lower score it gets.",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [{"key": "foo", "operator": "Equal", "value": "bar", "effect": "PreferNoSchedule"}],
            },
        },
        "nodes": [
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "nodeA"}, "spec": {"taints": []}},
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeB"},
                "spec": {"taints": [{"key": "cpu-type", "value": "arm64", "effect": "PreferNoSchedule"}]},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeC"},
                "spec": {
                    "taints": [
                        {"key": "cpu-type", "value": "arm64", "effect": "PreferNoSchedule"},
                        {"key": "disk-type", "value": "ssd", "effect": "PreferNoSchedule"},
                    ],
                },
            },
        ],
        "args": {},
        "expected_scores": {"nodeA": 100, "nodeB": 50, "nodeC": 0},
    },
    {
        "name": "only taints and tolerations that have effect PreferNoSchedule are checked by taints-tolerations priority function",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {"key": "cpu-type", "operator": "Equal", "value": "arm64", "effect": "NoSchedule"},
                    {"key": "disk-type", "operator": "Equal", "value": "ssd", "effect": "NoSchedule"},
                ],
            },
        },
        "nodes": [
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "nodeA"}, "spec": {"taints": []}},
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeB"},
                "spec": {"taints": [{"key": "cpu-type", "value": "arm64", "effect": "NoSchedule"}]},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeC"},
                "spec": {
                    "taints": [
                        {"key": "cpu-type", "value": "arm64", "effect": "PreferNoSchedule"},
                        {"key": "disk-type", "value": "ssd", "effect": "PreferNoSchedule"},
                    ],
                },
            },
        ],
        "args": {},
        "expected_scores": {"nodeA": 100, "nodeB": 100, "nodeC": 0},
    },
    {
        "name": "Default behaviour No taints and tolerations, lands on node with no taints",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pod1"}, "spec": {"tolerations": []}},
        "nodes": [
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "nodeA"}, "spec": {"taints": []}},
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeB"},
                "spec": {"taints": [{"key": "cpu-type", "value": "arm64", "effect": "PreferNoSchedule"}]},
            },
        ],
        "args": {},
        "expected_scores": {"nodeA": 100, "nodeB": 0},
    },
    {
        "name": "Numeric Gt operator: pod with Gt toleration prefers nodes with matching SLA taint",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/sla",
                        "operator": "Gt",
                        "value": "950",
                        "effect": "PreferNoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {
                    "taints": [{"key": "node.kubernetes.io/sla", "value": "800", "effect": "PreferNoSchedule"}],
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeB"},
                "spec": {
                    "taints": [{"key": "node.kubernetes.io/sla", "value": "999", "effect": "PreferNoSchedule"}],
                },
            },
        ],
        "args": {},
        "expected_scores": {"nodeA": 0, "nodeB": 100},
        "feature_gates": {"TaintTolerationComparisonOperators": True},
    },
    {
        "name": "Numeric Lt operator: pod with Lt toleration prefers nodes with matching SLA taint",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/sla",
                        "operator": "Lt",
                        "value": "800",
                        "effect": "PreferNoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeA"},
                "spec": {
                    "taints": [{"key": "node.kubernetes.io/sla", "value": "950", "effect": "PreferNoSchedule"}],
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeB"},
                "spec": {
                    "taints": [{"key": "node.kubernetes.io/sla", "value": "700", "effect": "PreferNoSchedule"}],
                },
            },
        ],
        "args": {},
        "expected_scores": {"nodeA": 0, "nodeB": 100},
        "feature_gates": {"TaintTolerationComparisonOperators": True},
    },
    {
        "name": "Score ignores parse errors from numeric PreferNoSchedule taint value",
        "source": "pkg/scheduler/framework/plugins/tainttoleration/taint_toleration_test.go@04c0d74f8e8bf18e93a9d8d082b218d3eb4c6395",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod1"},
            "spec": {
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/sla",
                        "operator": "Gt",
                        "value": "950",
                        "effect": "PreferNoSchedule",
                    },
                ],
            },
        },
        "nodes": [
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "nodeA"}, "spec": {}},
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "nodeB"},
                "spec": {
                    "taints": [{"key": "node.kubernetes.io/sla", "value": "high", "effect": "PreferNoSchedule"}],
                },
            },
        ],
        "args": {},
        "expected_scores": {"nodeA": 100, "nodeB": 0},
        "feature_gates": {"TaintTolerationComparisonOperators": True},
    },
]

# TestNodeAffinity (PreFilter + Filter)
# 31 cases.
NODE_AFFINITY_FILTER_CASES = [
    {
        "name": "missing labels",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {"nodeSelector": {"foo": "bar"}},
        },
        "nodes": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": ""}, "spec": {}}],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {
            "": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match Pod's node affinity/selector"],
            },
        },
    },
    {
        "name": "same labels",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {"nodeSelector": {"foo": "bar"}},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
    {
        "name": "node labels are superset",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {"nodeSelector": {"foo": "bar"}},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "bar", "baz": "blah"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
    {
        "name": "node labels are subset",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {"nodeSelector": {"foo": "bar", "baz": "blah"}},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {
            "": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match Pod's node affinity/selector"],
            },
        },
    },
    {
        "name": "Pod with matchExpressions using In operator that matches the existing node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [{"key": "foo", "operator": "In", "values": ["bar", "value2"]}],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Pod with matchExpressions using Gt operator that matches the existing node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [{"key": "kernel-version", "operator": "Gt", "values": ["0204"]}],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"kernel-version": "0206"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Pod with matchExpressions using NotIn operator that matches the existing node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [{"key": "mem-type", "operator": "NotIn", "values": ["DDR", "DDR2"]}],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"mem-type": "DDR3"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Pod with matchExpressions using Exists operator that matches the existing node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [{"matchExpressions": [{"key": "GPU", "operator": "Exists"}]}],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"GPU": "NVIDIA-GRID-K1"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Pod with affinity that don't match node's labels won't schedule onto the node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [{"key": "foo", "operator": "In", "values": ["value1", "value2"]}],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {
            "": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match Pod's node affinity/selector"],
            },
        },
    },
    {
        "name": "Pod with empty MatchExpressions is not a valid value will match no objects and won't schedule onto the node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": []}]},
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {
            "": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match Pod's node affinity/selector"],
            },
        },
    },
    {
        "name": "Pod with no Affinity will schedule onto a node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": ""}, "spec": {}},
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Skip", "node_names": None, "reasons": []},
        "expected_status": {"": {"code": "Success", "reasons": []}},
        "note": "PreFilter returns Skip; the Go test still calls Filter (no PreFilter state, fallback path) and expects success. In a real cycle the Filter would be skipped altogether.",
    },
    {
        "name": "Pod with Affinity but nil NodeSelector will schedule onto a node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {"affinity": {"nodeAffinity": {}}},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Skip", "node_names": None, "reasons": []},
        "expected_status": {"": {"code": "Success", "reasons": []}},
        "note": "requiredDuringSchedulingIgnoredDuringExecution is nil (absent), so PreFilter returns Skip.",
    },
    {
        "name": "Pod with multiple matchExpressions ANDed that matches the existing node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [
                                        {"key": "GPU", "operator": "Exists"},
                                        {"key": "GPU", "operator": "NotIn", "values": ["AMD", "INTER"]},
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"GPU": "NVIDIA-GRID-K1"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Pod with multiple matchExpressions ANDed that doesn't match the existing node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [
                                        {"key": "GPU", "operator": "Exists"},
                                        {"key": "GPU", "operator": "In", "values": ["AMD", "INTER"]},
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"GPU": "NVIDIA-GRID-K1"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {
            "": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match Pod's node affinity/selector"],
            },
        },
    },
    {
        "name": "Pod with multiple NodeSelectorTerms ORed in affinity, matches the node's labels and will schedule onto the node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [{"key": "foo", "operator": "In", "values": ["bar", "value2"]}],
                                },
                                {
                                    "matchExpressions": [{"key": "diffkey", "operator": "In", "values": ["wrong", "value2"]}],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Pod with an Affinity and a PodSpec.NodeSelector(the old thing that we are deprecating) both are satisfied, will schedule onto the node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "nodeSelector": {"foo": "bar"},
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [{"matchExpressions": [{"key": "foo", "operator": "Exists"}]}],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Pod with an Affinity matches node's labels but the PodSpec.NodeSelector(the old thing that we are deprecating) is not satisfied, won't schedule onto the node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "nodeSelector": {"foo": "bar"},
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [{"matchExpressions": [{"key": "foo", "operator": "Exists"}]}],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "barrrrrr"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {
            "": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match Pod's node affinity/selector"],
            },
        },
    },
    {
        "name": "Pod with an invalid value in Affinity term won't be scheduled onto the node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [
                                        {
                                            "key": "foo",
                                            "operator": "NotIn",
                                            "values": ["invalid value: ___@#$%^"],
                                        },
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {
            "": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match Pod's node affinity/selector"],
            },
        },
        "note": "The value is not a valid label value, so the requirement fails to parse; Filter ignores the parse error and the term simply does not match (even though NotIn would otherwise match).",
    },
    {
        "name": "Pod with matchFields using In operator that matches the existing node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node1"]}],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node1"}, "spec": {}}],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": ["node1"], "reasons": []},
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Pod with matchFields using In operator that does not match the existing node",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node1"]}],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node2"}, "spec": {}}],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": ["node1"], "reasons": []},
        "expected_status": {
            "node2": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match Pod's node affinity/selector"],
            },
        },
        "note": "Plugin-level test: Filter is called on node2 although PreFilterResult is {node1}. In a full cycle node2 is never filtered; it gets the absent-node status \"node(s) didn't satisfy plugin(s) [NodeAffinity]\" (UnschedulableAndUnresolvable).",
    },
    {
        "name": "Pod with two terms: matchFields does not match, but matchExpressions matches",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchFields": [
                                        {"key": "metadata.name", "operator": "In", "values": ["node1"]},
                                        {"key": "metadata.name", "operator": "In", "values": ["node2"]},
                                    ],
                                },
                                {"matchExpressions": [{"key": "foo", "operator": "In", "values": ["bar"]}]},
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {"node2": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Pod with one term: matchFields does not match, but matchExpressions matches",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [{"key": "foo", "operator": "In", "values": ["bar"]}],
                                    "matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node1"]}],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": ["node1"], "reasons": []},
        "expected_status": {
            "node2": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match Pod's node affinity/selector"],
            },
        },
    },
    {
        "name": "Pod with one term: both matchFields and matchExpressions match",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [{"key": "foo", "operator": "In", "values": ["bar"]}],
                                    "matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node1"]}],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": ["node1"], "reasons": []},
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Pod with two terms: both matchFields and matchExpressions do not match",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node1"]}],
                                },
                                {
                                    "matchExpressions": [{"key": "foo", "operator": "In", "values": ["not-match-to-bar"]}],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {
            "node2": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match Pod's node affinity/selector"],
            },
        },
    },
    {
        "name": "Pod with two terms of node.Name affinity",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node1"]}],
                                },
                                {
                                    "matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node2"]}],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node2"}, "spec": {}}],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": ["node1", "node2"], "reasons": []},
        "expected_status": {"node2": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Pod with two conflicting mach field requirements",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchFields": [
                                        {"key": "metadata.name", "operator": "In", "values": ["node1"]},
                                        {"key": "metadata.name", "operator": "In", "values": ["node2"]},
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": True,
        "expected_prefilter": {
            "code": "UnschedulableAndUnresolvable",
            "node_names": None,
            "reasons": ["pod affinity terms conflict"],
        },
        "expected_status": {
            "node2": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match Pod's node affinity/selector"],
            },
        },
        "note": "PreFilter rejects with 'pod affinity terms conflict'; the Go test still calls Filter, which returns ErrReasonPod. In a full cycle the PreFilter rejection ends the cycle (FitError with PreFilterMsg 'pod affinity terms conflict').",
    },
    {
        "name": "Matches added affinity and Pod's node affinity",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["foo"]}]}],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"zone": "foo"}},
                "spec": {},
            },
        ],
        "args": {
            "addedAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node2"]}]}],
                },
            },
        },
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {"node2": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Matches added affinity but not Pod's node affinity",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["bar"]}]}],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"zone": "foo"}},
                "spec": {},
            },
        ],
        "args": {
            "addedAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node2"]}]}],
                },
            },
        },
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {
            "node2": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match Pod's node affinity/selector"],
            },
        },
    },
    {
        "name": "Doesn't match added affinity",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": ""}, "spec": {}},
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"zone": "foo"}},
                "spec": {},
            },
        ],
        "args": {
            "addedAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["bar"]}]}],
                },
            },
        },
        "run_prefilter": True,
        "expected_prefilter": {"code": "Success", "node_names": None, "reasons": []},
        "expected_status": {
            "node2": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match scheduler-enforced node affinity"],
            },
        },
        "note": "addedAffinity is set, so PreFilter does not Skip even though the pod has no affinity/selector.",
    },
    {
        "name": "Matches node selector correctly even if PreFilter is not called",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {"nodeSelector": {"foo": "bar"}},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"foo": "bar", "baz": "blah"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": False,
        "expected_prefilter": None,
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Matches node affinity correctly even if PreFilter is not called",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [
                                {
                                    "matchExpressions": [
                                        {"key": "GPU", "operator": "Exists"},
                                        {"key": "GPU", "operator": "NotIn", "values": ["AMD", "INTER"]},
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "", "labels": {"GPU": "NVIDIA-GRID-K1"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prefilter": False,
        "expected_prefilter": None,
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
]

# TestNodeAffinityPriority (PreScore + Score + NormalizeScore)
# 9 cases.
NODE_AFFINITY_SCORE_CASES = [
    {
        "name": "all nodes are same priority as NodeAffinity is nil",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "", "annotations": {}}, "spec": {}},
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1", "labels": {"foo": "bar"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"key": "value"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node3", "labels": {"az": "az1"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prescore": False,
        "expected_prescore": None,
        "expected_scores": {"node1": 0, "node2": 0, "node3": 0},
        "note": "PreScore is not run; Score falls back to computing preferred terms itself (none) -> all 0.",
    },
    {
        "name": "Skip is returned in PreScore when NodeAffinity is nil",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "", "annotations": {}}, "spec": {}},
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prescore": True,
        "expected_prescore": {"code": "Skip", "reasons": []},
        "expected_scores": None,
        "note": "PreScore returns Skip; the Go test stops there (no Score/NormalizeScore).",
    },
    {
        "name": "PreScore returns error when an incoming Pod has a broken affinity",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "", "annotations": {}},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            {
                                "weight": 2,
                                "preference": {
                                    "matchExpressions": [{"key": "invalid key", "operator": "In", "values": ["bar"]}],
                                },
                            },
                        ],
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1", "labels": {"foo": "bar"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prescore": True,
        "expected_prescore": {
            "code": "Error",
            "reasons": [
                "[0].matchExpressions[0].key: Invalid value: \"invalid key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            ],
        },
        "expected_scores": None,
        "note": "Go compares code and message. The message is apimachinery's label-key validation text (note the double spaces after the commas); the Go test then returns without scoring.",
    },
    {
        "name": "no node matches preferred scheduling requirements in NodeAffinity of pod so all nodes' priority is zero",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            {
                                "weight": 2,
                                "preference": {"matchExpressions": [{"key": "foo", "operator": "In", "values": ["bar"]}]},
                            },
                        ],
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1", "labels": {"abc": "az11", "def": "az22"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"key": "value"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node3", "labels": {"az": "az1"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prescore": True,
        "expected_prescore": {"code": "Success", "reasons": []},
        "expected_scores": {"node1": 0, "node2": 0, "node3": 0},
    },
    {
        "name": "only node1 matches the preferred scheduling requirements of pod",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            {
                                "weight": 2,
                                "preference": {"matchExpressions": [{"key": "foo", "operator": "In", "values": ["bar"]}]},
                            },
                        ],
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1", "labels": {"foo": "bar"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"key": "value"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node3", "labels": {"az": "az1"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prescore": True,
        "expected_prescore": {"code": "Success", "reasons": []},
        "expected_scores": {"node1": 100, "node2": 0, "node3": 0},
    },
    {
        "name": "all nodes matches the preferred scheduling requirements of pod but with different priorities ",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            {
                                "weight": 2,
                                "preference": {"matchExpressions": [{"key": "foo", "operator": "In", "values": ["bar"]}]},
                            },
                            {
                                "weight": 4,
                                "preference": {
                                    "matchExpressions": [{"key": "key", "operator": "In", "values": ["value"]}],
                                },
                            },
                            {
                                "weight": 5,
                                "preference": {
                                    "matchExpressions": [
                                        {"key": "foo", "operator": "In", "values": ["bar"]},
                                        {"key": "key", "operator": "In", "values": ["value"]},
                                        {"key": "az", "operator": "In", "values": ["az1"]},
                                    ],
                                },
                            },
                        ],
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1", "labels": {"foo": "bar"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node5", "labels": {"foo": "bar", "key": "value", "az": "az1"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"key": "value"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prescore": True,
        "expected_prescore": {"code": "Success", "reasons": []},
        "expected_scores": {"node1": 18, "node5": 100, "node2": 36},
        "note": "Raw sums 2, 11, 4 -> DefaultNormalizeScore(100, false): 200//11=18, 100, 400//11=36. The trailing space in the name is part of the Kubernetes case name.",
    },
    {
        "name": "added affinity",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": ""}, "spec": {}},
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1", "labels": {"foo": "bar"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"key": "value"}},
                "spec": {},
            },
        ],
        "args": {
            "addedAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 2,
                        "preference": {"matchExpressions": [{"key": "foo", "operator": "In", "values": ["bar"]}]},
                    },
                ],
            },
        },
        "run_prescore": True,
        "expected_prescore": {"code": "Success", "reasons": []},
        "expected_scores": {"node1": 100, "node2": 0},
        "note": "Pod has no affinity; PreScore does not Skip because addedAffinity has preferred terms.",
    },
    {
        "name": "added affinity and pod has default affinity",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            {
                                "weight": 2,
                                "preference": {"matchExpressions": [{"key": "foo", "operator": "In", "values": ["bar"]}]},
                            },
                        ],
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1", "labels": {"foo": "bar"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"key": "value"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node3", "labels": {"foo": "bar", "key": "value", "az": "az1"}},
                "spec": {},
            },
        ],
        "args": {
            "addedAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 3,
                        "preference": {"matchExpressions": [{"key": "key", "operator": "In", "values": ["value"]}]},
                    },
                ],
            },
        },
        "run_prescore": True,
        "expected_prescore": {"code": "Success", "reasons": []},
        "expected_scores": {"node1": 40, "node2": 60, "node3": 100},
        "note": "Raw: node1 2 (pod), node2 3 (added), node3 2+3=5 -> 40, 60, 100.",
    },
    {
        "name": "calculate the priorities correctly even if PreScore is not called",
        "source": "pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go@17bae91f207a5f2b101e581c90f7a72fc9adef96",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {
                "affinity": {
                    "nodeAffinity": {
                        "preferredDuringSchedulingIgnoredDuringExecution": [
                            {
                                "weight": 2,
                                "preference": {"matchExpressions": [{"key": "foo", "operator": "In", "values": ["bar"]}]},
                            },
                            {
                                "weight": 4,
                                "preference": {
                                    "matchExpressions": [{"key": "key", "operator": "In", "values": ["value"]}],
                                },
                            },
                            {
                                "weight": 5,
                                "preference": {
                                    "matchExpressions": [
                                        {"key": "foo", "operator": "In", "values": ["bar"]},
                                        {"key": "key", "operator": "In", "values": ["value"]},
                                        {"key": "az", "operator": "In", "values": ["az1"]},
                                    ],
                                },
                            },
                        ],
                    },
                },
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1", "labels": {"foo": "bar"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node5", "labels": {"foo": "bar", "key": "value", "az": "az1"}},
                "spec": {},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2", "labels": {"key": "value"}},
                "spec": {},
            },
        ],
        "args": {},
        "run_prescore": True,
        "expected_prescore": {"code": "Success", "reasons": []},
        "expected_scores": {"node1": 18, "node5": 100, "node2": 36},
        "note": "Despite the name, the Go table sets runPreScore: true for this case.",
    },
]

# TestNodeUnschedulable
# 3 cases.
NODE_UNSCHEDULABLE_CASES = [
    {
        "name": "Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)",
        "source": "pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable_test.go@b574b11f6b28f06e17333bb110e9374db3259bad",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": ""}, "spec": {}},
        "nodes": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": ""}, "spec": {"unschedulable": True}}],
        "args": {},
        "expected_status": {"": {"code": "UnschedulableAndUnresolvable", "reasons": ["node(s) were unschedulable"]}},
    },
    {
        "name": "Schedule pod to normal node",
        "source": "pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable_test.go@b574b11f6b28f06e17333bb110e9374db3259bad",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": ""}, "spec": {}},
        "nodes": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": ""}, "spec": {"unschedulable": False}}],
        "args": {},
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
    {
        "name": "Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)",
        "source": "pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable_test.go@b574b11f6b28f06e17333bb110e9374db3259bad",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": ""},
            "spec": {"tolerations": [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]},
        },
        "nodes": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": ""}, "spec": {"unschedulable": True}}],
        "args": {},
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
]

# TestNodeName (Filter)
# 3 cases.
NODE_NAME_CASES = [
    {
        "name": "no host specified",
        "source": "pkg/scheduler/framework/plugins/nodename/node_name_test.go@96a58e4b8a59fab0b3735b1ae0cf92eeab6fc49c",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": ""}, "spec": {}},
        "nodes": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": ""}, "spec": {}}],
        "args": {},
        "expected_status": {"": {"code": "Success", "reasons": []}},
    },
    {
        "name": "host matches",
        "source": "pkg/scheduler/framework/plugins/nodename/node_name_test.go@96a58e4b8a59fab0b3735b1ae0cf92eeab6fc49c",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": ""}, "spec": {"nodeName": "foo"}},
        "nodes": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "foo"}, "spec": {}}],
        "args": {},
        "expected_status": {"foo": {"code": "Success", "reasons": []}},
    },
    {
        "name": "host doesn't match",
        "source": "pkg/scheduler/framework/plugins/nodename/node_name_test.go@96a58e4b8a59fab0b3735b1ae0cf92eeab6fc49c",
        "pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": ""}, "spec": {"nodeName": "bar"}},
        "nodes": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "foo"}, "spec": {}}],
        "args": {},
        "expected_status": {
            "foo": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["node(s) didn't match the requested node name"],
            },
        },
    },
]

# TestDefaultNormalizeScore
# 9 cases.
NORMALIZE_SCORE_CASES = [
    {
        "name": "case_0",
        "source": "pkg/scheduler/framework/plugins/helper/normalize_score_test.go@3ef6ef3cfbd27321db8aac529077c7ef016f82c2",
        "scores": [1, 2, 3, 4],
        "max": 100,
        "reverse": False,
        "expected": [25, 50, 75, 100],
    },
    {
        "name": "case_1",
        "source": "pkg/scheduler/framework/plugins/helper/normalize_score_test.go@3ef6ef3cfbd27321db8aac529077c7ef016f82c2",
        "scores": [1, 2, 3, 4],
        "max": 100,
        "reverse": True,
        "expected": [75, 50, 25, 0],
    },
    {
        "name": "case_2",
        "source": "pkg/scheduler/framework/plugins/helper/normalize_score_test.go@3ef6ef3cfbd27321db8aac529077c7ef016f82c2",
        "scores": [1000, 10, 20, 30],
        "max": 100,
        "reverse": False,
        "expected": [100, 1, 2, 3],
    },
    {
        "name": "case_3",
        "source": "pkg/scheduler/framework/plugins/helper/normalize_score_test.go@3ef6ef3cfbd27321db8aac529077c7ef016f82c2",
        "scores": [1000, 10, 20, 30],
        "max": 100,
        "reverse": True,
        "expected": [0, 99, 98, 97],
    },
    {
        "name": "case_4",
        "source": "pkg/scheduler/framework/plugins/helper/normalize_score_test.go@3ef6ef3cfbd27321db8aac529077c7ef016f82c2",
        "scores": [1, 1, 1, 1],
        "max": 100,
        "reverse": False,
        "expected": [100, 100, 100, 100],
    },
    {
        "name": "case_5",
        "source": "pkg/scheduler/framework/plugins/helper/normalize_score_test.go@3ef6ef3cfbd27321db8aac529077c7ef016f82c2",
        "scores": [1000, 1, 1, 1],
        "max": 100,
        "reverse": False,
        "expected": [100, 0, 0, 0],
    },
    {
        "name": "case_6",
        "source": "pkg/scheduler/framework/plugins/helper/normalize_score_test.go@3ef6ef3cfbd27321db8aac529077c7ef016f82c2",
        "scores": [0, 1, 1, 1],
        "max": 100,
        "reverse": True,
        "expected": [100, 0, 0, 0],
    },
    {
        "name": "case_7",
        "source": "pkg/scheduler/framework/plugins/helper/normalize_score_test.go@3ef6ef3cfbd27321db8aac529077c7ef016f82c2",
        "scores": [0, 0, 0, 0],
        "max": 100,
        "reverse": False,
        "expected": [0, 0, 0, 0],
    },
    {
        "name": "case_8",
        "source": "pkg/scheduler/framework/plugins/helper/normalize_score_test.go@3ef6ef3cfbd27321db8aac529077c7ef016f82c2",
        "scores": [0, 0, 0, 0],
        "max": 100,
        "reverse": True,
        "expected": [100, 100, 100, 100],
    },
]

# TestFitError_Error, pure histogram cases (no PreFilter/PostFilter message)
# 4 cases.
FIT_ERROR_MESSAGE_CASES = [
    {
        "name": "nodes failed one Filter plugin with an empty PostFilterMsg",
        "source": "pkg/scheduler/framework/types_test.go@98be7dfc5da8533f62c063206c5751e884d6294d",
        "num_all_nodes": 3,
        "node_reasons": {
            "node1": ["Node(s) failed Filter plugin FalseFilter-1"],
            "node2": ["Node(s) failed Filter plugin FalseFilter-1"],
            "node3": ["Node(s) failed Filter plugin FalseFilter-1"],
        },
        "expected": "0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1.",
    },
    {
        "name": "nodes failed two Filter plugins with an empty PostFilterMsg",
        "source": "pkg/scheduler/framework/types_test.go@98be7dfc5da8533f62c063206c5751e884d6294d",
        "num_all_nodes": 3,
        "node_reasons": {
            "node1": ["Node(s) failed Filter plugin FalseFilter-1"],
            "node2": ["Node(s) failed Filter plugin FalseFilter-1"],
            "node3": ["Node(s) failed Filter plugin FalseFilter-2"],
        },
        "expected": "0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, 2 Node(s) failed Filter plugin FalseFilter-1.",
    },
    {
        "name": "failed to Permit on node",
        "source": "pkg/scheduler/framework/types_test.go@98be7dfc5da8533f62c063206c5751e884d6294d",
        "num_all_nodes": 1,
        "node_reasons": {"node1": ["Node failed Permit plugin Permit-1"]},
        "expected": "0/1 nodes are available: 1 Node failed Permit plugin Permit-1.",
    },
    {
        "name": "failed to Reserve on node",
        "source": "pkg/scheduler/framework/types_test.go@98be7dfc5da8533f62c063206c5751e884d6294d",
        "num_all_nodes": 1,
        "node_reasons": {"node1": ["Node failed Reserve plugin Reserve-1"]},
        "expected": "0/1 nodes are available: 1 Node failed Reserve plugin Reserve-1.",
    },
]

# TestFitError_Error, cases with a PreFilter and/or PostFilter message
# 4 cases.
FIT_ERROR_MESSAGE_EXTENDED_CASES = [
    {
        "name": "nodes failed Prefilter plugin",
        "source": "pkg/scheduler/framework/types_test.go@98be7dfc5da8533f62c063206c5751e884d6294d",
        "num_all_nodes": 3,
        "node_reasons": {
            "node1": ["Node(s) failed PreFilter plugin FalsePreFilter"],
            "node2": ["Node(s) failed PreFilter plugin FalsePreFilter"],
            "node3": ["Node(s) failed PreFilter plugin FalsePreFilter"],
        },
        "absent_nodes_reasons": [],
        "pre_filter_msg": "Node(s) failed PreFilter plugin FalsePreFilter",
        "post_filter_msg": "",
        "expected": "0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter.",
    },
    {
        "name": "nodes failed Prefilter plugin and the preemption also failed",
        "source": "pkg/scheduler/framework/types_test.go@98be7dfc5da8533f62c063206c5751e884d6294d",
        "num_all_nodes": 3,
        "node_reasons": {
            "node1": ["Node(s) failed PreFilter plugin FalsePreFilter"],
            "node2": ["Node(s) failed PreFilter plugin FalsePreFilter"],
            "node3": ["Node(s) failed PreFilter plugin FalsePreFilter"],
        },
        "absent_nodes_reasons": [],
        "pre_filter_msg": "Node(s) failed PreFilter plugin FalsePreFilter",
        "post_filter_msg": "Error running PostFilter plugin FailedPostFilter",
        "expected": "0/3 nodes are available: Node(s) failed PreFilter plugin FalsePreFilter. Error running PostFilter plugin FailedPostFilter",
    },
    {
        "name": "nodes failed one Filter plugin with a non-empty PostFilterMsg",
        "source": "pkg/scheduler/framework/types_test.go@98be7dfc5da8533f62c063206c5751e884d6294d",
        "num_all_nodes": 3,
        "node_reasons": {
            "node1": ["Node(s) failed Filter plugin FalseFilter-1"],
            "node2": ["Node(s) failed Filter plugin FalseFilter-1"],
            "node3": ["Node(s) failed Filter plugin FalseFilter-1"],
        },
        "absent_nodes_reasons": [],
        "pre_filter_msg": "",
        "post_filter_msg": "Error running PostFilter plugin FailedPostFilter",
        "expected": "0/3 nodes are available: 3 Node(s) failed Filter plugin FalseFilter-1. Error running PostFilter plugin FailedPostFilter",
    },
    {
        "name": "nodes failed two Filter plugins with a non-empty PostFilterMsg",
        "source": "pkg/scheduler/framework/types_test.go@98be7dfc5da8533f62c063206c5751e884d6294d",
        "num_all_nodes": 3,
        "node_reasons": {
            "node1": ["Node(s) failed Filter plugin FalseFilter-1"],
            "node2": ["Node(s) failed Filter plugin FalseFilter-1"],
            "node3": ["Node(s) failed Filter plugin FalseFilter-2"],
        },
        "absent_nodes_reasons": [],
        "pre_filter_msg": "",
        "post_filter_msg": "Error running PostFilter plugin FailedPostFilter",
        "expected": "0/3 nodes are available: 1 Node(s) failed Filter plugin FalseFilter-2, 2 Node(s) failed Filter plugin FalseFilter-1. Error running PostFilter plugin FailedPostFilter",
    },
]

# TestNumFeasibleNodesToFind
# 8 cases.
NUM_FEASIBLE_NODES_CASES = [
    {
        "name": "not set percentageOfNodesToScore and nodes number not more than 50",
        "source": "pkg/scheduler/schedule_one_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "num_all_nodes": 10,
        "percentage": None,
        "global_percentage": 0,
        "profile_percentage": None,
        "expected": 10,
    },
    {
        "name": "set profile percentageOfNodesToScore and nodes number not more than 50",
        "source": "pkg/scheduler/schedule_one_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "num_all_nodes": 10,
        "percentage": 40,
        "global_percentage": 0,
        "profile_percentage": 40,
        "expected": 10,
    },
    {
        "name": "not set percentageOfNodesToScore and nodes number more than 50",
        "source": "pkg/scheduler/schedule_one_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "num_all_nodes": 1000,
        "percentage": None,
        "global_percentage": 0,
        "profile_percentage": None,
        "expected": 420,
    },
    {
        "name": "set profile percentageOfNodesToScore and nodes number more than 50",
        "source": "pkg/scheduler/schedule_one_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "num_all_nodes": 1000,
        "percentage": 40,
        "global_percentage": 0,
        "profile_percentage": 40,
        "expected": 400,
    },
    {
        "name": "set global and profile percentageOfNodesToScore and nodes number more than 50",
        "source": "pkg/scheduler/schedule_one_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "num_all_nodes": 1000,
        "percentage": 40,
        "global_percentage": 100,
        "profile_percentage": 40,
        "expected": 400,
    },
    {
        "name": "set global percentageOfNodesToScore and nodes number more than 50",
        "source": "pkg/scheduler/schedule_one_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "num_all_nodes": 1000,
        "percentage": 40,
        "global_percentage": 40,
        "profile_percentage": None,
        "expected": 400,
    },
    {
        "name": "not set profile percentageOfNodesToScore and nodes number more than 50*125",
        "source": "pkg/scheduler/schedule_one_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "num_all_nodes": 6000,
        "percentage": None,
        "global_percentage": 0,
        "profile_percentage": None,
        "expected": 300,
    },
    {
        "name": "set profile percentageOfNodesToScore and nodes number more than 50*125",
        "source": "pkg/scheduler/schedule_one_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "num_all_nodes": 6000,
        "percentage": 40,
        "global_percentage": 0,
        "profile_percentage": 40,
        "expected": 2400,
    },
]

# Test_SelectHost, pre-v1.35 selectHost (reservoir sampling)
# 5 cases.
SELECT_HOST_RESERVOIR_CASES = [
    {
        "name": "unique properly ordered scores",
        "source": "pkg/scheduler/schedule_one_test.go@index-id-11259570 (pre-v1.35 Test_SelectHost; commit sha not exposed by the index)",
        "list": [{"name": "node1", "total_score": 1}, {"name": "node2", "total_score": 2}],
        "top_nodes_count": 2,
        "possible_hosts": ["node2"],
        "possible_node_lists": [["node2", "node1"]],
        "want_error": None,
    },
    {
        "name": "numberOfNodeScoresToReturn > len(list)",
        "source": "pkg/scheduler/schedule_one_test.go@index-id-11259570 (pre-v1.35 Test_SelectHost; commit sha not exposed by the index)",
        "list": [{"name": "node1", "total_score": 1}, {"name": "node2", "total_score": 2}],
        "top_nodes_count": 100,
        "possible_hosts": ["node2"],
        "possible_node_lists": [["node2", "node1"]],
        "want_error": None,
    },
    {
        "name": "equal scores",
        "source": "pkg/scheduler/schedule_one_test.go@index-id-11259570 (pre-v1.35 Test_SelectHost; commit sha not exposed by the index)",
        "list": [
            {"name": "node2.1", "total_score": 2},
            {"name": "node2.2", "total_score": 2},
            {"name": "node2.3", "total_score": 2},
        ],
        "top_nodes_count": 2,
        "possible_hosts": ["node2.1", "node2.2", "node2.3"],
        "possible_node_lists": [
            ["node2.1", "node2.2"],
            ["node2.1", "node2.3"],
            ["node2.2", "node2.1"],
            ["node2.2", "node2.3"],
            ["node2.3", "node2.1"],
            ["node2.3", "node2.2"],
        ],
        "want_error": None,
    },
    {
        "name": "out of order scores",
        "source": "pkg/scheduler/schedule_one_test.go@index-id-11259570 (pre-v1.35 Test_SelectHost; commit sha not exposed by the index)",
        "list": [
            {"name": "node3.1", "total_score": 3},
            {"name": "node2.1", "total_score": 2},
            {"name": "node1.1", "total_score": 1},
            {"name": "node3.2", "total_score": 3},
        ],
        "top_nodes_count": 3,
        "possible_hosts": ["node3.1", "node3.2"],
        "possible_node_lists": [["node3.1", "node3.2", "node2.1"], ["node3.2", "node3.1", "node2.1"]],
        "want_error": None,
    },
    {
        "name": "empty priority list",
        "source": "pkg/scheduler/schedule_one_test.go@index-id-11259570 (pre-v1.35 Test_SelectHost; commit sha not exposed by the index)",
        "list": [],
        "top_nodes_count": 0,
        "possible_hosts": [],
        "possible_node_lists": [],
        "want_error": "empty priorityList",
    },
]

# Test_SelectHost, v1.35+ sortedNodeScores heap (Randomizer tie-break)
# 3 cases.
SELECT_HOST_SORTED_CASES = [
    {
        "name": "unique properly ordered scores",
        "source": "pkg/scheduler/schedule_one_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "list": [{"name": "node1", "total_score": 1}, {"name": "node2", "total_score": 2}],
        "expected_order": ["node2", "node1"],
    },
    {
        "name": "equal scores",
        "source": "pkg/scheduler/schedule_one_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "list": [
            {"name": "node2.2", "total_score": 2, "randomizer": 2},
            {"name": "node2.1", "total_score": 2, "randomizer": 1},
            {"name": "node2.3", "total_score": 2, "randomizer": 3},
        ],
        "expected_order": ["node2.3", "node2.2", "node2.1"],
    },
    {
        "name": "out of order scores",
        "source": "pkg/scheduler/schedule_one_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "list": [
            {"name": "node3.1", "total_score": 3, "randomizer": 1},
            {"name": "node2.1", "total_score": 2},
            {"name": "node1.1", "total_score": 1},
            {"name": "node3.2", "total_score": 3, "randomizer": 2},
        ],
        "expected_order": ["node3.2", "node3.1", "node2.1", "node1.1"],
    },
]
