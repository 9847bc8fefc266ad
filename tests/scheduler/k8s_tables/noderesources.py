"""Kubernetes kube-scheduler noderesources unit-test tables, transcribed as plain data.

Source: kubernetes/kubernetes, pkg/scheduler/framework/plugins/noderesources/*_test.go
(Copyright The Kubernetes Authors, Apache License 2.0). See README.md in this directory
for the exact commits, the unit conversions and the meaning of every field.

This module contains data only (no kubekit imports, no helpers).

Quantity conventions (how the Go helpers built the objects):
  * newResourcePod / makeResources / makeNode: cpu via NewMilliQuantity -> written "<n>m"
    (millicores, "0" for zero); memory/storage/pods/extended/hugepages via NewQuantity ->
    written as plain integers (bytes / counts).
  * st.MakeNode().Capacity({...}) / st.MakePod().Req({...}): the Go string is kept verbatim,
    e.g. cpu "4000" means 4000 *cores* (4,000,000m) and memory "10000" means 10000 bytes.
    st.MakeNode() always adds pods "32" and sets allocatable == capacity.
  * newResourcePod always writes cpu, memory, pods and ephemeral-storage keys into every
    container's requests, even when they are zero ("pods": "0" included, as in Go).

Names: the Go tables leave most pod / node / container names empty; they are synthesized here
(incoming pod "pod", existing pods "existing-pod-<i>", filter-test node "node1", containers
"c<i>"/"init<i>"). Names that Kubernetes set (node1/node2, con0, sidecar-con0, regular,
restartable-init, ...) are kept.

Args are the Go test's *internal* config rendered in kubescheduler.config.k8s.io/v1 JSON form.
The Go tests do NOT run v1 defaulting; cases where defaulting would change the meaning are
marked "no_v1_defaulting": True.
"""

# ---------------------------------------------------------------------------------------
# SKIPPED Kubernetes test cases (not transcribed) and why:
#   - TestEnoughRequests / 'extended resource backed by device plugin': DRAExtendedResource=true (alpha, off by default through v1.35) + DRA manager/DeviceClass
#   - TestEnoughRequests / 'extended resource backed by DRA': needs DeviceClass -> extended-resource mapping (DRA)
#   - TestEnoughRequests / 'extended resource backed by DRA, nil draManager': DRAExtendedResource=true with nil DRA manager
#   - TestEnoughRequests / 'extended resource NOT backed by DRA': DRAExtendedResource=true + DeviceClass present
#   - TestEnoughRequests / 'extended resource was backed by Device Plugin (Allocatable: 0)': DRA delegation (DeviceClass mapping)
#   - TestEnoughRequests / 'extended resource was backed by Device Plugin (Allocatable: 0), global cache': DRAExtendedResource=true + DRA extended-resource cache
#   - TestFitScore / 'test case for ScoringStrategy LeastAllocated with Extended resources': DRA ResourceSlices/DeviceClass
#   - TestFitScore / 'test case for ScoringStrategy LeastAllocated with Extended resources if PreScore is not called': DRA ResourceSlices/DeviceClass
#   - TestNodeResourcesBalancedAllocation / 'include DRA resource on a node for balanced resource allocation': DRA ResourceSlices/DeviceClass
#   - TestNodeResourcesBalancedAllocation / 'include DRA resource on a node for balanced resource allocation if PreScore not called': DRA ResourceSlices/DeviceClass
#   - TestScorePlacement_Resources / '(all 7 cases)': pod-group ScorePlacement; needs non-default gates GenericWorkload + TopologyAwareWorkloadScheduling
#   - TestComputePodResourceRequestWithNodeAllocatableDRA / '(both cases)': DRA node-allocatable claim status
#   (source files: pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e, pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go@00fdb4ffc64976886691c99434ab5b01fa54f8fe)
#
# Not Filter/Score tables, therefore out of scope: TestPreFilterDisabled, TestIsFit,
#   TestHaveAnyRequestedResourcesIncreased, Test_isSchedulableAfter*Change, TestEventsToRegister,
#   TestFitSignPod, TestBalancedAllocationSignPod, BenchmarkTestFitScore.
# ---------------------------------------------------------------------------------------

SOURCES = {
    "fit_test.go": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
    "least_allocated_test.go": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
    "most_allocated_test.go": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
    "requested_to_capacity_ratio_test.go": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
    "balanced_allocation_test.go": "pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go@00fdb4ffc64976886691c99434ab5b01fa54f8fe",
}

SKIPPED_CASES = [
    {
        "test": "TestEnoughRequests",
        "name": "extended resource backed by device plugin",
        "reason": "DRAExtendedResource=true (alpha, off by default through v1.35) + DRA manager/DeviceClass",
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
    },
    {
        "test": "TestEnoughRequests",
        "name": "extended resource backed by DRA",
        "reason": "needs DeviceClass -> extended-resource mapping (DRA)",
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
    },
    {
        "test": "TestEnoughRequests",
        "name": "extended resource backed by DRA, nil draManager",
        "reason": "DRAExtendedResource=true with nil DRA manager",
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
    },
    {
        "test": "TestEnoughRequests",
        "name": "extended resource NOT backed by DRA",
        "reason": "DRAExtendedResource=true + DeviceClass present",
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
    },
    {
        "test": "TestEnoughRequests",
        "name": "extended resource was backed by Device Plugin (Allocatable: 0)",
        "reason": "DRA delegation (DeviceClass mapping)",
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
    },
    {
        "test": "TestEnoughRequests",
        "name": "extended resource was backed by Device Plugin (Allocatable: 0), global cache",
        "reason": "DRAExtendedResource=true + DRA extended-resource cache",
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
    },
    {
        "test": "TestFitScore",
        "name": "test case for ScoringStrategy LeastAllocated with Extended resources",
        "reason": "DRA ResourceSlices/DeviceClass",
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
    },
    {
        "test": "TestFitScore",
        "name": "test case for ScoringStrategy LeastAllocated with Extended resources if PreScore is not called",
        "reason": "DRA ResourceSlices/DeviceClass",
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
    },
    {
        "test": "TestNodeResourcesBalancedAllocation",
        "name": "include DRA resource on a node for balanced resource allocation",
        "reason": "DRA ResourceSlices/DeviceClass",
        "source": "pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go@00fdb4ffc64976886691c99434ab5b01fa54f8fe",
    },
    {
        "test": "TestNodeResourcesBalancedAllocation",
        "name": "include DRA resource on a node for balanced resource allocation if PreScore not called",
        "reason": "DRA ResourceSlices/DeviceClass",
        "source": "pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go@00fdb4ffc64976886691c99434ab5b01fa54f8fe",
    },
    {
        "test": "TestScorePlacement_Resources",
        "name": "(all 7 cases)",
        "reason": "pod-group ScorePlacement; needs non-default gates GenericWorkload + TopologyAwareWorkloadScheduling",
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
    },
    {
        "test": "TestComputePodResourceRequestWithNodeAllocatableDRA",
        "name": "(both cases)",
        "reason": "DRA node-allocatable claim status",
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
    },
]

# NodeResourcesFit Filter: TestEnoughRequests, TestNotEnoughRequests, TestStorageRequests, TestRestartableInitContainers (fit_test.go).
FIT_FILTER_CASES = [
    {
        "name": "no resources requested always fits",
        "test": "TestEnoughRequests",
        "index": 0,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {"cpu": "10m", "memory": "20", "pods": "0", "ephemeral-storage": "0"},
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
    },
    {
        "name": "too many resources fails",
        "test": "TestEnoughRequests",
        "index": 1,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {"cpu": "10m", "memory": "20", "pods": "0", "ephemeral-storage": "0"},
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient cpu", "Insufficient memory"]}},
        "expected_insufficient_resources": [
            {"resourceName": "cpu", "requested": 1, "used": 10, "capacity": 10, "unresolvable": False},
            {"resourceName": "memory", "requested": 1, "used": 20, "capacity": 20, "unresolvable": False},
        ],
    },
    {
        "name": "too many resources fails due to init container cpu",
        "test": "TestEnoughRequests",
        "index": 2,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {"requests": {"cpu": "3m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "8m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient cpu"]}},
        "expected_insufficient_resources": [{"resourceName": "cpu", "requested": 3, "used": 8, "capacity": 10, "unresolvable": False}],
    },
    {
        "name": "too many resources fails due to highest init container cpu",
        "test": "TestEnoughRequests",
        "index": 3,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {"requests": {"cpu": "3m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                    {
                        "name": "init1",
                        "resources": {"requests": {"cpu": "2m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "8m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient cpu"]}},
        "expected_insufficient_resources": [{"resourceName": "cpu", "requested": 3, "used": 8, "capacity": 10, "unresolvable": False}],
    },
    {
        "name": "too many resources fails due to init container memory",
        "test": "TestEnoughRequests",
        "index": 4,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {"requests": {"cpu": "1m", "memory": "3", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "9m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient memory"]}},
        "expected_insufficient_resources": [{"resourceName": "memory", "requested": 3, "used": 19, "capacity": 20, "unresolvable": False}],
    },
    {
        "name": "too many resources fails due to highest init container memory",
        "test": "TestEnoughRequests",
        "index": 5,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {"requests": {"cpu": "1m", "memory": "3", "pods": "0", "ephemeral-storage": "0"}},
                    },
                    {
                        "name": "init1",
                        "resources": {"requests": {"cpu": "1m", "memory": "2", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "9m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient memory"]}},
        "expected_insufficient_resources": [{"resourceName": "memory", "requested": 3, "used": 19, "capacity": 20, "unresolvable": False}],
    },
    {
        "name": "init container fits because it's the max, not sum, of containers and init containers",
        "test": "TestEnoughRequests",
        "index": 6,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "9m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
    },
    {
        "name": "multiple init containers fit because it's the max, not sum, of containers and init containers",
        "test": "TestEnoughRequests",
        "index": 7,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                    {
                        "name": "init1",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "9m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
    },
    {
        "name": "both resources fit",
        "test": "TestEnoughRequests",
        "index": 8,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "5", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
    },
    {
        "name": "one resource memory fits",
        "test": "TestEnoughRequests",
        "index": 9,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "2m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "9m", "memory": "5", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient cpu"]}},
        "expected_insufficient_resources": [{"resourceName": "cpu", "requested": 2, "used": 9, "capacity": 10, "unresolvable": False}],
    },
    {
        "name": "one resource cpu fits",
        "test": "TestEnoughRequests",
        "index": 10,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "2", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient memory"]}},
        "expected_insufficient_resources": [{"resourceName": "memory", "requested": 2, "used": 19, "capacity": 20, "unresolvable": False}],
    },
    {
        "name": "equal edge case",
        "test": "TestEnoughRequests",
        "index": 11,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "5m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
    },
    {
        "name": "equal edge case for init container",
        "test": "TestEnoughRequests",
        "index": 12,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "4m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {"requests": {"cpu": "5m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
    },
    {
        "name": "extended resource fits",
        "test": "TestEnoughRequests",
        "index": 13,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "0",
                                "memory": "0",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "1",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
    },
    {
        "name": "extended resource fits for init container",
        "test": "TestEnoughRequests",
        "index": 14,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {
                            "requests": {
                                "cpu": "0",
                                "memory": "0",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "1",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
    },
    {
        "name": "extended resource capacity enforced",
        "test": "TestEnoughRequests",
        "index": 15,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "10",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {
                                    "cpu": "0",
                                    "memory": "0",
                                    "pods": "0",
                                    "ephemeral-storage": "0",
                                    "example.com/aaa": "0",
                                },
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient example.com/aaa"]}},
        "expected_insufficient_resources": [{"resourceName": "example.com/aaa", "requested": 10, "used": 0, "capacity": 5, "unresolvable": True}],
    },
    {
        "name": "extended resource capacity enforced for init container",
        "test": "TestEnoughRequests",
        "index": 16,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "10",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {
                                    "cpu": "0",
                                    "memory": "0",
                                    "pods": "0",
                                    "ephemeral-storage": "0",
                                    "example.com/aaa": "0",
                                },
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient example.com/aaa"]}},
        "expected_insufficient_resources": [{"resourceName": "example.com/aaa", "requested": 10, "used": 0, "capacity": 5, "unresolvable": True}],
    },
    {
        "name": "extended resource allocatable enforced",
        "test": "TestEnoughRequests",
        "index": 17,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "1",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {
                                    "cpu": "0",
                                    "memory": "0",
                                    "pods": "0",
                                    "ephemeral-storage": "0",
                                    "example.com/aaa": "5",
                                },
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient example.com/aaa"]}},
        "expected_insufficient_resources": [{"resourceName": "example.com/aaa", "requested": 1, "used": 5, "capacity": 5, "unresolvable": False}],
    },
    {
        "name": "extended resource allocatable enforced for init container",
        "test": "TestEnoughRequests",
        "index": 18,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "1",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {
                                    "cpu": "0",
                                    "memory": "0",
                                    "pods": "0",
                                    "ephemeral-storage": "0",
                                    "example.com/aaa": "5",
                                },
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient example.com/aaa"]}},
        "expected_insufficient_resources": [{"resourceName": "example.com/aaa", "requested": 1, "used": 5, "capacity": 5, "unresolvable": False}],
    },
    {
        "name": "extended resource allocatable enforced for multiple containers",
        "test": "TestEnoughRequests",
        "index": 19,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "3",
                            },
                        },
                    },
                    {
                        "name": "c1",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "3",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {
                                    "cpu": "0",
                                    "memory": "0",
                                    "pods": "0",
                                    "ephemeral-storage": "0",
                                    "example.com/aaa": "2",
                                },
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient example.com/aaa"]}},
        "expected_insufficient_resources": [{"resourceName": "example.com/aaa", "requested": 6, "used": 2, "capacity": 5, "unresolvable": True}],
    },
    {
        "name": "extended resource allocatable admits multiple init containers",
        "test": "TestEnoughRequests",
        "index": 20,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "3",
                            },
                        },
                    },
                    {
                        "name": "init1",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "3",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {
                                    "cpu": "0",
                                    "memory": "0",
                                    "pods": "0",
                                    "ephemeral-storage": "0",
                                    "example.com/aaa": "2",
                                },
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
    },
    {
        "name": "extended resource allocatable enforced for multiple init containers",
        "test": "TestEnoughRequests",
        "index": 21,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "6",
                            },
                        },
                    },
                    {
                        "name": "init1",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "3",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {
                                    "cpu": "0",
                                    "memory": "0",
                                    "pods": "0",
                                    "ephemeral-storage": "0",
                                    "example.com/aaa": "2",
                                },
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient example.com/aaa"]}},
        "expected_insufficient_resources": [{"resourceName": "example.com/aaa", "requested": 6, "used": 2, "capacity": 5, "unresolvable": True}],
    },
    {
        "name": "extended resource allocatable enforced for unknown resource",
        "test": "TestEnoughRequests",
        "index": 22,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/bbb": "1",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient example.com/bbb"]}},
        "expected_insufficient_resources": [{"resourceName": "example.com/bbb", "requested": 1, "used": 0, "capacity": 0, "unresolvable": True}],
    },
    {
        "name": "extended resource allocatable enforced for unknown resource for init container",
        "test": "TestEnoughRequests",
        "index": 23,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/bbb": "1",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient example.com/bbb"]}},
        "expected_insufficient_resources": [{"resourceName": "example.com/bbb", "requested": 1, "used": 0, "capacity": 0, "unresolvable": True}],
    },
    {
        "name": "kubernetes.io resource capacity enforced",
        "test": "TestEnoughRequests",
        "index": 24,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "kubernetes.io/something": "10",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {
            "node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient kubernetes.io/something"]},
        },
        "expected_insufficient_resources": [
            {
                "resourceName": "kubernetes.io/something",
                "requested": 10,
                "used": 0,
                "capacity": 0,
                "unresolvable": True,
            },
        ],
    },
    {
        "name": "kubernetes.io resource capacity enforced for init container",
        "test": "TestEnoughRequests",
        "index": 25,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "subdomain.kubernetes.io/something": "10",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {
            "node1": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["Insufficient subdomain.kubernetes.io/something"],
            },
        },
        "expected_insufficient_resources": [
            {
                "resourceName": "subdomain.kubernetes.io/something",
                "requested": 10,
                "used": 0,
                "capacity": 0,
                "unresolvable": True,
            },
        ],
    },
    {
        "name": "hugepages resource capacity enforced",
        "test": "TestEnoughRequests",
        "index": 26,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "hugepages-2Mi": "10",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {
                                    "cpu": "0",
                                    "memory": "0",
                                    "pods": "0",
                                    "ephemeral-storage": "0",
                                    "hugepages-2Mi": "0",
                                },
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient hugepages-2Mi"]}},
        "expected_insufficient_resources": [{"resourceName": "hugepages-2Mi", "requested": 10, "used": 0, "capacity": 5, "unresolvable": True}],
    },
    {
        "name": "hugepages resource capacity enforced for init container",
        "test": "TestEnoughRequests",
        "index": 27,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "hugepages-2Mi": "10",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {
                                    "cpu": "0",
                                    "memory": "0",
                                    "pods": "0",
                                    "ephemeral-storage": "0",
                                    "hugepages-2Mi": "0",
                                },
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient hugepages-2Mi"]}},
        "expected_insufficient_resources": [{"resourceName": "hugepages-2Mi", "requested": 10, "used": 0, "capacity": 5, "unresolvable": True}],
    },
    {
        "name": "hugepages resource allocatable enforced for multiple containers",
        "test": "TestEnoughRequests",
        "index": 28,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "hugepages-2Mi": "3",
                            },
                        },
                    },
                    {
                        "name": "c1",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "hugepages-2Mi": "3",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {
                                    "cpu": "0",
                                    "memory": "0",
                                    "pods": "0",
                                    "ephemeral-storage": "0",
                                    "hugepages-2Mi": "2",
                                },
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient hugepages-2Mi"]}},
        "expected_insufficient_resources": [{"resourceName": "hugepages-2Mi", "requested": 6, "used": 2, "capacity": 5, "unresolvable": True}],
    },
    {
        "name": "skip checking ignored extended resource",
        "test": "TestEnoughRequests",
        "index": 29,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/bbb": "1",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "ignoredResources": ["example.com/bbb"],
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
    },
    {
        "name": "resources + pod overhead fits",
        "test": "TestEnoughRequests",
        "index": 30,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "overhead": {"cpu": "3m", "memory": "13"},
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "5", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
    },
    {
        "name": "requests + overhead does not fit for memory",
        "test": "TestEnoughRequests",
        "index": 31,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "overhead": {"cpu": "1m", "memory": "15"},
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "5", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient memory"]}},
        "expected_insufficient_resources": [{"resourceName": "memory", "requested": 16, "used": 5, "capacity": 20, "unresolvable": False}],
    },
    {
        "name": "skip checking ignored extended resource via resource groups",
        "test": "TestEnoughRequests",
        "index": 32,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/bbb": "1",
                                "kubernetes.io/something": "1",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "ignoredResourceGroups": ["example.com"],
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {
            "node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient kubernetes.io/something"]},
        },
        "expected_insufficient_resources": [
            {
                "resourceName": "kubernetes.io/something",
                "requested": 1,
                "used": 0,
                "capacity": 0,
                "unresolvable": True,
            },
        ],
    },
    {
        "name": "skip checking extended resource request with quantity zero via resource groups",
        "test": "TestEnoughRequests",
        "index": 33,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "0",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {
                                    "cpu": "0",
                                    "memory": "0",
                                    "pods": "0",
                                    "ephemeral-storage": "0",
                                    "example.com/aaa": "6",
                                },
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
        "notes": "The existing pod uses 6 example.com/aaa on a node with allocatable 5; the pod's request of 0 is skipped.",
    },
    {
        "name": "skip checking resource request with quantity zero",
        "test": "TestEnoughRequests",
        "index": 34,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "0",
                                "memory": "0",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "example.com/aaa": "1",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {
                                    "cpu": "20m",
                                    "memory": "30",
                                    "pods": "0",
                                    "ephemeral-storage": "0",
                                    "example.com/aaa": "1",
                                },
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
        "notes": "Go test sets podLevelResourcesEnabled=true (PodLevelResources is beta and on by default since v1.34). The existing pod over-commits cpu (20m of 10m) and memory (30 of 20); the pod requests cpu=0/memory=0 so those checks are skipped (req > 0 guard).",
    },
    {
        "name": "both pod-level and container-level resources fit",
        "test": "TestEnoughRequests",
        "index": 35,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "resources": {"requests": {"cpu": "1m", "memory": "2"}},
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "5", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
        "notes": "Go test sets podLevelResourcesEnabled=true (PodLevelResources is beta and on by default since v1.34).",
    },
    {
        "name": "pod-level cpu resource not fit",
        "test": "TestEnoughRequests",
        "index": 36,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "resources": {"requests": {"cpu": "7m", "memory": "2"}},
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "5", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient cpu"]}},
        "expected_insufficient_resources": [{"resourceName": "cpu", "requested": 7, "used": 5, "capacity": 10, "unresolvable": False}],
        "notes": "Go test sets podLevelResourcesEnabled=true (PodLevelResources is beta and on by default since v1.34).",
    },
    {
        "name": "pod-level memory resource not fit",
        "test": "TestEnoughRequests",
        "index": 37,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "resources": {"requests": {"cpu": "3m", "memory": "2"}},
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient memory"]}},
        "expected_insufficient_resources": [{"resourceName": "memory", "requested": 2, "used": 19, "capacity": 20, "unresolvable": False}],
        "notes": "Go test sets podLevelResourcesEnabled=true (PodLevelResources is beta and on by default since v1.34).",
    },
    {
        "name": "pod-level hugepages resource fit",
        "test": "TestEnoughRequests",
        "index": 38,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [], "resources": {"requests": {"cpu": "3m", "memory": "2", "hugepages-2Mi": "5"}}},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
        "notes": "Go test sets podLevelResourcesEnabled=true (PodLevelResources is beta and on by default since v1.34). newResourcePod() with no arguments -> the pod has zero containers; framework.NewNodeInfo() -> no existing pods.",
    },
    {
        "name": "both pod-level and container-level hugepages resource fit",
        "test": "TestEnoughRequests",
        "index": 39,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "hugepages-2Mi": "3",
                            },
                        },
                    },
                ],
                "resources": {"requests": {"cpu": "3m", "memory": "2", "hugepages-2Mi": "5"}},
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
        "expected_insufficient_resources": [],
        "notes": "Go test sets podLevelResourcesEnabled=true (PodLevelResources is beta and on by default since v1.34).",
    },
    {
        "name": "pod-level hugepages resource not fit",
        "test": "TestEnoughRequests",
        "index": 40,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [], "resources": {"requests": {"cpu": "3m", "memory": "2", "hugepages-2Mi": "10"}}},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient hugepages-2Mi"]}},
        "expected_insufficient_resources": [{"resourceName": "hugepages-2Mi", "requested": 10, "used": 0, "capacity": 5, "unresolvable": True}],
        "notes": "Go test sets podLevelResourcesEnabled=true (PodLevelResources is beta and on by default since v1.34).",
    },
    {
        "name": "one pod-level cpu resource fits and all init and non-init containers resources fit",
        "test": "TestEnoughRequests",
        "index": 41,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "resources": {"requests": {"cpu": "3m", "memory": "2"}},
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Insufficient memory"]}},
        "expected_insufficient_resources": [{"resourceName": "memory", "requested": 2, "used": 19, "capacity": 20, "unresolvable": False}],
        "notes": "Go test sets podLevelResourcesEnabled=true (PodLevelResources is beta and on by default since v1.34).",
    },
    {
        "name": "extended resource backed by DRA not enabled",
        "test": "TestEnoughRequests",
        "index": 45,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {
                            "requests": {
                                "cpu": "1m",
                                "memory": "1",
                                "pods": "0",
                                "ephemeral-storage": "0",
                                "extended.resource.dra.io/something": "1",
                            },
                        },
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {
            "node1": {
                "code": "UnschedulableAndUnresolvable",
                "reasons": ["Insufficient extended.resource.dra.io/something"],
            },
        },
        "expected_insufficient_resources": [
            {
                "resourceName": "extended.resource.dra.io/something",
                "requested": 1,
                "used": 0,
                "capacity": 0,
                "unresolvable": True,
            },
        ],
        "feature_gates": {"DRAExtendedResource": False},
        "notes": "Explicitly DRAExtendedResource=false (the default through v1.35; beta/on by default from v1.36). This is plain non-DRA behaviour: a requested extended resource the node does not have -> unresolvable.",
    },
    {
        "name": "even without specified resources, predicate fails when there's no space for additional pod",
        "test": "TestNotEnoughRequests",
        "index": 0,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {},
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "1",
                        "example.com/aaa": "0",
                        "ephemeral-storage": "0",
                        "hugepages-2Mi": "0",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {
                                "requests": {"cpu": "10m", "memory": "20", "pods": "0", "ephemeral-storage": "0"},
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Too many pods"]}},
    },
    {
        "name": "even if both resources fit, predicate fails when there's no space for additional pod",
        "test": "TestNotEnoughRequests",
        "index": 1,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {},
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "1",
                        "example.com/aaa": "0",
                        "ephemeral-storage": "0",
                        "hugepages-2Mi": "0",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "5", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Too many pods"]}},
    },
    {
        "name": "even for equal edge case, predicate fails when there's no space for additional pod",
        "test": "TestNotEnoughRequests",
        "index": 2,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "5m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {},
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "1",
                        "example.com/aaa": "0",
                        "ephemeral-storage": "0",
                        "hugepages-2Mi": "0",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Too many pods"]}},
    },
    {
        "name": "even for equal edge case, predicate fails when there's no space for additional pod due to init container",
        "test": "TestNotEnoughRequests",
        "index": 3,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "5m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
                "initContainers": [
                    {
                        "name": "init0",
                        "resources": {"requests": {"cpu": "5m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {},
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "1",
                        "example.com/aaa": "0",
                        "ephemeral-storage": "0",
                        "hugepages-2Mi": "0",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "5m", "memory": "19", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Unschedulable", "reasons": ["Too many pods"]}},
    },
    {
        "name": "empty storage requested, and pod fits",
        "test": "TestStorageRequests",
        "index": 0,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "1m", "memory": "1", "pods": "0", "ephemeral-storage": "0"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "2m", "memory": "10", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
    },
    {
        "name": "storage ephemeral local storage request exceeds allocatable",
        "test": "TestStorageRequests",
        "index": 1,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "25"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "2m", "memory": "2", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient ephemeral-storage"]}},
    },
    {
        "name": "ephemeral local storage is sufficient",
        "test": "TestStorageRequests",
        "index": 2,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "5"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "2m", "memory": "2", "pods": "0", "ephemeral-storage": "10"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
    },
    {
        "name": "pod fits",
        "test": "TestStorageRequests",
        "index": 3,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "c0",
                        "resources": {"requests": {"cpu": "0", "memory": "0", "pods": "0", "ephemeral-storage": "10"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                    "allocatable": {
                        "cpu": "10m",
                        "memory": "20",
                        "pods": "32",
                        "example.com/aaa": "5",
                        "ephemeral-storage": "20",
                        "hugepages-2Mi": "5",
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "c0",
                            "resources": {"requests": {"cpu": "2m", "memory": "2", "pods": "0", "ephemeral-storage": "0"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
    },
    {
        "name": "allow pod without restartable init containers",
        "test": "TestRestartableInitContainers",
        "index": 0,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "regular"}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {},
                    "allocatable": {
                        "cpu": "2m",
                        "memory": "0",
                        "pods": "1",
                        "example.com/aaa": "0",
                        "ephemeral-storage": "0",
                        "hugepages-2Mi": "0",
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
    },
    {
        "name": "allow pod with restartable init containers",
        "test": "TestRestartableInitContainers",
        "index": 1,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [{"name": "regular"}],
                "initContainers": [{"name": "restartable-init", "restartPolicy": "Always"}],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {},
                    "allocatable": {
                        "cpu": "2m",
                        "memory": "0",
                        "pods": "1",
                        "example.com/aaa": "0",
                        "ephemeral-storage": "0",
                        "hugepages-2Mi": "0",
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
    },
    {
        "name": "allow pod if the total requested resources do not exceed the node's allocatable resources",
        "test": "TestRestartableInitContainers",
        "index": 2,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [{"name": "regular", "resources": {"requests": {"cpu": "1m"}}}],
                "initContainers": [
                    {
                        "name": "restartable-init",
                        "restartPolicy": "Always",
                        "resources": {"requests": {"cpu": "1m"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {},
                    "allocatable": {
                        "cpu": "2m",
                        "memory": "0",
                        "pods": "1",
                        "example.com/aaa": "0",
                        "ephemeral-storage": "0",
                        "hugepages-2Mi": "0",
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "Success", "reasons": []}},
    },
    {
        "name": "not allow pod if the total requested resources do exceed the node's allocatable resources",
        "test": "TestRestartableInitContainers",
        "index": 3,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [{"name": "regular", "resources": {"requests": {"cpu": "1m"}}}],
                "initContainers": [
                    {
                        "name": "restartable-init",
                        "restartPolicy": "Always",
                        "resources": {"requests": {"cpu": "2m"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {},
                    "allocatable": {
                        "cpu": "2m",
                        "memory": "0",
                        "pods": "1",
                        "example.com/aaa": "0",
                        "ephemeral-storage": "0",
                        "hugepages-2Mi": "0",
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "expected_status": {"node1": {"code": "UnschedulableAndUnresolvable", "reasons": ["Insufficient cpu"]}},
    },
]

# NodeResourcesFit Score: TestFitScore (fit_test.go).
FIT_SCORE_CASES = [
    {
        "name": "test case for ScoringStrategy RequestedToCapacityRatio case1",
        "test": "TestFitScore",
        "index": 0,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "2000", "memory": "4000"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 10}, {"utilization": 100, "score": 0}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {"node1": 10, "node2": 32},
    },
    {
        "name": "test case for ScoringStrategy RequestedToCapacityRatio case2",
        "test": "TestFitScore",
        "index": 1,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "2000", "memory": "4000"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 10}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {"node1": 95, "node2": 68},
    },
    {
        "name": "test case for ScoringStrategy MostAllocated",
        "test": "TestFitScore",
        "index": 2,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "2000", "memory": "4000"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {"node1": 67, "node2": 36},
    },
    {
        "name": "test case for ScoringStrategy LeastAllocated",
        "test": "TestFitScore",
        "index": 3,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "2000", "memory": "4000"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {"node1": 32, "node2": 63},
    },
    {
        "name": "test case for ScoringStrategy RequestedToCapacityRatio case1 if PreScore is not called",
        "test": "TestFitScore",
        "index": 4,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "2000", "memory": "4000"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 10}, {"utilization": 100, "score": 0}]},
            },
        },
        "run_prescore": False,
        "expected_prescore": None,
        "expected_scores": {"node1": 10, "node2": 32},
    },
    {
        "name": "test case for ScoringStrategy MostAllocated if PreScore is not called",
        "test": "TestFitScore",
        "index": 5,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "2000", "memory": "4000"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": False,
        "expected_prescore": None,
        "expected_scores": {"node1": 67, "node2": 36},
    },
    {
        "name": "test case for ScoringStrategy LeastAllocated if PreScore is not called",
        "test": "TestFitScore",
        "index": 6,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "2000", "memory": "4000"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": False,
        "expected_prescore": None,
        "expected_scores": {"node1": 32, "node2": 63},
    },
    {
        "name": "test case for ScoringStrategy MostAllocated with sidecar container",
        "test": "TestFitScore",
        "index": 7,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}],
                    "initContainers": [
                        {
                            "name": "sidecar-con0",
                            "restartPolicy": "Always",
                            "resources": {
                                "requests": {"cpu": "1000", "memory": "2000"},
                                "limits": {"cpu": "1000", "memory": "2000"},
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {"node1": 67, "node2": 45},
    },
    {
        "name": "test case for ScoringStrategy LeastAllocated with sidecar container",
        "test": "TestFitScore",
        "index": 8,
        "source": "pkg/scheduler/framework/plugins/noderesources/fit_test.go@964d79dd6e028be723d28d784ccc1ec7dd9c833e",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}],
                    "initContainers": [
                        {
                            "name": "sidecar-con0",
                            "restartPolicy": "Always",
                            "resources": {
                                "requests": {"cpu": "1000", "memory": "2000"},
                                "limits": {"cpu": "1000", "memory": "2000"},
                            },
                        },
                    ],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {"node1": 32, "node2": 55},
    },
]

# TestLeastAllocatedScoringStrategy (least_allocated_test.go).
LEAST_ALLOCATED_CASES = [
    {
        "name": "nothing scheduled, nothing requested",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 0,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 100,  # fwk.MaxNodeScore
            "node2": 100,  # fwk.MaxNodeScore
        },
    },
    {
        "name": "nothing scheduled, resources requested, differently sized nodes",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 1,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 37,  # cpu ((4000-3000)*100)/4000=25, mem ((10000-5000)*100)/10000=50, (25+50)/2=37
            "node2": 50,  # cpu 50, mem 50
        },
    },
    {
        "name": "Resources not set, pods scheduled with error",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 2,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {"scoringStrategy": {"type": "LeastAllocated", "resources": []}},
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 0,  # fwk.MinNodeScore
            "node2": 0,  # fwk.MinNodeScore
        },
        "expected_score_status": "Error",
        "no_v1_defaulting": True,
        "notes": "Internal config with resources=nil: Score returns status Error 'resources not found' and score 0. Through v1 JSON the empty list would be defaulted to cpu/memory instead.",
    },
    {
        "name": "no resources requested, pods scheduled",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 3,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {"containers": [], "nodeName": "node1"},
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {"containers": [], "nodeName": "node1"},
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-2", "namespace": "default"},
                "spec": {"containers": [], "nodeName": "node2"},
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-3", "namespace": "default"},
                "spec": {"containers": [], "nodeName": "node2"},
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 100,  # fwk.MaxNodeScore
            "node2": 100,  # fwk.MaxNodeScore
        },
    },
    {
        "name": "no resources requested, pods scheduled with resources",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 4,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "10000", "memory": "20000"},
                    "allocatable": {"pods": "32", "cpu": "10000", "memory": "20000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "10000", "memory": "20000"},
                    "allocatable": {"pods": "32", "cpu": "10000", "memory": "20000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "0"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "0"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-2", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "0"}}}],
                    "nodeName": "node2",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-3", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 70,  # cpu 40, mem 100 -> (40+100)/2
            "node2": 57,  # cpu 40, mem 75 -> (40+75)/2
        },
    },
    {
        "name": "resources requested, pods scheduled with resources",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 5,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "10000", "memory": "20000"},
                    "allocatable": {"pods": "32", "cpu": "10000", "memory": "20000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "10000", "memory": "20000"},
                    "allocatable": {"pods": "32", "cpu": "10000", "memory": "20000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "0"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 57,  # cpu 40, mem 75
            "node2": 45,  # cpu 40, mem 50
        },
    },
    {
        "name": "resources requested, pods scheduled with resources, differently sized nodes",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 6,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "10000", "memory": "20000"},
                    "allocatable": {"pods": "32", "cpu": "10000", "memory": "20000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "10000", "memory": "50000"},
                    "allocatable": {"pods": "32", "cpu": "10000", "memory": "50000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "0"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 57,  # cpu 40, mem 75
            "node2": 60,  # cpu 40, mem ((50000-10000)*100)/50000=80
        },
    },
    {
        "name": "requested resources exceed node capacity",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 7,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "0"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "0"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 50,  # cpu 6000>4000 -> 0, mem 100
            "node2": 25,  # cpu 0, mem 50
        },
    },
    {
        "name": "zero node resources, pods scheduled with resources",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 8,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {"capacity": {"pods": "32"}, "allocatable": {"pods": "32"}},
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {"capacity": {"pods": "32"}, "allocatable": {"pods": "32"}},
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "0"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 0,  # fwk.MinNodeScore
            "node2": 0,  # fwk.MinNodeScore
        },
    },
    {
        "name": "nothing scheduled, resources requested with different weight on CPU and memory, differently sized nodes",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 9,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "memory", "weight": 2}, {"name": "cpu", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 41,  # (25*1 + 50*2)/(1+2)
            "node2": 50,  # (50*1 + 50*2)/(1+2)
        },
        "notes": "Go set spec.nodeName='node1' on the incoming pod (no effect on Score); dropped here.",
    },
    {
        "name": "resource with negative weight",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 10,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "memory", "weight": -1}, {"name": "cpu", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": None,
        "expected_error": {"type": "FieldValueInvalid", "field": "scoringStrategy.resources[0].weight"},
        "no_v1_defaulting": True,
        "notes": "Go set spec.nodeName='node1' on the incoming pod (no effect on Score); dropped here. Expected NewFit to fail validation (internal config, no v1 defaulting). NB: in v1 JSON a weight of 0 (or an empty resources list) is first DEFAULTED (weight 0 -> 1, [] -> cpu/memory), so only -1/101 are rejectable through the versioned API.",
    },
    {
        "name": "resource with zero weight",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 11,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "memory", "weight": 1}, {"name": "cpu", "weight": 0}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": None,
        "expected_error": {"type": "FieldValueInvalid", "field": "scoringStrategy.resources[1].weight"},
        "no_v1_defaulting": True,
        "go_expected_scores_ignored": {"node1": 41, "node2": 50},
        "notes": "Go set spec.nodeName='node1' on the incoming pod (no effect on Score); dropped here. Expected NewFit to fail validation (internal config, no v1 defaulting). NB: in v1 JSON a weight of 0 (or an empty resources list) is first DEFAULTED (weight 0 -> 1, [] -> cpu/memory), so only -1/101 are rejectable through the versioned API.",
    },
    {
        "name": "resource weight larger than MaxNodeScore",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 12,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [{"name": "memory", "weight": 1}, {"name": "cpu", "weight": 101}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": None,
        "expected_error": {"type": "FieldValueInvalid", "field": "scoringStrategy.resources[1].weight"},
        "no_v1_defaulting": True,
        "notes": "Go set spec.nodeName='node1' on the incoming pod (no effect on Score); dropped here. Expected NewFit to fail validation (internal config, no v1 defaulting). NB: in v1 JSON a weight of 0 (or an empty resources list) is first DEFAULTED (weight 0 -> 1, [] -> cpu/memory), so only -1/101 are rejectable through the versioned API.",
    },
    {
        "name": "bypass extended resource if the pod does not request",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 13,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "4"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "4"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [
                    {"name": "cpu", "weight": 1},
                    {"name": "memory", "weight": 1},
                    {"name": "abc.com/xyz", "weight": 1},
                ],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 50,  # (50+50)/2, abc.com/xyz bypassed
            "node2": 50,  # (50+50)/2, abc.com/xyz bypassed
        },
        "notes": "Go set spec.nodeName='node1' on the incoming pod (no effect on Score); dropped here.",
    },
    {
        "name": "honor extended resource if the pod requests",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 14,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "con0",
                        "resources": {"requests": {"cpu": "3000", "memory": "5000", "abc.com/xyz": "2"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "4"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "4"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "10"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "10"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [
                    {"name": "cpu", "weight": 1},
                    {"name": "memory", "weight": 1},
                    {"name": "abc.com/xyz", "weight": 1},
                ],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 50,  # (50+50+50)/3
            "node2": 60,  # (50+50+80)/3
        },
        "notes": "Go set spec.nodeName='node1' on the incoming pod (no effect on Score); dropped here.",
    },
    {
        "name": "if the node doesn't have a resource",
        "test": "TestLeastAllocatedScoringStrategy",
        "index": 15,
        "source": "pkg/scheduler/framework/plugins/noderesources/least_allocated_test.go@008b3652959ca58af8be3fb5b6ecfe9ae7638282",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "4000"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "4"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "4"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "LeastAllocated",
                "resources": [
                    {"name": "abc.com/xyz", "weight": 2},
                    {"name": "cpu", "weight": 1},
                    {"name": "memory", "weight": 1},
                ],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 55,  # (50*1 + 60*1)/(1+1)
            "node2": 55,  # (50*1 + 60*1)/(1+1)
        },
        "notes": "Go set spec.nodeName='node1' on the incoming pod (no effect on Score); dropped here.",
    },
]

# TestMostAllocatedScoringStrategy (most_allocated_test.go).
MOST_ALLOCATED_CASES = [
    {
        "name": "nothing scheduled, nothing requested",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 0,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 0,  # fwk.MinNodeScore
            "node2": 0,  # fwk.MinNodeScore
        },
    },
    {
        "name": "nothing scheduled, resources requested, differently sized nodes",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 1,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 62,  # cpu (3000*100)/4000=75, mem 50 -> (75+50)/2
            "node2": 50,  # cpu 50, mem 50
        },
    },
    {
        "name": "Resources not set, pods scheduled with error",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 2,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {"scoringStrategy": {"type": "MostAllocated", "resources": []}},
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 0,  # fwk.MinNodeScore
            "node2": 0,  # fwk.MinNodeScore
        },
        "expected_score_status": "Error",
        "no_v1_defaulting": True,
        "notes": "Internal config with resources=nil: Score returns status Error 'resources not found' and score 0. Through v1 JSON the empty list would be defaulted to cpu/memory instead.",
    },
    {
        "name": "no resources requested, pods scheduled with resources",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 3,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "10000", "memory": "20000"},
                    "allocatable": {"pods": "32", "cpu": "10000", "memory": "20000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "10000", "memory": "20000"},
                    "allocatable": {"pods": "32", "cpu": "10000", "memory": "20000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "0"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "0"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-2", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "0"}}}],
                    "nodeName": "node2",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-3", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 30,  # cpu 60, mem 0
            "node2": 42,  # cpu 60, mem 25
        },
    },
    {
        "name": "resources requested, pods scheduled with resources",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 4,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "10000", "memory": "20000"},
                    "allocatable": {"pods": "32", "cpu": "10000", "memory": "20000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "10000", "memory": "20000"},
                    "allocatable": {"pods": "32", "cpu": "10000", "memory": "20000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "0"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 42,  # cpu 60, mem 25
            "node2": 55,  # cpu 60, mem 50
        },
    },
    {
        "name": "resources requested equal node capacity",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 5,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "2000", "memory": "4000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "5000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "5000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "10000", "memory": "9000"},
                    "allocatable": {"pods": "32", "cpu": "10000", "memory": "9000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 95,  # cpu 100, mem 90
            "node2": 75,  # cpu 50, mem 100
        },
    },
    {
        "name": "nothing scheduled, resources requested, differently sized nodes",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 6,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "memory", "weight": 2}, {"name": "cpu", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 58,  # (75*1 + 50*2)/(1+2)
            "node2": 50,  # (50*1 + 50*2)/(1+2)
        },
        "notes": "Same name as index 1 in the Go table (duplicate test name); this one uses weights memory=2, cpu=1.",
    },
    {
        "name": "no resources requested, pods scheduled, nonzero request for resource",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 7,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "image": "container"}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "250m", "memory": "1000Mi"},
                    "allocatable": {"pods": "32", "cpu": "250m", "memory": "1000Mi"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "250m", "memory": "1000Mi"},
                    "allocatable": {"pods": "32", "cpu": "250m", "memory": "1000Mi"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {"containers": [{"name": "con0", "image": "container"}], "nodeName": "node1"},
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {"containers": [{"name": "con0", "image": "container"}], "nodeName": "node1"},
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 80,  # cpu 3x100m=300m clamped to 250m -> 100, mem 3x200Mi of 1000Mi -> 60; (100+60)/2
            "node2": 30,  # cpu 100m/250m -> 40, mem 200Mi/1000Mi -> 20; (40+20)/2
        },
        "notes": "Every container without a cpu/memory request counts the scoring defaults 100m / 200Mi (incoming pod and existing pods). 1000Mi = 1048576000 bytes.",
    },
    {
        "name": "resource with negative weight",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 8,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "memory", "weight": -1}, {"name": "cpu", "weight": 1}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": None,
        "expected_error": {"type": "FieldValueInvalid", "field": "scoringStrategy.resources[0].weight"},
        "no_v1_defaulting": True,
        "notes": "Expected NewFit to fail validation (internal config, no v1 defaulting). NB: in v1 JSON a weight of 0 (or an empty resources list) is first DEFAULTED (weight 0 -> 1, [] -> cpu/memory), so only -1/101 are rejectable through the versioned API.",
    },
    {
        "name": "resource with zero weight",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 9,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [{"name": "memory", "weight": 1}, {"name": "cpu", "weight": 0}],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": None,
        "expected_error": {"type": "FieldValueInvalid", "field": "scoringStrategy.resources[1].weight"},
        "no_v1_defaulting": True,
        "notes": "Expected NewFit to fail validation (internal config, no v1 defaulting). NB: in v1 JSON a weight of 0 (or an empty resources list) is first DEFAULTED (weight 0 -> 1, [] -> cpu/memory), so only -1/101 are rejectable through the versioned API.",
    },
    {
        "name": "resource weight larger than MaxNodeScore",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 10,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {"scoringStrategy": {"type": "MostAllocated", "resources": [{"name": "memory", "weight": 101}]}},
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": None,
        "expected_error": {"type": "FieldValueInvalid", "field": "scoringStrategy.resources[0].weight"},
        "no_v1_defaulting": True,
        "notes": "Expected NewFit to fail validation (internal config, no v1 defaulting). NB: in v1 JSON a weight of 0 (or an empty resources list) is first DEFAULTED (weight 0 -> 1, [] -> cpu/memory), so only -1/101 are rejectable through the versioned API.",
    },
    {
        "name": "bypass extended resource if the pod does not request",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 11,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "4"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "4"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [
                    {"name": "cpu", "weight": 1},
                    {"name": "memory", "weight": 1},
                    {"name": "abc.com/xyz", "weight": 1},
                ],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 50,  # (50+50)/2
            "node2": 50,  # (50+50)/2, abc.com/xyz bypassed
        },
    },
    {
        "name": "honor extended resource if the pod request",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 12,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {
                        "name": "con0",
                        "resources": {"requests": {"cpu": "3000", "memory": "5000", "abc.com/xyz": "2"}},
                    },
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "4"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "4"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "10"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "10"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [
                    {"name": "cpu", "weight": 1},
                    {"name": "memory", "weight": 1},
                    {"name": "abc.com/xyz", "weight": 1},
                ],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 50,  # (50+50+50)/3
            "node2": 40,  # (50+50+20)/3
        },
        "notes": "Go set spec.nodeName='node1' on the incoming pod (no effect on Score); dropped here.",
    },
    {
        "name": "if the node doesn't have a resource",
        "test": "TestMostAllocatedScoringStrategy",
        "index": 13,
        "source": "pkg/scheduler/framework/plugins/noderesources/most_allocated_test.go@030880a5dc5449403c6d1f0aa146a7dc21d6c6dc",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "4000"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "4"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000", "abc.com/xyz": "4"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "MostAllocated",
                "resources": [
                    {"name": "abc.com/xyz", "weight": 2},
                    {"name": "cpu", "weight": 1},
                    {"name": "memory", "weight": 1},
                ],
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 45,  # (50*1 + 40*1)/(1+1)
            "node2": 45,  # (50*1 + 40*1)/(1+1)
        },
        "notes": "Go set spec.nodeName='node1' on the incoming pod (no effect on Score); dropped here.",
    },
]

# TestRequestedToCapacityRatioScoringStrategy, TestResourceBinPackingSingleExtended, TestResourceBinPackingMultipleExtended.
RTCR_CASES = [
    {
        "name": "nothing scheduled, nothing requested (default - least requested nodes have priority)",
        "test": "TestRequestedToCapacityRatioScoringStrategy",
        "index": 0,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {"containers": [], "nodeName": "node1"},
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {"containers": [], "nodeName": "node1"},
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 10}, {"utilization": 100, "score": 0}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 100,  # fwk.MaxNodeScore
            "node2": 100,  # fwk.MaxNodeScore
        },
    },
    {
        "name": "nothing scheduled, resources requested, differently sized nodes (default - least requested nodes have priority)",
        "test": "TestRequestedToCapacityRatioScoringStrategy",
        "index": 1,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "con0", "resources": {"requests": {"cpu": "1000", "memory": "2000"}}},
                    {"name": "con1", "resources": {"requests": {"cpu": "2000", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {"containers": [], "nodeName": "node1"},
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {"containers": [], "nodeName": "node1"},
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 10}, {"utilization": 100, "score": 0}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 38,  # cpu u=75 -> f=25, mem u=50 -> f=50; math.Round(75/2=37.5)
            "node2": 50,
        },
    },
    {
        "name": "no resources requested, pods scheduled with resources (default - least requested nodes have priority)",
        "test": "TestRequestedToCapacityRatioScoringStrategy",
        "index": 2,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "4000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "4000", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"pods": "32", "cpu": "6000", "memory": "10000"},
                    "allocatable": {"pods": "32", "cpu": "6000", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}}],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"cpu": "3000", "memory": "5000"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 10}, {"utilization": 100, "score": 0}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 38,  # math.Round(37.5)
            "node2": 50,
        },
    },
    {
        "name": "nothing scheduled, nothing requested",
        "test": "TestResourceBinPackingSingleExtended",
        "index": 0,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "intel.com/foo", "weight": 1}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 1}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {"node1": 0, "node2": 0},
        "notes": "Shape scores (0..10) are multiplied by 10 (MaxNodeScore/MaxCustomPriorityScore) before use.",
    },
    {
        "name": "resources requested, pods scheduled with less resources",
        "test": "TestResourceBinPackingSingleExtended",
        "index": 1,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"intel.com/foo": "2"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "intel.com/foo", "weight": 1}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 1}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 2,  # u=2/8 -> 25 -> f=25*10/100=2
            "node2": 5,  # u=2/4 -> 50 -> 5
        },
        "notes": "1 existing pod(s) in the Go table had no spec.nodeName (not on any node; ignored by the snapshot) and were dropped. Shape scores (0..10) are multiplied by 10 (MaxNodeScore/MaxCustomPriorityScore) before use.",
    },
    {
        "name": "resources requested, pods scheduled with resources, on node with existing pod running ",
        "test": "TestResourceBinPackingSingleExtended",
        "index": 2,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"intel.com/foo": "2"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [{"name": "con0", "resources": {"requests": {"intel.com/foo": "2"}}}],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "intel.com/foo", "weight": 1}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 1}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 2,
            "node2": 10,  # u=(2+2)/4 -> 100 -> 10
        },
        "notes": "Shape scores (0..10) are multiplied by 10 (MaxNodeScore/MaxCustomPriorityScore) before use.",
    },
    {
        "name": "resources requested, pods scheduled with more resources",
        "test": "TestResourceBinPackingSingleExtended",
        "index": 3,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": [{"name": "con0", "resources": {"requests": {"intel.com/foo": "4"}}}]},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "intel.com/foo", "weight": 1}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 1}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {"node1": 5, "node2": 10},
        "notes": "1 existing pod(s) in the Go table had no spec.nodeName (not on any node; ignored by the snapshot) and were dropped. Shape scores (0..10) are multiplied by 10 (MaxNodeScore/MaxCustomPriorityScore) before use.",
    },
    {
        "name": "nothing scheduled, nothing requested",
        "test": "TestResourceBinPackingMultipleExtended",
        "index": 0,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "8",
                        "intel.com/bar": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "8",
                        "intel.com/bar": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "4",
                        "intel.com/bar": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "4",
                        "intel.com/bar": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "intel.com/foo", "weight": 3}, {"name": "intel.com/bar", "weight": 5}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 1}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {"node1": 0, "node2": 0},
        "notes": "Shape scores (0..10) are multiplied by 10 before use; weights foo=3, bar=5.",
    },
    {
        "name": "resources requested, pods scheduled with less resources",
        "test": "TestResourceBinPackingMultipleExtended",
        "index": 1,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [{"name": "con0", "resources": {"requests": {"intel.com/foo": "2", "intel.com/bar": "2"}}}],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "8",
                        "intel.com/bar": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "8",
                        "intel.com/bar": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "4",
                        "intel.com/bar": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "4",
                        "intel.com/bar": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "intel.com/foo", "weight": 3}, {"name": "intel.com/bar", "weight": 5}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 1}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 4,  # foo 2/8 -> 2, bar 2/4 -> 5: round((2*3+5*5)/8=3.875)
            "node2": 3,  # foo 5, bar 2: round((5*3+2*5)/8=3.125)
        },
        "notes": "1 existing pod(s) in the Go table had no spec.nodeName (not on any node; ignored by the snapshot) and were dropped. Shape scores (0..10) are multiplied by 10 before use; weights foo=3, bar=5.",
    },
    {
        "name": "resources requested, pods scheduled with resources, on node with existing pod running ",
        "test": "TestResourceBinPackingMultipleExtended",
        "index": 2,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [{"name": "con0", "resources": {"requests": {"intel.com/foo": "2", "intel.com/bar": "2"}}}],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "8",
                        "intel.com/bar": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "8",
                        "intel.com/bar": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "4",
                        "intel.com/bar": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "4",
                        "intel.com/bar": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {
                            "name": "con0",
                            "resources": {"requests": {"intel.com/foo": "4", "intel.com/bar": "2"}},
                        },
                    ],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "intel.com/foo", "weight": 3}, {"name": "intel.com/bar", "weight": 5}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 1}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 4,
            "node2": 7,  # foo (4+2)/4 -> 100 -> 10, bar (2+2)/8 -> 5: round((30+25)/8=6.875)
        },
        "notes": "Shape scores (0..10) are multiplied by 10 before use; weights foo=3, bar=5.",
    },
    {
        "name": "resources requested, pods scheduled with more resources",
        "test": "TestResourceBinPackingMultipleExtended",
        "index": 3,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [{"name": "con0", "resources": {"requests": {"intel.com/foo": "4", "intel.com/bar": "2"}}}],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "8",
                        "intel.com/bar": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "8",
                        "intel.com/bar": "4",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {
                        "intel.com/foo": "4",
                        "intel.com/bar": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                    "allocatable": {
                        "intel.com/foo": "4",
                        "intel.com/bar": "8",
                        "cpu": "4000m",
                        "memory": "10485760000",  # 10000*1024*1024
                    },
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "scoringStrategy": {
                "type": "RequestedToCapacityRatio",
                "resources": [{"name": "intel.com/foo", "weight": 3}, {"name": "intel.com/bar", "weight": 5}],
                "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0}, {"utilization": 100, "score": 1}]},
            },
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 5,  # foo 4/8 -> 5, bar 2/4 -> 5
            "node2": 5,  # foo 4/4 -> 10, bar 2/8 -> 2: (30+10)/8=5
        },
        "notes": "1 existing pod(s) in the Go table had no spec.nodeName (not on any node; ignored by the snapshot) and were dropped. Shape scores (0..10) are multiplied by 10 before use; weights foo=3, bar=5.",
    },
]

# TestBrokenLinearFunction: helper.BuildBrokenLinearFunction(shape)(utilization) == expected. Raw shape points (NOT scaled by 10).
RTCR_FUNCTION_CASES = [
    {
        "name": "case_0",
        "test": "TestBrokenLinearFunction",
        "index": 0,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "shape": [{"utilization": 10, "score": 1}, {"utilization": 90, "score": 9}],
        "assertions": [
            {"utilization": -10, "expected": 1},
            {"utilization": 0, "expected": 1},
            {"utilization": 9, "expected": 1},
            {"utilization": 10, "expected": 1},
            {"utilization": 15, "expected": 1},
            {"utilization": 19, "expected": 1},
            {"utilization": 20, "expected": 2},
            {"utilization": 89, "expected": 8},
            {"utilization": 90, "expected": 9},
            {"utilization": 99, "expected": 9},
            {"utilization": 100, "expected": 9},
            {"utilization": 110, "expected": 9},
        ],
    },
    {
        "name": "case_1",
        "test": "TestBrokenLinearFunction",
        "index": 1,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "shape": [{"utilization": 0, "score": 2}, {"utilization": 40, "score": 10}, {"utilization": 100, "score": 0}],
        "assertions": [
            {"utilization": -10, "expected": 2},
            {"utilization": 0, "expected": 2},
            {"utilization": 20, "expected": 6},
            {"utilization": 30, "expected": 8},
            {"utilization": 40, "expected": 10},
            {"utilization": 70, "expected": 5},
            {"utilization": 100, "expected": 0},
            {"utilization": 110, "expected": 0},
        ],
    },
    {
        "name": "case_2",
        "test": "TestBrokenLinearFunction",
        "index": 2,
        "source": "pkg/scheduler/framework/plugins/noderesources/requested_to_capacity_ratio_test.go@8519d3399f10be33a45da368a48ee763acbe3999",
        "shape": [{"utilization": 0, "score": 2}, {"utilization": 40, "score": 2}, {"utilization": 100, "score": 2}],
        "assertions": [
            {"utilization": -10, "expected": 2},
            {"utilization": 0, "expected": 2},
            {"utilization": 20, "expected": 2},
            {"utilization": 30, "expected": 2},
            {"utilization": 40, "expected": 2},
            {"utilization": 70, "expected": 2},
            {"utilization": 100, "expected": 2},
            {"utilization": 110, "expected": 2},
        ],
    },
]

# TestNodeResourcesBalancedAllocation (balanced_allocation_test.go, v1.35 semantics).
BALANCED_ALLOCATION_CASES = [
    {
        "name": "nothing scheduled, nothing requested, skip in PreScore",
        "test": "TestNodeResourcesBalancedAllocation",
        "index": 0,
        "source": "pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go@00fdb4ffc64976886691c99434ab5b01fa54f8fe",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {"containers": []},
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"cpu": "4000m", "memory": "10000"},
                    "allocatable": {"cpu": "4000m", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"cpu": "4000m", "memory": "10000"},
                    "allocatable": {"cpu": "4000m", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {"resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}]},
        "run_prescore": True,
        "expected_prescore": "Skip",
        "expected_scores": None,
    },
    {
        "name": "nothing scheduled, resources requested, differently sized nodes",
        "test": "TestNodeResourcesBalancedAllocation",
        "index": 1,
        "source": "pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go@00fdb4ffc64976886691c99434ab5b01fa54f8fe",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "2000"}}},
                    {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"cpu": "4000m", "memory": "10000"},
                    "allocatable": {"cpu": "4000m", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"cpu": "6000m", "memory": "10000"},
                    "allocatable": {"cpu": "6000m", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {"resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}]},
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 87,  # cpu 3000/4000=0.75, mem 5000/10000=0.5, std=(0.75-0.5)/2=0.125 -> (1-0.125)*100
            "node2": 100,  # fwk.MaxNodeScore
        },
        "notes": "Go set spec.nodeName='node2' on the incoming pod (no effect on Score); dropped here.",
    },
    {
        "name": "resources requested, pods scheduled with resources",
        "test": "TestNodeResourcesBalancedAllocation",
        "index": 2,
        "source": "pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go@00fdb4ffc64976886691c99434ab5b01fa54f8fe",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "2000"}}},
                    {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"cpu": "10000m", "memory": "20000"},
                    "allocatable": {"cpu": "10000m", "memory": "20000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"cpu": "10000m", "memory": "20000"},
                    "allocatable": {"cpu": "10000m", "memory": "20000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "0"}}},
                        {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "0"}}},
                    ],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [
                        {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "2000"}}},
                        {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "3000"}}},
                    ],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {"resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}]},
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 82,  # cpu 0.6, mem 0.25, std 0.175
            "node2": 95,  # cpu 0.6, mem 0.5, std 0.05
        },
        "notes": "Go set spec.nodeName='node2' on the incoming pod (no effect on Score); dropped here.",
    },
    {
        "name": "resources requested, pods scheduled with resources, differently sized nodes",
        "test": "TestNodeResourcesBalancedAllocation",
        "index": 3,
        "source": "pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go@00fdb4ffc64976886691c99434ab5b01fa54f8fe",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "2000"}}},
                    {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"cpu": "10000m", "memory": "20000"},
                    "allocatable": {"cpu": "10000m", "memory": "20000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"cpu": "10000m", "memory": "50000"},
                    "allocatable": {"cpu": "10000m", "memory": "50000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "0"}}},
                        {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "0"}}},
                    ],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [
                        {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "2000"}}},
                        {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "3000"}}},
                    ],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {"resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}]},
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 82,
            "node2": 80,  # cpu 0.6, mem 10000/50000=0.2, std 0.2
        },
        "notes": "Go set spec.nodeName='node2' on the incoming pod (no effect on Score); dropped here.",
    },
    {
        "name": "requested resources at node capacity",
        "test": "TestNodeResourcesBalancedAllocation",
        "index": 4,
        "source": "pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go@00fdb4ffc64976886691c99434ab5b01fa54f8fe",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "0"}}},
                    {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "0"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"cpu": "6000m", "memory": "10000"},
                    "allocatable": {"cpu": "6000m", "memory": "10000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"cpu": "6000m", "memory": "10000"},
                    "allocatable": {"cpu": "6000m", "memory": "10000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "0"}}},
                        {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "0"}}},
                    ],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [
                        {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "2000"}}},
                        {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "3000"}}},
                    ],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {"resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}]},
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 50,  # cpu 6000/6000=1, mem 0 -> std 0.5
            "node2": 75,  # cpu 1, mem 0.5 -> std 0.25
        },
        "notes": "Go set spec.nodeName='node1' on the incoming pod (no effect on Score); dropped here.",
    },
    {
        "name": "include scalar resource on a node for balanced resource allocation",
        "test": "TestNodeResourcesBalancedAllocation",
        "index": 5,
        "source": "pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go@00fdb4ffc64976886691c99434ab5b01fa54f8fe",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [{"name": "con0", "resources": {"requests": {"memory": "0", "nvidia.com/gpu": "1"}}}],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"nvidia.com/gpu": "8", "cpu": "3500m", "memory": "40000"},
                    "allocatable": {"nvidia.com/gpu": "8", "cpu": "3500m", "memory": "40000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"nvidia.com/gpu": "8", "cpu": "3500m", "memory": "40000"},
                    "allocatable": {"nvidia.com/gpu": "8", "cpu": "3500m", "memory": "40000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "2000"}}},
                        {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "3000"}}},
                    ],
                    "nodeName": "node2",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [
                        {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "2000"}}},
                        {
                            "name": "c1",
                            "resources": {"requests": {"cpu": "2000m", "memory": "3000", "nvidia.com/gpu": "3"}},
                        },
                    ],
                    "nodeName": "node1",
                },
            },
        ],
        "args": {
            "resources": [
                {"name": "cpu", "weight": 1},
                {"name": "memory", "weight": 1},
                {"name": "nvidia.com/gpu", "weight": 1},
            ],
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 70,  # fractions cpu 3000/3500, mem 5000/40000, gpu 4/8; population std ~0.2989
            "node2": 65,  # fractions cpu 3000/3500, mem 5000/40000, gpu 1/8; population std ~0.3450
        },
    },
    {
        "name": "node without the scalar resource should skip the scalar resource",
        "test": "TestNodeResourcesBalancedAllocation",
        "index": 6,
        "source": "pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go@00fdb4ffc64976886691c99434ab5b01fa54f8fe",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "2000"}}},
                    {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"nvidia.com/gpu": "8", "cpu": "3500m", "memory": "40000"},
                    "allocatable": {"nvidia.com/gpu": "8", "cpu": "3500m", "memory": "40000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"cpu": "3500m", "memory": "40000"},
                    "allocatable": {"cpu": "3500m", "memory": "40000"},
                },
            },
        ],
        "existing_pods": [],
        "args": {
            "resources": [
                {"name": "cpu", "weight": 1},
                {"name": "memory", "weight": 1},
                {"name": "nvidia.com/gpu", "weight": 1},
            ],
        },
        "run_prescore": True,
        "expected_prescore": None,
        "expected_scores": {
            "node1": 63,  # gpu not requested by the pod -> skipped; cpu 0.8571, mem 0.125, std 0.36607
            "node2": 63,
        },
        "notes": "Go set spec.nodeName='node2' on the incoming pod (no effect on Score); dropped here.",
    },
    {
        "name": "resources requested, pods scheduled with resources if PreScore not called",
        "test": "TestNodeResourcesBalancedAllocation",
        "index": 7,
        "source": "pkg/scheduler/framework/plugins/noderesources/balanced_allocation_test.go@00fdb4ffc64976886691c99434ab5b01fa54f8fe",
        "pod": {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "pod", "namespace": "default"},
            "spec": {
                "containers": [
                    {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "2000"}}},
                    {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "3000"}}},
                ],
            },
        },
        "nodes": [
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node1"},
                "status": {
                    "capacity": {"cpu": "10000m", "memory": "20000"},
                    "allocatable": {"cpu": "10000m", "memory": "20000"},
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "node2"},
                "status": {
                    "capacity": {"cpu": "10000m", "memory": "20000"},
                    "allocatable": {"cpu": "10000m", "memory": "20000"},
                },
            },
        ],
        "existing_pods": [
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-0", "namespace": "default"},
                "spec": {
                    "containers": [
                        {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "0"}}},
                        {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "0"}}},
                    ],
                    "nodeName": "node1",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "existing-pod-1", "namespace": "default"},
                "spec": {
                    "containers": [
                        {"name": "c0", "resources": {"requests": {"cpu": "1000m", "memory": "2000"}}},
                        {"name": "c1", "resources": {"requests": {"cpu": "2000m", "memory": "3000"}}},
                    ],
                    "nodeName": "node2",
                },
            },
        ],
        "args": {"resources": [{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 1}]},
        "run_prescore": False,
        "expected_prescore": None,
        "expected_scores": {"node1": 82, "node2": 95},
        "notes": "Go set spec.nodeName='node2' on the incoming pod (no effect on Score); dropped here.",
    },
]
