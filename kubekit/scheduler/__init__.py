"""kube-scheduler's filtering and scoring (see docs/scheduler.md)."""

from kubekit.scheduler.config import SchedulerConfig, load_config
from kubekit.scheduler.framework import Code, CycleState, NodeInfo, Status
from kubekit.scheduler.results import BatchResult, Explanation, NodeExplanation, PluginScore, ScheduleResult
from kubekit.scheduler.scheduler import Scheduler

__all__ = [
    "BatchResult", "Code", "CycleState", "Explanation", "NodeExplanation", "NodeInfo", "PluginScore",
    "ScheduleResult", "Scheduler", "SchedulerConfig", "Status", "load_config",
]
