"""GPU-sharing placement: the cluster state and fit rule, GPU fragmentation
against a target workload, and the FGD paper's policies as score plugins.

::

    from kubekit.packing.gpu import GpuCluster, GpuPod, GpuScheduler, TargetWorkload, FragTable, make_policy

    cluster = GpuCluster(["n0", "n1"], cpu_milli=[32000, 32000], memory_bytes=[2**37] * 2,
                         gpu_count=[2, 8], gpu_model=["T4", "G2"])
    pods = [GpuPod(4000, 2**30, 1, 500), GpuPod(8000, 2**31, 2, 1000)]
    frag = FragTable(cluster, TargetWorkload.from_pods(pods))
    sched = GpuScheduler(cluster, make_policy("fgd"), frag=frag, seed=0)
    sched.place(pods[0])                      # Binding(node=..., gpus=(...)), or None
    frag.gpus()                               # cluster fragmentation in GPUs (a Fraction)

    cluster, pods = gpu_cluster_from_objects(kube_pods, kube_nodes)   # from kubekit Pod / Node objects

See ``docs/replay.md``.
"""

from __future__ import annotations

from kubekit.packing.gpu.frag import (
    DEFAULT_POPULARITY, FragTable, TargetWorkload, TaskShape, fgd_delta, fragmented_gpus, node_fragmentation,
    shape_fragment,
)
from kubekit.packing.gpu.kube import gpu_cluster_from_objects
from kubekit.packing.gpu.model import (
    MILLI, Binding, GpuCluster, GpuNode, GpuPackingError, GpuPod, fits, least_sufficient_gpus, model_allows,
    pods_from_table, room_for, subtract,
)
from kubekit.packing.gpu.policies import (
    ENGINES, FGD, POLICIES, SCORINGS, BestFit, DotProduct, GpuClustering, GpuPacking, Random, ScorePlugin,
    best_fit_score, dot_product_score, fgd_quantize, fgd_score, gpu_clustering_score, gpu_packing_score, make_policy,
    policy_names,
)
from kubekit.packing.gpu.schedule import TIE_BREAKS, GpuScheduler, select_host

__all__ = [
    "DEFAULT_POPULARITY", "ENGINES", "FGD", "MILLI", "POLICIES", "SCORINGS", "TIE_BREAKS", "BestFit", "Binding",
    "DotProduct", "FragTable", "GpuCluster", "GpuClustering", "GpuNode", "GpuPackingError", "GpuPacking", "GpuPod",
    "GpuScheduler", "Random", "ScorePlugin", "TargetWorkload", "TaskShape", "best_fit_score", "dot_product_score",
    "fgd_delta", "fgd_quantize", "fgd_score", "fits", "fragmented_gpus", "gpu_clustering_score", "gpu_packing_score",
    "gpu_cluster_from_objects", "least_sufficient_gpus", "make_policy", "model_allows", "node_fragmentation",
    "pods_from_table", "policy_names", "room_for", "select_host", "shape_fragment", "subtract",
]
