"""``kubekit demo``.

* :func:`run` (``kubekit demo``): the whole story on one machine — a
  Deployment and its HPA on an embedded control plane, the local node running
  real containers, self-healing, HPA scale-out and the cluster autoscaler
  adding and removing simulated nodes (:mod:`kubekit.demo.story`);
* :func:`run_openb` (``kubekit demo --openb``): kube-scheduler's decisions for
  a real workload on Alibaba's 1,213-node OpenB cluster
  (:mod:`kubekit.demo.openb`).
"""

from kubekit.demo.openb import SCHEDULABLE_KINDS, replicas
from kubekit.demo.openb import run as run_openb
from kubekit.demo.story import run

__all__ = ["SCHEDULABLE_KINDS", "replicas", "run", "run_openb"]
